package orm

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

// actionSerializer returns the `serializer_class=` keyword of the @action
// (or detail_route / list_route) decorating method def, or the zero Node.
// DRF sets it on the view for that action's requests, so `self.list(...)`
// and `self.get_serializer(...)` in the method serialise with it. An
// @action that sets the attribute itself at the top of its body
// (`self.serializer_class = Expanded`, then `return self.list(...)`) does
// the same for its request: that value.
func actionSerializer(def pyast.Node) pyast.Node {
	d := def.Parent()
	if d.Type() != "decorated_definition" {
		return pyast.Node{}
	}
	isAction := false
	for dec := range d.Named() {
		if dec.Type() != "decorator" {
			continue
		}
		e := dec.NamedChild(0)
		if c, ok := pyast.AsCallHead(e); ok {
			e = c.Func
		}
		switch name := pyast.Dotted(e); name[strings.LastIndex(name, ".")+1:] {
		case "action", "detail_route", "list_route":
			isAction = true
		}
	}
	if !isAction {
		return pyast.Node{}
	}
	if v := assignedSerializer(def); !v.IsNil() {
		return v
	}
	for dec := range d.Named() {
		if dec.Type() != "decorator" {
			continue
		}
		c, ok := pyast.AsCall(dec.NamedChild(0))
		if !ok {
			continue
		}
		switch name := pyast.Dotted(c.Func); name[strings.LastIndex(name, ".")+1:] {
		case "action", "detail_route", "list_route":
			if v := c.Keyword("serializer_class"); !v.IsNil() && pyast.Dotted(v) != "" {
				return v
			}
		}
	}
	return pyast.Node{}
}

// assignedSerializer returns X of a `self.serializer_class = X`
// statement at the top level of method def's body, X a plain or dotted
// name, or the zero Node. One under a branch holds for some requests only
// and is not taken; the last one wins.
func assignedSerializer(def pyast.Node) pyast.Node {
	var out pyast.Node
	for _, st := range pyast.Statements(pyast.Body(def)) {
		if st.Type() != "expression_statement" {
			continue
		}
		a := st.NamedChild(0)
		if a.Type() != "assignment" || pyast.Dotted(a.ChildByField("left")) != "self.serializer_class" {
			continue
		}
		v := pyast.Unparen(a.ChildByField("right"))
		if v.Is("identifier", "attribute") && pyast.Dotted(v) != "" {
			out = v
		}
	}
	return out
}

// callsList reports whether method def hands its request to the list
// action (`return self.list(request)`, `super().list(...)`).
func callsList(def pyast.Node) bool {
	for n := range pyast.FindEach(pyast.Body(def), "call") {
		c, ok := pyast.AsCallHead(n)
		if ok && c.MethodName() == "list" && semantic.IsSelfOrSuper(c.Receiver()) {
			return true
		}
	}
	return false
}

// checkActionLists reports, for each @action of view class cls that sets
// its own serializer_class and answers through self.list, what that
// serializer reads per row that get_queryset, read for the action, does
// not load (karrot's `ics_list`: an ICS export of the activities listing
// with ActivityICSSerializer, whose get_queryset loads only for "list").
func (t *Tracker) checkActionLists(cls pyast.Node) {
	body := pyast.Body(cls)
	for _, st := range pyast.Statements(body) {
		def := st
		if def.Type() == "decorated_definition" {
			def = def.ChildByField("definition")
		}
		if def.Type() != "function_definition" {
			continue
		}
		s := actionSerializer(def)
		if s.IsNil() || !callsList(def) {
			continue
		}
		action := def.ChildByField("name").Text()
		if !t.ServesOwnSerializer(cls, action) || t.repaginates(cls) {
			continue
		}
		q := t.ActionQueryset(cls, action)
		t.checkSerializer(s, pyast.Dotted(s), q, "`"+pyast.DefName(cls)+"."+action+"`")
	}
}
