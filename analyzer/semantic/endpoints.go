package semantic

import (
	"iter"
	"sort"
	"strings"
	"sync"

	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// Endpoint is one request handler of the project: a function view, one
// HTTP method (or DRF action) of a class-based view, or a route of a
// decorator-routed API (Django Ninja, FastAPI). What it accepts, who may
// call it, and what it does are read from the code: urls.py, settings,
// class attributes, decorators, mixins and the handler's body with the
// project functions it calls.
type Endpoint struct {
	// Routes are the URL patterns that reach the view (nil when no
	// URLconf rubric reads routes it); Route is the first, for display.
	Routes []*Route
	Route  string
	// Kind is "function", "django-view", "drf-view", "viewset", "ninja",
	// "asgi", or "external" (a library's view routed by the project).
	Kind string
	// View is the qualified name of the view function or class.
	View string
	// Action is the handler's name within a class: the method (get,
	// post...) or the DRF action (list, create, retrieve, update,
	// partial_update, destroy, or an @action method); "" for functions.
	Action string
	// Methods are the HTTP methods routed to the handler, upper case;
	// ["ANY"] for a function view without a method restriction.
	Methods []string
	// Restricted is set when a decorator or the framework restricts the
	// methods (require_POST, api_view, a class's handler methods).
	Restricted bool
	// Class is the view class (nil for functions); Handler the function
	// that runs (nil when the framework's own action runs: a ModelViewSet's
	// create without an override).
	Class   *Class
	Handler *Func
	// File and Node locate the handler (or the class when Handler is nil).
	File *File
	Node pyast.Node
	// Routed is set when a URLconf reaches the view; Base when the class
	// is a base other views of the project derive from.
	Routed, Base bool
	// Model is the model the view serves (DRF queryset or serializer
	// model, Django generic view model), nil when unknown.
	Model *project.Model
	Auth  Auth
	Does  Does
	// Webhook is set when the handler receives webhooks (see Webhook).
	Webhook *Webhook
	// RequestParam is the name of the request parameter ("request").
	RequestParam string
}

// Inventory is the endpoint inventory of a run.
type Inventory struct {
	Endpoints []*Endpoint
	Routes    []*Route
	// HasURLConf is set when the tree holds a URLconf: then an unrouted
	// function is not taken for a view unless its decorators say so.
	HasURLConf bool
	byFunc     map[*Func][]*Endpoint
	byFile     map[*File][]*Endpoint
	byView     map[*File][]*Endpoint
}

// Endpoints is the endpoint inventory, built once per run. Rules that
// read it list it (or Project) in Rule.Requires.
var Endpoints = &project.ProjectAnalysis[*Inventory]{Name: "semantic.endpoints", Run: func(ix *project.Index) *Inventory {
	return Of(ix).buildInventory()
}}

// InventoryOf returns the endpoint inventory of the index.
func InventoryOf(ix *project.Index) *Inventory { return Endpoints.Get(ix) }

// ForFunc returns the endpoints a function handles (nil for a function
// that is no handler).
func (inv *Inventory) ForFunc(fn *Func) []*Endpoint {
	if inv == nil {
		return nil
	}
	return inv.byFunc[fn]
}

// InFile returns the endpoints whose handler (or class) a file defines.
func (inv *Inventory) InFile(f *File) []*Endpoint {
	if inv == nil {
		return nil
	}
	return inv.byFile[f]
}

// HandlersIn yields the judged endpoints of f whose handler f defines and
// that keep accepts (nil accepts all), with that handler: each handler
// once, with the first of its endpoints keep accepts.
func (inv *Inventory) HandlersIn(f *File, keep func(*Endpoint) bool) iter.Seq2[*Endpoint, *Func] {
	return func(yield func(*Endpoint, *Func) bool) {
		done := map[*Func]bool{}
		for _, e := range inv.InFile(f) {
			fn := e.Handler
			if fn == nil || fn.File != f || done[fn] || !e.Judged(inv) || keep != nil && !keep(e) {
				continue
			}
			done[fn] = true
			if !yield(e, fn) {
				return
			}
		}
	}
}

// TakesRequest accepts an endpoint whose handler names its request
// parameter (HandlersIn).
func TakesRequest(e *Endpoint) bool { return e.RequestParam != "" }

// Judged reports whether rules should judge an endpoint: it is routed, or
// its shape leaves no doubt (a function with view decorators, a webhook
// handler reading the raw body), or the tree has no URLconf (a fragment,
// a single file) and it looks like a view (a class-based view that is not
// a base of others).
func (e *Endpoint) Judged(inv *Inventory) bool {
	if e.Routed {
		// Routed only under `if settings.DEBUG:`: a development page
		// production never serves.
		for _, r := range e.Routes {
			if !r.DebugOnly {
				return true
			}
		}
		return len(e.Routes) == 0
	}
	if e.Class != nil {
		// An unrouted view class in a tree with URLconfs is wired where
		// rubric does not look (an app config's get_urls, a viewset's
		// URL builder), often with its permission checks.
		return !e.Base && !inv.HasURLConf
	}
	if e.Webhook != nil && !e.Webhook.BodyRead.IsNil() && hasHookWord(e.Handler.Name) {
		return true // a webhook handler reading the raw body, routed by a plugin or a dispatcher
	}
	if inv.HasURLConf && e.Kind == "function" && e.Handler != nil && len(e.Handler.callers) > 0 {
		// Unrouted and called by project code (kuma's `delete_document(
		// request=request, document=...)` from a POST-only ban view): a
		// helper its callers reach, judged through them.
		return false
	}
	// csrf_exempt alone says the function is a view, not how it is
	// reached: unrouted in a tree with URLconfs, it is wired by a helper
	// rubric does not read (`admin_url(...)`), as an unrouted class is.
	return !inv.HasURLConf || e.Kind != "function" || e.Restricted || e.Auth.decorated && (e.Auth.routingShape || !e.Auth.CSRFExempt)
}

// ReachText returns the text of a function's body and of the project
// functions it calls, depth calls deep.
func (m *Model) ReachText(fn *Func, depth int) string { return m.reachText(fn, depth) }

// SecretInURL reports whether the handler takes a secret from the URL
// (a token, a signature, a secret, a key): possession of the link is the
// authorisation (e-mail links, unsubscribe and activation URLs).
func (e *Endpoint) SecretInURL() bool {
	var params []string
	if e.Handler != nil {
		params = append(params, e.Handler.Params...)
	}
	if e.Class != nil && e.Route != "" {
		// A DRF detail route takes the object's key from the URL under
		// lookup_url_kwarg (else lookup_field): `lookup_field = "code"`
		// on a confirmation viewset.
		for _, at := range []string{"lookup_url_kwarg", "lookup_field"} {
			if v, _ := e.Class.Attr(at); !v.IsNil() {
				if s, ok := pyast.StringValue(v); ok && strings.Contains(e.Route, "<") {
					params = append(params, s)
				}
				break
			}
		}
	}
	for _, p := range params {
		for _, w := range IdentWords(p) {
			switch w {
			case "token", "secret", "signature", "key", "hash", "code", "uidb64", "uid":
				return true
			}
		}
	}
	return false
}

// Writes reports whether the endpoint changes state: it writes rows,
// moves money or queues tasks (HTTP calls alone do not count).
func (e *Endpoint) Writes() bool {
	return e.Does.Writes()
}

// AcceptsUnsafe reports whether an unsafe method (POST, PUT, PATCH,
// DELETE, or any method) reaches the handler.
func (e *Endpoint) AcceptsUnsafe() bool {
	for _, m := range e.Methods {
		switch m {
		case "POST", "PUT", "PATCH", "DELETE", "ANY":
			return true
		}
	}
	return false
}

// viewKinds: what a view class derives from (last names of bases).
var (
	drfViewSets = map[string]bool{"ViewSet": true, "GenericViewSet": true, "ModelViewSet": true,
		"ReadOnlyModelViewSet": true, "ViewSetMixin": true}
	drfViews = map[string]bool{"APIView": true, "GenericAPIView": true, "ListAPIView": true, "CreateAPIView": true,
		"RetrieveAPIView": true, "DestroyAPIView": true, "UpdateAPIView": true, "ListCreateAPIView": true,
		"RetrieveUpdateAPIView": true, "RetrieveDestroyAPIView": true, "RetrieveUpdateDestroyAPIView": true}
	djangoViews = map[string]bool{"View": true, "TemplateView": true, "ListView": true, "DetailView": true,
		"CreateView": true, "UpdateView": true, "DeleteView": true, "FormView": true, "RedirectView": true,
		"ArchiveIndexView": true, "YearArchiveView": true, "MonthArchiveView": true, "DayArchiveView": true,
		"TodayArchiveView": true, "DateDetailView": true, "BaseListView": true, "BaseDetailView": true,
		"ProcessFormView": true, "BaseFormView": true, "BaseCreateView": true, "BaseUpdateView": true, "BaseDeleteView": true}
	// providedActions are the DRF actions a base class brings, by the
	// method that reaches them (viewsets map methods at routing time).
	providedActions = map[string][]string{
		"ModelViewSet":         {"list", "create", "retrieve", "update", "partial_update", "destroy"},
		"ReadOnlyModelViewSet": {"list", "retrieve"}, "ListModelMixin": {"list"}, "CreateModelMixin": {"create"},
		"RetrieveModelMixin": {"retrieve"}, "UpdateModelMixin": {"update", "partial_update"},
		"DestroyModelMixin": {"destroy"},
		"ListAPIView":       {"list"}, "CreateAPIView": {"create"}, "RetrieveAPIView": {"retrieve"},
		"DestroyAPIView": {"destroy"}, "UpdateAPIView": {"update", "partial_update"},
		"ListCreateAPIView": {"list", "create"}, "RetrieveUpdateAPIView": {"retrieve", "update", "partial_update"},
		"RetrieveDestroyAPIView":       {"retrieve", "destroy"},
		"RetrieveUpdateDestroyAPIView": {"retrieve", "update", "partial_update", "destroy"},
	}
	actionMethod = map[string]string{"list": "GET", "retrieve": "GET", "create": "POST", "update": "PUT",
		"partial_update": "PATCH", "destroy": "DELETE"}
	// djangoProvided are the handlers Django's generic views bring.
	djangoProvided = map[string][]string{"TemplateView": {"get"}, "ListView": {"get"}, "DetailView": {"get"},
		"RedirectView": {"get"}, "CreateView": {"get", "post"}, "UpdateView": {"get", "post"}, "FormView": {"get", "post"},
		"DeleteView": {"get", "post"}, "ArchiveIndexView": {"get"}, "YearArchiveView": {"get"}, "MonthArchiveView": {"get"},
		"DayArchiveView": {"get"}, "TodayArchiveView": {"get"}, "DateDetailView": {"get"}}
	httpHandlers = []string{"get", "post", "put", "patch", "delete"}
)

// endpointMemo caches, per function and class, what the inventory asks
// many times (a class's bases for each of its handlers, a helper's
// effects for each view that calls it). Safe for concurrent use: rules
// call FuncEffects and ReachText after the build.
type endpointMemo struct {
	mu      sync.Mutex
	bases   map[*Class]baseNames
	text    map[textKey]string
	effects map[*Func][]Effect
}

type baseNames struct {
	last  map[string]bool
	quals []string
}

type textKey struct {
	fn    *Func
	depth int
}

// classBaseNames returns the last names of every base of c, through the
// project's classes, with the qualified names (computed once per class).
func classBaseNames(c *Class) (last map[string]bool, quals []string) {
	mm := &c.File.M.memo
	mm.mu.Lock()
	if b, ok := mm.bases[c]; ok {
		mm.mu.Unlock()
		return b.last, b.quals
	}
	mm.mu.Unlock()
	last, quals = computeBaseNames(c)
	mm.mu.Lock()
	if mm.bases == nil {
		mm.bases = map[*Class]baseNames{}
	}
	mm.bases[c] = baseNames{last, quals}
	mm.mu.Unlock()
	return last, quals
}

func computeBaseNames(c *Class) (last map[string]bool, quals []string) {
	last = map[string]bool{}
	for _, cc := range append([]*Class{c}, c.Bases()...) {
		for _, b := range cc.BaseNames() {
			last[lastName(b)] = true
			quals = append(quals, b)
		}
	}
	return last, quals
}

// viewClassKind classifies a class: "viewset", "drf-view", "django-view"
// or "".
func viewClassKind(c *Class) string {
	last, quals := classBaseNames(c)
	drf, django := false, false
	for _, q := range quals {
		if strings.HasPrefix(q, "rest_framework.") || drfAuthLibraryView(q) {
			drf = true
		}
		if strings.HasPrefix(q, "django.views") {
			django = true
		}
	}
	for n := range last {
		switch {
		case drfViewSets[n]:
			return "viewset"
		case drfViews[n] || credentialViews[n] && n != "LoginView" && n != "LogoutView":
			drf = true
		case djangoViews[n] && n != "View":
			django = true
		}
	}
	switch {
	case drf:
		return "drf-view"
	case django || last["View"] && !last["ModelAdmin"]:
		if last["View"] && !django {
			// A base named View: Django's, unless imported from elsewhere.
			for _, q := range quals {
				if lastName(q) == "View" && strings.Contains(q, ".") && !strings.HasPrefix(q, "django.") {
					return ""
				}
			}
		}
		return "django-view"
	}
	return ""
}

func (m *Model) buildInventory() *Inventory {
	inv := &Inventory{byFunc: map[*Func][]*Endpoint{}, byFile: map[*File][]*Endpoint{}, byView: map[*File][]*Endpoint{}}
	safely(func() { inv.Routes = m.urlconfs() })
	inv.HasURLConf = len(inv.Routes) > 0
	routesOfFunc := map[*Func][]*Route{}
	routesOfClass := map[*Class][]*Route{}
	for _, r := range inv.Routes {
		if r.Orphan {
			continue // wired elsewhere: the view is not taken as routed
		}
		if Unreachable(r) {
			continue // an earlier registration takes every route of it
		}
		switch {
		case r.Func != nil:
			routesOfFunc[r.Func] = append(routesOfFunc[r.Func], r)
		case r.Class != nil:
			routesOfClass[r.Class] = append(routesOfClass[r.Class], r)
		}
	}
	bases := map[*Class]bool{}
	for _, f := range m.ordered {
		for _, c := range f.Classes {
			for _, b := range c.Bases() {
				bases[b] = true
			}
		}
	}
	s := newAuthSettings(m)
	for _, f := range m.ordered {
		if RolesOf(f.Unit).Any(ProductCode | Settings) {
			continue
		}
		asgi := importsAny(f, "fastapi", "starlette")
		ninja := importsAny(f, "ninja")
		for _, fn := range f.Funcs {
			if fn.Class != nil || fn.Qual == "" {
				continue
			}
			if ninja || asgi {
				if ep := m.decoratorRouted(f, fn, ninja); ep != nil {
					inv.add(ep)
					continue
				}
			}
			rs := routesOfFunc[fn]
			if len(rs) == 0 && !looksLikeView(fn) {
				continue
			}
			safely(func() { inv.add(m.functionEndpoint(fn, rs, s)) })
		}
		for _, c := range f.Classes {
			safely(func() {
				kind := viewClassKind(c)
				if kind == "" {
					return
				}
				for _, ep := range m.classEndpoints(c, kind, routesOfClass[c], s) {
					ep.Base = bases[c]
					inv.add(ep)
				}
			})
		}
	}
	for _, r := range inv.Routes {
		if r.Func == nil && r.Class == nil && !r.Orphan {
			inv.add(externalEndpoint(r))
		}
	}
	for _, e := range inv.Endpoints {
		if e.Handler == nil && e.Class == nil {
			continue // a library's view: nothing to read
		}
		safely(func() {
			m.fillEffects(e)
			e.Webhook = m.webhookOf(e)
		})
	}
	return inv
}

// safely runs one step of the build: code rubric cannot read (a broken
// file, a shape nobody foresaw) loses that view, not the inventory.
func safely(f func()) {
	defer func() { _ = recover() }()
	f()
}

// drfAuthLibraryView reports a base imported from an authentication
// library whose views are DRF APIViews (knox's LoginView, dj-rest-auth's
// and simplejwt's views): a project class built on one is a DRF view, with
// its own post() and permission_classes.
func drfAuthLibraryView(q string) bool {
	for _, lib := range []string{"knox.views.", "dj_rest_auth.", "rest_auth.", "rest_framework_simplejwt.views."} {
		if strings.HasPrefix(q, lib) {
			return true
		}
	}
	return false
}

// credentialViews are library views anyone may call by design: they
// exchange credentials for a token.
var credentialViews = map[string]bool{"obtain_auth_token": true, "ObtainAuthToken": true, "TokenObtainPairView": true,
	"TokenRefreshView": true, "TokenVerifyView": true, "TokenObtainSlidingView": true, "LoginView": true, "LogoutView": true}

// IssuesTokenAtLogin reports a routed view that hands callers a login
// token of model (DRF's "Token", knox's "AuthToken") and creates it when
// needed: DRF's obtain_auth_token, a project view built on ObtainAuthToken
// (whose post() get_or_creates the token), or a view whose only writes are
// rows of model (a sign-in that issues one per log-in). A user left
// without a token gets one there.
func (inv *Inventory) IssuesTokenAtLogin(model string) bool {
	for _, e := range inv.Endpoints {
		if !e.Routed {
			continue
		}
		if model == "Token" {
			if e.Kind == "external" && len(e.Auth.Permissions) == 1 &&
				(e.Auth.Permissions[0] == "obtain_auth_token" || e.Auth.Permissions[0] == "ObtainAuthToken") {
				return true
			}
			if e.Class != nil {
				if last, _ := classBaseNames(e.Class); last["ObtainAuthToken"] {
					return true
				}
			}
		}
		only := false
		for _, x := range e.Does.Effects {
			if x.Kind != WriteRows {
				continue
			}
			if x.Model != model {
				only = false
				break
			}
			only = true
		}
		if only {
			return true
		}
	}
	return false
}

// externalEndpoint is a route to a view outside the project (a library's
// token view, a schema view): listed with what the URLconf shows.
func externalEndpoint(r *Route) *Endpoint {
	e := &Endpoint{Kind: "external", View: r.ViewText, File: r.File, Node: r.Node, Routes: []*Route{r}, Route: routeText(r.Pattern, true),
		Routed: true, Methods: []string{"ANY"}}
	name := r.ViewText
	if i := strings.Index(name, "("); i >= 0 {
		name = name[:i]
	}
	name = lastName(strings.TrimSuffix(name, ".as_view"))
	e.Auth = Auth{level: levelUnknown, Source: "library view"}
	if credentialViews[name] {
		e.Auth = Auth{level: levelPublic, Source: "library view: credentials exchange", Permissions: []string{name}}
	}
	for _, w := range r.Wrappers {
		if w == "csrf_exempt" {
			e.Auth.CSRFExempt = true
		}
	}
	e.Auth.finish()
	return e
}

func (inv *Inventory) add(e *Endpoint) {
	if e == nil {
		return
	}
	inv.Endpoints = append(inv.Endpoints, e)
	if e.Handler != nil {
		inv.byFunc[e.Handler] = append(inv.byFunc[e.Handler], e)
	}
	inv.byFile[e.File] = append(inv.byFile[e.File], e)
	vf := e.File
	if e.Class != nil {
		vf = e.Class.File
	}
	inv.byView[vf] = append(inv.byView[vf], e)
}

// ViewsIn returns the endpoints whose view (the function, or the class)
// a file defines, in source order of the views.
func (inv *Inventory) ViewsIn(f *File) []*Endpoint {
	if inv == nil {
		return nil
	}
	return inv.byView[f]
}

// ViewNode returns the node naming the view: the class name for a
// class-based view, the function name otherwise.
func (e *Endpoint) ViewNode() pyast.Node {
	switch {
	case e.Class != nil:
		return e.Class.Node.ChildByField("name")
	case e.Handler != nil:
		return e.Node.ChildByField("name")
	}
	return e.Node
}

// AtRoute is " at `/route/`" for a message, or "" for an unrouted view.
func (e *Endpoint) AtRoute() string {
	if e.Route == "" {
		return ""
	}
	return " at `/" + strings.TrimPrefix(e.Route, "/") + "`"
}

// ViewName is the view's short name (the class or function name; the
// view as the URLconf writes it for a library's view).
func (e *Endpoint) ViewName() string {
	switch {
	case e.Class != nil:
		return e.Class.Name
	case e.Handler != nil:
		return e.Handler.Name
	}
	return e.View
}

// importsAny reports whether a file imports one of the packages.
func importsAny(f *File, pkgs ...string) bool {
	for _, mod := range f.Unit.Imports.Modules {
		for _, p := range pkgs {
			if mod == p || strings.HasPrefix(mod, p+".") {
				return true
			}
		}
	}
	return false
}

// requestParamOf returns the request parameter of a function view or
// handler method: the first parameter after self/cls named request or req
// (or anything, for a routed function: Django passes the request first).
func requestParamOf(fn *Func, routed bool) string {
	ps := fn.Params
	if fn.Class != nil && len(ps) > 0 {
		ps = ps[1:]
	}
	if len(ps) == 0 {
		return ""
	}
	if ps[0] == "request" || ps[0] == "req" || routed {
		return ps[0]
	}
	return ""
}

// viewDecorators mark a function as a Django or DRF view.
var viewDecorators = map[string]bool{"api_view": true, "login_required": true, "require_http_methods": true,
	"require_POST": true, "require_GET": true, "require_safe": true, "csrf_exempt": true, "permission_required": true,
	"staff_member_required": true, "user_passes_test": true, "permission_classes": true, "authentication_classes": true}

// looksLikeView reports whether an unrouted module-level function is a
// view: its first parameter is request, and a view decorator marks it or
// it lives in a views module or returns a response.
func looksLikeView(fn *Func) bool {
	if requestParamOf(fn, false) == "" {
		return false
	}
	for _, d := range pyast.Decorators(fn.Node) {
		if viewDecorators[lastName(pyast.Dotted(decoratorCallee(d)))] {
			return true
		}
	}
	base := fn.File.Unit.Module
	if strings.Contains(lastName(base), "view") || strings.Contains(base, ".views.") || strings.Contains(base, "api") {
		return true
	}
	for r := range pyast.FindEachShallow(pyast.Body(fn.Node), "return_statement") {
		if c, ok := pyast.AsCall(r.NamedChild(0)); ok {
			name := lastName(pyast.Dotted(c.Func))
			if strings.Contains(name, "Response") || name == "render" || name == "redirect" {
				return true
			}
		}
	}
	return false
}

// methodAttrDecorator returns the HTTP method a decorator named for one
// restricts the view to: an attribute of a view factory spelled as the
// method (hatchway's `@api_view.post`, `@api_view.patch`), as routers
// name theirs. Only the attribute of a plain name counts, without a call
// or with one (`@api_view.get(...)`).
func methodAttrDecorator(d pyast.Node) string {
	callee := decoratorCallee(d)
	if callee.Type() != "attribute" || callee.ChildByField("object").Type() != "identifier" {
		return ""
	}
	switch m := callee.ChildByField("attribute").Text(); m {
	case "get", "post", "put", "patch", "delete":
		return strings.ToUpper(m)
	}
	return ""
}

// listedMethods are the methods a project decorator's list may name.
var listedMethods = map[string]bool{"GET": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "HEAD": true, "OPTIONS": true}

// methodListDecorator returns the methods a project decorator restricts a
// view to, as require_http_methods does: one called with nothing but a
// list of HTTP method names (`@allowed_methods(["GET", "POST"])`) whose
// definition reads the request's method (it answers 405 to the others).
// A decorator rubric cannot resolve, or one that never looks at the
// method (a cache or CORS decorator given the methods it applies to), is
// not read as a restriction.
func methodListDecorator(f *File, c pyast.Call) []string {
	if len(c.Positional) != 1 || len(c.Keywords) != 0 {
		return nil
	}
	arg := pyast.Unparen(c.Positional[0])
	if arg.Type() != "list" && arg.Type() != "tuple" {
		return nil
	}
	ms := upper(stringList(arg))
	if len(ms) == 0 || len(ms) != arg.NamedChildCount() {
		return nil
	}
	for _, m := range ms {
		if !listedMethods[m] {
			return nil
		}
	}
	dec := f.FuncRef(c.Func)
	if dec == nil {
		return nil
	}
	for n := range pyast.FindEach(dec.Node, "attribute") {
		if n.ChildByField("attribute").Text() == "method" && n.ChildByField("object").Type() == "identifier" {
			return ms
		}
	}
	return nil
}

// functionEndpoint builds the endpoint of a function view.
func (m *Model) functionEndpoint(fn *Func, rs []*Route, s *authSettings) *Endpoint {
	e := &Endpoint{Kind: "function", View: fn.Qual, Handler: fn, File: fn.File, Node: fn.Node, Routes: rs,
		Routed: len(rs) > 0, RequestParam: requestParamOf(fn, len(rs) > 0), Methods: []string{"ANY"}}
	e.Route = routeText(shortestRoute(rs), len(rs) > 0)
	drf := false
	for _, d := range pyast.Decorators(fn.Node) {
		c, isCall := pyast.AsCall(d)
		switch lastName(pyast.Dotted(decoratorCallee(d))) {
		case "api_view":
			drf = true
			e.Kind = "drf-view"
			e.Methods, e.Restricted = []string{"GET"}, true
			if isCall {
				if ms := stringList(c.Arg(0, "http_method_names")); len(ms) > 0 {
					e.Methods = upper(ms)
				}
			}
		case "require_POST":
			e.Methods, e.Restricted = []string{"POST"}, true
		case "require_GET", "require_safe":
			e.Methods, e.Restricted = []string{"GET"}, true
		case "require_http_methods":
			if isCall {
				if ms := stringList(c.Arg(0, "request_method_list")); len(ms) > 0 {
					e.Methods, e.Restricted = upper(ms), true
				}
			}
		default:
			if m := methodAttrDecorator(d); m != "" {
				e.Methods, e.Restricted = []string{m}, true
			} else if isCall {
				if ms := methodListDecorator(fn.File, c); ms != nil {
					e.Methods, e.Restricted = ms, true
				}
			}
		}
	}
	for _, r := range rs {
		for _, w := range r.Wrappers {
			switch w {
			case "require_POST":
				e.Methods, e.Restricted = []string{"POST"}, true
			case "require_GET", "require_safe":
				e.Methods, e.Restricted = []string{"GET"}, true
			}
		}
	}
	if drf {
		e.Auth = m.drfFunctionAuth(fn, s)
	} else {
		e.Auth = m.djangoAuth(nil, fn, "", s)
	}
	m.wrapperAuth(e, s)
	return e
}

// classEndpoints builds one endpoint per handler of a view class.
func (m *Model) classEndpoints(c *Class, kind string, rs []*Route, s *authSettings) []*Endpoint {
	type handler struct {
		action  string
		methods []string
		fn      *Func
	}
	var hs []handler
	last, _ := classBaseNames(c)
	allowed := httpMethodNames(c)
	addProvided := func(action string, methods ...string) {
		for _, h := range hs {
			if h.action == action {
				return
			}
		}
		hs = append(hs, handler{action: action, methods: methods, fn: c.Method(action)})
	}
	// Explicit as_view({...}) maps restrict a viewset's actions, unless
	// another route (a router's) reaches every action.
	// The maps are merged by action: two routes of one viewset both map
	// GET (`{"get": "list"}` on the collection, `{"get": "retrieve"}` on
	// the item), and each action keeps its own methods.
	var byAction map[string][]string
	for _, r := range rs {
		if r.Actions == nil {
			byAction = nil
			break
		}
		if byAction == nil {
			byAction = map[string][]string{}
		}
		for meth, act := range r.Actions {
			if m := strings.ToUpper(meth); !contains(byAction[act], m) {
				byAction[act] = append(byAction[act], m)
			}
		}
	}
	switch kind {
	case "viewset":
		if byAction != nil {
			var order []string
			for act := range byAction {
				order = append(order, act)
			}
			sort.Strings(order)
			for _, act := range order {
				ms := byAction[act]
				sort.Strings(ms)
				addProvided(act, ms...)
			}
			break
		}
		var provided []string
		for n := range last {
			provided = append(provided, providedActions[n]...)
		}
		for _, a := range []string{"list", "create", "retrieve", "update", "partial_update", "destroy"} {
			if c.Method(a) != nil || contains(provided, a) {
				addProvided(a, actionMethod[a])
			}
		}
		for _, fn := range append([]*Func{}, classMethods(c)...) {
			if ms, ok := extraAction(fn); ok {
				addProvided(fn.Name, ms...)
			}
		}
	case "drf-view":
		for _, meth := range httpHandlers {
			if fn := c.Method(meth); fn != nil && !uncallableHandler(c, fn, rs) {
				hs = append(hs, handler{action: meth, methods: []string{strings.ToUpper(meth)}, fn: fn})
			}
		}
		if len(hs) == 0 && libraryBase(c) != "" {
			hs = append(hs, handler{action: "post", methods: []string{"POST"}}) // the library's own handler
		}
		for n := range last {
			for _, a := range providedActions[n] {
				meth := actionMethod[a]
				if c.Method(strings.ToLower(meth)) != nil {
					continue
				}
				addProvided(a, meth)
			}
		}
	case "django-view":
		for _, meth := range httpHandlers {
			if fn := c.Method(meth); fn != nil && !uncallableHandler(c, fn, rs) {
				hs = append(hs, handler{action: meth, methods: []string{strings.ToUpper(meth)}, fn: fn})
			}
		}
		for n := range last {
			for _, meth := range djangoProvided[n] {
				if c.Method(meth) == nil {
					addProvided(meth, strings.ToUpper(meth))
				}
			}
		}
		if len(hs) == 0 {
			if fn := c.Method("dispatch"); fn != nil {
				hs = append(hs, handler{action: "dispatch", methods: []string{"ANY"}, fn: fn})
			}
		}
	}
	if listShadowed(rs) {
		// Every route of the class is a router registration whose list
		// route an earlier registration takes: list and create are never
		// reached.
		kept := hs[:0]
		for _, h := range hs {
			if h.action != "list" && h.action != "create" {
				kept = append(kept, h)
			}
		}
		hs = kept
	}
	sort.SliceStable(hs, func(i, j int) bool { return handlerOrder(hs[i].action) < handlerOrder(hs[j].action) })
	var out []*Endpoint
	for _, h := range hs {
		ms := h.methods
		if allowed != nil {
			ms = intersect(ms, allowed)
			if len(ms) == 0 {
				continue
			}
		}
		e := &Endpoint{Kind: kind, View: c.Qual, Action: h.action, Methods: ms, Restricted: true, Class: c,
			Handler: h.fn, File: c.File, Node: c.Node, Routes: rs, Routed: len(rs) > 0}
		if h.fn != nil {
			e.File, e.Node = h.fn.File, h.fn.Node
			e.RequestParam = requestParamOf(h.fn, false)
		}
		if e.RequestParam == "" {
			e.RequestParam = "self.request"
		}
		e.Route = routeText(routeFor(rs, c, h.action), len(rs) > 0)
		e.Model = m.viewModel(c)
		if kind == "django-view" {
			e.Auth = m.djangoAuth(c, h.fn, h.action, s)
		} else {
			e.Auth = m.drfClassAuth(c, authHandler(c, h.action, h.fn), h.action, ms, s)
		}
		m.wrapperAuth(e, s)
		out = append(out, e)
	}
	return out
}

// authHandler returns the method whose checks guard an action: its own
// handler, or for a partial_update the class does not override, its
// update: DRF's UpdateModelMixin.partial_update only sets partial and calls
// self.update, so a check (a decorator, a test of the caller) on an
// overridden update guards the PATCH too.
func authHandler(c *Class, action string, fn *Func) *Func {
	if fn == nil && action == "partial_update" {
		if u := c.Method("update"); u != nil {
			return u
		}
	}
	return fn
}

// Unreachable reports whether an earlier registration of its router takes
// every route of a registration: those of its standard actions it has,
// and it has no extra action (@action) that might keep a URL of its own.
func Unreachable(r *Route) bool {
	if r.ShadowedBy == nil || r.Class == nil {
		return false
	}
	list, detail, known := RouterRoutes(r.Class)
	if !known || list && !r.ShadowedList || detail && !r.ShadowedDetail {
		return false
	}
	for _, fn := range classMethods(r.Class) {
		if _, ok := extraAction(fn); ok {
			return false
		}
	}
	return true
}

// listShadowed reports whether a class's routes are all router
// registrations whose list route an earlier registration takes.
func listShadowed(rs []*Route) bool {
	for _, r := range rs {
		if !r.Router || !r.ShadowedList {
			return false
		}
	}
	return len(rs) > 0
}

// RouterRoutes reports which standard routes a DRF router gives a viewset
// class: the list route (list, create) and the detail route (retrieve,
// update, partial_update, destroy); known is false when a base rubric
// cannot read (a library's viewset) may bring others, or c is no viewset.
func RouterRoutes(c *Class) (list, detail, known bool) {
	if c == nil || viewClassKind(c) != "viewset" {
		return false, false, false
	}
	last, _ := classBaseNames(c)
	own := map[string]bool{}
	for _, b := range c.Bases() {
		own[b.Name] = true
	}
	has := map[string]bool{}
	for n := range last {
		switch {
		case providedActions[n] != nil:
			for _, a := range providedActions[n] {
				has[a] = true
			}
		case drfViewSets[n] || own[n] || n == "object":
		default:
			return false, false, false
		}
	}
	for _, a := range []string{"list", "create", "retrieve", "update", "partial_update", "destroy"} {
		if c.Method(a) != nil {
			has[a] = true
		}
	}
	return has["list"] || has["create"], has["retrieve"] || has["update"] || has["partial_update"] || has["destroy"], true
}

// routeFor returns the route that reaches a class's action: a route whose
// as_view map names it, else a router's (with <pk>/ for detail actions),
// else the shortest.
func routeFor(rs []*Route, c *Class, action string) string {
	var mapped, router []*Route
	for _, r := range rs {
		switch {
		case r.Router:
			router = append(router, r)
		case r.Actions != nil:
			for _, a := range r.Actions {
				if a == action {
					mapped = append(mapped, r)
					break
				}
			}
		}
	}
	switch {
	case len(mapped) > 0:
		return shortestRoute(mapped)
	case len(router) > 0:
		route := shortestRoute(router)
		if detailAction(c, action) {
			route += "<pk>/"
		}
		if p := extraActionPath(c, action); p != "" {
			route += p + "/"
		}
		return route
	}
	return shortestRoute(rs)
}

// extraActionPath is the URL segment a router gives an extra action
// (`@action(detail=True) def deposit` is reached at <pk>/deposit/; its
// url_path when set), "" for the standard actions.
func extraActionPath(c *Class, action string) string {
	fn := c.Method(action)
	if fn == nil {
		return ""
	}
	for _, d := range pyast.Decorators(fn.Node) {
		switch lastName(pyast.Dotted(decoratorCallee(d))) {
		case "action", "detail_route", "list_route":
			if dc, ok := pyast.AsCall(d); ok {
				if p, ok := pyast.StringValue(dc.Keyword("url_path")); ok && p != "" {
					return strings.Trim(p, "/")
				}
			}
			return action
		}
	}
	return ""
}

// shortestRoute returns the shortest pattern among the routes (the one a
// reader recognises when a URLconf includes a module many times).
func shortestRoute(rs []*Route) string {
	best := ""
	for i, r := range rs {
		if i == 0 || len(r.Pattern) < len(best) || len(r.Pattern) == len(best) && r.Pattern < best {
			best = r.Pattern
		}
	}
	return best
}

// handlerOrder sorts handlers in the order a reader expects.
func handlerOrder(a string) int {
	for i, x := range []string{"list", "create", "retrieve", "update", "partial_update", "destroy", "get", "post", "put", "patch", "delete", "dispatch"} {
		if x == a {
			return i
		}
	}
	return 100
}

// classMethods returns the methods of c and its project bases (c's own
// first, each name once), in source order.
func classMethods(c *Class) []*Func {
	var out []*Func
	seen := map[string]bool{}
	for _, cc := range append([]*Class{c}, c.Bases()...) {
		for _, fn := range cc.File.Funcs {
			if fn.Class == cc && !seen[fn.Name] {
				seen[fn.Name] = true
				out = append(out, fn)
			}
		}
	}
	return out
}

// extraAction reads @action(methods=[...]), @detail_route and
// @list_route on a viewset method.
func extraAction(fn *Func) ([]string, bool) {
	for _, d := range pyast.Decorators(fn.Node) {
		switch lastName(pyast.Dotted(decoratorCallee(d))) {
		case "action", "detail_route", "list_route":
			ms := []string{"GET"}
			if c, ok := pyast.AsCall(d); ok {
				if l := stringList(c.Keyword("methods")); len(l) > 0 {
					ms = upper(l)
				}
			}
			return ms, true
		}
	}
	return nil, false
}

// detailAction reports whether a viewset action works on one object
// (reached under <pk>/).
func detailAction(c *Class, action string) bool {
	switch action {
	case "retrieve", "update", "partial_update", "destroy":
		return true
	case "list", "create":
		return false
	}
	if fn := c.Method(action); fn != nil {
		for _, d := range pyast.Decorators(fn.Node) {
			name := lastName(pyast.Dotted(decoratorCallee(d)))
			if name == "detail_route" {
				return true
			}
			if dc, ok := pyast.AsCall(d); ok && name == "action" && dc.Keyword("detail").Text() == "True" {
				return true
			}
		}
	}
	return false
}

// httpMethodNames reads a class's http_method_names restriction (upper
// case), nil when not set.
func httpMethodNames(c *Class) []string {
	v, _ := c.Attr("http_method_names")
	if v.IsNil() {
		return nil
	}
	if l := stringList(v); len(l) > 0 {
		return upper(l)
	}
	return nil
}

// viewModel returns the model a view class serves: its queryset's (read
// through get_queryset and bases), its serializer's Meta.model, or its
// `model` attribute.
func (m *Model) viewModel(c *Class) *project.Model {
	if q := c.File.ViewQueryset(c.Node); q != nil && q.Model != nil {
		return q.Model
	}
	if sc := m.serializerClass(c); sc != nil {
		if md := m.SerializerModel(sc); md != nil {
			return md
		}
	}
	if v, decl := c.Attr("model"); !v.IsNil() && m.Graph != nil {
		return m.Graph.Lookup(decl.File.Unit, pyast.Dotted(v))
	}
	return nil
}

// SerializerClass returns the project class a view's serializer_class (or
// form_class) names, nil when unknown.
func (m *Model) SerializerClass(c *Class) *Class { return m.serializerClass(c) }

// serializerClass returns the project class a view's serializer_class
// (or form_class) names.
func (m *Model) serializerClass(c *Class) *Class {
	for _, attr := range []string{"serializer_class", "form_class"} {
		if v, decl := c.Attr(attr); !v.IsNil() {
			return m.classByName(decl.File, v)
		}
	}
	return nil
}

// decoratorRouted builds the endpoint of a Ninja or FastAPI function
// routed by a decorator (`@api.post("/pay")`, `@router.get(...)`).
func (m *Model) decoratorRouted(f *File, fn *Func, ninja bool) *Endpoint {
	for _, d := range pyast.Decorators(fn.Node) {
		c, ok := pyast.AsCall(d)
		if !ok || c.Func.Type() != "attribute" {
			continue
		}
		meth := c.MethodName()
		var methods []string
		switch meth {
		case "get", "post", "put", "patch", "delete":
			methods = []string{strings.ToUpper(meth)}
		case "api_operation", "api_route", "route":
			methods = upper(stringList(c.Arg(1, "methods")))
			if len(methods) == 0 {
				methods = []string{"GET"}
			}
		default:
			continue
		}
		pat, _ := pyast.StringValue(c.Arg(0, "path"))
		kind := "asgi"
		if ninja {
			kind = "ninja"
		}
		e := &Endpoint{Kind: kind, View: fn.Qual, Handler: fn, File: f, Node: fn.Node, Route: routeText(pat, true), Routed: true,
			Methods: methods, Restricted: true}
		for i, p := range fn.Params {
			if p == "request" || p == "req" || ninja && i == 0 {
				e.RequestParam = p
				break
			}
		}
		e.Auth = decoratorAuth(f, c, ninja, fn)
		return e
	}
	return nil
}

// decoratorAuth reads auth= of a Ninja operation or of the NinjaAPI /
// Router it hangs on (Ninja's default is no authentication). A FastAPI
// route with dependencies (the decorator's or its APIRouter's
// `dependencies=`, or a parameter's `Depends`/`Security` that may check
// the caller: dependsChecks) is unknown; one with none at all is public.
func decoratorAuth(f *File, c pyast.Call, ninja bool, fn *Func) Auth {
	a := Auth{Source: "decorator"}
	kw := c.Keyword("auth")
	var owner pyast.Call
	if o := f.globals[pyast.Dotted(c.Receiver())]; len(o) > 0 {
		owner, _ = pyast.AsCall(pyast.Unparen(o[len(o)-1]))
	}
	if kw.IsNil() && !owner.Node.IsNil() {
		kw = owner.Keyword("auth")
	}
	switch {
	case !kw.IsNil() && kw.Type() != "none":
		a.level = levelAuth
		a.Permissions = []string{"auth=" + kw.Text()}
	case ninja:
		a.level = levelPublic
		a.Source = "Ninja default (no auth)"
	default:
		if !c.Keyword("dependencies").IsNil() || !owner.Node.IsNil() && !owner.Keyword("dependencies").IsNil() ||
			fn != nil && dependsChecks(f, fn.Node, 0) {
			a.level = levelUnknown
		} else {
			a.level = levelPublic
			a.Source = "no dependency"
		}
	}
	a.finish()
	return a
}

// dependsChecks reports a FastAPI function with a parameter dependency
// that may check the caller: `Security(...)`, a `Depends(...)` rubric
// cannot follow (a class, an instance such as an OAuth2PasswordBearer,
// a library function), or one on a project function that raises an
// HTTPException with 401 or 403 or has such a dependency itself
// (`tenant = Depends(verify_api_key)`). `db = Depends(get_db)` checks
// no one. Defaults and `Annotated[..., Depends(...)]` are read.
func dependsChecks(f *File, def pyast.Node, depth int) bool {
	if depth > 3 {
		return false
	}
	for p := range def.ChildByField("parameters").Named() {
		var cands []pyast.Node
		if v := p.ChildByField("value"); !v.IsNil() {
			cands = append(cands, v)
		}
		if t := p.ChildByField("type"); !t.IsNil() {
			cands = append(cands, pyast.FindAll(t, "call")...)
		}
		for _, v := range cands {
			c, ok := pyast.AsCall(pyast.Unparen(v))
			if !ok {
				continue
			}
			switch string(pyast.CalleeName(c.Node)) {
			case "Security":
				return true
			case "Depends":
				dep := c.Arg(0, "dependency")
				if dep.IsNil() {
					return true // the annotated class is the dependency
				}
				g := f.FuncRef(dep)
				if g == nil || raisesAuthHTTPError(g.Node) || dependsChecks(g.File, g.Node, depth+1) {
					return true
				}
			}
		}
	}
	return false
}

// raisesAuthHTTPError reports a function raising `HTTPException` (or a
// subclass named so) with status 401 or 403.
func raisesAuthHTTPError(def pyast.Node) bool {
	for r := range pyast.FindEach(pyast.Body(def), "raise_statement") {
		c, ok := pyast.AsCall(r.NamedChild(0))
		if !ok || !strings.HasSuffix(string(pyast.CalleeName(c.Node)), "HTTPException") {
			continue
		}
		st := c.Arg(0, "status_code")
		t := st.Text()
		if t == "401" || t == "403" || strings.HasSuffix(t, "HTTP_401_UNAUTHORIZED") || strings.HasSuffix(t, "HTTP_403_FORBIDDEN") {
			return true
		}
	}
	return false
}

// stringList reads a list or tuple of string literals.
func stringList(n pyast.Node) []string {
	n = pyast.Unparen(n)
	if n.Type() != "list" && n.Type() != "tuple" {
		if s, ok := pyast.StringValue(n); ok {
			return []string{s}
		}
		return nil
	}
	var out []string
	for e := range n.Named() {
		if s, ok := pyast.StringValue(e); ok {
			out = append(out, s)
		}
	}
	return out
}

func upper(xs []string) []string {
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		out = append(out, strings.ToUpper(x))
	}
	return out
}

func intersect(a, b []string) []string {
	var out []string
	for _, x := range a {
		if x == "ANY" || contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// NoCallerIdentified reports a service in which nothing tells one caller
// from another: a URLconf routes its views, every project view rules judge
// is open to anonymous callers with no check of its own (no request.user,
// no custom permission, no staff check, nothing rubric cannot read), and no
// route leads to a library view that logs users in or issues tokens. In
// such a service an owner, user or created_by column can only be named by
// the request: there is no caller to take it from.
func (inv *Inventory) NoCallerIdentified() bool {
	if inv == nil || !inv.HasURLConf {
		return false
	}
	views := 0
	for _, e := range inv.Endpoints {
		if e.Kind == "external" {
			if len(e.Auth.Permissions) > 0 || credentialRoute(e.View) || credentialRoute(e.Route) {
				return false
			}
			continue
		}
		if !e.Judged(inv) {
			continue
		}
		a := e.Auth
		if !a.Public || a.UsesUser || a.BodyCheck || a.CustomCheck || a.Staff || a.Unknown {
			return false
		}
		views++
	}
	return views > 0
}

// credentialRoute reports a library route or view named for logging in or
// issuing credentials (`include("django.contrib.auth.urls")`,
// `path("auth/", include("djoser.urls"))`).
func credentialRoute(s string) bool {
	l := strings.ToLower(s)
	for _, w := range []string{"auth", "login", "logout", "token", "jwt", "signup", "register", "password", "account", "allauth", "oauth", "session"} {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}
