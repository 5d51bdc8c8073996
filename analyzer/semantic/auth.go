package semantic

import (
	"slices"
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// level is how far a permission lets callers in, from the most open.
type level uint8

const (
	levelPublic     level = iota + 1 // anyone, anonymous callers included
	levelReadPublic                  // anonymous callers for safe methods only
	levelAuth                        // authenticated callers
	levelStaff                       // staff or superusers
	levelUnknown                     // rubric cannot tell (custom checks)
)

// Auth is what stands between a caller and an endpoint.
type Auth struct {
	// Summary says it in a few words ("AllowAny (class)", "login_required",
	// "none: DRF default AllowAny").
	Summary string
	// Permissions are the permission classes or checks in force, as
	// written; Authentication the authentication classes (DRF).
	Permissions    []string
	Authentication []string
	// Source is where the decision comes from: "settings", "class",
	// "decorator", "get_permissions", "mixin", "body", "DRF default",
	// "none".
	Source string
	// Public: anonymous callers reach the handler for every method it
	// accepts; ReadPublic: for the safe methods only.
	Public, ReadPublic bool
	// Staff: only staff or superusers pass.
	Staff bool
	// Unknown: a custom check rubric does not read decides.
	Unknown bool
	// ObjectPermission: a permission class in force defines
	// has_object_permission (it runs on get_object()).
	ObjectPermission bool
	// Session: the endpoint authenticates callers with Django's session
	// cookie (login_required, the auth mixins, DRF SessionAuthentication),
	// so CSRF protection matters.
	Session bool
	// CSRFExempt: csrf_exempt applies (decorator, method_decorator or a
	// URLconf wrapper).
	CSRFExempt bool
	// CustomCheck: a permission class of the project's own, or a decorator
	// rubric does not know, is in force: it may check membership or
	// ownership.
	CustomCheck bool
	// UsesUser: the handler reads request.user (it may rely on it without
	// a declared check); BodyCheck: it checks the caller itself
	// (is_authenticated, has_perm, is_staff...).
	UsesUser, BodyCheck bool
	// HeaderToken: the handler authenticates its caller by hand from a
	// credential header (Authorization, a token or API key header) and
	// rejects the request without it (headerTokenGuard); no cookie
	// carries that header.
	HeaderToken bool

	level     level
	decorated bool // a view decorator is present (the function is surely a view)
	// routingShape: a view decorator other than csrf_exempt (api_view,
	// require_POST, login_required...), which shapes how the view is
	// served wherever it is routed.
	routingShape bool
}

// OpenTo says to whom the endpoint is open: "anyone", "anyone (read)",
// "authenticated", "staff" or "unknown".
func (a Auth) OpenTo() string {
	switch {
	case a.Unknown:
		return "unknown"
	case a.Public:
		return "anyone"
	case a.ReadPublic:
		return "anyone (read)"
	case a.Staff:
		return "staff"
	}
	return "authenticated"
}

// PublicFor reports whether anonymous callers reach the handler with the
// given method.
func (a Auth) PublicFor(method string) bool {
	if a.Public {
		return true
	}
	return a.ReadPublic && (method == "GET" || method == "HEAD" || method == "OPTIONS")
}

func (a *Auth) finish() {
	for i, p := range a.Permissions {
		if rest, ok := strings.CutPrefix(p, "custom:"); ok {
			a.Permissions[i] = rest
			a.CustomCheck = true
		}
	}
	a.Public = a.level == levelPublic
	a.ReadPublic = a.level == levelReadPublic
	a.Staff = a.level == levelStaff
	a.Unknown = a.level == levelUnknown || a.level == 0
	if a.Summary == "" {
		names := strings.Join(a.Permissions, ", ")
		if names == "" {
			names = "no check"
		}
		a.Summary = names
		// "none" is a plain view's source before any decorator, mixin or
		// middleware: "no check" says it already.
		if a.Source != "" && a.Source != "none" {
			a.Summary += " (" + a.Source + ")"
		}
	}
}

// authSettings are the project-wide defaults.
type authSettings struct {
	drfPerms     []string
	drfPermsKnow bool // the default permission is known (settings read, or DRF's own)
	drfAuth      []string
	drfAuthKnown bool
	loginMW      bool // LoginRequiredMiddleware (Django 5.1)
	customMW     bool // a project middleware that may authenticate
	rejectMW     bool // a project middleware that answers 401/403 itself
	signedMW     bool // a middleware that checks every request's signature
}

func newAuthSettings(m *Model) *authSettings {
	s := &authSettings{}
	st := m.Index.Settings
	perms, found, known := st.RESTDefault("DEFAULT_PERMISSION_CLASSES")
	set, dictKnown := st.RESTFramework()
	switch {
	case found:
		s.drfPerms, s.drfPermsKnow = perms, known
	case set && dictKnown || !set && st.HasSettingsModule():
		s.drfPerms, s.drfPermsKnow = []string{"AllowAny"}, true // DRF's default
	}
	auths, found, known := st.RESTDefault("DEFAULT_AUTHENTICATION_CLASSES")
	switch {
	case found:
		s.drfAuth, s.drfAuthKnown = lastNames(auths), known
	case set && dictKnown || !set && st.HasSettingsModule():
		s.drfAuth, s.drfAuthKnown = []string{"SessionAuthentication", "BasicAuthentication"}, true
	}
	mws, known := st.Middleware()
	if !known {
		s.customMW = true // MIDDLEWARE built from parts rubric does not see
	}
	for _, mw := range mws {
		name := lastName(mw)
		switch {
		case name == "LoginRequiredMiddleware" && strings.HasPrefix(mw, "django."):
			s.loginMW = true
		case strings.HasPrefix(mw, "django.") || strings.HasPrefix(mw, "corsheaders.") || strings.HasPrefix(mw, "whitenoise."):
		default:
			w := strings.ToLower(name)
			// A middleware named for checking a request's signature
			// (sigauth's SignatureCheckMiddleware, an HMAC check) lets
			// through only callers holding the shared secret, whatever a
			// view declares; a webhook's signature check guards its own
			// routes only.
			if (strings.Contains(w, "signature") || strings.Contains(w, "hmac")) && !strings.Contains(w, "webhook") {
				s.signedMW = true
			}
			// "protect": a middleware named for guarding every view
			// (staff-sso's ProtectAllViewsMiddleware, which sends
			// anonymous callers to the sign-in page).
			for _, k := range []string{"login", "auth", "jwt", "token", "permission", "access", "protect"} {
				if strings.Contains(w, k) {
					s.customMW = true
					if c := m.LookupClass(mw); c != nil && rejectsRequests(c) {
						s.rejectMW = true
					}
				}
			}
		}
	}
	return s
}

func lastNames(xs []string) []string {
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		out = append(out, lastName(x))
	}
	return out
}

// builtinPerms are DRF's permission classes (and common packages').
var builtinPerms = map[string]level{"AllowAny": levelPublic, "IsAuthenticated": levelAuth, "IsAdminUser": levelStaff,
	"IsAuthenticatedOrReadOnly": levelReadPublic, "DjangoModelPermissions": levelAuth,
	"DjangoModelPermissionsOrAnonReadOnly": levelReadPublic, "DjangoObjectPermissions": levelAuth,
	"TokenHasScope": levelAuth, "TokenHasReadWriteScope": levelAuth, "TokenHasResourceScope": levelAuth,
	"IsSuperUser": levelStaff, "IsSuperuser": levelStaff, "IsStaff": levelStaff, "IsStaffUser": levelStaff,
	"HasAPIKey": levelAuth}

// permExpr evaluates a permission_classes value: a list or tuple (all
// must pass), `A | B`, `A & B`, names of classes, calls of them.
func (m *Model) permExpr(f *File, n pyast.Node, depth int) (level, []string, bool) {
	n = pyast.Unparen(n)
	if depth > 6 || n.IsNil() {
		return levelUnknown, nil, false
	}
	switch n.Type() {
	case "list", "tuple":
		lv, obj := levelPublic, false
		var names []string
		unknown := false
		for e := range n.Named() {
			if e.Type() == "comment" {
				continue
			}
			l, ns, o := m.permExpr(f, e, depth+1)
			names = append(names, ns...)
			obj = obj || o
			if l == levelUnknown {
				unknown = true
				continue
			}
			lv = max(lv, l)
		}
		if unknown && lv < levelAuth {
			lv = levelUnknown
		}
		return lv, names, obj
	case "binary_operator":
		op := n.ChildByField("operator").Text()
		l1, n1, o1 := m.permExpr(f, n.ChildByField("left"), depth+1)
		l2, n2, o2 := m.permExpr(f, n.ChildByField("right"), depth+1)
		names := append(n1, n2...)
		switch op {
		case "&":
			if l1 == levelUnknown || l2 == levelUnknown {
				if max(minKnown(l1), minKnown(l2)) >= levelAuth {
					return max(minKnown(l1), minKnown(l2)), names, o1 || o2
				}
				return levelUnknown, names, o1 || o2
			}
			return max(l1, l2), names, o1 || o2
		case "|":
			if l1 == levelUnknown || l2 == levelUnknown {
				if min(l1, l2) == levelPublic {
					return levelPublic, names, false
				}
				return levelUnknown, names, o1 || o2
			}
			return min(l1, l2), names, o1 && o2
		}
		return levelUnknown, names, false
	case "call":
		c, _ := pyast.AsCall(n)
		return m.permExpr(f, c.Func, depth+1)
	case "identifier", "attribute":
		return m.permClass(f, pyast.Dotted(n), depth)
	}
	return levelUnknown, []string{n.Text()}, false
}

func minKnown(l level) level {
	if l == levelUnknown {
		return 0
	}
	return l
}

// permClass evaluates one permission class by name: DRF's own, or a
// project class read from its has_permission (absent: DRF's
// BasePermission lets everyone in, and only has_object_permission may
// refuse, on get_object()).
func (m *Model) permClass(f *File, dotted string, depth int) (level, []string, bool) {
	name := lastName(dotted)
	if l, ok := builtinPerms[name]; ok {
		return l, []string{name}, name == "DjangoObjectPermissions"
	}
	c := m.classNamed(f, dotted)
	if c == nil || depth > 6 {
		return levelUnknown, []string{name}, false
	}
	obj := c.Method("has_object_permission") != nil
	hp := c.Method("has_permission")
	name = "custom:" + name
	if hp == nil {
		for _, b := range c.BaseNames() {
			if l, ok := builtinPerms[lastName(b)]; ok {
				return l, []string{name}, obj
			}
		}
		for _, b := range c.BaseNames() {
			if lastName(b) == "BasePermission" {
				return levelPublic, []string{name}, obj
			}
		}
		return levelUnknown, []string{name}, obj
	}
	return bodyLevel(hp), []string{name}, obj
}

// bodyLevel reads a has_permission body: `return True` alone is public; a
// check of is_staff/is_superuser is staff; one of the user or of
// authentication is authenticated; anything else unknown. A body that
// raises refuses someone (`if hasattr(request, "environment"): return
// True` then `raise PermissionDenied(...)`), so its returns of True alone
// do not make it public.
func bodyLevel(fn *Func) level {
	body := pyast.Body(fn.Node)
	txt := body.Text()
	rets := pyast.FindAllShallow(body, "return_statement")
	allTrue := len(rets) > 0 && len(pyast.FindAllShallow(body, "raise_statement")) == 0
	for _, r := range rets {
		if r.NamedChild(0).Type() != "true" {
			allTrue = false
		}
	}
	switch {
	case allTrue:
		return levelPublic
	case strings.Contains(txt, "is_staff") || strings.Contains(txt, "is_superuser"):
		return levelStaff
	case strings.Contains(txt, "is_authenticated") || strings.Contains(txt, "request.user") || strings.Contains(txt, "request.auth"):
		return levelAuth
	}
	return levelUnknown
}

// drfClassAuth computes the permission of one action of a DRF class:
// get_permissions (read per action where it branches on self.action or
// the method), permission_classes through the project bases, or the
// settings default.
func (m *Model) drfClassAuth(c *Class, handler *Func, action string, methods []string, s *authSettings) Auth {
	a := Auth{}
	if gp := c.Method("get_permissions"); gp != nil {
		a.Source = "get_permissions"
		a.level, a.Permissions, a.ObjectPermission = m.getPermissions(c, gp, action, methods, s)
	} else if v, decl := m.classPerms(c); !v.IsNil() && isLiteralPerms(v) {
		a.Source = "class"
		a.level, a.Permissions, a.ObjectPermission = m.permExpr(decl.File, v, 0)
		if len(a.Permissions) == 0 {
			a.Permissions = []string{"permission_classes = " + v.Text()}
		}
	} else if lib := libraryBase(c); lib != "" {
		// A library view sets its own permissions where rubric cannot read
		// them; its credential views are open by design.
		a.Source, a.level = "library base "+lib, levelUnknown
		if credentialViews[lib] {
			a.level = levelPublic
		}
	} else {
		m.defaultPerms(&a, s)
	}
	if handler != nil {
		if ms, ok := extraActionPerms(handler); ok {
			a.Source = "@action"
			a.level, a.Permissions, a.ObjectPermission = m.permExpr(handler.File, ms, 0)
		}
	}
	if (a.level == levelPublic || a.level == levelReadPublic) && ownsCheckPermissions(c) {
		// The class or a project base overrides check_permissions (DRF's
		// hook that runs the permission classes): the check is there, in
		// code rubric does not judge (object permissions per action), and
		// an empty permission_classes only adds nothing to it.
		a.level, a.Source, a.CustomCheck = levelUnknown, "check_permissions", true
	}
	authNode, authFile := pyast.Node{}, (*File)(nil)
	if v, decl := c.Attr("authentication_classes"); !v.IsNil() {
		a.Authentication = nodeNames(v)
		if len(a.Authentication) == 0 && isEmptySeq(v) && a.level != levelPublic && a.level != levelUnknown {
			a.Summary = "authentication_classes = [] (no caller can authenticate)"
		}
		authNode = v
		if decl != nil {
			authFile = decl.File
		}
	} else {
		a.Authentication = s.drfAuth
	}
	if handler != nil {
		if v, ok := extraActionKeyword(handler, "authentication_classes"); ok {
			a.Authentication, authNode, authFile = nodeNames(v), v, handler.File
		}
	}
	m.requiredAuthentication(&a, authFile, authNode)
	a.Session = contains(a.Authentication, "SessionAuthentication")
	m.bodyChecks(&a, handler)
	m.classDecorators(&a, c, handler, action)
	s.signedRequests(&a)
	a.finish()
	return a
}

// signedRequests makes a view that lets anyone in unknown when a
// middleware checks every request's signature before it: only callers
// holding the shared secret reach it, unless the middleware exempts it,
// which rubric does not read.
func (s *authSettings) signedRequests(a *Auth) {
	if s.signedMW && (a.level == levelPublic || a.level == levelReadPublic) {
		a.level, a.Source = levelUnknown, "signature middleware"
	}
}

// ownsCheckPermissions reports whether c or one of its project bases
// overrides check_permissions with more than a call of super()'s.
func ownsCheckPermissions(c *Class) bool {
	fn := c.Method("check_permissions")
	if fn == nil {
		return false
	}
	var stmts []pyast.Node
	for _, st := range pyast.Statements(pyast.Body(fn.Node)) {
		if st.Type() == "expression_statement" && st.NamedChild(0).Type() == "string" {
			continue // docstring
		}
		stmts = append(stmts, st)
	}
	return !(len(stmts) == 1 && strings.Contains(stmts[0].Text(), "super()"))
}

// libraryBase returns the last name of a base of c (through project
// bases) that is a view or a mixin of a library other than DRF and Django, or one of
// DRF's credential views; "" when every base is the project's, DRF's or
// Django's own. django-rest-framework-json-api's views and mixins
// (`rest_framework_json_api.views.ModelViewSet`, AutoPrefetchMixin...)
// count as DRF's: they are DRF's viewsets with JSON:API parsing and
// rendering, and set no permission or authentication classes.
func libraryBase(c *Class) string {
	_, quals := classBaseNames(c)
	for _, q := range quals {
		last := lastName(q)
		if credentialViews[last] {
			return last
		}
		if !strings.Contains(q, ".") || strings.HasPrefix(q, "rest_framework.") || strings.HasPrefix(q, "django.") || strings.HasPrefix(q, "rest_framework_json_api.") {
			continue
		}
		if c.File.M.LookupClass(q) != nil {
			continue // the project's own
		}
		// A library's view, or a library's mixin (openwisp-users'
		// ProtectedAPIMixin sets authentication and permission classes).
		if strings.HasSuffix(last, "View") || strings.HasSuffix(last, "ViewSet") || strings.HasSuffix(last, "Mixin") {
			return last
		}
	}
	return ""
}

// isLiteralPerms reports a permission_classes value rubric can read (not
// `api_settings.DEFAULT_PERMISSION_CLASSES` or a computed value).
// classPerms returns the permission_classes a DRF class declares (own or
// through its project bases), following a copy of another project
// class's (`permission_classes = BookingViewSet.permission_classes`, or
// through a name of the class body, `base = BookingViewSet` then
// `permission_classes = base.permission_classes`: a template view sharing
// its API viewset's permissions) to the list it names. A copy rubric cannot follow is returned as it is (not a literal:
// the settings default applies, as before).
func (m *Model) classPerms(c *Class) (pyast.Node, *Class) {
	v, decl := c.Attr("permission_classes")
	for range 4 {
		u := pyast.Unparen(v)
		if decl == nil || u.Type() != "attribute" || lastName(pyast.Dotted(u)) != "permission_classes" {
			break
		}
		owner := strings.TrimSuffix(pyast.Dotted(u), ".permission_classes")
		if ov, ok := decl.Attrs[owner]; ok && pyast.Dotted(pyast.Unparen(ov)) != "" {
			// A name of the class body (`base_viewset = BookingViewSet`).
			owner = pyast.Dotted(pyast.Unparen(ov))
		}
		oc := m.classNamed(decl.File, owner)
		if oc == nil || oc == c {
			break
		}
		ov, od := oc.Attr("permission_classes")
		if ov.IsNil() {
			break
		}
		v, decl = ov, od
	}
	return v, decl
}

func isLiteralPerms(v pyast.Node) bool {
	v = pyast.Unparen(v)
	switch v.Type() {
	case "list", "tuple", "binary_operator", "identifier":
		return true
	}
	return false
}

func isEmptySeq(v pyast.Node) bool {
	v = pyast.Unparen(v)
	return (v.Type() == "list" || v.Type() == "tuple") && v.NamedChildCount() == 0
}

// nodeNames returns the last names of the identifiers and attributes in
// a list expression.
func nodeNames(v pyast.Node) []string {
	var out []string
	for e := range pyast.Unparen(v).Named() {
		if d := pyast.Dotted(e); d != "" {
			out = append(out, lastName(d))
		}
	}
	return out
}

// extraActionKeyword reads a keyword of the handler's @action(...).
func extraActionKeyword(fn *Func, kw string) (pyast.Node, bool) {
	for _, d := range pyast.Decorators(fn.Node) {
		if c, ok := pyast.AsCall(d); ok && lastName(pyast.Dotted(c.Func)) == "action" {
			if v := c.Keyword(kw); !v.IsNil() {
				return v, true
			}
		}
	}
	return pyast.Node{}, false
}

// requiredAuthentication raises an open or read-public view whose first
// authentication class is a project class whose authenticate() raises
// and never answers None explicitly (the DRF way of saying "not my
// credential, try the next class"): a request without that credential
// is refused before the view runs, whatever the permission classes say
// (docs' ServerToServerAuthentication raises AuthenticationFailed on a
// missing or unknown bearer token).
func (m *Model) requiredAuthentication(a *Auth, f *File, v pyast.Node) {
	if v.IsNil() || a.level != levelPublic && a.level != levelReadPublic {
		return
	}
	var first pyast.Node
	for e := range pyast.Unparen(v).Named() {
		first = e
		break
	}
	d := pyast.Dotted(first)
	if d == "" {
		return
	}
	c := m.classNamed(f, d)
	if c == nil {
		return
	}
	fn := c.Method("authenticate")
	if fn == nil {
		return
	}
	body := pyast.Body(fn.Node)
	if len(ownNodes(body, "raise_statement")) == 0 {
		return
	}
	for _, r := range ownNodes(body, "return_statement") {
		if v := r.NamedChild(0); v.IsNil() || v.Type() == "none" {
			return
		}
	}
	a.level, a.Source = levelAuth, "authentication"
	a.Permissions = append(a.Permissions, lastName(d)+" (refuses a request without its credential)")
}

// extraActionPerms reads @action(permission_classes=[...]).
func extraActionPerms(fn *Func) (pyast.Node, bool) {
	for _, d := range pyast.Decorators(fn.Node) {
		if c, ok := pyast.AsCall(d); ok && lastName(pyast.Dotted(c.Func)) == "action" {
			if v := c.Keyword("permission_classes"); !v.IsNil() {
				return v, true
			}
		}
	}
	return pyast.Node{}, false
}

// defaultPerms applies the DRF settings default.
func (m *Model) defaultPerms(a *Auth, s *authSettings) {
	if !s.drfPermsKnow {
		a.level, a.Source = levelUnknown, "settings"
		return
	}
	a.Source = "settings"
	if len(s.drfPerms) == 1 && s.drfPerms[0] == "AllowAny" {
		a.Source = "DRF default: no DEFAULT_PERMISSION_CLASSES"
	}
	lv, obj := levelPublic, false
	for _, p := range s.drfPerms {
		l, _, o := m.permClass(nil, p, 0)
		if l == levelUnknown {
			if lv < levelAuth {
				lv = levelUnknown
			}
			continue
		}
		obj = obj || o
		lv = max(lv, l)
	}
	a.level, a.Permissions, a.ObjectPermission = lv, lastNames(s.drfPerms), obj
	if s.rejectMW && a.level == levelPublic {
		// DRF lets anyone in, but a project middleware turns callers away
		// before the view (its whitelist, if any, is not read): unknown.
		a.level, a.Source = levelUnknown, "middleware"
	}
}

// rejectsRequests reports a middleware class (or its project bases) whose
// __call__, process_request or process_view answers 401 or 403 itself
// (`return HttpResponse("Please log in", status=401)`,
// HttpResponseForbidden, raise PermissionDenied): it turns callers away
// before any view, not only sets request.user.
func rejectsRequests(c *Class) bool {
	for _, k := range append([]*Class{c}, c.Bases()...) {
		for _, name := range []string{"__call__", "process_request", "process_view"} {
			fn := k.Methods[name]
			if fn == nil {
				continue
			}
			for n := range pyast.FindEach(pyast.Body(fn.Node), "return_statement", "raise_statement") {
				v := n.NamedChild(0)
				call, ok := pyast.AsCall(pyast.Unparen(v))
				if !ok {
					continue
				}
				switch last := lastName(pyast.Dotted(call.Func)); {
				case last == "HttpResponseForbidden" || last == "PermissionDenied" || last == "NotAuthenticated" || last == "redirect_to_login":
					return true
				case last == "HttpResponse" || last == "JsonResponse":
					if st, ok := call.Keywords["status"]; ok && (st.Text() == "401" || st.Text() == "403") {
						return true
					}
				}
			}
		}
	}
	return false
}

// getPermissions reads a get_permissions override for one action: the
// returns (and `self.permission_classes = ...` assignments) whose guards
// can hold for the action or method; the most open of them decides.
func (m *Model) getPermissions(c *Class, gp *Func, action string, methods []string, s *authSettings) (level, []string, bool) {
	var found []level
	var names []string
	var assigned []bool // found[i] came from an assignment
	obj := false
	body := pyast.Body(gp.Node)
	for n := range pyast.FindEachShallow(body, "return_statement", "assignment") {
		var v pyast.Node
		switch n.Type() {
		case "return_statement":
			v = n.NamedChild(0)
		case "assignment":
			if n.ChildByField("left").Text() != "self.permission_classes" && n.ChildByField("left").Text() != "permission_classes" {
				continue
			}
			v = n.ChildByField("right")
		}
		if !guardsHold(n, body, action, methods) {
			continue
		}
		l, ns, o := m.permValue(c, gp.File, v, s)
		if l == 0 {
			continue
		}
		if n.Type() == "assignment" && guardsName(n, body, action, methods) {
			// `perms = []` then `if self.action == "create": perms =
			// [IsAuthenticated]`: for this action the later assignment
			// replaces the earlier ones.
			for i := len(found) - 1; i >= 0; i-- {
				if assigned[i] {
					found = append(found[:i], found[i+1:]...)
					assigned = append(assigned[:i], assigned[i+1:]...)
				}
			}
		}
		found = append(found, l)
		assigned = append(assigned, n.Type() == "assignment")
		names = append(names, ns...)
		obj = obj || o
	}
	if len(found) == 0 {
		return levelUnknown, names, obj
	}
	lv := found[0]
	for _, l := range found[1:] {
		if l == levelUnknown || lv == levelUnknown {
			if min(l, lv) == levelPublic {
				lv = levelPublic
				continue
			}
			lv = levelUnknown
			continue
		}
		lv = min(lv, l)
	}
	return lv, names, obj
}

// permValue evaluates what get_permissions returns: instances of classes,
// the class attribute (`[p() for p in self.permission_classes]`,
// super().get_permissions()), or a name assigned before. 0 means the
// statement says nothing of permissions.
func (m *Model) permValue(c *Class, f *File, v pyast.Node, s *authSettings) (level, []string, bool) {
	v = pyast.Unparen(v)
	txt := v.Text()
	switch {
	case v.IsNil():
		return 0, nil, false
	case v.Type() == "list" || v.Type() == "tuple" || v.Type() == "binary_operator":
		if v.Type() == "list" && strings.Contains(txt, " for ") {
			break
		}
		return m.permExpr(f, v, 0)
	case v.Type() == "identifier":
		if b := f.Binding(v, v.Text(), v.StartByte()); !b.IsNil() {
			return m.permValue(c, f, b, s)
		}
		return 0, nil, false
	}
	if it := comprehensionSource(v); it.Type() == "identifier" {
		// `[p() for p in permission_classes]` over a local list: that
		// list decides, not the class attribute of the same name.
		if b := f.Binding(it, it.Text(), it.StartByte()); !b.IsNil() {
			return m.permValue(c, f, b, s)
		}
	}
	if strings.Contains(txt, "permission_classes") || strings.Contains(txt, "get_permissions") {
		a := Auth{}
		if pv, decl := c.Attr("permission_classes"); !pv.IsNil() && isLiteralPerms(pv) {
			a.level, a.Permissions, a.ObjectPermission = m.permExpr(decl.File, pv, 0)
		} else {
			m.defaultPerms(&a, s)
		}
		return a.level, a.Permissions, a.ObjectPermission
	}
	if v.Type() == "list_comprehension" {
		return levelUnknown, nil, false
	}
	return levelUnknown, nil, false
}

// comprehensionSource is the iterable of a one-clause list
// comprehension (`[p() for p in perms]` gives `perms`), or nil.
func comprehensionSource(v pyast.Node) pyast.Node {
	if v.Type() != "list_comprehension" {
		return pyast.Node{}
	}
	var src pyast.Node
	n := 0
	for ch := range v.Named() {
		if ch.Type() == "for_in_clause" {
			src = ch.ChildByField("right")
			n++
		}
	}
	if n != 1 {
		return pyast.Node{}
	}
	return pyast.Unparen(src)
}

// guardsName reports whether n sits under at least one if-condition (up
// to body) and every one of them is a plain `if` whose condition names the
// action or one of the methods (`if self.action == "create":`): for that
// action n certainly runs.
func guardsName(n, body pyast.Node, action string, methods []string) bool {
	names := map[string]bool{action: true}
	for _, m := range methods {
		names[m] = true
		names[strings.ToLower(m)] = true
	}
	guarded := false
	for cur := n; !cur.IsNil() && !cur.Equal(body); cur = cur.Parent() {
		p := cur.Parent()
		switch p.Type() {
		case "if_statement":
			if cur.Field() != "consequence" {
				return false
			}
			cond := p.ChildByField("condition")
			if t := cond.Text(); strings.Contains(t, "!=") || strings.Contains(t, " or ") || strings.Contains(t, " and ") || strings.Contains(t, "not ") {
				return false
			}
			hit := false
			for _, st := range pyast.FindAll(cond, "string") {
				if v, ok := pyast.StringValue(st); ok && names[v] {
					hit = true
				}
			}
			if !hit {
				return false
			}
			guarded = true
		case "elif_clause", "else_clause", "for_statement", "while_statement", "try_statement", "with_statement":
			return false
		}
	}
	return guarded
}

// guardsHold reports whether the if-conditions enclosing n (up to body)
// may hold for the action or method: a condition naming strings holds
// when it names the action or one of the methods; an else branch holds
// unless its if's condition names them. Other conditions may hold.
func guardsHold(n, body pyast.Node, action string, methods []string) bool {
	names := map[string]bool{action: true}
	for _, m := range methods {
		names[m] = true
		names[strings.ToLower(m)] = true
	}
	matches := func(cond pyast.Node) (decided, holds bool) {
		strs := pyast.FindAll(cond, "string")
		if len(strs) == 0 {
			return false, true
		}
		neg := strings.Contains(cond.Text(), "not in") || strings.Contains(cond.Text(), "!=")
		for _, s := range strs {
			if v, ok := pyast.StringValue(s); ok && names[v] {
				return true, !neg
			}
		}
		return true, neg
	}
	for cur := n; !cur.IsNil() && !cur.Equal(body); cur = cur.Parent() {
		p := cur.Parent()
		// An earlier `if <cond naming the action>: return ...` in the same
		// block already returned for this action.
		for sib := p.FirstChild(); !sib.IsNil() && !sib.Equal(cur); sib = sib.NextSibling() {
			if sib.Type() != "if_statement" || len(sib.ChildrenByField("alternative")) > 0 {
				continue
			}
			st := pyast.Statements(sib.ChildByField("consequence"))
			if len(st) == 0 || st[len(st)-1].Type() != "return_statement" {
				continue
			}
			if d, h := matches(sib.ChildByField("condition")); d && h {
				return false
			}
		}
		switch p.Type() {
		case "if_statement":
			if cur.Field() == "consequence" {
				if _, h := matches(p.ChildByField("condition")); !h {
					return false
				}
			}
		case "elif_clause":
			if cur.Field() == "consequence" {
				if _, h := matches(p.ChildByField("condition")); !h {
					return false
				}
			}
		case "else_clause":
			ifs := p.Parent()
			if d, h := matches(ifs.ChildByField("condition")); d && h {
				return false
			}
			for el := range ifs.Named() {
				if el.Type() == "elif_clause" {
					if d, h := matches(el.ChildByField("condition")); d && h {
						return false
					}
				}
			}
		}
	}
	return true
}

// drfFunctionAuth computes the permission of an @api_view function.
func (m *Model) drfFunctionAuth(fn *Func, s *authSettings) Auth {
	a := Auth{decorated: true}
	perms, auths := false, false
	var authNode pyast.Node
	for _, d := range pyast.Decorators(fn.Node) {
		c, ok := pyast.AsCall(d)
		if !ok {
			continue
		}
		switch lastName(pyast.Dotted(c.Func)) {
		case "permission_classes":
			if len(c.Positional) > 0 {
				perms = true
				a.Source = "decorator"
				a.level, a.Permissions, a.ObjectPermission = m.permExpr(fn.File, c.Positional[0], 0)
				if len(a.Permissions) == 0 {
					a.Permissions = []string{"permission_classes(" + c.Positional[0].Text() + ")"}
				}
			}
		case "authentication_classes":
			if len(c.Positional) > 0 {
				auths = true
				a.Authentication = nodeNames(c.Positional[0])
				authNode = c.Positional[0]
			}
		}
	}
	if !perms {
		m.defaultPerms(&a, s)
	}
	if !auths {
		a.Authentication = s.drfAuth
	}
	m.requiredAuthentication(&a, fn.File, authNode)
	a.Session = contains(a.Authentication, "SessionAuthentication")
	m.bodyChecks(&a, fn)
	m.functionDecorators(&a, fn)
	s.signedRequests(&a)
	a.finish()
	return a
}

// djangoAuth computes the protection of a plain Django view: decorators,
// method_decorator on the class or handler, the auth mixins, the
// LoginRequiredMiddleware, project middleware that may authenticate, and
// checks in the handler's body.
func (m *Model) djangoAuth(c *Class, handler *Func, action string, s *authSettings) Auth {
	a := Auth{level: levelPublic, Source: "none"}
	if s.loginMW {
		a.level, a.Source, a.Session = levelAuth, "LoginRequiredMiddleware", true
		a.Permissions = []string{"LoginRequiredMiddleware"}
	}
	if c != nil {
		// The bases in their order (the class's own first), each name
		// once: the permissions are listed as the class declares them.
		_, quals := classBaseNames(c)
		seen := map[string]bool{}
		for _, q := range quals {
			n := lastName(q)
			if seen[n] {
				continue
			}
			seen[n] = true
			switch {
			case n == "LoginRequiredMixin" || n == "PermissionRequiredMixin" || n == "UserPassesTestMixin":
				a.level, a.Source, a.Session = max(a.level, levelAuth), "mixin", true
				a.Permissions = append(a.Permissions, n)
			case n == "StaffRequiredMixin" || n == "SuperuserRequiredMixin" || n == "StaffuserRequiredMixin":
				a.level, a.Source, a.Session = levelStaff, "mixin", true
				a.Permissions = append(a.Permissions, n)
			case strings.HasSuffix(n, "RequiredMixin") || strings.HasSuffix(n, "PermissionMixin") || strings.Contains(n, "Auth") && strings.HasSuffix(n, "Mixin"):
				if a.level < levelAuth {
					a.level, a.Source = levelUnknown, "mixin"
				}
				a.Permissions = append(a.Permissions, n)
			}
		}
		if a.level == levelPublic {
			if v, _ := c.Attr("permission_classes"); !v.IsNil() {
				a.level = levelUnknown
			}
		}
		if a.level == levelPublic && accessCheckingBase(c) {
			a.level, a.Source, a.CustomCheck = levelUnknown, "project base", true
		}
	}
	if handler != nil {
		m.bodyChecks(&a, handler)
	}
	if c != nil {
		// A generic view calls these for every request, whichever
		// handler serves it: a check in an override guards them all.
		for _, hook := range []string{"dispatch", "get_object", "get_queryset"} {
			if fn := c.Method(hook); fn != nil && fn != handler && fn.File != nil {
				m.bodyChecks(&a, fn)
			}
		}
		m.classDecorators(&a, c, handler, action)
	} else if handler != nil {
		m.functionDecorators(&a, handler)
	}
	if s.customMW && a.level == levelPublic {
		a.level, a.Source = levelUnknown, "middleware"
	}
	s.signedRequests(&a)
	a.finish()
	return a
}

// accessHooks are methods and attributes through which a class-based
// view (or a project mixin) decides who may call it.
var accessHooks = []string{"dispatch", "test_func", "has_permission", "get_permission_required", "check_permissions"}
var accessAttrs = []string{"permission_required", "permission_policy", "required_permissions", "login_url", "raise_exception"}

// accessCheckingBase reports whether a Django view class, or one of its
// project bases, overrides dispatch or an access hook, sets a permission
// attribute, or derives from a mixin named for access (Permission,
// Access, Auth, Login, Member, Owner): the check may be there.
func accessCheckingBase(c *Class) bool {
	for _, cc := range append([]*Class{c}, c.Bases()...) {
		for _, h := range accessHooks {
			if cc.Methods[h] != nil {
				return true
			}
		}
		for _, at := range accessAttrs {
			if _, ok := cc.Attrs[at]; ok {
				return true
			}
		}
	}
	last, _ := classBaseNames(c)
	for n := range last {
		for _, w := range []string{"Permission", "Access", "Auth", "Login", "Member", "Owner", "Staff", "Admin"} {
			if strings.Contains(n, w) {
				return true
			}
		}
	}
	return false
}

// decoratorLevel classifies one decorator of a view by its last name.
// ok is false for decorators that do not protect (csrf_exempt,
// require_POST, cache_page...), whose effect is recorded elsewhere.
func decoratorLevel(name string) (level, bool) {
	switch name {
	case "login_required", "permission_required", "user_passes_test", "login_not_required":
		if name == "login_not_required" {
			return levelPublic, true
		}
		return levelAuth, true
	case "staff_member_required", "superuser_required", "staff_required", "admin_required":
		return levelStaff, true
	}
	if harmlessDecorators[name] {
		return 0, false
	}
	return levelUnknown, true
}

// harmlessDecorators decide nothing of who may call a view.
var harmlessDecorators = map[string]bool{"csrf_exempt": true, "csrf_protect": true, "require_POST": true,
	"require_GET": true, "require_safe": true, "require_http_methods": true, "api_view": true, "never_cache": true,
	"cache_page": true, "cache_control": true, "vary_on_cookie": true, "vary_on_headers": true, "atomic": true,
	"non_atomic_requests": true, "swagger_auto_schema": true, "extend_schema": true, "extend_schema_view": true,
	"throttle_classes": true, "renderer_classes": true, "parser_classes": true, "schema": true,
	"ensure_csrf_cookie": true, "xframe_options_exempt": true, "xframe_options_deny": true,
	"xframe_options_sameorigin": true, "gzip_page": true, "condition": true, "etag": true, "last_modified": true,
	"sensitive_post_parameters": true, "sensitive_variables": true, "staticmethod": true, "classmethod": true,
	"property": true, "action": true, "detail_route": true, "list_route": true, "permission_classes": true,
	"authentication_classes": true, "method_decorator": true, "transaction": true, "override": true,
	"cached_property": true, "wraps": true, "sync_to_async": true, "async_to_sync": true, "lru_cache": true,
	"cache": true, "ratelimit": true, "deprecated": true, "debug": true}

// functionDecorators applies the decorators of a function view (or of a
// handler method through method_decorator).
func (m *Model) functionDecorators(a *Auth, fn *Func) {
	for _, d := range pyast.Decorators(fn.Node) {
		m.applyDecorator(a, d)
		if !a.HeaderToken && fn.File != nil && headerTokenDecorator(fn.File.FuncRef(decoratorCallee(d))) {
			a.HeaderToken = true
		}
	}
}

// headerTokenDecorator reports a project decorator whose wrapper
// authenticates the request by a credential header before it calls the
// view (vial's `require_api_key`: `api_key_error =
// check_request_for_api_key(request)`, `if api_key_error: return
// api_key_error`, the helper looking the bearer token up), and lets no
// session user through on the way (`if request.user.is_authenticated:
// return view_fn(...)` first makes the cookie enough).
func headerTokenDecorator(g *Func) bool {
	if g == nil || g.File == nil {
		return false
	}
	for def := range pyast.FindEach(pyast.Body(g.Node), "function_definition") {
		w := g.File.FuncOf(def)
		if w == nil || strings.Contains(pyast.Body(def).Text(), ".user") {
			continue
		}
		if headerTokenGuard(w) {
			return true
		}
	}
	return false
}

// applyDecorator records one decorator expression's effect.
func (m *Model) applyDecorator(a *Auth, d pyast.Node) {
	callee := decoratorCallee(d)
	name := lastName(pyast.Dotted(callee))
	if name == "method_decorator" {
		if c, ok := pyast.AsCall(d); ok && len(c.Positional) > 0 {
			inner := pyast.Unparen(c.Positional[0])
			if inner.Type() == "list" || inner.Type() == "tuple" {
				for e := range inner.Named() {
					m.applyDecorator(a, e)
				}
			} else {
				m.applyDecorator(a, inner)
			}
		}
		return
	}
	if viewDecorators[name] {
		a.decorated = true
		a.routingShape = a.routingShape || name != "csrf_exempt"
	}
	if name == "csrf_exempt" {
		a.CSRFExempt = true
		return
	}
	lv, ok := decoratorLevel(name)
	if !ok {
		return
	}
	if lv == levelUnknown {
		a.CustomCheck = true
	}
	if lv == levelAuth || lv == levelStaff {
		a.Session = true
	}
	a.Permissions = append(a.Permissions, name)
	a.Source = "decorator"
	switch {
	case lv == levelPublic:
		a.level = levelPublic
	case lv == levelUnknown:
		if a.level < levelAuth {
			a.level = levelUnknown
		}
	default:
		a.level = max(minKnown(a.level), lv)
	}
}

// classDecorators applies method_decorator(...) on the class (for
// dispatch, the handler's name, or the action the endpoint serves: a
// `FormView`'s `post` is Django's, and `@method_decorator(login_required,
// name="post")` wraps it although the class defines no `post`) and
// decorators of the handler method.
func (m *Model) classDecorators(a *Auth, c *Class, handler *Func, action string) {
	for _, cc := range append([]*Class{c}, c.Bases()...) {
		for _, d := range pyast.Decorators(cc.Node) {
			dc, ok := pyast.AsCall(d)
			if name := lastName(pyast.Dotted(decoratorCallee(d))); name != "method_decorator" {
				// A decorator of the view class that Django does not
				// provide and that is not known to be harmless
				// (`@responsable_logged_required`, a project function
				// that wraps dispatch in method_decorator itself) may
				// guard every handler: who may call is not known.
				if lv, protects := decoratorLevel(name); protects && lv == levelUnknown {
					a.CustomCheck = true
					a.Permissions = append(a.Permissions, name)
					if a.level < levelAuth {
						a.level, a.Source = levelUnknown, "class decorator"
					}
				}
				continue
			}
			if !ok {
				continue
			}
			target, _ := pyast.StringValue(dc.Keyword("name"))
			if target == "dispatch" || target != "" && target == action || handler != nil && target == handler.Name {
				m.applyDecorator(a, d)
			}
		}
		if fn := cc.Methods["dispatch"]; fn != nil {
			m.functionDecorators(a, fn)
		}
	}
	if handler != nil {
		m.functionDecorators(a, handler)
	}
}

// wrapperAuth applies the decorators wrapped around the view in URLconfs:
// a wrapper protects only when every route wraps the view in it.
func (m *Model) wrapperAuth(e *Endpoint, s *authSettings) {
	if len(e.Routes) == 0 {
		return
	}
	common := map[string]int{}
	for _, r := range e.Routes {
		seen := map[string]bool{}
		for _, w := range r.Wrappers {
			if !seen[w] {
				seen[w] = true
				common[w]++
			}
		}
	}
	changed := false
	for w, n := range common {
		if w == "csrf_exempt" {
			e.Auth.CSRFExempt = true
			continue
		}
		if n != len(e.Routes) {
			continue
		}
		if strings.HasPrefix(w, "urlpatterns:") {
			// The URLconf decorates all its patterns: an access check,
			// most likely, that rubric does not read.
			e.Auth.Permissions = append(e.Auth.Permissions, strings.TrimPrefix(w, "urlpatterns:")+" (URLconf)")
			e.Auth.CustomCheck = true
			if e.Auth.level < levelAuth {
				e.Auth.level = levelUnknown
			}
			e.Auth.Source = "URLconf"
			changed = true
			continue
		}
		lv, ok := decoratorLevel(w)
		if !ok || lv == levelUnknown {
			continue
		}
		e.Auth.Permissions = append(e.Auth.Permissions, w)
		e.Auth.Source = "URLconf"
		e.Auth.Session = e.Auth.Session || e.Kind == "function" || e.Kind == "django-view"
		e.Auth.level = max(minKnown(e.Auth.level), lv)
		changed = true
	}
	if changed {
		e.Auth.Summary = ""
		e.Auth.finish()
	}
}

// userChecks are what a handler's body reads to check its caller.
var userChecks = []string{"is_authenticated", "is_anonymous", "has_perm", "has_perms", "NotAuthenticated", "AuthenticationFailed",
	"redirect_to_login", "check_permissions", "check_object_permissions", "is_staff", "is_superuser"}

// bodyChecks looks for checks of the caller in the handler and the
// project functions it calls (two calls deep), a hand-written
// authentication by a credential header among them (headerTokenGuard).
func (m *Model) bodyChecks(a *Auth, handler *Func) {
	if handler == nil {
		return
	}
	txt := m.reachText(handler, 2)
	a.UsesUser = a.UsesUser || strings.Contains(txt, "request.user") || strings.Contains(txt, "request.auth")
	staff := strings.Contains(txt, "is_staff") || strings.Contains(txt, "is_superuser")
	for _, k := range userChecks {
		if strings.Contains(txt, k) {
			a.BodyCheck = true
		}
	}
	if !a.HeaderToken && headerTokenGuard(handler) {
		a.HeaderToken, a.BodyCheck = true, true
	}
	if !a.BodyCheck && requestGuardCall(handler) {
		a.BodyCheck = true
	}
	if !a.BodyCheck || slices.Contains(a.Permissions, "checked in the body") {
		return
	}
	a.Permissions = append(a.Permissions, "checked in the body")
	switch {
	case staff && a.level <= levelReadPublic:
		a.level, a.Source = levelStaff, "body"
	case a.level == levelPublic || a.level == levelReadPublic || a.level == 0:
		a.level, a.Source = levelAuth, "body"
	}
}

// requestGuardCall reports a handler whose body, before anything else it
// does under a condition, calls a project function given only the request
// (`user = require_admin(request)`) that raises PermissionDenied (or
// returns HttpResponseForbidden) under an `if`: such a helper has nothing
// but the caller to judge, so it turns callers away before the handler
// writes.
func requestGuardCall(handler *Func) bool {
	if len(handler.Params) == 0 {
		return false
	}
	req := handler.Params[0]
	if handler.Class != nil && len(handler.Params) > 1 {
		req = handler.Params[1]
	}
	for st := range pyast.EachStatement(pyast.Body(handler.Node)) {
		var v pyast.Node
		switch st.Type() {
		case "expression_statement":
			v = st.NamedChild(0)
			if v.Type() == "assignment" {
				v = v.ChildByField("right")
			}
		default:
			continue
		}
		call, ok := pyast.AsCall(pyast.Unparen(v))
		if !ok {
			continue
		}
		args := call.Positional
		if len(args) != 1 || len(call.Keywords) != 0 || args[0].Text() != req {
			continue
		}
		g, _ := handler.File.Callee(call.Node)
		if g == nil || len(g.Params) != 1 {
			continue
		}
		for n := range pyast.FindEach(pyast.Body(g.Node), "raise_statement", "return_statement") {
			c, ok := pyast.AsCall(pyast.Unparen(n.NamedChild(0)))
			if iff := pyast.Ancestor(n, "if_statement"); !ok || iff.IsNil() || iff.StartByte() < g.Node.StartByte() {
				continue
			}
			if last := lastName(pyast.Dotted(c.Func)); last == "PermissionDenied" || last == "HttpResponseForbidden" {
				return true
			}
		}
	}
	return false
}

// SignatureDecides reports a constant-time comparison or a call named for
// verifying a signature in the handler's own body whose result decides
// something (checkDecides): not discarded, not bound to a name never
// read, not tested by an `if` that only logs. A handler that is no
// webhook but does this checks its caller by a shared secret
// (`hmac.compare_digest(header, get_signature(body, secret))`, then 401).
func SignatureDecides(h *Func) bool {
	if h == nil {
		return false
	}
	body := pyast.Body(h.Node)
	for _, call := range ownNodes(body, "call") {
		if signatureCheck(h.File, call) && checkDecides(call, body) {
			return true
		}
	}
	return signatureGuardCall(h)
}

// signatureGuardCall reports a handler one of whose top-level statements
// calls a project helper, handing it the request, that reads a signature
// header and raises when a check in an `if` fails: the raise refuses the
// caller before the handler goes on (fx-private-relay's Twilio hooks:
// `_validate_twilio_request(request)`, which reads `X-Twilio-Signature`
// and raises ValidationError when `validator.validate(...)` says no).
func signatureGuardCall(h *Func) bool {
	if h.File == nil || len(h.Params) == 0 {
		return false
	}
	req := h.Params[0]
	if h.Class != nil && len(h.Params) > 1 {
		req = h.Params[1]
	}
	for st := range pyast.EachStatement(pyast.Body(h.Node)) {
		if st.Type() != "expression_statement" {
			continue
		}
		c, ok := pyast.AsCall(pyast.Unparen(st.NamedChild(0)))
		if !ok || !slices.ContainsFunc(c.Positional, func(a pyast.Node) bool { return a.Text() == req }) {
			continue
		}
		g, _ := h.File.Callee(c.Node)
		if g == nil || g == h {
			continue
		}
		gb := pyast.Body(g.Node)
		named := false
		for str := range pyast.FindEach(gb, "string") {
			if strings.Contains(strings.ToLower(str.Text()), "signature") {
				named = true
				break
			}
		}
		if !named {
			continue
		}
		for r := range pyast.FindEach(gb, "raise_statement") {
			iff := pyast.Ancestor(r, "if_statement")
			if iff.IsNil() || !gb.Contains(iff) || !pyast.Ancestor(r, "except_clause").IsNil() {
				continue
			}
			if len(pyast.FindAll(iff.ChildByField("condition"), "call")) > 0 {
				return true
			}
		}
	}
	return false
}

// HeaderSecretDecides reports a handler that checks a credential header
// against a secret by hand, in its own body or in a project helper it
// calls whose answer decides (checkDecides): a value read from the
// `Authorization` (or token, API key) header is compared (==, !=, in,
// not in) in an if whose branch returns or raises (EvalAI's Lambda hooks:
// `auth_error = _authenticate_lambda_request(request)`, `if auth_error:
// return auth_error`, the helper answering 401/403 when the bearer token
// differs from the configured one).
func HeaderSecretDecides(h *Func) bool {
	if h == nil || h.File == nil {
		return false
	}
	body := pyast.Body(h.Node)
	if comparesHeaderSecret(body) {
		return true
	}
	for _, call := range ownNodes(body, "call") {
		if g, _ := h.File.Callee(call); g != nil && g != h && comparesHeaderSecret(pyast.Body(g.Node)) && checkDecides(call, body) {
			return true
		}
	}
	return false
}

// comparesHeaderSecret reports a body that compares a value taken from a
// credential header in an if whose consequence returns or raises.
func comparesHeaderSecret(body pyast.Node) bool {
	carries, bound := credentialTaint(body)
	if !bound {
		return false
	}
	for ifs := range pyast.FindEach(body, "if_statement") {
		compared := false
		for cmp := range pyast.FindEach(ifs.ChildByField("condition"), "comparison_operator") {
			// The header's value against a secret: not a literal (`token
			// == ""`, `auth is None` only test that a header came).
			sides := pyast.Statements(cmp)
			if len(sides) != 2 {
				continue
			}
			for i, side := range sides {
				other := pyast.Unparen(sides[1-i])
				if side.Type() == "identifier" && carries(side) && !carries(other) &&
					!other.Is("string", "concatenated_string", "integer", "none", "true", "false") {
					compared = true
				}
			}
		}
		if !compared {
			continue
		}
		cons := ifs.ChildByField("consequence")
		if len(pyast.FindAll(cons, "return_statement", "raise_statement")) > 0 {
			return true
		}
	}
	return false
}

// reachText returns the text of a function's body and of the project
// functions it calls, depth calls deep (each once).
func (m *Model) reachText(fn *Func, depth int) string {
	key := textKey{fn, depth}
	m.memo.mu.Lock()
	if t, ok := m.memo.text[key]; ok {
		m.memo.mu.Unlock()
		return t
	}
	m.memo.mu.Unlock()
	t := m.computeReachText(fn, depth)
	m.memo.mu.Lock()
	if m.memo.text == nil {
		m.memo.text = map[textKey]string{}
	}
	m.memo.text[key] = t
	m.memo.mu.Unlock()
	return t
}

func (m *Model) computeReachText(fn *Func, depth int) string {
	var sb strings.Builder
	seen := map[*Func]bool{}
	var walk func(fn *Func, d int)
	walk = func(fn *Func, d int) {
		if fn == nil || seen[fn] || sb.Len() > 1<<20 {
			return
		}
		seen[fn] = true
		sb.Write(pyast.Body(fn.Node).Bytes())
		sb.WriteByte('\n')
		if d >= depth {
			return
		}
		for _, call := range ownNodes(pyast.Body(fn.Node), "call") {
			if g, _ := fn.File.Callee(call); g != nil {
				walk(g, d+1)
			}
		}
	}
	walk(fn, 0)
	return sb.String()
}
