package security

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/rules/internal/paths"
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
	Run:        runTenantUnscopedQuery,
}

// tenantFields are foreign keys that scope a row to a tenant.
var tenantFields = map[string]bool{"organization": true, "organisation": true, "org": true, "tenant": true,
	"account": true, "workspace": true, "company": true}

// queryMethods start or continue a read query.
var queryMethods = map[string]bool{"all": true, "filter": true, "get": true, "exclude": true, "first": true,
	"last": true, "values": true, "values_list": true, "order_by": true, "select_related": true,
	"prefetch_related": true, "annotate": true, "count": true, "exists": true, "update": true, "delete": true,
	"in_bulk": true, "iterator": true, "latest": true, "earliest": true}

// runTenantUnscopedQuery matches, inside views (functions whose request
// parameter is named request, and methods of classes named *View/*ViewSet),
// ORM chains Model.objects.<query>... and get_object_or_404(Model, ...)
// on a model that has a tenant foreign key (organization, tenant, account,
// workspace, company) when no call of the view passes that field (or
// field_id, field__...) as a keyword. Models are found in the same file
// only until the project model graph is available (see Known limits).
// Chains with **kwargs or positional Q objects are skipped.
func runTenantUnscopedQuery(p *analyzer.Pass) error {
	if paths.IsTest(paths.Rel(p)) {
		return nil
	}
	models := tenantModels(p)
	if len(models) == 0 {
		return nil
	}
	pyast.Inspect(p.Root, func(n pyast.Node) bool {
		if n.Type() != "function_definition" || !isViewFunction(n) {
			return true
		}
		for _, c := range pyast.FindAllShallow(pyast.Body(n), "call") {
			call, _ := pyast.AsCall(c)
			model, chainTop := "", pyast.Node{}
			switch {
			case call.MethodName() == "get_object_or_404" && len(call.Positional) > 0:
				model, chainTop = pyast.Dotted(call.Positional[0]), c
			case call.Func.Type() == "attribute" && queryMethods[call.MethodName()]:
				recv := call.Receiver()
				if recv.Type() != "attribute" || recv.ChildByField("attribute").Text() != "objects" {
					continue
				}
				model = pyast.Dotted(recv.ChildByField("object"))
				chainTop = chainEnd(c)
			default:
				continue
			}
			field, ok := models[model]
			if !ok || scopesTenant(n, field) || hasOpaqueFilter(chainTop) {
				continue
			}
			p.Report(analyzer.Diagnostic{
				Range:   analyzer.RangeOf(chainTop),
				Message: fmt.Sprintf("view `%s` queries `%s` without filtering on its tenant key `%s`: rows of other tenants are reachable", pyast.DefName(n), model, field),
				Help:    fmt.Sprintf("scope every query to the caller's tenant: `%s.objects.filter(%s=request.user.%s, ...)`, ideally through a manager or `get_queryset` that always does", model, field, field),
			})
		}
		return true
	})
	return nil
}

// tenantModels maps the model classes of this file with a tenant foreign
// key to that key's name.
// TODO(#4): use the project model graph (analyzer/project Models) so that
// models imported from other files count.
func tenantModels(p *analyzer.Pass) map[string]string {
	out := map[string]string{}
	for _, s := range pyast.Statements(p.Root) {
		cls := s
		if cls.Type() == "decorated_definition" {
			cls = cls.ChildByField("definition")
		}
		if cls.Type() != "class_definition" || !isModelClass(p, cls) {
			continue
		}
		for _, st := range pyast.Statements(pyast.Body(cls)) {
			a := st.NamedChild(0)
			if st.Type() != "expression_statement" || a.Type() != "assignment" || a.ChildByField("left").Type() != "identifier" {
				continue
			}
			name := a.ChildByField("left").Text()
			c, ok := pyast.AsCall(a.ChildByField("right"))
			if ok && tenantFields[name] && (c.MethodName() == "ForeignKey" || c.MethodName() == "OneToOneField") {
				out[pyast.DefName(cls)] = name
			}
		}
	}
	return out
}

func isModelClass(p *analyzer.Pass, cls pyast.Node) bool {
	for _, b := range cls.ChildByField("superclasses").NamedChildren() {
		if q, _ := p.Imports.Resolve(b); q == "django.db.models.Model" || pyast.Dotted(b) == "models.Model" {
			return true
		}
	}
	return false
}

// isViewFunction reports whether fn is a function view or a method of a
// class-based view.
func isViewFunction(fn pyast.Node) bool {
	ps := pyast.ParamNames(fn)
	if isMethod(fn) {
		cls := pyast.DefName(pyast.EnclosingClass(fn))
		return strings.HasSuffix(cls, "View") || strings.HasSuffix(cls, "ViewSet")
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

// scopesTenant reports whether any call in fn passes the tenant field as a
// keyword (organization=, organization_id=, organization__slug=).
func scopesTenant(fn pyast.Node, field string) bool {
	found := false
	pyast.Inspect(fn, func(m pyast.Node) bool {
		if m.Type() == "keyword_argument" {
			k := m.ChildByField("name").Text()
			if k == field || k == field+"_id" || strings.HasPrefix(k, field+"__") {
				found = true
			}
		}
		if m.Type() == "string_content" {
			// .filter(**{"organization": org}) and values("organization")
			t := m.Text()
			if t == field || t == field+"_id" || strings.HasPrefix(t, field+"__") {
				found = true
			}
		}
		return !found
	})
	return found
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
			for k, v := range call.Keywords {
				// A subquery (scoped by its outer query) or a lookup by a
				// secret token (possession is the authorisation).
				if isSecretName(k) || strings.HasPrefix(v.Text(), "OuterRef(") {
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
