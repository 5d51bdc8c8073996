package bugs

import (
	"bytes"
	_ "embed"
	"fmt"
	"regexp"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/analyzer/semantic/effects"
)

//go:embed paidoncreate.md
var paidOnCreateDoc string

// PaidOnPaymentCreate reports a record marked paid in the function that
// has only just created the payment at the provider.
var PaidOnPaymentCreate = &analyzer.Rule{
	Code:       "BUG035",
	Name:       "paid-on-payment-create",
	Doc:        paidOnCreateDoc,
	Category:   analyzer.Correctness,
	Severity:   analyzer.Error,
	Confidence: analyzer.Medium,
	Since:      "0.11.0",
	Skip:       semantic.Test | semantic.Migration,
	Run:        runPaidOnPaymentCreate,
}

// pendingCreates are provider calls whose answer is a payment the customer
// has still to complete: a PaymentIntent awaits confirmation, a Checkout
// Session payment on Stripe's page, a YooKassa payment its confirmation
// redirect.
var pendingCreates = map[string]bool{
	"stripe.PaymentIntent.create":    true,
	"stripe.checkout.Session.create": true,
	"yookassa.Payment.create":        true,
}

// paidValue matches the status a record is given once paid ("paid",
// "succeeded", "COMPLETED", Status.PAID).
var paidValue = regexp.MustCompile(`(?i)^(paid|succeeded|success|successful|completed?|captured|settled)$`)

// statusAttrs are the fields that hold a payment's state; paidFlags the
// boolean ones.
var (
	statusAttrs = map[string]bool{"status": true, "payment_status": true, "state": true, "payment_state": true}
	paidFlags   = map[string]bool{"is_paid": true, "paid": true}
)

// runPaidOnPaymentCreate matches, in one function (not a test or a
// migration), a call creating a payment the customer has still to
// complete (pendingCreates, resolved through the import; a PaymentIntent
// created with confirm= is left out: it may succeed at once), then, after
// it, a record marked paid: `x.status = "paid"` (status, payment_status,
// state; a string or a constant whose last name is paid, succeeded,
// completed...), `x.is_paid = True`, or the same as a keyword of
// `.update(...)`. A function that reads the provider's answer's status
// (`intent.status`, `session["payment_status"]`, `.get("status")`) or
// retrieves the payment again (`.retrieve(`) decides on what the provider
// says and is left alone.
func runPaidOnPaymentCreate(p *analyzer.Pass) error {
	if !bytes.Contains(p.File.Src(), []byte("stripe")) && !bytes.Contains(p.File.Src(), []byte("yookassa")) {
		return nil
	}
	for _, fn := range effects.Functions(p.Root) {
		body := pyast.Body(fn)
		var create pyast.Node
		var created string
		for n := range pyast.FindEachShallow(body, "call") {
			c, _ := pyast.AsCall(n)
			q, ok := p.Imports.Resolve(c.Func)
			if !ok || !pendingCreates[q] || !c.Keyword("confirm").IsNil() {
				continue
			}
			create, created = n, pyast.Dotted(c.Func)
			break
		}
		if create.IsNil() || readsProviderStatus(body, boundName(create)) {
			continue
		}
		at, what := paidMark(body, create.EndByte())
		if at.IsNil() {
			continue
		}
		line := p.File.Position(create.StartByte()).Line
		p.Report(analyzer.Diagnostic{
			Range: analyzer.RangeOf(at),
			Message: fmt.Sprintf("%s right after `%s(...)` (line %d) only created the payment: the customer has not paid yet, and nothing here asks the provider whether they did",
				what, created, line),
			Help:    "keep the record pending and mark it paid when the provider says so: the webhook (`payment_intent.succeeded`, `checkout.session.completed`, with its signature checked), or a retrieve whose `status` is `succeeded`/`paid`",
			Related: []analyzer.Related{{Range: analyzer.RangeOf(create), Message: "the payment is created here"}},
		})
	}
	return nil
}

// boundName returns the name a call's result is assigned to
// (`intent = stripe.PaymentIntent.create(...)`), or "".
func boundName(call pyast.Node) string {
	par := call.Parent()
	if par.Type() == "assignment" && par.ChildByField("left").Type() == "identifier" {
		return par.ChildByField("left").Text()
	}
	return ""
}

// readsProviderStatus reports a function body that looks at the status of
// the provider's answer, bound to name (`intent.status`,
// `session["payment_status"]`, `session.get("status")`), or retrieves a
// payment from the provider again (`.retrieve(...)`).
func readsProviderStatus(body pyast.Node, name string) bool {
	status := func(s string) bool { return s == "status" || s == "payment_status" }
	for n := range pyast.FindEachShallow(body, "attribute", "subscript", "call") {
		switch n.Type() {
		case "attribute":
			if name != "" && n.ChildByField("object").Text() == name && status(n.ChildByField("attribute").Text()) {
				return true
			}
		case "subscript":
			if v, ok := pyast.StringValue(n.ChildByField("subscript")); ok && name != "" && n.ChildByField("value").Text() == name && status(v) {
				return true
			}
		case "call":
			m := string(pyast.CalleeName(n))
			if m == "retrieve" {
				return true
			}
			if m == "get" && name != "" {
				c, _ := pyast.AsCall(n)
				if r := c.Receiver(); !r.IsNil() && r.Text() == name && len(c.Positional) > 0 {
					if v, ok := pyast.StringValue(c.Positional[0]); ok && status(v) {
						return true
					}
				}
			}
		}
	}
	return false
}

// paidMark returns the first place after byte from where the body marks a
// record paid, and its description, or a nil node.
func paidMark(body pyast.Node, from int) (pyast.Node, string) {
	for n := range pyast.FindEachShallow(body, "assignment", "call") {
		if n.StartByte() < from {
			continue
		}
		if n.Type() == "assignment" {
			left := n.ChildByField("left")
			if left.Type() != "attribute" {
				continue
			}
			attr := left.ChildByField("attribute").Text()
			if v := paidConstant(n.ChildByField("right"), attr); v != "" {
				return n, fmt.Sprintf("`%s` is set to %s", pyast.Dotted(left), v)
			}
			continue
		}
		if string(pyast.CalleeName(n)) != "update" {
			continue
		}
		c, _ := pyast.AsCall(n)
		for k, v := range c.EachKeyword() {
			if w := paidConstant(v, k); w != "" {
				return n, fmt.Sprintf("`%s` is set to %s by `.update(...)`", k, w)
			}
		}
	}
	return pyast.Node{}, ""
}

// paidConstant returns how value v of field attr reads when it marks a
// payment paid (`'paid'`, `Status.PAID`, `True`), or "".
func paidConstant(v pyast.Node, attr string) string {
	v = pyast.Unparen(v)
	if paidFlags[attr] {
		if v.Type() == "true" {
			return "`True`"
		}
		return ""
	}
	if !statusAttrs[attr] {
		return ""
	}
	if s, ok := pyast.StringValue(v); ok && paidValue.MatchString(s) {
		return "`'" + s + "'`"
	}
	if v.Type() == "attribute" {
		d := pyast.Dotted(v)
		if d != "" && paidValue.MatchString(d[strings.LastIndex(d, ".")+1:]) {
			return "`" + d + "`"
		}
	}
	return ""
}
