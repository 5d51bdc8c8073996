package migrations

import (
	_ "embed"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
)

//go:embed irreversible.md
var irreversibleDoc string

// Irreversible reports RunPython without reverse_code and RunSQL without
// reverse_sql.
var Irreversible = &analyzer.Rule{
	Code:       "MIG007",
	Name:       "irreversible-data-migration",
	Doc:        irreversibleDoc,
	Category:   analyzer.Migrations,
	Severity:   analyzer.Warning,
	Confidence: analyzer.High,
	Since:      "0.1.0",
	Stack:      project.Django,
	Options:    releasedOptions,
	Run:        runIrreversible,
}

// runIrreversible matches RunPython with no reverse_code (or None) and
// RunSQL with no reverse_sql (or None), database operations of
// SeparateDatabaseAndState included. RunPython.noop and
// RunSQL.noop count as reverses: the author said so.
func runIrreversible(p *analyzer.Pass) error {
	eachOp(p, false, func(c *opCtx, op *project.Operation) {
		if !op.Known {
			return
		}
		switch {
		case op.Kind == "RunPython" && op.ReverseCode == "":
			p.Report(analyzer.Diagnostic{
				Range:   rng(op.Span),
				Message: "`RunPython` without `reverse_code`: this migration cannot be rolled back",
				Help:    "pass `reverse_code=` a function that undoes it, or `migrations.RunPython.noop` when there is nothing to undo",
			})
		case op.Kind == "RunSQL" && op.HasSQL && !op.HasReverseSQL:
			p.Report(analyzer.Diagnostic{
				Range:   rng(op.Span),
				Message: "`RunSQL` without `reverse_sql`: this migration cannot be rolled back",
				Help:    "pass `reverse_sql=` the statements that undo it, or `migrations.RunSQL.noop` when there is nothing to undo",
			})
		}
	})
	return nil
}
