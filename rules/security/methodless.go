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

//go:embed methodless.md
var methodlessDoc string

// StateChangeAnyMethod reports function views that change state whatever
// the HTTP method.
var StateChangeAnyMethod = &analyzer.Rule{
	Code:       "SEC017",
	Name:       "state-change-without-method-check",
	Doc:        methodlessDoc,
	Category:   analyzer.Security,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.2.0",
	Stack:      project.Django,
	Skip:       semantic.ProductCode,
	Requires:   []project.Analysis{semantic.Endpoints},
	Run:        runStateChangeAnyMethod,
}

// changeVerbs name a view that changes state by design.
var changeVerbs = map[string]bool{"create": true, "update": true, "delete": true, "remove": true, "add": true,
	"edit": true, "pay": true, "buy": true, "purchase": true, "transfer": true, "withdraw": true, "deposit": true,
	"cancel": true, "approve": true, "reject": true, "refund": true, "send": true, "charge": true, "order": true,
	"orders": true, "topup": true, "close": true, "change": true, "move": true, "new": true, "save": true,
	"submit": true, "destroy": true, "register": true, "book": true, "assign": true, "archive": true, "publish": true}

// verbNamed reports whether a view's name or route names a change of
// state (create_wallet, /txs/<id>/delete/, my_orders).
func verbNamed(e *semantic.Endpoint) bool { return namedFor(e, changeVerbs) }

// runStateChangeAnyMethod matches judged Django function views with no
// method restriction (no require_POST, require_http_methods or
// require_safe, in decorators or URLconf wrappers; not @api_view) that
// write rows, move money or queue tasks, directly or through the project
// functions they call, never read request.method nor validate a form
// (in the handler or the functions it calls, two calls deep)
// (a form bound to request.POST does not validate on a GET), and whose name or
// route names a change (create, update, delete, pay, transfer, order...).
// Views whose GET is part of a flow by design are left alone: webhooks,
// views named for sign-in, activation, confirmation or OAuth, and views
// taking a secret from the URL (e-mail links). Bookkeeping on GET (marking
// a notification read, filling a thumbnail cache) is not named so and is
// not reported.
func runStateChangeAnyMethod(p *analyzer.Pass) error {
	inv := semantic.InventoryOf(p.Project)
	f := semantic.Of(p.Project).File(p.Unit)
	for _, e := range inv.ViewsIn(f) {
		if e.Kind != "function" || e.Restricted || !e.Judged(inv) || e.Webhook != nil || !e.Writes() && e.Does.CreatesAtProvider() == nil {
			continue
		}
		if e.SecretInURL() || identityCallback(e) || !verbNamed(e) {
			continue
		}
		if w := getOnlyWrite(e); w != nil {
			// The view reads the method, and changes state where it is a GET.
			d := analyzer.Diagnostic{
				Range: analyzer.RangeOf(w.Entry),
				Message: fmt.Sprintf("view `%s` runs `%s` on a GET: it sits in a branch a GET takes and a POST never does, so a link, a prefetch or a crawler changes state",
					e.ViewName(), trimText(w.Name, 50)),
				Help: "do it under the POST branch only, and answer other methods with 405 (`@require_http_methods`)",
			}
			p.Report(d)
			continue
		}
		body := semantic.Of(p.Project).ReachText(e.Handler, 2)
		if strings.Contains(body, ".method") || strings.Contains(body, "is_valid(") || publicDesign(e) || parsesBodyFirst(e) {
			continue
		}
		w := e.Does.FirstWrite()
		if w == nil {
			w = e.Does.CreatesAtProvider() // a payment object made at the provider on every GET
		}
		what := "changes state"
		if w != nil && w.Name != "" {
			what = "runs `" + trimText(w.Name, 50) + "`"
		}
		d := analyzer.Diagnostic{
			Range:   analyzer.RangeOf(e.ViewNode()),
			Message: fmt.Sprintf("view `%s` %s whatever the HTTP method: a GET (a link, a prefetch, a crawler) changes state", e.ViewName(), what),
			Help:    fmt.Sprintf("decorate `%s` with `@require_POST` (from `django.views.decorators.http`), or `@require_http_methods([\"POST\"])` with the methods it serves", e.ViewName()),
		}
		if w != nil && w.File == f && !w.Call.IsNil() {
			d.Related = []analyzer.Related{{Range: analyzer.RangeOf(w.Call), Message: "state changed here"}}
		}
		p.Report(d)
	}
	return nil
}

// getOnlyWrite returns the first state change of e (a row written, a task
// queued, money moved) whose call in the handler a GET reaches and a POST
// never does (semantic.ServedOn): the `else` of `if request.method ==
// "POST"`, the body of `if request.method == "GET"`, the last branch of an
// elif chain over the unsafe methods.
func getOnlyWrite(e *semantic.Endpoint) *semantic.Effect {
	for i := range e.Does.Effects {
		w := &e.Does.Effects[i]
		if w.Kind != semantic.WriteRows && w.Kind != semantic.QueueTask && !w.Money || w.Entry.IsNil() {
			continue
		}
		if semantic.ServedOn(e.Handler, w.Entry, "GET") && !semantic.ServedOn(e.Handler, w.Entry, "POST") {
			return w
		}
	}
	return nil
}

// parsesBodyFirst reports a view whose first statement is a `try` that
// parses the raw request body as JSON (`post_data =
// orjson.loads(request.body)`) and whose handlers answer (`except
// ValueError: return JsonResponse(..., status=400)`): a GET from a link, a
// prefetch or a crawler carries no body, so the view refuses it before
// anything is written. An unguarded parse is left to the rule: the view
// answers such a GET with a 500, and nothing says it wants a body.
func parsesBodyFirst(e *semantic.Endpoint) bool {
	if e.Handler == nil || e.RequestParam == "" {
		return false
	}
	sts := pyast.Statements(pyast.Body(e.Handler.Node))
	for len(sts) > 0 && sts[0].Type() == "expression_statement" && sts[0].NamedChild(0).Type() == "string" {
		sts = sts[1:] // the docstring
	}
	if len(sts) == 0 {
		return false
	}
	first := sts[0]
	if first.Type() != "try_statement" {
		return false
	}
	// Every handler of the try answers (returns or raises): the view
	// refuses a request without a readable body, a 400 rather than a crash.
	for h := range first.Named() {
		if h.Type() != "except_clause" {
			continue
		}
		if len(pyast.FindAll(h, "return_statement", "raise_statement")) == 0 {
			return false
		}
	}
	inner := pyast.Statements(first.ChildByField("body"))
	if len(inner) == 0 {
		return false
	}
	first = inner[0]
	if first.Type() != "expression_statement" || first.NamedChild(0).Type() != "assignment" {
		return false
	}
	for call := range pyast.FindEach(first.NamedChild(0).ChildByField("right"), "call") {
		c, ok := pyast.AsCall(call)
		if !ok || c.MethodName() != "loads" || len(c.Positional) == 0 {
			continue
		}
		arg := pyast.Unparen(c.Positional[0])
		if strings.HasPrefix(arg.Text(), e.RequestParam+".body") {
			return true
		}
	}
	return false
}
