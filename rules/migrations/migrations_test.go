package migrations_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/tools/txtar"

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

// Without configuration only each app's latest migration(s) are judged.
func TestReleasedDefault(t *testing.T) {
	analyzertest.RunTxtar(t, filepath.Join(dir, "released_ok.txtar"), []*analyzer.Rule{migrations.AddFieldNotNull})
}

// run analyses a txtar project with the given options.
func runWith(t *testing.T, file string, opts map[string]map[string]any, rules ...*analyzer.Rule) *analyzer.Result {
	t.Helper()
	ar, err := txtar.ParseFile(file)
	require.NoError(t, err)
	root := t.TempDir()
	for _, f := range ar.Files {
		p := filepath.Join(root, filepath.FromSlash(f.Name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, f.Data, 0o644))
	}
	return runDir(t, root, opts, rules...)
}

func runDir(t *testing.T, root string, opts map[string]map[string]any, rules ...*analyzer.Rule) *analyzer.Result {
	t.Helper()
	res, err := analyzer.Run(context.Background(), analyzer.Config{Rules: rules, WorkDir: root, Jobs: 1, Options: opts}, []string{root})
	require.NoError(t, err)
	return res
}

func findings(res *analyzer.Result) []string {
	var out []string
	for _, d := range res.Diagnostics {
		out = append(out, fmt.Sprintf("%s:%d %s", d.Path, d.Pos.Line, d.Code))
	}
	return out
}

// The `released` option names what production has: everything after it is
// judged, apps it does not list are judged whole, "none" judges all; the
// run summary says how many were not judged and why.
func TestReleasedOption(t *testing.T) {
	file := filepath.Join(dir, "released_ok.txtar")
	res := runWith(t, file, nil, migrations.AddFieldNotNull)
	assert.Len(t, res.Diagnostics, 3)
	assert.Equal(t, 3, res.Stats.MigrationsNotJudged, "shop 0001, 0002; billing 0001")
	assert.Contains(t, res.Stats.NotJudgedReason, "3 of 7 migrations not judged")

	res = runWith(t, file, map[string]map[string]any{"MIG002": {"released": []string{"shop.0001_initial"}}}, migrations.AddFieldNotNull)
	assert.Equal(t, []string{
		"billing/migrations/0002_a.py:8 MIG001", "billing/migrations/0002_b.py:8 MIG001",
		"shop/migrations/0002_history.py:8 MIG001", "shop/migrations/0003_new.py:8 MIG001",
	}, findings(res), "set under MIG002, the option applies to MIG001 too")
	assert.Equal(t, 1, res.Stats.MigrationsNotJudged)
	assert.Contains(t, res.Stats.NotJudgedReason, "released up to shop.0001_initial")

	res = runWith(t, file, map[string]map[string]any{"MIG001": {"released": []string{"none"}}}, migrations.AddFieldNotNull)
	assert.Len(t, res.Diagnostics, 4)
	assert.Zero(t, res.Stats.MigrationsNotJudged)
}

// Apps whose migrations were all generated within a fortnight are a new
// app's development history: the default selection leaves them alone and
// says so; dated history spread over months, or missing dates, is judged.
func TestReleasedDefaultYoungApps(t *testing.T) {
	res := runWith(t, filepath.Join(dir, "released_young.txtar"), nil, migrations.AddFieldNotNull)
	assert.Equal(t, []string{
		"legacy/migrations/0002_item_code.py:10 MIG001", "shop/migrations/0002_order_code.py:10 MIG001",
	}, findings(res))
	assert.Equal(t, 4, res.Stats.MigrationsNotJudged, "wallet 0001, 0002; shop 0001; legacy 0001")
	assert.Contains(t, res.Stats.NotJudgedReason, "4 of 6 migrations not judged: without a `released` option")
	assert.Contains(t, res.Stats.NotJudgedReason, "; 2 of them are in apps whose migrations were all generated within 14 days")
	assert.Contains(t, res.Stats.NotJudgedReason, "(2 judged, in 3 apps)")

	res = runWith(t, filepath.Join(dir, "released_all_young.txtar"), nil, migrations.AddFieldNotNull)
	assert.Empty(t, res.Diagnostics)
	assert.Equal(t, "2 of 2 migrations not judged: every app's migrations were generated within 14 days of each other, so their tables are new to this code and nothing in production runs on them (0 judged, in 1 app)",
		res.Stats.NotJudgedReason)

	res = runWith(t, filepath.Join(dir, "released_young.txtar"), map[string]map[string]any{"MIG001": {"released": []string{"none"}}}, migrations.AddFieldNotNull)
	assert.Len(t, res.Diagnostics, 3, "released = none judges the young app too")
}

// db_default is suggested only to projects whose declared Django has it.
func TestDBDefaultFollowsDjangoVersion(t *testing.T) {
	ar, err := txtar.ParseFile(filepath.Join(dir, "MIG002.txtar"))
	require.NoError(t, err)
	for req, want := range map[string]bool{"Django==4.2.7\n": false, "Django>=5.0,<6\n": true, "": true} {
		root := t.TempDir()
		for _, f := range ar.Files {
			p := filepath.Join(root, filepath.FromSlash(f.Name))
			require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
			require.NoError(t, os.WriteFile(p, f.Data, 0o644))
		}
		if req != "" {
			require.NoError(t, os.WriteFile(filepath.Join(root, "requirements.txt"), []byte(req), 0o644))
		}
		res := runDir(t, root, nil, migrations.AddFieldPythonDefault, migrations.AddFieldNotNull)
		require.NotEmpty(t, res.Diagnostics)
		for _, d := range res.Diagnostics {
			assert.Equal(t, want, strings.Contains(d.Help, "use `db_default=`") || strings.Contains(d.Help, "give it `db_default=`"), "%q: %s", req, d.Help)
		}
	}
}

// released-revision: the migrations a git revision has are released.
func TestReleasedRevision(t *testing.T) {
	ar, err := txtar.ParseFile(filepath.Join(dir, "released_ok.txtar"))
	require.NoError(t, err)
	root := t.TempDir()
	repo, err := git.PlainInit(root, false)
	require.NoError(t, err)
	wt, err := repo.Worktree()
	require.NoError(t, err)
	sig := &object.Signature{Name: "t", Email: "t@example.com", When: time.Unix(1700000000, 0)}
	for _, f := range ar.Files {
		if f.Name == "shop/migrations/0003_new.py" || f.Name == "billing/migrations/0002_b.py" || f.Name == "billing/migrations/0003_merge.py" {
			continue
		}
		p := filepath.Join(root, filepath.FromSlash(f.Name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, f.Data, 0o644))
		_, err := wt.Add(f.Name)
		require.NoError(t, err)
	}
	v1, err := wt.Commit("v1", &git.CommitOptions{Author: sig})
	require.NoError(t, err)
	_, err = repo.CreateTag("v1", v1, nil)
	require.NoError(t, err)
	// After the release: three new migrations, not committed yet.
	for _, f := range ar.Files {
		p := filepath.Join(root, filepath.FromSlash(f.Name))
		if _, err := os.Stat(p); os.IsNotExist(err) {
			require.NoError(t, os.WriteFile(p, f.Data, 0o644))
		}
	}
	res := runDir(t, root, map[string]map[string]any{"MIG005": {"released-revision": "v1"}}, migrations.AddFieldNotNull)
	assert.Equal(t, []string{"billing/migrations/0002_b.py:8 MIG001", "shop/migrations/0003_new.py:8 MIG001"}, findings(res))
	assert.Equal(t, 4, res.Stats.MigrationsNotJudged)
	assert.Contains(t, res.Stats.NotJudgedReason, "released are the migrations present at v1")

	_, err = analyzer.Run(context.Background(), analyzer.Config{Rules: []*analyzer.Rule{migrations.AddFieldNotNull}, WorkDir: root, Jobs: 1,
		Options: map[string]map[string]any{"MIG001": {"released-revision": "no-such-tag"}}}, []string{root})
	assert.ErrorContains(t, err, `released-revision "no-such-tag"`)

	// The analysed tree is untrusted: a .git file redirecting to a git
	// directory elsewhere is not followed (the option may come from the
	// tree's own configuration).
	elsewhere := t.TempDir()
	require.NoError(t, os.Rename(filepath.Join(root, ".git"), filepath.Join(elsewhere, ".git")))
	require.NoError(t, os.WriteFile(filepath.Join(root, ".git"), []byte("gitdir: "+filepath.Join(elsewhere, ".git")+"\n"), 0o644))
	_, err = analyzer.Run(context.Background(), analyzer.Config{Rules: []*analyzer.Rule{migrations.AddFieldNotNull}, WorkDir: root, Jobs: 1,
		Options: map[string]map[string]any{"MIG001": {"released-revision": "v1"}}}, []string{root})
	assert.ErrorContains(t, err, "a file pointing to a git directory elsewhere")
}
