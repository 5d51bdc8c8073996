package orm

import (
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

// reboundBetween reports whether the function holding x assigns name
// between byte offsets from and to: then the queryset there is another one.
func reboundBetween(x pyast.Node, name string, from, to int) bool {
	return rebound(x, name, from, to, false)
}

// narrowedBetween is reboundBetween for rebindings that change which rows
// the name holds: a slice (`qset = qset[:n]` between a count and the loop
// over the slice), a filter, exclude or distinct. A reordering or a helper
// call keeps the rows, as far as rubric can tell.
func narrowedBetween(x pyast.Node, name string, from, to int) bool {
	return rebound(x, name, from, to, true)
}

func rebound(x pyast.Node, name string, from, to int, narrowing bool) bool {
	for a := range pyast.FindEachShallow(semantic.ScopeOf(x), "assignment", "augmented_assignment") {
		l := a.ChildByField("left")
		if l.Type() != "identifier" || l.Text() != name || a.StartByte() < from || a.StartByte() >= to {
			continue
		}
		if !narrowing || narrows(a.ChildByField("right")) {
			return true
		}
	}
	return false
}

// narrows reports an expression that slices or filters a queryset.
func narrows(n pyast.Node) bool {
	for n = pyast.Unparen(n); ; {
		switch n.Type() {
		case "subscript":
			return true
		case "call":
			c, ok := pyast.AsCallHead(n)
			if !ok {
				return false
			}
			switch c.MethodName() {
			case "filter", "exclude", "distinct", "none":
				return true
			}
			if c.Receiver().IsNil() {
				return false
			}
			n = pyast.Unparen(c.Receiver())
		default:
			return false
		}
	}
}

// evaluatedBefore reports whether the queryset named x was evaluated
// earlier in its function, on the same binding: len(x), bool(x), list(x),
// a truth test (`if x:`, `while x:`, `not x`) or a loop over x. Its result
// cache is then filled, and `x.count()` reads it: no COUNT query.
func evaluatedBefore(x pyast.Node) bool {
	name := x.Text()
	for id := range pyast.FindEachShallow(semantic.ScopeOf(x), "identifier") {
		if id.Text() != name || id.StartByte() >= x.StartByte() || !evaluates(id) {
			continue
		}
		if !reboundBetween(x, name, id.EndByte(), x.StartByte()) || inWhileTest(id, x) {
			return true
		}
	}
	return false
}

// evaluates reports whether identifier id is used in a way that loads the
// queryset's rows.
func evaluates(id pyast.Node) bool {
	p := id.Parent()
	for p.Type() == "parenthesized_expression" {
		id, p = p, p.Parent()
	}
	switch p.Type() {
	case "argument_list":
		if c, ok := pyast.AsCall(p.Parent()); ok && c.Func.Type() == "identifier" {
			switch c.Func.Text() {
			case "len", "bool", "list", "tuple":
				return true
			}
		}
	case "if_statement", "elif_clause", "while_statement":
		return p.ChildByField("condition").Equal(id)
	case "not_operator":
		return true
	case "for_statement", "for_in_clause":
		return p.ChildByField("right").Equal(id)
	}
	return false
}

// inWhileTest reports whether id is the test of a while loop whose body
// holds x: the test runs again on each rebinding before the body does.
func inWhileTest(id, x pyast.Node) bool {
	w := id.Parent()
	for w.Type() == "parenthesized_expression" {
		w = w.Parent()
	}
	return w.Type() == "while_statement" && w.ChildByField("body").Contains(x)
}
