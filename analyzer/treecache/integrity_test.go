package treecache

import (
	"bytes"
	"crypto/sha256"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

var small = []byte("def f(x):\n    return x.y\n")

func encoded(t testing.TB, src []byte) []byte {
	tr, err := pyast.Parse(src)
	require.NoError(t, err)
	data, err := encodeEntry(sha256.Sum256(src), tr)
	require.NoError(t, err)
	return data
}

// Every single bit flipped in an entry, every truncation, and an entry
// stored under another source's name are misses, never another tree.
func TestCorruptTreeEntriesAreMisses(t *testing.T) {
	good := encoded(t, small)
	sum := sha256.Sum256(small)
	_, err := decodeEntry(sum, good, small)
	require.NoError(t, err)
	for i := range good {
		for bit := 0; bit < 8; bit++ {
			bad := bytes.Clone(good)
			bad[i] ^= 1 << bit
			_, err := decodeEntry(sum, bad, small)
			require.Error(t, err, "bit %d of byte %d", bit, i)
		}
	}
	for n := 0; n < len(good); n++ {
		_, err := decodeEntry(sum, good[:n], small)
		require.Error(t, err, "cut at %d", n)
	}
	// Same length, other text: a valid entry of one file is no entry of
	// another.
	other := []byte("def g(y):\n    return y.z\n")
	_, err = decodeEntry(sha256.Sum256(other), good, other)
	assert.Error(t, err)

	c := Open(t.TempDir())
	p := c.path(sha256.Sum256(other))
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(t, os.WriteFile(p, good, 0o644))
	assert.Nil(t, c.Get(other), "an entry moved under another source's name")
}

// Only regular files within the cap are read: a link to a valid entry, a
// FIFO or a huge file is a miss, and Get does not hang.
func TestTreeEntriesAreRegularFiles(t *testing.T) {
	c := Open(t.TempDir())
	p := c.path(sha256.Sum256(small))
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	target := filepath.Join(t.TempDir(), "entry")
	require.NoError(t, os.WriteFile(target, encoded(t, small), 0o644))
	require.NoError(t, os.Symlink(target, p))
	assert.Nil(t, c.Get(small))
	require.NoError(t, os.Remove(p))
	require.NoError(t, syscall.Mkfifo(p, 0o644))
	assert.Nil(t, c.Get(small))
	require.NoError(t, os.Remove(p))
	// Over the cap (sparse: refused by its size, never read).
	require.NoError(t, os.WriteFile(p, encoded(t, small), 0o644))
	require.NoError(t, os.Truncate(p, maxEntry(len(small))+1))
	assert.Nil(t, c.Get(small))
}

// FuzzTreeEntry: decoding rejects anything but the entry written for the
// source; what it accepts re-encodes to the same bytes.
func FuzzTreeEntry(f *testing.F) {
	f.Add(encoded(f, small))
	f.Add(magic)
	sum := sha256.Sum256(small)
	f.Fuzz(func(t *testing.T, data []byte) {
		tr, err := decodeEntry(sum, data, small)
		if err != nil {
			return
		}
		again, err := encodeEntry(sum, tr)
		if err != nil || !bytes.Equal(again, data) {
			t.Fatalf("accepted %x, which re-encodes to %x (%v)", data, again, err)
		}
	})
}
