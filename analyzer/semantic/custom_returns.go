package semantic

import "github.com/rubric-dev/rubric/analyzer/pyast"

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
		found = true
		returns := 0
		for r := range pyast.FindEachShallow(fn.Node, "return_statement") {
			returns++
			v := pyast.Unparen(r.NamedChild(0))
			if !plainlyNotQS(v) && !otherModelRows(v, q.Model.Name) {
				return false
			}
		}
		if returns == 0 {
			return false
		}
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
	for {
		switch n.Type() {
		case "call":
			n = n.ChildByField("function")
			continue
		case "subscript":
			n = n.ChildByField("value")
			continue
		case "attribute":
			obj := n.ChildByField("object")
			attr := n.ChildByField("attribute").Text()
			if obj.Type() == "identifier" {
				name := obj.Text()
				return (attr == "objects" || attr == "_default_manager") && name != model && name != "" && name[0] >= 'A' && name[0] <= 'Z'
			}
			n = obj
			continue
		}
		return false
	}
}
