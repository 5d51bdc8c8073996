package bugs

import (
	_ "embed"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/analyzer/semantic/pyidiom"
)

//go:embed escape.md
var escapeDoc string

// BusinessError500 reports an endpoint that calls project code raising an
// exception for a business condition (an overdraft, a disabled wallet)
// that neither the endpoint nor Django or DRF turns into a client error.
var BusinessError500 = &analyzer.Rule{
	Code:       "BUG030",
	Name:       "business-error-500",
	Doc:        escapeDoc,
	Category:   analyzer.Correctness,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.3.0",
	Stack:      project.Django,
	Skip:       semantic.ProductCode,
	Distinct:   true,
	Requires:   []project.Analysis{semantic.Project, semantic.Endpoints, exceptionMiddleware},
	Run:        runBusinessError500,
}

// escapeDepth bounds how many calls deep a raise is looked for.
const escapeDepth = 3

// escape is an exception raised under a condition in project code that
// reaches a call site uncaught.
type escape struct {
	raise pyast.Node
	file  *semantic.File
	fn    *semantic.Func
	exc   string   // qualified name as raised ("django.core.exceptions.ValidationError")
	names []string // the class and its bases, last components, for except matching
}

// runBusinessError500 matches, in the handlers of judged endpoints, calls
// of project functions and methods (model methods and save() overrides
// included, escapeDepth calls deep) that raise, inside an if, an exception
// neither Django nor DRF maps to a client error: Python's built-in
// exceptions, Django's ValidationError and IntegrityError raised by hand,
// and project exceptions that derive from none of DRF's APIException,
// Http404, PermissionDenied, SuspiciousOperation or BadRequest. A raise
// caught on the way (by name, by a base, by Exception or a bare except)
// does not count. Silent in projects that name a DRF EXCEPTION_HANDLER or
// define a middleware's process_exception (either may map it), for raises
// in serializers, forms and clean() methods (validation translates them),
// for NotImplementedError, and for DoesNotExist (BUG013's). One finding per
// handler, at its first call that lets one escape; the raise is related.
func runBusinessError500(p *analyzer.Pass) error {
	sm := semantic.Of(p.Project)
	done := map[*semantic.Func]bool{}
	doneView := map[*semantic.Class]bool{}
	var owns []ownRaise
	for _, e := range unansweredEndpoints(p) {
		fn := e.Handler
		var call pyast.Node
		var esc *escape
		switch {
		case fn != nil && !done[fn]:
			done[fn] = true
			if mapsExceptions(fn.Node) || e.Class != nil && mapsExceptions(e.Class.Node) {
				continue
			}
			call, esc = firstEscape(fn)
			if esc == nil {
				if r, own := ownEscape(fn); own != nil {
					owns = append(owns, ownRaise{fn, r, own})
					continue
				}
			}
		case fn == nil && e.Class != nil && !doneView[e.Class]:
			// The framework's own create/update/destroy: the serializer's
			// save() reaches the model's save(), delete() its delete().
			// One finding per view class.
			call, esc = genericEscape(sm, e)
			doneView[e.Class] = esc != nil
		}
		if esc == nil {
			continue
		}
		status := "400"
		if strings.HasSuffix(esc.exc, "IntegrityError") {
			status = "409 or 400"
		}
		when := ""
		if cond := raiseCondition(esc.raise, esc.fn.Node); !cond.IsNil() {
			when = fmt.Sprintf(" when `%s`", pyast.OneLine(cond, 50))
		}
		rel := analyzer.Related{Range: analyzer.RangeOf(esc.raise), Message: fmt.Sprintf("raised here%s", when)}
		if esc.file.Unit != p.Unit {
			rel.Path = esc.file.Unit.File.Rel
		}
		short := esc.exc[strings.LastIndex(esc.exc, ".")+1:]
		from := "`" + pyast.OneLine(call, 50) + "`"
		if fn == nil {
			from = fmt.Sprintf("`%s` (the framework's %s)", e.ViewName(), e.Action)
		}
		owner := esc.fn.Name
		if esc.fn.Class != nil {
			owner = esc.fn.Class.Name + "." + owner
		}
		p.Report(analyzer.Diagnostic{
			Range: analyzer.RangeOf(call),
			Message: fmt.Sprintf("%s reaches `%s`, which raises `%s`%s, and nothing on the way turns it into a client error: the client gets a 500, not a %s",
				from, owner, short, when, status),
			Help:    fmt.Sprintf("catch `%s` in the view and answer %s with the reason, or raise an exception the framework maps (DRF's `ValidationError` or an `APIException` subclass with its `status_code`)", short, status),
			Related: []analyzer.Related{rel},
		})
	}
	reportOwnEscapes(p, owns)
	return nil
}

// firstEscape returns the first call in fn's own body through which an
// exception escapes uncaught, and that exception.
func firstEscape(fn *semantic.Func) (pyast.Node, *escape) {
	body := pyast.Body(fn.Node)
	memo := map[*semantic.Func][]escape{}
	for call := range pyast.FindEachShallow(body, "call") {
		g, _ := fn.File.Callee(call)
		if g == nil || g == fn {
			continue
		}
		for _, e := range escapesOf(g, 1, memo) {
			if !caught(call, body, e.names) && !(e.fn == g && literalArgDecides(call, g, raiseCondition(e.raise, g.Node))) &&
				!limitAnsweredBefore(call, body, raiseCondition(e.raise, e.fn.Node)) &&
				!refusalAnsweredBefore(call, body, e.raise) {
				e := e
				return call, &e
			}
		}
	}
	return pyast.Node{}, nil
}

// literalArgDecides reports a raise condition of the called function that
// compares one of its parameters with a number (`if decimals < 0: raise
// ValueError`) when the call passes a number for it that makes the
// comparison false (`round_decimals_down(x, 2)`): that raise is not
// reached from this call.
func literalArgDecides(call pyast.Node, g *semantic.Func, cond pyast.Node) bool {
	cond = pyast.Unparen(cond)
	if cond.Type() != "comparison_operator" {
		return false
	}
	ops := cond.ChildrenByField("operators")
	sides := pyast.Statements(cond)
	if len(ops) != 1 || len(sides) != 2 || sides[0].Type() != "identifier" {
		return false
	}
	limit, ok := number(sides[1])
	if !ok {
		return false
	}
	c, _ := pyast.AsCall(call)
	params := pyast.ParamNames(g.Node)
	skip := 0
	if len(params) > 0 && (params[0] == "self" || params[0] == "cls") {
		skip = 1
	}
	name := sides[0].Text()
	arg := c.Keywords[name]
	for i, p := range params {
		if p == name && i >= skip && i-skip < len(c.Positional) {
			arg = c.Positional[i-skip]
		}
	}
	v, ok := number(arg)
	if !ok {
		return false
	}
	switch ops[0].Type() {
	case "<":
		return !(v < limit)
	case "<=":
		return !(v <= limit)
	case ">":
		return !(v > limit)
	case ">=":
		return !(v >= limit)
	case "==":
		return v != limit
	}
	return false
}

// limitAnsweredBefore reports a raise condition that compares with a named
// limit (`proposed > CONTENT_PER_SET_LIMIT`) when the handler, before the
// call, answers the client under an `if` comparing with the same limit
// (`if len(keys) > CONTENT_PER_SET_LIMIT: return Response(..., status=403)`):
// the handler refuses the request for that limit itself, and the raise
// guards what it has checked.
func limitAnsweredBefore(call, body, cond pyast.Node) bool {
	cond = pyast.Unparen(cond)
	if cond.Type() != "comparison_operator" {
		return false
	}
	limit := ""
	for _, side := range pyast.Statements(cond) {
		if t := pyast.Dotted(pyast.Unparen(side)); t != "" {
			last := t[strings.LastIndex(t, ".")+1:]
			if strings.ToUpper(last) == last && strings.ContainsAny(last, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
				limit = t
			}
		}
	}
	if limit == "" {
		return false
	}
	for st := range pyast.FindEach(body, "if_statement") {
		if st.EndByte() > call.StartByte() {
			continue
		}
		c := pyast.Unparen(st.ChildByField("condition"))
		if c.Type() != "comparison_operator" {
			continue
		}
		mentions := false
		for _, side := range pyast.Statements(c) {
			if pyast.Dotted(pyast.Unparen(side)) == limit {
				mentions = true
			}
		}
		if mentions && len(pyast.FindAll(st.ChildByField("consequence"), "return_statement")) > 0 {
			return true
		}
	}
	return false
}

// refusalAnsweredBefore reports a raise whose message the handler has
// already answered the client with, under an `if` that returns before the
// call (`if request.user.invite_code == code: return Response({"error":
// "Self invitation prohibited."}, status=400)`, then `user.save()` whose
// save() raises ValidationError("Self invitation prohibited.")): the
// handler refuses that case itself and the raise guards what it has
// checked, though its condition may read other fields.
func refusalAnsweredBefore(call, body, raise pyast.Node) bool {
	msg := refusalText(raise)
	if msg == "" {
		return false
	}
	for st := range pyast.FindEach(body, "if_statement") {
		if st.EndByte() > call.StartByte() {
			continue
		}
		cons := st.ChildByField("consequence")
		if len(pyast.FindAll(cons, "return_statement")) == 0 {
			continue
		}
		for s := range pyast.FindEach(cons, "string") {
			if v, ok := pyast.StringValue(s); ok && normalRefusal(v) == msg {
				return true
			}
		}
	}
	return false
}

// refusalText is the normalised literal message of a raise
// (`raise ValidationError("Self invitation prohibited.")`), or "" for none
// or one too short to identify a refusal.
func refusalText(raise pyast.Node) string {
	c, ok := pyast.AsCall(raise.NamedChild(0))
	if !ok || len(c.Positional) == 0 {
		return ""
	}
	v, ok := pyast.StringValue(c.Positional[0])
	if !ok {
		return ""
	}
	v = normalRefusal(v)
	if len(strings.Fields(v)) < 2 {
		return ""
	}
	return v
}

// normalRefusal folds case, surrounding space and final punctuation.
func normalRefusal(s string) string {
	return strings.ToLower(strings.TrimRight(strings.TrimSpace(s), ".!"))
}

// number reads an integer or float literal (a sign allowed).
func number(n pyast.Node) (float64, bool) {
	n = pyast.Unparen(n)
	if n.IsNil() {
		return 0, false
	}
	t := strings.ReplaceAll(n.Text(), "_", "")
	if n.Type() == "unary_operator" {
		t = strings.ReplaceAll(t, " ", "")
	} else if n.Type() != "integer" && n.Type() != "float" {
		return 0, false
	}
	v, err := strconv.ParseFloat(t, 64)
	return v, err == nil
}

// ownEscape returns the handler's own first conditional raise that
// escapes it: the same raises escapesOf counts in a callee, written in
// the view itself (`if wallet.status == 0: raise ValidationError(...)` in
// a DRF action).
func ownEscape(fn *semantic.Func) (pyast.Node, *escape) {
	if translatesValidation(fn) || answeringDecorator(fn) {
		return pyast.Node{}, nil
	}
	body := pyast.Body(fn.Node)
	for r := range pyast.FindEachShallow(body, "raise_statement") {
		if !pyast.Ancestor(r, "except_clause").IsNil() || !conditional(r, fn.Node) || !businessCondition(fn, raiseCondition(r, fn.Node)) {
			continue
		}
		e, ok := raised(fn, r)
		// A bare Exception raised in the view itself is as often an
		// invariant the code asserts (a 500 is right: ERR004 asks for a
		// specific class) as a refusal.
		if !ok || e.exc == "Exception" || caught(r, body, e.names) {
			continue
		}
		return r, &e
	}
	return pyast.Node{}, nil
}

// ownRaise is a handler's own raise the framework answers with a 500.
type ownRaise struct {
	fn  *semantic.Func
	r   pyast.Node
	esc *escape
}

// reportOwnEscapes reports the handlers' own raises: one finding per view
// class (per file for function views), at the first, the others related.
func reportOwnEscapes(p *analyzer.Pass, owns []ownRaise) {
	var order []*semantic.Class
	groups := map[*semantic.Class][]ownRaise{}
	for _, o := range owns {
		if _, ok := groups[o.fn.Class]; !ok {
			order = append(order, o.fn.Class)
		}
		groups[o.fn.Class] = append(groups[o.fn.Class], o)
	}
	for _, c := range order {
		g := groups[c]
		sort.SliceStable(g, func(i, j int) bool { return g[i].r.StartByte() < g[j].r.StartByte() })
		var rel []analyzer.Related
		for _, o := range g[1:] {
			rel = append(rel, analyzer.Related{Range: analyzer.RangeOf(o.r), Message: fmt.Sprintf("also raised by `%s`", o.fn.Name)})
		}
		reportOwnEscape(p, g[0].fn, g[0].r, g[0].esc, rel, len(g)-1)
	}
}

// reportOwnEscape reports a handler's own raise that the framework answers
// with a 500.
func reportOwnEscape(p *analyzer.Pass, fn *semantic.Func, r pyast.Node, esc *escape, rel []analyzer.Related, more int) {
	status := "400"
	if strings.HasSuffix(esc.exc, "IntegrityError") {
		status = "409 or 400"
	}
	when := ""
	if cond := raiseCondition(r, fn.Node); !cond.IsNil() {
		when = fmt.Sprintf(" when `%s`", pyast.OneLine(cond, 50))
	}
	short := esc.exc[strings.LastIndex(esc.exc, ".")+1:]
	owner := fn.Name
	if fn.Class != nil {
		owner = fn.Class.Name + "." + owner
	}
	p.Report(analyzer.Diagnostic{
		Range: analyzer.RangeOf(r),
		Message: fmt.Sprintf("the view `%s` raises `%s`%s, and nothing turns it into a client error: the client gets a 500, not a %s%s",
			owner, short, when, status, andMore(more)),
		Related: rel,
		Help:    fmt.Sprintf("answer %s with the reason (return a Response or raise DRF's `ValidationError`/an `APIException` subclass with its `status_code`) instead of `%s`", status, short),
	})
}

// genericEscape follows a generic view's own action: a DRF viewset's or
// generic view's create and update call the serializer's create/update
// (its own override, else the model's save()), destroy the model's
// delete(). It returns the view's class name node as the call.
func genericEscape(sm *semantic.Model, e *semantic.Endpoint) (pyast.Node, *escape) {
	var entries []*semantic.Func
	switch e.Action {
	case "create", "update", "partial_update":
		method := "create"
		if e.Action != "create" {
			method = "update"
		}
		if ser := sm.SerializerClass(e.Class); ser != nil {
			if m := ser.Method(method); m != nil {
				entries = append(entries, m)
			}
		}
		if len(entries) == 0 && e.Model != nil {
			if m := sm.ModelMethod(e.Model, "save"); m != nil {
				entries = append(entries, m)
			}
		}
	case "destroy":
		if e.Model != nil {
			if m := sm.ModelMethod(e.Model, "delete"); m != nil {
				entries = append(entries, m)
			}
		}
	}
	memo := map[*semantic.Func][]escape{}
	for _, g := range entries {
		es := escapesOf(g, 1, memo)
		for i := range es {
			if e.Action == "create" && es[i].fn.Class != nil && es[i].fn.Name == "save" && savedRowOnly(es[i].raise, es[i].fn.Node) {
				// `if self.pk:` around it: a create never gets there;
				// the update action reports it.
				continue
			}
			return e.ViewNode(), &es[i]
		}
	}
	return pyast.Node{}, nil
}

// savedRowOnly reports a raise inside the body of an `if` that tests the
// row is saved already (`if self.pk:`, `if self.id is not None:`, `if not
// self._state.adding:`), up to fn: a model's save() reaches it on an
// update only.
func savedRowOnly(raise, fn pyast.Node) bool {
	for n := raise; !n.IsNil() && n != fn; n = n.Parent() {
		p := n.Parent()
		if p.IsNil() || p.Type() != "if_statement" || p.ChildByField("consequence") != n {
			continue
		}
		if savedTest(p.ChildByField("condition")) {
			return true
		}
	}
	return false
}

// savedTest reports a condition true exactly when self is a saved row.
func savedTest(cond pyast.Node) bool {
	cond = pyast.Unparen(cond)
	switch cond.Type() {
	case "attribute":
		d := pyast.Dotted(cond)
		return d == "self.pk" || d == "self.id"
	case "comparison_operator":
		// self.pk is not None
		isNot := false
		for _, op := range cond.Children() {
			isNot = isNot || op.Type() == "is not"
		}
		if cond.NamedChildCount() != 2 || !isNot || cond.NamedChild(1).Type() != "none" {
			return false
		}
		d := pyast.Dotted(cond.NamedChild(0))
		return d == "self.pk" || d == "self.id"
	case "not_operator":
		return pyast.Dotted(pyast.Unparen(cond.ChildByField("argument"))) == "self._state.adding"
	}
	return false
}

// escapesOf returns the exceptions fn lets escape: its own conditional
// raises, and those of the project functions it calls, uncaught.
func escapesOf(fn *semantic.Func, depth int, memo map[*semantic.Func][]escape) []escape {
	if out, ok := memo[fn]; ok {
		return out
	}
	memo[fn] = nil // cycle guard
	if translatesValidation(fn) || mapsExceptions(fn.Node) || answeringDecorator(fn) {
		return nil
	}
	body := pyast.Body(fn.Node)
	var out []escape
	for r := range pyast.FindEachShallow(body, "raise_statement") {
		if !pyast.Ancestor(r, "except_clause").IsNil() || !conditional(r, fn.Node) || !businessCondition(fn, raiseCondition(r, fn.Node)) {
			continue
		}
		e, ok := raised(fn, r)
		if !ok || caught(r, body, e.names) {
			continue
		}
		out = append(out, e)
	}
	if depth < escapeDepth {
		for call := range pyast.FindEachShallow(body, "call") {
			g, _ := fn.File.Callee(call)
			if g == nil {
				g = implicitSave(fn.File, call)
			}
			if g == nil || g == fn {
				continue
			}
			for _, e := range escapesOf(g, depth+1, memo) {
				if !caught(call, body, e.names) {
					out = append(out, e)
				}
			}
		}
	}
	memo[fn] = out
	return out
}

// implicitSave returns the save() a model overrides when call creates a
// row of it through its manager or a queryset (`OrderDetail.objects.create(
// ...)`, get_or_create, update_or_create): Django runs that save() for the
// new row, so what it raises reaches the caller. bulk_create runs no save().
func implicitSave(f *semantic.File, call pyast.Node) *semantic.Func {
	c, ok := pyast.AsCall(call)
	if !ok || c.Func.Type() != "attribute" {
		return nil
	}
	switch c.MethodName() {
	case "create", "get_or_create", "update_or_create":
	default:
		return nil
	}
	qs := f.Eval(c.Receiver())
	if qs == nil || qs.Model == nil {
		return nil
	}
	return f.M.ModelMethod(qs.Model, "save")
}

// translatesValidation reports methods whose raises validation turns
// into field errors: clean*() and validate*() anywhere, and a serializer's
// or form's validation methods (to_internal_value, run_validation,
// is_valid). A serializer's create() or save() is not validation: what
// it raises reaches the view.
func translatesValidation(fn *semantic.Func) bool {
	if strings.HasPrefix(fn.Name, "clean") || fn.Name == "validate" || strings.HasPrefix(fn.Name, "validate_") {
		return true
	}
	switch fn.Name {
	case "to_internal_value", "run_validation", "is_valid", "full_clean":
		return true
	}
	return false
}

// businessCondition reports a condition that refuses an operation on the
// data: it compares with <, >, <= or >= (`amount > self.balance`), or
// reads an attribute of a model row (`job.ended`, `not wallet.enabled`).
// Whether the row is saved yet (`self.pk`, `self._state.adding`) does not
// count: it guards the program. A condition that reads settings, or tests types or attributes
// (isinstance, hasattr, callable), guards the program, not the data; one
// that reads the clock or a timeout is the service failing, not a refusal;
// an else branch (no condition of its own) does not count.
func businessCondition(fn *semantic.Func, cond pyast.Node) bool {
	if cond.IsNil() {
		return false
	}
	for id := range pyast.FindEach(cond, "identifier") {
		switch t := id.Text(); t {
		case "settings", "get_settings", "isinstance", "issubclass", "hasattr", "callable", "type", "getattr", "time", "monotonic", "now":
			return false
		default:
			// A deadline passed is a failure of the service, not a
			// refusal of the request.
			if strings.Contains(strings.ToLower(t), "timeout") {
				return false
			}
		}
	}
	if derivedFromSettings(fn, cond) {
		return false
	}
	for cmp := range pyast.FindEach(cond, "comparison_operator") {
		for _, op := range cmp.Children() {
			switch op.Type() {
			case "<", ">", "<=", ">=":
				return true
			}
		}
	}
	for a := range pyast.FindEach(cond, "attribute") {
		switch a.ChildByField("attribute").Text() {
		case "pk", "id", "_state", "adding":
			// Whether the row is saved yet (`if self.pk: raise
			// ValueError("Updating a voucher is not allowed")`): a guard
			// on how the program uses the model, not on the data.
			continue
		}
		if md, _ := fn.File.Instance(a.ChildByField("object")); md != nil {
			return true
		}
	}
	return false
}

// derivedFromSettings reports a condition that tests a local name the
// function computes from the settings alone (`matching = [n for n, c in
// get_settings().STORAGES.items() if c.get("WRITE")]` before `if
// len(matching) > 1: raise ValueError(...)`): it guards the configuration,
// which is the server's to fix, as a condition reading `settings` itself
// does. The condition must read such names and builtins only. A name counts when every assignment of it in the function reads
// `settings`, calls `get_settings()` or reads such a name, and reads no
// parameter of the function.
func derivedFromSettings(fn *semantic.Func, cond pyast.Node) bool {
	if fn == nil || fn.Node.IsNil() {
		return false
	}
	params := map[string]bool{}
	for _, name := range pyast.ParamNames(fn.Node) {
		params[name] = true
	}
	assigned := map[string][]pyast.Node{}
	var names []string
	for a := range pyast.FindEach(pyast.Body(fn.Node), "assignment") {
		l := a.ChildByField("left")
		if l.Type() != "identifier" {
			continue
		}
		if _, seen := assigned[l.Text()]; !seen {
			names = append(names, l.Text())
		}
		assigned[l.Text()] = append(assigned[l.Text()], a.ChildByField("right"))
	}
	derived := map[string]bool{}
	for range 4 { // a chain of four names at most
		grew := false
		for _, name := range names {
			if derived[name] || params[name] {
				continue
			}
			all := true
			for _, v := range assigned[name] {
				if !readsOnlySettings(v, params, assigned, derived) {
					all = false
					break
				}
			}
			if all {
				derived[name], grew = true, true
			}
		}
		if !grew {
			break
		}
	}
	// The condition reads such names and nothing else but builtins: a
	// limit from the settings compared with the client's data
	// (`next_size > max_size`) is still the data refused.
	saw := false
	for id := range pyast.FindEach(cond, "identifier") {
		if par := id.Parent(); !par.IsNil() && par.Type() == "attribute" && par.ChildByField("attribute").Equal(id) {
			continue
		}
		switch t := id.Text(); {
		case derived[t]:
			saw = true
		case conditionBuiltins[t]:
		default:
			return false
		}
	}
	return saw
}

// conditionBuiltins are the builtins a condition on settings-derived names
// may call without reading anything else.
var conditionBuiltins = map[string]bool{"len": true, "any": true, "all": true, "bool": true, "int": true, "str": true,
	"float": true, "set": true, "list": true, "tuple": true, "sorted": true, "sum": true, "min": true, "max": true}

// readsOnlySettings reports an expression that reads `settings` (or calls
// `get_settings()`, or reads a name derived from them) and neither a
// parameter nor another local name of the function.
func readsOnlySettings(v pyast.Node, params map[string]bool, locals map[string][]pyast.Node, derived map[string]bool) bool {
	if v.IsNil() {
		return false
	}
	reads := false
	for id := range pyast.FindEach(v, "identifier") {
		switch t := id.Text(); {
		case t == "settings" || t == "get_settings" || derived[t]:
			reads = true
		case params[t] || locals[t] != nil:
			return false
		}
	}
	return reads
}

// mapsExceptions reports a decorator named for exceptions or errors
// (`@map_exceptions({...})`, `@handle_errors`): it may answer what the
// handler raises.
func mapsExceptions(def pyast.Node) bool {
	for _, d := range pyast.Decorators(def) {
		for id := range pyast.FindEach(d, "identifier") {
			for _, w := range semantic.IdentWords(id.Text()) {
				switch w {
				case "exception", "exceptions", "error", "errors", "catch", "handle", "handles":
					return true
				}
			}
		}
	}
	return false
}

// answeringDecorator reports a function under a project decorator whose
// wrapper catches exceptions and answers in the handler (`except
// ValidationError as exc: return Response(..., status=400)`, Open edX's
// `writable_request_wrapper`): what the function raises reaches that
// handler, not the client as a 500.
func answeringDecorator(fn *semantic.Func) bool {
	for _, d := range pyast.Decorators(fn.Node) {
		if c, ok := pyast.AsCall(d); ok {
			d = c.Func
		}
		g := fn.File.FuncRef(d)
		if g == nil || g == fn {
			continue
		}
		for ex := range pyast.FindEach(pyast.Body(g.Node), "except_clause") {
			if len(pyast.FindAll(ex, "return_statement")) > 0 {
				return true
			}
		}
	}
	return false
}

// conditional reports a raise inside an if (or elif/else) of its function:
// a business condition, not the whole function's purpose.
func conditional(r, def pyast.Node) bool {
	for n := r.Parent(); !n.IsNil() && !n.Equal(def); n = n.Parent() {
		switch n.Type() {
		case "if_statement", "elif_clause", "else_clause":
			return true
		case "function_definition", "lambda":
			return false
		}
	}
	return false
}

// untranslatedBuiltins are the Python exceptions a business rule is
// enforced with that reach Django as 500s. TypeError, AttributeError,
// AssertionError, KeyError, RuntimeError and the like report a
// programming error (a wrong argument, an impossible state), not a refusal.
var untranslatedBuiltins = map[string]bool{"Exception": true, "ValueError": true}

// programmingErrors are bases that mark a project exception as a
// programming error rather than a refusal.
var programmingErrors = map[string]bool{"TypeError": true, "AttributeError": true, "AssertionError": true,
	"RuntimeError": true, "NotImplementedError": true, "KeyError": true, "LookupError": true, "IndexError": true}

// translatedRoots are the bases Django or DRF answer with a client error.
var translatedRoots = []string{"rest_framework.exceptions.", "django.http.Http404", "django.core.exceptions.PermissionDenied",
	"django.core.exceptions.SuspiciousOperation", "django.core.exceptions.BadRequest", "django.http.response.Http404",
	"django.core.exceptions.ObjectDoesNotExist", "django.core.exceptions.DisallowedHost"}

// untranslatedExternal are library exceptions Django and DRF leave as 500s.
var untranslatedExternal = map[string]bool{"django.core.exceptions.ValidationError": true, "django.db.IntegrityError": true,
	"django.db.utils.IntegrityError": true,
	// The same class, re-exported where code often imports it from.
	"django.core.validators.ValidationError": true, "django.forms.ValidationError": true}

// raised names the exception a raise statement throws, with its class and
// bases for except matching; ok is false for a bare re-raise, a
// translated or unknown exception.
func raised(fn *semantic.Func, r pyast.Node) (escape, bool) {
	x := r.NamedChild(0)
	if x.IsNil() || semantic.InvariantMessage(x) {
		// An assertion (`raise Exception("Bug: ...")`): the author says no
		// request reaches it.
		return escape{}, false
	}
	if c, ok := pyast.AsCall(x); ok {
		x = c.Func
	}
	d := pyast.Dotted(x)
	if d == "" || d == "NotImplementedError" || strings.HasSuffix(d, "DoesNotExist") {
		return escape{}, false
	}
	e := escape{raise: r, file: fn.File, fn: fn}
	if untranslatedBuiltins[d] {
		if _, bound := fn.File.Unit.Imports.Resolve(x); !bound {
			e.exc, e.names = d, []string{d, "Exception"}
			return e, true
		}
	}
	q := fn.File.Unit.Qualify(d)
	if untranslatedExternal[q] {
		e.exc, e.names = q, []string{lastName(q), "Exception"}
		if strings.HasSuffix(q, "IntegrityError") {
			e.names = append(e.names, "DatabaseError", "Error")
		}
		return e, true
	}
	cls := fn.File.M.LookupClass(q)
	if cls == nil {
		return escape{}, false // a library's exception rubric does not know
	}
	e.exc = q
	e.names = []string{cls.Name}
	chain := append([]*semantic.Class{cls}, cls.Bases()...)
	for _, c := range chain {
		e.names = append(e.names, c.Name)
		for _, b := range c.BaseNames() {
			for _, root := range translatedRoots {
				if strings.HasPrefix(b, root) {
					return escape{}, false
				}
			}
			last := lastName(b)
			switch {
			case programmingErrors[last]:
				return escape{}, false
			case untranslatedBuiltins[last] || untranslatedExternal[b] || last == "BaseException":
				e.names = append(e.names, last)
			case fn.File.M.LookupClass(b) == nil:
				return escape{}, false // derives from a library class: it may be mapped
			}
		}
	}
	e.names = append(e.names, "Exception")
	return e, true
}

func lastName(q string) string { return q[strings.LastIndex(q, ".")+1:] }

// raiseCondition returns the condition of the if or elif whose branch
// holds the raise (the zero Node for an else branch or none).
func raiseCondition(r, def pyast.Node) pyast.Node {
	for n := r; !n.IsNil() && !n.Equal(def); n = n.Parent() {
		p := n.Parent()
		switch p.Type() {
		case "if_statement", "elif_clause":
			if n.Equal(p.ChildByField("consequence")) {
				return p.ChildByField("condition")
			}
			return pyast.Node{}
		case "else_clause":
			return pyast.Node{}
		}
	}
	return pyast.Node{}
}

// caught reports whether n sits in the body of a try (within scope) with
// a handler for one of names, or a bare except.
func caught(n, scope pyast.Node, names []string) bool {
	for hd := range pyidiom.TryHandlers(n, scope) {
		if hd.Bare() {
			return true
		}
		for _, t := range hd.Types {
			tn := lastName(pyast.Dotted(t))
			if tn == "BaseException" || slices.Contains(names, tn) {
				return true
			}
		}
	}
	return false
}

// exceptionMiddleware reports a project class defining process_exception:
// a middleware that may turn any exception into a response. Once per run.
// exceptionsAnswered reports a project that names a DRF EXCEPTION_HANDLER
// or defines a middleware's process_exception: either may turn what a view
// raises into a client error, which rubric does not read.
// unansweredEndpoints returns the judged endpoints of p's file whose
// uncaught exceptions reach the client as 500s, as far as rubric reads:
// none in a project that answers exceptions (exceptionsAnswered), and none
// of Django Ninja's or ASGI frameworks', which register exception handlers
// on the application, which rubric does not read.
func unansweredEndpoints(p *analyzer.Pass) []*semantic.Endpoint {
	if exceptionsAnswered(p.Project) {
		return nil
	}
	inv := semantic.InventoryOf(p.Project)
	var out []*semantic.Endpoint
	for _, e := range inv.InFile(semantic.Of(p.Project).File(p.Unit)) {
		if e.Judged(inv) && e.Kind != "ninja" && e.Kind != "asgi" {
			out = append(out, e)
		}
	}
	return out
}

func exceptionsAnswered(ix *project.Index) bool {
	handler, _ := ix.Settings.RESTExceptionHandler()
	return handler || exceptionMiddleware.Get(ix)
}

var exceptionMiddleware = &project.ProjectAnalysis[bool]{Name: "bugs.exceptionMiddleware", Run: func(ix *project.Index) bool {
	for _, f := range semantic.Of(ix).Files() {
		for _, c := range f.Classes {
			if c.Methods["process_exception"] != nil {
				return true
			}
		}
	}
	return false
}}

// andMore says how many other handlers of the view do the same.
func andMore(n int) string {
	switch n {
	case 0:
		return ""
	case 1:
		return " (and 1 more handler of this view)"
	}
	return fmt.Sprintf(" (and %d more handlers of this view)", n)
}
