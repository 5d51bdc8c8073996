package semantic

import (
	"slices"
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// EndpointSerializers returns the project serializer classes an endpoint
// of a view class may use: what get_serializer_class returns for the
// endpoint's action or method (reading `if self.action == "retrieve"`,
// `self.action in (...)`, `self.request.method == "POST"` branches), or
// the class's serializer_class. known is false when the choice cannot be
// read (a computed return, a helper): callers then assume any serializer.
func (m *Model) EndpointSerializers(e *Endpoint) (out []*Class, known bool) {
	c := e.Class
	if c == nil {
		return nil, false
	}
	fn := c.Method("get_serializer_class")
	if fn == nil || fn.File == nil {
		if s := m.serializerClass(c); s != nil {
			return []*Class{s}, true
		}
		return nil, false
	}
	names, ok := chooseSerializer(pyast.Statements(pyast.Body(fn.Node)), e)
	if !ok {
		return nil, false
	}
	for _, n := range names {
		s := m.chosenSerializer(c, fn.File, n, e, 0)
		if s == nil {
			return nil, false
		}
		out = append(out, s)
	}
	return out, len(out) > 0
}

// chosenSerializer resolves an expression get_serializer_class returns for
// endpoint e: the class's serializer_class (`self.serializer_class`,
// `super().get_serializer_class()`), a class attribute naming a class
// (`self.default_serializer_class`), a dict literal of the class keyed by
// action (`self.serializers.get(self.action, self.serializers["default"])`,
// `self.serializer_classes[self.action]`, `self.serializers["default"]`),
// or a class name. Nil when it cannot be read.
func (m *Model) chosenSerializer(c *Class, f *File, n pyast.Node, e *Endpoint, depth int) *Class {
	n = pyast.Unparen(n)
	if depth > 3 || n.IsNil() {
		return nil
	}
	if n.Type() == "attribute" && pyast.Dotted(n) == "self.serializer_class" || SuperSerializerClass(n) {
		return m.serializerClass(c)
	}
	// self.X.get(self.action[, default]) on a dict literal X of the class.
	if call, ok := pyast.AsCall(n); ok && call.MethodName() == "get" && call.Func.Type() == "attribute" &&
		len(call.Keywords) == 0 && len(call.Positional) >= 1 && len(call.Positional) <= 2 &&
		pyast.Dotted(pyast.Unparen(call.Positional[0])) == "self.action" {
		dict, df := actionDict(c, call.Receiver())
		if dict.IsNil() {
			return nil
		}
		if v, found := dictValue(dict, e.Action); found {
			return m.chosenSerializer(c, df, v, e, depth+1)
		}
		if len(call.Positional) < 2 {
			return nil // None: DRF's get_serializer would fail
		}
		return m.chosenSerializer(c, f, call.Positional[1], e, depth+1)
	}
	// self.X[self.action] or self.X["default"].
	if n.Type() == "subscript" {
		dict, df := actionDict(c, n.ChildByField("value"))
		if dict.IsNil() {
			return nil
		}
		key, ok := pyast.StringValue(n.ChildByField("subscript"))
		if !ok {
			if pyast.Dotted(pyast.Unparen(n.ChildByField("subscript"))) != "self.action" {
				return nil
			}
			key = e.Action
		}
		v, found := dictValue(dict, key)
		if !found {
			return nil // a KeyError, not a serializer
		}
		return m.chosenSerializer(c, df, v, e, depth+1)
	}
	// self.default_serializer_class: a class attribute naming a class.
	if n.Type() == "attribute" && pyast.Dotted(n.ChildByField("object")) == "self" {
		v, decl := c.Attr(n.ChildByField("attribute").Text())
		if v.IsNil() || decl == nil {
			return nil
		}
		return m.chosenSerializer(c, decl.File, v, e, depth+1)
	}
	if n.Type() != "identifier" && n.Type() != "attribute" {
		return nil
	}
	return m.classByName(f, n)
}

// actionDict returns the dict literal a class attribute `self.X` is bound
// to (its own or a base's), with the file declaring it, or a nil node.
func actionDict(c *Class, recv pyast.Node) (pyast.Node, *File) {
	recv = pyast.Unparen(recv)
	if recv.Type() != "attribute" || pyast.Dotted(recv.ChildByField("object")) != "self" {
		return pyast.Node{}, nil
	}
	v, decl := c.Attr(recv.ChildByField("attribute").Text())
	if v = pyast.Unparen(v); v.IsNil() || decl == nil || v.Type() != "dictionary" {
		return pyast.Node{}, nil
	}
	return v, decl.File
}

// dictValue returns the value of a string key in a dict literal; found is
// false when no pair has that key, and the value is nil when the dict
// cannot be read (a `**spread`, a computed key), which callers treat as
// unknown.
func dictValue(dict pyast.Node, key string) (pyast.Node, bool) {
	for pair := range dict.Named() {
		if pair.Type() == "comment" {
			continue
		}
		if pair.Type() != "pair" {
			return pyast.Node{}, true
		}
		k, ok := pyast.StringValue(pair.ChildByField("key"))
		if !ok {
			return pyast.Node{}, true
		}
		if k == key {
			return pair.ChildByField("value"), true
		}
	}
	return pyast.Node{}, false
}

// chooseSerializer follows the statements of get_serializer_class for
// one endpoint: the returned expressions that can run for its action or
// method. ok is false for anything it cannot read.
func chooseSerializer(stmts []pyast.Node, e *Endpoint) (out []pyast.Node, ok bool) {
	for _, st := range stmts {
		switch st.Type() {
		case "return_statement":
			v := st.NamedChild(0)
			if v.IsNil() {
				return nil, false
			}
			return append(out, v), true
		case "if_statement":
			clauses := []pyast.Node{st}
			hasElse := false
			for k := range st.Named() {
				if k.Type() == "elif_clause" || k.Type() == "else_clause" {
					clauses = append(clauses, k)
					hasElse = hasElse || k.Type() == "else_clause"
				}
			}
			allReturn := true
			for _, cl := range clauses {
				body := cl.ChildByField("consequence")
				if cl.Type() == "else_clause" {
					body = cl.ChildByField("body")
				}
				match := true
				if cl.Type() != "else_clause" {
					var known bool
					match, known = conditionMatches(cl.ChildByField("condition"), e)
					if !known {
						return nil, false
					}
				}
				inner, innerOK := chooseSerializer(pyast.Statements(body), e)
				returns := endsInReturn(body)
				if !returns {
					allReturn = false
				}
				if match {
					if !innerOK {
						return nil, false
					}
					if returns {
						return append(out, inner...), true
					}
				}
			}
			if hasElse && allReturn {
				return out, len(out) > 0
			}
		case "match_statement":
			// `match self.action:` with string cases, as the if chain.
			value, known := actionValue(st.ChildByField("subject"), e)
			if !known {
				return nil, false
			}
			for cl := range st.ChildByField("body").Named() {
				if cl.Type() != "case_clause" {
					continue
				}
				match, known := caseMatches(cl, value)
				if !known {
					return nil, false
				}
				if !match {
					continue
				}
				body := cl.ChildByField("consequence")
				inner, innerOK := chooseSerializer(pyast.Statements(body), e)
				if !innerOK {
					return nil, false
				}
				if endsInReturn(body) {
					return append(out, inner...), true
				}
				break // the first matching case runs; then the statements after the match
			}
		case "expression_statement", "comment", "pass_statement":
		default:
			return nil, false
		}
	}
	return out, len(out) > 0
}

// actionValue is the endpoint's value of a get_serializer_class subject:
// its action for self.action, its one method for self.request.method.
func actionValue(subject pyast.Node, e *Endpoint) (string, bool) {
	switch pyast.Dotted(pyast.Unparen(subject)) {
	case "self.action":
		return e.Action, true
	case "self.request.method":
		if len(e.Methods) == 1 {
			return e.Methods[0], true
		}
	}
	return "", false
}

// caseMatches evaluates a case clause of string literals (`case "list":`,
// `case "create" | "update":`, `case _:`) against value; known is false for
// any other pattern or a guard.
func caseMatches(cl pyast.Node, value string) (match, known bool) {
	if !cl.ChildByField("guard").IsNil() {
		return false, false
	}
	patterns := 0
	for p := range cl.Named() {
		if p.Type() != "case_pattern" {
			continue
		}
		patterns++
		if p.NamedChildCount() == 0 && p.Text() == "_" {
			return true, patterns == 1
		}
		alt := p.NamedChild(0)
		if p.NamedChildCount() != 1 {
			return false, false
		}
		if alt.Type() == "_" {
			return true, patterns == 1
		}
		options := []pyast.Node{alt}
		if alt.Type() == "union_pattern" {
			options = alt.NamedChildren()
		}
		for _, o := range options {
			v, ok := pyast.StringValue(o)
			if !ok {
				return false, false
			}
			match = match || strings.EqualFold(v, value)
		}
	}
	return match, patterns == 1
}

// endsInReturn reports whether a block's last statement returns.
func endsInReturn(body pyast.Node) bool {
	return pyast.LastStatement(body).Type() == "return_statement"
}

// conditionMatches evaluates a get_serializer_class condition on
// self.action or self.request.method for an endpoint. known is false for
// other conditions.
func conditionMatches(cond pyast.Node, e *Endpoint) (match, known bool) {
	cond = pyast.Unparen(cond)
	switch cond.Type() {
	case "boolean_operator":
		l, lk := conditionMatches(cond.ChildByField("left"), e)
		r, rk := conditionMatches(cond.ChildByField("right"), e)
		if !lk || !rk {
			return false, false
		}
		if cond.ChildByField("operator").Text() == "and" {
			return l && r, true
		}
		return l || r, true
	case "not_operator":
		m, k := conditionMatches(cond.ChildByField("argument"), e)
		return !m, k
	case "comparison_operator":
		subject, set, eq, ok := stringTest(cond)
		if !ok {
			return false, false
		}
		var value string
		switch viewSubject(cond.NamedChild(0), subject) {
		case "self.action":
			value = e.Action
		case "self.request.method":
			if len(e.Methods) != 1 {
				return false, false
			}
			value = e.Methods[0]
		default:
			return false, false
		}
		return slices.ContainsFunc(set, func(s string) bool { return strings.EqualFold(s, value) }) == eq, true
	}
	return false, false
}

// SuperSerializerClass reports `super().get_serializer_class()` (or
// `super(View, self)...`): the class's own serializer_class, unless a base
// chooses (Dotted has no name for a call, so it is read here).
func SuperSerializerClass(n pyast.Node) bool {
	c, ok := pyast.AsCall(n)
	if !ok || c.Func.Type() != "attribute" || c.Func.ChildByField("attribute").Text() != "get_serializer_class" {
		return false
	}
	sc, ok := pyast.AsCall(c.Func.ChildByField("object"))
	return ok && pyast.Dotted(sc.Func) == "super"
}

// viewSubject names what a test of a view's condition reads: subject (the
// test's left side, dotted) or, for a local bound once in the method, what
// it is bound to: `action = self.action`, or `action = getattr(self,
// "action", None)` (the spelling of views that some code paths build without
// a request) is self.action.
func viewSubject(left pyast.Node, subject string) string {
	left = pyast.Unparen(left)
	if left.Type() != "identifier" {
		return subject
	}
	v := boundOnce(left)
	if v.Equal(left) {
		return subject
	}
	if v.Type() == "attribute" {
		return pyast.Dotted(v)
	}
	c, ok := pyast.AsCall(v)
	if !ok || pyast.Dotted(c.Func) != "getattr" || len(c.Positional) < 2 || len(c.Keywords) > 0 {
		return subject
	}
	if name, isStr := pyast.StringValue(c.Positional[1]); isStr && pyast.Dotted(c.Positional[0]) == "self" {
		return "self." + name
	}
	return subject
}
