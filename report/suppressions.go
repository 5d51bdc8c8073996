package report

import (
	"fmt"
	"sort"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/suppress"
)

// findingKey identifies a finding by rule and place (a collapsed finding
// keeps its first member's place, not its message).
type findingKey struct {
	path, code string
	start, end int
}

func diagKey(d analyzer.Diagnostic) findingKey {
	return findingKey{path: d.Path, code: d.Code, start: d.Start, end: d.End}
}

// suppressedIndex maps each silenced finding to the comment that silences
// it ("path:line `# noqa: X`").
func suppressedIndex(res *analyzer.Result) map[findingKey]string {
	out := map[findingKey]string{}
	if res == nil {
		return out
	}
	for _, s := range res.Suppressed {
		if s.By != nil {
			out[diagKey(s.Diagnostic)] = fmt.Sprintf("%s:%d %s", s.Path, s.By.CommentL, directiveText(res, s.Path, s.By))
		}
	}
	return out
}

// directiveText is the comment's text as written.
func directiveText(res *analyzer.Result, path string, dir *suppress.Directive) string {
	if f := res.Files[path]; f != nil && dir.At >= 0 && dir.End <= len(f.Src()) && dir.At < dir.End {
		return clip(string(f.Src()[dir.At:dir.End]))
	}
	return "# " + dir.Kind
}

// suppressions lists every suppression comment of the run, in path and
// line order, with the findings each silences.
func suppressions(res *analyzer.Result) []Suppression {
	hides := map[*suppress.Directive][]Evidence{}
	for _, s := range res.Suppressed {
		if s.By != nil {
			hides[s.By] = append(hides[s.By], findingEvidence(res, s.Diagnostic))
		}
	}
	paths := make([]string, 0, len(res.Suppressions))
	for p := range res.Suppressions {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var out []Suppression
	for _, p := range paths {
		for _, dir := range res.Suppressions[p].Directives {
			text := directiveText(res, p, dir)
			out = append(out, Suppression{
				Evidence: Evidence{Path: p, Line: dir.CommentL, Code: text},
				Kind:     dir.Kind, Codes: dir.Codes, Hides: hides[dir],
			})
		}
	}
	return out
}

// Hidden counts the findings the suppressions silence.
func (r *Report) Hidden() int {
	n := 0
	for _, s := range r.Suppressions {
		n += len(s.Hides)
	}
	return n
}

// Scope is what a suppression covers, as a reviewer reads it.
func (s Suppression) Scope() string {
	codes := "every rule"
	if len(s.Codes) > 0 {
		codes = strings.Join(s.Codes, ", ")
	}
	if s.Kind == "ignore-file" {
		return codes + " in the whole file"
	}
	return codes + " on its line"
}
