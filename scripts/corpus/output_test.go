package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPrintText(t *testing.T) {
	kinds := testKinds()
	s := &Submission{
		Slug:     "o+a",
		Defects:  []Defect{{ID: "D1", Kind: "lost-update", Severity: "high", Path: "m.py", Line: 5, Note: "balance raced"}},
		Findings: []Judgement{j("NET001", "t.py", 15, "`requests.post", "true")},
	}
	r := Score(s, []Finding{
		f("NET001", "t.py", 15, "`requests.post(...)` without `timeout=`"),
		f("SEC006", "settings.py", 3, "hard-coded secret in `SECRET_KEY` (a generated development key that is also used wherever this module is loaded)"),
	}, kinds)
	r.ReportNote = "no checklist item recognised in the Markdown report"
	results := []*SubmissionResult{r, {Slug: "o+b", Skipped: "no clone of o/b"}}

	var b strings.Builder
	PrintText(&b, results, Summarize(results), kinds, false)
	out := b.String()

	assert.Regexp(t, `(?m)^o\+b +skipped: no clone of o/b$`, out)
	assert.Contains(t, out, "Overall: 2 findings on 1 submissions: 1 true (50%), 0 noise (0%), 0 wrong (0%), 1 unjudged; precision 100% of judged")
	assert.Contains(t, out, "Recall of labelled defects: 0/1 (0%); by severity: high 0/1")
	assert.Contains(t, out, "[high] o+a m.py:5 lost-update: balance raced")
	assert.Contains(t, out, "Checklist: rubric's status against the labels: skipped (no checklist item recognised in the Markdown report)")
	// Unjudged findings come out as TOML ready to receive a verdict.
	assert.Contains(t, out, "# takehomes/o+a.toml\n[[finding]]\ncode = \"SEC006\"\npath = \"settings.py\"\nline = 3\nmessage = \"hard-coded secret in `SECRET_KEY` (a generated development\"\nverdict = \"\"\n")
}
