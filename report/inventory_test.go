package report_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/tools/txtar"

	"github.com/rubric-dev/rubric/report"
	"github.com/rubric-dev/rubric/rules/all"
)

// inventoryRules are the rules the webhook-signatures and
// endpoints-authorised items claim: a `want-no-rules:` line checks what
// the endpoint inventory decides without them.
var inventoryRules = map[string]bool{"SEC001": true, "SEC002": true, "SEC012": true, "SEC013": true, "SEC015": true, "SEC022": true}

// TestInventoryItems runs the report over each testdata/report/*.txtar
// project and checks the items its comment expects, one line each:
//
//	want: ITEM STATUS [PATH:LINE ["TEXT"]]
//	want-no-rules: ITEM STATUS [PATH:LINE ["TEXT"]]
//
// PATH:LINE is the item's first evidence ("-" for none) and TEXT must
// appear in that evidence (its rule, code or note) or in the question.
// want-no-rules runs without the rules the two inventory items claim.
func TestInventoryItems(t *testing.T) {
	files, err := filepath.Glob("../testdata/report/*.txtar")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, dir := unpackTxtar(t, file)
			reports := map[bool]*report.Report{}
			n := 0
			for _, line := range strings.Split(string(ar.Comment), "\n") {
				noRules := strings.HasPrefix(line, "want-no-rules: ")
				if !noRules && !strings.HasPrefix(line, "want: ") {
					continue
				}
				n++
				id, status, loc, text := parseWant(t, line[strings.Index(line, ":")+2:])
				r := reports[noRules]
				if r == nil {
					rules := all.Rules()
					if noRules {
						rules = nil
						for _, rule := range all.Rules() {
							if !inventoryRules[rule.Code] {
								rules = append(rules, rule)
							}
						}
					}
					r, err = report.Analyze(context.Background(), dir, rules, 1, report.Options{Now: fixedNow})
					require.NoError(t, err)
					reports[noRules] = r
				}
				it := item(r, id)
				require.Equal(t, id, it.ID, "no item %s", id)
				if !assert.Equal(t, status, string(it.Status), "%s: %s (%s)", line, it.Reason, evidenceText(it)) {
					continue
				}
				if loc == "" {
					continue
				}
				if loc == "-" {
					assert.Empty(t, it.Evidence, line)
					continue
				}
				if assert.NotEmpty(t, it.Evidence, line) {
					e := it.Evidence[0]
					assert.Equal(t, loc, e.Location(), "%s: %s", line, evidenceText(it))
					assert.Contains(t, e.Rule+" "+e.Code+" "+e.Note+"\n"+it.Question, text, line)
				}
			}
			assert.NotZero(t, n, "no want line in %s", file)
		})
	}
}

// unpackTxtar writes a txtar archive's files into a fresh directory.
func unpackTxtar(t *testing.T, file string) (*txtar.Archive, string) {
	t.Helper()
	ar, err := txtar.ParseFile(file)
	require.NoError(t, err)
	dir := t.TempDir()
	for _, f := range ar.Files {
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, f.Data, 0o644))
	}
	return ar, dir
}

func parseWant(t *testing.T, s string) (id, status, loc, text string) {
	t.Helper()
	fields := strings.SplitN(s, " ", 4)
	require.GreaterOrEqual(t, len(fields), 2, "want: %q", s)
	id, status = fields[0], fields[1]
	if len(fields) > 2 {
		loc = fields[2]
	}
	if len(fields) > 3 {
		var err error
		text, err = strconv.Unquote(fields[3])
		require.NoError(t, err, "want: %q", s)
	}
	return id, status, loc, text
}

func evidenceText(it report.Item) string {
	var parts []string
	for _, e := range it.Evidence {
		parts = append(parts, e.Location()+" "+e.Rule+" "+e.Note)
	}
	return strings.Join(parts, "; ") + " | ask: " + it.Question
}
