package effects

import (
	"slices"
	"strings"

	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// IsAtomic, AtomicScope, WithIsAtomic and HasAtomicDecorator recognise
// transactions; they live in analyzer/project, whose phase one builds the
// project's atomic call graph with them.
var (
	IsAtomic           = project.IsAtomic
	AtomicScope        = project.AtomicScope
	WithIsAtomic       = project.WithIsAtomic
	HasAtomicDecorator = project.HasAtomicDecorator
)

// IsOnCommit reports whether call is transaction.on_commit(...).
func IsOnCommit(im *pyast.Imports, call pyast.Node) bool {
	c, ok := pyast.AsCall(call)
	return ok && im.Is(c.Func, "django.db.transaction.on_commit")
}

// UsesAtomic reports whether the function body enters a transaction
// anywhere (decorator or with block), nested functions excluded.
func UsesAtomic(im *pyast.Imports, fn pyast.Node) bool {
	if HasAtomicDecorator(im, fn) {
		return true
	}
	for w := range pyast.FindEachShallow(pyast.Body(fn), "with_statement") {
		if WithIsAtomic(im, w) {
			return true
		}
	}
	return false
}

// InOnCommit reports whether n is an argument (at any depth, lambdas
// included) of a transaction.on_commit(...) call in its function.
func InOnCommit(im *pyast.Imports, n pyast.Node) bool {
	for p := n.Parent(); !p.IsNil(); p = p.Parent() {
		switch p.Type() {
		case "call":
			if IsOnCommit(im, p) {
				return true
			}
		case "function_definition", "class_definition":
			return false
		}
	}
	return false
}

// Functions returns every function definition in the tree, in source order.
func Functions(root pyast.Node) []pyast.Node { return pyast.FindAll(root, "function_definition") }

// Effects classifies every call that runs when fn's body runs (nested
// functions, lambdas and classes excluded), in source order.
// The result is computed once per function and shared: do not modify it
// (appending copies it, its capacity being its length).
func (f *File) Effects(fn pyast.Node) []Effect {
	f.mu.Lock()
	defer f.mu.Unlock()
	if out, ok := f.byFn[fn]; ok {
		return out
	}
	var out []Effect
	for c := range pyast.FindEachShallow(pyast.Body(fn), "call") {
		if e := f.Classify(c); e.Kind != None {
			out = append(out, e)
		}
	}
	out = slices.Clip(out)
	if f.byFn == nil {
		f.byFn = map[pyast.Node][]Effect{}
	}
	f.byFn[fn] = out
	return out
}

// IsSettingsModule reports whether a path is a Django settings module (see
// project.IsSettingsPath).
func IsSettingsModule(rel string) bool { return project.IsSettingsPath(rel) }

// FirstParam returns the name of a function's first parameter other than
// self/cls, or "".
func FirstParam(fn pyast.Node) string {
	for _, p := range pyast.ParamNames(fn) {
		if p != "self" && p != "cls" {
			return p
		}
	}
	return ""
}

// AtomicRequests reports whether a settings module of the project turns on
// ATOMIC_REQUESTS (see project.Settings.AtomicRequests).
func AtomicRequests(ix *project.Index) bool {
	return ix != nil && ix.Settings.AtomicRequests()
}

// InRequestTransaction reports whether fn is a view (first parameter
// `request`) running under ATOMIC_REQUESTS and not opted out with
// @transaction.non_atomic_requests.
func InRequestTransaction(ix *project.Index, im *pyast.Imports, fn pyast.Node) bool {
	if FirstParam(fn) != "request" || !AtomicRequests(ix) {
		return false
	}
	for _, d := range pyast.Decorators(fn) {
		if c, ok := pyast.AsCall(d); ok {
			d = c.Func
		}
		if im.Is(d, "django.db.transaction.non_atomic_requests") {
			return false
		}
	}
	return true
}

// ScopeAnchor returns the node to point at for an atomic scope found by
// AtomicScope: the with clause, or the @atomic decorator.
func ScopeAnchor(im *pyast.Imports, scope pyast.Node) pyast.Node {
	if scope.Type() == "with_statement" {
		for c := range scope.Named() {
			if c.Type() == "with_clause" {
				return c
			}
		}
		return scope
	}
	for _, d := range pyast.Decorators(scope) {
		if IsAtomic(im, d) {
			return d
		}
	}
	return scope.ChildByField("name")
}

// InLoop reports whether n sits in a for/while loop of its own function.
func InLoop(n pyast.Node) bool {
	for p := n.Parent(); !p.IsNil(); p = p.Parent() {
		switch p.Type() {
		case "for_statement", "while_statement":
			return true
		case "function_definition", "lambda", "class_definition":
			return false
		}
	}
	return false
}

// LocalModels maps the names a function binds to model instances it can
// name: `a = Account(...)`, `a = Account.objects.get(...)`,
// `a, created = Account.objects.get_or_create(...)`.
func LocalModels(fn pyast.Node, library func(callee pyast.Node) bool) map[string]string {
	out := map[string]string{}
	for as := range pyast.FindEachShallow(pyast.Body(fn), "assignment") {
		c, ok := pyast.AsCall(pyast.Unparen(as.ChildByField("right")))
		if !ok || library != nil && library(c.Func) {
			continue
		}
		model := ""
		if d := pyast.Dotted(c.Func); d != "" {
			last := d[strings.LastIndex(d, ".")+1:]
			if isClassName(last) && !strings.HasSuffix(last, "Form") && !strings.HasSuffix(last, "Serializer") && !strings.HasSuffix(last, "FormSet") {
				model = last
			}
		}
		if model == "" && !c.Receiver().IsNil() {
			switch c.MethodName() {
			case "get", "create", "get_or_create", "update_or_create", "first", "last", "latest", "earliest":
				model, _ = managerModel(c.Receiver())
			}
		}
		if model == "" {
			continue
		}
		left := as.ChildByField("left")
		if left.Type() == "pattern_list" || left.Type() == "tuple_pattern" {
			left = left.NamedChild(0)
		}
		if left.Type() == "identifier" {
			out[left.Text()] = model
		}
	}
	return out
}

// LibraryClass reports a callee that the unit's imports resolve to a class
// of a package outside the project and outside Django, from a module that
// is not a models module (`canvas.Canvas` of reportlab, openpyxl's
// `Workbook`): its instances' save() writes a file or a document, not a
// row.
func LibraryClass(ix *project.Index, u *project.Unit, callee pyast.Node) bool {
	if ix == nil || u == nil || u.Imports == nil {
		return false
	}
	q, ok := u.Imports.Resolve(callee)
	if !ok || !strings.Contains(q, ".") {
		return false
	}
	top, _, _ := strings.Cut(q, ".")
	if top == "django" || top == "" {
		return false
	}
	for _, seg := range strings.Split(q, ".") {
		if seg == "models" {
			return false
		}
	}
	return !ProjectPackages.Get(ix)[top]
}

// ProjectPackages are the top-level package names of the project's
// modules ("shop" for shop/views.py).
var ProjectPackages = &project.ProjectAnalysis[map[string]bool]{Name: "effects.projectPackages", Run: func(ix *project.Index) map[string]bool {
	out := map[string]bool{}
	for _, u := range ix.Units {
		top, _, _ := strings.Cut(u.Module, ".")
		out[top] = true
	}
	return out
}}

// isClassName reports whether s looks like a class name: CapWords, not an
// ALL_CAPS constant.
func isClassName(s string) bool {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	return strings.ToUpper(s) != s
}

// WriteModel returns the model a DBWrite effect writes, using the
// function's local bindings (LocalModels) for instance saves, or "" when
// unknown. A name that is not a model class is unknown: `model` in
// `for model in MODELS: model.objects.create(...)` is a variable bound to
// one of several models (see IsModelName).
func WriteModel(ix *project.Index, u *project.Unit, e Effect, locals map[string]string) string {
	m := e.Model
	if m == "" && (e.Verb == "save" || e.Verb == "delete") {
		m = locals[pyast.Dotted(e.Call.Receiver())]
	}
	if m == "" || !IsModelName(ix, u, m) {
		return ""
	}
	return m
}

// IsModelName reports whether a name a write uses for its model names a
// class: CapWords (not an ALL_CAPS constant), or a model of the project
// graph as the unit's imports resolve it (a lower-case model class).
func IsModelName(ix *project.Index, u *project.Unit, name string) bool {
	if isClassName(name) {
		return true
	}
	return ix != nil && u != nil && ix.Models.Lookup(u, name) != nil
}

// EnclosingFunction is pyast.EnclosingFunction that also looks through
// lambdas and nested classes to the nearest def.
func EnclosingFunction(n pyast.Node) pyast.Node { return pyast.Ancestor(n, "function_definition") }

// CalledInAtomic returns the names of functions and methods that some call
// in the file invokes from inside an atomic block or @atomic function,
// directly or through other functions of the file (see
// project.ExtractAtomicCalls): their bodies run in the caller's transaction.
func CalledInAtomic(im *pyast.Imports, root pyast.Node) map[string]bool {
	return project.CalledInAtomic(project.ExtractAtomicCalls(im, root))
}

// RunsInCallersTransaction reports whether fn's body shows or is known to
// run inside a caller's transaction: a call of its name sits in an atomic
// block in this file or elsewhere in the project (Index.CalledInAtomic,
// built in phase one), or it registers
// transaction.on_commit callbacks itself (which only makes sense inside a
// transaction).
func RunsInCallersTransaction(ix *project.Index, im *pyast.Imports, fn pyast.Node, local map[string]bool) bool {
	name := pyast.DefName(fn)
	if local[name] || ix != nil && ix.CalledInAtomic[name] {
		return true
	}
	for c := range pyast.FindEachShallow(pyast.Body(fn), "call") {
		if IsOnCommit(im, c) {
			return true
		}
	}
	return false
}

// IsEntryPoint reports whether fn is called by a framework at the top of a
// unit of work, where Django runs in autocommit unless told otherwise: a
// view (a `request` parameter first), a DRF perform_* hook, a Celery task,
// a management command's handle().
func IsEntryPoint(im *pyast.Imports, fn pyast.Node) bool {
	params := pyast.ParamNames(fn)
	for i, p := range params {
		if i > 1 {
			break
		}
		if p == "request" {
			return true
		}
	}
	name := pyast.DefName(fn)
	if strings.HasPrefix(name, "perform_") || name == "handle" && len(params) > 0 && params[0] == "self" {
		return true
	}
	return IsCeleryTask(im, fn)
}

// IsCeleryTask reports whether fn's body runs as a Celery task: a
// decorated task function or a celery.Task subclass's run (see TaskOf).
func IsCeleryTask(im *pyast.Imports, fn pyast.Node) bool {
	_, ok := TaskOf(im, fn)
	return ok
}

// CeleryTaskDecorator returns the task decorator expression of a decorated
// task function (a call when it has options); a Task subclass's run has
// none.
func CeleryTaskDecorator(im *pyast.Imports, fn pyast.Node) (pyast.Node, bool) {
	t, ok := TaskOf(im, fn)
	if !ok || t.Class {
		return pyast.Node{}, false
	}
	return t.Decorator, true
}

// Exclusive reports whether a and b can never both run in one call of
// their function: they sit in different branches of one if/elif/else or
// match statement, or a is in a branch (an except clause included) that
// always ends with return/raise (continue/break included) before b, which
// comes after that branch.
func Exclusive(a, b pyast.Node) bool {
	if b.StartByte() < a.StartByte() {
		a, b = b, a
	}
	// Lowest common ancestor, and the children of it holding a and b.
	var lca pyast.Node
	for p := b.Parent(); !p.IsNil(); p = p.Parent() {
		if p.Contains(a) {
			lca = p
			break
		}
	}
	if lca.IsNil() {
		return false
	}
	ca, cb := childToward(lca, a), childToward(lca, b)
	if lca.Type() == "if_statement" || lca.Type() == "match_block" {
		if !ca.Equal(cb) && ca.Field() != "condition" && cb.Field() != "condition" {
			return true
		}
	}
	// a's branch ends the function (or loop iteration) before b runs.
	for p := a.Parent(); !p.IsNil() && !p.Equal(lca); p = p.Parent() {
		if p.Type() == "block" && endsFlow(p) {
			if br := p.Parent(); br.Type() == "if_statement" || br.Type() == "elif_clause" || br.Type() == "else_clause" || br.Type() == "case_clause" {
				return true
			}
			// An except clause that returns: what follows its try
			// statement runs only when it did not (a finally runs
			// either way).
			if br := p.Parent(); br.Type() == "except_clause" && cb.Type() != "finally_clause" {
				return true
			}
		}
	}
	return false
}

// childToward returns the child of anc that contains n.
func childToward(anc, n pyast.Node) pyast.Node {
	for p := n; !p.IsNil(); p = p.Parent() {
		if pp := p.Parent(); pp.Equal(anc) {
			return p
		}
	}
	return pyast.Node{}
}

// endsFlow reports whether a block's last statement is return, raise,
// continue or break.
func endsFlow(block pyast.Node) bool {
	st := pyast.Statements(block)
	if len(st) == 0 {
		return false
	}
	switch st[len(st)-1].Type() {
	case "return_statement", "raise_statement", "continue_statement", "break_statement":
		return true
	}
	return false
}
