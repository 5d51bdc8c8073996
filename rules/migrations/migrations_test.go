package migrations_test

import (
	"path/filepath"
	"testing"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/analyzertest"
	"github.com/rubric-dev/rubric/rules/migrations"
)

const dir = "../../testdata/rules/migrations"

// family is every MIG rule; rules/all's table test runs each alone over its
// CODE.txtar and CODE_ok.txtar.
var family = []*analyzer.Rule{
	migrations.AddFieldNotNull, migrations.AddFieldPythonDefault, migrations.BackwardIncompatible,
	migrations.SetNotNull, migrations.AddUnique, migrations.BlockingIndex, migrations.Irreversible,
	migrations.DirectModelImport, migrations.FullTableSave, migrations.MixedSchemaData,
	migrations.ConflictingLeaves, migrations.MissingDependency, migrations.DependencyCycle,
	migrations.TooManyMigrations, migrations.MissingMigration,
}

// A safe expand/contract sequence reports nothing under any MIG rule.
func TestExpandContractIsSilent(t *testing.T) {
	analyzertest.RunTxtar(t, filepath.Join(dir, "expand_contract_ok.txtar"), family)
}
