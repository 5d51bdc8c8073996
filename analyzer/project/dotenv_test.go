package project

import (
	"os"
	"path/filepath"
	"testing"

	git "github.com/go-git/go-git/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIsDotenvName(t *testing.T) {
	for name, want := range map[string]bool{
		".env": true, ".env.prod": true, ".env.production": true, ".env.prod.db": true, "prod.env": true,
		"variables.env": true, ".env_docker": true,
		".env.example": false, ".env.sample": false, ".env.template": false, "env.template": false,
		".env_exapmle": false, ".env_docker_exapmle": false, ".env.dist": false, ".env.dev": false,
		".env.test": false, ".env.testing": false, "local.env": false, ".example.env": false, ".env.e2e": false, "e2e.env": false,
		".envrc": false, "env": false, ".env.": false, "settings.py": false, ".env-example": false,
	} {
		assert.Equal(t, want, IsDotenvName(name), name)
	}
}

func TestParseDotenv(t *testing.T) {
	es := ParseDotenv("# comment\nA=1\nexport B = 'two words' # note\nC=\"x#y\"\nD=plain # trailing\n\nnot a line\n9X=1\nE=\r\n")
	require.Len(t, es, 5)
	assert.Equal(t, DotenvEntry{Key: "A", Value: "1", Line: 2}, es[0])
	assert.Equal(t, DotenvEntry{Key: "B", Value: "two words", Line: 3}, es[1])
	assert.Equal(t, DotenvEntry{Key: "C", Value: "x#y", Line: 4}, es[2])
	assert.Equal(t, DotenvEntry{Key: "D", Value: "plain", Line: 5}, es[3])
	assert.Equal(t, DotenvEntry{Key: "E", Value: "", Line: 9}, es[4])
}

// In a git checkout, a dotenv file counts as committed only when git
// tracks it; outside one, every file found is in the tree as shipped.
func TestDotenvFilesGitState(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, text string) {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
	}
	write(".env", "SECRET_KEY=a\n")
	write("deploy/.env.production", "TOKEN=b\n")
	write("venv/.env", "TOKEN=c\n")
	write(".env.example", "TOKEN=d\n")

	got := DotenvFiles(dir)
	require.Len(t, got, 2)
	assert.Equal(t, ".env", got[0].Rel)
	assert.Equal(t, "deploy/.env.production", got[1].Rel)
	assert.Equal(t, GitUnknown, got[0].Git)
	assert.Equal(t, GitUnknown, got[1].Git)

	repo, err := git.PlainInit(dir, false)
	require.NoError(t, err)
	wt, err := repo.Worktree()
	require.NoError(t, err)
	_, err = wt.Add(".env")
	require.NoError(t, err)
	got = DotenvFiles(dir)
	require.Len(t, got, 2)
	assert.Equal(t, GitTracked, got[0].Git, ".env is in the index")
	assert.Equal(t, GitUntracked, got[1].Git, "deploy/.env.production is a local file")

	// Analysed from a subdirectory of the checkout, paths are still
	// matched against the repository's top.
	sub := DotenvFiles(filepath.Join(dir, "deploy"))
	require.Len(t, sub, 1)
	assert.Equal(t, GitUntracked, sub[0].Git)
}

// The checkout is untrusted: a `.git` file pointing to a git directory
// elsewhere is not followed, nor an index that is a link out of .git;
// the files' state is then unknown (every file found counts).
func TestDotenvGitStateReadsNothingOutside(t *testing.T) {
	elsewhere := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(elsewhere, ".env"), []byte("SECRET_KEY=a\n"), 0o644))
	repo, err := git.PlainInit(elsewhere, false)
	require.NoError(t, err)
	wt, err := repo.Worktree()
	require.NoError(t, err)
	_, err = wt.Add(".env")
	require.NoError(t, err)
	require.Equal(t, GitTracked, DotenvFiles(elsewhere)[0].Git, "the real checkout")

	redirected := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(redirected, ".env"), []byte("SECRET_KEY=a\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(redirected, ".git"), []byte("gitdir: "+filepath.Join(elsewhere, ".git")+"\n"), 0o644))
	got := DotenvFiles(redirected)
	require.Len(t, got, 1)
	assert.Equal(t, GitUnknown, got[0].Git, "a gitdir: redirection is not followed")

	linked := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(linked, ".env"), []byte("SECRET_KEY=a\n"), 0o644))
	require.NoError(t, os.Mkdir(filepath.Join(linked, ".git"), 0o755))
	require.NoError(t, os.Symlink(filepath.Join(elsewhere, ".git", "index"), filepath.Join(linked, ".git", "index")))
	got = DotenvFiles(linked)
	require.Len(t, got, 1)
	assert.Equal(t, GitUnknown, got[0].Git, "an index linked from outside .git is not read")
}

// One walk lists both kinds of files outside the Python sources, each
// with its own exclusions: hidden directories hold no project dotenv
// file but may hold requirements; virtualenvs hold neither.
func TestWalkOutsideListsBothKinds(t *testing.T) {
	dir := t.TempDir()
	for _, rel := range []string{"requirements.txt", ".env", "deploy/prod.env", "deploy/requirements/base.txt",
		".devcontainer/requirements.txt", ".devcontainer/.env", "venv/requirements.txt", "venv/.env",
		"a/b/c/d/requirements.txt", "a/b/c/d/.env", "a/b/c/d/e/requirements.txt", "a/b/c/d/e/.env"} {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte("X=1\n"), 0o644))
	}
	l := walkOutside(dir)
	assert.Equal(t, []string{".devcontainer/requirements.txt", "a/b/c/d/requirements.txt", "deploy/requirements/base.txt", "requirements.txt"}, l.deps,
		"four directories deep at most")
	assert.Equal(t, []string{".env", "a/b/c/d/.env", "deploy/prod.env"}, l.dotenvs)
}
