package semantic

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// ServedOn reports whether n, a node in the body of a function view,
// may run for a request of the given HTTP method ("GET"): false when it
// sits in a branch only other methods take, `if request.method ==
// "POST":` (or `in ("POST", "PUT")`, `!= "GET"`), or the else of `if
// request.method == "GET":`. The request is the view's first parameter
// (after self).
func ServedOn(view *Func, n pyast.Node, method string) bool {
	if view == nil || n.IsNil() || len(view.Params) == 0 {
		return true
	}
	req := view.Params[0]
	if view.Class != nil && len(view.Params) > 1 {
		req = view.Params[1]
	}
	body := view.Node.ChildByField("body")
	for child, a := n, n.Parent(); !a.IsNil() && !a.Equal(body); child, a = a, a.Parent() {
		var cond pyast.Node
		inBody := false
		switch a.Type() {
		case "function_definition", "lambda", "class_definition":
			return true
		case "if_statement", "elif_clause":
			cond = a.ChildByField("condition")
			inBody = a.ChildByField("consequence").Equal(child)
		default:
			continue
		}
		methods, eq, ok := methodTest(cond, req)
		if !ok {
			continue
		}
		in := false
		for _, m := range methods {
			if strings.EqualFold(m, method) {
				in = true
			}
		}
		switch {
		case inBody && eq && !in, inBody && !eq && in:
			return false // `if request.method == "POST":` or `!= "GET"`
		case !inBody && a.Type() == "if_statement" && eq && in && child.Is("else_clause", "elif_clause"):
			return false // the else (or elif) of `if request.method == "GET":`
		}
	}
	return true
}

// methodTest reads `req.method == "X"`, `req.method != "X"` and
// `req.method in ("X", "Y")` / `not in`: the methods named, and whether
// the test holds for them (eq) or for the others.
func methodTest(cond pyast.Node, req string) (methods []string, eq, ok bool) {
	cond = pyast.Unparen(cond)
	if cond.Type() != "comparison_operator" {
		return nil, false, false
	}
	kids := cond.NamedChildren()
	if len(kids) != 2 || kids[0].Type() != "attribute" || pyast.Dotted(kids[0]) != req+".method" {
		return nil, false, false
	}
	op := ""
	for ch := cond.FirstChild(); !ch.IsNil(); ch = ch.NextSibling() {
		if !ch.IsNamed() {
			op = ch.Type()
		}
	}
	switch op {
	case "==", "!=":
		s, isStr := pyast.StringValue(kids[1])
		if !isStr {
			return nil, false, false
		}
		return []string{s}, op == "==", true
	case "in", "not in":
		if !kids[1].Is("tuple", "list", "set") {
			return nil, false, false
		}
		for el := range kids[1].Named() {
			s, isStr := pyast.StringValue(el)
			if !isStr {
				return nil, false, false
			}
			methods = append(methods, s)
		}
		return methods, op == "in", true
	}
	return nil, false, false
}
