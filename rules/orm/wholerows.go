package orm

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed wholerows.md
var wholeRowsDoc string

// WholeRows reports loops that load every column of wide rows to read a
// few of them.
var WholeRows = &analyzer.Rule{
	Code:       "ORM012",
	Name:       "whole-rows-few-columns",
	Doc:        wholeRowsDoc,
	Category:   analyzer.Performance,
	Severity:   analyzer.Info,
	Confidence: analyzer.Low,
	Since:      "0.2.0",
	Stack:      project.Django,
	// Off by default: on six mature projects 2 of its 3 findings were
	// worth a change (scripts/projects/README.md); select it by code.
	NonDefault:        true,
	SkipOnSyntaxError: true, // fixes need a sound tree
	Skip:              semantic.ProductCode,
	Requires:          requires,
	Run:               runWholeRows,
}

// minColumns is the width from which loading every column to read a few
// is worth a remark.
const minColumns = 10

// runWholeRows matches loops (for statements and comprehensions) over a
// queryset of a known model with at least minColumns columns, not already
// narrowed by values(), values_list(), only() or defer(), not loading
// relations (select_related, prefetch_related), not a related manager (it
// may be prefetched), built in the loop's own function and not held in a
// name the function uses again, whose body reads
// the row only as `row.column` for at most three plain columns (and fewer
// than half): every other use of the row (a method, a relation, an
// assignment, passing it on, returning it) makes the whole row needed.
func runWholeRows(p *analyzer.Pass) error {
	t := NewTracker(p)
	for _, l := range t.Loops() {
		q := l.QS
		if q == nil || q.Model == nil || q.Values || q.Only || q.Opaque || q.Combined || q.Related || q.Cached || q.MaybeCached ||
			len(q.Select) > 0 || len(q.Prefetch) > 0 || q.SelectAll || l.Kind == semantic.KeyFunc || l.Var.IsNil() || reused(t, l) {
			continue
		}
		// The rows must be fetched in this function: a queryset received
		// from elsewhere is loaded (and maybe used whole) there.
		fn := pyast.Ancestor(l.Node, "function_definition")
		if q.Certainty != semantic.Certain || q.Origin.IsNil() || q.OriginFile != t.File || fn.IsNil() || !fn.Contains(q.Origin) {
			continue
		}
		width := columns(q.Model)
		if width < minColumns {
			continue
		}
		used, ok := columnsRead(l, q.Model)
		if !ok || len(used) == 0 || len(used) > 3 || 2*len(used) >= width {
			continue
		}
		wide := wideUnused(q.Model, used)
		if len(wide) == 0 {
			continue // narrow columns: loading them costs little
		}
		list := quote(used)
		d := analyzer.Diagnostic{
			Range: analyzer.RangeOf(l.Iter),
			Message: fmt.Sprintf("the loop reads %d of the %d columns of each `%s` row (`%s`) but loads them all, `%s` (text, JSON or binary) among them",
				len(used), width, q.Model.Name, joinTicks(used), joinTicks(wide)),
			Help: fmt.Sprintf("load only those: `.only(%s)` keeps model rows, `.values_list(%s)` returns tuples", list, list),
		}
		if !q.Origin.IsNil() && q.OriginFile == t.File && !q.Conditional && q.Origin.Equal(pyast.Unparen(l.Iter)) {
			at := insertionPoint(q.Origin)
			if c, ok := pyast.AsCall(at); ok && c.MethodName() == "iterator" {
				at = c.Receiver() // only() goes before iterator(), which returns a generator
			}
			d.Fixes = []analyzer.Fix{{Message: "load only the columns read", Applicability: analyzer.Unsafe,
				Edits: []analyzer.TextEdit{{Range: analyzer.Range{Start: at.EndByte(), End: at.EndByte()}, NewText: ".only(" + list + ")"}}}}
		}
		p.Report(d)
	}
	return nil
}

// columns counts a model's concrete columns (many-to-many excluded).
func columns(m *project.Model) int {
	n := 1 // the primary key Django adds
	for _, f := range m.Fields {
		if f.PrimaryKey {
			n--
		}
		if f.Kind != project.ManyToMany && f.Kind != project.GenericFK {
			n++
		}
	}
	return n
}

// wideKinds are words of field class names whose values have no small
// bound: text, JSON, binary data, arrays (TextField, JSONField,
// SanitizedJSONField, BinaryField, ArrayField, HStoreField).
var wideKinds = []string{"Text", "JSON", "Json", "Binary", "Array", "HStore"}

// wideUnused returns the columns of m the loop does not read whose field
// class holds unbounded values, in declaration order.
func wideUnused(m *project.Model, used []string) []string {
	var out []string
	for _, f := range m.Fields {
		if f.Kind != project.Plain || contains(used, f.Name) {
			continue
		}
		class := f.Class[strings.LastIndex(f.Class, ".")+1:]
		for _, w := range wideKinds {
			if strings.Contains(class, w) {
				out = append(out, f.Name)
				break
			}
		}
	}
	return out
}

// columnsRead returns the plain columns the loop body reads on the row
// variable, sorted; ok is false when the row is used in any other way.
func columnsRead(l *Loop, m *project.Model) ([]string, bool) {
	name := l.Var.Text()
	var used []string
	ok := true
	l.Walk(func(n pyast.Node) bool {
		if !ok {
			return false
		}
		if n.Is("function_definition", "lambda", "class_definition") {
			ok = false // closures may keep the row
			return false
		}
		if n.Type() != "identifier" || n.Text() != name || n.Equal(l.Var) {
			return true
		}
		attr := n.Parent()
		if attr.Type() != "attribute" || !attr.ChildByField("object").Equal(n) {
			ok = false
			return false
		}
		col := attr.ChildByField("attribute").Text()
		a := m.Attr(col)
		if a.Kind != project.AttrColumn || attr.Field() == "left" || attr.Parent().Type() == "call" && attr.Field() == "function" {
			ok = false
			return false
		}
		if col == "pk" {
			col = "id"
		}
		if !contains(used, col) {
			used = append(used, col)
		}
		return true
	})
	sortStrings(used)
	return used, ok
}

func joinTicks(xs []string) string {
	out := ""
	for i, x := range xs {
		if i > 0 {
			out += "`, `"
		}
		out += x
	}
	return out
}

// reused reports a loop over a name that the function reads elsewhere too:
// the rows may be needed whole there.
func reused(t *Tracker, l *Loop) bool {
	it := pyast.Unparen(l.Iter)
	for it.Type() == "subscript" {
		it = pyast.Unparen(it.ChildByField("value"))
	}
	if it.Type() != "identifier" {
		return false
	}
	fn := pyast.Ancestor(l.Node, "function_definition")
	if fn.IsNil() {
		return true
	}
	n := 0
	for id := range pyast.FindEach(fn, "identifier") {
		if id.Text() == it.Text() && id.Parent().Type() != "keyword_argument" {
			n++
		}
	}
	return n > 2 // its binding and this loop
}
