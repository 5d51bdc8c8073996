package txn

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

// wrappedInAtomic reports a function decorated with a project decorator
// whose body opens an atomic block (`def writable_request_wrapper(method):
// def inner(*args, **kwargs): with transaction.atomic(): return
// method(*args, **kwargs)`): the decorated function runs inside it.
func wrappedInAtomic(p *analyzer.Pass, fn pyast.Node) bool {
	decs := pyast.Decorators(fn)
	if len(decs) == 0 {
		return false
	}
	f := semantic.Of(p.Project).File(p.Unit)
	if f == nil {
		return false
	}
	for _, d := range decs {
		if c, ok := pyast.AsCall(d); ok {
			d = c.Func // a decorator factory: its body holds the wrapper
		}
		g := f.FuncRef(d)
		if g == nil || g.Node.Equal(fn) || g.File.Unit.Imports == nil {
			continue
		}
		for w := range pyast.FindEach(pyast.Body(g.Node), "with_statement") {
			if project.WithIsAtomic(g.File.Unit.Imports, w) {
				return true
			}
		}
	}
	return false
}

// assertsAtomic reports a function that asserts it runs in a transaction
// (`assert transaction.get_connection().in_atomic_block, "Must run in a
// transaction"`): its callers own the transaction, and it says so.
func assertsAtomic(fn pyast.Node) bool {
	for a := range pyast.FindEachShallow(pyast.Body(fn), "assert_statement") {
		if strings.Contains(a.Text(), "in_atomic_block") {
			return true
		}
	}
	return false
}
