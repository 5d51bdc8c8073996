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
	var steps []pyast.Call
	head := ret
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
			return
		}
	}
	if head.Type() != "identifier" || head.Text() != "self" {
		if hc, ok := pyast.AsCall(head); !ok || hc.Func.Text() != "super" {
			return // a chain starting elsewhere: another model's rows, perhaps
		}
	}
	for i := len(steps) - 1; i >= 0; i-- {
		s := steps[i]
		switch name := s.MethodName(); {
		case name == "select_related" || name == "prefetch_related":
			if s.StarArgs {
				return
			}
			f.applyChainMethod(q, name, s, ctx{d: st.d + 1, deps: st.deps})
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
