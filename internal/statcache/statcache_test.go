package statcache

import (
	"bytes"
	"crypto/sha256"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func write(t *testing.T, p, content string) os.FileInfo {
	t.Helper()
	require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	fi, err := os.Stat(p)
	require.NoError(t, err)
	return fi
}

// later pretends the run happens well after the files were written.
func later(c *Cache) *Cache {
	c.now = func() time.Time { return time.Now().Add(time.Minute) }
	return c
}

func TestUnchangedFilesAreKnownWithoutReading(t *testing.T) {
	dir, tree := t.TempDir(), t.TempDir()
	a, b := filepath.Join(tree, "a.py"), filepath.Join(tree, "b.py")
	fa, fb := write(t, a, "x = 1\n"), write(t, b, "y = 2\n")
	c := later(Open(dir, "scope"))
	_, ok := c.Sum(a, fa)
	assert.False(t, ok, "nothing recorded yet")
	c.Record(a, fa, sha256.Sum256([]byte("x = 1\n")))
	c.Record(b, fb, sha256.Sum256([]byte("y = 2\n")))
	c.Save()

	c = later(Open(dir, "scope"))
	sum, ok := c.Sum(a, fa)
	require.True(t, ok)
	assert.Equal(t, sha256.Sum256([]byte("x = 1\n")), sum)
	_, ok = Open(dir, "other scope").Sum(a, fa)
	assert.False(t, ok, "scopes do not share entries")

	// Same size, content changed: the change time moves.
	time.Sleep(10 * time.Millisecond)
	fa2 := write(t, a, "x = 2\n")
	_, ok = c.Sum(a, fa2)
	assert.False(t, ok)
	// Only what this run met is kept: b was not asked about.
	c.Save()
	c = later(Open(dir, "scope"))
	_, ok = c.Sum(b, fb)
	assert.False(t, ok)
}

func TestRecentChangesAreNotRecorded(t *testing.T) {
	dir, tree := t.TempDir(), t.TempDir()
	a := filepath.Join(tree, "a.py")
	fa := write(t, a, "x = 1\n")
	c := Open(dir, "scope") // now: the file changed less than Racy ago
	c.Record(a, fa, sha256.Sum256([]byte("x = 1\n")))
	c.Save()
	_, ok := later(Open(dir, "scope")).Sum(a, fa)
	assert.False(t, ok)
}

func TestCorruptIndexIsEmpty(t *testing.T) {
	dir, tree := t.TempDir(), t.TempDir()
	a := filepath.Join(tree, "a.py")
	fa := write(t, a, "x = 1\n")
	c := later(Open(dir, "scope"))
	c.Record(a, fa, sha256.Sum256([]byte("x = 1\n")))
	c.Save()
	require.NoError(t, os.WriteFile(c.path, []byte("not gob"), 0o644))
	_, ok := later(Open(dir, "scope")).Sum(a, fa)
	assert.False(t, ok)
	var nilCache *Cache
	_, ok = nilCache.Sum(a, fa)
	assert.False(t, ok)
}

// The stored index keeps every field of every entry, and any damaged or
// torn byte empties it rather than handing out another file's hash.
func TestStoredIndexRoundTripsAndRejectsDamage(t *testing.T) {
	entries := map[string]entry{
		"a.py":                              {Key: Key{Size: 6, Mtime: -1, Ctime: 1 << 62, Ino: 1<<64 - 1, Dev: 7, Mode: 0o100644}, Sum: sha256.Sum256([]byte("a"))},
		"pkg/b.py":                          {Key: Key{Size: 0}, Sum: sha256.Sum256([]byte("b")), Unsure: true},
		"pkg/ü/c.py":                        {Key: Key{Size: 1}, Sum: sha256.Sum256([]byte("c"))},
		"":                                  {},
		"d\x00e/f.py":                       {Key: Key{Mode: 1}},
		"long/" + string(make([]byte, 300)): {Key: Key{Size: 300}},
	}
	data := encode(entries)
	back, err := decode(data)
	require.NoError(t, err)
	assert.Equal(t, entries, back)
	assert.Equal(t, data, encode(back), "one encoding of one index")
	for i := range data {
		bad := bytes.Clone(data)
		bad[i] ^= 0x10
		_, err := decode(bad)
		assert.Error(t, err, "byte %d flipped", i)
	}
	for n := range len(data) {
		_, err := decode(data[:n])
		assert.Error(t, err, "cut at %d", n)
	}
	empty, err := decode(encode(map[string]entry{}))
	require.NoError(t, err)
	assert.Empty(t, empty)
}

func FuzzDecode(f *testing.F) {
	f.Add(encode(map[string]entry{"a.py": {Key: Key{Size: 1}}}))
	f.Add([]byte(schema))
	f.Fuzz(func(t *testing.T, data []byte) {
		if m, err := decode(data); err == nil {
			again, err := decode(encode(m))
			require.NoError(t, err)
			assert.Equal(t, m, again)
		}
	})
}

// The gob-encoded index an older rubric kept for the scope goes once this
// one writes its own; another scope's stays.
func TestSaveRemovesTheScopesGobIndex(t *testing.T) {
	dir, tree := t.TempDir(), t.TempDir()
	a := filepath.Join(tree, "a.py")
	fa := write(t, a, "x = 1\n")
	c := later(Open(dir, "scope"))
	other := later(Open(dir, "other")).stale
	require.NoError(t, os.MkdirAll(filepath.Dir(c.stale), 0o755))
	require.NoError(t, os.WriteFile(c.stale, []byte("gob"), 0o644))
	require.NoError(t, os.WriteFile(other, []byte("gob"), 0o644))
	c.Record(a, fa, sha256.Sum256([]byte("x = 1\n")))
	c.Save()
	assert.NoFileExists(t, c.stale)
	assert.FileExists(t, other)
	assert.FileExists(t, c.path)
}
