package analyzer_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

func write(t *testing.T, dir, rel string, data []byte) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(t, os.WriteFile(p, data, 0o644))
}

// callRule reports every call to a function named boom, and panics on a
// call to crash: enough to observe the driver.
var callRule = &analyzer.Rule{
	Code: "ERR999", Name: "test-rule", Category: analyzer.ErrorHandling, Severity: analyzer.Warning,
	Confidence: analyzer.High, Since: "0.0.0",
	Run: func(p *analyzer.Pass) error {
		pyast.Inspect(p.Root, func(n pyast.Node) bool {
			if c, ok := pyast.AsCall(n); ok {
				switch c.MethodName() {
				case "boom":
					p.Reportf(n, "boom called")
				case "crash":
					panic("rule exploded")
				}
			}
			return true
		})
		return nil
	},
}

func run(t *testing.T, dir string, jobs int, paths ...string) *analyzer.Result {
	t.Helper()
	if len(paths) == 0 {
		paths = []string{dir}
	}
	res, err := analyzer.Run(context.Background(), analyzer.Config{
		Rules: append(analyzer.BuiltinRules(), callRule), WorkDir: dir, Jobs: jobs, MaxFileSize: 1 << 16,
	}, paths)
	require.NoError(t, err)
	return res
}

func codes(res *analyzer.Result) []string {
	var out []string
	for _, d := range res.Diagnostics {
		out = append(out, d.Path+":"+d.Code)
	}
	return out
}

func TestBadInputNeverStopsTheRun(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a_ok.py", []byte("boom()\n"))
	write(t, dir, "b_binary.py", []byte("x = 1\x00\x01\x02"))
	write(t, dir, "c_latin1.py", []byte("# caf\xe9\nboom()\n"))
	write(t, dir, "d_huge.py", bytes.Repeat([]byte("x = 1\n"), 20000))
	write(t, dir, "e_syntax.py", []byte("def f(:\n    pass\nboom()\n"))
	write(t, dir, "f_panic.py", []byte("crash()\nboom()\n"))
	write(t, dir, "g_deep.py", []byte("x = "+strings.Repeat("[", 3000)+strings.Repeat("]", 3000)+"\nboom()\n"))
	res := run(t, dir, 2, dir, filepath.Join(dir, "missing.py"))
	got := codes(res)
	assert.Equal(t, []string{
		"a_ok.py:ERR999",
		"b_binary.py:SYN002",
		"c_latin1.py:SYN002",
		"d_huge.py:SYN002",
		"e_syntax.py:SYN001",
		"e_syntax.py:ERR999", // rules still run on the recovered tree
		"f_panic.py:RUB001",
		"g_deep.py:SYN002",
		"g_deep.py:ERR999",
		"missing.py:SYN002",
	}, got)
	for _, d := range res.Diagnostics {
		switch d.Path {
		case "c_latin1.py":
			assert.Equal(t, 1, d.Pos.Line)
			assert.Equal(t, 6, d.Pos.Column, "points at the invalid byte")
		case "f_panic.py":
			assert.Contains(t, d.Message, "rule exploded")
		case "missing.py":
			assert.Contains(t, d.Message, "no such file")
		case "e_syntax.py":
			if d.Code == "SYN001" {
				assert.Equal(t, 1, d.Pos.Line)
			}
		}
	}
	assert.Equal(t, 4, res.Stats.Unreadable)
}

func TestDeterministicWhateverTheWorkerCount(t *testing.T) {
	dir := t.TempDir()
	for i := 0; i < 40; i++ {
		write(t, dir, filepath.Join("pkg"+string(rune('a'+i%5)), "m"+strings.Repeat("x", i%7)+".py"),
			[]byte(strings.Repeat("boom()\n", i%4+1)+"def f(:\n"))
	}
	want := codesWithPos(run(t, dir, 1))
	for _, j := range []int{2, 8, 16} {
		assert.Equal(t, want, codesWithPos(run(t, dir, j)), "-j %d", j)
	}
}

func codesWithPos(res *analyzer.Result) []string {
	var out []string
	for _, d := range res.Diagnostics {
		out = append(out, d.Path+":"+d.Code+":"+d.Message+":"+string(rune('0'+d.Pos.Line)))
	}
	return out
}

func TestDiscoverySkipsVenvsIgnoredAndVendoredDirs(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, ".gitignore", []byte("generated/\n*_pb2.py\n"))
	write(t, dir, "app/views.py", []byte("boom()\n"))
	write(t, dir, "app/api_pb2.py", []byte("boom()\n"))
	write(t, dir, "generated/x.py", []byte("boom()\n"))
	write(t, dir, "venv/lib/x.py", []byte("boom()\n"))
	write(t, dir, "myenv/pyvenv.cfg", []byte("home = /usr\n"))
	write(t, dir, "myenv/lib/x.py", []byte("boom()\n"))
	write(t, dir, "node_modules/x.py", []byte("boom()\n"))
	write(t, dir, "app/__pycache__/x.py", []byte("boom()\n"))
	write(t, dir, "app/notes.txt", []byte("boom()\n"))
	write(t, dir, ".semgrep/rule_fixture.py", []byte("boom()\n"))
	res := run(t, dir, 2)
	assert.Equal(t, []string{"app/views.py:ERR999"}, codes(res))
	// An explicit file is analysed even when ignored.
	res = run(t, dir, 2, filepath.Join(dir, "generated/x.py"))
	assert.Equal(t, []string{"generated/x.py:ERR999"}, codes(res))
}

func TestSuppressionComments(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.py", []byte(strings.Join([]string{
		"boom()  # noqa: ERR999",
		"boom()  # noqa: ERR",
		"boom()  # noqa",
		"# rubric: ignore[ERR999]",
		"boom()",
		"boom()  # noqa: LOG001",
		"s = '# noqa: ERR999'; boom()",
		"",
	}, "\n")))
	res := run(t, dir, 1)
	var lines []int
	for _, d := range res.Diagnostics {
		lines = append(lines, d.Pos.Line)
	}
	// Bare noqa needs --allow-bare-noqa; a noqa for another code and a
	// "# noqa" inside a string do not suppress.
	assert.Equal(t, []int{3, 6, 7}, lines)
	assert.Equal(t, 3, res.Stats.Suppressed)
}

// A directory named explicitly is analysed even when a .gitignore above it
// ignores it: that ignore file is then set aside (gitignore semantics cannot
// tell its other patterns apart from the one naming the directory); the
// directory's own ignore files still apply.
func TestExplicitIgnoredDirectoryIsAnalysed(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, ".git"), 0o755))
	write(t, dir, ".gitignore", []byte("vendor/\n*_gen.py\n"))
	write(t, dir, "vendor/lib/a.py", []byte("boom()\n"))
	write(t, dir, "vendor/lib/b_gen.py", []byte("boom()\n"))
	res := run(t, dir, 1)
	assert.Empty(t, codes(res), "ignored when the repository is analysed")
	write(t, dir, "vendor/.gitignore", []byte("*_gen.py\n"))
	res = run(t, dir, 1, filepath.Join(dir, "vendor"))
	assert.Equal(t, []string{"vendor/lib/a.py:ERR999"}, codes(res))
}

// Bytes the caller already read are analysed instead of reading the file
// again, under the same checks as a read.
func TestPreloadedSources(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.py", []byte("x = 1\n"))
	write(t, dir, "b.py", []byte("x = 1\n"))
	res, err := analyzer.Run(context.Background(), analyzer.Config{
		Rules: append(analyzer.BuiltinRules(), callRule), WorkDir: dir, Jobs: 1,
		Sources: map[string][]byte{"a.py": []byte("boom()\n"), "b.py": []byte("x = 1\x00")},
	}, []string{dir})
	require.NoError(t, err)
	assert.Equal(t, []string{"a.py:ERR999", "b.py:SYN002"}, codes(res))
}

// TestRuleScope: the driver, not the rule, keeps a rule off the kinds of
// file it declares it does not judge.
func TestRuleScope(t *testing.T) {
	dir := t.TempDir()
	for _, rel := range []string{"app/views.py", "app/tests/test_views.py", "app/migrations/0002_x.py", "scripts/fix.py", "app/management/commands/backfill_totals.py"} {
		write(t, dir, rel, []byte("boom()\n"))
	}
	scoped := *callRule
	scoped.Skip = semantic.ProductCode
	res, err := analyzer.Run(context.Background(), analyzer.Config{Rules: []*analyzer.Rule{&scoped}, WorkDir: dir}, []string{dir})
	require.NoError(t, err)
	var paths []string
	for _, d := range res.Diagnostics {
		paths = append(paths, d.Path)
	}
	assert.Equal(t, []string{"app/views.py"}, paths)
}

// countAnalysis counts its builds: a project analysis required by two
// rules is built once per run.
var builds int

var countAnalysis = &project.ProjectAnalysis[int]{Name: "test.count", Run: func(ix *project.Index) int {
	builds++
	return len(ix.Units)
}}

func TestRequiredAnalysisBuiltOnce(t *testing.T) {
	analyzer.SkipReadCheck(t)
	dir := t.TempDir()
	write(t, dir, "a.py", []byte("boom()\n"))
	write(t, dir, "b.py", []byte("boom()\n"))
	var seen []int
	mk := func(code string) *analyzer.Rule {
		r := *callRule
		r.Code, r.Name = code, "test-"+strings.ToLower(code)
		r.Requires = []project.Analysis{countAnalysis}
		r.Run = func(p *analyzer.Pass) error {
			seen = append(seen, countAnalysis.Get(p.Project))
			return nil
		}
		return &r
	}
	builds = 0
	_, err := analyzer.Run(context.Background(), analyzer.Config{Rules: []*analyzer.Rule{mk("ERR998"), mk("ERR997")}, WorkDir: dir, Jobs: 1}, []string{dir})
	require.NoError(t, err)
	assert.Equal(t, 1, builds)
	assert.Equal(t, []int{2, 2, 2, 2}, seen)
}
