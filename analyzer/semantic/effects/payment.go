package effects

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// providerWords name payment and banking providers and concepts. They are
// matched against lower-cased class names, module paths and URL text.
var providerWords = []string{
	"payment", "payout", "charge", "refund", "billing", "invoice", "transfer", "wallet",
	"ledger", "bank", "card", "checkout", "subscription", "stripe", "adyen", "braintree",
	"paypal", "galileo", "tabapay", "marqeta", "razorpay", "mollie", "klarna", "worldpay",
	"authorizenet", "dwolla", "plaid", "paystack", "flutterwave", "gocardless",
}

// accountWords mark account-opening APIs (the guide's Galileo case) in URLs.
var accountWords = []string{"/account", "/customer", "/transaction"}

// PaymentWord returns the first provider word found in s (lower-cased
// before matching), or "". A subscription to deliveries (`WebhookSubscription`,
// `notification_subscription.py`) is not a billing one.
func PaymentWord(s string) string {
	s = strings.ToLower(s)
	for _, w := range providerWords {
		if strings.Contains(s, w) && (w != "subscription" || !deliveryWord(s)) {
			return w
		}
	}
	return ""
}

// deliveryWords name what a delivery subscription delivers.
var deliveryWords = []string{"message", "sms", "webhook", "notification", "event", "callback"}

func deliveryWord(s string) bool {
	for _, w := range deliveryWords {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// PaymentURL returns the payment or account word in a URL expression's
// text (literal, f-string or concatenation), or "".
func PaymentURL(url pyast.Node) string {
	if url.IsNil() {
		return ""
	}
	t := strings.ToLower(url.Text())
	if w := PaymentWord(t); w != "" && (w != "subscription" || billingSubscription(url)) {
		return w
	}
	// An account word names the API only as the resource the URL ends on
	// (`/accounts`, `/customers/{id}`), not as the tenant scope of another
	// resource (Plivo's `/v1/Account/%s/Application/`).
	last := "/" + lastLiteralSegment(url)
	for _, w := range accountWords {
		if strings.HasPrefix(last, w) {
			return strings.TrimPrefix(w, "/")
		}
	}
	return ""
}

// billingSubscription reports a URL whose literal text names a
// subscription outside a messaging or event API: there a subscription is
// a delivery one (an SMS provider's callback registration), and a
// variable named `subscription_url` says nothing of which.
func billingSubscription(url pyast.Node) bool {
	var b strings.Builder
	for n := range pyast.FindEach(url, "string_content") {
		b.WriteString(strings.ToLower(n.Text()))
	}
	t := b.String()
	if !strings.Contains(t, "subscription") {
		return false
	}
	return !deliveryWord(t)
}

// lastLiteralSegment returns the last path segment of the URL's literal
// text (its strings' contents, f-string interpolations and %s or {}
// placeholders left out), lower-cased.
func lastLiteralSegment(url pyast.Node) string {
	var b strings.Builder
	for n := range pyast.FindEach(url, "string_content") {
		b.WriteString(n.Text())
		b.WriteString("/")
	}
	if b.Len() == 0 {
		if v, ok := pyast.StringValue(url); ok {
			b.WriteString(v)
		}
	}
	last := ""
	for _, seg := range strings.Split(strings.ToLower(b.String()), "/") {
		if seg == "" || strings.ContainsAny(seg, "%{}") {
			continue
		}
		last = seg
	}
	return last
}

// URLArg returns the URL argument of an HTTP call.
func URLArg(e Effect) pyast.Node {
	if e.Name != "" && strings.HasSuffix(e.Name, "request") {
		return e.Call.Arg(1, "url")
	}
	return e.Call.Arg(0, "url")
}
