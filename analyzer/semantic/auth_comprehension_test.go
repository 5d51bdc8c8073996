package semantic

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// get_permissions that instantiates a local list in a comprehension is
// read through that list; one over self.permission_classes still reads
// the class attribute (here absent: DRF's AllowAny default).
func TestGetPermissionsLocalComprehension(t *testing.T) {
	m := load(t, `
-- config/settings.py --
INSTALLED_APPS = ["rest_framework", "shop"]
ROOT_URLCONF = "config.urls"
-- config/urls.py --
from django.urls import path

from shop.views import Local, Attr

urlpatterns = [path("local/", Local.as_view()), path("attr/", Attr.as_view())]
-- shop/views.py --
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView


class Local(APIView):
    def get_permissions(self):
        permission_classes = [IsAuthenticated]
        return [permission() for permission in permission_classes]

    def post(self, request):
        return None


class Attr(APIView):
    def get_permissions(self):
        return [permission() for permission in self.permission_classes]

    def post(self, request):
        return None
`)
	eps := endpointsByView(m.buildInventory())
	require.Contains(t, eps, "shop.views.Local.post")
	require.Contains(t, eps, "shop.views.Attr.post")
	assert.Equal(t, "authenticated", eps["shop.views.Local.post"].Auth.OpenTo())
	assert.Equal(t, "anyone", eps["shop.views.Attr.post"].Auth.OpenTo())
}
