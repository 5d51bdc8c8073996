package orm

import (
	_ "embed"
	"fmt"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/analyzer/semantic/effects"
)

//go:embed evaluation.md
var evaluationDoc string

// WastefulEvaluation reports querysets loaded in full to answer a smaller
// question.
var WastefulEvaluation = &analyzer.Rule{
	Code:              "ORM005",
	Name:              "wasteful-queryset-evaluation",
	Doc:               evaluationDoc,
	Category:          analyzer.Performance,
	Severity:          analyzer.Warning,
	Confidence:        analyzer.High,
	Since:             "0.1.0",
	Stack:             project.Django,
	SkipOnSyntaxError: true, // fixes need a sound tree
	Skip:              semantic.Test | semantic.Migration,
	Requires:          requires,
	Run:               runEvaluation,
}

// runEvaluation matches, on expressions the tracker knows as querysets of a
// model of the graph: `len(qs)` and `if qs:` / `not qs` / `bool(qs)` when
// the rows are not used otherwise in the function; `qs.count()` on a name
// that the function also iterates (on the same binding, and not evaluated
// before it: count() then reads the result cache); `list(qs)[0]`. It skips names used
// elsewhere (the rows are needed; len() then reads the cache), related
// managers' prefetch caches, tests and migrations.
func runEvaluation(p *analyzer.Pass) error {
	t := NewTracker(p)
	t.Loops()
	for n := range pyast.FindEach(p.Root, "call", "if_statement", "elif_clause", "while_statement", "not_operator", "subscript") {
		switch n.Type() {
		case "call":
			if !evaluationCallee(n.ChildByField("function")) {
				continue
			}
			c, _ := pyast.AsCall(n)
			switch {
			case c.Func.Type() == "identifier" && (c.Func.Text() == "len" || c.Func.Text() == "bool") && len(c.Positional) == 1:
				x := pyast.Unparen(c.Positional[0])
				// A queryset filtered by a unique key (`filter(pk=...)`)
				// holds at most one row: loading it costs what count() or
				// exists() would.
				if q := t.Eval(x); q != nil && q.Model != nil && !q.Related && !q.Custom && !q.Single && onlyUse(listedName(x)) {
					if c.Func.Text() == "len" {
						report(p, n, fmt.Sprintf("`%s` loads every row to count them", compact(n)), fmt.Sprintf("count in the database: `%s.count()`", x.Text()))
					} else {
						report(p, n, fmt.Sprintf("`%s` loads every row to test for one", compact(n)), fmt.Sprintf("ask the database: `%s.exists()`", x.Text()))
					}
				}
			case c.MethodName() == "count" && len(c.Positional) == 0 && c.Receiver().Type() == "identifier":
				x := c.Receiver()
				if q := t.Eval(x); q != nil && q.Model != nil && !q.Related && !q.Custom && iteratedLater(x) && !evaluatedBefore(x) {
					report(p, n, fmt.Sprintf("`%s` runs a COUNT query and the rows are loaded below anyway", compact(n)),
						fmt.Sprintf("load them once (`rows = list(%s)`) and use `len(rows)`", x.Text()))
				}
			}
		case "if_statement", "elif_clause", "while_statement", "not_operator":
			cond := n.ChildByField("condition")
			if n.Type() == "not_operator" {
				cond = n.ChildByField("argument")
			}
			x := pyast.Unparen(cond)
			if x.Is("identifier", "call") {
				if q := t.Eval(x); q != nil && q.Model != nil && !q.Related && !q.Custom && !q.Single && onlyUse(x) {
					report(p, x, fmt.Sprintf("`%s` is tested for truth: every row is loaded to see if there is one", compact(x)), fmt.Sprintf("ask the database: `%s.exists()`", x.Text()))
				}
			}
		case "subscript":
			v := pyast.Unparen(n.ChildByField("value"))
			idx := n.ChildByField("subscript")
			if c, ok := pyast.AsCall(v); ok && c.Func.Type() == "identifier" && c.Func.Text() == "list" && len(c.Positional) == 1 && idx.Is("integer", "unary_operator") {
				if q := t.Eval(c.Positional[0]); q != nil && q.Model != nil && !q.Custom && !q.Single {
					fix := "first()"
					if idx.Text() == "-1" {
						fix = "last()"
					} else if idx.Text() != "0" {
						fix = fmt.Sprintf("[%s]", idx.Text())
					}
					sep := "."
					if fix[0] == '[' {
						sep = ""
					}
					report(p, n, fmt.Sprintf("`%s` loads every row to use one", compact(n)), fmt.Sprintf("fetch only that row: `%s%s%s`", c.Positional[0].Text(), sep, fix))
				}
			}
		}
	}
	return nil
}

// evaluationCallee reports whether a call's callee can be one the rule
// judges, `len`, `bool` or `x.count`: a test before decoding the call.
func evaluationCallee(fn pyast.Node) bool {
	switch fn.Type() {
	case "identifier":
		b := string(fn.Bytes())
		return b == "len" || b == "bool"
	case "attribute":
		return string(fn.ChildByField("attribute").Bytes()) == "count" && fn.ChildByField("object").Type() == "identifier"
	}
	return false
}

func report(p *analyzer.Pass, n pyast.Node, msg, help string) {
	p.Report(analyzer.Diagnostic{Range: analyzer.RangeOf(n), Message: msg, Help: help})
}

// listedName returns the name inside `list(name)` or `tuple(name)`: the
// call evaluates the queryset the name holds and fills its result cache,
// so the rows are needed when the name is used again, as for `len(name)`.
// Any other expression is returned as it is.
func listedName(x pyast.Node) pyast.Node {
	if c, ok := pyast.AsCall(x); ok && c.Func.Type() == "identifier" && (c.Func.Text() == "list" || c.Func.Text() == "tuple") &&
		len(c.Positional) == 1 && len(c.Keywords) == 0 {
		if a := pyast.Unparen(c.Positional[0]); a.Type() == "identifier" {
			return a
		}
	}
	return x
}

// onlyUse reports whether x is a call chain, or a name that its function
// uses nowhere else (besides assigning it): then the rows are not needed.
func onlyUse(x pyast.Node) bool {
	if x.Type() != "identifier" {
		return x.Type() == "call"
	}
	sc := semantic.ScopeOf(x)
	for id := range pyast.FindEachShallow(sc, "identifier") {
		if id.Equal(x) || id.Text() != x.Text() {
			continue
		}
		if id.Field() == "attribute" || id.Field() == "name" && id.Parent().Type() == "keyword_argument" {
			continue
		}
		if p := id.Parent(); p.Type() == "assignment" && p.ChildByField("left").Equal(id) {
			continue
		}
		return false
	}
	return true
}

// iteratedLater reports whether x's name is the iterable of a for loop or
// comprehension after x in the same function, not sliced or filtered in
// between.
func iteratedLater(x pyast.Node) bool {
	for f := range pyast.FindEachShallow(semantic.ScopeOf(x), "for_statement", "for_in_clause") {
		it := pyast.Unparen(f.ChildByField("right"))
		// A count in a branch that returns (a dry run printing how many
		// rows it would touch) never shares a call with the loop after it.
		if it.Type() == "identifier" && it.Text() == x.Text() && it.StartByte() > x.EndByte() && !narrowedBetween(x, x.Text(), x.EndByte(), it.StartByte()) &&
			!effects.Exclusive(x, it) {
			return true
		}
	}
	return false
}
