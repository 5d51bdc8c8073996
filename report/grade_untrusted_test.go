package report_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/report"
	"github.com/rubric-dev/rubric/report/archive"
	"github.com/rubric-dev/rubric/rules/all"
)

func zipOf(t *testing.T, path string, files map[string]string) string {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, err := zw.Create(name)
		require.NoError(t, err)
		_, err = w.Write([]byte(body))
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
	return path
}

func gradeOpts(out string) report.GradeOptions {
	return report.GradeOptions{OutDir: out, Rules: all.Rules(), Jobs: 1, Version: "test", Now: fixedNow}
}

func byInput(rows []report.Graded) map[string]report.Graded {
	m := map[string]report.Graded{}
	for _, r := range rows {
		m[r.Input] = r
	}
	return m
}

// Two archives with one base name, a directory whose name is another's
// generated slug, names differing in case, a submission called "index":
// every report has its own file.
func TestGradeSlugsAreUnique(t *testing.T) {
	tmp := t.TempDir()
	app := map[string]string{"app/views.py": "x = 1\n"}
	inputs := []string{
		zipOf(t, filepath.Join(tmp, "one", "alice.zip"), app),
		zipOf(t, filepath.Join(tmp, "two", "alice.zip"), app),
		zipOf(t, filepath.Join(tmp, "Alice.zip"), app),
		zipOf(t, filepath.Join(tmp, "alice-2.zip"), app),
		zipOf(t, filepath.Join(tmp, "INDEX.zip"), app),
	}
	out := filepath.Join(tmp, "out")
	rows, err := report.Grade(context.Background(), inputs, gradeOpts(out))
	require.NoError(t, err)
	seen := map[string]bool{}
	for _, r := range rows {
		require.Empty(t, r.Err, r.Input)
		key := strings.ToLower(r.Slug)
		assert.False(t, seen[key], "slug %s taken twice", r.Slug)
		seen[key] = true
		md, err := os.ReadFile(filepath.Join(out, r.Slug+".md"))
		require.NoError(t, err)
		assert.NotEmpty(t, md)
	}
	assert.False(t, seen["index"])
	assert.Len(t, seen, 5)
}

// Archives that cannot be graded are error rows with their cause, never
// empty submissions; the batch goes on; no message shows a temporary
// path or repeats the input's.
func TestGradeErrorRows(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", t.TempDir())
	good := zipOf(t, filepath.Join(tmp, "good.zip"), map[string]string{"good/app.py": "x = 1\n"})
	empty := zipOf(t, filepath.Join(tmp, "empty.zip"), nil)
	garbage := filepath.Join(tmp, "garbage.zip")
	require.NoError(t, os.WriteFile(garbage, []byte("not a zip"), 0o644))
	mislabelled := filepath.Join(tmp, "mislabelled.tar.gz")
	data, _ := os.ReadFile(good)
	require.NoError(t, os.WriteFile(mislabelled, data, 0o644))
	fifo := filepath.Join(tmp, "pipe.zip")
	require.NoError(t, syscall.Mkfifo(fifo, 0o644))
	many := map[string]string{}
	for i := 0; i < 30; i++ {
		many[fmt.Sprintf("big/m%02d.py", i)] = "x = 1\n"
	}
	cut := zipOf(t, filepath.Join(tmp, "cut.zip"), many)
	missing := filepath.Join(tmp, "missing-dir")

	o := gradeOpts(filepath.Join(tmp, "out"))
	o.Limits = archive.Limits{MaxEntries: 10}
	rows, err := report.Grade(context.Background(), []string{garbage, empty, mislabelled, fifo, cut, missing, good}, o)
	require.NoError(t, err)
	got := byInput(rows)
	require.Len(t, rows, 7)
	assert.Empty(t, got[good].Err)
	assert.NotNil(t, got[good].Report)
	for in, want := range map[string]string{
		garbage:     "zip: not a valid zip file",
		empty:       "empty archive",
		mislabelled: "mislabelled archive",
		fifo:        "not a regular file (a FIFO)",
		cut:         "archive cut short: more than 10 entries",
		missing:     "not a directory",
	} {
		r := got[in]
		assert.Nil(t, r.Report, in)
		assert.Contains(t, r.Err, want, in)
		assert.NotContains(t, r.Err, in, "the input's path is not repeated")
		assert.NotContains(t, r.Err, os.TempDir())
	}
	idx, err := os.ReadFile(filepath.Join(tmp, "out", "index.md"))
	require.NoError(t, err)
	assert.Contains(t, string(idx), "| cut | not graded: archive cut short")
	left, _ := os.ReadDir(os.TempDir())
	assert.Empty(t, left, "temporary folders removed")
}

// A submission over its budget of files, bytes or time is an error row,
// and the next one is graded.
func TestGradeBudgets(t *testing.T) {
	tmp := t.TempDir()
	sub := func(name string, files int, body string) string {
		m := map[string]string{}
		for i := 0; i < files; i++ {
			m[fmt.Sprintf("%s/m%02d.py", name, i)] = body
		}
		return zipOf(t, filepath.Join(tmp, name+".zip"), m)
	}
	manyFiles := sub("many", 12, "x = 1\n")
	bigFiles := sub("big", 2, strings.Repeat("x = 1\n", 1000))
	fine := sub("fine", 2, "x = 1\n")
	o := gradeOpts(filepath.Join(tmp, "out"))
	o.Budget = report.Budget{MaxFiles: 10, MaxBytes: 10000}
	rows, err := report.Grade(context.Background(), []string{manyFiles, bigFiles, fine}, o)
	require.NoError(t, err)
	got := byInput(rows)
	assert.Contains(t, got[manyFiles].Err, "more than 10 Python files")
	assert.Contains(t, got[bigFiles].Err, "more than 10000 bytes of Python")
	assert.NotNil(t, got[fine].Report)

	o.Budget = report.Budget{Timeout: time.Nanosecond}
	rows, err = report.Grade(context.Background(), []string{fine}, o)
	require.NoError(t, err)
	assert.Contains(t, rows[0].Err, "over its time budget")
}

// An error-heavy file costs its parse budget, not the batch: the
// submission is graded, the file reported unparsed.
func TestGradeErrorHeavySubmission(t *testing.T) {
	tmp := t.TempDir()
	in := zipOf(t, filepath.Join(tmp, "tries.zip"), map[string]string{
		"tries/app.py": strings.Repeat("try:\n", 40000),
		"tries/ok.py":  "x = 1\n",
	})
	o := gradeOpts(filepath.Join(tmp, "out"))
	o.Limits = archive.Limits{MaxRatio: 1e6} // let the entry through: the parse budget is under test
	rows, err := report.Grade(context.Background(), []string{in}, o)
	require.NoError(t, err)
	require.NotNil(t, rows[0].Report, rows[0].Err)
	md, err := os.ReadFile(filepath.Join(tmp, "out", rows[0].Slug+".md"))
	require.NoError(t, err)
	assert.Contains(t, string(md), "too costly to parse")
}

// Cancelling (what SIGINT does) stops the batch and removes its
// temporary folders.
func TestGradeCancelledRemovesTemporaryFolders(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", t.TempDir())
	a := zipOf(t, filepath.Join(tmp, "a.zip"), map[string]string{"a/app.py": "x = 1\n"})
	b := zipOf(t, filepath.Join(tmp, "b.zip"), map[string]string{"b/app.py": "x = 1\n"})
	ctx, cancel := context.WithCancel(context.Background())
	o := gradeOpts(filepath.Join(tmp, "out"))
	o.Progress = func(done, _ int, _ string) {
		if done == 1 {
			cancel()
		}
	}
	_, err := report.Grade(ctx, []string{a, b, a}, o)
	require.ErrorIs(t, err, context.Canceled)
	left, _ := os.ReadDir(os.TempDir())
	assert.Empty(t, left)
}

// Re-using --out: the previous batch's reports that this batch does not
// produce are removed; files rubric did not write stay.
func TestGradeReusedOutFolder(t *testing.T) {
	tmp := t.TempDir()
	out := filepath.Join(tmp, "out")
	app := map[string]string{"app.py": "x = 1\n"}
	first := []string{zipOf(t, filepath.Join(tmp, "ann.zip"), app), zipOf(t, filepath.Join(tmp, "bob.zip"), app)}
	_, err := report.Grade(context.Background(), first, gradeOpts(out))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(out, "notes.txt"), []byte("mine"), 0o644))
	_, err = os.Stat(filepath.Join(out, "bob.md"))
	require.NoError(t, err)

	_, err = report.Grade(context.Background(), []string{zipOf(t, filepath.Join(tmp, "cy.zip"), app), first[0]}, gradeOpts(out))
	require.NoError(t, err)
	var names []string
	entries, _ := os.ReadDir(out)
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.ElementsMatch(t, []string{".rubric-batch", "ann.html", "ann.json", "ann.md", "cy.html", "cy.json", "cy.md", "index.csv", "index.html", "index.json", "index.md", "notes.txt"}, names)
}

// With --anonymize, an error row shows the label, not the name.
func TestGradeAnonymizedErrorRow(t *testing.T) {
	tmp := t.TempDir()
	bad := filepath.Join(tmp, "alice-smith.zip")
	require.NoError(t, os.WriteFile(bad, []byte("garbage"), 0o644))
	o := gradeOpts(filepath.Join(tmp, "out"))
	o.Anonymize, o.Salt = true, "batch-salt"
	rows, err := report.Grade(context.Background(), []string{bad}, o)
	require.NoError(t, err)
	assert.Equal(t, report.AnonymousLabel("alice-smith", "batch-salt"), rows[0].Label)
	for _, f := range []string{"index.md", "index.csv", "index.html"} {
		data, err := os.ReadFile(filepath.Join(tmp, "out", f))
		require.NoError(t, err)
		assert.NotContains(t, strings.ToLower(string(data)), "alice", f)
	}
}

// Control characters in a submission's file names, code and name never
// reach the Markdown, HTML or CSV a reviewer opens.
func TestReportsEscapeControlCharacters(t *testing.T) {
	tmp := t.TempDir()
	sub := filepath.Join(tmp, "sub\x1b]0;owned\x07")
	require.NoError(t, os.MkdirAll(sub, 0o755))
	src := "def f():\n    try:\n        return '\x1b[2J'\n    except:\n        pass\n"
	require.NoError(t, os.WriteFile(filepath.Join(sub, "evil\x1b[31m.py"), []byte(src), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(sub, "README.md"), []byte("# Title \x1b[5m\n"), 0o644))
	out := filepath.Join(tmp, "out")
	rows, err := report.Grade(context.Background(), []string{sub}, gradeOpts(out))
	require.NoError(t, err)
	require.NotNil(t, rows[0].Report, rows[0].Err)
	entries, err := os.ReadDir(out)
	require.NoError(t, err)
	require.NotEmpty(t, entries)
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(out, e.Name()))
		require.NoError(t, err)
		assert.NotContains(t, string(data), "\x1b", e.Name())
		assert.NotContains(t, string(data), "\x07", e.Name())
	}
	md, _ := os.ReadFile(filepath.Join(out, rows[0].Slug+".md"))
	assert.Contains(t, string(md), `evil\x1b[31m.py`)
}
