package semantic

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A route written as an f-string over a module constant is joined like
// a literal; an f-string over anything else stays unknown (the prefix
// alone), as before.
func TestFStringRoutePattern(t *testing.T) {
	m := load(t, `
-- config/settings.py --
INSTALLED_APPS = ["rest_framework", "wallets"]
ROOT_URLCONF = "config.urls"
-- config/urls.py --
from django.urls import include, path

urlpatterns = [path("api/", include("wallets.urls"))]
-- wallets/urls.py --
from django.urls import path

from .views import Balance, Operation, Other

BASE = "wallets/<str:wallet_uuid>"

urlpatterns = [
    path(f"v1/{BASE}", Balance.as_view()),
    path(f"v1/{BASE}/operation", Operation.as_view()),
    path(f"v1/{BASE!r}/other", Other.as_view()),
]
-- wallets/views.py --
from rest_framework.views import APIView


class Balance(APIView):
    def get(self, request, wallet_uuid):
        return None


class Operation(APIView):
    def post(self, request, wallet_uuid):
        return None


class Other(APIView):
    def post(self, request, wallet_uuid):
        return None
`)
	eps := endpointsByView(m.buildInventory())
	require.Contains(t, eps, "wallets.views.Balance.get")
	require.Contains(t, eps, "wallets.views.Operation.post")
	require.Contains(t, eps, "wallets.views.Other.post")
	assert.Equal(t, "api/v1/wallets/<str:wallet_uuid>", eps["wallets.views.Balance.get"].Route)
	assert.Equal(t, "api/v1/wallets/<str:wallet_uuid>/operation", eps["wallets.views.Operation.post"].Route)
	assert.Equal(t, "api/…", eps["wallets.views.Other.post"].Route, "a conversion is not evaluated: the route says a part is unknown")
}
