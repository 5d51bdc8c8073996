package reusecache

import (
	"crypto/sha256"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func key(s string) [32]byte { return sha256.Sum256([]byte(s)) }

func TestPackKeepsWhatTheRunUsed(t *testing.T) {
	dir := t.TempDir()
	p := Open(dir, "scope")
	_, ok := p.Get(key("a"))
	assert.False(t, ok)
	p.Put(key("a"), []byte("alpha"))
	p.Put(key("b"), []byte("beta"))
	p.Put(key("empty"), nil)
	p.Save()

	p = Open(dir, "scope")
	v, ok := p.Get(key("a"))
	require.True(t, ok)
	assert.Equal(t, "alpha", string(v))
	v, ok = p.Get(key("empty"))
	assert.True(t, ok)
	assert.Empty(t, v)
	_, ok = Open(dir, "other scope").Get(key("a"))
	assert.False(t, ok, "scopes do not share packs")
	p.Put(key("c"), []byte("gamma"))
	p.Save() // b was not used by this run: dropped

	p = Open(dir, "scope")
	_, ok = p.Get(key("b"))
	assert.False(t, ok)
	for _, k := range []string{"a", "c"} {
		_, ok = p.Get(key(k))
		assert.True(t, ok, k)
	}
}

func TestCorruptPackIsEmpty(t *testing.T) {
	dir := t.TempDir()
	p := Open(dir, "scope")
	p.Put(key("a"), []byte("alpha"))
	p.Save()
	data, err := os.ReadFile(p.path)
	require.NoError(t, err)
	for _, bad := range [][]byte{data[:len(data)-1], append(append([]byte{}, data[:len(magic)+40]...), 'x'), []byte("garbage")} {
		require.NoError(t, os.WriteFile(p.path, bad, 0o644))
		_, ok := Open(dir, "scope").Get(key("a"))
		assert.False(t, ok)
	}
	flipped := append([]byte{}, data...)
	flipped[len(magic)+33] ^= 1
	require.NoError(t, os.WriteFile(p.path, flipped, 0o644))
	_, ok := Open(dir, "scope").Get(key("a"))
	assert.False(t, ok, "a flipped bit fails the digest")
	// Not a regular file: ignored.
	require.NoError(t, os.Remove(p.path))
	require.NoError(t, os.Mkdir(p.path, 0o755))
	_, ok = Open(dir, "scope").Get(key("a"))
	assert.False(t, ok)
	assert.NoError(t, os.Remove(p.path))
	matches, _ := filepath.Glob(filepath.Join(dir, "reuse", "*"))
	assert.Empty(t, matches)
}

func FuzzDecode(f *testing.F) {
	f.Add(encode(map[[32]byte][]byte{key("a"): []byte("alpha")}))
	f.Fuzz(func(t *testing.T, data []byte) {
		if m, err := decode(data); err == nil {
			assert.Equal(t, data, encode(m))
		}
	})
}
