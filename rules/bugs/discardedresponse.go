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

//go:embed discardedresponse.md
var discardedResponseDoc string

// DiscardedResponse reports an HTTP response built as a statement and
// thrown away: the `return` is missing.
var DiscardedResponse = &analyzer.Rule{
	Code:       "BUG022",
	Name:       "response-built-not-returned",
	Doc:        discardedResponseDoc,
	Category:   analyzer.Correctness,
	Severity:   analyzer.Error,
	Confidence: analyzer.High,
	Since:      "0.3.0",
	Stack:      project.Django | project.WebApp,
	Skip:       semantic.Test | semantic.Migration,
	Requires:   requires,
	Run:        runDiscardedResponse,
}

// isResponseMaker reports a qualified name that builds an HTTP response
// and does nothing else.
func isResponseMaker(q string) bool {
	switch q {
	case "rest_framework.response.Response", "django.shortcuts.render", "django.shortcuts.redirect",
		"django.shortcuts.render_to_response", "django.template.response.TemplateResponse",
		"django.template.response.SimpleTemplateResponse", "django.http.JsonResponse", "django.http.response.JsonResponse",
		"django.http.FileResponse", "django.http.StreamingHttpResponse", "ninja.responses.Response":
		return true
	}
	for _, pre := range []string{"django.http.HttpResponse", "django.http.response.HttpResponse"} {
		if strings.HasPrefix(q, pre) && !strings.Contains(q[len(pre):], ".") {
			return true // HttpResponse, HttpResponseForbidden, HttpResponseRedirect...
		}
	}
	return false
}

// runDiscardedResponse matches expression statements in a function that
// are only a call building a response: Django's and DRF's response
// classes, render/redirect, or a plain function of the project whose
// every return builds one (`custom_response(...)`). Nothing else uses the
// object, so the function goes on and returns something else (or None).
func runDiscardedResponse(p *analyzer.Pass) error {
	f := semantic.Of(p.Project).File(p.Unit)
	for st := range pyast.FindEach(p.Root, "expression_statement") {
		call := st.NamedChild(0)
		if call.Type() != "call" || st.NamedChildCount() != 1 || pyast.EnclosingFunction(st).IsNil() {
			continue
		}
		c, _ := pyast.AsCall(call)
		what := ""
		if q, ok := p.Imports.Resolve(c.Func); ok && isResponseMaker(q) {
			what = q[strings.LastIndex(q, ".")+1:]
		} else if fn, _ := f.Callee(call); fn != nil && fn.Class == nil && buildsResponse(fn) {
			what = fn.Name
		}
		if what == "" {
			continue
		}
		p.Report(analyzer.Diagnostic{
			Range:   analyzer.RangeOf(call),
			Message: fmt.Sprintf("the response built by `%s(...)` is thrown away: without `return` the function carries on as if nothing happened", what),
			Help:    fmt.Sprintf("`return %s(...)`", pyast.Dotted(c.Func)),
		})
	}
	return nil
}

// buildsResponse reports a plain, undecorated project function whose every
// return statement returns a call that builds a response.
func buildsResponse(fn *semantic.Func) bool {
	n := fn.Node
	if n.Type() != "function_definition" || n.Parent().Type() == "decorated_definition" || fn.File == nil {
		return false
	}
	rets := pyast.FindAllShallow(pyast.Body(n), "return_statement")
	if len(rets) == 0 {
		return false
	}
	im := fn.File.Unit.Imports
	empty := true
	for _, r := range rets {
		v := pyast.Unparen(r.NamedChild(0))
		c, ok := pyast.AsCall(v)
		if !ok {
			return false
		}
		if q, ok := im.Resolve(c.Func); !ok || !isResponseMaker(q) {
			return false
		}
		empty = empty && len(c.Positional) == 0 && len(c.Keywords) == 0
	}
	// A function that does its work (`djangologout(request)`) and then
	// answers a bare `HttpResponse()` (an empty 200) is called for what it
	// does: its response says nothing a caller could lose.
	if empty && sideEffects(pyast.Body(n)) {
		return false
	}
	return true
}

// sideEffects reports a body with a call statement of its own (not only
// the returned response).
func sideEffects(body pyast.Node) bool {
	for st := range pyast.EachStatement(body) {
		if st.Type() == "expression_statement" && pyast.Unparen(st.NamedChild(0)).Type() == "call" {
			return true
		}
	}
	return false
}
