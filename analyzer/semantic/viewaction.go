package semantic

import (
	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// A view's queryset is often built for one action at a time:
//
//	def get_queryset(self):
//	    qs = self.queryset.filter(owner=self.request.user)
//	    if self.action == "list":
//	        qs = qs.prefetch_related("participants")
//	    if self.action == "add":
//	        qs = qs.select_for_update()
//	    return qs
//
// Read without the action, the two branches are alternatives and only what
// every path loads counts, so the listing looked unloaded. Evaluated for an
// action (ctx.action: "list" for a listing, the method's name for an
// @action), a branch whose test decides on that action is taken or passed
// over, as Python would.

// actionTest evaluates an if clause's condition for the action being read:
// for the listing, PlainRequest (self.action == "list", self.detail false, no
// query parameter); for another action, its name tested against
// self.action. known is false when the condition depends on something else.
func actionTest(cond pyast.Node, action string) (value, known bool) {
	if action == "" {
		return false, false
	}
	if action == "list" {
		return PlainRequest(cond)
	}
	return conditionMatches(cond, &Endpoint{Action: action})
}

// Clause outcomes for one action.
const (
	clauseMaybe = iota
	clauseNever
	clauseTaken
)

// clauseRuns says, for each clause of if statement st (if, elif..., else,
// as ifBodies lists them), whether it runs for action: never, taken (it
// runs, and no clause before it can), or maybe. With no action every
// clause is maybe.
func clauseRuns(st pyast.Node, action string) []int {
	conds := []pyast.Node{st.ChildByField("condition")}
	for k := range st.Named() {
		switch k.Type() {
		case "elif_clause":
			conds = append(conds, k.ChildByField("condition"))
		case "else_clause":
			conds = append(conds, pyast.Node{})
		}
	}
	out := make([]int, len(conds))
	if action == "" {
		return out
	}
	earlier := clauseNever // the best any clause before has: never, maybe or taken
	for i, c := range conds {
		switch {
		case earlier == clauseTaken:
			out[i] = clauseNever
			continue
		case c.IsNil(): // else
			if earlier == clauseNever {
				out[i] = clauseTaken
			}
			continue
		}
		v, known := actionTest(c, action)
		switch {
		case known && !v:
			out[i] = clauseNever
		case known && v && earlier == clauseNever:
			out[i] = clauseTaken
			earlier = clauseTaken
		default:
			earlier = clauseMaybe
		}
	}
	return out
}

// actionSkips reports whether return statement r, inside function m, sits
// in a clause that never runs for action.
func actionSkips(r, m pyast.Node, action string) bool {
	if action == "" {
		return false
	}
	for p := r.Parent(); !p.IsNil() && !p.Equal(m); p = p.Parent() {
		if p.Type() != "if_statement" {
			continue
		}
		runs := clauseRuns(p, action)
		bodies, _ := ifBodies(p)
		for i, b := range bodies {
			if i < len(runs) && !b.IsNil() && b.Contains(r) && runs[i] == clauseNever {
				return true
			}
		}
	}
	return false
}

// viewActionOf returns the DRF action a method of a view class serves: its
// name when it is decorated with @action (or the older detail_route /
// list_route) or is one of the standard actions; "" otherwise.
func viewActionOf(def pyast.Node) string {
	if def.IsNil() {
		return ""
	}
	name := def.ChildByField("name").Text()
	switch name {
	case "list", "retrieve", "create", "update", "partial_update", "destroy":
		return name
	}
	if d := def.Parent(); d.Type() == "decorated_definition" {
		for dec := range d.Named() {
			if dec.Type() != "decorator" {
				continue
			}
			e := dec.NamedChild(0)
			if c, ok := pyast.AsCallHead(e); ok {
				e = c.Func
			}
			switch lastName(pyast.Dotted(e)) {
			case "action", "detail_route", "list_route":
				return name
			}
		}
	}
	return ""
}

// ActionQueryset evaluates the queryset view class cls serves to the
// action named (a method decorated with @action calling self.list, or
// serialising self.get_queryset()): get_queryset read with that action,
// then the view's filter_queryset.
func (f *File) ActionQueryset(cls pyast.Node, action string) *QS {
	c := f.byClass[cls.ID()]
	if c == nil {
		return nil
	}
	return filteredFor(c, jsonAPIIncludes(c, f.viewQuerysetFor(c, action, 0, nil)), action, 0, nil)
}

// ServesOwnSerializer reports whether view class cls, for action, uses the
// serializer_class attribute of the view instance: it does not override
// get_serializer_class, or the override returns self.serializer_class (or
// super()'s) on every path that action can take. An @action's
// `serializer_class=` keyword sets that attribute for its requests.
func (f *File) ServesOwnSerializer(cls pyast.Node, action string) bool {
	c := f.byClass[cls.ID()]
	if c == nil {
		return false
	}
	fn := c.Method("get_serializer_class")
	if fn == nil {
		return true
	}
	if fn.File == nil {
		return false
	}
	names, ok := chooseSerializer(pyast.Statements(pyast.Body(fn.Node)), &Endpoint{Class: c, Action: action})
	if !ok {
		return false
	}
	for _, n := range names {
		if pyast.Dotted(n) != "self.serializer_class" && !SuperSerializerClass(n) {
			return false
		}
	}
	return true
}
