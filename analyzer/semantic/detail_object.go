package semantic

import (
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// detailObject reads `self.object` in a method of a Django single-object
// view (DetailView, UpdateView, DeleteView, SingleObjectMixin among its
// bases): Django's get() sets it to get_object(), a row of the view's
// queryset (its queryset or get_queryset, else its `model`). A class that
// binds self.object itself is read from that binding instead (SelfAttrs).
func (f *File) detailObject(cls *Class, st ctx) *project.Model {
	if cls == nil || len(cls.SelfAttrs["object"]) > 0 {
		return nil
	}
	if _, detail := viewKind(cls); !detail {
		return nil
	}
	if q := f.viewQuerysetIn(cls.Node, st); q != nil {
		return q.Model
	}
	if cls.Method("get_queryset") != nil {
		return nil // a get_queryset rubric could not read
	}
	if fn := cls.Method("get_object"); fn != nil && !returnsSuperObject(fn) {
		return nil
	}
	if v, decl := cls.Attr("model"); !v.IsNil() {
		return f.M.Graph.Lookup(decl.File.Unit, pyast.Dotted(v))
	}
	return nil
}

// returnsSuperObject reports a get_object whose every return is
// `super().get_object(...)`, directly or through a local bound to it (a
// check on the row before returning it). A return of what the request
// carries (`if not self.kwargs.get("user"): return self.request.profile`,
// the page of the requester's own row when the URL names nobody) is the
// same kind of row served without a lookup: it does not count against.
func returnsSuperObject(fn *Func) bool {
	found := false
	for r := range pyast.FindEachShallow(fn.Node, "return_statement") {
		e := pyast.Unparen(r.NamedChild(0))
		if e.Type() == "identifier" {
			e = pyast.Unparen(fn.File.Binding(e, e.Text(), e.StartByte()))
		}
		if requestRow(e) {
			continue
		}
		c, ok := pyast.AsCall(e)
		if !ok || c.MethodName() != "get_object" || !IsSelfOrSuper(c.Receiver()) || c.Receiver().Type() == "identifier" {
			return false
		}
		found = true
	}
	return found
}

// requestRow reports `self.request.<name>` (`self.request.user`, a
// middleware's `self.request.profile`): the requester's row.
func requestRow(e pyast.Node) bool {
	if e.Type() != "attribute" {
		return false
	}
	o := e.ChildByField("object")
	return o.Type() == "attribute" && o.ChildByField("attribute").Text() == "request" && o.ChildByField("object").Text() == "self"
}
