package semantic

import (
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// endpointsByView indexes an inventory by "view.action" (the row's view).
func endpointsByView(inv *Inventory) map[string]*Endpoint {
	out := map[string]*Endpoint{}
	for _, e := range inv.Endpoints {
		out[e.Row().View] = e
	}
	return out
}

const routedProject = `
-- config/settings.py --
INSTALLED_APPS = ["rest_framework", "shop"]
ROOT_URLCONF = "config.urls"
REST_FRAMEWORK = {
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
}
-- config/urls.py --
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt

from shop import views

hook_patterns = [
    re_path(r"^stripe/$", csrf_exempt(views.stripe_hook), name="stripe-webhook"),
]

urlpatterns = [
    path("api/", include("shop.urls")),
    path("hooks/", include(hook_patterns)),
]
-- shop/urls.py --
from django.urls import path
from rest_framework.routers import DefaultRouter

from .views import OrderViewSet, RefundView, report

router = DefaultRouter()
router.register(r"orders", OrderViewSet, basename="order")

urlpatterns = [
    path("refunds/<int:pk>/", RefundView.as_view(), name="refund"),
    path("report/", report),
    path("export/", OrderViewSet.as_view({"get": "list"})),
]
urlpatterns += router.urls
-- legacy/urls.py --
from django.urls import path

from shop.views import report

urlpatterns = [path("old-report/", report)]
-- shop/models.py --
from django.conf import settings
from django.db import models


class Order(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
-- shop/views.py --
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAdminUser
from rest_framework.views import APIView

from .models import Order
from .services import refund_order


class OrderViewSet(viewsets.ModelViewSet):
    queryset = Order.objects.all()

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [AllowAny()]
        return [IsAdminUser()]

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return JsonResponse({})


class RefundView(APIView):
    def post(self, request, pk):
        refund_order(pk)
        return JsonResponse({})


@login_required
def report(request):
    return JsonResponse({"n": Order.objects.count()})


def stripe_hook(request):
    Order.objects.filter(pk=request.POST["id"]).update(amount=0)
    return HttpResponse()
-- shop/services.py --
from .models import Order
from .tasks import notify


def refund_order(pk):
    Order.objects.filter(pk=pk).update(amount=0)
    notify.delay(pk)
`

// Routes come from ROOT_URLCONF through includes of modules and of
// module-level lists, routers registered on the included URLconf, and
// as_view action maps; a URLconf the root never reaches is an orphan.
func TestInventoryRoutes(t *testing.T) {
	m := load(t, routedProject)
	inv := m.buildInventory()
	var pats []string
	for _, r := range inv.Routes {
		p := r.Pattern
		if r.Orphan {
			p += " (orphan)"
		}
		pats = append(pats, p)
	}
	sort.Strings(pats)
	assert.Equal(t, []string{"api/export/", "api/orders/", "api/refunds/<int:pk>/", "api/report/", "hooks/stripe/$", "old-report/ (orphan)"}, pats)

	eps := endpointsByView(inv)
	require.Contains(t, eps, "shop.views.OrderViewSet.cancel")
	assert.Equal(t, []string{"POST"}, eps["shop.views.OrderViewSet.cancel"].Methods)
	assert.Equal(t, "api/orders/<pk>/cancel/", eps["shop.views.OrderViewSet.cancel"].Route, "a detail action is reached under <pk>/<name>/")
	assert.Equal(t, "api/export/", eps["shop.views.OrderViewSet.list"].Route, "the as_view map names list")
	assert.Equal(t, "api/orders/", eps["shop.views.OrderViewSet.create"].Route)
	assert.Equal(t, []string{"ANY"}, eps["shop.views.report"].Methods)
	assert.Equal(t, "api/report/", eps["shop.views.report"].Route, "the orphan route does not count")
	assert.True(t, eps["shop.views.stripe_hook"].Auth.CSRFExempt, "csrf_exempt wrapped in the URLconf")
}

// The permission in force per handler: get_permissions read per action,
// settings defaults, Django decorators.
func TestInventoryAuth(t *testing.T) {
	m := load(t, routedProject)
	eps := endpointsByView(m.buildInventory())
	cases := map[string]string{
		"shop.views.OrderViewSet.list":    "anyone",
		"shop.views.OrderViewSet.destroy": "staff",
		"shop.views.OrderViewSet.cancel":  "staff",
		"shop.views.RefundView.post":      "authenticated", // DEFAULT_PERMISSION_CLASSES
		"shop.views.report":               "authenticated", // login_required
		"shop.views.stripe_hook":          "anyone",
	}
	for view, want := range cases {
		require.Contains(t, eps, view)
		assert.Equal(t, want, eps[view].Auth.OpenTo(), view+": "+eps[view].Auth.Summary)
	}
	assert.True(t, eps["shop.views.report"].Auth.Session)
}

// What a handler does is read through the project functions it calls,
// in other modules too; DRF's own actions write the view's model.
func TestInventoryEffects(t *testing.T) {
	m := load(t, routedProject)
	eps := endpointsByView(m.buildInventory())
	refund := eps["shop.views.RefundView.post"]
	assert.Equal(t, []string{"Order"}, refund.Does.Names(WriteRows))
	assert.Equal(t, []string{"notify.delay"}, refund.Does.Names(QueueTask))
	assert.True(t, refund.Does.MovesMoney(), "Order has an amount")
	w := refund.Does.FirstWrite()
	require.NotNil(t, w)
	require.Len(t, w.Via, 1)
	assert.Equal(t, "refund_order", w.Via[0].Name)
	assert.Equal(t, []string{"Order"}, eps["shop.views.OrderViewSet.destroy"].Does.Names(WriteRows))
	assert.Equal(t, []string{"Order"}, eps["shop.views.OrderViewSet.list"].Does.Names(ReadRows))
	assert.False(t, eps["shop.views.report"].Writes())
}

const webhookProject = `
-- config/settings.py --
INSTALLED_APPS = ["rest_framework", "pay"]
REST_FRAMEWORK = {"PAGE_SIZE": 10}
-- pay/views.py --
import json

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .handlers import process
from .models import Payment


class PaymentCallback(APIView):
    permission_classes = [AllowAny]

    def post(self, request):
        Payment.objects.filter(ref=request.data["ref"]).update(status="paid")
        return Response({})


class ProviderNotify(APIView):
    permission_classes = [AllowAny]

    def post(self, request):
        process(request)
        return Response({})


@csrf_exempt
def create_payment(request):
    Payment.objects.create(ref=json.loads(request.body)["ref"])
    return HttpResponse()


@csrf_exempt
def inbound(request):
    Payment.objects.create(ref=json.loads(request.body)["ref"])
    return HttpResponse()


@csrf_exempt
def book_appointment(request):
    Payment.objects.create(ref=json.loads(request.body)["ref"])
    return HttpResponse()
-- pay/handlers.py --
from .models import Payment
from .security import check


def process(request):
    check(request)
    Payment.objects.create(ref=request.data["ref"])
-- pay/security.py --
import hashlib
import hmac


def check(request):
    expected = hmac.new(b"k", request.body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, request.headers["X-Signature"]):
        raise ValueError("bad signature")
-- pay/models.py --
from django.db import models


class Payment(models.Model):
    ref = models.CharField(max_length=40)
    status = models.CharField(max_length=10)
`

// Webhooks are recognised by class names (*Callback, *Notify) reading
// request.data, and by csrf_exempt views reading the raw body unless named
// for CRUD or a client's action; verification is followed into helpers two modules away, and
// AllowAny verifies nothing.
func TestWebhookPredicate(t *testing.T) {
	m := load(t, webhookProject)
	eps := endpointsByView(m.buildInventory())
	cb := eps["pay.views.PaymentCallback.post"]
	require.NotNil(t, cb.Webhook)
	assert.Equal(t, []string{"class name"}, cb.Webhook.Signals)
	assert.False(t, cb.Webhook.Verified, "AllowAny is not a verification")
	assert.Equal(t, "request.data", cb.Webhook.Payload.Text())

	notify := eps["pay.views.ProviderNotify.post"]
	require.NotNil(t, notify.Webhook)
	assert.True(t, notify.Webhook.Verified, "hmac in a helper of a helper")
	assert.True(t, notify.Webhook.HMAC)
	assert.Equal(t, "pay/handlers.py", notify.Webhook.PayloadFile.Unit.File.Rel, "read in the helper handed the request")

	assert.Nil(t, eps["pay.views.create_payment"].Webhook, "a csrf_exempt CRUD view is no webhook")
	require.NotNil(t, eps["pay.views.book_appointment"])
	assert.Nil(t, eps["pay.views.book_appointment"].Webhook, "a csrf_exempt view named for a client's action (booking) is no webhook")
	require.NotNil(t, eps["pay.views.inbound"].Webhook)
	assert.Equal(t, []string{"csrf_exempt view reading the raw body"}, eps["pay.views.inbound"].Webhook.Signals)
	assert.Equal(t, "anyone", eps["pay.views.inbound"].Auth.OpenTo(), "REST_FRAMEWORK without defaults: DRF allows anyone")
}

// Ownership follows keys named for owners up to the user model, and not
// audit keys.
func TestOwnerPath(t *testing.T) {
	m := load(t, `
-- bank/models.py --
from django.conf import settings
from django.db import models


class Wallet(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)


class Transfer(models.Model):
    wallet = models.ForeignKey(Wallet, on_delete=models.CASCADE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)


class Note(models.Model):
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
`)
	g := m.Graph
	assert.Equal(t, "owner", m.OwnerPath(g.ByQual("bank.models.Wallet")))
	assert.Equal(t, "wallet__owner", m.OwnerPath(g.ByQual("bank.models.Transfer")))
	assert.Equal(t, "", m.OwnerPath(g.ByQual("bank.models.Note")), "an audit key is no ownership")
}

// A URLconf that decorates its own urlpatterns wraps every view it routes
// with a check rubric cannot read; a project mixin with dispatch likewise.
func TestInventoryOpaqueChecks(t *testing.T) {
	m := load(t, `
-- admin_urls.py --
from django.urls import path

from .views import Delete, Edit

urlpatterns = [path("delete/<int:pk>/", Delete.as_view()), path("edit/<int:pk>/", Edit.as_view())]
urlpatterns = decorate_urlpatterns(urlpatterns, require_admin_access)
-- views.py --
from django.views import View
from django.views.generic import UpdateView


class Delete(View):
    def post(self, request, pk):
        return None


class CheckedMixin:
    def dispatch(self, request, *args, **kwargs):
        return super().dispatch(request, *args, **kwargs)


class Edit(CheckedMixin, UpdateView):
    pass


class Open(View):
    def post(self, request):
        return None
`)
	inv := m.buildInventory()
	eps := endpointsByView(inv)
	assert.Equal(t, "unknown", eps["views.Delete.post"].Auth.OpenTo())
	assert.True(t, eps["views.Delete.post"].Auth.CustomCheck)
	assert.Equal(t, "unknown", eps["views.Edit.post"].Auth.OpenTo())
	assert.False(t, eps["views.Open.post"].Judged(inv), "an unrouted class in a tree with URLconfs is wired elsewhere")
}

// Surface rows are sorted: routed endpoints first, by route.
func TestSurfaceOrder(t *testing.T) {
	m := load(t, routedProject)
	var routes []string
	for _, r := range Surface(m.Index) {
		require.NotEmpty(t, r.Route, r.View)
		routes = append(routes, r.Route)
	}
	assert.True(t, sort.StringsAreSorted(routes), routes)
	assert.Len(t, routes, 10)
}

func TestDottedSuffix(t *testing.T) {
	assert.True(t, dottedSuffix("a.b.C", "b.C"))
	assert.True(t, dottedSuffix("a.b.C", "a.b.C"))
	assert.False(t, dottedSuffix("ab.C", "b.C"))
	assert.False(t, dottedSuffix("C", "b.C"))
}

// Django Ninja operations are routed by their decorators; Ninja's default
// is no authentication, auth= on the operation or on the API sets it.
func TestInventoryNinja(t *testing.T) {
	m := load(t, `
-- api.py --
from ninja import NinjaAPI

from .models import Payment

api = NinjaAPI()
secure = NinjaAPI(auth=token_auth)


@api.post("/pay")
def pay(request, amount: int):
    Payment.objects.create(amount=amount)
    return {"ok": True}


@secure.get("/me")
def me(request):
    return {"id": request.auth}


@api.delete("/payments/{pk}", auth=None)
def delete(request, pk: int):
    Payment.objects.filter(pk=pk).delete()
`)
	eps := endpointsByView(m.buildInventory())
	require.Contains(t, eps, "api.pay")
	assert.Equal(t, "ninja", eps["api.pay"].Kind)
	assert.Equal(t, "/pay", eps["api.pay"].Route)
	assert.Equal(t, []string{"POST"}, eps["api.pay"].Methods)
	assert.Equal(t, "anyone", eps["api.pay"].Auth.OpenTo())
	assert.Equal(t, "authenticated", eps["api.me"].Auth.OpenTo())
	assert.Equal(t, "anyone", eps["api.delete"].Auth.OpenTo())
	assert.True(t, eps["api.pay"].Writes())
}

// Routes to library views are listed with what the URLconf shows: DRF's
// and simplejwt's credential views are open by design, others unknown;
// a project subclass of a library view keeps the library's permissions.
func TestInventoryLibraryViews(t *testing.T) {
	m := load(t, `
-- settings.py --
ROOT_URLCONF = "urls"
REST_FRAMEWORK = {"DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"]}
-- urls.py --
from django.urls import path
from drf_yasg.views import get_schema_view
from rest_framework.authtoken.views import obtain_auth_token

from views import Login

schema_view = get_schema_view(public=True)

urlpatterns = [
    path("token/", obtain_auth_token),
    path("docs/", schema_view.with_ui("swagger")),
    path("login/", Login.as_view()),
]
-- views.py --
from rest_framework_simplejwt.views import TokenObtainPairView


class Login(TokenObtainPairView):
    pass
`)
	inv := m.buildInventory()
	byRoute := map[string]*Endpoint{}
	for _, e := range inv.Endpoints {
		byRoute[e.Route] = e
	}
	require.Contains(t, byRoute, "token/")
	assert.Equal(t, "external", byRoute["token/"].Kind)
	assert.Equal(t, "anyone", byRoute["token/"].Auth.OpenTo())
	assert.Equal(t, "unknown", byRoute["docs/"].Auth.OpenTo())
	require.Contains(t, byRoute, "login/")
	assert.Equal(t, []string{"POST"}, byRoute["login/"].Methods)
	assert.Equal(t, "anyone", byRoute["login/"].Auth.OpenTo(), "the library view sets its own permissions")
}

// Broken and odd input gives a partial inventory, never a panic.
func TestInventoryBadInput(t *testing.T) {
	m := load(t, `
-- urls.py --
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from views import A, f

router = DefaultRouter()
router.register()
router.register(r"x")
urlpatterns = [path(), path("a/"), path("b/", include()), path("c/", f), include, path("d/", A.as_view(*args))]
urlpatterns += [path("e/", include(("ns",)))]
urlpatterns = urlpatterns + router.urls + [path("f/", f
-- views.py --
from rest_framework.views import APIView


class A(APIView):
    permission_classes = lambda: []

    def get_permissions(self):
        return

    def post(self):
        return self.request.data[


def f(request, *args, **kwargs):
    return f(request)
`)
	inv := m.buildInventory()
	var views []string
	for _, e := range inv.Endpoints {
		views = append(views, e.Row().View)
	}
	assert.Contains(t, views, "views.f")
	assert.Contains(t, views, "views.A.post")
}

// A router reaches an extra action at its name (or url_path) under the
// prefix, and under <pk>/ for a detail action.
func TestExtraActionRoutes(t *testing.T) {
	m := load(t, `
-- config/settings.py --
INSTALLED_APPS = ["rest_framework", "shop"]
ROOT_URLCONF = "config.urls"
-- config/urls.py --
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from shop.views import OrderViewSet

router = DefaultRouter()
router.register("orders", OrderViewSet)
urlpatterns = [path("api/", include(router.urls))]
-- shop/models.py --
from django.db import models


class Order(models.Model):
    status = models.CharField(max_length=10)
-- shop/views.py --
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from .models import Order


class OrderViewSet(viewsets.ModelViewSet):
    queryset = Order.objects.all()

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return Response({})

    @action(detail=False, methods=["get"], url_path="by-status/open")
    def open_orders(self, request):
        return Response({})
`)
	eps := endpointsByView(m.buildInventory())
	require.Contains(t, eps, "shop.views.OrderViewSet.cancel")
	assert.Equal(t, "api/orders/<pk>/cancel/", eps["shop.views.OrderViewSet.cancel"].Route)
	require.Contains(t, eps, "shop.views.OrderViewSet.open_orders")
	assert.Equal(t, "api/orders/by-status/open/", eps["shop.views.OrderViewSet.open_orders"].Route)
	assert.Equal(t, "api/orders/<pk>/", eps["shop.views.OrderViewSet.retrieve"].Route)
}

// A list that includes a name it is being assigned to reads the name's
// earlier value (here the imported URLconf module), as Python does: read
// as the list itself, the walk included it without end (a public
// submission hung).
func TestIncludeOfTheNameBeingAssigned(t *testing.T) {
	m := load(t, `
-- config/settings.py --
INSTALLED_APPS = ["shop"]
ROOT_URLCONF = "config.urls"
-- config/urls.py --
from django.urls import include, path

from shop import urls as api_urls, views

api_urls = [
    path("token/", views.token),
    path("api/v1/", include(api_urls)),
]
urlpatterns = [path("", include(api_urls))]
-- shop/urls.py --
from django.urls import path

from . import views

urlpatterns = [path("orders/", views.orders)]
-- shop/views.py --
def token(request):
    pass


def orders(request):
    pass
`)
	eps := endpointsByView(m.buildInventory())
	require.Contains(t, eps, "shop.views.orders")
	assert.Equal(t, "api/v1/orders/", eps["shop.views.orders"].Route)
	require.Contains(t, eps, "shop.views.token")
	assert.Equal(t, "token/", eps["shop.views.token"].Route)
}

// include() of a list with an application namespace (`include((patterns,
// "app"))`, Django's documented form) and of a list imported from another
// module (here bound to a router's urls) routes their entries; a name that
// is neither stays unrouted.
func TestIncludeOfNamespacedAndImportedLists(t *testing.T) {
	m := load(t, `
-- config/settings.py --
INSTALLED_APPS = ["rest_framework", "shop"]
ROOT_URLCONF = "config.urls"
-- config/urls.py --
from django.urls import include, path

from shop import views
from shop.api import api_patterns, not_patterns
from shop.urls import urlpatterns as shop_urls

PAYMENT_URLS = [
    path("pay/", views.pay),
]

urlpatterns = [
    path("payments/", include((PAYMENT_URLS, "payments"), namespace="payments")),
    path("api/", include(api_patterns)),
    path("none/", include(not_patterns)),
    path("shop/", include((shop_urls, "shop"))),
]
-- shop/urls.py --
from django.urls import path

from . import views

urlpatterns = [path("receipt/", views.receipt)]
-- shop/api.py --
from rest_framework.routers import DefaultRouter

from .views import OrderViewSet

router = DefaultRouter()
router.register("orders", OrderViewSet)
api_patterns = router.urls
not_patterns = 3
-- shop/models.py --
from django.db import models


class Order(models.Model):
    status = models.CharField(max_length=10)
-- shop/views.py --
from rest_framework import viewsets

from .models import Order


def pay(request):
    pass


def receipt(request):
    pass


class OrderViewSet(viewsets.ModelViewSet):
    queryset = Order.objects.all()
`)
	eps := endpointsByView(m.buildInventory())
	require.Contains(t, eps, "shop.views.pay")
	assert.Equal(t, "payments/pay/", eps["shop.views.pay"].Route)
	require.Contains(t, eps, "shop.views.OrderViewSet.list")
	assert.Equal(t, "api/orders/", eps["shop.views.OrderViewSet.list"].Route)
	require.Contains(t, eps, "shop.views.receipt")
	assert.Equal(t, "shop/receipt/", eps["shop.views.receipt"].Route, "walked as the included module, not also as a root")
	var patterns []string
	for _, r := range m.urlconfs() {
		if strings.Contains(r.Pattern, "receipt") {
			patterns = append(patterns, r.Pattern)
		}
	}
	assert.Equal(t, []string{"shop/receipt/"}, patterns)
}

// cookiecutter-django's api_router: the router is one of two chosen by a
// setting, and the module's urlpatterns are its urls.
func TestRouterChosenByCondition(t *testing.T) {
	m := load(t, `
-- config/settings.py --
ROOT_URLCONF = "config.urls"
INSTALLED_APPS = ["rest_framework", "users"]
-- config/api_router.py --
from django.conf import settings
from rest_framework.routers import DefaultRouter, SimpleRouter

from users.views import UserViewSet

router = DefaultRouter() if settings.DEBUG else SimpleRouter()
router.register("users", UserViewSet)

app_name = "api"
urlpatterns = router.urls
-- config/urls.py --
from django.urls import include, path

urlpatterns = [path("api/", include("config.api_router"))]
-- users/models.py --
from django.db import models


class Profile(models.Model):
    bio = models.TextField()
-- users/views.py --
from rest_framework import viewsets

from .models import Profile


class UserViewSet(viewsets.ModelViewSet):
    queryset = Profile.objects.all()
`)
	eps := endpointsByView(m.buildInventory())
	require.Contains(t, eps, "users.views.UserViewSet.list")
	assert.Equal(t, "api/users/", eps["users.views.UserViewSet.list"].Route)
}

// One router takes over the registries of the apps' routers
// (`router.registry.extend(users_router.registry)`): their viewsets are
// routed under its prefix, in the order taken, and a prefix an earlier
// router registered shadows the same prefix registered by a later one.
func TestRouterRegistryExtended(t *testing.T) {
	m := load(t, `
-- config/settings.py --
ROOT_URLCONF = "config.urls"
INSTALLED_APPS = ["rest_framework", "shop", "users"]
-- config/urls.py --
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from shop.urls import router as shop_router
from users.urls import router as users_router

router = DefaultRouter()
router.registry.extend(users_router.registry)
router.registry.extend(shop_router.registry)

urlpatterns = [path("api/v1/", include(router.urls))]
-- users/urls.py --
from rest_framework.routers import SimpleRouter

from .views import UserViewSet

router = SimpleRouter()
router.register("users", UserViewSet)
-- shop/urls.py --
from rest_framework.routers import SimpleRouter

from .views import LegacyUserViewSet, OrderViewSet

router = SimpleRouter()
router.register(r"orders", OrderViewSet, basename="orders")
router.register("users", LegacyUserViewSet)
-- users/views.py --
from rest_framework import viewsets

from shop.models import Order


class UserViewSet(viewsets.ModelViewSet):
    queryset = Order.objects.all()
-- shop/models.py --
from django.db import models


class Order(models.Model):
    total = models.IntegerField()
-- shop/views.py --
from rest_framework import viewsets

from .models import Order


class OrderViewSet(viewsets.ModelViewSet):
    queryset = Order.objects.all()


class LegacyUserViewSet(viewsets.ModelViewSet):
    queryset = Order.objects.all()
`)
	eps := endpointsByView(m.buildInventory())
	require.Contains(t, eps, "shop.views.OrderViewSet.destroy")
	assert.Equal(t, "api/v1/orders/<pk>/", eps["shop.views.OrderViewSet.destroy"].Route)
	require.Contains(t, eps, "users.views.UserViewSet.create")
	assert.Equal(t, "api/v1/users/", eps["users.views.UserViewSet.create"].Route)
	require.Contains(t, eps, "shop.views.LegacyUserViewSet.create")
	assert.False(t, eps["shop.views.LegacyUserViewSet.create"].Routed, "api/v1/users/ is UserViewSet's, taken first")
}

// A view class two apps define under one name, reached through a star
// import (`from investor.views import *`): the module's own star import
// says which; and entries added as a tuple (`urlpatterns += path(...),`)
// under an `if` on the installed apps.
func TestStarImportedViewClassAndTupleAdded(t *testing.T) {
	m := load(t, `
-- config/settings.py --
ROOT_URLCONF = "config.urls"
INSTALLED_APPS = ["rest_framework", "investor", "borrower"]
-- config/urls.py --
from django.conf import settings
from django.urls import include, path

urlpatterns = [path("investor/", include("investor.urls"))]

if "borrower" in settings.INSTALLED_APPS:
    urlpatterns += path("borrower/", include("borrower.urls")),
-- investor/urls.py --
from django.urls import path

from investor.views import *

urlpatterns = [path("deposit/", Deposit.as_view())]
-- borrower/urls.py --
from django.urls import path

from borrower.views import *

urlpatterns = [path("deposit/", Deposit.as_view())]
-- investor/views.py --
from rest_framework.generics import UpdateAPIView

from shop.models import Account


class Deposit(UpdateAPIView):
    queryset = Account.objects.all()
-- borrower/views.py --
from rest_framework.generics import CreateAPIView

from shop.models import Account


class Deposit(CreateAPIView):
    queryset = Account.objects.all()
-- shop/models.py --
from django.db import models


class Account(models.Model):
    balance = models.IntegerField()
`)
	eps := endpointsByView(m.buildInventory())
	require.Contains(t, eps, "investor.views.Deposit.update")
	assert.Equal(t, "investor/deposit/", eps["investor.views.Deposit.update"].Route)
	require.Contains(t, eps, "borrower.views.Deposit.create")
	assert.Equal(t, "borrower/deposit/", eps["borrower.views.Deposit.create"].Route)
}

// A project view built on an authentication library's DRF view (knox's
// LoginView) is a DRF view with its own post().
func TestViewOnAuthLibraryBase(t *testing.T) {
	m := load(t, `
-- config/settings.py --
ROOT_URLCONF = "config.urls"
INSTALLED_APPS = ["rest_framework", "knox", "users"]
-- config/urls.py --
from django.urls import path

from users.views import LoginView

urlpatterns = [path("login", LoginView.as_view())]
-- users/views.py --
from django.contrib.auth import login
from knox.views import LoginView as KnoxLoginView
from rest_framework import permissions
from rest_framework.authtoken.serializers import AuthTokenSerializer


class LoginView(KnoxLoginView):
    permission_classes = (permissions.AllowAny,)

    def post(self, request, format=None):
        serializer = AuthTokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        login(request, serializer.validated_data["user"])
        return super().post(request, format=None)
`)
	eps := endpointsByView(m.buildInventory())
	require.Contains(t, eps, "users.views.LoginView.post")
	assert.Equal(t, "drf-view", eps["users.views.LoginView.post"].Kind)
	assert.Equal(t, "login", eps["users.views.LoginView.post"].Route)
}

// urlpatterns extended with lists imported from other modules: another
// URLconf's own urlpatterns is that URLconf, at this prefix (not an
// orphan), and a named list is read in the module that defines it.
func TestURLPatternsAddedFromOtherModules(t *testing.T) {
	m := load(t, `
-- config/settings.py --
ROOT_URLCONF = "config.urls"
INSTALLED_APPS = ["shop"]
-- config/urls.py --
from django.urls import path

from shop.urls import urlpatterns as shop_urlpatterns
from shop.extra import extra_patterns

from shop import views

urlpatterns = [path("health/", views.health)] + extra_patterns
urlpatterns += shop_urlpatterns
-- shop/urls.py --
from django.urls import path

from . import views

urlpatterns = [path("orders/", views.orders)]
-- shop/extra.py --
from django.urls import path

from . import views

extra_patterns = [path("refunds/", views.refunds)]
-- shop/views.py --
def health(request):
    pass


def orders(request):
    pass


def refunds(request):
    pass
`)
	routes := map[string][]string{}
	for _, r := range m.urlconfs() {
		routes[r.ViewText] = append(routes[r.ViewText], r.Pattern)
		assert.False(t, r.Orphan, r.Pattern)
	}
	assert.Equal(t, []string{"orders/"}, routes["views.orders"])
	assert.Equal(t, []string{"refunds/"}, routes["views.refunds"])
	assert.Equal(t, []string{"health/"}, routes["views.health"])
}

// Two as_view maps of one viewset both map GET (the collection to list, the
// item to retrieve): each action keeps its route and methods (the list was
// overwritten by the retrieve and dropped).
func TestAsViewMapsMergedByAction(t *testing.T) {
	m := load(t, `
-- config/settings.py --
ROOT_URLCONF = "config.urls"
INSTALLED_APPS = ["rest_framework", "app"]
-- config/urls.py --
from django.urls import path

from app.views import NoteViewSet

urlpatterns = [
    path("w/<str:slug>/notes/", NoteViewSet.as_view({"get": "list", "post": "create"})),
    path("w/<str:slug>/notes/<uuid:pk>/", NoteViewSet.as_view({"get": "retrieve", "delete": "destroy"})),
]
-- app/models.py --
from django.db import models


class Note(models.Model):
    body = models.TextField()
-- app/views.py --
from rest_framework import viewsets

from .models import Note


class NoteViewSet(viewsets.ModelViewSet):
    queryset = Note.objects.all()
`)
	eps := endpointsByView(m.buildInventory())
	require.Contains(t, eps, "app.views.NoteViewSet.list")
	assert.Equal(t, "w/<str:slug>/notes/", eps["app.views.NoteViewSet.list"].Route)
	assert.Equal(t, []string{"GET"}, eps["app.views.NoteViewSet.list"].Methods)
	require.Contains(t, eps, "app.views.NoteViewSet.retrieve")
	assert.Equal(t, "w/<str:slug>/notes/<uuid:pk>/", eps["app.views.NoteViewSet.retrieve"].Route)
	require.Contains(t, eps, "app.views.NoteViewSet.create")
	assert.NotContains(t, eps, "app.views.NoteViewSet.update")
}

// DRF's tutorial binds a viewset's as_view map to a module-level name and
// routes the name (`note_list = NoteViewSet.as_view({...})`): the route
// reaches the viewset's actions as if the call were written in place, a
// wrapper around the bound name included; a name bound twice is not read.
func TestAsViewBoundToName(t *testing.T) {
	m := load(t, `
-- config/settings.py --
ROOT_URLCONF = "config.urls"
INSTALLED_APPS = ["rest_framework", "app"]
-- config/urls.py --
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from app.views import NoteViewSet, TagViewSet

note_list = NoteViewSet.as_view({"get": "list", "post": "create"})
note_detail = csrf_exempt(NoteViewSet.as_view({"get": "retrieve"}))
tag_list = TagViewSet.as_view({"get": "list"})
tag_list = TagViewSet.as_view({"post": "create"})

urlpatterns = [
    path("notes/", note_list),
    path("notes/<int:pk>/", note_detail),
    path("tags/", tag_list),
]
-- app/models.py --
from django.db import models


class Note(models.Model):
    body = models.TextField()
-- app/views.py --
from rest_framework import viewsets

from .models import Note


class NoteViewSet(viewsets.ModelViewSet):
    queryset = Note.objects.all()


class TagViewSet(viewsets.ModelViewSet):
    queryset = Note.objects.all()
`)
	eps := endpointsByView(m.buildInventory())
	require.Contains(t, eps, "app.views.NoteViewSet.list")
	assert.Equal(t, "notes/", eps["app.views.NoteViewSet.list"].Route)
	assert.Equal(t, []string{"GET"}, eps["app.views.NoteViewSet.list"].Methods)
	require.Contains(t, eps, "app.views.NoteViewSet.create")
	require.Contains(t, eps, "app.views.NoteViewSet.retrieve")
	assert.Equal(t, "notes/<int:pk>/", eps["app.views.NoteViewSet.retrieve"].Route)
	assert.NotContains(t, eps, "app.views.NoteViewSet.destroy")
	for v, e := range eps {
		if strings.HasPrefix(v, "app.views.TagViewSet.") {
			assert.False(t, e.Routed, v)
		}
	}
}

// A route reads as a reader writes it: regular-expression anchors dropped,
// named groups as their names, escaped punctuation plain, and "/" for a
// view routed at the root (by path("") or re_path("^$")), never "not
// routed".
func TestRoutesReadAsWritten(t *testing.T) {
	m := load(t, `
-- config/settings.py --
INSTALLED_APPS = ["shop"]
ROOT_URLCONF = "config.urls"
-- config/urls.py --
from django.urls import include, path, re_path

from shop import views

urlpatterns = [
    path("", views.home),
    re_path(r"^$", views.home2),
    re_path(r"^api/", include("shop.urls")),
]
-- shop/urls.py --
from django.conf import settings
from django.urls import include, path, re_path

from . import views
from .helpers import prefix

MORE_INFO = "transaction/more_info"
INFO = "info/"

urlpatterns = [
    re_path(r"^items/(?P<pk>[0-9]+)/\.json$", views.item),
    re_path(r"^files/(?P<path>(a|b)[)]*)/(\d+)/$", views.files),
    re_path(r"^" + MORE_INFO + r"/?$", views.more),
    path(INFO, views.info),
    path(settings.SECRET_PATH, views.secret),
    path(prefix(), include("shop.more")),
]
-- shop/views.py --
def home(request):
    pass


def home2(request):
    pass


def item(request, pk):
    pass


def files(request, path):
    pass


def more(request):
    pass


def info(request):
    pass


def secret(request):
    pass


def deep(request):
    pass
-- shop/more.py --
from django.urls import path

from . import views

urlpatterns = [path("deep/", views.deep)]
`)
	eps := endpointsByView(m.buildInventory())
	for view, want := range map[string]string{
		"shop.views.home":   "/",
		"shop.views.home2":  "/",
		"shop.views.item":   "api/items/<pk>/.json",
		"shop.views.files":  `api/files/<path>/(\d+)/`,
		"shop.views.more":   "api/transaction/more_info/?",
		"shop.views.info":   "api/info/",
		"shop.views.secret": "api/…",
		"shop.views.deep":   "api/…/deep/",
	} {
		require.Contains(t, eps, view)
		assert.Equal(t, want, eps[view].Route, view)
	}
}

func TestRouteText(t *testing.T) {
	for pat, want := range map[string]string{
		"":                       "/",
		"^$":                     "/",
		"api/orders/<int:pk>/":   "api/orders/<int:pk>/",
		`^price\$`:               `price\$`,
		`^(?P<slug>[\w-]+)/$`:    "<slug>/",
		`^(?P<open>[a-z]+/$`:     `(?P<open>[a-z]+/`,
		`^static/(?P<path>.*)$`:  "static/<path>",
		`^a\-b\.c/(?:x|y)/\d+/$`: `a-b.c/(?:x|y)/\d+/`,
	} {
		assert.Equal(t, want, routeText(pat, true), pat)
	}
	assert.Equal(t, "", routeText("", false), "not routed")
}

// `import app.urls` then `include(app.urls)` includes the module (not a
// router's urls), and a URLconf that appends its entries under
// conditions contributes each of them.
func TestIncludeOfImportedURLconfModule(t *testing.T) {
	m := load(t, `
-- server/__init__.py --
-- server/urls.py --
from django.urls import path, include
import pol.urls
from .views import a
urlpatterns = [path("a", a), path("", include(pol.urls))]
-- server/views.py --
def a(request):
    pass
-- pol/__init__.py --
-- pol/urls.py --
from django.urls import path, include
from django.conf import settings
urlpatterns = []
if "x" in settings.SEPS:
    urlpatterns.append(path("sub/", include("pol.sub.urls")))
urlpatterns.append(path("top/", include("pol.sub.urls")))
-- pol/sub/__init__.py --
-- pol/sub/urls.py --
from django.urls import path
from . import views
urlpatterns = [path("v", views.v)]
-- pol/sub/views.py --
def v(request):
    pass
`)
	var patterns []string
	for _, r := range m.urlconfs() {
		patterns = append(patterns, r.Pattern)
	}
	assert.Equal(t, []string{"a", "sub/v", "top/v"}, patterns, "pol/sub/urls.py is reached through pol.urls, never walked as a root")
}

// A class view's mixins are listed in the order its bases are written,
// run after run (they were read from a map, in a random order).
func TestMixinsListedInBaseOrder(t *testing.T) {
	for range 20 {
		m := load(t, `
-- config/settings.py --
INSTALLED_APPS = ["shop"]
ROOT_URLCONF = "config.urls"
-- config/urls.py --
from django.urls import path

from shop.views import OrderView

urlpatterns = [path("orders/<int:pk>/", OrderView.as_view())]
-- shop/views.py --
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin, UserPassesTestMixin
from django.views.generic import DetailView


class OrderView(UserPassesTestMixin, LoginRequiredMixin, PermissionRequiredMixin, DetailView):
    pass
`)
		eps := endpointsByView(m.buildInventory())
		var auth []string
		for view, e := range eps {
			if strings.HasPrefix(view, "shop.views.OrderView") {
				auth = append(auth, e.Auth.Summary)
			}
		}
		require.NotEmpty(t, auth)
		for _, a := range auth {
			require.True(t, strings.HasPrefix(a, "UserPassesTestMixin, LoginRequiredMixin, PermissionRequiredMixin"), a)
		}
	}
}

// `return super().get_serializer_class()` is the class's own
// serializer_class (it was compared with a dotted name a call never has,
// so the choice read as unknown).
func TestEndpointSerializersThroughSuper(t *testing.T) {
	m := load(t, `
-- config/settings.py --
INSTALLED_APPS = ["rest_framework", "shop"]
ROOT_URLCONF = "config.urls"
-- config/urls.py --
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from shop.views import WalletViewSet

router = DefaultRouter()
router.register("wallets", WalletViewSet)
urlpatterns = [path("", include(router.urls))]
-- shop/models.py --
from django.db import models


class Wallet(models.Model):
    balance = models.DecimalField(max_digits=12, decimal_places=2)
-- shop/serializers.py --
from rest_framework import serializers

from .models import Wallet


class WalletSerializer(serializers.ModelSerializer):
    class Meta:
        model = Wallet
        fields = ["id", "balance"]


class CreateWalletSerializer(serializers.ModelSerializer):
    class Meta:
        model = Wallet
        fields = ["id"]
-- shop/views.py --
from rest_framework import viewsets

from .models import Wallet
from .serializers import CreateWalletSerializer, WalletSerializer


class WalletViewSet(viewsets.ModelViewSet):
    queryset = Wallet.objects.all()
    serializer_class = WalletSerializer

    def get_serializer_class(self):
        if self.action == "create":
            return CreateWalletSerializer
        return super().get_serializer_class()
`)
	eps := endpointsByView(m.buildInventory())
	for view, want := range map[string]string{
		"shop.views.WalletViewSet.list":   "WalletSerializer",
		"shop.views.WalletViewSet.create": "CreateWalletSerializer",
	} {
		require.Contains(t, eps, view)
		sers, known := m.EndpointSerializers(eps[view])
		require.True(t, known, view)
		require.Len(t, sers, 1, view)
		assert.Equal(t, want, sers[0].Name, view)
	}
}

// A get_serializer_class that looks the action up in a dict literal of
// the class (`self.serializers.get(self.action, self.serializers["default"])`)
// chooses the action's entry, else the default; a `[self.action]` lookup
// with no entry for the action is a KeyError, not a known serializer.
func TestEndpointSerializersThroughActionDict(t *testing.T) {
	m := load(t, `
-- config/settings.py --
INSTALLED_APPS = ["rest_framework", "shop"]
ROOT_URLCONF = "config.urls"
-- config/urls.py --
from rest_framework.routers import DefaultRouter

from shop.views import OrderViewSet, ProductViewSet, WalletViewSet

router = DefaultRouter()
router.register("orders", OrderViewSet)
router.register("products", ProductViewSet)
router.register("wallets", WalletViewSet)
urlpatterns = router.urls
-- shop/models.py --
from django.db import models


class Order(models.Model):
    total = models.DecimalField(max_digits=12, decimal_places=2)
-- shop/serializers.py --
from rest_framework import serializers

from .models import Order


class OrderSerializer(serializers.ModelSerializer):
    class Meta:
        model = Order
        fields = ["id", "total"]


class OrderCreateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Order
        fields = ["id"]
-- shop/views.py --
from rest_framework import viewsets

from .models import Order
from .serializers import OrderCreateSerializer, OrderSerializer


class OrderViewSet(viewsets.ModelViewSet):
    queryset = Order.objects.all()
    serializers = {
        "default": OrderSerializer,
        # writes
        "create": OrderCreateSerializer,
    }

    def get_serializer_class(self):
        return self.serializers.get(
            self.action, self.serializers["default"])


class ProductViewSet(viewsets.ModelViewSet):
    queryset = Order.objects.all()
    serializer_class = OrderSerializer
    action_serializers = {"create": OrderCreateSerializer}

    def get_serializer_class(self):
        return self.action_serializers.get(self.action, self.serializer_class)


class WalletViewSet(viewsets.ModelViewSet):
    queryset = Order.objects.all()
    serializer_classes = {"create": OrderCreateSerializer}

    def get_serializer_class(self):
        return self.serializer_classes[self.action]
`)
	eps := endpointsByView(m.buildInventory())
	for view, want := range map[string]string{
		"shop.views.OrderViewSet.list":     "OrderSerializer",
		"shop.views.OrderViewSet.create":   "OrderCreateSerializer",
		"shop.views.ProductViewSet.list":   "OrderSerializer",
		"shop.views.ProductViewSet.create": "OrderCreateSerializer",
		"shop.views.WalletViewSet.create":  "OrderCreateSerializer",
	} {
		require.Contains(t, eps, view)
		sers, known := m.EndpointSerializers(eps[view])
		require.True(t, known, view)
		require.Len(t, sers, 1, view)
		assert.Equal(t, want, sers[0].Name, view)
	}
	require.Contains(t, eps, "shop.views.WalletViewSet.list")
	_, known := m.EndpointSerializers(eps["shop.views.WalletViewSet.list"])
	assert.False(t, known)
}

// `LoanView().as_view()`: as_view is a classmethod, so a URLconf that
// calls it on an instance routes the class (omarshindy/lenme-task); an
// instance built with arguments is not read.
func TestAsViewOnInstance(t *testing.T) {
	m := load(t, `
-- config/settings.py --
ROOT_URLCONF = "config.urls"
INSTALLED_APPS = ["rest_framework", "loans"]
-- config/urls.py --
from django.urls import path

from loans.views import LoanView, OfferView

urlpatterns = [
    path("loans/", LoanView().as_view()),
    path("offers/", OfferView(template="x").as_view()),
]
-- loans/views.py --
from rest_framework.views import APIView
from rest_framework.response import Response


class LoanView(APIView):
    def post(self, request):
        return Response({})


class OfferView(APIView):
    def post(self, request):
        return Response({})
`)
	eps := endpointsByView(m.buildInventory())
	require.Contains(t, eps, "loans.views.LoanView.post")
	assert.True(t, eps["loans.views.LoanView.post"].Routed)
	assert.Equal(t, "loans/", eps["loans.views.LoanView.post"].Route)
	require.Contains(t, eps, "loans.views.OfferView.post")
	assert.False(t, eps["loans.views.OfferView.post"].Routed)
}

// A viewset registered under a prefix an earlier registration of the same
// router has is not routed (Django resolves the earlier's routes first);
// one whose only routes are extra actions of its own stays routed, and one
// whose list route an empty prefix's detail route takes loses list and
// create only.
func TestRouterShadowedRegistrations(t *testing.T) {
	m := load(t, `
-- config/settings.py --
ROOT_URLCONF = "config.urls"
INSTALLED_APPS = ["rest_framework", "shop"]
-- config/urls.py --
from django.urls import include, path
from rest_framework.routers import SimpleRouter

from shop.views import AccountActions, ClientViewSet, MailingViewSet, OrderViewSet, RootViewSet

router = SimpleRouter()
router.register("api", MailingViewSet)
router.register("api", ClientViewSet)
router.register("api", AccountActions, basename="actions")

root = SimpleRouter()
root.register("", RootViewSet)
root.register("orders", OrderViewSet)

urlpatterns = [path("", include(router.urls)), path("r/", include(root.urls))]
-- shop/models.py --
from django.db import models


class Client(models.Model):
    phone = models.CharField(max_length=20)
-- shop/views.py --
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from .models import Client


class MailingViewSet(viewsets.ModelViewSet):
    queryset = Client.objects.all()


class ClientViewSet(viewsets.ModelViewSet):
    queryset = Client.objects.all()


class AccountActions(viewsets.ViewSet):
    @action(detail=True, methods=["post"])
    def deposit(self, request, pk=None):
        return Response({})


class RootViewSet(viewsets.ModelViewSet):
    queryset = Client.objects.all()


class OrderViewSet(viewsets.ModelViewSet):
    queryset = Client.objects.all()
`)
	eps := endpointsByView(m.buildInventory())
	require.Contains(t, eps, "shop.views.MailingViewSet.create")
	assert.True(t, eps["shop.views.MailingViewSet.create"].Routed)
	require.Contains(t, eps, "shop.views.ClientViewSet.create")
	assert.False(t, eps["shop.views.ClientViewSet.create"].Routed, "every route of ClientViewSet is MailingViewSet's")
	require.Contains(t, eps, "shop.views.AccountActions.deposit")
	assert.True(t, eps["shop.views.AccountActions.deposit"].Routed)
	assert.NotContains(t, eps, "shop.views.OrderViewSet.create", "r/orders/ is RootViewSet's detail route")
	require.Contains(t, eps, "shop.views.OrderViewSet.destroy")
	assert.Equal(t, "r/orders/<pk>/", eps["shop.views.OrderViewSet.destroy"].Route)
}
