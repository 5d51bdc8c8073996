package report_test

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/report"
)

// TestDocTables keeps docs/checklist.md's signal and mapping tables in step
// with the code; -update rewrites them.
func TestDocTables(t *testing.T) {
	const file = "../docs/checklist.md"
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	doc := string(data)

	var sig strings.Builder
	for _, s := range report.SignalNames() {
		sig.WriteString("| `" + s[0] + "` | " + strings.ReplaceAll(s[1], "|", `\|`) + " |\n")
	}
	var mp strings.Builder
	cl := report.DefaultChecklist()
	quote := func(xs []string) string {
		if len(xs) == 0 {
			return ""
		}
		return "`" + strings.Join(xs, "`, `") + "`"
	}
	for _, a := range cl.Areas {
		for _, it := range cl.Items {
			if it.Area != a.ID {
				continue
			}
			var sigs []string
			for _, l := range [][]string{it.AppliesWhen, it.NotMetWhen, it.MetWhen} {
				sigs = append(sigs, l...)
			}
			mp.WriteString("| " + a.Title + " | " + it.Title + " | " + quote(it.Rules) + " | " + quote(it.Names) + " | " +
				quote(it.Categories) + " | " + strings.ReplaceAll(quote(sigs), "|", `\|`) + " |\n")
		}
	}
	want := replaceTable(doc, "| Signal | Meaning |\n|---|---|\n", sig.String())
	want = replaceTable(want, "| Area | Item | Rules (codes / prefixes) | Rule-name globs | Category fallback | Signals |\n|---|---|---|---|---|---|\n", mp.String())
	if *update {
		require.NoError(t, os.WriteFile(file, []byte(want), 0o644))
		return
	}
	assert.Equal(t, want, doc, "docs/checklist.md tables are stale: go test ./report -run TestDocTables -update")
}

// replaceTable replaces the rows after head (up to the first blank line) with rows.
func replaceTable(doc, head, rows string) string {
	i := strings.Index(doc, head)
	if i < 0 {
		return doc
	}
	start := i + len(head)
	end := strings.Index(doc[start:], "\n\n")
	if end < 0 {
		end = len(doc) - start
	}
	return doc[:start] + rows + doc[start+end+1:]
}
