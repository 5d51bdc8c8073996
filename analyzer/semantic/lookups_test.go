package semantic

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

const lookupShop = `
-- config/settings.py --
AUTH_USER_MODEL = "accounts.User"
-- accounts/models.py --
from django.contrib.auth.models import AbstractUser
from django.db import models

class User(AbstractUser):
    phone = models.CharField(max_length=20)
-- shop/models.py --
from django.conf import settings
from django.db import models
from django.db.models import Count
from vendor.models import Stamped

class OrderQuerySet(models.QuerySet):
    def with_lines(self):
        return self.annotate(n=Count("lines"))

    def open(self):
        return self.filter(status="open")

class Order(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    status = models.CharField(max_length=10)
    refunded_amount = models.DecimalField(max_digits=9, decimal_places=2)
    objects = OrderQuerySet.as_manager()

class Line(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    sku = models.CharField(max_length=10)

class Vendor(Stamped, models.Model):
    name = models.CharField(max_length=10)
`

func TestCheckPath(t *testing.T) {
	m := load(t, lookupShop)
	order := m.Graph.ByLabel("shop.Order")
	line := m.Graph.ByLabel("shop.Line")
	require.NotNil(t, order)
	require.True(t, m.FieldsKnown(order))
	assert.False(t, m.FieldsKnown(m.Graph.ByLabel("shop.Vendor")), "a base from a library may declare fields")
	assert.True(t, m.FieldsKnown(m.Graph.ByLabel("accounts.User")), "AbstractUser's fields are known")

	ok := []struct {
		path string
		mode PathMode
	}{
		{"status", FilterPath}, {"status__in", FilterPath}, {"user_id", FilterPath}, {"user__phone", FilterPath},
		{"user__email__iexact", FilterPath}, {"lines__sku", FilterPath}, {"lines__isnull", FilterPath},
		{"pk", FilterPath}, {"id", ExprPath}, {"user", SelectPath}, {"lines", PrefetchPath},
		{"refunded_amount", UpdatePath}, {"n__gt", FilterPath},
	}
	for _, c := range ok {
		assert.Nil(t, m.CheckPath(order, c.path, c.mode, []string{"n"}), c.path)
	}
	e := m.CheckPath(order, "refund_amount__gt", FilterPath, nil)
	require.NotNil(t, e)
	assert.Equal(t, NoSuchName, e.Problem)
	assert.Equal(t, "refunded_amount", e.Suggest)
	assert.Equal(t, 0, e.Part)

	e = m.CheckPath(line, "order__stauts", FilterPath, nil)
	require.NotNil(t, e)
	assert.Equal(t, 1, e.Part)
	assert.Equal(t, "status", e.Suggest)
	assert.Same(t, order, e.Model)

	assert.Equal(t, NotRelation, m.CheckPath(order, "status", SelectPath, nil).Problem)
	assert.Equal(t, ManyInSelect, m.CheckPath(order, "lines", SelectPath, nil).Problem)
	assert.Equal(t, NotPrefetchable, m.CheckPath(order, "status", PrefetchPath, nil).Problem)
	assert.Equal(t, BadLookup, m.CheckPath(order, "status__exactt", FilterPath, nil).Problem)
	assert.Equal(t, NoSuchName, m.CheckPath(order, "line_set", FilterPath, nil).Problem, "the accessor is `lines`")

	// The user model: installed apps add reverse names rubric cannot see;
	// only a one-letter slip from a real field is judged.
	assert.Nil(t, m.CheckPath(order, "user__auth_token__key", FilterPath, nil))
	assert.NotNil(t, m.CheckPath(order, "user__emial", FilterPath, nil))
}

func TestQuerySetNames(t *testing.T) {
	m := load(t, lookupShop+`
-- shop/views.py --
from django.db.models import Count, Sum
from .models import Order

def views(request):
    a = Order.objects.filter(status="x")
    b = Order.objects.with_lines()
    c = Order.objects.open()
    d = Order.objects.annotate(Count("lines"), total=Sum("refunded_amount"))
    e = Order.objects.values(s=Sum("refunded_amount"))
    return a, b, c, d, e
`)
	f := fileOf(t, m, "shop/views.py")
	rhs := map[string]*QS{}
	for _, fn := range f.Funcs {
		for _, name := range []string{"a", "b", "c", "d", "e"} {
			if v := f.Bindings(pyast.Body(fn.Node), name); len(v) == 1 {
				rhs[name] = f.Eval(v[0])
			}
		}
	}
	require.Len(t, rhs, 5)
	assert.False(t, rhs["a"].NamesOpen, "a plain manager chain adds no names")
	assert.True(t, rhs["b"].NamesOpen, "with_lines annotates")
	assert.False(t, rhs["c"].NamesOpen, "open only filters")
	assert.Equal(t, []string{"lines__count", "total"}, rhs["d"].Annotated)
	assert.Equal(t, []string{"s"}, rhs["e"].Annotated)
}

func TestClosest(t *testing.T) {
	cands := []string{"amount", "created_at", "refunded_amount", "status", "user"}
	assert.Equal(t, "refunded_amount", closest("refund_amount", cands))
	assert.Equal(t, "created_at", closest("create_at", cands))
	assert.Equal(t, "status", closest("stauts", cands), "a swap is one edit")
	assert.Equal(t, "", closest("many", cands))
	assert.Equal(t, 1, editDistance("emial", "email"))
	assert.Equal(t, 2, editDistance("refund_amount", "refunded_amount"))
}

func TestQuerySetFilteredOrdered(t *testing.T) {
	m := load(t, lookupShop+`
-- shop/views.py --
from .models import Order

def views(request):
    a = Order.objects.all()
    b = Order.objects.filter(status="x").order_by("-id")
    c = b.order_by()
    return a, b, c
`)
	f := fileOf(t, m, "shop/views.py")
	fn := f.Funcs[0]
	get := func(name string) *QS { return f.Eval(f.Bindings(pyast.Body(fn.Node), name)[0]) }
	assert.False(t, get("a").Filtered)
	assert.False(t, get("a").Ordered)
	assert.True(t, get("b").Filtered)
	assert.True(t, get("b").Ordered)
	assert.False(t, get("c").Ordered, "order_by() clears the ordering")
}

// A manager class built at module level with from_queryset reads its
// queryset class: names are open only when that class annotates.
func TestFromQuerysetManager(t *testing.T) {
	m := load(t, `
-- shop/models.py --
from django.db import models
from django.db.models import Count

class PlainQS(models.QuerySet):
    def open(self):
        return self.filter(status="open")

class CountingQS(models.QuerySet):
    def get_queryset(self):
        return super().get_queryset().annotate(n=Count("id"))

PlainManager = models.Manager.from_queryset(PlainQS)
CountingManager = models.Manager.from_queryset(CountingQS)

class Order(models.Model):
    status = models.CharField(max_length=10)
    objects = PlainManager()

class Line(models.Model):
    sku = models.CharField(max_length=10)
    objects = CountingManager()
-- shop/views.py --
from .models import Line, Order

def views(request):
    a = Order.objects.all()
    b = Line.objects.all()
    return a, b
`)
	f := fileOf(t, m, "shop/views.py")
	fn := f.Funcs[0]
	get := func(name string) *QS { return f.Eval(f.Bindings(pyast.Body(fn.Node), name)[0]) }
	assert.False(t, get("a").NamesOpen, "PlainQS adds no names")
	assert.True(t, get("b").NamesOpen, "CountingQS annotates every queryset")
}
