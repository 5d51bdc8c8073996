package semantic

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// conjunctiveGuard returns the condition of an `if` in the handler that
// refuses a delivery only when it is both stale and already seen
// (`if not fresh(ts) and cache.get(event_id): return 400`): a replay inside
// the time window, and an old delivery no longer remembered, both pass.
// It returns the zero Node when the handler has no such test.
func conjunctiveGuard(h *Func) pyast.Node {
	if h == nil {
		return pyast.Node{}
	}
	for _, st := range ownNodes(pyast.Body(h.Node), "if_statement") {
		cond := unNot(st.ChildByField("condition"))
		if cond.Type() != "boolean_operator" || cond.ChildByField("operator").Text() != "and" || !rejects(st) {
			continue
		}
		var fresh, seen bool
		for _, op := range andOperands(cond) {
			switch {
			case freshnessTest(op):
				fresh = true
			case seenTest(op):
				seen = true
			}
		}
		if fresh && seen {
			return st.ChildByField("condition")
		}
	}
	return pyast.Node{}
}

// unNot strips parentheses and `not`.
func unNot(n pyast.Node) pyast.Node {
	for {
		n = pyast.Unparen(n)
		if n.Type() != "not_operator" {
			return n
		}
		n = n.ChildByField("argument")
	}
}

// andOperands flattens `a and b and c`.
func andOperands(n pyast.Node) []pyast.Node {
	n = pyast.Unparen(n)
	if n.Type() == "boolean_operator" && n.ChildByField("operator").Text() == "and" {
		return append(andOperands(n.ChildByField("left")), andOperands(n.ChildByField("right"))...)
	}
	return []pyast.Node{n}
}

// rejects reports an if whose body returns or raises at its first level.
func rejects(st pyast.Node) bool {
	for s := range pyast.EachStatement(st.ChildByField("consequence")) {
		switch s.Type() {
		case "return_statement", "raise_statement":
			return true
		}
	}
	return false
}

// freshWords name a test of a delivery's age.
var freshTestWords = map[string]bool{"timestamp": true, "fresh": true, "stale": true, "expired": true, "expiry": true,
	"tolerance": true, "age": true, "old": true}

// freshnessTest reports a test of a delivery's age: a name or call named for
// it (`is_timestamp_valid(ts)`, `expired`), or a comparison of a time.
func freshnessTest(n pyast.Node) bool {
	n = unNot(n)
	if n.Type() == "comparison_operator" {
		t := strings.ToLower(n.Text())
		return strings.Contains(t, "timestamp") || strings.Contains(t, "time.time()") || strings.Contains(t, "now()")
	}
	target := n
	if n.Type() == "call" {
		target = n.ChildByField("function")
	}
	if target.Type() == "attribute" {
		target = target.ChildByField("attribute")
	}
	if target.Type() != "identifier" {
		return false
	}
	for _, w := range IdentWords(target.Text()) {
		if freshTestWords[w] {
			return true
		}
	}
	return false
}

// seenTest reports a test that a delivery was already received: a cache
// read, an exists() or a lookup on an event id, a membership test, or a
// name or call named for it (`already_processed`, `seen`).
func seenTest(n pyast.Node) bool {
	n = unNot(n)
	switch n.Type() {
	case "comparison_operator":
		for _, op := range n.Children() {
			if t := op.Type(); t == "in" || t == "not in" {
				return true
			}
		}
		return false
	case "call":
		c, _ := pyast.AsCall(n)
		switch c.MethodName() {
		case "exists", "aexists":
			return true
		case "get", "has_key", "aget":
			return strings.Contains(strings.ToLower(pyast.Dotted(c.Receiver())), "cache")
		}
		return seenName(c.MethodName())
	case "identifier":
		return seenName(n.Text())
	case "attribute":
		return seenName(n.ChildByField("attribute").Text())
	}
	return false
}

var seenWords = map[string]bool{"seen": true, "processed": true, "duplicate": true, "duplicated": true, "replayed": true,
	"received": true, "handled": true}

func seenName(name string) bool {
	for _, w := range IdentWords(name) {
		if seenWords[w] {
			return true
		}
	}
	return false
}

// guardIn reports a guard node that lies in cond (of file cf) or in the
// body of a project function a call in cond reaches (two calls deep).
func guardIn(g pyast.Node, gf *File, cond pyast.Node, cf *File) bool {
	if gf == cf && cond.Contains(g) {
		return true
	}
	seen := map[*Func]bool{}
	var reach func(n pyast.Node, f *File, depth int) bool
	reach = func(n pyast.Node, f *File, depth int) bool {
		if depth > 2 {
			return false
		}
		for call := range pyast.FindEach(n, "call") {
			fn, _ := f.Callee(call)
			if fn == nil || seen[fn] {
				continue
			}
			seen[fn] = true
			if fn.File == gf && fn.Node.Contains(g) || reach(pyast.Body(fn.Node), fn.File, depth+1) {
				return true
			}
		}
		return false
	}
	return reach(cond, cf, 0)
}

// unenforcedCheck returns the first signature check in the handler's own
// body when the handler makes at least one and none of them decides
// anything: the result is discarded, bound to a name never read, or tested
// by an `if` whose branches neither return, raise nor call anything but
// print and logging. The zero Node otherwise (no check in the handler, or
// one whose result is used: rubric then trusts it).
func unenforcedCheck(h *Func) pyast.Node {
	if h == nil {
		return pyast.Node{}
	}
	body := pyast.Body(h.Node)
	var first pyast.Node
	for _, call := range ownNodes(body, "call") {
		if !signatureCheck(h.File, call) {
			continue
		}
		if checkDecides(call, body) || raisesOnFailure(h.File, call) {
			return pyast.Node{}
		}
		if first.IsNil() {
			first = call
		}
	}
	return first
}

// raisesOnFailure reports a check call to a project function that raises
// (codecov's `self.validate_signature(request)`, which raises
// PermissionDenied when the HMACs differ): its result needs no test, the
// raise refuses the delivery.
func raisesOnFailure(f *File, call pyast.Node) bool {
	if f == nil {
		return false
	}
	fn, _ := f.Callee(call)
	if fn == nil {
		return false
	}
	for r := range pyast.FindEach(pyast.Body(fn.Node), "raise_statement") {
		if pyast.Ancestor(r, "except_clause").IsNil() && pyast.Ancestor(r, "function_definition").Equal(fn.Node) {
			return true
		}
	}
	return false
}

// signatureCheck reports a constant-time comparison, a call of a project
// helper named for checking that returns one (`valid_key(key, request)`),
// or a call of a function named for verifying a signature (`verify_signature(...)`,
// `self.check_hmac(...)`).
func signatureCheck(f *File, call pyast.Node) bool {
	c, ok := pyast.AsCall(call)
	if !ok {
		return false
	}
	q := pyast.Dotted(c.Func)
	if f != nil && f.Unit != nil && f.Unit.Imports != nil {
		if r, ok := f.Unit.Imports.Resolve(c.Func); ok {
			q = r
		}
	}
	switch q {
	case "hmac.compare_digest", "secrets.compare_digest", "django.utils.crypto.constant_time_compare":
		return true
	}
	ws := IdentWords(c.MethodName())
	verb, sig := false, false
	for _, w := range ws {
		switch w {
		case "verify", "check", "validate", "is", "valid":
			verb = true
		case "signature", "sig", "hmac", "digest":
			sig = true
		}
	}
	if verb && sig {
		return true
	}
	// A project helper named for checking (`valid_key(secret, request)`)
	// whose own body returns a constant-time comparison is one.
	if verb && f != nil {
		if g, _ := f.Callee(call); g != nil && g.File != nil {
			for r := range pyast.FindEach(pyast.Body(g.Node), "return_statement") {
				if rc, ok := pyast.AsCall(pyast.Unparen(r.NamedChild(0))); ok {
					rq := pyast.Dotted(rc.Func)
					if g.File.Unit != nil && g.File.Unit.Imports != nil {
						if res, ok := g.File.Unit.Imports.Resolve(rc.Func); ok {
							rq = res
						}
					}
					switch rq {
					case "hmac.compare_digest", "secrets.compare_digest", "django.utils.crypto.constant_time_compare":
						return true
					}
				}
			}
		}
	}
	return false
}

// checkDecides reports whether the result of a check call decides
// something in body.
func checkDecides(call, body pyast.Node) bool {
	n := call
	for {
		p := n.Parent()
		switch p.Type() {
		case "parenthesized_expression", "not_operator", "boolean_operator":
			n = p
			continue
		case "expression_statement":
			return false // result discarded
		case "if_statement", "elif_clause":
			if !n.Equal(p.ChildByField("condition")) {
				return true
			}
			return branchActs(p)
		case "assignment":
			left := p.ChildByField("left")
			if !n.Equal(p.ChildByField("right")) || left.Type() != "identifier" {
				return true
			}
			name := left.Text()
			for id := range pyast.FindEach(body, "identifier") {
				if id.StartByte() > p.EndByte() && id.Text() == name {
					return true // read afterwards: trusted
				}
			}
			return false
		}
		return true
	}
}

// branchActs reports an if (or elif) whose branches return, raise, or
// call something other than print and logging.
func branchActs(st pyast.Node) bool {
	var blocks []pyast.Node
	blocks = append(blocks, st.ChildByField("consequence"))
	for _, alt := range st.ChildrenByField("alternative") {
		blocks = append(blocks, alt)
	}
	for _, b := range blocks {
		for x := range pyast.FindEach(b, "return_statement", "raise_statement", "call") {
			if x.Type() != "call" {
				return true
			}
			name := string(pyast.CalleeName(x))
			recv := ""
			if c, ok := pyast.AsCall(x); ok {
				recv = strings.ToLower(pyast.Dotted(c.Receiver()))
			}
			if name == "print" || strings.Contains(recv, "log") {
				continue
			}
			return true
		}
	}
	return false
}

// signedValue reports a handler that reads a value signed with Django's
// signing and uses what it reads (`user_uuid = signing.loads(key)`, a
// signer's `unsign(key)`): a forged value raises BadSignature before the
// handler goes on, so the URL carrying it is a signed callback.
func signedValue(h *Func) bool {
	if h == nil {
		return false
	}
	body := pyast.Body(h.Node)
	for _, call := range ownNodes(body, "call") {
		c, ok := pyast.AsCall(call)
		if !ok {
			continue
		}
		q := pyast.Dotted(c.Func)
		if h.File != nil && h.File.Unit != nil && h.File.Unit.Imports != nil {
			if r, ok := h.File.Unit.Imports.Resolve(c.Func); ok {
				q = r
			}
		}
		m := c.MethodName()
		if q != "django.core.signing.loads" && (m != "unsign" && m != "unsign_object" || c.Func.Type() != "attribute") {
			continue
		}
		if checkDecides(call, body) {
			return true
		}
	}
	return false
}

// verifiedAround reports a check outside the handler's body that may
// verify the delivery: a decorator of the handler or of its class named
// for it, or a dispatch/initial override on the class.
func verifiedAround(e *Endpoint) bool {
	named := func(def pyast.Node) bool {
		for _, d := range pyast.Decorators(def) {
			for id := range pyast.FindEach(d, "identifier") {
				for _, w := range IdentWords(id.Text()) {
					switch w {
					case "signature", "signed", "hmac", "verify", "verified", "webhook", "auth", "authenticate", "token", "secret":
						return true
					}
				}
			}
		}
		return false
	}
	if e.Handler == nil || named(e.Handler.Node) {
		return true
	}
	if e.Class != nil {
		for _, cc := range append([]*Class{e.Class}, e.Class.Bases()...) {
			if named(cc.Node) || cc.Methods["dispatch"] != nil || cc.Methods["initial"] != nil {
				return true
			}
		}
	}
	return false
}

// unsignedTimestamp finds, in the handler or a project function it calls
// (three calls deep), a freshness check of a timestamp read from a header
// in a function that computes an HMAC whose message does not contain that
// timestamp: the window checks a value the signature does not cover, so
// a captured body replays with a fresh timestamp. It returns the check
// and its file.
func unsignedTimestamp(h *Func) (pyast.Node, *File) {
	seen := map[*Func]bool{}
	var walk func(fn *Func, depth int) (pyast.Node, *File)
	walk = func(fn *Func, depth int) (pyast.Node, *File) {
		if fn == nil || seen[fn] || depth > 3 {
			return pyast.Node{}, nil
		}
		seen[fn] = true
		if cmp := timestampOutsideHMAC(fn); !cmp.IsNil() {
			return cmp, fn.File
		}
		for _, call := range ownNodes(pyast.Body(fn.Node), "call") {
			if g, _ := fn.File.Callee(call); g != nil {
				if n, f := walk(g, depth+1); !n.IsNil() {
					return n, f
				}
			}
		}
		return pyast.Node{}, nil
	}
	return walk(h, 0)
}

// timestampOutsideHMAC returns a comparison in fn of a timestamp with the
// clock when fn also computes hmac.new(key, msg, ...) and msg (through the
// function's assignments) does not read the timestamp, which comes from a
// request header: read here, or passed in a parameter that every caller
// fills from one.
func timestampOutsideHMAC(fn *Func) pyast.Node {
	body := pyast.Body(fn.Node)
	var msg pyast.Node
	for _, call := range ownNodes(body, "call") {
		c, ok := pyast.AsCall(call)
		if !ok {
			continue
		}
		q := pyast.Dotted(c.Func)
		if r, ok := fn.File.Unit.Imports.Resolve(c.Func); ok {
			q = r
		}
		if q == "hmac.new" || q == "hmac.HMAC" {
			msg = c.Arg(1, "msg")
			break
		}
	}
	if msg.IsNil() {
		return pyast.Node{}
	}
	signed := sources(body, msg)
	for _, cmp := range ownNodes(body, "comparison_operator") {
		t := strings.ToLower(cmp.Text())
		if !strings.Contains(t, "time") && !strings.Contains(t, "now") {
			continue
		}
		for id := range pyast.FindEach(cmp, "identifier") {
			name := id.Text()
			if !timestampName(name) || signed[name] {
				continue
			}
			if fromHeader(fn, body, name) {
				return cmp
			}
		}
	}
	return pyast.Node{}
}

// timestampName reports a name for a delivery's timestamp.
func timestampName(name string) bool {
	for _, w := range IdentWords(name) {
		switch w {
		case "timestamp", "ts", "t":
			return true
		}
	}
	return false
}

// sources returns the names an expression reads, following the
// assignments of body that bind them (five deep).
func sources(body, expr pyast.Node) map[string]bool {
	out := map[string]bool{}
	var add func(n pyast.Node, d int)
	add = func(n pyast.Node, d int) {
		for id := range pyast.FindEach(n, "identifier") {
			name := id.Text()
			if out[name] {
				continue
			}
			out[name] = true
			if d >= 5 {
				continue
			}
			for _, a := range ownNodes(body, "assignment") {
				if bindsName(a.ChildByField("left"), name) {
					add(a.ChildByField("right"), d+1)
				}
			}
		}
	}
	add(expr, 0)
	return out
}

// bindsName reports an assignment target that is, or unpacks into, name.
func bindsName(target pyast.Node, name string) bool {
	for _, id := range pyast.Identifiers(target) {
		if id == name {
			return true
		}
	}
	return false
}

// fromHeader reports a name whose value comes from a request header:
// bound in body from an expression reading headers or META, or a
// parameter every project caller fills from one.
func fromHeader(fn *Func, body pyast.Node, name string) bool {
	readsHeader := func(src map[string]bool) bool {
		return src["headers"] || src["META"]
	}
	if readsHeader(sources(body, identifierNamed(body, name))) && bound(body, name) {
		return true
	}
	idx := indexOf(fn.Params, name)
	if idx < 0 || len(fn.callers) == 0 {
		return false
	}
	for _, s := range fn.callers {
		c, ok := pyast.AsCall(s.call)
		if !ok {
			return false
		}
		arg := argFor(c, fn, idx, s.bound)
		if arg.IsNil() {
			return false
		}
		caller := ScopeOf(s.call)
		if !readsHeader(sources(pyast.Body(caller), arg)) {
			return false
		}
	}
	return true
}

// identifierNamed returns the first identifier of body with that name.
func identifierNamed(body pyast.Node, name string) pyast.Node {
	for id := range pyast.FindEach(body, "identifier") {
		if id.Text() == name {
			return id
		}
	}
	return pyast.Node{}
}

// bound reports an assignment of name in body.
func bound(body pyast.Node, name string) bool {
	for _, a := range ownNodes(body, "assignment") {
		if bindsName(a.ChildByField("left"), name) {
			return true
		}
	}
	return false
}

// secretWords name a shared secret a delivery carries (a key in the URL, a
// token in a header or the query string).
var secretWords = map[string]bool{"key": true, "secret": true, "token": true, "password": true, "passphrase": true,
	"apikey": true, "hash": true}

// secretGuard finds, at the first level of a handler, a check of a shared
// secret the delivery carries: `if <request value> != <secret>: return
// 403` (or `raise`), where the request value is a URL argument of the
// handler (a parameter, kwargs[...], self.kwargs[...]) or a read of the
// query string or headers, and the other side is named for a key, secret
// or token. A literal on the other side is a route choice, not a secret.
func secretGuard(h *Func) pyast.Node {
	if h == nil {
		return pyast.Node{}
	}
	params := map[string]bool{}
	for i, p := range h.Params {
		if i > 0 || h.Class == nil {
			params[p] = true
		}
	}
	delete(params, "request")
	fromRequest := func(n pyast.Node) bool {
		d := pyast.Dotted(n)
		if n.Type() == "identifier" {
			return params[d] && d != "args" && d != "kwargs"
		}
		for cur := n; !cur.IsNil(); {
			switch cur.Type() {
			case "subscript":
				cur = cur.ChildByField("value")
			case "call":
				cur = cur.ChildByField("function")
			case "attribute":
				switch t := pyast.Dotted(cur); {
				case t == "self.kwargs", strings.HasSuffix(t, "request.GET"), strings.HasSuffix(t, "request.query_params"),
					strings.HasSuffix(t, "request.headers"), strings.HasSuffix(t, "request.META"):
					return true
				}
				cur = cur.ChildByField("object")
			case "identifier":
				return cur.Text() == "kwargs"
			default:
				return false
			}
		}
		return false
	}
	named := func(n pyast.Node) bool {
		switch n.Type() {
		case "string", "concatenated_string", "integer", "float", "true", "false", "none":
			return false
		}
		for id := range pyast.FindEach(n, "identifier", "string_content") {
			for _, w := range IdentWords(id.Text()) {
				if secretWords[w] {
					return true
				}
			}
		}
		return false
	}
	for st := range pyast.EachStatement(pyast.Body(h.Node)) {
		if st.Type() != "if_statement" || !rejects(st) {
			continue
		}
		cond := pyast.Unparen(st.ChildByField("condition"))
		if cond.Type() != "comparison_operator" {
			continue
		}
		var ops []string
		for _, c := range cond.Children() {
			if !c.IsNamed() {
				ops = append(ops, c.Type())
			}
		}
		ch := cond.NamedChildren()
		if len(ops) != 1 || len(ch) != 2 || ops[0] != "!=" && ops[0] != "not in" {
			continue
		}
		if fromRequest(ch[0]) && named(ch[1]) || fromRequest(ch[1]) && named(ch[0]) {
			return cond
		}
	}
	return pyast.Node{}
}
