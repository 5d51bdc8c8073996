package printer

import (
	"encoding/json"
	"io"
	"sort"

	"github.com/rubric-dev/rubric/analyzer"
)

// JSON is the machine format; its schema is documented in the README and
// kept stable: fields are only ever added.
type JSON struct{ opts Options }

// JSONReport is the top-level object.
type JSONReport struct {
	Version     string           `json:"version"`
	Diagnostics []JSONDiagnostic `json:"diagnostics"`
	Summary     JSONSummary      `json:"summary"`
}

// JSONDiagnostic is one finding. Lines and columns are 1-based; columns
// count Unicode code points.
type JSONDiagnostic struct {
	Code       string        `json:"code"`
	Name       string        `json:"name"`
	Severity   string        `json:"severity"`
	Confidence string        `json:"confidence"`
	Category   string        `json:"category"`
	Path       string        `json:"path"`
	Line       int           `json:"line"`
	Column     int           `json:"column"`
	EndLine    int           `json:"end_line"`
	EndColumn  int           `json:"end_column"`
	Message    string        `json:"message"`
	Help       string        `json:"help"`
	Fix        *JSONFix      `json:"fix,omitempty"`
	Related    []JSONRelated `json:"related,omitempty"`
}

// JSONFix is the first suggested fix. Applicability is "safe" (applied
// by --fix), "unsafe" (only with --unsafe-fixes) or "display-only".
type JSONFix struct {
	Description   string     `json:"description"`
	Applicability string     `json:"applicability"`
	Edits         []JSONEdit `json:"edits"`
}

// JSONEdit replaces a range with content.
type JSONEdit struct {
	Path      string `json:"path"`
	Line      int    `json:"line"`
	Column    int    `json:"column"`
	EndLine   int    `json:"end_line"`
	EndColumn int    `json:"end_column"`
	Content   string `json:"content"`
}

// JSONRelated is a related location.
type JSONRelated struct {
	Path    string `json:"path"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Message string `json:"message"`
}

// JSONSummary counts what the run saw and found.
type JSONSummary struct {
	Files        int            `json:"files"`
	Lines        int            `json:"lines"`
	Findings     int            `json:"findings"`
	BySeverity   map[string]int `json:"by_severity"`
	ByCode       map[string]int `json:"by_code"`
	Suppressed   int            `json:"suppressed"`
	Unreadable   int            `json:"unreadable"`
	SyntaxErrors int            `json:"syntax_errors"`
	// MigrationsNotJudged counts the migrations the per-migration MIG
	// rules took as released; NotJudgedReason says why.
	MigrationsNotJudged int      `json:"migrations_not_judged,omitempty"`
	NotJudgedReason     string   `json:"migrations_not_judged_reason,omitempty"`
	Rules               []string `json:"rules"`
}

// Build converts a result to the JSON report structure.
func BuildJSON(version string, r *analyzer.Result) JSONReport {
	rep := JSONReport{Version: version, Diagnostics: []JSONDiagnostic{}}
	sum := JSONSummary{Files: r.Stats.Files, Lines: r.Stats.Lines, Findings: len(r.Diagnostics),
		BySeverity: map[string]int{"error": 0, "warning": 0, "info": 0}, ByCode: map[string]int{},
		Suppressed: r.Stats.Suppressed, Unreadable: r.Stats.Unreadable, SyntaxErrors: r.Stats.SyntaxErrors, Rules: []string{},
		MigrationsNotJudged: r.Stats.MigrationsNotJudged, NotJudgedReason: r.Stats.NotJudgedReason}
	for _, d := range r.Diagnostics {
		jd := JSONDiagnostic{Code: d.Code, Name: d.Name, Severity: d.Severity.String(), Confidence: d.Confidence.String(),
			Category: string(d.Category), Path: d.Path, Line: d.Pos.Line, Column: d.Pos.Column,
			EndLine: d.EndPos.Line, EndColumn: d.EndPos.Column, Message: d.Message, Help: d.Help}
		if len(d.Fixes) > 0 {
			f := d.Fixes[0]
			jf := &JSONFix{Description: f.Message, Applicability: f.Applicability.String(), Edits: []JSONEdit{}}
			for _, e := range f.Edits {
				jf.Edits = append(jf.Edits, JSONEdit{Path: e.Path, Line: e.Pos.Line, Column: e.Pos.Column,
					EndLine: e.EndPos.Line, EndColumn: e.EndPos.Column, Content: e.NewText})
			}
			jd.Fix = jf
		}
		for _, rel := range d.Related {
			jd.Related = append(jd.Related, JSONRelated{Path: rel.Path, Line: rel.Pos.Line, Column: rel.Pos.Column, Message: rel.Message})
		}
		rep.Diagnostics = append(rep.Diagnostics, jd)
		sum.BySeverity[d.Severity.String()]++
		sum.ByCode[d.Code]++
	}
	for _, ru := range r.Rules {
		sum.Rules = append(sum.Rules, ru.Code)
	}
	sort.Strings(sum.Rules)
	rep.Summary = sum
	return rep
}

// Print writes the report as indented JSON.
func (p *JSON) Print(w io.Writer, r *analyzer.Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(BuildJSON(p.opts.Version, r))
}
