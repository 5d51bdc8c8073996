package security

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/analyzer/semantic/pyidiom"
)

//go:embed payloadkey.md
var payloadKeyDoc string

// UnvalidatedPayloadKey reports request payloads indexed by key without
// validation.
var UnvalidatedPayloadKey = &analyzer.Rule{
	Code:       "SEC018",
	Name:       "unvalidated-payload-key",
	Doc:        payloadKeyDoc,
	Category:   analyzer.Security,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.2.0",
	Skip:       semantic.ProductCode,
	Requires:   []project.Analysis{semantic.Endpoints},
	Run:        runUnvalidatedPayloadKey,
}

// payloadSources are the request attributes that hold what the client
// sent.
var payloadSources = map[string]bool{"data": true, "POST": true, "GET": true, "query_params": true, "FILES": true}

// validators, called anywhere before the read, mean the payload was
// checked (a serializer, a form, a schema).
var validators = []string{"is_valid", "full_clean", "validate", "model_validate", "parse_obj", "parse_raw",
	"validate_json", "load", "loads_schema"}

// runUnvalidatedPayloadKey matches, in the handlers of judged endpoints,
// subscripts with a string key of the request payload (request.data,
// request.POST, request.GET, request.query_params, `json.loads(request.body)`,
// and locals bound to one of them), and `.get(key)` without a default
// handed to Decimal, int or float (None raises there). One finding per handler, at the first
// read, naming the keys. Silent when the read sits in a try whose except
// catches KeyError (or LookupError, MultiValueDictKeyError, Exception, a
// bare except), when the handler calls a validator before it (is_valid,
// full_clean, validate, a pydantic model_validate/parse_obj), or when the
// key is tested first (`"amount" in data`).
func runUnvalidatedPayloadKey(p *analyzer.Pass) error {
	inv := semantic.InventoryOf(p.Project)
	f := semantic.Of(p.Project).File(p.Unit)
	done := map[*semantic.Func]bool{}
	for _, e := range inv.InFile(f) {
		fn := e.Handler
		if fn == nil || done[fn] || !e.Judged(inv) {
			continue
		}
		done[fn] = true
		reads := payloadReads(f, fn, e.RequestParam)
		reads = dropSuperValidated(semantic.Of(p.Project), e, fn, reads)
		if len(reads) == 0 {
			continue
		}
		var keys []string
		for _, r := range reads {
			if !containsStr(keys, r.key) {
				keys = append(keys, r.key)
			}
		}
		first := reads[0].node
		p.Report(analyzer.Diagnostic{
			Range: analyzer.RangeOf(first),
			Message: fmt.Sprintf("`%s` reads the request payload by key (`%s`) without validating it: a missing key is a 500",
				e.ViewName(), strings.Join(limit(keys, 4), "`, `")),
			Help: "validate the payload before using it: a serializer (`s = XSerializer(data=request.data); s.is_valid(raise_exception=True)`) or a form, and read `s.validated_data[...]`; at least `.get(key)` with a 400 when it is missing",
		})
	}
	return nil
}

// dropSuperValidated removes the reads that follow `super().create(...)`
// (update, partial_update) in a DRF view when the view's serializer names
// the key: the mixin ran `is_valid(raise_exception=True)` on the payload
// first, so a missing required key was a 400 there.
func dropSuperValidated(sem *semantic.Model, e *semantic.Endpoint, fn *semantic.Func, reads []payloadRead) []payloadRead {
	if e.Class == nil {
		return reads
	}
	sc := sem.SerializerClass(e.Class)
	body := pyast.Body(fn.Node)
	out := reads[:0]
	for _, r := range reads {
		if covered, _ := sem.SerializerCovers(sc, r.key); covered && pyidiom.SuperValidatedBefore(body, r.node) {
			continue
		}
		out = append(out, r)
	}
	return out
}

// payloadRead is one unguarded read of a payload key.
type payloadRead struct {
	node pyast.Node
	key  string
}

// conversions raise on None: `Decimal(data.get("amount"))` fails like a
// missing key.
var conversions = map[string]bool{"Decimal": true, "int": true, "float": true}

// payloadReads returns the unguarded reads of payload keys in fn:
// subscripts, and `.get(key)` without a default handed to Decimal, int or
// float.
func payloadReads(f *semantic.File, fn *semantic.Func, req string) []payloadRead {
	body := pyast.Body(fn.Node)
	if req == "" {
		req = "request"
	}
	isSource := func(n pyast.Node, depth int) bool { return payloadExpr(f, n, req, depth) }
	var out []payloadRead
	for c := range pyast.FindEachShallow(body, "call") {
		conv, _ := pyast.AsCall(c)
		if !conversions[lastDotName(pyast.Dotted(conv.Func))] || len(conv.Positional) != 1 {
			continue
		}
		get, ok := pyast.AsCall(pyast.Unparen(conv.Positional[0]))
		if !ok || get.Func.Type() != "attribute" || get.MethodName() != "get" || len(get.Positional) != 1 || len(get.Keywords) > 0 {
			continue
		}
		key, ok := pyast.StringValue(get.Positional[0])
		if !ok || !isSource(get.Receiver(), 0) || guardedRead(body, c, get.Receiver(), key) {
			continue
		}
		out = append(out, payloadRead{node: c, key: key})
	}
	for s := range pyast.FindEachShallow(body, "subscript") {
		key := s.ChildByField("subscript")
		if _, ok := pyast.StringValue(key); !ok {
			continue
		}
		if s.Parent().Type() == "assignment" && s.Parent().ChildByField("left").Equal(s) {
			continue // data["x"] = ...: a write
		}
		if !isSource(s.ChildByField("value"), 0) {
			continue
		}
		k, _ := pyast.StringValue(key)
		if guardedRead(body, s, s.ChildByField("value"), k) {
			continue
		}
		out = append(out, payloadRead{node: s, key: k})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].node.StartByte() < out[j].node.StartByte() })
	return out
}

// payloadExpr reports whether n holds the request payload.
func payloadExpr(f *semantic.File, n pyast.Node, req string, depth int) bool {
	n = pyast.Unparen(n)
	if depth > 3 {
		return false
	}
	switch n.Type() {
	case "attribute":
		obj := pyast.Dotted(n.ChildByField("object"))
		return (obj == req || obj == "self.request") && payloadSources[n.ChildByField("attribute").Text()]
	case "call":
		c, _ := pyast.AsCall(n)
		if lastDotName(pyast.Dotted(c.Func)) == "loads" && len(c.Positional) > 0 {
			arg := pyast.Dotted(pyast.Unparen(c.Positional[0]))
			if a, ok := pyast.AsCall(pyast.Unparen(c.Positional[0])); ok {
				arg = pyast.Dotted(a.Func)
			}
			return strings.HasPrefix(arg, req+".body") || strings.HasPrefix(arg, "self.request.body")
		}
		if c.Func.Type() == "attribute" && c.MethodName() == "json" {
			return pyast.Dotted(c.Receiver()) == req
		}
	case "identifier":
		bs := f.Bindings(n, n.Text())
		if len(bs) != 1 {
			return false
		}
		return payloadExpr(f, bs[0], req, depth+1)
	case "await":
		return payloadExpr(f, n.NamedChild(0), req, depth+1)
	}
	return false
}

// passes reports whether the call c hands it the payload object obj (the
// same name or attribute chain, such as `payload` or `request.data`).
func passes(c pyast.Call, obj pyast.Node) bool {
	want := pyast.Dotted(pyast.Unparen(obj))
	if want == "" {
		return false
	}
	for _, a := range c.Positional {
		if pyast.Dotted(pyast.Unparen(a)) == want {
			return true
		}
	}
	for _, a := range c.Keywords {
		if pyast.Dotted(pyast.Unparen(a)) == want {
			return true
		}
	}
	return false
}

func lastDotName(d string) string { return d[strings.LastIndex(d, ".")+1:] }

// testedAfter reports a subscript in the value of a conditional expression
// whose condition, written after it, tests the key:
// `parse(data["end"]) if data.get("end") else None`.
func testedAfter(body, s pyast.Node, key string) bool {
	for a := s.Parent(); !a.IsNil() && !a.Equal(body); a = a.Parent() {
		if a.Type() != "conditional_expression" || a.NamedChildCount() < 2 || !a.NamedChild(0).Contains(s) {
			continue
		}
		for c := range pyast.FindEach(a.NamedChild(1), "call", "comparison_operator") {
			if c.Type() == "comparison_operator" {
				if strings.Contains(c.Text(), " in ") && strings.Contains(c.Text(), key) {
					return true
				}
				continue
			}
			if cc, _ := pyast.AsCall(c); cc.MethodName() == "get" && len(cc.Positional) > 0 {
				if k, ok := pyast.StringValue(cc.Positional[0]); ok && k == key {
					return true
				}
			}
		}
	}
	return false
}

// guardedRead reports whether a payload subscript is guarded: inside a
// try that catches KeyError (or broader), after a validator call, after
// a call of a validating helper handed the payload object obj
// (`self._validate_arguments(payload)`), after a membership test of its
// key, under an `if` that tested it with `.get(key)`, after the handler
// stored the key itself, or after a loop over a literal list of names
// holding it that checked each (storedBefore, checkedInLoop).
func guardedRead(body, s, obj pyast.Node, key string) bool {
	for a := s.Parent(); !a.IsNil() && !a.Equal(body); a = a.Parent() {
		if a.Type() != "try_statement" {
			continue
		}
		for k := range a.Named() {
			if k.Type() != "except_clause" {
				continue
			}
			t := k.Text()
			head := t
			if i := strings.Index(t, ":"); i >= 0 {
				head = t[:i]
			}
			head = strings.TrimSpace(head)
			if head == "except" || strings.Contains(head, "KeyError") || strings.Contains(head, "TypeError") ||
				strings.Contains(head, "InvalidOperation") || strings.Contains(head, "LookupError") ||
				strings.Contains(head, "Exception") || strings.Contains(head, "MultiValueDictKeyError") {
				return true
			}
		}
	}
	if testedAfter(body, s, key) || storedBefore(body, s, obj, key) || checkedInLoop(body, s, obj, key) {
		return true
	}
	for c := range pyast.FindEachShallow(body, "call", "comparison_operator") {
		if c.StartByte() >= s.StartByte() {
			break
		}
		if c.Type() == "comparison_operator" {
			if strings.Contains(c.Text(), " in ") && strings.Contains(c.Text(), key) {
				return true
			}
			continue
		}
		cc, _ := pyast.AsCall(c)
		// `if data.get("error"): data["error"]`: the key was tested.
		if cc.MethodName() == "get" && len(cc.Positional) > 0 {
			if k, ok := pyast.StringValue(cc.Positional[0]); ok && k == key && pyast.Ancestor(c, "if_statement", "conditional_expression").Contains(s) {
				return true
			}
			// `if not (data.get("a") and data.get("b") is not None):
			// return error(...)` before the reads: the request without
			// the key was answered first.
			if k, ok := pyast.StringValue(cc.Positional[0]); ok && k == key && earlyExitTest(c) {
				return true
			}
		}
		name := lastDotName(pyast.Dotted(cc.Func))
		for _, v := range validators {
			if name == v {
				return true
			}
		}
		if strings.Contains(strings.ToLower(name), "validat") && passes(cc, obj) {
			return true
		}
		if name == "all" && strings.Contains(c.Text(), " in ") {
			return true
		}
	}
	return false
}

// earlyExitTest reports a call in the condition of an `if` whose branch
// ends in a return or raise: what follows the `if` runs only when the
// condition failed.
func earlyExitTest(c pyast.Node) bool {
	ifs := pyast.Ancestor(c, "if_statement")
	if ifs.IsNil() || !ifs.ChildByField("condition").Contains(c) {
		return false
	}
	stmts := pyast.Statements(ifs.ChildByField("consequence"))
	if len(stmts) == 0 {
		return false
	}
	last := stmts[len(stmts)-1]
	return last.Type() == "return_statement" || last.Type() == "raise_statement"
}
