package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const subs = "../../testdata/submissions/"

func TestReportCommand(t *testing.T) {
	code, out, errs := run(t, "report", subs+"galileo")
	require.Equal(t, 0, code, errs)
	assert.Contains(t, out, "# Reviewer checklist: galileo")
	code, alias, errs := run(t, "checklist", subs+"galileo")
	require.Equal(t, 0, code, errs)
	assert.Contains(t, alias, "# Reviewer checklist: galileo", "`rubric checklist` is the same command")

	html := filepath.Join(t.TempDir(), "r.html")
	code, _, errs = run(t, "report", subs+"galileo-strong", "--format", "html", "-o", html)
	require.Equal(t, 0, code, errs)
	data, err := os.ReadFile(html)
	require.NoError(t, err)
	assert.Contains(t, string(data), "<!DOCTYPE html>")

	code, _, errs = run(t, "report", subs+"galileo", "--format", "pdf")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errs, "--format")

	code, out, _ = run(t, "report", "--print-checklist")
	require.Equal(t, 0, code)
	custom := filepath.Join(t.TempDir(), "c.toml")
	require.NoError(t, os.WriteFile(custom, []byte(strings.Replace(out, `name = "Interview guide: middleware architect"`, `name = "Custom"`, 1)), 0o644))
	code, out, errs = run(t, "report", subs+"galileo", "--checklist", custom)
	require.Equal(t, 0, code, errs)
	assert.Contains(t, out, "| Checklist | Custom |")
}

func TestCheckChecklistFormats(t *testing.T) {
	code, out, errs := run(t, "check", "--format", "checklist", subs+"galileo")
	require.LessOrEqual(t, code, 1, errs)
	assert.Contains(t, out, "# Reviewer checklist: galileo")
	code, out, errs = run(t, "check", "--format", "html", subs+"galileo")
	require.LessOrEqual(t, code, 1, errs)
	assert.Contains(t, out, `data-item="no-n-plus-one"`)
}

func TestGradeCommand(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, errs := run(t, "grade", subs+"galileo", subs+"galileo-strong", subs+"galileo-syntax", "--out", out)
	require.Equal(t, 0, code, errs)
	assert.Contains(t, stdout, "graded 3 submissions")
	assert.Empty(t, errs, "no progress bar off a terminal")
	for _, f := range []string{"index.md", "index.html", "index.csv"} {
		_, err := os.Stat(filepath.Join(out, f))
		assert.NoError(t, err)
	}
	code, _, errs = run(t, "grade", subs+"nope", "--out", out)
	assert.Equal(t, ExitFindings, code)
	assert.Contains(t, errs, "not a directory")
}

func TestReportJSONAndNoCode(t *testing.T) {
	code, out, errs := run(t, "report", subs+"galileo", "--format", "json")
	require.Equal(t, 0, code, errs)
	assert.Contains(t, out, `"status": "not-observed"`)
	assert.Contains(t, out, `"question":`)
	code, out, errs = run(t, "report", subs+"galileo", "--format", "json", "--respect-suppressions")
	require.Equal(t, 0, code, errs)
	assert.Contains(t, out, `"suppressions_respected": true`)

	empty := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(empty, "README.md"), []byte("# x\n"), 0o644))
	code, _, errs = run(t, "report", empty)
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errs, "no analysable Python file")
}

// Two submissions are never merged into one checklist page.
func TestCheckChecklistOneSubmission(t *testing.T) {
	code, _, errs := run(t, "check", "--format", "checklist", subs+"galileo", subs+"galileo-strong")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errs, "the checklist describes one submission, and this run analysed 2")
	assert.Contains(t, errs, "rubric grade")
}
