package security

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// webhookView is a request handler that receives raw webhook payloads.
type webhookView struct {
	fn       pyast.Node // function_definition
	request  string     // the request parameter's name
	bodyRead pyast.Node // first read of the raw body (request.body, request.read())
	asgi     bool       // FastAPI/Starlette, where no framework limit applies
}

// requestParam returns the name of fn's request parameter: the first
// parameter after self/cls when named request or req (Django), or, in a
// FastAPI/Starlette module, any parameter so named.
func requestParam(p *analyzer.Pass, fn pyast.Node) string {
	ps := pyast.ParamNames(fn)
	if len(ps) > 0 && (ps[0] == "self" || ps[0] == "cls") {
		ps = ps[1:]
	}
	if len(ps) > 0 && (ps[0] == "request" || ps[0] == "req") {
		return ps[0]
	}
	if importsASGI(p) {
		for _, name := range ps {
			if name == "request" || name == "req" {
				return name
			}
		}
	}
	return ""
}

// importsASGI reports whether the file imports FastAPI or Starlette.
func importsASGI(p *analyzer.Pass) bool {
	for _, m := range p.Imports.Modules {
		if m == "fastapi" || m == "starlette" || strings.HasPrefix(m, "fastapi.") || strings.HasPrefix(m, "starlette.") {
			return true
		}
	}
	return false
}

// routedAsWebhook reports whether a decorator of fn routes a path with
// "webhook" in it (@router.post("/webhooks/stripe")).
func routedAsWebhook(fn pyast.Node) bool {
	for _, d := range pyast.Decorators(fn) {
		c, ok := pyast.AsCall(d)
		if !ok {
			continue
		}
		if s, ok := pyast.StringValue(c.Arg(0, "path")); ok && strings.Contains(strings.ToLower(s), "webhook") {
			return true
		}
	}
	return false
}

// webhookViews returns the webhook handlers of a file: functions (or
// methods of view classes) with a request parameter (see requestParam),
// which are @csrf_exempt (directly, or through method_decorator on the
// class; csrf_exempt(view) in urls.py is not seen), carry "webhook" in their
// own name or routed path, or are post/put/patch/dispatch/create methods of
// a class named webhook, and which read the raw body.
// Built once per file and shared by the three rules that ask.
func webhookViews(p *analyzer.Pass) []webhookView { return webhookViewsOf.Get(p.Unit, p.Project) }

var webhookViewsOf = &project.FileAnalysis[[]webhookView]{Name: "security.webhookViews", Run: func(u *project.Unit, ix *project.Index) []webhookView {
	p := &analyzer.Pass{Unit: u, File: u.File, Tree: u.Tree, Root: u.Tree.Root(), Imports: u.Imports, Project: ix}
	var out []webhookView
	for _, n := range pyast.FindAll(p.Root, "function_definition") {
		request := requestParam(p, n)
		if request == "" {
			continue
		}
		if !isCSRFExempt(p, n) && !hasWord(pyast.DefName(n), "webhook", "webhooks") && !routedAsWebhook(n) &&
			!(isMethod(n) && viewMethods[pyast.DefName(n)] && hasWord(pyast.DefName(pyast.EnclosingClass(n)), "webhook", "webhooks")) {
			continue
		}
		read := firstBodyRead(n, request)
		if read.IsNil() {
			continue
		}
		out = append(out, webhookView{fn: n, request: request, bodyRead: read, asgi: importsASGI(p)})
	}
	return out
}}

// viewMethods are the methods of class-based views that receive a POST.
var viewMethods = map[string]bool{"post": true, "put": true, "patch": true, "dispatch": true, "create": true}

func isMethod(fn pyast.Node) bool {
	b := fn.Parent()
	if b.Type() == "decorated_definition" {
		b = b.Parent()
	}
	return b.Type() == "block" && b.Parent().Type() == "class_definition"
}

func hasWord(name string, want ...string) bool {
	for _, w := range words(name) {
		for _, x := range want {
			if w == x {
				return true
			}
		}
	}
	return false
}

// isCSRFExempt reports whether fn, or the class holding it, is decorated
// with csrf_exempt (bare, through method_decorator, or any decorator
// mentioning it).
func isCSRFExempt(p *analyzer.Pass, fn pyast.Node) bool {
	check := func(def pyast.Node) bool {
		for _, d := range pyast.Decorators(def) {
			found := false
			pyast.Inspect(d, func(m pyast.Node) bool {
				if m.Type() == "identifier" && m.Text() == "csrf_exempt" {
					found = true
				}
				return !found
			})
			if found {
				return true
			}
		}
		return false
	}
	if check(fn) {
		return true
	}
	if isMethod(fn) {
		return check(pyast.EnclosingClass(fn))
	}
	return false
}

// firstBodyRead returns the first `request.body`, `request.read()` or
// `request.stream` under fn.
func firstBodyRead(fn pyast.Node, request string) pyast.Node {
	var found pyast.Node
	pyast.Inspect(fn, func(m pyast.Node) bool {
		if !found.IsNil() {
			return false
		}
		if m.Type() == "attribute" && m.ChildByField("object").Type() == "identifier" &&
			m.ChildByField("object").Text() == request {
			switch m.ChildByField("attribute").Text() {
			case "body", "read", "stream":
				found = m
			}
		}
		return found.IsNil()
	})
	return found
}

// functionWords collects the lower-case words of every identifier, attribute
// name and string in fn, its decorators, its class's decorators and
// attributes (for methods), and the same-file functions it calls directly.
func functionWords(p *analyzer.Pass, fn pyast.Node) map[string]bool {
	ws := map[string]bool{}
	defs := map[string]pyast.Node{}
	for _, s := range pyast.Statements(p.Root) {
		def := s
		if def.Type() == "decorated_definition" {
			def = def.ChildByField("definition")
		}
		if def.Type() == "function_definition" {
			defs[pyast.DefName(def)] = def
		}
	}
	seen := map[int32]bool{}
	var add func(n pyast.Node, follow bool)
	add = func(n pyast.Node, follow bool) {
		if n.IsNil() || seen[n.ID()] {
			return
		}
		seen[n.ID()] = true
		pyast.Inspect(n, func(m pyast.Node) bool {
			switch m.Type() {
			case "identifier":
				for _, w := range words(m.Text()) {
					ws[w] = true
				}
				if follow {
					if def, ok := defs[m.Text()]; ok && m.Parent().Type() == "call" {
						add(def, false)
					}
				}
			case "string_content":
				for _, w := range words(m.Text()) {
					ws[w] = true
				}
			}
			return true
		})
	}
	add(fn.Parent(), true) // decorated_definition when decorated
	add(fn, true)
	if isMethod(fn) {
		cls := pyast.EnclosingClass(fn)
		for _, d := range pyast.Decorators(cls) {
			add(d, false)
		}
		for _, s := range pyast.Statements(pyast.Body(cls)) {
			if s.Type() == "expression_statement" {
				add(s, false)
			}
		}
	}
	return ws
}

func anyWord(ws map[string]bool, want ...string) bool {
	for _, w := range want {
		if ws[w] {
			return true
		}
	}
	return false
}

// hasPrefixWord reports whether some word starts with one of the prefixes.
func hasPrefixWord(ws map[string]bool, prefixes ...string) bool {
	for w := range ws {
		for _, pre := range prefixes {
			if strings.HasPrefix(w, pre) {
				return true
			}
		}
	}
	return false
}

// passesRequest reports whether fn hands the whole request object to a
// call (which may verify it where rubric cannot see).
func passesRequest(fn pyast.Node, request string) bool {
	found := false
	for _, c := range pyast.FindAllShallow(pyast.Body(fn), "call") {
		call, _ := pyast.AsCall(c)
		for _, a := range call.Positional {
			if a.Type() == "identifier" && a.Text() == request {
				found = true
			}
		}
		for _, v := range call.Keywords {
			if v.Type() == "identifier" && v.Text() == request {
				found = true
			}
		}
	}
	return found
}
