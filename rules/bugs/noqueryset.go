package bugs

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed noqueryset.md
var noQuerysetDoc string

// ViewWithoutQueryset reports DRF generic views whose actions need a
// queryset that nothing provides.
var ViewWithoutQueryset = &analyzer.Rule{
	Code:              "BUG003",
	Name:              "view-without-queryset",
	Doc:               noQuerysetDoc,
	Category:          analyzer.Correctness,
	Severity:          analyzer.Error,
	Confidence:        analyzer.High,
	Since:             "0.2.0",
	Stack:             project.Django,
	SkipOnSyntaxError: true,
	Skip:              semantic.Test | semantic.Migration,
	Requires:          []project.Analysis{semantic.Project, viewRoutes, subclassed},
	Run:               runViewWithoutQueryset,
}

// listBases and objectBases are DRF classes that route list and
// retrieve/update/destroy requests, which read get_queryset().
var (
	listBases = map[string]bool{"ListAPIView": true, "ListCreateAPIView": true, "ModelViewSet": true,
		"ReadOnlyModelViewSet": true, "ListModelMixin": true}
	// objectBases maps each DRF class that routes object requests to the
	// object actions it provides.
	objectBases = map[string][]string{"RetrieveAPIView": {"retrieve"}, "RetrieveUpdateAPIView": {"retrieve", "update", "partial_update"},
		"RetrieveDestroyAPIView": {"retrieve", "destroy"}, "RetrieveUpdateDestroyAPIView": {"retrieve", "update", "partial_update", "destroy"},
		"UpdateAPIView": {"update", "partial_update"}, "DestroyAPIView": {"destroy"},
		"ModelViewSet": {"retrieve", "update", "partial_update", "destroy"}, "ReadOnlyModelViewSet": {"retrieve"},
		"RetrieveModelMixin": {"retrieve"}, "UpdateModelMixin": {"update", "partial_update"}, "DestroyModelMixin": {"destroy"}}
	// objectActions are the actions that call get_object().
	objectActions = []string{"retrieve", "update", "partial_update", "destroy"}
)

// routes is how the project routes a view class: as_view() keywords and
// action maps, router registrations.
type routes struct {
	queryset bool            // as_view(queryset=...)
	actions  map[string]bool // as_view({"get": "list"}) values
	mapped   bool            // some as_view({...}) call was seen
	router   bool            // router.register(prefix, View...)
	asView   bool            // some View.as_view(...) call was seen
	// method: a URL pattern routes one of the class's methods directly
	// (`path("x/", View().handler)`, `path("x/", View.handler)`), which
	// bypasses DRF's dispatch and actions.
	method bool
}

var viewRoutes = &project.ProjectAnalysis[map[string]*routes]{Name: "bugs.viewRoutes", Run: func(ix *project.Index) map[string]*routes {
	out := map[string]*routes{}
	get := func(d string) *routes {
		name := d[strings.LastIndex(d, ".")+1:]
		if out[name] == nil {
			out[name] = &routes{actions: map[string]bool{}}
		}
		return out[name]
	}
	for _, u := range ix.Units {
		// A test's as_view(...) is not how the product routes the view.
		if u.Tree == nil || semantic.RolesOf(u).Any(semantic.Test) {
			continue
		}
		for call := range pyast.FindEach(u.Tree.Root(), "call") {
			switch string(pyast.CalleeName(call)) {
			case "as_view", "register":
			case "path", "re_path", "url":
				c, _ := pyast.AsCall(call)
				if len(c.Positional) > 1 {
					if d := routedMethodClass(c.Positional[1]); d != "" {
						get(d).method = true
					}
				}
				continue
			default:
				continue
			}
			c, _ := pyast.AsCall(call)
			switch c.MethodName() {
			case "as_view":
				d := pyast.Dotted(c.Receiver())
				if d == "" {
					continue
				}
				r := get(d)
				r.asView = true
				if !c.Keyword("queryset").IsNil() || c.StarKwargs {
					r.queryset = true
				}
				if len(c.Positional) > 0 {
					r.mapped = true
					if m := pyast.Unparen(c.Positional[0]); m.Type() == "dictionary" {
						for pair := range m.Named() {
							if s, ok := pyast.StringValue(pair.ChildByField("value")); ok {
								r.actions[s] = true
							} else {
								r.router = true // unknown actions: assume all
							}
						}
					} else {
						r.router = true
					}
				}
			case "register":
				for _, a := range c.Positional {
					if d := pyast.Dotted(a); d != "" {
						get(d).router = true
					}
				}
				if v := c.Keyword("viewset"); !v.IsNil() {
					if d := pyast.Dotted(v); d != "" {
						get(d).router = true
					}
				}
			}
		}
	}
	return out
}}

// subclassed are the names of the classes of the tree that other classes
// derive from (by the last part of the base as written: two classes of
// one name count as one, which errs towards silence).
var subclassed = &project.ProjectAnalysis[map[string]bool]{Name: "bugs.subclassed", Run: func(ix *project.Index) map[string]bool {
	out := map[string]bool{}
	for _, f := range semantic.Of(ix).Files() {
		for _, c := range f.Classes {
			for b := range c.Node.ChildByField("superclasses").Named() {
				if d := pyast.Dotted(semantic.BaseExpr(b)); d != "" {
					out[d[strings.LastIndex(d, ".")+1:]] = true
				}
			}
		}
	}
	return out
}}

// runViewWithoutQueryset matches classes deriving, through classes of the
// tree only, from DRF generic views or viewsets that route list requests
// (ListModelMixin) or object requests (Retrieve/Update/DestroyModelMixin)
// when nothing gives them a queryset: no `queryset` attribute or
// `self.queryset` assignment in the class or its bases, no get_queryset(),
// no `as_view(queryset=...)`. An action it overrides counts only when its
// body still calls get_queryset(), get_object() or super(); an overridden
// get_object() counts only when it calls get_queryset() or super().
// Viewsets routed only through `as_view({...})` maps are judged on the
// actions they map; `http_method_names` without GET, PUT, PATCH and DELETE
// silences it. A class other classes derive from is judged through them,
// unless it is routed itself; an unrouted class named as a mixin
// (`...Mixin`) is a base for views to come.
func runViewWithoutQueryset(p *analyzer.Pass) error {
	sm := semantic.Of(p.Project)
	f := sm.File(p.Unit)
	if f == nil {
		return nil
	}
	rt := viewRoutes.Get(p.Project)
	sub := subclassed.Get(p.Project)
	for _, c := range f.Classes {
		r := rt[c.Name]
		if sub[c.Name] && (r == nil || !r.router && !r.mapped) {
			continue
		}
		if r == nil && (emptyBody(c.Node) || extendsOnly(c.Node) || strings.HasSuffix(c.Name, "Mixin")) {
			// A combination of mixins for other views to derive from,
			// served by none; so is a class no route serves that its
			// name calls a mixin (`VersionableModelViewSetMixin`, which
			// adds a `history` action for the viewsets to come).
			continue
		}
		if r != nil && r.method && !r.asView && !r.router {
			continue // only a method of it is routed, as a plain function: no action runs
		}
		checkQuerysetView(p, sm, c, r)
	}
	return nil
}

// emptyBody reports a class whose body is only a docstring and pass: a
// named combination of mixins (`class NoUpdateModelViewSet(CreateModelMixin,
// ..., GenericViewSet): pass`).
func emptyBody(cls pyast.Node) bool {
	for _, st := range pyast.Statements(pyast.Body(cls)) {
		if st.Type() == "pass_statement" || st.Type() == "expression_statement" && st.NamedChild(0).Type() == "string" {
			continue
		}
		return false
	}
	return true
}

// extendsOnly reports a class whose body sets nothing and only extends
// the framework's behaviour: besides a docstring and pass, method
// definitions that each call super() (`def update(...)`: `response =
// super().update(...)`, then a different serializer for the answer). With
// no queryset, serializer or permissions of its own and no route, it is a
// base kept for views to come, as a named combination of mixins is.
func extendsOnly(cls pyast.Node) bool {
	methods := 0
	for _, st := range pyast.Statements(pyast.Body(cls)) {
		if st.Type() == "pass_statement" || st.Type() == "expression_statement" && st.NamedChild(0).Type() == "string" {
			continue
		}
		def := st
		if def.Type() == "decorated_definition" {
			def = def.ChildByField("definition")
		}
		if def.Type() != "function_definition" {
			return false
		}
		callsSuper := false
		for call := range pyast.FindEach(def, "call") {
			if pyast.Dotted(call.ChildByField("function")) == "super" {
				callsSuper = true
				break
			}
		}
		if !callsSuper {
			return false
		}
		methods++
	}
	return methods > 0
}

// typingBase are the bases that only make a class generic for type
// checkers (`class NestedViewSet(Generic[T], GenericViewSet[T])`): they set
// no queryset.
var typingBase = map[string]bool{"typing.Generic": true, "typing_extensions.Generic": true, "object": true}

func checkQuerysetView(p *analyzer.Pass, sm *semantic.Model, c *semantic.Class, r *routes) {
	mro := append([]*semantic.Class{c}, c.Bases()...)
	list, object, viewset := false, false, false
	provided := map[string]bool{} // the object actions the DRF bases provide
	for _, cc := range mro {
		for _, b := range cc.BaseNames() {
			if sm.LookupClass(b) != nil || typingBase[b] {
				continue
			}
			if !strings.HasPrefix(b, "rest_framework.") {
				return // a base from a library may set the queryset
			}
			last := b[strings.LastIndex(b, ".")+1:]
			list = list || listBases[last]
			for _, a := range objectBases[last] {
				object = true
				provided[a] = true
			}
			viewset = viewset || strings.Contains(last, "ViewSet")
		}
		if v, ok := cc.Attrs["queryset"]; ok && v.Type() != "none" {
			return
		}
		if len(cc.SelfAttrs["queryset"]) > 0 || cc.Methods["get_queryset"] != nil {
			return
		}
		if v, ok := cc.Attrs["http_method_names"]; ok && !readsObjects(v) {
			return
		}
	}
	if r != nil && r.queryset {
		return
	}
	routed := func(action string) bool {
		return r == nil || !r.mapped || r.router || r.actions[action]
	}
	// A generic view (not a viewset) reaches its actions through its HTTP
	// handlers: get() calls list() or retrieve(), put() update()... A
	// handler the class overrides without calling the action, the queryset
	// or super() never reaches it.
	reached := func(action string) bool {
		return viewset || handlerReaches(c, action)
	}
	var needs []string
	if list && routed("list") && reached("list") && actionNeedsQueryset(c, "list") {
		needs = append(needs, "list")
	}
	if object && getObjectNeedsQueryset(c) {
		for _, a := range objectActions {
			if provided[a] && routed(a) && reached(a) && actionNeedsQueryset(c, a) {
				needs = append(needs, a)
				break
			}
		}
	}
	if len(needs) == 0 {
		return
	}
	what := "`list`"
	if needs[len(needs)-1] != "list" {
		if len(needs) == 2 {
			what = "`list` and object"
		} else {
			what = "object"
		}
	}
	help := "set `queryset = Model.objects.all()` on the class, or define `get_queryset()`"
	if md := serializerModel(sm, c); md != nil {
		help = fmt.Sprintf("set `queryset = %s.objects.all()` (the serializer's model), or define `get_queryset()` scoped to the caller", md.Name)
	}
	p.Report(analyzer.Diagnostic{
		Range:   analyzer.RangeOf(c.Node.ChildByField("name")),
		Message: fmt.Sprintf("`%s` has neither `queryset` nor `get_queryset()`: every %s request raises `AssertionError`", c.Name, what),
		Help:    help,
	})
}

// readsObjects reports an http_method_names list that allows a method
// served by list or object actions (or that cannot be read).
func readsObjects(v pyast.Node) bool {
	items := listItems(v)
	if len(items) == 0 {
		return true
	}
	for _, e := range items {
		s, ok := pyast.StringValue(e)
		if !ok {
			return true
		}
		switch strings.ToLower(s) {
		case "get", "put", "patch", "delete":
			return true
		}
	}
	return false
}

// actionNeedsQueryset reports whether an action of the class reaches
// get_queryset(): the framework's own does (through get_object() for
// object actions), an override only when it calls get_queryset(),
// get_object() or super().
//
// DRF's partial_update() is `self.update(request, partial=True, ...)`: when
// the class does not override it, it needs the queryset when update() does
// (a password-change view overriding update() to save a serializer serves
// PATCH without an object).
func actionNeedsQueryset(c *semantic.Class, action string) bool {
	fn := c.Method(action)
	if fn == nil {
		if action == "partial_update" && c.Method("update") != nil {
			return actionNeedsQueryset(c, "update")
		}
		return true
	}
	return callsAny(fn.Node, "get_queryset", "get_object", "filter_queryset", action)
}

// actionHandler is the HTTP handler of a generic view that calls each
// action.
var actionHandler = map[string]string{"list": "get", "retrieve": "get", "update": "put",
	"partial_update": "patch", "destroy": "delete"}

// handlerReaches reports whether the handler that serves the action on a
// generic view reaches it: DRF's own does; an override (in the class or a
// base of the tree) only when it calls the action, get_queryset(),
// get_object() or super().
func handlerReaches(c *semantic.Class, action string) bool {
	h := actionHandler[action]
	fn := c.Method(h)
	if fn == nil {
		return true
	}
	return callsAny(fn.Node, action, h, "get_queryset", "get_object", "filter_queryset")
}

// getObjectNeedsQueryset reports whether get_object() reads the queryset:
// DRF's does; an override only when it calls get_queryset() or super().
func getObjectNeedsQueryset(c *semantic.Class) bool {
	fn := c.Method("get_object")
	if fn == nil {
		return true
	}
	return callsAny(fn.Node, "get_queryset", "filter_queryset", "get_object")
}

// callsAny reports a call in fn of self.<name>() or super().<name>() for
// one of the names.
func callsAny(fn pyast.Node, names ...string) bool {
	for call := range pyast.FindEach(fn, "call") {
		c, _ := pyast.AsCall(call)
		if c.Func.Type() != "attribute" || !semantic.IsSelfOrSuper(c.Receiver()) {
			continue
		}
		for _, n := range names {
			if c.MethodName() == n {
				return true
			}
		}
	}
	return false
}

// serializerModel returns the model of the class's serializer_class.
func serializerModel(sm *semantic.Model, c *semantic.Class) *project.Model {
	v, decl := c.Attr("serializer_class")
	if v.IsNil() {
		return nil
	}
	sc := sm.LookupClass(decl.File.Unit.Qualify(pyast.Dotted(v)))
	if sc == nil {
		return nil
	}
	return sm.SerializerModel(sc)
}

// routedMethodClass returns the class name of a view argument that is one
// of its methods taken directly, `View().handler` or `View.handler` (not
// `View.as_view(...)`), or "".
func routedMethodClass(arg pyast.Node) string {
	arg = pyast.Unparen(arg)
	if arg.Type() != "attribute" || arg.ChildByField("attribute").Text() == "as_view" {
		return ""
	}
	obj := pyast.Unparen(arg.ChildByField("object"))
	if c, ok := pyast.AsCall(obj); ok {
		if len(c.Positional) > 0 || len(c.Keywords) > 0 {
			return ""
		}
		obj = c.Func
	}
	d := pyast.Dotted(obj)
	if d == "" {
		return ""
	}
	name := d[strings.LastIndex(d, ".")+1:]
	if name == "" || name[0] < 'A' || name[0] > 'Z' {
		return ""
	}
	return d
}
