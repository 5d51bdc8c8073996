package orm

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed template.md
var templateDoc string

// TemplateNPlusOne reports relations and related managers a Django
// template reads once per row of a queryset its view passes in the
// context.
var TemplateNPlusOne = &analyzer.Rule{
	Code:              "ORM013",
	Name:              "template-n-plus-one",
	Doc:               templateDoc,
	Category:          analyzer.Performance,
	Severity:          analyzer.Warning,
	Confidence:        analyzer.High,
	Since:             "0.2.0",
	Stack:             project.Django,
	SkipOnSyntaxError: true, // fixes need a sound tree
	Skip:              semantic.ProductCode,
	Distinct:          true,
	Requires:          []project.Analysis{semantic.Project, semantic.Templates},
	Run:               runTemplate,
}

// runTemplate matches the renderings of the file (render(),
// TemplateResponse, render_to_string, get_template().render(), and
// class-based views through template_name, their queryset and
// get_context_data) whose template is in the tree, and walks the template
// with the context's querysets and rows bound: per row of a {% for %} over
// a queryset, relation chains not covered by select_related or
// prefetch_related, related managers queried, and what model methods,
// properties and __str__ the template calls read. Admin changelist columns
// rendering a template with the row are judged against what the
// changelist loads. Context values whose model or loading is unknown
// (values(), paths computed at run time, a related manager of a row
// fetched elsewhere) bind nothing, so nothing under them is reported.
func runTemplate(p *analyzer.Pass) error {
	t := NewTracker(p)
	if t.File == nil {
		return nil
	}
	set := semantic.TemplatesOf(p.Project)
	if set.Len() == 0 {
		return nil
	}
	for _, r := range t.Renders() {
		t.reportRender(set, r)
	}
	t.reportAdminTemplates(set)
	return nil
}

// ctxRoot is what a context name holds, for judging what the template
// reads of it.
type ctxRoot struct {
	used  []string // the keys the template reads it by
	model *project.Model
	qs    *QS // the rows' queryset (or the row's); nil: loaded with nothing
	node  pyast.Node
	file  *semantic.File
}

// resolveTemplate finds the first of a rendering's names in the tree.
func resolveTemplate(set *semantic.TemplateSet, names []string, from string) (*semantic.Template, bool) {
	for _, n := range names {
		if tpl, suffix := set.Resolve(n, from, ""); tpl != nil {
			return tpl, suffix
		}
	}
	return nil, false
}

func (t *Tracker) reportRender(set *semantic.TemplateSet, r *semantic.Render) {
	tpl, suffix := resolveTemplate(set, r.Names, r.File.Unit.File.Rel)
	if tpl == nil {
		return
	}
	// The last value given for a key wins, as in a dict; values sharing a
	// queryset (a list view's object_list and <model>_list) are one root.
	last := map[string]int{}
	for i, cv := range r.Context {
		last[cv.Key] = i
	}
	var troots []semantic.TRoot
	var roots []*ctxRoot
	byQS := map[*QS]*ctxRoot{}
	var of []*ctxRoot // root of each TRoot
	for i, cv := range r.Context {
		if last[cv.Key] != i {
			continue
		}
		tr := semantic.TRoot{Key: cv.Key}
		if !cv.Node.IsNil() {
			tr.Const, tr.HasConst = pyast.StringValue(pyast.Unparen(cv.Node))
		}
		var qs *QS
		switch {
		case cv.Rows != nil && usableRows(cv.Rows) && !cv.Rows.Single:
			// At most one row (`.none()`, a filter on a unique key): a loop
			// over it reads nothing per row.
			tr.Model, tr.Rows, tr.Back, qs = cv.Rows.Model, true, cv.Back, cv.Rows
			tr.Tuple, tr.Elem = cv.Tuple, cv.Elem
		case cv.Row != nil && cv.RowKnown && (cv.RowQS == nil || usableRows(cv.RowQS)):
			tr.Model, qs = cv.Row, cv.RowQS
		}
		troots = append(troots, tr)
		if tr.Model == nil {
			of = append(of, nil)
			continue
		}
		root := byQS[qs]
		if qs == nil || root == nil {
			root = &ctxRoot{model: tr.Model, qs: qs, node: cv.Node, file: cv.File}
			roots = append(roots, root)
			if qs != nil {
				byQS[qs] = root
			}
		}
		of = append(of, root)
		if !tr.Tuple {
			continue
		}
		// Querysets the tuples hold beside the row (`(ft,
		// ft.items()[0:5])`): their rows are judged against the queryset
		// as built, at the expression building it.
		for _, e := range cv.TupleRows {
			if !usableRows(e.Rows) {
				continue
			}
			troots = append(troots, semantic.TRoot{Key: compact(e.Node), Model: e.Rows.Model, Rows: true, TupleOf: cv.Key, TupleAt: e.At})
			er := &ctxRoot{model: e.Rows.Model, qs: e.Rows, node: e.Node, file: cv.File}
			roots = append(roots, er)
			of = append(of, er)
		}
	}
	if len(roots) == 0 {
		return
	}
	accs := t.sm.TemplateAccesses(set, tpl, suffix, troots)
	byRoot := map[*ctxRoot][]semantic.TAccess{}
	for _, a := range accs {
		if root := of[a.Root]; root != nil {
			byRoot[root] = append(byRoot[root], a)
			if k := troots[a.Root].Key; !contains(root.used, k) {
				root.used = append(root.used, k)
			}
		}
	}
	for _, root := range roots {
		if len(byRoot[root]) == 0 {
			continue
		}
		at := r.At
		if !root.node.IsNil() && root.file == t.File {
			at = root.node
		}
		t.judge(tpl, root, byRoot[root], at, r.Class)
	}
}

// usableRows reports a queryset whose loading the rule can judge.
func usableRows(q *QS) bool {
	return q.Model != nil && !q.Values && !q.Dynamic && !q.DynamicSelect && !q.MaybeCached
}

// remedy groups uncovered accesses by the change that removes them.
type remedy uint8

const (
	remSelect   remedy = iota // select_related
	remPrefetch               // prefetch_related
	remCount                  // annotate(Count(...))
	remExists                 // annotate(Exists(...))
	remQuery                  // Prefetch(..., to_attr=...)
)

// covered reports whether what the queryset loads makes an access free.
func covered(q *QS, a semantic.TAccess) bool {
	if q == nil {
		return false
	}
	if a.Deep != nil && a.Func != nil && a.Path == a.Deep.Path && contains(q.Annotated, a.Func.Name) {
		// `{{ e.num_participants }}` on rows annotated with that name:
		// Django sets the attribute on each row, which shadows a
		// cached_property or method of the name (a plain property could
		// not be set), so the method does not run.
		return true
	}
	if a.Deep != nil && annotatedFirst(q, a.Deep) {
		return true
	}
	switch a.Kind {
	case semantic.Forward:
		return q.Selects(a.Path)
	case semantic.Query:
		// Filtered or fetched per row: a query even when prefetched,
		// unless a model method runs it under a branch while the relation
		// is prefetched (`if is_prefetched(self, "evaluations"): ...`,
		// then the query: the fallback), as ORM009 reads it.
		return a.Deep != nil && (a.Deep.Conditional || afterReturningIf(a.Deep.Node)) && q.Prefetches(a.Path)
	}
	return q.Prefetches(a.Path)
}

// annotatedFirst reports an access reached through a function that
// first returns an annotation when the row carries one
// (`annotated = getattr(self, "_rating_score", None)`, `if annotated is
// not None: return annotated`, or `if hasattr(self, "_x"): return
// self._x`) on rows the queryset annotates with that name: the fallback
// query after it does not run.
func annotatedFirst(q *QS, d *semantic.Access) bool {
	nodes := []pyast.Node{d.Node}
	for _, st := range d.Via {
		nodes = append(nodes, st.Call)
	}
	for _, n := range nodes {
		for _, name := range annotationGuards(n) {
			if q.Annotates(name) {
				return true
			}
		}
	}
	return false
}

// annotationGuards returns the names of `self` attributes read by
// getattr/hasattr in the tests of returning ifs that precede n in the
// body of its function (directly, or through a name the function binds
// to such a getattr).
func annotationGuards(n pyast.Node) []string {
	fn := pyast.Ancestor(n, "function_definition")
	if fn.IsNil() {
		return nil
	}
	body := pyast.Body(fn)
	bound := map[string]string{} // local name -> attribute read by getattr(self, "x", ...)
	out := elseGuards(n, fn)
	for _, st := range pyast.Statements(body) {
		if st.StartByte() >= n.StartByte() {
			break
		}
		if st.Type() == "expression_statement" {
			if a := st.NamedChild(0); a.Type() == "assignment" && a.ChildByField("left").Type() == "identifier" {
				if name, ok := selfAttrProbe(a.ChildByField("right"), "getattr"); ok {
					bound[a.ChildByField("left").Text()] = name
				}
			}
			continue
		}
		if st.Type() != "if_statement" || len(pyast.FindAll(st.ChildByField("consequence"), "return_statement")) == 0 {
			continue
		}
		cond := st.ChildByField("condition")
		for id := range pyast.FindEach(cond, "identifier") {
			if name, ok := bound[id.Text()]; ok {
				out = append(out, name)
			}
		}
		for c := range pyast.FindEach(cond, "call") {
			if name, ok := selfAttrProbe(c, "hasattr"); ok {
				out = append(out, name)
			} else if name, ok := selfAttrProbe(c, "getattr"); ok {
				out = append(out, name)
			}
		}
	}
	return out
}

// elseGuards returns the names of `self` attributes tested by hasattr in
// the conditions of the conditional expressions and if statements of fn
// whose else part holds n: `self._n if hasattr(self, "_n") else
// self.items.count()`, `if hasattr(self, "_n"): ... else: ...`.
func elseGuards(n, fn pyast.Node) []string {
	var out []string
	for c := n; !c.IsNil() && !c.Equal(fn); c = c.Parent() {
		p := c.Parent()
		switch p.Type() {
		case "conditional_expression":
			kids := p.NamedChildren()
			if len(kids) == 3 && kids[2].Equal(c) {
				if name, ok := selfAttrProbe(kids[1], "hasattr"); ok {
					out = append(out, name)
				}
			}
		case "else_clause":
			if st := p.Parent(); st.Type() == "if_statement" && st.ChildByField("alternative").Equal(p) {
				if name, ok := selfAttrProbe(st.ChildByField("condition"), "hasattr"); ok {
					out = append(out, name)
				}
			}
		}
	}
	return out
}

// selfAttrProbe reads `fn(self, "name", ...)` (getattr, hasattr).
func selfAttrProbe(n pyast.Node, fn string) (string, bool) {
	c, ok := pyast.AsCall(pyast.Unparen(n))
	if !ok || pyast.Dotted(c.Func) != fn || len(c.Positional) < 2 || pyast.Dotted(c.Positional[0]) != "self" {
		return "", false
	}
	return pyast.StringValue(c.Positional[1])
}

// afterReturningIf reports a node after an `if ...: return ...` of an
// enclosing block of its function: run only when that test fails.
func afterReturningIf(n pyast.Node) bool {
	for p := n; !p.IsNil(); p = p.Parent() {
		switch p.Type() {
		case "function_definition", "lambda":
			return false
		}
		par := p.Parent()
		if par.Type() != "block" {
			continue
		}
		for _, sib := range par.NamedChildren() {
			if sib.StartByte() >= p.StartByte() {
				break
			}
			if sib.Type() == "if_statement" && len(pyast.FindAll(sib.ChildByField("consequence"), "return_statement")) > 0 {
				return true
			}
		}
	}
	return false
}

// remedyOf says how an uncovered access is fixed.
func remedyOf(md *project.Model, a semantic.TAccess) remedy {
	switch a.Kind {
	case semantic.Forward:
		if forwardOnly(md, a.Path) {
			return remSelect
		}
		if _, ok := md.Follow(a.Path); !ok && a.Deep == nil {
			// A path through a model outside the graph (Django's User,
			// then its `profile`): the template walked it one forward or
			// one-to-one step at a time.
			return remSelect
		}
	case semantic.Count, semantic.Exists:
		if !strings.Contains(a.Path, "__") {
			if a.Kind == semantic.Count {
				return remCount
			}
			return remExists
		}
	case semantic.Query:
		return remQuery
	}
	return remPrefetch
}

// forwardOnly reports a path of forward foreign keys and one-to-ones
// only: select_related can follow it.
func forwardOnly(md *project.Model, path string) bool {
	steps, ok := md.Follow(path)
	if !ok || len(steps) == 0 {
		return false
	}
	for _, st := range steps {
		if st.Kind != project.AttrForward && st.Kind != project.AttrReverseOne || st.Field != nil && st.Field.Kind == project.GenericFK {
			return false
		}
	}
	return true
}

// judge reports what a template reads per row of one context root and
// its queryset does not load: one finding per remedy.
func (t *Tracker) judge(tpl *semantic.Template, root *ctxRoot, accs []semantic.TAccess, at pyast.Node, view *semantic.Class) {
	groups := map[remedy][]semantic.TAccess{}
	var repeated []semantic.TAccess
	for _, a := range accs {
		if a.Repeated {
			if !covered(root.qs, a) {
				repeated = append(repeated, a)
			}
			continue
		}
		if _, rest, ok := semantic.BackPath(root.model, a.Path); ok && a.Kind == semantic.Forward {
			// `shift.event` on the rows of `event.shifts.all`: Django
			// caches the way back with the relation (known related
			// objects, one-to-one caches), so only what follows it is read.
			if rest == "" {
				continue
			}
			a.Path = rest
		}
		if covered(root.qs, a) {
			continue
		}
		r := remedyOf(root.model, a)
		groups[r] = append(groups[r], a)
	}
	subject := "`" + strings.Join(root.used, "`/`") + "`"
	t.judgeRepeated(tpl, root, repeated, at)
	for _, r := range []remedy{remSelect, remPrefetch, remCount, remExists, remQuery} {
		g := groups[r]
		if len(g) == 0 {
			continue
		}
		d := analyzer.Diagnostic{Range: analyzer.RangeOf(at), Confidence: templateConfidence(root.qs, g)}
		verb := "loads"
		if r != remSelect && !(r == remPrefetch && onlyForward(g)) {
			verb = "queries"
		}
		d.Message = fmt.Sprintf("template `%s` %s %s per row of %s%s", tpl.Name, verb, listShort(shownOf(g), 4), subject, deepWhere(g))
		d.Related = templateRelated(g)
		var paths []string
		for _, a := range g {
			paths = append(paths, a.Path)
		}
		paths = maximal(paths)
		switch r {
		case remSelect, remPrefetch:
			method := "select_related"
			if r == remPrefetch {
				method = "prefetch_related"
			}
			d.Help, d.Fixes = t.loadHelp(root, view, method, paths)
		case remCount:
			var ann, reads []string
			for _, p := range paths {
				name := strings.TrimSuffix(p, "_set") + "_count"
				ann = append(ann, fmt.Sprintf("%s=Count(%q)", name, p))
				reads = append(reads, "`"+rowVar(g, p)+"."+name+"`")
			}
			d.Help = fmt.Sprintf("count in the same query: `.annotate(%s)` on %s, and read %s in the template", strings.Join(ann, ", "), originName(root.qs), strings.Join(reads, ", "))
		case remExists:
			d.Help = fmt.Sprintf("annotate `Exists(...)` subqueries for %s on %s and read them in the template, or prefetch them", quote(paths), originName(root.qs))
		case remQuery:
			d.Help = fmt.Sprintf("filtering or ordering a related manager always queries: prefetch the subset once with `Prefetch(%q, queryset=..., to_attr=...)` on %s and read the attribute in the template", paths[0], originName(root.qs))
		}
		t.p.Report(d)
	}
}

// judgeRepeated reports the queries a template makes on a row it holds
// once (the page's object) inside a {% for %} over other rows: the same
// query runs again per row of the loop. One finding per template place in
// a file, at the first view rendering it.
func (t *Tracker) judgeRepeated(tpl *semantic.Template, root *ctxRoot, accs []semantic.TAccess, at pyast.Node) {
	if t.repeated == nil {
		t.repeated = map[string]bool{}
	}
	var g []semantic.TAccess
	for _, a := range accs {
		key := fmt.Sprintf("%s\x00%d\x00%s", a.Template.Path, a.Start, a.Path)
		if !t.repeated[key] {
			t.repeated[key] = true
			g = append(g, a)
		}
	}
	if len(g) == 0 {
		return
	}
	var loops, where []string
	for _, a := range g {
		if l := a.Loops[len(a.Loops)-1]; !contains(loops, "`"+l.Iter+"`") {
			loops = append(loops, "`"+l.Iter+"`")
		}
		if n := "`" + a.Template.Name + "`"; !contains(where, n) {
			where = append(where, n)
		}
	}
	var paths []string
	for _, a := range g {
		paths = append(paths, a.Path)
	}
	paths = maximal(paths)
	sort.Strings(paths)
	row := strings.Join(root.used, "`/`")
	via := ""
	if len(where) != 1 || where[0] != "`"+tpl.Name+"`" {
		via = fmt.Sprintf(" (in %s)", strings.Join(where, ", "))
	}
	d := analyzer.Diagnostic{Range: analyzer.RangeOf(at), Confidence: templateConfidence(root.qs, g), Related: templateRelated(g)}
	d.Message = fmt.Sprintf("template `%s`%s queries %s again per row of %s: `%s` is one row, and the same query runs on every iteration", tpl.Name, via, listShort(shownOf(g), 4), strings.Join(loops, ", "), row)
	d.Help = fmt.Sprintf("read it once before the loop (`{%% with %%}` around it, or a value the view computes), or prefetch %s on the query that fetches `%s`", quote(paths), row)
	t.p.Report(d)
}

// onlyForward reports groups of forward relations only (their prefetch
// crosses a related manager above them).
func onlyForward(g []semantic.TAccess) bool {
	for _, a := range g {
		if a.Kind != semantic.Forward {
			return false
		}
	}
	return true
}

// shownOf lists the accesses as the template (or the method it calls)
// writes them, once each.
func shownOf(g []semantic.TAccess) []string {
	var out []string
	seen := map[string]bool{}
	for _, a := range g {
		s := "`" + a.Shown + "`"
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// deepWhere names the model methods, properties and __str__ through which
// the template makes the accesses: ", in `Check.relative_url`".
func deepWhere(g []semantic.TAccess) string {
	var names []string
	for _, a := range g {
		if a.Func == nil {
			continue
		}
		if n := "`" + funcLabel(a.Func) + "`"; !contains(names, n) {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return ""
	}
	return ", in " + strings.Join(names, " and ")
}

// rowVar is the template's name for the rows a path starts from.
func rowVar(g []semantic.TAccess, path string) string {
	for _, a := range g {
		if a.Path == path && len(a.Loops) > 0 {
			return a.Loops[len(a.Loops)-1].Var
		}
	}
	return "row"
}

// originName names a queryset's origin for help text.
func originName(q *QS) string {
	if q == nil {
		return "the query"
	}
	if s := chainText(insertionPoint(q.Origin)); s != "" {
		return "`" + s + "`"
	}
	return "the queryset"
}

// maxTemplateNotes bounds the related locations of one finding.
const maxTemplateNotes = 12

// templateRelated points at the template loops and accesses, and at the
// Python code a called method runs.
func templateRelated(g []semantic.TAccess) []analyzer.Related {
	var rel []analyzer.Related
	seen := map[string]bool{}
	add := func(r analyzer.Related) {
		key := fmt.Sprint(r.Path, r.Start, r.Message)
		if seen[key] || len(rel) >= maxTemplateNotes {
			return
		}
		seen[key] = true
		rel = append(rel, r)
	}
	for _, a := range g {
		for _, l := range a.Loops {
			add(tplRelated(l.Template, l.Start, l.End, fmt.Sprintf("the loop over `%s` in `%s`", l.Iter, l.Template.Name)))
		}
		if a.Deep == nil {
			// Each access once, where the template first makes it.
			if key := a.Template.Path + "\x00" + a.Shown; !seen[key] {
				seen[key] = true
				add(tplRelated(a.Template, a.Start, a.End, fmt.Sprintf("`%s` per row", a.Shown)))
			}
			continue
		}
		add(tplRelated(a.Template, a.Start, a.End, fmt.Sprintf("`%s` calls `%s`", a.Expr, funcLabel(a.Func))))
		for _, st := range a.Deep.Via {
			add(analyzer.Related{Path: st.File.Unit.File.Rel, Range: analyzer.RangeOf(st.Call), Message: "which calls `" + funcLabel(st.Func) + "`"})
		}
		add(analyzer.Related{Path: a.Deep.File.Unit.File.Rel, Range: analyzer.RangeOf(a.Deep.Node), Message: "the query per row, in `" + funcLabel(a.Func) + "`"})
	}
	return rel
}

// tplRelated is a related location in a template (positions filled here:
// the driver knows Python files only).
func tplRelated(tpl *semantic.Template, start, end int, msg string) analyzer.Related {
	return analyzer.Related{Path: tpl.Path, Range: analyzer.Range{Start: start, End: end}, Pos: tpl.Position(start), EndPos: tpl.Position(end), Message: msg}
}

// templateConfidence follows the evidence, as loopConfidence does: high
// when the queryset and the template are certain; medium when the
// queryset may load more than it says, its model was learnt from callers,
// a called method reads the relation on one branch only, or a template
// was found by the end of its name; low when only relation names
// identified the model.
func templateConfidence(q *QS, g []semantic.TAccess) analyzer.Confidence {
	conf := analyzer.High
	if q != nil {
		switch {
		case q.Certainty == semantic.FromShape:
			return analyzer.Low
		case q.Opaque || !q.Model.Complete || q.Certainty == semantic.FromCallers || q.Conditional:
			conf = analyzer.Medium
		}
	}
	for _, a := range g {
		if a.BySuffix || a.Deep != nil && a.Deep.Conditional {
			conf = analyzer.Medium
		}
	}
	return conf
}

// loadHelp builds the help and the safe fix adding select_related or
// prefetch_related at the queryset's origin; for a class-based view
// declaring only `model = M`, the fix adds a queryset attribute.
func (t *Tracker) loadHelp(root *ctxRoot, view *semantic.Class, method string, paths []string) (string, []analyzer.Fix) {
	q := root.qs
	if q == nil {
		return fmt.Sprintf("load them with the row: `.%s(%s)` on the query that fetches it", method, quote(paths)), nil
	}
	if q.Origin.IsNil() && len(q.Sources) == 0 {
		if view != nil && !q.Opaque && q.Model != nil {
			text := fmt.Sprintf("queryset = %s.objects.%s(%s)", q.ModelText, method, quote(paths))
			help := fmt.Sprintf("give `%s` a queryset that loads them: `%s`", view.Name, text)
			if e, ok := t.queryAttrFix(view, text); ok {
				return help, []analyzer.Fix{{Message: "add `" + text + "`", Edits: []analyzer.TextEdit{e}, Applicability: analyzer.Safe}}
			}
			return help, nil
		}
		return fmt.Sprintf("load them with the rows: `.%s(%s)`", method, quote(paths)), nil
	}
	call, edits := selectFix(q, method, paths)
	help := fmt.Sprintf("load them with the rows: `%s`", call)
	if len(edits) == 0 {
		return help, nil
	}
	return help, []analyzer.Fix{{Message: "add " + strings.TrimPrefix(call[strings.LastIndex(call, "."+method+"("):], "."), Edits: edits, Applicability: analyzer.Safe}}
}

// queryAttrFix inserts `queryset = ...` after a view's `model = M` line,
// when the view declares its model in this file and nothing (a
// get_queryset, a queryset attribute) decides its rows otherwise.
func (t *Tracker) queryAttrFix(view *semantic.Class, text string) (analyzer.TextEdit, bool) {
	mv, decl := view.Attr("model")
	if mv.IsNil() || decl != view || view.File != t.File || view.Method("get_queryset") != nil {
		return analyzer.TextEdit{}, false
	}
	if qv, _ := view.Attr("queryset"); !qv.IsNil() {
		return analyzer.TextEdit{}, false
	}
	return insertAfterAssignment(t.p.File.Src(), mv, text)
}

// reportAdminTemplates matches changelist columns (admin methods named in
// list_display) that render a template with the row, and judges what the
// template reads of the row against what the changelist loads.
func (t *Tracker) reportAdminTemplates(set *semantic.TemplateSet) {
	for _, c := range t.Classes {
		md := t.sm.AdminModel(c)
		if md == nil || md.External || isInline(c) {
			continue
		}
		ld, decl := c.Attr("list_display")
		if ld.IsNil() || decl.File != t.File {
			continue
		}
		var cl *changelist
		for _, e := range elementsOf(ld) {
			s, ok := pyast.StringValue(e)
			if !ok {
				continue
			}
			fn := c.Method(s)
			if fn == nil || len(fn.Params) < 2 {
				continue
			}
			row := fn.Params[1]
			for _, r := range fn.File.RenderCalls(fn) {
				tpl, suffix := resolveTemplate(set, r.Names, r.File.Unit.File.Rel)
				if tpl == nil {
					continue
				}
				var roots []semantic.TRoot
				for _, cv := range r.Context {
					tr := semantic.TRoot{Key: cv.Key}
					if n := pyast.Unparen(cv.Node); n.Type() == "identifier" && n.Text() == row {
						tr.Model, tr.PerRow = md, true
					}
					roots = append(roots, tr)
				}
				accs := t.sm.TemplateAccesses(set, tpl, suffix, roots)
				if len(accs) == 0 {
					continue
				}
				if cl == nil {
					cl = readChangelist(t, c, md, ld)
				}
				if cl.opaque {
					break
				}
				t.judgeColumn(c, md, cl, ld, e, s, tpl, accs)
			}
		}
	}
}

// judgeColumn reports what a column's template reads per changelist row.
func (t *Tracker) judgeColumn(c *semantic.Class, md *project.Model, cl *changelist, ld, e pyast.Node, col string, tpl *semantic.Template, accs []semantic.TAccess) {
	var fwd, other []semantic.TAccess
	for _, a := range accs {
		switch {
		case a.Repeated:
			// Not the changelist's row: judged by renderings of the page.
		case a.Kind == semantic.Forward && forwardOnly(md, a.Path):
			if !cl.loads(md, a.Path) {
				fwd = append(fwd, a)
			}
		case a.Kind == semantic.Query || !containsPath(cl.prefetch, a.Path):
			other = append(other, a)
		}
	}
	if len(fwd) > 0 {
		var paths []string
		for _, a := range fwd {
			paths = append(paths, a.Path)
		}
		paths = maximal(paths)
		d := analyzer.Diagnostic{Range: analyzer.RangeOf(e), Confidence: templateConfidence(nil, fwd), Related: templateRelated(fwd),
			Message: fmt.Sprintf("changelist column `%s` of `%s` renders `%s`, which loads %s per row%s", col, c.Name, tpl.Name, listShort(shownOf(fwd), 4), deepWhere(fwd)),
			Help:    fmt.Sprintf("load them with the page's rows: add %s to `%s.list_select_related`", quote(paths), c.Name)}
		if edit, ok := listSelectFix(t, c, cl, ld, paths); ok {
			d.Fixes = []analyzer.Fix{{Message: "load " + quote(paths) + " with the rows", Edits: []analyzer.TextEdit{edit}, Applicability: analyzer.Safe}}
		}
		t.p.Report(d)
	}
	if len(other) > 0 {
		var paths []string
		for _, a := range other {
			paths = append(paths, a.Path)
		}
		paths = maximal(paths)
		sort.Strings(paths)
		d := analyzer.Diagnostic{Range: analyzer.RangeOf(e), Confidence: templateConfidence(nil, other), Related: templateRelated(other),
			Message: fmt.Sprintf("changelist column `%s` of `%s` renders `%s`, which queries %s per row%s", col, c.Name, tpl.Name, listShort(shownOf(other), 4), deepWhere(other)),
			Help:    fmt.Sprintf("override `get_queryset` to return `super().get_queryset(request).prefetch_related(%s)`", quote(paths))}
		t.p.Report(d)
	}
}
