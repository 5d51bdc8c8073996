package analyzer_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer"
)

// Each case is a tree, its ignore files and the Python files git itself
// would list as untracked and not ignored. When git is installed the test
// also asks git (`git ls-files --others --exclude-standard`), so the
// expectations are git's, not ours.
var gitignoreCases = []struct {
	name  string
	files map[string]string
	want  []string
}{
	{"negation re-includes a file", map[string]string{
		".gitignore": "*.py\n!keep.py\n",
		"a.py":       "", "keep.py": "", "sub/keep.py": "", "sub/b.py": "",
	}, []string{"keep.py", "sub/keep.py"}},
	{"dir/* then !dir/b.py", map[string]string{
		".gitignore": "dir/*\n!dir/b.py\n",
		"dir/a.py":   "", "dir/b.py": "", "c.py": "",
	}, []string{"c.py", "dir/b.py"}},
	{"an excluded directory cannot be re-entered", map[string]string{
		".gitignore": "dir/\n!dir/b.py\n",
		"dir/a.py":   "", "dir/b.py": "", "c.py": "",
	}, []string{"c.py"}},
	{"a deeper ignore file overrides", map[string]string{
		".gitignore":     "gen_*.py\n",
		"sub/.gitignore": "!gen_keep.py\n",
		"gen_a.py":       "", "sub/gen_b.py": "", "sub/gen_keep.py": "", "gen_keep.py": "",
	}, []string{"sub/gen_keep.py"}},
	{"anchored pattern", map[string]string{
		".gitignore": "/top.py\n",
		"top.py":     "", "sub/top.py": "",
	}, []string{"sub/top.py"}},
	{"double star", map[string]string{
		".gitignore": "**/tmp/*.py\na/**/b.py\n",
		"tmp/x.py":   "", "p/tmp/y.py": "", "a/b.py": "", "a/q/r/b.py": "", "a/c.py": "",
	}, []string{"a/c.py"}},
	{"everything but src", map[string]string{
		".gitignore": "/*\n!/src/\n!.gitignore\n",
		"x.py":       "", "lib/y.py": "", "src/z.py": "", "src/deep/w.py": "",
	}, []string{"src/deep/w.py", "src/z.py"}},
	{"comments, blank lines, CRLF, trailing spaces", map[string]string{
		".gitignore": "# a comment\r\n\r\nold.py   \r\n#kept.py\r\n",
		"old.py":     "", "#kept.py": "", "new.py": "",
	}, []string{"#kept.py", "new.py"}},
	{"info/exclude", map[string]string{
		".git/info/exclude": "secret.py\n",
		"secret.py":         "", "public.py": "",
	}, []string{"public.py"}},
}

func gitListing(t *testing.T, dir string) []string {
	t.Helper()
	cmd := exec.Command("git", "-C", dir, "ls-files", "--others", "--exclude-standard")
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.Output()
	require.NoError(t, err)
	var files []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		l = strings.Trim(l, `"`)
		if strings.HasSuffix(l, ".py") {
			files = append(files, l)
		}
	}
	sort.Strings(files)
	return files
}

func TestDiscoverFollowsGitIgnoreSemantics(t *testing.T) {
	_, gitErr := exec.LookPath("git")
	for _, c := range gitignoreCases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if gitErr == nil {
				cmd := exec.Command("git", "init", "-q", dir)
				require.NoError(t, cmd.Run())
			} else {
				require.NoError(t, os.MkdirAll(filepath.Join(dir, ".git"), 0o755))
			}
			for name, content := range c.files {
				write(t, dir, name, []byte(content))
			}
			var got []string
			for _, in := range analyzer.Discover([]string{dir}, dir, nil) {
				got = append(got, in.RootRel)
			}
			assert.Equal(t, c.want, got, "rubric")
			if gitErr == nil {
				assert.Equal(t, c.want, gitListing(t, dir), "git")
			}
		})
	}
}
