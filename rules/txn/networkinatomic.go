package txn

import (
	_ "embed"
	"fmt"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/analyzer/semantic/effects"
)

//go:embed networkinatomic.md
var networkInAtomicDoc string

// NetworkInAtomic reports HTTP calls made after a DB write inside the same
// atomic block: the transaction, and its locks, stay open across the network.
var NetworkInAtomic = &analyzer.Rule{
	Code:       "TXN004",
	Name:       "network-call-in-atomic",
	Doc:        networkInAtomicDoc,
	Category:   analyzer.DataIntegrity,
	Severity:   analyzer.Warning,
	Confidence: analyzer.High,
	Since:      "0.1.0",
	Stack:      project.Django,
	Skip:       semantic.ProductCode,
	Requires:   []project.Analysis{semantic.Project},
	Run:        runNetworkInAtomic,
}

// runNetworkInAtomic matches an HTTP call (any method) inside an atomic
// block or @atomic function that follows a DB write of the same block, or
// a select_for_update() row lock taken in it: directly, or through project
// functions that reach one (semantic.Callee, up to three calls deep, the
// chain as related locations). It skips calls inside on_commit, calls
// before the first write or lock (TXN001 reports mutating ones), tests and
// migrations.
func runNetworkInAtomic(p *analyzer.Pass) error {
	f := effects.Of(p.Unit)
	sf := semantic.Of(p.Project).File(p.Unit)
	for _, fn := range effects.Functions(p.Root) {
		effs := f.Effects(fn)
		for _, e := range effs {
			if e.Kind != effects.HTTP || effects.InOnCommit(p.Imports, e.Node()) {
				continue
			}
			reportHeld(p, effs, e.Node(), "`"+e.Name+"` waits on the network", nil)
		}
		if sf == nil {
			continue
		}
		for _, call := range ownCalls(fn) {
			if f.Classify(call).Kind != effects.None || effects.InOnCommit(p.Imports, call) || effects.AtomicScope(p.Imports, call).IsNil() {
				continue
			}
			r, ok := httpThrough(p.Project, sf, call)
			if !ok {
				continue
			}
			callee := call.ChildByField("function")
			what := fmt.Sprintf("`%s(...)` makes an HTTP call (`%s` in `%s`)", callee.Text(), r.effect.Name, r.file.Unit.File.Rel)
			reportHeld(p, effs, call, what, r.related(sf))
		}
	}
	return nil
}

// reportHeld reports a network wait at n when its atomic block has written
// or locked rows before it.
func reportHeld(p *analyzer.Pass, effs []effects.Effect, n pyast.Node, what string, via []analyzer.Related) {
	scope := effects.AtomicScope(p.Imports, n)
	if scope.IsNil() {
		return
	}
	at := n
	if c, ok := pyast.AsCall(n); ok {
		at = c.Func
	}
	opened := analyzer.Related{Range: analyzer.RangeOf(effects.ScopeAnchor(p.Imports, scope)), Message: "transaction opened here"}
	if ws := writesBefore(effs, n, scope); len(ws) > 0 {
		w := ws[len(ws)-1]
		p.Report(analyzer.Diagnostic{
			Range:   analyzer.RangeOf(at),
			Message: what + " inside `transaction.atomic` after `" + w.Name + "`: the transaction and its locks stay open meanwhile",
			Help:    "call the service before opening the transaction (or after commit), and keep the atomic block to the database writes; record pending calls in an outbox row if they must be tied to the commit",
			Related: append(append(via, analyzer.Related{Range: analyzer.RangeOf(w.Callee()), Message: "database write holding the transaction open"}), opened),
		})
		return
	}
	if lock := lockBefore(n, scope); !lock.IsNil() {
		p.Report(analyzer.Diagnostic{
			Range:   analyzer.RangeOf(at),
			Message: what + " inside `transaction.atomic` while `select_for_update()` holds a row lock: every request for those rows waits on the network too",
			Help:    "read what the call needs, commit, call the service, then lock and write in a second short transaction (with a status row to resume from)",
			Related: append(append(via, analyzer.Related{Range: analyzer.RangeOf(lock), Message: "row lock taken here"}), opened),
		})
	}
}

// lockBefore returns the last select_for_update() call of scope that ends
// before n, or the zero Node.
func lockBefore(n, scope pyast.Node) pyast.Node {
	var last pyast.Node
	for c := range pyast.FindEach(scope, "call") {
		if c.EndByte() <= n.StartByte() && string(pyast.CalleeName(c)) == "select_for_update" {
			last = c
		}
	}
	return last
}
