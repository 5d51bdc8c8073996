package semantic

import (
	"cmp"
	"slices"
	"sort"
	"strings"

	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// maxDepth bounds every recursive evaluation.
const maxDepth = 20

// ctx is the state of one evaluation: its depth, and the class `self`
// stands for when a base class's method is read on behalf of a subclass
// (a mixin's get_queryset calling super().get_queryset() reads the
// concrete view's queryset attribute).
type ctx struct {
	d    int
	self *Class
	// args binds parameters of helpers being read on behalf of one call
	// (the queryset that call passes), innermost first.
	args *argBind
	// memo holds the names already evaluated in this evaluation: branches
	// of successive ifs reach the same earlier bindings many times over.
	memo map[memoKey]*QS
	// loops are the loops whose iterables are being evaluated on this
	// path: a recursive helper iterating what its own loop passes
	// (`for f in fields: walk(f.children.all())`) reaches its loop again.
	loops *loopStack
	// action is the DRF action the view's queryset is read for ("list",
	// an @action's name), or "": branches on self.action are then
	// decided (viewaction.go).
	action string
	// deps records, while the model settles, the functions whose return
	// value or parameters this evaluation read (see settleDeps).
	deps *settleDeps
	// ctxRows are the querysets a class-based view's context holds by
	// key, for `context["products"]` read in its get_context_data.
	ctxRows map[string]*QS
}

type loopStack struct {
	l  *Loop
	up *loopStack
}

func (c ctx) evaluating(l *Loop) bool {
	for s := c.loops; s != nil; s = s.up {
		if s.l == l {
			return true
		}
	}
	return false
}

type memoKey struct {
	f      *File
	node   int32
	self   *Class
	args   *argBind
	action string
}

// argBind is one parameter bound to the queryset a call site passes.
type argBind struct {
	fn  *Func
	idx int
	q   *QS
	up  *argBind
}

// bound returns the queryset bound to fn's parameter idx, or nil.
func (c ctx) bound(fn *Func, idx int) *QS {
	for b := c.args; b != nil; b = b.up {
		if b.fn == fn && b.idx == idx {
			return b.q
		}
	}
	return nil
}

func (c ctx) in() ctx { c.d++; return c }

// ScopeOf returns the function (or module) whose locals n's names are.
func ScopeOf(n pyast.Node) pyast.Node {
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

// assignment is one assignment or walrus of a scope to a plain name.
type assignment struct {
	name string // shares the tree's source bytes
	node pyast.Node
}

// assignments returns the assignments to name in scope sc, in source
// order. Each scope's list is made once: every assignment to a plain name
// in the scope, sorted by name (stably: source order within a name), a
// slice rather than a map of slices, most scopes having a handful.
func (f *File) assignments(sc pyast.Node, name string) []assignment {
	f.mu.Lock()
	all, ok := f.assigns[sc.ID()]
	f.mu.Unlock()
	if !ok {
		for a := range pyast.FindEachShallow(sc, "assignment", "named_expression") {
			if name := boundName(a); name != "" {
				all = append(all, assignment{name, a})
			}
		}
		all = slices.Clip(all)
		slices.SortStableFunc(all, func(a, b assignment) int { return strings.Compare(a.name, b.name) })
		f.mu.Lock()
		f.assigns[sc.ID()] = all
		f.mu.Unlock()
	}
	i, _ := slices.BinarySearchFunc(all, name, func(a assignment, name string) int { return strings.Compare(a.name, name) })
	j := i
	for j < len(all) && all[j].name == name {
		j++
	}
	return all[i:j:j]
}

// tupleAssign is an assignment of a scope with a tuple on one side
// (`a, b = ...` or `... = x, y`), what unpackedCall and parallelEmpty
// read; reach is the largest end of it and of every assignment of the
// scope before it in source order.
type tupleAssign struct {
	node  pyast.Node
	reach int
}

// tupleAssigns returns the assignments of scope sc (not in nested
// definitions) whose left side is a pattern list or tuple pattern, or
// whose right side is an expression list or tuple, in source order. A
// walk over the scope's assignments that stops at the first one ending
// after some position p (and skips the others) reads the same ones from
// this list while reach <= p. Each scope's list is made once.
func (f *File) tupleAssigns(sc pyast.Node) []tupleAssign {
	f.mu.Lock()
	out, ok := f.tuples[sc.ID()]
	f.mu.Unlock()
	if ok {
		return out
	}
	reach := 0
	for a := range pyast.FindEachShallow(sc, "assignment") {
		reach = max(reach, a.EndByte())
		if a.ChildByField("left").Is("pattern_list", "tuple_pattern") || a.ChildByField("right").Is("expression_list", "tuple") {
			out = append(out, tupleAssign{a, reach})
		}
	}
	out = slices.Clip(out)
	f.mu.Lock()
	if f.tuples == nil {
		f.tuples = map[int32][]tupleAssign{}
	}
	f.tuples[sc.ID()] = out
	f.mu.Unlock()
	return out
}

// boundValue returns the value an assignment or walrus binds.
func boundValue(a pyast.Node) pyast.Node {
	if a.Type() == "named_expression" {
		return a.ChildByField("value")
	}
	return a.ChildByField("right")
}

// Binding returns the right-hand side of the last assignment to name
// before position at in n's scope, or the zero Node. An assignment in
// another clause of an if statement that holds n (`if a: qs = x` then
// `elif b: use(qs)`) never runs before n and is passed over.
func (f *File) Binding(n pyast.Node, name string, at int) pyast.Node {
	// The assignments are in source order: the last one that ends before
	// at is found from the end, not by reading all (a name bound
	// thousands of times made every lookup of it linear).
	if v, ok := classBodyBinding(n, name, at); ok {
		return v
	}
	as := f.assignments(ScopeOf(n), name)
	i, _ := slices.BinarySearchFunc(as, at, func(a assignment, at int) int { return cmp.Compare(a.node.StartByte(), at) })
	for i--; i >= 0; i-- {
		if a := as[i].node; a.EndByte() <= at && !exclusive(a, n) {
			// A walrus inside an assignment to the same name binds first:
			// the assignment around it is what holds after.
			for p := a.Parent(); !p.IsNil() && !p.Is("expression_statement", "block", "module"); p = p.Parent() {
				if p.Is("assignment", "named_expression") && boundName(p) == name && p.EndByte() <= at {
					a = p
				}
			}
			return boundValue(a)
		}
	}
	return pyast.Node{}
}

// classBodyBinding reads a name in a class body (outside its methods),
// which Python looks up in the class's own namespace before the module's:
// the last plain assignment to name among the class body's statements
// that ends before at (`queryset = Event.objects.filter(...)` then
// `queryset = queryset.select_related(...)`). ok is false when n is not
// in a class body or the class binds no such name before at.
func classBodyBinding(n pyast.Node, name string, at int) (pyast.Node, bool) {
	var cls pyast.Node
	for p := n.Parent(); !p.IsNil(); p = p.Parent() {
		if p.Is("function_definition", "lambda") {
			return pyast.Node{}, false
		}
		if p.Type() == "class_definition" {
			cls = p
			break
		}
	}
	if cls.IsNil() {
		return pyast.Node{}, false
	}
	var found pyast.Node
	for st := range pyast.EachStatement(pyast.Body(cls)) {
		if st.StartByte() >= at {
			break
		}
		if st.Type() != "expression_statement" {
			continue
		}
		a := st.NamedChild(0)
		if a.Type() == "assignment" && boundName(a) == name && a.EndByte() <= at {
			found = a.ChildByField("right")
		}
	}
	return found, !found.IsNil()
}

// boundName is the plain name an assignment or walrus binds, or "".
func boundName(a pyast.Node) string {
	l := a.ChildByField("left")
	if a.Type() == "named_expression" {
		l = a.ChildByField("name")
	}
	if l.Type() != "identifier" {
		return ""
	}
	return l.Text()
}

// ifBodies returns the bodies of an if statement's clauses (if, elif...,
// else) and whether it has an else.
func ifBodies(st pyast.Node) (bodies []pyast.Node, hasElse bool) {
	bodies = []pyast.Node{st.ChildByField("consequence")}
	for k := range st.Named() {
		switch k.Type() {
		case "elif_clause":
			bodies = append(bodies, k.ChildByField("consequence"))
		case "else_clause":
			bodies = append(bodies, k.ChildByField("body"))
			hasElse = true
		}
	}
	return bodies, hasElse
}

// exclusive reports whether a sits in the body of one clause (if, elif,
// else) of an if statement and n in another part of it: when n runs, a
// did not.
func exclusive(a, n pyast.Node) bool {
	for p := a.Parent(); !p.IsNil(); p = p.Parent() {
		if p.Is("function_definition", "class_definition", "lambda", "module") {
			return false
		}
		if p.Type() != "if_statement" || !p.Contains(n) {
			continue
		}
		// The body of a's clause; a walrus in a condition runs before
		// every later clause.
		bodies, _ := ifBodies(p)
		for _, b := range bodies {
			if !b.IsNil() && b.Contains(a) {
				return !b.Contains(n)
			}
		}
		return false
	}
	return false
}

// selfBindings returns the right-hand sides of the assignments to
// `self.<name>` that may reach n in the method holding n, the last one
// first: the last before n (not in a clause of an if statement that n is
// in another part of), then, while that one sits in a branch or loop
// that does not hold n, the one before it. Empty when the method assigns
// none before n.
func selfBindings(n pyast.Node, name string) []pyast.Node {
	def := pyast.Ancestor(n, "function_definition")
	if def.IsNil() {
		return nil
	}
	var before []pyast.Node
	for a := range pyast.FindEachShallow(def.ChildByField("body"), "assignment") {
		l := a.ChildByField("left")
		if l.Type() != "attribute" || l.ChildByField("attribute").Text() != name || pyast.Dotted(l.ChildByField("object")) != "self" {
			continue
		}
		if a.EndByte() <= n.StartByte() && !exclusive(a, n) {
			before = append(before, a)
		}
	}
	var out []pyast.Node
	for i := len(before) - 1; i >= 0; i-- {
		a := before[i]
		out = append(out, a.ChildByField("right"))
		branched := false
		for p := a.Parent(); !p.IsNil() && !p.Equal(def); p = p.Parent() {
			if p.Is("if_statement", "for_statement", "while_statement", "match_statement", "try_statement") && !p.Contains(n) {
				branched = true
				break
			}
		}
		if !branched {
			break
		}
	}
	return out
}

// Bindings returns every right-hand side assigned to name in n's scope.
func (f *File) Bindings(n pyast.Node, name string) []pyast.Node {
	var out []pyast.Node
	for _, a := range f.assignments(ScopeOf(n), name) {
		out = append(out, boundValue(a.node))
	}
	return out
}

// BindingCount is len(f.Bindings(n, name)) without building the list.
func (f *File) BindingCount(n pyast.Node, name string) int {
	return len(f.assignments(ScopeOf(n), name))
}

// paramOf returns the function whose parameter name n is, with the
// parameter's index, when n is not rebound before it in that function.
func (f *File) paramOf(n pyast.Node, name string) (*Func, int) {
	def := pyast.Ancestor(n, "function_definition")
	if def.IsNil() {
		return nil, -1
	}
	fn := f.byDef[def.ID()]
	if fn == nil {
		return nil, -1
	}
	for i, p := range fn.Params {
		if p == name {
			return fn, i
		}
	}
	return nil, -1
}

// Eval returns the queryset an expression evaluates to, or nil.
func (f *File) Eval(n pyast.Node) *QS { return f.eval(n, ctx{}) }

// Value returns what an expression holds.
func (f *File) Value(n pyast.Node) Value { return f.valueIn(n, nil) }

// valueIn is Value, recording into d the settled values it reads.
func (f *File) valueIn(n pyast.Node, d *settleDeps) Value {
	if q := f.eval(n, ctx{deps: d}); q != nil {
		if q.Related {
			return Value{Kind: Related, Model: q.Model, QS: q, Certainty: q.Certainty}
		}
		return Value{Kind: QuerySet, Model: q.Model, QS: q, Certainty: q.Certainty}
	}
	if m, _, c := f.instance(n, ctx{deps: d}); m != nil {
		return Value{Kind: Row, Model: m, Certainty: c}
	}
	if f.isRequest(n, ctx{deps: d}) {
		return Value{Kind: Request}
	}
	return Value{}
}

func (f *File) eval(n pyast.Node, st ctx) *QS {
	if st.d > maxDepth || n.IsNil() || f.M.Graph == nil || f.M.noModels {
		return nil
	}
	n = pyast.Unparen(n)
	switch n.Type() {
	case "identifier":
		rhs := f.Binding(n, n.Text(), n.StartByte())
		if !rhs.IsNil() && st.action != "" {
			if alts, ok := f.branchBindings(n, n.Text(), rhs, st.action); ok && len(alts) == 0 {
				// Every assignment before n is in a branch this action
				// does not take: n is still the parameter, or unbound.
				rhs = pyast.Node{}
			}
		}
		if !rhs.IsNil() {
			if st.memo == nil {
				st.memo = map[memoKey]*QS{}
			}
			key := memoKey{f, n.ID(), st.self, st.args, st.action}
			if q, ok := st.memo[key]; ok {
				return q
			}
			// The binding ends before n: a chain of rebindings
			// (`qs = helper(qs)` twenty times) always moves back in the
			// scope and ends, so it costs no depth.
			q := f.eval(rhs, st)
			if q != nil && q.Sliced && f.objectListRebound(n, rhs) {
				// `page.object_list = prefetch(page.object_list)` between
				// the binding and n: iterating the page yields that.
				q = f.pageRows(n, 0)
			}
			if q == nil && emptyList(parallelElement(rhs, n.Text())) {
				q = f.appendedRows(n, st)
			}
			if q != nil || st.action != "" {
				if alts, ok := f.branchBindings(n, n.Text(), rhs, st.action); ok {
					if len(alts) == 1 {
						q = f.eval(alts[0], st)
					} else {
						q = f.alternatives(alts, st)
					}
				}
			}
			st.memo[key] = q
			return q
		}
		if f.parallelEmpty(n) {
			// `past, future = [], []`, then filled with a loop's rows.
			return f.appendedRows(n, st)
		}
		if call, idx, arity := f.unpackedCall(n); !call.IsNil() {
			// `paginator, page = paginate(qs, request)`: the element of
			// what the helper returns.
			return f.unpackedQS(call, idx, arity, st)
		}
		if fn, i := f.paramOf(n, n.Text()); fn != nil && i < len(fn.params) {
			if q := st.bound(fn, i); q != nil {
				return q.clone()
			}
			if v := f.M.paramsOf(fn, st)[i]; v.Kind == QuerySet && v.QS != nil {
				if v.Certainty == FromCallers && v.QS.Origin.IsNil() && f.M.frozen {
					q := v.QS.clone()
					q.Sources = f.M.argSources(fn, i, st)
					return q
				}
				return v.QS
			}
		}
		if pyast.Ancestor(n, "function_definition").IsNil() {
			return nil
		}
		// A module-level queryset (`ACTIVE = Order.objects.filter(...)`).
		if rhs := f.globals[n.Text()]; len(rhs) == 1 {
			return f.eval(rhs[0], st.in())
		}
		return nil
	case "assignment":
		// The value of `a = b = qs` for `a`: a chained assignment binds
		// every target to the rightmost value.
		return f.eval(n.ChildByField("right"), st.in())
	case "subscript":
		if n.ChildByField("subscript").Type() != "slice" {
			// `context["products"].filter(...)` in a view's
			// get_context_data: the rows the context holds under the key.
			if k, ok := pyast.StringValue(n.ChildByField("subscript")); ok && st.ctxRows != nil &&
				pyast.Unparen(n.ChildByField("value")).Type() == "identifier" {
				if q := st.ctxRows[k]; q != nil {
					return q.clone()
				}
			}
			return nil
		}
		q := f.eval(n.ChildByField("value"), st.in())
		if q == nil {
			return nil
		}
		q = q.clone()
		q.Sliced = true
		return q
	case "attribute":
		return f.evalAttr(n, st)
	case "call":
		return f.evalCall(n, st)
	case "conditional_expression":
		// `A if x else B`: known only when both branches agree on a model.
		kids := n.NamedChildren()
		if len(kids) == 3 {
			a, b := f.eval(kids[0], st.in()), f.eval(kids[2], st.in())
			if a != nil && b != nil && a.Model == b.Model {
				q := mergeQS(a, b)
				q.Conditional = true
				return q
			}
		}
	}
	return nil
}

// evalAttr handles `Model.objects`, related managers `obj.items`, and
// `self.queryset` or other attributes a class sets.
// localModel resolves a name bound in its function: a parameter is
// whatever the caller passes (a historical model from apps.get_model, any
// class), never the tree's class of the same name; a local assignment is
// what it binds (`Invite = apps.get_model("orgs", "Invitation")` is the
// Invitation model, `M = Order` the Order model). local is false for names
// the function does not bind: module-level names and imports.
func (f *File) localModel(obj pyast.Node) (m *project.Model, local bool) {
	if obj.Type() != "identifier" || pyast.Ancestor(obj, "function_definition").IsNil() {
		return nil, false
	}
	name := obj.Text()
	if rhs := f.Binding(obj, name, obj.StartByte()); !rhs.IsNil() {
		rhs = pyast.Unparen(rhs)
		if c, ok := pyast.AsCall(rhs); ok {
			switch c.MethodName() {
			case "get_model":
				var label string
				if len(c.Positional) == 2 {
					app, ok1 := pyast.StringValue(c.Positional[0])
					model, ok2 := pyast.StringValue(c.Positional[1])
					if ok1 && ok2 {
						label = app + "." + model
					}
				} else if len(c.Positional) == 1 {
					label, _ = pyast.StringValue(c.Positional[0])
				}
				if label != "" {
					if m := f.M.Graph.ByLabel(label); m != nil {
						return m, true
					}
					// The graph's app label may not be Django's (an app
					// whose models live in a models/ package): the class
					// of that name.
					return f.M.Graph.Lookup(f.Unit, label[strings.LastIndex(label, ".")+1:]), true
				}
			case "get_user_model":
				return f.M.Graph.UserModel(), true
			}
			return nil, true
		}
		if d := pyast.Dotted(rhs); d != "" {
			return f.M.Graph.Lookup(f.Unit, d), true
		}
		return nil, true
	}
	if fn, _ := f.paramOf(obj, name); fn != nil {
		return nil, true
	}
	return nil, false
}

func (f *File) evalAttr(n pyast.Node, st ctx) *QS {
	return f.evalAttrOf(n, n.ChildByField("object"), n.ChildByField("attribute").Text(), st)
}

// getattrName returns the attribute name a `getattr(obj, name)` call reads
// when it is known: a string, or a string class attribute of the class
// `self` stands for (`getattr(self.model, self.model_manager)` with
// `model_manager = "objects"`).
func (f *File) getattrName(n pyast.Node, c pyast.Call, st ctx) string {
	if c.Func.Type() != "identifier" || c.Func.Text() != "getattr" || len(c.Positional) != 2 {
		return ""
	}
	arg := pyast.Unparen(c.Positional[1])
	if s, ok := pyast.StringValue(arg); ok {
		return s
	}
	if arg.Type() == "attribute" && pyast.Dotted(arg.ChildByField("object")) == "self" {
		if cl := f.selfClass(n, st); cl != nil {
			attr := arg.ChildByField("attribute").Text()
			if len(cl.SelfAttrs[attr]) > 0 {
				return "" // set per instance
			}
			if v, _ := cl.Attr(attr); !v.IsNil() {
				if s, ok := pyast.StringValue(v); ok {
					return s
				}
			}
		}
	}
	return ""
}

func (f *File) evalAttrOf(n, obj pyast.Node, name string, st ctx) *QS {
	if name == "qs" && n.Type() == "attribute" {
		// django-filter's `SomeFilter(data, queryset=qs).qs`.
		if q := f.filterSetQSIn(n, st); q != nil {
			return q
		}
	}
	if name == "object_list" && obj.Type() == "identifier" {
		// page.object_list of a paginator's page.
		if q := f.eval(obj, st.in()); q != nil && q.Sliced {
			return q
		}
	}
	if obj.Type() == "identifier" && obj.Text() == "self" {
		if bs := selfBindings(n, name); len(bs) > 0 {
			// `self.queryset = self.queryset.filter(...).prefetch_related(...)`
			// earlier in this method: what n reads. Under a branch that n is
			// not in (`if pk: self.queryset = self.queryset.filter(...)`),
			// the value before it reaches too: what both load, with the
			// unconditional one as the place for a fix.
			q := f.eval(bs[0], st.in())
			if len(bs) > 1 {
				if base := f.eval(bs[len(bs)-1], st.in()); base != nil {
					if q = f.alternatives(bs, st); q != nil {
						q.Origin, q.OriginFile = base.Origin, base.OriginFile
					}
				} else {
					q = nil
				}
			}
			if q != nil || name != "queryset" {
				return q
			}
			// Rebound to what cannot be read: the class's queryset is a
			// guess of the rows, not of what they load; none when the
			// rebinding loads relations itself (`helper(qs).prefetch_related(...)`).
			for _, b := range bs {
				if strings.Contains(b.Text(), "_related(") || strings.Contains(b.Text(), "Prefetch(") {
					return nil
				}
			}
			if q := f.classQueryset(n, st); q != nil {
				q = q.clone()
				q.Opaque = true
				return q
			}
			return nil
		}
		if name == "queryset" {
			return f.classQueryset(n, st)
		}
		if q := f.relatedManager(n, obj, name, st); q != nil {
			// self.items in a model's method: the related manager of the
			// row the method runs on. Its caller may have prefetched the
			// relation (MaybeCached, as for any row of unknown origin);
			// a filtered chain on it queries anyway.
			return q
		}
		if c := f.selfClass(n, st); c != nil {
			if vs := c.SelfAttrs[name]; len(vs) == 1 && !vs[0].IsNil() {
				return c.File.eval(vs[0], st.in())
			}
			if v, decl := c.Attr(name); !v.IsNil() {
				return decl.File.eval(v, st.in())
			}
		}
		return nil
	}
	if isGetUserModel(obj) {
		// get_user_model().objects: the user model's manager.
		if m := f.M.Graph.UserModel(); m != nil && name == "objects" {
			return &QS{Model: m, ModelText: m.Name, Origin: n, OriginFile: f, Opaque: m.External || !m.Complete,
				NamesOpen: m.External || f.M.managerAddsNames(m, name)}
		}
		return nil
	}
	if m := f.serializerMetaModel(obj, st); m != nil && name == "objects" {
		// self.get_serializer_class().Meta.model.objects: a generic view
		// mixin building its queryset from the serializer's model.
		return &QS{Model: m, ModelText: m.Name, Origin: n, OriginFile: f, Opaque: m.External || !m.Complete,
			NamesOpen: m.External || f.M.managerAddsNames(m, name), FromSerializer: true}
	}
	if d := pyast.Dotted(obj); d != "" {
		m, local := f.localModel(obj)
		if !local {
			m = f.M.Graph.Lookup(f.Unit, d)
		}
		if m == nil && d == "cls" {
			// cls.objects in a classmethod of a model (`Book.visible()`
			// returning `cls.objects.filter(...)`): the model's manager (a
			// subclass calling it has the same relations, and more).
			// An abstract model's classmethod (`privacy_filter` of a base
			// every model shares) is read for no model: cls is the caller's.
			if fn := f.FuncOf(pyast.Ancestor(n, "function_definition")); fn != nil && fn.ClassMethod && fn.Class != nil && f.M.isModelClass(fn.Class) {
				if md := f.M.Graph.ByQual(fn.Class.Qual); md != nil && !md.Abstract {
					m = md
				}
			}
			if m == nil && st.self != nil && f.M.isModelClass(st.self) {
				m = f.M.Graph.ByQual(st.self.Qual) // a mixin's classmethod called on a model (mixinClassMethod)
			}
		}
		if m == nil && obj.Type() == "attribute" && pyast.Dotted(obj.ChildByField("object")) == "self" {
			// self.model.objects: the model a (sub)class names.
			if c := f.selfClass(n, st); c != nil {
				attr := obj.ChildByField("attribute").Text()
				if v, decl := c.Attr(attr); !v.IsNil() {
					m = f.M.Graph.Lookup(decl.File.Unit, pyast.Dotted(v))
				} else if attr == "model" {
					m = f.M.AdminModel(c) // a ModelAdmin's model is its registration's
				}
			}
		}
		if m != nil {
			if !m.HasManager(name) && !(m.External && name == "objects") {
				return nil
			}
			q := &QS{Model: m, ModelText: d, Origin: n, OriginFile: f}
			if m.CustomManager(name) != nil || m.External || !m.Complete {
				q.Opaque = true
			}
			q.NamesOpen = m.External || f.M.managerAddsNames(m, name)
			return q
		}
	}
	return f.relatedManager(n, obj, name, st)
}

// relatedManager reads obj.name as a related manager when obj is an
// instance of a model whose name is a reverse or many-to-many relation.
func (f *File) relatedManager(n, obj pyast.Node, name string, st ctx) *QS {
	if m, loop, c := f.instance(obj, st.in()); m != nil {
		a := m.Attr(name)
		if a.Kind == project.AttrReverseMany || a.Kind == project.AttrManyToMany {
			if a.Target == nil {
				return nil
			}
			q := &QS{Model: a.Target, ModelText: a.Target.Name, Related: true, OwnerInLoop: loop != nil, Origin: n, OriginFile: f, Certainty: c,
				NamesOpen: f.M.defaultManagerAddsNames(a.Target)}
			if a.Kind == project.AttrReverseMany && a.Relation != nil && a.Relation.Field != nil && a.Relation.Field.Kind == project.ForeignKey {
				q.Back = a.Relation.Field.Name
			}
			if loop == nil {
				// What the owner row was fetched with: a prefetch of this
				// relation (and of paths below it) comes with it.
				if oq, known := f.rowOrigin(obj, st.in()); !known {
					q.MaybeCached = true
				} else if oq != nil && (oq.Prefetches(name) || oq.Opaque) {
					q.Prefetch = subPaths(oq.Prefetch, name)
					q.Select = subPaths(oq.Select, name)
					q.Cached = oq.Prefetches(name)
					q.MaybeCached = oq.Opaque && !q.Cached
				}
			}
			return q
		}
	}
	return nil
}

// isGetUserModel reports a call `get_user_model()` (or
// `auth.get_user_model()`) without arguments.
func isGetUserModel(n pyast.Node) bool {
	c, ok := pyast.AsCall(pyast.Unparen(n))
	if !ok || len(c.Positional) > 0 || len(c.Keywords) > 0 {
		return false
	}
	d := pyast.Dotted(c.Func)
	return d == "get_user_model" || strings.HasSuffix(d, ".get_user_model")
}

// subPaths returns the paths under rel ("items__product" under "items"
// is "product").
func subPaths(paths []string, rel string) []string {
	var out []string
	for _, p := range paths {
		if rest, ok := strings.CutPrefix(p, rel+"__"); ok {
			out = append(out, rest)
		}
	}
	return out
}

func (f *File) evalCall(n pyast.Node, st ctx) *QS {
	c, _ := pyast.AsCall(n)
	if name := f.getattrName(n, c, st); name != "" {
		// getattr(self.model, "objects"): the attribute it names.
		return f.evalAttrOf(n, pyast.Unparen(c.Positional[0]), name, st)
	}
	if c.Func.Type() == "identifier" && len(c.Positional) == 1 && passThrough(c.Func.Text()) {
		// A progress bar or iterator wrapper yields the rows it is given.
		if _, ok := f.staticCallee(n); !ok {
			if fn, _ := f.staticCallee(n); fn == nil {
				return f.eval(c.Positional[0], st.in())
			}
		}
	}
	if c.Func.Type() == "identifier" {
		switch c.Func.Text() {
		case "list", "sorted", "tuple":
			if len(c.Positional) == 1 {
				return f.eval(c.Positional[0], st.in())
			}
			return nil
		case "Paginator":
			// A paginator's pages are slices of the queryset it is given.
			if a := c.Arg(0, "object_list"); !a.IsNil() {
				if q := f.eval(a, st.in()); q != nil {
					q = q.clone()
					q.Sliced = true
					return q
				}
			}
			return nil
		case "get_list_or_404":
			if len(c.Positional) > 0 {
				q := f.eval(c.Positional[0], st.in())
				if q == nil {
					if m := f.M.Graph.Lookup(f.Unit, pyast.Dotted(c.Positional[0])); m != nil {
						q = &QS{Model: m, ModelText: pyast.Dotted(c.Positional[0])}
					}
				}
				return q
			}
			return nil
		}
	}
	recv := c.Receiver()
	method := c.MethodName()
	if method == "values" && len(c.Positional) == 0 && len(c.Keywords) == 0 && !recv.IsNil() {
		// `index.values()` of `index = {row.name: row for row in qs}`:
		// the rows themselves, keyed.
		if q := f.dictCompValues(recv, st); q != nil {
			return q
		}
	}
	if (method == "get_page" || method == "page") && !recv.IsNil() {
		// paginator.get_page(n): the rows of the page come from the
		// paginator's queryset.
		if r := pyast.Unparen(recv); r.Type() == "call" || r.Type() == "identifier" {
			if q := f.eval(r, st.in()); q != nil && q.Sliced {
				return q
			}
		}
	}
	if method == "get_queryset" && IsSelfOrSuper(recv) {
		return f.classGetQueryset(n, recv, st)
	}
	if (method == "filter_queryset" || method == "paginate_queryset") && len(c.Positional) > 0 && (IsSelfOrSuper(recv) || method == "paginate_queryset" && !recv.IsNil()) {
		// DRF's paginators (`paginator.paginate_queryset(qs, request)`)
		// return the page's rows of the queryset they are given.
		q := f.eval(c.Positional[0], st.in())
		if q != nil && method == "paginate_queryset" {
			q = q.clone()
			q.Sliced = true
		}
		return q
	}
	// A call of a project function that returns a queryset. A plain name
	// is never a queryset's chain method, whatever it is called: a module
	// function `get_queryset(ids)` is the project's.
	if !ChainMethods[method] || c.Func.Type() == "identifier" {
		if fn, bound := f.callee(n, c.Head(), st); fn != nil {
			if fn.passParam >= 0 {
				// A helper handing back the queryset it is given.
				if arg := argFor(c, fn, fn.passParam, bound); !arg.IsNil() {
					q := f.eval(arg, st.in())
					if q != nil && fn.passOpaque {
						q = q.clone()
						q.Opaque, q.Custom = true, true
					}
					if q != nil && fn.passOrdered && !q.Ordered {
						// `return queryset.order_by(sort_by)` on every path.
						q = q.clone()
						q.Ordered = true
					}
					return q
				}
			}
			if fn.passParam < 0 {
				if q, tried := f.extendedArg(n, c, fn, bound, st); tried {
					// What the callers agree on (fn.ret) is not this
					// call's queryset.
					return q
				}
			}
			if bound && st.self != nil && fn.Class != nil && !fn.Static && !fn.ClassMethod && IsSelfOrSuper(c.Receiver()) && !f.M.isModelClass(fn.Class) {
				// `self.derive_queryset()` read for a subclass: its
				// self.model and class attributes are the subclass's,
				// not what the method's own summary saw.
				m := fn
				if r := c.Receiver(); r.Type() == "identifier" && r.Text() == "self" {
					if v := st.self.Method(method); v != nil && v.Class != nil && !v.Static && !v.ClassMethod {
						m = v // the subclass's override, as Python dispatches
					}
				}
				action := st.action
				if action == "" && method == "get_queryset" {
					// Called from an action's own method: that action's branches.
					action = viewActionOf(pyast.Ancestor(n, "function_definition"))
				}
				if q := m.File.returnQS(m.Node, ctx{d: st.d + 1, self: st.self, args: st.args, memo: st.memo, action: action, deps: st.deps}); q != nil {
					return q
				}
			}
			if q, ok := f.mixinClassMethod(c, fn, bound, st); ok {
				return q
			}
			if ret := f.M.retOf(fn, st); ret.Kind == QuerySet && ret.QS != nil {
				q := ret.QS.clone()
				if ret.Certainty > q.Certainty {
					q.Certainty = ret.Certainty
				}
				if bound && fn.Class != nil && f.M.isModelClass(fn.Class) && !q.Single && !q.Listed {
					// A model method returning a queryset (`doc.links_to()`):
					// the rows are this call's; what it should load goes
					// here, not into the method every caller shares.
					q.Origin, q.OriginFile, q.Sources = n, f, nil
				}
				return q
			}
			return nil
		}
	}
	if recv.IsNil() {
		return nil
	}
	custom := !ChainMethods[method] && customQSMethod(method) && f.M.Graph.IsQuerySetMethod(method)
	// A name that rarely returns a queryset (get_..., make_...) is read
	// when the method plainly returns its own chain.
	ownChain := !ChainMethods[method] && !custom && f.M.Graph.IsQuerySetMethod(method)
	if !ChainMethods[method] && !custom && !ownChain {
		return nil
	}
	base := f.eval(recv, st.in())
	if ownChain {
		if base == nil || !f.customReturnsOwnChain(base, method) {
			return nil
		}
		custom = true
	}
	if base == nil || custom && f.customReturnsNoQS(base, method) {
		return nil
	}
	if custom {
		if arg, given := passedQS(f, c, base, st); given {
			// `ACL.objects.restrict_queryset(queryset=Document.objects.all(), ...)`:
			// a method given a queryset most likely returns that one,
			// filtered as it does not show.
			if arg == nil {
				return nil
			}
			q := arg.clone()
			q.Origin, q.OriginFile = n, f
			q.MaybeCached, q.Cached = false, false
			q.Opaque, q.Custom = true, true
			return q
		}
	}
	q := base.clone()
	q.Origin, q.OriginFile = n, f
	if method != "all" && method != "iterator" {
		q.MaybeCached, q.Cached = false, false
	}
	noteChain(q, c)
	if c.StarArgs && method == "prefetch_related" {
		q.Dynamic, q.Opaque = true, true
	}
	if c.StarArgs && method == "select_related" {
		q.DynamicSelect, q.Opaque = true, true
	}
	if custom {
		// A method of a custom manager or queryset: most return a
		// queryset, and what it selects is not seen.
		q.Opaque, q.Custom = true, true
		q.NamesOpen = q.NamesOpen || f.M.methodAddsNames(method)
		f.customLoads(q, method, st) // what the method's own chain loads
		return q
	}
	f.applyChainMethod(q, method, c, st)
	return q
}

// passedQS reports a call given a queryset to work on: an argument that
// holds a queryset of a model other than base's, or a keyword named for
// one (`queryset=`, `qs=`), with that queryset when it is known.
func passedQS(f *File, c pyast.Call, base *QS, st ctx) (*QS, bool) {
	keys := make([]string, 0, len(c.Keywords))
	for k := range c.EachKeyword() {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k == "qs" || strings.Contains(k, "queryset") {
			q := f.eval(c.Keywords[k], st.in())
			return q, true
		}
	}
	args := append([]pyast.Node(nil), c.Positional...)
	for _, k := range keys {
		args = append(args, c.Keywords[k])
	}
	for _, a := range args {
		if q := f.eval(a, st.in()); q != nil && q.Model != base.Model {
			return q, true
		}
	}
	return nil, false
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

// IsSelfOrSuper reports `self` and `super()`.
func IsSelfOrSuper(n pyast.Node) bool {
	if n.Type() == "identifier" && n.Text() == "self" {
		return true
	}
	if c, ok := pyast.AsCallHead(n); ok && c.Func.Type() == "identifier" && c.Func.Text() == "super" {
		return true
	}
	return false
}

// ClassOf returns the class whose method contains n (directly: not a
// function nested in a method).
func ClassOf(n pyast.Node) pyast.Node {
	fd := pyast.Ancestor(n, "function_definition")
	if fd.IsNil() {
		return pyast.Node{}
	}
	c := pyast.Ancestor(fd, "class_definition")
	if c.IsNil() {
		return pyast.Node{}
	}
	p := fd.Parent()
	if p.Type() == "decorated_definition" {
		p = p.Parent()
	}
	if p.Type() == "block" {
		p = p.Parent()
	}
	if !p.Equal(c) {
		return pyast.Node{}
	}
	return c
}

// classOfNode returns the project class whose method contains n.
func (f *File) classOfNode(n pyast.Node) *Class {
	c := ClassOf(n)
	if c.IsNil() {
		return nil
	}
	return f.byClass[c.ID()]
}

// ClassMember finds a method or class attribute in cls or its bases
// defined in the same file.
func ClassMember(cls pyast.Node, name string, seen int) (method, attr pyast.Node) {
	if cls.IsNil() || seen > 8 {
		return
	}
	for st := range pyast.EachStatement(pyast.Body(cls)) {
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
	for b := range cls.ChildByField("superclasses").Named() {
		if b.Type() != "identifier" {
			continue
		}
		for _, st := range pyast.TopClasses(cls, b.Text()) {
			if !st.Equal(cls) {
				if m, a := ClassMember(st, name, seen+1); !m.IsNil() || !a.IsNil() {
					return m, a
				}
			}
		}
	}
	return
}

// InheritsMethod reports whether a base class defined in another file of
// the tree (or outside Django and DRF) defines method: then what the class
// says may be rewritten there (a base view adding prefetches in
// get_queryset).
func (f *File) InheritsMethod(cls pyast.Node, method string) bool {
	g := f.M.Graph
	if g == nil || cls.IsNil() {
		return false
	}
	for b := range cls.ChildByField("superclasses").Named() {
		if b.Type() == "keyword_argument" {
			continue
		}
		d := pyast.Dotted(b)
		c := g.LookupClass(f.Unit, d)
		if c == nil {
			// Neither Django/DRF nor a class of the tree: it may do anything.
			if q, _ := f.Unit.Imports.Resolve(b); q == "" || !knownFramework(q) {
				if f.topClasses[d] == nil {
					return true
				}
			}
			continue
		}
		if c.Path == f.Unit.File.Rel {
			continue
		}
		for _, cc := range append([]*project.ClassFacts{c}, g.ClassBases(c)...) {
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

// selfClass is the class `self` stands for at n: the subclass a base's
// method is being read for, else the class whose method holds n.
func (f *File) selfClass(n pyast.Node, st ctx) *Class {
	if st.self != nil {
		return st.self
	}
	return f.classOfNode(n)
}

// serializerMetaModel reads `self.get_serializer_class().Meta.model` and
// `self.serializer_class.Meta.model` in a view: the model of the view's
// serializer_class (its own or a project base's Meta), when no project
// class of the view chooses the serializer at run time.
func (f *File) serializerMetaModel(obj pyast.Node, st ctx) *project.Model {
	obj = pyast.Unparen(obj)
	if obj.Type() != "attribute" || obj.ChildByField("attribute").Text() != "model" {
		return nil
	}
	meta := pyast.Unparen(obj.ChildByField("object"))
	if meta.Type() != "attribute" || meta.ChildByField("attribute").Text() != "Meta" {
		return nil
	}
	src := pyast.Unparen(meta.ChildByField("object"))
	switch pyast.Dotted(src) {
	case "self.serializer_class":
	default:
		c, ok := pyast.AsCall(src)
		if !ok || pyast.Dotted(c.Func) != "self.get_serializer_class" || len(c.Positional) > 0 {
			return nil
		}
	}
	cls := f.selfClass(obj, st)
	if cls == nil {
		return nil
	}
	for _, cc := range mro(cls) {
		if cc.Methods["get_serializer_class"] != nil {
			return nil
		}
	}
	v, decl := cls.Attr("serializer_class")
	if v.IsNil() || f.M.Graph == nil {
		return nil
	}
	s := f.M.Graph.LookupClass(decl.File.Unit, pyast.Dotted(v))
	if s == nil {
		return nil
	}
	for _, sc := range append([]*project.ClassFacts{s}, f.M.Graph.ClassBases(s)...) {
		if sc.MetaModel != "" {
			return f.M.Graph.ByQual(sc.MetaModel)
		}
	}
	return nil
}

// mro is a class and its project bases, nearest first: the order methods
// and attributes are looked up in.
func mro(c *Class) []*Class { return append([]*Class{c}, c.Bases()...) }

// opaqueBases reports a class whose bases include one that is neither a
// project class nor Django's or DRF's: it may define anything.
func opaqueBases(c *Class) bool {
	for _, cc := range mro(c) {
		for b := range cc.Node.ChildByField("superclasses").Named() {
			if b.Type() == "keyword_argument" {
				continue
			}
			d := pyast.Dotted(b)
			if d == "" || d == "object" || cc.File.topClasses[d] != nil {
				continue
			}
			q := cc.File.Unit.Qualify(d)
			if knownFramework(q) || cc.File.M.LookupClass(q) != nil {
				continue
			}
			if imported, ok := cc.File.Unit.Imports.ResolveDotted(d); ok && knownFramework(imported) {
				continue
			}
			return true
		}
	}
	return false
}

// classQueryset evaluates `self.queryset`: the attribute as the class
// `self` stands for declares or inherits it.
func (f *File) classQueryset(n pyast.Node, st ctx) *QS {
	c := f.selfClass(n, st)
	if c == nil {
		return nil
	}
	if v, decl := c.Attr("queryset"); !v.IsNil() {
		return decl.File.eval(v, ctx{d: st.d + 1, self: c, deps: st.deps})
	}
	return nil
}

// classGetQueryset evaluates self.get_queryset() or super().get_queryset():
// the first get_queryset of the class `self` stands for (after the class
// holding n, for super()), read on behalf of that class; without one, the
// framework's default (the queryset attribute, or the model's manager).
func (f *File) classGetQueryset(n, recv pyast.Node, st ctx) *QS {
	sc := f.selfClass(n, st)
	if sc == nil {
		return nil
	}
	order := mro(sc)
	if recv.Type() != "identifier" { // super(): after the class holding n
		cur := f.classOfNode(n)
		for i, c := range order {
			if c == cur {
				order = order[i+1:]
				break
			}
		}
	}
	for _, c := range order {
		if fn := c.Methods["get_queryset"]; fn != nil {
			if fn.Node.Contains(n) {
				continue
			}
			return fn.File.returnQS(fn.Node, ctx{d: st.d + 1, self: sc, deps: st.deps})
		}
	}
	if q := f.classQueryset(n, ctx{d: st.d, self: sc, deps: st.deps}); q != nil {
		if opaqueBases(sc) {
			// A base outside the project and the frameworks may define
			// get_queryset and load more: the state is a guess.
			q = q.clone()
			q.Opaque = true
		}
		return q
	}
	if opaqueBases(sc) {
		return nil
	}
	// Django's generic views fall back on self.model's default manager.
	if v, decl := sc.Attr("model"); !v.IsNil() && f.M.Graph != nil {
		if md := f.M.Graph.Lookup(decl.File.Unit, pyast.Dotted(v)); md != nil {
			return &QS{Model: md, ModelText: md.Name, Opaque: !md.Complete, NamesOpen: f.M.defaultManagerAddsNames(md)}
		}
	}
	return nil
}

// returnQS evaluates what a get_queryset method returns: the first return
// value that is a queryset with rows (an early `return qs.none()` or a
// lookup by key is an exception path, not the listing); nil as soon as a
// return before it cannot be read.
//
// A return under a branch whose prefetches are computed at run time
// (`if self.brief: return qs.prefetch_related(*fields)`) is a variant of
// the listing; when a later return can be read, that one is the listing,
// as opaque (what the variant loads is unknown, so findings on it are
// less certain).
func (f *File) returnQS(m pyast.Node, st ctx) *QS {
	var fallback, dynamic, option *QS
	options := false
	for r := range pyast.FindEachShallow(m, "return_statement") {
		e := r.NamedChild(0)
		if e.IsNil() {
			continue
		}
		if actionSkips(r, m, st.action) {
			continue // under a test of self.action this action fails
		}
		q := f.eval(e, st.in())
		if f.OptionReturn(r, m) {
			// Under a test of a query parameter: an option the client
			// asks for (`?checked=...`), not the plain listing, which a
			// later return serves.
			options = true
			if option == nil && q != nil && !q.Single {
				option = q
			}
			continue
		}
		if q == nil {
			return nil // one path cannot be read: the listing is unknown
		}
		if options {
			// What the option loads is another listing's business; the
			// plain one is judged, less certainly.
			q = q.clone()
			q.Opaque = true
		}
		if (q.Dynamic || q.DynamicSelect) && dynamic == nil && conditional(r) {
			dynamic = q
			continue
		}
		if !q.Single {
			if dynamic != nil {
				if dynamic.Model != q.Model {
					return dynamic
				}
				q = q.clone()
				q.Opaque = true
			}
			return q
		}
		if fallback == nil {
			fallback = q
		}
	}
	if dynamic != nil {
		return dynamic
	}
	if fallback == nil {
		return option
	}
	return fallback
}

// ViewQueryset evaluates the queryset of a view class: what its
// get_queryset returns (its own, or a base's read for it), else its
// queryset attribute, else its model's manager.
func (f *File) ViewQueryset(cls pyast.Node) *QS { return f.viewQuerysetIn(cls, ctx{}) }

// viewQuerysetIn is ViewQueryset read from an evaluation at st: it records
// into st.deps the settled values it reads, and counts its depth on from
// st's, since a get_queryset may read the view's own rows again
// (`return self.get_object().bookings.all()`).
func (f *File) viewQuerysetIn(cls pyast.Node, st ctx) *QS {
	c := f.byClass[cls.ID()]
	if c == nil || st.d > maxDepth {
		return nil
	}
	return filteredFor(c, jsonAPIIncludes(c, f.viewQuerysetFor(c, "list", st.d, st.deps)), "list", st.d, st.deps)
}

// viewQuerysetFor reads the view's queryset for an action, its evaluation
// starting at depth depth.
func (f *File) viewQuerysetFor(c *Class, action string, depth int, d *settleDeps) *QS {
	for _, cc := range mro(c) {
		if fn := cc.Methods["get_queryset"]; fn != nil {
			return fn.File.returnQS(fn.Node, ctx{d: depth, self: c, action: action, deps: d})
		}
	}
	if v, decl := c.Attr("queryset"); !v.IsNil() {
		q := decl.File.eval(v, ctx{d: depth, self: c, deps: d})
		if q != nil && opaqueBases(c) {
			// A base outside the project and the frameworks may define
			// get_queryset and load more: the state is a guess.
			q = q.clone()
			q.Opaque = true
		}
		return q
	}
	return nil
}

// ownGetObject reports `self.get_object()` in a view whose project classes
// define get_object without answering Django's (`return
// Transaction.objects.get(pk=self.kwargs["pk"])`): the row is what that
// method returns, not one of the view's queryset, which may itself be
// read from it (`def get_queryset(self): return
// self.get_object().bookings.all()`). `super().get_object()` is Django's.
func (f *File) ownGetObject(cls pyast.Node, recv pyast.Node) bool {
	c := f.byClass[cls.ID()]
	if c == nil || recv.Type() != "identifier" {
		return false
	}
	fn := c.Method("get_object")
	return fn != nil && !returnsSuperObject(fn)
}

// filteredFor applies the view's own filter_queryset (DRF's list runs
// `self.filter_queryset(self.get_queryset())`) to q: what it returns for
// q, read with its queryset parameter bound to q. A filter_queryset that
// cannot be read leaves q as it is, unless it loads relations (then the
// listing is unknown); one returning another model's rows is not the
// listing.
func filteredFor(c *Class, q *QS, action string, depth int, d *settleDeps) *QS {
	if q == nil {
		return nil
	}
	for _, cc := range mro(c) {
		fn := cc.Methods["filter_queryset"]
		if fn == nil {
			continue
		}
		if len(fn.Params) < 2 {
			return q
		}
		st := ctx{d: depth, self: c, args: &argBind{fn: fn, idx: 1, q: q}, action: action, deps: d}
		if r := fn.File.returnQS(fn.Node, st); r != nil && r.Model == q.Model {
			if r.Single && !q.Single {
				// `if uuid: queryset = queryset.filter(uuid=uuid)`: an
				// optional narrowing by request parameters; the listing
				// is the rows without it, with what r loads.
				r = r.clone()
				r.Single = false
			}
			return r
		}
		if t := fn.Node.Text(); strings.Contains(t, "_related(") || strings.Contains(t, "Prefetch(") {
			return nil // it loads relations rubric cannot read
		}
		return q
	}
	return q
}

// Instance returns the model of an expression that holds one model
// instance (a loop variable over a queryset, `Model.objects.get(...)`,
// `get_object_or_404(Model, ...)`, a parameter whose callers pass rows),
// with the loop it is the row of (nil for single fetches).
func (f *File) Instance(n pyast.Node) (*project.Model, *Loop) {
	m, l, _ := f.instance(n, ctx{})
	return m, l
}

// InstanceCertainty is Instance with how the model was learnt.
func (f *File) InstanceCertainty(n pyast.Node) (*project.Model, *Loop, Certainty) {
	return f.instance(n, ctx{})
}

func (f *File) instance(n pyast.Node, st ctx) (*project.Model, *Loop, Certainty) {
	g := f.M.Graph
	if st.d > 10 || g == nil || f.M.noModels {
		return nil, nil, Certain
	}
	n = pyast.Unparen(n)
	switch n.Type() {
	case "identifier":
		if l := f.LoopOf(n); l != nil {
			// A loop over values()/values_list() yields dicts, tuples
			// or plain values, not rows.
			if q := f.loopQSAt(l, st); q != nil && !q.Values {
				return q.Model, l, q.Certainty
			}
			return nil, nil, Certain
		}
		if rhs := f.Binding(n, n.Text(), n.StartByte()); !rhs.IsNil() {
			return f.instance(rhs, st.in())
		}
		if fn, i := f.paramOf(n, n.Text()); fn != nil && i < len(fn.params) {
			if v := f.M.paramsOf(fn, st)[i]; v.Kind == Row && v.Model != nil {
				return v.Model, nil, v.Certainty
			}
		}
	case "call":
		c, _ := pyast.AsCallHead(n)
		if c.Func.Type() == "identifier" && c.Func.Text() == "get_object_or_404" {
			if full, _ := pyast.AsCall(n); len(full.Positional) > 0 {
				if q := f.eval(full.Positional[0], st.in()); q != nil {
					return q.Model, nil, q.Certainty
				}
				return g.Lookup(f.Unit, pyast.Dotted(full.Positional[0])), nil, Certain
			}
		}
		method := c.MethodName()
		if method == "get_object" && IsSelfOrSuper(c.Receiver()) {
			if cls := ClassOf(n); !cls.IsNil() && !f.ownGetObject(cls, c.Receiver()) {
				if q := f.viewQuerysetIn(cls, st); q != nil {
					return q.Model, nil, q.Certainty
				}
			}
		}
		if RowMethods[method] || method == "create" || method == "get_or_create" {
			if q := f.eval(c.Receiver(), st.in()); q != nil {
				return q.Model, nil, q.Certainty
			}
		}
		if fn, _ := f.callee(n, c, st); fn != nil {
			if ret := f.M.retOf(fn, st); ret.Kind == Row {
				return ret.Model, nil, ret.Certainty
			}
		}
		if !ChainMethods[method] && !c.Receiver().IsNil() {
			// A custom manager method fetching one of its rows
			// (`Document.objects.get_visible(user, slug=s)`).
			if q := f.eval(c.Receiver(), st.in()); q != nil && !q.Related && f.M.managerRowMethod(q.Model, method) {
				return q.Model, nil, q.Certainty
			}
		}
	case "attribute":
		obj := n.ChildByField("object")
		name := n.ChildByField("attribute").Text()
		// request.user: the user model.
		if name == "user" && f.isRequest(obj, st.in()) {
			if um := g.UserModel(); um != nil {
				return um, nil, Certain
			}
		}
		// obj.fk: the related instance.
		if m, _, c := f.instance(obj, st.in()); m != nil {
			a := m.Attr(name)
			if a.Kind == project.AttrForward || a.Kind == project.AttrReverseOne {
				return a.Target, nil, c
			}
		}
		if obj.Type() == "identifier" && obj.Text() == "self" {
			if c := f.classOfNode(n); c != nil {
				if vs := c.SelfAttrs[name]; len(vs) == 1 && !vs[0].IsNil() {
					return c.File.instance(vs[0], st.in())
				}
				// A property of the class (or a project base) returning a
				// row: `self.round` fetching it with get_object_or_404.
				if fn := c.Method(name); fn != nil && fn.Property {
					if ret := f.M.retOf(fn, st); ret.Kind == Row && ret.Model != nil {
						return ret.Model, nil, ret.Certainty
					}
				}
				if name == "object" {
					if m := f.detailObject(c, st); m != nil {
						return m, nil, Certain // a single-object view's row
					}
				}
			}
		}
	}
	return nil, nil, Certain
}

// isRequest reports whether n holds the HTTP request: `request` (or
// `self.request`) in a view, or a parameter annotated as a request.
func (f *File) isRequest(n pyast.Node, st ctx) bool {
	n = pyast.Unparen(n)
	switch n.Type() {
	case "identifier":
		if n.Text() != "request" && n.Text() != "req" {
			return false
		}
		if fn, i := f.paramOf(n, n.Text()); fn != nil {
			_ = i
			return true
		}
		return false
	case "attribute":
		return n.ChildByField("attribute").Text() == "request" && pyast.Dotted(n.ChildByField("object")) == "self"
	}
	return false
}

// RowOrigin is rowOrigin for rules.
func (f *File) RowOrigin(n pyast.Node) (qs *QS, known bool) { return f.rowOrigin(n, ctx{}) }

// rowOrigin returns the queryset an instance expression was fetched from,
// with known false when that cannot be told (a parameter, an attribute,
// a helper's return: its caller may have prefetched anything). qs is nil
// with known true for a row fetched without a queryset state (create,
// get_object_or_404 on a model).
func (f *File) rowOrigin(n pyast.Node, st ctx) (qs *QS, known bool) {
	if st.d > maxDepth {
		return nil, false
	}
	n = pyast.Unparen(n)
	if n.Type() == "identifier" {
		if l := f.LoopOf(n); l != nil {
			q := f.loopQSAt(l, st)
			return q, q != nil
		}
		rhs := f.Binding(n, n.Text(), n.StartByte())
		if rhs.IsNil() {
			return nil, false
		}
		n = pyast.Unparen(rhs)
	}
	c, ok := pyast.AsCall(n)
	if !ok {
		return nil, false
	}
	if c.Func.Type() == "identifier" && c.Func.Text() == "get_object_or_404" && len(c.Positional) > 0 {
		if q := f.eval(c.Positional[0], st.in()); q != nil {
			return q, true
		}
		return nil, f.M.Graph.Lookup(f.Unit, pyast.Dotted(c.Positional[0])) != nil
	}
	switch method := c.MethodName(); method {
	case "get", "first", "last", "earliest", "latest":
		q := f.eval(c.Receiver(), st.in())
		return q, q != nil
	case "create", "get_or_create":
		return nil, f.eval(c.Receiver(), st.in()) != nil
	case "get_object":
		if IsSelfOrSuper(c.Receiver()) {
			if cls := ClassOf(n); !cls.IsNil() && !f.ownGetObject(cls, c.Receiver()) {
				if q := f.viewQuerysetIn(cls, st); q != nil {
					return q, true
				}
			}
		}
	}
	return nil, false
}

// branchBindings returns the right-hand sides that may reach n when the
// last assignment before n sits in a branch (if/elif/else, a loop body,
// match) that does not hold n: that assignment, the other branches'
// last assignments, and the value reaching the branch when it may not
// run. Sequential refinements (`q = q.filter(...)` in a loop) reach with
// the value before the loop, which they extend. One reaching value
// returns nil.
func (f *File) branchBindings(n pyast.Node, name string, last pyast.Node, action string) ([]pyast.Node, bool) {
	out := f.reaching(n, name, n.StartByte(), last, 0, action)
	if len(out) == 1 && out[0].Equal(last) || len(out) == 0 && action == "" {
		return nil, false
	}
	return out, true
}

func (f *File) reaching(n pyast.Node, name string, at int, last pyast.Node, depth int, action string) []pyast.Node {
	if last.IsNil() || depth > 4 {
		return nil
	}
	scope := ScopeOf(n)
	// The outermost branch holding the assignment but not the use.
	var branch pyast.Node
	for p := last.Parent().Parent(); !p.IsNil() && !p.Equal(scope); p = p.Parent() {
		if p.Is("if_statement", "for_statement", "while_statement", "match_statement") && !p.Contains(n) {
			branch = p
		}
	}
	if branch.IsNil() {
		return []pyast.Node{last}
	}
	out := []pyast.Node{last}
	covered := false // every path through the branch assigns
	if branch.Type() == "if_statement" {
		clauses, hasElse := ifBodies(branch)
		runs := clauseRuns(branch, action)
		assigned := 0
		for i, cl := range clauses {
			if runs[i] == clauseNever {
				// Not run for this action: as good as assigned.
				assigned++
				if cl.Contains(last) {
					out = out[1:]
				}
				continue
			}
			if cl.Contains(last) {
				assigned++
				covered = covered || runs[i] == clauseTaken
				continue
			}
			var la pyast.Node
			for _, a := range f.assignments(scope, name) {
				if cl.Contains(a.node) && a.node.EndByte() <= at {
					la = boundValue(a.node)
				}
			}
			if !la.IsNil() {
				out = append(out, la)
				assigned++
				covered = covered || runs[i] == clauseTaken
			}
		}
		covered = covered || hasElse && assigned == len(clauses)
	}
	if !covered {
		before := f.Binding(n, name, branch.StartByte())
		out = append(out, f.reaching(n, name, branch.StartByte(), before, depth+1, action)...)
	}
	return out
}

// alternatives evaluates every branch's value: a queryset of one model
// when they all agree, loading what they all load, with each as a
// source for fixes.
func (f *File) alternatives(rhs []pyast.Node, st ctx) *QS {
	var out *QS
	var srcs []*QS
	if rows := withRows(rhs); len(rows) > 0 {
		// `qs = Model.objects.none()` in one branch yields no row: what
		// the loop reads per row comes from the other branches.
		rhs = rows
	}
	for _, r := range rhs {
		q := f.eval(r, st.in())
		if q == nil {
			continue // e.g. `qs = None` before the branches
		}
		if out != nil && q.Model != out.Model {
			return nil
		}
		srcs = append(srcs, q)
		if out == nil {
			out = q.clone()
		} else {
			out = mergeQS(out, q)
		}
	}
	if out == nil {
		return nil
	}
	out.Conditional = true
	out.Origin, out.OriginFile = pyast.Node{}, nil
	out.Sources = srcs
	return out
}

// withRows drops the alternatives that are an empty queryset
// (`Model.objects.none()`, `qs.none()`, also as the value of a chained
// assignment), which yield no row.
func withRows(rhs []pyast.Node) []pyast.Node {
	var out []pyast.Node
	for _, r := range rhs {
		e := pyast.Unparen(r)
		for e.Type() == "assignment" {
			e = pyast.Unparen(e.ChildByField("right"))
		}
		if c, ok := pyast.AsCall(e); ok && c.Func.Type() == "attribute" && c.MethodName() == "none" &&
			len(c.Positional) == 0 && len(c.Keywords) == 0 {
			continue
		}
		out = append(out, r)
	}
	return out
}

// argSources evaluates, at every call site of fn, the argument given for
// parameter idx.
func (m *Model) argSources(fn *Func, idx int, st ctx) []*QS {
	var out []*QS
	for _, s := range fn.callers {
		c, ok := pyast.AsCall(s.call)
		if !ok {
			continue
		}
		var arg pyast.Node
		pos := idx
		if s.bound {
			pos--
		}
		if pos >= 0 && pos < len(c.Positional) {
			arg = c.Positional[pos]
		}
		if v, ok := c.Keywords[fn.Params[idx]]; ok {
			arg = v
		}
		if arg.IsNil() {
			return nil
		}
		q := s.file.eval(arg, ctx{loops: st.loops, deps: st.deps})
		if q == nil {
			return nil // a caller passes something else: no complete set of places
		}
		out = append(out, q)
	}
	return out
}

// passThrough names functions that wrap an iterable and yield its items
// unchanged: progress bars (tqdm, track, progressbar) and iterator
// wrappers handed in by a caller (iter_wrapper).
func passThrough(name string) bool {
	switch name {
	case "tqdm", "track", "progressbar", "iter", "iter_wrapper", "progress", "with_progress":
		return true
	}
	return strings.HasSuffix(name, "_wrapper") || strings.HasSuffix(name, "_progress")
}

// ArgFor returns the argument a call passes for parameter idx of fn
// (bound: the callee is reached as a bound method), or the zero Node.
func ArgFor(c pyast.Call, fn *Func, idx int, bound bool) pyast.Node { return argFor(c, fn, idx, bound) }

// argFor returns the argument a call passes for parameter idx of fn, or
// the zero Node.
func argFor(c pyast.Call, fn *Func, idx int, bound bool) pyast.Node {
	if idx < 0 || idx >= len(fn.Params) {
		return pyast.Node{}
	}
	if v, ok := c.Keywords[fn.Params[idx]]; ok {
		return v
	}
	pos := idx
	if bound {
		pos--
	}
	if pos >= 0 && pos < len(c.Positional) {
		return c.Positional[pos]
	}
	return pyast.Node{}
}

// applyChainMethod records on q what one chained queryset method does
// (select_related, prefetch_related with Prefetch objects, values,
// filter, annotate...): the one reading of a chain step that evalCall and
// the template reader share.
func (f *File) applyChainMethod(q *QS, method string, c pyast.Call, st ctx) {
	switch method {
	case "select_related":
		if len(c.Positional) == 0 {
			q.SelectAll = true
		}
		for _, a := range c.Positional {
			if s, ok := pyast.StringValue(a); ok {
				q.Select = append(q.Select, s)
			} else {
				q.Opaque, q.DynamicSelect = true, true
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
					inner := f.eval(pc.Arg(1, "queryset"), st.in())
					if base == s && !pc.Arg(1, "queryset").IsNil() {
						if inner != nil && inner.Ordered {
							q.OrderedPrefetch = append(q.OrderedPrefetch, s)
						} else {
							q.CustomPrefetch = append(q.CustomPrefetch, s)
						}
					}
					if inner != nil {
						for _, sub := range append(append([]string(nil), inner.Select...), inner.Prefetch...) {
							q.Prefetch = append(q.Prefetch, base+"__"+sub)
						}
						for _, a := range inner.Annotated {
							q.PrefetchAnnotated = append(q.PrefetchAnnotated, base+"__"+a)
						}
						for _, a := range inner.PrefetchAnnotated {
							q.PrefetchAnnotated = append(q.PrefetchAnnotated, base+"__"+a)
						}
					}
					continue
				}
			}
			q.Opaque, q.Dynamic = true, true
		}
	case "values", "values_list":
		q.Values = true
		noteNames(q, c)
	case "distinct":
		if q.Values || len(c.Positional) > 0 {
			q.Grouped = true
		}
	case "filter", "get":
		if q.Model != nil {
			var eq []string
			for k := range c.EachKeyword() {
				eq = append(eq, strings.TrimSuffix(strings.TrimSuffix(k, "__exact"), "__iexact"))
			}
			if q.Model.UniqueBy(eq) {
				q.Single = true
			}
			if method == "filter" {
				for k, v := range c.EachKeyword() {
					head, rest, _ := strings.Cut(k, "__")
					fd := q.Model.Field(head)
					if fd == nil || !(fd.Kind == project.ForeignKey || fd.Kind == project.OneToOne) {
						continue
					}
					if rest == "isnull" && v.Type() == "true" || rest == "" && v.Type() == "none" {
						q.Null = append(q.Null, head)
					}
				}
				sort.Strings(q.Null)
			}
			for k := range c.EachKeyword() {
				head, _, _ := strings.Cut(k, "__")
				fd := q.Model.Field(head)
				if fd == nil {
					fd = q.Model.FKColumn(head)
				}
				if fd != nil && (fd.Kind == project.ForeignKey || fd.Kind == project.OneToOne) && !strings.Contains(k, "__in") &&
					(fd.To == nil || fd.To != f.M.Graph.UserModel()) && fd.Target != project.AuthUserModel {
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
		noteNames(q, c)
	case "none":
		q.Single = true
	case "union", "intersection", "difference", "extra":
		q.Opaque = true
		q.Combined = true
		q.NamesOpen = true
	}
}

// extendedArg reads a helper that extends the queryset a call passes it
// (`queryset = queryset.prefetch_related(...)`, through other helpers,
// then `return queryset`) on behalf of this call: its returns evaluated
// with the parameter bound to the argument. It returns nil unless one
// argument is a queryset and every return that is not None gives a
// queryset of its model. The fix point is the call itself: what the
// caller adds goes after it, not into the shared helper.
//
// tried is set when one argument is a queryset and the helper returns a
// parameter it rebinds: then nil means this call's queryset is unknown.
func (f *File) extendedArg(n pyast.Node, c pyast.Call, fn *Func, bound bool, st ctx) (q *QS, tried bool) {
	idx, arg := -1, (*QS)(nil)
	for i := range fn.Params {
		a := argFor(c, fn, i, bound)
		if a.IsNil() {
			continue
		}
		if q := f.eval(a, st); q != nil { // inside the call: before it in the scope
			if arg != nil {
				return nil, false // two querysets passed: which one comes back is unknown
			}
			idx, arg = i, q
		}
	}
	if arg == nil || arg.Model == nil {
		return nil, false
	}
	tried = returnsRebound(fn)
	if st.d > maxDepth-4 {
		return nil, tried
	}
	inner := ctx{d: st.d + 1, self: st.self, args: &argBind{fn: fn, idx: idx, q: arg, up: st.args}, deps: st.deps}
	var rets []*QS
	ordered := true
	body := pyast.Body(fn.Node)
	for _, r := range ownNodes(body, "return_statement") {
		e := pyast.Unparen(r.NamedChild(0))
		if e.IsNil() || e.Type() == "none" {
			continue
		}
		q := fn.File.eval(e, inner)
		if q == nil || q.Model != arg.Model || q.Related != arg.Related {
			return nil, tried
		}
		rets = append(rets, q)
		ordered = ordered && (q.Ordered || sortedList(body, e))
	}
	if len(rets) == 0 {
		return nil, tried
	}
	out := rets[0].clone()
	// Ordered when every return is: by order_by(), or a list sorted in
	// Python (`rows = list(queryset)`; `rows.sort(key=...)`; `return rows`).
	out.Ordered = ordered
	// The names any return adds may be there (`return queryset` for an
	// anonymous user, `return queryset.annotate(user_read=...)` otherwise).
	for _, q := range rets[1:] {
		for _, a := range q.Annotated {
			if !slices.Contains(out.Annotated, a) {
				out.Annotated = append(out.Annotated, a)
			}
		}
		out.NamesOpen = out.NamesOpen || q.NamesOpen
	}
	out.Origin, out.OriginFile, out.Sources = n, f, nil
	return out, true
}

// sortedList reports a returned expression that is a list sorted in
// Python: `sorted(...)`, or a name the body sorts in place (`rows.sort()`).
func sortedList(body, e pyast.Node) bool {
	if c, ok := pyast.AsCall(e); ok {
		return c.Func.Type() == "identifier" && c.Func.Text() == "sorted"
	}
	if e.Type() != "identifier" {
		return false
	}
	for call := range pyast.FindEach(body, "call") {
		if c, ok := pyast.AsCall(call); ok && c.MethodName() == "sort" && c.Func.Type() == "attribute" {
			if r := pyast.Unparen(c.Receiver()); r.Type() == "identifier" && r.Text() == e.Text() {
				return true
			}
		}
	}
	return false
}

// returnsRebound reports a function that returns one of its parameters
// after rebinding it (`queryset = queryset.extra(...)`; `return queryset`).
func returnsRebound(fn *Func) bool {
	body := pyast.Body(fn.Node)
	for _, r := range ownNodes(body, "return_statement") {
		e := pyast.Unparen(r.NamedChild(0))
		if e.Type() == "identifier" && indexOf(fn.Params, e.Text()) >= 0 && rebound(body, e.Text(), pyast.Node{}) {
			return true
		}
	}
	return false
}

// parallelElement returns, for the right side of `a, b = x, y`, the
// element bound to name (x for a); any other right side as it is.
func parallelElement(rhs pyast.Node, name string) pyast.Node {
	p := rhs.Parent()
	if !rhs.Is("expression_list", "tuple") || p.Type() != "assignment" {
		return rhs
	}
	l := p.ChildByField("left")
	if !l.Is("pattern_list", "tuple_pattern", "tuple") {
		return rhs
	}
	ls, rs := l.NamedChildren(), rhs.NamedChildren()
	if len(ls) != len(rs) {
		return rhs
	}
	for i, x := range ls {
		if x.Type() == "identifier" && x.Text() == name {
			return rs[i]
		}
	}
	return rhs
}

// objectListRebound reports an assignment to n's `object_list` (a
// page's rows) after rhs, n's binding, and before n.
func (f *File) objectListRebound(n, rhs pyast.Node) bool {
	name := n.Text()
	for a := range pyast.FindEachShallow(ScopeOf(n), "assignment") {
		if a.EndByte() > n.StartByte() {
			break
		}
		l := a.ChildByField("left")
		if a.StartByte() > rhs.EndByte() && l.Type() == "attribute" && l.ChildByField("attribute").Text() == "object_list" &&
			pyast.Dotted(l.ChildByField("object")) == name {
			return true
		}
	}
	return false
}

// unpackedCall finds the binding of n's name, when it is the unpacking of
// a call's result (`paginator, page = paginate(qs, request)`) and no plain
// assignment binds the name before n in its scope: the call, the name's
// index in the target and the target's length. The last such unpacking
// before n holds, unless it sits in another clause of an if holding n.
func (f *File) unpackedCall(n pyast.Node) (call pyast.Node, idx, arity int) {
	name := n.Text()
	for _, ta := range f.tupleAssigns(ScopeOf(n)) {
		if ta.reach > n.StartByte() {
			break
		}
		a := ta.node
		l, r := a.ChildByField("left"), pyast.Unparen(a.ChildByField("right"))
		if !l.Is("pattern_list", "tuple_pattern") || exclusive(a, n) {
			continue
		}
		for i, x := range l.NamedChildren() {
			if x.Type() == "identifier" && x.Text() == name {
				call, idx, arity = pyast.Node{}, -1, 0
				if r.Type() == "call" {
					call, idx, arity = r, i, l.NamedChildCount()
				}
			}
		}
	}
	return call, idx, arity
}

// unpackedQS evaluates element idx of what a project function returns,
// every return handing back a tuple of arity elements: a helper returning
// `(paginator, paginator.paginate_queryset(queryset, request))` gives the
// rows of the queryset the call passes. The one argument that is a
// queryset is bound to its parameter; returns must agree on the model
// (a None element is a path that gives no rows).
func (f *File) unpackedQS(call pyast.Node, idx, arity int, st ctx) *QS {
	c, ok := pyast.AsCall(call)
	if !ok || st.d > maxDepth-4 {
		return nil
	}
	fn, bound := f.callee(call, c.Head(), st)
	if fn == nil || fn.File == nil {
		return nil
	}
	inner := ctx{d: st.d + 1, args: st.args, deps: st.deps}
	if IsSelfOrSuper(c.Receiver()) {
		inner.self = st.self
	}
	passed := false
	for i := range fn.Params {
		a := argFor(c, fn, i, bound)
		if a.IsNil() {
			continue
		}
		if q := f.eval(a, st.in()); q != nil {
			if passed {
				return nil // two querysets passed: which one comes back is unknown
			}
			passed = true
			inner.args = &argBind{fn: fn, idx: i, q: q, up: st.args}
		}
	}
	var out *QS
	for _, r := range ownNodes(pyast.Body(fn.Node), "return_statement") {
		e := pyast.Unparen(r.NamedChild(0))
		if e.IsNil() || e.Type() == "none" {
			continue
		}
		if !e.Is("tuple", "expression_list") || e.NamedChildCount() != arity {
			return nil
		}
		el := pyast.Unparen(e.NamedChild(idx))
		if el.Type() == "none" {
			continue
		}
		if c, ok := pyast.AsCall(fn.File.bound(el)); ok && strings.HasSuffix(pyast.Dotted(c.Func), "Paginator") {
			// `return page, paginator`: the Paginator object, not rows
			// (eval reads a Paginator as its rows for `.page(n)`).
			return nil
		}
		q := fn.File.eval(el, inner)
		if q == nil || out != nil && (q.Model != out.Model || q.Related != out.Related) {
			return nil
		}
		if out == nil {
			out = q
		}
	}
	return out
}

// parallelEmpty reports a name whose last binding before n in its scope
// is an empty list of a parallel assignment (`past, future = [], []`),
// which Binding does not index.
func (f *File) parallelEmpty(n pyast.Node) bool {
	name := n.Text()
	found := false
	for _, ta := range f.tupleAssigns(ScopeOf(n)) {
		if ta.reach > n.StartByte() {
			break
		}
		r := ta.node.ChildByField("right")
		if !r.Is("expression_list", "tuple") {
			continue
		}
		if e := parallelElement(r, name); !e.Equal(r) {
			found = emptyList(e)
		}
	}
	return found
}

// emptyList reports `[]` or `list()`.
func emptyList(n pyast.Node) bool {
	n = pyast.Unparen(n)
	if n.Type() == "list" {
		return n.NamedChildCount() == 0
	}
	c, ok := pyast.AsCall(n)
	return ok && c.Func.Type() == "identifier" && c.Func.Text() == "list" && len(c.Positional) == 0 && len(c.Keywords) == 0
}

// listMethodUse reads a use of a list's name id as a method's receiver:
// call is `id.append(x)`; ok is false for a use that may change the list
// in a way not followed (extend, insert, pop..., or append or extend handed
// on uncalled). Any other use (a binding, a plain read, sort, count...)
// gives no call and ok.
func listMethodUse(id pyast.Node) (call pyast.Node, ok bool) {
	p := id.Parent()
	if p.Type() != "attribute" || !p.ChildByField("object").Equal(id) {
		return pyast.Node{}, true
	}
	c := p.Parent()
	m := p.ChildByField("attribute").Text()
	if c.Type() != "call" {
		return pyast.Node{}, m != "append" && m != "extend" && m != "insert"
	}
	switch m {
	case "append":
		return c, true
	case "sort", "reverse", "index", "count", "copy":
		return pyast.Node{}, true
	}
	return pyast.Node{}, false
}

// appendedRows evaluates a list that starts empty and is filled, before n
// in n's function, with the rows of one loop (`for c in qs: if ...:
// past.append(c)`): it holds some of that loop's rows, as loaded. Any
// other change of the list (extend, insert, +=, another value appended,
// rows of another loop) leaves it unknown.
func (f *File) appendedRows(n pyast.Node, st ctx) *QS {
	fn := f.EnclosingFunc(n)
	if fn == nil {
		return nil
	}
	name := n.Text()
	var loop *Loop
	for id := range pyast.FindEach(pyast.Body(fn.Node), "identifier") {
		if id.Text() != name || id.StartByte() >= n.StartByte() {
			continue
		}
		call, ok := listMethodUse(id)
		if !ok {
			return nil
		}
		if call.IsNil() {
			continue // a binding, a plain read, or a method that changes nothing
		}
		c, _ := pyast.AsCall(call)
		if len(c.Positional) != 1 || c.Positional[0].Type() != "identifier" {
			return nil
		}
		l := f.LoopOf(c.Positional[0])
		if l == nil || l.Var.IsNil() || l.Var.Text() != c.Positional[0].Text() || loop != nil && loop != l {
			return nil
		}
		loop = l
	}
	for a := range pyast.FindEach(pyast.Body(fn.Node), "augmented_assignment") {
		if a.ChildByField("left").Text() == name {
			return nil
		}
	}
	if loop == nil {
		return nil
	}
	q := f.loopQSAt(loop, st)
	if q == nil {
		return nil
	}
	q = q.clone()
	q.Filtered, q.Listed = true, true
	return q
}
