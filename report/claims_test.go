package report_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/report"
	"github.com/rubric-dev/rubric/rules/all"
)

// Claims without proof, session 10: each test holds a case where the item
// was "met" on half the evidence (must stay not observed) next to the case
// that shows the whole practice (met, cited).

func analyzeTree(t *testing.T, files map[string]string) *report.Report {
	t.Helper()
	bs := map[string][]byte{}
	for k, v := range files {
		bs[k] = []byte(v)
	}
	r, err := report.Analyze(context.Background(), tree(t, bs), all.Rules(), 1, report.Options{Now: fixedNow})
	require.NoError(t, err)
	return r
}

// A unique operation key the server generates (editable=False with a
// default) never holds the sender's value: looking it up de-duplicates
// nothing.
func TestServerGeneratedKeyIsNoIdempotencyKey(t *testing.T) {
	run := func(field string) report.Item {
		return item(analyzeTree(t, map[string]string{
			"pay/models.py": "import uuid\n\nfrom django.db import models\n\n\nclass Payment(models.Model):\n    operation_id = " + field + "\n    amount = models.DecimalField(max_digits=12, decimal_places=2)\n",
			"pay/views.py": "from rest_framework.response import Response\nfrom rest_framework.views import APIView\n\nfrom .models import Payment\n\n\n" +
				"class PaymentView(APIView):\n    def post(self, request):\n        data = request.data\n        if Payment.objects.filter(operation_id=data[\"operation_id\"]).exists():\n            return Response(status=200)\n        Payment.objects.create(**data)\n        return Response(status=201)\n",
			"pay/urls.py": "from django.urls import path\n\nfrom .views import PaymentView\n\nurlpatterns = [path(\"pay/\", PaymentView.as_view())]\n",
		}), "idempotency")
	}
	it := run("models.UUIDField(primary_key=True, editable=False, default=uuid.uuid4)")
	assert.NotEqual(t, report.Met, it.Status, "a generated key: %s", it.Reason)

	it = run("models.UUIDField(unique=True)")
	assert.Equal(t, report.Met, it.Status, it.Reason)
	require.NotEmpty(t, it.Evidence)
	assert.Equal(t, "pay/models.py:7", it.Evidence[0].Location())

	it = run("models.CharField(max_length=64, unique=True, editable=False)")
	assert.Equal(t, report.Met, it.Status, "non-editable but set by code: %s", it.Reason)
}

// Decimal columns do not make money Decimal when the amounts that change
// them are parsed from JSON as floats and never converted.
func TestMoneyParsedAsFloatIsNotDecimal(t *testing.T) {
	run := func(amount, update string) report.Item {
		return item(analyzeTree(t, map[string]string{
			"wallet/models.py": "from django.db import models\n\n\nclass Wallet(models.Model):\n    balance = models.DecimalField(max_digits=12, decimal_places=2)\n",
			"wallet/views.py": "import json\nfrom decimal import Decimal\n\nfrom django.db.models import F\nfrom django.http import JsonResponse\n\nfrom .models import Wallet\n\n\n" +
				"def deposit(request, pk):\n    data = json.loads(request.body)\n    amount = " + amount + "\n    " + update + "\n    return JsonResponse({})\n",
		}), "money-decimal")
	}
	it := run(`data["amount"]`, `Wallet.objects.filter(pk=pk).update(balance=F("balance") + amount)`)
	assert.Equal(t, report.NotObserved, it.Status, "float arithmetic on the balance: %s", it.Reason)
	require.NotEmpty(t, it.Evidence)
	assert.Equal(t, "wallet/views.py:11", it.Evidence[0].Location())
	assert.Contains(t, it.Evidence[0].Note, "floats")

	it = run(`Decimal(str(data["amount"]))`, `Wallet.objects.filter(pk=pk).update(balance=F("balance") + amount)`)
	assert.Equal(t, report.Met, it.Status, "converted to Decimal: %s", it.Reason)

	it = run(`data["amount"]`, `Wallet.objects.create(balance=amount)`)
	assert.Equal(t, report.Met, it.Status, "stored, not computed: %s", it.Reason)

	// A field's default=Decimal("0") converts no input.
	r := analyzeTree(t, map[string]string{
		"wallet/models.py": "from decimal import Decimal\n\nfrom django.db import models\n\n\nclass Wallet(models.Model):\n    balance = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(\"0\"))\n",
		"wallet/views.py":  "import json\n\nfrom django.http import JsonResponse\n\nfrom .models import Wallet\n\n\ndef withdraw(request, pk):\n    data = json.loads(request.body)\n    w = Wallet.objects.get(pk=pk)\n    w.balance -= data[\"amount\"]\n    w.save()\n    return JsonResponse({})\n",
	})
	assert.Equal(t, report.NotObserved, item(r, "money-decimal").Status, item(r, "money-decimal").Reason)
}

const ownedOrders = "from django.conf import settings\nfrom django.db import models\n\n\nclass Product(models.Model):\n    name = models.CharField(max_length=50)\n\n\n" +
	"class Order(models.Model):\n    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)\n    product = models.ForeignKey(Product, on_delete=models.CASCADE)\n"

func viewsetProject(models, viewset string) map[string]string {
	return map[string]string{
		"shop/models.py": models,
		"shop/views.py": "from rest_framework import viewsets\nfrom rest_framework.permissions import IsAdminUser, IsAuthenticated\n\nfrom .models import Product\nfrom .serializers import ProductSerializer\n\n\n" +
			"class ProductViewSet(viewsets.ModelViewSet):\n    serializer_class = ProductSerializer\n" + viewset,
		"shop/serializers.py": "from rest_framework import serializers\n\nfrom .models import Product\n\n\nclass ProductSerializer(serializers.ModelSerializer):\n    class Meta:\n        model = Product\n        fields = [\"id\", \"name\"]\n",
		"shop/urls.py":        "from rest_framework.routers import DefaultRouter\n\nfrom .views import ProductViewSet\n\nrouter = DefaultRouter()\nrouter.register(\"products\", ProductViewSet)\nurlpatterns = router.urls\n",
	}
}

// A login requirement is half of "state changes need a caller, rows scoped
// to it": where rows belong to users, a viewset that lets any logged-in
// user change any row shows no scoping.
func TestEndpointsAuthorisedNeedsRowsScoped(t *testing.T) {
	run := func(models, viewset string) report.Item {
		return item(analyzeTree(t, viewsetProject(models, viewset)), "endpoints-authorised")
	}
	it := run(ownedOrders, "    queryset = Product.objects.all()\n    permission_classes = [IsAuthenticated]\n")
	assert.Equal(t, report.NotObserved, it.Status, "any customer edits the catalogue: %s", it.Reason)
	require.NotEmpty(t, it.Evidence)
	assert.Equal(t, "shop/views.py:8", it.Evidence[0].Location())
	assert.Contains(t, it.Evidence[0].Note, "any authenticated caller change any row")

	it = run(ownedOrders, "    queryset = Product.objects.all()\n    permission_classes = [IsAdminUser]\n")
	assert.Equal(t, report.Met, it.Status, "staff only: %s", it.Reason)

	it = run(ownedOrders, "    permission_classes = [IsAuthenticated]\n\n    def get_queryset(self):\n        return Product.objects.filter(order__user=self.request.user)\n")
	assert.Equal(t, report.Met, it.Status, "scoped by get_queryset: %s", it.Reason)

	// No model belongs to a user: every authenticated caller is alike.
	flat := ownedOrders[:strings.Index(ownedOrders, "class Order")]
	it = run(flat, "    queryset = Product.objects.all()\n    permission_classes = [IsAuthenticated]\n")
	assert.Equal(t, report.Met, it.Status, "no owned rows: %s", it.Reason)
}

// Rows served to anonymous callers leave "rows scoped to the caller"
// unshown, even when every write is authorised.
func TestEndpointsAuthorisedWithOpenReads(t *testing.T) {
	run := func(read string) report.Item {
		return item(analyzeTree(t, map[string]string{
			"pay/models.py": "from django.db import models\n\n\nclass Event(models.Model):\n    payment_id = models.CharField(max_length=50)\n",
			"pay/views.py": "from django.contrib.auth.decorators import login_required\nfrom django.http import JsonResponse\nfrom django.views.decorators.http import require_GET, require_POST\n\nfrom .models import Event\n\n\n" +
				"@require_POST\n@login_required\ndef record(request):\n    Event.objects.create(payment_id=request.POST[\"id\"])\n    return JsonResponse({})\n\n\n" +
				read + "def events(request, payment_id):\n    return JsonResponse({\"events\": list(Event.objects.filter(payment_id=payment_id).values())})\n",
			"pay/urls.py": "from django.urls import path\n\nfrom . import views\n\nurlpatterns = [path(\"record/\", views.record), path(\"events/<str:payment_id>/\", views.events)]\n",
		}), "endpoints-authorised")
	}
	it := run("@require_GET\n")
	assert.Equal(t, report.NotObserved, it.Status, "events readable by anyone: %s", it.Reason)
	require.NotEmpty(t, it.Evidence)
	assert.Contains(t, it.Evidence[0].Note, "to anyone")

	it = run("@require_GET\n@login_required\n")
	assert.Equal(t, report.Met, it.Status, it.Reason)
}

// A settings module that imports a project module reading the environment
// (`import config as c`, config.py holding os.getenv) reads its settings
// from the environment, cited at the read. A module that reads the
// environment but that no settings module imports shows nothing.
func TestSettingsFromEnvThroughAnImportedModule(t *testing.T) {
	config := "import os\n\nSECRET = os.getenv(\"DJANGO_SECRET_KEY\")\n"
	run := func(settingsImport string) report.Item {
		return item(analyzeTree(t, map[string]string{
			"config.py":           config,
			"project/__init__.py": "",
			"project/settings.py": settingsImport + "\nINSTALLED_APPS = [\"django.contrib.auth\"]\nROOT_URLCONF = \"project.urls\"\nDEBUG = False\n",
			"project/urls.py":     "urlpatterns = []\n",
			"shop/views.py":       "from django.http import JsonResponse\n\n\ndef home(request):\n    return JsonResponse({})\n",
		}), "settings-from-env")
	}
	it := run("import config as c\n\nSECRET_KEY = c.SECRET\n")
	assert.Equal(t, report.Met, it.Status, it.Reason)
	require.NotEmpty(t, it.Evidence)
	assert.Equal(t, "config.py:3", it.Evidence[0].Location())
	assert.Contains(t, it.Evidence[0].Note, "which `project/settings.py` imports")

	it = run("import json\n")
	assert.NotEqual(t, report.Met, it.Status, "config.py is not imported by the settings: %s", it.Reason)
}

// An integer amount whose declaration says it holds minor units (its
// verbose_name, help_text or comment) is exact, as one named amount_cents
// is; an integer amount that says nothing may be whole units.
func TestMoneyIntegerDeclaredInMinorUnits(t *testing.T) {
	run := func(field string) report.Item {
		return item(analyzeTree(t, map[string]string{
			"pay/models.py": "from django.db import models\n\n\nclass Payment(models.Model):\n    amount = " + field + "\n",
		}), "money-decimal")
	}
	it := run(`models.BigIntegerField(verbose_name="Сумма (в копейках)")`)
	assert.Equal(t, report.Met, it.Status, it.Reason)
	require.NotEmpty(t, it.Evidence)
	assert.Equal(t, "pay/models.py:5", it.Evidence[0].Location())

	it = run(`models.IntegerField(help_text="amount in cents")`)
	assert.Equal(t, report.Met, it.Status, it.Reason)

	it = run("models.IntegerField()  # cents")
	assert.Equal(t, report.Met, it.Status, it.Reason)

	it = run(`models.IntegerField(help_text="percent of the total")`)
	assert.NotEqual(t, report.Met, it.Status, "percent is not cents: %s", it.Reason)

	it = run("models.IntegerField()")
	assert.NotEqual(t, report.Met, it.Status, "whole units, perhaps: %s", it.Reason)
}

// Reads opened on purpose (AllowAny written on the view) are the author's
// decision, a public catalogue; reads open because nothing was declared
// are not shown scoped.
func TestOpenReadsDeclaredPublic(t *testing.T) {
	run := func(perm string) report.Item {
		return item(analyzeTree(t, map[string]string{
			"shop/models.py": "from django.db import models\n\n\nclass Product(models.Model):\n    name = models.CharField(max_length=50)\n",
			"shop/views.py": "from rest_framework import generics\nfrom rest_framework.permissions import AllowAny, IsAdminUser\n\nfrom .models import Product\nfrom .serializers import ProductSerializer\n\n\n" +
				"class ProductCreate(generics.CreateAPIView):\n    queryset = Product.objects.all()\n    serializer_class = ProductSerializer\n    permission_classes = [IsAdminUser]\n\n\n" +
				"class ProductList(generics.ListAPIView):\n    queryset = Product.objects.all()\n    serializer_class = ProductSerializer\n" + perm,
			"shop/serializers.py": "from rest_framework import serializers\n\nfrom .models import Product\n\n\nclass ProductSerializer(serializers.ModelSerializer):\n    class Meta:\n        model = Product\n        fields = [\"id\", \"name\"]\n",
			"shop/urls.py":        "from django.urls import path\n\nfrom . import views\n\nurlpatterns = [path(\"products/new/\", views.ProductCreate.as_view()), path(\"products/\", views.ProductList.as_view())]\n",
			"project/settings.py": "INSTALLED_APPS = [\"rest_framework\", \"shop\"]\nROOT_URLCONF = \"shop.urls\"\n",
		}), "endpoints-authorised")
	}
	it := run("    permission_classes = [AllowAny]\n")
	assert.Equal(t, report.Met, it.Status, "a catalogue declared public: %s", it.Reason)

	it = run("")
	assert.Equal(t, report.NotObserved, it.Status, "open by DRF's default: %s", it.Reason)
}

// A broad handler that logs the failure with its traceback and degrades,
// or re-raises it as it was (a bare raise) is a fail-safe boundary, not a
// lost error: with specific handling beside it, errors are handled
// specifically. One that only logs a message, passes, or raises another
// exception (it could have named the error it expects) still counts.
func TestErrorsSpecificBesideFailSafeBoundaries(t *testing.T) {
	run := func(handler string) report.Item {
		return item(analyzeTree(t, map[string]string{
			"pay/cache.py": "import logging\n\nfrom django.core.cache import cache\n\nlogger = logging.getLogger(__name__)\n\n\n" +
				"def safe_get(key, default=None):\n    try:\n        return cache.get(key, default)\n    except Exception:\n" + handler + "        return default\n",
			"pay/views.py": "from django.http import Http404, JsonResponse\n\nfrom .models import Payment\n\n\n" +
				"def show(request, pk):\n    try:\n        p = Payment.objects.get(pk=pk)\n    except Payment.DoesNotExist:\n        raise Http404\n    return JsonResponse({\"id\": p.pk})\n",
			"pay/models.py": "from django.db import models\n\n\nclass Payment(models.Model):\n    amount = models.DecimalField(max_digits=12, decimal_places=2)\n",
		}), "errors-specific")
	}
	it := run("        logger.warning(\"cache get failed for %s\", key, exc_info=True)\n")
	assert.Equal(t, report.Met, it.Status, it.Reason)
	require.NotEmpty(t, it.Evidence)
	assert.Equal(t, "pay/views.py:9", it.Evidence[0].Location())

	it = run("        logger.exception(\"cache get failed\")\n")
	assert.Equal(t, report.Met, it.Status, it.Reason)

	it = run("        logger.warning(\"cache get failed\")\n")
	assert.NotEqual(t, report.Met, it.Status, "the traceback is lost: %s", it.Reason)

	it = run("        pass\n")
	assert.NotEqual(t, report.Met, it.Status, "the failure is lost: %s", it.Reason)

	it = run("        logger.exception(\"cache get failed\")\n        raise\n")
	assert.Equal(t, report.Met, it.Status, "logged, then re-raised as it was: %s", it.Reason)

	it = run("        logger.exception(\"cache get failed\")\n        raise RuntimeError(\"cache\")\n")
	assert.NotEqual(t, report.Met, it.Status, "renamed: %s", it.Reason)
}

// A README prose line that speaks of tests and gives the command (in an
// inline code span or plainly) says how to run them; a tool named in a
// list of technologies, or installed, does not.
func TestReadmeTestsInProse(t *testing.T) {
	run := func(line string) report.Item {
		return item(analyzeTree(t, map[string]string{
			"README.md":          "# Wallet\n\n## Notes\n\n" + line + "\n",
			"wallet/tests.py":    "def test_ok():\n    assert True\n",
			"wallet/__init__.py": "",
		}), "readme-tests")
	}
	it := run("1. If needed, run the tests: `python manage.py test`")
	assert.Equal(t, report.Met, it.Status, it.Reason)
	require.NotEmpty(t, it.Evidence)
	assert.Equal(t, "README.md:5", it.Evidence[0].Location())

	it = run("- Запуск тестов - команда pytest из директории /wallet")
	assert.Equal(t, report.Met, it.Status, it.Reason)

	it = run("* `Pytest`")
	assert.NotEqual(t, report.Met, it.Status, "a technology list: %s", it.Reason)

	it = run("Tests need `pip install pytest` first")
	assert.NotEqual(t, report.Met, it.Status, "installing: %s", it.Reason)

	it = run("We use pytest for everything")
	assert.NotEqual(t, report.Met, it.Status, "no word about tests: %s", it.Reason)
}

// A viewset assembled from GenericViewSet and ListModelMixin lists rows
// whatever the order of its bases: the pagination item applies, and with
// no pagination anywhere ORM006's finding makes it not met.
func TestListMixinAfterGenericViewSet(t *testing.T) {
	run := func(bases string) report.Item {
		return item(analyzeTree(t, map[string]string{
			"tasks/models.py": "from django.db import models\n\n\nclass Task(models.Model):\n    name = models.CharField(max_length=50)\n",
			"tasks/views.py": "from rest_framework import mixins, viewsets\n\nfrom .models import Task\nfrom .serializers import TaskSerializer\n\n\n" +
				"class TaskViewSet(" + bases + "):\n    queryset = Task.objects.all()\n    serializer_class = TaskSerializer\n",
			"tasks/serializers.py": "from rest_framework import serializers\n\nfrom .models import Task\n\n\nclass TaskSerializer(serializers.ModelSerializer):\n    class Meta:\n        model = Task\n        fields = [\"id\", \"name\"]\n",
		}), "pagination")
	}
	it := run("viewsets.GenericViewSet, mixins.ListModelMixin, mixins.CreateModelMixin")
	assert.Equal(t, report.NotMet, it.Status, it.Reason)
	require.NotEmpty(t, it.Evidence)
	assert.Equal(t, "tasks/views.py:7", it.Evidence[0].Location())

	it = run("viewsets.GenericViewSet, mixins.CreateModelMixin")
	assert.Equal(t, report.NotApplicable, it.Status, "no list: %s", it.Reason)
}

// A view that builds its response from every row of a queryset, as a list
// (a comprehension over it, list() of it), is a list endpoint: the
// pagination item applies. One row, or a slice, is no list.
func TestHandWrittenListEndpoints(t *testing.T) {
	run := func(body string) *report.Report {
		return analyzeTree(t, map[string]string{
			"pay/models.py": "from django.db import models\n\n\nclass Payment(models.Model):\n    amount = models.DecimalField(max_digits=12, decimal_places=2)\n",
			"pay/views.py":  "from rest_framework.response import Response\nfrom rest_framework.views import APIView\n\nfrom .models import Payment\n\n\nclass Payments(APIView):\n    def get(self, request):\n" + body,
		})
	}
	for _, body := range []string{
		"        return Response({\"objects\": list(Payment.objects.values())})\n",
		"        rows = Payment.objects.filter(amount__gt=0).order_by(\"-id\")\n        return Response([{\"id\": p.id} for p in rows])\n",
	} {
		r := run(body)
		sig := signal(r, "django.list_endpoints")
		require.Len(t, sig.Evidence, 1, body)
		assert.Equal(t, "pay/views.py:8", sig.Evidence[0].Location())
		assert.Contains(t, sig.Evidence[0].Note, "every row of `Payment`")
		it := item(r, "pagination")
		assert.Contains(t, []report.Status{report.NotObserved, report.NotMet}, it.Status, "%s: %s", body, it.Reason)
	}
	for _, body := range []string{
		"        return Response([{\"id\": p.id} for p in Payment.objects.all()[:20]])\n",
		"        p = Payment.objects.get(pk=1)\n        return Response({\"ids\": list(str(p.id))})\n",
	} {
		r := run(body)
		assert.Empty(t, signal(r, "django.list_endpoints").Evidence, "a slice or one row: %s", body)
		assert.Equal(t, report.NotApplicable, item(r, "pagination").Status, body)
	}
}

// A retry written by hand (a loop that tries the call, sleeps and grows
// the wait) is a retry policy with backoff; a loop sleeping a constant, or
// one that never calls out, is not.
func TestHandMadeRetryLoop(t *testing.T) {
	run := func(wait string) report.Item {
		return item(analyzeTree(t, map[string]string{
			"pay/client.py": "import time\n\nimport requests\n\n\ndef notify(url, data):\n    for attempt in range(5):\n        try:\n            return requests.post(url, json=data, timeout=5)\n        except requests.RequestException:\n" + wait + "    raise RuntimeError(\"gave up\")\n",
		}), "retries")
	}
	it := run("            time.sleep(0.5 * 2 ** attempt)\n")
	assert.Equal(t, report.Met, it.Status, it.Reason)
	require.NotEmpty(t, it.Evidence)
	assert.Equal(t, "pay/client.py:7", it.Evidence[0].Location())

	it = run("            time.sleep(1)\n")
	assert.NotEqual(t, report.Met, it.Status, "no backoff: %s", it.Reason)

	it = run("            continue\n")
	assert.NotEqual(t, report.Met, it.Status, "no wait: %s", it.Reason)
}

// A unique field named for a sender's identifier that a handler looks up
// and then creates a row with is a de-duplication: an idempotency key. A
// unique username checked before a sign-up, or a lookup with no create,
// is not.
func TestSenderKeyDeduplication(t *testing.T) {
	run := func(model, view string) report.Item {
		return item(analyzeTree(t, map[string]string{
			"hooks/models.py": "from django.db import models\n\n\n" + model,
			"hooks/views.py": "import json\n\nfrom django.http import JsonResponse\nfrom django.views.decorators.csrf import csrf_exempt\nfrom django.views.decorators.http import require_POST\n\nfrom .models import *\n\n\n" +
				"@csrf_exempt\n@require_POST\ndef receive(request):\n    data = json.loads(request.body)\n" + view + "    return JsonResponse({})\n",
			"hooks/urls.py": "from django.urls import path\n\nfrom . import views\n\nurlpatterns = [path(\"receive/\", views.receive)]\n",
		}), "idempotency")
	}
	payment := "class PaymentEvent(models.Model):\n    provider_id = models.CharField(max_length=40, unique=True)\n    amount = models.DecimalField(max_digits=12, decimal_places=2)\n"
	it := run(payment, "    if PaymentEvent.objects.filter(provider_id=data[\"id\"]).exists():\n        return JsonResponse({}, status=409)\n    PaymentEvent.objects.create(provider_id=data[\"id\"], amount=data[\"amount\"])\n")
	assert.Equal(t, report.Met, it.Status, it.Reason)
	require.NotEmpty(t, it.Evidence)
	assert.Equal(t, "hooks/models.py:5", it.Evidence[0].Location())

	it = run(payment, "    PaymentEvent.objects.create(provider_id=data[\"id\"], amount=data[\"amount\"])\n")
	assert.NotEqual(t, report.Met, it.Status, "created, never looked up: %s", it.Reason)

	it = run(strings.Replace(payment, ", unique=True", "", 1), "    if PaymentEvent.objects.filter(provider_id=data[\"id\"]).exists():\n        return JsonResponse({}, status=409)\n    PaymentEvent.objects.create(provider_id=data[\"id\"], amount=data[\"amount\"])\n")
	assert.NotEqual(t, report.Met, it.Status, "not unique: %s", it.Reason)

	it = run("class Member(models.Model):\n    username = models.CharField(max_length=40, unique=True)\n    balance = models.DecimalField(max_digits=12, decimal_places=2)\n",
		"    if Member.objects.filter(username=data[\"u\"]).exists():\n        return JsonResponse({}, status=409)\n    Member.objects.create(username=data[\"u\"], balance=0)\n")
	assert.NotEqual(t, report.Met, it.Status, "a username is no sender's key: %s", it.Reason)
}

// A project whose endpoints only read, serving money records to anyone
// (SEC022), has rows not scoped to the caller: the item applies and is not
// met, with the finding, though no endpoint changes state. Behind a login
// the same read leaves nothing to judge.
func TestEndpointsAuthorisedOnOpenMoneyReads(t *testing.T) {
	run := func(decorators string) report.Item {
		return item(analyzeTree(t, map[string]string{
			"wallet/models.py": "from django.db import models\n\n\nclass Wallet(models.Model):\n    owner = models.CharField(max_length=50)\n    balance = models.DecimalField(max_digits=12, decimal_places=2)\n",
			"wallet/views.py": "from django.contrib.auth.decorators import login_required\nfrom django.http import JsonResponse\nfrom django.views.decorators.http import require_GET\n\nfrom .models import Wallet\n\n\n" +
				"@require_GET\n" + decorators + "def wallet(request, pk):\n    w = Wallet.objects.get(pk=pk)\n    return JsonResponse({\"owner\": w.owner, \"balance\": str(w.balance)})\n",
			"wallet/urls.py": "from django.urls import path\n\nfrom . import views\n\nurlpatterns = [path(\"wallets/<int:pk>/\", views.wallet)]\n",
		}), "endpoints-authorised")
	}
	it := run("")
	assert.Equal(t, report.NotMet, it.Status, it.Reason)
	require.NotEmpty(t, it.Evidence)
	assert.Equal(t, "SEC022", it.Evidence[0].Rule)

	it = run("@login_required\n")
	assert.Equal(t, report.NotApplicable, it.Status, it.Reason)
}

// A list endpoint over a model with no index and no lookup rubric reads
// still asks the index question (not observed, cited at the list); with no
// list and no lookup there is nothing to judge.
func TestIndexesOnListEndpoints(t *testing.T) {
	run := func(view string) report.Item {
		return item(analyzeTree(t, map[string]string{
			"shop/models.py": "from django.db import models\n\n\nclass Order(models.Model):\n    created = models.DateTimeField(auto_now_add=True)\n    total = models.DecimalField(max_digits=10, decimal_places=2)\n",
			"shop/views.py":  "from rest_framework import viewsets, serializers\n\nfrom .models import Order\n\n\nclass OrderSerializer(serializers.ModelSerializer):\n    class Meta:\n        model = Order\n        fields = \"__all__\"\n\n\n" + view,
			"shop/urls.py":   "from rest_framework.routers import DefaultRouter\n\nfrom . import views\n\nrouter = DefaultRouter()\nrouter.register(\"orders\", views.OrderViewSet)\nurlpatterns = router.urls\n",
		}), "indexes")
	}
	it := run("class OrderViewSet(viewsets.ModelViewSet):\n    queryset = Order.objects.all()\n    serializer_class = OrderSerializer\n")
	assert.Equal(t, report.NotObserved, it.Status, it.Reason)
	require.NotEmpty(t, it.Evidence)
	assert.Equal(t, "shop/views.py", it.Evidence[0].Path)

	it = run("class OrderViewSet(viewsets.GenericViewSet):\n    queryset = Order.objects.all()\n    serializer_class = OrderSerializer\n")
	assert.Equal(t, report.NotApplicable, it.Status, it.Reason)
}

// A finding on a file outside the Python sources (a committed .env) is
// cited like the others, relative to the analysed directory, even when the
// directory is given by absolute path; and its question, having no line of
// code to quote (the value is never shown), does not quote the path as code.
func TestCommittedDotenvEvidenceIsRelative(t *testing.T) {
	r := analyzeTree(t, map[string]string{
		"config/settings.py": "import os\n\nSECRET_KEY = os.environ[\"SECRET_KEY\"]\nDEBUG = False\n",
		"manage.py":          "import os\n",
		".env":               "SECRET_KEY=9f2c7a1be04d4c3f8e1d2b6a7c5e3f10aa\n",
	})
	it := item(r, "settings-from-env")
	require.Equal(t, report.NotMet, it.Status, it.Reason)
	require.NotEmpty(t, it.Evidence)
	assert.Equal(t, ".env:1", it.Evidence[0].Location())
	assert.Equal(t, "SEC024", it.Evidence[0].Rule)
	assert.Contains(t, it.Question, "`.env:1` is committed with a secret")
	assert.NotContains(t, it.Question, "holds `")
}
