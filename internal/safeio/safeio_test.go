package safeio_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/internal/safeio"
)

func write(t *testing.T, p, s string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(t, os.WriteFile(p, []byte(s), 0o644))
}

// Every hostile kind of path is refused quickly, with a sentinel error,
// and a plain file is read.
func TestReadRefusesWhatIsNotARegularFileInTheTree(t *testing.T) {
	dir := t.TempDir()
	outside := filepath.Join(t.TempDir(), "secret")
	write(t, outside, "secret\n")
	write(t, filepath.Join(dir, "ok.py"), "x = 1\n")
	write(t, filepath.Join(dir, "big.py"), strings.Repeat("x", 100))
	require.NoError(t, os.Symlink(outside, filepath.Join(dir, "link.py")))
	require.NoError(t, os.Symlink(filepath.Dir(outside), filepath.Join(dir, "linkdir")))
	require.NoError(t, syscall.Mkfifo(filepath.Join(dir, "fifo.py"), 0o644))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "sub.py"), 0o755))

	data, err := safeio.ReadFileIn(dir, "ok.py", 1<<20)
	require.NoError(t, err)
	assert.Equal(t, "x = 1\n", string(data))
	data, err = safeio.ReadFile(filepath.Join(dir, "ok.py"), 0)
	require.NoError(t, err)
	assert.Equal(t, "x = 1\n", string(data))

	for _, tc := range []struct {
		name string
		read func() ([]byte, error)
		want error
	}{
		{"link as the file", func() ([]byte, error) { return safeio.ReadFileIn(dir, "link.py", 0) }, safeio.ErrLink},
		{"link as the file, no root", func() ([]byte, error) { return safeio.ReadFile(filepath.Join(dir, "link.py"), 0) }, safeio.ErrLink},
		{"link as a directory", func() ([]byte, error) { return safeio.ReadFileIn(dir, "linkdir/secret", 0) }, safeio.ErrLink},
		{"FIFO", func() ([]byte, error) { return safeio.ReadFileIn(dir, "fifo.py", 0) }, safeio.ErrNotRegular},
		{"FIFO, no root", func() ([]byte, error) { return safeio.ReadFile(filepath.Join(dir, "fifo.py"), 0) }, safeio.ErrNotRegular},
		{"/dev/zero", func() ([]byte, error) { return safeio.ReadFile("/dev/zero", 0) }, safeio.ErrNotRegular},
		{"directory", func() ([]byte, error) { return safeio.ReadFileIn(dir, "sub.py", 0) }, safeio.ErrNotRegular},
		{"over the cap", func() ([]byte, error) { return safeio.ReadFileIn(dir, "big.py", 99) }, safeio.ErrTooLarge},
		{"dot-dot", func() ([]byte, error) { return safeio.ReadFileIn(filepath.Join(dir, "sub.py"), "../ok.py", 0) }, safeio.ErrOutside},
		{"missing", func() ([]byte, error) { return safeio.ReadFileIn(dir, "nope.py", 0) }, os.ErrNotExist},
	} {
		t.Run(tc.name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() {
				data, err := tc.read()
				assert.Nil(t, data)
				done <- err
			}()
			select {
			case err := <-done:
				require.Error(t, err)
				assert.True(t, errors.Is(err, tc.want), "%v is not %v", err, tc.want)
			case <-time.After(10 * time.Second):
				t.Fatal("the read hangs")
			}
		})
	}
	// The cap itself is allowed.
	data, err = safeio.ReadFileIn(dir, "big.py", 100)
	require.NoError(t, err)
	assert.Len(t, data, 100)
}

// A file the user names may be a link, never a FIFO or a device.
func TestReadUserFile(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "shared.toml"), "x = 1\n")
	require.NoError(t, os.Symlink(filepath.Join(dir, "shared.toml"), filepath.Join(dir, "rubric.toml")))
	data, err := safeio.ReadUserFile(filepath.Join(dir, "rubric.toml"), 100)
	require.NoError(t, err)
	assert.Equal(t, "x = 1\n", string(data))
	require.NoError(t, syscall.Mkfifo(filepath.Join(dir, "fifo.toml"), 0o644))
	_, err = safeio.ReadUserFile(filepath.Join(dir, "fifo.toml"), 100)
	assert.ErrorIs(t, err, safeio.ErrNotRegular)
	_, err = safeio.ReadUserFile("/dev/zero", 100)
	assert.ErrorIs(t, err, safeio.ErrNotRegular)
	_, err = safeio.ReadUserFile(filepath.Join(dir, "shared.toml"), 3)
	assert.ErrorIs(t, err, safeio.ErrTooLarge)
}

func TestReadPrefixCutsWithoutRefusing(t *testing.T) {
	p := filepath.Join(t.TempDir(), "README.md")
	write(t, p, "0123456789")
	data, err := safeio.ReadPrefix(p, 4)
	require.NoError(t, err)
	assert.Equal(t, "0123", string(data))
	_, err = safeio.ReadPrefix("/dev/zero", 4)
	assert.ErrorIs(t, err, safeio.ErrNotRegular)
	root := filepath.Dir(p)
	data, err = safeio.ReadPrefixIn(root, "README.md", 2)
	require.NoError(t, err)
	assert.Equal(t, "01", string(data))
	require.NoError(t, os.Symlink("/etc", filepath.Join(root, "git")))
	_, err = safeio.ReadPrefixIn(root, "git/passwd", 10)
	assert.ErrorIs(t, err, safeio.ErrLink)
}

func TestWriteFileIsAtomic(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "baseline.json")
	write(t, p, "old\n")
	require.NoError(t, os.Chmod(p, 0o600))

	// A failing writer leaves the old content and no temporary file.
	err := safeio.WriteFile(p, 0o644, func(w io.Writer) error {
		io.WriteString(w, "half")
		return errors.New("disk on fire")
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "disk on fire")
	got, _ := os.ReadFile(p)
	assert.Equal(t, "old\n", string(got))
	entries, _ := os.ReadDir(dir)
	assert.Len(t, entries, 1, "no temporary file left behind")

	// A successful one replaces it, keeping its permissions.
	require.NoError(t, safeio.WriteBytes(p, 0o644, []byte("new\n")))
	got, _ = os.ReadFile(p)
	assert.Equal(t, "new\n", string(got))
	st, _ := os.Stat(p)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())

	// A new file gets the given mode; a link is written through.
	target := filepath.Join(dir, "target.txt")
	require.NoError(t, safeio.WriteBytes(target, 0o644, []byte("a")))
	st, _ = os.Stat(target)
	assert.Equal(t, os.FileMode(0o644), st.Mode().Perm())
	link := filepath.Join(dir, "link.txt")
	require.NoError(t, os.Symlink(target, link))
	require.NoError(t, safeio.WriteBytes(link, 0o644, []byte("b")))
	got, _ = os.ReadFile(target)
	assert.Equal(t, "b", string(got))
	lst, _ := os.Lstat(link)
	assert.NotZero(t, lst.Mode()&os.ModeSymlink, "the link stays a link")
}

// /dev/null and the like are written into, never replaced by a file.
func TestWriteCheckedBytesReplacesAtomically(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "entry.gob")
	require.NoError(t, safeio.WriteCheckedBytes(p, 0o644, []byte("first")))
	require.NoError(t, os.Chmod(p, 0o600))
	require.NoError(t, safeio.WriteCheckedBytes(p, 0o644, []byte("second")))
	got, err := os.ReadFile(p)
	require.NoError(t, err)
	assert.Equal(t, "second", string(got))
	st, _ := os.Stat(p)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm(), "an existing entry keeps its mode")
	entries, _ := os.ReadDir(dir)
	assert.Len(t, entries, 1, "no temporary file left behind")
}

func TestWriteFileStreamsIntoDevices(t *testing.T) {
	require.NoError(t, safeio.CheckWritable("/dev/null"))
	require.NoError(t, safeio.WriteBytes("/dev/null", 0o644, []byte("x")))
	st, err := os.Stat("/dev/null")
	require.NoError(t, err)
	assert.NotZero(t, st.Mode()&os.ModeCharDevice)
}

func TestCheckWritable(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "file"), "x")
	assert.NoError(t, safeio.CheckWritable(filepath.Join(dir, "out.sarif")))
	assert.NoError(t, safeio.CheckWritable(filepath.Join(dir, "file")))
	assert.Error(t, safeio.CheckWritable(filepath.Join(dir, "missing", "out.sarif")))
	assert.Error(t, safeio.CheckWritable(filepath.Join(dir, "file", "out.sarif")))
	assert.Error(t, safeio.CheckWritable(dir))
	entries, _ := os.ReadDir(dir)
	assert.Len(t, entries, 1, "the probe is removed")
}
