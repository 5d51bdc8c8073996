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
func PlainRequest(cond pyast.Node) (value, known bool) { return plainRequest(cond, nil) }

// plainRequest is PlainRequest reading, with f, a call of a project
// function the view hands its request to (`is_tableau(self.request)`,
// returning `request.GET.get("tableau", "false").lower() == "true"`).
func plainRequest(cond pyast.Node, f *File) (value, known bool) {
	cond = pyast.Unparen(cond)
	switch cond.Type() {
	case "boolean_operator":
		l, lk := plainRequest(cond.ChildByField("left"), f)
		r, rk := plainRequest(cond.ChildByField("right"), f)
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
		v, k := plainRequest(cond.ChildByField("argument"), f)
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
		if len(kids) == 2 {
			ops := trimSpace(cond.Text()[kids[0].EndByte()-cond.StartByte() : kids[1].StartByte()-cond.StartByte()])
			if (ops == "is" || ops == "==") && kids[1].Type() == "true" {
				return plainRequest(kids[0], f) // `is_tableau(request) is True`
			}
			if lit, ok := pyast.StringValue(kids[1]); ok && (ops == "==" || ops == "!=") {
				// `request.GET.get("format", "json") == "csv"`, through a
				// variable or .lower(): the parameter's default.
				if v, none, vk := plainParam(kids[0]); vk {
					return (!none && v == lit) == (ops == "=="), true
				}
			}
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
			if v, k := plainRequest(a.ChildByField("right"), f); !k || v {
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
		if f != nil {
			return f.plainRequestCall(cond, c)
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
				if p.Type() == "elif_clause" && earlierClauseHolds(p, holds) {
					return true
				}
			}
		case "else_clause":
			if ifs := p.Parent(); ifs.Type() == "if_statement" {
				if v, known := holds(ifs.ChildByField("condition")); known && v {
					return true
				}
				if earlierClauseHolds(p, holds) {
					return true // `elif self.action == "list": ... else: return B`
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

// earlierClauseHolds reports whether, of the if statement clause k (an
// elif or an else) belongs to, the if's condition or an elif's before k is
// true for the request: k never runs then.
func earlierClauseHolds(k pyast.Node, holds func(cond pyast.Node) (v, known bool)) bool {
	ifs := k.Parent()
	if ifs.Type() != "if_statement" {
		return false
	}
	if v, known := holds(ifs.ChildByField("condition")); known && v {
		return true
	}
	for e := range ifs.Named() {
		if e.Equal(k) {
			break
		}
		if e.Type() != "elif_clause" {
			continue
		}
		if v, known := holds(e.ChildByField("condition")); known && v {
			return true
		}
	}
	return false
}

// plainParam reads the value a plain request gives an expression built
// from one query parameter: `request.GET.get("format")` is None,
// `request.GET.get("format", "json")` its default, `.lower()`,
// `.upper()` and `.strip()` of a string apply, and a variable assigned
// only such values in the function has theirs. known is false otherwise.
func plainParam(n pyast.Node) (value string, none, known bool) {
	n = pyast.Unparen(n)
	switch n.Type() {
	case "call":
		c, ok := pyast.AsCall(n)
		if !ok {
			return "", false, false
		}
		switch m := c.MethodName(); {
		case m == "get" && queryParams(c.Receiver()):
			def := pyast.Node{}
			switch {
			case len(c.Positional) == 1 && len(c.Keywords) == 0:
				return "", true, true
			case len(c.Positional) == 2 && len(c.Keywords) == 0:
				def = c.Positional[1]
			case len(c.Positional) == 1 && len(c.Keywords) == 1:
				def = c.Keyword("default")
			default:
				return "", false, false
			}
			if def.Type() == "none" {
				return "", true, true
			}
			v, ok := pyast.StringValue(def)
			return v, false, ok
		case (m == "lower" || m == "upper" || m == "strip") && len(c.Positional) == 0 && len(c.Keywords) == 0:
			v, none, ok := plainParam(c.Receiver())
			if !ok || none {
				return "", false, false
			}
			switch m {
			case "lower":
				v = strings.ToLower(v)
			case "upper":
				v = strings.ToUpper(v)
			default:
				v = strings.TrimSpace(v)
			}
			return v, false, true
		}
	case "identifier":
		def := pyast.Ancestor(n, "function_definition")
		if def.IsNil() {
			return "", false, false
		}
		seen := false
		for a := range pyast.FindEach(def.ChildByField("body"), "assignment", "augmented_assignment", "for_statement", "with_statement", "named_expression") {
			l := a.ChildByField("left")
			if a.Type() == "with_statement" || a.Type() == "named_expression" {
				if strings.Contains(a.Text(), n.Text()) {
					return "", false, false // bound some other way: not read
				}
				continue
			}
			if l.Type() != "identifier" || l.Text() != n.Text() {
				if a.Type() == "for_statement" && strings.Contains(l.Text(), n.Text()) {
					return "", false, false
				}
				continue
			}
			if a.Type() != "assignment" {
				return "", false, false
			}
			v2, none2, k2 := plainParam(a.ChildByField("right"))
			if !k2 || seen && (v2 != value || none2 != none) {
				return "", false, false
			}
			value, none, seen = v2, none2, true
		}
		return value, none, seen
	}
	return "", false, false
}

// plainRequestCall reads a call of a project function handed the view's
// request (`is_tableau(self.request)`) as the condition it returns, when
// the parameter receiving it is named request (so `request.GET` in its
// body is the view's query parameters) and every return of the function
// agrees on a plain request.
func (f *File) plainRequestCall(n pyast.Node, c pyast.Call) (value, known bool) {
	fn, bound := f.Callee(n)
	if fn == nil || fn.Node.IsNil() || fn.Class != nil && !bound {
		return false, false
	}
	i := indexOf(fn.Params, "request")
	if i < 0 {
		return false, false
	}
	if arg := pyast.Dotted(pyast.Unparen(ArgFor(c, fn, i, bound))); arg != "request" && arg != "self.request" {
		return false, false
	}
	seen := false
	for r := range pyast.FindEachShallow(fn.Node, "return_statement") {
		e := r.NamedChild(0)
		if e.IsNil() {
			return false, false
		}
		v, k := plainRequest(e, nil)
		if !k || seen && v != value {
			return false, false
		}
		value, seen = v, true
	}
	return value, seen
}

// OptionReturn is the package OptionReturn reading the project functions
// the conditions call with the request (see plainRequestCall).
func (f *File) OptionReturn(r, m pyast.Node) bool {
	return skippedWhen(r, m, func(cond pyast.Node) (bool, bool) { return plainRequest(cond, f) })
}
