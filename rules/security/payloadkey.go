package security

import (
	_ "embed"
	"fmt"
	"iter"
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
	Stack:      project.Django | project.WebApp,
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
// and locals bound to one of them), `.get(key)` without a default
// handed to Decimal, int or float (None raises there), and `.get(key)`
// values a model write stores in a column that takes no NULL (nullReads).
// One finding per handler, at the first read, naming the keys. Silent when the read sits in a try whose except
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
		msg := fmt.Sprintf("`%s` reads the request payload by key (`%s`) without validating it: a missing key is a 500",
			e.ViewName(), strings.Join(limit(keys, 4), "`, `"))
		if allNull(reads) {
			msg = fmt.Sprintf("`%s` stores the request payload's `%s` (read with `.get()`) in columns that take no NULL, without validating it: a missing key is an IntegrityError, a 500",
				e.ViewName(), strings.Join(limit(keys, 4), "`, `"))
		}
		p.Report(analyzer.Diagnostic{
			Range:   analyzer.RangeOf(first),
			Message: msg,
			Help:    "validate the payload before using it: a serializer (`s = XSerializer(data=request.data); s.is_valid(raise_exception=True)`) or a form, and read `s.validated_data[...]`; at least `.get(key)` with a 400 when it is missing",
		})
	}
	return nil
}

// allNull reports reads that are all nullReads' (`.get()` values stored
// in NOT NULL columns).
func allNull(reads []payloadRead) bool {
	for _, r := range reads {
		if !r.null {
			return false
		}
	}
	return true
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
	// null marks a `.get(key)` whose None a model write stores in a
	// column that takes no NULL (nullReads).
	null bool
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
	out = append(out, nullReads(f, body, isSource)...)
	sort.Slice(out, func(i, j int) bool { return out[i].node.StartByte() < out[j].node.StartByte() })
	return out
}

// nullReads returns the `.get(key)` reads (no default, or None) whose value
// a model write stores, unchecked, in a column that takes no NULL and has
// no default (semantic.Model.RequiredColumn): `M.objects.create(amount=
// data.get("amount"))`, a `defaults={...}` entry of get_or_create or
// update_or_create, `M(owner=data.get("owner"))` saved later, directly or
// through a local bound once to the read and tested nowhere before the
// write. A request without the key is then an IntegrityError: a 500. A try
// around the write whose except answers something other than a 500 (or
// catches IntegrityError or DatabaseError by name) handles it.
func nullReads(f *semantic.File, body pyast.Node, isSource func(pyast.Node, int) bool) []payloadRead {
	if f.M.Graph == nil {
		return nil
	}
	var out []payloadRead
	seen := map[int32]bool{}
	for c := range pyast.FindEachShallow(body, "call") {
		call, _ := pyast.AsCall(c)
		md := writtenModel(f, body, c, call)
		if md == nil || nullHandled(body, c) {
			continue
		}
		check := func(field string, v pyast.Node) {
			get, key, ok := nullableGet(f, body, c, v, isSource)
			if !ok || seen[get.ID()] || !f.M.RequiredColumn(md, field) {
				return
			}
			if gc, _ := pyast.AsCall(get); checkedRead(body, get, gc.Receiver(), key) {
				return
			}
			seen[get.ID()] = true
			out = append(out, payloadRead{node: get, key: key, null: true})
		}
		for k, v := range call.EachKeyword() {
			if k != "defaults" {
				check(k, v)
				continue
			}
			if d := pyast.Unparen(v); d.Type() == "dictionary" {
				for pair := range d.Named() {
					if pair.Type() != "pair" {
						continue
					}
					if name, ok := pyast.StringValue(pair.ChildByField("key")); ok {
						check(name, pair.ChildByField("value"))
					}
				}
			}
		}
	}
	return out
}

// writtenModel returns the model a call inserts: `<queryset>.create(...)`,
// get_or_create, update_or_create, or the model class called and saved
// later in body (`w = Wallet(...)` then `w.save()`, or `Wallet(...).save()`).
func writtenModel(f *semantic.File, body, c pyast.Node, call pyast.Call) *project.Model {
	if call.Func.Type() == "attribute" {
		switch call.MethodName() {
		case "create", "get_or_create", "update_or_create":
			if qs := f.Eval(call.Receiver()); qs != nil && qs.Model != nil && !qs.Related {
				return qs.Model
			}
		}
		return nil
	}
	md := f.M.Graph.Lookup(f.Unit, pyast.Dotted(call.Func))
	if md == nil {
		return nil
	}
	p := c.Parent()
	if p.Type() == "attribute" && p.ChildByField("attribute").Text() == "save" {
		return md
	}
	if p.Type() != "assignment" || p.ChildByField("left").Type() != "identifier" {
		return nil
	}
	name := p.ChildByField("left").Text()
	for s := range pyast.FindEachShallow(body, "call") {
		if s.StartByte() <= c.StartByte() {
			continue
		}
		if sc, _ := pyast.AsCall(s); sc.Func.Type() == "attribute" && sc.MethodName() == "save" && pyast.Dotted(sc.Receiver()) == name {
			return md
		}
	}
	return nil
}

// nullableGet returns the `.get(key)` payload read that v is, or that the
// local v names when it is bound once to one and no test reads it before
// the write at c; a default other than None makes the value not null.
func nullableGet(f *semantic.File, body, c, v pyast.Node, isSource func(pyast.Node, int) bool) (pyast.Node, string, bool) {
	v = pyast.Unparen(v)
	if v.Type() == "identifier" {
		bs := f.Bindings(v, v.Text())
		if len(bs) != 1 || testedBefore(body, v.Text(), c) || validatedBefore(body, v.Text(), c) {
			return pyast.Node{}, "", false
		}
		v = pyast.Unparen(bs[0])
	}
	get, ok := pyast.AsCall(v)
	if !ok || get.Func.Type() != "attribute" || get.MethodName() != "get" || len(get.Keywords) > 0 || len(get.Positional) == 0 || len(get.Positional) > 2 {
		return pyast.Node{}, "", false
	}
	if len(get.Positional) == 2 && pyast.Unparen(get.Positional[1]).Type() != "none" {
		return pyast.Node{}, "", false
	}
	key, ok := pyast.StringValue(get.Positional[0])
	if !ok || !isSource(get.Receiver(), 0) {
		return pyast.Node{}, "", false
	}
	return v, key, true
}

// testedBefore reports a name read in a condition (an if, elif, while,
// assert, conditional expression or boolean operator) before n: the value
// was looked at.
func testedBefore(body pyast.Node, name string, n pyast.Node) bool {
	for t := range pyast.FindEach(body, "if_statement", "elif_clause", "while_statement", "assert_statement", "conditional_expression", "boolean_operator", "not_operator", "comparison_operator") {
		if t.StartByte() >= n.StartByte() {
			break
		}
		cond := t
		if k := t.ChildByField("condition"); !k.IsNil() {
			cond = k
		}
		for id := range pyast.FindEach(cond, "identifier") {
			if id.Text() == name {
				return true
			}
		}
	}
	return false
}

// validatedBefore reports the local name handed, before n, to a validator
// (a callee whose name says it validates: `URLValidator()` bound to
// `validator`, `validate_email`) inside a try whose except answers the
// failure as something other than a 500: a missing key is a None the
// validator rejects, so the request is answered before the write.
func validatedBefore(body pyast.Node, name string, n pyast.Node) bool {
	for c := range pyast.FindEachShallow(body, "call") {
		if c.StartByte() >= n.StartByte() {
			break
		}
		cc, _ := pyast.AsCall(c)
		if !strings.Contains(strings.ToLower(lastDotName(pyast.Dotted(cc.Func))), "validat") {
			continue
		}
		handed := false
		for _, a := range cc.Positional {
			if pyast.Unparen(a).Type() == "identifier" && pyast.Unparen(a).Text() == name {
				handed = true
			}
		}
		if handed && failureAnswered(body, c) {
			return true
		}
	}
	return false
}

// failureAnswered reports c inside the body of a try with an except clause
// that neither re-raises nor answers a 500.
func failureAnswered(body, c pyast.Node) bool {
	for k := range handlersAround(body, c) {
		if answersNot500(k) {
			return true
		}
	}
	return false
}

// nullHandled reports a write inside a try whose except catches the
// database's refusal and answers it as something other than a 500:
// IntegrityError or DatabaseError by name, or a broad except (Exception,
// bare) whose body neither re-raises nor returns a 500.
func nullHandled(body, c pyast.Node) bool {
	for k := range handlersAround(body, c) {
		head := k.Text()
		if i := strings.Index(head, ":"); i >= 0 {
			head = head[:i]
		}
		head = strings.TrimSpace(head)
		if strings.Contains(head, "IntegrityError") || strings.Contains(head, "DatabaseError") {
			return true
		}
		if (head == "except" || strings.Contains(head, "Exception")) && answersNot500(k) {
			return true
		}
	}
	return false
}

// handlersAround yields the except clauses of the try statements between c
// and body whose try block holds c.
func handlersAround(body, c pyast.Node) iter.Seq[pyast.Node] {
	return func(yield func(pyast.Node) bool) {
		for a := c.Parent(); !a.IsNil() && !a.Equal(body); a = a.Parent() {
			if a.Type() != "try_statement" || !a.ChildByField("body").Contains(c) {
				continue
			}
			for k := range a.Named() {
				if k.Type() == "except_clause" && !yield(k) {
					return
				}
			}
		}
	}
}

// answersNot500 reports an except clause that neither re-raises nor
// answers a 500.
func answersNot500(k pyast.Node) bool {
	for range pyast.FindEach(k, "raise_statement") {
		return false
	}
	text := k.Text()
	return !strings.Contains(text, "500") && !strings.Contains(text, "INTERNAL_SERVER_ERROR")
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
	for _, a := range c.EachKeyword() {
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
	return checkedRead(body, s, obj, key)
}

// checkedRead is guardedRead without the try: a validator, a validating
// helper handed obj, a membership test or `.get(key)` test of the key, or
// the key stored or checked by the handler before s.
func checkedRead(body, s, obj pyast.Node, key string) bool {
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
			// `plan = data.get("plan", {}).get("value")` then `if plan ==
			// "users-basic": data["plan"]["value"] = ...`: the branch runs
			// only when the key was there.
			if k, ok := pyast.StringValue(cc.Positional[0]); ok && k == key && testedBinding(c, s) {
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

// testedBinding reports a `.get(key)` call c whose value a local holds
// (`plan = data.get("plan", {}).get("value")`) when s sits in the branch of
// an if whose condition compares that local with a literal or tests its
// truth: the branch runs only when the key was present.
func testedBinding(c, s pyast.Node) bool {
	as := pyast.Ancestor(c, "assignment")
	if as.IsNil() || !as.ChildByField("right").Contains(c) || as.ChildByField("left").Type() != "identifier" {
		return false
	}
	name := as.ChildByField("left").Text()
	for ifs := pyast.Ancestor(s, "if_statement"); !ifs.IsNil(); ifs = pyast.Ancestor(ifs, "if_statement") {
		cond := pyast.Unparen(ifs.ChildByField("condition"))
		if !ifs.ChildByField("consequence").Contains(s) {
			continue
		}
		switch cond.Type() {
		case "identifier":
			if cond.Text() == name {
				return true
			}
		case "comparison_operator":
			ops := cond.ChildrenByField("operators")
			operands := pyast.Statements(cond)
			if len(ops) == 1 && ops[0].Text() == "==" && len(operands) == 2 &&
				(operands[0].Text() == name && isLiteral(operands[1]) && operands[1].Type() != "none" ||
					operands[1].Text() == name && isLiteral(operands[0]) && operands[0].Type() != "none") {
				return true
			}
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
