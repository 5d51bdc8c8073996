package semantic

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// PlainRequest evaluates a view's condition for a request that passes no
// query parameter: a test of one (`"checked" in self.request.query_params`,
// `self.request.query_params.get("simple", False)`, `request.GET.get(k)`)
// is false then, and `and`, `or` and `not` combine such tests with
// anything else. known is false when the value depends on something else
// (the action, the user, a setting, a parameter with a truthy default).
//
// It tells which return of get_queryset or get_serializer_class serves a
// plain listing: `if request.query_params.get("simple"): return Short`
// is an option the client asks for, and the listing without it is the
// other return.
func PlainRequest(cond pyast.Node) (value, known bool) {
	cond = pyast.Unparen(cond)
	switch cond.Type() {
	case "boolean_operator":
		l, lk := PlainRequest(cond.ChildByField("left"))
		r, rk := PlainRequest(cond.ChildByField("right"))
		if cond.ChildByField("operator").Text() == "and" {
			if lk && !l || rk && !r {
				return false, true
			}
			return true, lk && rk
		}
		if lk && l || rk && r {
			return true, true
		}
		return false, lk && rk
	case "not_operator":
		v, k := PlainRequest(cond.ChildByField("argument"))
		return !v, k
	case "attribute":
		// A viewset's detail routes set self.detail; the listing's is False.
		if pyast.Dotted(cond) == "self.detail" {
			return false, true
		}
	case "comparison_operator":
		kids := cond.NamedChildren()
		if len(kids) == 2 && viewSubject(kids[0], pyast.Dotted(kids[0])) == "self.action" {
			// The listing's action is "list".
			return conditionMatches(cond, &Endpoint{Action: "list"})
		}
		if len(kids) != 2 || !queryParams(kids[1]) {
			return false, false
		}
		if _, ok := pyast.StringValue(kids[0]); !ok {
			return false, false
		}
		ops := cond.Text()[kids[0].EndByte()-cond.StartByte() : kids[1].StartByte()-cond.StartByte()]
		switch trimSpace(ops) {
		case "in":
			return false, true
		case "not in":
			return true, true
		}
	case "identifier":
		// root = self.request.query_params.get("root", None); if root: ...
		def := pyast.Ancestor(cond, "function_definition")
		if def.IsNil() {
			return false, false
		}
		seen := false
		for a := range pyast.FindEachShallow(def.ChildByField("body"), "assignment") {
			l := a.ChildByField("left")
			if l.Type() != "identifier" || l.Text() != cond.Text() {
				continue
			}
			if v, k := PlainRequest(a.ChildByField("right")); !k || v {
				return false, false
			}
			seen = true
		}
		return false, seen
	case "call":
		c, ok := pyast.AsCall(cond)
		if !ok {
			return false, false
		}
		if c.MethodName() == "get" && queryParams(c.Receiver()) {
			if len(c.Positional) == 1 && len(c.Keywords) == 0 {
				return false, true
			}
			if len(c.Positional) == 2 && falsy(c.Positional[1]) {
				return false, true
			}
			if len(c.Positional) == 1 && len(c.Keywords) == 1 && falsy(c.Keyword("default")) {
				return false, true
			}
			return false, false
		}
	}
	return false, false
}

// queryParams reports whether n is the request's query parameters:
// `request.query_params`, `request.GET`, through `self.request` too.
func queryParams(n pyast.Node) bool {
	switch pyast.Dotted(n) {
	case "request.query_params", "request.GET", "self.request.query_params", "self.request.GET":
		return true
	}
	return false
}

// falsy reports whether n is a literal false value: None, False, 0, "".
func falsy(n pyast.Node) bool {
	if n.IsNil() {
		return false
	}
	switch n.Type() {
	case "none", "false":
		return true
	case "integer":
		return n.Text() == "0"
	}
	if s, ok := pyast.StringValue(n); ok {
		return s == ""
	}
	return false
}

// trimSpace is the words of an operator's text (`not  in`, across a line
// continuation) joined by one space.
func trimSpace(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\n' || r == '\\' || r == '\r'
	}), " ")
}

// OptionReturn reports whether return statement r, inside function m, does
// not run for a plain listing (a list request without query parameters):
// it sits under a branch that listing does not take (`if "checked" in
// self.request.query_params: return helper(qs)`, `if self.detail: ...`,
// the else of `if self.action == "list"`), or after such a test that
// returns (`if self.action == "list": return Short` before it).
func OptionReturn(r, m pyast.Node) bool { return skippedWhen(r, m, PlainRequest) }

// skippedWhen reports whether return statement r, inside function m, does
// not run for a request for which holds (a condition's value, and whether
// it is known) says whether each condition is true: r sits in the body of
// an if (or elif) whose condition is false for it, in the else of one
// whose condition is true, or after an if in its block whose condition is
// true and whose body returns.
func skippedWhen(r, m pyast.Node, holds func(cond pyast.Node) (v, known bool)) bool {
	child := r
	for p := r.Parent(); !p.IsNil() && !p.Equal(m); child, p = p, p.Parent() {
		switch p.Type() {
		case "function_definition", "lambda", "class_definition":
			return false
		case "if_statement", "elif_clause":
			if p.ChildByField("consequence").Equal(child) {
				if v, known := holds(p.ChildByField("condition")); known && !v {
					return true
				}
			}
		case "else_clause":
			if ifs := p.Parent(); ifs.Type() == "if_statement" {
				if v, known := holds(ifs.ChildByField("condition")); known && v {
					return true
				}
			}
		case "block":
			// An earlier `if <true for the request>: ... return` in this block.
			for prev := range p.Named() {
				if prev.Equal(child) {
					break
				}
				if prev.Type() != "if_statement" || !endsInReturn(prev.ChildByField("consequence")) {
					continue
				}
				if v, known := holds(prev.ChildByField("condition")); known && v {
					return true
				}
			}
		}
	}
	return false
}
