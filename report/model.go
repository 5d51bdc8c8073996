// Package report builds the reviewer checklist of a submission: the
// interview guide's review areas, each with checklist items whose status is
// decided from rule findings and from signals read off the files (tests,
// README, dependencies...), with evidence and a follow-up interview
// question. It renders the checklist as Markdown or one self-contained HTML
// page, and grades many submissions side by side.
package report

import (
	"strconv"
	"time"

	"github.com/rubric-dev/rubric/analyzer"
)

// Status of a checklist item.
type Status string

// The statuses, in the order a reviewer reads them. An item is met only
// with positive evidence; not observed means rubric found neither a
// problem nor that evidence, which counts as not met for items that
// require something (ItemSpec.Requires); not applicable means there is no
// code to judge.
const (
	NotMet        Status = "not-met"
	NotObserved   Status = "not-observed"
	Met           Status = "met"
	NotApplicable Status = "not-applicable"
)

// Label is the status as printed.
func (s Status) Label() string {
	switch s {
	case Met:
		return "met"
	case NotMet:
		return "not met"
	case NotApplicable:
		return "not applicable"
	case NotObserved:
		return "not observed"
	}
	return string(s)
}

// Mark is a one-character marker for tables.
func (s Status) Mark() string {
	switch s {
	case Met:
		return "✅"
	case NotMet:
		return "❌"
	case NotApplicable:
		return "➖"
	}
	return "❔"
}

// Header describes the submission.
type Header struct {
	Name          string
	Files         int // files in the submission (all kinds)
	PythonFiles   int
	PythonLines   int
	TestFiles     int
	Migrations    int
	Models        int
	SyntaxErrors  int
	Findings      int
	RubricVersion string
	AnalysedAt    time.Time
	Checklist     string // name of the checklist used
}

// Evidence is one location backing a status: a path:line and the code line.
type Evidence struct {
	Path string `json:"path"`
	Line int    `json:"line,omitempty"`
	Code string `json:"code,omitempty"` // the source line, trimmed
	Note string `json:"note,omitempty"` // the finding's message or what the signal saw
	Rule string `json:"rule,omitempty"` // rule code when the evidence is a finding
	// Severity is the finding's severity ("" for signal evidence).
	Severity string `json:"severity,omitempty"`
	// Suppressed names the candidate's comment that would have hidden
	// this finding ("config/settings.py:1 # noqa: SEC006").
	Suppressed string `json:"suppressed,omitempty"`
	// Also are the places of the repeats collapsed into this finding
	// ("config/settings.py:15"), see analyzer.Aggregate.
	Also []string `json:"also,omitempty"`

	sev      analyzer.Severity
	category analyzer.Category
}

// Location is "path:line" ("path" when the line is unknown).
func (e Evidence) Location() string {
	if e.Line > 0 {
		return e.Path + ":" + strconv.Itoa(e.Line)
	}
	return e.Path
}

// Item is one evaluated checklist item.
type Item struct {
	ID       string
	Title    string
	Status   Status
	Reason   string     // one line: why this status
	Evidence []Evidence // shown, at most MaxEvidence
	More     int        // evidence not shown
	Question string     // follow-up question for the interview ("" for none)
	Weight   float64
	// Requires marks items that ask for something to be present (a
	// breaker, an idempotency key...): not observed counts as not met.
	Requires bool
}

// Counted is the status the bands count: a required item not observed is
// not met.
func (it Item) Counted() Status {
	if it.Status == NotObserved && it.Requires {
		return NotMet
	}
	return it.Status
}

// Area is one review area with its items.
type Area struct {
	ID       string
	Title    string
	Source   string // where in the guide the area comes from
	Category string // the scoring-matrix category it feeds
	Items    []Item
	Counts   Counts
	Band     Band
}

// Counts are item statuses per area or category. NotObserved counts every
// item not observed; RequiredNotObserved those among them that require
// something (and so count as not met in the bands).
type Counts struct {
	Met, NotMet, NotObserved, NotApplicable int
	RequiredNotObserved                     int
	Evidence                                int // evidence lines (findings and signals)
}

// Add accumulates another count.
func (c *Counts) Add(o Counts) {
	c.Met += o.Met
	c.NotMet += o.NotMet
	c.NotObserved += o.NotObserved
	c.NotApplicable += o.NotApplicable
	c.RequiredNotObserved += o.RequiredNotObserved
	c.Evidence += o.Evidence
}

// Decided is met + not met + required items not observed.
func (c Counts) Decided() int { return c.Met + c.NotMet + c.RequiredNotObserved }

// Band is a suggested score on the guide's 1-5 scale: a starting point for
// the human decision, never a verdict.
type Band struct {
	Low, High int    // 0 when nothing was decided
	Label     string // "3 Adequate"; "no evidence" when nothing was decided
	// Cap says why the band was lowered: a high-severity security or
	// correctness finding ("SEC006 at config/settings.py:1"); "" when not.
	// CapAt is the highest band it allows.
	Cap   string
	CapAt int
}

// Category is one row of the scoring matrix with what rubric saw for it.
type Category struct {
	ID       string
	Title    string
	Weight   float64 // percent
	MinScore int
	Notes    string
	Areas    []string // area titles feeding it
	Counts   Counts
	Band     Band
}

// Report is the filled-in checklist of one submission.
type Report struct {
	Header     Header
	Areas      []Area
	Categories []Category
	Signals    []Signal
	Skipped    []string // archive entries or files not analysed, with the reason
	Unmapped   []Evidence
	// Suppressions are the suppression comments found in the submission
	// and what each would hide; Respected says whether the findings they
	// hide were left out of the checklist (--respect-suppressions).
	Suppressions []Suppression
	Respected    bool
	// Endpoints is the endpoint inventory: every route, who may call it
	// and what it does (semantic.Surface), in its order.
	Endpoints []Endpoint
	// Models is the project's model graph, for the diagram.
	Models []ModelNode
	// NotJudged says which migrations the deploy-safety rules left alone
	// and why ("" when all were judged).
	NotJudged string

	identities []string // git authors and README title, for Anonymize
}

// Suppression is one suppression comment of the submission.
type Suppression struct {
	Evidence            // where the comment is, and its text
	Kind     string     `json:"kind"`            // noqa, ignore, ignore-file
	Codes    []string   `json:"codes,omitempty"` // empty: every code
	Hides    []Evidence `json:"hides,omitempty"` // the findings it silences
}

// ModelNode is one model of the diagram with its relations.
type ModelNode struct {
	App, Name string
	Path      string
	Line      int
	Relations []ModelEdge
}

// ModelEdge is a relation field to another model ("app.Model").
type ModelEdge struct {
	Field, Kind, To string
}

func itoa(n int) string { return strconv.Itoa(n) }
