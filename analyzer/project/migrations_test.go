package project_test

import (
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/source"
)

func unit(t *testing.T, rel, src string) *project.Unit {
	t.Helper()
	tree, err := pyast.Parse([]byte(src))
	require.NoError(t, err)
	return project.NewUnit(source.New(rel, rel, []byte(src)), tree, rel)
}

const migSrc = `from django.conf import settings
from django.db import migrations, models
import django.db.models.deletion
from django.contrib.postgres.operations import AddIndexConcurrently


def forwards(apps, schema_editor):
    pass


class Migration(migrations.Migration):
    atomic = False
    replaces = [("shop", "0002_a"), ("shop", "0003_b")]
    run_before = [("billing", "0001_initial")]

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("shop", "0001_initial"),
        ("auth", "__latest__"),
    ]

    operations = [
        migrations.CreateModel(
            name="Order",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL)),
            ],
            options={"db_table": "orders", "unique_together": {("user", "id")},
                     "indexes": [models.Index(fields=["user"], name="ord_user")]},
        ),
        migrations.AddField("order", "total", models.DecimalField(max_digits=10, decimal_places=2, default=0)),
        migrations.AlterField(model_name="order", name="note", field=models.TextField(null=True, db_column="n")),
        migrations.RenameField(model_name="order", old_name="a", new_name="b"),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.RunSQL("UPDATE x"),
        AddIndexConcurrently(model_name="order", index=models.Index(fields=["total"], name="ord_total")),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.RemoveField("order", "old")],
            database_operations=[],
        ),
        myops.Partition("order"),
    ]
`

func TestExtractMigration(t *testing.T) {
	m := project.ExtractMigration(unit(t, "shop/migrations/0004_x.py", migSrc))
	require.NotNil(t, m)
	assert.Equal(t, "shop", m.Dir)
	assert.Equal(t, "shop", m.DirLabel)
	assert.Equal(t, "shop", m.AppPackage)
	assert.Equal(t, "0004_x", m.Name)
	assert.False(t, m.Atomic)
	assert.False(t, m.Initial)
	assert.Equal(t, []project.MigrationKey{{App: "shop", Name: "0002_a"}, {App: "shop", Name: "0003_b"}}, m.Replaces)
	assert.Equal(t, []project.MigrationKey{{App: "billing", Name: "0001_initial"}}, m.RunBefore)
	require.Len(t, m.Dependencies, 3)
	assert.True(t, m.Dependencies[0].Swappable)
	assert.Equal(t, "settings.AUTH_USER_MODEL", m.Dependencies[0].App)
	assert.Equal(t, project.MigrationKey{App: "auth", Name: "__latest__"}, m.Dependencies[2].MigrationKey)

	ops := m.Operations
	require.Len(t, ops, 9)
	kinds := []string{}
	for _, o := range ops {
		kinds = append(kinds, o.Kind)
	}
	assert.Equal(t, []string{"CreateModel", "AddField", "AlterField", "RenameField", "RunPython", "RunSQL",
		"AddIndexConcurrently", "SeparateDatabaseAndState", "myops.Partition"}, kinds)
	cm := ops[0]
	assert.Equal(t, "order", cm.Model)
	assert.Equal(t, "orders", cm.Table)
	require.Len(t, cm.Fields, 2)
	assert.Equal(t, "ForeignKey", cm.Fields[1].Kind)
	assert.Equal(t, "settings.AUTH_USER_MODEL", cm.Fields[1].To)
	assert.Equal(t, [][]string{{"user", "id"}}, cm.UniqueTogether)
	require.Len(t, cm.Indexes, 1)
	assert.Equal(t, []string{"user"}, cm.Indexes[0].Fields)

	add := ops[1]
	assert.Equal(t, "total", add.Name)
	assert.Equal(t, "django.db.models.DecimalField", add.Field.Qualified)
	assert.True(t, add.Field.HasDefault())
	null, ok := add.Field.Nullable()
	assert.True(t, ok)
	assert.False(t, null)

	assert.Equal(t, `"n"`, ops[2].Field.Kwargs["db_column"])
	assert.Equal(t, "a", ops[3].OldName)
	assert.True(t, ops[4].ReverseNoop)
	assert.Equal(t, "forwards", ops[4].Code)
	assert.True(t, ops[5].HasSQL)
	assert.False(t, ops[5].HasReverseSQL)
	assert.True(t, ops[6].Known)
	require.Len(t, ops[7].StateOps, 1)
	assert.Equal(t, "RemoveField", ops[7].StateOps[0].Kind)
	assert.False(t, ops[8].Known)
	assert.Equal(t, migSrc[ops[8].Span.Start:ops[8].Span.End], `myops.Partition("order")`)
}

func TestExtractMigrationSkipsOtherFiles(t *testing.T) {
	assert.Nil(t, project.ExtractMigration(unit(t, "shop/models.py", migSrc)))
	assert.Nil(t, project.ExtractMigration(unit(t, "shop/migrations/__init__.py", migSrc)))
	assert.Nil(t, project.ExtractMigration(unit(t, "shop/migrations/0001_x.py", "x = 1\n")))
}

func TestMigrationIndex(t *testing.T) {
	var facts []*project.Facts
	for _, f := range []struct{ rel, src string }{
		{"core/apps.py", "from django.apps import AppConfig\nclass CoreConfig(AppConfig):\n    name = 'x.core'\n    label = 'x_core'\n"},
		{"core/migrations/0001_initial.py", "from django.db import migrations\nclass Migration(migrations.Migration):\n    initial = True\n    operations = []\n"},
		{"core/migrations/0002_b.py", "from django.db import migrations\nclass Migration(migrations.Migration):\n    dependencies = [('x_core', '0001_initial')]\n"},
	} {
		facts = append(facts, project.Extract(unit(t, f.rel, f.src)))
	}
	ix := project.Build(facts)
	mi := ix.Migrations
	require.Len(t, mi.Apps, 1)
	a := mi.ByLabel["x_core"]
	require.NotNil(t, a)
	assert.Len(t, a.Migrations, 2)
	assert.True(t, a.Migrations[0].Initial)
	assert.True(t, a.Has("0001_initial"))
	assert.Same(t, a, mi.App(a.Migrations[1]))
}

func build(t *testing.T, files map[string]string) *project.Index {
	t.Helper()
	var paths []string
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var facts []*project.Facts
	for _, p := range paths {
		facts = append(facts, project.Extract(unit(t, p, files[p])))
	}
	return project.Build(facts)
}

const head = "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"

func TestSchemaReplay(t *testing.T) {
	ix := build(t, map[string]string{
		"shop/migrations/0001_initial.py": head + `    initial = True
    operations = [
        migrations.CreateModel("Order", [("id", models.AutoField(primary_key=True)), ("note", models.TextField(null=True))],
                               options={"unique_together": {("id", "note")}}),
        migrations.CreateModel("Tmp", [("id", models.AutoField(primary_key=True))]),
    ]
`,
		"shop/migrations/0002_a.py": head + `    dependencies = [("shop", "0001_initial")]
    operations = [
        migrations.RenameField("order", "note", "remark"),
        migrations.AddIndex("order", models.Index(fields=["remark"], name="ix")),
        migrations.DeleteModel("Tmp"),
    ]
`,
		"shop/migrations/0003_b.py": head + `    dependencies = [("shop", "0002_a")]
    operations = [
        migrations.RenameModel("Order", "Purchase"),
        migrations.SeparateDatabaseAndState(state_operations=[migrations.RemoveField("purchase", "remark")]),
        myops.Custom(model_name="purchase"),
        myops.Other(),
    ]
`,
	})
	mi := &ix.Migrations
	a := mi.ByLabel["shop"]
	require.NotNil(t, a)
	third := a.ByName["0003_b"]
	var before []string
	for _, m := range mi.Before(third) {
		before = append(before, m.Name)
	}
	assert.Equal(t, []string{"0001_initial", "0002_a"}, before)

	s := mi.StateBefore(third)
	require.Contains(t, s.Models, "order")
	assert.NotContains(t, s.Models, "tmp")
	assert.Contains(t, s.Models["order"].Fields, "remark")
	assert.Contains(t, s.Models["order"].Indexes, "ix")
	assert.Equal(t, [][]string{{"id", "note"}}, s.Models["order"].UniqueTogether)

	// A clone replays the rest of the history to the same end, and leaves
	// the state it was taken from as it was.
	c := s.Clone()
	for _, op := range third.Operations {
		c.Apply(third, op)
	}
	assert.Equal(t, mi.StateOf(a), c)
	assert.Equal(t, mi.StateBefore(third), s)

	end := mi.StateOf(a)
	p := end.Models["purchase"]
	require.NotNil(t, p)
	assert.Equal(t, "Purchase", p.Name)
	assert.Equal(t, []string{"id"}, p.Order)
	require.NotNil(t, p.Inconclusive)
	assert.Equal(t, "myops.Custom", p.Inconclusive.Kind)
	require.Len(t, end.Unknown, 1)
	assert.Equal(t, "myops.Other", end.Unknown[0].Kind)
}

func TestLeavesWithSquash(t *testing.T) {
	ix := build(t, map[string]string{
		"shop/migrations/0001_initial.py": head + "    initial = True\n",
		"shop/migrations/0002_a.py":       head + "    dependencies = [(\"shop\", \"0001_initial\")]\n",
		"shop/migrations/0002_b.py":       head + "    dependencies = [(\"shop\", \"0001_initial\")]\n",
		"shop/migrations/0002_squashed.py": head + "    replaces = [(\"shop\", \"0002_a\"), (\"shop\", \"0002_b\")]\n" +
			"    dependencies = [(\"shop\", \"0001_initial\")]\n",
		"shop/migrations/0003_c.py": head + "    dependencies = [(\"shop\", \"0002_b\")]\n",
	})
	a := ix.Migrations.ByLabel["shop"]
	var leaves []string
	for _, m := range a.Leaves() {
		leaves = append(leaves, m.Name)
	}
	assert.Equal(t, []string{"0003_c"}, leaves)
	assert.Same(t, a.ByName["0002_squashed"], a.Resolve(a.ByName["0003_c"], "0002_b"))
	// A replaced migration's own dependencies stay among the originals.
	assert.Same(t, a.ByName["0002_a"], a.Resolve(a.ByName["0002_b"], "0002_a"))
}

func TestNamesAndOpaqueArguments(t *testing.T) {
	m := project.ExtractMigration(unit(t, "app/migrations/0001_initial.py", `from django.db import migrations, models

FIELDS = [("id", models.AutoField(primary_key=True))]


class Migration(migrations.Migration):
    dependencies = []
    state_operations = [migrations.CreateModel(name="App", fields=FIELDS)]
    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations, database_operations=[]),
        migrations.SeparateDatabaseAndState(state_operations=build_ops()),
        migrations.CreateModel(name="Other", fields=make_fields()),
    ]
`))
	require.NotNil(t, m)
	require.Len(t, m.Operations, 3)
	require.Len(t, m.Operations[0].StateOps, 1)
	assert.False(t, m.Operations[0].Opaque)
	require.Len(t, m.Operations[0].StateOps[0].Fields, 1)
	assert.True(t, m.Operations[1].Opaque)
	assert.True(t, m.Operations[2].Opaque)

	s := &project.SchemaState{Models: map[string]*project.ModelState{}}
	for _, op := range m.Operations {
		s.Apply(m, op)
	}
	assert.Equal(t, []string{"id"}, s.Models["app"].Order)
	require.Len(t, s.Unknown, 1)
	assert.NotNil(t, s.Models["other"].Inconclusive)
}
