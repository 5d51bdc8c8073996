package semantic

import (
	"iter"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// instanceClass returns the project class, other than a model (rows are
// instance()'s), whose new instance n is: a call of the class
// (`WalletHandler(wallet_id).deposit()`), or a local name bound to one
// before n (`handler = WalletHandler(wallet_id)` then `handler.deposit()`).
// The class is read as Model.classByName reads one: a class of the module,
// an imported one, or a name bound by a loader (oscar's `get_class`) that
// one project class answers.
// A service object's methods are then resolved as self's are, so what an
// endpoint does through it (writes, HTTP calls, queries per row) is seen.
func (f *File) instanceClass(n pyast.Node, depth int) *Class {
	n = pyast.Unparen(n)
	switch n.Type() {
	case "identifier":
		if depth > 2 {
			return nil
		}
		rhs := f.Binding(n, string(n.Bytes()), n.StartByte())
		if rhs.IsNil() {
			return nil
		}
		return f.instanceClass(rhs, depth+1)
	case "call":
		c := f.M.classByName(f, n.ChildByField("function"))
		if c == nil || f.M.isModelClass(c) {
			return nil
		}
		return c
	case "attribute":
		// `context.filters` with context a new PatchworkRequestContext,
		// whose methods set `self.filters = Filters(request)` and nothing
		// else under that name.
		if depth > 2 {
			return nil
		}
		owner := f.instanceClass(n.ChildByField("object"), depth+1)
		if owner == nil {
			return nil
		}
		return selfAttrClass(owner, n.ChildByField("attribute").Text(), depth+1)
	case "subscript":
		// `context["filters"]` with context a dict bound before n.
		if depth > 2 {
			return nil
		}
		key, ok := pyast.StringValue(n.ChildByField("subscript"))
		obj := pyast.Unparen(n.ChildByField("value"))
		if !ok || obj.Type() != "identifier" {
			return nil
		}
		var val pyast.Node
		for _, e := range f.dictEntries(obj, n.StartByte(), 1) {
			if e.key == key {
				val = e.val
			}
		}
		if val.IsNil() {
			return nil
		}
		return f.instanceClass(val, depth+1)
	}
	return nil
}

// selfAttrClass returns the project class of the instance every
// assignment `self.<attr> = ...` in cls's methods (and its project
// bases') stores, when they all store a new instance of one class.
func selfAttrClass(cls *Class, attr string, depth int) *Class {
	var out *Class
	for cc, r := range selfAssignments(cls, attr) {
		if r.Type() != "call" {
			return nil
		}
		c := cc.File.instanceClass(r, depth)
		if c == nil || out != nil && c != out {
			return nil
		}
		out = c
	}
	return out
}

// selfAssignments yields the values (unparenthesised) of every assignment
// `self.<attr> = value` in the methods of cls and its project bases, with
// the class whose method makes it.
func selfAssignments(cls *Class, attr string) iter.Seq2[*Class, pyast.Node] {
	return func(yield func(*Class, pyast.Node) bool) {
		for _, cc := range mro(cls) {
			for _, fn := range cc.Methods {
				for a := range pyast.FindEach(pyast.Body(fn.Node), "assignment") {
					l := a.ChildByField("left")
					if l.Type() != "attribute" || l.ChildByField("attribute").Text() != attr || pyast.Dotted(l.ChildByField("object")) != "self" {
						continue
					}
					if !yield(cc, pyast.Unparen(a.ChildByField("right"))) {
						return
					}
				}
			}
		}
	}
}
