package semantic

import (
	"slices"
	"strings"

	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// staticCallee resolves a call to a project function without evaluating
// values: `f(...)` (a nested, module-level or imported function),
// `mod.f(...)`, `self.m(...)`, `cls.m(...)`, `super().m(...)` and
// `Class.m(...)`. bound is set when the callee receives its first
// parameter from the receiver (self.m, obj.m).
func (f *File) staticCallee(call pyast.Node) (*Func, bool) {
	if f.callees.done && call.Tree() == f.Unit.Tree {
		if i, ok := slices.BinarySearch(f.callees.ids, call.ID()); ok {
			r := f.callees.res[i]
			return r.fn, r.bound
		}
	}
	return f.staticRef(call.ChildByField("function"), call)
}

// callees are a file's calls resolved once by staticRef, by node id
// (ascending), for every rule that asks again: staticRef reads only the
// classes and functions the model registered before any call is resolved.
type callees struct {
	done bool
	ids  []int32
	res  []calleeOf
}

type calleeOf struct {
	fn    *Func
	bound bool
}

// FuncRef resolves an expression naming a project function without
// calling it (`mass_update(rows, generate_hash)`), as staticCallee
// resolves a call's function: nil for lambdas and anything else.
func (f *File) FuncRef(n pyast.Node) *Func {
	n = pyast.Unparen(n)
	if !n.Is("identifier", "attribute") {
		return nil
	}
	fn, _ := f.staticRef(n, n)
	return fn
}

// staticRef resolves fn, the function expression of a call at (or the
// reference itself).
func (f *File) staticRef(fn, call pyast.Node) (*Func, bool) {
	switch fn.Type() {
	case "identifier":
		name := string(fn.Bytes())
		// A nested function of an enclosing scope.
		if f.nested != nil {
			for def := pyast.Ancestor(call, "function_definition"); !def.IsNil(); def = pyast.Ancestor(def, "function_definition") {
				if fn := f.nested[def.ID()][name]; fn != nil {
					return fn, false
				}
			}
		}
		if t := f.topFuncs[name]; t != nil {
			return t, false
		}
		if q, ok := f.Unit.Imports.Lookup(name); ok {
			if t := f.M.LookupFunc(absoluteName(f.Unit, q)); t != nil {
				return t, false
			}
		}
		return nil, false
	case "attribute":
		obj := fn.ChildByField("object")
		method := string(fn.ChildByField("attribute").Bytes())
		switch {
		case obj.Type() == "identifier" && (string(obj.Bytes()) == "self" || string(obj.Bytes()) == "cls"):
			if c := f.classOfNode(call); c != nil {
				if m := c.Method(method); m != nil {
					return m, !m.Static
				}
			}
			return nil, false
		case obj.Type() == "call":
			if IsSelfOrSuper(obj) {
				if c := f.classOfNode(call); c != nil {
					for _, b := range c.Bases() {
						if m := b.Methods[method]; m != nil {
							return m, !m.Static
						}
					}
				}
			}
			return nil, false
		}
		d := pyast.Dotted(obj)
		if d == "" {
			return nil, false
		}
		if c := f.topClasses[d]; c != nil {
			if m := c.Method(method); m != nil && (m.Static || m.ClassMethod) {
				return m, m.ClassMethod
			}
			return nil, false
		}
		if q, ok := f.Unit.Imports.ResolveDotted(d); ok {
			q = absoluteName(f.Unit, q)
			if t := f.M.LookupFunc(q + "." + method); t != nil {
				if t.Class == nil {
					return t, false
				}
				if t.Static || t.ClassMethod {
					return t, t.ClassMethod
				}
			}
			// A static or class method a project base of a model declares
			// (`Edition.viewer_aware_objects(user)`, defined on Book). Other
			// classes' inherited methods stay unresolved, as before: on
			// netbox, a job runner's inherited get_jobs() typed a loop whose
			// only finding was a read for legacy rows.
			c := f.M.LookupClass(q)
			if c != nil && !f.M.isModelClass(c) {
				c = nil
			}
			if c == nil && f.M.Graph != nil {
				// A model re-exported by its package (`models.Edition`).
				if md := f.M.Graph.Lookup(f.Unit, d); md != nil {
					c = f.M.LookupClass(md.Qual)
				}
			}
			if c != nil {
				// Declared on a concrete model: an abstract base's or a
				// mixin's classmethod reads cls for whichever model calls it.
				if m := c.Method(method); m != nil && (m.Static || m.ClassMethod) && m.Class != nil {
					if md := f.M.Graph.ByQual(m.Class.Qual); md != nil && !md.Abstract {
						return m, m.ClassMethod
					}
					if m.ClassMethod && !f.M.isModelClass(m.Class) {
						return m, true // a plain mixin's: cls is this model (mixinClassMethod)
					}
				}
			}
		}
	}
	return nil, false
}

// absoluteName makes an imported name absolute against the unit.
func absoluteName(u *project.Unit, q string) string {
	if !strings.HasPrefix(q, ".") {
		return q
	}
	return u.Absolute(q)
}

// Callee resolves a call to the project function it reaches: what
// staticCallee finds, plus methods of model rows (`order.to_dict()`,
// `child.save()` when the model overrides save).
func (f *File) Callee(call pyast.Node) (*Func, bool) {
	c, ok := pyast.AsCallHead(call)
	if !ok {
		return nil, false
	}
	return f.callee(call, c, ctx{})
}

func (f *File) callee(call pyast.Node, c pyast.CallHead, st ctx) (*Func, bool) {
	if fn, bound := f.staticCallee(call); fn != nil {
		return fn, bound
	}
	if c.Func.Type() != "attribute" || st.d > maxDepth {
		return nil, false
	}
	if m, _, _ := f.instance(c.Receiver(), st.in()); m != nil {
		if fn := f.M.ModelMethod(m, c.MethodName()); fn != nil && !fn.Static {
			return fn, !fn.ClassMethod
		}
		return nil, false
	}
	if cls := f.instanceClass(c.Receiver(), 0); cls != nil {
		if fn := cls.Method(c.MethodName()); fn != nil && !fn.Static {
			return fn, !fn.ClassMethod
		}
	}
	return nil, false
}

// ModelMethod returns a method (or property) a model's class defines,
// or inherits from a project base.
func (m *Model) ModelMethod(md *project.Model, name string) *Func {
	c := m.ClassOfModel(md)
	if c == nil {
		return nil
	}
	return c.Method(name)
}

// declaredParams returns what the function's own text says of its
// parameters: annotations naming a model (`order: Order`,
// `qs: QuerySet[Order]`, `"Order"`), and framework conventions (the
// object a DRF serializer method, an admin column or a permission check
// receives).
func (f *File) declaredParams(fn *Func) []Value {
	out := make([]Value, len(fn.Params))
	for p := range fn.Node.ChildByField("parameters").Named() {
		var name string
		var ann pyast.Node
		switch p.Type() {
		case "typed_parameter":
			name, ann = p.NamedChild(0).Text(), p.ChildByField("type")
		case "typed_default_parameter":
			name, ann = p.ChildByField("name").Text(), p.ChildByField("type")
		default:
			continue
		}
		idx := indexOf(fn.Params, name)
		if idx < 0 || ann.IsNil() {
			continue
		}
		out[idx] = f.annotationValue(ann)
	}
	if fn.Class != nil {
		if v, idx := f.conventionParam(fn); idx >= 0 && idx < len(out) && out[idx].Kind == Unknown {
			out[idx] = v
		}
	}
	return out
}

func indexOf(xs []string, s string) int {
	for i, x := range xs {
		if x == s {
			return i
		}
	}
	return -1
}

// annotationValue reads a type annotation: a model (row), or a QuerySet
// or list of a model.
func (f *File) annotationValue(ann pyast.Node) Value {
	g := f.M.Graph
	if g == nil {
		return Value{}
	}
	n := ann
	if n.Type() == "type" {
		n = n.NamedChild(0)
	}
	if s, ok := pyast.StringValue(n); ok {
		if m := g.Lookup(f.Unit, strings.TrimSpace(s)); m != nil {
			return Value{Kind: Row, Model: m}
		}
		return Value{}
	}
	switch n.Type() {
	case "identifier", "attribute":
		if m := g.Lookup(f.Unit, pyast.Dotted(n)); m != nil {
			return Value{Kind: Row, Model: m}
		}
	case "generic_type", "subscript":
		// QuerySet[Order], list[Order], Iterable["Order"]
		head := n.NamedChild(0)
		name := pyast.Dotted(head)
		last := name[strings.LastIndex(name, ".")+1:]
		var arg pyast.Node
		for _, k := range n.NamedChildren()[1:] {
			arg = k
			if arg.Type() == "type_parameter" {
				arg = arg.NamedChild(0)
			}
			if arg.Type() == "type" {
				arg = arg.NamedChild(0)
			}
			break
		}
		if arg.IsNil() {
			return Value{}
		}
		inner := f.annotationValue(arg)
		if inner.Kind != Row {
			return Value{}
		}
		switch last {
		case "QuerySet", "Manager", "BaseManager":
			return Value{Kind: QuerySet, Model: inner.Model, QS: &QS{Model: inner.Model, ModelText: inner.Model.Name, Opaque: true, NamesOpen: true}}
		case "Optional":
			return inner
		}
	}
	return Value{}
}

// conventionParam returns the value frameworks pass a method: the row a
// DRF serializer's get_<field>/to_representation receives (Meta.model),
// the row an admin's column method receives (the registered model), and
// the object of has_object_permission.
func (f *File) conventionParam(fn *Func) (Value, int) {
	c := fn.Class
	if len(fn.Params) >= 1 && !fn.Static && !fn.ClassMethod && fn.Params[0] == "self" {
		// self in a model's method: one of its rows (or a subclass's,
		// which has the same relations), fetched by the caller. In an
		// abstract model's method, a row of whichever concrete model
		// inherits it: the relations the abstract model declares are
		// every subclass's.
		if md := f.M.Graph.ByQual(c.Qual); md != nil {
			return Value{Kind: Row, Model: md}, 0
		}
	}
	if len(fn.Params) < 2 {
		return Value{}, -1
	}
	name := fn.Name
	switch {
	case strings.HasPrefix(name, "get_") || name == "to_representation":
		if md := f.M.SerializerModel(c); md != nil {
			return Value{Kind: Row, Model: md}, 1
		}
		if md := f.M.AdminModel(c); md != nil && strings.HasPrefix(name, "get_") {
			return Value{}, -1 // admin get_* hooks take (request, obj)
		}
	case name == "has_object_permission" && len(fn.Params) >= 4:
		return Value{}, -1
	}
	if md := f.M.AdminModel(c); md != nil && len(fn.Params) == 2 && !adminHooks[name] {
		return Value{Kind: Row, Model: md}, 1
	}
	return Value{}, -1
}

// adminHooks are ModelAdmin methods whose second parameter is not a row.
var adminHooks = map[string]bool{
	"get_queryset": true, "get_list_display": true, "get_urls": true, "changelist_view": true, "get_form": true,
	"get_search_results": true, "lookup_allowed": true, "get_actions": true, "get_list_filter": true,
	"has_add_permission": true, "has_module_permission": true, "get_ordering": true, "get_fieldsets": true,
	"get_readonly_fields": true, "get_inline_instances": true, "get_changelist": true, "save_model": false,
}

// SerializerModel returns the model of a serializer class's Meta.model
// (its own or a project base's).
func (m *Model) SerializerModel(c *Class) *project.Model {
	for _, cc := range append([]*Class{c}, c.Bases()...) {
		if cc.Facts != nil && cc.Facts.MetaModel != "" && m.Graph != nil {
			if md := m.Graph.ByQual(cc.Facts.MetaModel); md != nil {
				return md
			}
		}
	}
	return nil
}

// AdminModel returns the model a ModelAdmin class (or inline) shows:
// `@admin.register(M)`, `admin.site.register(M, Admin)`, or an inline's
// `model = M`. A registration wins over a `model` attribute, which Django
// reads on inlines only.
func (m *Model) AdminModel(c *Class) *project.Model {
	if m.Graph == nil || !c.IsAdmin() {
		return nil
	}
	if md, ok := m.registeredModel(c); ok {
		return md // nil when the registered model is not the tree's
	}
	if v, decl := c.Attr("model"); !v.IsNil() {
		if md := m.Graph.Lookup(decl.File.Unit, pyast.Dotted(v)); md != nil {
			return md
		}
	}
	return nil
}

// registeredModel returns the model the class's file registers it for,
// or another module of the project (collectAdminRegistrations); ok is
// false when nothing registers it.
func (m *Model) registeredModel(c *Class) (md *project.Model, ok bool) {
	for _, d := range pyast.Decorators(c.Node) {
		dc, isCall := pyast.AsCall(d)
		if isCall && strings.HasSuffix(pyast.Dotted(dc.Func), "register") && len(dc.Positional) > 0 {
			return m.Graph.Lookup(c.File.Unit, pyast.Dotted(dc.Positional[0])), true
		}
	}
	for call := range pyast.FindEachShallow(c.File.Unit.Tree.Root(), "call") {
		cc, _ := pyast.AsCall(call)
		if !strings.HasSuffix(pyast.Dotted(cc.Func), ".register") || len(cc.Positional) < 2 {
			continue
		}
		if pyast.Dotted(cc.Positional[1]) == c.Name {
			return m.Graph.Lookup(c.File.Unit, pyast.Dotted(cc.Positional[0])), true
		}
	}
	if r, ok := m.adminRegs[c]; ok {
		return r.model, true // registered by another module
	}
	return nil, false
}

// IsAdmin reports whether a class derives from a Django ModelAdmin or
// inline (directly or through project bases), or from a library's
// ModelAdmin subclass (django-import-export's ImportExportModelAdmin,
// django-reversion's VersionAdmin, django-simple-history's
// SimpleHistoryAdmin, ...), which keep Django's changelist.
func (c *Class) IsAdmin() bool {
	for _, cc := range append([]*Class{c}, c.Bases()...) {
		for _, b := range cc.BaseNames() {
			last := b[strings.LastIndex(b, ".")+1:]
			if strings.HasSuffix(last, "ModelAdmin") || strings.HasSuffix(last, "TabularInline") || strings.HasSuffix(last, "StackedInline") ||
				strings.HasPrefix(b, "django.contrib.admin") || strings.HasPrefix(b, "django.contrib.gis.admin.") || libraryAdmins[b] {
				return true
			}
		}
	}
	return false
}

// libraryAdmins are ModelAdmin subclasses of common libraries whose names
// do not end in ModelAdmin.
var libraryAdmins = map[string]bool{
	"reversion.admin.VersionAdmin":                true,
	"reversion_compare.admin.CompareVersionAdmin": true,
	"simple_history.admin.SimpleHistoryAdmin":     true,
	"mptt.admin.DraggableMPTTAdmin":               true,
	"modeltranslation.admin.TranslationAdmin":     true,
	"treebeard.admin.TreeAdmin":                   true,
}

// returnValue evaluates what a function returns: a queryset (the first
// return that lists rows), a row, or unknown. Paths that disagree make it
// unknown.
//
// A return of a call through a local name (`impl = get_hook(...)`, then
// `if impl: return impl(x)`) is an override chosen at run time: the
// other returns still say what the function gives, as opaque.
func (f *File) returnValue(fn *Func, d *settleDeps) Value {
	var out Value
	seen, hooked := false, false
	for r := range pyast.FindEachShallow(fn.Node, "return_statement") {
		e := r.NamedChild(0)
		if e.IsNil() {
			continue
		}
		v := f.valueIn(e, d)
		if v.Kind == Related && v.QS != nil && !v.QS.MaybeCached && !v.QS.Cached {
			// A related manager's chain that always queries
			// (`self.org.triggers.filter(...)`): rows like any queryset's.
			v.Kind = QuerySet
		}
		if v.Kind != QuerySet && v.Kind != Row {
			if v.Kind == Unknown && f.localHook(fn, e) {
				hooked = true
				continue
			}
			if v.Kind == Unknown && f.memoRead(fn, e) {
				continue // what an earlier call of fn stored: another return
			}
			if v.Kind == Unknown && e.Type() != "none" {
				return Value{}
			}
			continue
		}
		if v.Kind == QuerySet && v.QS != nil && v.QS.Single {
			if !seen {
				out, seen = v, true
			}
			continue
		}
		if seen && out.Kind == QuerySet && out.QS != nil && !out.QS.Single {
			if out.Model != v.Model || out.Kind != v.Kind {
				return Value{}
			}
			continue
		}
		out, seen = v, true
	}
	if hooked && out.Kind == QuerySet && out.QS != nil {
		out.QS = out.QS.clone()
		out.QS.Opaque = true
	}
	return out
}

// localHook reports a call, under a branch, whose callee is a name
// assigned in fn (not a function of the project or a module-level name):
// a callable chosen at run time.
func (f *File) localHook(fn *Func, e pyast.Node) bool {
	c, ok := pyast.AsCall(pyast.Unparen(e))
	if !ok || c.Func.Type() != "identifier" {
		return false
	}
	return conditional(e) && len(f.assignments(fn.Node, c.Func.Text())) > 0
}

// memoRead reports a return of what an earlier call stored: `self._x`
// where fn assigns `self._x = ...`, or a local read from a cache fn also
// fills (`hit = cache.get(key)` with `cache.set(key, value)` in fn).
func (f *File) memoRead(fn *Func, e pyast.Node) bool {
	e = pyast.Unparen(e)
	switch e.Type() {
	case "attribute":
		d := pyast.Dotted(e)
		if !strings.HasPrefix(d, "self.") {
			return false
		}
		for a := range pyast.FindEachShallow(fn.Node, "assignment") {
			if pyast.Dotted(a.ChildByField("left")) == d {
				return true
			}
		}
	case "identifier":
		as := f.assignments(fn.Node, e.Text())
		if len(as) == 0 {
			return false
		}
		for _, a := range as {
			c, ok := pyast.AsCall(pyast.Unparen(boundValue(a.node)))
			if !ok || c.MethodName() != "get" {
				return false
			}
			recv := pyast.Dotted(c.Receiver())
			if recv == "" {
				return false
			}
			set := false
			for call := range pyast.FindEachShallow(fn.Node, "call") {
				if sc, ok := pyast.AsCall(call); ok && sc.MethodName() == "set" && pyast.Dotted(sc.Receiver()) == recv {
					set = true
					break
				}
			}
			if !set {
				return false
			}
		}
		return true
	}
	return false
}

// argValues evaluates the arguments of a call site, by the callee's
// parameter index, keeping only rows and querysets. An argument of a
// parameter whose kind is declared (settle keeps it whatever the callers
// pass) is not evaluated.
func (f *File) argValues(callee *Func, s callSite, d *settleDeps) map[int]Value {
	c, ok := pyast.AsCall(s.call)
	if !ok || c.StarArgs {
		return nil
	}
	out := map[int]Value{}
	off := 0
	if s.bound {
		off = 1
	}
	for i, a := range c.Positional {
		if i+off >= len(callee.Params) {
			break
		}
		if declaredParam(callee, i+off) {
			continue
		}
		if v := f.valueIn(a, d); v.Kind == Row || v.Kind == QuerySet || v.Kind == Related {
			out[i+off] = asQuerySet(v)
		}
	}
	for k, a := range c.EachKeyword() {
		if idx := indexOf(callee.Params, k); idx >= 0 && !declaredParam(callee, idx) {
			if v := f.valueIn(a, d); v.Kind == Row || v.Kind == QuerySet || v.Kind == Related {
				out[idx] = asQuerySet(v)
			}
		}
	}
	return out
}

// declaredParam reports a parameter whose value an annotation or a
// framework convention gives for certain: settle keeps it whatever the
// call sites pass, and never changes it.
func declaredParam(fn *Func, idx int) bool {
	return idx < len(fn.params) && fn.params[idx].Kind != Unknown && fn.params[idx].Certainty == Certain
}

// Params returns what is known of each parameter of fn.
func (fn *Func) ParamValues() []Value {
	return fn.File.M.paramsOf(fn, ctx{})
}

// Returns is what fn returns.
func (fn *Func) Returns() Value {
	return fn.File.M.retOf(fn, ctx{})
}

// Callers returns the call sites of fn in the project, in path order.
func (fn *Func) Callers() []pyast.Node {
	var out []pyast.Node
	for _, s := range fn.callers {
		out = append(out, s.call)
	}
	return out
}

// asQuerySet treats a related manager passed on as a queryset of its
// model: the callee iterates it like any other.
func asQuerySet(v Value) Value {
	if v.Kind == Related {
		v.Kind = QuerySet
	}
	return v
}
