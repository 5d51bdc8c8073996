package semantic

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

func TestProviderRequest(t *testing.T) {
	m := load(t, `
-- shop/views.py --
import stripe
import razorpay
import requests

def pay(request):
    stripe.checkout.Session.create(line_items=[], mode="payment")
    stripe.PaymentIntent.retrieve("pi_1")
    stripe.Webhook.construct_event(request.body, "sig", "whsec")
    stripe.WebhookSignature.verify_header(request.body, "sig", "whsec")
    stripe.error.CardError("declined", None, "card_declined")
    razorpay.Client(auth=("key", "secret"))
    requests.post("https://example.com", timeout=5)
    helper.create()
`)
	sf := fileOf(t, m, "shop/views.py")
	var got []string
	for _, n := range pyast.FindAll(sf.Unit.Tree.Root(), "call") {
		if q := sf.ProviderRequest(n); q != "" {
			got = append(got, q)
		}
	}
	assert.Equal(t, []string{"stripe.checkout.Session.create", "stripe.PaymentIntent.retrieve"}, got)
}
