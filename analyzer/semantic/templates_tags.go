package semantic

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// An inclusion tag (`@register.inclusion_tag("x.html", takes_context=True)`
// on `def display_message(context, message): return {"message": message,
// ...}`) renders its template once per use, with the names its returned
// dict binds. Where every return is a dict display whose values are the
// tag's parameters or constants, the walker follows `{% display_message m %}`
// as an include binding `message` to what `m` holds.

// inclusionTag is one tag the project registers.
type inclusionTag struct {
	template string
	params   []string          // the tag's parameters, without context
	binds    map[string]string // template name -> parameter it holds
	names    []string          // every name the dict binds (the rest hold something else)
	// fromCtx are names bound to the rendering context's value of a name
	// (`"list_type": context["list_type"]`, or context.get(...)).
	fromCtx map[string]string
}

type inclusionTags struct {
	byName map[string]*inclusionTag // nil entries: several tags of the name
}

var inclusionTagsOf = &project.ProjectAnalysis[*inclusionTags]{Name: "semantic.inclusion_tags", Run: buildInclusionTags}

func buildInclusionTags(ix *project.Index) *inclusionTags {
	out := &inclusionTags{byName: map[string]*inclusionTag{}}
	for _, u := range ix.Units {
		if u.Tree == nil || !strings.Contains(u.File.Rel, "templatetags") || RolesOf(u).Any(Test) {
			continue
		}
		root := u.Tree.Root()
		if !strings.Contains(root.Text(), "inclusion_tag") {
			continue
		}
		for def := range pyast.FindEach(root, "function_definition") {
			name, tag := readInclusionTag(def)
			if tag == nil {
				continue
			}
			if _, dup := out.byName[name]; dup {
				out.byName[name] = nil // which one a template loads is not read
				continue
			}
			out.byName[name] = tag
		}
	}
	return out
}

// readInclusionTag reads a function registered as an inclusion tag.
func readInclusionTag(def pyast.Node) (string, *inclusionTag) {
	for _, d := range pyast.Decorators(def) {
		c, ok := pyast.AsCall(d)
		if !ok || c.MethodName() != "inclusion_tag" {
			continue
		}
		tmpl, ok := pyast.StringValue(c.Arg(0, "filename"))
		if !ok {
			return "", nil
		}
		name := def.ChildByField("name").Text()
		if s, ok := pyast.StringValue(c.Keyword("name")); ok {
			name = s
		}
		var params []string
		for p := range def.ChildByField("parameters").Named() {
			if p.Type() != "identifier" {
				return "", nil // defaults, *args, keywords: positions not read
			}
			params = append(params, p.Text())
		}
		if v := c.Keyword("takes_context"); !v.IsNil() && v.Text() == "True" {
			if len(params) == 0 {
				return "", nil
			}
			params = params[1:]
		}
		ctxName := ""
		if v := c.Keyword("takes_context"); !v.IsNil() && v.Text() == "True" {
			ctxName = def.ChildByField("parameters").NamedChild(0).Text()
		}
		tag := &inclusionTag{template: tmpl, params: params, binds: map[string]string{}, fromCtx: map[string]string{}}
		returns := 0
		for r := range pyast.FindEachShallow(def, "return_statement") {
			returns++
			dict := pyast.Unparen(r.NamedChild(0))
			if dict.Type() != "dictionary" {
				return "", nil
			}
			for pair := range dict.Named() {
				k, ok := pyast.StringValue(pair.ChildByField("key"))
				if pair.Type() != "pair" || !ok {
					return "", nil
				}
				tag.names = append(tag.names, k)
				v := pyast.Unparen(pair.ChildByField("value"))
				if k2, ok := contextRead(v, ctxName); ok {
					tag.fromCtx[k] = k2
				}
				if v.Type() == "identifier" && contains(params, v.Text()) {
					if prev, seen := tag.binds[k]; seen && prev != v.Text() {
						return "", nil // returns disagree
					}
					tag.binds[k] = v.Text()
				}
			}
		}
		if returns == 0 {
			return "", nil
		}
		return name, tag
	}
	return "", nil
}

// inclusionTag follows a use of a project inclusion tag: its template is
// rendered in a scope of its own (Django renders it with the returned dict
// only), each name bound to what the argument for its parameter holds.
// Keyword arguments and tags used with `as` are not followed.
func (w *twalker) inclusionTag(n *TNode, sc *tscope, t *Template) bool {
	if w.m == nil || w.m.Index == nil || len(n.Names) > 0 || n.Keywords {
		return false
	}
	tag := inclusionTagsOf.Get(w.m.Index).byName[n.Tag]
	if tag == nil || len(n.Exprs) > len(tag.params) {
		return false
	}
	args := map[string]*tbind{}
	for i, e := range n.Exprs {
		args[tag.params[i]] = w.expr(e, useBind, sc, t)
	}
	inner := &tscope{vars: map[string]*tbind{}}
	for _, k := range tag.names {
		inner.vars[k] = nil
	}
	for k, p := range tag.binds {
		inner.vars[k] = args[p]
	}
	for k, outer := range tag.fromCtx {
		if v, ok := w.constOf(sc, outer); ok {
			inner.setConst(k, v)
		}
	}
	inc, suffix := w.set.Resolve(tag.template, t.Path, t.Name)
	if inc == nil {
		return true
	}
	prev := w.bySuffix
	w.bySuffix = w.bySuffix || suffix
	w.render(inc, inner)
	w.bySuffix = prev
	return true
}

// contextRead reads `context["k"]` and `context.get("k", ...)` on the tag's
// context parameter.
func contextRead(v pyast.Node, ctxName string) (string, bool) {
	if ctxName == "" {
		return "", false
	}
	if v.Type() == "subscript" && pyast.Dotted(v.ChildByField("value")) == ctxName {
		return pyast.StringValue(v.ChildByField("subscript"))
	}
	if c, ok := pyast.AsCall(v); ok && c.MethodName() == "get" && pyast.Dotted(c.Receiver()) == ctxName && len(c.Positional) > 0 {
		return pyast.StringValue(c.Positional[0])
	}
	return "", false
}
