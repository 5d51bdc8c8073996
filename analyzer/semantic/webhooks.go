package semantic

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// Webhook says why an endpoint is taken for a webhook receiver, where it
// reads the delivery, and what verifies it. It is the one answer the
// signature, replay, body-size and de-duplication rules share.
type Webhook struct {
	// Signals are the reasons, in words: "name", "class name", "route",
	// "csrf_exempt view reading the raw body".
	Signals []string
	// Payload is the first read of the delivery (request.body,
	// request.data, request.POST, request.read()), in PayloadFile: in the
	// handler or in a helper it hands the request to. For a viewset's
	// framework action it is the class name.
	Payload     pyast.Node
	PayloadFile *File
	// BodyRead is the first read of the raw body (request.body, read(),
	// stream) in the handler itself, zero when the handler reads none.
	BodyRead pyast.Node
	// Verified: the handler, a helper it calls (five calls deep), its
	// decorators or its class show a check of the sender: a signature,
	// an HMAC, a provider SDK's construct_event, a shared secret or token,
	// or an authentication that a provider must pass. Permission classes
	// never count: AllowAny is what a webhook needs, not a verification.
	Verified bool
	// HMAC: the verification is made by hand with hmac (so the replay
	// window is the handler's to check); Fresh: a timestamp tolerance,
	// nonce or de-duplication shows.
	HMAC, Fresh bool
	// Guard is the first place, in the handler, the project functions it
	// calls or its class, that refuses a replayed delivery: a timestamp
	// tolerance or nonce named as such, a de-duplication (`exists()`,
	// get_or_create/update_or_create, a lookup or field named for the
	// event or delivery id), or a provider SDK that checks the timestamp
	// (Stripe's construct_event); zero when none shows. GuardFile holds it.
	Guard     pyast.Node
	GuardFile *File
	// WeakGuard is the condition of an `if` in the handler that refuses a
	// delivery only when it is both stale and already seen (the two
	// checks joined with `and`); a Guard found in that condition, or in a
	// function it calls, is not one. WeakGuardFile holds it.
	WeakGuard     pyast.Node
	WeakGuardFile *File
	// UnsignedTimestamp is a freshness check of a timestamp read from a
	// header that the HMAC computed next to it does not cover (in the
	// handler or a function it calls); UnsignedTimestampFile holds it.
	UnsignedTimestamp     pyast.Node
	UnsignedTimestampFile *File
	// Unenforced is the handler's first signature check when every check
	// it makes decides nothing (the result discarded, never read, or
	// tested by an if that neither rejects nor acts): the receiver is then
	// not Verified. UnenforcedFile holds it.
	Unenforced     pyast.Node
	UnenforcedFile *File
	// Delegated: the request is handed to a callable outside the project,
	// which may verify it where rubric cannot see.
	Delegated bool
	// Request is the request expression ("request", "self.request").
	Request string
}

// hookWords name a webhook receiver.
var hookWords = map[string]bool{"webhook": true, "webhooks": true, "callback": true, "callbacks": true,
	"ipn": true, "notify": true, "hook": true, "hooks": true}

// crudWords name an ordinary create/read/update/delete view.
// A registration names the caller's own request (sign-up, a payment
// registered with a gateway's API), not a delivery.
var crudWords = map[string]bool{"create": true, "update": true, "delete": true, "edit": true, "add": true,
	"register": true, "registration": true,
	"remove": true, "list": true, "index": true, "detail": true, "new": true, "destroy": true, "get": true, "set": true}

// clientWords name an action a user's client performs (book a slot,
// register, check out), not a delivery a provider sends: a csrf_exempt
// view named so is not taken for a webhook on that signal alone.
var clientWords = map[string]bool{"book": true, "booking": true, "reserve": true, "reservation": true,
	"register": true, "registration": true, "signup": true, "login": true, "logout": true, "checkout": true,
	"purchase": true, "buy": true, "transfer": true, "withdraw": true, "withdrawal": true, "upload": true,
	"search": true, "contact": true, "comment": true, "vote": true, "subscribe": true, "unsubscribe": true}

// verifyWords in a handler, its helpers or its decorators suggest it
// authenticates the sender.
var verifyWords = []string{"signature", "signatures", "sig", "hmac", "digest", "verify", "verified",
	"verification", "signed", "unsign", "signer", "construct", "authenticate", "authentication",
	"authheader", "token", "secret", "jwt", "auth"}

// freshWords suggest a timestamp tolerance, nonce or de-duplication.
var freshWords = []string{"timestamp", "tolerance", "time", "nonce", "replay", "age", "expire",
	"expired", "expires", "expiry", "window", "skew", "now", "timedelta", "datetime", "ts",
	"exists", "idempotency", "duplicate", "dedup", "seen", "processed"}

func hasHookWord(s string) bool {
	for _, w := range IdentWords(s) {
		if hookWords[w] {
			return true
		}
	}
	return false
}

// webhookOf decides whether an endpoint receives webhooks: a handler,
// class or route named for webhooks (webhook, callback, IPN, notify), a
// handler that checks the raw body against a key or certificate (a signed
// notification, verified: signedBody), or
// a csrf_exempt view that reads the raw body, whose handler or class is
// not named for an ordinary CRUD operation or a client's action
// (clientWords), whose route captures no row the caller acts on
// (capturesSubject) and that reads
// no request.user, that reads the
// delivery (request.body, .data, .POST, .read(), directly or in a helper
// it hands the request to) and accepts a POST.
func (m *Model) webhookOf(e *Endpoint) *Webhook {
	if !e.AcceptsUnsafe() {
		return nil
	}
	w := &Webhook{Request: e.RequestParam}
	name := ""
	if e.Handler != nil && e.Handler.Class == nil {
		name = e.Handler.Name
	}
	if name != "" && hasHookWord(name) {
		w.Signals = append(w.Signals, "name")
	}
	if e.Class != nil && hasHookWord(e.Class.Name) {
		w.Signals = append(w.Signals, "class name")
	}
	for _, r := range e.Routes {
		if hasHookWord(r.Pattern) || hasHookWord(r.Name) {
			w.Signals = append(w.Signals, "route")
			break
		}
	}
	if e.Kind == "asgi" && hasHookWord(e.Route) && len(w.Signals) == 0 {
		w.Signals = append(w.Signals, "route")
	}
	signed := signedBody(e.Handler, e.RequestParam)
	if !signed.IsNil() {
		w.Signals = append(w.Signals, "body checked against a key")
	}
	if e.Handler == nil {
		if len(w.Signals) == 0 || e.Action != "create" || e.Class == nil {
			return nil
		}
		w.Payload, w.PayloadFile = e.Class.Node.ChildByField("name"), e.Class.File
		w.Verified = e.Auth.Unknown || !e.Auth.Public && !e.Auth.ReadPublic
		return w
	}
	if len(w.Signals) == 0 && !e.Auth.CSRFExempt {
		return nil // no name, no route, no csrf_exempt: nothing to read
	}
	req := e.RequestParam
	if e.Handler.Class != nil && req == "self.request" {
		req = ""
	}
	w.Payload, w.PayloadFile, w.Delegated = m.payloadRead(e.Handler, req, 0)
	w.BodyRead = rawBodyRead(e.Handler.Node, req)
	if len(w.Signals) == 0 {
		crud := false
		names := []string{e.Handler.Name, name}
		if e.Class != nil {
			// A class-based view's handler is post(): its class names
			// the action (LoginView, AccountCreateView).
			names = append(names, e.Class.Name)
		}
		for _, x := range names {
			for _, wd := range IdentWords(x) {
				if crudWords[wd] || clientWords[wd] {
					crud = true
				}
			}
		}
		if e.Auth.CSRFExempt && e.Kind != "drf-view" && e.Kind != "viewset" && !w.BodyRead.IsNil() && !e.Auth.UsesUser && !crud && !capturesSubject(e.Handler, e.RequestParam) {
			w.Signals = append(w.Signals, "csrf_exempt view reading the raw body")
		}
	}
	if len(w.Signals) == 0 || w.Payload.IsNil() {
		return nil
	}
	if e.Auth.UsesUser && (e.Auth.Session || e.Auth.level >= levelAuth) {
		return nil // a user-facing view named "notify", not a provider's delivery
	}
	ws := m.webhookWords(e, w)
	w.UnsignedTimestamp, w.UnsignedTimestampFile = unsignedTimestamp(e.Handler)
	if c := conjunctiveGuard(e.Handler); !c.IsNil() {
		w.WeakGuard, w.WeakGuardFile = c, e.Handler.File
		if !w.Guard.IsNil() && guardIn(w.Guard, w.GuardFile, c, e.Handler.File) {
			w.Guard, w.GuardFile = pyast.Node{}, nil
		}
	}
	w.HMAC = ws["hmac"]
	w.Verified = anyOf(ws, verifyWords) || prefixOf(ws, "verif", "signatur", "authent")
	w.Fresh = anyOf(ws, freshWords) || ws["or"] && ws["create"]
	if w.Verified && !verifiedAround(e) {
		if c := unenforcedCheck(e.Handler); !c.IsNil() {
			w.Unenforced, w.UnenforcedFile = c, e.Handler.File
			w.Verified = false
		}
	}
	if !e.Auth.Public && !e.Auth.ReadPublic && !e.Auth.Unknown {
		w.Verified = true // the provider must authenticate
	}
	if !w.Verified && w.Unenforced.IsNil() && !secretGuard(e.Handler).IsNil() {
		w.Verified = true // a shared secret in the URL, query string or a header
	}
	if !signed.IsNil() {
		w.Verified = true // a signed message parsed with its key
	}
	if !w.Verified && w.Unenforced.IsNil() && signedValue(e.Handler) {
		w.Verified = true // a value of the URL signed with the project's key
	}
	return w
}

// capturesSubject reports a handler that takes a required parameter
// besides self and the request: a value its route captures
// (`<uuid:wallet_id>/operation`, `def wallet_operation(request,
// wallet_id)`), naming the row the caller acts on. A client's API
// addresses a resource in its URL; a provider posts its deliveries to one
// URL and names their subject in the payload, so a csrf_exempt view that
// reads the raw body is not taken for a webhook on that signal alone when
// its route names a row. (A receiver named or routed for webhooks is one
// whatever its parameters.)
func capturesSubject(fn *Func, req string) bool {
	if fn == nil || fn.Node.IsNil() {
		return false
	}
	params := handlerRequiredParams(fn.Node)
	if fn.Class != nil && len(params) > 0 {
		params = params[1:] // self
	}
	for i, p := range params {
		if i == 0 || p == req {
			continue // the request
		}
		return true
	}
	return false
}

// payloadRead returns the first read of the delivery in fn or in a project
// helper it hands the request to (two calls deep), and whether the
// request goes to a callable outside the project.
func (m *Model) payloadRead(fn *Func, req string, depth int) (pyast.Node, *File, bool) {
	var found pyast.Node
	var file *File
	delegated := false
	isReq := func(n pyast.Node) bool {
		d := pyast.Dotted(n)
		return req != "" && d == req || d == "self.request"
	}
	pyast.Inspect(pyast.Body(fn.Node), func(n pyast.Node) bool {
		if !found.IsNil() {
			return false
		}
		switch n.Type() {
		case "function_definition", "class_definition":
			return false
		case "attribute":
			if isReq(n.ChildByField("object")) {
				switch n.ChildByField("attribute").Text() {
				case "body", "data", "POST", "read", "stream", "json", "form":
					found, file = n, fn.File
					return false
				}
			}
		}
		return true
	})
	if depth >= 2 {
		return found, file, delegated
	}
	for _, call := range ownNodes(pyast.Body(fn.Node), "call") {
		c, _ := pyast.AsCall(call)
		idx := -1
		for i, a := range c.Positional {
			if isReq(a) {
				idx = i
			}
		}
		for k, a := range c.EachKeyword() {
			if isReq(a) && k != "context" {
				idx = 0
			}
		}
		if idx < 0 {
			continue
		}
		g, bound := fn.File.Callee(call)
		if g == nil {
			if !passiveSink(c) {
				delegated = true
			}
			continue
		}
		pi := idx
		if bound {
			pi++
		}
		p := ""
		if pi < len(g.Params) {
			p = g.Params[pi]
		}
		n, gf, d := m.payloadRead(g, p, depth+1)
		delegated = delegated || d
		if found.IsNil() && !n.IsNil() {
			found, file = n, gf
		}
	}
	return found, file, delegated
}

// passiveSink reports calls that receive the request without reading or
// verifying the delivery: rendering, responses, serializers and forms
// built from request.data, logging.
func passiveSink(c pyast.Call) bool {
	name := lastName(pyast.Dotted(c.Func))
	switch name {
	case "render", "redirect", "render_to_response", "JsonResponse", "HttpResponse", "Response", "get_object_or_404",
		"login", "logout", "messages", "reverse", "build_absolute_uri", "get_client_ip", "info", "debug", "warning",
		"error", "exception":
		return true
	}
	return strings.HasSuffix(name, "Serializer") || strings.HasSuffix(name, "Form") || strings.HasPrefix(name, "get_serializer")
}

// rawBodyRead returns the first `request.body`, `request.read()` or
// `request.stream` in fn.
func rawBodyRead(fn pyast.Node, req string) pyast.Node {
	var found pyast.Node
	pyast.Inspect(fn, func(m pyast.Node) bool {
		if !found.IsNil() {
			return false
		}
		if m.Type() == "attribute" {
			d := pyast.Dotted(m.ChildByField("object"))
			if req != "" && d == req || d == "self.request" {
				switch m.ChildByField("attribute").Text() {
				case "body", "read", "stream":
					found = m
				}
			}
		}
		return found.IsNil()
	})
	return found
}

// permissionAttrs are class attributes that say who may call, not how a
// delivery is verified.
var permissionAttrs = map[string]bool{"permission_classes": true, "authentication_classes": true,
	"throttle_classes": true, "parser_classes": true, "renderer_classes": true}

// webhookWords collects the lower-case words of the handler, the project
// functions it calls (five calls deep, other files included), its
// decorators other than permission decorators, and its class's
// decorators and attributes other than permission attributes.
func (m *Model) webhookWords(e *Endpoint, w *Webhook) map[string]bool {
	ws := map[string]bool{}
	var file *File // the file of the nodes being read, for w.Guard
	addNode := func(n pyast.Node) {
		pyast.Inspect(n, func(x pyast.Node) bool {
			if w.Guard.IsNil() && file != nil && replayGuard(x) {
				w.Guard, w.GuardFile = x, file
			}
			switch x.Type() {
			case "identifier":
				if x.Text() == "AllowAny" {
					return true
				}
				for _, w := range IdentWords(x.Text()) {
					if w != "authorization" {
						ws[w] = true
					}
				}
			case "string_content":
				// An Authorization header read (a bearer token or basic
				// credentials checked); the word alone is also a card
				// authorisation, which verifies nothing.
				if t := x.Text(); t == "Authorization" || t == "HTTP_AUTHORIZATION" {
					ws["authheader"] = true
				}
				for _, w := range IdentWords(x.Text()) {
					if w != "authorization" {
						ws[w] = true
					}
				}
			}
			return true
		})
	}
	addDecorators := func(def pyast.Node) {
		for _, d := range pyast.Decorators(def) {
			name := lastName(pyast.Dotted(decoratorCallee(d)))
			if name == "permission_classes" || name == "authentication_classes" || name == "api_view" {
				continue
			}
			addNode(d)
		}
	}
	seen := map[*Func]bool{}
	var walk func(fn *Func, d int)
	walk = func(fn *Func, d int) {
		if fn == nil || seen[fn] || d > followDepth {
			return
		}
		seen[fn] = true
		file = fn.File
		addDecorators(fn.Node)
		addNode(pyast.Body(fn.Node))
		for _, call := range ownNodes(pyast.Body(fn.Node), "call") {
			if g, _ := fn.File.Callee(call); g != nil {
				walk(g, d+1)
			}
		}
	}
	walk(e.Handler, 0)
	if e.Class != nil {
		for _, cc := range append([]*Class{e.Class}, e.Class.Bases()...) {
			file = cc.File
			addDecorators(cc.Node)
			for name, v := range cc.Attrs {
				if !permissionAttrs[name] {
					for _, w := range IdentWords(name) {
						ws[w] = true
					}
					addNode(v)
				}
			}
			// A project permission class checks the delivery in its
			// has_permission (a provider's signature header verified
			// there): its code counts, not its name.
			if v := cc.Attrs["permission_classes"]; v.Is("list", "tuple") {
				for el := range v.Named() {
					pc := m.classByName(cc.File, el)
					if pc == nil {
						continue
					}
					for _, b := range append([]*Class{pc}, pc.Bases()...) {
						walk(b.Methods["has_permission"], 1)
					}
				}
			}
			if fn := cc.Methods["dispatch"]; fn != nil {
				walk(fn, 1)
			}
			if fn := cc.Methods["initial"]; fn != nil {
				walk(fn, 1)
			}
		}
	}
	return ws
}

func anyOf(ws map[string]bool, want []string) bool {
	for _, w := range want {
		if ws[w] {
			return true
		}
	}
	return false
}

func prefixOf(ws map[string]bool, prefixes ...string) bool {
	for w := range ws {
		for _, p := range prefixes {
			if strings.HasPrefix(w, p) {
				return true
			}
		}
	}
	return false
}

// guardWords name a replay check: a timestamp tolerance, a nonce, a
// de-duplication of deliveries.
var guardWords = map[string]bool{"tolerance": true, "nonce": true, "replay": true, "replayed": true,
	"dedup": true, "deduplicate": true, "duplicate": true, "duplicated": true, "idempotency": true,
	"skew": true}

// eventIDWords name a delivery's own identifier, which a lookup
// de-duplicates on.
var eventIDWords = []string{"event_id", "eventid", "delivery_id", "webhook_id", "message_id", "notification_id", "idempotency_key"}

// keyedOnEventID reports a lookup with a keyword naming a delivery's own
// identifier (eventIDWords).
func keyedOnEventID(c pyast.Call) bool {
	for k := range c.EachKeyword() {
		for _, id := range eventIDWords {
			if strings.HasPrefix(strings.ToLower(k), id) {
				return true
			}
		}
	}
	return false
}

// createdFlagTested reports a get_or_create whose flag is bound (`obj,
// created = ...`) and tested by an `if` or `while` of the function holding
// the call (`if not created: return`, `if created: process(obj)`).
func createdFlagTested(call pyast.Node) bool {
	value := call
	if p := call.Parent(); p.Type() == "await" {
		value = p // obj, created = await Model.objects.aget_or_create(...)
	}
	a := value.Parent()
	if a.Type() != "assignment" || !a.ChildByField("right").Equal(value) {
		return false
	}
	left := a.ChildByField("left")
	if !left.Is("pattern_list", "tuple_pattern", "tuple") || left.NamedChildCount() != 2 {
		return false
	}
	flag := left.NamedChild(1)
	if flag.Type() != "identifier" || flag.Text() == "_" {
		return false
	}
	fn := pyast.EnclosingFunction(call)
	if fn.IsNil() {
		return false
	}
	for st := range pyast.FindEach(pyast.Body(fn), "if_statement", "elif_clause", "while_statement", "conditional_expression") {
		cond := st.ChildByField("condition")
		if st.Type() == "conditional_expression" {
			cond = st
		}
		for id := range pyast.FindEach(cond, "identifier") {
			if id.Text() == flag.Text() {
				return true
			}
		}
	}
	return false
}

// fallsThrough reports a check whose `if` refuses nothing: the condition
// of an if with no elif or else branch whose block does not leave (no
// return, raise, continue or break at its end), as in `if
// Payment.objects.filter(operation_id=op).exists(): logger.info(...)`
// followed by the create it was meant to stop. A negated check (`if not
// ...exists():` holding the work) and a check kept in a variable are not
// read here.
func fallsThrough(check pyast.Node) bool {
	cond := check
	for p := cond.Parent(); !p.IsNil() && p.Is("parenthesized_expression", "boolean_operator"); p = p.Parent() {
		cond = p
	}
	st := cond.Parent()
	if st.Type() != "if_statement" || !st.ChildByField("condition").Equal(cond) || len(st.ChildrenByField("alternative")) > 0 {
		return false
	}
	last := pyast.LastStatement(st.ChildByField("consequence"))
	return !last.IsNil() && !last.Is("return_statement", "raise_statement", "continue_statement", "break_statement")
}

// replayGuard reports whether a node shows a replay check (see
// Webhook.Guard): a name or string of guardWords, a call to exists() whose
// if refuses (not fallsThrough), a get_or_create/update_or_create keyed on
// an event id or whose created flag is tested, construct_event, or a
// lookup or comparison on an event id; or a comparison of a timestamp
// with a bound (`abs(now - ts) > 300`).
func replayGuard(x pyast.Node) bool {
	switch x.Type() {
	case "identifier":
		for _, wd := range IdentWords(x.Text()) {
			if guardWords[wd] {
				return true
			}
		}
	case "call":
		c, _ := pyast.AsCall(x)
		switch c.MethodName() {
		case "exists", "aexists":
			return !fallsThrough(x)
		case "construct_event":
			return true
		case "get_or_create", "update_or_create", "aget_or_create", "aupdate_or_create":
			// A delivery's row made once: looked up by the event's id,
			// or its `created` flag decides what runs. An organisation
			// fetched or made by its tax number de-duplicates the
			// organisation, not the delivery.
			return keyedOnEventID(c) || createdFlagTested(x)
		case "filter", "get", "exclude":
			return keyedOnEventID(c)
		}
	case "comparison_operator":
		t := strings.ToLower(x.Text())
		return (strings.Contains(t, "timestamp") || strings.Contains(t, "time.time()") || strings.Contains(t, "now()")) &&
			strings.ContainsAny(t, "<>")
	}
	return false
}
