package semantic

import (
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// Project is the semantic model of a run, built once from the index.
// Rules that read it list it in Rule.Requires.
var Project = &project.ProjectAnalysis[*Model]{Name: "semantic", Run: Build}

// Of returns the semantic model of the index (building it on first need).
func Of(ix *project.Index) *Model { return Project.Get(ix) }

// Model is the semantic model of the analysed project.
type Model struct {
	Index *project.Index
	Graph *project.Models

	files   map[*project.Unit]*File
	ordered []*File
	byTree  map[*pyast.Tree]*File
	funcs   map[string]*Func
	byName  map[string][]*Func // by last dotted part, for suffix matches
	classes map[string]*Class
	cbyName map[string][]*Class

	// frozen is set once parameter kinds and return values are settled:
	// from then on evaluations may be cached.
	frozen bool
	// classesKnown is set once every class is registered: bases are
	// cached from then on.
	classesKnown bool
	// settling is set while settle runs its rounds; untracked records that
	// a settled value was read by an evaluation that keeps no settleDeps
	// (see noteSettledRead).
	settling  bool
	untracked atomic.Bool
	// settleKept counts the evaluations settle kept from a round before.
	settleKept int
	// noModels is set when the graph holds no model, of the tree or
	// external: no lookup finds one, so no expression evaluates to a
	// queryset or a row (every QS and Row is of a model the graph gave),
	// and settling would learn nothing (a project without Django).
	noModels bool

	rowMu   sync.Mutex
	rowMemo map[rowKey]*rowEntry

	// adminRegs are the admin registrations made in a module other than
	// the admin class's (collectAdminRegistrations).
	adminRegs map[*Class]adminReg

	// memo holds what the endpoint inventory computes once per function
	// or class (endpoints.go, does.go).
	memo endpointMemo

	// authCallers caches authUserCallers (ownership.go).
	authCallersOnce sync.Once
	authCallers     bool
}

// File is the semantic view of one file: its functions and classes, and
// the evaluator of its expressions.
type File struct {
	M    *Model
	Unit *project.Unit
	// Funcs are the functions and methods the file defines (nested ones
	// included), in source order.
	Funcs []*Func
	// Classes are its module-level classes, in source order.
	Classes []*Class

	topFuncs   map[string]*Func
	topClasses map[string]*Class
	byDef      map[int32]*Func // function_definition node id -> Func
	// nested maps an enclosing function's node id to the functions
	// defined directly in its body, by name.
	nested  map[int32]map[string]*Func
	byClass map[int32]*Class // class_definition node id -> Class
	globals map[string][]pyast.Node

	callees callees
	// calls are the calls of the file that reach a project function;
	// argUnits, while the model settles, what each passes (same order).
	calls    []outCall
	argUnits []argUnit

	mu      sync.Mutex
	assigns map[int32][]assignment  // by scope node id (see assignments)
	tuples  map[int32][]tupleAssign // by scope node id (see tupleAssigns)
	loops   []*Loop
	loopBy  map[int32]*Loop

	// stars are the modules the file star-imports (starImported).
	starsOnce sync.Once
	stars     []string
}

// starModules returns the modules f star-imports at its top, made
// absolute, in source order.
func (f *File) starModules() []string {
	f.starsOnce.Do(func() { f.stars = starImported(f.Unit) })
	return f.stars
}

// Func is a function or method of the project.
type Func struct {
	Name string
	// Qual is module.name or module.Class.name; "" for nested functions.
	Qual   string
	File   *File
	Node   pyast.Node // the function_definition
	Class  *Class     // the class of a method
	Params []string   // in order, self or cls included
	// Static and ClassMethod describe methods; Property is a @property
	// (or cached_property): read as an attribute.
	Static, ClassMethod, Property bool

	summaryOnce sync.Once
	summary     *Summary
	// callbacks are the loops calling a parameter with each row.
	callbacksOnce sync.Once
	callbacks     []RowCallback
	// params are the parameter values learnt from annotations, framework
	// conventions and call sites; ret the value returned.
	params []Value
	ret    Value
	// passParam is the parameter every return hands back, filtered or
	// ordered at most (`return queryset.filter(...)`), or -1: a call then
	// evaluates to its argument.
	passParam  int
	passOpaque bool // through a custom queryset method: it may load more
	// passOrdered: every return orders what it hands back
	// (`return queryset.order_by(sort_by)`).
	passOrdered bool
	// next* are a settling round's results, swapped in at its end.
	nextRet Value
	callers []callSite
	// retDeps are the functions the last evaluation of the return value
	// read (settleDeps); moved is set when a round changed ret or params.
	retDeps []*Func
	moved   bool
}

// Class is a class of the project.
type Class struct {
	Name  string
	Qual  string
	File  *File
	Node  pyast.Node
	Facts *project.ClassFacts
	// Methods by name (own methods only; see Method for bases).
	Methods map[string]*Func
	// Attrs are class-level `name = value` assignments (their values).
	Attrs map[string]pyast.Node
	// SelfAttrs are `self.name = value` assignments in any method (their
	// values), such as those __init__ and setUp make.
	SelfAttrs map[string][]pyast.Node

	// bases caches Bases once every class is registered (classesKnown).
	basesOnce sync.Once
	bases     []*Class
	// baseNames caches BaseNames: they depend on the class and its
	// module's imports only.
	baseNamesOnce sync.Once
	baseNames     []string
}

type outCall struct {
	fn   *Func
	site callSite
}

type callSite struct {
	file *File
	call pyast.Node
	// bound: the callee is reached as a bound method (self. / obj.), so
	// positional arguments start at its second parameter.
	bound bool
}

// File returns the semantic view of u (nil for a unit outside the run,
// and for a test module: see Build).
func (m *Model) File(u *project.Unit) *File {
	if m == nil || u == nil {
		return nil
	}
	return m.files[u]
}

// Files returns every file, in path order.
func (m *Model) Files() []*File { return m.ordered }

// FileOfTree returns the file a node's tree belongs to.
func (m *Model) FileOfTree(t *pyast.Tree) *File { return m.byTree[t] }

// Build computes the semantic model: per-file definitions and summaries
// (in parallel), then calls resolved across files, then the parameter
// kinds call sites agree on and the values functions return, settled in a
// few rounds.
func Build(ix *project.Index) *Model {
	m := &Model{Index: ix, Graph: ix.Models, files: map[*project.Unit]*File{}, byTree: map[*pyast.Tree]*File{},
		funcs: map[string]*Func{}, byName: map[string][]*Func{}, classes: map[string]*Class{}, cbyName: map[string][]*Class{},
		rowMemo: map[rowKey]*rowEntry{}}
	m.noModels = honourNoModels && (m.Graph == nil || len(m.Graph.All) == 0 && len(m.Graph.Externals()) == 0)
	for _, u := range ix.Units {
		// Test modules are left out: product code never imports them, and
		// their helpers, named like the product's (a view, a fixture
		// factory), made the suffix matches that resolve routes and calls
		// ambiguous. Rules that judge tests read the file and the index.
		if u.Tree == nil || RolesOf(u).Any(Test) {
			continue
		}
		f := &File{M: m, Unit: u, topFuncs: map[string]*Func{}, topClasses: map[string]*Class{}, byDef: map[int32]*Func{},
			byClass: map[int32]*Class{}, globals: map[string][]pyast.Node{}, assigns: map[int32][]assignment{}}
		m.files[u] = f
		m.byTree[u.Tree] = f
		m.ordered = append(m.ordered, f)
	}
	parallel(m.ordered, func(f *File) { f.collect() })
	for _, f := range m.ordered {
		for _, fn := range f.Funcs {
			if fn.Qual == "" {
				continue
			}
			if prev, dup := m.funcs[fn.Qual]; !dup {
				m.funcs[fn.Qual] = fn
				m.byName[fn.Name] = append(m.byName[fn.Name], fn)
			} else if prev.File == f {
				m.funcs[fn.Qual] = fn // redefined later in the module
				for i, x := range m.byName[fn.Name] {
					if x == prev {
						m.byName[fn.Name][i] = fn
					}
				}
			}
		}
		for _, c := range f.Classes {
			if prev, dup := m.classes[c.Qual]; !dup {
				m.classes[c.Qual] = c
				m.cbyName[c.Name] = append(m.cbyName[c.Name], c)
			} else if prev.File == f {
				// Redefined later in the same module: the last one wins.
				m.classes[c.Qual] = c
				for i, x := range m.cbyName[c.Name] {
					if x == prev {
						m.cbyName[c.Name][i] = c
					}
				}
			}
		}
	}
	m.classesKnown = true
	m.collectAdminRegistrations()
	parallel(m.ordered, func(f *File) {
		for _, fn := range f.Funcs {
			fn.params = f.declaredParams(fn)
			fn.passParam = -1 // read by eval only, which has nothing to pass without a model
			if !m.noModels {
				fn.passParam, fn.passOpaque, fn.passOrdered = passThroughParam(fn, m.Graph)
			}
		}
	})
	// Call sites: who calls each function (merged in path order). Every
	// call's resolution is kept for the rules (File.callees).
	parallel(m.ordered, func(f *File) {
		// Tests and migrations call with whatever fixtures they build:
		// they say nothing of how the product calls its functions.
		// Their calls are resolved when asked, not kept.
		if RolesOf(f.Unit).Any(Test | Migration) {
			return
		}
		for call := range pyast.FindEach(f.Unit.Tree.Root(), "call") {
			fn, bound := f.staticCallee(call)
			f.callees.ids = append(f.callees.ids, call.ID())
			f.callees.res = append(f.callees.res, calleeOf{fn, bound})
			if fn != nil {
				f.calls = append(f.calls, outCall{fn: fn, site: callSite{file: f, call: call, bound: bound}})
			}
		}
		if !slices.IsSorted(f.callees.ids) {
			panic("semantic: calls are not listed in node order")
		}
		f.callees.done = true
	})
	for _, f := range m.ordered {
		for _, c := range f.calls {
			c.fn.callers = append(c.fn.callers, c.site)
		}
	}
	if !m.noModels {
		// Without a model every return value and argument evaluates to
		// nothing known (noModels): the rounds would leave every value as
		// declared.
		m.settle()
	}
	m.frozen = true
	return m
}

// settle learns return values and parameter kinds in rounds: each round
// reads the previous round's values only, so files can be evaluated in
// parallel and the result does not depend on scheduling.
//
// An evaluation (a function's return value, a call site's arguments) is a
// function of the trees and of the settled values it reads: the return
// values and parameters of some functions, which it records (settleDeps).
// A round evaluates again only what read a function whose values the round
// before changed; the rest keep their last result, which an evaluation
// would compute again unchanged. Values are compared with ==, so a value
// rebuilt equal counts as changed: the saving is never unsound, only
// smaller. A read that is not recorded (an exported entry point reached
// while settling) makes the next round evaluate everything.
func (m *Model) settle() {
	const rounds = 3
	m.settling = true
	defer func() { m.settling = false }()
	for _, f := range m.ordered {
		f.argUnits = make([]argUnit, len(f.calls))
	}
	for r := 0; r < rounds; r++ {
		all := r == 0 || m.untracked.Swap(false) || settleEverything
		var kept atomic.Int64
		parallel(m.ordered, func(f *File) {
			for _, fn := range f.Funcs {
				// Only what a project call reaches needs its return value
				// (get_queryset is read through the class instead).
				// A property is called by reading it (`self.round`).
				// A method of a model is called on its rows (`doc.links_to()`),
				// which no static call site names.
				if len(fn.callers) > 0 || fn.Class != nil && (fn.Property || m.isModelClass(fn.Class)) {
					if !all && !anyMoved(fn.retDeps) {
						fn.nextRet = fn.ret
						kept.Add(1)
						continue
					}
					d := &settleDeps{}
					fn.nextRet = f.returnValue(fn, d)
					fn.retDeps = d.fns
				}
			}
		})
		type arg struct {
			fn  *Func
			idx int
			v   Value
		}
		args := make([][]arg, len(m.ordered))
		parallel2(m.ordered, func(i int, f *File) {
			for j, c := range f.calls {
				u := &f.argUnits[j]
				if all || anyMoved(u.deps) {
					d := &settleDeps{}
					u.vals = f.argValues(c.fn, c.site, d)
					u.deps = d.fns
				} else {
					kept.Add(1)
				}
				for idx, v := range u.vals {
					args[i] = append(args[i], arg{c.fn, idx, v})
				}
			}
		})
		m.settleKept += int(kept.Load())
		changed := false
		for _, f := range m.ordered {
			for _, fn := range f.Funcs {
				fn.moved = fn.nextRet != fn.ret
				if fn.moved {
					changed = true
				}
				fn.ret = fn.nextRet
			}
		}
		// A parameter takes the kind every call site that passes a known
		// value agrees on; declared kinds (annotations, conventions) win.
		agree := map[*Func]map[int]*Value{}
		conflict := map[*Func]map[int]bool{}
		for _, as := range args {
			for _, a := range as {
				if agree[a.fn] == nil {
					agree[a.fn], conflict[a.fn] = map[int]*Value{}, map[int]bool{}
				}
				if prev := agree[a.fn][a.idx]; prev == nil {
					v := a.v
					agree[a.fn][a.idx] = &v
				} else if prev.Kind != a.v.Kind || prev.Model != a.v.Model {
					conflict[a.fn][a.idx] = true
				} else if prev.QS != nil && a.v.QS != nil {
					prev.QS = mergeQS(prev.QS, a.v.QS)
				}
			}
		}
		for _, f := range m.ordered {
			for _, fn := range f.Funcs {
				for idx, v := range agree[fn] {
					if conflict[fn][idx] || idx >= len(fn.params) {
						continue
					}
					if cur := fn.params[idx]; cur.Kind != Unknown && cur.Certainty == Certain {
						continue
					}
					nv := *v
					nv.Certainty = FromCallers
					if nv.QS != nil {
						q := nv.QS.clone()
						q.Certainty = FromCallers
						nv.QS = q
					}
					if fn.params[idx].Kind != nv.Kind || fn.params[idx].Model != nv.Model {
						changed = true
					}
					if fn.params[idx] != nv {
						fn.moved = true
					}
					fn.params[idx] = nv
				}
			}
		}
		if !changed && r > 0 {
			break
		}
	}
	for _, f := range m.ordered {
		f.argUnits = nil
		for _, fn := range f.Funcs {
			fn.retDeps = nil
		}
	}
}

// settleEverything makes every round evaluate everything (tests compare).
var settleEverything bool

// honourNoModels lets a model without any Django model skip what cannot
// find one (Model.noModels); tests turn it off to compare.
var honourNoModels = true

// settleDeps are the functions whose settled values (return value,
// parameters) one evaluation read while the model settles.
type settleDeps struct{ fns []*Func }

// argUnit is what one call site passed in the last round that evaluated
// it, and what that evaluation read.
type argUnit struct {
	vals map[int]Value
	deps []*Func
}

// anyMoved reports whether a function in fns changed in the last round.
func anyMoved(fns []*Func) bool {
	for _, fn := range fns {
		if fn.moved {
			return true
		}
	}
	return false
}

// retOf and paramsOf are how an evaluation st reads fn's settled return
// value and parameters: while the model settles they note the read in
// st's settleDeps, and an evaluation without one cannot be kept from one
// round to the next (the round is marked untracked).
func (m *Model) retOf(fn *Func, st ctx) Value {
	m.noteSettledRead(fn, st)
	return fn.ret
}

func (m *Model) paramsOf(fn *Func, st ctx) []Value {
	m.noteSettledRead(fn, st)
	return fn.params
}

func (m *Model) noteSettledRead(fn *Func, st ctx) {
	switch {
	case !m.settling:
	case st.deps == nil:
		m.untracked.Store(true)
	default:
		st.deps.fns = append(st.deps.fns, fn)
	}
}

// isModelClass reports whether c is the class of a model of the graph.
func (m *Model) isModelClass(c *Class) bool {
	return m.Graph != nil && m.Graph.ByQual(c.Qual) != nil
}

// mergeQS keeps what every caller's queryset loads: the paths both select
// or prefetch. The origin is dropped when they differ (no single place for
// a fix).
func mergeQS(a, b *QS) *QS {
	out := a.clone()
	keep := func(xs []string, has func(string) bool) []string {
		var r []string
		for _, x := range xs {
			if has(x) {
				r = append(r, x)
			}
		}
		return r
	}
	out.Select = keep(a.Select, b.Selects)
	for _, x := range [][]string{a.Select, b.Select, a.BranchSelect, b.BranchSelect} {
		for _, p := range x {
			if !contains(out.Select, p) && !contains(out.BranchSelect, p) {
				out.BranchSelect = append(out.BranchSelect, p)
			}
		}
	}
	out.Prefetch = keep(a.Prefetch, b.Prefetches)
	for _, x := range [][]string{a.Prefetch, b.Prefetch, a.BranchPrefetch, b.BranchPrefetch} {
		for _, p := range x {
			if !contains(out.Prefetch, p) && !contains(out.BranchPrefetch, p) {
				out.BranchPrefetch = append(out.BranchPrefetch, p)
			}
		}
	}
	out.OrderedPrefetch = keep(a.OrderedPrefetch, func(p string) bool { return contains(b.OrderedPrefetch, p) })
	out.CustomPrefetch = append(append([]string(nil), a.CustomPrefetch...), b.CustomPrefetch...)
	out.Null = keep(a.Null, b.Selects) // NULL in one branch, NULL or selected in the other
	out.SelectAll = a.SelectAll && b.SelectAll
	out.Values = a.Values && b.Values
	out.Opaque = a.Opaque || b.Opaque
	out.Dynamic = a.Dynamic || b.Dynamic
	out.DynamicSelect = a.DynamicSelect || b.DynamicSelect
	out.FromSerializer = a.FromSerializer || b.FromSerializer
	if a.Back != b.Back {
		out.Back = ""
	}
	out.MaybeCached = a.MaybeCached || b.MaybeCached
	out.Custom = a.Custom || b.Custom
	out.NamesOpen = a.NamesOpen || b.NamesOpen
	out.Filtered = a.Filtered && b.Filtered
	out.Ordered = a.Ordered && b.Ordered
	// At most one row only when every alternative is (`qs.none()` in one
	// branch, the readable rows in the other: a listing).
	out.Single = a.Single && b.Single
	for _, n := range b.Annotated {
		if !out.Annotates(n) {
			out.Annotated = append(out.Annotated, n)
		}
	}
	if !a.Origin.Equal(b.Origin) {
		out.Origin, out.OriginFile = pyast.Node{}, nil
	}
	return out
}

func parallel(files []*File, f func(*File)) {
	parallel2(files, func(_ int, x *File) { f(x) })
}

func parallel2(files []*File, f func(int, *File)) {
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, x := range files {
		g.Go(func() error {
			defer func() { _ = recover() }() // a broken file must not stop the model
			f(i, x)
			return nil
		})
	}
	_ = g.Wait()
}

// collect finds the file's functions, classes and module-level names.
func (f *File) collect() {
	root := f.Unit.Tree.Root()
	mod := f.Unit.Module
	for _, st := range moduleStatements(root) {
		def := st
		if def.Type() == "decorated_definition" {
			def = def.ChildByField("definition")
		}
		switch def.Type() {
		case "function_definition":
			fn := f.addFunc(def, nil, join(mod, pyast.DefName(def)))
			f.topFuncs[fn.Name] = fn
		case "class_definition":
			c := f.addClass(def, join(mod, pyast.DefName(def)))
			f.topClasses[c.Name] = c
		case "expression_statement":
			if a := def.NamedChild(0); a.Type() == "assignment" {
				if l := a.ChildByField("left"); l.Type() == "identifier" {
					f.globals[l.Text()] = append(f.globals[l.Text()], a.ChildByField("right"))
				}
			}
		}
	}
	// Nested functions: addressable only from their enclosing scope.
	for def := range pyast.FindEach(root, "function_definition") {
		if _, ok := f.byDef[def.ID()]; ok {
			continue
		}
		fn := f.addFunc(def, nil, "")
		if outer := pyast.Ancestor(def, "function_definition", "class_definition"); outer.Type() == "function_definition" {
			if f.nested == nil {
				f.nested = map[int32]map[string]*Func{}
			}
			if f.nested[outer.ID()] == nil {
				f.nested[outer.ID()] = map[string]*Func{}
			}
			f.nested[outer.ID()][fn.Name] = fn
		}
	}
}

func join(mod, name string) string {
	if mod == "" {
		return name
	}
	return mod + "." + name
}

func (f *File) addFunc(def pyast.Node, cls *Class, qual string) *Func {
	fn := &Func{Name: pyast.DefName(def), Qual: qual, File: f, Node: def, Class: cls, Params: pyast.ParamNames(def)}
	for _, d := range pyast.Decorators(def) {
		switch name := pyast.Dotted(decoratorCallee(d)); {
		case name == "staticmethod":
			fn.Static = true
		case name == "classmethod":
			fn.ClassMethod = true
		case name == "property" || strings.HasSuffix(name, "cached_property"):
			fn.Property = true
		}
	}
	f.byDef[def.ID()] = fn
	f.Funcs = append(f.Funcs, fn)
	return fn
}

// propertyAccessor reports a method decorated `@name.setter` or
// `@name.deleter`: not what reading the property runs.
func propertyAccessor(def pyast.Node, name string) bool {
	for _, d := range pyast.Decorators(def) {
		if n := pyast.Dotted(decoratorCallee(d)); n == name+".setter" || n == name+".deleter" {
			return true
		}
	}
	return false
}

// decoratorCallee returns the decorator's callee (`x` of `@x(...)`).
func decoratorCallee(d pyast.Node) pyast.Node {
	if d.Type() == "decorator" {
		d = d.NamedChild(0)
	}
	if c, ok := pyast.AsCall(d); ok {
		return c.Func
	}
	return d
}

func (f *File) addClass(def pyast.Node, qual string) *Class {
	c := &Class{Name: pyast.DefName(def), Qual: qual, File: f, Node: def, Methods: map[string]*Func{},
		Attrs: map[string]pyast.Node{}, SelfAttrs: map[string][]pyast.Node{}}
	if f.M.Graph != nil {
		c.Facts = f.M.Graph.LookupClassQual(qual)
	}
	f.byClass[def.ID()] = c
	f.Classes = append(f.Classes, c)
	for st := range pyast.EachStatement(pyast.Body(def)) {
		d := st
		if d.Type() == "decorated_definition" {
			d = d.ChildByField("definition")
		}
		switch d.Type() {
		case "function_definition":
			fn := f.addFunc(d, c, qual+"."+pyast.DefName(d))
			if c.Methods[fn.Name] == nil || !propertyAccessor(d, fn.Name) {
				// `@x.setter` keeps the getter as what reading x runs.
				c.Methods[fn.Name] = fn
			}
			for a := range pyast.FindEach(d, "assignment") {
				l := a.ChildByField("left")
				if l.Type() == "attribute" && pyast.Dotted(l.ChildByField("object")) == "self" {
					name := l.ChildByField("attribute").Text()
					c.SelfAttrs[name] = append(c.SelfAttrs[name], a.ChildByField("right"))
				}
			}
		case "expression_statement":
			if a := d.NamedChild(0); a.Type() == "assignment" {
				if l := a.ChildByField("left"); l.Type() == "identifier" {
					c.Attrs[l.Text()] = a.ChildByField("right")
					rewrapMethod(c, l.Text(), a.ChildByField("right"))
					propertyOf(c, l.Text(), a.ChildByField("right"))
				}
			}
		}
	}
	return c
}

// rewrapMethod reads the decorator written as an assignment after the
// method (`name = staticmethod(name)`, `name = classmethod(name)`, the
// spelling before decorators, still used with another decorator on the
// def): the method is static or a class method from then on.
func rewrapMethod(c *Class, name string, rhs pyast.Node) {
	call, ok := pyast.AsCall(pyast.Unparen(rhs))
	if !ok || call.Func.Type() != "identifier" || len(call.Positional) != 1 || len(call.Keywords) != 0 {
		return
	}
	arg := pyast.Unparen(call.Positional[0])
	fn := c.Methods[name]
	if fn == nil || arg.Type() != "identifier" || arg.Text() != name {
		return
	}
	switch call.Func.Text() {
	case "staticmethod":
		fn.Static, fn.ClassMethod = true, false
	case "classmethod":
		fn.ClassMethod, fn.Static = true, false
	}
}

// propertyOf reads a property built with the call rather than the
// decorator (`completed_percent = property(_get_completed_percent)`, the
// getter a method defined above it): reading the attribute runs the
// getter. The getter stays a method under its own name.
func propertyOf(c *Class, name string, rhs pyast.Node) {
	call, ok := pyast.AsCall(pyast.Unparen(rhs))
	if !ok || call.Func.Type() != "identifier" || call.Func.Text() != "property" || len(call.Positional) == 0 {
		return
	}
	arg := pyast.Unparen(call.Positional[0])
	if arg.Type() != "identifier" || arg.Text() == name {
		return
	}
	getter := c.Methods[arg.Text()]
	if getter == nil || getter.Static || getter.ClassMethod || len(getter.Params) != 1 {
		return
	}
	fn := &Func{Name: name, Qual: getter.Qual, File: getter.File, Node: getter.Node, Class: c, Params: getter.Params, Property: true}
	getter.File.Funcs = append(getter.File.Funcs, fn)
	c.Methods[name] = fn
}

// FuncOf returns the function a function_definition node defines.
func (f *File) FuncOf(def pyast.Node) *Func {
	if def.Type() == "decorated_definition" {
		def = def.ChildByField("definition")
	}
	return f.byDef[def.ID()]
}

// ClassOfDef returns the class a class_definition node defines.
func (f *File) ClassOfDef(def pyast.Node) *Class { return f.byClass[def.ID()] }

// EnclosingFunc returns the function whose body holds n, or nil.
func (f *File) EnclosingFunc(n pyast.Node) *Func {
	def := pyast.Ancestor(n, "function_definition")
	if def.IsNil() {
		return nil
	}
	return f.byDef[def.ID()]
}

// LookupFunc finds a function by qualified name, also as a suffix of a
// module name (the analysed root may sit above the import root) when that
// is unambiguous.
func (m *Model) LookupFunc(q string) *Func {
	return m.lookupFunc(q, 0)
}

// maxReexports bounds how many package re-exports LookupFunc follows.
const maxReexports = 3

func (m *Model) lookupFunc(q string, depth int) *Func {
	if fn := m.funcs[q]; fn != nil {
		return fn
	}
	name := q[strings.LastIndex(q, ".")+1:]
	var found *Func
	for _, fn := range m.byName[name] {
		if dottedSuffix(fn.Qual, q) {
			if found != nil {
				return nil
			}
			found = fn
		}
	}
	if found == nil && depth < maxReexports {
		if r := m.reexported(q); r != "" {
			return m.lookupFunc(r, depth+1)
		}
	}
	return found
}

// reexported rewrites a name that goes through a module re-exporting it
// (`wallets.utils.pay` with `from .bank import pay` in
// wallets/utils/__init__.py, `wallets.services.WalletService.deposit` with
// `from wallets.services.wallet import WalletService` in the package):
// the longest module prefix of q whose next part that module imports,
// replaced by what it imports. "" when no module of the project does.
func (m *Model) reexported(q string) string {
	if m.Index == nil {
		return ""
	}
	for i := strings.LastIndex(q, "."); i > 0; i = strings.LastIndex(q[:i], ".") {
		u := m.Index.ByModule[q[:i]]
		if u == nil || u.Imports == nil {
			continue
		}
		head, rest, _ := strings.Cut(q[i+1:], ".")
		r, ok := u.Imports.Lookup(head)
		if !ok {
			return ""
		}
		r = absoluteName(u, r)
		if rest != "" {
			r += "." + rest
		}
		if r == q {
			return ""
		}
		return r
	}
	return ""
}

// LookupClass finds a class by qualified name (suffix matches as
// LookupFunc).
func (m *Model) LookupClass(q string) *Class {
	if c := m.classes[q]; c != nil {
		return c
	}
	name := q[strings.LastIndex(q, ".")+1:]
	var found *Class
	for _, c := range m.cbyName[name] {
		if dottedSuffix(c.Qual, q) {
			if found != nil {
				return nil
			}
			found = c
		}
	}
	if found == nil && len(m.cbyName[name]) == 1 && !strings.HasPrefix(q, "django.") && !strings.HasPrefix(q, "rest_framework.") &&
		(!strings.Contains(q, ".") || strings.HasPrefix(q, ".") || m.Graph == nil || m.Graph.PackageInTree(q)) {
		// A name no import explains (a star import, a re-export): the one
		// class of the project with that name, as the model graph does,
		// unless its package is no part of the tree (`from
		// certego_saas.apps.user.serializers import UserSerializer` is not
		// the project's own UserSerializer).
		found = m.cbyName[name][0]
	}
	return found
}

// dottedSuffix reports whether q is full or a suffix of full made of
// whole dotted parts ("b.C" of "a.b.C", not "b.C" of "ab.C"), as
// strings.HasSuffix("."+full, "."+q) without building the strings.
func dottedSuffix(full, q string) bool {
	if !strings.HasSuffix(full, q) {
		return false
	}
	return len(full) == len(q) || full[len(full)-len(q)-1] == '.'
}

// ClassOfModel returns the class defining a model of the graph.
func (m *Model) ClassOfModel(md *project.Model) *Class {
	if md == nil || md.External {
		return nil
	}
	return m.classes[md.Qual]
}

// DerivesFrom reports whether c, or a project class it derives from, names
// one of the qualified classes among its bases
// (`django.contrib.sitemaps.Sitemap`): a library class rubric does not
// read, reached through the project's own.
func (c *Class) DerivesFrom(qualified ...string) bool {
	for _, cc := range append([]*Class{c}, c.Bases()...) {
		for _, b := range cc.BaseNames() {
			if slices.Contains(qualified, b) {
				return true
			}
		}
	}
	return false
}

// Bases returns the project classes c derives from, nearest first.
func (c *Class) Bases() []*Class {
	if !c.File.M.classesKnown {
		return c.computeBases()
	}
	c.basesOnce.Do(func() { c.bases = c.computeBases() })
	return c.bases
}

func (c *Class) computeBases() []*Class {
	var out []*Class
	seen := map[*Class]bool{c: true}
	queue := []*Class{c}
	for len(queue) > 0 && len(out) < 20 {
		cur := queue[0]
		queue = queue[1:]
		for b := range cur.Node.ChildByField("superclasses").Named() {
			if b.Type() == "keyword_argument" {
				continue
			}
			d := pyast.Dotted(BaseExpr(b))
			if d == "" {
				continue
			}
			bc := cur.File.topClasses[d]
			if bc == nil {
				bc = cur.File.M.LookupClass(cur.File.Unit.Qualify(d))
			}
			if bc == nil {
				bc = cur.File.aliasedClass(d)
			}
			if bc != nil && !seen[bc] {
				seen[bc] = true
				out = append(out, bc)
				queue = append(queue, bc)
			}
		}
	}
	return out
}

// aliasedClass resolves a base named through a module-level alias of a
// class (`CoreViewSetV3 = CoreViewSetV1`, in f or in the module f imports
// the name from): the class the alias's one assignment names. nil when the
// name is assigned more than once or to anything else.
func (f *File) aliasedClass(d string) *Class {
	at, name := f, d
	if i := strings.LastIndex(d, "."); i >= 0 || f.globals[d] == nil {
		q := f.Unit.Qualify(d)
		j := strings.LastIndex(q, ".")
		if j < 0 || f.M.Index == nil {
			return nil
		}
		at = f.M.File(f.M.Index.ByModule[q[:j]])
		name = q[j+1:]
	}
	if at == nil {
		return nil
	}
	vs := at.globals[name]
	if len(vs) != 1 || vs[0].Type() != "identifier" || vs[0].Text() == name {
		return nil
	}
	return at.topClasses[vs[0].Text()]
}

// BaseNames returns the qualified names of c's direct bases as written.
// The slice is shared: callers must not modify it.
func (c *Class) BaseNames() []string {
	c.baseNamesOnce.Do(func() { c.baseNames = slices.Clip(c.computeBaseNames()) })
	return c.baseNames
}

func (c *Class) computeBaseNames() []string {
	var out []string
	for b := range c.Node.ChildByField("superclasses").Named() {
		if b.Type() == "keyword_argument" {
			continue
		}
		if d := pyast.Dotted(BaseExpr(b)); d != "" {
			out = append(out, c.File.Unit.Qualify(d))
		}
	}
	return out
}

// Method finds a method in c or its project bases.
func (c *Class) Method(name string) *Func {
	if fn := c.Methods[name]; fn != nil {
		return fn
	}
	for _, b := range c.Bases() {
		if fn := b.Methods[name]; fn != nil {
			return fn
		}
	}
	return c.borrowedMethod(name)
}

// borrowedMethod reads a method a class borrows from another project
// class by a class attribute (`get_filtered_queryset =
// RegionRestrictedAdmin.get_filtered_queryset`): the function, which
// Python binds to the borrowing class's instances as its own method. A
// classmethod borrowed this way stays bound to its class: not read.
func (c *Class) borrowedMethod(name string) *Func {
	v, decl := c.Attr(name)
	v = pyast.Unparen(v)
	if v.Type() == "identifier" && decl != nil && v.Text() != name {
		return decl.aliasedMethod(v.Text())
	}
	if v.Type() != "attribute" || decl == nil || decl.File == nil || decl.File.M == nil {
		return nil
	}
	owner := decl.File.M.LookupClass(decl.File.Unit.Qualify(pyast.Dotted(v.ChildByField("object"))))
	if owner == nil || owner == c || owner == decl {
		return nil
	}
	attr := v.ChildByField("attribute").Text()
	fn := owner.Methods[attr]
	for _, b := range owner.Bases() {
		if fn != nil {
			break
		}
		fn = b.Methods[attr]
	}
	if fn == nil || fn.ClassMethod {
		return nil
	}
	return fn
}

// aliasedMethod reads a method the class body names again under another
// name (`url = public_url`, written below the def, the backwards
// compatible spelling of a renamed method): the same function, bound the
// same way. The name must be a method of the declaring class or its
// bases, not another alias (no chains followed).
func (c *Class) aliasedMethod(target string) *Func {
	fn := c.Methods[target]
	for _, b := range c.Bases() {
		if fn != nil {
			break
		}
		fn = b.Methods[target]
	}
	if fn == nil || fn.ClassMethod || fn.Static {
		return nil
	}
	return fn
}

// Attr finds a class attribute in c or its project bases, with the class
// that declares it.
func (c *Class) Attr(name string) (pyast.Node, *Class) {
	if v, ok := c.Attrs[name]; ok {
		return v, c
	}
	for _, b := range c.Bases() {
		if v, ok := b.Attrs[name]; ok {
			return v, b
		}
	}
	return pyast.Node{}, nil
}

// moduleStatements returns the statements that run at module level,
// those under module-level if/else and try blocks included (django-oscar
// defines its concrete models under `if not is_model_registered(...)`).
func moduleStatements(root pyast.Node) []pyast.Node {
	var out []pyast.Node
	var walk func(block pyast.Node, depth int)
	walk = func(block pyast.Node, depth int) {
		for st := range pyast.EachStatement(block) {
			switch st.Type() {
			case "if_statement", "try_statement":
				if depth > 4 {
					continue
				}
				for k := range st.Named() {
					switch k.Type() {
					case "block":
						walk(k, depth+1)
					case "elif_clause", "else_clause", "except_clause", "finally_clause":
						if b := pyast.Body(k); !b.IsNil() {
							walk(b, depth+1)
						} else {
							for kk := range k.Named() {
								if kk.Type() == "block" {
									walk(kk, depth+1)
								}
							}
						}
					}
				}
			default:
				out = append(out, st)
			}
		}
	}
	walk(root, 0)
	return out
}

// passThroughParam returns the index of the parameter every return
// statement of fn hands back unchanged but for filtering, ordering or
// slicing (`return qs`, `return queryset.filter(owner=user)`), or -1.
func passThroughParam(fn *Func, g *project.Models) (int, bool, bool) {
	idx, opaque, ordered, returns := -1, false, true, 0
	for r := range pyast.FindEachShallow(fn.Node, "return_statement") {
		e := pyast.Unparen(r.NamedChild(0))
		returns++
		orders, seen := false, false
		for {
			if e.Type() == "subscript" {
				e = pyast.Unparen(e.ChildByField("value"))
				continue
			}
			c, ok := pyast.AsCall(e)
			if !ok || c.Func.Type() != "attribute" {
				break
			}
			switch method := c.MethodName(); {
			case method == "filter" || method == "exclude" || method == "order_by" || method == "distinct" ||
				method == "all" || method == "none" || method == "reverse" || method == "using":
				if method == "order_by" && !seen {
					// The outermost order_by wins; an empty one clears.
					seen, orders = true, len(c.Positional) > 0 || c.StarArgs
				}
				e = pyast.Unparen(c.Receiver())
				continue
			case customQSMethod(method) && g.IsQuerySetMethod(method):
				// A project queryset method (`.active()`, `.api(user)`):
				// mostly a filter, but what it loads is not seen.
				opaque = true
				e = pyast.Unparen(c.Receiver())
				continue
			}
			return -1, false, false
		}
		if e.Type() != "identifier" {
			return -1, false, false
		}
		if rebound(pyast.Body(fn.Node), e.Text(), pyast.Node{}) {
			// `queryset = queryset.prefetch_related(...)`: the helper
			// returns more than it was given (see extendedArg).
			return -1, false, false
		}
		i := indexOf(fn.Params, e.Text())
		if i < 0 || idx >= 0 && i != idx {
			return -1, false, false
		}
		idx = i
		ordered = ordered && orders
	}
	return idx, opaque, idx >= 0 && returns > 0 && ordered
}
