package txn

import (
	_ "embed"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/rules/internal/effects"
)

//go:embed writethennotify.md
var writeThenNotifyDoc string

// WriteThenNotify reports a DB write followed by a task, e-mail or publish
// in a function that opens no transaction.
var WriteThenNotify = &analyzer.Rule{
	Code:       "TXN002",
	Name:       "write-then-notify-without-transaction",
	Doc:        writeThenNotifyDoc,
	Category:   analyzer.DataIntegrity,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.1.0",
	Run:        runWriteThenNotify,
}

// runWriteThenNotify matches functions with an ORM write (create, update,
// delete, save...) followed in source order by a Celery enqueue, an e-mail
// or a publish, where the function has no atomic block or decorator. One
// finding per function, at the first such side effect. It skips side
// effects inside on_commit, views under ATOMIC_REQUESTS (TXN001's case),
// tests and migrations. HTTP calls after a write are not reported here.
func runWriteThenNotify(p *analyzer.Pass) error {
	if skipFile(p) {
		return nil
	}
	f := effects.NewFile(p.Root, p.Imports)
	for _, fn := range effects.Functions(p.Root) {
		effs := f.Effects(fn)
		var write *effects.Effect
		for i, e := range effs {
			if e.Kind == effects.DBWrite && write == nil {
				write = &effs[i]
				continue
			}
			if write == nil || !e.Kind.Notifies() || effects.InOnCommit(p.Imports, e.Node()) {
				continue
			}
			if effects.UsesAtomic(p.Imports, fn) || effects.InRequestTransaction(p.Project, p.Imports, fn) {
				break
			}
			p.Report(analyzer.Diagnostic{
				Range:   analyzer.RangeOf(e.Node()),
				Message: "`" + e.Name + "` (" + kindName(e.Kind) + ") follows `" + write.Name + "` with no transaction around them",
				Help:    "wrap the writes in `with transaction.atomic():` and send with `transaction.on_commit(...)`, so the notification goes out only once the rows are committed",
				Related: []analyzer.Related{{Range: analyzer.RangeOf(write.Node()), Message: "database write"}},
			})
			break
		}
	}
	return nil
}
