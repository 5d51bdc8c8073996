package security

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/analyzer/semantic/effects"
)

//go:embed tenant.md
var tenantDoc string

// TenantUnscopedQuery reports view queries on tenant-owned models that do
// not filter on the tenant.
var TenantUnscopedQuery = &analyzer.Rule{
	Code:       "SEC012",
	Name:       "tenant-unscoped-query",
	Doc:        tenantDoc,
	Category:   analyzer.Security,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Low,
	Since:      "0.1.0",
	Stack:      project.Django,
	Skip:       semantic.Test,
	Requires:   []project.Analysis{semantic.Endpoints},
	Run:        runTenantUnscopedQuery,
}

// tenantNames name a tenant: a foreign key so named, or to a model so
// named, scopes a row to one tenant.
var tenantNames = map[string]bool{"organization": true, "organisation": true, "org": true, "tenant": true,
	"account": true, "workspace": true, "company": true}

// queryMethods start or continue a read query.
var queryMethods = map[string]bool{"all": true, "filter": true, "get": true, "exclude": true, "first": true,
	"last": true, "values": true, "values_list": true, "order_by": true, "select_related": true,
	"prefetch_related": true, "annotate": true, "count": true, "exists": true, "update": true, "delete": true,
	"in_bulk": true, "iterator": true, "latest": true, "earliest": true}

// runTenantUnscopedQuery matches, inside views (functions whose first
// parameter is request, methods taking (self, request, ...), and methods of
// classes named *View/*ViewSet), ORM chains Model.<manager>.<query>... and
// get_object_or_404(Model, ...) on a model of the project graph with a
// tenant key (see tenantKey), when the view scopes nothing (see
// scopesTenant). It also matches the class-level `queryset = Model...` and
// `model = Model` of generic views and viewsets that do not override
// get_queryset. Models the graph does not define, managers whose class is
// named for tenants or scopes, chains with **kwargs or positional Q
// objects, subqueries and lookups by secret tokens are skipped.
func runTenantUnscopedQuery(p *analyzer.Pass) error {
	if p.Project == nil || p.Project.Models == nil || len(p.Project.Models.All) == 0 {
		return nil
	}
	t := tenantCheck{p: p, g: p.Project.Models, keys: map[*project.Model]*project.Field{}}
	inv := semantic.InventoryOf(p.Project)
	sf := semantic.Of(p.Project).File(p.Unit)
	for n := range pyast.FindEach(p.Root, "class_definition", "function_definition") {
		switch n.Type() {
		case "class_definition":
			if !guardedEndpoints(inv, sf, n) {
				t.class(n)
			}
		case "function_definition":
			if _, task := effects.TaskOf(p.Unit.Imports, n); task {
				continue // a Celery errback's first parameter is the task's request
			}
			if permissionHook(n) {
				continue // the lookup is the permission check
			}
			if deliveryOrVerification(n) {
				continue // a provider's delivery, a public verification page: no caller tenant
			}
			if middlewareHook(n) {
				continue // runs before any view, for every request: it resolves, it does not serve a tenant's rows
			}
			if isViewFunction(n) && !guardedView(n) && !guardedEndpoints(inv, sf, n) {
				t.view(n)
			}
		}
	}
	return nil
}

// middlewareHook reports a method of a Django middleware that sees the
// request (`__call__`, process_request, process_view): a class whose
// __init__ takes get_response, or named *Middleware. It runs for every
// request before the view and any tenant scoping the view does, and
// takes the request by position like a view method does.
func middlewareHook(fn pyast.Node) bool {
	switch pyast.DefName(fn) {
	case "__call__", "process_request", "process_view", "__acall__":
	default:
		return false
	}
	cls := pyast.EnclosingClass(fn)
	if cls.IsNil() {
		return false
	}
	if strings.HasSuffix(pyast.DefName(cls), "Middleware") {
		return true
	}
	for st := range pyast.EachStatement(pyast.Body(cls)) {
		if st.Type() == "decorated_definition" {
			st = st.ChildByField("definition")
		}
		if st.Type() == "function_definition" && pyast.DefName(st) == "__init__" {
			d := st
			ps := pyast.ParamNames(d)
			return len(ps) > 1 && ps[1] == "get_response"
		}
	}
	return false
}

// permissionHook reports DRF's permission hooks, has_permission and
// has_object_permission (self, request, view[, obj]): they load the parent
// row named in the URL to decide whether the caller may go on, so an
// unscoped lookup there is the check, not a leak.
func permissionHook(fn pyast.Node) bool {
	switch pyast.DefName(fn) {
	case "has_permission", "has_object_permission":
		return true
	}
	return false
}

// guardedEndpoints reports whether the endpoint inventory shows a guard on
// the view a function or class defines: staff only, an object permission,
// or a check of the caller in the handler (see semantic.Endpoint.Guarded).
func guardedEndpoints(inv *semantic.Inventory, sf *semantic.File, def pyast.Node) bool {
	if sf == nil {
		return false
	}
	var eps []*semantic.Endpoint
	if def.Type() == "class_definition" {
		if c := sf.ClassOfDef(def); c != nil {
			for _, e := range inv.ViewsIn(sf) {
				if e.Class == c {
					eps = append(eps, e)
				}
			}
		}
	} else if fn := sf.FuncOf(def); fn != nil {
		eps = inv.ForFunc(fn)
	}
	if len(eps) == 0 {
		return false
	}
	for _, e := range eps {
		if !e.Guarded() {
			return false
		}
	}
	return true
}

type tenantCheck struct {
	p    *analyzer.Pass
	g    *project.Models
	keys map[*project.Model]*project.Field // memo of tenantKey
}

// view reports the unscoped tenant queries of one view function.
func (t *tenantCheck) view(fn pyast.Node) {
	for c := range pyast.FindEachShallow(pyast.Body(fn), "call") {
		call, _ := pyast.AsCall(c)
		var model *project.Model
		written, chainTop := "", pyast.Node{}
		switch {
		case call.MethodName() == "get_object_or_404" && len(call.Positional) > 0:
			written, chainTop = pyast.Dotted(call.Positional[0]), c
			model = t.g.Lookup(t.p.Unit, written)
		case call.Func.Type() == "attribute" && queryMethods[call.MethodName()]:
			written, model = t.managerModel(call.Receiver())
			chainTop = chainEnd(c)
		default:
			continue
		}
		key := t.tenantKey(model)
		if key == nil || t.scopesTenant(fn, model, key) || hasOpaqueFilter(chainTop) || handedOn(chainTop) {
			continue
		}
		t.p.Report(analyzer.Diagnostic{
			Range:   analyzer.RangeOf(chainTop),
			Message: fmt.Sprintf("view `%s` queries `%s` without filtering on its tenant key `%s`: rows of other tenants are reachable", pyast.DefName(fn), written, key.Name),
			Help:    fmt.Sprintf("scope every query to the caller's tenant: `%s.objects.filter(%s=request.user.%s, ...)`, ideally through a manager or `get_queryset` that always does", written, key.Name, key.Name),
			Related: t.keyRelated(key),
		})
	}
}

// class reports `queryset = Model.objects...` and `model = Model` on a
// generic view or viewset that serves them as they are (see genericView).
func (t *tenantCheck) class(cls pyast.Node) {
	django, drf := t.genericView(cls)
	if !django && !drf {
		return
	}
	for st := range pyast.EachStatement(pyast.Body(cls)) {
		a := st.NamedChild(0)
		if st.Type() != "expression_statement" || a.Type() != "assignment" {
			continue
		}
		right := a.ChildByField("right")
		var model *project.Model
		written := ""
		switch a.ChildByField("left").Text() {
		case "queryset":
			top := pyast.Unparen(right)
			inner := top
			for {
				c, ok := pyast.AsCall(inner)
				if !ok || c.Func.Type() != "attribute" {
					break
				}
				inner = c.Receiver()
			}
			written, model = t.managerModel(inner)
			if inner.Equal(top) || hasOpaqueFilter(top) || t.chainScoped(top, model) {
				continue
			}
		case "model":
			if !django {
				continue
			}
			written = pyast.Dotted(right)
			model = t.g.Lookup(t.p.Unit, written)
		default:
			continue
		}
		key := t.tenantKey(model)
		if key == nil {
			continue
		}
		t.p.Report(analyzer.Diagnostic{
			Range:   analyzer.RangeOf(a),
			Message: fmt.Sprintf("view `%s` serves every `%s` row without filtering on its tenant key `%s`: rows of other tenants are reachable", pyast.DefName(cls), written, key.Name),
			Help:    fmt.Sprintf("override `get_queryset` to scope it: `return %s.objects.filter(%s=self.request.user.%s)`", written, key.Name, key.Name),
			Related: t.keyRelated(key),
		})
	}
}

// accessWords in a decorator or permission class name suggest a check of
// the caller's membership (allow_permission([ROLE.MEMBER]),
// IsWorkspaceMember, ProjectEntityPermission) that may scope the view.
var accessWords = []string{"permission", "member", "role", "access", "owner", "tenant", "organization",
	"organisation", "workspace", "scope"}

// builtinPermissions check authentication or global permissions, not
// tenancy.
var builtinPermissions = map[string]bool{"IsAuthenticated": true, "IsAdminUser": true,
	"IsAuthenticatedOrReadOnly": true, "DjangoModelPermissions": true, "DjangoModelPermissionsOrAnonReadOnly": true,
	"DjangoObjectPermissions": true, "login_required": true, "permission_required": true, "csrf_exempt": true,
	"require_http_methods": true, "require_POST": true, "require_GET": true, "api_view": true, "action": true,
	"permission_classes": true}

// handedOn reports whether a chain is an argument of another call
// (`get_invitation_by_token(token, base_queryset=Invitation.objects.all())`):
// the callee filters it further.
func handedOn(top pyast.Node) bool {
	p := top.Parent()
	if p.Type() == "keyword_argument" {
		p = p.Parent()
	}
	return p.Type() == "argument_list"
}

// guardedView reports whether a view function, or its class, names an
// access check of the project's own: a decorator, or a permission class
// in the class body's permission_classes, whose name carries an
// accessWords word. Such checks usually verify membership of the tenant
// in the URL, which this rule cannot follow. Views declared public
// (AllowAny) are skipped too: what they serve by id (published pages,
// templates, invitations by token) is public by design or guarded by a
// secret, a product decision the rule cannot see.
func guardedView(fn pyast.Node) bool {
	var names []string
	for _, d := range pyast.Decorators(fn) {
		if c, ok := pyast.AsCall(d); ok {
			d = c.Func
			if pyast.Dotted(d) == "permission_classes" || strings.HasSuffix(pyast.Dotted(d), ".permission_classes") {
				for id := range pyast.FindEach(c.Node, "identifier") {
					names = append(names, id.Text())
				}
			}
		}
		names = append(names, pyast.Dotted(d))
	}
	if cls := pyast.EnclosingClass(fn); !cls.IsNil() {
		for st := range pyast.EachStatement(pyast.Body(cls)) {
			a := st.NamedChild(0)
			if st.Type() != "expression_statement" || a.Type() != "assignment" || a.ChildByField("left").Text() != "permission_classes" {
				continue
			}
			for id := range pyast.FindEach(a.ChildByField("right"), "identifier") {
				names = append(names, id.Text())
			}
		}
	}
	for _, n := range names {
		last := n[strings.LastIndex(n, ".")+1:]
		if last == "AllowAny" {
			return true
		}
		if builtinPermissions[last] {
			continue
		}
		for _, w := range accessWords {
			if strings.Contains(strings.ToLower(last), w) {
				return true
			}
		}
	}
	return false
}

// djangoGenericViews read `model` (or `queryset`) and serve its rows
// without further code; DRF's generic views and viewsets read `queryset`
// only (`model` is ignored since DRF 3).
var djangoGenericViews = map[string]bool{"ListView": true, "DetailView": true, "UpdateView": true, "DeleteView": true}

var drfGenericViews = map[string]bool{"ListAPIView": true, "RetrieveAPIView": true, "ListCreateAPIView": true,
	"RetrieveUpdateAPIView": true, "RetrieveDestroyAPIView": true, "RetrieveUpdateDestroyAPIView": true,
	"UpdateAPIView": true, "DestroyAPIView": true}

// ownCode are the methods whose override means the class reads its rows
// with code of its own, which the view scan judges instead.
var ownCode = map[string]bool{"get_queryset": true, "get_object": true, "get": true, "list": true, "retrieve": true}

// genericView says whether cls derives (through classes of the tree) from
// a Django generic view (served: model and queryset) or a DRF generic
// view or model viewset (served: queryset), with none of get_queryset,
// get_object, get, list or retrieve defined on the way, and no
// filter_backends (a backend may scope the queryset).
func (t *tenantCheck) genericView(cls pyast.Node) (django, drf bool) {
	c := t.g.LookupClass(t.p.Unit, pyast.DefName(cls))
	if c == nil || c.Path != t.p.File.Rel || c.Start != cls.StartByte() {
		return false, false
	}
	for st := range pyast.EachStatement(pyast.Body(cls)) {
		if a := st.NamedChild(0); a.Type() == "assignment" && a.ChildByField("left").Text() == "filter_backends" {
			return false, false
		}
	}
	for _, k := range append([]*project.ClassFacts{c}, t.g.ClassBases(c)...) {
		for _, m := range k.Methods {
			if ownCode[m] {
				return false, false
			}
		}
		for _, a := range k.Attrs {
			if a.Name == "filter_backends" {
				return false, false
			}
		}
		for _, b := range k.Bases {
			last := b[strings.LastIndex(b, ".")+1:]
			switch {
			case djangoGenericViews[last]:
				django = true
			case drfGenericViews[last] || last == "ModelViewSet" || last == "ReadOnlyModelViewSet":
				drf = true
			}
		}
	}
	return django, drf
}

// managerModel resolves `Model.<manager>` to the graph's model, when the
// manager is one of the model's and its class is not named for tenant
// scoping (TenantManager, ScopedManager, OrgManager...).
func (t *tenantCheck) managerModel(recv pyast.Node) (string, *project.Model) {
	if recv.Type() != "attribute" {
		return "", nil
	}
	written := pyast.Dotted(recv.ChildByField("object"))
	m := t.g.Lookup(t.p.Unit, written)
	mgr := recv.ChildByField("attribute").Text()
	if m == nil || !m.HasManager(mgr) {
		return "", nil
	}
	if cm := m.CustomManager(mgr); cm != nil {
		for _, w := range semantic.NameWords(cm.Class[strings.LastIndex(cm.Class, ".")+1:]) {
			if tenantNames[w] || w == "scoped" || w == "scope" || w == "tenants" {
				return "", nil
			}
		}
	}
	return written, m
}

// tenantKey returns the forward foreign key or one-to-one field that
// scopes m to a tenant: one named organization, tenant, account,
// workspace, company (or org/organisation), or pointing at a model so
// named. Nil for models outside the graph and the tenant models
// themselves.
func (t *tenantCheck) tenantKey(m *project.Model) *project.Field {
	if m == nil || m.External || m.Abstract {
		return nil
	}
	if k, ok := t.keys[m]; ok {
		return k
	}
	var key *project.Field
	if !isTenantModel(m) {
		for _, f := range m.Fields {
			if (f.Kind == project.ForeignKey || f.Kind == project.OneToOne) && (tenantNames[f.Name] || tenantNames[strings.ToLower(targetName(f))]) {
				key = f
				break
			}
		}
	}
	if key != nil && !t.isolates(key.To) {
		key = nil
	}
	t.keys[m] = key
	return key
}

// isolates reports whether a tenant model is an isolation boundary, that
// is, whether the model graph ties users to it: the tenant has a relation
// to the user model (an owner, members), the user model has one to the
// tenant, or a model relates one user to one tenant (a membership whose
// unique constraint names both keys, a profile one-to-one with its user).
// A tenant no user belongs to is a descriptive label (NetBox's tenancy:
// access there goes through object permissions), and a query that does not
// filter on it leaks nothing. Tenants the tree does not define, or whose
// bases it cannot read, are taken as boundaries: the rule judges as
// before.
func (t *tenantCheck) isolates(tm *project.Model) bool {
	if tm == nil || tm.External || !tm.Complete && !onlyStampBases(tm, 0) {
		return true
	}
	sm := semantic.Of(t.p.Project)
	for _, f := range tm.Fields {
		if f.IsRelation() && !auditKey(f.Name) && fieldToUser(sm, f) {
			return true
		}
	}
	for _, r := range tm.Reverse {
		if r.From == nil || r.Field == nil {
			continue
		}
		if sm.IsUserModel(r.From) {
			return true
		}
		for _, f := range r.From.Fields {
			if (f.Kind == project.ForeignKey || f.Kind == project.OneToOne) && !auditKey(f.Name) && fieldToUser(sm, f) &&
				(f.Kind == project.OneToOne || f.Unique || uniqueTogether(r.From, f.Name, r.Field.Name)) {
				return true
			}
		}
	}
	return false
}

// stampBases are library abstract models that add only timestamps, titles,
// slugs, a status or a UUID: no relation, so no tie to users.
var stampBases = map[string]bool{
	"django_extensions.db.models.TimeStampedModel":          true,
	"django_extensions.db.models.TitleDescriptionModel":     true,
	"django_extensions.db.models.TitleSlugDescriptionModel": true,
	"django_extensions.db.models.ActivatorModel":            true,
	"model_utils.models.TimeStampedModel":                   true,
	"model_utils.models.TimeFramedModel":                    true,
	"model_utils.models.StatusModel":                        true,
	"model_utils.models.SoftDeletableModel":                 true,
	"model_utils.models.UUIDModel":                          true,
}

// onlyStampBases reports a model whose unread bases, its own and its
// project bases', are all stampBases: the graph misses only their
// timestamp columns, and knows every relation the model has.
func onlyStampBases(m *project.Model, depth int) bool {
	if depth > 8 {
		return false
	}
	for _, b := range m.ExternalBases {
		if !stampBases[b] {
			return false
		}
	}
	for _, b := range m.Bases {
		if !b.Complete && !onlyStampBases(b, depth+1) {
			return false
		}
	}
	return true
}

// auditKey reports a relation that records who did something
// (created_by, updated_by), not who belongs where.
func auditKey(name string) bool { return strings.HasSuffix(strings.ToLower(name), "_by") }

// fieldToUser reports whether a relation field points at the user model.
func fieldToUser(sm *semantic.Model, f *project.Field) bool {
	if f.To != nil {
		return sm.IsUserModel(f.To)
	}
	return f.Target == project.AuthUserModel || targetName(f) == "User"
}

// uniqueTogether reports whether a unique_together entry or a
// UniqueConstraint of m names both fields (by name or _id column).
func uniqueTogether(m *project.Model, a, b string) bool {
	for _, set := range append(append([][]string{}, m.Meta.UniqueTogether...), m.Meta.Unique...) {
		hasA, hasB := false, false
		for _, n := range set {
			n = strings.TrimSuffix(n, "_id")
			hasA = hasA || n == a
			hasB = hasB || n == b
		}
		if hasA && hasB {
			return true
		}
	}
	return false
}

func isTenantModel(m *project.Model) bool { return tenantNames[strings.ToLower(m.Name)] }

// targetName is the class name a relation points at.
func targetName(f *project.Field) string {
	if f.To != nil {
		return f.To.Name
	}
	t := f.External
	if t == "" {
		t = f.Target
	}
	return t[strings.LastIndex(t, ".")+1:]
}

// keyRelated points at the tenant key's declaration.
func (t *tenantCheck) keyRelated(key *project.Field) []analyzer.Related {
	if key.Path == "" {
		return nil
	}
	return []analyzer.Related{{Path: key.Path, Range: analyzer.Range{Start: key.Start, End: key.End}, Message: "tenant key"}}
}

// isViewFunction reports whether fn is a function view, a method taking
// (self, request, ...) (DRF endpoints, Django class-based views), or a
// method of a class named *View/*ViewSet.
func isViewFunction(fn pyast.Node) bool {
	ps := pyast.ParamNames(fn)
	if isMethod(fn) {
		cls := pyast.DefName(pyast.EnclosingClass(fn))
		return strings.HasSuffix(cls, "View") || strings.HasSuffix(cls, "ViewSet") || len(ps) > 1 && ps[1] == "request"
	}
	return len(ps) > 0 && (ps[0] == "request" || ps[0] == "req")
}

// chainEnd climbs from a call through .method(...) links to the outermost
// call of the chain.
func chainEnd(c pyast.Node) pyast.Node {
	for {
		attr := c.Parent()
		if attr.Type() != "attribute" || !attr.ChildByField("object").Equal(c) {
			return c
		}
		next := attr.Parent()
		if next.Type() != "call" {
			return c
		}
		c = next
	}
}

// scopesTenant reports whether the view restricts rows somewhere: a
// keyword or string naming the tenant key (organization=,
// organization_id=, organization__slug=), a lookup through a relation of
// the model to a tenant model or to a tenant-keyed model (project__...,
// project_id= when Project has a workspace key: access to the parent is
// taken as checked), or a value derived from request.user (the caller's
// own rows).
func (t *tenantCheck) scopesTenant(fn pyast.Node, m *project.Model, key *project.Field) bool {
	// Locals holding the caller (`user = self.request.user`).
	callers := map[string]bool{}
	for a := range pyast.FindEach(fn, "assignment") {
		if l := a.ChildByField("left"); l.Type() == "identifier" && strings.HasSuffix(a.ChildByField("right").Text(), "request.user") {
			callers[l.Text()] = true
		}
	}
	for n := range pyast.FindEach(fn, "keyword_argument", "string_content") {
		switch n.Type() {
		case "keyword_argument":
			v := n.ChildByField("value")
			if t.scopingLookup(m, key, n.ChildByField("name").Text()) || strings.Contains(v.Text(), "request.user") ||
				v.Type() == "identifier" && callers[v.Text()] {
				return true
			}
		case "string_content":
			// .filter(**{"organization": org}) and values("organization")
			if n.IsNamed() && t.scopingLookup(m, key, n.Text()) {
				return true
			}
		}
	}
	return false
}

// chainScoped reports whether a chain's keywords scope it (scopingLookup
// or a request.user value).
func (t *tenantCheck) chainScoped(top pyast.Node, m *project.Model) bool {
	key := t.tenantKey(m)
	for c := top; c.Type() == "call"; {
		call, _ := pyast.AsCall(c)
		for k, v := range call.EachKeyword() {
			if strings.Contains(v.Text(), "request.user") || t.scopingLookup(m, key, k) {
				return true
			}
		}
		c = call.Receiver()
	}
	return false
}

// scopingLookup reports whether a lookup path restricts rows of m to a
// tenant: it starts with the tenant key (or its _id column), or its first
// relation leads to a tenant model or a tenant-keyed model.
func (t *tenantCheck) scopingLookup(m *project.Model, key *project.Field, lookup string) bool {
	first, _, _ := strings.Cut(lookup, "__")
	first = strings.TrimSuffix(first, "_id")
	if key != nil && first == key.Name {
		return true
	}
	a := m.Attr(first)
	switch a.Kind {
	case project.AttrForward, project.AttrReverseOne, project.AttrManyToMany, project.AttrReverseMany:
		return a.Target != nil && (isTenantModel(a.Target) || t.tenantKey(a.Target) != nil)
	}
	return false
}

// hasOpaqueFilter reports whether a chain passes **kwargs or positional
// arguments (Q objects) to a filter, which may scope it, is a subquery on
// OuterRef, or looks a row up by a secret token.
func hasOpaqueFilter(top pyast.Node) bool {
	opaque := false
	for c := top; c.Type() == "call"; {
		call, _ := pyast.AsCall(c)
		switch call.MethodName() {
		case "filter", "get", "exclude", "get_object_or_404":
			if call.StarKwargs || (len(call.Positional) > 0 && call.MethodName() != "get_object_or_404") || len(call.Positional) > 1 {
				opaque = true
			}
			for k, v := range call.EachKeyword() {
				// A subquery (scoped by its outer query) or a lookup by a
				// secret token (possession is the authorisation).
				if semantic.SecretName(k) || strings.HasPrefix(v.Text(), "OuterRef(") {
					opaque = true
				}
			}
		}
		recv := call.Receiver()
		if recv.IsNil() {
			break
		}
		c = recv
	}
	return opaque
}

// deliveryWords name a provider's delivery (a payment IPN, a webhook) or a
// public verification page (a certificate checked by its id): neither has
// a calling user whose tenant could scope the lookup.
// A notification word counts only in a function that never reads
// request.user: a user's in-app notifications are a user-facing list.
var deliveryWords = map[string]bool{"webhook": true, "webhooks": true, "callback": true, "ipn": true,
	"notify": false, "notification": false, "verify": true, "verification": true}

// deliveryOrVerification reports a function, or the class of a method,
// named with a delivery or verification word (`handle_notification`,
// `CertificateVerificationView.get_context_data`).
func deliveryOrVerification(fn pyast.Node) bool {
	names := []string{pyast.DefName(fn)}
	if isMethod(fn) {
		names = append(names, pyast.DefName(pyast.EnclosingClass(fn)))
	}
	for _, n := range names {
		for _, w := range semantic.IdentWords(n) {
			if always, ok := deliveryWords[w]; ok && (always || !strings.Contains(fn.Text(), "request.user")) {
				return true
			}
		}
	}
	return false
}
