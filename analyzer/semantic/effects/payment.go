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
// before matching), or "".
func PaymentWord(s string) string {
	s = strings.ToLower(s)
	for _, w := range providerWords {
		if strings.Contains(s, w) {
			return w
		}
	}
	return ""
}

// PaymentURL returns the payment or account word in a URL expression's
// text (literal, f-string or concatenation), or "".
func PaymentURL(url pyast.Node) string {
	if url.IsNil() {
		return ""
	}
	t := strings.ToLower(url.Text())
	if w := PaymentWord(t); w != "" {
		return w
	}
	for _, w := range accountWords {
		if strings.Contains(t, w) {
			return strings.TrimPrefix(w, "/")
		}
	}
	return ""
}

// URLArg returns the URL argument of an HTTP call.
func URLArg(e Effect) pyast.Node {
	if e.Name != "" && strings.HasSuffix(e.Name, "request") {
		return e.Call.Arg(1, "url")
	}
	return e.Call.Arg(0, "url")
}
