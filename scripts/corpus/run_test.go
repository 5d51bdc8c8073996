package main

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeRubric writes a shell script standing in for the rubric binary. jsonReport says whether it
// knows `report --format json`.
func fakeRubric(t *testing.T, jsonReport bool) *Rubric {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("shell script stand-in")
	}
	report := `echo "unknown format json" >&2; exit 2`
	if jsonReport {
		report = `echo '{"areas": [{"items": [{"id": "pagination", "status": "met"}]}]}'`
	}
	script := `#!/bin/sh
case "$1 $2 $3" in
"check --no-cache --format")
  echo '{"diagnostics": [{"code": "ORM006", "path": "views.py", "line": 3, "message": "every row"}]}'
  exit 1 ;;
"report --format json") ` + report + ` ;;
"report --print-checklist ")
  printf '[[item]]\nid = "pagination"\ntitle = "List endpoints paginated"\n' ;;
"report . ")
  printf -- '- ❌ **List endpoints paginated**: not met (1 finding of ORM006)\n' ;;
*) echo "unexpected: $*" >&2; exit 2 ;;
esac
`
	bin := filepath.Join(t.TempDir(), "rubric")
	require.NoError(t, os.WriteFile(bin, []byte(script), 0o755))
	return &Rubric{Bin: bin}
}

func TestRubricCheckAcceptsExitOne(t *testing.T) {
	rb := fakeRubric(t, false)
	fs, err := rb.Check(t.TempDir())
	require.NoError(t, err)
	assert.Equal(t, []Finding{{Code: "ORM006", Path: "views.py", Line: 3, Message: "every row"}}, fs)
}

func TestRubricReportPrefersJSON(t *testing.T) {
	items, from, note := fakeRubric(t, true).Report(t.TempDir())
	assert.Equal(t, "json", from)
	assert.Empty(t, note)
	assert.Equal(t, map[string]string{"pagination": stMet}, items)
}

func TestRubricReportFallsBackToMarkdown(t *testing.T) {
	items, from, note := fakeRubric(t, false).Report(t.TempDir())
	assert.Equal(t, "markdown", from)
	assert.Contains(t, note, "Markdown")
	assert.Equal(t, map[string]string{"pagination": stNotMet}, items)
}
