package txn

import (
	_ "embed"

	"github.com/rubric-dev/rubric/analyzer"
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
	Skip:       semantic.ProductCode,
	Run:        runNetworkInAtomic,
}

// runNetworkInAtomic matches an HTTP call (any method) inside an atomic
// block or @atomic function that follows a DB write of the same block. It
// skips calls inside on_commit, calls before the first write (TXN001 reports
// mutating ones), tests and migrations.
func runNetworkInAtomic(p *analyzer.Pass) error {
	f := effects.Of(p.Unit)
	for _, fn := range effects.Functions(p.Root) {
		effs := f.Effects(fn)
		for _, e := range effs {
			if e.Kind != effects.HTTP || effects.InOnCommit(p.Imports, e.Node()) {
				continue
			}
			scope := effects.AtomicScope(p.Imports, e.Node())
			if scope.IsNil() {
				continue
			}
			ws := writesBefore(effs, e.Node(), scope)
			if len(ws) == 0 {
				continue
			}
			w := ws[len(ws)-1]
			p.Report(analyzer.Diagnostic{
				Range:   analyzer.RangeOf(e.Callee()),
				Message: "`" + e.Name + "` waits on the network inside `transaction.atomic` after `" + w.Name + "`: the transaction and its locks stay open meanwhile",
				Help:    "call the service before opening the transaction (or after commit), and keep the atomic block to the database writes; record pending calls in an outbox row if they must be tied to the commit",
				Related: []analyzer.Related{
					{Range: analyzer.RangeOf(w.Callee()), Message: "database write holding the transaction open"},
					{Range: analyzer.RangeOf(effects.ScopeAnchor(p.Imports, scope)), Message: "transaction opened here"},
				},
			})
		}
	}
	return nil
}
