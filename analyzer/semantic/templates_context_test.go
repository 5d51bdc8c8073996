package semantic

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// ctxOf describes a file's renderings: "name: key=rows(Model select prefetch) key=row(Model)".
func ctxOf(f *File) []string {
	var out []string
	for _, r := range f.Renders() {
		var parts []string
		for _, cv := range r.Context {
			switch {
			case cv.Rows != nil:
				parts = append(parts, fmt.Sprintf("%s=rows(%s %v %v%s)", cv.Key, cv.Rows.Model.Name, cv.Rows.Select, cv.Rows.Prefetch, cv.Back))
			case cv.Row != nil:
				parts = append(parts, fmt.Sprintf("%s=row(%s %v)", cv.Key, cv.Row.Name, cv.RowKnown))
			default:
				parts = append(parts, cv.Key+"=?")
			}
		}
		sort.Strings(parts)
		out = append(out, strings.Join(r.Names, "|")+": "+strings.Join(parts, " "))
	}
	return out
}

func TestRenders(t *testing.T) {
	m := load(t, tshop+`
-- shop/utils.py --
from django.core.paginator import Paginator


def paginate(queryset, per_page, page=None):
    paginator = Paginator(queryset, per_page)
    try:
        queryset = paginator.page(page)
    except Exception:
        queryset = paginator.page(1)
    return queryset, paginator


def page_items(request, items, size):
    return page_items_and_count(request, items, size)


def page_items_and_count(request, items, size):
    paginator = Paginator(items, size)
    page = paginator.get_page(request.GET.get("page"))
    return page


def prefetch_for_orders(orders):
    prefetched = orders
    if isinstance(orders, QuerySet):
        prefetched = prefetched.select_related("customer")
        prefetched = prefetched.annotate(n=Count("lines"))
        prefetched = prefetched.annotate(m=Count("lines"))
        prefetched = prefetched.annotate(o=Count("lines"))
        prefetched = prefetched.annotate(p=Count("lines"))
        prefetched = prefetched.annotate(q=Count("lines"))
        prefetched = prefetched.annotate(r=Count("lines"))
        prefetched = prefetched.prefetch_related("lines")
    return prefetched
-- shop/filters.py --
from django_filters import FilterSet


class OrderFilter(FilterSet):
    pass
-- shop/views.py --
from django.shortcuts import get_object_or_404, render
from django.template import loader
from django.views.generic import DetailView, ListView, View

from shop.filters import OrderFilter
from shop.models import Customer, Order
from shop.utils import page_items, paginate, prefetch_for_orders


def plain(request):
    ctx = {"orders": Order.objects.select_related("customer"), "n": 1}
    ctx.update(customer=get_object_or_404(Customer, pk=1))
    ctx["mine"] = ctx_customer(request).order_set.order_by("-id")
    return render(request, "a.html", ctx)


def ctx_customer(request):
    return get_object_or_404(Customer, pk=1)


def paged(request):
    orders, paginator = paginate(Order.objects.all(), 20)
    return render(request, ["b.html", "c.html"], {"orders": orders, "paginator": paginator})


def helpers(request):
    f = OrderFilter(request.GET, queryset=Order.objects.select_related("customer"))
    page = page_items(request, f.qs, 10)
    page.object_list = prefetch_for_orders(page.object_list)
    return loader.get_template("d.html").render({"page": page}, request)


def not_a_render(request):
    return loader.get_template("e.html")


class OrderList(ListView):
    queryset = Order.objects.prefetch_related("lines")
    context_object_name = "orders"
    template_name = "shop/orders.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["extra"] = Customer.objects.all()
        return ctx


class CustomerDetail(DetailView):
    model = Customer


class Dashboard(View):
    template_name = "dashboard.html"

    def get(self, request):
        return render(request, self.template_name, {"orders": Order.objects.all()})

    def post(self, request):
        return self.render_to_response({"customers": Customer.objects.all()})
`)
	f := fileOf(t, m, "shop/views.py")
	assert.Equal(t, []string{
		"a.html: customer=row(Customer true) mine=rows(Order [] []customer) n=? orders=rows(Order [customer] [])",
		"b.html|c.html: orders=rows(Order [] []) paginator=?",
		"d.html: page=rows(Order [customer customer] [lines])",
		"dashboard.html: orders=rows(Order [] [])",
		"dashboard.html: customers=rows(Customer [] [])",
		// Class-based views.
		"shop/orders.html: extra=rows(Customer [] []) object_list=rows(Order [] [lines]) order_list=rows(Order [] [lines]) orders=rows(Order [] [lines]) page_obj=rows(Order [] [lines])",
		"shop/customer_detail.html: customer=row(Customer true) object=row(Customer true)",
		"dashboard.html: ",
	}, ctxOf(f))
}
