package suppress_test

import (
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer/suppress"
)

// TestDocumentedEquivalentsAreTheHonouredOnes keeps the table of other
// tools' codes in docs/ci.md ("Other tools' codes") in step with
// suppress.Equivalents: every code the table names is honoured for the rule
// of its row, and every honoured code is in the table.
func TestDocumentedEquivalentsAreTheHonouredOnes(t *testing.T) {
	data, err := os.ReadFile("../../docs/ci.md")
	require.NoError(t, err)
	const head = "| rubric rule | ruff / flake8 (`# noqa: CODE`) | pylint (`# pylint: disable=...`) | bandit (`# nosec ...`) |\n|---|---|---|---|\n"
	doc := string(data)
	start := strings.Index(doc, head)
	require.GreaterOrEqual(t, start, 0, "docs/ci.md has no table of other tools' codes")
	rows := doc[start+len(head):]
	if end := strings.Index(rows, "\n\n"); end >= 0 {
		rows = rows[:end]
	}
	code := regexp.MustCompile("`([^`]+)`")
	tools := []string{"ruff/flake8", "pylint", "bandit"}
	var documented []string
	for _, row := range strings.Split(strings.TrimSpace(rows), "\n") {
		cells := strings.Split(strings.Trim(row, "|"), "|")
		require.Len(t, cells, 4, row)
		rule := strings.Fields(cells[0])[0]
		for i, tool := range tools {
			for _, m := range code.FindAllStringSubmatch(cells[i+1], -1) {
				documented = append(documented, tool+" "+m[1]+" "+rule)
			}
		}
	}
	var honoured []string
	for _, e := range suppress.Equivalents {
		for _, c := range e.Codes {
			honoured = append(honoured, e.Tool+" "+c+" "+e.Rule)
		}
	}
	sort.Strings(documented)
	sort.Strings(honoured)
	require.NotEmpty(t, documented)
	assert.Equal(t, honoured, documented, "docs/ci.md's table and suppress.Equivalents differ")
}
