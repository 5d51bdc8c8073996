package semantic

import (
	"iter"
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// customReturnsNoQS reports a custom manager or queryset method of q's
// model whose every return is plainly not a queryset: a dict built in the
// method (a comprehension, a display, `dict(...)`), a tuple, a
// constant or a number. A list of rows (`list(...)`, a list comprehension)
// still holds rows to loop over, and stays a queryset. freesound's `Sound.objects.dict_ids(ids)` returns
// `{s.id: s for s in self.bulk_query_id(ids)}`; `.get(key)` on it reads a
// dict. The method is looked up in the model's custom manager classes (and
// their queryset classes); a method found in none, or with any other
// return, is taken for a queryset as before. So is a method returning
// another model's rows (`ObjectACL.objects.filter(object_id=...)` from
// `Experiment.safe.user_acls(id)`): what it answers is not a queryset of
// q's model, and is left unknown.
func (f *File) customReturnsNoQS(q *QS, method string) bool {
	return f.everyCustomReturn(q, method, func(fn *Func, v pyast.Node) bool {
		return plainlyNotQS(v) || otherModelRows(v, q.Model.Name) || otherModelLocal(fn.Node, v, q.Model.Name, 0)
	})
}

// everyCustomReturn reports whether q's model has a custom manager or
// queryset method named method, and every return of each (one at least)
// gives an expression ok holds for (unparenthesised).
func (f *File) everyCustomReturn(q *QS, method string, ok func(fn *Func, v pyast.Node) bool) bool {
	if q == nil || q.Model == nil {
		return false
	}
	found := false
	for cf := range f.M.customManagerClasses(q.Model) {
		c := f.M.LookupClass(cf.Module + "." + cf.Name)
		if c == nil {
			continue
		}
		fn := c.Methods[method]
		if fn == nil || fn.File == nil {
			continue
		}
		returns := 0
		for r := range pyast.FindEachShallow(fn.Node, "return_statement") {
			returns++
			if !ok(fn, pyast.Unparen(r.NamedChild(0))) {
				return false
			}
		}
		if returns == 0 {
			return false
		}
		found = true
	}
	return found
}

// plainlyNotQS reports a returned expression that cannot be a queryset.
func plainlyNotQS(n pyast.Node) bool {
	switch n.Type() {
	case "dictionary", "dictionary_comprehension", "tuple", "string", "integer", "float", "true", "false", "none", "comparison_operator", "boolean_operator",
		"not_operator":
		return true
	case "call":
		c, ok := pyast.AsCall(n)
		if !ok || c.Func.Type() != "identifier" {
			return false
		}
		switch c.Func.Text() {
		case "dict", "tuple", "len", "bool", "int", "str", "sum", "OrderedDict", "defaultdict":
			return true
		}
	}
	return false
}

// otherModelRows reports a returned chain rooted at another model's
// manager (`ObjectACL.objects.filter(...)`, `Other._default_manager.all()`):
// a capitalised name other than model, then `objects` or
// `_default_manager`.
func otherModelRows(n pyast.Node, model string) bool {
	for a := range chainAttributes(n) {
		if obj := a.ChildByField("object"); obj.Type() == "identifier" {
			attr, name := a.ChildByField("attribute").Text(), obj.Text()
			return (attr == "objects" || attr == "_default_manager") && name != model && name != "" && name[0] >= 'A' && name[0] <= 'Z'
		}
	}
	return false
}

// otherModelLocal reports a returned local, or locals combined with `|`
// or `&`, every assignment of which in the method is a chain rooted at
// another model's manager, at a reverse manager named for another model
// (`user.ticket_set.all()`), or at the local itself (`q1 = q1.filter(...)`):
// `q1 = user.ticket_set.all(); q2 = Ticket.objects.filter(...); return q1 |
// q2` in a TicketConference queryset returns tickets.
func otherModelLocal(fn, v pyast.Node, model string, depth int) bool {
	v = pyast.Unparen(v)
	if depth > 3 {
		return false
	}
	if v.Type() == "binary_operator" {
		op := v.ChildByField("operator").Text()
		return (op == "|" || op == "&") && otherModelLocal(fn, v.ChildByField("left"), model, depth+1) &&
			otherModelLocal(fn, v.ChildByField("right"), model, depth+1)
	}
	if v.Type() != "identifier" {
		return false
	}
	name := v.Text()
	found := false
	for a := range pyast.FindEach(pyast.Body(fn), "assignment") {
		if pyast.EnclosingFunction(a) != fn || a.ChildByField("left").Type() != "identifier" || a.ChildByField("left").Text() != name {
			continue
		}
		r := pyast.Unparen(a.ChildByField("right"))
		if root := chainRoot(r); root.Type() == "identifier" && root.Text() == name {
			continue // a refinement of the same rows
		}
		if !otherModelRows(r, model) && !otherReverseManager(r, model) && !otherModelLocal(fn, r, model, depth+1) {
			return false
		}
		found = true
	}
	return found
}

// chainStep returns the expression one link of a chain of calls,
// attributes and subscripts is made on (the callee, the object, the
// subscripted value), or false for anything else.
func chainStep(n pyast.Node) (pyast.Node, bool) {
	switch n.Type() {
	case "call":
		return n.ChildByField("function"), true
	case "subscript":
		return n.ChildByField("value"), true
	case "attribute":
		return n.ChildByField("object"), true
	}
	return pyast.Node{}, false
}

// chainRoot returns the expression a chain of calls, attributes and
// subscripts starts from.
func chainRoot(n pyast.Node) pyast.Node {
	for next, ok := chainStep(n); ok; next, ok = chainStep(n) {
		n = next
	}
	return n
}

// chainAttributes yields the attribute nodes of a chain, outermost first
// (`a.b.filter(...)` yields `a.b.filter`, then `a.b`).
func chainAttributes(n pyast.Node) iter.Seq[pyast.Node] {
	return func(yield func(pyast.Node) bool) {
		for ok := true; ok; n, ok = chainStep(n) {
			if n.Type() == "attribute" && !yield(n) {
				return
			}
		}
	}
}

// otherReverseManager reports a chain through a default reverse manager
// (`user.ticket_set.all()`) named for a model other than model.
func otherReverseManager(n pyast.Node, model string) bool {
	for a := range chainAttributes(n) {
		attr := a.ChildByField("attribute").Text()
		if rel, ok := strings.CutSuffix(attr, "_set"); ok && rel != "" && rel != strings.ToLower(model) {
			return true
		}
	}
	return false
}

// customReturnsOwnChain reports a custom manager or queryset method of q's
// model that returns, on every path, a chain of queryset methods on its own
// rows: `return self.get_queryset().filter(...).distinct()` (from self, or
// super()). Such a method returns a queryset whatever its name
// (`get_queryset_for_user(user)`, which customQSMethod's prefixes pass over).
func (f *File) customReturnsOwnChain(q *QS, method string) bool {
	return f.everyCustomReturn(q, method, func(_ *Func, v pyast.Node) bool { return ownChain(v) })
}

// ownChain reports a chain of queryset methods (at least one) on self or
// super(): `self.get_queryset().filter(x=1)`, `super().all()`.
func ownChain(n pyast.Node) bool {
	steps := 0
	for {
		n = pyast.Unparen(n)
		c, ok := pyast.AsCall(n)
		if !ok {
			break
		}
		if c.Func.Type() != "attribute" {
			// super(): the chain's root
			return steps > 0 && IsSelfOrSuper(n)
		}
		if !ChainMethods[c.MethodName()] {
			return false
		}
		steps++
		n = c.Receiver()
	}
	return steps > 0 && n.Type() == "identifier" && n.Text() == "self"
}
