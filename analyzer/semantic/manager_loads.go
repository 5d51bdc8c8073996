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
			switch s.MethodName() {
			case "select_related", "prefetch_related":
				if s.StarArgs {
					return
				}
				fn.File.applyChainMethod(q, s.MethodName(), s, ctx{d: st.d + 1, deps: st.deps})
			}
		}
		return
	}
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
