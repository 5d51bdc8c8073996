package semantic

import "github.com/rubric-dev/rubric/analyzer/pyast"

// MetaClass returns the Meta class of a class body (a model's, a
// serializer's, a form's), or the zero Node.
func MetaClass(cls pyast.Node) pyast.Node {
	for st := range pyast.EachStatement(pyast.Body(cls)) {
		if st.Type() == "class_definition" && pyast.DefName(st) == "Meta" {
			return st
		}
	}
	return pyast.Node{}
}

// MetaList reads a Meta attribute that lists names (fields, exclude): the
// assignment, the names, and whether it is "__all__".
func MetaList(meta pyast.Node, name string) (pyast.Node, []string, bool) {
	for st := range pyast.EachStatement(pyast.Body(meta)) {
		a := st.NamedChild(0)
		if st.Type() != "expression_statement" || a.Type() != "assignment" || a.ChildByField("left").Text() != name {
			continue
		}
		v := pyast.Unparen(a.ChildByField("right"))
		if s, ok := pyast.StringValue(v); ok {
			return a, nil, s == "__all__"
		}
		var out []string
		for e := range v.Named() {
			if s, ok := pyast.StringValue(e); ok {
				out = append(out, s)
			}
		}
		return a, out, false
	}
	return pyast.Node{}, nil, false
}
