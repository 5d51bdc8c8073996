// Package httpclient holds the NET family: outbound HTTP calls made with
// requests and httpx (timeouts, TLS verification, status checks).
package httpclient

import (
	"strconv"
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// lib is the HTTP library behind a call.
type lib string

const (
	libRequests lib = "requests"
	libHTTPX    lib = "httpx"
)

// verbs are the request functions of both libraries' modules and of their
// sessions and clients.
var verbs = map[string]bool{
	"get": true, "post": true, "put": true, "patch": true, "delete": true,
	"head": true, "options": true, "request": true,
}

// sessionVerbs adds what only sessions and clients have.
var sessionVerbs = map[string]bool{"send": true, "stream": true}

// constructors create a session or client whose methods make requests.
var constructors = map[string]lib{
	"requests.Session": libRequests, "requests.session": libRequests,
	"requests.sessions.Session": libRequests, "requests.sessions.session": libRequests,
	"httpx.Client": libHTTPX, "httpx.AsyncClient": libHTTPX,
}

// httpCall is an outbound request: `requests.post(...)`, `s.get(...)` on a
// known session, `httpx.get(...)`.
type httpCall struct {
	pyast.Call
	Lib     lib
	Session bool // made through a session or client, not a module function
	Verb    string
}

// clients knows which names of one file hold requests sessions or httpx
// clients, and where each was created.
type clients struct {
	im *pyast.Imports
	// byScope maps scope id + ":" + dotted name to the library. The scope
	// is the defining function for local names, the class for self.x /
	// cls.x, and -1 for module names.
	byScope map[string]lib
	// mounted names have a transport adapter mounted (it may set a timeout).
	mounted map[string]bool
}

func scopeKey(scope int32, name string) string {
	return strconv.Itoa(int(scope)) + ":" + name
}

// scopeOf returns the scope a dotted name used at node n belongs to.
func scopeOf(n pyast.Node, name string) int32 {
	if strings.HasPrefix(name, "self.") || strings.HasPrefix(name, "cls.") {
		if c := pyast.EnclosingClass(n); !c.IsNil() {
			return c.ID()
		}
		return -1
	}
	if f := pyast.Ancestor(n, "function_definition", "lambda"); !f.IsNil() {
		return f.ID()
	}
	return -1
}

// findClients scans the file for `x = requests.Session()`, `self.client =
// httpx.Client(...)`, `with requests.Session() as s:` and `x.mount(...)`.
func findClients(root pyast.Node, im *pyast.Imports) *clients {
	cs := &clients{im: im, byScope: map[string]lib{}, mounted: map[string]bool{}}
	bind := func(at pyast.Node, target pyast.Node, value pyast.Node) {
		name := pyast.Dotted(target)
		if name == "" {
			return
		}
		if l, ok := cs.constructed(value); ok {
			cs.byScope[scopeKey(scopeOf(at, name), name)] = l
		}
	}
	for n := range pyast.FindEach(root, "assignment", "as_pattern", "call") {
		switch n.Type() {
		case "assignment":
			bind(n, n.ChildByField("left"), n.ChildByField("right"))
		case "as_pattern":
			if n.Parent().Type() == "with_item" {
				bind(n, n.ChildByField("alias").NamedChild(0), n.NamedChild(0))
			}
		case "call":
			if string(pyast.CalleeName(n)) != "mount" {
				continue
			}
			c, _ := pyast.AsCall(n)
			if name := pyast.Dotted(c.Receiver()); name != "" {
				cs.mounted[scopeKey(scopeOf(n, name), name)] = true
			}
		}
	}
	return cs
}

// constructed reports whether e creates a session or client.
func (cs *clients) constructed(e pyast.Node) (lib, bool) {
	c, ok := pyast.AsCall(pyast.Unparen(e))
	if !ok {
		return "", false
	}
	q, ok := cs.im.Resolve(c.Func)
	if !ok {
		return "", false
	}
	l, ok := constructors[q]
	return l, ok
}

// lookup finds the library of the session or client named by receiver r
// used at node at, searching its scope then the module.
func (cs *clients) lookup(at, r pyast.Node) (lib, string, bool) {
	name := pyast.Dotted(r)
	if name == "" {
		// requests.Session().get(...)
		if l, ok := cs.constructed(r); ok {
			return l, "", true
		}
		return "", "", false
	}
	// The innermost scope first, then enclosing functions (closures), then
	// the module.
	var keys []string
	if strings.HasPrefix(name, "self.") || strings.HasPrefix(name, "cls.") {
		keys = append(keys, scopeKey(scopeOf(at, name), name))
	} else {
		for f := pyast.Ancestor(at, "function_definition", "lambda"); !f.IsNil(); f = pyast.Ancestor(f, "function_definition", "lambda") {
			keys = append(keys, scopeKey(f.ID(), name))
		}
	}
	keys = append(keys, scopeKey(-1, name))
	for _, key := range keys {
		if l, ok := cs.byScope[key]; ok {
			return l, key, true
		}
	}
	return "", "", false
}

// call decodes n as an outbound request.
func (cs *clients) call(n pyast.Node) (httpCall, bool) {
	c, ok := pyast.AsCall(n)
	if !ok || c.Func.Type() != "attribute" && c.Func.Type() != "identifier" {
		return httpCall{}, false
	}
	if q, ok := cs.im.Resolve(c.Func); ok {
		mod, verb, _ := strings.Cut(q, ".")
		verb = strings.TrimPrefix(verb, "api.") // requests.api.get
		if (mod == "requests" || mod == "httpx") && verbs[verb] {
			return httpCall{Call: c, Lib: lib(mod), Verb: verb}, true
		}
		return httpCall{}, false
	}
	verb := c.MethodName()
	if c.Func.Type() != "attribute" || !verbs[verb] && !sessionVerbs[verb] {
		return httpCall{}, false
	}
	l, _, ok := cs.lookup(n, c.Receiver())
	if !ok {
		return httpCall{}, false
	}
	return httpCall{Call: c, Lib: l, Session: true, Verb: verb}, true
}

// mountedAdapter reports whether the session the call goes through has an
// adapter mounted in the file.
func (cs *clients) mountedAdapter(hc httpCall) bool {
	if !hc.Session {
		return false
	}
	_, key, _ := cs.lookup(hc.Node, hc.Receiver())
	return key != "" && cs.mounted[key]
}

// importsHTTP reports whether the file imports requests or httpx at all:
// without it no call can be recognised, and the walk is skipped.
func importsHTTP(im *pyast.Imports) bool {
	for _, m := range im.Modules {
		h, _, _ := strings.Cut(m, ".")
		if h == "requests" || h == "httpx" {
			return true
		}
	}
	return false
}
