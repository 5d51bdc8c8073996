package project_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer/project"
)

// history builds an app's migrations: a linear chain with a branch and a
// merge, dependencies on a missing migration and on itself, and (with
// cycle) two migrations that depend on each other.
func history(n int, cycle bool) map[string]string {
	files := map[string]string{}
	mig := func(name string, deps []string, ops string) {
		src := head
		src += "    dependencies = ["
		for _, d := range deps {
			src += fmt.Sprintf("(\"shop\", %q), ", d)
		}
		src += "(\"auth\", \"0001_initial\")]\n    operations = [\n" + ops + "    ]\n"
		files["shop/migrations/"+name+".py"] = src
	}
	mig("0001_initial", nil, "        migrations.CreateModel(\"Order\", [(\"id\", models.AutoField(primary_key=True))]),\n")
	prev := "0001_initial"
	for i := 2; i <= n; i++ {
		name := fmt.Sprintf("%04d_step", i)
		ops := fmt.Sprintf("        migrations.AddField(\"order\", \"f%d\", models.IntegerField(null=True)),\n", i)
		if i%7 == 0 {
			ops += fmt.Sprintf("        migrations.RemoveField(\"order\", \"f%d\"),\n", i-3)
		}
		mig(name, []string{prev}, ops)
		prev = name
	}
	mig("0900_branch_a", []string{"0003_step"}, "        migrations.CreateModel(\"A\", [(\"id\", models.AutoField(primary_key=True))]),\n")
	mig("0901_branch_b", []string{"0004_step"}, "        migrations.AddIndex(\"order\", models.Index(fields=[\"f2\"], name=\"ix\")),\n")
	mig("0902_merge", []string{"0900_branch_a", "0901_branch_b"}, "")
	mig("0903_after_merge", []string{"0902_merge"}, "        migrations.DeleteModel(\"A\"),\n")
	if cycle {
		mig("0904_cycle_a", []string{"0905_cycle_b"}, "        migrations.CreateModel(\"C\", [(\"id\", models.AutoField(primary_key=True))]),\n")
		mig("0905_cycle_b", []string{"0904_cycle_a"}, "")
		mig("0906_after_cycle", []string{"0905_cycle_b"}, "")
	}
	mig("0907_missing", []string{"0999_nope"}, "")
	mig("0908_self", []string{"0908_self", "0907_missing"}, "")
	return files
}

// The shared replays give every migration exactly the state a replay from
// scratch gives, and callers own what StateBefore returns.
func TestStateBeforeMatchesReplay(t *testing.T) {
	for _, cycle := range []bool{false, true} {
		ix := build(t, history(40, cycle))
		mi := &ix.Migrations
		a := mi.ByLabel["shop"]
		require.NotNil(t, a)
		for _, m := range a.Migrations {
			want := mi.ReplayBefore(m)
			got := mi.StateBefore(m)
			assert.Equal(t, want, got, m.Name)
			got.Apply(m, &project.Operation{Kind: "DeleteModel", Known: true, Model: "order"})
			assert.Equal(t, want, mi.StateBefore(m), "%s: a caller's change leaks into the shared replay", m.Name)
		}
		assert.NotEmpty(t, mi.StateBefore(a.ByName["0903_after_merge"]).Models["a"])
	}
}

// BenchmarkStateBefore asks for the state before every migration of a
// 300-migration app, as the migration rules do once per file.
func BenchmarkStateBefore(b *testing.B) {
	t := &testing.T{}
	files := history(300, false)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		ix := build(t, files)
		b.StartTimer()
		for _, m := range ix.Migrations.All {
			ix.Migrations.StateBefore(m)
		}
	}
}
