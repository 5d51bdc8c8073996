package security

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed openwrite.md
var openWriteDoc string

// OpenWriteEndpoint reports endpoints that change state and are open to
// anonymous callers.
var OpenWriteEndpoint = &analyzer.Rule{
	Code:       "SEC013",
	Name:       "open-write-endpoint",
	Doc:        openWriteDoc,
	Category:   analyzer.Security,
	Severity:   analyzer.Error,
	Confidence: analyzer.Medium,
	Since:      "0.2.0",
	Stack:      project.Django | project.WebApp,
	Skip:       semantic.ProductCode,
	Requires:   []project.Analysis{semantic.Endpoints},
	// Each open view is its own door: never folded into another view's
	// finding of the same file.
	Distinct: true,
	Run:      runOpenWriteEndpoint,
}

// publicByDesign are words of views that anonymous callers must reach:
// sign-up, log-in, tokens, password resets, e-mail confirmation, a shop's
// guest checkout and cart.
var publicByDesign = map[string]bool{"register": true, "registration": true, "signup": true, "sign": true,
	"login": true, "logout": true, "authenticate": true, "token": true, "password": true, "reset": true, "activate": true,
	"activation": true, "confirm": true, "verify": true, "otp": true, "auth": true, "contact": true,
	"subscribe": true, "unsubscribe": true, "health": true, "healthcheck": true, "init": true, "obtain": true,
	"refresh": true, "invite": true, "invitation": true, "feedback": true, "newsletter": true,
	"checkout": true, "cart": true, "basket": true}

// runOpenWriteEndpoint matches the judged endpoints of the file (see
// semantic.Endpoint.Judged) that write rows, move money or queue tasks
// through an unsafe method anonymous callers reach (AllowAny, an empty
// permission_classes, no DEFAULT_PERMISSION_CLASSES, a Django view with no
// login check). One finding per view, at its own permission_classes when
// that opens it, else at its name, listing the open methods. Webhooks (their signature rules judge them), views named for
// sign-up, log-in, tokens or password resets, views that write only the
// user model or tokens, views taking a secret from the URL (e-mail
// links: possession is the authorisation), views that read request.user (they rely on a
// caller rubric cannot see checked) and views whose protection rubric
// cannot read (custom permissions, middleware, unknown decorators) are
// left alone.
func runOpenWriteEndpoint(p *analyzer.Pass) error {
	inv := semantic.InventoryOf(p.Project)
	f := semantic.Of(p.Project).File(p.Unit)
	type group struct {
		eps     []*semantic.Endpoint
		methods []string
	}
	var order []string
	groups := map[string]*group{}
	for _, e := range inv.ViewsIn(f) {
		if !e.Judged(inv) || e.Webhook != nil || e.Auth.Unknown || e.Auth.UsesUser || !e.Writes() {
			continue
		}
		var open []string
		for _, m := range e.Methods {
			if m != "GET" && m != "HEAD" && m != "OPTIONS" && e.Auth.PublicFor(m) {
				open = append(open, m)
			}
		}
		if len(open) == 0 || publicDesign(e) || writesOnlyAccounts(semantic.Of(p.Project), p.Project, e) || e.SecretInURL() || genericWritesWithoutRows(e) || writesOnlyBlankRows(e) ||
			semantic.Of(p.Project).ObjectPermissionDecides(e) || writesCaller(e) ||
			semantic.HeaderTokenLookup(e.Handler) || semantic.SignatureDecides(e.Handler) || semantic.HeaderSecretDecides(e.Handler) || semantic.PasswordDecides(e.Handler) ||
			writesUnderCarriedSecret(e) || writesAfterKeyLookup(e) || servesImage(e) {
			continue
		}
		g := groups[e.View]
		if g == nil {
			g = &group{}
			groups[e.View] = g
			order = append(order, e.View)
		}
		g.eps = append(g.eps, e)
		for _, m := range open {
			if !containsStr(g.methods, m) {
				g.methods = append(g.methods, m)
			}
		}
	}
	for _, v := range order {
		g := groups[v]
		e := g.eps[0]
		var writes []string
		money := false
		for _, x := range g.eps {
			for _, w := range x.Does.Names(semantic.WriteRows) {
				if !containsStr(writes, w) {
					writes = append(writes, w)
				}
			}
			for _, t := range x.Does.Names(semantic.QueueTask) {
				if !containsStr(writes, t) {
					writes = append(writes, t)
				}
			}
			money = money || x.Does.MovesMoneyNow(p.Project)
		}
		what := "changes state"
		if len(writes) > 0 {
			what = "writes `" + strings.Join(limit(writes, 3), "`, `") + "`"
		}
		if money {
			what += " (moves money)"
		}
		route := e.AtRoute()
		conf := analyzer.Medium
		if money || e.Auth.Source == "class" || e.Auth.Source == "decorator" {
			conf = analyzer.High
		}
		first := e.Does.FirstWrite()
		var rel []analyzer.Related
		if first != nil && first.File == f && !first.Call.IsNil() && first.Call.StartByte() != e.ViewNode().StartByte() {
			rel = append(rel, analyzer.Related{Range: analyzer.RangeOf(first.Call), Message: "state changed here"})
		}
		at := e.ViewNode()
		if e.Class != nil && e.Auth.Source == "class" {
			// The exact line to change: the class's own permission_classes.
			if v, decl := e.Class.Attr("permission_classes"); decl == e.Class && decl.File == f {
				at = v.Parent()
			}
		}
		p.Report(analyzer.Diagnostic{
			Range:      analyzer.RangeOf(at),
			Confidence: conf,
			Message: fmt.Sprintf("`%s` (%s%s) %s and is open to anonymous callers: %s", e.ViewName(),
				strings.Join(g.methods, ", "), route, what, e.Auth.Summary),
			Help:    openWriteHelp(e),
			Related: rel,
		})
	}
	return nil
}

// servesImage reports a view reached by GET every response of which is an
// image (`return HttpResponse(data, content_type="image/png")`, a
// FileResponse or StreamingHttpResponse with an image type): an <img> tag
// loads it, a mailing's open-tracking pixel or a badge, from a mail client
// or a page that sends no credentials a permission could check. What it
// writes (the message marked read) is the point of being open.
func servesImage(e *semantic.Endpoint) bool {
	if e.Handler == nil || !containsStr(e.Methods, "GET") && !containsStr(e.Methods, "ANY") {
		return false
	}
	found := false
	for ret := range pyast.FindEachShallow(pyast.Body(e.Handler.Node), "return_statement") {
		if ret.NamedChildCount() == 0 {
			return false
		}
		c, ok := pyast.AsCall(pyast.Unparen(ret.NamedChild(0)))
		if !ok {
			return false
		}
		switch string(pyast.CalleeName(c.Node)) {
		case "HttpResponse", "FileResponse", "StreamingHttpResponse":
		default:
			return false
		}
		ct, ok := pyast.StringValue(c.Arg(1, "content_type"))
		if !ok || !strings.HasPrefix(strings.ToLower(ct), "image/") {
			return false
		}
		found = true
	}
	return found
}

// writesCaller reports a DRF detail write (the framework's update,
// partial_update or destroy) on a view whose get_object returns the
// caller (`return self.request.user`): an anonymous caller's object is an
// AnonymousUser, which cannot be saved or deleted, so the door opens on
// the caller's own row only.
func writesCaller(e *semantic.Endpoint) bool {
	if e.Class == nil || e.Handler != nil {
		return false
	}
	switch e.Action {
	case "update", "partial_update", "destroy":
	default:
		return false
	}
	g := e.Class.Method("get_object")
	if g == nil {
		return false
	}
	stmts := pyast.Statements(pyast.Body(g.Node))
	for len(stmts) > 0 && stmts[0].Type() == "expression_statement" && stmts[0].NamedChild(0).Type() == "string" {
		stmts = stmts[1:] // a docstring
	}
	return len(stmts) == 1 && stmts[0].Type() == "return_statement" && pyast.Dotted(pyast.Unparen(stmts[0].NamedChild(0))) == "self.request.user"
}

// writesOnlyBlankRows reports an endpoint whose only writes create a row
// from nothing the caller sends: `Order.objects.create()` with no argument
// (a cart or a session opened for an anonymous visitor). An anonymous
// caller can add blank rows and nothing else; the writes that fill them
// (adding items, paying) are judged at their own endpoints. A queued task,
// a money write or any other write keeps the endpoint judged.
func writesOnlyBlankRows(e *semantic.Endpoint) bool {
	blank := false
	for _, x := range e.Does.Effects {
		switch {
		case x.Kind == semantic.QueueTask || x.Money:
			return false
		case x.Kind != semantic.WriteRows:
			continue
		}
		c, ok := pyast.AsCall(x.Call)
		if !ok || c.MethodName() != "create" || len(c.Positional) > 0 || len(c.Keywords) > 0 || c.StarArgs || c.StarKwargs {
			return false
		}
		blank = true
	}
	return blank
}

// genericWritesWithoutRows reports a DRF or Django generic view whose only
// writes are the framework's own actions (update, destroy, create) on a
// model rubric does not know, in a class with no queryset, form_class,
// get_queryset, get_object or get_form(_class): get_object() fails an
// assertion (DRF; BUG003 reports that) or raises ImproperlyConfigured
// (Django's DeleteView, UpdateView, CreateView without model) before any
// row is touched, so the door writes nothing. A catch-all
// `RetrieveUpdateDestroyAPIView` answering 404s, or a JSON view that
// subclasses DeleteView for its name and defines only get(), is the usual
// case.
func genericWritesWithoutRows(e *semantic.Endpoint) bool {
	if e.Class == nil || e.Model != nil {
		return false
	}
	for _, x := range e.Does.Effects {
		if x.Kind != semantic.WriteRows && x.Kind != semantic.QueueTask {
			continue
		}
		if x.Model != "" || x.File != e.Class.File || !x.Call.Equal(e.Class.Node) {
			return false
		}
	}
	for _, attr := range []string{"queryset", "form_class"} {
		if v, _ := e.Class.Attr(attr); !v.IsNil() {
			return false
		}
	}
	for _, c := range append([]*semantic.Class{e.Class}, e.Class.Bases()...) {
		for _, b := range c.BaseNames() {
			if !strings.HasPrefix(b, "rest_framework.") && !strings.HasPrefix(b, "django.views.generic.") && !projectClass(e, b) {
				return false // a library base may provide the queryset
			}
		}
	}
	for _, m := range []string{"get_queryset", "get_object", "get_form_class", "get_form"} {
		if e.Class.Method(m) != nil {
			return false
		}
	}
	return true
}

// projectClass reports whether the qualified base name is a class of the
// project (one of e.Class's project bases).
func projectClass(e *semantic.Endpoint, qual string) bool {
	for _, b := range e.Class.Bases() {
		if b.Qual == qual {
			return true
		}
	}
	return false
}

// openWriteHelp names the change that closes the door.
func openWriteHelp(e *semantic.Endpoint) string {
	name := e.ViewName()
	switch e.Kind {
	case "function":
		return fmt.Sprintf("decorate `%s` with `@login_required` (or check `request.user.is_authenticated` and answer 401/403) before it changes anything", name)
	case "django-view":
		return fmt.Sprintf("add `LoginRequiredMixin` first among the bases of `%s` (or a permission mixin)", name)
	case "ninja", "asgi":
		return fmt.Sprintf("require authentication on `%s`: pass `auth=` to the operation (or to its router or API)", name)
	}
	if strings.HasPrefix(e.Auth.Source, "DRF default") {
		return fmt.Sprintf("set `\"DEFAULT_PERMISSION_CLASSES\": [\"rest_framework.permissions.IsAuthenticated\"]` in `REST_FRAMEWORK`, or `permission_classes = [IsAuthenticated]` on `%s`", name)
	}
	if e.Class == nil {
		return fmt.Sprintf("decorate `%s` with `@permission_classes([IsAuthenticated])` (or a permission that checks the caller may do this)", name)
	}
	return fmt.Sprintf("set `permission_classes = [IsAuthenticated]` on `%s` (or a permission class that checks the caller may do this); `AllowAny` only for endpoints meant for anyone", name)
}

// publicDesign reports views meant for anonymous callers (see
// publicByDesign), by the words of the view, its handler and its route.
func publicDesign(e *semantic.Endpoint) bool { return namedFor(e, publicByDesign) }

// namedFor reports whether a word of the view's name, its handler's name,
// or its routes' patterns and names is in words.
func namedFor(e *semantic.Endpoint, words map[string]bool) bool {
	names := []string{e.ViewName(), e.View, e.Route}
	if e.Handler != nil {
		names = append(names, e.Handler.Name)
	}
	for _, r := range e.Routes {
		names = append(names, r.Name, r.Pattern)
	}
	for _, n := range names {
		for _, w := range semantic.IdentWords(n) {
			if words[w] {
				return true
			}
		}
	}
	return false
}

// writesOnlyAccounts reports an endpoint whose only writes are users,
// profiles or tokens (a sign-up by another name). A framework action on a
// model the graph does not hold (Django's own auth.User) counts when every
// serializer the endpoint uses serializes the user model
// (`model = get_user_model()`). A sign-up that also opens the new user's
// account or wallet (a row of a model holding a balance, created with
// nothing moved on this request: see semantic.Does.MovesMoneyNow) still
// counts when the endpoint creates the user itself; an account opened
// without a user, or a sign-up that credits one, does not.
func writesOnlyAccounts(m *semantic.Model, ix *project.Index, e *semantic.Endpoint) bool {
	ws := e.Does.Names(semantic.WriteRows)
	if len(ws) == 0 || len(e.Does.Names(semantic.QueueTask)) > 0 {
		return false
	}
	opensAccount := false
	if e.Does.MovesMoney() {
		if e.Does.MovesMoneyNow(ix) || !createsUser(e) || !opensEmpty(ix, e) {
			return false
		}
		opensAccount = true
	}
	for _, x := range e.Does.Effects {
		if x.Kind != semantic.WriteRows {
			continue
		}
		if opensAccount && x.Money {
			continue // the new user's account, opened empty
		}
		if x.Model == "" && e.Class != nil && x.File == e.Class.File && x.Call.Equal(e.Class.Node) {
			if !serializesUsers(m, e) {
				return false
			}
			continue
		}
		w := x.Model
		if w == "" {
			w = x.Name
		}
		switch strings.ToLower(w) {
		case "user", "customuser", "token", "profile", "userprofile", "account":
		default:
			return false
		}
	}
	return true
}

// createsUser reports an endpoint whose handler (or a project function it
// calls) creates a row of the user model by name (`User.objects.create(...)`,
// `User.objects.create_user(...)`, a `User(...)` saved): a write of the model
// called User or CustomUser made on the model itself. A user created
// through a serializer's save() does not count: what else the serializer's
// create() writes, and from which fields, is not read here.
func createsUser(e *semantic.Endpoint) bool {
	for _, x := range e.Does.Effects {
		if x.Kind != semantic.WriteRows || x.Money {
			continue
		}
		recv, method, _ := strings.Cut(x.Name, ".")
		w := x.Model
		if w == "" {
			w = recv
		}
		if recv != w {
			continue // serializer.save(): the serializer's own create decides
		}
		switch method {
		case "create", "acreate", "create_user", "acreate_user", "save", "asave":
		default:
			continue // an update or delete of users is no sign-up
		}
		switch strings.ToLower(w) {
		case "user", "customuser":
			return true
		}
	}
	return false
}

// opensEmpty reports whether every money write of the endpoint creates a
// row with no amount in it: the creation call passes no money-named
// argument but a literal zero (in get_or_create's defaults too), no
// **kwargs, and no money-named field of the model starts at a default
// other than zero. A sign-up that opens `TransactionHistory` with
// `money_amount = DecimalField(default=5000)`, or a profile with
// `balance=balance` from the request, grants money to anyone who asks.
func opensEmpty(ix *project.Index, e *semantic.Endpoint) bool {
	if ix.Models == nil {
		return false
	}
	for _, x := range e.Does.Effects {
		if x.Kind != semantic.WriteRows || !x.Money {
			continue
		}
		c, ok := pyast.AsCall(x.Call)
		if !ok || c.StarKwargs || len(c.Positional) > 0 {
			return false
		}
		for k, v := range c.EachKeyword() {
			if k == "defaults" {
				if !emptyDefaults(v) {
					return false
				}
				continue
			}
			if semantic.MoneyName(k, true) && !zeroNumber(v) {
				return false
			}
		}
		mds := ix.Models.Named(x.Model)
		if len(mds) == 0 {
			return false
		}
		for _, md := range mds {
			for _, f := range md.Fields {
				if f.DefaultNonZero && semantic.MoneyName(f.Name, true) {
					return false
				}
			}
		}
	}
	return true
}

// emptyDefaults reports a get_or_create `defaults=` dict literal whose
// money-named keys are all a literal zero.
func emptyDefaults(v pyast.Node) bool {
	d := pyast.Unparen(v)
	if d.Type() != "dictionary" {
		return false
	}
	for pair := range d.Named() {
		if pair.Type() != "pair" {
			return false // **other
		}
		k, ok := pyast.StringValue(pair.ChildByField("key"))
		if !ok {
			return false
		}
		if semantic.MoneyName(k, true) && !zeroNumber(pair.ChildByField("value")) {
			return false
		}
	}
	return true
}

// zeroNumber reports a literal zero (`0`, `0.00`, `Decimal("0")`).
func zeroNumber(n pyast.Node) bool {
	v, ok := project.NumberValue(n)
	return ok && v == 0
}

// serializesUsers reports an endpoint whose serializers are known and all
// name the user model in their Meta.
func serializesUsers(m *semantic.Model, e *semantic.Endpoint) bool {
	scs, known := m.EndpointSerializers(e)
	if !known {
		return false
	}
	for _, sc := range scs {
		if sc.Facts == nil || sc.Facts.MetaModel != project.UserModelQual && !m.IsUserModel(m.SerializerModel(sc)) {
			return false
		}
	}
	return true
}

func containsStr(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// limit keeps the first n names, saying how many more there are.
func limit(xs []string, n int) []string {
	if len(xs) <= n {
		return xs
	}
	return append(append([]string(nil), xs[:n]...), fmt.Sprintf("%d more", len(xs)-n))
}

// writesUnderCarriedSecret reports a handler whose every write happens
// inside an `if` whose condition requires a secret the request carries
// to equal another value (`api_key = request.query_params.get("callback_key")`,
// then `if video_id and api_key == settings.THREEPLAY_CALLBACK_KEY:`): a
// caller without the shared key changes nothing (ocw-studio's 3Play
// callback).
func writesUnderCarriedSecret(e *semantic.Endpoint) bool {
	if e.Handler == nil || e.Handler.Node.IsNil() {
		return false
	}
	body := pyast.Body(e.Handler.Node)
	locals := map[string]bool{}
	for a := range pyast.FindEach(body, "assignment") {
		if l := a.ChildByField("left"); l.Type() == "identifier" && carriesSecret(a.ChildByField("right")) {
			locals[l.Text()] = true
		}
	}
	carried := func(n pyast.Node) bool {
		n = pyast.Unparen(n)
		return carriesSecret(n) || n.Type() == "identifier" && locals[n.Text()]
	}
	var guards []pyast.Node
	for ifs := range pyast.FindEach(body, "if_statement") {
		cond := ifs.ChildByField("condition")
		for cmp := range pyast.FindEach(cond, "comparison_operator") {
			sides := cmp.NamedChildren()
			if len(sides) != 2 || operatorText(cmp) != "==" || !conjunct(cmp, cond) {
				continue
			}
			for i, side := range sides {
				other := pyast.Unparen(sides[1-i])
				if carried(side) && !carried(other) && !other.Is("string", "concatenated_string", "integer", "none", "true", "false") {
					guards = append(guards, ifs.ChildByField("consequence"))
				}
			}
		}
	}
	if len(guards) == 0 {
		return false
	}
	writes := 0
	for _, x := range e.Does.Effects {
		if x.Kind != semantic.WriteRows && x.Kind != semantic.QueueTask && !x.Money {
			continue
		}
		if x.Entry.IsNil() || !e.Handler.Node.Contains(x.Entry) {
			return false
		}
		inside := false
		for _, g := range guards {
			if g.Contains(x.Entry) {
				inside = true
			}
		}
		if !inside {
			return false
		}
		writes++
	}
	return writes > 0
}

// carriesSecret reports a read of the request's query string, body or
// headers under a key named for a secret (`request.query_params.get("callback_key")`,
// `request.headers["X-Api-Token"]`).
func carriesSecret(n pyast.Node) bool {
	return carriesSecretFrom(n, []string{"request.GET", "request.POST", "request.data", "request.query_params", "request.headers", "request.META"})
}

// requestKeyRead returns the literal key of a read of one of the request's
// mappings named in sources ("request.GET", or `self.request.GET`):
// `request.query_params.get("callback_key")`, `request.headers["X-Api-Token"]`.
func requestKeyRead(n pyast.Node, sources []string) (string, bool) {
	n = pyast.Unparen(n)
	var src, key pyast.Node
	switch n.Type() {
	case "call":
		c, _ := pyast.AsCall(n)
		if c.MethodName() != "get" || len(c.Positional) == 0 {
			return "", false
		}
		src, key = c.Receiver(), c.Positional[0]
	case "subscript":
		src, key = n.ChildByField("value"), n.ChildByField("subscript")
	default:
		return "", false
	}
	d := pyast.Dotted(pyast.Unparen(src))
	for _, s := range sources {
		if d == s || strings.HasSuffix(d, "."+s) {
			return pyast.StringValue(key)
		}
	}
	return "", false
}

// conjunct reports whether n must hold for cond to hold: only `and` and
// parentheses between them (`a and (key == secret)`, not `key == secret or
// debug`, not `not (...)`).
func conjunct(n, cond pyast.Node) bool {
	for cur := n; !cur.Equal(cond); cur = cur.Parent() {
		p := cur.Parent()
		if p.IsNil() {
			return false
		}
		switch p.Type() {
		case "parenthesized_expression":
		case "boolean_operator":
			if operatorText(p) != "and" {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// writesAfterKeyLookup reports a handler that looks a row up by a secret
// the request carries and refuses the caller when there is none, before
// it writes anything: `api_key = params.get("apikey")` (params being
// `request.data`), `api_setting = APISettings.objects.filter(apikey=api_key).first()`,
// `if not api_setting: return Response(status=403)` (a lead-capture form's
// API key, MicroPyramid's CRM). A caller without a key the table holds
// changes nothing.
func writesAfterKeyLookup(e *semantic.Endpoint) bool {
	if e.Handler == nil || e.Handler.Node.IsNil() {
		return false
	}
	sources := []string{"request.GET", "request.POST", "request.data", "request.query_params", "request.headers", "request.META"}
	sts := pyast.Statements(pyast.Body(e.Handler.Node))
	secrets, found := map[string]bool{}, map[string]bool{}
	guardEnd := -1
	for _, st := range sts {
		if st.Type() == "expression_statement" && st.NamedChild(0).Type() == "assignment" {
			a := st.NamedChild(0)
			l, r := a.ChildByField("left"), pyast.Unparen(a.ChildByField("right"))
			if l.Type() != "identifier" {
				continue
			}
			switch {
			case slices.ContainsFunc(sources, func(src string) bool { d := pyast.Dotted(r); return d == src || strings.HasSuffix(d, "."+src) }):
				sources = append(sources, l.Text()) // `params = request.data`
			case carriesSecretFrom(r, sources):
				secrets[l.Text()] = true
			default:
				for kw := range pyast.FindEach(r, "keyword_argument") {
					v := pyast.Unparen(kw.ChildByField("value"))
					if v.Type() == "identifier" && secrets[v.Text()] || carriesSecretFrom(v, sources) {
						found[l.Text()] = true
					}
				}
			}
			continue
		}
		if st.Type() != "if_statement" || !rejectsAtTop(st) {
			continue
		}
		cond := pyast.Unparen(st.ChildByField("condition"))
		var tested pyast.Node
		switch {
		case cond.Type() == "not_operator":
			tested = pyast.Unparen(cond.ChildByField("argument"))
		case cond.Type() == "comparison_operator" && strings.HasSuffix(cond.Text(), "is None"):
			tested = cond.NamedChild(0)
		}
		if tested.Type() == "identifier" && found[tested.Text()] {
			guardEnd = st.EndByte()
			break
		}
	}
	if guardEnd < 0 {
		return false
	}
	writes := 0
	for _, x := range e.Does.Effects {
		if x.Kind != semantic.WriteRows && x.Kind != semantic.QueueTask && !x.Money {
			continue
		}
		if x.Entry.IsNil() || !e.Handler.Node.Contains(x.Entry) || x.Entry.StartByte() < guardEnd {
			return false
		}
		writes++
	}
	return writes > 0
}

// rejectsAtTop reports an if whose consequence returns or raises among
// its own statements.
func rejectsAtTop(st pyast.Node) bool {
	for s := range pyast.EachStatement(st.ChildByField("consequence")) {
		if s.Type() == "return_statement" || s.Type() == "raise_statement" {
			return true
		}
	}
	return false
}

// carriesSecretFrom is carriesSecret over the given request mappings
// (names bound to one included).
func carriesSecretFrom(n pyast.Node, sources []string) bool {
	k, ok := requestKeyRead(n, sources)
	if !ok {
		return false
	}
	for _, w := range semantic.IdentWords(strings.ToLower(k)) {
		switch w {
		case "token", "secret", "key", "apikey", "password", "signature":
			return true
		}
	}
	return false
}
