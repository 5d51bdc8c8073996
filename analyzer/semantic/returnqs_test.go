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
