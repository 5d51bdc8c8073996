package orm

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// QS is what is known of a queryset expression: its model and what the
// chain that built it asked for.
type QS struct {
	Model *project.Model // nil when the model is not in the graph
	// ModelText is the model as written ("Transaction"), for messages.
	ModelText string
	Select    []string // select_related paths
	SelectAll bool     // select_related() without arguments
	Prefetch  []string // prefetch_related lookups, Prefetch(...) lookups and to_attr names
	Values    bool     // values()/values_list(): rows are dicts or tuples
	Sliced    bool
	Iterator  bool
	Only      bool // only()/defer()
	Grouped   bool // values() then annotate() or distinct(): one row per group
	Single    bool // filtered by a unique key: at most one row
	Combined  bool // union()/intersection()/difference()/extra()
	// Custom is set when a custom manager or queryset method is part of the
	// chain: probably a queryset, not certainly.
	Custom bool
	// Scoped is set when a filter pins a foreign key to a parent other
	// than the user model (the labels of one project): usually few rows.
	Scoped    bool
	Annotated []string
	// Opaque is set when part of the chain could not be read (a custom
	// manager, a get_queryset() elsewhere): it may select or prefetch more.
	Opaque bool
	// Related is set for related managers (`order.items.all()`);
	// OwnerInLoop when the owner is itself a row of a loop.
	Related     bool
	OwnerInLoop bool
	// Origin is the expression a fix may extend with `.select_related(...)`
	// (same file), or the zero Node.
	Origin pyast.Node
}

func (q *QS) clone() *QS {
	c := *q
	c.Select = append([]string(nil), q.Select...)
	c.Prefetch = append([]string(nil), q.Prefetch...)
	c.Annotated = append([]string(nil), q.Annotated...)
	return &c
}

// Selects reports whether path ("merchant__category") is loaded with the
// rows by select_related, or cached by prefetch_related.
func (q *QS) Selects(path string) bool {
	if q.SelectAll {
		return true
	}
	for _, s := range q.Select {
		if s == path || strings.HasPrefix(s, path+"__") {
			return true
		}
	}
	return q.Prefetches(path)
}

// Prefetches reports whether path is cached by prefetch_related.
func (q *QS) Prefetches(path string) bool {
	for _, s := range q.Prefetch {
		if s == path || strings.HasPrefix(s, path+"__") {
			return true
		}
	}
	return false
}

// chainMethods return a queryset of the same model.
var chainMethods = map[string]bool{
	"all": true, "filter": true, "exclude": true, "order_by": true, "distinct": true, "select_related": true,
	"prefetch_related": true, "only": true, "defer": true, "annotate": true, "alias": true, "using": true,
	"select_for_update": true, "reverse": true, "none": true, "extra": true, "values": true, "values_list": true,
	"iterator": true, "union": true, "intersection": true, "difference": true, "get_queryset": true,
	"complex_filter": true, "filter_by": true,
}

// rowMethods execute and return one instance.
var rowMethods = map[string]bool{
	"get": true, "first": true, "last": true, "earliest": true, "latest": true,
}

// execMethods execute a query and return something else than rows.
var execMethods = map[string]bool{
	"count": true, "exists": true, "aggregate": true, "in_bulk": true, "contains": true,
}

// writeMethods write on a queryset or manager.
var writeMethods = map[string]bool{
	"create": true, "get_or_create": true, "update_or_create": true, "update": true, "delete": true,
	"bulk_create": true, "bulk_update": true,
}

// Tracker evaluates querysets and model instances inside one file.
type Tracker struct {
	p *analyzer.Pass
	g *project.Models
	// assigns caches the identifier assignments of each scope (function or
	// module), keyed by the scope node's ID.
	assigns map[int32]map[string][]pyast.Node
	// loopVars maps a loop variable's defining node to its row model.
	loops map[int32]*Loop
	// funcs maps the names of the module-level functions to their first
	// definition; built on first use.
	funcs map[string]pyast.Node
}

// NewTracker prepares a tracker for a pass.
func NewTracker(p *analyzer.Pass) *Tracker {
	t := &Tracker{p: p, assigns: map[int32]map[string][]pyast.Node{}, loops: map[int32]*Loop{}}
	if p.Project != nil {
		t.g = p.Project.Models
	}
	return t
}

// scope returns the function (or module) whose locals n's names are.
func scope(n pyast.Node) pyast.Node {
	if f := pyast.Ancestor(n, "function_definition"); !f.IsNil() {
		return f
	}
	for p := n; !p.IsNil(); p = p.Parent() {
		if p.Parent().IsNil() {
			return p
		}
	}
	return n
}

// assignments returns the assignments to name in n's scope, in source order.
func (t *Tracker) assignments(sc pyast.Node, name string) []pyast.Node {
	m := t.assigns[sc.ID()]
	if m == nil {
		m = map[string][]pyast.Node{}
		for _, a := range pyast.FindAllShallow(sc, "assignment") {
			l := a.ChildByField("left")
			if l.Type() == "identifier" {
				m[l.Text()] = append(m[l.Text()], a)
			}
		}
		t.assigns[sc.ID()] = m
	}
	return m[name]
}

// binding returns the right-hand side of the last assignment to name
// before position at in n's scope, or the zero Node.
func (t *Tracker) binding(n pyast.Node, name string, at int) pyast.Node {
	var last pyast.Node
	for _, a := range t.assignments(scope(n), name) {
		if a.EndByte() <= at {
			last = a.ChildByField("right")
		}
	}
	return last
}

// isParam reports whether name is a parameter of n's function.
func isParam(n pyast.Node, name string) bool {
	f := pyast.Ancestor(n, "function_definition")
	if f.IsNil() {
		return false
	}
	for _, id := range pyast.Identifiers(f.ChildByField("parameters")) {
		if id == name {
			return true
		}
	}
	return false
}

// Eval returns the queryset an expression evaluates to, or nil.
func (t *Tracker) Eval(n pyast.Node) *QS { return t.eval(n, 0) }

func (t *Tracker) eval(n pyast.Node, depth int) *QS {
	if depth > 20 || n.IsNil() || t.g == nil {
		return nil
	}
	n = pyast.Unparen(n)
	switch n.Type() {
	case "identifier":
		if rhs := t.binding(n, n.Text(), n.StartByte()); !rhs.IsNil() {
			return t.eval(rhs, depth+1)
		}
		return nil
	case "subscript":
		if n.ChildByField("subscript").Type() != "slice" {
			return nil
		}
		q := t.eval(n.ChildByField("value"), depth+1)
		if q == nil {
			return nil
		}
		q = q.clone()
		q.Sliced = true
		return q
	case "attribute":
		return t.evalAttr(n, depth)
	case "call":
		return t.evalCall(n, depth)
	}
	return nil
}

// evalAttr handles `Model.objects` and related managers `obj.items`.
func (t *Tracker) evalAttr(n pyast.Node, depth int) *QS {
	obj := n.ChildByField("object")
	name := n.ChildByField("attribute").Text()
	if obj.Type() == "identifier" && obj.Text() == "self" {
		// self.queryset in a class-based view.
		if name == "queryset" {
			return t.classQueryset(n, depth)
		}
		return nil
	}
	if d := pyast.Dotted(obj); d != "" {
		if m := t.g.Lookup(t.p.Unit, d); m != nil {
			if !m.HasManager(name) && !(m.External && name == "objects") {
				return nil
			}
			q := &QS{Model: m, ModelText: d, Origin: n}
			if m.CustomManager(name) != nil || m.External || !m.Complete {
				q.Opaque = true
			}
			return q
		}
	}
	// A related manager: obj.items where obj is an instance.
	if m, loop := t.Instance(obj); m != nil {
		a := m.Attr(name)
		if a.Kind == project.AttrReverseMany || a.Kind == project.AttrManyToMany {
			if a.Target == nil {
				return nil
			}
			return &QS{Model: a.Target, ModelText: a.Target.Name, Related: true, OwnerInLoop: loop != nil, Origin: n}
		}
	}
	return nil
}

func (t *Tracker) evalCall(n pyast.Node, depth int) *QS {
	c, _ := pyast.AsCall(n)
	if c.Func.Type() == "identifier" {
		switch c.Func.Text() {
		case "list", "sorted", "tuple":
			if len(c.Positional) == 1 {
				return t.eval(c.Positional[0], depth+1)
			}
		case "get_list_or_404":
			if len(c.Positional) > 0 {
				q := t.eval(c.Positional[0], depth+1)
				if q == nil {
					if m := t.g.Lookup(t.p.Unit, pyast.Dotted(c.Positional[0])); m != nil {
						q = &QS{Model: m, ModelText: pyast.Dotted(c.Positional[0])}
					}
				}
				return q
			}
		}
		return nil
	}
	recv := c.Receiver()
	method := c.MethodName()
	if method == "get_queryset" && isSelfOrSuper(recv) {
		return t.classGetQueryset(n, recv, depth)
	}
	if (method == "filter_queryset" || method == "paginate_queryset") && isSelfOrSuper(recv) && len(c.Positional) > 0 {
		q := t.eval(c.Positional[0], depth+1)
		if q != nil && method == "paginate_queryset" {
			q = q.clone()
			q.Sliced = true
		}
		return q
	}
	if recv.IsNil() {
		return nil
	}
	custom := !chainMethods[method] && customQSMethod(method) && t.g.IsQuerySetMethod(method)
	if !chainMethods[method] && !custom {
		return nil
	}
	base := t.eval(recv, depth+1)
	if base == nil {
		return nil
	}
	q := base.clone()
	q.Origin = n
	if custom {
		// A method of a custom manager or queryset: most return a
		// queryset, and what it selects is not seen.
		q.Opaque, q.Custom = true, true
		return q
	}
	switch method {
	case "select_related":
		if len(c.Positional) == 0 {
			q.SelectAll = true
		}
		for _, a := range c.Positional {
			if s, ok := pyast.StringValue(a); ok {
				q.Select = append(q.Select, s)
			} else {
				q.Opaque = true
			}
		}
	case "prefetch_related":
		for _, a := range c.Positional {
			if s, ok := pyast.StringValue(a); ok {
				q.Prefetch = append(q.Prefetch, s)
				continue
			}
			pc, ok := pyast.AsCall(a)
			if ok && strings.HasSuffix(pyast.Dotted(pc.Func), "Prefetch") {
				if s, ok := pyast.StringValue(pc.Arg(0, "lookup")); ok {
					base := s
					if to, ok := pyast.StringValue(pc.Keyword("to_attr")); ok {
						// The lookup's last part lands in to_attr.
						base = to
						if i := strings.LastIndex(s, "__"); i >= 0 {
							base = s[:i] + "__" + to
						}
					}
					q.Prefetch = append(q.Prefetch, base)
					// What the inner queryset loads comes with each row.
					if inner := t.eval(pc.Arg(1, "queryset"), depth+1); inner != nil {
						for _, sub := range append(append([]string(nil), inner.Select...), inner.Prefetch...) {
							q.Prefetch = append(q.Prefetch, base+"__"+sub)
						}
					}
					continue
				}
			}
			q.Opaque = true
		}
	case "values", "values_list":
		q.Values = true
	case "distinct":
		if q.Values || len(c.Positional) > 0 {
			q.Grouped = true
		}
	case "filter", "get":
		if q.Model != nil {
			var eq []string
			for k := range c.Keywords {
				eq = append(eq, strings.TrimSuffix(strings.TrimSuffix(k, "__exact"), "__iexact"))
			}
			if q.Model.UniqueBy(eq) {
				q.Single = true
			}
			for k := range c.Keywords {
				head := strings.SplitN(k, "__", 2)[0]
				f := q.Model.Field(head)
				if f == nil {
					f = q.Model.FKColumn(head)
				}
				if f != nil && (f.Kind == project.ForeignKey || f.Kind == project.OneToOne) && !strings.Contains(k, "__in") &&
					(f.To == nil || f.To != t.g.UserModel()) && f.Target != project.AuthUserModel {
					q.Scoped = true
				}
			}
		}
	case "iterator":
		q.Iterator = true
	case "only", "defer":
		q.Only = true
	case "annotate", "alias":
		if q.Values {
			q.Grouped = true
		}
		for k := range c.Keywords {
			q.Annotated = append(q.Annotated, k)
		}
	case "none":
		q.Single = true
	case "union", "intersection", "difference", "extra":
		q.Opaque = true
		q.Combined = true
	}
	return q
}

// customQSMethod filters names of custom manager methods that rarely
// return a queryset (get_by_natural_key, create_user...).
func customQSMethod(name string) bool {
	for _, p := range []string{"get", "create", "update", "delete", "count", "exists", "bulk", "set", "add", "remove",
		"make", "normalize", "natural", "check", "clear", "save", "_"} {
		if strings.HasPrefix(name, p) {
			return false
		}
	}
	return true
}

func isSelfOrSuper(n pyast.Node) bool {
	if n.Type() == "identifier" && n.Text() == "self" {
		return true
	}
	if c, ok := pyast.AsCall(n); ok && c.Func.Type() == "identifier" && c.Func.Text() == "super" {
		return true
	}
	return false
}

// classOf returns the class whose method contains n.
func classOf(n pyast.Node) pyast.Node {
	f := pyast.Ancestor(n, "function_definition")
	if f.IsNil() {
		return pyast.Node{}
	}
	c := pyast.Ancestor(f, "class_definition")
	if c.IsNil() {
		return pyast.Node{}
	}
	// Only direct methods (possibly decorated).
	p := f.Parent()
	if p.Type() == "decorated_definition" {
		p = p.Parent()
	}
	if !p.Parent().Equal(c) {
		return pyast.Node{}
	}
	return c
}

// classMember finds a method or class attribute in cls or its bases
// defined in the same file.
func classMember(cls pyast.Node, name string, seen int) (method, attr pyast.Node) {
	if cls.IsNil() || seen > 8 {
		return
	}
	for _, st := range pyast.Statements(pyast.Body(cls)) {
		d := st
		if d.Type() == "decorated_definition" {
			d = d.ChildByField("definition")
		}
		switch d.Type() {
		case "function_definition":
			if pyast.DefName(d) == name {
				return d, pyast.Node{}
			}
		case "expression_statement":
			a := d.NamedChild(0)
			if a.Type() == "assignment" && a.ChildByField("left").Text() == name {
				return pyast.Node{}, a.ChildByField("right")
			}
		}
	}
	root := cls
	for !root.Parent().IsNil() {
		root = root.Parent()
	}
	for _, b := range cls.ChildByField("superclasses").NamedChildren() {
		if b.Type() != "identifier" {
			continue
		}
		for _, st := range pyast.Statements(root) {
			if st.Type() == "decorated_definition" {
				st = st.ChildByField("definition")
			}
			if st.Type() == "class_definition" && pyast.DefName(st) == b.Text() && !st.Equal(cls) {
				if m, a := classMember(st, name, seen+1); !m.IsNil() || !a.IsNil() {
					return m, a
				}
			}
		}
	}
	return
}

// inheritsMethod reports whether a base class defined in another file of
// the tree defines method: then what the class says may be rewritten
// there (a base view adding prefetches in get_queryset).
func (t *Tracker) inheritsMethod(cls pyast.Node, method string) bool {
	if t.g == nil || cls.IsNil() {
		return false
	}
	for _, b := range cls.ChildByField("superclasses").NamedChildren() {
		if b.Type() == "keyword_argument" {
			continue
		}
		d := pyast.Dotted(b)
		c := t.g.LookupClass(t.p.Unit, d)
		if c == nil {
			// Neither Django/DRF nor a class of the tree: it may do anything.
			if q, _ := t.p.Imports.Resolve(b); q == "" || !knownFramework(q) {
				if !t.sameFileClass(cls, d) {
					return true
				}
			}
			continue
		}
		if c.Path == t.p.File.Rel {
			continue
		}
		for _, cc := range append([]*project.ClassFacts{c}, t.g.ClassBases(c)...) {
			for _, m := range cc.Methods {
				if m == method {
					return true
				}
			}
		}
	}
	return false
}

// knownFramework reports names of Django and DRF, whose views take the
// queryset attribute as it is.
func knownFramework(q string) bool {
	return strings.HasPrefix(q, "rest_framework.") || strings.HasPrefix(q, "django.")
}

// sameFileClass reports whether name is a class defined at module level of
// cls's file (classMember follows those).
func (t *Tracker) sameFileClass(cls pyast.Node, name string) bool {
	root := cls
	for !root.Parent().IsNil() {
		root = root.Parent()
	}
	for _, st := range pyast.Statements(root) {
		if st.Type() == "decorated_definition" {
			st = st.ChildByField("definition")
		}
		if st.Type() == "class_definition" && pyast.DefName(st) == name {
			return true
		}
	}
	return false
}

// classQueryset evaluates the `queryset = ...` attribute of n's class.
func (t *Tracker) classQueryset(n pyast.Node, depth int) *QS {
	cls := classOf(n)
	if t.inheritsMethod(cls, "get_queryset") {
		return nil
	}
	_, attr := classMember(cls, "queryset", 0)
	if attr.IsNil() {
		return nil
	}
	return t.eval(attr, depth+1)
}

// classGetQueryset evaluates self.get_queryset() (or super()'s): the
// class's own get_queryset return value, else its queryset attribute.
func (t *Tracker) classGetQueryset(n, recv pyast.Node, depth int) *QS {
	cls := classOf(n)
	if cls.IsNil() {
		return nil
	}
	if recv.Type() == "identifier" {
		if m, _ := classMember(cls, "get_queryset", 0); !m.IsNil() && !m.Contains(n) {
			return t.returnQS(m, depth)
		}
	}
	return t.classQueryset(n, depth)
}

// returnQS evaluates what a get_queryset method returns: the first return
// value that is a queryset with rows (an early `return qs.none()` or a
// lookup by key is an exception path, not the listing); nil as soon as a
// return before it cannot be read.
func (t *Tracker) returnQS(m pyast.Node, depth int) *QS {
	var fallback *QS
	for _, r := range pyast.FindAllShallow(m, "return_statement") {
		e := r.NamedChild(0)
		if e.IsNil() {
			continue
		}
		q := t.eval(e, depth+1)
		if q == nil {
			return nil // one path cannot be read: the listing is unknown
		}
		if !q.Single {
			return q
		}
		if fallback == nil {
			fallback = q
		}
	}
	return fallback
}

// ViewQueryset evaluates the queryset of a view class: its get_queryset
// (own or of a base in the same file), else its queryset attribute.
func (t *Tracker) ViewQueryset(cls pyast.Node) *QS {
	if m, _ := classMember(cls, "get_queryset", 0); !m.IsNil() {
		return t.returnQS(m, 0)
	}
	if t.inheritsMethod(cls, "get_queryset") {
		return nil
	}
	if _, a := classMember(cls, "queryset", 0); !a.IsNil() {
		return t.Eval(a)
	}
	return nil
}

// Instance returns the model of an expression that holds one model
// instance (a loop variable over a queryset, `Model.objects.get(...)`,
// `get_object_or_404(Model, ...)`), with the queryset it came from (nil
// for single fetches).
func (t *Tracker) Instance(n pyast.Node) (*project.Model, *Loop) {
	return t.instance(n, 0)
}

func (t *Tracker) instance(n pyast.Node, depth int) (*project.Model, *Loop) {
	if depth > 10 || t.g == nil {
		return nil, nil
	}
	n = pyast.Unparen(n)
	switch n.Type() {
	case "identifier":
		if l := t.loopOf(n); l != nil {
			if l.QS != nil {
				return l.QS.Model, l
			}
			return nil, nil
		}
		if rhs := t.binding(n, n.Text(), n.StartByte()); !rhs.IsNil() {
			return t.instance(rhs, depth+1)
		}
	case "call":
		c, _ := pyast.AsCall(n)
		if c.Func.Type() == "identifier" && c.Func.Text() == "get_object_or_404" && len(c.Positional) > 0 {
			if q := t.eval(c.Positional[0], depth+1); q != nil {
				return q.Model, nil
			}
			return t.g.Lookup(t.p.Unit, pyast.Dotted(c.Positional[0])), nil
		}
		if rowMethods[c.MethodName()] || c.MethodName() == "create" {
			if q := t.eval(c.Receiver(), depth+1); q != nil {
				return q.Model, nil
			}
		}
	case "attribute":
		// obj.fk: the related instance.
		if m, _ := t.instance(n.ChildByField("object"), depth+1); m != nil {
			a := m.Attr(n.ChildByField("attribute").Text())
			if a.Kind == project.AttrForward || a.Kind == project.AttrReverseOne {
				return a.Target, nil
			}
		}
	}
	return nil, nil
}

// Loop is a for statement or comprehension clause over some iterable.
type Loop struct {
	Node pyast.Node // for_statement or for_in_clause
	Var  pyast.Node // the identifier bound per row
	Iter pyast.Node // the iterable expression
	QS   *QS        // nil when the iterable is not a known queryset
	// Body are the nodes that run once per row.
	Body []pyast.Node
	t    *Tracker
}

// rowVar returns the identifier bound to each row by a loop target: `x`,
// or the second name of `i, x` over enumerate(...).
func rowVar(target, iter pyast.Node) (pyast.Node, pyast.Node) {
	target = pyast.Unparen(target)
	if target.Type() == "identifier" {
		return target, iter
	}
	if c, ok := pyast.AsCall(iter); ok && c.Func.Type() == "identifier" && c.Func.Text() == "enumerate" && len(c.Positional) > 0 {
		if target.Is("pattern_list", "tuple_pattern", "tuple") {
			kids := target.NamedChildren()
			if len(kids) == 2 && kids[1].Type() == "identifier" {
				return kids[1], c.Positional[0]
			}
		}
	}
	return pyast.Node{}, pyast.Node{}
}

// Loops returns every loop of the file, outer loops first.
func (t *Tracker) Loops() []*Loop {
	var out []*Loop
	for _, n := range pyast.FindAll(t.p.Root, "for_statement", "call", "for_in_clause") {
		switch n.Type() {
		case "for_statement":
			v, it := rowVar(n.ChildByField("left"), n.ChildByField("right"))
			l := &Loop{Node: n, Var: v, Iter: it, Body: []pyast.Node{n.ChildByField("body")}, t: t}
			if it.IsNil() {
				l.Iter = n.ChildByField("right")
			}
			out = append(out, l)
			t.loops[n.ID()] = l
		case "call":
			// map(lambda row: ..., rows)
			if fn := n.ChildByField("function"); fn.Type() != "identifier" || string(fn.Bytes()) != "map" {
				continue
			}
			c, _ := pyast.AsCall(n)
			if len(c.Positional) != 2 || c.Positional[0].Type() != "lambda" {
				continue
			}
			lam := c.Positional[0]
			params := lam.ChildByField("parameters").NamedChildren()
			if len(params) != 1 || params[0].Type() != "identifier" {
				continue
			}
			l := &Loop{Node: n, Var: params[0], Iter: c.Positional[1], Body: []pyast.Node{lam.ChildByField("body")}, t: t}
			out = append(out, l)
			t.loops[n.ID()] = l
		case "for_in_clause":
			v, it := rowVar(n.ChildByField("left"), n.ChildByField("right"))
			l := &Loop{Node: n, Var: v, Iter: it, t: t}
			if it.IsNil() {
				l.Iter = n.ChildByField("right")
			}
			comp := n.Parent()
			l.Body = append(l.Body, comp.ChildByField("body"))
			after := false
			for _, c := range comp.NamedChildren() {
				if c.Equal(n) {
					after = true
					continue
				}
				if after && c.Is("for_in_clause", "if_clause") {
					l.Body = append(l.Body, c)
				}
			}
			out = append(out, l)
			t.loops[n.ID()] = l
		}
	}
	for _, l := range out {
		if !l.Var.IsNil() {
			l.QS = t.Eval(l.Iter)
			if l.QS != nil {
				t.addPrefetchObjects(l)
			}
		}
	}
	return out
}

// addPrefetchObjects adds the lookups of `prefetch_related_objects(rows,
// "a", ...)` called on the loop's iterable name before the loop.
func (t *Tracker) addPrefetchObjects(l *Loop) {
	it := pyast.Unparen(l.Iter)
	if it.Type() != "identifier" {
		return
	}
	for _, call := range pyast.FindAllShallow(scope(l.Node), "call") {
		c, _ := pyast.AsCall(call)
		name := pyast.Dotted(c.Func)
		if !strings.HasSuffix(name, "prefetch_related_objects") || len(c.Positional) < 2 || call.StartByte() > l.Node.StartByte() {
			continue
		}
		if first := pyast.Unparen(c.Positional[0]); first.Type() != "identifier" || first.Text() != it.Text() {
			continue
		}
		q := l.QS.clone()
		for _, a := range c.Positional[1:] {
			if s, ok := pyast.StringValue(a); ok {
				q.Prefetch = append(q.Prefetch, s)
			} else {
				q.Opaque = true
			}
		}
		l.QS = q
	}
}

// loopOf returns the loop whose row variable identifier n refers to, when
// n sits in that loop's body.
func (t *Tracker) loopOf(n pyast.Node) *Loop {
	name := n.Text()
	for p := n.Parent(); !p.IsNil(); p = p.Parent() {
		switch p.Type() {
		case "function_definition", "lambda", "class_definition":
			return nil
		case "for_statement":
			l := t.loops[p.ID()]
			if l != nil && !l.Var.IsNil() && l.Var.Text() == name && pyast.Body(p).Contains(n) {
				return l
			}
		case "list_comprehension", "set_comprehension", "generator_expression", "dictionary_comprehension":
			for _, c := range p.NamedChildren() {
				if c.Type() != "for_in_clause" {
					continue
				}
				l := t.loops[c.ID()]
				if l == nil || l.Var.IsNil() || l.Var.Text() != name {
					continue
				}
				for _, b := range l.Body {
					if b.Contains(n) {
						return l
					}
				}
			}
		}
	}
	return nil
}

// Walk visits, in pre-order, the nodes that run once per row, without
// entering nested function, class or lambda definitions.
func (l *Loop) Walk(f func(pyast.Node) bool) {
	for _, b := range l.Body {
		pyast.Inspect(b, func(n pyast.Node) bool {
			if n.Is("function_definition", "class_definition", "lambda") {
				return false
			}
			return f(n)
		})
	}
}

// Once reports a for loop whose body ends every iteration with return,
// break or raise at its top level: it runs at most once.
func (l *Loop) Once() bool {
	if l.Node.Type() != "for_statement" {
		return false
	}
	for _, st := range pyast.Statements(pyast.Body(l.Node)) {
		if st.Is("return_statement", "break_statement", "raise_statement") {
			return true
		}
	}
	return false
}

// LeavesAfter reports whether every path through n leaves the loop right
// after it: a block around n (inside the loop) has a return or raise, or a
// break of this loop, at its top level after the statement holding n.
// `for p in plugins: if p.id == wanted: p.save(); return p` writes once.
func (l *Loop) LeavesAfter(n pyast.Node) bool {
	if l.Node.Type() != "for_statement" && l.Node.Type() != "while_statement" {
		return false
	}
	inner := false // a nested loop between n and l: its break is not ours
	for c := n; !c.IsNil() && !c.Equal(l.Node); c = c.Parent() {
		p := c.Parent()
		if p.IsNil() {
			return false
		}
		if p.Is("for_statement", "while_statement") && !p.Equal(l.Node) {
			inner = true
		}
		if p.Is("function_definition", "class_definition", "lambda") {
			return false
		}
		if p.Type() != "block" {
			continue
		}
		after := false
		for _, st := range pyast.Statements(p) {
			if st.Equal(c) {
				after = true
				continue
			}
			if !after {
				continue
			}
			if st.Is("return_statement", "raise_statement") || st.Type() == "break_statement" && !inner {
				return true
			}
		}
	}
	return false
}

// InBody reports whether n runs once per row of l.
func (l *Loop) InBody(n pyast.Node) bool {
	for _, b := range l.Body {
		if b.Contains(n) {
			return true
		}
	}
	return false
}

// Bounded reports whether the loop runs over a literal collection, range(),
// a module constant, settings, an enum class or a name bound to a literal:
// a handful of rows, not a table.
func (l *Loop) Bounded() bool { return boundedIter(l.Iter, l.t, 0) }

func boundedIter(it pyast.Node, t *Tracker, depth int) bool {
	it = pyast.Unparen(it)
	if depth > 5 {
		return false
	}
	if it.Is("list", "tuple", "set", "dictionary", "string", "concatenated_string") {
		return true
	}
	if c, ok := pyast.AsCall(it); ok {
		switch {
		case c.Func.Type() == "identifier" && c.Func.Text() == "range":
			return true
		case c.Func.Type() == "identifier" && len(c.Positional) > 0:
			switch c.Func.Text() {
			case "sorted", "list", "reversed", "enumerate", "tuple", "set", "zip":
				return boundedIter(c.Positional[0], t, depth+1)
			}
		case c.MethodName() == "keys" || c.MethodName() == "values" || c.MethodName() == "items":
			return boundedIter(c.Receiver(), t, depth+1)
		}
		return false
	}
	d := pyast.Dotted(it)
	if d == "" {
		return false
	}
	if strings.HasPrefix(d, "settings.") {
		return true
	}
	last := d[strings.LastIndex(d, ".")+1:]
	if last != "" && strings.ToUpper(last) == last && strings.ToLower(last) != last {
		return true // a module constant
	}
	if last != "" && last[0] >= 'A' && last[0] <= 'Z' {
		return true // iterating a class: an enum
	}
	if it.Type() == "identifier" && t != nil {
		if rhs := t.binding(it, it.Text(), it.StartByte()); !rhs.IsNil() {
			return boundedIter(rhs, t, depth+1)
		}
	}
	return false
}

// quote formats paths as Python string arguments.
func quote(paths []string) string {
	var b strings.Builder
	for i, p := range paths {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(`"` + p + `"`)
	}
	return b.String()
}

// chainText returns the origin expression as a single line for a Help
// message, or "" when it is too long to quote.
func chainText(n pyast.Node) string {
	if n.IsNil() {
		return ""
	}
	s := n.Text()
	if strings.Contains(s, "\n") || len(s) > 100 {
		return ""
	}
	return s
}

// insertionPoint is where `.select_related(...)` goes for an origin: after
// the chain, before any slice.
func insertionPoint(origin pyast.Node) pyast.Node {
	o := pyast.Unparen(origin)
	for o.Type() == "subscript" {
		o = pyast.Unparen(o.ChildByField("value"))
	}
	return o
}
