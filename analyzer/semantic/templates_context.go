package semantic

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// This file connects Python to templates: the calls that render a
// template with a context (render, TemplateResponse, render_to_string,
// get_template(...).render), and class-based views (template_name, the
// context ListView and DetailView build from the view's queryset, and
// what get_context_data adds), with each context value evaluated.

// Render is a place Python code renders a template with a context.
type Render struct {
	File *File
	// At is where a finding about the rendering goes: the render call, or
	// for a class-based view its queryset or template_name.
	At pyast.Node
	// Func is the function holding the render call (nil for a
	// class-based view); Class the class-based view, or the class of Func.
	Func  *Func
	Class *Class
	// Names are the template names, in the order Django tries them.
	Names   []string
	Context []*CtxValue
}

// CtxValue is one value of a rendering's context.
type CtxValue struct {
	Key string
	// Node is the value expression, in File (the zero Node for values a
	// class-based view makes itself: object_list, object).
	Node pyast.Node
	File *File
	// Rows is the queryset whose rows iterating the value yields (a
	// queryset, a list or page of one), nil otherwise.
	Rows *QS
	// Row is the model of a value holding one row; RowQS the queryset it
	// was fetched from (nil when fetched without one, or unknown:
	// RowKnown then says which).
	Row      *project.Model
	RowQS    *QS
	RowKnown bool
	// Back is the foreign key Django sets on Rows read through a reverse
	// foreign key manager (`user.project_set.all()` sets each `owner`).
	Back string
	// Tuple is set when the value is a list of tuples holding each row
	// of Rows at position Elem (tupleRows).
	Tuple bool
	Elem  int
	// TupleRows are the querysets the tuples hold at other positions,
	// built per row (appendedTuples).
	TupleRows []TupleRows
}

// renderFuncs are the callables that render a template, by qualified
// name: the index of the template name argument and of the context.
var renderFuncs = map[string][2]int{
	"django.shortcuts.render":                         {1, 2},
	"django.shortcuts.render_to_response":             {0, 1},
	"django.template.response.TemplateResponse":       {1, 2},
	"django.template.response.SimpleTemplateResponse": {0, 1},
	"django.template.loader.render_to_string":         {0, 1},
	// Loaders: a render only with .render(context) (see RenderCalls).
	"django.template.loader.get_template":    {0, -1},
	"django.template.loader.select_template": {0, -1},
}

// renderCallee returns the argument positions of a render call: the
// template name's and the context's (-1 when absent).
func (f *File) renderCallee(c pyast.Call) (name, ctxArg int, ok bool) {
	q, resolved := f.Unit.Imports.Resolve(c.Func)
	if !resolved {
		// Not imported: a bare Django name only when no project
		// function answers to it.
		if fn, _ := f.staticCallee(c.Node); fn != nil {
			return 0, 0, false
		}
		switch pyast.Dotted(c.Func) {
		case "render", "shortcuts.render":
			q = "django.shortcuts.render"
		case "render_to_string", "loader.render_to_string":
			q = "django.template.loader.render_to_string"
		case "TemplateResponse":
			q = "django.template.response.TemplateResponse"
		}
	}
	pos, ok := renderFuncs[q]
	if !ok {
		return 0, 0, false
	}
	return pos[0], pos[1], true
}

// Renders returns the renderings of the file: render calls in its
// functions, and its class-based views.
func (f *File) Renders() []*Render {
	var out []*Render
	for _, fn := range f.Funcs {
		out = append(out, f.RenderCalls(fn)...)
	}
	for _, c := range f.Classes {
		if r := f.classView(c); r != nil {
			out = append(out, r)
		}
	}
	return out
}

// RenderCalls returns the render calls of a function's own body, with
// their context.
func (f *File) RenderCalls(fn *Func) []*Render {
	var out []*Render
	for _, call := range ownNodes(pyast.Body(fn.Node), "call") {
		c, _ := pyast.AsCall(call)
		var nameNode, ctxNode pyast.Node
		var names []string
		switch {
		case c.MethodName() == "render_to_response" && c.Func.Type() == "attribute" && IsSelfOrSuper(c.Receiver()) && fn.Class != nil:
			// A class-based view's self.render_to_response(context): its
			// template_name.
			if v, decl := fn.Class.Attr("template_name"); !v.IsNil() {
				names = decl.File.templateNames(v)
			}
			ctxNode = c.Arg(0, "context")
		case c.MethodName() == "render" && c.Func.Type() == "attribute":
			// get_template("x.html").render(context, request)
			tc, ok := pyast.AsCall(f.bound(c.Receiver()))
			if !ok {
				continue
			}
			ni, ci, ok := f.renderCallee(tc)
			if !ok || ci >= 0 {
				continue
			}
			nameNode, ctxNode = tc.Arg(ni, "template_name"), c.Arg(0, "context")
		default:
			ni, ci, ok := f.renderCallee(c)
			if !ok || ci < 0 {
				continue
			}
			nameNode = c.Arg(ni, "template_name")
			if ci >= 0 {
				ctxNode = c.Arg(ci, "context")
				if ctxNode.IsNil() {
					ctxNode = c.Keyword("dictionary")
				}
			}
		}
		if len(names) == 0 {
			names = f.templateNames(nameNode)
			if len(names) == 0 && fn.Class != nil {
				// render(request, self.template_name, ctx)
				if n := pyast.Unparen(nameNode); n.Type() == "attribute" && pyast.Dotted(n.ChildByField("object")) == "self" {
					if v, decl := fn.Class.Attr(n.ChildByField("attribute").Text()); !v.IsNil() {
						names = decl.File.templateNames(v)
					}
				}
			}
		}
		if len(names) == 0 {
			continue
		}
		r := &Render{File: f, At: call, Func: fn, Class: fn.Class, Names: names}
		if !ctxNode.IsNil() {
			for _, e := range f.dictEntries(ctxNode, call.StartByte(), 0) {
				r.Context = append(r.Context, f.ctxValue(e.key, e.val))
			}
		}
		out = append(out, r)
	}
	return out
}

// paramDefault returns the default value of the enclosing function's
// parameter that identifier n names (n itself when there is none).
func paramDefault(n pyast.Node) pyast.Node {
	fn := pyast.EnclosingFunction(n)
	if fn.IsNil() {
		return n
	}
	for p := range fn.ChildByField("parameters").Named() {
		if !p.Is("default_parameter", "typed_default_parameter") || p.ChildByField("name").Text() != n.Text() {
			continue
		}
		return pyast.Unparen(p.ChildByField("value"))
	}
	return n
}

// bound follows a local name to the value it was last bound to.
func (f *File) bound(n pyast.Node) pyast.Node {
	n = pyast.Unparen(n)
	for i := 0; i < 4 && n.Type() == "identifier"; i++ {
		rhs := f.Binding(n, n.Text(), n.StartByte())
		if rhs.IsNil() {
			break
		}
		n = pyast.Unparen(rhs)
	}
	return n
}

// templateNames reads a template name argument: a string, a list or tuple
// of strings (select_template's order), or a local name bound to one.
func (f *File) templateNames(n pyast.Node) []string {
	n = f.bound(n)
	if n.Type() == "identifier" {
		// `def recent(request, template_name="profile/recent.html")`:
		// the function view's default, which URLconfs rarely override.
		n = paramDefault(n)
	}
	if s, ok := pyast.StringValue(n); ok && s != "" {
		return []string{s}
	}
	if n.Is("list", "tuple") {
		var out []string
		for e := range n.Named() {
			if s, ok := pyast.StringValue(e); ok && s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

type dictEntry struct {
	key string
	val pyast.Node
}

// dictEntries reads the string-keyed entries of a context expression: a
// dict literal (with its ** splats), dict(k=v), or a local name bound to
// one and then filled (`ctx["k"] = v`, `ctx.update(...)`) before at.
func (f *File) dictEntries(n pyast.Node, at int, depth int) []dictEntry {
	if depth > 4 {
		return nil
	}
	n = pyast.Unparen(n)
	var out []dictEntry
	switch n.Type() {
	case "dictionary":
		for kid := range n.Named() {
			switch kid.Type() {
			case "pair":
				if k, ok := pyast.StringValue(kid.ChildByField("key")); ok {
					out = append(out, dictEntry{k, kid.ChildByField("value")})
				}
			case "dictionary_splat":
				out = append(out, f.dictEntries(kid.NamedChild(0), at, depth+1)...)
			}
		}
	case "call":
		c, _ := pyast.AsCall(n)
		if i := contextWrapper(f, c); i >= 0 {
			// Django < 1.10: render_to_response(name, RequestContext(request, {...})).
			if d := c.Arg(i, "dict_"); !d.IsNil() {
				out = append(out, f.dictEntries(d, at, depth+1)...)
			}
			return out
		}
		if localsCall(c) {
			return f.localsEntries(n, at)
		}
		if arg := f.mergedDictArg(n); !arg.IsNil() {
			return f.dictEntries(arg, n.StartByte(), depth+1)
		}
		if c.Func.Type() == "identifier" && c.Func.Text() == "dict" {
			if len(c.Positional) == 1 {
				out = append(out, f.dictEntries(c.Positional[0], at, depth+1)...)
			}
			for kw := range n.ChildByField("arguments").Named() {
				if kw.Type() == "keyword_argument" {
					out = append(out, dictEntry{kw.ChildByField("name").Text(), kw.ChildByField("value")})
				}
			}
		} else if depth > 0 {
			out = append(out, f.helperDictEntries(n)...) // `ctx.update(paginate(request, qs))`
		}
	case "binary_operator":
		// `super().get_context_data(**kwargs) | {...}`: the right side's
		// keys win.
		if n.ChildByField("operator").Text() == "|" {
			if l := pyast.Unparen(n.ChildByField("left")); l.Type() != "call" {
				out = append(out, f.dictEntries(l, at, depth+1)...) // super()'s context is read apart
			}
			out = append(out, f.dictEntries(n.ChildByField("right"), at, depth+1)...)
		}
	case "identifier":
		name := n.Text()
		rhs := f.Binding(n, name, at)
		if rhs.IsNil() {
			return nil
		}
		out = append(out, f.dictEntries(rhs, rhs.StartByte(), depth+1)...)
		out = append(out, f.dictUpdates(n, name, rhs.EndByte(), at)...)
	}
	return out
}

// dictUpdates reads what a function does to a dict held by name between
// two offsets: `name["k"] = v`, `name.update({...})`, `name.update(k=v)`.
func (f *File) dictUpdates(n pyast.Node, name string, from, to int) []dictEntry {
	var out []dictEntry
	scope := ScopeOf(n)
	for a := range pyast.FindEachShallow(scope, "assignment", "call") {
		if a.StartByte() < from || a.EndByte() > to {
			continue
		}
		if a.Type() == "assignment" {
			l := a.ChildByField("left")
			if l.Type() != "subscript" || pyast.Dotted(l.ChildByField("value")) != name {
				continue
			}
			if k, ok := pyast.StringValue(l.ChildByField("subscript")); ok {
				out = append(out, dictEntry{k, a.ChildByField("right")})
			}
			continue
		}
		c, _ := pyast.AsCall(a)
		if c.MethodName() != "update" || pyast.Dotted(c.Receiver()) != name {
			continue
		}
		if len(c.Positional) == 1 {
			out = append(out, f.dictEntries(c.Positional[0], a.StartByte(), 1)...)
		}
		for kw := range a.ChildByField("arguments").Named() {
			if kw.Type() == "keyword_argument" {
				out = append(out, dictEntry{kw.ChildByField("name").Text(), kw.ChildByField("value")})
			}
		}
	}
	return out
}

// ctxValue evaluates one context value.
func (f *File) ctxValue(key string, n pyast.Node) *CtxValue {
	cv := &CtxValue{Key: key, Node: n, File: f}
	v := f.Value(n)
	switch v.Kind {
	case QuerySet, Related:
		cv.Rows = v.QS
		if v.QS.Related {
			cv.Back = f.relatedBack(v.QS.Origin)
		}
	case Row:
		cv.Row = v.Model
		cv.RowQS, cv.RowKnown = f.rowOrigin(n, ctx{})
	default:
		cv.Rows = f.pageRows(n, 0)
		if cv.Rows == nil {
			cv.Rows = f.helperDictRows(key, n) // a key of a helper's returned dict
		}
		if cv.Rows == nil {
			if q, elem := f.tupleRows(n); q != nil {
				cv.Rows, cv.Tuple, cv.Elem = q, true, elem
			} else if q, elem, others := f.appendedTuples(pyast.Unparen(n)); q != nil {
				cv.Rows, cv.Tuple, cv.Elem, cv.TupleRows = q, true, elem, others
			}
		}
	}
	return cv
}

// maxPageDepth bounds how far pages are followed through names and helpers.
const maxPageDepth = 16

// relatedBack finds the reverse foreign key manager a related queryset
// chain starts from (`request.user.project_set.order_by(...)`) and returns
// the foreign key it sets on its rows, or "".
func (f *File) relatedBack(n pyast.Node) string {
	for i := 0; i < 16 && !n.IsNil(); i++ {
		n = pyast.Unparen(n)
		switch n.Type() {
		case "call":
			n = n.ChildByField("function")
		case "attribute":
			obj := n.ChildByField("object")
			if md, _ := f.Instance(obj); md != nil {
				if back := backFK(md.Attr(n.ChildByField("attribute").Text())); back != "" {
					return back
				}
			}
			n = obj
		default:
			return ""
		}
	}
	return ""
}

// pageRows evaluates a page of a paginated queryset (what iterating a
// Page yields): `Paginator(qs, n).get_page(k)`, a name bound to one (also
// by unpacking a helper's tuple), a project helper returning the page of
// the queryset it is given, and `page.object_list`. A later
// `page.object_list = other` assignment wins.
func (f *File) pageRows(n pyast.Node, depth int) *QS {
	if depth > maxPageDepth {
		return nil
	}
	n = pyast.Unparen(n)
	switch n.Type() {
	case "identifier":
		name := n.Text()
		// page.object_list = prefetch(page.object_list)
		var last pyast.Node
		for a := range pyast.FindEachShallow(ScopeOf(n), "assignment") {
			l := a.ChildByField("left")
			if a.EndByte() <= n.StartByte() && l.Type() == "attribute" && l.ChildByField("attribute").Text() == "object_list" &&
				pyast.Dotted(l.ChildByField("object")) == name {
				last = a.ChildByField("right")
			}
		}
		if !last.IsNil() {
			// A helper adding loads to the page's rows in steps (under an
			// isinstance test) first: evaluated as a whole, its branches
			// would merge to what every path loads.
			if q := f.applyHelper(last, func(arg pyast.Node) *QS { return f.pageRows(arg, depth+1) }); q != nil {
				return q
			}
			if q := f.Eval(last); q != nil {
				return q
			}
			return nil
		}
		if rhs := f.Binding(n, name, n.StartByte()); !rhs.IsNil() {
			if q := f.Eval(rhs); q != nil {
				return q
			}
			return f.pageRows(rhs, depth+1)
		}
		// `page, paginator = paginate(qs, 30)`
		for a := range pyast.FindEachShallow(ScopeOf(n), "assignment") {
			l := a.ChildByField("left")
			if a.EndByte() > n.StartByte() || !l.Is("pattern_list", "tuple_pattern") {
				continue
			}
			for i, id := range l.NamedChildren() {
				if id.Type() == "identifier" && id.Text() == name {
					if q := f.helperPage(a.ChildByField("right"), i, depth); q != nil {
						return q
					}
				}
			}
		}
	case "attribute":
		if n.ChildByField("attribute").Text() == "object_list" {
			return f.pageRows(n.ChildByField("object"), depth+1)
		}
		return f.pageAttrRows(n, depth)
	case "call":
		c, _ := pyast.AsCall(n)
		switch c.MethodName() {
		case "page", "get_page":
			if src := f.paginatorSource(c.Receiver(), 0); !src.IsNil() {
				return f.rowsOf(src, depth)
			}
		}
		return f.helperPage(n, -1, depth)
	}
	return nil
}

// rowsOf evaluates what a paginator is given: a queryset, or a page of one.
func (f *File) rowsOf(n pyast.Node, depth int) *QS {
	if q := f.Eval(n); q != nil {
		return q
	}
	if q := f.filterSetQS(n); q != nil {
		return q
	}
	return f.pageRows(n, depth+1)
}

// paginatorSource returns the object list a Paginator is built on.
func (f *File) paginatorSource(n pyast.Node, depth int) pyast.Node {
	n = f.bound(n)
	c, ok := pyast.AsCall(n)
	if !ok || depth > 2 {
		return pyast.Node{}
	}
	if cls := f.paginatorClass(c); cls != nil {
		if src, known := f.subclassObjects(c, cls); known {
			return src
		}
		return c.Arg(0, "object_list")
	}
	if !strings.HasSuffix(pyast.Dotted(c.Func), "Paginator") {
		return pyast.Node{}
	}
	return c.Arg(0, "object_list")
}

// helperPage evaluates a call of a project function that returns a page
// of one of its parameters (element elem of the tuple it returns, or the
// value itself when elem is -1).
func (f *File) helperPage(call pyast.Node, elem int, depth int) *QS {
	c, ok := pyast.AsCall(call)
	if !ok || depth > maxPageDepth {
		return nil
	}
	fn, bound := f.Callee(call)
	if fn == nil {
		return nil
	}
	idx := fn.File.pageParam(fn, elem, depth+1)
	if idx < 0 {
		return nil
	}
	arg := argFor(c, fn, idx, bound)
	if arg.IsNil() {
		return nil
	}
	return f.rowsOf(arg, depth+1)
}

// pageParam returns the parameter of fn whose page every return hands
// back (as element elem of a returned tuple when elem >= 0), or -1.
func (f *File) pageParam(fn *Func, elem int, depth int) int {
	if depth > maxPageDepth {
		return -1
	}
	idx := -1
	for r := range pyast.FindEachShallow(fn.Node, "return_statement") {
		e := pyast.Unparen(r.NamedChild(0))
		if elem >= 0 {
			if !e.Is("tuple", "expression_list") || elem >= e.NamedChildCount() {
				return -1
			}
			e = pyast.Unparen(e.NamedChildren()[elem])
		}
		i := f.pageOfParam(fn, e, depth)
		if i < 0 || idx >= 0 && i != idx {
			return -1
		}
		idx = i
	}
	return idx
}

// pageOfParam returns the parameter of fn that e (in fn) is a page of.
func (f *File) pageOfParam(fn *Func, e pyast.Node, depth int) int {
	for i := 0; i < 4 && e.Type() == "identifier"; i++ {
		// The last binding before the return; a page rebound on error
		// paths (`except EmptyPage: page = paginator.page(1)`) is the
		// same page.
		rhs := f.Binding(e, e.Text(), e.StartByte())
		if rhs.IsNil() {
			break
		}
		e = pyast.Unparen(rhs)
	}
	c, ok := pyast.AsCall(e)
	if !ok {
		return -1
	}
	switch c.MethodName() {
	case "page", "get_page":
		src := pyast.Unparen(f.paginatorSource(c.Receiver(), 0))
		if src.Type() == "identifier" {
			return indexOf(fn.Params, src.Text())
		}
		return -1
	}
	// A helper of a helper: get_page_items -> get_page_items_and_count.
	callee, bound := f.Callee(e)
	if callee == nil || callee == fn {
		return -1
	}
	j := callee.File.pageParam(callee, -1, depth+1)
	if j < 0 {
		return -1
	}
	arg := pyast.Unparen(argFor(c, callee, j, bound))
	if arg.Type() != "identifier" {
		return -1
	}
	return indexOf(fn.Params, arg.Text())
}

// filterSetQS reads `SomeFilter(data, queryset=qs).qs` (django-filter):
// the queryset it is given, filtered. A project FilterSet overriding qs
// is not read.
func (f *File) filterSetQS(n pyast.Node) *QS { return f.filterSetQSIn(n, ctx{}) }

func (f *File) filterSetQSIn(n pyast.Node, st ctx) *QS {
	n = pyast.Unparen(n)
	if n.Type() != "attribute" || n.ChildByField("attribute").Text() != "qs" {
		return nil
	}
	c, ok := pyast.AsCall(f.bound(n.ChildByField("object")))
	if !ok {
		return nil
	}
	qarg := c.Keyword("queryset")
	if qarg.IsNil() {
		return nil
	}
	cls := f.M.LookupClass(f.Unit.Qualify(pyast.Dotted(c.Func)))
	if cls == nil || cls.Method("qs") != nil || !filterSet(cls) {
		return nil
	}
	return f.eval(qarg, st.in())
}

// filterSet reports a class deriving from django-filter's FilterSet.
func filterSet(c *Class) bool {
	for _, cc := range mro(c) {
		for _, b := range cc.BaseNames() {
			if strings.HasSuffix(b, "FilterSet") {
				return true
			}
		}
	}
	return false
}

// applyHelper evaluates `helper(arg)` where helper hands back the
// queryset it is given with what it adds (`qs = qs.prefetch_related(...)`
// in steps, under an isinstance test): arg is evaluated by argEval.
func (f *File) applyHelper(call pyast.Node, argEval func(pyast.Node) *QS) *QS {
	c, ok := pyast.AsCall(call)
	if !ok {
		return nil
	}
	fn, bound := f.Callee(call)
	if fn == nil || len(c.Positional)+len(c.Keywords) == 0 {
		return nil
	}
	for idx := range fn.Params {
		arg := argFor(c, fn, idx, bound)
		if arg.IsNil() {
			continue
		}
		steps, ok := fn.File.helperSteps(fn, idx)
		if !ok {
			continue
		}
		q := argEval(arg)
		if q == nil {
			return nil
		}
		q = q.clone()
		for _, st := range steps {
			q = fn.File.applyStep(q, st)
		}
		return q
	}
	return nil
}

// helperSteps returns the chained calls a function applies to its
// parameter idx before returning it, through local names, when every
// return hands back a value derived from it that way; the longest chain
// is kept (an `isinstance(x, QuerySet)` guard returns the bare argument
// on its other path).
func (f *File) helperSteps(fn *Func, idx int) ([]pyast.Node, bool) {
	param := fn.Params[idx]
	var best []pyast.Node
	found := false
	for r := range pyast.FindEachShallow(fn.Node, "return_statement") {
		steps, ok := f.chainTo(pyast.Unparen(r.NamedChild(0)), param, r.StartByte(), 0)
		if !ok {
			return nil, false
		}
		found = true
		if len(steps) > len(best) {
			best = steps
		}
	}
	return best, found
}

// chainTo unwinds e into the calls applied to param, innermost first.
func (f *File) chainTo(e pyast.Node, param string, at int, depth int) ([]pyast.Node, bool) {
	if depth > 64 {
		return nil, false
	}
	switch e.Type() {
	case "identifier":
		if e.Text() == param && f.Binding(e, param, at).IsNil() {
			return nil, true
		}
		rhs := f.Binding(e, e.Text(), at)
		if rhs.IsNil() {
			return nil, false
		}
		return f.chainTo(pyast.Unparen(rhs), param, rhs.StartByte(), depth+1)
	case "call":
		c, _ := pyast.AsCall(e)
		if c.Func.Type() != "attribute" || !ChainMethods[c.MethodName()] {
			return nil, false
		}
		inner, ok := f.chainTo(pyast.Unparen(c.Receiver()), param, at, depth+1)
		if !ok {
			return nil, false
		}
		return append(inner, e), true
	}
	return nil, false
}

// applyStep applies one chained call (select_related, prefetch_related,
// annotate, filter...) to q, as evalCall does.
func (f *File) applyStep(q *QS, call pyast.Node) *QS {
	c, _ := pyast.AsCall(call)
	out := q.clone()
	f.applyChainMethod(out, c.MethodName(), c, ctx{})
	return out
}

// classView reads a class-based view: its template, and the context
// Django's generic views build (object_list, <model>_list, page_obj and
// context_object_name for list views; object, <model> and
// context_object_name for detail views) plus extra_context and what
// get_context_data adds.
func (f *File) classView(c *Class) *Render {
	if c.IsAdmin() {
		return nil
	}
	list, detail := viewKind(c)
	r := &Render{File: f, Class: c}
	v, decl := c.Attr("template_name")
	if !v.IsNil() {
		r.Names = decl.File.templateNames(v)
		if decl == c {
			r.At = v
		}
	}
	var qs *QS
	var md *project.Model
	if list || detail {
		qs = c.File.ViewQueryset(c.Node)
		if qs == nil {
			if mv, mdecl := c.Attr("model"); !mv.IsNil() && f.M.Graph != nil {
				if m := f.M.Graph.Lookup(mdecl.File.Unit, pyast.Dotted(mv)); m != nil {
					qs = &QS{Model: m, ModelText: m.Name}
					if opaqueBases(c) {
						qs.Opaque = true
					}
				}
			}
		}
		if qs != nil {
			md = qs.Model
		}
	}
	if len(r.Names) == 0 && md != nil && !md.External {
		// Django's default: <app_label>/<model_name>_list.html.
		suffix := "_detail.html"
		if list {
			suffix = "_list.html"
		}
		if md.App != "" {
			r.Names = []string{md.App + "/" + strings.ToLower(md.Name) + suffix}
		}
	}
	if len(r.Names) == 0 {
		return nil
	}
	var keys []string
	if md != nil {
		keys = append(keys, strings.ToLower(md.Name))
	}
	if cv, _ := c.Attr("context_object_name"); !cv.IsNil() {
		if s, ok := pyast.StringValue(cv); ok {
			keys = append(keys, s)
		}
	}
	if qs != nil && md != nil {
		if list {
			for i, k := range keys {
				if i == 0 {
					k += "_list"
				}
				r.Context = append(r.Context, &CtxValue{Key: k, File: f, Rows: qs})
			}
			r.Context = append(r.Context, &CtxValue{Key: "object_list", File: f, Rows: qs}, &CtxValue{Key: "page_obj", File: f, Rows: qs})
		} else {
			rowQS := qs
			known := true
			if c.Method("get_object") != nil {
				rowQS, known = nil, false // fetched by the view's own code
			}
			for _, k := range append(keys, "object") {
				r.Context = append(r.Context, &CtxValue{Key: k, File: f, Row: md, RowQS: rowQS, RowKnown: known})
			}
		}
		if !qs.Origin.IsNil() && qs.OriginFile == f && c.Node.Contains(qs.Origin) {
			r.At = qs.Origin // where the fix goes
		}
	}
	if ec, decl := c.Attr("extra_context"); !ec.IsNil() {
		for _, e := range decl.File.dictEntries(ec, ec.StartByte(), 0) {
			r.Context = append(r.Context, decl.File.ctxValue(e.key, e.val))
		}
	}
	// get_context_data of the view and its bases, bases first.
	chain := mro(c)
	for i := len(chain) - 1; i >= 0; i-- {
		fn := chain[i].Methods["get_context_data"]
		if fn == nil {
			continue
		}
		for _, e := range fn.File.contextAdditions(fn) {
			rows := map[string]*QS{}
			for _, cv := range r.Context {
				rows[cv.Key] = cv.Rows // the later value of a key wins
			}
			r.Context = append(r.Context, fn.File.ctxValueFor(c, e.key, e.val, rows))
		}
	}
	if r.At.IsNil() {
		r.At = c.Node.ChildByField("name")
	}
	return r
}

// ctxValueFor evaluates a context value of a base's method read for the
// view class c; rows are the querysets the context already holds by key
// (`context["products"] = context["products"].filter(...)` keeps those
// rows, with what the chain adds).
func (f *File) ctxValueFor(c *Class, key string, n pyast.Node, rows map[string]*QS) *CtxValue {
	cv := &CtxValue{Key: key, Node: n, File: f}
	if q := f.eval(n, ctx{self: c, ctxRows: rows}); q != nil {
		if base := rows[ctxChainKey(n)]; base != nil && !q.Listed {
			// The chain narrows rows the context already holds, often
			// under a test (`if "category" in request.GET:`): what should
			// load goes where those rows are made, for every path.
			q.Origin, q.OriginFile, q.Sources = base.Origin, base.OriginFile, base.Sources
		}
		cv.Rows = q
		return cv
	}
	return f.ctxValue(key, n)
}

// ctxChainKey returns k for a chain of calls on `name["k"]`
// (`context["products"].filter(...)`), or "".
func ctxChainKey(n pyast.Node) string {
	n = pyast.Unparen(n)
	for n.Type() == "call" {
		fn := n.ChildByField("function")
		if fn.Type() != "attribute" {
			return ""
		}
		n = pyast.Unparen(fn.ChildByField("object"))
	}
	if n.Type() != "subscript" || pyast.Unparen(n.ChildByField("value")).Type() != "identifier" {
		return ""
	}
	k, _ := pyast.StringValue(n.ChildByField("subscript"))
	return k
}

// contextAdditions reads what a get_context_data adds to the context:
// `ctx["k"] = v` and `ctx.update(...)` on any local dict, keywords given
// to super().get_context_data(...), and a returned dict literal (or a
// local name bound to one).
func (f *File) contextAdditions(fn *Func) []dictEntry {
	var out []dictEntry
	body := pyast.Body(fn.Node)
	for _, a := range ownNodes(body, "assignment") {
		l := a.ChildByField("left")
		if l.Type() != "subscript" || l.ChildByField("value").Type() != "identifier" {
			continue
		}
		if k, ok := pyast.StringValue(l.ChildByField("subscript")); ok {
			out = append(out, dictEntry{k, a.ChildByField("right")})
		}
	}
	for _, call := range ownNodes(body, "call") {
		c, _ := pyast.AsCall(call)
		switch {
		case c.MethodName() == "update" && c.Receiver().Type() == "identifier":
			if len(c.Positional) == 1 {
				out = append(out, f.dictEntries(c.Positional[0], call.StartByte(), 1)...)
			}
			for k, v := range c.EachKeyword() {
				out = append(out, dictEntry{k, v})
			}
		case c.MethodName() == "get_context_data" && IsSelfOrSuper(c.Receiver()):
			for k, v := range c.EachKeyword() {
				out = append(out, dictEntry{k, v})
			}
		}
	}
	for r := range pyast.FindEachShallow(fn.Node, "return_statement") {
		e := pyast.Unparen(r.NamedChild(0))
		if e.Type() == "identifier" {
			// `context = {...}; return context`: a dict the method builds
			// itself replaces the one Django's get_context_data makes. Its
			// later `context["k"] = v` and `context.update(...)` are read
			// above.
			if rhs := pyast.Unparen(f.Binding(e, e.Text(), r.StartByte())); rhs.Type() == "dictionary" {
				e = rhs
			}
		}
		if e.Type() == "dictionary" || e.Type() == "binary_operator" {
			out = append(out, f.dictEntries(e, r.StartByte(), 1)...)
		}
	}
	sortEntries(out)
	return out
}

// sortEntries orders entries by source position (keyword maps are not
// ordered).
func sortEntries(es []dictEntry) {
	for i := 1; i < len(es); i++ {
		for j := i; j > 0 && es[j].val.StartByte() < es[j-1].val.StartByte(); j-- {
			es[j], es[j-1] = es[j-1], es[j]
		}
	}
}

// viewKind tells list views (MultipleObjectMixin) from detail views
// (SingleObjectMixin) by the Django (or django-filter) generic views
// among their bases: a project class merely named ListView is neither.
func viewKind(c *Class) (list, detail bool) {
	for _, cc := range mro(c) {
		for _, b := range cc.BaseNames() {
			if !strings.HasPrefix(b, "django.views.") && !strings.HasPrefix(b, "django_filters.views.") {
				continue
			}
			last := b[strings.LastIndex(b, ".")+1:]
			switch {
			case strings.HasSuffix(last, "ListView") || last == "MultipleObjectMixin" || last == "FilterView" ||
				last == "ArchiveIndexView" || last == "MultipleObjectTemplateResponseMixin":
				return true, false
			case strings.HasSuffix(last, "DetailView") || strings.HasSuffix(last, "UpdateView") ||
				strings.HasSuffix(last, "DeleteView") || last == "SingleObjectMixin":
				detail = true
			}
		}
	}
	return false, detail
}

// contextWrapper returns the position of the dict argument of a call of
// Django's template Context or RequestContext (`RequestContext(request,
// {...})`, the context of render_to_response before Django 1.10), or -1.
func contextWrapper(f *File, c pyast.Call) int {
	q, ok := f.Unit.Imports.Resolve(c.Func)
	if !ok {
		return -1
	}
	switch q {
	case "django.template.RequestContext", "django.template.context.RequestContext":
		return 1
	case "django.template.Context", "django.template.context.Context":
		return 0
	}
	return -1
}
