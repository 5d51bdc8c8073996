package semantic

import (
	"iter"
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// SerializerOnlyRenders reports whether every use of the serializer class
// sc in the project renders an object out: each reference to it (other
// than its own definition and imports) is a call with no `data=` keyword
// and at most one positional argument (`OrderSerializer(order).data`,
// `X(qs, many=True)`), or a nested field declared `read_only=True` in
// another class; reading one of its attributes (`X._declared_fields[...]`,
// `X.Meta.fields`) is no use either. A bare reference (`serializer_class = X`, a dict of
// serializers, a return from get_serializer_class) or a call that passes
// data may validate client input: false. False as well when nothing uses
// the class. Views' serializer_class attributes are references, so a class
// any view names is never "only rendered" here; the caller judges those
// through the endpoint inventory.
func (m *Model) SerializerOnlyRenders(sc *Class) bool {
	if sc == nil {
		return false
	}
	uses := 0
	for f, ref := range m.References(sc.Name, false) {
		par := ref.Parent()
		if m.classByName(f, ref) != sc {
			if par.Type() == "call" && par.ChildByField("function").Equal(ref) {
				continue // another class of the same name
			}
			return false // cannot tell what it names
		}
		if par.Type() == "attribute" && par.ChildByField("object").Equal(ref) {
			if gp := par.Parent(); gp.Type() != "call" || !gp.ChildByField("function").Equal(par) {
				// `X._declared_fields["children"] = X(many=True, read_only=True)`
				// (a recursive field set after the class) or `X.Meta.fields`:
				// the class is read, nothing is validated through it.
				continue
			}
		}
		if par.Type() != "call" || !par.ChildByField("function").Equal(ref) {
			return false
		}
		c, _ := pyast.AsCall(par)
		if _, ok := c.Keywords["data"]; ok || len(c.Positional) > 1 {
			return false
		}
		if _, ok := c.Keywords["partial"]; ok {
			return false
		}
		// A nested field: writable unless read_only=True.
		if a := par.Parent(); a.Type() == "assignment" && !pyast.Ancestor(a, "class_definition").IsNil() &&
			pyast.Ancestor(a, "function_definition").IsNil() {
			ro := c.Keywords["read_only"]
			if ro.IsNil() || ro.Text() != "True" {
				return false
			}
		}
		uses++
	}
	return uses > 0
}

// HandlerSavesWith reports whether the handler fn builds the serializer
// class sc from the request (`sc(data=...)`, or `sc(instance, data=...)`;
// a Django form from the posted body, `sc(request.POST)`) and calls
// `.save()` on it in its own body: the payload is written through sc, as a
// view's serializer_class would be.
func (m *Model) HandlerSavesWith(fn *Func, sc *Class) bool {
	if fn == nil || sc == nil {
		return false
	}
	f := fn.File
	body := pyast.Body(fn.Node)
	built := map[string]bool{} // local names bound to sc(data=...)
	for a := range pyast.FindEachShallow(body, "assignment") {
		right := pyast.Unparen(a.ChildByField("right"))
		c, ok := pyast.AsCall(right)
		if !ok || m.classByName(f, c.Func) != sc {
			continue
		}
		if _, ok := c.Keywords["data"]; !ok && !formFromPost(c) {
			continue
		}
		if l := a.ChildByField("left"); l.Type() == "identifier" {
			built[l.Text()] = true
		}
	}
	if len(built) == 0 {
		return false
	}
	for call := range pyast.FindEachShallow(body, "call") {
		c, _ := pyast.AsCall(call)
		if c.Func.Type() == "attribute" && c.MethodName() == "save" && built[pyast.Dotted(c.Receiver())] {
			return true
		}
	}
	return false
}

// References yields, file by file in path order, every reference to a
// class name in the model's files: the identifier, or the attribute whose
// last part it is (`serializers.OrderSerializer`). Class statements of that
// name and imports are left out, and so are migrations when product is set
// (test modules are outside the model).
func (m *Model) References(name string, product bool) iter.Seq2[*File, pyast.Node] {
	return func(yield func(*File, pyast.Node) bool) {
		for _, f := range m.Files() {
			if product && RolesOf(f.Unit).Any(Test|Migration) {
				continue
			}
			root := f.Unit.Tree.Root()
			if !strings.Contains(root.Text(), name) {
				continue
			}
			for id := range pyast.FindEach(root, "identifier") {
				if id.Text() != name {
					continue
				}
				ref := id
				if p := id.Parent(); p.Type() == "attribute" && p.ChildByField("attribute").Equal(id) {
					ref = p
				}
				par := ref.Parent()
				if par.Type() == "class_definition" && par.ChildByField("name").Equal(id) ||
					!pyast.Ancestor(ref, "import_statement", "import_from_statement").IsNil() {
					continue
				}
				if !yield(f, ref) {
					return
				}
			}
		}
	}
}

// formFromPost reports a form built with the posted body as its first
// argument (`TheForm(request.POST)`, `TheForm(self.request.POST,
// request.FILES)`): Django's forms take their data positionally. A DRF
// serializer's first positional argument is the instance it renders, so
// `request.data` there is not read as data.
func formFromPost(c pyast.Call) bool {
	if len(c.Positional) == 0 {
		return false
	}
	d := pyast.Dotted(pyast.Unparen(c.Positional[0]))
	return d == "request.POST" || d == "self.request.POST"
}
