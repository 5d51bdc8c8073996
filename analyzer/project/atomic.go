package project

import (
	"sort"
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// IsAtomic reports whether expr is `transaction.atomic`, `atomic` or a call
// of either (through imports of django.db.transaction), or a project wrapper
// whose name contains "atomic" (saleor's `traced_atomic_transaction()`).
func IsAtomic(im *pyast.Imports, expr pyast.Node) bool {
	expr = pyast.Unparen(expr)
	if c, ok := pyast.AsCallHead(expr); ok {
		expr = c.Func
	}
	if im.Is(expr, "django.db.transaction.atomic") {
		return true
	}
	d := strings.ToLower(pyast.Dotted(expr))
	d = d[strings.LastIndex(d, ".")+1:]
	return strings.Contains(d, "atomic") && !strings.Contains(d, "non_atomic")
}

// AtomicScope returns the node that puts n inside a transaction within its
// own function: the nearest enclosing `with transaction.atomic()` statement,
// else the function itself when it is decorated with @transaction.atomic.
// The zero Node means no atomic block in this function. The walk stops at
// the function boundary: a nested function's body runs when it is called.
func AtomicScope(im *pyast.Imports, n pyast.Node) pyast.Node {
	for p := n.Parent(); !p.IsNil(); p = p.Parent() {
		switch p.Type() {
		case "with_statement":
			if WithIsAtomic(im, p) {
				return p
			}
		case "function_definition":
			if HasAtomicDecorator(im, p) {
				return p
			}
			return pyast.Node{}
		case "lambda", "class_definition":
			return pyast.Node{}
		}
	}
	return pyast.Node{}
}

// WithIsAtomic reports whether a with statement enters transaction.atomic.
func WithIsAtomic(im *pyast.Imports, with pyast.Node) bool {
	for _, clause := range with.NamedChildren() {
		if clause.Type() != "with_clause" {
			continue
		}
		for _, item := range clause.NamedChildren() {
			v := item.ChildByField("value")
			if v.Type() == "as_pattern" {
				v = v.NamedChild(0)
			}
			if IsAtomic(im, v) {
				return true
			}
		}
	}
	return false
}

// HasAtomicDecorator reports whether a function is decorated with
// @transaction.atomic (called or not).
func HasAtomicDecorator(im *pyast.Imports, fn pyast.Node) bool {
	for _, d := range pyast.Decorators(fn) {
		if IsAtomic(im, d) {
			return true
		}
	}
	return false
}

// AtomicCalls are the calls of one file, by bare name, as the transaction
// rules need them: the names called from inside an atomic block or @atomic
// function, and outside one, which function calls which names. A call
// counts when it is `name(...)`, `self.name(...)`, `cls.name(...)` or
// `module.name(...)` through an import.
type AtomicCalls struct {
	InAtomic []string            // sorted
	Calls    map[string][]string // caller name -> sorted callee names
}

// ExtractAtomicCalls collects a file's AtomicCalls.
func ExtractAtomicCalls(im *pyast.Imports, root pyast.Node) *AtomicCalls {
	in := map[string]bool{}
	calls := map[string]map[string]bool{}
	pyast.Inspect(root, func(n pyast.Node) bool {
		c, ok := pyast.AsCallHead(n)
		if !ok {
			return true
		}
		name := ""
		switch c.Func.Type() {
		case "identifier":
			name = c.Func.Text()
		case "attribute":
			r := c.Receiver()
			if r.Type() != "identifier" {
				break
			}
			if _, imported := im.Lookup(r.Text()); imported || r.Text() == "self" || r.Text() == "cls" {
				name = c.MethodName()
			}
		}
		if name == "" {
			return true
		}
		if !AtomicScope(im, n).IsNil() {
			in[name] = true
		} else if fn := pyast.Ancestor(n, "function_definition"); !fn.IsNil() {
			caller := pyast.DefName(fn)
			if calls[caller] == nil {
				calls[caller] = map[string]bool{}
			}
			calls[caller][name] = true
		}
		return true
	})
	ac := &AtomicCalls{InAtomic: sortedKeys(in), Calls: map[string][]string{}}
	for caller, callees := range calls {
		ac.Calls[caller] = sortedKeys(callees)
	}
	return ac
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// CalledInAtomic returns every name reachable from the names the given
// files call inside atomic blocks: those functions' bodies run in a
// caller's transaction. Names are matched without their module, erring
// towards silence.
func CalledInAtomic(files ...*AtomicCalls) map[string]bool {
	calls := map[string][]string{}
	var queue []string
	out := map[string]bool{}
	for _, f := range files {
		if f == nil {
			continue
		}
		for caller, callees := range f.Calls {
			calls[caller] = append(calls[caller], callees...)
		}
		for _, n := range f.InAtomic {
			if !out[n] {
				out[n] = true
				queue = append(queue, n)
			}
		}
	}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, callee := range calls[n] {
			if !out[callee] {
				out[callee] = true
				queue = append(queue, callee)
			}
		}
	}
	return out
}

// extractAtomicCalls is ExtractAtomicCalls for the project graph: test and
// migration files are left out (a test calling a service in an atomic
// block says nothing about production callers).
func extractAtomicCalls(u *Unit) *AtomicCalls {
	if u.Tree == nil || u.Imports == nil || IsTestPath(u.Rel()) || IsMigration(u.Rel()) {
		return nil
	}
	return ExtractAtomicCalls(u.Imports, u.Tree.Root())
}

// buildCalledInAtomic merges the files' calls, in path order.
func buildCalledInAtomic(facts []*Facts) map[string]bool {
	files := make([]*AtomicCalls, 0, len(facts))
	for _, f := range facts {
		files = append(files, f.Atomic)
	}
	return CalledInAtomic(files...)
}
