package semantic

import (
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// customLoads adds to q what a custom manager or queryset method of q's
// model loads, when the method has one return, a chain starting at the
// manager itself (`self.get_queryset()`, `self.all()`, `self`, `super()....`):
// the select_related and prefetch_related steps of that chain, read as if
// written at the call (`Condition.objects.prefetched()`, whose return
// prefetches to_do, resources, badges...). Other steps (filters, custom
// methods) are not read: q stays opaque and custom, and only what the
// method loads is known.
func (f *File) customLoads(q *QS, method string, st ctx) {
	if q == nil || q.Model == nil || st.d > 8 {
		return
	}
	for cf := range f.M.customManagerClasses(q.Model) {
		c := f.M.LookupClass(cf.Module + "." + cf.Name)
		if c == nil {
			continue
		}
		fn := c.Methods[method]
		if fn == nil || fn.File == nil || fn.Static || fn.ClassMethod || fn.Property {
			continue
		}
		fn.File.methodLoads(c, fn, q, st)
		return
	}
}

// methodLoads adds to q the select_related and prefetch_related steps of
// the one return of fn, a method of the manager or queryset class c,
// when that return is a chain on the manager itself. A custom method of
// the chain is read the same way, in the queryset class c's get_queryset
// builds (a manager proxying its queryset's methods, `return
// self.get_queryset().downloads()` with `get_queryset` returning
// `ReleaseQuerySet(self.model, using=self._db)`; Django before 1.6 named
// it get_query_set), else in c itself.
func (f *File) methodLoads(c *Class, fn *Func, q *QS, st ctx) {
	if st.d > 8 {
		return
	}
	var ret pyast.Node
	for r := range pyast.FindEachShallow(fn.Node, "return_statement") {
		if !ret.IsNil() {
			return // several returns: which one runs is not read
		}
		ret = pyast.Unparen(r.NamedChild(0))
	}
	if ret.IsNil() {
		return
	}
	if ret.Type() != "identifier" || ret.Text() == "self" {
		f.chainLoads(c, fn, ret, "", q, st)
		return
	}
	// `qs = self.annotate_url()`, then `if flag: qs = qs.prefetch_related(...)`,
	// then `return qs`: the first assignment, a chain on the manager made
	// before any branch, and each later one extending the name itself.
	// What a branch adds is taken as loaded (it may be; precision first).
	name := ret.Text()
	first := true
	for a := range pyast.FindEachShallow(fn.Node, "assignment") {
		left := a.ChildByField("left")
		if left.Type() != "identifier" || left.Text() != name {
			continue
		}
		right := pyast.Unparen(a.ChildByField("right"))
		if first {
			if !a.Parent().Parent().Parent().Equal(fn.Node) || a.StartByte() > ret.StartByte() {
				return // made under a branch, or after the return
			}
			if !f.chainLoads(c, fn, right, "", q, st) {
				return
			}
			first = false
			continue
		}
		f.chainLoads(c, fn, right, name, q, st)
	}
}

// chainLoads adds to q the select_related and prefetch_related steps (and
// the names annotate adds) of the chain expr, when it starts at the
// manager itself (self, super()...), or at the local name own when own is
// set. It reports whether the chain had such a start.
func (f *File) chainLoads(c *Class, fn *Func, expr pyast.Node, own string, q *QS, st ctx) bool {
	var steps []pyast.Call
	head := expr
	for {
		hc, ok := pyast.AsCall(head)
		if !ok {
			break
		}
		if hc.Func.Type() == "identifier" && hc.Func.Text() == "super" {
			break
		}
		steps = append(steps, hc)
		head = pyast.Unparen(hc.Receiver())
		if head.IsNil() {
			return false
		}
	}
	switch {
	case head.Type() == "identifier" && (head.Text() == "self" || own != "" && head.Text() == own):
	default:
		if hc, ok := pyast.AsCall(head); !ok || hc.Func.Text() != "super" {
			return false // a chain starting elsewhere: another model's rows, perhaps
		}
	}
	for i := len(steps) - 1; i >= 0; i-- {
		s := steps[i]
		switch name := s.MethodName(); {
		case name == "select_related" || name == "prefetch_related":
			// Paths computed at run time (`prefetch_related(Prefetch(...),
			// *Model.subclass_prefetches())`) may load anything: the
			// queryset is dynamic, as the same call written at the view
			// makes it; the paths written out are still loaded.
			if s.StarArgs && name == "prefetch_related" {
				q.Dynamic = true
			}
			if s.StarArgs && name == "select_related" {
				q.DynamicSelect = true
			}
			f.applyChainMethod(q, name, s, ctx{d: st.d + 1, deps: st.deps})
		case name == "annotate" || name == "alias":
			// The names the method's chain adds: an annotation shadows a
			// model's cached_property of the same name on these rows.
			noteNames(q, s)
		case !ChainMethods[name] && name != "":
			owner := f.M.builtQuerySet(c)
			if owner == nil {
				owner = c
			}
			m := owner.Method(name)
			if m == nil || m == fn || m.File == nil || m.Static || m.ClassMethod || m.Property {
				continue
			}
			m.File.methodLoads(owner, m, q, ctx{d: st.d + 1, deps: st.deps})
		}
	}
	return true
}

// builtQuerySet returns the project queryset class a manager class's
// get_queryset (get_query_set before Django 1.6) builds when its one
// return instantiates one: `return ReleaseQuerySet(self.model,
// using=self._db)`.
func (m *Model) builtQuerySet(c *Class) *Class {
	for _, name := range []string{"get_queryset", "get_query_set"} {
		fn := c.Method(name)
		if fn == nil || fn.File == nil {
			continue
		}
		var ret pyast.Node
		n := 0
		for r := range pyast.FindEachShallow(fn.Node, "return_statement") {
			ret = pyast.Unparen(r.NamedChild(0))
			n++
		}
		if n != 1 {
			return nil
		}
		call, ok := pyast.AsCall(ret)
		if !ok {
			return nil
		}
		if qc := m.classByName(fn.File, call.Func); qc != nil && qc != c {
			return qc
		}
		return nil
	}
	return nil
}

// CustomLoads returns what the custom manager or queryset method named
// method of md's managers selects and prefetches, read as customLoads
// reads `Model.objects.method()`: for a chain written by hand on rows of md
// (an admin's `super().get_queryset(request).prefetch_default_related()`).
// A method of none of md's custom managers, or one whose return is not a
// chain on itself, loads nothing.
func (f *File) CustomLoads(md *project.Model, method string) (sel, pre []string, selectAll bool) {
	if md == nil {
		return nil, nil, false
	}
	if method == "get_queryset" && len(md.Managers) != 1 {
		// What Django's default manager returns: the one manager the model
		// declares (with several, which is the default is not read).
		return nil, nil, false
	}
	q := &QS{Model: md}
	f.customLoads(q, method, ctx{})
	return q.Select, q.Prefetch, q.SelectAll
}
