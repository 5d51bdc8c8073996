package semantic

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Citations point at the line that decides who may call each row of
// Surface: the settings default, get_permissions, a decorator; nothing
// for a view with no check.
func TestCitationsAuth(t *testing.T) {
	m := load(t, routedProject)
	cites := Citations(m.Index)
	byView := map[string]Citation{}
	for _, r := range Surface(m.Index) {
		c, ok := cites[CiteKeyOf(r)]
		require.True(t, ok, r.View)
		byView[r.View] = c
	}
	at := func(c Citation) string { return c.AuthPath + ":" + strconv.Itoa(c.AuthLine) }
	assert.Equal(t, "config/settings.py:4", at(byView["shop.views.RefundView.post"]), "DEFAULT_PERMISSION_CLASSES")
	assert.Equal(t, "shop/views.py:15", at(byView["shop.views.OrderViewSet.destroy"]), "get_permissions")
	assert.Equal(t, "shop/views.py:31", at(byView["shop.views.report"]), "@login_required")
	assert.Equal(t, ":0", at(byView["shop.views.stripe_hook"]), "no check: nothing to cite")
	assert.Zero(t, byView["shop.views.stripe_hook"].VerifyLine, "a receiver that verifies nothing")
}

const verifiedHooks = `
-- config/settings.py --
INSTALLED_APPS = ["rest_framework", "pay"]
ROOT_URLCONF = "config.urls"
-- config/urls.py --
from django.urls import path

from pay import views

urlpatterns = [
    path("hooks/stripe/", views.StripeWebhook.as_view()),
    path("hooks/plain/", views.plain_webhook),
]
-- pay/signing.py --
import hashlib
import hmac


def verify_signature(secret, body, header):
    digest = hmac.new(secret, body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(digest, header)
-- pay/views.py --
import hashlib
import hmac

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from .models import Payment
from .signing import verify_signature


class StripeWebhook(APIView):
    permission_classes = [AllowAny]

    def post(self, request):
        signature = request.headers.get("Stripe-Signature")
        if not verify_signature(b"k", request.body, signature):
            return HttpResponse(status=400)
        Payment.objects.create(ref=request.data["id"])
        return HttpResponse()


@csrf_exempt
def plain_webhook(request):
    expected = hmac.new(b"k", request.body, hashlib.sha256).hexdigest()
    if expected != request.headers.get("X-Sig"):
        return HttpResponse(status=400)
    Payment.objects.create(ref=request.POST["id"])
    return HttpResponse()
-- pay/models.py --
from django.db import models


class Payment(models.Model):
    ref = models.CharField(max_length=64)
`

// The verifying line of a webhook receiver is its constant-time
// comparison (in a helper of another module), else the HMAC it computes;
// the line that reads the signature header is not the check. AllowAny is
// cited as what opens the class, not as its verification.
func TestCitationsVerify(t *testing.T) {
	m := load(t, verifiedHooks)
	cites := Citations(m.Index)
	got := map[string]string{}
	for _, r := range Surface(m.Index) {
		require.NotNil(t, r.Webhook, r.View)
		require.True(t, r.Webhook.Verified, r.View)
		c := cites[CiteKeyOf(r)]
		got[r.View] = c.VerifyPath + ":" + strconv.Itoa(c.VerifyLine) + " auth " + c.AuthPath + ":" + strconv.Itoa(c.AuthLine)
	}
	assert.Equal(t, map[string]string{
		"pay.views.StripeWebhook.post": "pay/signing.py:7 auth pay/views.py:14",
		"pay.views.plain_webhook":      "pay/views.py:26 auth :0",
	}, got)
}
