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

// TestWebhookGolden is the end-to-end Markdown and JSON of the webhook
// sample: its endpoint table, and the two items the endpoint inventory
// decides (a verified receiver whose comparison leaks timing, SEC001; the
// only endpoint that changes state authorised by its signature).
func TestWebhookGolden(t *testing.T) {
	r := analyze(t, "webhook")
	var md, js bytes.Buffer
	require.NoError(t, report.WriteMarkdown(&md, r))
	require.NoError(t, report.WriteJSON(&js, r))
	golden(t, "checklist-webhook.md", md.Bytes())
	golden(t, "checklist-webhook.json", js.Bytes())

	wh := item(r, "webhook-signatures")
	assert.Equal(t, report.NotMet, wh.Status)
	require.NotEmpty(t, wh.Evidence)
	assert.Equal(t, "webhooks/views.py:22", wh.Evidence[0].Location())
	assert.Equal(t, "SEC001", wh.Evidence[0].Rule)
	// The receiver verifies its deliveries, but `recent` serves every
	// merchant's events to anyone: rows are not shown scoped, so the item
	// is not observed, cited at that view (met before session 10).
	auth := item(r, "endpoints-authorised")
	assert.Equal(t, report.NotObserved, auth.Status)
	require.NotEmpty(t, auth.Evidence)
	assert.Equal(t, "webhooks/views.py:37", auth.Evidence[0].Location(), "the events served to anyone")
	require.Len(t, r.Endpoints, 2)
	assert.Equal(t, "authorised", r.Endpoints[0].Access)
	assert.Equal(t, "", r.Endpoints[1].Access, "a read-only view")
}

// The guide sample, item by item, as a reviewer grading it marks each
// (met, not met, not observed, not applicable), with why. Not observed is
// the reviewer's "no evidence either way"; for items that require
// something it counts as not met in the bands.
var galileoByReviewer = map[string]report.Status{
	"parses":                report.Met,           // 12 files, all parse
	"no-print-logging":      report.NotMet,        // print() in a Celery task
	"type-hints":            report.NotMet,        // none of the 4 public functions annotated
	"docstrings":            report.NotMet,        // none documented
	"settings-from-env":     report.NotMet,        // SECRET_KEY and the API key in settings.py
	"async-side-effects":    report.NotObserved,   // one task, which only prints: nothing in it can hang (CEL002 is silent), nothing shows it bounded either
	"design-other":          report.NotObserved,   // every design rule answers for a more specific item
	"security-other":        report.NotMet,        // ALLOWED_HOSTS = ["*"]
	"migrations-present":    report.NotMet,        // 6 models, no migrations
	"migrations-safe":       report.NotApplicable, // nothing to deploy
	"tests-present":         report.NotMet,        // no tests
	"http-mocked":           report.NotApplicable, // no tests to mock in ("tests-present" is not met)
	"query-counts-asserted": report.NotMet,        // queries, no assertNumQueries
	"readme-setup":          report.NotMet,        // "pip install", nothing on running it
	"readme-tests":          report.NotMet,        // no tests: nothing for the README to say how to run
	"readme-decisions":      report.NotMet,        // no decisions written down
	"deps-pinned":           report.NotMet,        // django, requests, celery unpinned
	"runnable":              report.NotMet,        // no Docker, compose or Makefile
	"ci":                    report.NotMet,        // no CI
	"dependency-injection":  report.NotMet,        // settings read and requests called in the service
	"errors-specific":       report.NotMet,        // raise Exception / except Exception
	"retries":               report.NotMet,        // no retry policy
	"timeouts":              report.NotMet,        // requests.post without timeout
	"integration-other":     report.NotMet,        // only status 200 checked
	"circuit-breaker":       report.NotMet,        // no breaker
	"idempotency":           report.NotMet,        // account creation without a key
	"transactions":          report.NotMet,        // task queued after a write, no transaction
	"structured-logging":    report.NotMet,        // f-string log message, no context
	"webhook-signatures":    report.NotApplicable, // no webhook
	"replay-protection":     report.NotApplicable, // no webhook
	"endpoints-authorised":  report.NotApplicable, // one view, and it only reads
	"no-n-plus-one":         report.NotMet,        // the guide's two N+1 snippets
	"pagination":            report.NotMet,        // the transaction list returns every row
	"indexes":               report.NotObserved,   // no index declared (the guide wants user_id, created_at): counts as not met
	"orm-other":             report.NotObserved,   // the other ORM rules found nothing in its seven queries: silence is no evidence
	"no-provable-crashes":   report.NotMet,        // user.profile read per user: a user without a profile stops the loop
	"money-decimal":         report.Met,           // Transaction.amount is a DecimalField
	"caching":               report.NotObserved,   // no caching, none required
}

func TestGalileoAsAReviewerMarksIt(t *testing.T) {
	r := analyze(t, "galileo")
	assert.Equal(t, galileoByReviewer, statuses(r))
	// Required items not observed count as not met.
	assert.True(t, item(r, "indexes").Requires)
	assert.Equal(t, report.NotMet, item(r, "indexes").Counted())
	assert.Equal(t, report.NotObserved, item(r, "caching").Counted())

	// Every met item cites evidence that shows it, or a count.
	for _, a := range r.Areas {
		for _, it := range a.Items {
			if it.Status == report.Met {
				assert.Contains(t, it.Reason, "signals: ", it.ID)
			}
		}
	}
	// The N+1 evidence includes the performance exercise's loop, and the
	// question is built from the first finding, with no invented scenario.
	n1 := item(r, "no-n-plus-one")
	var locs []string
	for _, e := range n1.Evidence {
		locs = append(locs, e.Location()+" "+e.Code)
	}
	assert.Contains(t, locs, "transactions/views.py:10 merchant = Merchant.objects.get(id=transaction.merchant_id)")
	assert.Contains(t, n1.Question, "`"+n1.Evidence[0].Location()+"`: "+n1.Evidence[0].Note)
	assert.NotContains(t, n1.Question, "transactions")
	// The index question points at a lookup, not at any ORM call.
	assert.Contains(t, item(r, "indexes").Question, "Transaction.objects.filter(user_id=user_id)")
	// The secrets question is built from the heaviest finding: a secret.
	sec := item(r, "settings-from-env")
	assert.Equal(t, "SEC006", sec.Evidence[0].Rule)
	assert.Contains(t, sec.Question, "config/settings.py:1")

	assert.Equal(t, 6, r.Header.Models)
	assert.Equal(t, 0, r.Header.Migrations)
	assert.Equal(t, 0, r.Header.TestFiles)
}

// Questions fit the finding they cite: DEBUG = True is not a secret.
func TestQuestionPerRule(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "config"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "config", "settings.py"), []byte("import os\nDEBUG = True\nSECRET_KEY = os.environ[\"K\"]\n"), 0o644))
	// SEC007 is off by default: a reviewer who turns it on gets a
	// question about DEBUG, not about a secret.
	var rules []*analyzer.Rule
	for _, r := range all.Rules() {
		if r.Code == "SEC007" {
			on := *r
			on.NonDefault = false
			r = &on
		}
		rules = append(rules, r)
	}
	r, err := report.Analyze(context.Background(), dir, rules, 1, report.Options{Now: fixedNow})
	require.NoError(t, err)
	it := item(r, "settings-from-env")
	require.Equal(t, report.NotMet, it.Status)
	assert.Equal(t, "SEC007", it.Evidence[0].Rule)
	assert.NotContains(t, it.Question, "secret")
	assert.Contains(t, it.Question, "`DEBUG = True` in the settings module itself")
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
		if s == report.NotObserved {
			assert.False(t, item(r, id).Requires, "%s: a required item not observed counts as not met", id)
		}
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
		{Code: "ORM099", Name: "len-of-queryset", Category: analyzer.Performance},
		{Code: "NET001", Name: "http-call-without-timeout", Category: analyzer.Resilience},
		{Code: "NET004", Name: "no-retry-policy", Category: analyzer.Resilience},
		{Code: "IDM001", Name: "payment-call-without-idempotency-key", Category: analyzer.DataIntegrity},
		{Code: "TXN001", Name: "side-effect-before-commit", Category: analyzer.DataIntegrity},
		{Code: "ZZZ001", Name: "brand-new", Category: analyzer.Design},
	}
	res := synthetic(t, rules,
		analyzer.Diagnostic{Code: "ORM001", Range: analyzer.Range{Start: 85, End: 95}, Message: "`t.merchant` loaded per row"},
		analyzer.Diagnostic{Code: "ORM099", Range: analyzer.Range{Start: 44, End: 50}, Message: "len() of a queryset"},
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
	assert.Equal(t, "`app/views.py:5`: `t.merchant` loaded per row. How many queries does this run for 1,000 rows, and how would you prove it in a test?", n1.Question)

	assert.Equal(t, report.NotMet, st["orm-other"], "ORM099 falls to the ORM prefix item")
	assert.Len(t, item(r, "orm-other").Evidence, 1, "ORM001 is not counted twice")
	assert.Equal(t, report.NotMet, st["design-other"], "an unknown family lands by category")
	assert.Empty(t, r.Unmapped)

	// Items whose rules ran and found nothing are met only with positive
	// evidence; without it they are not observed. Items whose signals do
	// not hold do not apply.
	assert.Equal(t, report.NotObserved, st["retries"], "NET004 ran, silent, but no retry policy is seen")
	assert.Equal(t, report.NotObserved, st["idempotency"], "IDM001 ran, silent, but no key is seen")
	assert.Equal(t, report.NotObserved, st["circuit-breaker"], "no breaker rule, no breaker")
	assert.Equal(t, report.NotObserved, st["timeouts"], "NET001 ran, silent, but no timeout= is seen")
	assert.Equal(t, report.NotApplicable, st["migrations-safe"], "no migrations in the synthetic project")
	assert.Contains(t, item(r, "circuit-breaker").Reason, "no rule of this run checks it")
}

// The "no other" items answer only for the rules no more specific item
// claims: no "met" under "not met" for the same codes.
func TestCatchAllReasonsNameOnlyTheirRules(t *testing.T) {
	r := analyze(t, "galileo-strong")
	reason := item(r, "orm-other").Reason + item(r, "integration-other").Reason
	for _, code := range []string{"ORM001", "ORM003", "ORM006", "ORM007", "NET001", "NET004", "NET005"} {
		assert.NotContains(t, reason, code)
	}
	assert.Contains(t, item(r, "integration-other").Reason, "NET006")
}

func TestNotObservedWhenNoRule(t *testing.T) {
	res := synthetic(t, nil)
	r := report.Build(res, report.CollectSignals("", "", res), report.Options{Now: fixedNow})
	it := item(r, "orm-other")
	assert.Equal(t, report.NotObserved, it.Status)
	assert.Equal(t, "no rule of this run checks it", it.Reason)
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
	for _, bad := range []string{"<script", "<link", "src=", "http://", "https://", "@import"} {
		assert.NotContains(t, h, bad)
	}
	// url() only for the diagram's own arrow marker, inside the page.
	assert.Equal(t, strings.Count(h, "url(#"), strings.Count(h, "url("))
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

func TestBandCapChecklist(t *testing.T) {
	base := "[[area]]\nid=\"a\"\ntitle=\"A\"\n[[item]]\nid=\"x\"\narea=\"a\"\ntitle=\"X\"\nrules=[\"ERR\"]\n"
	for src, want := range map[string]string{
		"[band_cap]\nseverity=\"loud\"\nband=2\n" + base:                              "band_cap.severity",
		"[band_cap]\nseverity=\"error\"\nband=7\n" + base:                             "band_cap.band",
		"[band_cap]\nseverity=\"error\"\nband=2\nrule_categories=[\"nope\"]\n" + base: `band_cap: unknown rule category "nope"`,
	} {
		_, err := report.ParseChecklist([]byte(src))
		if assert.Error(t, err, src) {
			assert.Contains(t, err.Error(), want)
		}
	}
	// An item with rules and no met_when is never met: the rules' silence
	// shows no practice, so it is not observed, and says which rules ran.
	cl, err := report.ParseChecklist([]byte(base))
	require.NoError(t, err)
	res := synthetic(t, nil)
	res.Rules = append(res.Rules, &analyzer.Rule{Code: "ERR001", Name: "bare-except", Category: analyzer.ErrorHandling})
	r := report.Build(res, report.CollectSignals("", "", res), report.Options{Now: fixedNow, Checklist: cl})
	assert.Equal(t, report.NotObserved, item(r, "x").Status)
	assert.Contains(t, item(r, "x").Reason, "no findings from ERR001; rules finding nothing is not evidence")
	assert.Empty(t, item(r, "x").Evidence)
}

// A high-severity security finding caps its area and category, and says so.
func TestBandCapped(t *testing.T) {
	src := `
[band_cap]
severity = "error"
rule_categories = ["security"]
band = 2
[[category]]
id = "k"
title = "K"
weight = 100
[[area]]
id = "a"
title = "A"
category = "k"
[[item]]
id = "secret"
area = "a"
title = "No secrets"
rules = ["SEC006"]
`
	for _, id := range []string{"one", "two", "three", "four"} { // four items met
		src += "[[item]]\nid = \"" + id + "\"\narea = \"a\"\ntitle = \"" + id + "\"\nmet_when = [\"python.files\"]\n"
	}
	cl, err := report.ParseChecklist([]byte(src))
	require.NoError(t, err)
	rules := []*analyzer.Rule{{Code: "SEC006", Name: "hardcoded-secret", Category: analyzer.Security, Severity: analyzer.Error}}
	res := synthetic(t, rules, analyzer.Diagnostic{Code: "SEC006", Severity: analyzer.Error, Range: analyzer.Range{Start: 0, End: 3}, Message: "secret"})
	r := report.Build(res, report.CollectSignals("", "", res), report.Options{Now: fixedNow, Checklist: cl})
	a := r.Areas[0]
	assert.Equal(t, 4, a.Counts.Met, "4 of 5 met: 80% would suggest 4 Strong")
	assert.Equal(t, 2, a.Band.High)
	assert.Equal(t, "2 Below (capped by SEC006 (error, security) at app/views.py:1)", a.Band.Label)
	assert.Equal(t, 2, r.Categories[0].Band.High)
	assert.NotEmpty(t, r.Caps())

	// Without the cap the same findings suggest 4 Strong.
	cl.BandCap = nil
	r = report.Build(res, report.CollectSignals("", "", res), report.Options{Now: fixedNow, Checklist: cl})
	assert.Equal(t, "4 Strong", r.Areas[0].Band.Label)
}

// An info-level BUG009 remark (a DecimalField default written as a float
// literal) does not decide money-decimal: the Decimal column meets it and
// the remark is shown after it. A warning of BUG009 (a float computed
// with) still makes it not met.
func TestMoneyDecimalRemarkDoesNotDecide(t *testing.T) {
	write := func(dir, body string) {
		require.NoError(t, os.MkdirAll(filepath.Join(dir, "wallets"), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "wallets", "models.py"), []byte(body), 0o644))
	}
	model := "from django.db import models\n\n\nclass Wallet(models.Model):\n" +
		"    balance = models.DecimalField(max_digits=12, decimal_places=2, default=0.00)\n"

	held := t.TempDir()
	write(held, model)
	r, err := report.Analyze(context.Background(), held, all.Rules(), 1, report.Options{Now: fixedNow})
	require.NoError(t, err)
	it := item(r, "money-decimal")
	assert.Equal(t, report.Met, it.Status, it.Reason)
	assert.Contains(t, it.Reason, "only 1 remark of BUG009 below warning")
	assert.NotContains(t, it.Reason, "no findings from BUG009")
	require.Len(t, it.Evidence, 2)
	assert.Equal(t, "", it.Evidence[0].Rule, "the column first")
	assert.Equal(t, "BUG009", it.Evidence[1].Rule, "the remark after it")

	computed := t.TempDir()
	write(computed, model+"\n    def deposit(self, amount):\n        self.balance = float(self.balance) + float(amount)\n        self.save()\n")
	r, err = report.Analyze(context.Background(), computed, all.Rules(), 1, report.Options{Now: fixedNow})
	require.NoError(t, err)
	it = item(r, "money-decimal")
	assert.Equal(t, report.NotMet, it.Status, it.Reason)
	assert.Equal(t, "warning", it.Evidence[0].Severity)
}

// Every key of an item's per-rule questions names a rule rubric has (a
// code, or a prefix of some code) or a signal (met questions): a renamed
// rule or a typo would silently fall back to the generic question.
func TestQuestionKeysNameRulesOrSignals(t *testing.T) {
	signals := map[string]bool{}
	for _, s := range report.SignalNames() {
		signals[s[0]] = true
	}
	c := report.DefaultChecklist()
	for _, it := range c.Items {
		for key := range it.Questions {
			if signals[key] {
				continue
			}
			found := false
			for _, r := range all.Rules() {
				if strings.HasPrefix(r.Code, strings.ToUpper(key)) {
					found = true
					break
				}
			}
			assert.True(t, found, "item %s: question key %q names no rule and no signal", it.ID, key)
		}
	}
}
