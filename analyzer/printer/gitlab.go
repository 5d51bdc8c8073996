package printer

import (
	"encoding/json"
	"io"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/baseline"
)

// GitLab writes a GitLab Code Quality report (a JSON array of issues).
type GitLab struct{ opts Options }

type gitlabIssue struct {
	Description string         `json:"description"`
	CheckName   string         `json:"check_name"`
	Fingerprint string         `json:"fingerprint"`
	Severity    string         `json:"severity"`
	Location    gitlabLocation `json:"location"`
}

type gitlabLocation struct {
	Path  string      `json:"path"`
	Lines gitlabLines `json:"lines"`
}

type gitlabLines struct {
	Begin int `json:"begin"`
	End   int `json:"end"`
}

// gitlabSeverity maps severities onto Code Quality's scale; a file that
// could not be analysed at all (syntax error) blocks review of the rest.
func gitlabSeverity(d analyzer.Diagnostic) string {
	if d.Code == analyzer.SyntaxError.Code {
		return "blocker"
	}
	switch d.Severity {
	case analyzer.Error:
		return "critical"
	case analyzer.Warning:
		return "major"
	}
	return "info"
}

// Print writes the issues as an indented JSON array.
func (p *GitLab) Print(w io.Writer, r *analyzer.Result) error {
	fps := baseline.Fingerprints(r)
	out := make([]gitlabIssue, 0, len(r.Diagnostics))
	for i, d := range r.Diagnostics {
		line := max(d.Pos.Line, 1)
		out = append(out, gitlabIssue{
			Description: d.Code + " " + d.Message,
			CheckName:   d.Code,
			Fingerprint: fps[i],
			Severity:    gitlabSeverity(d),
			Location:    gitlabLocation{Path: d.Path, Lines: gitlabLines{Begin: line, End: max(d.EndPos.Line, line)}},
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}
