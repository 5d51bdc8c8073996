package migrations

import (
	_ "embed"
	"fmt"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
)

//go:embed setnotnull.md
var setNotNullDoc string

// SetNotNull reports AlterField turning a nullable column NOT NULL on an
// existing table.
var SetNotNull = &analyzer.Rule{
	Code:       "MIG004",
	Name:       "alter-field-set-not-null",
	Doc:        setNotNullDoc,
	Category:   analyzer.Migrations,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.1.0",
	Stack:      project.Django,
	Options:    releasedOptions,
	Run:        runSetNotNull,
}

// runSetNotNull matches AlterField whose field is literally NOT NULL when
// the same field was literally null=True just before (earlier migrations
// of the app replayed, then earlier operations of this one). It skips
// fields whose previous state is unknown, columnless fields, new tables,
// and fields a check constraint already holds non-null (the NOT VALID /
// VALIDATE route).
func runSetNotNull(p *analyzer.Pass) error {
	eachOp(p, true, func(c *opCtx, op *project.Operation) {
		if !op.Known || op.Kind != "AlterField" || op.Field == nil || c.newTable(op) || !op.Field.HasColumn() {
			return
		}
		old := c.fieldBefore(op.Model, op.Name)
		if old == nil {
			return
		}
		wasNull, ok1 := old.Nullable()
		isNull, ok2 := op.Field.Nullable()
		if !ok1 || !ok2 || !wasNull || isNull || checkedNotNull(c.modelBefore(op.Model), op.Name) {
			return
		}
		msg := fmt.Sprintf("`AlterField` makes `%s.%s` NOT NULL on an existing table: it fails on NULL rows, and scans the table under an exclusive lock",
			op.Model, op.Name)
		conf := analyzer.Confidence(0)
		if op.Field.HasDefault() || op.Field.HasDBDefault() {
			// Django first updates the NULL rows to the default: no failure,
			// but an UPDATE of those rows and the scan, under the same lock.
			msg = fmt.Sprintf("`AlterField` makes `%s.%s` NOT NULL on an existing table: NULL rows are updated to the default and the table scanned under an exclusive lock",
				op.Model, op.Name)
			conf = analyzer.Low
		} else if step := writtenByDataStep(c, op); step != "" {
			// The migration's own data step fills the NULL rows first: no
			// failure, but the scan under the same lock.
			msg = fmt.Sprintf("`AlterField` makes `%s.%s` NOT NULL on an existing table: `%s` fills the NULL rows first, and the table is scanned under an exclusive lock",
				op.Model, op.Name, step)
			conf = analyzer.Low
		}
		p.Report(analyzer.Diagnostic{
			Range:      rng(op.Span),
			Confidence: conf,
			Message:    msg,
			Help: "backfill the NULL rows in an earlier migration and deploy code that always writes the field first; " +
				"on PostgreSQL add `CheckConstraint(condition=Q(" + op.Name + "__isnull=False))` as NOT VALID, " +
				"validate it, then set NOT NULL, so no long exclusive lock is held",
		})
	})
	return nil
}

// checkedNotNull reports a check constraint on the model that already
// requires field to be non-null: once validated, PostgreSQL 12+ sets NOT
// NULL without scanning the table.
func checkedNotNull(ms *project.ModelState, field string) bool {
	if ms == nil {
		return false
	}
	for _, cs := range ms.Constraints {
		for _, f := range cs.NotNull {
			if f == field {
				return true
			}
		}
	}
	return false
}
