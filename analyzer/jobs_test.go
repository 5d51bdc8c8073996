package analyzer_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/printer"
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
