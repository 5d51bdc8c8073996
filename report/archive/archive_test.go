package archive

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/internal/safeio"
)

type zentry struct {
	name string
	body string
	mode os.FileMode
}

func writeZip(t *testing.T, entries ...zentry) string {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		if e.mode != 0 {
			h.SetMode(e.mode)
		}
		w, err := zw.CreateHeader(h)
		require.NoError(t, err)
		_, err = w.Write([]byte(e.body))
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	p := filepath.Join(t.TempDir(), "sub.zip")
	require.NoError(t, os.WriteFile(p, buf.Bytes(), 0o600))
	return p
}

func writeTgz(t *testing.T, hdrs []*tar.Header, bodies []string) string {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for i, h := range hdrs {
		h.Size = int64(len(bodies[i]))
		if h.Typeflag != tar.TypeReg {
			h.Size = 0
		}
		if h.Mode == 0 {
			h.Mode = 0o755
		}
		require.NoError(t, tw.WriteHeader(h))
		if h.Size > 0 {
			_, err := tw.Write([]byte(bodies[i]))
			require.NoError(t, err)
		}
	}
	require.NoError(t, tw.Close())
	require.NoError(t, gz.Close())
	p := filepath.Join(t.TempDir(), "sub.tar.gz")
	require.NoError(t, os.WriteFile(p, buf.Bytes(), 0o600))
	return p
}

func reasons(r *Result) map[string]string {
	m := map[string]string{}
	for _, s := range r.Skipped {
		m[s.Name] = s.Reason
	}
	return m
}

func TestZipSlipAndAbsolute(t *testing.T) {
	outer := t.TempDir()
	dest := filepath.Join(outer, "dest")
	require.NoError(t, os.Mkdir(dest, 0o700))
	p := writeZip(t,
		zentry{name: "app/views.py", body: "x = 1\n"},
		zentry{name: "../evil.py", body: "owned"},
		zentry{name: "app/../../evil2.py", body: "owned"},
		zentry{name: "/etc/evil3", body: "owned"},
		zentry{name: `..\evil4.py`, body: "owned"},
		zentry{name: "C:/evil5", body: "owned"},
	)
	res, err := Extract(context.Background(), p, dest, DefaultLimits)
	require.NoError(t, err)
	r := reasons(res)
	assert.Equal(t, "path escapes the archive root", r["../evil.py"])
	assert.Equal(t, "path escapes the archive root", r["app/../../evil2.py"])
	assert.Equal(t, "absolute path", r["/etc/evil3"])
	assert.Equal(t, "path escapes the archive root", r[`..\evil4.py`])
	assert.Equal(t, "absolute path", r["C:/evil5"])
	assert.Equal(t, 1, res.Files)
	assert.Equal(t, filepath.Join(dest, "app"), res.Root, "single top-level directory becomes the root")
	for _, n := range []string{"evil.py", "evil2.py", "evil4.py"} {
		_, err := os.Stat(filepath.Join(outer, n))
		assert.True(t, os.IsNotExist(err), n)
	}
	st, err := os.Stat(filepath.Join(dest, "app", "views.py"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
}

func TestZipBomb(t *testing.T) {
	dest := t.TempDir()
	bomb := strings.Repeat("\x00", 4<<20) // 4 MiB of zeros deflate to about 4 KiB
	p := writeZip(t, zentry{name: "bomb.bin", body: bomb}, zentry{name: "ok.py", body: "print(1)\n"})
	fi, err := os.Stat(p)
	require.NoError(t, err)
	require.Less(t, fi.Size(), int64(200<<10), "the crafted archive is small")
	res, err := Extract(context.Background(), p, dest, DefaultLimits)
	require.NoError(t, err)
	assert.Contains(t, reasons(res)["bomb.bin"], "compression ratio")
	_, err = os.Stat(filepath.Join(dest, "bomb.bin"))
	assert.True(t, os.IsNotExist(err), "partial file removed")
	assert.Equal(t, 1, res.Files)
}

func TestTotalSizeAndEntryCaps(t *testing.T) {
	dest := t.TempDir()
	var es []zentry
	for i := 0; i < 10; i++ {
		es = append(es, zentry{name: "f" + string(rune('a'+i)) + ".txt", body: strings.Repeat("x", 1000)})
	}
	p := writeZip(t, es...)
	// A cut archive is an error (the caller makes it an error row), with
	// what was unpacked.
	res, err := Extract(context.Background(), p, dest, Limits{MaxTotal: 3500, MaxEntries: 100, MaxRatio: 100})
	require.ErrorIs(t, err, ErrCut)
	assert.Equal(t, 3, res.Files)
	assert.Contains(t, res.Stopped, "total size")

	dest2 := t.TempDir()
	res, err = Extract(context.Background(), p, dest2, Limits{MaxTotal: 1 << 20, MaxEntries: 4, MaxRatio: 100})
	require.ErrorIs(t, err, ErrCut)
	assert.Equal(t, 4, res.Files)
	assert.Contains(t, res.Stopped, "more than 4 entries")
}

func TestSymlinksAndDevicesSkipped(t *testing.T) {
	dest := t.TempDir()
	zp := writeZip(t, zentry{name: "link", body: "/etc/passwd", mode: os.ModeSymlink | 0o777}, zentry{name: "a.py", body: "x=1\n"})
	res, err := Extract(context.Background(), zp, dest, DefaultLimits)
	require.NoError(t, err)
	assert.Equal(t, "symbolic link", reasons(res)["link"])
	_, err = os.Lstat(filepath.Join(dest, "link"))
	assert.True(t, os.IsNotExist(err))

	dest2 := t.TempDir()
	tp := writeTgz(t, []*tar.Header{
		{Name: "proj/", Typeflag: tar.TypeDir},
		{Name: "proj/app.py", Typeflag: tar.TypeReg},
		{Name: "proj/link", Typeflag: tar.TypeSymlink, Linkname: "/etc/passwd"},
		{Name: "proj/hard", Typeflag: tar.TypeLink, Linkname: "proj/app.py"},
		{Name: "proj/dev", Typeflag: tar.TypeChar, Devmajor: 1, Devminor: 3},
		{Name: "proj/fifo", Typeflag: tar.TypeFifo},
		{Name: "../escape.py", Typeflag: tar.TypeReg},
		{Name: "/abs.py", Typeflag: tar.TypeReg},
	}, []string{"", "x = 1\n", "", "", "", "", "owned", "owned"})
	res, err = Extract(context.Background(), tp, dest2, DefaultLimits)
	require.NoError(t, err)
	r := reasons(res)
	assert.Equal(t, "symbolic link", r["proj/link"])
	assert.Equal(t, "hard link", r["proj/hard"])
	assert.Equal(t, "device or FIFO", r["proj/dev"])
	assert.Equal(t, "device or FIFO", r["proj/fifo"])
	assert.Equal(t, "path escapes the archive root", r["../escape.py"])
	assert.Equal(t, "absolute path", r["/abs.py"])
	assert.Equal(t, 1, res.Files)
	assert.Equal(t, filepath.Join(dest2, "proj"), res.Root)
	st, err := os.Stat(filepath.Join(dest2, "proj", "app.py"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm(), "exec bits dropped")
}

func TestGzipBomb(t *testing.T) {
	dest := t.TempDir()
	tp := writeTgz(t, []*tar.Header{{Name: "big.bin", Typeflag: tar.TypeReg}}, []string{strings.Repeat("\x00", 6<<20)})
	res, err := Extract(context.Background(), tp, dest, DefaultLimits)
	require.ErrorIs(t, err, ErrCut)
	assert.Contains(t, reasons(res)["big.bin"], "compression ratio")
	assert.Equal(t, 0, res.Files)
}

func TestNotAnArchive(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.zip")
	require.NoError(t, os.WriteFile(p, []byte("not a zip"), 0o600))
	_, err := Extract(context.Background(), p, t.TempDir(), DefaultLimits)
	assert.Error(t, err)
	assert.Equal(t, "alice-takehome", Name("/x/alice-takehome.tar.gz"))
	assert.True(t, IsArchive("a.TGZ"))
	assert.False(t, IsArchive("a.py"))
}

// A zip whose first entries are a never-analysed directory is unpacked
// whole: those entries are not unpacked and not counted, one note says so.
func TestNeverAnalysedDirectoriesDoNotCount(t *testing.T) {
	var es []zentry
	for i := 0; i < 300; i++ {
		es = append(es, zentry{name: fmt.Sprintf("proj/node_modules/pkg%d/index.js", i), body: "x"})
	}
	es = append(es,
		zentry{name: "proj/.git/objects/ab/cdef", body: "blob"},
		zentry{name: "proj/.git/logs/HEAD", body: "0 1 A <a@b> 1 +0000\tcommit\n"},
		zentry{name: "proj/venv/lib/site.py", body: "x = 1\n"},
		zentry{name: "proj/app/views.py", body: "x = 1\n"},
	)
	dest := t.TempDir()
	res, err := Extract(context.Background(), writeZip(t, es...), dest, Limits{MaxEntries: 10})
	require.NoError(t, err)
	assert.Equal(t, 2, res.Files, "the reflog and the view")
	assert.Equal(t, 302, res.Ignored)
	r := reasons(res)
	assert.Contains(t, r["proj/node_modules/"], "300 entries not unpacked")
	assert.Contains(t, r["proj/.git/"], "1 entries not unpacked")
	assert.Contains(t, r["proj/venv/"], "1 entries not unpacked")
	_, err = os.Stat(filepath.Join(dest, "proj", ".git", "logs", "HEAD"))
	assert.NoError(t, err)
	_, err = os.Stat(filepath.Join(dest, "proj", "node_modules"))
	assert.True(t, os.IsNotExist(err))
}

// An entry that cannot be written is skipped and noted, the rest is
// unpacked, and no reason shows the private directory.
func TestBadEntriesAreSkippedNotFatal(t *testing.T) {
	dest := t.TempDir()
	long := strings.Repeat("n", 300)
	p := writeZip(t,
		zentry{name: "proj/a", body: "a file"},
		zentry{name: "proj/a/b.py", body: "x = 1\n"},
		zentry{name: "proj/" + long + ".py", body: "x = 1\n"},
		zentry{name: "proj/d/", body: ""},
		zentry{name: "proj/d", body: "a file where a directory is"},
		zentry{name: "proj/ok.py", body: "x = 1\n"},
	)
	res, err := Extract(context.Background(), p, dest, DefaultLimits)
	require.NoError(t, err)
	r := reasons(res)
	assert.Equal(t, "a file is where a directory should be", r["proj/a/b.py"])
	assert.Equal(t, "name too long", r["proj/"+long+".py"])
	assert.Equal(t, "a directory is where this file should be", r["proj/d"])
	assert.Equal(t, 2, res.Files)
	for _, s := range res.Skipped {
		assert.NotContains(t, s.Reason, dest)
	}
}

// The ratio check covers small entries: a 1 MB file of error-heavy Python
// that zips to a few KB is not unpacked.
func TestSmallEntriesHaveARatioLimitToo(t *testing.T) {
	dest := t.TempDir()
	p := writeZip(t, zentry{name: "tries.py", body: strings.Repeat("try:\n", 200000)}, zentry{name: "ok.py", body: "x = 1\n"})
	st, _ := os.Stat(p)
	require.Less(t, st.Size(), int64(8<<10))
	res, err := Extract(context.Background(), p, dest, DefaultLimits)
	require.NoError(t, err)
	assert.Contains(t, reasons(res)["tries.py"], "compression ratio")
	assert.Equal(t, 1, res.Files)
}

// Archives that cannot give a submission are errors, never an empty
// submission, and the error does not repeat the archive's path.
func TestArchivesThatAreErrors(t *testing.T) {
	emptyZip := writeZip(t)
	dirsOnly := writeZip(t, zentry{name: "proj/", body: "", mode: os.ModeDir | 0o755})

	var enc bytes.Buffer
	zw := zip.NewWriter(&enc)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "secret.py", Method: zip.Store, Flags: 0x1, CompressedSize64: 4, UncompressedSize64: 4})
	require.NoError(t, err)
	w.Write([]byte("\x01\x02\x03\x04"))
	require.NoError(t, zw.Close())
	encrypted := filepath.Join(t.TempDir(), "enc.zip")
	require.NoError(t, os.WriteFile(encrypted, enc.Bytes(), 0o600))

	tgz := writeTgz(t, []*tar.Header{{Name: "a.py", Typeflag: tar.TypeReg}}, []string{"x = 1\n"})
	tgzAsZip := filepath.Join(t.TempDir(), "really-a-tgz.zip")
	data, _ := os.ReadFile(tgz)
	require.NoError(t, os.WriteFile(tgzAsZip, data, 0o600))
	zipAsTgz := filepath.Join(t.TempDir(), "really-a-zip.tar.gz")
	data, _ = os.ReadFile(writeZip(t, zentry{name: "a.py", body: "x = 1\n"}))
	require.NoError(t, os.WriteFile(zipAsTgz, data, 0o600))
	garbage := filepath.Join(t.TempDir(), "garbage.zip")
	require.NoError(t, os.WriteFile(garbage, []byte("not a zip at all"), 0o600))
	fifo := filepath.Join(t.TempDir(), "pipe.zip")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))

	for _, tc := range []struct {
		path string
		want error
		text string
	}{
		{emptyZip, ErrEmpty, "empty archive"},
		{dirsOnly, ErrEmpty, "empty archive"},
		{encrypted, ErrEncrypted, "1 entries are encrypted"},
		{tgzAsZip, ErrMislabelled, "the name says a zip archive, the content is gzip-compressed data"},
		{zipAsTgz, ErrMislabelled, "the content is a zip archive"},
		{garbage, nil, "zip: not a valid zip file"},
		{fifo, safeio.ErrNotRegular, "not a regular file (a FIFO)"},
		{filepath.Join(t.TempDir(), "missing.zip"), os.ErrNotExist, "no such file"},
	} {
		_, err := Extract(context.Background(), tc.path, t.TempDir(), DefaultLimits)
		require.Error(t, err, tc.path)
		if tc.want != nil {
			assert.ErrorIs(t, err, tc.want, tc.path)
		}
		assert.Contains(t, err.Error(), tc.text)
		assert.NotContains(t, err.Error(), tc.path, "the caller names the archive, once")
	}
}

func TestExtractStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Extract(ctx, writeZip(t, zentry{name: "a.py", body: "x\n"}), t.TempDir(), DefaultLimits)
	assert.ErrorIs(t, err, context.Canceled)
}
