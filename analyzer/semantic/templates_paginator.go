package semantic

import "github.com/rubric-dev/rubric/analyzer/pyast"

// A project subclass of Django's Paginator whose constructor takes other
// arguments than (object_list, per_page) (patchwork's
// `Paginator(request, objects)`, which reads the page size and number from
// the request) and keeps the page it serves on an attribute
// (`self.current_page = self.page(page_no)`): the rows of that page are
// the argument the constructor hands to Paginator.__init__ as object_list.

var djangoPaginators = []string{"django.core.paginator.Paginator"}

// paginatorClass returns the project class a call constructs when it
// derives from Django's Paginator.
func (f *File) paginatorClass(c pyast.Call) *Class {
	d := pyast.Dotted(c.Func)
	if d == "" {
		return nil
	}
	cls := f.topClasses[d]
	if cls == nil {
		cls = f.M.LookupClass(f.Unit.Qualify(d))
	}
	if cls == nil || !cls.DerivesFrom(djangoPaginators...) {
		return nil
	}
	return cls
}

// subclassObjects returns the argument of a project Paginator's
// constructor call that its __init__ passes on to Paginator.__init__ as
// object_list. known is false when the class keeps Django's constructor
// (object_list is then the first argument); a constructor whose
// forwarding is not read gives the zero Node with known true.
func (f *File) subclassObjects(c pyast.Call, cls *Class) (arg pyast.Node, known bool) {
	init := cls.Method("__init__")
	if init == nil {
		return pyast.Node{}, false
	}
	for call := range pyast.FindEach(pyast.Body(init.Node), "call") {
		sc, _ := pyast.AsCall(call)
		if sc.MethodName() != "__init__" {
			continue
		}
		var obj pyast.Node
		switch recv := pyast.Unparen(sc.Receiver()); {
		case IsSelfOrSuper(recv) && recv.Type() == "call":
			// super().__init__(objects, n), super(Cls, self).__init__(...)
			obj = sc.Arg(0, "object_list")
		default:
			// paginator.Paginator.__init__(self, objects, n)
			obj = sc.Keyword("object_list")
			if obj.IsNil() && len(sc.Positional) > 1 {
				obj = sc.Positional[1]
			}
		}
		obj = pyast.Unparen(obj)
		if obj.Type() != "identifier" {
			return pyast.Node{}, true
		}
		idx := indexOf(init.Params, obj.Text())
		if idx <= 0 {
			return pyast.Node{}, true
		}
		return argFor(c, init, idx, true), true
	}
	return pyast.Node{}, true
}

// pageAttrRows evaluates `paginator.current_page` (and
// `paginator.current_page.object_list` through pageRows): paginator bound
// to the constructor call of a project Paginator that assigns the
// attribute `self.page(...)` or `self.get_page(...)` in one of its
// methods.
func (f *File) pageAttrRows(n pyast.Node, depth int) *QS {
	attr := n.ChildByField("attribute").Text()
	c, ok := pyast.AsCall(f.bound(n.ChildByField("object")))
	if !ok {
		return nil
	}
	cls := f.paginatorClass(c)
	if cls == nil || !assignsPage(cls, attr) {
		return nil
	}
	src, known := f.subclassObjects(c, cls)
	if !known {
		src = c.Arg(0, "object_list")
	}
	if src.IsNil() {
		return nil
	}
	return f.rowsOf(src, depth+1)
}

// assignsPage reports a class (or a project base) whose methods assign
// `self.<attr> = self.page(...)` or `self.get_page(...)`, and never
// anything else.
func assignsPage(cls *Class, attr string) bool {
	found := false
	for _, v := range selfAssignments(cls, attr) {
		r, ok := pyast.AsCall(v)
		if !ok || pyast.Dotted(r.Receiver()) != "self" || (r.MethodName() != "page" && r.MethodName() != "get_page") {
			return false
		}
		found = true
	}
	return found
}
