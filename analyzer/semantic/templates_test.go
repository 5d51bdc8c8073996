package semantic

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dump renders a parsed template's nodes compactly, for comparison.
func dump(ns []*TNode) string {
	var b strings.Builder
	var walk func([]*TNode)
	expr := func(e *TExpr) string {
		s := e.Var
		if e.IsLit {
			s = "'" + e.Lit + "'"
		}
		for _, f := range e.Filters {
			s += "|" + f.Name
			if f.Arg != nil {
				s += ":" + f.Arg.Var + f.Arg.Lit
			}
		}
		return s
	}
	exprs := func(es []*TExpr) string {
		var parts []string
		for _, e := range es {
			parts = append(parts, expr(e))
		}
		return strings.Join(parts, ",")
	}
	walk = func(ns []*TNode) {
		for i, n := range ns {
			if i > 0 {
				b.WriteString(" ")
			}
			switch n.Kind {
			case TVar:
				b.WriteString("{" + expr(n.Exprs[0]) + "}")
			case TFor:
				b.WriteString("for(" + strings.Join(n.Names, ",") + " in " + exprs(n.Exprs) + ")[")
				walk(n.Body)
				for _, br := range n.Branches {
					b.WriteString("|empty:")
					walk(br)
				}
				b.WriteString("]")
			case TIf:
				b.WriteString("if(" + exprs(n.Conds[0]) + ")[")
				walk(n.Body)
				for i, br := range n.Branches {
					b.WriteString("|(" + exprs(n.Conds[i+1]) + "):")
					walk(br)
				}
				b.WriteString("]")
			case TWith:
				b.WriteString("with(" + strings.Join(n.Names, ",") + "=" + exprs(n.Exprs) + ")[")
				walk(n.Body)
				b.WriteString("]")
			case TBlock:
				b.WriteString("block " + n.Name + "[")
				walk(n.Body)
				b.WriteString("]")
			case TInclude:
				b.WriteString("include " + n.Name + "(" + strings.Join(n.Names, ",") + "=" + exprs(n.Exprs) + ")")
				if n.Only {
					b.WriteString(" only")
				}
			case TExtends:
				b.WriteString("extends " + n.Name)
			case TTag:
				b.WriteString(n.Tag + "(" + exprs(n.Exprs) + ")")
				if len(n.Names) > 0 {
					b.WriteString(" as " + n.Names[0])
				}
			}
		}
	}
	walk(ns)
	return strings.TrimSpace(b.String())
}

func TestParseTemplate(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"var and filters", `<a>{{ check.project.name|default:"-"|truncatechars:30 }}</a>`,
			`{check.project.name|default:-|truncatechars:30}`},
		{"spaces around filters", `{{ eng.lead |default_if_none:""}}`, `{eng.lead|default_if_none:}`},
		{"for with empty", `{% for c in checks %}{{ c }}{% empty %}none{% endfor %}`, `for(c in checks)[{c}|empty:]`},
		{"for unpacking and reversed", `{% for k, v in d.items reversed %}{{ v }}{% endfor %}`, `for(k,v in d.items)[{v}]`},
		{"if elif else", `{% if a.b and not c %}1{% elif d == "x" %}{{ e }}{% else %}3{% endif %}`,
			`if(a.b,c)[|(d,'x'):{e}|():]`},
		{"with", `{% with order=discount.order n=1 %}{{ order.number }}{% endwith %}`,
			`with(order,n=discount.order,'1')[{order.number}]`},
		{"legacy with", `{% with customer.default_billing_address as addr %}{{ addr.city }}{% endwith %}`,
			`with(addr=customer.default_billing_address)[{addr.city}]`},
		{"include", `{% include "snippets/list.html" with engs=i_engs count=n only %}`,
			`include snippets/list.html(engs,count=i_engs,n) only`},
		{"extends and blocks", `{% extends "base.html" %}{% block content %}{{ x }}{% endblock content %}`,
			`extends base.html block content[{x}]`},
		{"url tag arguments", `{% url 'catalogue:detail' product_slug=review.product.slug pk=review.product.id as u %}`,
			`url('catalogue:detail',review.product.slug,review.product.id) as u`},
		{"comments and verbatim hide tags", `{# {{ a.b }} #}{% comment %}{{ c.d }}{% endcomment %}{% verbatim %}{{ e.f }}{% endverbatim %}{{ g }}`,
			`{g}`},
		{"named verbatim", `{% verbatim x %}{% endverbatim %}{{ h }}{% endverbatim x %}{{ i }}`, `{i}`},
		{"a tag does not span lines", "{{ a\n}} {% if x %}\n%}{{ y }}{% endif %}", `if(x)[{y}]`},
		{"unknown block tags are flat", `{% cache 60 k %}{{ a.b }}{% endcache %}`, `cache('60',k) {a.b}`},
		{"load and trans", `{% load i18n %}{% trans "Hi" as hi %}{{ hi }}`, `trans('Hi') as hi {hi}`},
		{"underscore names are not variables", `{{ a._secret }}{{ _b }}`, ``},
		{"translated literal", `{% firstof x _("none") %}`, `firstof(x,'none')`},
		{"regroup", `{% regroup items by category as grouped %}`, `regroup(items) as grouped`},
		{"ifchanged", `{% ifchanged p.date %}{{ p }}{% else %}-{% endifchanged %}`, `if(p.date)[{p}|():]`},
		{"blocktrans with", `{% blocktrans with name=user.profile.name %}Hi {{ name }}{% endblocktrans %}`,
			`with(name=user.profile.name)[{name}]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tpl := ParseTemplate("x.html", "templates/x.html", []byte(tc.src))
			assert.Equal(t, tc.want, dump(tpl.Nodes))
		})
	}
}

func TestParseTemplatePositions(t *testing.T) {
	src := "line one\n  {% for r in rows %}\n    {{ r.owner.email }}\n  {% endfor %}\n"
	tpl := ParseTemplate("x.html", "templates/x.html", []byte(src))
	require.Len(t, tpl.Nodes, 1)
	loop := tpl.Nodes[0]
	assert.Equal(t, 2, tpl.Line(loop.Start))
	assert.Equal(t, 3, tpl.Position(loop.Start).Column)
	v := loop.Body[0].Exprs[0]
	assert.Equal(t, "r.owner.email", string(tpl.Src[v.Start:v.End]))
	assert.Equal(t, 3, tpl.Line(v.Start))
	assert.Equal(t, 8, tpl.Position(v.Start).Column)
}

func TestParseTemplateExtends(t *testing.T) {
	tpl := ParseTemplate("c.html", "templates/c.html", []byte(`{% load static %}{# x #}{% extends "b.html" %}{% block a %}{% block inner %}{% endblock %}{% endblock %}`))
	require.NotNil(t, tpl.Extends)
	assert.Equal(t, "b.html", tpl.Extends.Name)
	assert.Contains(t, tpl.Blocks, "a")
	assert.Contains(t, tpl.Blocks, "inner")
	text := ParseTemplate("d.html", "templates/d.html", []byte(`<p>{% extends "b.html" %}`))
	assert.NotNil(t, text.Extends, "text may come before extends")
	late := ParseTemplate("d.html", "templates/d.html", []byte(`{{ x }}{% extends "b.html" %}`))
	assert.Nil(t, late.Extends, "extends must come first")
}

// Broken templates parse to something (unclosed tags close at the end),
// and nesting deeper than the parser reads is read flat, without failing.
func TestParseTemplateHostile(t *testing.T) {
	for _, src := range []string{
		"{% for x in %}{{ x.y }}{% endfor %}", "{% for %}", "{% if %}{% elif %}{% else %}", "{% endfor %}{% endif %}",
		"{{", "{%", "{% %}", "{{ }}", `{{ "unterminated }}`, "{% with a= %}{% endwith %}", "{% include %}",
		"{% for x in y %}{% if a %}{% endfor %}", strings.Repeat("{% if a %}", 5000) + "{{ b }}",
		strings.Repeat("{% for a in b %}", 3000), "{% verbatim %}{% for x in y %}", "{{ a|:x }}{{ |f }}{{ a||b }}",
	} {
		tpl := ParseTemplate("x.html", "x.html", []byte(src))
		assert.NotNil(t, tpl)
	}
}

func FuzzParseTemplate(f *testing.F) {
	for _, s := range []string{"{% for c in checks %}{{ c.project.name|default:'-' }}{% empty %}{% endfor %}",
		`{% include "a.html" with x=y only %}{% extends "b" %}{% block c %}{{ block.super }}{% endblock %}`,
		`{% if a and not b or c in d %}{% elif e %}{% else %}{% endif %}{% with a=b %}{% endwith %}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		tpl := ParseTemplate("x.html", "x.html", src)
		var walk func([]*TNode, int)
		walk = func(ns []*TNode, depth int) {
			require.LessOrEqual(t, depth, maxTemplateNesting+1)
			for _, n := range ns {
				for _, e := range n.Exprs {
					require.True(t, e.Start >= 0 && e.Start <= e.End && e.End <= len(src), "expression range")
				}
				walk(n.Body, depth+1)
				for _, br := range n.Branches {
					walk(br, depth+1)
				}
			}
		}
		walk(tpl.Nodes, 0)
	})
}
