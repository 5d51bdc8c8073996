package semantic

import (
	"slices"
	"sort"
	"strings"

	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// Route is one URL pattern of the project bound to a view: a `path`,
// `re_path` or `url` entry of a urlpatterns list (include prefixes
// joined), or a prefix a DRF router registers a viewset under.
type Route struct {
	// Pattern is the full pattern as written, include prefixes joined
	// ("api/payments/<int:pk>/"); regular-expression anchors (^, $) of
	// re_path and url entries are dropped where patterns are joined.
	Pattern string
	// Name is the pattern's name= (or a router's basename), "" when none.
	Name string
	// File and Node are the entry that routes the view: the path() call,
	// or the router's register() call.
	File *File
	Node pyast.Node
	// The view: a function (Func), or a class (Class) with the actions
	// as_view({...}) maps methods to (DRF viewsets), or nil when rubric
	// cannot resolve it (ViewText says what is written).
	Func     *Func
	Class    *Class
	Actions  map[string]string
	ViewText string
	// Router is set for viewsets registered on a DRF router: the list
	// routes are Pattern, the detail routes Pattern + "<pk>/".
	Router bool
	// Orphan is set when settings name a ROOT_URLCONF the tree holds and
	// this route is not reached from it: the URLconf is wired elsewhere
	// (a hook, an app registry), maybe behind checks rubric does not see.
	Orphan bool
	// Wrappers are the decorators applied in the URLconf around the view
	// (`csrf_exempt(views.hook)`, `login_required(View.as_view())`), by
	// last name, outermost first.
	Wrappers []string
	// ShadowedBy is set on a router registration whose standard routes an
	// earlier registration of the same router matches first (Django tries
	// a router's routes in registration order): the same prefix registered
	// twice, or an empty prefix whose detail route `<pk>/` takes a later
	// one-segment prefix's list URL. ShadowedList says the list route
	// (list, create) never reaches this viewset, ShadowedDetail the detail
	// route (retrieve, update, partial_update, destroy).
	ShadowedBy                   *Route
	ShadowedList, ShadowedDetail bool
	// DebugOnly is set when the entry (or an include on the way to it)
	// is added under `if settings.DEBUG:`: a development route that a
	// production deployment never serves.
	DebugOnly bool
	// Via are the include entries (the path() or re_path() calls whose
	// view is include(...)) through which the route is reached, outermost
	// first: what a prefix written in each joins onto.
	Via []pyast.Node
}

// urlWrappers are callables commonly wrapped around a view in a URLconf.
var urlWrappers = map[string]bool{"csrf_exempt": true, "login_required": true, "staff_member_required": true,
	"permission_required": true, "user_passes_test": true, "never_cache": true, "cache_page": true,
	"require_POST": true, "require_GET": true, "require_safe": true, "require_http_methods": true,
	"atomic": true, "superuser_required": true, "xframe_options_exempt": true, "ensure_csrf_cookie": true,
	"csrf_protect": true, "vary_on_cookie": true, "vary_on_headers": true, "cache_control": true,
	"admin_view": true, "api_view": true}

// routeFuncs are the URLconf entry constructors.
var routeFuncs = map[string]bool{"path": true, "re_path": true, "url": true}

// urlconfs collects the routes of the project: from ROOT_URLCONF when the
// settings name one the tree holds, then from every URLconf no other
// includes, then from those never reached (their prefix is unknown;
// Route.Orphan when a root URLconf is known). Include cycles and depth
// are bounded.
func (m *Model) urlconfs() []*Route {
	var confs []*File
	for _, f := range m.ordered {
		if RolesOf(f.Unit).Any(Test | Migration | Script | DevData) {
			continue
		}
		if hasURLPatterns(f) {
			confs = append(confs, f)
		}
	}
	if len(confs) == 0 {
		return nil
	}
	w := &urlWalker{m: m, included: map[*File]bool{}, done: map[*File]bool{}}
	// Which URLconfs does another include?
	for _, f := range confs {
		w.collectIncludes(f)
	}
	var roots []*File
	root := m.moduleFile(m.Index.Settings.RootURLConf())
	if root != nil && hasURLPatterns(root) {
		w.walk(root, "", nil, 0)
	} else {
		root = nil
	}
	reached := len(w.out)
	for _, f := range confs {
		if !w.included[f] {
			roots = append(roots, f)
		}
	}
	for _, f := range roots {
		if !w.done[f] {
			w.walk(f, "", nil, 0)
		}
	}
	for _, f := range confs {
		if !w.done[f] {
			w.walk(f, "", nil, 0)
		}
	}
	if root != nil {
		for _, r := range w.out[reached:] {
			r.Orphan = true
		}
	}
	sort.SliceStable(w.out, func(i, j int) bool { return w.out[i].Pattern < w.out[j].Pattern })
	return w.out
}

// hasURLPatterns reports whether a module assigns urlpatterns at module
// level.
func hasURLPatterns(f *File) bool {
	if len(f.globals["urlpatterns"]) > 0 {
		return true
	}
	for _, st := range moduleStatements(f.Unit.Tree.Root()) {
		if st.Type() == "expression_statement" {
			if a := st.NamedChild(0); a.Type() == "augmented_assignment" && a.ChildByField("left").Text() == "urlpatterns" {
				return true
			}
		}
	}
	return false
}

// moduleFile finds a module of the run by dotted name, also as a suffix
// (the analysed root may sit below the import root, or above it).
func (m *Model) moduleFile(name string) *File {
	if name == "" {
		return nil
	}
	if u := m.Index.ByModule[name]; u != nil {
		return m.files[u]
	}
	// Several modules may end with the name (`app.api.v1.urls` and
	// `app.ledger.api.v1.urls` for "api.v1.urls" in a project kept under
	// app/): the one with the fewest components is the one the project's
	// import root reaches; a tie is ambiguous.
	var found *File
	tie := false
	for _, f := range m.ordered {
		mod := f.Unit.Module
		if dottedSuffix(mod, name) || dottedSuffix(name, mod) && strings.Contains(mod, ".") {
			switch {
			case found == nil || dots(mod) < dots(found.Unit.Module):
				found, tie = f, false
			case dots(mod) == dots(found.Unit.Module):
				tie = true
			}
		}
	}
	if tie {
		return nil
	}
	return found
}

func dots(s string) int { return strings.Count(s, ".") }

type urlWalker struct {
	m        *Model
	included map[*File]bool
	done     map[*File]bool
	out      []*Route
	// debug counts the `if settings.DEBUG:` blocks the entry being
	// walked lies in, its own or an including entry's.
	debug int
	// via are the include entries the entry being walked is reached
	// through (Route.Via).
	via []pyast.Node
}

// urlElem is one entry of a urlpatterns list with the file it is written
// in (a list imported from another module keeps its own), or, when module
// is set, the whole of f's urlpatterns (`urlpatterns += app_urlpatterns`
// after `from app.urls import urlpatterns as app_urlpatterns`).
type urlElem struct {
	f      *File
	n      pyast.Node
	module bool
}

// nodes wraps the entries ns of f.
func nodes(f *File, ns ...pyast.Node) []urlElem {
	out := make([]urlElem, len(ns))
	for i, n := range ns {
		out[i] = urlElem{f: f, n: n}
	}
	return out
}

// patternElems returns the entries of a module's urlpatterns: the
// elements of the lists assigned, added (+=, +) and appended.
func (w *urlWalker) patternElems(f *File) []urlElem {
	var out []urlElem
	for _, st := range moduleStatements(f.Unit.Tree.Root()) {
		if st.Type() != "expression_statement" {
			continue
		}
		e := st.NamedChild(0)
		switch e.Type() {
		case "assignment", "augmented_assignment":
			if e.ChildByField("left").Text() == "urlpatterns" {
				out = append(out, w.elems(f, e.ChildByField("right"), 0)...)
			}
		case "call":
			c, _ := pyast.AsCall(e)
			switch pyast.Dotted(c.Func) {
			case "urlpatterns.append", "urlpatterns.insert":
				if len(c.Positional) > 0 {
					out = append(out, nodes(f, c.Positional[len(c.Positional)-1])...)
				}
			case "urlpatterns.extend":
				if len(c.Positional) > 0 {
					out = append(out, w.elems(f, c.Positional[0], 0)...)
				}
			}
		}
	}
	return out
}

// elems flattens a urlpatterns expression into its entries: list and
// tuple literals, `a + b`, pattern helpers (format_suffix_patterns,
// i18n_patterns) and module-level names bound to lists.
func (w *urlWalker) elems(f *File, n pyast.Node, depth int) []urlElem {
	n = pyast.Unparen(n)
	if depth > 6 {
		return nil
	}
	switch n.Type() {
	case "list", "tuple", "expression_list":
		// expression_list: `urlpatterns += path(...),` adds a tuple
		var out []urlElem
		for e := range n.Named() {
			if e.Type() == "list_splat" {
				out = append(out, w.elems(f, e.NamedChild(0), depth+1)...)
				continue
			}
			if e.Type() != "comment" {
				out = append(out, urlElem{f: f, n: e})
			}
		}
		return out
	case "binary_operator":
		return append(w.elems(f, n.ChildByField("left"), depth+1), w.elems(f, n.ChildByField("right"), depth+1)...)
	case "call":
		c, _ := pyast.AsCall(n)
		name := lastName(pyast.Dotted(c.Func))
		if name == "format_suffix_patterns" || name == "i18n_patterns" {
			var out []urlElem
			for _, a := range c.Positional {
				out = append(out, w.elems(f, a, depth+1)...)
			}
			return out
		}
		if routeFuncs[name] {
			return nodes(f, n)
		}
	case "identifier":
		if n.Text() == "urlpatterns" {
			return nil
		}
		if b := boundList(f, n); !b.IsNil() {
			return w.elems(f, b, depth+1)
		}
		// A list imported from another module: its entries, read there;
		// that module's own urlpatterns: the module.
		if g := w.includedModule(f, n); g != nil {
			return []urlElem{{f: g, module: true}}
		}
		if g, list := w.importedList(f, n); g != nil {
			return w.elems(g, list, depth+1)
		}
	case "attribute":
		// `[...] + admin_urls.urlpatterns`: that module's own patterns.
		if n.ChildByField("attribute").Text() == "urlpatterns" {
			if g := w.includedModule(f, n); g != nil {
				return []urlElem{{f: g, module: true}}
			}
		}
		return nodes(f, n) // router.urls
	}
	return nil
}

// boundList returns the module-level value id holds where it is read. In
// module code that is the last global assignment to it that ends before
// id: code runs in order, so in `api_urls = [path("v1/", include(api_urls))]`
// the name inside is what it was before (an imported URLconf module), and
// read as the list itself it included itself without end. In a function
// (run later) it is the last assignment.
func boundList(f *File, id pyast.Node) pyast.Node {
	bs := f.globals[id.Text()]
	if !pyast.Ancestor(id, "function_definition").IsNil() {
		if len(bs) == 0 {
			return pyast.Node{}
		}
		return bs[len(bs)-1]
	}
	var last pyast.Node
	for _, b := range bs {
		if b.Parent().EndByte() <= id.StartByte() { // the assignment, not only its value
			last = b
		}
	}
	return last
}

// collectIncludes marks the URLconfs f includes (through inline lists
// and module-level lists too).
func (w *urlWalker) collectIncludes(f *File) {
	w.markIncludes(w.patternElems(f), 0)
}

func (w *urlWalker) markIncludes(elems []urlElem, depth int) {
	if depth > 4 {
		return
	}
	for _, x := range elems {
		if x.module {
			w.included[x.f] = true
			continue
		}
		f, e := x.f, x.n
		c, ok := pyast.AsCall(e)
		if !ok {
			continue
		}
		inc, ok := pyast.AsCall(pyast.Unparen(c.Arg(1, "view")))
		if !ok || lastName(pyast.Dotted(inc.Func)) != "include" || len(inc.Positional) == 0 {
			continue
		}
		arg := includedArg(inc)
		if arg.Type() == "list" || arg.Type() == "identifier" && !boundList(f, arg).IsNil() {
			w.markIncludes(w.elems(f, arg, 0), depth+1)
			continue
		}
		if g := w.includedModule(f, arg); g != nil {
			w.included[g] = true
		} else if g, list := w.importedList(f, arg); g != nil {
			w.markIncludes(w.elems(g, list, 0), depth+1)
		}
	}
}

// includedArg is what include() includes: its first argument, or the
// first element of `include((patterns, "app_name"))`, Django's form for a
// list of patterns with an application namespace.
func includedArg(inc pyast.Call) pyast.Node {
	arg := pyast.Unparen(inc.Positional[0])
	if arg.Type() == "tuple" && arg.NamedChildCount() > 0 {
		arg = pyast.Unparen(arg.NamedChild(0))
	}
	return arg
}

// importedList resolves a name imported from another module of the project
// and bound there, at module level, to a list of patterns
// (`from .api.urls import api_patterns` then `include(api_patterns)`): that
// module and the value its last module-level assignment binds.
func (w *urlWalker) importedList(f *File, arg pyast.Node) (*File, pyast.Node) {
	q := importedName(f, arg)
	i := strings.LastIndex(q, ".")
	if i < 0 {
		return nil, pyast.Node{}
	}
	g := w.m.moduleFile(q[:i])
	if g == nil || g == f {
		return nil, pyast.Node{}
	}
	bs := g.globals[q[i+1:]]
	if len(bs) == 0 {
		return nil, pyast.Node{}
	}
	return g, bs[len(bs)-1]
}

// includedModule resolves include("app.urls"), include(("app.urls",
// "ns")), include(app_urls) (an imported module) and include(urls) where
// `from app.urls import urlpatterns as urls` to a file.
func (w *urlWalker) includedModule(f *File, arg pyast.Node) *File {
	arg = pyast.Unparen(arg)
	if arg.Type() == "tuple" && arg.NamedChildCount() > 0 {
		arg = arg.NamedChild(0)
	}
	if s, ok := pyast.StringValue(arg); ok {
		return w.m.moduleFile(s)
	}
	if q := importedName(f, arg); q != "" {
		if g := w.m.moduleFile(q); g != nil {
			return g
		}
		// `from app.urls import urlpatterns as app_urls`: the module's
		// own patterns are the module.
		if mod, ok := strings.CutSuffix(q, ".urlpatterns"); ok {
			return w.m.moduleFile(mod)
		}
	}
	return nil
}

// importedName is the absolute dotted name an expression naming an
// import of f resolves to (`views` -> "shop.views"), or "".
func importedName(f *File, arg pyast.Node) string {
	d := pyast.Dotted(arg)
	if d == "" {
		return ""
	}
	q, ok := f.Unit.Imports.ResolveDotted(d)
	if !ok {
		return ""
	}
	return absoluteName(f.Unit, q)
}

// walk adds the routes of one URLconf under prefix.
func (w *urlWalker) walk(f *File, prefix string, stack []*File, depth int) {
	if depth > 8 {
		return
	}
	for _, s := range stack {
		if s == f {
			return
		}
	}
	w.done[f] = true
	stack = append(stack, f)
	start := len(w.out)
	for _, e := range w.patternElems(f) {
		w.element(e, prefix, stack, depth)
	}
	// `urlpatterns = decorate_urlpatterns(urlpatterns, require_admin_access)`:
	// every route of this URLconf (and of what it includes) is wrapped.
	if deco := patternsDecorator(f); deco != "" {
		for _, r := range w.out[start:] {
			r.Wrappers = append(r.Wrappers, deco)
		}
	}
}

// patternsDecorator returns the name of a function a URLconf passes its
// own urlpatterns to and assigns back (`urlpatterns =
// decorate_urlpatterns(urlpatterns, check)`), "" when none: it wraps every
// view, usually with an access check rubric does not read.
func patternsDecorator(f *File) string {
	for _, st := range moduleStatements(f.Unit.Tree.Root()) {
		a := st.NamedChild(0)
		if st.Type() != "expression_statement" || a.Type() != "assignment" || a.ChildByField("left").Text() != "urlpatterns" {
			continue
		}
		c, ok := pyast.AsCall(pyast.Unparen(a.ChildByField("right")))
		if !ok {
			continue
		}
		for _, arg := range c.Positional {
			if arg.Type() == "identifier" && arg.Text() == "urlpatterns" {
				name := lastName(pyast.Dotted(c.Func))
				if name == "format_suffix_patterns" || name == "i18n_patterns" {
					return ""
				}
				return "urlpatterns:" + name
			}
		}
	}
	return ""
}

// element adds the routes of one entry, or of a whole module's
// urlpatterns.
func (w *urlWalker) element(x urlElem, prefix string, stack []*File, depth int) {
	if !x.n.IsNil() && debugGuarded(x.n) {
		w.debug++
		defer func() { w.debug-- }()
	}
	if x.module {
		w.walk(x.f, prefix, stack, depth+1)
		return
	}
	w.entry(x.f, x.n, prefix, stack, depth)
}

// entry adds the routes of one urlpatterns entry.
func (w *urlWalker) entry(f *File, e pyast.Node, prefix string, stack []*File, depth int) {
	if depth > 16 {
		return // lists that include lists: a cycle rubric misread stops here
	}
	e = pyast.Unparen(e)
	if e.Type() == "attribute" {
		if e.ChildByField("attribute").Text() == "urls" {
			w.router(f, e.ChildByField("object"), prefix)
		}
		return
	}
	c, ok := pyast.AsCall(e)
	if !ok || !routeFuncs[lastName(pyast.Dotted(c.Func))] {
		return
	}
	arg := c.Arg(0, "route")
	if arg.IsNil() {
		arg = c.Arg(0, "regex")
	}
	view := pyast.Unparen(c.Arg(1, "view"))
	inc, ok := pyast.AsCall(view)
	include := ok && lastName(pyast.Dotted(inc.Func)) == "include"
	pat, known := f.patternValue(arg)
	if !known && !arg.IsNil() {
		// A pattern rubric cannot read (built by a call, a setting): the
		// route says so rather than show the prefix alone.
		pat = "…"
		if include {
			pat = "…/"
		}
	}
	full := joinPattern(prefix, pat)
	if include && len(inc.Positional) > 0 {
		w.via = append(w.via, e)
		defer func() { w.via = w.via[:len(w.via)-1] }()
		arg := includedArg(inc)
		switch {
		case arg.Type() == "list" || arg.Type() == "identifier" && !boundList(f, arg).IsNil():
			for _, x := range w.elems(f, arg, 0) {
				w.element(x, full, stack, depth+1)
			}
		case arg.Type() == "attribute" && arg.ChildByField("attribute").Text() == "urls" && w.includedModule(f, arg) == nil:
			// include(router.urls); include(app.urls) after `import
			// app.urls` is the module.
			w.router(f, arg.ChildByField("object"), full)
		default:
			if g := w.includedModule(f, arg); g != nil {
				w.walk(g, full, stack, depth+1)
			} else if g, list := w.importedList(f, arg); g != nil {
				for _, x := range w.elems(g, list, 0) {
					w.element(x, full, stack, depth+1)
				}
			}
		}
		return
	}
	if view.Type() == "attribute" && view.ChildByField("attribute").Text() == "urls" {
		// path("api/", router.urls) or admin.site.urls
		w.router(f, view.ChildByField("object"), full)
		return
	}
	r := &Route{Pattern: full, File: f, Node: e, ViewText: view.Text(), DebugOnly: w.debug > 0, Via: slices.Clone(w.via)}
	if s, ok := pyast.StringValue(c.Keyword("name")); ok {
		r.Name = s
	}
	w.m.resolveView(f, view, r)
	w.out = append(w.out, r)
}

// router adds the viewsets registered on a DRF router (a module-level
// `router = DefaultRouter()` of f, or one imported from another module).
func (w *urlWalker) router(f *File, obj pyast.Node, prefix string) {
	shadowRegistrations(w.routerRegs(f, obj, prefix, 0))
}

// routerRegs adds the viewsets registered on the router obj names, in
// registration order, and returns their registrations: the router's own
// register() calls, and those of each router whose registry it takes over
// (`router.registry.extend(users_router.registry)`, a common way to join
// the routers of several apps under one prefix).
func (w *urlWalker) routerRegs(f *File, obj pyast.Node, prefix string, depth int) []registration {
	name := pyast.Dotted(obj)
	if name == "" || depth > 4 {
		return nil
	}
	rf := f
	if len(f.globals[name]) == 0 {
		q, ok := f.Unit.Imports.ResolveDotted(name)
		if !ok {
			return nil
		}
		q = absoluteName(f.Unit, q)
		i := strings.LastIndex(q, ".")
		if i < 0 {
			return nil
		}
		rf, name = w.m.moduleFile(q[:i]), q[i+1:]
		if rf == nil {
			return nil
		}
	}
	if !isRouter(rf.globals[name]) {
		return nil
	}
	var regs []registration
	for _, st := range moduleStatements(rf.Unit.Tree.Root()) {
		c, ok := pyast.AsCall(st.NamedChild(0))
		if st.Type() != "expression_statement" || !ok {
			continue
		}
		if pyast.Dotted(c.Func) == name+".registry.extend" && len(c.Positional) == 1 {
			if other := pyast.Unparen(c.Positional[0]); other.Type() == "attribute" && other.ChildByField("attribute").Text() == "registry" {
				regs = append(regs, w.routerRegs(rf, other.ChildByField("object"), prefix, depth+1)...)
			}
			continue
		}
		if pyast.Dotted(c.Func) != name+".register" || len(c.Positional) < 2 {
			continue
		}
		pat, literal := pyast.StringValue(c.Arg(0, "prefix"))
		raw := pat
		if pat = strings.Trim(pat, "^$/"); pat != "" {
			pat += "/"
		}
		r := &Route{Pattern: joinPattern(prefix, pat), File: rf, Node: c.Node, Router: true,
			ViewText: c.Positional[1].Text(), Via: slices.Clone(w.via)}
		if s, ok := pyast.StringValue(c.Arg(2, "basename")); ok {
			r.Name = s
		}
		rf.M.resolveView(rf, c.Positional[1], r)
		w.out = append(w.out, r)
		regs = append(regs, registration{r, strings.Trim(raw, "/"), literal})
	}
	return regs
}

// registration is one register() call of a router with its prefix as
// written (slashes trimmed). literal is false when the prefix is not a
// plain string (an f-string over a setting, `f"{settings.API_PREFIX}/cases"`,
// or a name): its value is unknown and compares with nothing.
type registration struct {
	r       *Route
	prefix  string
	literal bool
}

// shadowRegistrations marks the registrations of one router whose
// standard routes an earlier registration's routes match first. DRF
// builds a viewset's list route `^prefix/$` and detail route
// `^prefix/(?P<pk>[^/.]+)/$`, and Django resolves the first pattern that
// matches, in registration order. Only what is certain is marked: plain
// prefixes (no regular expression), viewsets whose routes rubric can read
// (no base from a library it does not know), the default lookup pattern.
func shadowRegistrations(regs []registration) {
	for j, b := range regs {
		if !b.literal || !plainPrefix(b.prefix) {
			continue
		}
		for _, a := range regs[:j] {
			if !a.literal || !plainPrefix(a.prefix) || a.r.Class == nil || b.r.Class == nil {
				continue
			}
			aList, aDetail, known := RouterRoutes(a.r.Class)
			bList, bDetail, bKnown := RouterRoutes(b.r.Class)
			if !known || !bKnown {
				continue
			}
			defaultLookup := !hasAttr(a.r.Class, "lookup_value_regex") && !hasAttr(b.r.Class, "lookup_value_regex")
			switch {
			case a.prefix == b.prefix:
				if aList && bList && !b.r.ShadowedList {
					b.r.ShadowedList = true
					b.r.ShadowedBy = a.r
				}
				if aDetail && bDetail && defaultLookup && !b.r.ShadowedDetail {
					b.r.ShadowedDetail = true
					b.r.ShadowedBy = a.r
				}
			case a.prefix == "" && b.prefix != "" && aDetail && bList && !hasAttr(a.r.Class, "lookup_value_regex") && !strings.ContainsAny(b.prefix, "/."):
				if !b.r.ShadowedList {
					b.r.ShadowedList = true
					b.r.ShadowedBy = a.r
				}
			}
		}
	}
}

// plainPrefix reports whether a router prefix is literal text: no
// regular-expression syntax or converter, which rubric does not match.
func plainPrefix(p string) bool {
	return !strings.ContainsAny(p, `^$()[]{}?*+\|<>`)
}

// hasAttr reports whether a class or one of its project bases sets a
// class attribute.
func hasAttr(c *Class, name string) bool {
	v, _ := c.Attr(name)
	return !v.IsNil()
}

// isRouter reports whether a module-level name is bound to a DRF (or
// drf-nested-routers) router, or to one of two chosen by a condition.
func isRouter(bindings []pyast.Node) bool {
	for _, b := range bindings {
		b = pyast.Unparen(b)
		alts := []pyast.Node{b}
		if b.Type() == "conditional_expression" && b.NamedChildCount() == 3 {
			// `DefaultRouter() if settings.DEBUG else SimpleRouter()`
			// (cookiecutter-django's api_router).
			alts = []pyast.Node{pyast.Unparen(b.NamedChild(0)), pyast.Unparen(b.NamedChild(2))}
		}
		for _, a := range alts {
			if c, ok := pyast.AsCall(a); ok && strings.HasSuffix(lastName(pyast.Dotted(c.Func)), "Router") {
				return true
			}
		}
	}
	return false
}

// resolveView reads a view expression: wrappers (`csrf_exempt(v)`,
// `cache_page(60)(v)`), `Class.as_view({...})`, and names of project
// functions or classes, or a name the module binds once to such a call
// (`user_list = UserViewSet.as_view({"get": "list"})`, DRF's tutorial).
func (m *Model) resolveView(f *File, view pyast.Node, r *Route) {
	m.resolveViewHops(f, view, r, 0)
}

func (m *Model) resolveViewHops(f *File, view pyast.Node, r *Route, hops int) {
	for depth := 0; depth < 8; depth++ {
		view = pyast.Unparen(view)
		c, ok := pyast.AsCall(view)
		if !ok {
			break
		}
		if c.Func.Type() == "attribute" && c.MethodName() == "as_view" {
			recv := pyast.Unparen(c.Receiver())
			if inst, ok := pyast.AsCall(recv); ok && len(inst.Positional) == 0 && len(inst.Keywords) == 0 {
				// `LoanView().as_view()`: as_view is a classmethod, so
				// called on an instance it builds the class's view.
				recv = inst.Func
			}
			r.Class = m.classByName(f, recv)
			if len(c.Positional) > 0 || !c.Keyword("actions").IsNil() {
				r.Actions = actionsDict(c.Arg(0, "actions"))
			}
			return
		}
		callee := c.Func
		if inner, ok := pyast.AsCall(pyast.Unparen(callee)); ok {
			callee = inner.Func // cache_page(60)(view), user_passes_test(f)(view)
		}
		name := lastName(pyast.Dotted(callee))
		if !urlWrappers[name] || len(c.Positional) == 0 {
			return
		}
		r.Wrappers = append(r.Wrappers, name)
		view = c.Positional[0]
	}
	if s, ok := pyast.StringValue(view); ok {
		r.Func = m.LookupFunc(s)
		return
	}
	d := pyast.Dotted(view)
	if d == "" {
		return
	}
	if fn := f.topFuncs[d]; fn != nil {
		r.Func = fn
		return
	}
	if c := f.topClasses[d]; c != nil {
		r.Class = c
		return
	}
	if bs := f.globals[d]; len(bs) == 1 && hops < 3 && pyast.Unparen(bs[0]).Type() == "call" {
		if _, imported := f.Unit.Imports.ResolveDotted(d); !imported {
			m.resolveViewHops(f, bs[0], r, hops+1)
			return
		}
	}
	if q, ok := f.Unit.Imports.ResolveDotted(d); ok {
		q = absoluteName(f.Unit, q)
		if fn := m.LookupFunc(q); fn != nil && fn.Class == nil {
			r.Func = fn
			return
		}
		r.Class = m.LookupClass(q)
		return
	}
	if !strings.Contains(d, ".") && len(f.globals[d]) == 0 {
		// A name the module neither defines nor imports by name: a star
		// import of a project module (`from .views import *`) may bring
		// it.
		for _, mod := range f.starModules() {
			if fn := m.LookupFunc(mod + "." + d); fn != nil && fn.Class == nil {
				r.Func = fn
				return
			}
			if c := m.LookupClass(mod + "." + d); c != nil {
				r.Class = c
				return
			}
		}
	}
}

// starImported returns the modules u star-imports at its top
// (`from .views import *`, `from shop.views import *`), made absolute, in
// source order.
func starImported(u *project.Unit) []string {
	if u.Tree == nil {
		return nil
	}
	var out []string
	for st := range pyast.EachStatement(u.Tree.Root()) {
		if st.Type() != "import_from_statement" || len(pyast.FindAll(st, "wildcard_import")) == 0 {
			continue
		}
		if mod := st.ChildByField("module_name"); !mod.IsNil() {
			out = append(out, absoluteName(u, strings.ReplaceAll(mod.Text(), " ", "")))
		}
	}
	return out
}

// ClassByName resolves a class as written in f (a name or a dotted
// reference), or returns nil.
func (m *Model) ClassByName(f *File, n pyast.Node) *Class { return m.classByName(f, n) }

// classByName resolves a class as written in f.
func (m *Model) classByName(f *File, n pyast.Node) *Class {
	d := pyast.Dotted(n)
	if d == "" {
		return nil
	}
	return m.classNamed(f, d)
}

// classNamed resolves a dotted class name as written in f: a class of the
// file, else the name through f's imports; with no file, the name as a
// project-wide qualified or suffix name (LookupClass).
// ClassNamed returns the project class a name written in f refers to (a
// class of f, or one it imports), or nil.
func (m *Model) ClassNamed(f *File, dotted string) *Class { return m.classNamed(f, dotted) }

func (m *Model) classNamed(f *File, dotted string) *Class {
	if f == nil {
		return m.LookupClass(dotted)
	}
	if c := f.topClasses[dotted]; c != nil {
		return c
	}
	if c := m.starClass(f, dotted); c != nil {
		return c
	}
	return m.LookupClass(absoluteName(f.Unit, f.Unit.Qualify(dotted)))
}

// starClass returns the class a name the module neither defines nor
// imports by name comes from through a star import of a project module
// (`from investor.views import *` then `DepositMoney.as_view()`): the
// first such module, in source order, that defines it. A name two apps
// define is then the one this module takes, not unknown.
func (m *Model) starClass(f *File, name string) *Class {
	if strings.Contains(name, ".") || len(f.globals[name]) != 0 {
		return nil
	}
	stars := f.starModules()
	if len(stars) == 0 {
		return nil
	}
	if _, imported := f.Unit.Imports.ResolveDotted(name); imported {
		return nil
	}
	for _, mod := range stars {
		if c := m.classes[mod+"."+name]; c != nil {
			return c
		}
	}
	return nil
}

// actionsDict reads `{"get": "list", "post": "create"}`.
func actionsDict(n pyast.Node) map[string]string {
	n = pyast.Unparen(n)
	if n.Type() != "dictionary" {
		return nil
	}
	out := map[string]string{}
	for p := range n.Named() {
		k, ok1 := pyast.StringValue(p.ChildByField("key"))
		v, ok2 := pyast.StringValue(p.ChildByField("value"))
		if ok1 && ok2 {
			out[strings.ToLower(k)] = v
		}
	}
	return out
}

// joinPattern appends a URL pattern to an include prefix, dropping the
// regular-expression anchors where they meet.
func joinPattern(prefix, pat string) string {
	if prefix == "" {
		return pat
	}
	return strings.TrimSuffix(prefix, "$") + strings.TrimPrefix(pat, "^")
}

// routeText is an endpoint's route as a reader writes it: the joined
// pattern without its regular-expression anchors, each named group as its
// name (`^items/(?P<pk>[0-9]+)/\.json$` is `items/<pk>/.json`), and "/"
// for a routed view at the root (`path("", ...)`, `re_path(r"^$", ...)`);
// "" when no route reaches the view. Other regular-expression syntax
// stays as written.
func routeText(pat string, routed bool) string {
	pat = strings.TrimPrefix(pat, "^")
	if strings.HasSuffix(pat, "$") && !strings.HasSuffix(pat, `\$`) {
		pat = pat[:len(pat)-1]
	}
	var b strings.Builder
	for i := 0; i < len(pat); {
		if strings.HasPrefix(pat[i:], "(?P<") {
			if name, end, ok := namedGroup(pat, i); ok {
				b.WriteString("<" + name + ">")
				i = end
				continue
			}
		}
		if pat[i] == '\\' && i+1 < len(pat) && strings.IndexByte("./-_~", pat[i+1]) >= 0 {
			b.WriteByte(pat[i+1])
			i += 2
			continue
		}
		b.WriteByte(pat[i])
		i++
	}
	if b.Len() == 0 && routed {
		return "/"
	}
	return b.String()
}

// namedGroup reads the named group `(?P<name>...)` that starts at pat[i]:
// its name and the offset past its closing parenthesis (escapes and
// character classes skipped). ok is false when it does not close.
func namedGroup(pat string, i int) (name string, end int, ok bool) {
	gt := strings.IndexByte(pat[i+4:], '>')
	if gt < 0 {
		return "", 0, false
	}
	name = pat[i+4 : i+4+gt]
	depth, class := 1, false
	for j := i + 4 + gt + 1; j < len(pat); j++ {
		switch c := pat[j]; {
		case c == '\\':
			j++
		case class:
			class = c != ']'
		case c == '[':
			class = true
		case c == '(':
			depth++
		case c == ')':
			if depth--; depth == 0 {
				return name, j + 1, true
			}
		}
	}
	return "", 0, false
}

func lastName(d string) string { return d[strings.LastIndex(d, ".")+1:] }

// debugGuarded reports a node in the body of an `if settings.DEBUG:` (or
// `if DEBUG:`, alone or one operand of an `and`), not in its else.
func debugGuarded(n pyast.Node) bool {
	for cur := n; !cur.IsNil(); cur = cur.Parent() {
		p := cur.Parent()
		if p.Type() != "if_statement" || !cur.Equal(p.ChildByField("consequence")) {
			continue
		}
		for _, op := range andOperands(p.ChildByField("condition")) {
			if d := pyast.Dotted(op); d == "DEBUG" || strings.HasSuffix(d, "settings.DEBUG") {
				return true
			}
		}
	}
	return false
}
