// Package effects classifies the calls that the integration rules (TXN,
// IDM, NET004+, ARC) reason about: outbound HTTP calls, Celery enqueues,
// e-mail, message publishing and Django ORM writes, plus the transaction
// context (atomic blocks, on_commit) a call runs in. It is shared by the
// rule packages and holds no rule.
package effects

import (
	"strings"
	"sync"

	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// Kind is what a call does to the outside world.
type Kind int

// Kinds of effects.
const (
	None    Kind = iota
	HTTP         // outbound HTTP request
	Enqueue      // Celery .delay()/.apply_async()/send_task
	Mail         // send_mail, EmailMessage.send, user.email_user
	Publish      // message broker publish
	DBWrite      // ORM create/update/delete/save
)

// IsSideEffect reports whether k cannot be undone by a database rollback.
func (k Kind) IsSideEffect() bool { return k == HTTP || k == Enqueue || k == Mail || k == Publish }

// Notifies reports whether k tells someone else something (task, mail,
// publish): the "notification" concern of a function.
func (k Kind) Notifies() bool { return k == Enqueue || k == Mail || k == Publish }

// Origin says how an HTTP call reaches its library.
type Origin int

// Origins of HTTP calls.
const (
	// ModuleFunc is requests.post(...), httpx.get(...), urlopen(...).
	ModuleFunc Origin = iota + 1
	// LocalSession is a call on a session/client constructed in this file
	// (`s = requests.Session()`, `self.http = httpx.Client()`).
	LocalSession
	// NamedSession is a call on something merely named like a session
	// (`self.session.post`): built elsewhere, its configuration unknown.
	NamedSession
)

// Effect is one classified call.
type Effect struct {
	Kind   Kind
	Call   pyast.Call
	Verb   string // HTTP: upper-case method ("POST"), "" when unknown; DBWrite: the ORM method
	Origin Origin // HTTP only
	Lib    string // HTTP: "requests", "httpx", "urllib"
	Model  string // DBWrite: model name when known ("Account"), else ""
	Name   string // short display name of the callee ("requests.post", "send_notification.delay")
}

// Node is the call node.
func (e Effect) Node() pyast.Node { return e.Call.Node }

// Callee is the called expression (`requests.post`): what a finding points
// at, rather than the whole, possibly multi-line, call.
func (e Effect) Callee() pyast.Node { return e.Call.Func }

var httpVerbs = map[string]string{
	"get": "GET", "post": "POST", "put": "PUT", "patch": "PATCH", "delete": "DELETE",
	"head": "HEAD", "options": "OPTIONS", "request": "", "stream": "",
}

// sessionCtors are the qualified constructors of HTTP sessions and clients.
var sessionCtors = map[string]string{
	"requests.Session": "requests", "requests.session": "requests", "requests.sessions.Session": "requests",
	"httpx.Client": "httpx", "httpx.AsyncClient": "httpx",
}

// sessionNames are attribute or variable names that, by convention, hold an
// HTTP session built elsewhere.
var sessionNames = map[string]bool{
	"session": true, "_session": true, "http": true, "_http": true, "http_client": true, "client": true, "_client": true,
	"api_client": true, "_api_client": true,
	"_http_client": true, "http_session": true, "_http_session": true, "requests_session": true,
}

var dbWriteMethods = map[string]bool{
	"create": true, "bulk_create": true, "get_or_create": true, "update_or_create": true,
	"update": true, "bulk_update": true, "delete": true,
}

var mailFuncs = map[string]bool{
	"send_mail": true, "send_mass_mail": true, "mail_admins": true, "mail_managers": true,
	"send_email": true, "email_user": true, "send_messages": true,
}

var publishMethods = map[string]bool{"publish": true, "basic_publish": true, "publish_message": true}

// File holds per-file knowledge the classifier needs: which names hold
// sessions built here and which hold e-mail messages.
type File struct {
	Imports  *pyast.Imports
	sessions map[string]string // dotted receiver -> library
	emails   map[string]bool   // dotted name bound to EmailMessage(...)

	mu   sync.Mutex
	byFn map[pyast.Node][]Effect // Effects by function, for the rules that ask again
}

// Of returns the unit's File, built once per file and shared by every rule
// that asks.
func Of(u *project.Unit) *File {
	return fileOf.Get(u, nil)
}

var fileOf = &project.FileAnalysis[*File]{Name: "effects.File", Run: func(u *project.Unit, _ *project.Index) *File {
	return NewFile(u.Tree.Root(), u.Imports)
}}

// NewFile scans a file once for session and e-mail message bindings.
func NewFile(root pyast.Node, im *pyast.Imports) *File {
	f := &File{Imports: im, sessions: map[string]string{}, emails: map[string]bool{}}
	for n := range pyast.FindEach(root, "assignment", "as_pattern") {
		var target, value pyast.Node
		switch n.Type() {
		case "assignment":
			target, value = n.ChildByField("left"), n.ChildByField("right")
		case "as_pattern":
			target, value = n.ChildByField("alias").NamedChild(0), n.NamedChild(0)
		}
		c, ok := pyast.AsCall(pyast.Unparen(value))
		if !ok || target.IsNil() {
			continue
		}
		name := pyast.Dotted(target)
		if name == "" {
			continue
		}
		if q, ok := im.Resolve(c.Func); ok {
			if lib, ok := sessionCtors[q]; ok {
				f.sessions[name] = lib
			}
			if strings.HasPrefix(q, "django.core.mail.") && strings.HasPrefix(q[len("django.core.mail."):], "Email") {
				f.emails[name] = true
			}
		}
	}
	return f
}

// IsLocalSession reports whether the dotted name holds a session or client
// constructed in this file.
func (f *File) IsLocalSession(dotted string) bool { _, ok := f.sessions[dotted]; return ok }

// Classify returns the effect of a call node, Kind None for anything else.
func (f *File) Classify(n pyast.Node) Effect {
	if !f.mayBeEffect(n) {
		return Effect{}
	}
	c, ok := pyast.AsCall(n)
	if !ok {
		return Effect{}
	}
	e := Effect{Call: c}
	method := c.MethodName()
	q, resolved := f.Imports.Resolve(c.Func)

	// HTTP through the library's module functions.
	if resolved {
		for _, lib := range []string{"requests", "httpx"} {
			if rest, ok := strings.CutPrefix(q, lib+"."); ok {
				rest = strings.TrimPrefix(rest, "api.")
				if verb, ok := httpVerbs[rest]; ok {
					e.Kind, e.Origin, e.Lib, e.Name = HTTP, ModuleFunc, lib, q
					e.Verb = verb
					if rest == "request" {
						e.Verb = requestVerb(c)
					}
					return e
				}
			}
		}
		if q == "urllib.request.urlopen" {
			e.Kind, e.Origin, e.Lib, e.Name = HTTP, ModuleFunc, "urllib", q
			return e
		}
	}
	recv := c.Receiver()
	// HTTP through a session or client.
	if verb, ok := httpVerbs[method]; ok && !recv.IsNil() {
		d := pyast.Dotted(recv)
		last := d[strings.LastIndex(d, ".")+1:]
		lib, local := f.sessions[d]
		// self.client is Django's and DRF's test client (and locust's):
		// not an outbound call.
		if local || sessionNames[last] && d != "self.client" && !strings.HasSuffix(d, "request.session") && (urlish(c.Arg(0, "url"), method) || requestKeyword(c)) {
			e.Kind, e.Lib, e.Name = HTTP, lib, d+"."+method
			e.Origin = NamedSession
			if local {
				e.Origin = LocalSession
			}
			e.Verb = verb
			if method == "request" {
				e.Verb = requestVerb(c)
			}
			return e
		}
	}
	// Celery.
	if (method == "delay" || method == "apply_async") && !recv.IsNil() {
		e.Kind, e.Name = Enqueue, short(c.Func)
		return e
	}
	if method == "send_task" {
		e.Kind, e.Name = Enqueue, short(c.Func)
		return e
	}
	// E-mail.
	if mailFuncs[method] && (method != "send_messages" || !recv.IsNil()) {
		e.Kind, e.Name = Mail, short(c.Func)
		return e
	}
	if method == "send" && !recv.IsNil() {
		r := pyast.Unparen(recv)
		if f.emails[pyast.Dotted(r)] {
			e.Kind, e.Name = Mail, short(c.Func)
			return e
		}
		if rc, ok := pyast.AsCall(r); ok {
			if rq, ok := f.Imports.Resolve(rc.Func); ok && strings.HasPrefix(rq, "django.core.mail.Email") {
				e.Kind, e.Name = Mail, "EmailMessage.send"
				return e
			}
		}
	}
	// Message brokers.
	if publishMethods[method] && !recv.IsNil() && !(method == "publish" && boundToRow(recv, f.Imports)) && !ownClass(recv) {
		e.Kind, e.Name = Publish, short(c.Func)
		return e
	}
	// ORM writes.
	if method == "" || recv.IsNil() {
		return Effect{}
	}
	if dbWriteMethods[method] {
		if model, ok := managerModel(recv); ok {
			e.Kind, e.Verb, e.Model, e.Name = DBWrite, method, model, short(c.Func)
			return e
		}
	}
	if (method == "save" || method == "delete") && len(c.Positional) == 0 && !c.StarArgs {
		if commit := c.Keyword("commit"); !commit.IsNil() && commit.Text() == "False" {
			return Effect{}
		}
		d := strings.ToLower(pyast.Dotted(recv))
		if d == "" || strings.Contains(d, "session") || strings.Contains(d, "cache") {
			return Effect{}
		}
		e.Kind, e.Verb, e.Name = DBWrite, method, short(c.Func)
		return e
	}
	return Effect{}
}

// mayBeEffect is a cheap test before Classify decodes call n: a method
// name some effect has, or a callee resolving into an HTTP library.
func (f *File) mayBeEffect(n pyast.Node) bool {
	m := string(pyast.CalleeName(n))
	if _, ok := httpVerbs[m]; ok || mailFuncs[m] || publishMethods[m] || dbWriteMethods[m] {
		return true
	}
	switch m {
	case "delay", "apply_async", "send_task", "send", "save":
		return true
	}
	q, ok := f.Imports.Resolve(n.ChildByField("function"))
	return ok && (strings.HasPrefix(q, "requests.") || strings.HasPrefix(q, "httpx.") || q == "urllib.request.urlopen")
}

// urlish reports whether the first argument of a call on something named
// like a session can be a URL: not a plain string that is no URL (Django's
// `session.get("cart_id")`), not a class (SQLAlchemy's `session.get(User, 1)`).
// For `.request(method, url)` the method string comes first and is allowed.
func urlish(arg pyast.Node, method string) bool {
	if arg.IsNil() {
		return method != "get" && method != "delete"
	}
	if s, ok := pyast.StringValue(arg); ok {
		if method == "request" {
			return true
		}
		return strings.HasPrefix(s, "http") || strings.HasPrefix(s, "/")
	}
	if arg.Type() == "identifier" || arg.Type() == "attribute" {
		low := strings.ToLower(arg.Text())
		for _, w := range []string{"url", "uri", "endpoint", "path", "href", "link"} {
			if strings.Contains(low, w) {
				return true // ORDERS_URL, self.base_url
			}
		}
		t := arg.Text()
		return arg.Type() == "identifier" && (t == "" || t[0] < 'A' || t[0] > 'Z')
	}
	return true
}

// requestKeyword reports a keyword only an HTTP request takes.
func requestKeyword(c pyast.Call) bool {
	for _, k := range []string{"url", "json", "data", "headers", "params", "timeout", "auth", "files", "verify", "cookies"} {
		if _, ok := c.Keywords[k]; ok {
			return true
		}
	}
	return false
}

// requestVerb reads the method of requests.request("POST", url) /
// session.request(method="POST").
func requestVerb(c pyast.Call) string {
	if v, ok := pyast.StringValue(c.Arg(0, "method")); ok {
		return strings.ToUpper(v)
	}
	return ""
}

// managerModel walks a receiver chain such as `Account.objects.filter(x=1)`
// or `user.order_set` and reports whether it goes through a model manager,
// returning the model name when it is written out ("Account").
func managerModel(recv pyast.Node) (string, bool) {
	n := recv
	for !n.IsNil() {
		n = pyast.Unparen(n)
		switch n.Type() {
		case "call":
			n = n.ChildByField("function")
		case "attribute":
			attr := n.ChildByField("attribute").Text()
			obj := n.ChildByField("object")
			if attr == "objects" || attr == "_default_manager" || attr == "all_objects" {
				d := pyast.Dotted(obj)
				return d[strings.LastIndex(d, ".")+1:], true
			}
			if strings.HasSuffix(attr, "_set") {
				return "", true
			}
			n = obj
		default:
			return "", false
		}
	}
	return "", false
}

// short renders a callee for messages: its dotted name, or the method name
// after "…" for long chains.
func short(fn pyast.Node) string {
	if d := pyast.Dotted(fn); d != "" {
		return d
	}
	if fn.Type() == "attribute" {
		return "…." + fn.ChildByField("attribute").Text()
	}
	return fn.Text()
}

// rowMethods end an ORM chain that yields one row.
var rowMethods = map[string]bool{"get": true, "first": true, "last": true, "latest": true, "earliest": true,
	"create": true, "get_object_or_404": true}

// savesInstance reports a call that returns the model instance it saved:
// a DRF serializer's or a ModelForm's `save()` (`version =
// serializer.save(...)`, `obj = form.save()`) and, in a serializer's own
// create or update, `super().create(validated_data)`.
func savesInstance(c pyast.Call) bool {
	recv := pyast.Unparen(c.Receiver())
	switch c.MethodName() {
	case "save":
		name := strings.ToLower(pyast.Dotted(recv))
		name = name[strings.LastIndex(name, ".")+1:]
		return strings.Contains(name, "serializer") || strings.HasSuffix(name, "form")
	case "create", "update":
		sc, ok := pyast.AsCall(recv)
		return ok && sc.Func.Type() == "identifier" && sc.Func.Text() == "super"
	}
	return false
}

// loopOverRows reports a name that a for loop around it binds to each item
// of a queryset: the loop's iterable, or the value last bound to the name
// it is, reads rows (`.objects`, `.filter(`, `.all()`, `.exclude(`), or is a
// method called on a relation of the row, inside a model's method
// (`for event in self.events.unpublished():`).
func loopOverRows(recv, fn pyast.Node) bool {
	for loop := pyast.Ancestor(recv, "for_statement"); !loop.IsNil() && fn.Contains(loop); loop = pyast.Ancestor(loop, "for_statement") {
		if t := loop.ChildByField("left"); t.Type() != "identifier" || t.Text() != recv.Text() {
			continue
		}
		it := pyast.Unparen(loop.ChildByField("right"))
		if it.Type() == "identifier" {
			var last pyast.Node
			for a := range pyast.FindEach(fn, "assignment") {
				if a.StartByte() >= loop.StartByte() {
					break
				}
				if a.ChildByField("left").Text() == it.Text() {
					last = pyast.Unparen(a.ChildByField("right"))
				}
			}
			it = last
		}
		if it.IsNil() || it.Type() != "call" {
			return false
		}
		if text := it.Text(); readsRows(text) || strings.Contains(text, ".exclude(") {
			return true
		}
		c, _ := pyast.AsCall(it)
		if obj := c.Receiver(); obj.Type() == "attribute" && obj.ChildByField("object").Text() == "self" {
			if cls := pyast.Ancestor(fn, "class_definition"); !cls.IsNil() && strings.Contains(cls.ChildByField("superclasses").Text(), "Model") {
				return true
			}
		}
		return false
	}
	return false
}

// getsRowOf reports a project getter handed a model class: a call whose
// callee is named get... and one of whose arguments is a class imported
// from a models module (`get_obj_if_user_can_administer(info, pk, Event)`)
// returns a row of it.
func getsRowOf(c pyast.Call, im *pyast.Imports) bool {
	if im == nil || !strings.HasPrefix(c.MethodName(), "get") {
		return false
	}
	for _, a := range c.Positional {
		if a.Type() != "identifier" {
			continue
		}
		if q, ok := im.Resolve(a); ok && strings.Contains(q, ".models.") && !strings.HasPrefix(q, "django.") {
			if name := q[strings.LastIndex(q, ".")+1:]; name != "" && name[0] >= 'A' && name[0] <= 'Z' {
				return true
			}
		}
	}
	return false
}

// boundToRow reports a receiver that is a name its function last bound to
// a row fetched through the ORM (`article = ....filter(...).first()`,
// `get_object_or_404(Article, ...)`): `article.publish(user)` is the
// model's own method, not a message broker's.
// ownClass reports a receiver that is the enclosing class itself (`self`,
// `cls`, `super()`): `super().publish()` in a model is the class's own
// method (a base's `publish` that saves the row), read through its
// definition where the project has one, not a broker's client.
func ownClass(recv pyast.Node) bool {
	recv = pyast.Unparen(recv)
	if c, ok := pyast.AsCall(recv); ok {
		return pyast.Dotted(c.Func) == "super"
	}
	return recv.Type() == "identifier" && (recv.Text() == "self" || recv.Text() == "cls") &&
		!pyast.Ancestor(recv, "class_definition").IsNil()
}

func boundToRow(recv pyast.Node, im *pyast.Imports) bool {
	recv = pyast.Unparen(recv)
	fn := pyast.Ancestor(recv, "function_definition")
	if recv.Type() != "identifier" || fn.IsNil() {
		return false
	}
	if loopOverRows(recv, fn) {
		return true
	}
	var rhs pyast.Node
	for a := range pyast.FindEach(fn, "assignment") {
		if a.StartByte() >= recv.StartByte() {
			break
		}
		if r := pyast.Unparen(a.ChildByField("right")); a.ChildByField("left").Text() == recv.Text() && r.Type() != "none" {
			rhs = r // `article = None` in an except branch keeps the row binding
		}
	}
	c, ok := pyast.AsCall(rhs)
	if !ok {
		return false
	}
	if savesInstance(c) || getsRowOf(c, im) {
		return true
	}
	if !rowMethods[c.MethodName()] {
		return false
	}
	return c.MethodName() == "get_object_or_404" || readsRows(rhs.Text())
}

// readsRows reports an expression's text that goes through a manager or a
// queryset (`.objects`, `.filter(`, `.all()`).
func readsRows(text string) bool {
	return strings.Contains(text, ".objects") || strings.Contains(text, ".filter(") || strings.Contains(text, ".all()")
}
