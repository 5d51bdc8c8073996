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
)

// Status of a checklist item.
type Status string

// The statuses, in the order a reviewer reads them.
const (
	NotMet        Status = "not-met"
	NeedsHuman    Status = "needs-human"
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
	case NeedsHuman:
		return "needs a human"
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
	return "❓"
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
	Line int    `json:"line"`
	Code string `json:"code,omitempty"` // the source line, trimmed
	Note string `json:"note,omitempty"` // the finding's message or what the signal saw
	Rule string `json:"rule,omitempty"` // rule code when the evidence is a finding
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

// Counts are item statuses per area or category.
type Counts struct {
	Met, NotMet, NeedsHuman, NotApplicable int
	Evidence                               int // evidence lines (findings and signals)
}

// Add accumulates another count.
func (c *Counts) Add(o Counts) {
	c.Met += o.Met
	c.NotMet += o.NotMet
	c.NeedsHuman += o.NeedsHuman
	c.NotApplicable += o.NotApplicable
	c.Evidence += o.Evidence
}

// Decided is met + not met.
func (c Counts) Decided() int { return c.Met + c.NotMet }

// Band is a suggested score on the guide's 1-5 scale: a starting point for
// the human decision, never a verdict.
type Band struct {
	Low, High int    // 0 when nothing was decided
	Label     string // "3 - Adequate"; "no evidence" when nothing was decided
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

	identities []string // git authors and README title, for Anonymize
}

func itoa(n int) string { return strconv.Itoa(n) }
