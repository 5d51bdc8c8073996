package design

import (
	_ "embed"
	"net"
	"net/url"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed localurl.md
var localURLDoc string

// LocalURLHandedOut reports a URL on the developer's machine (localhost,
// 127.0.0.1, 0.0.0.0) or on a placeholder domain (example.com) handed to
// someone outside the process: the return and callback addresses given to
// a payment provider or an OAuth server, and the links an endpoint builds
// for its clients.
var LocalURLHandedOut = &analyzer.Rule{
	Code:       "ARC010",
	Name:       "local-url-handed-out",
	Doc:        localURLDoc,
	Category:   analyzer.Design,
	Severity:   analyzer.Warning,
	Confidence: analyzer.High,
	Since:      "0.21.0",
	Skip:       semantic.Test | semantic.Migration | semantic.Settings,
	Run:        runLocalURLHandedOut,
}

// handedOutWords mark a keyword or key naming an address another party
// follows: a provider sends the buyer back to it (success_url, return_url,
// cancel_url), calls it (callback_url, webhook_url, notify_url) or an
// OAuth server redirects to it (redirect_uri).
var handedOutWords = []string{"success", "cancel", "return", "redirect", "callback", "notif", "notify",
	"webhook", "refresh", "fail", "error", "back", "result", "ipn", "confirm", "complete", "done"}

// handedOutName reports whether a keyword or key names such an address:
// it ends with url or uri and holds one of handedOutWords.
func handedOutName(name string) bool {
	low := strings.ToLower(name)
	if !strings.HasSuffix(low, "url") && !strings.HasSuffix(low, "uri") {
		return false
	}
	for _, w := range handedOutWords {
		if strings.Contains(low, w) {
			return true
		}
	}
	return false
}

// linkName reports whether an assigned name or a response key names a
// link: it holds url, uri or link.
func linkName(name string) bool {
	low := strings.ToLower(name)
	return strings.Contains(low, "url") || strings.Contains(low, "uri") || strings.Contains(low, "link")
}

// runLocalURLHandedOut reads, in product code (tests, migrations and
// settings modules are skipped: a settings default is the environment's
// business):
//   - keyword arguments and string-keyed dictionary entries named for an
//     address another party follows (handedOutName) whose value starts
//     with a URL on a local or placeholder host: a literal, an f-string or
//     a concatenation whose leading text holds the whole host, or a name
//     bound once to one in the function or the module;
//   - a link built per object on such a host (an f-string or a
//     concatenation with the object's part after it) assigned to a name,
//     or put under a key, that names a link (linkName).
//
// A class attribute named for such an address (a Django view's
// `success_url`) is handed out too. One finding per value handed out; a
// link reported where it is handed out is not reported again where it was
// built.
func runLocalURLHandedOut(p *analyzer.Pass) error {
	if madeUpData(p.File.Rel) {
		return nil
	}
	type site struct {
		name   string
		value  pyast.Node
		handed bool
		// entry marks a dictionary entry: made-up contexts (an e-mail
		// preview's) fill those with placeholder domains.
		entry bool
	}
	var handed, built []site
	for n := range pyast.FindEach(p.Root, "keyword_argument", "pair", "assignment") {
		var s site
		switch n.Type() {
		case "keyword_argument":
			s = site{name: n.ChildByField("name").Text(), value: n.ChildByField("value")}
			s.handed = handedOutName(s.name)
		case "pair":
			k, ok := pyast.StringValue(n.ChildByField("key"))
			if !ok {
				continue
			}
			s = site{name: k, value: n.ChildByField("value"), entry: true}
			s.handed = handedOutName(s.name)
		case "assignment":
			left := n.ChildByField("left")
			switch left.Type() {
			case "identifier":
				s = site{name: left.Text(), value: n.ChildByField("right")}
				s.handed = handedOutName(s.name) && inClassBody(n)
			case "attribute":
				s = site{name: left.ChildByField("attribute").Text(), value: n.ChildByField("right")}
			default:
				continue
			}
		}
		switch {
		case s.value.IsNil() || n.Type() != "assignment" && inModuleConstant(n):
		case s.handed:
			handed = append(handed, s)
		case linkName(s.name) && builtLink(s.value) && !onlyRequested(n):
			built = append(built, s)
		}
	}
	done := map[int]bool{}
	report := func(s site, handedOut bool) {
		lit, at, whole, ok := urlPrefix(s.value, 0)
		if !ok || !handedOut && done[at.StartByte()] || madeUpName(s.name) || madeUpName(boundTo(at)) {
			return
		}
		host, kind := localHost(lit)
		if kind == "" || kind == placeholder && (s.entry || !handedOut) {
			return
		}
		done[at.StartByte()] = true
		var msg string
		if handedOut {
			msg = "`" + s.name + "` is " + quoteURL(lit, !whole) + ", " + kind + ": whoever is sent there from the deployed service (a customer coming back from the provider's page, a provider calling back) reaches " + reach(host, kind) + ", not this service"
		} else {
			msg = "`" + s.name + "` builds links on " + quoteURL(lit, true) + ", " + kind + ": the links this service hands out lead to " + reach(host, kind) + " wherever it is deployed"
		}
		d := analyzer.Diagnostic{
			Range:   analyzer.RangeOf(s.value),
			Message: msg,
			Help:    "build the address from the request (`request.build_absolute_uri(reverse(\"payment-success\"))`) or from a setting read from the environment (`settings.SITE_URL`), so that each deployment sends people to itself",
		}
		if at.StartByte() < s.value.StartByte() || at.EndByte() > s.value.EndByte() {
			d.Related = []analyzer.Related{{Range: analyzer.RangeOf(at), Message: "the address is written here"}}
		}
		p.Report(d)
	}
	for _, s := range handed {
		report(s, true)
	}
	for _, s := range built {
		report(s, false)
	}
	return nil
}

// requestMethods name the calls whose first argument (or `url=`) is an
// address the service requests itself (requests, httpx, urllib).
var requestMethods = map[string]bool{"get": true, "post": true, "put": true, "patch": true, "delete": true,
	"head": true, "options": true, "request": true, "urlopen": true, "Request": true, "stream": true}

// onlyRequested reports whether the name an assignment n binds in its
// function (or module, at the top level) is used, and only as the address
// of a request the service makes itself (`url = f"http://localhost:8000/api/{id}"` then
// `requests.get(url)`): that address is not handed out.
func onlyRequested(n pyast.Node) bool {
	left := n.ChildByField("left")
	if left.Type() != "identifier" {
		return false
	}
	// A name bound at a module's top level (a client script's `url = base
	// + "/wallets/"`) is read through the rest of the module.
	scope := pyast.Ancestor(n, "function_definition").ChildByField("body")
	if scope.IsNil() {
		scope = n
		for !scope.Parent().IsNil() {
			scope = scope.Parent()
		}
	}
	uses := 0
	for id := range pyast.FindEach(scope, "identifier") {
		if id.Text() != left.Text() || id.StartByte() < n.EndByte() {
			continue
		}
		if k := id.Parent(); k.Type() == "keyword_argument" && k.ChildByField("name") == id || k.Type() == "attribute" && k.ChildByField("attribute") == id {
			continue // `url=` names a parameter, `x.url` an attribute
		}
		if k := id.Parent(); k.Type() == "assignment" && k.ChildByField("left") == id {
			continue // `url = ...` again binds it, and that value is judged on its own
		}
		uses++
		arg := id
		if k := id.Parent(); k.Type() == "keyword_argument" {
			if k.ChildByField("name").Text() != "url" || k.ChildByField("value") != id {
				return false
			}
			arg = k
		}
		args := arg.Parent()
		if args.Type() != "argument_list" || args.Parent().Type() != "call" {
			return false
		}
		if arg == id && args.NamedChild(0) != id {
			return false
		}
		c, _ := pyast.AsCall(args.Parent())
		name := c.MethodName()
		if name == "" {
			name = c.Func.Text()
		}
		if !requestMethods[name] {
			return false
		}
	}
	// A top-level name nothing in a client script reads (a leftover
	// `url_get = f"http://localhost:8000/..."` in sender.py): scripts are
	// not imported, so it is handed to no one.
	return uses > 0 || scope.Type() == "module" && clientScript(scope)
}

// clientScript reports a module that sends HTTP requests from its top
// level: a call of requests, httpx or urlopen outside any function, or in a
// top-level function that the top level calls or hands to a thread
// (`threading.Thread(target=deposit)`). Such a module is a program run by
// hand against a server (a load or smoke test), not one the service imports.
func clientScript(root pyast.Node) bool {
	for call := range pyast.FindEach(root, "call") {
		c, _ := pyast.AsCall(call)
		d := pyast.Dotted(c.Func)
		head, method, _ := strings.Cut(d, ".")
		if !(head == "requests" || head == "httpx") || !requestMethods[method] || strings.Contains(method, ".") {
			if d != "urllib.request.urlopen" && d != "urlopen" {
				continue
			}
		}
		fn := pyast.Ancestor(call, "function_definition")
		if fn.IsNil() {
			if pyast.Ancestor(call, "class_definition", "lambda").IsNil() {
				return true
			}
			continue
		}
		if !pyast.Ancestor(fn, "function_definition", "class_definition").IsNil() {
			continue
		}
		name := pyast.DefName(fn)
		for use := range pyast.FindEach(root, "identifier") {
			if use.Text() != name || !pyast.Ancestor(use, "function_definition", "class_definition", "lambda").IsNil() {
				continue
			}
			par := use.Parent()
			if par.Type() == "call" && par.ChildByField("function").Equal(use) ||
				par.Type() == "keyword_argument" && par.ChildByField("name").Text() == "target" && par.ChildByField("value").Equal(use) {
				return true
			}
		}
	}
	return false
}

// madeUpWords mark data made up for development, previews and demos: a
// seed script's dummy results URL, an e-mail previewer's sample context.
var madeUpWords = []string{"dummy", "fake", "sample", "example", "mock", "placeholder", "demo", "seed", "fixture", "localdev", "debug"}

// madeUpName reports whether a name says its value is made up.
func madeUpName(name string) bool {
	low := strings.ToLower(name)
	for _, w := range madeUpWords {
		if strings.Contains(low, w) {
			return true
		}
	}
	return false
}

// madeUpPathWords mark a file of made-up data by its path: fewer words
// than names use, since a project's own directory may be called
// `stripe_example` or `demo_shop`.
var madeUpPathWords = []string{"dummy", "fake", "mock", "seed", "fixture", "localdev"}

// madeUpData reports whether a file's path says it holds made-up data
// (`localdev/seed/app_state.py`, `fixtures/`).
func madeUpData(rel string) bool {
	low := strings.ToLower(rel)
	for _, w := range madeUpPathWords {
		if strings.Contains(low, w) {
			return true
		}
	}
	// Documentation and its example programs (`doc/example_grader.py`).
	parts := strings.Split(low, "/")
	for _, part := range parts[:len(parts)-1] {
		switch part {
		case "doc", "docs", "example", "examples":
			return true
		}
	}
	return strings.HasPrefix(parts[len(parts)-1], "example_")
}

// inModuleConstant reports whether n is inside the value of a top-level
// assignment of its module (a table of constants, `PREVIEW_CONTEXT =
// {...}`), where nothing is handed out yet.
func inModuleConstant(n pyast.Node) bool {
	for p := n.Parent(); !p.IsNil(); p = p.Parent() {
		switch p.Type() {
		case "function_definition", "class_definition", "lambda":
			return false
		case "assignment":
			st := p.Parent()
			if st.Type() == "expression_statement" && st.Parent().Type() == "module" {
				return true
			}
		}
	}
	return false
}

// boundTo is the name a literal is assigned to (`DUMMY_URL = "..."`), or
// "".
func boundTo(lit pyast.Node) string {
	if a := lit.Parent(); a.Type() == "assignment" && a.ChildByField("right") == lit {
		return a.ChildByField("left").Text()
	}
	return ""
}

// inClassBody reports whether the statement holding n is in a class body
// (outside its methods).
func inClassBody(n pyast.Node) bool {
	st := n.Parent()
	return st.Type() == "expression_statement" && st.Parent().Type() == "block" && st.Parent().Parent().Type() == "class_definition"
}

// builtLink reports whether v builds a string from a literal and
// something else: an f-string with an interpolation, a concatenation, or
// a `.format(...)` call.
func builtLink(v pyast.Node) bool {
	switch v.Type() {
	case "string", "concatenated_string":
		return pyast.IsFString(v)
	case "binary_operator":
		return v.ChildByField("operator").Text() == "+"
	case "call":
		c, _ := pyast.AsCall(v)
		return c.MethodName() == "format"
	}
	return false
}

// urlPrefix returns the leading literal text of the string v computes,
// the literal it comes from, and whether that text is the whole value: a
// string (up to an f-string's first interpolation), the left operand of a
// `+`, the receiver of `.format`, or the value of a name bound once in its
// function or its module (followed three names deep).
func urlPrefix(v pyast.Node, depth int) (text string, at pyast.Node, whole, ok bool) {
	switch v.Type() {
	case "string":
		// An f-string that opens with a name (`f"{base}/item/{pk}"`)
		// starts with that name's value.
		if first := firstPiece(v); first.Type() == "interpolation" {
			if e := first.ChildByField("expression"); e.Type() == "identifier" && depth < 3 {
				text, at, _, ok = urlPrefix(e, depth)
				return text, at, false, ok
			}
			return "", pyast.Node{}, false, false
		}
		return leadingText(v), v, !pyast.IsFString(v), true
	case "concatenated_string":
		if first := v.NamedChild(0); !first.IsNil() {
			text, at, _, ok = urlPrefix(first, depth)
			return text, at, false, ok
		}
	case "parenthesized_expression":
		return urlPrefix(v.NamedChild(0), depth)
	case "binary_operator":
		if v.ChildByField("operator").Text() == "+" {
			text, at, _, ok = urlPrefix(v.ChildByField("left"), depth)
			return text, at, false, ok
		}
	case "call":
		c, _ := pyast.AsCall(v)
		if c.MethodName() == "format" {
			text, at, _, ok = urlPrefix(c.Receiver(), depth)
			// "{}/done".format(base) starts with its first argument.
			if ok && (strings.HasPrefix(text, "{}") || strings.HasPrefix(text, "{0}")) && len(c.Positional) > 0 {
				text, at, _, ok = urlPrefix(c.Positional[0], depth+1)
			}
			return text, at, false, ok
		}
	case "identifier":
		if depth >= 3 {
			return "", pyast.Node{}, false, false
		}
		if b := boundOnce(v); !b.IsNil() {
			return urlPrefix(b, depth+1)
		}
	}
	return "", pyast.Node{}, false, false
}

// firstPiece is a string literal's first content piece or interpolation.
func firstPiece(s pyast.Node) pyast.Node {
	for c := s.FirstChild(); !c.IsNil(); c = c.NextSibling() {
		switch c.Type() {
		case "string_content", "escape_sequence", "interpolation":
			return c
		}
	}
	return pyast.Node{}
}

// leadingText is a string literal's text up to its first interpolation.
func leadingText(s pyast.Node) string {
	var b strings.Builder
	for c := s.FirstChild(); !c.IsNil(); c = c.NextSibling() {
		switch c.Type() {
		case "string_content", "escape_sequence":
			b.Write(c.Bytes())
		case "interpolation":
			return b.String()
		}
	}
	return b.String()
}

// boundOnce returns the value of the one plain assignment to the name id
// in its function (or, when the function binds it nowhere, its module's
// top level), or the zero Node when the name is bound more than once
// there, or otherwise (a parameter, a loop variable, an import).
func boundOnce(id pyast.Node) pyast.Node {
	name := id.Text()
	scope := pyast.Ancestor(id, "function_definition")
	if !scope.IsNil() {
		if v, n := assignedIn(scope.ChildByField("body"), name, true); n > 0 || paramNamed(scope, name) {
			if n == 1 {
				return v
			}
			return pyast.Node{}
		}
	}
	root := id
	for !root.Parent().IsNil() {
		root = root.Parent()
	}
	if v, n := assignedIn(root, name, false); n == 1 {
		return v
	}
	return pyast.Node{}
}

// assignedIn counts the bindings of name in body, and returns the value
// of the last plain assignment. Nested functions and classes are their
// own scopes; deep, for a function body, reads its nested blocks (an
// assignment under an `if` binds the function's local too), else only
// the module's top-level statements. Any other binding of the name (a
// loop target, an import, a tuple target) counts without a value.
func assignedIn(body pyast.Node, name string, deep bool) (pyast.Node, int) {
	var v pyast.Node
	n := 0
	var walk func(pyast.Node)
	walk = func(b pyast.Node) {
		for st := range b.Named() {
			switch st.Type() {
			case "function_definition", "class_definition", "decorated_definition":
				if pyast.DefName(st) == name {
					n++
				}
				continue
			case "expression_statement":
				a := st.NamedChild(0)
				if a.Type() == "assignment" {
					switch left := a.ChildByField("left"); {
					case left.Type() == "identifier" && left.Text() == name:
						v, n = a.ChildByField("right"), n+1
					case left.Type() != "identifier" && bindsName(left, name):
						n++
					}
				} else if a.Type() == "augmented_assignment" && a.ChildByField("left").Text() == name {
					n++
				}
				continue
			case "for_statement":
				if bindsName(st.ChildByField("left"), name) {
					n++
				}
			case "import_statement", "import_from_statement", "with_statement":
				for id := range pyast.FindEach(st, "identifier") {
					if id.Text() == name && pyast.Ancestor(id, "block").IsNil() {
						n++
						break
					}
				}
			}
			if deep {
				for c := range st.Named() {
					if c.Type() == "block" || c.Type() == "else_clause" || c.Type() == "elif_clause" || c.Type() == "except_clause" || c.Type() == "finally_clause" {
						walk(c)
					}
				}
			}
		}
	}
	walk(body)
	return v, n
}

// bindsName reports whether an assignment or loop target binds name
// (`a, name = ...`, `for name in ...`).
func bindsName(target pyast.Node, name string) bool {
	if target.Type() == "identifier" {
		return target.Text() == name
	}
	for id := range pyast.FindEach(target, "identifier") {
		if id.Text() == name && id.Parent().Type() != "attribute" && id.Parent().Type() != "subscript" {
			return true
		}
	}
	return false
}

// paramNamed reports whether fn takes a parameter called name.
func paramNamed(fn pyast.Node, name string) bool {
	for id := range pyast.FindEach(fn.ChildByField("parameters"), "identifier") {
		if id.Text() == name {
			return true
		}
	}
	return false
}

// localHost reads the scheme and host at the start of text. kind says
// what the host is ("" when it is neither): "an address on the
// developer's machine" for localhost, a loopback or unspecified address,
// "a placeholder domain" for the names RFC 2606 and 6761 reserve
// (example.com, .test, .invalid). The host must be whole in text
// (followed by a port, a path, a query or the end).
func localHost(text string) (host, kind string) {
	low := strings.ToLower(text)
	if !strings.HasPrefix(low, "http://") && !strings.HasPrefix(low, "https://") {
		return "", ""
	}
	rest := text[strings.Index(text, "//")+2:]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	u, err := url.Parse(text[:strings.Index(text, "//")+2+end])
	if err != nil || u.Hostname() == "" {
		return "", ""
	}
	host = strings.ToLower(u.Hostname())
	if strings.ContainsAny(host, "{}%") {
		return "", ""
	}
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return host, "an address on the developer's machine"
	}
	if ip := net.ParseIP(host); ip != nil && (ip.IsLoopback() || ip.IsUnspecified()) {
		return host, "an address on the developer's machine"
	}
	for _, d := range []string{"example.com", "example.org", "example.net"} {
		if host == d || strings.HasSuffix(host, "."+d) {
			return host, placeholder
		}
	}
	if strings.HasSuffix(host, ".test") || strings.HasSuffix(host, ".invalid") || strings.HasSuffix(host, ".example") {
		return host, placeholder
	}
	return "", ""
}

// placeholder is the kind of a host reserved for examples.
const placeholder = "a placeholder domain"

// reach says where a visitor of such an address lands.
func reach(host, kind string) string {
	if kind == placeholder {
		return "`" + host + "`"
	}
	return "their own computer"
}

// quoteURL quotes the literal text of the address, marked as the start of
// the value when more follows.
func quoteURL(lit string, partial bool) string {
	lit = pyast.OneLineText(lit, 80)
	if partial {
		return "`" + lit + "...`"
	}
	return "`" + lit + "`"
}
