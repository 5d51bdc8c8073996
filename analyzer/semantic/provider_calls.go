package semantic

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// ProviderRequest returns the dotted name of a payment provider SDK call
// that sends a request to the provider (`stripe.checkout.Session.create`,
// `stripe.PaymentIntent.retrieve`), or "". Calls an SDK answers locally
// are left out: a signature check (`stripe.Webhook.construct_event`,
// `verify_header`), an exception built (`stripe.error.CardError(...)`), a
// client or class constructed (`razorpay.Client(auth=...)`), a helper of a
// util module. Only calls resolved through the SDK's import are known: a
// client object's methods (`client.order.create`) are not.
func (f *File) ProviderRequest(call pyast.Node) string {
	e, ok := f.classifyCall(call)
	if !ok || e.Kind != HTTPCall || !paymentSDK(e.Name) {
		return ""
	}
	last := lastName(e.Name)
	if last == "" || last[0] >= 'A' && last[0] <= 'Z' {
		return ""
	}
	low := strings.ToLower(e.Name)
	for _, w := range []string{"construct_event", "verify", "signature", ".error.", ".errors.", ".util.", ".utils.", ".utility."} {
		if strings.Contains(low, w) {
			return ""
		}
	}
	return e.Name
}

// paymentSDK reports a dotted name inside one of the payment SDKs.
func paymentSDK(q string) bool {
	for _, p := range paymentSDKs {
		if q == p || strings.HasPrefix(q, p+".") {
			return true
		}
	}
	return false
}

// PaymentSDK reports a dotted name inside one of the payment SDKs
// (`stripe.Webhook.construct_event`).
func PaymentSDK(q string) bool { return paymentSDK(q) }
