package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/internal/config"
)

var (
	ruleA = &analyzer.Rule{Code: "ERR001", Name: "bare-except", Severity: analyzer.Error}
	ruleB = &analyzer.Rule{Code: "NET001", Name: "no-timeout", Severity: analyzer.Warning}
	ruleM = &analyzer.Rule{Code: "MIG001", Name: "too-many-migrations", Severity: analyzer.Info,
		Options: []analyzer.Option{{Name: "max-migrations", Default: 50, Doc: "threshold"}}}
	ruleX = &analyzer.Rule{Code: "RUB002", Name: "unused-suppression", Severity: analyzer.Info, NonDefault: true}
	rules = []*analyzer.Rule{ruleA, ruleB, ruleM, ruleX}
)

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	return p
}

const pyproject = `[project]
name = "shop"

[tool.black]
line-length = 100

[tool.rubric]
select = ["ERR", "NET"]
ignore = ["NET001"]
extend-select = ["RUB002"]
exclude = ["legacy/**"]
fail-on = "error"
src = ["src"]
per-file-ignores = { "tests/**" = ["ERR001"] }

[tool.rubric.severity]
ERR001 = "warning"

[tool.rubric.options.MIG001]
max-migrations = 80
`

func TestFindNearest(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "pyproject.toml", pyproject)
	write(t, dir, "app/sub/pyproject.toml", "[project]\nname = \"x\"\n") // no [tool.rubric]: skipped
	write(t, dir, "app/sub/views.py", "")
	got, err := config.Find(filepath.Join(dir, "app/sub/views.py"))
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, "pyproject.toml"), got)

	write(t, dir, "app/rubric.toml", "select = [\"ERR\"]\n")
	got, err = config.Find(filepath.Join(dir, "app/sub"))
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, "app", "rubric.toml"), got)
}

func TestFileOverDefaults(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "pyproject.toml", pyproject)
	f, src, err := config.Load(p)
	require.NoError(t, err)
	e, err := config.Merge(f, src, config.Flags{}, rules, "/elsewhere")
	require.NoError(t, err)
	assert.Equal(t, []string{"ERR", "NET"}, e.Select)
	assert.Equal(t, p+":8", e.Origin["select"])
	assert.Equal(t, analyzer.Error, e.FailOn)
	assert.Equal(t, p+":12", e.Origin["fail-on"])
	assert.Equal(t, analyzer.Warning, e.Severity["ERR001"])
	assert.Equal(t, map[string]any{"max-migrations": 80}, e.Options["MIG001"])
	assert.Equal(t, []string{filepath.Join(dir, "src")}, e.Src)
	assert.Equal(t, "default", e.Origin["allow-bare-noqa"])

	var codes []string
	for _, r := range e.Rules(rules) {
		codes = append(codes, r.Code)
	}
	assert.Equal(t, []string{"ERR001", "RUB002"}, codes)

	ex := e.ExcludeFunc(dir)
	assert.True(t, ex("legacy/old.py", false))
	assert.True(t, ex("legacy", true))
	assert.False(t, ex("app/legacy.py", false))
	assert.True(t, e.IgnoredInFile(dir, "tests/test_views.py", "ERR001"))
	assert.False(t, e.IgnoredInFile(dir, "app/views.py", "ERR001"))
	assert.False(t, e.IgnoredInFile(dir, "tests/test_views.py", "NET001"))
}

func TestCLIOverFile(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "pyproject.toml", pyproject)
	f, src, err := config.Load(p)
	require.NoError(t, err)
	failOn, bare := "info", true
	e, err := config.Merge(f, src, config.Flags{Select: []string{"MIG"}, FailOn: &failOn, AllowBareNoqa: &bare, ExtendExclude: []string{"gen"}}, rules, dir)
	require.NoError(t, err)
	assert.Equal(t, []string{"MIG"}, e.Select)
	assert.Equal(t, "--select", e.Origin["select"])
	assert.Equal(t, analyzer.Info, e.FailOn)
	assert.Equal(t, "--fail-on", e.Origin["fail-on"])
	assert.True(t, e.AllowBareNoqa)
	assert.Equal(t, []string{"NET001"}, e.Ignore, "ignore not given on the command line: the file's")
	assert.Equal(t, "--extend-exclude", e.Origin["extend-exclude"])
	assert.Equal(t, p+":11", e.Origin["exclude"])
	assert.True(t, e.ExcludeFunc(dir)("a/gen/x.py", false))
}

func TestDefaultsWithoutFile(t *testing.T) {
	e, err := config.Merge(nil, nil, config.Flags{}, rules, "/w")
	require.NoError(t, err)
	assert.Equal(t, analyzer.Warning, e.FailOn)
	assert.Equal(t, "default", e.Origin["select"])
	assert.Len(t, e.Rules(rules), 3) // RUB002 is opt-in
	assert.Nil(t, e.ExcludeFunc("/w"))
}

func TestErrorsNameTheLine(t *testing.T) {
	cases := map[string]struct{ toml, want string }{
		"unknown key":            {"[tool.rubric]\nselect = [\"ERR\"]\nselct = [\"NET\"]\n", "pyproject.toml:3: unknown key \"selct\""},
		"unknown code":           {"[tool.rubric]\n\nselect = [\"ERR\", \"XYZ123\"]\n", "pyproject.toml:3: unknown rule or prefix \"XYZ123\""},
		"unknown severity code":  {"[tool.rubric.severity]\nERR001 = \"error\"\nFOO001 = \"info\"\n", "pyproject.toml:3: unknown rule \"FOO001\""},
		"bad severity":           {"[tool.rubric.severity]\nERR001 = \"fatal\"\n", "pyproject.toml:2: severity of ERR001"},
		"unknown option":         {"[tool.rubric.options.MIG001]\nmax-migration = 3\n", "pyproject.toml:2: rule MIG001 has no option \"max-migration\" (its options are max-migrations)"},
		"option of wrong type":   {"[tool.rubric.options.MIG001]\nmax-migrations = \"many\"\n", "pyproject.toml:2: option MIG001.max-migrations wants a value like 50"},
		"option of unknown rule": {"[tool.rubric.options.MIG009]\nx = 1\n", "pyproject.toml:1: unknown rule \"MIG009\""},
		"unknown table":          {"[tool.rubric]\nselect = []\n\n[tool.rubric.lint]\nx = 1\n", "pyproject.toml:4: unknown key \"lint\""},
		"per-file code":          {"[tool.rubric.per-file-ignores]\n\"tests/**\" = [\"NOPE01\"]\n", "pyproject.toml:2: unknown rule or prefix \"NOPE01\""},
		"syntax":                 {"[tool.rubric]\nselect = [\n", "pyproject.toml:"},
		"wrong type":             {"[tool.rubric]\nselect = \"ERR\"\n", "pyproject.toml:2"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			p := write(t, dir, "pyproject.toml", c.toml)
			f, src, err := config.Load(p)
			if err == nil {
				_, err = config.Merge(f, src, config.Flags{}, rules, dir)
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

func TestRubricTomlIsTopLevel(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "rubric.toml", "# comment\nignore = [\"bare-except\"]\n\n[severity]\nNET001 = \"error\"\n")
	f, src, err := config.Load(p)
	require.NoError(t, err)
	e, err := config.Merge(f, src, config.Flags{}, rules, dir)
	require.NoError(t, err)
	assert.Equal(t, p+":2", e.Origin["ignore"])
	assert.Equal(t, analyzer.Error, e.Severity["NET001"])
	for _, r := range e.Rules(rules) {
		assert.NotEqual(t, "ERR001", r.Code)
	}
}

func loadErr(t *testing.T, name, content string) string {
	t.Helper()
	dir := t.TempDir()
	p := write(t, dir, name, content)
	f, src, err := config.Load(p)
	if err == nil {
		_, err = config.Merge(f, src, config.Flags{}, rules, dir)
	}
	require.Error(t, err, content)
	return strings.ReplaceAll(err.Error(), p, filepath.Base(p))
}

func TestTypeErrorsAreErrorsWithTheirLine(t *testing.T) {
	cases := map[string]struct{ toml, want string }{
		"severity list":         {"[tool.rubric]\nselect = [\"ERR\"]\nseverity = [\"ERR001\"]\n", `pyproject.toml:3: severity must be a table of CODE = "info", "warning" or "error", not an array`},
		"options number":        {"[tool.rubric]\noptions = 5\n", "pyproject.toml:2: options must be a table of CODE = { option = value }, not an integer"},
		"per-file-ignores list": {"[tool.rubric]\n\nper-file-ignores = [\"a\"]\n", `pyproject.toml:3: per-file-ignores must be a table of glob = ["CODE", ...], not an array`},
		"per-file codes string": {"[tool.rubric.per-file-ignores]\n\"tests/*.py\" = \"ERR001\"\n", `pyproject.toml:2: per-file-ignores."tests/*.py" must be a list of strings`},
		"options of a rule":     {"[tool.rubric.options]\nMIG001 = 3\n", "pyproject.toml:2: options.MIG001 must be a table of option = value, not an integer"},
		"severity value":        {"[tool.rubric.severity]\nERR001 = 2\n", "pyproject.toml:2: severity.ERR001 must be a string, not an integer"},
		"list of numbers":       {"[tool.rubric]\nselect = [\"ERR\", 5]\n", "pyproject.toml:2: select must hold strings only, not an integer"},
		"bool":                  {"[tool.rubric]\nallow-bare-noqa = \"yes\"\n", "pyproject.toml:2: allow-bare-noqa must be true or false, not a string"},
		"rubric table":          {"[tool]\nrubric = 1\n", "pyproject.toml:2: tool.rubric must be a table, not an integer"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			assert.Contains(t, loadErr(t, "pyproject.toml", c.toml), c.want)
		})
	}
}

func TestLinesSurviveBracketsInCommentsAndStrings(t *testing.T) {
	content := "# a comment with [brackets\n" +
		"select = [\"ERR\", # [not a table\n" +
		"  \"NET\",\n" +
		"]\n" +
		"exclude = [\"a[b\"]  # ] [\n" +
		"per-file-ignores = { \"tests/*.py\" = [\"ERR001\"], \"x/**\" = [\"NOPE99\"] }\n" +
		"[severity]\n" +
		"NET001 = \"fatal\"\n"
	got := loadErr(t, "rubric.toml", content)
	assert.Contains(t, got, "rubric.toml:6: unknown rule or prefix \"NOPE99\"")
	assert.Contains(t, got, "rubric.toml:8: severity of NET001 must be info, warning or error, not \"fatal\"")
}

func TestUnknownKeysGetASuggestion(t *testing.T) {
	got := loadErr(t, "rubric.toml", "selct = [\"ERR\"]\nextend_exclude = []\nline-length = 3\n")
	assert.Contains(t, got, `rubric.toml:1: unknown key "selct" (did you mean "select"?)`)
	assert.Contains(t, got, `rubric.toml:2: unknown key "extend_exclude" (did you mean "extend-exclude"?)`)
	assert.Contains(t, got, `rubric.toml:3: unknown key "line-length"`)
	assert.NotContains(t, got, `"line-length" (did you mean`, "nothing close: no suggestion")
	assert.Len(t, strings.Split(got, "\n"), 3, "every error, one per line")

	got = loadErr(t, "rubric.toml", "select = [\"ERR01\"]\n")
	assert.Contains(t, got, `unknown rule or prefix "ERR01" in select (did you mean "ERR001"?)`)
}

func TestSyntaxErrorLine(t *testing.T) {
	got := loadErr(t, "rubric.toml", "select = [\"ERR\"]\n\nfail-on = \"error\n")
	assert.Regexp(t, `^rubric.toml:3: `, got)
}

func TestForeignNoqaOption(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "rubric.toml", "foreign-noqa = false\n")
	f, src, err := config.Load(p)
	require.NoError(t, err)
	e, err := config.Merge(f, src, config.Flags{}, rules, dir)
	require.NoError(t, err)
	assert.False(t, e.ForeignNoqa)
	assert.Equal(t, p+":1", e.Origin["foreign-noqa"])
	e, err = config.Merge(nil, nil, config.Flags{}, rules, dir)
	require.NoError(t, err)
	assert.True(t, e.ForeignNoqa, "on by default")
}

func TestDidYouMean(t *testing.T) {
	assert.Equal(t, ` (did you mean "fail-on"?)`, config.DidYouMean("fail_on", config.Keys))
	assert.Equal(t, "", config.DidYouMean("zzzzzz", config.Keys))
	assert.Equal(t, ` (did you mean "exclude"?)`, config.DidYouMean("exlude", config.Keys))
}
