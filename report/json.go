package report

import (
	"encoding/json"
	"io"
	"time"
)

// The JSON form of a report and of a batch index, for other tools: every
// item with its status, evidence and question. Fields are only ever added.

// JSONReport is one submission's checklist.
type JSONReport struct {
	Version    string         `json:"version"`
	Checklist  string         `json:"checklist"`
	Disclaimer string         `json:"disclaimer"`
	Submission JSONSubmission `json:"submission"`
	Categories []JSONCategory `json:"categories"`
	Areas      []JSONArea     `json:"areas"`
	Signals    []JSONSignal   `json:"signals"`
	// Suppressions are the candidate's suppression comments and what each
	// hides; SuppressionsRespected says whether those findings were left
	// out of the items (--respect-suppressions).
	Suppressions          []Suppression `json:"suppressions"`
	SuppressionsRespected bool          `json:"suppressions_respected"`
	Unmapped              []Evidence    `json:"findings_outside_checklist"`
	NotAnalysed           []string      `json:"not_analysed"`
	MigrationsNotJudged   string        `json:"migrations_not_judged,omitempty"`
	Models                []JSONModel   `json:"models"`
	// Endpoints is the endpoint inventory: the rows of `rubric endpoints
	// --format json`, with auth_at, verified_at and access.
	Endpoints []Endpoint `json:"endpoints"`
}

// JSONSubmission is the report's header.
type JSONSubmission struct {
	Name         string    `json:"name"`
	Files        int       `json:"files"`
	PythonFiles  int       `json:"python_files"`
	PythonLines  int       `json:"python_lines"`
	TestFiles    int       `json:"test_files"`
	Migrations   int       `json:"migrations"`
	Models       int       `json:"models"`
	SyntaxErrors int       `json:"syntax_errors"`
	Findings     int       `json:"findings"`
	AnalysedAt   time.Time `json:"analysed_at"`
}

// JSONCounts are item statuses of an area or category.
type JSONCounts struct {
	Met                 int `json:"met"`
	NotMet              int `json:"not_met"`
	NotObserved         int `json:"not_observed"`
	RequiredNotObserved int `json:"required_not_observed"`
	NotApplicable       int `json:"not_applicable"`
	Evidence            int `json:"evidence"`
}

// JSONBand is a suggested band; Cap says what capped it.
type JSONBand struct {
	Low   int    `json:"low"`
	High  int    `json:"high"`
	Label string `json:"label"`
	Cap   string `json:"cap,omitempty"`
	CapAt int    `json:"cap_at,omitempty"`
}

// JSONCategory is a row of the scoring matrix; Assessed is false for
// categories no area feeds (decided in the interview).
type JSONCategory struct {
	ID       string     `json:"id"`
	Title    string     `json:"title"`
	Weight   float64    `json:"weight"`
	MinScore int        `json:"min_score"`
	Assessed bool       `json:"assessed"`
	Counts   JSONCounts `json:"counts"`
	Band     JSONBand   `json:"band"`
}

// JSONArea is a review area with its items.
type JSONArea struct {
	ID       string     `json:"id"`
	Title    string     `json:"title"`
	Source   string     `json:"source"`
	Category string     `json:"category"`
	Counts   JSONCounts `json:"counts"`
	Band     JSONBand   `json:"band"`
	Items    []JSONItem `json:"items"`
}

// JSONItem is one checklist item. Status is met, not-met, not-observed or
// not-applicable; CountedAs is how the bands count it (a required item
// not observed counts as not-met).
type JSONItem struct {
	ID        string     `json:"id"`
	Title     string     `json:"title"`
	Status    Status     `json:"status"`
	CountedAs Status     `json:"counted_as"`
	Requires  bool       `json:"requires"`
	Weight    float64    `json:"weight"`
	Reason    string     `json:"reason"`
	Evidence  []Evidence `json:"evidence"`
	More      int        `json:"more_evidence"`
	Question  string     `json:"question,omitempty"`
}

// JSONSignal is one signal.
type JSONSignal struct {
	Name     string     `json:"name"`
	Value    float64    `json:"value"`
	Display  string     `json:"display"`
	Doc      string     `json:"doc"`
	Evidence []Evidence `json:"evidence"`
}

// JSONModel is a model of the diagram.
type JSONModel struct {
	App       string      `json:"app"`
	Name      string      `json:"name"`
	Path      string      `json:"path"`
	Line      int         `json:"line"`
	Relations []ModelEdge `json:"relations"`
}

func jsonCounts(c Counts) JSONCounts {
	return JSONCounts{Met: c.Met, NotMet: c.NotMet, NotObserved: c.NotObserved, RequiredNotObserved: c.RequiredNotObserved,
		NotApplicable: c.NotApplicable, Evidence: c.Evidence}
}

func jsonBand(b Band) JSONBand {
	return JSONBand{Low: b.Low, High: b.High, Label: b.Label, Cap: b.Cap, CapAt: b.CapAt}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// JSON converts the report.
func (r *Report) JSON() JSONReport {
	h := r.Header
	out := JSONReport{Version: h.RubricVersion, Checklist: h.Checklist, Disclaimer: Disclaimer,
		Submission: JSONSubmission{Name: h.Name, Files: h.Files, PythonFiles: h.PythonFiles, PythonLines: h.PythonLines,
			TestFiles: h.TestFiles, Migrations: h.Migrations, Models: h.Models, SyntaxErrors: h.SyntaxErrors,
			Findings: h.Findings, AnalysedAt: h.AnalysedAt},
		Suppressions: nonNil(r.Suppressions), SuppressionsRespected: r.Respected, Unmapped: nonNil(r.Unmapped),
		NotAnalysed: nonNil(r.Skipped), MigrationsNotJudged: r.NotJudged, Categories: []JSONCategory{}, Areas: []JSONArea{},
		Signals: []JSONSignal{}, Models: []JSONModel{}, Endpoints: nonNil(r.Endpoints)}
	for _, c := range r.Categories {
		out.Categories = append(out.Categories, JSONCategory{ID: c.ID, Title: c.Title, Weight: c.Weight, MinScore: c.MinScore,
			Assessed: len(c.Areas) > 0, Counts: jsonCounts(c.Counts), Band: jsonBand(c.Band)})
	}
	for _, a := range r.Areas {
		ja := JSONArea{ID: a.ID, Title: a.Title, Source: a.Source, Category: a.Category, Counts: jsonCounts(a.Counts),
			Band: jsonBand(a.Band), Items: []JSONItem{}}
		for _, it := range a.Items {
			ja.Items = append(ja.Items, JSONItem{ID: it.ID, Title: it.Title, Status: it.Status, CountedAs: it.Counted(),
				Requires: it.Requires, Weight: it.Weight, Reason: it.Reason, Evidence: nonNil(it.Evidence), More: it.More,
				Question: it.Question})
		}
		out.Areas = append(out.Areas, ja)
	}
	for _, s := range r.Signals {
		out.Signals = append(out.Signals, JSONSignal{Name: s.Name, Value: s.Value, Display: displayOf(&s), Doc: s.Doc, Evidence: nonNil(s.Evidence)})
	}
	for _, m := range r.Models {
		out.Models = append(out.Models, JSONModel{App: m.App, Name: m.Name, Path: m.Path, Line: m.Line, Relations: nonNil(m.Relations)})
	}
	return out
}

// WriteJSON renders the report as indented JSON.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r.JSON())
}

// JSONIndex is a batch: one row per submission, in input order.
type JSONIndex struct {
	Version    string         `json:"version"`
	Checklist  string         `json:"checklist"`
	Disclaimer string         `json:"disclaimer"`
	At         time.Time      `json:"analysed_at"`
	Areas      []JSONAreaHead `json:"areas"`
	Rows       []JSONRow      `json:"submissions"`
}

// JSONAreaHead names an area of the index's columns.
type JSONAreaHead struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// JSONRow is one submission of the index: its error, or its completion,
// counts, bands and item statuses (the full report is Report, the file
// beside the index).
type JSONRow struct {
	Label      string            `json:"label"`
	Report     string            `json:"report,omitempty"` // <slug>.json
	Error      string            `json:"error,omitempty"`
	Met        int               `json:"met"`
	Applicable int               `json:"applicable"`
	Findings   int               `json:"findings"`
	Areas      []JSONRowArea     `json:"areas"`
	Items      map[string]Status `json:"items"`
	KeyFinding []string          `json:"key_findings"`
}

// JSONRowArea is an area's counts and band for one submission.
type JSONRowArea struct {
	ID     string     `json:"id"`
	Counts JSONCounts `json:"counts"`
	Band   JSONBand   `json:"band"`
}

// JSON converts the index.
func (ix *Index) JSON() JSONIndex {
	out := JSONIndex{Version: ix.Version, Checklist: ix.Checklist, Disclaimer: Disclaimer, At: ix.At, Areas: []JSONAreaHead{}, Rows: []JSONRow{}}
	for _, a := range ix.Areas {
		out.Areas = append(out.Areas, JSONAreaHead{ID: a.ID, Title: a.Title})
	}
	for _, g := range ix.Rows {
		row := JSONRow{Label: g.Label, Error: g.Err, Areas: []JSONRowArea{}, Items: map[string]Status{}, KeyFinding: nonNil(g.KeyFindings(5))}
		if g.Report != nil {
			row.Report = g.Slug + ".json"
			row.Met, row.Applicable = g.Completion()
			row.Findings = g.Report.Header.Findings
			for _, a := range g.Report.Areas {
				row.Areas = append(row.Areas, JSONRowArea{ID: a.ID, Counts: jsonCounts(a.Counts), Band: jsonBand(a.Band)})
				for _, it := range a.Items {
					row.Items[it.ID] = it.Status
				}
			}
		}
		out.Rows = append(out.Rows, row)
	}
	return out
}

// WriteIndexJSON renders the index as indented JSON.
func WriteIndexJSON(w io.Writer, ix *Index) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(ix.JSON())
}
