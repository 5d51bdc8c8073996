package idempotency

import (
	_ "embed"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/analyzer/semantic/effects"
	"github.com/rubric-dev/rubric/rules/internal/paths"
)

//go:embed paymentkey.md
var paymentKeyDoc string

// PaymentWithoutKey reports payment and account-creating calls sent without
// an idempotency key.
var PaymentWithoutKey = &analyzer.Rule{
	Code:       "IDM001",
	Name:       "payment-call-without-idempotency-key",
	Doc:        paymentKeyDoc,
	Category:   analyzer.DataIntegrity,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.1.0",
	Skip:       semantic.Test | semantic.Migration | semantic.DevData,
	Requires:   []project.Analysis{semantic.Endpoints},
	Run:        runPaymentWithoutKey,
}

// sdkModules are payment SDKs whose `X.create(...)` calls create money
// movements or accounts.
var sdkModules = []string{"stripe", "braintree", "Adyen", "adyen", "paypalrestsdk", "paypalcheckoutsdk",
	"razorpay", "mollie", "square", "checkout_sdk", "gocardless_pro", "plaid", "dwolla", "marqeta"}

// moneyMethods are SDK method names that move money whatever the receiver.
var moneyMethods = map[string]bool{"charge": true, "transfer": true, "payout": true}

// clientSuffixes mark a receiver as an API client object.
var clientSuffixes = []string{"client", "gateway", "api", "sdk", "provider", "processor", "stripe", "adyen", "braintree"}

// runPaymentWithoutKey matches (1) POST and PATCH calls through
// requests/httpx/sessions whose URL names a payment or account resource, or
// that sit in a class or module named for payments; (2) SDK calls
// `X.create(...)` on a money or account resource of a payment SDK
// (`stripe.PaymentIntent.create`, not `stripe.WebhookEndpoint.create`) or of
// an object named like a client (`stripe_client.transfers.create`), and `.charge/.transfer/.payout(...)` on a
// client object. A call is keyed when it passes a keyword containing
// "idempotency" or its function mentions an idempotency key anywhere (a
// header built in a variable). Skips PUT (idempotent by definition), GET,
// ORM managers (`Payment.objects.create`), token endpoints (a URL naming
// oauth or token), requests to the project's own routes at a loopback
// host (semantic.OwnRoute), calls with **kwargs, tests and migrations.
func runPaymentWithoutKey(p *analyzer.Pass) error {
	f := effects.Of(p.Unit)
	fileWord := effects.PaymentWord(paths.Rel(p))
	for _, fn := range effects.Functions(p.Root) {
		keyed := -1
		for call := range pyast.FindEachShallow(pyast.Body(fn), "call") {
			what, why := paymentCall(p, f, call, fn, fileWord)
			if what == "" {
				continue
			}
			c, _ := pyast.AsCall(call)
			if c.StarKwargs || hasIdempotencyKeyword(c) {
				continue
			}
			if keyed < 0 {
				keyed = 0
				if mentionsIdempotency(fn) {
					keyed = 1
				}
			}
			if keyed == 1 {
				continue
			}
			p.Report(analyzer.Diagnostic{
				Range:   analyzer.RangeOf(c.Func),
				Message: "`" + what + "` " + why + " is sent without an idempotency key",
				Help:    "send a key derived from your own record, stable across retries: `headers={\"Idempotency-Key\": str(payment.uuid)}` for HTTP, `idempotency_key=...` for SDKs; a retry after a timeout then cannot charge or create twice",
			})
		}
	}
	return nil
}

// paymentCall classifies a call as a payment/account mutation, returning
// its display name and the reason ("to a payment API (`/charges`)"), or "".
func paymentCall(p *analyzer.Pass, f *effects.File, call, fn pyast.Node, fileWord string) (string, string) {
	e := f.Classify(call)
	if e.Kind == effects.HTTP {
		if e.Verb != "POST" && e.Verb != "PATCH" {
			return "", ""
		}
		// Token endpoints (OAuth client credentials) are safe to repeat.
		if u := strings.ToLower(effects.URLArg(e).Text()); strings.Contains(u, "oauth") || strings.Contains(u, "token") {
			return "", ""
		}
		// A request to one of the project's own routes (a UI calling its
		// own API at localhost) is the app calling itself: the endpoint's
		// idempotency is judged at the endpoint, which would have to read
		// any key this call sent.
		if semantic.OwnRoute(p.Project, effects.URLArg(e)) != nil {
			return "", ""
		}
		// A function named for reading (`get_payment_details`,
		// `check_payment_status`) asks the provider about a payment; the
		// POST carries its query and moves no money.
		if semantic.ReadName(pyast.DefName(fn)) {
			return "", ""
		}
		if w := effects.PaymentURL(effects.URLArg(e)); w != "" {
			return e.Name, "to a payment/account API (`" + w + "`)"
		}
		if notificationURL(effects.URLArg(e)) {
			return "", ""
		}
		// Placed only by the class or module it sits in: a request that
		// opens a session or checks credentials (ApplePayStartSessionView,
		// get_access_token) moves no money and is safe to repeat.
		if setupCall(fn) {
			return "", ""
		}
		if cls := pyast.EnclosingClass(fn); !cls.IsNil() {
			if w := effects.PaymentWord(pyast.DefName(cls)); w != "" {
				return e.Name, "in payment client `" + pyast.DefName(cls) + "`"
			}
		}
		if fileWord != "" {
			return e.Name, "in a payment module (`" + fileWord + "`)"
		}
		return "", ""
	}
	if e.Kind != effects.None {
		return "", ""
	}
	// Only x.create(...) and x.<money method>(...) can match below: test
	// before decoding the call.
	if m := string(pyast.CalleeName(call)); call.ChildByField("function").Type() != "attribute" || (m != "create" && !moneyMethods[m]) {
		return "", ""
	}
	c, _ := pyast.AsCall(call)
	recv := c.Receiver()
	if recv.IsNil() {
		return "", ""
	}
	method := c.MethodName()
	d := pyast.Dotted(recv)
	if d == "" || strings.Contains(d, ".objects") || strings.HasSuffix(d, "_set") {
		return "", ""
	}
	name := d + "." + method
	if method == "create" {
		if q, ok := p.Imports.Resolve(recv); ok {
			head, _, _ := strings.Cut(q, ".")
			res := strings.ToLower(d[strings.LastIndex(d, ".")+1:])
			for _, m := range sdkModules {
				if head == m && moneyResource(res) {
					return name, "on the `" + m + "` SDK"
				}
			}
		}
		// client.transfers.create: a money resource on an object named
		// like a client (order.refunds.create is a related manager).
		segs := strings.Split(strings.ToLower(d), ".")
		if len(segs) >= 2 && moneyResource(segs[len(segs)-1]) {
			for _, seg := range segs[:len(segs)-1] {
				for _, s := range clientSuffixes {
					if strings.HasSuffix(seg, s) {
						return name, "on a payment client (`" + segs[len(segs)-1] + "`)"
					}
				}
			}
		}
		return "", ""
	}
	if moneyMethods[method] {
		last := strings.ToLower(d[strings.LastIndex(d, ".")+1:])
		for _, s := range clientSuffixes {
			if strings.HasSuffix(last, s) {
				return name, "on a payment client"
			}
		}
	}
	return "", ""
}

// setupWords name requests that set a session or credentials up.
// (not "auth": authorize_payment places a hold).
var setupWords = []string{"session", "token", "oauth", "authenticate", "login"}

// setupCall reports a function, or the class it belongs to, named for
// setting up a session or credentials (`ApplePayStartSessionView.post`,
// `refresh_token`).
func setupCall(fn pyast.Node) bool {
	names := []string{pyast.DefName(fn)}
	if cls := pyast.EnclosingClass(fn); !cls.IsNil() {
		names = append(names, pyast.DefName(cls))
	}
	for _, n := range names {
		low := strings.ToLower(n)
		for _, w := range setupWords {
			if strings.Contains(low, w) {
				return true
			}
		}
	}
	return false
}

// moneyResource reports whether an SDK resource name moves money or opens
// an account (PaymentIntent, Charge, Refund, Transfer, Payout, Customer,
// Account, Transaction...), as opposed to configuration (WebhookEndpoint).
func moneyResource(res string) bool {
	if effects.PaymentWord(res) != "" && !strings.Contains(res, "webhook") {
		return true
	}
	for _, w := range []string{"intent", "customer", "account", "transaction", "sale", "order"} {
		if strings.Contains(res, w) {
			return true
		}
	}
	return false
}

// hasIdempotencyKeyword reports whether a call passes a keyword naming an
// idempotency key, or a literal headers dict holding one.
func hasIdempotencyKeyword(c pyast.Call) bool {
	for k := range c.EachKeyword() {
		if strings.Contains(strings.ToLower(k), "idempoten") {
			return true
		}
	}
	return false
}

// notificationURL reports a URL held by a name for a subscriber's endpoint
// (`self.callback`, `webhook_url`, `notify_url`): the request delivers a
// notification the receiver de-duplicates by its own id, it asks the
// receiver to move no money.
func notificationURL(u pyast.Node) bool {
	u = pyast.Unparen(u)
	if u.Type() != "identifier" && u.Type() != "attribute" {
		return false
	}
	d := strings.ToLower(pyast.Dotted(u))
	last := d[strings.LastIndex(d, ".")+1:]
	for _, w := range []string{"callback", "webhook", "notify", "notification"} {
		if strings.Contains(last, w) {
			return true
		}
	}
	return false
}
