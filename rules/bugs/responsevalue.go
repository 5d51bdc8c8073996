package bugs

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed responsevalue.md
var responseValueDoc string

// ResponseUsedAsValue reports a call of a project function that returns
// an HTTP response on one path and a plain value on another, where the
// caller uses the result as the value: on the response path that use
// raises, and the error answer the helper built never reaches the client.
var ResponseUsedAsValue = &analyzer.Rule{
	Code:       "BUG068",
	Name:       "failure-result-used-as-value",
	Doc:        responseValueDoc,
	Category:   analyzer.Correctness,
	Severity:   analyzer.Error,
	Confidence: analyzer.Medium,
	Since:      "0.25.0",
	Skip:       semantic.Test | semantic.Migration,
	Requires:   requires,
	Run:        runResponseUsedAsValue,
}

// responseAttrs are attributes and methods an HTTP response has (Django's
// HttpResponse and DRF's Response): reading one from the result is not
// a use of the other value.
var responseAttrs = map[string]bool{
	"data": true, "status_code": true, "status_text": true, "content": true, "headers": true, "template_name": true,
	"exception": true, "content_type": true, "rendered_content": true, "render": true, "has_header": true,
	"items": true, "get": true, "setdefault": true, "cookies": true, "set_cookie": true, "delete_cookie": true,
	"charset": true, "reason_phrase": true, "streaming": true, "closed": true, "write": true, "writelines": true,
	"getvalue": true, "close": true, "flush": true, "serialize": true, "accepted_renderer": true,
	"accepted_media_type": true, "renderer_context": true, "url": true, "json": true, "text": true,
}

// numericCoercions are builtins whose argument must be a number (or a
// string of one): a response there is a TypeError.
var numericCoercions = map[string]bool{"round": true, "float": true, "int": true, "abs": true, "Decimal": true, "decimal.Decimal": true}

// mixedReturn is what a function returns: its first return of a
// response, of a plain value, of a number, and of None or False (either
// nil).
type mixedReturn struct {
	resp, value, number, sentinel pyast.Node
}

// runResponseUsedAsValue matches calls, inside functions, of a project
// function (resolved by the semantic model) some of whose own return
// statements return a call building a response (Django's HttpResponse
// family, JsonResponse, DRF's Response: isResponseMaker) and others a
// plain value (a name not bound to a response, an attribute, a
// subscript, arithmetic, a literal, a call that builds no response).
// The result is used as the value when the call itself, or the local it
// is assigned to (at its first later occurrence in the caller), is read
// for an attribute a response does not have, is an operand of arithmetic,
// is the argument of round/float/int/abs/Decimal, or is the data of a
// response built around it. Silent when the caller tests the local (any
// occurrence in a condition, isinstance/hasattr/type, `.status_code`)
// before that use, or passes, returns or stores it first.
func runResponseUsedAsValue(p *analyzer.Pass) error {
	f := semantic.Of(p.Project).File(p.Unit)
	memo := map[*semantic.Func]mixedReturn{}
	returnsOf := func(fn *semantic.Func) mixedReturn {
		if r, ok := memo[fn]; ok {
			return r
		}
		r := mixedReturns(fn)
		memo[fn] = r
		return r
	}
	for call := range pyast.FindEach(p.Root, "call") {
		caller := pyast.EnclosingFunction(call)
		if caller.IsNil() {
			continue
		}
		// Resolving the callee is the cost: only a call whose result is
		// used as a value here, or bound to a name, is resolved (the
		// non-numeric uses include the numeric ones).
		if _, bound := assignedName(call); !bound && responseValueUse(p, call, call, false).IsNil() {
			continue
		}
		fn, _ := f.Callee(call)
		if fn == nil || fn.Node.Equal(caller) {
			continue
		}
		r := returnsOf(fn)
		if !r.resp.IsNil() && !r.value.IsNil() {
			reportResponseUse(p, f, fn, call, r)
		} else if r.resp.IsNil() && !r.number.IsNil() && !r.sentinel.IsNil() {
			reportSentinelUse(p, f, fn, call, r)
		}
	}
	return nil
}

// useAsValue returns where the caller uses call's result (directly, or
// through the local it is assigned to) as a value, with numeric set to
// ask for arithmetic and numeric coercions only.
func useAsValue(p *analyzer.Pass, f *semantic.File, call pyast.Node, numeric bool) pyast.Node {
	use := responseValueUse(p, call, call, numeric)
	if use.IsNil() {
		if x, ok := assignedName(call); ok {
			use = firstUseOf(p, f, x, call, numeric)
		}
	}
	return use
}

// reportResponseUse reports a use as a value of a helper's result that
// is an HTTP response on its failure path.
func reportResponseUse(p *analyzer.Pass, f *semantic.File, fn *semantic.Func, call pyast.Node, r mixedReturn) {
	use := useAsValue(p, f, call, false)
	if use.IsNil() || callerRuledOut(fn, call) {
		return
	}
	p.Report(analyzer.Diagnostic{
		Range: analyzer.RangeOf(use),
		Message: fmt.Sprintf("`%s(...)` returns an HTTP response when it fails and a value otherwise; `%s` uses the result as the value, so on the failure path it raises and the error answer `%s` built never reaches the client",
			fn.Name, pyast.OneLine(use, 50), fn.Name),
		Help: fmt.Sprintf("raise an exception in `%s` (a DRF `APIException` subclass, or one the view turns into its error answer) instead of returning a response, or check `isinstance(result, Response)` here and return it", fn.Name),
		Related: []analyzer.Related{
			{Range: analyzer.RangeOf(r.resp), Path: fn.File.Unit.File.Rel, Message: "returns a response here"},
			{Range: analyzer.RangeOf(r.value), Path: fn.File.Unit.File.Rel, Message: "and a value here"},
		},
	})
}

// reportSentinelUse reports a use in arithmetic of a helper's result
// that is None or False when the outbound call it makes fails or finds
// nothing, and a number otherwise.
func reportSentinelUse(p *analyzer.Pass, f *semantic.File, fn *semantic.Func, call pyast.Node, r mixedReturn) {
	if !callsOut(f.M, fn) {
		return
	}
	use := useAsValue(p, f, call, true)
	if use.IsNil() {
		return
	}
	what, breaks := "None", "a TypeError (a 500 in a request)"
	if v := pyast.Unparen(r.sentinel.NamedChild(0)); !v.IsNil() && v.Type() == "false" {
		what, breaks = "False", "False counts as 0 (a ZeroDivisionError, or a silent zero)"
	}
	p.Report(analyzer.Diagnostic{
		Range: analyzer.RangeOf(use),
		Message: fmt.Sprintf("`%s(...)` calls another service and returns %s when that fails or finds nothing, a number otherwise; `%s` uses the result as the number: %s whenever the service is down or answers something else",
			fn.Name, what, pyast.OneLine(use, 50), breaks),
		Help: fmt.Sprintf("raise an exception in `%s` when it cannot get the number (and answer it in the view), or check the result here before using it", fn.Name),
		Related: []analyzer.Related{
			{Range: analyzer.RangeOf(r.sentinel), Path: fn.File.Unit.File.Rel, Message: "returns " + what + " here"},
			{Range: analyzer.RangeOf(r.number), Path: fn.File.Unit.File.Rel, Message: "and a number here"},
		},
	})
}

// callsOut reports a function that makes an outbound HTTP call, itself or
// through the project functions it calls.
func callsOut(m *semantic.Model, fn *semantic.Func) bool {
	for _, e := range m.FuncEffects(fn) {
		if e.Kind == semantic.HTTPCall {
			return true
		}
	}
	return false
}

// mixedReturns classifies the return statements of fn's own body.
func mixedReturns(fn *semantic.Func) mixedReturn {
	var r mixedReturn
	n := fn.Node
	if n.Type() != "function_definition" || fn.File == nil || fn.File.Unit == nil {
		return r
	}
	// A decorator may wrap the result (staticmethod and classmethod do
	// not).
	for _, d := range pyast.Decorators(n) {
		if t := pyast.Dotted(d); t != "staticmethod" && t != "classmethod" {
			return r
		}
	}
	body := pyast.Body(n)
	if len(pyast.FindAllShallow(body, "yield")) > 0 {
		return r
	}
	im := fn.File.Unit.Imports
	for _, ret := range pyast.FindAllShallow(body, "return_statement") {
		v := pyast.Unparen(ret.NamedChild(0))
		if v.IsNil() || v.Type() == "none" || v.Type() == "false" {
			if r.sentinel.IsNil() {
				r.sentinel = ret
			}
			continue
		}
		if r.number.IsNil() && numberExpr(body, v) {
			r.number = ret
		}
		switch v.Type() {
		case "call":
			c, _ := pyast.AsCall(v)
			if q, ok := im.Resolve(c.Func); ok && isResponseMaker(q) {
				if r.resp.IsNil() {
					r.resp = ret
				}
				continue
			}
			if callee, _ := fn.File.Callee(v); callee != nil {
				continue // a project function: what it returns is not read here
			}
			if _, ok := im.Resolve(c.Func); !ok && c.Func.Type() == "identifier" {
				continue // a name of the module (a class, a local factory)
			}
		case "identifier":
			if boundToResponse(im, body, v.Text()) {
				if r.resp.IsNil() {
					r.resp = ret
				}
				continue
			}
		case "attribute", "subscript", "binary_operator", "integer", "float", "string", "dictionary", "list",
			"true", "false", "concatenated_string", "dictionary_comprehension", "list_comprehension":
		default:
			continue
		}
		if r.value.IsNil() {
			r.value = ret
		}
	}
	return r
}

// numberExpr reports an expression that computes a number: arithmetic,
// float/int/Decimal/round of something, a numeric literal, or a name
// body binds once, to one of those.
func numberExpr(body, v pyast.Node) bool { return numberExprVia(body, v, nil) }

// numberExprVia is numberExpr with the names being followed: a name bound
// from itself (`total = total + 1`) is not followed again.
func numberExprVia(body, v pyast.Node, following []string) bool {
	switch v.Type() {
	case "integer", "float":
		return true
	case "binary_operator":
		switch v.ChildByField("operator").Type() {
		case "+", "-", "*", "/", "//", "%", "**":
			// `a + b` may join strings: a side must be a number.
			return v.ChildByField("operator").Type() != "+" ||
				numberExprVia(body, pyast.Unparen(v.ChildByField("left")), following) ||
				numberExprVia(body, pyast.Unparen(v.ChildByField("right")), following)
		}
	case "call":
		c, _ := pyast.AsCall(v)
		if numericCoercions[pyast.Dotted(c.Func)] {
			return true
		}
	case "identifier":
		name := v.Text()
		if slices.Contains(following, name) {
			return false
		}
		var rhs pyast.Node
		for a := range pyast.FindEachShallow(body, "assignment") {
			if left := a.ChildByField("left"); left.Type() == "identifier" && left.Text() == name {
				if !rhs.IsNil() {
					return false
				}
				rhs = pyast.Unparen(a.ChildByField("right"))
			}
		}
		return !rhs.IsNil() && rhs.Type() != "identifier" && numberExprVia(body, rhs, append(following, name))
	}
	return false
}

// boundToResponse reports a name some assignment of body binds to a call
// building a response.
func boundToResponse(im *pyast.Imports, body pyast.Node, name string) bool {
	for a := range pyast.FindEachShallow(body, "assignment") {
		left := a.ChildByField("left")
		if left.Type() != "identifier" || left.Text() != name {
			continue
		}
		if c, ok := pyast.AsCall(pyast.Unparen(a.ChildByField("right"))); ok {
			if q, ok := im.Resolve(c.Func); ok && isResponseMaker(q) {
				return true
			}
		}
	}
	return false
}

// assignedName returns x of a statement `x = call` (boundToName).
func assignedName(call pyast.Node) (string, bool) {
	if !boundToName(call) || call.Parent().Parent().Type() != "expression_statement" {
		return "", false
	}
	return call.Parent().ChildByField("left").Text(), true
}

// firstUseOf returns the use as a value of local x, bound once in its
// scope by `x = call`, at its first read after call, or the nil node
// when that read is anything else (a test, an argument, a return).
func firstUseOf(p *analyzer.Pass, f *semantic.File, x string, call pyast.Node, numeric bool) pyast.Node {
	a := call.Parent()
	if f.BindingCount(a, x) != 1 {
		return pyast.Node{}
	}
	for _, id := range readsIn(semantic.ScopeOf(a))[x] {
		if id.StartByte() >= a.EndByte() {
			return responseValueUse(p, id, call, numeric)
		}
	}
	return pyast.Node{}
}

// responseValueUse returns the expression that uses n (a call, or a local
// holding its result) as a plain value, or the nil node.
func responseValueUse(p *analyzer.Pass, n, call pyast.Node, numeric bool) pyast.Node {
	parent := n.Parent()
	for parent.Type() == "parenthesized_expression" {
		n, parent = parent, parent.Parent()
	}
	switch parent.Type() {
	case "attribute":
		if numeric || !parent.ChildByField("object").Equal(n) {
			return pyast.Node{}
		}
		attr := parent.ChildByField("attribute").Text()
		if responseAttrs[attr] || strings.HasPrefix(attr, "__") {
			return pyast.Node{}
		}
		return parent
	case "binary_operator":
		return parent
	case "unary_operator":
		return parent
	case "augmented_assignment":
		if parent.ChildByField("right").Equal(n) {
			return parent
		}
	case "argument_list":
		outer := parent.Parent()
		c, ok := pyast.AsCall(outer)
		if !ok || len(c.Positional) == 0 || !c.Positional[0].Equal(n) {
			return pyast.Node{}
		}
		if numericCoercions[pyast.Dotted(c.Func)] {
			return outer
		}
		if q, ok := p.Imports.Resolve(c.Func); ok && !numeric && isResponseMaker(q) && !outer.Equal(call) {
			return outer
		}
	}
	return pyast.Node{}
}

// callerRuledOut reports a helper whose only response is returned under
// one top-level `if` whose condition tests names the helper binds at its
// top level (`user = xc_get_user(request)`, `if user is None: return
// JsonResponse(..., status=401)`), where the caller, before the call,
// binds the same names to the same expressions and returns or raises
// under the same condition: the helper's failure path cannot be taken
// from there (Dispatcharr's `xc_get_info(request)` after the view's own
// `if user is None: return ...`).
func callerRuledOut(fn *semantic.Func, call pyast.Node) bool {
	body := pyast.Body(fn.Node)
	var guard pyast.Node
	for _, ret := range pyast.FindAllShallow(body, "return_statement") {
		c, ok := pyast.AsCall(pyast.Unparen(ret.NamedChild(0)))
		if !ok {
			continue
		}
		if q, ok := fn.File.Unit.Imports.Resolve(c.Func); !ok || !isResponseMaker(q) {
			continue
		}
		iff := pyast.Ancestor(ret, "if_statement")
		if iff.IsNil() || !iff.Parent().Equal(body) || !guard.IsNil() && !guard.Equal(iff) {
			return false // a response not under one top-level if
		}
		guard = iff
	}
	if guard.IsNil() {
		return false
	}
	cond := guard.ChildByField("condition").Text()
	// What the condition's names are bound to at the helper's top level.
	binds := map[string]string{}
	for st := range pyast.EachStatement(body) {
		if st.StartByte() >= guard.StartByte() {
			break
		}
		if a := st.NamedChild(0); st.Type() == "expression_statement" && a.Type() == "assignment" && a.ChildByField("left").Type() == "identifier" {
			binds[a.ChildByField("left").Text()] = a.ChildByField("right").Text()
		}
	}
	for id := range pyast.FindEach(guard.ChildByField("condition"), "identifier") {
		if _, ok := binds[id.Text()]; !ok {
			return false // a parameter or a global: the caller's value may differ
		}
	}
	caller := pyast.EnclosingFunction(call)
	seen := map[string]string{}
	for st := range pyast.EachStatement(pyast.Body(caller)) {
		if st.StartByte() >= call.StartByte() {
			break
		}
		if a := st.NamedChild(0); st.Type() == "expression_statement" && a.Type() == "assignment" && a.ChildByField("left").Type() == "identifier" {
			seen[a.ChildByField("left").Text()] = a.ChildByField("right").Text()
			continue
		}
		if st.Type() != "if_statement" || st.ChildByField("condition").Text() != cond || len(st.ChildrenByField("alternative")) > 0 {
			continue
		}
		same := true
		for name, expr := range binds {
			if strings.Contains(cond, name) && seen[name] != expr {
				same = false
			}
		}
		if same && len(pyast.FindAll(st.ChildByField("consequence"), "return_statement", "raise_statement")) > 0 {
			return true
		}
	}
	return false
}
