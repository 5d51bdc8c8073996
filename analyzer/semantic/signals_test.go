package semantic

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

func TestVerifyingCall(t *testing.T) {
	src := `import hmac
hmac.compare_digest(a, b)
hmac.new(key, body, sha256)
verify_yaya_signature(body, sig)
self.check_signature(body)
signed_payload.encode("utf-8")
create_signed_payload(payload)
authenticate(request, username=u)
print(x)
EmailVerificationRequired()
verify_webhook(request)
`
	tr, err := pyast.Parse([]byte(src))
	require.NoError(t, err)
	im := pyast.CollectImports(tr.Root())
	var got []Verification
	for _, n := range pyast.FindAll(tr.Root(), "call") {
		c, _ := pyast.AsCall(n)
		got = append(got, VerifyingCall(im, c))
	}
	assert.Equal(t, []Verification{Comparison, SignatureCall, SignatureCall, SignatureCall, NoVerification,
		CredentialCall, CredentialCall, NoVerification, CredentialCall, SignatureCall}, got)
	assert.True(t, WebhookFunctionName("stripe_Webhook_view"))
	assert.False(t, WebhookFunctionName("payment_callback"))
}

func TestSettingsSecrets(t *testing.T) {
	src := `import os
from decouple import config
SECRET_KEY = "django-insecure-7c2f0a9e4b1d8c3a5f6e"
API_TOKEN = "change-me"
TOKEN_GENERATOR_CLASS = "django.contrib.auth.tokens.PasswordResetTokenGenerator"
DB_PASSWORD = os.environ["DB_PASSWORD"]
STRIPE_KEY = config("STRIPE_KEY")
DEBUG = os.getenv("DEBUG")
`
	tr, err := pyast.Parse([]byte(src))
	require.NoError(t, err)
	im := pyast.CollectImports(tr.Root())
	var literal []string
	for _, n := range pyast.FindAll(tr.Root(), "assignment") {
		if LiteralSetting(n) {
			literal = append(literal, n.ChildByField("left").Text())
		}
	}
	assert.Equal(t, []string{"SECRET_KEY"}, literal)
	reads := 0
	for _, n := range pyast.FindAll(tr.Root(), "call", "subscript") {
		if c, ok := pyast.AsCall(n); ok && SettingsEnvRead(im, c) || EnvSubscript(im, n) {
			reads++
		}
	}
	assert.Equal(t, 3, reads)
}

func TestDjangoSignals(t *testing.T) {
	assert.True(t, ViewsModule("app/views/orders.py"))
	assert.True(t, ViewsModule("app/api.py"))
	assert.False(t, ViewsModule("app/models.py"))
	assert.True(t, ViewBase("ModelViewSet"))
	assert.True(t, ListView("ListView"))
	assert.True(t, ListView("ModelViewSet"))
	assert.False(t, DRFListView("ListView"))
	assert.True(t, ListMixin("ListModelMixin"))
	assert.True(t, PaginationSetting("paginate_by"))
	assert.True(t, PaginationCall("django.core.paginator.Paginator"))
	assert.True(t, IndexCall("django.db.models.Index"))
	assert.True(t, AddIndexOperation("django.db.migrations.AddIndex", "AddIndex"))
	assert.Equal(t, "on_commit", TransactionCall("django.db.transaction.on_commit"))
	assert.True(t, CacheCall("django.core.cache.cache.get"))
	assert.True(t, IdempotencyName("HTTP_IDEMPOTENCY_KEY"))
	assert.True(t, EagerLoading("prefetch_related"))

	tr, err := pyast.Parse([]byte("Order.objects.filter(pk=1)\nOrder.objects.filter(status='x')\nOrder.objects.order_by('-created')\nOrder.objects.all()\nserializer(qs, many=True)\n"))
	require.NoError(t, err)
	var lookups []bool
	calls := pyast.FindAll(tr.Root(), "call")
	for _, n := range calls[:4] {
		c, _ := pyast.AsCall(n)
		lookups = append(lookups, ColumnLookup(c))
	}
	assert.Equal(t, []bool{false, true, true, false}, lookups)
	c, _ := pyast.AsCall(calls[len(calls)-1])
	assert.True(t, ManySerialization(c))
}
