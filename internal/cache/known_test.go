package cache

import (
	"os"
	"path/filepath"
	"sync"
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

// ReadAllKept takes the bytes of a file the stat index knows from what the
// reuse cache kept under its hash, without opening the file (here it is
// gone since the stat), and reads the others as ReadAll does.
func TestReadAllKeptTakesKnownBytesFromTheKeeper(t *testing.T) {
	dir, cacheDir, in := recordedTree(t)
	stats := statcache.Open(cacheDir, "scope")
	snap, err := TakeKnown(in, "v", "c", 0, 2, stats)
	require.NoError(t, err)
	require.Len(t, snap.unread, 2)
	aSum := snap.unread["a.py"].sum
	require.NoError(t, os.Remove(filepath.Join(dir, "a.py")))
	var asked [][32]byte
	var mu sync.Mutex
	kept := func(sum [32]byte) ([]byte, bool) { // called side by side
		mu.Lock()
		defer mu.Unlock()
		asked = append(asked, sum)
		if sum == aSum {
			return []byte("x = 1\n"), true
		}
		return nil, false
	}
	require.True(t, snap.ReadAllKept(0, kept), "a.py is kept, b.py is read")
	assert.Len(t, asked, 2, "both asked for")
	assert.Equal(t, "x = 1\n", string(snap.Raw["a.py"]))
	assert.Equal(t, "y = 2\n", string(snap.Raw["b.py"]))
	assert.Equal(t, aSum, snap.Sums()["a.py"])
	assert.Empty(t, snap.unread)

	// Without the keeper, the vanished file makes the snapshot stale.
	stats = statcache.Open(cacheDir, "scope")
	snap, err = TakeKnown(in[1:], "v", "c", 0, 2, stats)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "b.py"), []byte("y = 3\n"), 0o644))
	assert.False(t, snap.ReadAllKept(0, func([32]byte) ([]byte, bool) { return nil, false }), "b.py changed and is not kept")
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
