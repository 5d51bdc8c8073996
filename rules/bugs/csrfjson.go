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

//go:embed csrfjson.md
var csrfJSONDoc string

// JSONViewBlockedByCSRF reports a plain Django view that reads a JSON
// body on an unsafe method, is not csrf_exempt, in a project whose
// CsrfViewMiddleware is on and that has no page or script to hand API
// callers a CSRF token: every client but Django's test client gets 403.
var JSONViewBlockedByCSRF = &analyzer.Rule{
	Code:              "BUG029",
	Name:              "json-view-blocked-by-csrf",
	Doc:               csrfJSONDoc,
	Category:          analyzer.Correctness,
	Severity:          analyzer.Error,
	Confidence:        analyzer.Medium,
	Since:             "0.9.0",
	Stack:             project.Django,
	SkipOnSyntaxError: true,
	Skip:              semantic.ProductCode,
	Requires:          []project.Analysis{semantic.Endpoints, semantic.Templates},
	Run:               runJSONViewBlockedByCSRF,
}

// csrfPlumbing are words of Python code that hands a CSRF token to a
// client or trusts one from another origin: a front end is meant to send
// the token.
var csrfPlumbing = []string{"ensure_csrf_cookie", "get_token", "csrf_token", "csrftoken", "x-csrftoken",
	"csrf_trusted_origins", "csrf_cookie", "csrf_header_name", "csrf_use_sessions", "csrfmiddlewaretoken"}

func runJSONViewBlockedByCSRF(p *analyzer.Pass) error {
	ix := p.Project
	if ix.Settings == nil {
		return nil
	}
	mw, known := ix.Settings.Middleware()
	if !known || !containsStr(mw, "django.middleware.csrf.CsrfViewMiddleware") {
		return nil
	}
	inv := semantic.InventoryOf(ix)
	sm := semantic.Of(ix)
	f := sm.File(p.Unit)
	if f == nil {
		return nil
	}
	var cands []*semantic.Endpoint
	for _, e := range inv.ViewsIn(f) {
		if !e.Routed || e.Auth.CSRFExempt || e.Handler == nil {
			continue
		}
		if e.Kind != "function" && e.Kind != "django-view" {
			continue
		}
		if !unsafeMethod(e.Methods) {
			continue
		}
		cands = append(cands, e)
	}
	if len(cands) == 0 || semantic.TemplatesOf(ix).Len() > 0 || csrfTokenHanded(sm) {
		return nil
	}
	seen := map[*semantic.Func]bool{}
	for _, e := range cands {
		if seen[e.Handler] {
			continue
		}
		seen[e.Handler] = true
		read := jsonBodyRead(e.Handler, e.RequestParam)
		if read.IsNil() {
			continue
		}
		route := e.AtRoute()
		p.Report(analyzer.Diagnostic{
			Range: analyzer.RangeOf(e.ViewNode()),
			Message: fmt.Sprintf("`%s`%s reads a JSON body but is not `csrf_exempt`: `CsrfViewMiddleware` answers every %s without a CSRF token with 403, and nothing in the project hands API callers one (Django's test client skips the check, so tests pass)",
				e.ViewName(), route, strings.Join(unsafeOf(e.Methods), "/")),
			Help:    "an API authenticated by something other than the session cookie (a token, a signature) does not need CSRF: decorate the view with `@csrf_exempt`, or serve it with DRF, whose APIView exempts it; keep CSRF if browsers post to it with a session",
			Related: []analyzer.Related{{Range: analyzer.RangeOf(read), Message: "the JSON body read here"}},
		})
	}
	return nil
}

// unsafeMethod reports a method list with POST, PUT, PATCH or DELETE, or
// ANY (a function view without a method restriction).
func unsafeMethod(methods []string) bool {
	return len(unsafeOf(methods)) > 0
}

func unsafeOf(methods []string) []string {
	var out []string
	for _, m := range methods {
		switch m {
		case "POST", "PUT", "PATCH", "DELETE":
			out = append(out, m)
		case "ANY":
			out = append(out, "POST")
		}
	}
	return out
}

// jsonBodyRead returns the first `json.loads(request.body...)` (or
// `json.load(request)`) in the handler's own body, or the zero Node.
func jsonBodyRead(fn *semantic.Func, req string) pyast.Node {
	if req == "" {
		req = "request"
	}
	for call := range pyast.FindEachShallow(pyast.Body(fn.Node), "call") {
		c, _ := pyast.AsCall(call)
		if len(c.Positional) != 1 {
			continue
		}
		switch pyast.Dotted(c.Func) {
		case "json.loads":
			arg := pyast.Unparen(c.Positional[0])
			if ac, ok := pyast.AsCall(arg); ok && ac.MethodName() == "decode" {
				arg = pyast.Unparen(ac.Receiver())
			}
			if pyast.Dotted(arg) == req+".body" {
				return call
			}
		case "json.load":
			if pyast.Dotted(c.Positional[0]) == req {
				return call
			}
		}
	}
	return pyast.Node{}
}

// csrfTokenHanded reports Python code of the project that mentions a CSRF
// token beyond exempting views from it.
func csrfTokenHanded(sm *semantic.Model) bool {
	for _, f := range sm.Files() {
		text := strings.ToLower(f.Unit.Tree.Root().Text())
		if !strings.Contains(text, "csrf") {
			continue
		}
		for _, w := range csrfPlumbing {
			if strings.Contains(text, w) {
				return true
			}
		}
	}
	return false
}
