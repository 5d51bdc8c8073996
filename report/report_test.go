package report_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/report"
	"github.com/rubric-dev/rubric/rules/all"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var fixedNow = func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }

const submissions = "../testdata/submissions/"

func analyze(t *testing.T, name string) *report.Report {
	t.Helper()
	r, err := report.Analyze(context.Background(), submissions+name, all.Rules(), 1, report.Options{Version: "test", Now: fixedNow})
	require.NoError(t, err)
	return r
}

func statuses(r *report.Report) map[string]report.Status {
	m := map[string]report.Status{}
	for _, a := range r.Areas {
		for _, it := range a.Items {
			m[it.ID] = it.Status
		}
	}
	return m
}

func item(r *report.Report, id string) report.Item {
	for _, a := range r.Areas {
		for _, it := range a.Items {
			if it.ID == id {
				return it
			}
		}
	}
	return report.Item{}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("..", "testdata", "golden", name)
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run `go test ./report -update` to create it")
	assert.Equal(t, string(want), string(got), "golden %s differs; review, then rerun with -update", name)
}

// TestGalileoGolden is the end-to-end Markdown of the guide's sample.
func TestGalileoGolden(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, report.WriteMarkdown(&buf, analyze(t, "galileo")))
	golden(t, "checklist-galileo.md", buf.Bytes())
}

// The guide sample: what the signals can see is not met, with evidence and
// a question tied to it.
func TestGalileoWeak(t *testing.T) {
	r := analyze(t, "galileo")
	st := statuses(r)
	for _, id := range []string{"tests-present", "http-mocked", "query-counts-asserted", "migrations-present",
		"settings-from-env", "readme-decisions", "deps-pinned", "no-print-logging", "timeouts", "errors-specific",
		"structured-logging", "retries", "idempotency", "transactions", "dependency-injection", "circuit-breaker",
		"no-n-plus-one", "pagination"} {
		assert.Equal(t, report.NotMet, st[id], id)
	}
	// Every expected improvement of the guide that a landed rule can see is
	// "not met" with evidence; the N+1 evidence includes the performance
	// exercise's loop, and the question names the first place found.
	n1 := item(r, "no-n-plus-one")
	require.NotEmpty(t, n1.Evidence)
	var locs []string
	for _, e := range n1.Evidence {
		locs = append(locs, e.Location()+" "+e.Code)
	}
	assert.Contains(t, locs, "transactions/views.py:10 merchant = Merchant.objects.get(id=transaction.merchant_id)")
	assert.Contains(t, n1.Question, "`"+n1.Evidence[0].Location()+"`")
	assert.Contains(t, n1.Question, "1,000 transactions")
	sec := item(r, "settings-from-env")
	assert.Contains(t, sec.Question, "config/settings.py:1")

	assert.Equal(t, 6, r.Header.Models)
	assert.Equal(t, 0, r.Header.Migrations)
	assert.Equal(t, 0, r.Header.TestFiles)
}

// The corrected sample: the same items met.
func TestGalileoStrong(t *testing.T) {
	r := analyze(t, "galileo-strong")
	st := statuses(r)
	for _, id := range []string{"parses", "no-print-logging", "type-hints", "docstrings", "settings-from-env",
		"migrations-present", "tests-present", "http-mocked", "query-counts-asserted", "readme-setup", "readme-tests",
		"readme-decisions", "deps-pinned", "runnable", "ci", "dependency-injection", "errors-specific", "retries",
		"timeouts", "circuit-breaker", "idempotency", "transactions", "structured-logging", "no-n-plus-one",
		"pagination", "indexes"} {
		assert.Equal(t, report.Met, st[id], id)
	}
	for id, s := range st {
		assert.NotEqual(t, report.NotMet, s, id)
	}
	assert.Equal(t, 2, r.Header.Migrations)
	assert.Equal(t, 6, r.Header.Models)
	assert.Equal(t, 2, r.Header.TestFiles)
}

func TestSyntaxErrors(t *testing.T) {
	r := analyze(t, "galileo-syntax")
	assert.Equal(t, 2, r.Header.SyntaxErrors)
	it := item(r, "parses")
	assert.Equal(t, report.NotMet, it.Status)
	require.NotEmpty(t, it.Evidence)
	assert.Equal(t, "SYN001", it.Evidence[0].Rule)
	assert.Contains(t, it.Question, "does not parse")
}

// synthetic builds a result as a later build would produce it: a real run
// over a small project, plus rules that do not exist in this branch and
// their findings (positioned by byte offsets into app/views.py).
func synthetic(t *testing.T, rules []*analyzer.Rule, diags ...analyzer.Diagnostic) *analyzer.Result {
	t.Helper()
	dir := t.TempDir()
	src := "import requests\n\ndef view(request):\n    for t in Transaction.objects.all():\n        print(t.merchant.name)\n    requests.post(URL)\n"
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "app"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "app", "views.py"), []byte(src), 0o644))
	res, err := analyzer.Run(context.Background(), analyzer.Config{Rules: analyzer.BuiltinRules(), Jobs: 1, WorkDir: dir}, []string{dir})
	require.NoError(t, err)
	f := res.Files["app/views.py"]
	require.NotNil(t, f)
	for i := range diags {
		d := &diags[i]
		d.Path = "app/views.py"
		d.Pos = f.Position(d.Start)
		for _, r := range rules {
			if r.Code == d.Code {
				d.Name, d.Category = r.Name, r.Category
			}
		}
	}
	res.Rules = append(res.Rules, rules...)
	res.Diagnostics = append(res.Diagnostics, diags...)
	return res
}

func TestSyntheticRulesMapByCodePrefixNameAndCategory(t *testing.T) {
	rules := []*analyzer.Rule{
		{Code: "ORM001", Name: "n-plus-one-query", Category: analyzer.Performance},
		{Code: "ORM007", Name: "unbounded-list-endpoint", Category: analyzer.Performance},
		{Code: "ORM009", Name: "len-of-queryset", Category: analyzer.Performance},
		{Code: "NET001", Name: "http-call-without-timeout", Category: analyzer.Resilience},
		{Code: "NET004", Name: "no-retry-policy", Category: analyzer.Resilience},
		{Code: "IDM001", Name: "payment-call-without-idempotency-key", Category: analyzer.DataIntegrity},
		{Code: "TXN001", Name: "side-effect-before-commit", Category: analyzer.DataIntegrity},
		{Code: "ZZZ001", Name: "brand-new", Category: analyzer.Design},
	}
	res := synthetic(t, rules,
		analyzer.Diagnostic{Code: "ORM001", Range: analyzer.Range{Start: 85, End: 95}, Message: "`t.merchant` loaded per row"},
		analyzer.Diagnostic{Code: "ORM009", Range: analyzer.Range{Start: 44, End: 50}, Message: "len() of a queryset"},
		analyzer.Diagnostic{Code: "ZZZ001", Range: analyzer.Range{Start: 0, End: 3}, Message: "something new"},
	)
	root, prefix := report.RootOf(res)
	sig := report.CollectSignals(root, prefix, res)
	r := report.Build(res, sig, report.Options{Name: "synthetic", Now: fixedNow})
	st := statuses(r)

	n1 := item(r, "no-n-plus-one")
	assert.Equal(t, report.NotMet, n1.Status, "claimed by name glob")
	require.Len(t, n1.Evidence, 1)
	assert.Equal(t, "app/views.py:5", n1.Evidence[0].Location())
	assert.Equal(t, "print(t.merchant.name)", n1.Evidence[0].Code)
	assert.Equal(t, "How many queries does `app/views.py:5` run for a user with 1,000 transactions? How would you prove it in a test?", n1.Question)

	assert.Equal(t, report.NotMet, st["orm-other"], "ORM009 falls to the ORM prefix item")
	assert.Len(t, item(r, "orm-other").Evidence, 1, "ORM001 is not counted twice")
	assert.Equal(t, report.NotMet, st["design-other"], "an unknown family lands by category")
	assert.Empty(t, r.Unmapped)

	// Items whose rules ran and found nothing are met; items whose rules do
	// not exist need a human; items whose signals do not hold do not apply.
	assert.Equal(t, report.Met, st["pagination"], "ORM007 ran, silent")
	assert.Equal(t, report.Met, st["retries"], "NET004 ran, silent")
	assert.Equal(t, report.Met, st["idempotency"], "IDM001 ran, silent")
	assert.Equal(t, report.NeedsHuman, st["circuit-breaker"], "no breaker rule")
	assert.Equal(t, report.Met, st["timeouts"], "NET001 ran, silent: a rule that ran outranks the signals")
	assert.Equal(t, report.NotApplicable, st["migrations-safe"], "no migrations in the synthetic project")
}

func TestNeedsHumanWhenNoRule(t *testing.T) {
	res := synthetic(t, nil)
	r := report.Build(res, report.CollectSignals("", "", res), report.Options{Now: fixedNow})
	it := item(r, "orm-other")
	assert.Equal(t, report.NeedsHuman, it.Status)
	assert.Equal(t, "no rule of this build checks it", it.Reason)
}

func TestChecklistFile(t *testing.T) {
	_, err := report.ParseChecklist([]byte(`
[[area]]
id = "a"
title = "A"
[[item]]
id = "x"
area = "a"
title = "X"
met_when = ["tests.functions >= 3 and readme.test"]
`))
	require.NoError(t, err)

	for src, want := range map[string]string{
		`[[item]]` + "\nid=\"x\"\narea=\"nope\"\ntitle=\"X\"":                                             `unknown area "nope"`,
		"[[area]]\nid=\"a\"\n[[item]]\nid=\"x\"\narea=\"a\"\ntitle=\"X\"\nmet_when=[\"tests.nope\"]":      `unknown signal "tests.nope"`,
		"[[area]]\nid=\"a\"\n[[item]]\nid=\"x\"\narea=\"a\"\ntitle=\"X\"\nmet_when=[\"tests.files ~ 3\"]": `unknown operator`,
		"[[area]]\nid=\"a\"\n[[item]]\nid=\"x\"\narea=\"a\"\ntitle=\"X\"\nmet_whenn=[\"tests.files\"]":    `line 7: unknown key "item.met_whenn" (did you mean "met_when"?)`,
		"[[area]]\nid=\"a\"\ncategory=\"zz\"":                                                             `unknown category "zz"`,
	} {
		_, err := report.ParseChecklist([]byte(src))
		if assert.Error(t, err, src) {
			assert.Contains(t, err.Error(), want)
		}
	}
	// A file's errors name the file and the line, types included.
	p := filepath.Join(t.TempDir(), "checklist.toml")
	require.NoError(t, os.WriteFile(p, []byte("name = \"x\" # [not a table\n[[area]]\nid = \"a\"\nweight = \"heavy\"\n"), 0o644))
	_, err = report.LoadChecklist(p)
	require.Error(t, err)
	assert.Equal(t, p+`:4: unknown key "area.weight"`, err.Error())
	require.NoError(t, os.WriteFile(p, []byte("[[category]]\nid = \"a\"\n\nweight = \"heavy\"\n"), 0o644))
	_, err = report.LoadChecklist(p)
	require.Error(t, err)
	assert.Contains(t, err.Error(), p+`:4: category.weight: cannot decode TOML string`)

	// The default parses and round-trips through --print-checklist.
	_, err = report.ParseChecklist(report.DefaultChecklistTOML())
	require.NoError(t, err)
}

// Every rule of the registry lands on some item, so no finding is lost when
// a family is merged.
func TestEveryRegisteredRuleIsMapped(t *testing.T) {
	var diags []analyzer.Diagnostic
	for _, r := range all.Rules() {
		diags = append(diags, analyzer.Diagnostic{Code: r.Code, Message: "x"})
	}
	res := synthetic(t, all.Rules(), diags...)
	r := report.Build(res, report.CollectSignals("", "", res), report.Options{Now: fixedNow})
	assert.Empty(t, r.Unmapped)
}

func TestHTMLSelfContained(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, report.WriteHTML(&buf, analyze(t, "galileo")))
	h := buf.String()
	for _, bad := range []string{"<script", "<link", "src=", "http://", "url("} {
		assert.NotContains(t, h, bad)
	}
	assert.Contains(t, h, "@media print")
	assert.Contains(t, h, `name="viewport"`)
	assert.Contains(t, h, `data-item="no-n-plus-one"`)
	assert.True(t, strings.Count(h, `class="item `) > 30)
}

func TestPrinterFromCheckRun(t *testing.T) {
	dir, err := filepath.Abs(submissions + "galileo")
	require.NoError(t, err)
	res, err := analyzer.Run(context.Background(), analyzer.Config{Rules: all.Rules(), Jobs: 1, WorkDir: filepath.Dir(dir)}, []string{dir})
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, (&report.Printer{Version: "test"}).Print(&buf, res))
	out := buf.String()
	assert.Contains(t, out, "# Reviewer checklist: galileo")
	assert.Contains(t, out, "`galileo/README.md`", "walked files carry the run's display prefix")
	assert.Contains(t, out, "`galileo/transactions/views.py:10`")
}
