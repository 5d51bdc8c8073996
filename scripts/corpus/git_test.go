package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func needGit(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
}

func gitIn(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir,
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "git %v: %s", args, out)
	return strings.TrimSpace(string(out))
}

// makeRepo commits a small submission and returns the work tree and the commit.
func makeRepo(t *testing.T) (string, string) {
	t.Helper()
	src := t.TempDir()
	gitIn(t, src, "init", "-q")
	files := map[string]string{
		"manage.py":          "import sys\n",
		"shop/views.py":      "def index(request):\n    return None\n",
		"shop/big-video.mkv": strings.Repeat("x", 1000),
	}
	for p, body := range files {
		require.NoError(t, os.MkdirAll(filepath.Join(src, filepath.Dir(p)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(src, p), []byte(body), 0o644))
	}
	require.NoError(t, os.Symlink("/etc/passwd", filepath.Join(src, "link")))
	gitIn(t, src, "add", "-A")
	gitIn(t, src, "commit", "-q", "-m", "submission")
	return src, gitIn(t, src, "rev-parse", "HEAD")
}

func TestFindGitDirLayouts(t *testing.T) {
	needGit(t)
	src, _ := makeRepo(t)

	mirror := t.TempDir() // <owner>+<name>/repo, bare: the fetch tool's layout
	require.NoError(t, os.MkdirAll(filepath.Join(mirror, "octo+shop"), 0o755))
	gitIn(t, mirror, "clone", "-q", "--bare", src, filepath.Join("octo+shop", "repo"))
	got, err := FindGitDir(mirror, "octo/shop")
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(mirror, "octo+shop", "repo"), got)

	nested := t.TempDir() // <owner>+<name>/repo/.git: a snapshot the fetch tool left as a clone
	gitIn(t, nested, "clone", "-q", src, filepath.Join("octo+shop", "repo"))
	got, err = FindGitDir(nested, "octo/shop")
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(nested, "octo+shop", "repo", ".git"), got)

	plain := t.TempDir() // <owner>/<name>, a normal clone
	gitIn(t, plain, "clone", "-q", src, filepath.Join("octo", "shop"))
	got, err = FindGitDir(plain, "octo/shop")
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(plain, "octo", "shop", ".git"), got)

	bare := t.TempDir() // <owner>+<name> itself bare
	gitIn(t, bare, "clone", "-q", "--bare", src, "octo+shop")
	got, err = FindGitDir(bare, "octo/shop")
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(bare, "octo+shop"), got)

	_, err = FindGitDir(bare, "octo/other")
	assert.Error(t, err)
}

func TestExtractSkipsMissingBlobsAndLinks(t *testing.T) {
	needGit(t)
	src, commit := makeRepo(t)
	repos := t.TempDir()
	gitIn(t, repos, "clone", "-q", "--bare", src, "octo+shop")
	gitDir := filepath.Join(repos, "octo+shop")

	// Drop the video's object, as a snapshot without its large files does.
	oid := gitIn(t, src, "rev-parse", "HEAD:shop/big-video.mkv")
	require.NoError(t, os.Remove(filepath.Join(gitDir, "objects", oid[:2], oid[2:])))

	dest := filepath.Join(t.TempDir(), "tree")
	skipped, err := Extract(gitDir, commit, dest)
	require.NoError(t, err)
	assert.Equal(t, 2, skipped, "the missing blob and the symbolic link")

	body, err := os.ReadFile(filepath.Join(dest, "shop", "views.py"))
	require.NoError(t, err)
	assert.Equal(t, "def index(request):\n    return None\n", string(body))
	assert.FileExists(t, filepath.Join(dest, "manage.py"))
	assert.NoFileExists(t, filepath.Join(dest, "shop", "big-video.mkv"))
	_, err = os.Lstat(filepath.Join(dest, "link"))
	assert.True(t, os.IsNotExist(err), "links are not recreated")

	_, err = Extract(gitDir, strings.Repeat("0", 40), filepath.Join(t.TempDir(), "x"))
	assert.Error(t, err, "an unknown commit")
}

func TestSafeJoin(t *testing.T) {
	dest := t.TempDir()
	p, err := safeJoin(dest, "a/b.py")
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dest, "a", "b.py"), p)
	for _, bad := range []string{"", "/etc/passwd", "../x", "a/../../x", ".."} {
		_, err := safeJoin(dest, bad)
		assert.Error(t, err, bad)
	}
}

func TestParseLsTree(t *testing.T) {
	out := []byte("100644 blob aaaa\tx.py\x00040000 tree bbbb\tdir\x00160000 commit cccc\tsub\x00")
	entries, err := parseLsTree(out)
	require.NoError(t, err)
	assert.Equal(t, []treeEntry{{"100644", "aaaa", "x.py"}, {"160000", "cccc", "sub"}}, entries)
	_, err = parseLsTree([]byte("garbage\x00"))
	assert.Error(t, err)
}
