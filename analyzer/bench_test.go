package analyzer_test

import (
	"context"
	"os"
	"testing"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/rules/all"
)

// BenchmarkCorpus runs the whole analysis (every rule) over the tree named
// by RUBRIC_BENCH_CORPUS, for profiling the driver and the rules in one
// process (`go test -bench Corpus -cpuprofile cpu.out ./analyzer`).
// Whole-process figures come from `make bench`.
func BenchmarkCorpus(b *testing.B) {
	dir := os.Getenv("RUBRIC_BENCH_CORPUS")
	if dir == "" {
		b.Skip("RUBRIC_BENCH_CORPUS is not set")
	}
	rules := analyzer.Select(all.Rules(), []string{"ALL"}, nil)
	for _, mode := range []struct {
		name      string
		parseOnly bool
	}{{"parse-and-index", true}, {"all-rules", false}} {
		b.Run(mode.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				res, err := analyzer.Run(context.Background(), analyzer.Config{Rules: rules, WorkDir: dir, ParseOnly: mode.parseOnly}, []string{dir})
				if err != nil {
					b.Fatal(err)
				}
				b.SetBytes(res.Stats.Bytes)
			}
		})
	}
}

// BenchmarkReusedRun times a run that takes every file's work from the
// reuse cache a first run filled (over RUBRIC_BENCH_CORPUS): what an edit
// run spends on the files it did not edit, decoding their records and
// looking up their findings (`go test -bench ReusedRun -cpuprofile ...`).
func BenchmarkReusedRun(b *testing.B) {
	dir := os.Getenv("RUBRIC_BENCH_CORPUS")
	if dir == "" {
		b.Skip("RUBRIC_BENCH_CORPUS is not set")
	}
	cfg := analyzer.Config{Rules: analyzer.Select(all.Rules(), []string{"ALL"}, nil), WorkDir: dir, Reuse: analyzer.NewMemoryReuse(nil)}
	first, err := analyzer.Run(context.Background(), cfg, []string{dir})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := analyzer.Run(context.Background(), cfg, []string{dir})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Diagnostics) != len(first.Diagnostics) {
			b.Fatalf("%d findings reused, %d found", len(res.Diagnostics), len(first.Diagnostics))
		}
	}
}
