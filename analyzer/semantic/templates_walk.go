package semantic

import (
	"strconv"
	"strings"

	"github.com/rubric-dev/rubric/analyzer/project"
)

// This file walks a parsed template with the values its context holds and
// finds the database accesses it makes once per row: relation chains
// read on a loop's rows (`{{ review.product.title }}`), related managers
// queried (`{{ offer.vouchers.count }}`, `{% for t in e.test_set.all %}`),
// and the model methods, properties and __str__ it calls on them, whose
// accesses come from Model.RowAccesses. {% with %}, {% include %} (with
// its `with` and `only`) and {% extends %} with its blocks are followed.

// TRoot is a name the context binds when a template starts rendering.
type TRoot struct {
	Key   string
	Model *project.Model
	// Rows is set when iterating the name yields rows of Model (a
	// queryset, or a list or page of one); else the name is one row.
	Rows bool
	// PerRow is set for a row rendered once per row of an outer loop (an
	// admin changelist column rendering a template per row).
	PerRow bool
	// Back is the foreign key Django sets on rows read through a reverse
	// foreign key manager (`project_set` sets `owner`): reading it is free.
	Back string
	// Tuple is set for rows held in tuples (`{% for row, n in rows %}`),
	// each row at position Elem.
	Tuple bool
	Elem  int
	// TupleOf is set for the rows of a queryset each tuple of the context
	// name TupleOf holds at position TupleAt (`(ft, ft.items()[0:5])`):
	// the name unpacked there in a {% for %} over TupleOf iterates them.
	// Key is then not a template name.
	TupleOf string
	TupleAt int
	// Const is the value of a name the view binds to a string literal
	// (HasConst set): `{% if name == "x" %}` is decided by it.
	Const    string
	HasConst bool
}

// TLoop is a {% for %} of a template.
type TLoop struct {
	Template   *Template
	Start, End int    // the for tag
	Var, Iter  string // as written
}

// TAccess is a database access a template makes once per row.
type TAccess struct {
	// Root is the index of the context root whose rows the access starts
	// from; Path the relation path from those rows ("product",
	// "engagement_set__lead").
	Root int
	Kind AccessKind
	Path string
	// Methods are the methods called on a related manager.
	Methods []string
	// Template and Start, End locate the reference; Expr is it as written
	// ("review.product.title"), Shown the part of it (or of what the
	// called function reads) that makes the access ("review.product").
	Template    *Template
	Start, End  int
	Expr, Shown string
	// Loops are the template loops making the access per row, outermost
	// first (empty for a row the Python side renders per row).
	Loops []TLoop
	// Deep is set when a model method, property or __str__ the template
	// calls makes the access (Func is the one called, Deep.Via its calls).
	Deep *Access
	Func *Func
	// Field, Relation and Target describe the last relation of Path.
	Field    *project.Field
	Relation *project.Relation
	Target   *project.Model
	// BySuffix is set when a template on the way was found by the end of
	// its name only (see TemplateSet.Resolve).
	BySuffix bool
	// Repeated is set for a query on a row the template holds once (the
	// page's object, a {% with %} of it), made inside a {% for %} over
	// rows of a queryset: it runs again per row of that loop, the same
	// query each time. Loops then are the loops over those rows.
	Repeated bool
}

// use says how a template uses an expression's value.
type use uint8

const (
	useOutput  use = iota // {{ x }}: rendered as text
	useIterate            // {% for y in x %}
	useTest               // {% if x %}
	useBind               // {% with y=x %}, {% include ... with y=x %}
	useArg                // an argument of a tag or filter
)

// tbind is what a template name holds.
type tbind struct {
	root  int
	model *project.Model
	path  []string
	// rows: iterating yields rows of model at path; else one row.
	rows   bool
	perRow bool
	loops  []TLoop
	// back is the foreign key of rows read through a reverse foreign key
	// manager (`order` of `o.lines.all`): Django sets it to the manager's
	// owner on every row, so reading it runs no query. owner is that row
	// (nil when it is not bound in the template).
	back  string
	owner *tbind
	// tuple: iterating yields tuples holding a row at position elem;
	// elems are the rows of querysets held at other positions.
	tuple bool
	elem  int
	elems map[int]*tbind
	// groups is set for what {% regroup rows by x as name %} binds
	// (iterating yields groups), group for one group (its `list` is rows).
	groups, group bool
}

type tscope struct {
	vars   map[string]*tbind // a nil value shadows an outer name
	parent *tscope
	// consts are the string constants of a context (`"follow_page":
	// "following"`), valid below unless a scope binds the name again.
	consts map[string]string
}

func (s *tscope) lookup(name string) *tbind {
	for ; s != nil; s = s.parent {
		if b, ok := s.vars[name]; ok {
			return b
		}
	}
	return nil
}

func (s *tscope) child() *tscope { return &tscope{vars: map[string]*tbind{}, parent: s} }

// Budgets of one walk: includes followed, nodes visited, accesses kept.
const (
	maxIncludeDepth = 8
	maxWalkNodes    = 200000
	maxTAccesses    = 5000
)

type twalker struct {
	m        *Model
	set      *TemplateSet
	out      []TAccess
	seen     map[string]bool
	stack    []*Template
	macros   map[*TNode]bool // macros being walked
	visits   int
	bySuffix bool
	// rowLoops are the {% for %} over rows of a queryset being walked,
	// outermost first: what runs in their bodies runs once per row.
	rowLoops []TLoop
}

// TemplateAccesses walks template t (following its extends, includes and
// blocks) with the context roots bound, and returns the accesses it
// makes once per row, in template order. bySuffix marks t itself as found
// by the end of its name.
func (m *Model) TemplateAccesses(set *TemplateSet, t *Template, bySuffix bool, roots []TRoot) []TAccess {
	if t == nil {
		return nil
	}
	w := &twalker{m: m, set: set, seen: map[string]bool{}, bySuffix: bySuffix}
	sc := &tscope{vars: map[string]*tbind{}}
	for i, r := range roots {
		if r.HasConst {
			sc.setConst(r.Key, r.Const)
		}
		if r.Model == nil {
			sc.vars[r.Key] = nil
			continue
		}
		if r.TupleOf != "" {
			continue
		}
		sc.vars[r.Key] = &tbind{root: i, model: r.Model, rows: r.Rows, perRow: r.PerRow, back: r.Back, tuple: r.Tuple, elem: r.Elem}
	}
	for i, r := range roots {
		if r.TupleOf == "" || r.Model == nil {
			continue
		}
		b := sc.vars[r.TupleOf]
		if b == nil || !b.tuple || r.TupleAt == b.elem {
			continue
		}
		if b.elems == nil {
			b.elems = map[int]*tbind{}
		}
		b.elems[r.TupleAt] = &tbind{root: i, model: r.Model, rows: true}
	}
	w.render(t, sc)
	return w.out
}

// render walks a template as Django renders it: the top of its extends
// chain, with each block taken from the most derived template defining it.
func (w *twalker) render(t *Template, sc *tscope) {
	for _, s := range w.stack {
		if s == t {
			return // an include or extends cycle
		}
	}
	if len(w.stack) >= maxIncludeDepth {
		return
	}
	chain := []*Template{t}
	for cur := t; cur.Extends != nil && len(chain) < 5; {
		parent, suffix := w.set.Resolve(cur.Extends.Name, cur.Path, cur.Name)
		if parent == nil || hasTemplate(chain, parent) {
			break
		}
		w.bySuffix = w.bySuffix || suffix
		chain = append(chain, parent)
		cur = parent
	}
	w.stack = append(w.stack, t)
	defer func() { w.stack = w.stack[:len(w.stack)-1] }()
	top := chain[len(chain)-1]
	if len(chain) == 1 && t.Extends != nil {
		// The parent is not in the tree: its blocks are the child's.
		for _, n := range t.Nodes {
			if n.Kind == TBlock {
				w.block(n.Name, chain, 0, sc)
			}
		}
		return
	}
	w.nodes(top.Nodes, sc, top, chain)
}

func hasTemplate(ts []*Template, t *Template) bool {
	for _, x := range ts {
		if x == t {
			return true
		}
	}
	return false
}

// block walks the most derived definition of a block from level on, and
// the next one down when it renders {{ block.super }}.
func (w *twalker) block(name string, chain []*Template, level int, sc *tscope) {
	for i := level; i < len(chain); i++ {
		if b := chain[i].Blocks[name]; b != nil {
			w.nodes(b.Body, sc, chain[i], chain)
			if hasBlockSuper(b.Body) {
				w.block(name, chain, i+1, sc)
			}
			return
		}
	}
}

func hasBlockSuper(ns []*TNode) bool {
	for _, n := range ns {
		if n.Kind == TVar && n.Exprs[0].Var == "block.super" {
			return true
		}
	}
	return false
}

func (w *twalker) nodes(ns []*TNode, sc *tscope, t *Template, chain []*Template) {
	for _, n := range ns {
		w.visits++
		if w.visits > maxWalkNodes || len(w.out) >= maxTAccesses {
			return
		}
		w.node(n, sc, t, chain)
	}
}

func (w *twalker) node(n *TNode, sc *tscope, t *Template, chain []*Template) {
	switch n.Kind {
	case TVar:
		w.expr(n.Exprs[0], useOutput, sc, t)
	case TFor:
		var it *tbind
		if len(n.Exprs) > 0 {
			it = w.expr(n.Exprs[0], useIterate, sc, t)
		}
		inner := sc.child()
		inner.vars["forloop"] = nil
		for _, v := range n.Names {
			inner.vars[v] = nil
		}
		if it != nil && (it.groups || it.group) && len(n.Names) == 1 {
			inner.vars[n.Names[0]] = w.groupVar(it, n, t)
		} else if it != nil && it.rows && it.tuple && it.elem < len(n.Names) && len(n.Names) > 1 {
			// `{% for course, a, b in tuples %}`: the row is one of the names.
			loop := TLoop{Template: t, Start: n.Start, End: n.End, Var: n.Names[it.elem], Iter: n.Exprs[0].Var}
			inner.vars[n.Names[it.elem]] = &tbind{root: it.root, model: it.model, path: it.path, perRow: true,
				loops: append(append([]TLoop(nil), it.loops...), loop), back: it.back, owner: it.owner}
			for at, eb := range it.elems {
				// `{% for ft, latest in feeds %}`: latest iterates the rows
				// of the queryset built for ft.
				if at < len(n.Names) && at != it.elem {
					inner.vars[n.Names[at]] = &tbind{root: eb.root, model: eb.model, rows: true,
						loops: append(append([]TLoop(nil), it.loops...), loop)}
				}
			}
		} else if it != nil && it.rows && !it.tuple && len(n.Names) == 1 {
			loop := TLoop{Template: t, Start: n.Start, End: n.End, Var: n.Names[0], Iter: n.Exprs[0].Var}
			inner.vars[n.Names[0]] = &tbind{root: it.root, model: it.model, path: it.path, perRow: true,
				loops: append(append([]TLoop(nil), it.loops...), loop), back: it.back, owner: it.owner}
		}
		if it != nil && it.rows && len(n.Exprs) > 0 {
			w.rowLoops = append(w.rowLoops, TLoop{Template: t, Start: n.Start, End: n.End, Var: strings.Join(n.Names, ", "), Iter: n.Exprs[0].Var})
			w.nodes(n.Body, inner, t, chain)
			w.rowLoops = w.rowLoops[:len(w.rowLoops)-1]
		} else {
			w.nodes(n.Body, inner, t, chain)
		}
		for _, br := range n.Branches {
			w.nodes(br, sc, t, chain)
		}
	case TIf:
		for _, cond := range n.Conds {
			for _, e := range cond {
				w.expr(e, useTest, sc, t)
			}
		}
		runs := w.ifBranches(n, sc) // branches a constant of the view's context rules out
		if runs[0] {
			w.nodes(n.Body, sc, t, chain)
		}
		for i, br := range n.Branches {
			if runs[i+1] {
				w.nodes(br, sc, t, chain)
			}
		}
	case TWith:
		inner := sc.child()
		for i, e := range n.Exprs {
			inner.vars[n.Names[i]] = w.expr(e, useBind, sc, t)
		}
		w.nodes(n.Body, inner, t, chain)
	case TBlock:
		if len(chain) > 1 {
			w.block(n.Name, chain, 0, sc)
			return
		}
		w.nodes(n.Body, sc, t, chain)
	case TInclude:
		inner := sc.child()
		if n.Only {
			inner = &tscope{vars: map[string]*tbind{}}
		}
		for i, e := range n.Exprs {
			inner.vars[n.Names[i]] = w.expr(e, useBind, sc, t)
		}
		if n.Name == "" {
			return
		}
		inc, suffix := w.set.Resolve(n.Name, t.Path, t.Name)
		if inc == nil {
			return
		}
		prev := w.bySuffix
		w.bySuffix = w.bySuffix || suffix
		w.render(inc, inner)
		w.bySuffix = prev
	case TMacro:
		// The definition: what the body reads of the context, its
		// parameters unbound (calls walk it again with them bound).
		inner := sc.child()
		for _, name := range n.Names {
			inner.vars[name] = nil
		}
		w.nodes(n.Body, inner, t, chain)
	case TTag:
		if w.inclusionTag(n, sc, t) || w.regroup(n, sc, t) || w.simpleTag(n, sc, t) {
			return
		}
		for _, e := range n.Exprs {
			w.expr(e, useArg, sc, t)
		}
		for _, name := range n.Names {
			sc.vars[name] = nil // `as name` binds something else
		}
	}
}

// textFilters render their input as text (so a row's __str__ runs).
var textFilters = map[string]bool{"default": true, "default_if_none": true, "safe": true, "escape": true, "force_escape": true,
	"upper": true, "lower": true, "title": true, "capfirst": true, "truncatechars": true, "truncatewords": true,
	"truncatechars_html": true, "truncatewords_html": true, "linebreaks": true, "linebreaksbr": true, "striptags": true,
	"urlize": true, "urlizetrunc": true, "slugify": true, "center": true, "ljust": true, "rjust": true, "cut": true,
	"wordwrap": true, "iriencode": true, "urlencode": true, "addslashes": true, "escapejs": true, "stringformat": true,
	"make_list": true, "wordcount": true}

// evalFilters evaluate a queryset they are given (a query per row for a
// related manager's queryset).
var evalFilters = map[string]bool{"length": true, "length_is": true, "first": true, "last": true, "slice": true,
	"join": true, "random": true, "dictsort": true, "dictsortreversed": true, "unordered_list": true, "yesno": true}

// rowFilters return rows of the list they are given, reordered or sliced.
var rowFilters = map[string]bool{"dictsort": true, "dictsortreversed": true, "slice": true}

// keepRows reports filters that each return rows of their input.
func keepRows(fs []TFilter) bool {
	for _, f := range fs {
		if !rowFilters[f.Name] {
			return false
		}
	}
	return true
}

// expr resolves an expression in scope, recording the per-row accesses
// its lookups make, and returns what it holds (nil when not a row or
// rows of a known model).
func (w *twalker) expr(e *TExpr, u use, sc *tscope, t *Template) *tbind {
	for _, f := range e.Filters {
		if f.Arg != nil && f.Arg.Var != "" {
			w.expr(f.Arg, useArg, sc, t)
		}
	}
	if w.macroCall(e, sc, t) {
		return nil
	}
	for _, a := range e.Args {
		if a.Var != "" || len(a.Args) > 0 {
			w.expr(a, useArg, sc, t)
		}
	}
	if e.Var == "" {
		return nil
	}
	parts := strings.Split(e.Var, ".")
	b := sc.lookup(parts[0])
	if b == nil {
		return nil
	}
	if len(e.Filters) > 0 {
		switch {
		case u == useIterate && keepRows(e.Filters):
			// `{% for p in photos|dictsortreversed:"album.date" %}`: the
			// same rows, reordered or sliced, are iterated.
		case textFilters[e.Filters[0].Name] && u == useOutput:
		case evalFilters[e.Filters[0].Name]:
			u = useTest // the value is evaluated, not shown
		default:
			u = useArg
		}
	}
	cur := *b
	cur.path = append([]string(nil), b.path...)
	rest := parts[1:]
	if cur.groups || cur.group {
		return groupExpr(&cur, rest, u)
	}
	if cur.rows {
		// A queryset or page: `.all` and `.object_list` are the same rows;
		// anything else runs once.
		for len(rest) > 0 && (rest[0] == "all" || rest[0] == "object_list") {
			rest = rest[1:]
		}
		if len(rest) > 0 {
			return nil
		}
		if u == useIterate || u == useBind {
			return &cur
		}
		return nil
	}
	for i, name := range rest {
		if name == cur.back && cur.back != "" {
			// The manager's owner, set on the row by Django: no query.
			if cur.owner == nil {
				return nil
			}
			cur = *cur.owner
			cur.path = append([]string(nil), cur.path...)
			continue
		}
		cur.back, cur.owner = "", nil
		a := cur.model.Attr(name)
		if a.Target == nil {
			a.Target = w.externalTarget(a, cur.model)
		}
		switch a.Kind {
		case project.AttrForward, project.AttrReverseOne:
			kind := Forward
			if a.Field != nil && a.Field.Kind == project.GenericFK {
				kind = Generic
			}
			cur.path = append(cur.path, name)
			w.record(&cur, TAccess{Kind: kind, Field: a.Field, Relation: a.Relation, Target: a.Target, Shown: strings.Join(parts[:i+2], ".")}, e, t)
			if a.Target == nil || kind == Generic {
				return nil
			}
			cur.model = a.Target
		case project.AttrReverseMany, project.AttrManyToMany:
			if a.Target == nil {
				return nil
			}
			return w.manager(&cur, strings.Join(parts[:i+2], "."), name, a, rest[i+1:], u, e, t)
		case project.AttrColumn, project.AttrManager:
			return nil
		default:
			fn := w.m.ModelMethod(cur.model, name)
			if fn == nil || !fn.Property && requiredParams(fn) > 1 {
				return nil
			}
			w.deep(&cur, strings.Join(parts[:i+1], "."), fn, e, t)
			return nil
		}
	}
	if len(e.Filters) > 0 {
		// A project filter runs its function on the row once per use.
		if fn := w.projectFilter(e.Filters[0].Name); fn != nil {
			w.deepAt(&cur, e.Var, fn, 0, e, t)
		}
	}
	if u == useOutput {
		if fn := w.m.ModelMethod(cur.model, "__str__"); fn != nil {
			w.deep(&cur, e.Var, fn, e, t)
		}
	}
	if u == useBind || u == useArg || u == useTest {
		return &cur
	}
	return nil
}

// manager resolves what follows a related manager: `.all` (iterated or
// evaluated), `.count`, `.exists`, `.first`...
func (w *twalker) manager(cur *tbind, shown, name string, a project.Attr, methods []string, u use, e *TExpr, t *Template) *tbind {
	path := append(append([]string(nil), cur.path...), name)
	if len(methods) == 0 {
		return nil // the manager itself: neither iterable nor a query
	}
	ms := methods
	if len(ms) > 1 && isIndex(ms[1]) {
		ms = ms[:1] // `.all.0`: the first of the rows loaded
	}
	if len(ms) > 2 {
		ms = ms[:2]
	}
	kind, ok := managerKind(ms)
	if !ok {
		return nil
	}
	iterated := kind == Manager && len(methods) == 1
	if iterated && u == useArg {
		return nil // passed on unevaluated (a tag's argument)
	}
	acc := TAccess{Kind: kind, Methods: ms, Field: a.Field, Relation: a.Relation, Target: a.Target, Shown: shown + "." + strings.Join(ms, ".")}
	rows := &tbind{root: cur.root, model: a.Target, path: path, rows: true, perRow: cur.perRow, loops: cur.loops}
	if back := backFK(a); back != "" {
		owner := *cur
		rows.back, rows.owner = back, &owner
	}
	if iterated && u == useBind {
		// {% with items=row.items.all %}: evaluated where it is used.
		return rows
	}
	rec := *cur
	rec.path = path
	w.record(&rec, acc, e, t)
	if iterated && u == useIterate {
		return rows
	}
	return nil
}

func isIndex(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// deep records what a model method, property or __str__ called on a row
// reads per call.
func (w *twalker) deep(cur *tbind, row string, fn *Func, e *TExpr, t *Template) {
	w.deepAt(cur, row, fn, 0, e, t)
}

// deepAt is deep for a function taking the row as its parameter param (a
// template tag's function).
func (w *twalker) deepAt(cur *tbind, row string, fn *Func, param int, e *TExpr, t *Template) {
	if !cur.perRow {
		return
	}
	for _, acc := range w.m.RowAccesses(fn, param, cur.model) {
		if acc.Kind == Lookup {
			continue
		}
		acc := acc
		rec := *cur
		hops := strings.Split(acc.Path, "__")
		if cur.back != "" && hops[0] == cur.back {
			// Through the foreign key Django set on the row: its owner.
			if cur.owner == nil || len(hops) == 1 {
				continue
			}
			rec, hops = *cur.owner, hops[1:]
		}
		rec.path = append(append([]string(nil), rec.path...), hops...)
		w.record(&rec, TAccess{Kind: acc.Kind, Methods: acc.Methods, Deep: &acc, Func: fn, Field: acc.Field,
			Relation: acc.Relation, Target: acc.Target, Shown: row + "." + strings.ReplaceAll(acc.Path, "__", ".")}, e, t)
	}
}

// record keeps an access made per row (once per place and path): on a
// loop's row, or, for a query (not a forward relation, which the row
// caches once read), on a row held once but made inside a loop over rows.
func (w *twalker) record(b *tbind, a TAccess, e *TExpr, t *Template) {
	loops := b.loops
	if !b.perRow {
		if len(w.rowLoops) == 0 || a.Kind == Forward || a.Kind == Generic || a.Kind == Lookup {
			return
		}
		a.Repeated = true
		loops = append([]TLoop(nil), w.rowLoops...)
	}
	a.Root = b.root
	a.Path = strings.Join(b.path, "__")
	a.Template, a.Start, a.End, a.Expr = t, e.Start, e.End, e.Var
	a.Loops = loops
	a.BySuffix = w.bySuffix
	key := t.Path + "\x00" + strconv.Itoa(a.Start) + "\x00" + strconv.Itoa(a.Root) + "\x00" + a.Path + "\x00" + strconv.Itoa(int(a.Kind))
	if a.Deep != nil {
		key += "\x00" + a.Deep.File.Unit.File.Rel + strconv.Itoa(a.Deep.Node.StartByte())
	}
	if w.seen[key] {
		return
	}
	w.seen[key] = true
	w.out = append(w.out, a)
}

// externalTarget finds the stub of a model outside the tree that a
// relation points at (auth.User): the graph leaves Attr.Target nil for
// it, but knows the reverse relations the project declares on it
// (`user.project_set`).
func (w *twalker) externalTarget(a project.Attr, from *project.Model) *project.Model {
	g := w.m.Graph
	if a.Field == nil || g == nil || a.Kind != project.AttrForward && a.Kind != project.AttrManyToMany {
		return nil
	}
	t := a.Field.Target
	var m *project.Model
	switch {
	case t == project.AuthUserModel:
		m = g.UserModel()
	case strings.Count(t, ".") == 1:
		m = g.ByLabel(t)
	case !strings.Contains(t, "."):
		m = g.ByLabel(from.App + "." + t)
	default:
		m = g.ByQual(t)
	}
	if m == nil || !m.External {
		return nil
	}
	return m
}

// backFK returns the foreign key Django sets on the rows of a reverse
// foreign key manager (`order` for `order.lines`), or "".
func backFK(a project.Attr) string {
	if a.Kind == project.AttrReverseMany && a.Relation != nil && a.Relation.Field != nil && a.Relation.Field.Kind == project.ForeignKey {
		return a.Relation.Field.Name
	}
	return ""
}

// requiredParams counts the parameters of fn without a default (self
// included): Django calls a method from a template only without arguments.
func requiredParams(fn *Func) int {
	n := 0
	for p := range fn.Node.ChildByField("parameters").Named() {
		switch p.Type() {
		case "identifier", "typed_parameter":
			n++
		}
	}
	return n
}

// macroCall walks the body of a Jinja2 macro of template t called by e
// (`{{ contest_head(contest) }}`), its parameters bound to the arguments
// in order (keyword arguments are not matched: their parameters stay
// unbound). Like Jinja2, the body sees the template's context, not the
// caller's loop variables. A macro already being walked (recursion) is
// not walked again.
func (w *twalker) macroCall(e *TExpr, sc *tscope, t *Template) bool {
	if !e.Call {
		return false
	}
	m := t.Macros[e.Var]
	if m == nil || sc.lookup(e.Var) != nil || w.macros[m] || len(w.macros) >= maxIncludeDepth {
		return false
	}
	root := sc
	for root.parent != nil {
		root = root.parent
	}
	inner := root.child()
	for _, name := range m.Names {
		inner.vars[name] = nil
	}
	for i, a := range e.Args {
		if i < len(m.Names) && a.Keyword == "" {
			inner.vars[m.Names[i]] = w.expr(a, useBind, sc, t)
		} else if a.Var != "" || len(a.Args) > 0 {
			w.expr(a, useArg, sc, t)
		}
	}
	if w.macros == nil {
		w.macros = map[*TNode]bool{}
	}
	w.macros[m] = true
	w.nodes(m.Body, inner, t, nil)
	delete(w.macros, m)
	return true
}

// projectFilter returns the function of the project template filter of
// that name, when one module registers it and it takes the value first.
func (w *twalker) projectFilter(name string) *Func {
	if w.m == nil || w.m.Index == nil {
		return nil
	}
	tag := inclusionTagsOf.Get(w.m.Index).filters[name]
	if tag == nil {
		return nil
	}
	fn := w.m.LookupFunc(tag.qual)
	if fn == nil || len(fn.Params) == 0 || fn.Class != nil {
		return nil
	}
	return fn
}
