package report_test

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
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
	require.NoError(t, os.WriteFile(filepath.Join(sub, "app.py"), []byte("# written by Bob Jones <bob@example.com>\nprint('Alice was here')  # noqa: LOG003 alice\n"), 0o644))
	// The endpoint table names views and routes: they are rewritten too.
	require.NoError(t, os.MkdirAll(filepath.Join(sub, "billing"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(sub, "billing", "views.py"), []byte("import json\n\n\ndef alice_webhook(request):\n    Event.objects.create(payload=json.loads(request.body))\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(sub, ".git", "logs", "HEAD"),
		[]byte("0000000000000000000000000000000000000000 1111111111111111111111111111111111111111 Bob Jones <bob@example.com> 1700000000 +0000\tcommit (initial): x\n"), 0o644))
	// A broken archive: its error row must not show the name either.
	broken := filepath.Join(tmp, "carol-danvers.zip")
	require.NoError(t, os.WriteFile(broken, []byte("not a zip at all"), 0o644))
	out := filepath.Join(tmp, "out")
	rows, err := report.Grade(context.Background(), []string{sub, broken}, report.GradeOptions{
		OutDir: out, Anonymize: true, Salt: "batch-salt", Rules: all.Rules(), Jobs: 1, Version: "test", Now: fixedNow})
	require.NoError(t, err)
	label := report.AnonymousLabel("alice-smith", "batch-salt")
	assert.Equal(t, label, rows[0].Label)
	assert.Equal(t, label, report.AnonymousLabel("alice-smith", "batch-salt"), "stable under one salt")
	assert.NotEqual(t, label, report.AnonymousLabel("alice-smith", "other-salt"), "salted")
	assert.NotContains(t, label, "e6f0c8", "not the unsalted SHA-256 of the name")
	require.NotEmpty(t, rows[1].Err)
	assert.Equal(t, report.AnonymousLabel("carol-danvers", "batch-salt"), rows[1].Label)
	// The batch keeps only the index view of each report: the endpoint
	// table is read back from the submission's own JSON report.
	data, err := os.ReadFile(filepath.Join(out, rows[0].Slug+".json"))
	require.NoError(t, err)
	var written struct {
		Endpoints []struct{ View string } `json:"endpoints"`
	}
	require.NoError(t, json.Unmarshal(data, &written))
	require.Len(t, written.Endpoints, 1)
	assert.Equal(t, "billing.views."+label+"_webhook", written.Endpoints[0].View)
	entries, err := os.ReadDir(out)
	require.NoError(t, err)
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(out, e.Name()))
		require.NoError(t, err)
		low := strings.ToLower(string(data) + e.Name())
		for _, leak := range []string{"alice", "smith", "bob", "jones", "carol", "danvers"} {
			assert.NotContains(t, low, leak, e.Name())
		}
	}
	// Without a salt, each batch draws its own: labels differ between batches.
	rows2, err := report.Grade(context.Background(), []string{sub}, report.GradeOptions{
		OutDir: filepath.Join(tmp, "out2"), Anonymize: true, Rules: all.Rules(), Jobs: 1, Version: "test", Now: fixedNow})
	require.NoError(t, err)
	assert.NotEqual(t, label, rows2[0].Label)
}

// A submission with no analysable Python file, and an archive cut short by
// its limits, get an error row with the cause and no score.
func TestGradeNoScoreWithoutCode(t *testing.T) {
	tmp := t.TempDir()
	empty := filepath.Join(tmp, "empty")
	require.NoError(t, os.MkdirAll(empty, 0o755))
	docsOnly := filepath.Join(tmp, "docs-only")
	require.NoError(t, os.MkdirAll(docsOnly, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(docsOnly, "README.md"), []byte("# Plan\n\n## Setup\n\n## Design decisions\n"), 0o644))
	// The entry limit stops the unpacking before any Python file.
	cut := filepath.Join(tmp, "cut.zip")
	f, err := os.Create(cut)
	require.NoError(t, err)
	zw := zip.NewWriter(f)
	for _, name := range []string{"sub/a.txt", "sub/b.txt", "sub/c.txt", "sub/app/views.py"} {
		w, err := zw.Create(name)
		require.NoError(t, err)
		_, _ = w.Write([]byte("x = 1\n"))
	}
	require.NoError(t, zw.Close())
	require.NoError(t, f.Close())

	out := filepath.Join(tmp, "out")
	lim := archive.DefaultLimits
	lim.MaxEntries = 2
	rows, err := report.Grade(context.Background(), []string{empty, docsOnly, cut, submissions + "galileo"}, report.GradeOptions{
		OutDir: out, Rules: all.Rules(), Jobs: 1, Version: "test", Now: fixedNow, Limits: lim})
	require.NoError(t, err)
	require.Len(t, rows, 4)
	assert.Contains(t, rows[0].Err, "no analysable Python file (0 files)")
	assert.Contains(t, rows[1].Err, "no analysable Python file (1 file)")
	assert.Contains(t, rows[2].Err, "archive cut short")
	for _, r := range rows[:3] {
		assert.Nil(t, r.Report, r.Input)
		assert.Equal(t, "-", r.CompletionText())
	}
	require.NotNil(t, rows[3].Report)

	data, err := os.ReadFile(filepath.Join(out, "index.json"))
	require.NoError(t, err)
	var ix report.JSONIndex
	require.NoError(t, json.Unmarshal(data, &ix))
	require.Len(t, ix.Rows, 4)
	assert.Contains(t, ix.Rows[0].Error, "no analysable Python file")
	assert.Zero(t, ix.Rows[0].Applicable)
	assert.Empty(t, ix.Rows[0].Items)
	g := ix.Rows[3]
	assert.Equal(t, "galileo.json", g.Report)
	assert.Equal(t, report.NotMet, g.Items["no-n-plus-one"])
	assert.Equal(t, report.NotObserved, g.Items["indexes"])
	assert.Len(t, g.Areas, len(ix.Areas))
	_, err = os.Stat(filepath.Join(out, "galileo.json"))
	assert.NoError(t, err)
}
