package semantic

import (
	"fmt"
	"strings"
	"testing"
)

// syntheticProject returns a txtar project of n apps, each with a model
// owned by the user, a viewset on a router, an APIView calling a helper
// in another module, a function view and a webhook.
func syntheticProject(n int) string {
	var sb strings.Builder
	sb.WriteString("-- config/settings.py --\nROOT_URLCONF = \"config.urls\"\nREST_FRAMEWORK = {}\n-- config/urls.py --\nfrom django.urls import include, path\n\nurlpatterns = [\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&sb, "    path(\"app%d/\", include(\"app%d.urls\")),\n", i, i)
	}
	sb.WriteString("]\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&sb, `-- app%[1]d/models.py --
from django.conf import settings
from django.db import models


class Wallet%[1]d(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    balance = models.DecimalField(max_digits=10, decimal_places=2)
-- app%[1]d/services.py --
from .models import Wallet%[1]d


def credit(pk, amount):
    w = Wallet%[1]d.objects.get(pk=pk)
    w.balance += amount
    w.save()
-- app%[1]d/views.py --
import json

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import viewsets
from rest_framework.views import APIView

from .models import Wallet%[1]d
from .services import credit


class WalletViewSet(viewsets.ModelViewSet):
    queryset = Wallet%[1]d.objects.all()


class Credit(APIView):
    def post(self, request, pk):
        credit(pk, request.data["amount"])
        return HttpResponse()


def report(request):
    return HttpResponse(Wallet%[1]d.objects.count())


@csrf_exempt
def provider_webhook(request):
    credit(json.loads(request.body)["id"], 1)
    return HttpResponse()
-- app%[1]d/urls.py --
from django.urls import path
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register(r"wallets", views.WalletViewSet)

urlpatterns = [
    path("credit/<int:pk>/", views.Credit.as_view()),
    path("report/", views.report),
    path("hook/", views.provider_webhook),
]
urlpatterns += router.urls
`, i)
	}
	return sb.String()
}

// BenchmarkInventory measures the endpoint inventory alone (the semantic
// model is built once, outside the loop): 100 apps, 900 endpoints.
func BenchmarkInventory(b *testing.B) {
	m := load(&testing.T{}, syntheticProject(100))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.memo.mu.Lock()
		m.memo.bases, m.memo.text, m.memo.effects = nil, nil, nil
		m.memo.mu.Unlock()
		inv := m.buildInventory()
		if len(inv.Endpoints) != 900 {
			b.Fatalf("%d endpoints", len(inv.Endpoints))
		}
	}
}
