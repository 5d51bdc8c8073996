package semantic

import (
	"slices"
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
	// qual is the tag function's qualified name; ctx is set when it takes
	// the context first (takes_context=True).
	qual     string
	ctx      bool
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
	// simple are the project's simple tags (`@register.simple_tag`), by
	// name: their function runs once per use, with the use's arguments.
	simple map[string]*inclusionTag
	// filters are the project's template filters (`@register.filter`),
	// by name: their function runs once per use, with the filtered value
	// first (patchwork's `{{ patch|patch_checks }}` reading
	// patch.check_count).
	filters map[string]*inclusionTag
}

var inclusionTagsOf = &project.ProjectAnalysis[*inclusionTags]{Name: "semantic.inclusion_tags", Run: buildInclusionTags}

func buildInclusionTags(ix *project.Index) *inclusionTags {
	out := &inclusionTags{byName: map[string]*inclusionTag{}, simple: map[string]*inclusionTag{}, filters: map[string]*inclusionTag{}}
	for _, u := range ix.Units {
		if u.Tree == nil || !strings.Contains(u.File.Rel, "templatetags") || RolesOf(u).Any(Test) {
			continue
		}
		root := u.Tree.Root()
		text := root.Text()
		if !strings.Contains(text, "inclusion_tag") && !strings.Contains(text, "simple_tag") && !strings.Contains(text, "filter") {
			continue
		}
		for def := range pyast.FindEach(root, "function_definition") {
			if name, ok := readFilter(def); ok {
				if _, dup := out.filters[name]; dup {
					out.filters[name] = nil // which one a template loads is not read
					continue
				}
				out.filters[name] = &inclusionTag{qual: u.Module + "." + def.ChildByField("name").Text()}
				continue
			}
			if name, tag := readSimpleTag(def); tag != nil {
				tag.qual = u.Module + "." + def.ChildByField("name").Text()
				if _, dup := out.simple[name]; dup {
					out.simple[name] = nil
					continue
				}
				out.simple[name] = tag
				continue
			}
			name, tag := readInclusionTag(def)
			if tag == nil {
				continue
			}
			tag.qual = u.Module + "." + def.ChildByField("name").Text()
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
		tag := &inclusionTag{template: tmpl, params: params, binds: map[string]string{}, fromCtx: map[string]string{}, ctx: ctxName != ""}
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

// readFilter reads a function registered as a template filter
// (`@register.filter`, `@register.filter(name="x")`,
// `@register.filter("x")`, `@register.filter(is_safe=True)`): its name.
func readFilter(def pyast.Node) (string, bool) {
	for _, d := range pyast.Decorators(def) {
		name := def.ChildByField("name").Text()
		if c, ok := pyast.AsCall(d); ok {
			if c.MethodName() != "filter" || pyast.Dotted(c.Receiver()) != "register" {
				continue
			}
			if s, ok := pyast.StringValue(c.Arg(0, "name")); ok {
				name = s
			}
			return name, true
		}
		if pyast.Dotted(d) == "register.filter" {
			return name, true
		}
	}
	return "", false
}

// readSimpleTag reads a function registered as a simple tag
// (`@register.simple_tag`, `@register.simple_tag(takes_context=True)` or
// with a name): its parameters, without the context.
func readSimpleTag(def pyast.Node) (string, *inclusionTag) {
	for _, d := range pyast.Decorators(def) {
		name := def.ChildByField("name").Text()
		ctx := false
		if c, ok := pyast.AsCall(d); ok {
			if c.MethodName() != "simple_tag" {
				continue
			}
			if s, ok := pyast.StringValue(c.Keyword("name")); ok {
				name = s
			}
			ctx = c.Keyword("takes_context").Text() == "True"
		} else if d.Type() != "attribute" || d.ChildByField("attribute").Text() != "simple_tag" {
			continue
		}
		var params []string
		for p := range def.ChildByField("parameters").Named() {
			if p.Type() != "identifier" {
				return "", nil // defaults, *args, keywords: positions not read
			}
			params = append(params, p.Text())
		}
		if ctx {
			if len(params) == 0 {
				return "", nil
			}
			params = params[1:]
		}
		return name, &inclusionTag{params: params, ctx: ctx}
	}
	return "", nil
}

// tagArgs binds a tag use's arguments to the tag's parameters, by
// position or by keyword; ok is false for an argument no parameter takes.
func tagArgs(n *TNode, params []string) (names []string, ok bool) {
	if len(n.Exprs) > len(params) {
		return nil, false
	}
	for i := range n.Exprs {
		p := params[i]
		if i < len(n.ArgNames) && n.ArgNames[i] != "" {
			p = n.ArgNames[i]
			if !contains(params, p) {
				return nil, false
			}
		}
		names = append(names, p)
	}
	return names, true
}

// tagCalls records what a project tag's function reads, per call, of the
// rows its arguments hold: a use inside a loop runs the function once per
// row (`{% os_release_files release=r %}` whose function runs
// `release.files_for_os(os_slug)`).
func (w *twalker) tagCalls(tag *inclusionTag, names []string, binds []*tbind, exprs []*TExpr, t *Template) {
	fn := w.m.LookupFunc(tag.qual)
	if fn == nil {
		return
	}
	for i, b := range binds {
		if b == nil || b.rows || b.tuple || b.groups || b.group || b.model == nil || !b.perRow {
			continue
		}
		idx := slices.Index(fn.Params, names[i])
		if idx < 0 {
			continue
		}
		w.deepAt(b, exprs[i].Var, fn, idx, exprs[i], t)
	}
}

// simpleTag follows a use of a project simple tag: its arguments are
// evaluated as a tag's are, and its function's reads of the rows they hold
// count per row.
func (w *twalker) simpleTag(n *TNode, sc *tscope, t *Template) bool {
	if w.m == nil || w.m.Index == nil {
		return false
	}
	tag := inclusionTagsOf.Get(w.m.Index).simple[n.Tag]
	if tag == nil {
		return false
	}
	names, ok := tagArgs(n, tag.params)
	if !ok {
		return false
	}
	binds := make([]*tbind, len(n.Exprs))
	for i, e := range n.Exprs {
		binds[i] = w.expr(e, useArg, sc, t)
	}
	w.tagCalls(tag, names, binds, n.Exprs, t)
	for _, name := range n.Names {
		sc.vars[name] = nil // `as name` binds something else
	}
	return true
}

// inclusionTag follows a use of a project inclusion tag: its template is
// rendered in a scope of its own (Django renders it with the returned dict
// only), each name bound to what the argument for its parameter holds, and
// what its function reads of those rows counts per row. Tags used with
// `as` are not followed.
func (w *twalker) inclusionTag(n *TNode, sc *tscope, t *Template) bool {
	if w.m == nil || w.m.Index == nil || len(n.Names) > 0 {
		return false
	}
	tag := inclusionTagsOf.Get(w.m.Index).byName[n.Tag]
	if tag == nil {
		return false
	}
	names, ok := tagArgs(n, tag.params)
	if !ok {
		return false
	}
	args := map[string]*tbind{}
	binds := make([]*tbind, len(n.Exprs))
	for i, e := range n.Exprs {
		binds[i] = w.expr(e, useBind, sc, t)
		args[names[i]] = binds[i]
	}
	w.tagCalls(tag, names, binds, n.Exprs, t)
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
