package migrations_test

import (
	"path/filepath"
	"testing"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/analyzertest"
	"github.com/rubric-dev/rubric/rules/migrations"
)

const dir = "../../testdata/rules/migrations"

var family = []*analyzer.Rule{
	migrations.AddFieldNotNull, migrations.AddFieldPythonDefault, migrations.BackwardIncompatible,
	migrations.SetNotNull, migrations.AddUnique, migrations.BlockingIndex, migrations.Irreversible,
	migrations.DirectModelImport, migrations.FullTableSave, migrations.MixedSchemaData,
	migrations.ConflictingLeaves, migrations.MissingDependency, migrations.DependencyCycle,
	migrations.TooManyMigrations,
}

// Each rule against its own pair of fixtures.
func TestFixtures(t *testing.T) {
	for _, r := range family {
		for _, suffix := range []string{"", "_ok"} {
			t.Run(r.Code+suffix, func(t *testing.T) {
				analyzertest.RunTxtar(t, filepath.Join(dir, r.Code+suffix+".txtar"), []*analyzer.Rule{r})
			})
		}
	}
}

// A safe expand/contract sequence reports nothing under any MIG rule.
func TestExpandContractIsSilent(t *testing.T) {
	analyzertest.RunTxtar(t, filepath.Join(dir, "expand_contract_ok.txtar"), family)
}
