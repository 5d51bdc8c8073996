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
		if n.Type() == "attribute" && pyast.Dotted(n) == "self.serializer_class" || SuperSerializerClass(n) {
			if s := m.serializerClass(c); s != nil {
				out = append(out, s)
				continue
			}
			return nil, false
		}
		s := m.classByName(fn.File, n)
		if s == nil {
			return nil, false
		}
		out = append(out, s)
	}
	return out, len(out) > 0
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
		case "expression_statement", "comment", "pass_statement":
		default:
			return nil, false
		}
	}
	return out, len(out) > 0
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
		switch subject {
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
