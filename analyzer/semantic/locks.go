package semantic

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// Lock is what is known of the row lock held on a model instance.
type Lock uint8

// Lock states.
const (
	// LockUnknown: rubric cannot tell (a helper's return, a custom manager
	// method, a parameter some caller passes from elsewhere).
	LockUnknown Lock = iota
	// Locked: loaded by a chain with select_for_update(), or passed so by
	// a caller.
	Locked
	// Unlocked: fetched without select_for_update() (get, first, ...,
	// get_object_or_404, a foreign key of such a row), here or, for a
	// parameter, at every project call site.
	Unlocked
)

// maxLockDepth bounds how many callers deep a parameter is followed.
const maxLockDepth = 4

// RowLock says whether the row an expression names was loaded under
// select_for_update(): from the expression that bound it in its function
// or, for a parameter, from the argument every project call site passes
// (Unlocked only when every caller passes an unlocked row and no caller
// locks rows of that model itself before the call).
func (f *File) RowLock(n pyast.Node) Lock {
	return f.rowLock(n, 0)
}

func (f *File) rowLock(n pyast.Node, depth int) Lock {
	n = pyast.Unparen(n)
	if n.IsNil() || depth > maxLockDepth {
		return LockUnknown
	}
	switch n.Type() {
	case "identifier":
		name := n.Text()
		if name == "self" || name == "cls" {
			return LockUnknown
		}
		if rhs := f.Binding(n, name, n.StartByte()); !rhs.IsNil() {
			// `a = b = M.objects.select_for_update().get(...)`: the value
			// of the chained assignment is its innermost right side.
			for rhs.Type() == "assignment" && !rhs.ChildByField("right").IsNil() {
				rhs = rhs.ChildByField("right")
			}
			l := f.rowLock(rhs, depth)
			// `row = fetch(); if row is None: row = create(...)`: the
			// fallback makes a new row when none was found; the row that
			// can race is the one fetched.
			if st := absentFallback(rhs, name, n); l != Locked && !st.IsNil() {
				if prev := f.Binding(n, name, st.StartByte()); !prev.IsNil() {
					return f.rowLock(prev, depth)
				}
			}
			return l
		}
		if fn, idx := f.paramOf(n, name); fn != nil {
			return f.M.paramLock(fn, idx, depth)
		}
	case "call":
		if l := f.fetchLock(n); l != LockUnknown {
			return l
		}
		return f.helperLock(n, depth)
	case "subscript":
		// An element of a container of locked rows (`wallets[0]`,
		// `by_user[user.id]` of a dict built from a locked queryset).
		if f.rowLock(n.ChildByField("value"), depth+1) == Locked {
			return Locked
		}
	case "dictionary_comprehension", "list_comprehension", "set_comprehension", "generator_expression":
		// `{w.user_id: w for w in locked_rows}`: its elements are the
		// iterable's rows.
		if iter := comprehendedRows(n); !iter.IsNil() && f.rowLock(iter, depth+1) == Locked {
			return Locked
		}
	case "attribute":
		// A foreign key read from an unlocked row is fetched lazily,
		// without a lock. One read from a locked row may have been joined
		// under the lock (select_related): unknown.
		md, _ := f.Instance(n.ChildByField("object"))
		if a := md.Attr(n.ChildByField("attribute").Text()); a.Kind == project.AttrForward || a.Kind == project.AttrReverseOne {
			if f.rowLock(n.ChildByField("object"), depth) == Unlocked {
				return Unlocked
			}
		}
	}
	return LockUnknown
}

// comprehendedRows is the iterable a comprehension takes its elements
// from unchanged (`[w for w in rows]`, `{w.pk: w for w in rows}`), or a nil
// node when the element is anything else or there are several `for`s.
func comprehendedRows(n pyast.Node) pyast.Node {
	var clause pyast.Node
	for i := range n.NamedChildCount() {
		if c := n.NamedChild(i); c.Type() == "for_in_clause" {
			if !clause.IsNil() {
				return pyast.Node{}
			}
			clause = c
		}
	}
	if clause.IsNil() {
		return pyast.Node{}
	}
	elem := n.ChildByField("body")
	if elem.Type() == "pair" {
		elem = elem.ChildByField("value")
	}
	left := clause.ChildByField("left")
	if elem.Type() != "identifier" || left.Type() != "identifier" || elem.Text() != left.Text() {
		return pyast.Node{}
	}
	return clause.ChildByField("right")
}

// fetchMethods load one row.
var fetchMethods = map[string]bool{"get": true, "first": true, "last": true, "latest": true, "earliest": true,
	"get_object_or_404": true}

// fetchLock judges a call that loads one row.
func (f *File) fetchLock(n pyast.Node) Lock {
	c, ok := pyast.AsCall(n)
	if !ok {
		return LockUnknown
	}
	if chainCalls(n, "select_for_update") || fetchMethods[c.MethodName()] && f.lockedQueryset(c.Receiver(), 0) {
		return Locked
	}
	if c.MethodName() == "get_object" {
		return f.getObjectLock(n, c)
	}
	if !fetchMethods[c.MethodName()] {
		return LockUnknown
	}
	md, loop := f.Instance(n)
	if md == nil || loop != nil {
		return LockUnknown
	}
	// A custom manager or queryset method in the chain may lock.
	if c.MethodName() != "get_object_or_404" {
		if q := f.Eval(c.Receiver()); q == nil || q.Custom || q.Opaque {
			return LockUnknown
		}
	}
	return Unlocked
}

// lockedQueryset reports a chain whose root is a local name bound, before
// it, to a queryset chain that calls select_for_update() (`wallets =
// Wallet.objects.select_for_update().filter(...)`, then `wallets.get(pk=a)`):
// rows fetched from it are loaded under the lock. Followed through a few
// rebindings (`qs = locked; qs = qs.filter(...)`).
func (f *File) lockedQueryset(n pyast.Node, depth int) bool {
	if depth > 3 {
		return false
	}
	for {
		n = pyast.Unparen(n)
		switch n.Type() {
		case "call":
			n = n.ChildByField("function")
			continue
		case "attribute":
			n = n.ChildByField("object")
			continue
		}
		break
	}
	if n.Type() != "identifier" || n.Text() == "self" || n.Text() == "cls" {
		return false
	}
	rhs := pyast.Unparen(f.Binding(n, n.Text(), n.StartByte()))
	if rhs.IsNil() || rhs.Type() != "call" && rhs.Type() != "attribute" {
		return false
	}
	return chainCalls(rhs, "select_for_update") || f.lockedQueryset(rhs, depth+1)
}

// getObjectLock judges `self.get_object()` in a view whose project classes
// do not define get_object: DRF's (and Django's SingleObjectMixin's)
// fetches the row from the view's queryset, get_queryset() or the
// queryset attribute, so it is locked only when that chain calls
// select_for_update(). A queryset rubric cannot read (a custom manager
// method, a library base) leaves it unknown.
func (f *File) getObjectLock(n pyast.Node, c pyast.Call) Lock {
	if !IsSelfOrSuper(c.Receiver()) {
		return LockUnknown
	}
	cls := ClassOf(n)
	if cls.IsNil() || f.ownGetObject(cls, c.Receiver()) {
		return LockUnknown
	}
	view := f.byClass[cls.ID()]
	if view == nil {
		return LockUnknown
	}
	q := f.viewQuerysetIn(cls, ctx{})
	if q == nil || q.Model == nil || q.Opaque || q.Custom {
		return LockUnknown
	}
	for _, cc := range mro(view) {
		if fn := cc.Methods["get_queryset"]; fn != nil {
			if chainCalls(fn.Node, "select_for_update") {
				return Locked
			}
			return Unlocked
		}
	}
	if v, _ := view.Attr("queryset"); !v.IsNil() && chainCalls(v, "select_for_update") {
		return Locked
	}
	return Unlocked
}

// helperLock judges a call of a project function or method that hands
// back one row (`obj = self._get_object()`, `wallet =
// self._wallets.get_for_update(pk)`): Locked when every value it returns,
// None aside, is a row loaded under select_for_update() (`return
// Wallet.objects.select_for_update().get(pk=pk)`); unknown otherwise, so
// a helper that fetches without the lock is judged as before.
func (f *File) helperLock(n pyast.Node, depth int) Lock {
	fn := f.lockHelper(n)
	if fn == nil || fn.Property || depth >= maxLockDepth {
		return LockUnknown
	}
	found := false
	for _, ret := range ownNodes(pyast.Body(fn.Node), "return_statement") {
		if ret.NamedChildCount() == 0 {
			continue
		}
		v := pyast.Unparen(ret.NamedChild(0))
		if v.Type() == "none" {
			continue
		}
		if fn.File.rowLock(v, depth+1) != Locked {
			return LockUnknown
		}
		found = true
	}
	if found {
		return Locked
	}
	return LockUnknown
}

// lockHelper resolves the project function a call reaches, as Callee
// does, and a method of a service the enclosing class keeps on self
// (`self._wallets.get_for_update(pk)` with `self._wallets =
// WalletService()` in its methods).
func (f *File) lockHelper(n pyast.Node) *Func {
	if fn, _ := f.Callee(n); fn != nil {
		return fn
	}
	c, ok := pyast.AsCall(n)
	if !ok {
		return nil
	}
	recv := pyast.Unparen(c.Receiver())
	if recv.Type() != "attribute" {
		return nil
	}
	obj := pyast.Unparen(recv.ChildByField("object"))
	if obj.Type() != "identifier" || obj.Text() != "self" {
		return nil
	}
	owner := f.classOfNode(n)
	if owner == nil {
		return nil
	}
	svc := selfAttrClass(owner, recv.ChildByField("attribute").Text(), 1)
	if svc == nil {
		return nil
	}
	if fn := svc.Method(c.MethodName()); fn != nil && !fn.Static {
		return fn
	}
	return nil
}

// chainCalls reports a call of method anywhere in n (a chain and its
// arguments: `get_object_or_404(M.objects.select_for_update(), ...)`).
func chainCalls(n pyast.Node, method string) bool {
	for call := range pyast.FindEach(n, "call") {
		if string(pyast.CalleeName(call)) == method {
			return true
		}
	}
	return false
}

// paramLock is the lock of parameter idx of fn as every project call site
// passes it.
func (m *Model) paramLock(fn *Func, idx int, depth int) Lock {
	if len(fn.callers) == 0 || fn.Property {
		return LockUnknown
	}
	for _, s := range fn.callers {
		c, ok := pyast.AsCall(s.call)
		if !ok || c.StarArgs || c.StarKwargs {
			return LockUnknown
		}
		arg := argFor(c, fn, idx, s.bound)
		if arg.IsNil() {
			return LockUnknown
		}
		switch s.file.rowLock(arg, depth+1) {
		case Locked:
			return Locked
		case LockUnknown:
			return LockUnknown
		}
		if md, _ := s.file.Instance(arg); md == nil || s.file.locksBefore(s.call, md) {
			return LockUnknown
		}
	}
	return Unlocked
}

// locksBefore reports a select_for_update() on rows of md in the function
// around call, before it: the caller may hold the lock on the row it
// passes.
func (f *File) locksBefore(call pyast.Node, md *project.Model) bool {
	scope := ScopeOf(call)
	for n := range pyast.FindEach(scope, "call") {
		if n.StartByte() >= call.StartByte() {
			break
		}
		if string(pyast.CalleeName(n)) != "select_for_update" {
			continue
		}
		if q := f.Eval(n); q == nil || q.Model == nil || q.Model == md {
			return true
		}
	}
	return false
}

// absentFallback returns the if statement whose only clause rebinds name
// to rhs when name is absent (`if row is None:`, `if not row:`), when
// that if statement does not hold n: after it, name is either the row
// bound before or the fallback. A nil node otherwise.
func absentFallback(rhs pyast.Node, name string, n pyast.Node) pyast.Node {
	st := pyast.Ancestor(rhs, "if_statement", "function_definition")
	if st.Type() != "if_statement" || st.Contains(n) || !st.ChildByField("consequence").Contains(rhs) {
		return pyast.Node{}
	}
	if bodies, _ := ifBodies(st); len(bodies) != 1 {
		return pyast.Node{}
	}
	cond := pyast.Unparen(st.ChildByField("condition"))
	switch cond.Type() {
	case "not_operator":
		if pyast.Dotted(pyast.Unparen(cond.ChildByField("argument"))) == name {
			return st
		}
	case "comparison_operator":
		if cond.NamedChildCount() == 2 && pyast.Dotted(cond.NamedChild(0)) == name &&
			cond.NamedChild(1).Type() == "none" && strings.Contains(cond.Text(), " is ") &&
			!strings.Contains(cond.Text(), " is not ") {
			return st
		}
	}
	return pyast.Node{}
}
