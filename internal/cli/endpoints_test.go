package cli

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer/semantic"
)

// A small DRF project: one open write endpoint, one protected, one webhook.
var endpointsTree = map[string]string{
	"config/settings.py": "INSTALLED_APPS = [\"rest_framework\", \"pay\"]\nROOT_URLCONF = \"config.urls\"\nREST_FRAMEWORK = {}\n",
	"config/urls.py": `from django.urls import include, path

urlpatterns = [path("api/", include("pay.urls"))]
`,
	"pay/urls.py": `from django.urls import path

from . import views

urlpatterns = [
    path("payouts/", views.PayoutView.as_view(), name="payouts"),
    path("me/", views.Me.as_view()),
    path("stripe/webhook/", views.stripe_webhook),
]
`,
	"pay/models.py": `from django.db import models


class Payout(models.Model):
    amount = models.DecimalField(max_digits=10, decimal_places=2)
`,
	"pay/views.py": `from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import Payout


class PayoutView(APIView):
    permission_classes = [AllowAny]

    def post(self, request):
        Payout.objects.create(amount=request.data["amount"])
        return Response(status=201)


class Me(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response({"id": request.user.pk})


@csrf_exempt
def stripe_webhook(request):
    Payout.objects.filter(pk=1).update(amount=0)
    return HttpResponse(request.body)
`,
}

func TestEndpointsCommand(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, endpointsTree)

	var out, errb bytes.Buffer
	code := Main([]string{"endpoints", dir}, nil, &out, &errb)
	require.Equal(t, ExitClean, code, errb.String())
	text := out.String()
	assert.Contains(t, text, "ROUTE")
	assert.Regexp(t, `/api/payouts/ +POST +anyone +AllowAny \(class\) +pay\.views\.PayoutView\.post \(\S*pay/views\.py:13\) +writes Payout; moves money`, text)
	assert.Regexp(t, `/api/me/ +GET +authenticated +IsAuthenticated \(class\)`, text)
	assert.Regexp(t, `/api/stripe/webhook/ +ANY +anyone .*csrf_exempt.*webhook \(name, route; unverified\)`, text)
	assert.Contains(t, text, "3 endpoints\n")

	out.Reset()
	code = Main([]string{"endpoints", "--format", "json", dir}, nil, &out, &errb)
	require.Equal(t, ExitClean, code, errb.String())
	var rows []semantic.EndpointRow
	require.NoError(t, json.Unmarshal(out.Bytes(), &rows))
	require.Len(t, rows, 3)
	assert.Equal(t, "api/me/", rows[0].Route)
	assert.Equal(t, "api/payouts/", rows[1].Route)
	assert.Equal(t, "anyone", rows[1].OpenTo)
	assert.Equal(t, []string{"Payout"}, rows[1].Writes)
	assert.True(t, rows[1].MovesMoney)
	require.NotNil(t, rows[2].Webhook)
	assert.False(t, rows[2].Webhook.Verified)

	// The same bytes twice: the inventory is deterministic.
	first := out.String()
	out.Reset()
	require.Equal(t, ExitClean, Main([]string{"endpoints", "--format", "json", dir}, nil, &out, &errb))
	assert.Equal(t, first, out.String())

	out.Reset()
	errb.Reset()
	code = Main([]string{"endpoints", "--format", "yaml", dir}, nil, &out, &errb)
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errb.String(), `unknown format "yaml"`)
}

// A tree without views says so, and JSON is an empty array.
func TestEndpointsCommandEmpty(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"lib/util.py": "def f():\n    return 1\n"})
	var out, errb bytes.Buffer
	require.Equal(t, ExitClean, Main([]string{"endpoints", dir}, nil, &out, &errb), errb.String())
	assert.Equal(t, "no endpoints found\n", out.String())
	out.Reset()
	require.Equal(t, ExitClean, Main([]string{"endpoints", "--format", "json", dir}, nil, &out, &errb))
	assert.Equal(t, "[]\n", out.String())
}
