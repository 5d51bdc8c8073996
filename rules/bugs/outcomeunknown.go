package bugs

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed outcomeunknown.md
var outcomeUnknownDoc string

// PaymentOutcomeNeverLearnt reports a payment created at the provider for
// the customer to complete (a Stripe Checkout Session, a PaymentIntent
// awaiting confirmation, a YooKassa payment) in a project that never
// hears how it ended: no webhook receiver, no signature check of a
// provider event, no retrieve of the payment.
var PaymentOutcomeNeverLearnt = &analyzer.Rule{
	Code:       "BUG042",
	Name:       "payment-outcome-never-learnt",
	Doc:        outcomeUnknownDoc,
	Category:   analyzer.Correctness,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.15.0",
	Skip:       semantic.ProductCode,
	Requires:   []project.Analysis{semantic.Project, semantic.Endpoints, learnsPaymentOutcome},
	Run:        runPaymentOutcomeNeverLearnt,
}

// paymentStart is a call that starts a payment the customer completes
// later: where it is, how it is written, and its success_url keyword.
type paymentStart struct {
	unit       *project.Unit
	call       analyzer.Range
	successURL analyzer.Range // zero when none
	name       string
}

// paymentStarts are the project's payment starts (in path and source
// order) and whether it has a way to learn how a payment ended.
type paymentStarts struct {
	learns bool
	sites  []paymentStart
}

// learnsPaymentOutcome collects the payment starts of the project's code
// (not its tests, migrations or scripts) and reports whether it has a way
// to learn how a payment ended: an endpoint taken for a webhook receiver,
// a function named for webhooks, a call into a payment SDK that verifies
// an event (`stripe.Webhook.construct_event`), retrieves or lists payments
// or events (`stripe.checkout.Session.retrieve`, `stripe.Event.list`,
// YooKassa's `Payment.find_one`), or a library that receives the
// provider's events for it (dj-stripe).
var learnsPaymentOutcome = &project.ProjectAnalysis[*paymentStarts]{Name: "bugs.learnsPaymentOutcome", Run: func(ix *project.Index) *paymentStarts {
	out := &paymentStarts{}
	for _, e := range semantic.InventoryOf(ix).Endpoints {
		if e.Webhook != nil {
			out.learns = true
		}
	}
	for _, s := range ix.Settings.Get("INSTALLED_APPS") {
		for _, app := range s.Items {
			if strings.HasPrefix(app, "djstripe") {
				out.learns = true
			}
		}
	}
	m := semantic.Of(ix)
	for _, f := range m.Files() {
		if semantic.RolesOf(f.Unit).Any(semantic.ProductCode) || f.Unit.Imports == nil || f.Unit.Tree == nil {
			continue
		}
		for _, mod := range f.Unit.Imports.Modules {
			if mod == "djstripe" || strings.HasPrefix(mod, "djstripe.") {
				out.learns = true
			}
		}
		for _, fn := range f.Funcs {
			if semantic.WebhookFunctionName(fn.Name) {
				out.learns = true
			}
		}
		if !importsPaymentSDK(f.Unit.Imports) {
			continue // calls resolved through an SDK's import need one
		}
		for _, fn := range f.Funcs {
			if s, ok := startIn(f, fn); ok {
				out.sites = append(out.sites, s)
			}
		}
		for call := range pyast.FindEach(f.Unit.Tree.Root(), "call") {
			if q := f.ProviderRequest(call); q != "" {
				if providerFollowUp(q) {
					out.learns = true
				}
				continue
			}
			q, _ := f.Unit.Imports.Resolve(call.ChildByField("function"))
			if l := strings.ToLower(q); l != "" && (strings.Contains(l, "construct_event") || strings.Contains(l, "webhook")) && semantic.PaymentSDK(q) {
				out.learns = true
			}
		}
	}
	return out
}}

// importsPaymentSDK reports a module importing a payment SDK (or a
// module of one).
func importsPaymentSDK(im *pyast.Imports) bool {
	for _, mod := range im.Modules {
		if semantic.PaymentSDK(mod) {
			return true
		}
	}
	return false
}

// startIn returns the first call in fn (its own body) creating a payment
// the customer has still to complete (pendingCreates, resolved through the
// SDK's import; a PaymentIntent created with confirm= is left out). A
// function that marks the record paid right after the call is BUG035's
// finding, and one that reads the provider's answer's status is trusted.
func startIn(f *semantic.File, fn *semantic.Func) (paymentStart, bool) {
	body := pyast.Body(fn.Node)
	for call := range pyast.FindEach(body, "call") {
		if !pyast.EnclosingFunction(call).Equal(fn.Node) {
			continue
		}
		c, _ := pyast.AsCall(call)
		q, ok := f.Unit.Imports.Resolve(c.Func)
		if !ok || !pendingCreates[q] || !c.Keyword("confirm").IsNil() {
			continue
		}
		if readsProviderStatus(body, boundName(call)) {
			return paymentStart{}, false
		}
		if at, _ := paidMark(body, call.EndByte()); !at.IsNil() {
			return paymentStart{}, false // BUG035: marked paid on create
		}
		s := paymentStart{unit: f.Unit, call: analyzer.RangeOf(call), name: pyast.Dotted(c.Func)}
		if su := c.Keyword("success_url"); !su.IsNil() {
			s.successURL = analyzer.RangeOf(su)
		}
		return s, true
	}
	return paymentStart{}, false
}

// providerFollowUp reports an SDK call that asks the provider how a
// payment went: a retrieve, a list, a search, a find.
func providerFollowUp(q string) bool {
	last := q[strings.LastIndex(q, ".")+1:]
	switch {
	case last == "retrieve", last == "list", last == "search", last == "find_one", last == "list_line_items",
		strings.HasPrefix(last, "retrieve_"), strings.HasPrefix(last, "list_"):
		return true
	}
	return false
}

// runPaymentOutcomeNeverLearnt reports, once per project, the first
// payment start (see startIn) of a project that has no way to learn the
// outcome (learnsPaymentOutcome), with the other starts as related places.
func runPaymentOutcomeNeverLearnt(p *analyzer.Pass) error {
	ps := learnsPaymentOutcome.Get(p.Project)
	if ps.learns || len(ps.sites) == 0 || ps.sites[0].unit != p.Unit {
		return nil
	}
	first := ps.sites[0]
	d := analyzer.Diagnostic{
		Range: first.call,
		Message: fmt.Sprintf("`%s(...)` only starts a payment the customer completes later, and nothing in the project learns how it ended: no webhook receives the provider's events and no code retrieves the payment, so a paid order is never recorded as paid (and a failed one never as failed)",
			first.name),
		Help: "receive the provider's events in a webhook (`checkout.session.completed`, `payment_intent.succeeded`, with the signature checked by `stripe.Webhook.construct_event`) and record the outcome there, keyed by the session or intent id",
	}
	if first.successURL != (analyzer.Range{}) {
		d.Related = append(d.Related, analyzer.Related{Range: first.successURL, Message: "the customer is sent back here, which proves nothing: the tab may be closed first, and anyone can open the URL"})
	}
	for _, s := range ps.sites[1:] {
		d.Related = append(d.Related, analyzer.Related{Path: s.unit.File.Rel, Range: s.call, Message: "another payment started with no outcome learnt"})
	}
	p.Report(d)
	return nil
}
