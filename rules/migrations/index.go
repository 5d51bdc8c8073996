package migrations

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
)

//go:embed index.md
var indexDoc string

// BlockingIndex reports indexes built or dropped on an existing table
// without CONCURRENTLY, and concurrent operations in an atomic migration.
var BlockingIndex = &analyzer.Rule{
	Code:       "MIG006",
	Name:       "index-without-concurrently",
	Doc:        indexDoc,
	Category:   analyzer.Migrations,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.1.0",
	Stack:      project.Django,
	Options:    releasedOptions,
	Run:        runBlockingIndex,
}

// runBlockingIndex matches AddIndex, RemoveIndex, AddField with
// db_index=True, AlterField gaining db_index=True and AlterIndexTogether
// adding a set, on existing tables; and AddIndexConcurrently or
// RemoveIndexConcurrently in a migration that is still atomic (Django
// refuses to run them there). It skips new tables and states it cannot
// replay.
func runBlockingIndex(p *analyzer.Pass) error {
	eachOp(p, true, func(c *opCtx, op *project.Operation) {
		if !op.Known {
			return
		}
		if op.Kind == "AddIndexConcurrently" || op.Kind == "RemoveIndexConcurrently" {
			if c.m.Atomic {
				p.Report(analyzer.Diagnostic{
					Range:      rng(op.Span),
					Message:    fmt.Sprintf("`%s` in an atomic migration: PostgreSQL cannot run it inside a transaction", op.Kind),
					Help:       "set `atomic = False` on the Migration class",
					Confidence: analyzer.High,
				})
			}
			return
		}
		if c.newTable(op) {
			return
		}
		what, alt := "", "AddIndexConcurrently"
		switch op.Kind {
		case "AddIndex":
			name := ""
			if len(op.Indexes) > 0 {
				name = op.Indexes[0].Name
			}
			what = fmt.Sprintf("`AddIndex` builds index `%s` on `%s`", name, op.Model)
		case "RemoveIndex":
			what, alt = fmt.Sprintf("`RemoveIndex` drops index `%s` on `%s`", op.Name, op.Model), "RemoveIndexConcurrently"
		case "AddField":
			if op.Field != nil {
				if ix, _ := op.Field.Bool("db_index"); ix {
					what = fmt.Sprintf("`AddField` `%s.%s` with `db_index=True` builds an index", op.Model, op.Name)
				}
			}
		case "AlterField":
			old := c.fieldBefore(op.Model, op.Name)
			if old == nil || op.Field == nil {
				return
			}
			if is, _ := op.Field.Bool("db_index"); is && !old.Indexed() && op.Field.HasColumn() {
				what = fmt.Sprintf("`AlterField` adds `db_index=True` to `%s.%s`, building an index", op.Model, op.Name)
			}
		case "AlterIndexTogether":
			ms := c.modelBefore(op.Model)
			if ms == nil || ms.Inconclusive != nil || !op.TogetherKnown {
				return
			}
			if s := addedSet(ms.IndexTogether, op.IndexTogether); s != nil {
				what = fmt.Sprintf("`AlterIndexTogether` builds an index on (%s) of `%s`", strings.Join(s, ", "), op.Model)
			}
		}
		if what == "" {
			return
		}
		p.Report(analyzer.Diagnostic{
			Range:   rng(op.Span),
			Message: what + " while blocking writes to the table",
			Help: fmt.Sprintf("on PostgreSQL use `django.contrib.postgres.operations.%s` in a migration with `atomic = False`", alt) +
				" (wrap it in `SeparateDatabaseAndState` when the model declares the index)",
		})
	})
	return nil
}
