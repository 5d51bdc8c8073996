package semantic

import (
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// managerRowMethod reports whether method is a method of one of md's
// custom managers (or of their queryset classes, or a tree base of
// either) whose every return fetches one row from the manager itself:
// `return self.visible(user, **kwargs).get()`, `return
// self.get_queryset().filter(...).first()`, `return super().get(...)`.
// Such a call (`Document.objects.get_visible(user, slug=s)`) returns a row
// of md. A return that starts anywhere else (another model's manager, a
// helper) may hand back something else, and the method is not read.
func (m *Model) managerRowMethod(md *project.Model, method string) bool {
	if md == nil || len(md.Managers) == 0 || RowMethods[method] {
		return false
	}
	for cf := range m.customManagerClasses(md) {
		if c := m.LookupClass(cf.Module + "." + cf.Name); c != nil {
			if fn := c.Methods[method]; fn != nil {
				return returnsOwnRow(fn)
			}
		}
	}
	return false
}

// returnsOwnRow reports whether every return of a manager or queryset
// method is a row-fetching call (get, first, last, earliest, latest) on
// a chain that starts at self or super().
func returnsOwnRow(fn *Func) bool {
	if fn.Static || fn.ClassMethod || fn.Property {
		return false
	}
	n := 0
	for r := range pyast.FindEachShallow(fn.Node, "return_statement") {
		e := pyast.Unparen(r.NamedChild(0))
		c, ok := pyast.AsCall(e)
		if !ok || !RowMethods[c.MethodName()] {
			return false
		}
		head := c.Receiver()
		for {
			head = pyast.Unparen(head)
			if hc, ok := pyast.AsCall(head); ok {
				if hc.Func.Type() == "identifier" && hc.Func.Text() == "super" {
					break
				}
				head = hc.Receiver()
				if head.IsNil() {
					return false
				}
				continue
			}
			if head.Type() == "attribute" {
				head = head.ChildByField("object")
				continue
			}
			break
		}
		if head.Type() == "identifier" && head.Text() != "self" {
			return false
		}
		if head.Type() != "identifier" && head.Type() != "call" {
			return false
		}
		n++
	}
	return n > 0
}
