package idempotency

import (
	"bytes"
	_ "embed"
	"fmt"
	"slices"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed moneyendpoint.md
var moneyEndpointDoc string

// MoneyEndpointWithoutKey reports an endpoint that moves money in the
// project's own ledger (a balance or an amount written) in a project that
// shows no idempotency anywhere: no idempotency key, no unique operation
// reference.
var MoneyEndpointWithoutKey = &analyzer.Rule{
	Code:       "IDM005",
	Name:       "money-endpoint-without-idempotency",
	Doc:        moneyEndpointDoc,
	Category:   analyzer.DataIntegrity,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.13.0",
	Skip:       semantic.ProductCode,
	Requires:   []project.Analysis{semantic.Project, semantic.Endpoints, idempotencyAnywhere},
	Run:        runMoneyEndpointWithoutKey,
}

// runMoneyEndpointWithoutKey matches routed, judged API endpoints (a DRF
// view or viewset, an @api_view function, a function view answering
// JSON) reached by POST (or by any method, the write then under a POST
// branch), no webhook receivers (IDM002's), that move money (movement:
// a balance written, an account's balance updated, a transfer or
// transaction row created), without calling a payment provider (IDM001
// judges that call's key); in a project where nothing names idempotency
// and no model keeps a unique operation reference (idempotencyAnywhere).
// One finding per view.
func runMoneyEndpointWithoutKey(p *analyzer.Pass) error {
	if idempotencyAnywhere.Get(p.Project) {
		return nil
	}
	sm := semantic.Of(p.Project)
	inv := semantic.InventoryOf(p.Project)
	f := sm.File(p.Unit)
	seen := map[string]bool{}
	for _, e := range inv.InFile(f) {
		if seen[e.View] || !e.Routed || !e.Judged(inv) || e.Webhook != nil || !writeMethod(e) || !apiEndpoint(e) {
			continue
		}
		w := moneyWrite(p.Project, e)
		if w == nil || refusesRepeat(e, w) || serializerRefusesRepeat(sm, e, w) {
			continue
		}
		seen[e.View] = true
		route := e.AtRoute()
		p.Report(analyzer.Diagnostic{
			Range: analyzer.RangeOf(where(e)),
			Message: fmt.Sprintf("`%s` (%s%s) moves money (`%s`) and nothing in the project is an idempotency key or a unique operation reference: a client that retries after a timeout, or a double click, applies it twice",
				e.ViewName(), methodsText(e), route, w.Name),
			Help: "take an `Idempotency-Key` header (or a client operation id kept under a unique constraint) and answer a repeat with the first result instead of moving the money again",
		})
	}
	return nil
}

// serializerRefusesRepeat reports an endpoint whose serializer's
// validate() refuses the data when a row already matches it (`if
// Balance.objects.filter(date=data["date"]).exists(): raise
// ValidationError(...)`, directly or through a name bound to the filter or
// to its exists()): the request carries its own operation reference, and a
// retry is answered 400 instead of writing twice. For a framework create
// the serializer is the view's own and the filter any of the written
// model's on the client's data; for a handler, a serializer it builds from
// the request (`s = DepositSerializer(data=request.data)`), and the filter
// one of a model the endpoint writes, keyed by a field named for an
// operation reference (`reference_id=data["reference_id"]`): a handler
// that moves a wallet's balance may well check that the wallet exists,
// which refuses no repeat.
func serializerRefusesRepeat(sm *semantic.Model, e *semantic.Endpoint, w *semantic.Effect) bool {
	if e.Class == nil && e.Handler == nil || w.Model == "" {
		return false
	}
	if e.Handler == nil {
		return validateRefuses(sm.SerializerClass(e.Class), map[string]bool{w.Model[strings.LastIndex(w.Model, ".")+1:]: true}, false)
	}
	written := map[string]bool{}
	for _, x := range e.Does.Effects {
		if x.Kind == semantic.WriteRows && x.Model != "" {
			written[x.Model[strings.LastIndex(x.Model, ".")+1:]] = true
		}
	}
	for a := range pyast.FindEachShallow(pyast.Body(e.Handler.Node), "assignment") {
		c, ok := pyast.AsCall(pyast.Unparen(a.ChildByField("right")))
		if !ok || a.ChildByField("left").Type() != "identifier" {
			continue
		}
		if _, ok := c.Keywords["data"]; !ok {
			continue
		}
		if validateRefuses(sm.BuiltSerializer(e.Handler, c.Node), written, true) {
			return true
		}
	}
	return false
}

// validateRefuses reports a validate() of the serializer class sc that
// raises when a row of one of the written models matches the client's
// data (with byReference, in a keyword named for an operation reference).
func validateRefuses(sc *semantic.Class, written map[string]bool, byReference bool) bool {
	if sc == nil {
		return false
	}
	v, data := sc.ValidateData()
	if v == nil {
		return false
	}
	// matches: a filter of a written model on the client's data.
	matches := func(n pyast.Node) bool {
		for c := range pyast.FindEach(n, "call") {
			call, _ := pyast.AsCall(c)
			if call.MethodName() != "filter" && call.MethodName() != "get" {
				continue
			}
			recv := pyast.Dotted(call.Receiver())
			model, ok := strings.CutSuffix(recv, ".objects")
			if !ok || !written[model[strings.LastIndex(model, ".")+1:]] {
				continue
			}
			if !byReference {
				for id := range pyast.FindEach(c, "identifier") {
					if id.Text() == data {
						return true
					}
				}
				continue
			}
			for k, v := range call.EachKeyword() {
				if !slices.Contains(referenceWords, strings.ToLower(k)) {
					continue
				}
				for id := range pyast.FindEach(v, "identifier") {
					if id.Text() == data {
						return true
					}
				}
			}
		}
		return false
	}
	bound := map[string]bool{}   // names bound to the filter
	checked := map[string]bool{} // names bound to its exists()
	for a := range pyast.FindEach(pyast.Body(v.Node), "assignment") {
		l, r := a.ChildByField("left"), pyast.Unparen(a.ChildByField("right"))
		if l.Type() != "identifier" || !matches(r) {
			continue
		}
		if call, ok := pyast.AsCall(r); ok && call.MethodName() == "exists" {
			checked[l.Text()] = true
		} else {
			bound[l.Text()] = true
		}
	}
	for st := range pyast.FindEach(pyast.Body(v.Node), "if_statement") {
		cond := pyast.Unparen(st.ChildByField("condition"))
		found := cond.Type() == "identifier" && checked[cond.Text()]
		for c := range pyast.FindEach(cond, "call") {
			call, _ := pyast.AsCall(c)
			if call.MethodName() != "exists" {
				continue
			}
			r := call.Receiver()
			if r.Type() == "identifier" && bound[r.Text()] || matches(r) {
				found = true
			}
		}
		if found && pyast.LastStatement(st.ChildByField("consequence")).Type() == "raise_statement" {
			return true
		}
	}
	return false
}

// writeMethod reports an endpoint a write method reaches.
func writeMethod(e *semantic.Endpoint) bool {
	for _, m := range e.Methods {
		switch m {
		case "POST", "ANY": // PUT and PATCH set a state: repeating them is harmless
			return true
		}
	}
	return false
}

func methodsText(e *semantic.Endpoint) string {
	var ms []string
	for _, m := range e.Methods {
		if m == "POST" {
			ms = append(ms, m)
		}
	}
	if len(ms) == 0 {
		return "any method"
	}
	return strings.Join(ms, ", ")
}

// moneyWrite returns the first write of an endpoint that moves money, or
// nil: a balance assigned or updated, or a row of a money model created
// that is not an account (a model holding a balance: opening a wallet
// twice is not paying twice). Nil when the endpoint calls a payment
// provider (IDM001 judges that call's key). For a function view open to
// any method the write must be under a branch only POST, PUT or PATCH
// takes.
func moneyWrite(ix *project.Index, e *semantic.Endpoint) *semantic.Effect {
	var first *semantic.Effect
	anyMethod := slices.Contains(e.Methods, "ANY")
	for i, x := range e.Does.Effects {
		switch {
		case x.Kind == semantic.HTTPCall && (x.Money || x.File != nil && x.File.ProviderRequest(x.Call) != ""):
			return nil
		case first != nil || x.Kind != semantic.WriteRows || !x.Money:
		case anyMethod && (x.Entry.IsNil() || semantic.ServedOn(e.Handler, x.Entry, "GET") || !semantic.ServedOn(e.Handler, x.Entry, "POST")):
		case !x.Movement(ix):
		default:
			first = &e.Does.Effects[i]
		}
	}
	return first
}

// apiEndpoint reports an API endpoint, where clients retry requests: a
// DRF view or viewset, an @api_view function, or a function view that
// answers with JSON. A form view answered with a page is left alone.
func apiEndpoint(e *semantic.Endpoint) bool {
	switch e.Kind {
	case "drf-view", "viewset":
		return true
	}
	if e.Handler == nil {
		return false
	}
	for _, d := range pyast.Decorators(e.Handler.Node) {
		if strings.Contains(d.Text(), "api_view") {
			return true
		}
	}
	for call := range pyast.FindEach(pyast.Body(e.Handler.Node), "call") {
		switch name := string(pyast.CalleeName(call)); name {
		case "JsonResponse", "Response":
			return true
		}
	}
	return false
}

// where is the finding's place: the handler's name (post, create, a
// function view), or the class when the framework's own action runs.
func where(e *semantic.Endpoint) pyast.Node {
	if e.Handler != nil {
		if n := e.Handler.Node.ChildByField("name"); !n.IsNil() {
			return n
		}
	}
	return e.ViewNode()
}

// referenceWords name a field keeping one client operation.
var referenceWords = []string{"txid", "tx_id", "transaction_id", "reference", "reference_id", "ref_id", "operation_id",
	"request_id", "idempotency_key", "external_id", "client_reference", "client_ref", "payment_id", "event_id"}

// idempotencyAnywhere reports a project that shows some idempotency: an
// identifier or string of product code naming it (an Idempotency-Key
// header, an idempotency_key field, an idempotent decorator), or a model
// field named for an operation reference that is unique.
var idempotencyAnywhere = &project.ProjectAnalysis[bool]{Name: "idempotency.anywhere", Run: func(ix *project.Index) bool {
	if ix.Models != nil {
		for _, m := range ix.Models.All {
			for _, f := range m.Fields {
				if f.Unique && slices.Contains(referenceWords, strings.ToLower(f.Name)) {
					return true
				}
			}
			for _, set := range slices.Concat(m.Meta.Unique, m.Meta.UniqueTogether) {
				for _, name := range set {
					if slices.Contains(referenceWords, strings.ToLower(name)) {
						return true
					}
				}
			}
		}
	}
	for _, u := range ix.Units {
		if u.Tree == nil || semantic.RolesOf(u).Any(semantic.Test|semantic.Migration) {
			continue
		}
		src := u.Tree.Src()
		if !bytes.Contains(src, []byte("dempot")) && !bytes.Contains(src, []byte("DEMPOT")) {
			continue
		}
		for n := range pyast.FindEach(u.Tree.Root(), "identifier", "string") {
			if strings.Contains(strings.ToLower(n.Text()), "idempot") {
				return true
			}
		}
	}
	return false
}}
