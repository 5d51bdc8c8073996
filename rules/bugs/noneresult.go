package bugs

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed noneresult.md
var noneResultDoc string

// NoneResultUsed reports the result of a project function that returns
// None (always, or by falling off its end) used as a value.
var NoneResultUsed = &analyzer.Rule{
	Code:       "BUG015",
	Name:       "none-result-used",
	Doc:        noneResultDoc,
	Category:   analyzer.Correctness,
	Severity:   analyzer.Error,
	Confidence: analyzer.High,
	Since:      "0.2.0",
	Skip:       semantic.Test | semantic.Migration,
	Requires:   requires,
	Run:        runNoneResultUsed,
}

// returnShape is what a function gives back: never a value (every return
// bare, or none), or a value on some paths while its end is reachable.
type returnShape uint8

const (
	returnsValue returnShape = iota // a value on every path rubric can see (or unknown)
	returnsNothing
	fallsThrough
)

// shapeOf classifies fn. Functions whose result rubric cannot pin are
// returnsValue: decorated ones (a decorator may wrap the result), methods
// (a subclass may override them), generators, coroutines, stubs (a body
// of pass, ..., a docstring or raise), and lambdas. It is only asked of
// calls whose result is used, so it is computed there, not kept.
func shapeOf(fn *semantic.Func) returnShape {
	n := fn.Node
	if fn.Class != nil || n.Type() != "function_definition" || len(pyast.Decorators(n)) > 0 || n.Parent().Type() == "decorated_definition" {
		return returnsValue
	}
	if first := n.FirstChild(); first.Text() == "async" {
		return returnsValue
	}
	body := pyast.Body(n)
	if stub(body) || len(pyast.FindAllShallow(body, "yield")) > 0 {
		return returnsValue
	}
	valued := false
	for r := range pyast.FindEachShallow(body, "return_statement") {
		if v := r.NamedChild(0); !v.IsNil() && pyast.Unparen(v).Type() != "none" {
			valued = true
		}
	}
	switch {
	case !valued:
		return returnsNothing
	case endReachable(body):
		return fallsThrough
	}
	return returnsValue
}

// stub reports a body that only documents or refuses: pass, ..., a
// string, raise.
func stub(body pyast.Node) bool {
	for s := range pyast.EachStatement(body) {
		switch s.Type() {
		case "pass_statement", "raise_statement":
			continue
		case "expression_statement":
			if e := s.NamedChild(0); e.Type() == "string" || e.Type() == "ellipsis" {
				continue
			}
		}
		return false
	}
	return true
}

// endReachable reports whether control can fall off the end of a block:
// its last statement is not a return or raise, nor an if/else, try or
// with whose every way out returns or raises, nor a `while True` without
// break. Conservative: anything it cannot read counts as reaching the end
// only for the shapes above; loops are taken to fall through (a for loop
// may run zero times), and so are match statements without an irrefutable
// case (`case _:`).
func endReachable(block pyast.Node) bool {
	stmts := pyast.Statements(block)
	if len(stmts) == 0 {
		return true
	}
	last := stmts[len(stmts)-1]
	switch last.Type() {
	case "return_statement", "raise_statement":
		return false
	case "expression_statement":
		c, ok := pyast.AsCall(last.NamedChild(0))
		if ok {
			switch pyast.Dotted(c.Func) {
			case "sys.exit", "exit", "os._exit", "os.abort":
				return false
			}
			// `response.raise_for_status()` closing the branch a failed
			// status reaches (`if 200 <= status < 300: return response`,
			// then `response.raise_for_status()`): only a 1xx or an
			// unfollowed 3xx answer gets past it.
			if c.MethodName() == "raise_for_status" {
				return false
			}
		}
		return true
	case "if_statement":
		if endReachable(last.ChildByField("consequence")) {
			return true
		}
		hasElse := false
		for _, alt := range last.ChildrenByField("alternative") {
			switch alt.Type() {
			case "else_clause":
				hasElse = true
				if endReachable(alt.ChildByField("body")) {
					return true
				}
			case "elif_clause":
				if endReachable(alt.ChildByField("consequence")) {
					return true
				}
			}
		}
		return !hasElse
	case "with_statement":
		return endReachable(last.ChildByField("body"))
	case "try_statement":
		reach := endReachable(last.ChildByField("body"))
		for k := range last.Named() {
			switch k.Type() {
			case "else_clause":
				reach = endReachable(k.ChildByField("body"))
			}
		}
		for k := range last.Named() {
			switch k.Type() {
			case "except_clause", "except_group_clause":
				if b := clauseBlock(k); b.IsNil() || endReachable(b) {
					reach = true
				}
			case "finally_clause":
				if b := clauseBlock(k); !b.IsNil() && !endReachable(b) {
					return false
				}
			}
		}
		return reach
	case "match_statement":
		// Falls through unless a case without a guard matches anything
		// (`case _:`, a bare capture `case other:`) and no case's block
		// reaches its end.
		irrefutable := false
		for cc := range pyast.FindEachShallow(last, "case_clause") {
			if b := cc.ChildByField("consequence"); b.IsNil() || endReachable(b) {
				return true
			}
			if cc.ChildByField("guard").IsNil() && irrefutablePattern(cc) {
				irrefutable = true
			}
		}
		return !irrefutable
	case "while_statement":
		cond := pyast.Unparen(last.ChildByField("condition"))
		if cond.Type() == "true" && len(pyast.FindAllShallow(last.ChildByField("body"), "break_statement")) == 0 {
			return false
		}
		return true
	}
	return true
}

// irrefutablePattern reports a case clause whose one pattern matches any
// subject: the wildcard `_` or a bare capture name.
func irrefutablePattern(cc pyast.Node) bool {
	var pats []pyast.Node
	for k := range cc.Named() {
		if k.Type() == "case_pattern" {
			pats = append(pats, k)
		}
	}
	if len(pats) != 1 {
		return false
	}
	p := pats[0]
	if p.Text() == "_" {
		return true
	}
	if p.NamedChildCount() != 1 {
		return false
	}
	d := p.NamedChild(0)
	return d.Type() == "dotted_name" && d.NamedChildCount() == 1
}

// clauseBlock returns the block of an except, except* or finally clause
// (they have no body field).
func clauseBlock(clause pyast.Node) pyast.Node {
	for c := range clause.Named() {
		if c.Type() == "block" {
			return c
		}
	}
	return pyast.Node{}
}

// runNoneResultUsed matches calls of project functions (resolved by the
// semantic model) whose result is unpacked, indexed, read as an
// attribute, iterated or compared, when the function returns nothing, or
// falls off its end while other paths return a value.
func runNoneResultUsed(p *analyzer.Pass) error {
	f := semantic.Of(p.Project).File(p.Unit)
	for call := range pyast.FindEach(p.Root, "call") {
		use := resultUse(call)
		bound := use == ""
		if bound && !boundToName(call) {
			continue
		}
		fn, _ := f.Callee(call)
		if fn == nil || fn.File == nil {
			continue
		}
		shape := shapeOf(fn)
		// A function that returns None on some paths on purpose ("not
		// found") is tested by its callers before use: only a direct
		// unpack, index, attribute or loop of its result is certain to
		// break.
		if shape == returnsValue || shape == fallsThrough && (bound || use == "compares") {
			continue
		}
		if bound {
			// Followed only for a callee that never returns a value: the
			// walk reads the rest of the scope.
			if use = boundUse(f, call); use == "" {
				continue
			}
		}
		c, _ := pyast.AsCall(call)
		name := pyast.Dotted(c.Func)
		where := fmt.Sprintf("`%s` (%s:%d)", fn.Name, fn.File.Unit.File.Rel, fn.File.Unit.File.Position(fn.Node.StartByte()).Line)
		d := analyzer.Diagnostic{Range: analyzer.RangeOf(call)}
		// The fix goes in the callee: point at its definition too.
		d.Related = []analyzer.Related{{Path: fn.File.Unit.File.Rel, Range: analyzer.RangeOf(fn.Node.ChildByField("name")),
			Message: fmt.Sprintf("`%s` is defined here", fn.Name)}}
		switch shape {
		case returnsNothing:
			d.Message = fmt.Sprintf("%s returns nothing, so `%s(...)` is always None, and this %s it", where, name, use)
			d.Help = fmt.Sprintf("return the value from `%s`, or stop using its result", fn.Name)
		case fallsThrough:
			d.Message = fmt.Sprintf("%s returns a value on some paths but falls off its end on others (None), and this %s its result", where, use)
			d.Help = fmt.Sprintf("end every path of `%s` with a return (or raise), so callers always get the shape they expect", fn.Name)
			d.Confidence = analyzer.Medium
		}
		base := use
		if i := strings.IndexByte(use, '('); i > 0 {
			base = use[:i-1]
		}
		if base == "compares" {
			d.Severity = analyzer.Warning
		}
		d.Message += consequence(base, shape)
		p.Report(d)
	}
	return nil
}

// consequence says what the use does with None.
func consequence(use string, shape returnShape) string {
	switch use {
	case "compares":
		if shape == returnsNothing {
			return ": the comparison never holds"
		}
		return ""
	default:
		if shape == returnsNothing {
			return ": TypeError or AttributeError every time"
		}
		return ": TypeError or AttributeError on those paths"
	}
}

// resultUse says how a call's result is used when None breaks it:
// "unpacks" (`a, b = f()`), "indexes" (`f()[0]`), "reads an attribute of"
// (`f().x`), "iterates" (`for x in f()`), "compares" (`f() == 5`), or "".
func resultUse(call pyast.Node) string {
	parent := call.Parent()
	for parent.Type() == "parenthesized_expression" {
		call, parent = parent, parent.Parent()
	}
	switch parent.Type() {
	case "assignment":
		if parent.ChildByField("right").Equal(call) {
			switch parent.ChildByField("left").Type() {
			case "pattern_list", "tuple_pattern", "list_pattern":
				return "unpacks"
			}
		}
	case "subscript":
		if parent.ChildByField("value").Equal(call) {
			return "indexes"
		}
	case "attribute":
		if parent.ChildByField("object").Equal(call) {
			return "reads an attribute of"
		}
	case "for_statement":
		if parent.ChildByField("right").Equal(call) {
			return "iterates"
		}
	case "comparison_operator":
		for _, op := range parent.Children() {
			if t := op.Type(); t == "is" || t == "is not" || t == "in" || t == "not in" {
				return "" // `f() is None` tests for it
			}
		}
		return "compares"
	}
	return ""
}

// boundToName reports `x = call`.
func boundToName(call pyast.Node) bool {
	a := call.Parent()
	return a.Type() == "assignment" && a.ChildByField("right").Equal(call) && a.ChildByField("left").Type() == "identifier"
}

// boundUse follows `x = f()` (boundToName) to the first use of x after it in the same
// scope that breaks on None, when that assignment is x's only binding
// there.
func boundUse(f *semantic.File, call pyast.Node) string {
	a := call.Parent()
	name := a.ChildByField("left").Text()
	scope := semantic.ScopeOf(a)
	if f.BindingCount(a, name) != 1 {
		return ""
	}
	for _, id := range readsIn(scope)[name] {
		if id.StartByte() < a.EndByte() {
			continue
		}
		if u := resultUse(id); u != "" {
			return u + " (through `" + name + "`)"
		}
	}
	return ""
}

// readsInKey keys readsIn's memo.
type readsInKey struct{ scope int32 }

// readsIn indexes the identifiers of a scope (not of the functions in
// it) by name, in source order, once per scope: a module of thousands of
// `x = f()` lines would read the whole module for each.
func readsIn(scope pyast.Node) map[string][]pyast.Node {
	return pyast.Memo(scope, readsInKey{scope.ID()}, func() map[string][]pyast.Node {
		out := map[string][]pyast.Node{}
		for id := range pyast.FindEachShallow(scope, "identifier") {
			out[id.Text()] = append(out[id.Text()], id)
		}
		return out
	})
}
