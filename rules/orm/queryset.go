package orm

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

// QS and Loop are the semantic model's: a queryset expression's model and
// state, and a loop (explicit or implicit) over some iterable.
type (
	QS   = semantic.QS
	Loop = semantic.Loop
)

var (
	chainMethods = semantic.ChainMethods
	rowMethods   = semantic.RowMethods
	execMethods  = semantic.ExecMethods
	writeMethods = semantic.WriteMethods
)

// Tracker is what the ORM rules read of one file: the semantic model's
// view of it (querysets, rows and loops, evaluated across the project),
// plus the pass to report through.
type Tracker struct {
	*semantic.File
	sm *semantic.Model
	p  *analyzer.Pass
	g  *project.Models
	// repeated are the template places ORM013 reported a repeated query
	// at in this file: one finding per place, not one per view rendering it.
	repeated map[string]bool
	// serUnit, when set, is the unit serializer names are written in (a
	// helper's module), instead of the file's.
	serUnit *project.Unit
}

// NewTracker returns the file's view for a pass.
func NewTracker(p *analyzer.Pass) *Tracker {
	sm := semantic.Of(p.Project)
	return &Tracker{File: sm.File(p.Unit), sm: sm, p: p, g: p.Project.Models}
}

// requires are the shared analyses every ORM rule reads.
var requires = []project.Analysis{semantic.Project}

// requiresViews adds the endpoint inventory, for rules judging views.
var requiresViews = []project.Analysis{semantic.Project, semantic.Endpoints}

func (t *Tracker) loopOf(n pyast.Node) *Loop { return t.LoopOf(n) }

// servesList reports whether a view class may answer with a list: the
// endpoint inventory routes its list action (a DRF list, a generic list
// view's GET, a GET handler that serialises with many=True), or it routes
// nothing of the class and the class may list (singleObjectView). A viewset routed only for retrieve, update or create
// serialises one object per request.
func (t *Tracker) servesList(cls pyast.Node) bool {
	c := t.ClassOfDef(cls)
	if c == nil {
		return true
	}
	if m := c.Method("list"); m != nil && (onlyRaises(m.Node) || !listSerializes(c)) {
		// `def list(...): raise PermissionDenied(...)`, or a list that
		// answers without serialising the rows (an HTML table built by a
		// renderer from a context: nautobot's UI viewsets).
		return false
	}
	routed := false
	for _, e := range semantic.InventoryOf(t.p.Project).ViewsIn(t.File) {
		if e.Class != c || !e.Routed {
			continue
		}
		routed = true
		if e.Action == "list" || e.Kind == "django-view" && e.Action == "get" {
			return true
		}
		if e.Action == "get" && e.Handler != nil && strings.Contains(pyast.Body(e.Handler.Node).Text(), "self.list(") {
			// A GenericAPIView routed with as_view() whose get hands
			// over to ListModelMixin's list.
			return true
		}
		if e.Action == "get" && e.Handler != nil && serialisesMany(e.Handler.Node) {
			return true // a get that serialises rows itself (`S(rows, many=True)`)
		}
		if e.Action == "get" && e.Handler != nil && superGetToList(c, e.Handler) {
			return true // `return super().get(...)` reaching DRF's ListAPIView.get
		}
	}
	return !routed && !singleObjectView(c)
}

// superGetToList reports a get that hands over to `super().get(...)` in a
// class built on DRF's list views (ListAPIView, ListCreateAPIView, the
// model viewsets), no project class on the way defining get: DRF's own
// get lists (freesound's comment endpoints log and call super().get).
func superGetToList(c *semantic.Class, get *semantic.Func) bool {
	if get.Class != c {
		return false
	}
	delegates := false
	for call := range pyast.FindEach(pyast.Body(get.Node), "call") {
		cc, _ := pyast.AsCall(call)
		if cc.MethodName() == "get" && semantic.IsSelfOrSuper(cc.Receiver()) && cc.Receiver().Type() != "identifier" {
			delegates = true
			break
		}
	}
	if !delegates {
		return false
	}
	list := false
	for _, k := range append([]*semantic.Class{c}, c.Bases()...) {
		if k != c && k.Methods["get"] != nil {
			return false // a project base's get, which may serve one object
		}
		for _, b := range k.BaseNames() {
			list = list || semantic.DRFListView(b[strings.LastIndex(b, ".")+1:])
		}
	}
	return list
}

// singleViews are framework views that answer with one object (or none):
// without a list base or a list method, a class built on them serialises
// one row per request.
var singleViews = map[string]bool{"APIView": true, "GenericAPIView": true, "RetrieveAPIView": true,
	"RetrieveUpdateAPIView": true, "RetrieveDestroyAPIView": true, "RetrieveUpdateDestroyAPIView": true,
	"UpdateAPIView": true, "DestroyAPIView": true, "CreateAPIView": true, "DetailView": true, "UpdateView": true,
	"DeleteView": true, "CreateView": true, "FormView": true}

// listName reports a base named like a list view, a list mixin or a
// viewset (which routers route for lists), framework's or a library's.
func listName(last string) bool {
	for _, suffix := range []string{"ListView", "ListAPIView", "ListMixin", "ListModelMixin", "ViewSet"} {
		if strings.HasSuffix(last, suffix) {
			return true
		}
	}
	return false
}

// singleObjectView reports a view class that shows it serialises one
// object: a single-object framework view among its bases (its own or its
// project bases'), no list view or list mixin there, no list method and no
// call with many=True in its body or its project bases'.
func singleObjectView(c *semantic.Class) bool {
	single := false
	for _, k := range append([]*semantic.Class{c}, c.Bases()...) {
		for _, b := range k.BaseNames() {
			last := b[strings.LastIndex(b, ".")+1:]
			if semantic.ListView(last) || semantic.ListMixin(last) || listName(last) {
				return false
			}
			single = single || singleViews[last]
		}
		if serialisesMany(k.Node) {
			return false
		}
	}
	return single && c.Method("list") == nil
}

// serialisesMany reports a call with many=True under n.
func serialisesMany(n pyast.Node) bool {
	for c := range pyast.FindEach(n, "call") {
		if hasManyTrue(c) {
			return true
		}
	}
	return false
}

func (t *Tracker) binding(n pyast.Node, name string, at int) pyast.Node {
	return t.Binding(n, name, at)
}

func (t *Tracker) inheritsMethod(cls pyast.Node, method string) bool {
	return t.InheritsMethod(cls, method)
}

func classOf(n pyast.Node) pyast.Node { return semantic.ClassOf(n) }

func classMember(cls pyast.Node, name string, seen int) (method, attr pyast.Node) {
	return semantic.ClassMember(cls, name, seen)
}

func isSelfOrSuper(n pyast.Node) bool { return semantic.IsSelfOrSuper(n) }

// quote formats paths as Python string arguments.
func quote(paths []string) string {
	var b strings.Builder
	for i, p := range paths {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(`"` + p + `"`)
	}
	return b.String()
}

// chainText returns the origin expression as a single line for a Help
// message, or "" when it is too long to quote.
func chainText(n pyast.Node) string {
	if n.IsNil() {
		return ""
	}
	s := n.Text()
	if strings.Contains(s, "\n") || len(s) > 100 {
		return ""
	}
	return s
}

// insertionPoint is where `.select_related(...)` goes for an origin: after
// the chain, before any slice.
func insertionPoint(origin pyast.Node) pyast.Node {
	o := pyast.Unparen(origin)
	for o.Type() == "subscript" {
		o = pyast.Unparen(o.ChildByField("value"))
	}
	if c, ok := pyast.AsCall(o); ok && c.MethodName() == "iterator" && !c.Receiver().IsNil() {
		// `qs.iterator()` yields rows, not a queryset: the loads go
		// before it (`qs.select_related(...).iterator()`).
		o = pyast.Unparen(c.Receiver())
	}
	return o
}

// listSerializes reports whether the list action of c may serialise
// rows: the first list method of c and its project bases names a
// serializer, calls a list helper, paginates or passes many=True, or hands
// over to super().list() and a later one (or the framework's) does. One
// doing none of these answers with something else than the serializer's
// rows.
func listSerializes(c *semantic.Class) bool {
	for _, k := range append([]*semantic.Class{c}, c.Bases()...) {
		m := k.Methods["list"]
		if m == nil {
			continue
		}
		body := strings.ToLower(pyast.Body(m.Node).Text())
		rest := strings.ReplaceAll(body, "super().list(", "")
		for _, s := range []string{"serializ", "list(", "paginat", "many=true", "to_representation"} {
			if strings.Contains(rest, s) {
				return true
			}
		}
		if rest == body {
			return false
		}
	}
	return true
}

// onlyRaises reports a function whose body (after its docstring) is one
// raise statement.
func onlyRaises(def pyast.Node) bool {
	var stmts []pyast.Node
	for k := range pyast.Body(def).Named() {
		if k.Type() == "comment" || k.Type() == "expression_statement" && k.NamedChild(0).Type() == "string" {
			continue
		}
		stmts = append(stmts, k)
	}
	return len(stmts) == 1 && stmts[0].Type() == "raise_statement"
}
