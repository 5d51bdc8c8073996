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

//go:embed csrfsession.md
var csrfSessionDoc string

// CSRFExemptSessionView reports csrf_exempt on views that authenticate
// with the session cookie.
var CSRFExemptSessionView = &analyzer.Rule{
	Code:       "SEC016",
	Name:       "csrf-exempt-session-view",
	Doc:        csrfSessionDoc,
	Category:   analyzer.Security,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.2.0",
	Stack:      project.Django,
	Skip:       semantic.ProductCode,
	Requires:   []project.Analysis{semantic.Endpoints},
	Run:        runCSRFExemptSessionView,
}

// runCSRFExemptSessionView matches judged Django views (functions and
// class-based views, not DRF, which enforces CSRF itself for session
// authentication) exempted from CSRF (decorator, method_decorator or a
// URLconf wrapper) that accept an unsafe method and rely on the session:
// login_required, the auth mixins or LoginRequiredMiddleware (high
// confidence), or request.user read in the handler (medium). Views that
// authenticate by hand from an Authorization or token header before they
// act (semantic.Auth.HeaderToken) are left alone: a cross-site form cannot
// send that header. Webhooks,
// which authenticate with a signature, and the endpoints an identity
// provider posts back to (OAuth, SAML, social sign-in callbacks) are left
// alone.
func runCSRFExemptSessionView(p *analyzer.Pass) error {
	inv := semantic.InventoryOf(p.Project)
	f := semantic.Of(p.Project).File(p.Unit)
	seen := map[string]bool{}
	for _, e := range inv.ViewsIn(f) {
		if !e.Judged(inv) || !e.Auth.CSRFExempt || e.Webhook != nil || !e.AcceptsUnsafe() || seen[e.View] {
			continue
		}
		if e.Kind != "function" && e.Kind != "django-view" {
			continue
		}
		if !e.Auth.Session && !e.Auth.UsesUser || e.Auth.HeaderToken || identityCallback(e) || paymentReturn(e) || reprotects(e) {
			continue
		}
		if ajaxOnly(e) && !credentialedCORS(p.Project.Settings) {
			continue // refuses requests without X-Requested-With: another site's page needs a CORS preflight to send it
		}
		if !formMethod(e) && !credentialedCORS(p.Project.Settings) {
			continue // PUT, PATCH, DELETE only: another site's page needs a CORS preflight the server does not grant
		}
		seen[e.View] = true
		conf := analyzer.High
		how := "its callers log in with the session cookie (" + e.Auth.Summary + ")"
		if !e.Auth.Session {
			conf = analyzer.Medium
			how = "it reads `request.user`, which the session cookie authenticates"
		}
		at := csrfDecorator(e)
		if at.IsNil() {
			at = e.ViewNode()
		}
		p.Report(analyzer.Diagnostic{
			Range:      analyzer.RangeOf(at),
			Confidence: conf,
			Message:    fmt.Sprintf("`%s` is exempt from CSRF but %s: another site can post to it as a logged-in user", e.ViewName(), how),
			Help:       fmt.Sprintf("remove `csrf_exempt` from `%s` and send the CSRF token (`{%% csrf_token %%}`, or the `X-CSRFToken` header from the `csrftoken` cookie); an API for non-browser clients should authenticate with a token instead of the session", e.ViewName()),
		})
	}
	return nil
}

// reprotects reports a view whose own code wraps what it serves in
// `csrf_protect(...)` (`if request.user.is_authenticated: view =
// csrf_protect(view)`: a GraphQL endpoint exempt for bearer-token clients
// that checks the token again for the session's): it enforces CSRF itself
// where it decides the cookie is in play.
func reprotects(e *semantic.Endpoint) bool {
	v := e.Node
	if e.Class != nil {
		v = e.Class.Node
	}
	if v.IsNil() || !strings.Contains(v.Text(), "csrf_protect") {
		return false
	}
	for n := range pyast.FindEach(v, "call") {
		if string(pyast.CalleeName(n)) == "csrf_protect" {
			return true
		}
	}
	return false
}

// ajaxOnly reports a view whose handler opens with a guard refusing
// requests that are not XMLHttpRequests: an `if` among its top-level
// statements whose condition is `not request.is_ajax()` or
// `request.headers.get("X-Requested-With") != "XMLHttpRequest"` (alone or
// one operand of an `or`) and whose branch returns or raises. A cross-site
// form cannot set that header, and a script on another origin sets it only
// after a CORS preflight the server does not grant: the custom header is
// the CSRF defence (a guard combined with `and` refuses less and does not
// count).
func ajaxOnly(e *semantic.Endpoint) bool {
	if e.Handler == nil {
		return false
	}
	for _, st := range pyast.Statements(pyast.Body(e.Handler.Node)) {
		if st.Type() != "if_statement" || !refusesNonAjax(st.ChildByField("condition")) {
			continue
		}
		if len(pyast.FindAll(st.ChildByField("consequence"), "return_statement", "raise_statement")) > 0 {
			return true
		}
	}
	return false
}

// refusesNonAjax reports a condition that holds for a request without the
// X-Requested-With header (see ajaxOnly).
func refusesNonAjax(cond pyast.Node) bool {
	cond = pyast.Unparen(cond)
	switch cond.Type() {
	case "boolean_operator":
		if cond.ChildByField("operator").Text() != "or" {
			return false
		}
		return refusesNonAjax(cond.ChildByField("left")) || refusesNonAjax(cond.ChildByField("right"))
	case "not_operator":
		c, ok := pyast.AsCall(pyast.Unparen(cond.ChildByField("argument")))
		return ok && c.MethodName() == "is_ajax"
	case "comparison_operator":
		if !strings.Contains(cond.Text(), "!=") {
			return false
		}
		for _, side := range pyast.Statements(cond) {
			if v, ok := pyast.StringValue(pyast.Unparen(side)); ok && v == "XMLHttpRequest" {
				return true
			}
		}
	}
	return false
}

// formMethod reports an endpoint that takes a POST (or any method): what
// a cross-site form or a simple fetch sends with the session cookie and no
// preflight. A view routed only for PUT, PATCH or DELETE
// (`@require_http_methods(["DELETE"])`) is reached cross-site only after a
// CORS preflight.
func formMethod(e *semantic.Endpoint) bool {
	for _, m := range e.Methods {
		if m == "POST" || m == "ANY" {
			return true
		}
	}
	return false
}

// credentialedCORS reports settings that may let other origins send
// credentialed requests (CORS_ALLOW_CREDENTIALS set to anything but False):
// then a preflight may be granted, and PUT or DELETE are forgeable too.
func credentialedCORS(s *project.Settings) bool {
	for _, st := range s.Get("CORS_ALLOW_CREDENTIALS") {
		if st.Value != project.ValueFalse {
			return true
		}
	}
	return false
}

// identityWords name the endpoints an identity provider posts back to
// (OAuth, SAML, social sign-in): exempt from CSRF by design, the state
// parameter or the assertion protects them.
var identityWords = map[string]bool{"oauth": true, "oauth2": true, "sso": true, "saml": true, "acs": true,
	"social": true, "socialauth": true, "complete": true, "callback": true, "oidc": true}

func identityCallback(e *semantic.Endpoint) bool { return namedFor(e, identityWords) }

// paymentReturnWords name the pages a payment provider sends the buyer
// back to (PayPal's PDT thank-you page, a hosted form's relay or return
// URL, IPN, Authorize.Net's and Payflow's silent post): the provider's own form posts there, so it cannot carry this
// site's CSRF token.
var paymentReturnWords = map[string]bool{"thank": true, "thankyou": true, "ipn": true, "pdt": true, "relay": true, "silent": true}

// paymentWords mark a payment module's path.
var paymentWords = map[string]bool{"payment": true, "payments": true, "paypal": true, "checkout": true, "billing": true}

// paymentReturn reports a payment module's return page (exempt from CSRF
// by design).
func paymentReturn(e *semantic.Endpoint) bool {
	if e.File == nil || e.File.Unit == nil || !namedFor(e, paymentReturnWords) {
		return false
	}
	for _, w := range semantic.IdentWords(strings.ReplaceAll(e.File.Unit.Rel(), "/", "_")) {
		if paymentWords[w] {
			return true
		}
	}
	return false
}

// csrfDecorator returns the csrf_exempt decorator of the view's handler or
// class, or the zero Node.
func csrfDecorator(e *semantic.Endpoint) pyast.Node {
	var defs []pyast.Node
	if e.Handler != nil {
		defs = append(defs, e.Handler.Node)
	}
	if e.Class != nil {
		defs = append(defs, e.Class.Node)
	}
	for _, def := range defs {
		if e.Handler != nil && e.Handler.File != e.File {
			continue
		}
		for _, d := range pyast.Decorators(def) {
			found := false
			pyast.Inspect(d, func(n pyast.Node) bool {
				if n.Type() == "identifier" && n.Text() == "csrf_exempt" {
					found = true
				}
				return !found
			})
			if found {
				return d
			}
		}
	}
	return pyast.Node{}
}
