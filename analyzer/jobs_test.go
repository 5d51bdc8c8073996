package analyzer_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/printer"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/rules/all"
)

// Every rule over the sample Django submissions (several apps, models,
// migrations, views, serializers, templates, Celery tasks) prints the same
// bytes whatever the worker count: the project analyses, the semantic
// model and the per-file rules must not depend on the order files are
// loaded or analysed in.
func TestAllRulesSameOutputAtAnyJobs(t *testing.T) {
	dir, err := filepath.Abs("../testdata/submissions")
	require.NoError(t, err)
	rules := analyzer.Select(all.Rules(), []string{"ALL"}, nil)
	out := func(jobs int) []byte {
		res, err := analyzer.Run(context.Background(), analyzer.Config{Rules: rules, WorkDir: dir, Jobs: jobs}, []string{dir})
		require.NoError(t, err)
		require.Greater(t, len(res.Diagnostics), 20, "the submissions have findings")
		p, err := printer.New("json", printer.Options{})
		require.NoError(t, err)
		var b bytes.Buffer
		require.NoError(t, p.Print(&b, res))
		return b.Bytes()
	}
	want := out(1)
	for _, jobs := range []int{2, 3, 8} {
		require.Equal(t, string(want), string(out(jobs)), "-j %d", jobs)
	}
}

// Dropping test modules' trees after their rules ran changes nothing a
// printer shows, at any worker count, and a dropped tree read after the
// run is parsed again.
func TestDropTestTreesSameOutput(t *testing.T) {
	dir, err := filepath.Abs("../testdata/submissions")
	require.NoError(t, err)
	rules := analyzer.Select(all.Rules(), []string{"ALL"}, nil)
	run := func(jobs int, drop bool) (*analyzer.Result, []byte) {
		res, err := analyzer.Run(context.Background(), analyzer.Config{Rules: rules, WorkDir: dir, Jobs: jobs, DropTestTrees: drop}, []string{dir})
		require.NoError(t, err)
		p, err := printer.New("json", printer.Options{})
		require.NoError(t, err)
		var b bytes.Buffer
		require.NoError(t, p.Print(&b, res))
		return res, b.Bytes()
	}
	_, want := run(2, false)
	tests := 0
	for _, jobs := range []int{1, 2} {
		res, got := run(jobs, true)
		require.Equal(t, string(want), string(got), "-j %d", jobs)
		for _, u := range res.Index.Units {
			if semantic.RolesOf(u).Any(semantic.Test) {
				tests++
				require.Equal(t, "module", u.Tree.Root().Type(), u.Rel())
				require.Equal(t, len(u.File.Src), int(u.Tree.Root().EndByte()), u.Rel())
			}
		}
	}
	require.Greater(t, tests, 2, "the submissions have test modules")
}
