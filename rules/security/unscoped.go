package security

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed unscoped.md
var unscopedDoc string

// UnscopedObjectAccess reports user-owned rows fetched or listed without
// scoping them to the caller.
var UnscopedObjectAccess = &analyzer.Rule{
	Code:       "SEC015",
	Name:       "object-not-scoped-to-user",
	Doc:        unscopedDoc,
	Category:   analyzer.Security,
	Severity:   analyzer.Error,
	Confidence: analyzer.Medium,
	Since:      "0.2.0",
	Stack:      project.Django,
	Skip:       semantic.ProductCode,
	// Each endpoint that serves another user's rows is its own hole with
	// its own fix: never folded into one finding for the file.
	Distinct: true,
	Requires: []project.Analysis{semantic.Endpoints},
	Run:      runUnscopedObjectAccess,
}

// runUnscopedObjectAccess matches, in the judged endpoints of the file
// (see semantic.Endpoint.Judged), rows of a model owned by a user (a
// foreign-key path to the user model, see semantic.Model.OwnerPath)
// fetched by an identifier the caller chooses (a URL parameter,
// request.data, request.POST, request.GET) with no scoping to the caller
// (see semantic.Model.UnscopedFetches), and DRF views serving a class-level
// queryset of such a model through the framework's list, retrieve, update
// and destroy with nothing that filters it (see
// semantic.Model.UnscopedQueryset). Endpoints for staff only, endpoints
// with a permission class defining has_object_permission (for the actions
// that call get_object), handlers that compare something with
// request.user or check permissions or staff status themselves, webhooks,
// views taking a secret from the URL (possession of the link is the
// authorisation), views that declare themselves open to anyone (AllowAny:
// what they serve is public by design), and views whose protection rubric
// cannot read are left alone.
func runUnscopedObjectAccess(p *analyzer.Pass) error {
	inv := semantic.InventoryOf(p.Project)
	m := semantic.Of(p.Project)
	f := m.File(p.Unit)
	doneFn := map[*semantic.Func]bool{}
	type classLeak struct {
		leak    *semantic.ListLeak
		actions []string
		e       *semantic.Endpoint
	}
	var classOrder []*semantic.Class
	classes := map[*semantic.Class]*classLeak{}
	for _, e := range inv.ViewsIn(f) {
		if !e.Judged(inv) || e.Webhook != nil || e.Guarded() || e.Auth.Unknown || e.SecretInURL() || declaredPublic(e) || publicDesign(e) {
			continue
		}
		if predicateGuard(e) || e.Handler != nil && (checksRoleFlag(e.Handler) || onlyRedirects(e.Handler) || keyedBySecret(e.Handler)) {
			continue
		}
		if e.Handler != nil && e.Handler.File == f && !doneFn[e.Handler] {
			doneFn[e.Handler] = true
			// One finding per model and handler: a second fetch of the
			// same model is usually the other side of the operation (the
			// account a transfer credits), chosen by the caller by design.
			seenModel := map[string]bool{}
			for _, fe := range m.UnscopedFetches(e.Handler) {
				if !seenModel[fe.Model.Qual] {
					seenModel[fe.Model.Qual] = true
					reportFetch(p, e, fe)
				}
			}
			if containsStr(e.Methods, "GET") && e.Webhook == nil {
				if leak := m.HandlerListLeak(e.Handler); leak != nil && !seenModel[leak.Model.Qual] {
					p.Report(analyzer.Diagnostic{
						Range: analyzer.RangeOf(leak.Node),
						Message: fmt.Sprintf("`%s` returns every user's `%s` rows: `%s` is not scoped to the caller (`%s` belongs to a user through `%s`)",
							e.ViewName(), leak.Model.Name, trimText(leak.Node.Text(), 50), leak.Model.Name, leak.OwnerPath),
						Help: fmt.Sprintf("filter by the caller: `%s.objects.filter(%s=request.user)`", leak.Model.Name, leak.OwnerPath),
					})
				}
			}
		}
		if e.Class == nil || e.Handler != nil && e.Handler.Name == e.Action {
			continue
		}
		switch e.Action {
		case "retrieve", "update", "partial_update", "destroy":
			if e.Auth.ObjectPermission {
				continue
			}
		case "list":
		default:
			continue
		}
		cl := classes[e.Class]
		if cl == nil {
			leak := m.UnscopedQueryset(e.Class)
			if leak == nil && (e.Action == "update" || e.Action == "partial_update" || e.Action == "destroy") {
				// The user model: reading other accounts may be the design (a
				// directory), changing or deleting them is not.
				leak = m.UnscopedUsers(e.Class)
			}
			if leak == nil {
				continue
			}
			cl = &classLeak{leak: leak, e: e}
			classes[e.Class] = cl
			classOrder = append(classOrder, e.Class)
		}
		cl.actions = append(cl.actions, e.Action)
	}
	for _, c := range classOrder {
		cl := classes[c]
		if cl.leak.File != f {
			continue
		}
		if cl.leak.OwnerPath == "pk" {
			p.Report(analyzer.Diagnostic{
				Range: analyzer.RangeOf(cl.leak.Node),
				Message: fmt.Sprintf("`%s` lets any caller it admits (%s) %s any `%s` (%s): its queryset is every account, not the caller's own",
					c.Name, cl.e.Auth.Summary, userVerbs(cl.actions), cl.leak.Model.Name, strings.Join(cl.actions, ", ")),
				Help: fmt.Sprintf("for these actions return `%s.objects.filter(pk=self.request.user.pk)` from `get_queryset` (other accounts become 404s), or add a permission class whose `has_object_permission` compares `obj` with `request.user`",
					cl.leak.Model.Name),
			})
			continue
		}
		p.Report(analyzer.Diagnostic{
			Range: analyzer.RangeOf(cl.leak.Node),
			Message: fmt.Sprintf("`%s` serves every user's `%s` rows (%s): its queryset is not scoped to the caller (`%s` belongs to a user through `%s`)",
				c.Name, cl.leak.Model.Name, strings.Join(cl.actions, ", "), cl.leak.Model.Name, cl.leak.OwnerPath),
			Help: fmt.Sprintf("override `get_queryset` to return `%s.objects.filter(%s=self.request.user)` (a list of the caller's rows; other rows become 404s)",
				cl.leak.Model.Name, cl.leak.OwnerPath),
		})
	}
	return nil
}

// userVerbs says what the framework's actions do to an account.
func userVerbs(actions []string) string {
	upd, del := false, false
	for _, a := range actions {
		switch a {
		case "update", "partial_update":
			upd = true
		case "destroy":
			del = true
		}
	}
	switch {
	case upd && del:
		return "change or delete"
	case del:
		return "delete"
	}
	return "change"
}

// declaredPublic reports an endpoint that opens itself to anyone
// (AllowAny, an empty permission_classes, in the class, a decorator or
// get_permissions): what it serves by id (avatars, published boards) is
// public by design, a product decision SEC013 judges for writes.
func declaredPublic(e *semantic.Endpoint) bool {
	if !e.Auth.Public {
		return false
	}
	switch e.Auth.Source {
	case "class", "decorator", "get_permissions", "@action":
		return true
	}
	return false
}

func reportFetch(p *analyzer.Pass, e *semantic.Endpoint, fe semantic.ObjectFetch) {
	c, _ := pyast.AsCall(fe.Call)
	d := analyzer.Diagnostic{
		Range: analyzer.RangeOf(fe.Call),
		Message: fmt.Sprintf("`%s` fetches any user's `%s` by %s (`%s=`) and `%s` serves it: nothing scopes it to `request.user`",
			pyast.OneLine(c.Func, 50), fe.Model.Name, fe.From, fe.Lookup, e.ViewName()),
		Help: fmt.Sprintf("add the owner to the lookup, `%s=request.user` (a missing row is then a 404), or compare the row's `%s` with `request.user` and answer 404 before using it",
			fe.OwnerPath, fe.OwnerPath),
	}
	if args := fe.Call.ChildByField("arguments"); args.Type() == "argument_list" && !c.StarKwargs {
		end := args.EndByte() - 1
		d.Fixes = []analyzer.Fix{{Message: fmt.Sprintf("scope the lookup: `%s=request.user`", fe.OwnerPath),
			Edits:         []analyzer.TextEdit{{Range: analyzer.Range{Start: end, End: end}, NewText: ", " + fe.OwnerPath + "=request.user"}},
			Applicability: analyzer.Unsafe}}
	}
	p.Report(d)
}

// predicateGuard reports a view behind user_passes_test(...) or
// permission_required(...): a test of the caller rubric does not read (a
// staff or reviewer role) or a model permission that grants every row
// decides who may fetch what.
func predicateGuard(e *semantic.Endpoint) bool {
	for _, p := range e.Auth.Permissions {
		switch p[strings.LastIndex(p, ".")+1:] {
		case "user_passes_test", "permission_required":
			return true
		}
	}
	return false
}

// checksRoleFlag reports a handler that reads a role flag of the caller
// (`request.user.is_org_faculty`, `self.request.user.is_apply_staff`): a
// project's own staff or role check, which decides what the caller may
// see. is_authenticated, is_anonymous and is_active say nothing of a role.
func checksRoleFlag(fn *semantic.Func) bool {
	for a := range pyast.FindEach(fn.Node, "attribute") {
		name := a.ChildByField("attribute").Text()
		if !strings.HasPrefix(name, "is_") {
			continue
		}
		switch name {
		case "is_authenticated", "is_anonymous", "is_active":
			continue
		}
		if obj := a.ChildByField("object"); strings.HasSuffix(obj.Text(), "request.user") {
			return true
		}
	}
	return false
}

// keyedBySecret reports a handler that looks a row up by a secret the
// request carries in its query string or body (`key_qs.filter(key=query_key)`
// with `query_key = request.GET.get("key")`): possession of the key is the
// authorisation, as with a secret in the URL (Endpoint.SecretInURL); or
// that refuses, before anything, unless such a signature or hash matches
// one it computes (a signed link).
func keyedBySecret(fn *semantic.Func) bool {
	secretRead := func(n pyast.Node) bool {
		k, ok := requestKeyRead(n, []string{"request.GET", "request.POST", "request.data", "request.query_params"})
		if !ok {
			return false
		}
		for _, w := range semantic.IdentWords(k) {
			switch w {
			case "token", "secret", "signature", "key", "hash", "code":
				return true
			}
		}
		return false
	}
	body := pyast.Body(fn.Node)
	locals := map[string]bool{}
	for a := range pyast.FindEach(body, "assignment") {
		if l := a.ChildByField("left"); l.Type() == "identifier" && secretRead(a.ChildByField("right")) {
			locals[l.Text()] = true
		}
	}
	carried := func(v pyast.Node) bool {
		v = pyast.Unparen(v)
		return secretRead(v) || v.Type() == "identifier" && locals[v.Text()]
	}
	for n := range pyast.FindEach(body, "call") {
		c, _ := pyast.AsCall(n)
		if m := c.MethodName(); m != "filter" && m != "get" {
			continue
		}
		for _, v := range c.EachKeyword() {
			if carried(v) {
				return true
			}
		}
	}
	// A signed link: the handler refuses unless the signature or hash the
	// request carries matches one it computes (`if not
	// hmac.compare_digest(expected, request.GET["hash"]): return 400`).
	for s := range pyast.EachStatement(body) {
		if s.Type() != "if_statement" || !pyast.LastStatement(s.ChildByField("consequence")).Is("return_statement", "raise_statement") {
			continue
		}
		for cmp := range pyast.FindEach(s.ChildByField("condition"), "call", "comparison_operator") {
			var operands []pyast.Node
			// The branch must be the refusal: `not compare_digest(...)`
			// or `!=` (a branch taken when the hash matches may serve
			// something else and fall through to the lookup for anyone).
			if cmp.Type() == "call" {
				c, _ := pyast.AsCall(cmp)
				if d := pyast.Dotted(c.Func); d != "compare_digest" && !strings.HasSuffix(d, ".compare_digest") {
					continue
				}
				if par := pyast.Unparen(cmp).Parent(); par.Type() != "not_operator" {
					for par.Type() == "parenthesized_expression" {
						par = par.Parent()
					}
					if par.Type() != "not_operator" {
						continue
					}
				}
				operands = c.Positional
			} else if operatorText(cmp) == "!=" {
				operands = cmp.NamedChildren()
			}
			for _, o := range operands {
				if carried(o) {
					return true
				}
			}
		}
	}
	return false
}

// onlyRedirects reports a handler whose every return is a redirect
// (`redirect(...)`, `HttpResponseRedirect(...)`): a legacy URL sending the
// caller to the row's own page, which checks access itself, serves nothing.
func onlyRedirects(fn *semantic.Func) bool {
	n := 0
	for r := range pyast.FindEach(fn.Node, "return_statement") {
		if !pyast.Ancestor(r, "function_definition", "lambda").Equal(fn.Node) {
			continue
		}
		v := r.NamedChild(0)
		c, ok := pyast.AsCall(pyast.Unparen(v))
		if !ok {
			return false
		}
		switch c.MethodName() {
		case "redirect", "HttpResponseRedirect", "HttpResponsePermanentRedirect":
			n++
		default:
			return false
		}
	}
	return n > 0
}

// operatorText is a binary comparison's operator.
func operatorText(cmp pyast.Node) string {
	for _, c := range cmp.Children() {
		if !c.IsNamed() {
			return c.Text()
		}
	}
	return ""
}
