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
	Stack:      project.Django,
	Options:    releasedOptions,
	Run:        runAddUnique,
}

// runAddUnique matches AlterField gaining unique=True (known previous
// state), AddField with unique=True, AddConstraint of a UniqueConstraint
// and AlterUniqueTogether adding a set the model did not have. It skips
// new tables, AddField of a nullable unique column without a default
// (every existing row is NULL, which never collides), and sets of fields
// that contain a set already unique when the migration starts or just
// before the operation (a looser constraint replacing a stricter one
// cannot fail on the data).
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
			// A data step of the migration that writes the column first
			// (a RunPython generating identifiers, rewriting duplicates)
			// readies the values the index needs.
			if ok1 && ok2 && is && !was && writtenByDataStep(c, op) == "" {
				what = fmt.Sprintf("`AlterField` makes `%s.%s` unique", op.Model, op.Name)
			}
		case "AddField":
			if op.Field == nil {
				return
			}
			if u, _ := op.Field.Bool("unique"); !u {
				return
			}
			// A nullable column with no default, or `default=None`, is NULL
			// on every existing row, and NULLs never collide in a unique index.
			if null, _ := op.Field.Nullable(); null && (!op.Field.HasDefault() || op.Field.Kwargs["default"] == "None") && !op.Field.HasDBDefault() {
				return
			}
			what = fmt.Sprintf("`AddField` adds unique column `%s.%s` with one default for every existing row", op.Model, op.Name)
		case "AddConstraint":
			for _, cs := range op.Constraints {
				if cs.IsUnique() && !c.alreadyUnique(op.Model, cs.Fields) {
					what = fmt.Sprintf("`AddConstraint` adds unique constraint `%s` to `%s`", cs.Name, op.Model)
				}
			}
		case "AlterUniqueTogether":
			ms := c.modelBefore(op.Model)
			if ms == nil || ms.Inconclusive != nil || !op.TogetherKnown {
				return
			}
			if s := addedSet(ms.UniqueTogether, op.UniqueTogether); s != nil && !c.alreadyUnique(op.Model, s) {
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

// alreadyUnique reports whether fields contain a set of fields that was
// unique (a unique or primary key field, unique_together, an unconditional
// UniqueConstraint) when the migration started or just before the
// operation. Empty or unknown field lists (expressions) are never covered.
func (c *opCtx) alreadyUnique(model string, fields []string) bool {
	if len(fields) == 0 {
		return false
	}
	if c.start == nil {
		c.start = c.stateBefore()
	}
	have := map[string]bool{}
	for _, f := range fields {
		have[f] = true
	}
	covers := func(set []string) bool {
		if len(set) == 0 {
			return false
		}
		for _, f := range set {
			if !have[f] {
				return false
			}
		}
		return true
	}
	for _, st := range []*project.SchemaState{c.start, c.schema()} {
		if st == nil {
			continue
		}
		ms := st.Models[model]
		if ms == nil {
			continue
		}
		for _, set := range ms.UniqueTogether {
			if covers(set) {
				return true
			}
		}
		for _, cs := range ms.Constraints {
			if cs.IsUnique() && !cs.Conditional && covers(cs.Fields) {
				return true
			}
		}
		for name, f := range ms.Fields {
			u, _ := f.Bool("unique")
			pk, _ := f.Bool("primary_key")
			if (u || pk) && have[name] {
				return true
			}
		}
	}
	return false
}
