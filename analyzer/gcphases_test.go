package analyzer_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
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

// Config.GC sets the collector's target for phase two (the rules run under
// it) and the caller's target is back when the run ends.
func TestRunSetsTheCollectorPerPhase(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.py"), []byte("x = 1\n"), 0o644))
	var mu sync.Mutex
	var seen []int
	probe := &analyzer.Rule{Code: "TST901", Name: "gc-probe", Category: analyzer.ErrorHandling, Severity: analyzer.Info,
		Confidence: analyzer.High, Since: "0.0.0", Run: func(*analyzer.Pass) error {
			mu.Lock()
			defer mu.Unlock()
			seen = append(seen, gcTarget())
			return nil
		}}
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

// After phase one the heap goal is at least Floor: the target rises while
// the live heap is small, and is the phase's once the live heap passes it.
func TestCollectorTargetKeepsTheHeapFloor(t *testing.T) {
	const mb = 1 << 20
	assert.Equal(t, 113, analyzer.GCFloorTarget(50, 30*mb, 64*mb), "30 MB live: the next collection at 64 MB")
	assert.Equal(t, 50, analyzer.GCFloorTarget(50, 60*mb, 64*mb), "the phase's target already passes the floor")
	assert.Equal(t, 50, analyzer.GCFloorTarget(50, 200*mb, 64*mb), "a heap past the floor")
	assert.Equal(t, 50, analyzer.GCFloorTarget(50, 0, 64*mb), "nothing measured")
}

// With the floor kept, a small live heap making garbage is collected a
// few times, not once per half of its size; the phase's end puts the
// target before it back.
func TestHeapFloorSparesCollections(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates")
	}
	before := gcTarget()
	defer debug.SetGCPercent(before)
	live := make([][]byte, 64) // 4 MB live
	for i := range live {
		live[i] = make([]byte, 64<<10)
	}
	churn := func() uint32 {
		var st runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&st)
		n := st.NumGC
		for range 1024 { // 64 MB of garbage
			sink = make([]byte, 64<<10)
		}
		runtime.ReadMemStats(&st)
		return st.NumGC - n
	}
	debug.SetGCPercent(50)
	without := churn()
	stop := analyzer.GCPhases{Floor: 48 << 20}.Phase(50)
	with := churn()
	stop()
	assert.Equal(t, 50, gcTarget(), "the target before the phase, after it")
	t.Logf("collections without the floor %d, with it %d", without, with)
	assert.Greater(t, without, 4*with, "collections without the floor (%d) and with it (%d)", without, with)
	runtime.KeepAlive(live)
}

var sink []byte
