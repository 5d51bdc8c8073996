package txn

import (
	_ "embed"
	"fmt"
	"regexp"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/analyzer/semantic/effects"
)

//go:embed compensation.md
var compensationDoc string

// NoCompensation reports a remote create followed by local writes with
// nothing that undoes the remote object when the local part fails.
var NoCompensation = &analyzer.Rule{
	Code:       "TXN006",
	Name:       "remote-create-without-compensation",
	Doc:        compensationDoc,
	Category:   analyzer.DataIntegrity,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Low,
	Since:      "0.2.0",
	Stack:      project.Django,
	Skip:       semantic.ProductCode,
	Requires:   []project.Analysis{semantic.Project},
	Run:        runNoCompensation,
}

// paymentSDKs are payment providers' Python SDKs whose `create` calls make
// a remote object.
var paymentSDKs = []string{"stripe.", "braintree.", "razorpay.", "paypalrestsdk.", "adyen.", "Adyen.", "mollie.",
	"square.", "yookassa.", "paystack", "checkout_sdk."}

// compensations are method names that undo a remote object.
var compensations = []string{"delete", "cancel", "void", "refund", "rollback", "compensate", "reverse", "revert",
	"undo", "expire", "deactivate", "close", "remove", "destroy"}

// runNoCompensation matches, in a function, a remote create (a POST
// through requests/httpx, directly or through project functions, or a
// payment SDK's `...create(...)`) whose result is bound to a name, followed
// by a database write that records the remote object's id (`response.json()
// ["account_id"]`, `session.id`, in the write's arguments or in attributes
// set on the saved row), when no write precedes the remote call (a pending
// row written first is the local-first pattern) and no except handler of
// the function calls a compensating method (delete, cancel, void,
// refund...). One finding per function, at the first such write, with low
// confidence: the provider may expire the object, or a reconciliation job
// may exist elsewhere.
func runNoCompensation(p *analyzer.Pass) error {
	ef := effects.Of(p.Unit)
	sf := semantic.Of(p.Project).File(p.Unit)
	for _, fn := range effects.Functions(p.Root) {
		if compensates(fn) {
			continue
		}
		effs := ef.Effects(fn)
		if !hasWrite(effs) {
			continue // nothing could record a remote object (checked first: finding the remote create is the costly part)
		}
		calls := ownCalls(fn)
		var remoteAt pyast.Node
		var remoteName string
		for _, call := range calls {
			if name := remoteCreate(p, ef, sf, call); name != "" {
				remoteAt, remoteName = call, name
				break
			}
		}
		if remoteAt.IsNil() {
			continue
		}
		if len(writesBefore(effs, remoteAt, pyast.Node{})) > 0 {
			continue // a local row first: the local-first pattern
		}
		result := resultName(remoteAt)
		if result == "" {
			continue
		}
		var write *effects.Effect
		for i, e := range effs {
			if e.Kind == effects.DBWrite && e.Node().StartByte() >= remoteAt.EndByte() && recordsID(fn, e, result) {
				write = &effs[i]
				break
			}
		}
		if write == nil {
			continue
		}
		p.Report(analyzer.Diagnostic{
			Range: analyzer.RangeOf(write.Callee()),
			Message: fmt.Sprintf("`%s` records locally what `%s` (line %d) created remotely, with nothing to undo the remote object if this write fails: it is orphaned at the provider",
				write.Name, remoteName, p.File.Position(remoteAt.StartByte()).Line),
			Help:    "pick a pattern: write the local row first (status=\"pending\") and confirm it after the call; or record the call in an outbox row processed after commit; or delete/cancel the remote object in an `except` around the local writes",
			Related: []analyzer.Related{{Range: analyzer.RangeOf(remoteAt.ChildByField("function")), Message: "the remote create"}},
		})
	}
	return nil
}

// hasWrite reports whether effs holds a database write.
func hasWrite(effs []effects.Effect) bool {
	for _, e := range effs {
		if e.Kind == effects.DBWrite {
			return true
		}
	}
	return false
}

// remoteCreate names the remote object a call creates, or returns "".
func remoteCreate(p *analyzer.Pass, ef *effects.File, sf *semantic.File, call pyast.Node) string {
	if e := ef.Classify(call); e.Kind == effects.HTTP {
		if e.Verb == "POST" {
			return e.Name
		}
		return ""
	}
	c, _ := pyast.AsCallHead(call)
	if strings.HasPrefix(c.MethodName(), "create") {
		if q, ok := p.Imports.Resolve(c.Func); ok {
			for _, sdk := range paymentSDKs {
				if strings.HasPrefix(q, sdk) {
					return q
				}
			}
		}
	}
	// A POST through a project function named for reading
	// (`profile_service.get_my_profile()` posting a GraphQL query) fetches;
	// it creates nothing to orphan.
	if r, ok := httpThrough(p.Project, sf, call); ok && r.effect.Verb == "POST" && !semantic.ReadName(string(pyast.CalleeName(call))) {
		return c.Func.Text() + " (" + r.effect.Name + ")"
	}
	return ""
}

// compensates reports a function with an except handler that calls a
// compensating method.
func compensates(fn pyast.Node) bool {
	for h := range pyast.FindEach(fn, "except_clause") {
		for call := range pyast.FindEach(h, "call") {
			name := strings.ToLower(call.ChildByField("function").Text()) // stripe.Refund.create
			for _, c := range compensations {
				if strings.Contains(name, c) {
					return true
				}
			}
		}
	}
	return false
}

// resultName returns the name a call's result is bound to
// (`response = requests.post(...)`), or "".
func resultName(call pyast.Node) string {
	p := call.Parent()
	for p.Type() == "parenthesized_expression" {
		p = p.Parent()
	}
	if p.Type() != "assignment" || !p.ChildByField("right").Contains(call) {
		return ""
	}
	if l := p.ChildByField("left"); l.Type() == "identifier" {
		return l.Text()
	}
	return ""
}

// idRef matches an id read from a result: `r.json()["account_id"]`,
// `r["id"]`, `session.id`, `data.get("external_id")`.
var idRef = regexp.MustCompile(`(?:\.json\(\))?(?:\[\s*["'][A-Za-z_]*id["']\s*\]|\.[A-Za-z_]*id\b|\.get\(\s*["'][A-Za-z_]*id["'])`)

// recordsID reports a write that stores an id read from result: in its
// arguments, or, for save(), in attributes set on the saved row between
// the remote call and the write.
func recordsID(fn pyast.Node, w effects.Effect, result string) bool {
	refers := func(n pyast.Node) bool {
		for id := range pyast.FindEach(n, "identifier") {
			if id.Text() != result {
				continue
			}
			tail := id.Parent()
			for tail.Is("attribute", "subscript", "call") && tail.Parent().Is("attribute", "subscript", "call") {
				tail = tail.Parent()
			}
			if idRef.MatchString(tail.Text()[id.EndByte()-tail.StartByte():]) {
				return true
			}
		}
		return false
	}
	if refers(w.Node().ChildByField("arguments")) {
		return true
	}
	if w.Verb != "save" {
		return false
	}
	row := pyast.Dotted(w.Call.Receiver())
	for a := range pyast.FindEachShallow(pyast.Body(fn), "assignment") {
		if a.EndByte() > w.Node().StartByte() {
			break
		}
		if l := a.ChildByField("left"); l.Type() == "attribute" && pyast.Dotted(l.ChildByField("object")) == row && refers(a.ChildByField("right")) {
			return true
		}
	}
	return false
}
