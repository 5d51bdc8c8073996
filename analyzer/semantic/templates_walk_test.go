package semantic

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/tools/txtar"

	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/source"
)

const tshop = `
-- shop/models.py --
from django.contrib.auth.models import User
from django.db import models


class Region(models.Model):
    name = models.CharField(max_length=10)


class Customer(models.Model):
    name = models.CharField(max_length=10)
    region = models.ForeignKey(Region, on_delete=models.CASCADE)
    user = models.OneToOneField(User, on_delete=models.CASCADE)

    def __str__(self):
        return self.region.name


class Order(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE)
    shipper = models.ForeignKey(Customer, null=True, related_name="shipments", on_delete=models.SET_NULL)

    @property
    def region_name(self):
        return self.customer.region.name

    def label(self, prefix):
        return prefix + self.customer.name


class Line(models.Model):
    order = models.ForeignKey(Order, related_name="lines", on_delete=models.CASCADE)


class Project(models.Model):
    owner = models.ForeignKey(User, on_delete=models.CASCADE)
`

// accessesOf walks src with one root bound to rows of model (or one row)
// and renders the accesses as "kind path (shown)".
func accessesOf(t *testing.T, m *Model, model, src string, rows, perRow bool) []string {
	t.Helper()
	md := m.Graph.ByQual("shop.models." + model)
	require.NotNil(t, md)
	tpl := ParseTemplate("x.html", "templates/x.html", []byte(src))
	key := "rows"
	if !rows {
		key = "row"
	}
	var out []string
	for _, a := range m.TemplateAccesses(nil, tpl, false, []TRoot{{Key: key, Model: md, Rows: rows, PerRow: perRow}}) {
		s := fmt.Sprintf("%d %s (%s)", a.Kind, a.Path, a.Shown)
		if a.Func != nil {
			s += " in " + a.Func.Name
		}
		if len(a.Loops) > 0 {
			var vs []string
			for _, l := range a.Loops {
				vs = append(vs, l.Var)
			}
			s += " loops " + strings.Join(vs, ",")
		}
		out = append(out, s)
	}
	return out
}

func TestTemplateAccesses(t *testing.T) {
	m := load(t, tshop)
	F, M, C := int(Forward), int(Manager), int(Count)
	for _, tc := range []struct {
		name, model, src string
		rows, perRow     bool
		want             []string
	}{
		{"chain per row", "Order", `{% for o in rows %}{{ o.customer.region.name }}{{ o.customer_id }}{% endfor %}`, true, false,
			[]string{fmt.Sprintf("%d customer (o.customer) loops o", F), fmt.Sprintf("%d customer__region (o.customer.region) loops o", F)}},
		{"outside the loop nothing is per row", "Order", `{{ rows.customer }}{% for o in rows %}{% endfor %}{{ o.customer }}`, true, false, nil},
		{"bare row renders __str__", "Order", `{% for o in rows %}{{ o.customer|default:"-" }}{% endfor %}`, true, false,
			[]string{fmt.Sprintf("%d customer (o.customer) loops o", F), fmt.Sprintf("%d customer__region (o.customer.region) in __str__ loops o", F)}},
		{"a test does not render", "Order", `{% for o in rows %}{% if o.customer %}x{% endif %}{% endfor %}`, true, false,
			[]string{fmt.Sprintf("%d customer (o.customer) loops o", F)}},
		{"properties, and methods needing arguments", "Order", `{% for o in rows %}{{ o.region_name }}{{ o.label }}{% endfor %}`, true, false,
			[]string{fmt.Sprintf("%d customer (o.customer) in region_name loops o", F), fmt.Sprintf("%d customer__region (o.customer.region) in region_name loops o", F)}},
		{"managers: count, iteration, nested rows", "Order", `{% for o in rows %}{{ o.lines.count }}{% if o.lines %}{% endif %}{% for l in o.lines.all %}{{ l.order.shipper_id }}{% endfor %}{% endfor %}`, true, false,
			[]string{fmt.Sprintf("%d lines (o.lines.count) loops o", C), fmt.Sprintf("%d lines (o.lines.all) loops o", M)}},
		{"a reverse foreign key's rows know their owner", "Order", `{% for o in rows %}{% for l in o.lines.all %}{{ l.order.shipper.name }}{% endfor %}{% endfor %}`, true, false,
			[]string{fmt.Sprintf("%d lines (o.lines.all) loops o", M), fmt.Sprintf("%d shipper (l.order.shipper) loops o", F)}},
		{"a method reading the owner back", "Region", `{% for c in row.customer_set.all %}{{ c }}{% endfor %}`, false, false, nil},
		{"one row: only nested loops are per row", "Customer", `{{ row.region.name }}{% for o in row.order_set.all %}{{ o.customer.region }}{{ o.shipper.name }}{% endfor %}`, false, false,
			[]string{fmt.Sprintf("%d order_set__shipper (o.shipper) loops o", F)}},
		{"a row rendered per row (admin column)", "Customer", `{{ row.region.name }}`, false, true,
			[]string{fmt.Sprintf("%d region (row.region) ", F)}},
		{"with and include bindings", "Order", `{% for o in rows %}{% with c=o.customer %}{{ c.name }}{% endwith %}{% endfor %}`, true, false,
			[]string{fmt.Sprintf("%d customer (o.customer) loops o", F)}},
		{"shadowing", "Order", `{% for o in rows %}{% with o=o.pk %}{{ o.customer }}{% endwith %}{% url "x" as o %}{{ o.customer }}{% endfor %}`, true, false, nil},
		{"relations of models outside the tree", "Customer", `{% for c in rows %}{% for p in c.user.project_set.all %}{% endfor %}{% endfor %}`, true, false,
			[]string{fmt.Sprintf("%d user (c.user) loops c", F), fmt.Sprintf("%d user__project_set (c.user.project_set.all) loops c", M)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := accessesOf(t, m, tc.model, tc.src, tc.rows, tc.perRow)
			for i := range got {
				got[i] = strings.TrimSuffix(got[i], " ")
			}
			for i := range tc.want {
				tc.want[i] = strings.TrimSuffix(tc.want[i], " ")
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

// benchTemplate is a listing page: a loop over rows with relation chains,
// filters, a nested loop, includes of nothing and tags, repeated.
func benchTemplate() []byte {
	var b strings.Builder
	b.WriteString(`{% extends "base.html" %}{% load i18n %}{% block content %}`)
	for i := 0; i < 200; i++ {
		b.WriteString(`<table>{% for o in rows %}<tr><td>{{ o.customer.name|default:"-" }}</td>
<td>{% if o.customer.region %}{{ o.customer }}{% else %}{% trans "none" %}{% endif %}</td>
<td>{{ o.region_name }} {{ o.lines.count }} {% url "order" pk=o.pk as u %}<a href="{{ u }}">x</a></td>
{% for l in o.lines.all %}{% with ord=l.order %}{{ ord.customer_id }}{% endwith %}{% endfor %}
{# a comment {{ o.customer }} #}</tr>{% empty %}<tr><td>{% trans "No rows" %}</td></tr>{% endfor %}</table>
`)
	}
	b.WriteString(`{% endblock %}`)
	return []byte(b.String())
}

func BenchmarkParseTemplate(b *testing.B) {
	src := benchTemplate()
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		ParseTemplate("x.html", "templates/x.html", src)
	}
}

func BenchmarkTemplateAccesses(b *testing.B) {
	m := loadB(b, tshop)
	md := m.Graph.ByQual("shop.models.Order")
	tpl := ParseTemplate("x.html", "templates/x.html", benchTemplate())
	tpl.Extends = nil // no parent in this set
	roots := []TRoot{{Key: "rows", Model: md, Rows: true}}
	b.ResetTimer()
	for b.Loop() {
		if len(m.TemplateAccesses(nil, tpl, false, roots)) == 0 {
			b.Fatal("no accesses")
		}
	}
}

// loadB is load for benchmarks and fuzz targets.
func loadB(b testing.TB, archive string) *Model {
	b.Helper()
	ar := txtar.Parse([]byte(archive))
	var facts []*project.Facts
	for _, f := range ar.Files {
		tree, err := pyast.Parse(f.Data)
		if err != nil {
			b.Fatal(err)
		}
		facts = append(facts, project.Extract(project.NewUnit(source.New(f.Name, f.Name, f.Data), tree, f.Name)))
	}
	return Build(project.Build(facts))
}

// Any template walks without failing, within its budgets, and every
// access points inside the template.
func FuzzTemplateAccesses(f *testing.F) {
	for _, s := range []string{
		`{% for o in rows %}{{ o.customer.region }}{% for l in o.lines.all %}{{ l.order }}{% endfor %}{% endfor %}`,
		`{% with c=rows.0.customer %}{% include "x.html" with o=c only %}{% endwith %}{% block b %}{{ block.super }}{% endblock %}`,
		`{% for o in rows %}{% if o.lines.count > 1 %}{{ o.region_name|default:o.customer }}{% endif %}{% endfor %}`,
	} {
		f.Add([]byte(s))
	}
	m := loadB(f, tshop)
	md := m.Graph.ByQual("shop.models.Order")
	f.Fuzz(func(t *testing.T, src []byte) {
		tpl := ParseTemplate("x.html", "templates/x.html", src)
		set := NewTemplateSet(nil)
		for _, a := range m.TemplateAccesses(set, tpl, false, []TRoot{{Key: "rows", Model: md, Rows: true}, {Key: "row", Model: md}}) {
			require.True(t, a.Start >= 0 && a.Start <= a.End && a.End <= len(src))
		}
	})
}
