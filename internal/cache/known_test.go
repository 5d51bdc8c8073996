package cache

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/internal/statcache"
)

// Files whose hash the stat index knew are read and checked against it: a
// file written after the snapshot's stat (same size, new content) makes
// ReadAll report a stale snapshot.
func TestReadAllSeesAChangeAfterTheStat(t *testing.T) {
	old := statcache.Racy
	statcache.Racy = 0
	defer func() { statcache.Racy = old }()
	dir, cacheDir := t.TempDir(), t.TempDir()
	in := inputs(t, dir, map[string]string{"a.py": "x = 1\n", "b.py": "y = 2\n"})
	stats := statcache.Open(cacheDir, "scope")
	_, err := TakeKnown(in, "v", "c", 0, 2, stats) // reads and records both
	require.NoError(t, err)
	stats.Save()

	stats = statcache.Open(cacheDir, "scope")
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
