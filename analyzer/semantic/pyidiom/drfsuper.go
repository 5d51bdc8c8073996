package pyidiom

import "github.com/rubric-dev/rubric/analyzer/pyast"

// drfValidatingActions are the DRF mixin actions that validate the request
// payload with the view's serializer (`is_valid(raise_exception=True)`)
// before they return: an invalid payload is a 400 raised from inside them.
var drfValidatingActions = map[string]bool{"create": true, "update": true, "partial_update": true}

// SuperValidatedBefore reports whether, within body, a call
// `super().create(...)`, `super().update(...)` or
// `super().partial_update(...)` starts before n: in a DRF view that
// overrides the action, the payload has been through the serializer by
// then (a missing required key or a primary key no row has was a 400
// there).
func SuperValidatedBefore(body, n pyast.Node) bool {
	for c := range pyast.FindEachShallow(body, "call") {
		if c.StartByte() >= n.StartByte() {
			break
		}
		cc, ok := pyast.AsCall(c)
		if !ok || cc.Func.Type() != "attribute" || !drfValidatingActions[cc.MethodName()] {
			continue
		}
		if r, ok := pyast.AsCall(pyast.Unparen(cc.Receiver())); ok && pyast.Dotted(r.Func) == "super" {
			return true
		}
	}
	return false
}

// SerializerValidatedBefore reports n under `if s.is_valid():` (in its
// body) or after a statement `s.is_valid(raise_exception=True)` of body:
// the serializer bound to s has accepted the payload by the time n runs.
func SerializerValidatedBefore(body pyast.Node, s string, n pyast.Node) bool {
	isValid := func(x pyast.Node) (pyast.Call, bool) {
		c, ok := pyast.AsCall(pyast.Unparen(x))
		return c, ok && c.MethodName() == "is_valid" && pyast.Dotted(c.Receiver()) == s
	}
	for a := n.Parent(); !a.IsNil() && !a.Equal(body); a = a.Parent() {
		if a.Type() != "if_statement" {
			continue
		}
		if _, ok := isValid(a.ChildByField("condition")); ok && a.ChildByField("consequence").Contains(n) {
			return true
		}
	}
	for st := range pyast.FindEachShallow(body, "expression_statement") {
		if st.StartByte() >= n.StartByte() {
			break
		}
		if c, ok := isValid(st.NamedChild(0)); ok && c.Keyword("raise_exception").Text() == "True" {
			return true
		}
	}
	return false
}
