package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A template edit misses the whole-result cache (templates are in its
// key) and then goes through per-file reuse: the findings that depend on
// the templates must not be replayed from before the edit.
func TestReuseSeesTemplateEdits(t *testing.T) {
	dir := tempProject(t, map[string]string{
		"shop/models.py": "from django.db import models\n\n\nclass Customer(models.Model):\n    name = models.CharField(max_length=100)\n\n\n" +
			"class Order(models.Model):\n    customer = models.ForeignKey(Customer, on_delete=models.CASCADE)\n    total = models.IntegerField()\n",
		"shop/views.py": "from django.shortcuts import render\n\nfrom shop.models import Order\n\n\n" +
			"def order_list(request):\n    orders = Order.objects.filter(total__gt=0)\n    return render(request, \"shop/orders.html\", {\"orders\": orders})\n",
		"shop/templates/shop/orders.html": "{% for order in orders %}{{ order.customer.name }}{% endfor %}\n",
	})
	cacheDir := filepath.Join(t.TempDir(), "cache")
	check := func() string {
		t.Helper()
		_, uncached, _ := run(t, "check", "--no-cache", "--select", "ORM013", ".")
		_, cached, _ := run(t, "check", "--cache-dir", cacheDir, "--select", "ORM013", ".")
		assert.Equal(t, uncached, cached)
		return cached
	}
	require.Contains(t, check(), "ORM013")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "shop/templates/shop/orders.html"),
		[]byte("{% for order in orders %}{{ order.total }}{% endfor %}\n"), 0o644))
	assert.NotContains(t, check(), "ORM013", "the template no longer reads the relation")
}
