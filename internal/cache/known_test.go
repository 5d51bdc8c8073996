package cache

import (
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/internal/statcache"
)

// recordedTree writes a.py and b.py and records both in a stat index (the
// racy window off, for the test's duration): the next TakeKnown knows them
// from their stat.
func recordedTree(t *testing.T) (dir, cacheDir string, in []analyzer.Input) {
	old := statcache.Racy
	statcache.Racy = 0
	t.Cleanup(func() { statcache.Racy = old })
	dir, cacheDir = t.TempDir(), t.TempDir()
	in = inputs(t, dir, map[string]string{"a.py": "x = 1\n", "b.py": "y = 2\n"})
	stats := statcache.Open(cacheDir, "scope")
	_, err := TakeKnown(in, "v", "c", 0, 2, stats) // reads and records both
	require.NoError(t, err)
	stats.Save()
	return dir, cacheDir, in
}

// Files whose hash the stat index knew are read and checked against it: a
// file written after the snapshot's stat (same size, new content) makes
// ReadAll report a stale snapshot.
func TestReadAllSeesAChangeAfterTheStat(t *testing.T) {
	dir, cacheDir, in := recordedTree(t)
	stats := statcache.Open(cacheDir, "scope")
	snap, err := TakeKnown(in, "v", "c", 0, 2, stats)
	require.NoError(t, err)
	require.Len(t, snap.unread, 2, "both known from their stat")
	require.True(t, snap.ReadAll(0), "nothing changed")
	assert.Equal(t, "x = 1\n", string(snap.Raw["a.py"]))

	stats = statcache.Open(cacheDir, "scope")
	snap, err = TakeKnown(in, "v", "c", 0, 2, stats)
	require.NoError(t, err)
	require.Len(t, snap.unread, 2)
	time.Sleep(10 * time.Millisecond)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.py"), []byte("x = 3\n"), 0o644))
	assert.False(t, snap.ReadAll(0), "a.py changed after its stat was taken")
}

// KeepAll hands over the bytes of a file the stat index knows whose hash
// the reuse cache holds, without reading them or opening the file (here it
// is gone since the stat) until the run asks, and reads the others as
// ReadAll does.
func TestKeepAllHandsOverHeldBytesOnDemand(t *testing.T) {
	dir, cacheDir, in := recordedTree(t)
	stats := statcache.Open(cacheDir, "scope")
	snap, err := TakeKnown(in, "v", "c", 0, 2, stats)
	require.NoError(t, err)
	require.Len(t, snap.unread, 2)
	aSum := snap.unread["a.py"].sum
	require.NoError(t, os.Remove(filepath.Join(dir, "a.py")))
	var got atomic.Int32
	holds := func(sum [32]byte) bool { return sum == aSum }
	get := func(sum [32]byte) ([]byte, bool) {
		got.Add(1)
		if sum == aSum {
			return []byte("x = 1\n"), true
		}
		return nil, false
	}
	kept, ok := snap.KeepAll(0, holds, get)
	require.True(t, ok, "a.py is held, b.py is read")
	assert.Zero(t, got.Load(), "nothing taken from the cache before the run asks")
	require.Contains(t, kept, "a.py")
	assert.NotContains(t, snap.Raw, "a.py")
	assert.Equal(t, 6, kept["a.py"].Size)
	assert.Equal(t, "x = 1\n", string(kept["a.py"].Load()))
	assert.Equal(t, int32(1), got.Load())
	assert.Equal(t, "y = 2\n", string(snap.Raw["b.py"]))
	assert.Equal(t, aSum, snap.Sums()["a.py"])
	assert.Empty(t, snap.unread)

	// A damaged entry (get misses) falls back to the file.
	stats = statcache.Open(cacheDir, "scope")
	snap, err = TakeKnown(in[1:], "v", "c", 0, 2, stats)
	require.NoError(t, err)
	bSum := snap.unread["b.py"].sum
	kept, ok = snap.KeepAll(0, func(s [32]byte) bool { return s == bSum }, func([32]byte) ([]byte, bool) { return nil, false })
	require.True(t, ok)
	assert.Equal(t, "y = 2\n", string(kept["b.py"].Load()))

	// Without the cache, the changed file makes the snapshot stale.
	stats = statcache.Open(cacheDir, "scope")
	snap, err = TakeKnown(in[1:], "v", "c", 0, 2, stats)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "b.py"), []byte("y = 3\n"), 0o644))
	_, ok = snap.KeepAll(0, func([32]byte) bool { return false }, func([32]byte) ([]byte, bool) { return nil, false })
	assert.False(t, ok, "b.py changed and is not held")
}

// TakeKnownNotify calls changed for a file whose content the last run did
// not see, and not for one read again only because its stat moved or was
// recorded too soon after an edit to be trusted (the run right after an
// edit, whose result the edit run stored).
func TestTakeKnownNotifiesOnlyNewContent(t *testing.T) {
	dir, cacheDir, in := recordedTree(t)
	take := func() int {
		t.Helper()
		stats := statcache.Open(cacheDir, "scope")
		var mu sync.Mutex
		calls := 0
		_, err := TakeKnownNotify(in, "v", "c", 0, 2, stats, func(analyzer.Input, []byte) { mu.Lock(); calls++; mu.Unlock() })
		require.NoError(t, err)
		stats.Save()
		return calls
	}
	assert.Equal(t, 0, take(), "nothing changed")

	statcache.Racy = time.Hour // every read is now too soon to trust
	time.Sleep(10 * time.Millisecond)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.py"), []byte("x = 3\n"), 0o644))
	assert.Equal(t, 1, take(), "a.py has new content")
	assert.Equal(t, 0, take(), "a.py read again, as the last run saw it")
	now := time.Now()
	require.NoError(t, os.Chtimes(filepath.Join(dir, "b.py"), now, now))
	assert.Equal(t, 0, take(), "b.py's stat moved, its content did not")
}

// TakeListed, which states each file as the listing meets it, takes the
// snapshot TakeKnownNotify takes of the listing, whatever order the
// listing meets the files in and if it meets some not at all; it reports a
// changed file as TakeKnownNotify does.
func TestTakeListedTakesWhatTakeKnownTakes(t *testing.T) {
	dir, cacheDir, _ := recordedTree(t)
	all := inputs(t, dir, map[string]string{"c.py": "z = 3\n", "d.py": "w = 4\n"}) // and a.py, b.py
	require.Len(t, all, 4)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.py"), []byte("x = 10\n"), 0o644))
	var mu sync.Mutex
	var changed []string
	note := func(in analyzer.Input, raw []byte) {
		mu.Lock()
		defer mu.Unlock()
		changed = append(changed, in.Rel)
	}

	want, err := TakeKnownNotify(all, "v", "c", 0, 2, statcache.Open(cacheDir, "scope"), note)
	require.NoError(t, err)
	wantChanged := append([]string(nil), changed...)
	changed = nil
	got, listed, err := TakeListed(func(found func(analyzer.Input)) []analyzer.Input {
		for i := len(all) - 1; i >= 1; i-- { // backwards, and never the first
			found(all[i])
		}
		return all
	}, "v", "c", 0, 2, statcache.Open(cacheDir, "scope"), note)
	require.NoError(t, err)
	assert.Equal(t, all, listed)
	assert.Equal(t, want.Key, got.Key)
	assert.Equal(t, want.Inputs, got.Inputs)
	assert.Equal(t, want.Raw, got.Raw)
	assert.Equal(t, want.unread, got.unread)
	assert.ElementsMatch(t, wantChanged, changed)
	assert.Contains(t, changed, "a.py")
}
