package analyzer

import (
	"fmt"
	"sort"

	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// AggregateOptions tune Aggregate. The zero value collapses every repeat
// in a function, and a rule's findings in a file once they are spread over
// more than three functions.
type AggregateOptions struct {
	// PerFile is how many collapsed groups of one rule a file may keep
	// before they are collapsed again into one finding for the whole file.
	// 0 means 3; a negative value never collapses per file.
	PerFile int
	// Rules are the rules that ran: the findings of a rule marked Distinct
	// (each its own place and fix, as an N+1 loop or a view) are collapsed
	// within a function only, never across a file.
	Rules []*Rule
	// Scopes are the function and class definitions of the files a
	// finding is in (FindingScopes), for when the index is not there.
	Scopes map[string][]Scope
}

// Aggregate collapses repeated findings: the findings of one rule at one
// severity in one function (or at module level of one file) become one finding at the
// first of them, whose message gives the count and whose related locations
// are the others (each with its own message). When a rule's findings in a
// file still make more than PerFile such groups, they collapse again into
// one finding for the file. The collapsed finding keeps the highest
// confidence of its group and the first finding's fixes, so
// fixes must be applied before aggregating.
//
// A project-wide (Habit) group is shown at the first of its sites with the
// group's highest confidence, product code before test code (leadFirst).
//
// A Habit rule's findings collapse into one for the whole run, a
// FileHabit rule's into one per file.
//
// An OnePerMessage rule's findings with the same message are first
// collapsed into one for the whole run (its message unchanged, the others
// its related locations), then grouped as any other finding.
//
// Functions are read from the run's index; without one (a cached result)
// only the per-file step applies. ds is not modified; the result is sorted.
func Aggregate(ds []Diagnostic, ix *project.Index, o AggregateOptions) []Diagnostic {
	perFile := o.PerFile
	if perFile == 0 {
		perFile = 3
	}
	funcs := map[string][]funcSpan{}
	distinct, habit, fileHabit, perMessage := map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, r := range o.Rules {
		if r.OnePerMessage {
			perMessage[r.Code] = true
		}
		if r.FileHabit {
			fileHabit[r.Code] = true
		}
		if r.Distinct {
			distinct[r.Code] = true
		}
		if r.Habit {
			habit[r.Code] = true
		}
	}
	scopeOf := func(d Diagnostic) funcSpan {
		fs, ok := funcs[d.Path]
		if !ok {
			switch {
			case ix != nil && ix.ByPath[d.Path] != nil:
				fs = functionSpansOf.Get(ix.ByPath[d.Path], ix)
			case o.Scopes != nil:
				fs = o.Scopes[d.Path]
			}
			funcs[d.Path] = fs
		}
		// A distinct rule's findings in the bodies of two classes (two
		// views' serializer_class) are two places, as in two functions.
		return innermost(fs, d.Start, distinct[d.Code])
	}

	if len(perMessage) > 0 {
		ds = collapseByMessage(ds, perMessage)
	}
	type key struct {
		code, path string
		fn         funcSpan
		sev        Severity // findings of one rule at different severities are different problems
	}
	var order []key
	groups := map[key][]Diagnostic{}
	for _, d := range SortDiagnostics(append([]Diagnostic(nil), ds...)) {
		k := key{code: d.Code, path: d.Path, fn: scopeOf(d), sev: d.Severity}
		if habit[d.Code] {
			k = key{code: d.Code, sev: d.Severity} // one finding for the run
		} else if fileHabit[d.Code] {
			k.fn = funcSpan{} // one finding for the file
		}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], d)
	}
	// Groups of one rule in one file, in order.
	type fileKey struct {
		code, path string
		sev        Severity
	}
	byFile := map[fileKey][]key{}
	for _, k := range order {
		fk := fileKey{k.code, k.path, k.sev}
		byFile[fk] = append(byFile[fk], k)
	}
	var out []Diagnostic
	done := map[fileKey]bool{}
	for _, k := range order {
		fk := fileKey{k.code, k.path, k.sev}
		if perFile > 0 && len(byFile[fk]) > perFile && !distinct[k.code] {
			if done[fk] {
				continue
			}
			done[fk] = true
			var all []Diagnostic
			for _, g := range byFile[fk] {
				all = append(all, groups[g]...)
			}
			out = append(out, collapse(SortDiagnostics(all), "in this file"))
			continue
		}
		g := groups[k]
		where := "in this file"
		if k.fn.Name != "" {
			where = "in `" + k.fn.Name + "`"
		}
		if habit[k.code] {
			where = "in the project"
			g = leadFirst(g)
		}
		out = append(out, collapse(g, where))
	}
	return SortDiagnostics(out)
}

// leadFirst puts first the site a project-wide group is shown at: the
// first, in path order, of those with the group's highest confidence,
// product code before test code. The collapsed finding takes that
// confidence, so it stands where it is earned: a generic raise in a test
// helper, low, does not lead a group whose high site is in a view.
func leadFirst(g []Diagnostic) []Diagnostic {
	best := 0
	for i, d := range g[1:] {
		b := g[best]
		if d.Confidence > b.Confidence || d.Confidence == b.Confidence && project.IsTestPath(b.Path) && !project.IsTestPath(d.Path) {
			best = i + 1
		}
	}
	if best == 0 {
		return g
	}
	out := append([]Diagnostic{g[best]}, g[:best]...)
	return append(out, g[best+1:]...)
}

// collapseByMessage collapses the findings of the rules in codes that
// share their message (and severity) into one for the run, at the first
// in sorted order, with the others as related locations; the other
// findings are returned as they are.
func collapseByMessage(ds []Diagnostic, codes map[string]bool) []Diagnostic {
	type key struct {
		code, msg string
		sev       Severity
	}
	groups := map[key][]Diagnostic{}
	var order []key
	var out []Diagnostic
	for _, d := range SortDiagnostics(append([]Diagnostic(nil), ds...)) {
		if !codes[d.Code] {
			out = append(out, d)
			continue
		}
		k := key{d.Code, d.Message, d.Severity}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], d)
	}
	for _, k := range order {
		// The message is kept as it is: the grouping by function and file
		// that follows may fold the finding again and gives the count then;
		// the places it is seen from are its related locations.
		g := groups[k]
		d := collapse(g, "")
		d.Message = g[0].Message
		out = append(out, d)
	}
	return SortDiagnostics(out)
}

// collapse turns a group into one finding; a group of one is returned as is.
func collapse(g []Diagnostic, where string) Diagnostic {
	if len(g) == 1 {
		return g[0]
	}
	d := g[0]
	d.Related = append([]Related(nil), d.Related...)
	for _, o := range g[1:] {
		d.Related = append(d.Related, Related{Path: o.Path, Range: o.Range, Pos: o.Pos, EndPos: o.EndPos, Message: "also " + o.Code + ": " + o.Message})
		if o.Severity > d.Severity {
			d.Severity = o.Severity
		}
		if o.Confidence > d.Confidence {
			d.Confidence = o.Confidence
		}
	}
	d.Message = fmt.Sprintf("%s (and %d more like it %s)", d.Message, len(g)-1, where)
	return d
}

// funcSpan is a function (or class) definition's byte range and name; the
// zero value is module level.
type funcSpan = Scope

// Scope is a function or class definition's byte range and name (a
// method's is Class.method).
type Scope struct {
	Start, End int
	Name       string
	Class      bool
}

// FindingScopes returns the function and class definitions of every file
// res has a finding in, by display path: what Aggregate groups findings by,
// kept with a result that is read back without its index (the result
// cache), so that it is grouped as it was.
func FindingScopes(res *Result) map[string][]Scope {
	if res == nil || res.Index == nil {
		return nil
	}
	out := map[string][]Scope{}
	for _, d := range res.Diagnostics {
		if _, done := out[d.Path]; done {
			continue
		}
		if u := res.Index.ByPath[d.Path]; u != nil {
			out[d.Path] = functionSpansOf.Get(u, res.Index)
		}
	}
	return out
}

// functionSpansOf keeps a file's spans: the driver asks for them before it
// drops a test module's tree (Config.DropTestTrees), so that grouping its
// findings later does not parse it again.
var functionSpansOf = &project.FileAnalysis[[]funcSpan]{Name: "analyzer.functionSpans", Run: func(u *project.Unit, _ *project.Index) []funcSpan {
	return functionSpans(u)
}}

func functionSpans(u *project.Unit) []funcSpan {
	var out []funcSpan
	for _, n := range pyast.FindAll(u.Tree.Root(), "function_definition", "class_definition") {
		name := pyast.DefName(n)
		if n.Type() == "class_definition" {
			out = append(out, funcSpan{Start: n.StartByte(), End: n.EndByte(), Name: name, Class: true})
			continue
		}
		if c := pyast.EnclosingClass(n); !c.IsNil() {
			name = pyast.DefName(c) + "." + name
		}
		out = append(out, funcSpan{Start: n.StartByte(), End: n.EndByte(), Name: name})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return out
}

// innermost returns the smallest function containing off, or class when
// classes is set.
func innermost(fs []funcSpan, off int, classes bool) funcSpan {
	best := funcSpan{}
	for _, f := range fs {
		if f.Start > off {
			break
		}
		if f.Class && !classes {
			continue
		}
		if off < f.End && (best.Name == "" || f.End-f.Start < best.End-best.Start) {
			best = f
		}
	}
	return best
}
