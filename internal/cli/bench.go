package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	sitter "github.com/smacker/go-tree-sitter"
	"github.com/spf13/cobra"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/internal/statcache"
)

// The bench command measures whole rubric processes against the parser's
// floor, the way a user meets them: a cold run, a warm run with nothing
// changed, and runs after one file was edited. Each run is a child process
// (the same executable), so its CPU time and peak memory come from the
// kernel's accounting of that process alone.

type benchFlags struct {
	rounds    int
	jobs      int
	name      string
	editBody  string
	editFacts string
	editTest  string
	floor     bool
	keep      bool
	rubric    string
}

func newBenchCmd() *cobra.Command {
	f := &benchFlags{}
	cmd := &cobra.Command{
		Use:   "bench PATH",
		Short: "Measure rubric against the parse floor on a corpus (for `make bench`)",
		Long: `Copies the Python files of PATH to a temporary directory, then runs alternating rounds of child
processes over the copy:

  floor        rubric bench --floor: every file read and parsed by tree-sitter on a pool of
               parsers (one per CPU), the trees freed, nothing else
  cold         rubric check --no-cache
  first        rubric check with an empty cache directory: a CI job's first run, which also
               writes the caches
  warm         rubric check with a cache directory, nothing changed since the previous run
  edit-body    rubric check after a comment line was appended to one file (--edit-body)
  edit-facts   rubric check after a line was inserted at the top of a models file, which moves
               every fact of that file (--edit-facts)
  edit-test    rubric check after a test function was appended to a test module (--edit-test)

and prints the median wall time, CPU time (user + system) and peak memory (max RSS) of each,
and their ratios to the floor and to the cold run.

With --floor, runs the floor itself over PATH instead.`,
		Hidden: true,
		Args:   cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.floor {
				return runFloor(cmd.OutOrStdout(), args[0], f.jobs)
			}
			return runBench(cmd, f, args[0])
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&f.rounds, "rounds", 5, "alternating rounds; medians are reported")
	fl.IntVarP(&f.jobs, "jobs", "j", 0, "parallelism of every run (default: number of CPUs)")
	fl.StringVar(&f.name, "name", "", "corpus name in the output (default: the directory's name)")
	fl.StringVar(&f.editBody, "edit-body", "", "file (relative to PATH) edited by the edit-body runs (default: the largest file outside tests and migrations)")
	fl.StringVar(&f.editFacts, "edit-facts", "", "file (relative to PATH) edited by the edit-facts runs (default: the largest models.py)")
	fl.StringVar(&f.editTest, "edit-test", "", "file (relative to PATH) edited by the edit-test runs (default: the largest test module)")
	fl.BoolVar(&f.floor, "floor", false, "run the parse floor over PATH and print its file count")
	fl.BoolVar(&f.keep, "keep", false, "keep the temporary copy and cache (their path is printed)")
	fl.StringVar(&f.rubric, "rubric", "", "measure the check runs of this rubric executable (an older build, for before/after figures); the floor still runs in this one")
	return cmd
}

// runFloor parses every file rubric would analyse and does nothing else:
// the cost no analysis on top of this tree-sitter binding can go under.
func runFloor(out io.Writer, root string, jobs int) error {
	if jobs <= 0 {
		jobs = runtimeCPU()
	}
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	inputs := analyzer.Discover([]string{root}, wd, nil)
	var next, files, nbytes atomic.Int64
	var wg sync.WaitGroup
	var firstErr error
	var errOnce sync.Once
	for w := 0; w < jobs; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := sitter.NewParser()
			defer p.Close()
			p.SetLanguage(pyast.Language())
			for {
				i := int(next.Add(1)) - 1
				if i >= len(inputs) {
					return
				}
				src, err := os.ReadFile(inputs[i].Path)
				if err != nil {
					continue
				}
				t, err := p.ParseCtx(context.Background(), nil, src)
				if err != nil {
					errOnce.Do(func() { firstErr = fmt.Errorf("%s: %w", inputs[i].Rel, err) })
					continue
				}
				t.Close()
				files.Add(1)
				nbytes.Add(int64(len(src)))
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	fmt.Fprintf(out, "floor: parsed %d files, %d bytes\n", files.Load(), nbytes.Load())
	return nil
}

// sample is one child process's cost.
type sample struct {
	wall, cpu time.Duration
	rssKB     int64
}

// measure runs the executable with args in dir, discarding its output,
// and returns its wall time, CPU time and peak memory. Exit status 1
// (findings) is success.
func measure(exe, dir string, args ...string) (sample, error) {
	c := exec.Command(exe, args...)
	c.Dir = dir
	var stderr bytes.Buffer
	c.Stdout = io.Discard
	c.Stderr = &stderr
	start := time.Now()
	err := c.Run()
	wall := time.Since(start)
	var ee *exec.ExitError
	if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == ExitFindings) {
		return sample{}, fmt.Errorf("%s %s: %v: %s", filepath.Base(exe), strings.Join(args, " "), err, stderr.String())
	}
	ru, ok := c.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return sample{}, errors.New("bench: no resource usage for child processes on this system")
	}
	return sample{wall: wall, cpu: c.ProcessState.UserTime() + c.ProcessState.SystemTime(), rssKB: ru.Maxrss}, nil
}

// benchRun is one kind of run in a round.
type benchRun struct {
	name, what string
	exe        string
	prepare    func(round int) error // called before each measured run
	args       []string
	samples    []sample
}

func (b *benchRun) median() sample {
	pick := func(get func(s sample) int64) int64 {
		v := make([]int64, len(b.samples))
		for i, s := range b.samples {
			v[i] = get(s)
		}
		sort.Slice(v, func(i, j int) bool { return v[i] < v[j] })
		if len(v) == 0 {
			return 0
		}
		if len(v)%2 == 1 {
			return v[len(v)/2]
		}
		return (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	return sample{
		wall:  time.Duration(pick(func(s sample) int64 { return int64(s.wall) })),
		cpu:   time.Duration(pick(func(s sample) int64 { return int64(s.cpu) })),
		rssKB: pick(func(s sample) int64 { return s.rssKB }),
	}
}

func runBench(cmd *cobra.Command, f *benchFlags, root string) error {
	out := cmd.OutOrStdout()
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	checker := exe
	if f.rubric != "" {
		if checker, err = filepath.Abs(f.rubric); err != nil {
			return err
		}
	}
	root, err = filepath.Abs(root)
	if err != nil {
		return err
	}
	name := f.name
	if name == "" {
		name = filepath.Base(root)
	}
	tmp, err := os.MkdirTemp("", "rubric-bench-")
	if err != nil {
		return err
	}
	if f.keep {
		fmt.Fprintf(out, "bench: work directory %s\n", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
	corpus := filepath.Join(tmp, "corpus")
	cacheDir := filepath.Join(tmp, "cache")
	c, err := copyCorpus(root, corpus)
	if err != nil {
		return err
	}
	if f.editBody == "" {
		f.editBody = c.largest(func(rel string) bool { return !isTestOrMigration(rel) })
	}
	if f.editFacts == "" {
		f.editFacts = c.largest(func(rel string) bool { return path.Base(rel) == "models.py" && !isTestOrMigration(rel) })
	}
	if f.editTest == "" {
		f.editTest = c.largest(func(rel string) bool {
			return semantic.FileRoles(rel, nil).Any(semantic.Test) && strings.HasPrefix(path.Base(rel), "test")
		})
	}
	jobs := []string{"-j", fmt.Sprint(jobsOrCPU(f.jobs))}
	check := append([]string{"check", "--color", "never"}, jobs...)
	cached := append(append([]string{}, check...), "--cache-dir", cacheDir, ".")
	firstCache := filepath.Join(tmp, "first-cache")
	runs := []*benchRun{
		{name: "floor", what: "parse only", exe: exe, args: append(append([]string{"bench", "--floor"}, jobs...), ".")},
		{name: "cold", what: "check --no-cache", exe: checker, args: append(append([]string{}, check...), "--no-cache", ".")},
		{name: "first", what: "check, empty cache", exe: checker, args: append(append([]string{}, check...), "--cache-dir", firstCache, "."),
			prepare: func(int) error { return os.RemoveAll(firstCache) }},
		{name: "warm", what: "result cache, nothing changed", exe: checker, args: cached},
	}
	editRun := func(runName, rel, what string, edit func(orig []byte, round int) []byte) error {
		if rel == "" {
			fmt.Fprintf(out, "bench: no file for the %s run; skipped\n", runName)
			return nil
		}
		p := filepath.Join(corpus, filepath.FromSlash(rel))
		orig, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("--%s: %w", runName, err)
		}
		runs = append(runs, &benchRun{name: runName, what: what + " " + rel, exe: checker, args: cached,
			prepare: func(round int) error { return os.WriteFile(p, edit(orig, round), 0o644) }})
		return nil
	}
	if err := editRun("edit-body", f.editBody, "comment appended to", appendComment); err != nil {
		return err
	}
	if err := editRun("edit-facts", f.editFacts, "line inserted at the top of", prependComment); err != nil {
		return err
	}
	if err := editRun("edit-test", f.editTest, "test function appended to", appendTest); err != nil {
		return err
	}

	// The first cached run fills the cache; it is not measured. It runs
	// once the copy is older than statcache.Racy, as a user's files are:
	// the stat index records no hash of a file changed more recently, and
	// the warm run would read and hash every file the priming run met
	// within that window (how many depended on the machine's load).
	time.Sleep(statcache.Racy)
	if _, err := measure(checker, corpus, cached...); err != nil {
		return err
	}
	for round := 0; round < f.rounds; round++ {
		for _, r := range runs {
			if r.prepare != nil {
				if err := r.prepare(round); err != nil {
					return err
				}
			}
			s, err := measure(r.exe, corpus, r.args...)
			if err != nil {
				return err
			}
			r.samples = append(r.samples, s)
		}
	}
	if f.rubric != "" {
		name += " (" + f.rubric + ")"
	}
	printBench(out, name, c, jobsOrCPU(f.jobs), f.rounds, runs)
	return nil
}

func printBench(out io.Writer, name string, c *corpusCopy, jobs, rounds int, runs []*benchRun) {
	fmt.Fprintf(out, "\n%s: %d files, %d lines, %.1f MB; -j %d; medians of %d alternating rounds\n",
		name, c.files, c.lines, float64(c.bytes)/(1<<20), jobs, rounds)
	fmt.Fprintf(out, "  %-11s %8s %8s %9s %10s %10s   %s\n", "run", "wall s", "CPU s", "peak MB", "CPU/floor", "wall/cold", "")
	var floor, cold sample
	for _, r := range runs {
		m := r.median()
		switch r.name {
		case "floor":
			floor = m
		case "cold":
			cold = m
		}
		ratio := func(a, b time.Duration) string {
			if b == 0 {
				return "-"
			}
			return fmt.Sprintf("%.2f", a.Seconds()/b.Seconds())
		}
		fmt.Fprintf(out, "  %-11s %8.3f %8.3f %9.1f %10s %10s   %s\n", r.name, m.wall.Seconds(), m.cpu.Seconds(),
			float64(m.rssKB)/1024, ratio(m.cpu, floor.cpu), ratio(m.wall, cold.wall), r.what)
	}
}

// appendComment is an edit at the end of a file: nothing before it moves.
func appendComment(orig []byte, round int) []byte {
	out := append([]byte{}, orig...)
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	return append(out, fmt.Sprintf("# rubric bench edit %d\n", round)...)
}

// prependComment is an edit at the top of a file: every position in it
// moves, and so do the facts extracted from it.
func prependComment(orig []byte, round int) []byte {
	return append([]byte(fmt.Sprintf("# rubric bench edit %d\n", round)), orig...)
}

// appendTest appends a test function to a test module: code, not a
// comment, that leaves the module's facts as they were.
func appendTest(orig []byte, round int) []byte {
	out := append([]byte{}, orig...)
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	return append(out, fmt.Sprintf("\n\ndef test_rubric_bench_edit_%d():\n    assert %d == %d\n", round, round, round)...)
}

func isTestOrMigration(rel string) bool {
	for _, part := range strings.Split(rel, "/") {
		if part == "tests" || part == "test" || part == "migrations" || strings.HasPrefix(part, "test_") {
			return true
		}
	}
	return false
}

// corpusCopy describes the copy of a corpus that the bench edits.
type corpusCopy struct {
	files, lines int
	bytes        int64
	sizes        map[string]int64 // by path relative to the copy's root
}

// largest returns the biggest file accepted by keep, or "" (ties broken
// by path, so the choice is stable).
func (c *corpusCopy) largest(keep func(rel string) bool) string {
	best, size := "", int64(-1)
	for rel, n := range c.sizes {
		if keep(rel) && (n > size || n == size && rel < best) {
			best, size = rel, n
		}
	}
	return best
}

// copyCorpus copies the Python files rubric would analyse under root, and
// the configuration files at its top, to dst: the bench edits files, and
// never the user's.
func copyCorpus(root, dst string) (*corpusCopy, error) {
	c := &corpusCopy{sizes: map[string]int64{}}
	inputs := analyzer.Discover([]string{root}, root, nil)
	for _, in := range inputs {
		if in.Err != nil {
			continue
		}
		rel, err := filepath.Rel(root, in.Path)
		if err != nil || strings.HasPrefix(rel, "..") {
			continue
		}
		src, err := os.ReadFile(in.Path)
		if err != nil {
			continue
		}
		if err := writeFile(filepath.Join(dst, rel), src); err != nil {
			return nil, err
		}
		c.files++
		c.bytes += int64(len(src))
		c.lines += bytes.Count(src, []byte("\n"))
		c.sizes[filepath.ToSlash(rel)] = int64(len(src))
	}
	for _, name := range []string{"rubric.toml", "pyproject.toml"} {
		if src, err := os.ReadFile(filepath.Join(root, name)); err == nil {
			if err := writeFile(filepath.Join(dst, name), src); err != nil {
				return nil, err
			}
		}
	}
	if c.files == 0 {
		return nil, fmt.Errorf("bench: no Python file under %s", root)
	}
	return c, nil
}

func writeFile(p string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, data, 0o644)
}

func jobsOrCPU(j int) int {
	if j > 0 {
		return j
	}
	return runtimeCPU()
}
