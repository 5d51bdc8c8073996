package migrations

import (
	_ "embed"
	"fmt"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
)

//go:embed mixed.md
var mixedDoc string

// MixedSchemaData reports migrations that run a data migration together with
// schema changes to existing tables.
var MixedSchemaData = &analyzer.Rule{
	Code:       "MIG010",
	Name:       "mixed-schema-and-data-migration",
	Doc:        mixedDoc,
	Category:   analyzer.Migrations,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.1.0",
	Stack:      project.Django,
	Options:    releasedOptions,
	Run:        runMixedSchemaData,
}

// runMixedSchemaData matches a RunPython in a migration whose other
// operations include a schema change (a known schema operation) to a table
// that already exists. It skips migrations whose schema operations only
// touch models they create (filling a new lookup table is fine) and
// initial migrations.
func runMixedSchemaData(p *analyzer.Pass) error {
	var schema *project.Operation
	var data []*project.Operation
	eachOp(p, true, func(c *opCtx, op *project.Operation) {
		if !op.Known || c.newTable(op) {
			return
		}
		switch {
		case op.Kind == "RunPython":
			data = append(data, op)
		case op.Kind == "AlterField" && stateOnly(c.fieldBefore(op.Model, op.Name), op.Field):
			// choices, help_text...: Django runs no SQL for it
		case project.SchemaKinds[op.Kind] && schema == nil:
			schema = op
		}
	})
	if schema == nil {
		return nil
	}
	for _, op := range data {
		p.Report(analyzer.Diagnostic{
			Range: rng(op.Span),
			Message: fmt.Sprintf("`RunPython` runs in the same migration as `%s` on `%s`: the schema locks are held while the data is rewritten",
				schema.Kind, schema.Model),
			Help:    "move the data migration into its own migration, between the schema change that makes room for the data and the one that constrains it",
			Related: []analyzer.Related{{Range: rng(schema.Span), Message: "schema change"}},
		})
	}
	return nil
}

// stateOnlyKwargs are field options Django keeps in the migration state
// but never writes to the database (the schema editor's
// non_database_attrs, db_column aside): changing only them runs no SQL.
var stateOnlyKwargs = map[string]bool{"choices": true, "help_text": true, "verbose_name": true, "validators": true,
	"blank": true, "editable": true, "error_messages": true, "related_name": true,
	"related_query_name": true, "limit_choices_to": true, "on_delete": true}

// stateOnly reports an AlterField whose field is the one before it (same
// class, same options) but for options the database never sees.
func stateOnly(before, after *project.FieldSpec) bool {
	if before == nil || after == nil || before.Kind != after.Kind || before.Qualified != after.Qualified || before.To != after.To {
		return false
	}
	for k, v := range before.Kwargs {
		if !stateOnlyKwargs[k] && after.Kwargs[k] != v {
			return false
		}
	}
	for k, v := range after.Kwargs {
		if !stateOnlyKwargs[k] && before.Kwargs[k] != v {
			return false
		}
	}
	return true
}
