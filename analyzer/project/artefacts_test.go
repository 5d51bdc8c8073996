package project

import (
	"os"
	"path/filepath"
	"testing"

	git "github.com/go-git/go-git/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIsArtefactFile(t *testing.T) {
	for rel, want := range map[string]bool{
		"db.sqlite3": true, "app/data.sqlite": true, "django.log": true, "logs/app.log": true,
		"celerybeat-schedule": true, "celerybeat-schedule.db": true, "shop/views.pyc": true,
		"tests/fixtures/legacy.sqlite3": false, "docs/example.log": false, "data/cities.db": false,
		"shop/changelog.py": false, "shop/catalog.txt": false, "sample/db.sqlite3": false,
	} {
		assert.Equal(t, want, IsArtefactFile(rel), rel)
	}
}

// The walk finds databases, logs and bytecode among the files, and
// virtualenvs and __pycache__ directories without walking them; a
// directory named like a virtualenv that holds none is no artefact.
func TestArtefactsListed(t *testing.T) {
	dir := t.TempDir()
	for _, rel := range []string{"db.sqlite3", "venv/pyvenv.cfg", "venv/lib/python3.11/site-packages/x.log",
		".venv/Scripts/activate", "env/production.py", "shop/__pycache__/views.cpython-311.pyc", "shop/views.py",
		"a/b/c/d/e/db.sqlite3", ".git/logs/HEAD.log"} {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, nil, 0o644))
	}
	require.NoError(t, os.Symlink(filepath.Join(dir, "db.sqlite3"), filepath.Join(dir, "link.sqlite3")))
	// A bin/ linking out of the tree to a directory holding an activate
	// script is not looked into.
	outside := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(outside, "bin"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(outside, "bin", "activate"), nil, 0o644))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "tools"), 0o755))
	require.NoError(t, os.Symlink(filepath.Join(outside, "bin"), filepath.Join(dir, "tools", "bin")))
	l := walkOutside(dir)
	assert.Equal(t, []Artefact{
		{Rel: ".venv", Kind: Virtualenv, Dir: true, File: ".venv/Scripts/activate"},
		{Rel: "db.sqlite3", Kind: Database, File: "db.sqlite3"},
		{Rel: "shop/__pycache__", Kind: Bytecode, Dir: true, File: "shop/__pycache__"},
		{Rel: "venv", Kind: Virtualenv, Dir: true, File: "venv/pyvenv.cfg"},
	}, l.artefacts, "nothing inside a virtualenv or .git, nothing five directories deep, no link")
}

// In a git checkout an artefact counts as committed only when git tracks
// it (a directory: some file under it); outside one, its state is unknown.
func TestArtefactsGitState(t *testing.T) {
	dir := t.TempDir()
	for _, rel := range []string{"db.sqlite3", "venv/pyvenv.cfg", "venv/bin/python", "venv-old/pyvenv.cfg", "app.log"} {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte("x"), 0o644))
	}
	states := func() map[string]GitState {
		out := map[string]GitState{}
		for _, a := range ReadOutside(dir).Artefacts {
			out[a.Rel] = a.Git
		}
		return out
	}
	assert.Equal(t, map[string]GitState{"db.sqlite3": GitUnknown, "venv": GitUnknown, "venv-old": GitUnknown, "app.log": GitUnknown}, states())

	repo, err := git.PlainInit(dir, false)
	require.NoError(t, err)
	wt, err := repo.Worktree()
	require.NoError(t, err)
	for _, rel := range []string{"db.sqlite3", "venv-old/pyvenv.cfg"} {
		_, err = wt.Add(rel)
		require.NoError(t, err)
	}
	assert.Equal(t, map[string]GitState{"db.sqlite3": GitTracked, "venv": GitUntracked, "venv-old": GitTracked, "app.log": GitUntracked}, states(),
		"venv-old/ is tracked through its file, venv/ is not though venv-old/... sorts beside it")
}
