package main

import (
	"bytes"
	"context"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/rules/all"
)

// A small project with one site of every fault kind.
var project = map[string]string{
	"shop/models.py": `from django.db import models


class Order(models.Model):
    status = models.CharField(max_length=10)
    total = models.IntegerField()
`,
	"shop/views.py": `import json

from django.http import JsonResponse

from .models import Order


def orders(request):
    rows = Order.objects.filter(status="open")
    return JsonResponse(json.loads(json.dumps([o.total for o in rows])), safe=False)
`,
	"shop/notify.py": `async def notify(url):
    return url


async def on_paid(order):
    await notify(order)
`,
	"shop/serializers.py": `from rest_framework import serializers

from .models import Order


class OrderSerializer(serializers.ModelSerializer):
    class Meta:
        model = Order
        fields = ["id", "status", "total"]
`,
	"shop/admin.py": `from django.contrib import admin

from .models import Order


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("status", "total")
`,
	"shop/money.py": `from decimal import Decimal


def cents(amount):
    return Decimal(amount) * 100
`,
	"shop/tests/test_views.py": `from shop.models import Order


def test_orders():
    assert Order.objects.filter(status="x").count() == 0
`,
}

func parseProject(t *testing.T) []*file {
	var files []*file
	for rel, src := range project {
		tree, err := pyast.Parse([]byte(src))
		require.NoError(t, err)
		files = append(files, &file{rel: rel, src: []byte(src), tree: tree})
	}
	sort.Slice(files, func(i, j int) bool { return files[i].rel < files[j].rel })
	return files
}

// findings runs the BUG rules in-process on a tree.
func findings(t *testing.T, files map[string][]byte) []finding {
	dir := t.TempDir()
	for rel, src := range files {
		require.NoError(t, write(dir, rel, src))
	}
	res, err := analyzer.Run(context.Background(), analyzer.Config{
		Rules: analyzer.Select(all.Rules(), []string{"BUG"}, nil), WorkDir: dir, Jobs: 1}, []string{dir})
	require.NoError(t, err)
	var out []finding
	for _, d := range res.Diagnostics {
		out = append(out, finding{Code: d.Code, Path: d.Path, Line: d.Pos.Line, Message: d.Message})
	}
	return out
}

// Every kind finds its site in the sample project (tests are never
// mutated), the faults change one place each, and the BUG rules report
// every one of them on the mutated copy and none on the original.
func TestInjectedFaultsAreCaught(t *testing.T) {
	files := parseProject(t)
	var product []*file
	for _, f := range files {
		if productPath(f.rel) {
			product = append(product, f)
		}
	}
	faults, edits := plan(product, 0)
	var got []string
	for _, f := range faults {
		got = append(got, f.Kind+" "+f.Code)
		assert.NotEqual(t, "shop/tests/test_views.py", f.Path)
	}
	sort.Strings(got)
	assert.Equal(t, []string{"admin-field BUG012", "dropped-await BUG004", "field-lookup BUG001", "removed-import BUG005",
		"serializer-field BUG002"}, got)

	orig, mutated := map[string][]byte{}, map[string][]byte{}
	for _, f := range files {
		orig[f.rel] = f.src
		mutated[f.rel] = f.src
		if e := edits[f.rel]; len(e) > 0 {
			mutated[f.rel] = apply(f.src, e)
			assert.Equal(t, bytes.Count(f.src, []byte("\n")), bytes.Count(mutated[f.rel], []byte("\n")), "line numbers are kept")
		}
	}
	res := verdicts(faults, findings(t, orig), findings(t, mutated))
	for _, r := range res {
		assert.True(t, r.Caught, "%s at %s:%d (%s) not reported", r.Kind, r.Path, r.Line, r.Change)
		assert.False(t, r.Before, "%s at %s:%d reported before the fault", r.Kind, r.Path, r.Line)
	}
}

func productPath(rel string) bool { return product(rel) }

func TestTypo(t *testing.T) {
	assert.Equal(t, "sattus", typo("status", map[string]bool{"status": true}))
	assert.Equal(t, "stauts", typo("status", map[string]bool{"status": true, "sattus": true, "sttaus": true}))
	assert.Equal(t, "idd", typo("id", map[string]bool{"id": true}))
}

func TestApplyKeepsOtherBytes(t *testing.T) {
	src := []byte("abcdef")
	assert.Equal(t, "aXcdYf", string(apply(src, []edit{{1, 2, "X"}, {4, 5, "Y"}})))
	assert.Equal(t, "abcdef", string(src))
}

// A removed import counts as caught when rubric names the lost name in
// that file, at an earlier use than the injector's (an evaluated
// annotation), but not a finding about another name.
func TestRemovedImportMatchesByName(t *testing.T) {
	f := Fault{Kind: "removed-import", Path: "cms/pool.py", Line: 40, Code: "BUG005", Name: "defaultdict"}
	early := []finding{{Code: "BUG005", Path: "cms/pool.py", Line: 34, Message: "`defaultdict` is not defined: nothing in this file binds it"}}
	other := []finding{{Code: "BUG005", Path: "cms/pool.py", Line: 34, Message: "`lru_cache` is not defined: nothing in this file binds it"}}
	assert.True(t, verdicts([]Fault{f}, nil, early)[0].Caught)
	assert.False(t, verdicts([]Fault{f}, nil, other)[0].Caught)
	f.Name = "" // other kinds match by line only
	assert.False(t, verdicts([]Fault{f}, nil, early)[0].Caught)
}
