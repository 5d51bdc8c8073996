package semantic

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// A get_queryset whose first return, under a branch, prefetches paths
// computed at run time: the later return is the listing, opaque. With no
// later return the variant is all there is.
func TestReturnQSSkipsADynamicVariant(t *testing.T) {
	m := load(t, `
-- shop/models.py --
from django.db import models

class Order(models.Model):
    total = models.IntegerField()
-- shop/views.py --
from rest_framework import viewsets
from .models import Order

class Brief(viewsets.ModelViewSet):
    fields = []

    def get_queryset(self):
        qs = Order.objects.prefetch_related("lines")
        if self.brief:
            return qs.prefetch_related(None).prefetch_related(*self.fields)
        return qs

class OnlyBrief(viewsets.ModelViewSet):
    fields = []

    def get_queryset(self):
        return Order.objects.prefetch_related(*self.fields)
`)
	f := fileOf(t, m, "shop/views.py")
	got := map[string]*QS{}
	for _, cls := range pyast.FindAll(f.Unit.Tree.Root(), "class_definition") {
		got[pyast.DefName(cls)] = f.ViewQueryset(cls)
	}
	require.NotNil(t, got["Brief"])
	assert.False(t, got["Brief"].Dynamic)
	assert.True(t, got["Brief"].Opaque)
	assert.Equal(t, []string{"lines"}, got["Brief"].Prefetch)
	require.NotNil(t, got["OnlyBrief"])
	assert.True(t, got["OnlyBrief"].Dynamic)
}

// A helper that extends the queryset it is given, through another helper,
// is read on behalf of each call: what it adds comes with the caller's
// queryset, and the fix point is the call. `_clone()` keeps the queryset.
func TestHelperExtendingItsArgument(t *testing.T) {
	m := load(t, `
-- shop/models.py --
from django.db import models

class Customer(models.Model):
    name = models.CharField(max_length=10)

class Order(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE)
-- shop/utils.py --
def attach_note(queryset):
    queryset = queryset.extra(select={"note": "SELECT 1"})
    return queryset

def attach_customer(queryset):
    queryset = queryset.prefetch_related("customer")
    queryset = attach_note(queryset)
    return queryset
-- shop/views.py --
from .models import Order
from . import utils

def listing():
    qs = Order.objects.select_related("customer")._clone()
    qs = utils.attach_customer(qs)
    return qs

def other():
    return utils.attach_customer(Order.objects.filter(pk=1))
`)
	f := fileOf(t, m, "shop/views.py")
	var got *QS
	for _, r := range pyast.FindAll(f.Unit.Tree.Root(), "return_statement") {
		if fn := f.EnclosingFunc(r); fn != nil && fn.Name == "listing" {
			got = f.Eval(r.NamedChild(0))
		}
	}
	require.NotNil(t, got)
	assert.Equal(t, []string{"customer"}, got.Select)
	assert.Equal(t, []string{"customer"}, got.Prefetch)
	assert.True(t, got.Combined, "the inner helper's extra() is seen")
	assert.Equal(t, "utils.attach_customer(qs)", got.Origin.Text())
}
