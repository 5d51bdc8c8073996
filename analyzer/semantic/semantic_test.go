package semantic

import (
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/tools/txtar"

	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/source"
)

// load builds the semantic model of a txtar project.
func load(t *testing.T, archive string) *Model {
	t.Helper()
	ar := txtar.Parse([]byte(archive))
	var facts []*project.Facts
	sort.Slice(ar.Files, func(i, j int) bool { return ar.Files[i].Name < ar.Files[j].Name })
	for _, f := range ar.Files {
		tree, err := pyast.Parse(f.Data)
		require.NoError(t, err)
		u := project.NewUnit(source.New(f.Name, f.Name, f.Data), tree, f.Name)
		facts = append(facts, project.Extract(u))
	}
	return Build(project.Build(facts))
}

func fileOf(t *testing.T, m *Model, rel string) *File {
	t.Helper()
	for _, f := range m.Files() {
		if f.Unit.File.Rel == rel {
			return f
		}
	}
	t.Fatalf("no file %s", rel)
	return nil
}

func funcOf(t *testing.T, m *Model, qual string) *Func {
	t.Helper()
	fn := m.LookupFunc(qual)
	require.NotNil(t, fn, qual)
	return fn
}

const shop = `
-- shop/models.py --
from django.db import models

class Category(models.Model):
    name = models.CharField(max_length=10)

class Merchant(models.Model):
    name = models.CharField(max_length=10)
    category = models.ForeignKey(Category, on_delete=models.CASCADE)

class Order(models.Model):
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE)
    total = models.IntegerField()

    def to_dict(self):
        return {"merchant": self.merchant.name, "lines": [l.product.name for l in self.lines.all()]}

    @property
    def label(self):
        return self.merchant.category.name

class Product(models.Model):
    name = models.CharField(max_length=10)

class Line(models.Model):
    order = models.ForeignKey(Order, related_name="lines", on_delete=models.CASCADE)
    product = models.ForeignKey(Product, on_delete=models.CASCADE)
-- shop/helpers.py --
from shop.models import Order

def serialise(order):
    return {"label": order.label, "n": order.lines.count()}

def recent_orders(merchant_id):
    return Order.objects.filter(merchant_id=merchant_id).order_by("-id")

def per_day(day):
    return Order.objects.filter(created=day).count()
-- shop/views.py --
from shop.helpers import serialise, recent_orders
from shop.models import Order

def export(queryset):
    return [serialise(o) for o in queryset]

def view(request):
    rows = export(Order.objects.all())
    for o in recent_orders(3):
        o.to_dict()
    return rows
`

func TestReturnAndParamValues(t *testing.T) {
	m := load(t, shop)
	rec := funcOf(t, m, "shop.helpers.recent_orders")
	assert.Equal(t, QuerySet, rec.Returns().Kind)
	require.NotNil(t, rec.Returns().Model)
	assert.Equal(t, "Order", rec.Returns().Model.Name)

	export := funcOf(t, m, "shop.views.export")
	pv := export.ParamValues()
	require.Len(t, pv, 1)
	assert.Equal(t, QuerySet, pv[0].Kind, "export's queryset parameter: every caller passes Order.objects.all()")
	assert.Equal(t, FromCallers, pv[0].Certainty)

	ser := funcOf(t, m, "shop.helpers.serialise")
	assert.Equal(t, Row, ser.ParamValues()[0].Kind, "serialise(o) is called with rows of a loop over Order")
}

func paths(acc []Access) []string {
	var out []string
	for _, a := range acc {
		via := ""
		for _, s := range a.Via {
			via += ">" + s.Func.Name
		}
		out = append(out, a.Path+via)
	}
	sort.Strings(out)
	return out
}

func TestRowAccessesAcrossCalls(t *testing.T) {
	m := load(t, shop)
	order := m.Graph.ByLabel("shop.Order")
	require.NotNil(t, order)
	ser := funcOf(t, m, "shop.helpers.serialise")
	assert.Equal(t, []string{"lines", "merchant>label", "merchant__category>label"}, paths(m.RowAccesses(ser, 0, order)))
	todict := funcOf(t, m, "shop.models.Order.to_dict")
	assert.Equal(t, []string{"lines", "lines__product", "merchant"}, paths(m.RowAccesses(todict, 0, order)))
}

func TestImplicitLoopsAndLoopModels(t *testing.T) {
	m := load(t, shop+`
-- shop/report.py --
from itertools import groupby
from shop.models import Order

def report():
    qs = Order.objects.all()
    by = sorted(qs, key=lambda o: o.merchant.name)
    groups = groupby(qs, key=lambda o: o.merchant)
    return {o.pk: o.total for o in qs}
`)
	f := fileOf(t, m, "shop/report.py")
	var kinds []string
	for _, l := range f.Loops() {
		if l.QS != nil && l.QS.Model != nil {
			kinds = append(kinds, []string{"for", "comprehension", "keyfunc"}[l.Kind]+":"+l.QS.Model.Name)
		}
	}
	assert.Equal(t, []string{"keyfunc:Order", "keyfunc:Order", "comprehension:Order"}, kinds)

	v := fileOf(t, m, "shop/views.py")
	var found []string
	for _, l := range v.Loops() {
		if l.QS != nil {
			found = append(found, strings.TrimSpace(l.Iter.Text())+"="+l.QS.Model.Name)
		}
	}
	assert.Equal(t, []string{"queryset=Order", "recent_orders(3)=Order"}, found)
}

// cycle has helpers that call each other with the row: what each reads
// depends on where the walk starts (the cycle is cut where it closes).
const cycle = `
-- shop/models.py --
from django.db import models

class Merchant(models.Model):
    name = models.CharField(max_length=10)

class Customer(models.Model):
    name = models.CharField(max_length=10)

class Order(models.Model):
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE)
-- shop/helpers.py --
def first(order, again=True):
    label = order.merchant.name
    if again:
        second(order)
    return label

def second(order):
    first(order, again=False)
    return order.customer.name
`

// RowAccesses answers the same whatever was asked before: a result found
// under another walk's cycle cut or depth bound is not kept for the next
// caller (the output changed from run to run with the order in which
// goroutines asked).
func TestRowAccessesDoNotDependOnOrder(t *testing.T) {
	ask := func(names ...string) map[string][]string {
		m := load(t, cycle)
		order := m.Graph.ByLabel("shop.Order")
		require.NotNil(t, order)
		out := map[string][]string{}
		for _, n := range names {
			out[n] = paths(m.RowAccesses(funcOf(t, m, "shop.helpers."+n), 0, order))
		}
		return out
	}
	a := ask("first", "second")
	b := ask("second", "first")
	assert.Equal(t, a, b)
	assert.Contains(t, a["second"], "customer")
}
