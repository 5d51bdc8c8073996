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
// A Habit rule's findings collapse into one for the whole run.
//
// Functions are read from the run's index; without one (a cached result)
// only the per-file step applies. ds is not modified; the result is sorted.
func Aggregate(ds []Diagnostic, ix *project.Index, o AggregateOptions) []Diagnostic {
	perFile := o.PerFile
	if perFile == 0 {
		perFile = 3
	}
	funcs := map[string][]funcSpan{}
	distinct, habit := map[string]bool{}, map[string]bool{}
	for _, r := range o.Rules {
		if r.Distinct {
			distinct[r.Code] = true
		}
		if r.Habit {
			habit[r.Code] = true
		}
	}
	scopeOf := func(d Diagnostic) funcSpan {
		if ix == nil || ix.ByPath[d.Path] == nil {
			return funcSpan{}
		}
		fs, ok := funcs[d.Path]
		if !ok {
			fs = functionSpansOf.Get(ix.ByPath[d.Path], ix)
			funcs[d.Path] = fs
		}
		// A distinct rule's findings in the bodies of two classes (two
		// views' serializer_class) are two places, as in two functions.
		return innermost(fs, d.Start, distinct[d.Code])
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
		if k.fn.name != "" {
			where = "in `" + k.fn.name + "`"
		}
		if habit[k.code] {
			where = "in the project"
		}
		out = append(out, collapse(g, where))
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
type funcSpan struct {
	start, end int
	name       string
	class      bool
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
			out = append(out, funcSpan{start: n.StartByte(), end: n.EndByte(), name: name, class: true})
			continue
		}
		if c := pyast.EnclosingClass(n); !c.IsNil() {
			name = pyast.DefName(c) + "." + name
		}
		out = append(out, funcSpan{start: n.StartByte(), end: n.EndByte(), name: name})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].start < out[j].start })
	return out
}

// innermost returns the smallest function containing off, or class when
// classes is set.
func innermost(fs []funcSpan, off int, classes bool) funcSpan {
	best := funcSpan{}
	for _, f := range fs {
		if f.start > off {
			break
		}
		if f.class && !classes {
			continue
		}
		if off < f.end && (best.name == "" || f.end-f.start < best.end-best.start) {
			best = f
		}
	}
	return best
}
