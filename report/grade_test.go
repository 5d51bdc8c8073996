package report_test

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"context"
	"encoding/csv"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/report"
	"github.com/rubric-dev/rubric/report/archive"
	"github.com/rubric-dev/rubric/rules/all"
)

// packTgz writes dir as name.tar.gz with a top-level directory named top.
func packTgz(t *testing.T, dir, out, top string) {
	t.Helper()
	f, err := os.Create(out)
	require.NoError(t, err)
	defer f.Close()
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		require.NoError(t, err)
		rel, _ := filepath.Rel(dir, p)
		name := filepath.ToSlash(filepath.Join(top, rel))
		if d.IsDir() {
			return tw.WriteHeader(&tar.Header{Name: name + "/", Typeflag: tar.TypeDir, Mode: 0o755})
		}
		data, err := os.ReadFile(p)
		require.NoError(t, err)
		require.NoError(t, tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(data))}))
		_, err = tw.Write(data)
		return err
	}))
	// A hostile extra: a symlink out of the tree.
	require.NoError(t, tw.WriteHeader(&tar.Header{Name: top + "/etc-passwd", Typeflag: tar.TypeSymlink, Linkname: "/etc/passwd"}))
	require.NoError(t, tw.Close())
	require.NoError(t, gz.Close())
}

func packZip(t *testing.T, dir, out, top string) {
	t.Helper()
	f, err := os.Create(out)
	require.NoError(t, err)
	defer f.Close()
	zw := zip.NewWriter(f)
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		require.NoError(t, err)
		if d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		w, err := zw.Create(filepath.ToSlash(filepath.Join(top, rel)))
		require.NoError(t, err)
		src, err := os.Open(p)
		require.NoError(t, err)
		defer src.Close()
		_, err = io.Copy(w, src)
		return err
	}))
	w, err := zw.Create("../../escape.py")
	require.NoError(t, err)
	_, _ = w.Write([]byte("owned = True\n"))
	require.NoError(t, zw.Close())
}

// TestGradeThreeSubmissions grades the weak sample (a directory), the
// strong one (a .tar.gz) and the broken one (a .zip) into one index.
func TestGradeThreeSubmissions(t *testing.T) {
	tmp := t.TempDir()
	strong := filepath.Join(tmp, "galileo-strong.tar.gz")
	packTgz(t, submissions+"galileo-strong", strong, "galileo-strong")
	broken := filepath.Join(tmp, "galileo-syntax.zip")
	packZip(t, submissions+"galileo-syntax", broken, "galileo-syntax")
	out := filepath.Join(tmp, "out")

	var progress []int
	rows, err := report.Grade(context.Background(), []string{submissions + "galileo", strong, broken}, report.GradeOptions{
		OutDir: out, Rules: all.Rules(), Jobs: 1, Version: "test", Now: fixedNow, Limits: archive.DefaultLimits,
		Progress: func(done, total int, _ string) { progress = append(progress, done) },
	})
	require.NoError(t, err)
	require.Len(t, rows, 3)
	assert.Equal(t, []int{0, 1, 2, 3}, progress)
	for _, r := range rows {
		assert.Empty(t, r.Err, r.Input)
	}
	for _, f := range []string{"index.md", "index.html", "index.csv", "galileo.md", "galileo.html",
		"galileo-strong.md", "galileo-strong.html", "galileo-syntax.md", "galileo-syntax.html"} {
		_, err := os.Stat(filepath.Join(out, f))
		assert.NoError(t, err, f)
	}
	_, err = os.Stat(filepath.Join(tmp, "escape.py"))
	assert.True(t, os.IsNotExist(err), "zip-slip entry not written")

	md, err := os.ReadFile(filepath.Join(out, "index.md"))
	require.NoError(t, err)
	assert.Contains(t, string(md), "[galileo-strong](galileo-strong.md)")
	assert.Contains(t, string(md), "Tests present")

	strongMD, err := os.ReadFile(filepath.Join(out, "galileo-strong.md"))
	require.NoError(t, err)
	assert.Contains(t, string(strongMD), "etc-passwd: symbolic link", "skipped entries are reported")
	syntaxMD, err := os.ReadFile(filepath.Join(out, "galileo-syntax.md"))
	require.NoError(t, err)
	assert.Contains(t, string(syntaxMD), "../../escape.py: path escapes the archive root")

	f, err := os.Open(filepath.Join(out, "index.csv"))
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, 4)
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	byName := map[string][]string{}
	for _, r := range recs[1:] {
		byName[r[0]] = r
	}
	assert.Equal(t, "0", byName["galileo-strong"][col["not_met"]])
	assert.NotEqual(t, "0", byName["galileo"][col["not_met"]])
	assert.Equal(t, "2", byName["galileo-syntax"][col["syntax_errors"]])
	assert.Greater(t, atoi(byName["galileo-strong"][col["completion_pct"]]), atoi(byName["galileo"][col["completion_pct"]]))
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

func TestGradeAnonymize(t *testing.T) {
	tmp := t.TempDir()
	sub := filepath.Join(tmp, "alice-smith")
	require.NoError(t, os.MkdirAll(filepath.Join(sub, ".git", "logs"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(sub, "README.md"), []byte("# Alice Smith's payments take-home\n\n## Setup\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(sub, "app.py"), []byte("# written by Bob Jones <bob@example.com>\nprint('Alice was here')\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(sub, ".git", "logs", "HEAD"),
		[]byte("0000000000000000000000000000000000000000 1111111111111111111111111111111111111111 Bob Jones <bob@example.com> 1700000000 +0000\tcommit (initial): x\n"), 0o644))
	out := filepath.Join(tmp, "out")
	rows, err := report.Grade(context.Background(), []string{sub}, report.GradeOptions{
		OutDir: out, Anonymize: true, Rules: all.Rules(), Jobs: 1, Version: "test", Now: fixedNow})
	require.NoError(t, err)
	label := report.AnonymousLabel("alice-smith")
	assert.Equal(t, label, rows[0].Label)
	assert.Equal(t, label, report.AnonymousLabel("alice-smith"), "stable")
	entries, err := os.ReadDir(out)
	require.NoError(t, err)
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(out, e.Name()))
		require.NoError(t, err)
		low := strings.ToLower(string(data) + e.Name())
		for _, leak := range []string{"alice", "smith", "bob", "jones"} {
			assert.NotContains(t, low, leak, e.Name())
		}
	}
}
