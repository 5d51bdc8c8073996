package semantic

import (
	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// SuperDictLookups reads a serializer's to_representation that builds on
// DRF's own (`ret = super().to_representation(instance)`) and then looks
// rows up by the values of that dict:
//
//	def to_representation(self, instance):
//	    ret = super().to_representation(instance)
//	    ret["user"] = UserSerializer(User.objects.get(id=ret["user"])).data
//
// ret holds the row's own field values (a foreign key's primary key), so a
// query whose arguments read ret (`ret["user"]`, `ret.get("user")`) runs
// once for every row the serializer renders: a Lookup access at the query.
// fn is the method, param the index of its row parameter (1 after self).
// Queries run only to get a row's key, and those filtering with `__in`,
// are not reported by the callers' usual rules either, so neither here.
func (f *File) SuperDictLookups(fn *Func, param int) []Access {
	if fn == nil || fn.File != f || param < 0 || param >= len(fn.Params) {
		return nil
	}
	row := fn.Params[param]
	body := pyast.Body(fn.Node)
	dicts := map[string]bool{}
	for _, st := range pyast.Statements(body) {
		if st.Type() != "expression_statement" {
			continue
		}
		a := st.NamedChild(0)
		if a.Type() != "assignment" || a.ChildByField("left").Type() != "identifier" {
			continue
		}
		c, ok := pyast.AsCall(pyast.Unparen(a.ChildByField("right")))
		if !ok || c.MethodName() != "to_representation" || len(c.Positional) != 1 || len(c.Keywords) > 0 {
			continue
		}
		if sc, ok := pyast.AsCall(c.Receiver()); !ok || pyast.Dotted(sc.Func) != "super" {
			continue
		}
		if arg := pyast.Unparen(c.Positional[0]); arg.Type() != "identifier" || arg.Text() != row {
			continue
		}
		dicts[a.ChildByField("left").Text()] = true
	}
	if len(dicts) == 0 {
		return nil
	}
	var out []Access
	for _, call := range ownNodes(body, "call") {
		fnode := call.ChildByField("function")
		if fnode.Type() != "attribute" {
			continue
		}
		method := fnode.ChildByField("attribute").Text()
		if !RowMethods[method] && !ExecMethods[method] {
			continue
		}
		if Batched(call) || !maybeQuery(fnode.ChildByField("object")) {
			continue
		}
		q := f.Eval(fnode.ChildByField("object"))
		if q == nil || q.Model == nil || q.Related {
			continue
		}
		if !readsDict(call, dicts) {
			continue
		}
		out = append(out, Access{Kind: Lookup, Node: call, File: f, Methods: []string{method}, Conditional: conditional(call)})
	}
	return out
}

// readsDict reports whether the arguments of the query chain ending at call
// read one of dicts by key (`d["k"]`, `d.get("k")`).
func readsDict(call pyast.Node, dicts map[string]bool) bool {
	found := false
	for cur := call; !cur.IsNil() && !found; {
		cur = pyast.Unparen(cur)
		switch cur.Type() {
		case "call":
			pyast.Inspect(cur.ChildByField("arguments"), func(m pyast.Node) bool {
				if found || m.Type() == "lambda" {
					return false
				}
				switch m.Type() {
				case "subscript":
					if v := pyast.Unparen(m.ChildByField("value")); v.Type() == "identifier" && dicts[v.Text()] {
						found = true
					}
				case "call":
					if c, ok := pyast.AsCallHead(m); ok && c.MethodName() == "get" {
						if r := pyast.Unparen(c.Receiver()); r.Type() == "identifier" && dicts[r.Text()] {
							found = true
						}
					}
				}
				return !found
			})
			cur = cur.ChildByField("function")
		case "attribute":
			cur = cur.ChildByField("object")
		default:
			cur = pyast.Node{}
		}
	}
	return found
}
