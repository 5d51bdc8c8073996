package analyzer_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// flagPass reports every `pass` statement: a stand-in rule for the
// suppression tests.
var flagPass = &analyzer.Rule{Code: "ERR900", Name: "flag-pass", Category: analyzer.ErrorHandling,
	Severity: analyzer.Warning, Confidence: analyzer.High, Since: "0.1.0",
	Run: func(p *analyzer.Pass) error {
		for _, n := range pyast.FindAll(p.Root, "pass_statement") {
			p.Reportf(n, "pass")
		}
		return nil
	}}

func runSuppress(t *testing.T, src string, bare bool, extra ...*analyzer.Rule) []string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "m.py"), []byte(src), 0o644))
	rules := append([]*analyzer.Rule{flagPass}, extra...)
	res, err := analyzer.Run(context.Background(), analyzer.Config{Rules: rules, WorkDir: dir, Jobs: 1, AllowBareNoqa: bare}, []string{dir})
	require.NoError(t, err)
	var got []string
	for _, d := range res.Diagnostics {
		got = append(got, d.Code+":"+strconv.Itoa(d.Pos.Line))
	}
	return got
}

func TestSuppressions(t *testing.T) {
	cases := []struct {
		name string
		src  string
		bare bool
		want []string
	}{
		{"noqa code", "pass  # noqa: ERR900\npass\n", false, []string{"ERR900:2"}},
		{"noqa list and prose", "pass  # noqa: E501, ERR900 legacy\n", false, nil},
		{"noqa prefix", "pass  # noqa: ERR\n", false, nil},
		{"noqa lower case", "pass  # NOQA:err900\n", false, nil},
		{"noqa other code", "pass  # noqa: E501\n", false, []string{"ERR900:1"}},
		{"bare noqa refused", "pass  # noqa\n", false, []string{"ERR900:1"}},
		{"bare noqa allowed", "pass  # noqa\n", true, nil},
		{"ignore trailing", "pass  # rubric: ignore[ERR900]\n", false, nil},
		{"ignore line above", "# rubric: ignore[ERR900]\npass\npass\n", false, []string{"ERR900:3"}},
		{"ignore-file", "# rubric: ignore-file[ERR900]\npass\n\ndef f():\n    pass\n", false, nil},
		{"noqa inside string", "x = '# noqa: ERR900'; pass\n", false, []string{"ERR900:1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, runSuppress(t, c.src, c.bare))
		})
	}
}

func TestUnusedAndUnknownSuppressions(t *testing.T) {
	src := "" +
		"x = 1  # noqa: ERR900\n" + // unused
		"pass  # noqa: ERR900\n" + // used
		"y = 2  # noqa: E501\n" + // another tool's code: left alone
		"z = 3  # noqa: ERR999\n" + // unknown rubric code
		"# rubric: ignore[XYZ001]\n" + // unknown in our own directive
		"pass\n" +
		"w = 4  # noqa\n" // bare: left alone
	got := runSuppress(t, src, true, analyzer.UnusedSuppression, analyzer.UnknownSuppression)
	assert.Equal(t, []string{"RUB002:1", "RUB003:4", "RUB003:5", "ERR900:6"}, got)
}

// A code naming a rule that did not run cannot be judged unused.
func TestUnusedSuppressionNeedsTheRuleToRun(t *testing.T) {
	src := "x = 1  # noqa: ERR900\n"
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "m.py"), []byte(src), 0o644))
	res, err := analyzer.Run(context.Background(), analyzer.Config{Rules: []*analyzer.Rule{analyzer.UnusedSuppression},
		Registry: []*analyzer.Rule{flagPass, analyzer.UnusedSuppression}, WorkDir: dir, Jobs: 1}, []string{dir})
	require.NoError(t, err)
	assert.Empty(t, res.Diagnostics)
}

func TestUnusedSuppressionFix(t *testing.T) {
	src := "x = 1  # noqa: ERR900\n# rubric: ignore[ERR900]\ny = 2\n"
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "m.py"), []byte(src), 0o644))
	res, err := analyzer.Run(context.Background(), analyzer.Config{Rules: []*analyzer.Rule{flagPass, analyzer.UnusedSuppression}, WorkDir: dir, Jobs: 1}, []string{dir})
	require.NoError(t, err)
	require.Len(t, res.Diagnostics, 2)
	var edits []analyzer.TextEdit
	for _, d := range res.Diagnostics {
		require.Len(t, d.Fixes, 1)
		edits = append(edits, d.Fixes[0].Edits...)
	}
	out, err := analyzer.ApplyEdits([]byte(src), edits)
	require.NoError(t, err)
	assert.Equal(t, "x = 1\ny = 2\n", string(out))
}

func TestSrcRootsNameModules(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "src", "shop", "views.py")
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(t, os.WriteFile(p, []byte("x = 1\n"), 0o644))
	res, err := analyzer.Run(context.Background(), analyzer.Config{WorkDir: dir, Jobs: 1, SrcRoots: []string{"src"}}, []string{dir})
	require.NoError(t, err)
	assert.NotNil(t, res.Index.ByModule["shop.views"])

	res, err = analyzer.Run(context.Background(), analyzer.Config{WorkDir: dir, Jobs: 1}, []string{dir})
	require.NoError(t, err)
	assert.NotNil(t, res.Index.ByModule["src.shop.views"])
}

// Suppressed diagnostics are kept aside with the directive that silenced
// each, so that the reviewer's checklist can show them.
func TestSuppressedKeptAside(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.py", []byte("boom()  # noqa: ERR999\nboom()\nboom()  # rubric: ignore[ERR]\n# rubric: ignore-file[ERR9]\n"))
	write(t, dir, "b.py", []byte("boom()  # noqa: LOG001\n"))
	res := run(t, dir, 1)
	require.Len(t, res.Diagnostics, 1, "b.py's noqa names another code")
	assert.Equal(t, "b.py", res.Diagnostics[0].Path)
	require.Len(t, res.Suppressed, 3)
	assert.Equal(t, 3, res.Stats.Suppressed)
	var got []string
	for _, s := range res.Suppressed {
		require.NotNil(t, s.By)
		got = append(got, fmt.Sprintf("%d %s %s", s.Pos.Line, s.By.Kind, strings.Join(s.By.Codes, ",")))
	}
	assert.Equal(t, []string{"1 noqa ERR999", "2 ignore-file ERR9", "3 ignore ERR"}, got)
}
