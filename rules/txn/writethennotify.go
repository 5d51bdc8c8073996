package txn

import (
	_ "embed"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/analyzer/semantic/effects"
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
	Stack:      project.Django,
	Skip:       semantic.ProductCode,
	// The caller check resolves project decorators (wrappedInAtomic) and,
	// here, the classes of saved locals: the semantic model.
	Requires: []project.Analysis{semantic.Project},
	Run:      runWriteThenNotify,
}

// runWriteThenNotify matches functions with an ORM write (create, update,
// delete, save...) followed in source order by a Celery enqueue, an e-mail
// or a publish, where the function has no atomic block or decorator: the
// reusable services and helpers that may end up inside a caller's
// transaction. One finding per function, at the first such side effect. It
// skips side effects inside on_commit; entry points (views, DRF perform_*
// hooks, Celery tasks, management commands), which run in autocommit so the
// write is committed before the enqueue (under ATOMIC_REQUESTS, TXN001
// reports views); functions called from an atomic block (same file, or by name
// elsewhere in the project) or registering on_commit callbacks
// (TXN001's case for the caller), functions registering on_commit
// callbacks (they expect a caller's transaction); tests and migrations. HTTP calls after a
// write are not reported here.
func runWriteThenNotify(p *analyzer.Pass) error {
	f := effects.Of(p.Unit)
	txc := &callerTxn{p: p}
	// Without a Django model in the tree, a bare `x.delete()` or `x.save()`
	// is some other library's (a DNS record, an SQLAlchemy session), and
	// transaction.atomic is no remedy.
	django := p.Project.Models != nil && len(p.Project.Models.All) > 0 || importsDjango(p.Root)
	for _, fn := range effects.Functions(p.Root) {
		effs := f.Effects(fn)
		var write *effects.Effect
		for i, e := range effs {
			if e.Kind == effects.DBWrite && write == nil && (django || e.Model != "") && !nonModelWrite(p, fn, e) {
				write = &effs[i]
				continue
			}
			if write == nil || !e.Kind.Notifies() || effects.InOnCommit(p.Imports, e.Node()) {
				continue
			}
			if effects.IsEntryPoint(p.Imports, fn) || commandMethod(fn) || txc.covered(fn) {
				break
			}
			p.Report(analyzer.Diagnostic{
				Range:   analyzer.RangeOf(e.Callee()),
				Message: "`" + e.Name + "` (" + kindName(e.Kind) + ") follows `" + write.Name + "` with no transaction around them",
				Help:    "wrap the writes in `with transaction.atomic():` and send with `transaction.on_commit(...)`, so the notification goes out only once the rows are committed",
				Related: []analyzer.Related{{Range: analyzer.RangeOf(write.Callee()), Message: "database write"}},
			})
			break
		}
	}
	return nil
}

// importsDjango reports a module-level import of a django module.
func importsDjango(root pyast.Node) bool {
	for st := range pyast.EachStatement(root) {
		if !st.Is("import_statement", "import_from_statement") {
			continue
		}
		for n := range st.Named() {
			if n.Type() == "dotted_name" && (n.Text() == "django" || strings.HasPrefix(n.Text(), "django.")) {
				return true
			}
		}
	}
	return false
}

// commandMethod reports a method of a management command class (a base
// named `BaseCommand` or ending in `Command`): handle() and the helpers it
// calls run in autocommit, so each write is committed before the next
// line, unless handle() opens a block, which the caller check sees.
func commandMethod(fn pyast.Node) bool {
	cls := pyast.Ancestor(fn, "class_definition")
	if cls.IsNil() {
		return false
	}
	for b := range cls.ChildByField("superclasses").Named() {
		d := pyast.Dotted(b)
		if strings.HasSuffix(d[strings.LastIndex(d, ".")+1:], "Command") {
			return true
		}
	}
	return false
}
