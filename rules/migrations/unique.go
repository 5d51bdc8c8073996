package migrations

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
)

//go:embed unique.md
var uniqueDoc string

// AddUnique reports a uniqueness requirement added to a table that already
// has rows.
var AddUnique = &analyzer.Rule{
	Code:       "MIG005",
	Name:       "add-unique-to-populated-table",
	Doc:        uniqueDoc,
	Category:   analyzer.Migrations,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.1.0",
	Run:        runAddUnique,
}

// runAddUnique matches AlterField gaining unique=True (known previous
// state), AddField with unique=True, AddConstraint of a UniqueConstraint
// and AlterUniqueTogether adding a set the model did not have. It skips
// new tables and AddField of a nullable unique column without a default
// (every existing row is NULL, which never collides).
func runAddUnique(p *analyzer.Pass) error {
	eachOp(p, true, func(c *opCtx, op *project.Operation) {
		if !op.Known || c.newTable(op) {
			return
		}
		what := ""
		switch op.Kind {
		case "AlterField":
			old := c.fieldBefore(op.Model, op.Name)
			if old == nil || op.Field == nil {
				return
			}
			was, ok1 := old.Flag("unique", false)
			is, ok2 := op.Field.Flag("unique", false)
			if ok1 && ok2 && is && !was {
				what = fmt.Sprintf("`AlterField` makes `%s.%s` unique", op.Model, op.Name)
			}
		case "AddField":
			if op.Field == nil {
				return
			}
			if u, _ := op.Field.Bool("unique"); !u {
				return
			}
			if null, _ := op.Field.Nullable(); null && !op.Field.HasDefault() && !op.Field.HasDBDefault() {
				return
			}
			what = fmt.Sprintf("`AddField` adds unique column `%s.%s` with one default for every existing row", op.Model, op.Name)
		case "AddConstraint":
			for _, cs := range op.Constraints {
				if cs.IsUnique() {
					what = fmt.Sprintf("`AddConstraint` adds unique constraint `%s` to `%s`", cs.Name, op.Model)
				}
			}
		case "AlterUniqueTogether":
			ms := c.modelBefore(op.Model)
			if ms == nil || ms.Inconclusive != nil || !op.TogetherKnown {
				return
			}
			if s := addedSet(ms.UniqueTogether, op.UniqueTogether); s != nil {
				what = fmt.Sprintf("`AlterUniqueTogether` makes (%s) unique on `%s`", strings.Join(s, ", "), op.Model)
			}
		}
		if what == "" {
			return
		}
		p.Report(analyzer.Diagnostic{
			Range:   rng(op.Span),
			Message: what + " on a table that already has rows",
			Help: "deduplicate the existing rows in an earlier migration first; on PostgreSQL build the index with " +
				"`AddIndexConcurrently` (unique `Index`, `atomic = False`) and attach it as the constraint afterwards",
		})
	})
	return nil
}
