package txn

import (
	_ "embed"
	"fmt"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed atomicclass.md
var atomicOnClassDoc string

// AtomicOnClass reports `@transaction.atomic` decorating a class: Django's
// atomic wraps a callable, so only the class's construction runs in the
// transaction, and the methods called on the instance run in autocommit.
var AtomicOnClass = &analyzer.Rule{
	Code:       "TXN011",
	Name:       "atomic-on-class",
	Doc:        atomicOnClassDoc,
	Category:   analyzer.DataIntegrity,
	Severity:   analyzer.Warning,
	Confidence: analyzer.High,
	Since:      "0.29.0",
	Stack:      project.Django,
	Skip:       semantic.Test | semantic.Migration,
	Run:        runAtomicOnClass,
}

// runAtomicOnClass matches a class definition decorated with Django's
// `transaction.atomic` (bare, called, or imported as `atomic`), resolved
// through the file's imports; a project decorator merely named like it is
// not matched (it may wrap each method).
func runAtomicOnClass(p *analyzer.Pass) error {
	for def := range pyast.FindEach(p.Root, "class_definition") {
		for _, d := range pyast.Decorators(def) {
			expr := pyast.Unparen(d)
			if c, ok := pyast.AsCall(expr); ok {
				expr = c.Func
			}
			if !p.Imports.Is(expr, "django.db.transaction.atomic") {
				continue
			}
			name := pyast.DefName(def)
			p.Report(analyzer.Diagnostic{
				Range: analyzer.RangeOf(d),
				Message: fmt.Sprintf("`@%s` decorates the class `%s`: Django's atomic wraps a callable, so only the construction `%s(...)` runs in the transaction; the methods called on the instance afterwards run in autocommit, each write committed on its own (and `%s` is now a function, not a class)",
					pyast.OneLine(d, 40), name, name, name),
				Help: fmt.Sprintf("decorate the methods of `%s` that write with `@transaction.atomic`, or wrap the caller's work in `with transaction.atomic():`", name),
			})
		}
	}
	return nil
}
