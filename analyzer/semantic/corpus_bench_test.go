package semantic

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"syscall"
	"testing"

	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/source"
)

// loadCorpus parses every Python file under dir into an index (no rule
// runs): the input of BenchmarkModelCorpus.
func loadCorpus(_ testing.TB, dir string) *project.Index {
	var paths []string
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Ext(p) == ".py" {
			paths = append(paths, p)
		}
		return nil
	})
	sort.Strings(paths)
	var facts []*project.Facts
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		tree, err := pyast.Parse(data)
		if err != nil {
			continue
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		u := project.NewUnit(source.New(p, rel, data), tree, rel)
		facts = append(facts, project.Extract(u))
	}
	return project.Build(facts)
}

// BenchmarkModelCorpus builds the semantic model and the endpoint
// inventory of the tree named by RUBRIC_BENCH_CORPUS, parsed once
// outside the loop (`go test -run X -bench ModelCorpus -cpuprofile ...`).
func BenchmarkModelCorpus(b *testing.B) {
	dir := os.Getenv("RUBRIC_BENCH_CORPUS")
	if dir == "" {
		b.Skip("RUBRIC_BENCH_CORPUS is not set")
	}
	ix := loadCorpus(b, dir)
	b.Run("model", func(b *testing.B) {
		start := cpuTime()
		for i := 0; i < b.N; i++ {
			Build(ix)
		}
		b.ReportMetric(float64(cpuTime()-start)/1e6/float64(b.N), "cpu-ms/op")
	})
	m := Build(ix)
	b.Run("inventory", func(b *testing.B) {
		start := cpuTime()
		for i := 0; i < b.N; i++ {
			m.memo.mu.Lock()
			m.memo.bases, m.memo.text, m.memo.effects = nil, nil, nil
			m.memo.mu.Unlock()
			m.buildInventory()
		}
		b.ReportMetric(float64(cpuTime()-start)/1e6/float64(b.N), "cpu-ms/op")
	})
}

// cpuTime is the process's CPU time (user and system) in nanoseconds:
// the machine is shared, so the benchmark reports CPU beside wall time.
func cpuTime() int64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// TestModelCorpusDump writes the settled values of the model of the tree
// named by RUBRIC_BENCH_CORPUS to the file RUBRIC_DUMP_SETTLED, for
// comparing two builds of rubric on a real project (a change to how the
// model settles must leave the dump as it was).
func TestModelCorpusDump(t *testing.T) {
	dir, out := os.Getenv("RUBRIC_BENCH_CORPUS"), os.Getenv("RUBRIC_DUMP_SETTLED")
	if dir == "" || out == "" {
		t.Skip("RUBRIC_BENCH_CORPUS or RUBRIC_DUMP_SETTLED is not set")
	}
	ix := loadCorpus(&testing.B{}, dir)
	if err := os.WriteFile(out, []byte(dumpSettled(Build(ix))), 0o644); err != nil {
		t.Fatal(err)
	}
}
