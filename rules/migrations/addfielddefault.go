package migrations

import (
	_ "embed"
	"fmt"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
)

//go:embed addfielddefault.md
var addFieldDefaultDoc string

// AddFieldPythonDefault reports AddField of a NOT NULL column whose only
// default lives in Python, on a table that already exists.
var AddFieldPythonDefault = &analyzer.Rule{
	Code:       "MIG002",
	Name:       "add-field-python-only-default",
	Doc:        addFieldDefaultDoc,
	Category:   analyzer.Migrations,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Low,
	Since:      "0.1.0",
	Stack:      project.Django,
	Options:    releasedOptions,
	Run:        runAddFieldPythonDefault,
}

// runAddFieldPythonDefault matches AddField of a literally NOT NULL field
// with a Python default (default=, or the empty string / current time
// Django supplies for blank string fields and auto_now) and no db_default.
// It skips columnless fields, new tables, and fields with db_default.
func runAddFieldPythonDefault(p *analyzer.Pass) error {
	eachOp(p, true, func(c *opCtx, op *project.Operation) {
		f := op.Field
		if !op.Known || op.Kind != "AddField" || f == nil || c.newTable(op) || !f.HasColumn() || f.HasDBDefault() {
			return
		}
		if null, ok := f.Nullable(); !ok || null {
			return
		}
		what := ""
		switch {
		case f.HasDefault():
			what = "`default=" + f.Kwargs["default"] + "`"
		case implicitDefault(f) != "":
			what = implicitDefault(f)
		default:
			return
		}
		p.Report(analyzer.Diagnostic{
			Range: rng(op.Span),
			Message: fmt.Sprintf("`AddField` `%s.%s` is NOT NULL with a Python-only default (%s): the database default is dropped after the migration",
				op.Model, op.Name, what),
			Help: pythonDefaultHelp(p),
		})
	})
	return nil
}

// pythonDefaultHelp suggests db_default only to projects whose declared
// Django version has it (5.0); older ones get the three-step migration.
func pythonDefaultHelp(p *analyzer.Pass) string {
	const steps = "add the column with `null=True`, backfill, then make it NOT NULL"
	if p.Project.Django().AtLeast(5, 0) {
		return "use `db_default=` (Django 5.0+) so the database keeps the default for inserts from code that " +
			"does not know the column yet; or " + steps
	}
	return steps + ", so that inserts from the code still running during the deploy keep working (`db_default=` " +
		"would do it in one step but needs Django 5.0; this project declares " + p.Project.Django().String() + ")"
}

// dbDefaultHint returns hint when the project's declared Django version
// has db_default (or declares none), "" otherwise.
func dbDefaultHint(p *analyzer.Pass, hint string) string {
	if p.Project.Django().AtLeast(5, 0) {
		return hint
	}
	return ""
}
