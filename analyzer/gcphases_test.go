package analyzer_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer"
)

func gcTarget() int {
	old := debug.SetGCPercent(100)
	debug.SetGCPercent(old)
	return old
}

// gcProbe is a rule that appends the collector's target, as it runs on
// each file, to seen.
func gcProbe(seen *[]int) *analyzer.Rule {
	var mu sync.Mutex
	return &analyzer.Rule{Code: "TST901", Name: "gc-probe", Category: analyzer.ErrorHandling, Severity: analyzer.Info,
		Confidence: analyzer.High, Since: "0.0.0", Run: func(*analyzer.Pass) error {
			mu.Lock()
			defer mu.Unlock()
			*seen = append(*seen, gcTarget())
			return nil
		}}
}

// Config.GC sets the collector's target for phase two (the rules run under
// it) and the caller's target is back when the run ends.
func TestRunSetsTheCollectorPerPhase(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.py"), []byte("x = 1\n"), 0o644))
	var seen []int
	probe := gcProbe(&seen)
	before := gcTarget()
	_, err := analyzer.Run(context.Background(), analyzer.Config{Rules: []*analyzer.Rule{probe}, WorkDir: dir,
		GC: &analyzer.GCPhases{Load: 173, CheckMin: 37, CheckMax: 37}}, []string{dir})
	require.NoError(t, err)
	assert.Equal(t, []int{37}, seen, "rules run at the Check target")
	assert.Equal(t, before, gcTarget(), "the caller's target is restored")
}

// The target after phase one follows the heap's scannable share: the
// floor for a heap of parsed trees, the ceiling once half of it holds
// pointers, in proportion between.
func TestCollectorTargetFollowsTheScannableShare(t *testing.T) {
	g := analyzer.DefaultGCPhases
	assert.Equal(t, g.CheckMin, analyzer.GCTargetFor(g, 15, 100), "a cold run's heap")
	assert.Equal(t, g.CheckMax, analyzer.GCTargetFor(g, 55, 100), "an edit run's heap")
	assert.Equal(t, 40, analyzer.GCTargetFor(g, 40, 100))
	assert.Equal(t, g.CheckMax, analyzer.GCTargetFor(g, 0, 0), "nothing measured")
	assert.Equal(t, g.CheckMax, analyzer.GCTargetFor(g, 200, 100), "never above the ceiling")
}

// An edit run (nearly every file's phase one reused) whose lookups leave
// rules to run on a few files keeps the edit target to the end; a run
// that parses many files sets the Check target after phase one.
func TestEditRunKeepsItsTargetForAFewFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(i int, body string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, fmt.Sprintf("m%02d.py", i)), []byte(body), 0o644))
	}
	const files = 40
	for i := range files {
		write(i, "x = 1\n")
	}
	var seen []int
	probe := gcProbe(&seen)
	reuse := analyzer.NewMemoryReuse(nil)
	run := func() []int {
		seen = nil
		_, err := analyzer.Run(context.Background(), analyzer.Config{Rules: []*analyzer.Rule{probe}, WorkDir: dir, Jobs: 2,
			Reuse: reuse, ReuseKey: "test", GC: &analyzer.GCPhases{Lookup: 300, Load: 173, EditLoad: 211, CheckMin: 37, CheckMax: 37}}, []string{dir})
		require.NoError(t, err)
		return seen
	}
	first := run()
	assert.Len(t, first, files)
	for _, g := range first {
		assert.Equal(t, 37, g, "a first run's rules run at the Check target")
	}
	write(3, "x = 1\ny = 2\n")
	assert.Equal(t, []int{211}, run(), "one file edited: its rules run at the edit target")
	for i := range files {
		write(i, fmt.Sprintf("x = %d\n", i+2))
	}
	all := run()
	assert.Len(t, all, files)
	for _, g := range all {
		assert.Equal(t, 37, g, "every file changed: the Check target")
	}
}
