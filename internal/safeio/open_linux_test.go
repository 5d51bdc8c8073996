//go:build linux

package safeio

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// One openat2 decides what the component walk would: a file under the
// root is opened, a link on the way (the file or a directory) is refused,
// a way out of the root is left to the walk.
func TestOpenBeneath(t *testing.T) {
	root := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "a", "b"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "a", "b", "m.py"), []byte("x = 1\n"), 0o644))
	require.NoError(t, os.Symlink(filepath.Join(root, "a"), filepath.Join(root, "linkdir")))
	require.NoError(t, os.Symlink(filepath.Join(root, "a", "b", "m.py"), filepath.Join(root, "a", "link.py")))

	f, decided, err := openBeneath(root, "a/b/m.py")
	if !decided {
		t.Skip("this kernel has no openat2")
	}
	require.NoError(t, err)
	got, err := io.ReadAll(f)
	f.Close()
	require.NoError(t, err)
	assert.Equal(t, "x = 1\n", string(got))

	for _, rel := range []string{"linkdir/b/m.py", "a/link.py"} {
		_, decided, err = openBeneath(root, rel)
		assert.True(t, decided, rel)
		assert.ErrorIs(t, err, unix.ELOOP, rel)
		_, err = ReadFileIn(root, rel, 0)
		assert.ErrorIs(t, err, ErrLink, rel)
	}
	_, decided, err = openBeneath(root, "a/missing.py")
	assert.True(t, decided)
	assert.ErrorIs(t, err, os.ErrNotExist)
	_, decided, _ = openBeneath(filepath.Join(root, "a"), "../a/b/m.py")
	assert.False(t, decided, "a way out of the root is the walk's to refuse")
}
