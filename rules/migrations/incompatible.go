package migrations

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
)

//go:embed incompatible.md
var incompatibleDoc string

// BackwardIncompatible reports schema changes that break the code still
// running during a rolling deploy: dropped or renamed columns and tables,
// and column type changes.
var BackwardIncompatible = &analyzer.Rule{
	Code:       "MIG003",
	Name:       "backward-incompatible-schema-change",
	Doc:        incompatibleDoc,
	Category:   analyzer.Migrations,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.1.0",
	Stack:      project.Django,
	Options:    releasedOptions,
	Run:        runBackwardIncompatible,
}

const expandContract = "expand/contract: first deploy code that no longer reads or writes it " +
	"(remove it from the model with `SeparateDatabaseAndState(state_operations=[...])`), " +
	"then drop or rename it in a later release"

// runBackwardIncompatible matches RemoveField, DeleteModel, RenameField,
// RenameModel, AlterModelTable, and AlterField changing db_column or the
// column type. It skips operations inside SeparateDatabaseAndState (the
// author is already splitting state from database), new tables, renames
// that leave the table or column name alone (db_table / db_column set),
// and type changes between fields it cannot see (custom classes) or that
// keep the column type (IntegerField to PositiveIntegerField, CharField to
// TextField). Widening integer changes are reported at low confidence, for
// the table rewrite only.
func runBackwardIncompatible(p *analyzer.Pass) error {
	eachOp(p, true, func(c *opCtx, op *project.Operation) {
		if !op.Known || c.separate || c.newTable(op) {
			return
		}
		msg, help := "", expandContract
		conf := analyzer.Confidence(0)
		switch op.Kind {
		case "RemoveField":
			if c.deletedLater(op.Model) {
				return // the autodetector's prelude to this migration's DeleteModel, which says it
			}
			msg = fmt.Sprintf("`RemoveField` drops column `%s.%s` while the running code still selects it", op.Model, op.Name)
			if f := c.fieldBefore(op.Model, op.Name); f != nil && !f.HasColumn() {
				msg = fmt.Sprintf("`RemoveField` drops the table behind `%s.%s` while the running code may still query it", op.Model, op.Name)
			}
		case "DeleteModel":
			msg = fmt.Sprintf("`DeleteModel` drops the table of `%s` while the running code may still query it", op.Name)
		case "RenameField":
			if f := c.fieldBefore(op.Model, op.OldName); f != nil && f.Kwargs["db_column"] != "" {
				return // the column keeps its name
			}
			msg = fmt.Sprintf("`RenameField` renames column `%s.%s` to `%s`: the running code still uses the old name",
				op.Model, op.OldName, op.NewName)
			help = "add the new field, write both, backfill, switch reads, then remove the old one; " +
				"or keep the column with `db_column=\"" + op.OldName + "\"` on the renamed field"
		case "RenameModel":
			if ms := c.modelBefore(op.Model); ms != nil && ms.Table != "" {
				return // db_table pins the table name
			}
			msg = fmt.Sprintf("`RenameModel` renames the table of `%s` to `%s`: the running code still uses the old table",
				op.OldName, op.NewName)
			help = "keep the table: set `db_table` to the old name in the renamed model's Meta"
		case "AlterModelTable":
			old := c.label + "_" + op.Model
			if ms := c.modelBefore(op.Model); ms != nil && ms.Table != "" {
				old = ms.Table
			}
			if op.Table == old {
				return
			}
			msg = fmt.Sprintf("`AlterModelTable` renames the table of `%s`: the running code still uses the old name", op.Name)
		case "AlterField":
			old := c.fieldBefore(op.Model, op.Name)
			if old == nil || op.Field == nil {
				return
			}
			if oc, nc := old.Column(), op.Field.Column(); oc != nc && old.HasColumn() && op.Field.HasColumn() {
				msg = fmt.Sprintf("`AlterField` renames column `%s` of `%s.%s` to `%s`: the running code still uses the old name",
					oc, op.Model, op.Name, nc)
				break
			}
			if changed, rewrite := typeChange(old, op.Field); rewrite {
				msg = fmt.Sprintf("`AlterField` widens `%s.%s` from `%s` to `%s`: PostgreSQL rewrites the table under an exclusive lock",
					op.Model, op.Name, old.Kind, op.Field.Kind)
				help = "on a large table add a new column of the wider type, write both, backfill in batches, then swap; " +
					"on a small one accept the short lock"
				conf = analyzer.Low
			} else if changed {
				msg = fmt.Sprintf("`AlterField` changes `%s.%s` from `%s` to `%s`: the column type changes under the running code",
					op.Model, op.Name, old.Kind, op.Field.Kind)
				help = "add a new column of the new type, write both, backfill, switch reads, then drop the old one; " +
					"a type change may also rewrite the table under an exclusive lock"
			}
		}
		if msg == "" {
			return
		}
		p.Report(analyzer.Diagnostic{Range: rng(op.Span), Message: msg, Help: help, Confidence: conf})
	})
	return nil
}

// columnType maps Django's built-in field classes to the column type they
// declare on PostgreSQL, coarsely: fields sharing a type (CharField and
// SlugField, IntegerField and PositiveIntegerField) share an entry.
var columnType = map[string]string{
	"CharField": "varchar", "SlugField": "varchar", "EmailField": "varchar", "URLField": "varchar",
	"FilePathField": "varchar", "FileField": "varchar", "ImageField": "varchar", "TextField": "text",
	"SmallIntegerField": "smallint", "PositiveSmallIntegerField": "smallint", "SmallAutoField": "smallint",
	"IntegerField": "integer", "PositiveIntegerField": "integer", "AutoField": "integer",
	"BigIntegerField": "bigint", "PositiveBigIntegerField": "bigint", "BigAutoField": "bigint",
	"BooleanField": "boolean", "NullBooleanField": "boolean", "DateField": "date", "DateTimeField": "timestamp",
	"TimeField": "time", "DurationField": "interval", "DecimalField": "numeric", "FloatField": "double",
	"UUIDField": "uuid", "GenericIPAddressField": "inet", "IPAddressField": "inet", "JSONField": "jsonb",
	"BinaryField": "bytea",
}

// widening lists type changes every old value survives and old code keeps
// working with; PostgreSQL still rewrites the table for the integer ones.
var widening = map[string]bool{
	"varchar>text": false, "smallint>integer": true, "smallint>bigint": true, "integer>bigint": true,
}

// typeChange compares the column types of two built-in fields. changed is
// false when the type stays (or only loses its varchar limit); rewrite
// marks a widening integer change, compatible but rewriting the table.
func typeChange(old, new *project.FieldSpec) (changed, rewrite bool) {
	if !builtin(old) || !builtin(new) || old.IsRelation() || new.IsRelation() {
		return false, false
	}
	ot, ok1 := columnType[old.Kind]
	nt, ok2 := columnType[new.Kind]
	if !ok1 || !ok2 || ot == nt {
		return false, false
	}
	if w, ok := widening[ot+">"+nt]; ok {
		return w, w
	}
	return true, false
}

func builtin(f *project.FieldSpec) bool {
	return strings.HasPrefix(f.Qualified, "django.db.models.") || strings.HasPrefix(f.Qualified, "django.contrib.postgres.fields.")
}

// deletedLater reports whether a later operation of the migration deletes
// model: makemigrations removes a deleted model's relations first
// (RemoveField of each foreign key, then DeleteModel), and the table goes
// with the DeleteModel, reported on its own.
func (c *opCtx) deletedLater(model string) bool {
	for _, o := range c.m.Operations[c.idx+1:] {
		if o.Kind == "DeleteModel" && o.Model == model {
			return true
		}
	}
	return false
}
