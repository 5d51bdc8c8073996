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
	subject, set, eq, ok := stringTest(pyast.Unparen(cond))
	if !ok || subject != req+".method" {
		return nil, false, false
	}
	return set, eq, true
}

// stringTest reads a comparison of a dotted name with string literals:
// `x.y == "a"`, `!= "a"`, `in ("a", "b")` (a tuple, list or set),
// `not in`. It returns the name, the strings, and whether the test holds
// when the name is one of them (== and in) or when it is none (!= and
// not in); ok is false for anything else.
func stringTest(cmp pyast.Node) (subject string, set []string, eq, ok bool) {
	kids := cmp.NamedChildren()
	if cmp.Type() != "comparison_operator" || len(kids) != 2 {
		return "", nil, false, false
	}
	op := strings.TrimSpace(cmp.Text()[kids[0].EndByte()-cmp.StartByte() : kids[1].StartByte()-cmp.StartByte()])
	switch op {
	case "==", "in":
		eq = true
	case "!=", "not in":
	default:
		return "", nil, false, false
	}
	if s, isStr := pyast.StringValue(kids[1]); isStr {
		set = []string{s}
	} else if kids[1].Is("tuple", "list", "set") {
		for x := range kids[1].Named() {
			s, isStr := pyast.StringValue(x)
			if !isStr {
				return "", nil, false, false
			}
			set = append(set, s)
		}
	} else {
		return "", nil, false, false
	}
	return pyast.Dotted(kids[0]), set, eq, true
}
