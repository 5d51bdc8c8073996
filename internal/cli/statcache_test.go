package cli

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/internal/statcache"
)

// A warm run trusts the stat index for unchanged files and still sees an
// edit that keeps a file's size and modification time: its change time
// moved. Every run prints what an uncached run prints.
func TestStatIndexSeesSameSizeEdits(t *testing.T) {
	bare := "try:\n    pass\nexcept:\n    pass\n"
	clean := "x = 11111111111111111111111111\n"
	require.Equal(t, len(bare), len(clean))
	dir := tempProject(t, map[string]string{"app/a.py": bare, "app/b.py": clean, "app/c.py": "x = 1\n"})
	old := statcache.Racy
	statcache.Racy = 0
	t.Cleanup(func() { statcache.Racy = old })
	cacheDir := filepath.Join(t.TempDir(), "cache")
	check := func() string {
		t.Helper()
		_, uncached, _ := run(t, "check", "--no-cache", ".")
		_, cached, _ := run(t, "check", "--cache-dir", cacheDir, ".")
		assert.Equal(t, uncached, cached)
		return cached
	}
	first := check()
	assert.Contains(t, first, "app/a.py:3:1: ERR001")
	assert.NotContains(t, first, "app/b.py", "b.py has no finding, so a hit does not read it")
	indexes, _ := filepath.Glob(filepath.Join(cacheDir, "stat", "*.idx"))
	assert.Len(t, indexes, 1, "the stat index was written")
	assert.Equal(t, first, check(), "warm")

	// b.py, without findings, gets one; its size and modification time
	// stay: only its change time tells.
	b := filepath.Join(dir, "app/b.py")
	sb, err := os.Stat(b)
	require.NoError(t, err)
	time.Sleep(20 * time.Millisecond)
	require.NoError(t, os.WriteFile(b, []byte(bare), 0o644))
	require.NoError(t, os.Chtimes(b, sb.ModTime(), sb.ModTime()))
	edited := check()
	packs, _ := filepath.Glob(filepath.Join(cacheDir, "reuse", "*.pack"))
	assert.Len(t, packs, 1, "the miss reused the first run's per-file work")
	assert.Contains(t, edited, "app/a.py:3:1: ERR001")
	assert.Contains(t, edited, "app/b.py:3:1: ERR001")
}
