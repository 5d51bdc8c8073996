package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTheCorpusIsValid(t *testing.T) {
	c, err := LoadCorpus("cases.toml")
	require.NoError(t, err)
	kinds := map[string]int{}
	repos := map[string]int{}
	for _, k := range c.Cases {
		repos[k.Repo]++
		for _, kd := range k.Kind {
			kinds[kd]++
		}
	}
	for _, kd := range Kinds {
		assert.Positive(t, kinds[kd], "no case of kind %s", kd)
	}
	assert.GreaterOrEqual(t, len(repos), 8, "cases from at least 8 projects")
	assert.GreaterOrEqual(t, len(c.Clean), 25, "at least 25 clean loops")
}

// The held-out corpus (session 7) is a second file with the same schema,
// from projects the corpus above does not name.
func TestTheHeldOutCorpusIsValid(t *testing.T) {
	c, err := LoadCorpus("heldout.toml")
	require.NoError(t, err)
	dev, err := LoadCorpus("cases.toml")
	require.NoError(t, err)
	seen := map[string]bool{}
	for _, k := range dev.Cases {
		seen[k.Repo] = true
	}
	repos := map[string]bool{}
	for _, k := range c.Cases {
		repos[k.Repo] = true
		assert.False(t, seen[k.Repo], "%s: held-out cases come from projects the corpus does not name", k.ID)
	}
	assert.GreaterOrEqual(t, len(c.Cases), 12)
	assert.GreaterOrEqual(t, len(c.Clean), 10)
	assert.GreaterOrEqual(t, len(repos), 3)
}

// The second held-out corpus (session 8) names projects neither earlier
// file does.
func TestTheSecondHeldOutCorpusIsValid(t *testing.T) {
	c, err := LoadCorpus("heldout2.toml")
	require.NoError(t, err)
	seen := reposNamedIn(t, "cases.toml", "heldout.toml")
	repos := map[string]bool{}
	for _, k := range c.Cases {
		repos[k.Repo] = true
		assert.False(t, seen[k.Repo], "%s: second held-out cases come from projects the other files do not name", k.ID)
	}
	for _, k := range c.Clean {
		assert.False(t, seen[k.Repo], "%s: second held-out clean loops come from projects the other files do not name", k.ID)
	}
	assert.GreaterOrEqual(t, len(c.Cases), 12)
	assert.GreaterOrEqual(t, len(c.Clean), 10)
	assert.GreaterOrEqual(t, len(repos), 3)
}

// reposNamedIn returns the projects the corpus files name, in their cases
// or their clean loops.
func reposNamedIn(t *testing.T, files ...string) map[string]bool {
	t.Helper()
	seen := map[string]bool{}
	for _, f := range files {
		prev, err := LoadCorpus(f)
		require.NoError(t, err)
		for _, k := range prev.Cases {
			seen[k.Repo] = true
		}
		for _, k := range prev.Clean {
			seen[k.Repo] = true
		}
	}
	return seen
}

func writeCorpus(t *testing.T, body string) string {
	p := filepath.Join(t.TempDir(), "cases.toml")
	require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	return p
}

const goodCase = `
[[case]]
id = "a"
repo = "acme/shop"
fix = "1111111111111111111111111111111111111111"
parent = "2222222222222222222222222222222222222222"
kind = ["plain-loop"]
relation = "customer"
description = "orders list reads customer per row"
access = { file = "v.py", lines = [3, 3] }
loop = { file = "v.py", lines = [2, 3] }
fixed_access = { file = "v.py", lines = [4, 4] }
`

func TestLoadCorpusRejectsMistakes(t *testing.T) {
	c, err := LoadCorpus(writeCorpus(t, goodCase))
	require.NoError(t, err)
	assert.Equal(t, []Tree{{"acme/shop", "1111111111111111111111111111111111111111"}, {"acme/shop", "2222222222222222222222222222222222222222"}}, c.Trees())

	for name, body := range map[string]string{
		"duplicate id":  goodCase + goodCase,
		"unknown kind":  strings.Replace(goodCase, `"plain-loop"`, `"loop"`, 1),
		"short commit":  strings.Replace(goodCase, "1111111111111111111111111111111111111111", "1111", 1),
		"reversed":      strings.Replace(goodCase, "lines = [2, 3]", "lines = [3, 2]", 1),
		"unknown key":   goodCase + "colour = 1\n",
		"no why":        "[[clean]]\nid = \"c\"\nrepo = \"a/b\"\ncommit = \"1111111111111111111111111111111111111111\"\nfile = \"x.py\"\nlines = [1, 2]\n",
		"missing range": strings.Replace(goodCase, `fixed_access = { file = "v.py", lines = [4, 4] }`, "", 1),
	} {
		_, err := LoadCorpus(writeCorpus(t, body))
		assert.Error(t, err, name)
	}
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	return strings.TrimSpace(string(out))
}

// TestFindRepoAndExtract builds a tiny repository as a normal clone and as a
// bare one, in the accepted layouts, and extracts a commit from each.
func TestFindRepoAndExtract(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	repos := t.TempDir()
	clone := filepath.Join(repos, "acme", "shop")
	require.NoError(t, os.MkdirAll(filepath.Join(clone, "app"), 0o755))
	git(t, clone, "init", "-q")
	require.NoError(t, os.WriteFile(filepath.Join(clone, "app", "views.py"), []byte("a = 1\nb = 2\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(clone, "big.txt"), []byte("large\n"), 0o644))
	require.NoError(t, os.Symlink("/etc/passwd", filepath.Join(clone, "link")))
	git(t, clone, "add", ".")
	git(t, clone, "commit", "-q", "-m", "one")
	commit := git(t, clone, "rev-parse", "HEAD")
	git(t, repos, "clone", "-q", "--bare", "--no-local", clone, filepath.Join(repos, "acme+bare"))
	// A partial snapshot lacks its largest blobs: drop big.txt's from the clone.
	big := git(t, clone, "rev-parse", "HEAD:big.txt")
	require.NoError(t, os.Remove(filepath.Join(clone, ".git", "objects", big[:2], big[2:])))

	work := t.TempDir()
	for _, repo := range []string{"acme/shop", "acme/bare"} {
		g, err := FindRepo(repos, repo)
		require.NoError(t, err, repo)
		dest := filepath.Join(work, strings.ReplaceAll(repo, "/", "+"), commit)
		dir, missing, err := Extract(g, commit, dest)
		require.NoError(t, err)
		if repo == "acme/shop" {
			assert.Equal(t, 1, missing, "the missing blob is skipped and counted")
			assert.NoFileExists(t, filepath.Join(dir, "big.txt"))
		} else {
			assert.Zero(t, missing)
			assert.FileExists(t, filepath.Join(dir, "big.txt"))
		}
		b, err := os.ReadFile(filepath.Join(dir, "app", "views.py"))
		require.NoError(t, err)
		assert.Equal(t, "a = 1\nb = 2\n", string(b))
		_, err = os.Lstat(filepath.Join(dir, "link"))
		assert.True(t, os.IsNotExist(err), "symbolic links are not extracted")

		lines, err := ShowLines(g, commit, "app/views.py", 2, 2)
		require.NoError(t, err)
		assert.Equal(t, []string{"b = 2"}, lines)
	}
	_, err := FindRepo(repos, "acme/missing")
	assert.Error(t, err)

	// analyseTree reuses a finished extraction: a second call must not need git.
	calls := 0
	fake := func(dir string) ([]Finding, error) {
		calls++
		return []Finding{{Code: "ORM001", Path: "app/views.py", Line: 1}}, nil
	}
	var log strings.Builder
	res := analyseAll([]Tree{{"acme/shop", commit}}, repos, work, fake, &log)
	require.NoError(t, res[Tree{"acme/shop", commit}].err)
	assert.Len(t, res[Tree{"acme/shop", commit}].findings, 1)
	assert.Equal(t, 1, calls)
	assert.Contains(t, log.String(), "1 findings")
}

func TestFilterKeepsMatchingIDs(t *testing.T) {
	c := &Corpus{
		Cases: []Case{{ID: "taiga-a"}, {ID: "saleor-b"}},
		Clean: []Clean{{ID: "clean-taiga-c"}, {ID: "clean-saleor-d"}},
	}
	c.Filter(regexp.MustCompile("taiga"))
	require.Len(t, c.Cases, 1)
	require.Len(t, c.Clean, 1)
	assert.Equal(t, "taiga-a", c.Cases[0].ID)
	assert.Equal(t, "clean-taiga-c", c.Clean[0].ID)
}

// The ninth held-out corpus (session 15) names projects no earlier file does,
// in its cases and in its clean loops.
func TestTheNinthHeldOutCorpusIsValid(t *testing.T) {
	heldOutNamesNewProjects(t, "heldout9.toml", "ninth", 12, "cases.toml", "heldout.toml", "heldout2.toml", "heldout3.toml",
		"heldout4.toml", "heldout5.toml", "heldout6.toml", "heldout7.toml", "heldout8.toml")
}

// The eleventh held-out corpus (session 17) names projects no earlier file does,
// in its cases and in its clean loops.
func TestTheEleventhHeldOutCorpusIsValid(t *testing.T) {
	heldOutNamesNewProjects(t, "heldout11.toml", "eleventh", 14, "cases.toml", "heldout.toml", "heldout2.toml", "heldout3.toml",
		"heldout4.toml", "heldout5.toml", "heldout6.toml", "heldout7.toml", "heldout8.toml", "heldout9.toml", "heldout10.toml")
}

// heldOutNamesNewProjects checks a held-out corpus file: its cases and clean
// loops come from projects none of the earlier files name, its clean loops
// from its own cases' projects; at least minCases cases, 8 clean loops and
// 4 projects.
func heldOutNamesNewProjects(t *testing.T, file, ordinal string, minCases int, earlier ...string) {
	t.Helper()
	c, err := LoadCorpus(file)
	require.NoError(t, err)
	seen := reposNamedIn(t, earlier...)
	repos := map[string]bool{}
	for _, k := range c.Cases {
		repos[k.Repo] = true
		assert.False(t, seen[k.Repo], "%s: %s held-out cases come from projects the other files do not name", k.ID, ordinal)
	}
	for _, k := range c.Clean {
		assert.False(t, seen[k.Repo], "%s: %s held-out clean loops come from projects the other files do not name", k.ID, ordinal)
		assert.True(t, repos[k.Repo], "%s: clean loops come from the set's own projects", k.ID)
	}
	assert.GreaterOrEqual(t, len(c.Cases), minCases)
	assert.GreaterOrEqual(t, len(c.Clean), 8)
	assert.GreaterOrEqual(t, len(repos), 4)
}
