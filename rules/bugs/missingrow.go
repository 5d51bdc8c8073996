package bugs

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/analyzer/semantic/pyidiom"
)

//go:embed missingrow.md
var missingRowDoc string

// MissingRow500 reports `.get()` lookups of a key the client sent, in
// endpoint handlers, with nothing to turn DoesNotExist into a 404.
var MissingRow500 = &analyzer.Rule{
	Code:       "BUG013",
	Name:       "missing-row-500",
	Doc:        missingRowDoc,
	Category:   analyzer.Correctness,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.2.0",
	Stack:      project.Django,
	Skip:       semantic.ProductCode,
	Distinct:   true,
	Requires:   []project.Analysis{semantic.Project, semantic.Endpoints, missingRowsMapped},
	Run:        runMissingRow500,
}

// runMissingRow500 matches, in the handlers of judged endpoints (their own
// body, and one level of the project functions they call: helperLookups),
// `.get(...)` on a queryset, manager or
// related manager whose lookup values come from the client: a parameter
// the URL fills (`pk`, `account_id`), `self.kwargs[...]`, a key of the
// request payload or query string (`request.data["to"]`,
// `request.GET.get("id")`), or a local bound once to one of these (through
// int(), str() or UUID()). Neither Django nor DRF turns DoesNotExist into
// a 404 (DRF maps Http404, not ObjectDoesNotExist), so a key no row has is
// a 500. Silent when the call sits in a try whose except catches
// DoesNotExist (any, ObjectDoesNotExist, Exception, a bare except), and
// in projects whose settings name a DRF EXCEPTION_HANDLER that may map
// DoesNotExist (missingRowsMapped); low confidence when the REST_FRAMEWORK settings cannot
// be read whole. One finding per handler, at the first lookup; the others
// are related locations.
func runMissingRow500(p *analyzer.Pass) error {
	if missingRowsMapped.Get(p.Project) {
		return nil
	}
	inv := semantic.InventoryOf(p.Project)
	f := semantic.Of(p.Project).File(p.Unit)
	done := map[*semantic.Func]bool{}
	for _, e := range inv.InFile(f) {
		if !e.Judged(inv) {
			continue
		}
		for _, b := range handlerBodies(e) {
			if done[b.fn] {
				continue
			}
			done[b.fn] = true
			reportMissingRows(p, f, e, b)
		}
	}
	return nil
}

// handlerBody is a function that runs for an endpoint: its handler (whose
// parameters the URL fills) or a hook DRF's action calls on the view.
type handlerBody struct {
	fn       *semantic.Func
	captures bool
}

// drfHooks are the methods of a DRF generic view its framework actions
// call: a lookup there runs in the action.
var drfHooks = map[string][]string{
	"create":         {"perform_create"},
	"retrieve":       {"get_object"},
	"update":         {"get_object", "perform_update"},
	"partial_update": {"get_object", "perform_update"},
	"destroy":        {"get_object", "perform_destroy"},
}

// handlerBodies returns the functions that run for e: its handler, or,
// when DRF's own action runs, the hooks the view class overrides.
func handlerBodies(e *semantic.Endpoint) []handlerBody {
	if e.Handler != nil {
		return []handlerBody{{e.Handler, true}}
	}
	if e.Class == nil {
		return nil
	}
	var out []handlerBody
	for _, name := range drfHooks[e.Action] {
		if fn := e.Class.Methods[name]; fn != nil {
			out = append(out, handlerBody{fn, false})
		}
	}
	return out
}

// reportMissingRows reports the client-keyed lookups of one function that
// runs for e.
func reportMissingRows(p *analyzer.Pass, f *semantic.File, e *semantic.Endpoint, b handlerBody) {
	_, known := p.Project.Settings.RESTExceptionHandler()
	fn := b.fn
	req := e.RequestParam
	if req == "" {
		req = "request"
	}
	var hits, wrongs []pyast.Node
	var models []string
	body := pyast.Body(fn.Node)
	for call := range pyast.FindEachShallow(body, "call") {
		c, ok := pyast.AsCall(call)
		if !ok || c.Func.Type() != "attribute" || c.MethodName() != "get" {
			continue
		}
		qs := f.Eval(c.Receiver())
		if qs == nil || qs.Model == nil || !clientLookup(f, fn, req, c, b.captures) {
			continue
		}
		caught, wrong := catchesMissing(f, body, call, qs.Model)
		if caught || serializerCheckedKey(semantic.Of(p.Project), e, body, req, c, call, qs.Model) ||
			builtSerializerFindsRow(semantic.Of(p.Project), fn, body, req, c, call, qs.Model) || decoratorFinds(f, fn, c, qs.Model.Name) ||
			relatedFinds(p, body, call, c, qs.Model) || accessTestReadsKeys(e, c) {
			continue
		}
		hits = append(hits, call)
		wrongs = append(wrongs, wrong)
		models = append(models, qs.Model.Name)
	}
	deep := helperLookups(f, fn, req, body, b.captures)
	if len(hits) == 0 && len(deep) == 0 {
		return
	}
	var d analyzer.Diagnostic
	if len(hits) > 0 {
		d = analyzer.Diagnostic{
			Range: analyzer.RangeOf(hits[0]),
			Message: fmt.Sprintf("`%s` raises `%s.DoesNotExist` for a key the client sent that no row has: the client gets a 500, not a 404",
				clip(hits[0].Text(), 60), models[0]),
			Help: fmt.Sprintf("`get_object_or_404(%s, ...)` (or `self.get_object()` in a DRF view), or catch `%s.DoesNotExist` and answer 404 (400 for a key in the body)", models[0], models[0]),
		}
	} else {
		h := deep[0]
		deep = deep[1:]
		d = analyzer.Diagnostic{
			Range: analyzer.RangeOf(h.call),
			Message: fmt.Sprintf("`%s` hands the client's `%s` to `%s`, whose `%s` raises `%s.DoesNotExist` when no row has it: the client gets a 500, not a 404",
				clip(h.call.Text(), 50), h.arg, h.callee.Name, clip(h.lookup.Text(), 60), h.model),
			Help:    fmt.Sprintf("catch `%s.DoesNotExist` around the call (or in `%s`, raising an error the view answers 404 or 400), or look the row up with `get_object_or_404` first", h.model, h.callee.Name),
			Related: []analyzer.Related{{Path: h.callee.File.Unit.File.Rel, Range: analyzer.RangeOf(h.lookup), Message: fmt.Sprintf("raises `%s.DoesNotExist` here", h.model)}},
		}
	}
	if len(wrongs) > 0 && !wrongs[0].IsNil() {
		w := wrongs[0]
		d.Message += fmt.Sprintf(" (the `except %s` around it catches another model's exception)", clip(w.Text(), 40))
		d.Related = append(d.Related, analyzer.Related{Range: analyzer.RangeOf(w), Message: fmt.Sprintf("catches `%s`, not `%s.DoesNotExist`", clip(w.Text(), 40), models[0])})
	}
	if len(hits) > 0 {
		for i, h := range hits[1:] {
			d.Related = append(d.Related, analyzer.Related{Range: analyzer.RangeOf(h), Message: fmt.Sprintf("also raises `%s.DoesNotExist` here", models[i+1])})
		}
	}
	for _, h := range deep {
		d.Related = append(d.Related, analyzer.Related{Path: h.callee.File.Unit.File.Rel, Range: analyzer.RangeOf(h.lookup),
			Message: fmt.Sprintf("also raises `%s.DoesNotExist` here, for the client's `%s` passed by `%s`", h.model, h.arg, clip(h.call.Text(), 40))})
	}
	if !known {
		d.Confidence = analyzer.Low // REST_FRAMEWORK may name a handler rubric cannot read
	}
	p.Report(d)
}

// helperLookup is a lookup one call deep: the handler's call hands a
// client value (arg) to a project function whose `.get(...)` (lookup)
// looks it up with nothing to catch the model's DoesNotExist.
type helperLookup struct {
	call, lookup pyast.Node
	callee       *semantic.Func
	arg, model   string
}

// helperLookups follows the handler's calls (its own body, not nested
// functions) one level into the project functions they reach: a service
// function or helper method whose parameter receives a client value
// (clientValue) and is passed, never rebound, to a `.get(...)` on a
// queryset, manager or related manager of a model, outside a try that
// catches its DoesNotExist there and with no such try around the
// handler's call. A test module's function, a function the handler itself
// is, and calls whose arguments hide behind `*args`/`**kwargs` are left
// out.
func helperLookups(f *semantic.File, fn *semantic.Func, req string, body pyast.Node, captures bool) []helperLookup {
	var out []helperLookup
	seen := map[*semantic.Func]bool{fn: true}
	for call := range pyast.FindEachShallow(body, "call") {
		c, ok := pyast.AsCall(call)
		if !ok || c.StarArgs || c.StarKwargs {
			continue
		}
		callee, bound := f.Callee(call)
		if callee == nil || seen[callee] || callee.File == nil || semantic.RolesOf(callee.File.Unit).Any(semantic.ProductCode) {
			continue
		}
		// The callee's parameters that receive a client value, by name.
		params := callee.Params
		if bound && len(params) > 0 {
			params = params[1:]
		}
		client := map[string]string{} // parameter -> the handler's argument text
		for i, a := range c.Positional {
			if i < len(params) && clientValue(f, fn, req, a, 0, captures) {
				client[params[i]] = clip(a.Text(), 30)
			}
		}
		for name, a := range c.EachKeyword() {
			if indexOf(params, name) >= 0 && clientValue(f, fn, req, a, 0, captures) {
				client[name] = clip(a.Text(), 30)
			}
		}
		if len(client) == 0 {
			continue
		}
		seen[callee] = true
		cf := callee.File
		cbody := pyast.Body(callee.Node)
		for get := range pyast.FindEachShallow(cbody, "call") {
			gc, ok := pyast.AsCall(get)
			if !ok || gc.Func.Type() != "attribute" || gc.MethodName() != "get" {
				continue
			}
			arg := ""
			for _, v := range gc.Positional {
				if v = pyast.Unparen(v); v.Type() == "identifier" && client[v.Text()] != "" && cf.BindingCount(v, v.Text()) == 0 {
					arg = client[v.Text()]
				}
			}
			for _, v := range gc.EachKeyword() {
				if v = pyast.Unparen(v); v.Type() == "identifier" && client[v.Text()] != "" && cf.BindingCount(v, v.Text()) == 0 {
					arg = client[v.Text()]
				}
			}
			if arg == "" {
				continue
			}
			qs := cf.Eval(gc.Receiver())
			if qs == nil || qs.Model == nil {
				continue
			}
			if caught, _ := catchesMissing(cf, cbody, get, qs.Model); caught {
				continue
			}
			if caught, _ := catchesMissing(f, body, call, qs.Model); caught {
				continue
			}
			if builtSerializerFindsRow(f.M, fn, body, req, c, call, qs.Model) {
				continue // a serializer the handler validated first refuses a key no row has
			}
			out = append(out, helperLookup{call: call, lookup: get, callee: callee, arg: arg, model: qs.Model.Name})
			break // one lookup a call
		}
	}
	return out
}

// accessTestReadsKeys reports a lookup in a class-based view behind
// Django's UserPassesTestMixin whose every value is a URL keyword argument
// (`self.kwargs.get("slug")`, `kwargs["slug"]`) that the view's test_func
// reads too (`slug in user.siaes.values_list("slug", flat=True)`): dispatch
// runs the test first and answers a failed one with handle_no_permission
// (a redirect or a 403), so the handler sees only keys the test accepted,
// which a test of membership accepts only for rows that exist.
func accessTestReadsKeys(e *semantic.Endpoint, c pyast.Call) bool {
	if e.Class == nil || len(c.Keywords) == 0 || len(c.Positional) > 0 ||
		!e.Class.DerivesFrom("django.contrib.auth.mixins.UserPassesTestMixin") {
		return false
	}
	test := e.Class.Method("test_func")
	if test == nil {
		return false
	}
	read := map[string]bool{}
	for n := range pyast.FindEach(test.Node, "call", "subscript") {
		if k, ok := urlKwarg(n); ok {
			read[k] = true
		}
	}
	for _, v := range c.EachKeyword() {
		k, ok := urlKwarg(pyast.Unparen(v))
		if !ok || !read[k] {
			return false
		}
	}
	return true
}

// urlKwarg returns the key of a read of the view's URL keyword arguments:
// `self.kwargs.get("slug")`, `self.kwargs["slug"]`, `kwargs.get("slug")`.
func urlKwarg(n pyast.Node) (string, bool) {
	var holder, key pyast.Node
	switch n.Type() {
	case "subscript":
		holder, key = n.ChildByField("value"), n.ChildByField("subscript")
	case "call":
		c, ok := pyast.AsCall(n)
		if !ok || c.MethodName() != "get" || len(c.Positional) == 0 {
			return "", false
		}
		holder, key = c.Receiver(), c.Positional[0]
	default:
		return "", false
	}
	if h := pyast.Dotted(holder); h != "self.kwargs" && h != "kwargs" {
		return "", false
	}
	return pyast.StringValue(key)
}

// relatedFinds reports a lookup whose every keyword an earlier
// get_object_or_404 of the same body, a statement of its own, has matched
// through a forward relation to the looked-up model (`form =
// get_object_or_404(XForm, user__username__iexact=username, ...)`, then
// `User.objects.get(username__iexact=username)`): the row found has a
// related row with that value, so the lookup finds it (a key no row has
// was answered 404 before).
func relatedFinds(p *analyzer.Pass, body, call pyast.Node, c pyast.Call, looked *project.Model) bool {
	if len(c.Keywords) == 0 || p.Project.Models == nil {
		return false
	}
	for st := range pyast.EachStatement(body) {
		if st.StartByte() >= call.StartByte() {
			return false
		}
		var prev pyast.Node
		switch st.Type() {
		case "expression_statement":
			prev = st.NamedChild(0)
			if prev.Type() == "assignment" {
				prev = prev.ChildByField("right")
			}
		default:
			continue
		}
		g, ok := pyast.AsCall(pyast.Unparen(prev))
		if !ok || lastName(pyast.Dotted(g.Func)) != "get_object_or_404" || len(g.Positional) == 0 {
			continue
		}
		other := p.Project.Models.Lookup(p.Unit, pyast.Dotted(g.Positional[0]))
		if other == nil {
			continue
		}
		all := true
		for k, v := range c.EachKeyword() {
			found := false
			for k2, v2 := range g.EachKeyword() {
				rel, rest, ok := strings.Cut(k2, "__")
				if ok && rest == k && v2.Text() == v.Text() {
					if a := other.Attr(rel); a.Kind == project.AttrForward && sameModel(relationTarget(p.Project.Models, a), looked) {
						found = true
					}
				}
			}
			all = all && found
		}
		if all {
			return true
		}
	}
	return false
}

// relationTarget is the model a forward relation points at, Django's own
// models (`ForeignKey(User)`, `settings.AUTH_USER_MODEL`) included as the
// graph's stubs for them.
func relationTarget(g *project.Models, a project.Attr) *project.Model {
	if a.Target != nil || a.Field == nil {
		return a.Target
	}
	if a.Field.Target == project.AuthUserModel {
		return g.UserModel()
	}
	return g.ByQual(a.Field.Target)
}

// sameModel compares two models of the graph by label: Django's own models
// are stubs that two lookups may build apart.
func sameModel(a, b *project.Model) bool {
	return a != nil && b != nil && (a == b || a.External && b.External && strings.EqualFold(a.Label(), b.Label()))
}

// decoratorFinds reports a lookup that a project decorator of the handler
// has already made with get_object_or_404 on the same model by the same
// keywords (mygpo's `@requires_token(...)` running `get_object_or_404(User,
// username=username)` before the view's `User.objects.get(username=
// username)`): a key no row has is answered 404 before the handler runs.
// `@method_decorator(deco(...))` is read as deco.
func decoratorFinds(f *semantic.File, fn *semantic.Func, c pyast.Call, model string) bool {
	if len(c.Keywords) == 0 {
		return false
	}
	for _, d := range pyast.Decorators(fn.Node) {
		callee := d
		if dc, ok := pyast.AsCall(callee); ok && pyast.Dotted(dc.Func) == "method_decorator" && len(dc.Positional) > 0 {
			callee = dc.Positional[0]
		}
		if dc, ok := pyast.AsCall(callee); ok {
			callee = dc.Func
		}
		deco := f.FuncRef(callee)
		if deco == nil || deco == fn {
			continue
		}
		for call := range pyast.FindEach(deco.Node, "call") {
			g, ok := pyast.AsCall(call)
			if !ok || pyast.Dotted(g.Func) != "get_object_or_404" || len(g.Positional) == 0 {
				continue
			}
			m := pyast.Dotted(g.Positional[0])
			if m[strings.LastIndex(m, ".")+1:] != model {
				continue
			}
			same := true
			for k := range c.EachKeyword() {
				if g.Keywords[k].IsNil() {
					same = false
				}
			}
			if same {
				return true
			}
		}
	}
	return false
}

// serializerCheckedKey reports a lookup whose every client value is a key
// of the request payload that the view's serializer takes as a relation
// (a foreign key of its model), read after `super().create(...)` (update,
// partial_update): the mixin validated the payload first, and DRF's
// PrimaryKeyRelatedField answers 400 for a key no row has, so the row
// exists by then.
//
// The row the mixin saved is found too: a lookup of the serializer's own
// model by payload keys it writes (`User.objects.get(username=
// request.data["username"])` after `super().create(...)`).
func serializerCheckedKey(sem *semantic.Model, e *semantic.Endpoint, body pyast.Node, req string, c pyast.Call, call pyast.Node, looked *project.Model) bool {
	if e.Class == nil || !pyidiom.SuperValidatedBefore(body, call) {
		return false
	}
	sc := sem.SerializerClass(e.Class)
	saved := sc != nil && looked != nil && sem.SerializerModel(sc) == looked
	args := append([]pyast.Node{}, c.Positional...)
	for _, k := range c.EachKeyword() {
		args = append(args, k)
	}
	if len(args) == 0 {
		return false
	}
	for _, a := range args {
		key, ok := payloadKeyOf(a, req)
		if !ok {
			return false
		}
		covered, field := sem.SerializerCovers(sc, key)
		if !covered || !saved && (field == nil || field.Kind != project.ForeignKey && field.Kind != project.OneToOne) {
			return false
		}
	}
	return true
}

// builtSerializerFindsRow reports a lookup the handler makes only once a
// serializer it builds from the request has validated the data (the
// lookup under `if s.is_valid():`, or after `s.is_valid(raise_exception=True)`)
// when that serializer's validate() refuses the data unless a row of the
// looked-up model matches it: `if not User.objects.filter(customer_xid=
// data["customer_xid"]).exists(): raise ...`, or a name bound to the
// lookup's exists() or count() and tested `if not n:`. Every argument of
// the lookup must be a key of the request payload, read in place or
// through a local bound once to it. A validate() that raises when a row
// does match (a name already taken) proves nothing and does not count.
func builtSerializerFindsRow(sem *semantic.Model, fn *semantic.Func, body pyast.Node, req string, c pyast.Call, call pyast.Node, looked *project.Model) bool {
	if looked == nil {
		return false
	}
	args := append([]pyast.Node{}, c.Positional...)
	for _, k := range c.EachKeyword() {
		args = append(args, k)
	}
	if len(args) == 0 {
		return false
	}
	for _, a := range args {
		if _, ok := payloadKeyOf(a, req); ok {
			continue
		}
		if a = pyast.Unparen(a); a.Type() != "identifier" || !boundToPayload(body, a.Text(), req) {
			return false
		}
	}
	for as := range pyast.FindEachShallow(body, "assignment") {
		l := as.ChildByField("left")
		bc, ok := pyast.AsCall(pyast.Unparen(as.ChildByField("right")))
		if !ok || l.Type() != "identifier" || as.StartByte() > call.StartByte() {
			continue
		}
		if _, ok := bc.Keywords["data"]; !ok {
			continue
		}
		sc := sem.BuiltSerializer(fn, bc.Node)
		if sc != nil && pyidiom.SerializerValidatedBefore(body, l.Text(), call) && validateFindsRow(sc, looked.Name) {
			return true
		}
	}
	return false
}

// boundToPayload reports a local the body binds once, to a key of the
// request payload.
func boundToPayload(body pyast.Node, name, req string) bool {
	n := 0
	ok := false
	for a := range pyast.FindEach(body, "assignment", "augmented_assignment", "for_statement") {
		l := a.ChildByField("left")
		if l.Type() != "identifier" || l.Text() != name {
			continue
		}
		n++
		if a.Type() == "assignment" {
			_, ok = payloadKeyOf(a.ChildByField("right"), req)
		}
	}
	return n == 1 && ok
}

// validateFindsRow reports a validate() of sc that raises unless a row of
// the model named model matches its data: the raise under `if not <q>`
// or `if <q> == 0`, q the lookup (`Model.objects.filter(...data...)`, its
// exists() or count()) or a name bound to it.
func validateFindsRow(sc *semantic.Class, model string) bool {
	v, data := sc.ValidateData()
	if v == nil {
		return false
	}
	lookup := func(n pyast.Node) bool {
		for c := range pyast.FindEach(n, "call") {
			call, _ := pyast.AsCall(c)
			switch call.MethodName() {
			case "filter", "get", "exists", "count":
			default:
				continue
			}
			recv := pyast.Dotted(call.Receiver())
			if m, ok := strings.CutSuffix(recv, ".objects"); !ok || m[strings.LastIndex(m, ".")+1:] != model {
				continue
			}
			for id := range pyast.FindEach(c, "identifier") {
				if id.Text() == data {
					return true
				}
			}
		}
		return false
	}
	bound := map[string]bool{}
	for a := range pyast.FindEach(pyast.Body(v.Node), "assignment") {
		if l := a.ChildByField("left"); l.Type() == "identifier" && lookup(a.ChildByField("right")) {
			bound[l.Text()] = true
		}
	}
	refers := func(n pyast.Node) bool {
		n = pyast.Unparen(n)
		return n.Type() == "identifier" && bound[n.Text()] || lookup(n)
	}
	for st := range pyast.FindEach(pyast.Body(v.Node), "if_statement") {
		cond := pyast.Unparen(st.ChildByField("condition"))
		missing := false
		switch cond.Type() {
		case "not_operator":
			missing = refers(cond.ChildByField("argument"))
		case "comparison_operator":
			if cond.NamedChildCount() == 2 && strings.Contains(cond.Text(), "==") {
				l, r := cond.NamedChild(0), cond.NamedChild(1)
				missing = refers(l) && r.Text() == "0" || refers(r) && l.Text() == "0"
			}
		}
		if missing && pyast.LastStatement(st.ChildByField("consequence")).Type() == "raise_statement" {
			return true
		}
	}
	return false
}

// payloadKeyOf returns the key of `request.data["k"]` or
// `request.data.get("k")` (POST, query_params alike).
func payloadKeyOf(n pyast.Node, req string) (string, bool) {
	n = pyast.Unparen(n)
	switch n.Type() {
	case "subscript":
		if !clientSource(n.ChildByField("value"), req) || pyast.Dotted(pyast.Unparen(n.ChildByField("value"))) == "self.kwargs" {
			return "", false
		}
		return pyast.StringValue(n.ChildByField("subscript"))
	case "call":
		c, _ := pyast.AsCall(n)
		if c.Func.Type() == "attribute" && c.MethodName() == "get" && len(c.Positional) > 0 && clientSource(c.Receiver(), req) &&
			pyast.Dotted(pyast.Unparen(c.Receiver())) != "self.kwargs" {
			return pyast.StringValue(c.Positional[0])
		}
	}
	return "", false
}

// clip shortens a call's text to its first line, at most n bytes.
func clip(s string, n int) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + "..."
	}
	if len(s) > n {
		s = s[:n] + "..."
	}
	return s
}

// clientLookup reports whether one of the call's arguments is a value the
// client chose.
func clientLookup(f *semantic.File, fn *semantic.Func, req string, c pyast.Call, captures bool) bool {
	for _, a := range c.Positional {
		if clientValue(f, fn, req, a, 0, captures) {
			return true
		}
	}
	for _, a := range c.EachKeyword() {
		if clientValue(f, fn, req, a, 0, captures) {
			return true
		}
	}
	return false
}

// notFromURL are handler parameters the URL does not fill.
var notFromURL = map[string]bool{"self": true, "cls": true, "args": true, "kwargs": true, "format": true}

// payloadAttrs are the request attributes holding what the client sent.
var payloadAttrs = map[string]bool{"data": true, "POST": true, "GET": true, "query_params": true}

// conversionsOfKeys pass a key through: `int(pk)` is still the client's.
var conversionsOfKeys = map[string]bool{"int": true, "str": true, "UUID": true, "uuid.UUID": true}

// clientValue reports a value the client chose; captures says whether fn's
// parameters are the URL's captures (a handler's, not a hook's).
func clientValue(f *semantic.File, fn *semantic.Func, req string, n pyast.Node, depth int, captures bool) bool {
	n = pyast.Unparen(n)
	if depth > 3 {
		return false
	}
	switch n.Type() {
	case "identifier":
		name := n.Text()
		if captures && name != req && !notFromURL[name] && indexOf(fn.Params, name) >= 0 && f.BindingCount(n, name) == 0 {
			return true // a URL capture: `def get(self, request, pk)`
		}
		bs := f.Bindings(n, name)
		return len(bs) == 1 && clientValue(f, fn, req, bs[0], depth+1, captures)
	case "subscript":
		return clientSource(n.ChildByField("value"), req)
	case "call":
		c, _ := pyast.AsCall(n)
		if conversionsOfKeys[pyast.Dotted(c.Func)] && len(c.Positional) == 1 {
			return clientValue(f, fn, req, c.Positional[0], depth+1, captures)
		}
		return c.Func.Type() == "attribute" && c.MethodName() == "get" && clientSource(c.Receiver(), req)
	}
	return false
}

// clientSource reports a mapping of what the client sent: request.data,
// request.POST, request.GET, request.query_params, and the URL's
// self.kwargs.
func clientSource(n pyast.Node, req string) bool {
	n = pyast.Unparen(n)
	if d := pyast.Dotted(n); d == "self.kwargs" {
		return true
	}
	if n.Type() != "attribute" {
		return false
	}
	obj := pyast.Dotted(n.ChildByField("object"))
	return (obj == req || obj == "self.request") && payloadAttrs[n.ChildByField("attribute").Text()]
}

// catchesMissing reports whether call sits in the try block of a try
// statement (within body) one of whose handlers catches the DoesNotExist
// of model: any DoesNotExist rubric cannot tie to a model of the tree
// (ObjectDoesNotExist, `get_user_model().DoesNotExist`), Exception, a bare
// except. `Other.DoesNotExist`, where Other is a model the tree defines or
// names and model is neither Other nor derives from it (a multi-table
// child's and a proxy's DoesNotExist derive from their parent's), does
// not catch it: the first such handler type is returned as wrong.
func catchesMissing(f *semantic.File, body, call pyast.Node, model *project.Model) (caught bool, wrong pyast.Node) {
	for h := range pyidiom.TryHandlers(call, body) {
		if h.Bare() {
			return true, pyast.Node{}
		}
		for _, e := range h.Types {
			// By text: `get_user_model().DoesNotExist` has no dotted name.
			d := e.Text()
			dot := strings.LastIndex(d, ".")
			last := d[dot+1:]
			if last == "Exception" || last == "BaseException" {
				return true, pyast.Node{}
			}
			if !strings.HasSuffix(last, "DoesNotExist") {
				continue
			}
			if last == "DoesNotExist" && dot > 0 && e.Type() == "attribute" && pyast.Dotted(e) != "" {
				if other := f.M.Graph.Lookup(f.Unit, d[:dot]); other != nil && !derivesFrom(model, other, 0) {
					if wrong.IsNil() {
						wrong = e
					}
					continue
				}
			}
			return true, pyast.Node{}
		}
	}
	return false, wrong
}

// derivesFrom reports whether m is base or one of its bases in the tree.
func derivesFrom(m, base *project.Model, depth int) bool {
	if m == base {
		return true
	}
	if m == nil || depth > 20 {
		return false
	}
	for _, b := range m.Bases {
		if derivesFrom(b, base, depth+1) {
			return true
		}
	}
	return false
}

func indexOf(xs []string, x string) int {
	for i, y := range xs {
		if y == x {
			return i
		}
	}
	return -1
}

// missingRowsMapped says whether a DRF EXCEPTION_HANDLER the settings name
// may answer DoesNotExist with something other than a 500. DRF's own
// handler maps Http404, PermissionDenied and APIException only, and so
// does a handler that formats what DRF's returns: rubric reads a handler
// that is a function of the project, and takes it to leave missing rows a
// 500 when neither its module nor a project module it imports names
// DoesNotExist (ObjectDoesNotExist, `Model.DoesNotExist`, or the class's
// name in a string) or catches every exception (`Exception`,
// `BaseException`). Any other handler (a value that is not a string, a
// library's, one rubric cannot find) may map them.
var missingRowsMapped = &project.ProjectAnalysis[bool]{Name: "bugs.missingRowsMapped", Run: func(ix *project.Index) bool {
	for _, path := range ix.Settings.RESTExceptionHandlerPaths() {
		if handlerMayMapMissing(ix, path) {
			return true
		}
	}
	return false
}}

// drfHandlers are library handlers known to answer only what DRF's own
// handler answers: a DoesNotExist is still a 500 under them.
var drfHandlers = map[string]bool{
	"rest_framework.views.exception_handler":               true,
	"rest_framework_json_api.exceptions.exception_handler": true,
}

func handlerMayMapMissing(ix *project.Index, path string) bool {
	if drfHandlers[path] {
		return false
	}
	fn := semantic.Of(ix).LookupFunc(path)
	if fn == nil || fn.Class != nil || fn.File == nil || fn.File.Unit.Tree == nil {
		return true
	}
	u := fn.File.Unit
	if mayAnswerMissing(u) {
		return true
	}
	for _, m := range u.Imports.Modules {
		if t := projectModule(ix, m); t != nil && t != u && (t.Tree == nil || mayAnswerMissing(t)) {
			return true
		}
	}
	return false
}

// projectModule returns the unit of a module of the analysed tree, read
// against the import roots (the tree's root, each directory holding
// manage.py), or nil.
func projectModule(ix *project.Index, mod string) *project.Unit {
	for _, root := range importRoots.Get(ix) {
		m := mod
		if root != "" {
			m = root + "." + mod
		}
		if t := ix.ByModule[m]; t != nil {
			return t
		}
	}
	return nil
}

// mayAnswerMissing reports a module that names DoesNotExist (in code or a
// string) or the classes every exception derives from.
func mayAnswerMissing(u *project.Unit) bool {
	for n := range pyast.FindEach(u.Tree.Root(), "identifier", "string") {
		t := n.Text()
		if strings.Contains(t, "DoesNotExist") || n.Type() == "identifier" && (t == "Exception" || t == "BaseException") {
			return true
		}
	}
	return false
}
