package semantic

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The two splitters differ only in what separates words and in acronyms.
func TestWordSplitters(t *testing.T) {
	for _, c := range []struct {
		in          string
		name, ident []string
	}{
		{"STRIPE_SECRET_KEY", []string{"stripe", "secret", "key"}, []string{"stripe", "secret", "key"}},
		{"apiKey", []string{"api", "key"}, []string{"api", "key"}},
		{"APIKey", []string{"apikey"}, []string{"api", "key"}},
		{"X-Hub-Signature-256", []string{"x", "hub", "signature", "256"}, []string{"x", "hub", "signature", "256"}},
		{"webhooks/<str:id>/", []string{"webhooks/<str:id>/"}, []string{"webhooks", "str", "id"}},
		{"PaymentCallbackView", []string{"payment", "callback", "view"}, []string{"payment", "callback", "view"}},
	} {
		assert.Equal(t, c.name, NameWords(c.in), c.in)
		assert.Equal(t, c.ident, IdentWords(c.in), c.in)
	}
}
