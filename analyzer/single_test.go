package analyzer_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/tools/txtar"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/rules/all"
)

// freshIn keeps the diagnostics of a whole run that a FileAnswer for rel
// answers: on rel, of a code it holds; internal errors only of rules it
// runs.
func freshIn(res *analyzer.Result, ans *analyzer.FileAnswer, rel string, rules []*analyzer.Rule) []analyzer.Diagnostic {
	own := map[string]bool{}
	for _, r := range rules {
		own[r.Code] = analyzer.OwnFileRule(r)
	}
	ruleOf := regexp.MustCompile(`^(project )?rule ([A-Z]{3}[0-9]{3}) failed`)
	var out []analyzer.Diagnostic
	for _, d := range res.Diagnostics {
		if d.Path != rel || !ans.Fresh(d.Code) {
			continue
		}
		if d.Code == analyzer.InternalError.Code {
			if m := ruleOf.FindStringSubmatch(d.Message); m != nil && (m[1] != "" || !own[m[2]]) {
				continue
			}
		}
		out = append(out, d)
	}
	return out
}

// allRulesAndSuppressionChecks is every rule, with the checks of
// suppression comments that are off by default.
func allRulesAndSuppressionChecks() []*analyzer.Rule {
	rules := analyzer.Select(all.Rules(), []string{"ALL"}, nil)
	for _, r := range []*analyzer.Rule{analyzer.UnusedSuppression, analyzer.UnknownSuppression} {
		if !slices.Contains(rules, r) {
			rules = append(rules, r)
		}
	}
	return rules
}

// The property the editor server's first answer rests on: for each sample
// submission, each file and a few edits of it, RunFile against the run of
// the unedited project finds, on that file, exactly what a whole run of
// the edited project finds there with the rules it answers for. The edits:
// a comment appended (the facts stay), a line inserted at the top (every
// fact moves: the index is rebuilt), a bare except added (new findings),
// a model field added (the model graph changes), a syntax error, and a
// noqa naming an unknown code.
func TestRunFileMatchesWholeRun(t *testing.T) {
	rules := allRulesAndSuppressionChecks()
	edits := []struct {
		name string
		edit func(string) string
	}{
		{"comment appended", func(s string) string { return s + "\n# edited\n" }},
		{"line inserted at the top", func(s string) string { return "# moved\n" + s }},
		{"bare except added", func(s string) string {
			return s + "\n\ndef added_by_test(path):\n    try:\n        return open(path).read()\n    except:\n        return None\n"
		}},
		{"model added", func(s string) string {
			return "from django.db import models\n" + s + "\n\nclass AddedByTest(models.Model):\n    note = models.TextField()\n"
		}},
		{"syntax error", func(s string) string { return s + "\ndef broken(:\n    pass\n" }},
		{"unknown noqa code", func(s string) string { return s + "\nx = 1  # noqa: ERR990\n" }},
	}
	samples, err := filepath.Glob(filepath.Join("..", "testdata", "submissions", "*"))
	require.NoError(t, err)
	require.NotEmpty(t, samples)
	compared, rebuilt := 0, 0
	for _, sample := range samples {
		dir := t.TempDir()
		copyTree(t, sample, dir)
		cfg := analyzer.Config{Rules: rules, Registry: all.Rules(), WorkDir: dir, Jobs: 2}
		prev, err := analyzer.Run(context.Background(), cfg, []string{dir})
		require.NoError(t, err)
		broken := map[string]bool{}
		for _, d := range prev.Diagnostics {
			broken[d.Path] = broken[d.Path] || d.Code == analyzer.SyntaxError.Code
		}
		inputs := analyzer.Discover([]string{dir}, dir, nil)
		for i, in := range inputs {
			data, err := os.ReadFile(in.Path)
			require.NoError(t, err)
			for k, e := range edits {
				// Every edit on a few files, the first on all: each
				// comparison is a whole run.
				if k > 0 && i%3 != 0 {
					continue
				}
				what := filepath.Base(sample) + "/" + in.Rel + ", " + e.name
				edited := e.edit(string(data))
				ans, err := analyzer.RunFile(context.Background(), cfg, prev, in.Rel, []byte(edited))
				require.NoError(t, err, what)
				if k == 0 && !broken[in.Rel] {
					// (A file with a syntax error may lose or gain facts
					// as the parser recovers differently.)
					assert.False(t, ans.Rebuilt, what+": the index is kept")
				}
				if ans.Rebuilt {
					rebuilt++
				}
				whole := cfg
				whole.Sources = map[string][]byte{in.Rel: []byte(edited)}
				res, err := analyzer.Run(context.Background(), whole, []string{dir})
				require.NoError(t, err)
				assert.Equal(t, freshIn(res, ans, in.Rel, rules), ans.Diagnostics, what)
				compared++
			}
		}
	}
	assert.Greater(t, compared, 60)
	assert.Greater(t, rebuilt, 10, "edits that change the facts")
}

// The edits above do produce findings, and an edit's new findings show:
// the comparison is not between two empty lists.
func TestRunFileSeesTheEdit(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, filepath.Join("..", "testdata", "submissions", "galileo"), dir)
	rules := allRulesAndSuppressionChecks()
	cfg := analyzer.Config{Rules: rules, Registry: all.Rules(), WorkDir: dir, Jobs: 2}
	prev, err := analyzer.Run(context.Background(), cfg, []string{dir})
	require.NoError(t, err)
	rel := "galileo/services.py"
	data, err := os.ReadFile(filepath.Join(dir, rel))
	require.NoError(t, err)
	src := string(data) + "\n\ndef added_by_test(path):\n    try:\n        return open(path).read()\n    except:  # noqa: ERR990\n        return None\n"
	ans, err := analyzer.RunFile(context.Background(), cfg, prev, rel, []byte(src))
	require.NoError(t, err)
	lines := strings.Count(src[:strings.Index(src, "    except:  # noqa")], "\n") + 1
	var codes []string
	for _, d := range ans.Diagnostics {
		if d.Pos.Line == lines {
			codes = append(codes, d.Code)
		}
	}
	assert.ElementsMatch(t, []string{"ERR001", "RUB003"}, codes)
	assert.True(t, ans.Fresh("ERR001"))
	assert.False(t, ans.Fresh("RUB002"), "unused suppressions wait for the whole run")

	_, err = analyzer.RunFile(context.Background(), cfg, prev, "galileo/new.py", []byte("x = 1\n"))
	assert.ErrorIs(t, err, analyzer.ErrNotKept)
}

// An edit that changes the file's facts is answered against an index
// rebuilt with them: a migration made to depend on an earlier one no
// longer sees the field the skipped migration added (MIG004 reads the
// schema state before the migration, from the other migrations' facts and
// this one's dependencies).
func TestRunFileRebuildsTheIndex(t *testing.T) {
	dir := t.TempDir()
	ar := txtar.Parse(must(os.ReadFile(filepath.Join("..", "testdata", "rules", "migrations", "MIG004.txtar"))))
	for _, f := range ar.Files {
		write(t, dir, f.Name, f.Data)
	}
	rules := allRulesAndSuppressionChecks()
	cfg := analyzer.Config{Rules: rules, Registry: all.Rules(), WorkDir: dir, Jobs: 2}
	prev, err := analyzer.Run(context.Background(), cfg, []string{dir})
	require.NoError(t, err)
	rel := "shop/migrations/0003_not_null.py"
	data := string(must(os.ReadFile(filepath.Join(dir, rel))))
	edited := strings.Replace(data, `dependencies = [("shop", "0002_reference")]`, `dependencies = [("shop", "0001_initial")]`, 1)
	require.NotEqual(t, data, edited)
	ans, err := analyzer.RunFile(context.Background(), cfg, prev, rel, []byte(edited))
	require.NoError(t, err)
	assert.True(t, ans.Rebuilt)
	whole := cfg
	whole.Sources = map[string][]byte{rel: []byte(edited)}
	res, err := analyzer.Run(context.Background(), whole, []string{dir})
	require.NoError(t, err)
	assert.Equal(t, freshIn(res, ans, rel, rules), ans.Diagnostics)
	assert.NotEqual(t, freshIn(prev, ans, rel, rules), ans.Diagnostics, "the edit changes the findings")
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
