package analyzer_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

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
				require.Equal(t, len(u.File.Src()), int(u.Tree.Root().EndByte()), u.Rel())
			}
		}
	}
	require.Greater(t, tests, 2, "the submissions have test modules")
}

// A test module and a product module of the same bytes share one tree in
// the fix rounds' cache (by content): the test trees are then kept, and a
// dropped tree never reloads through such a cache (it would hand back the
// tree being loaded: the run used to deadlock).
func TestDropTestTreesWithSharedTrees(t *testing.T) {
	dir := t.TempDir()
	src := []byte("import logging\n\nlogger = logging.getLogger(__name__)\n\n\ndef load(path):\n    try:\n        return open(path).read()\n    except OSError:\n        logger.error(\"cannot read %s\", path)\n        raise\n")
	for _, rel := range []string{"app/__init__.py", "app/io.py", "app/tests/__init__.py", "app/tests/test_io.py"} {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		data := src
		if filepath.Base(rel) == "__init__.py" {
			data = nil
		}
		require.NoError(t, os.WriteFile(p, data, 0o644))
	}
	rules := analyzer.Select(all.Rules(), []string{"ALL"}, nil)
	done := make(chan error, 1)
	go func() {
		_, err := analyzer.FixRounds(context.Background(), analyzer.Config{Rules: rules, WorkDir: dir, DropTestTrees: true}, []string{dir}, analyzer.FixOptions{})
		done <- err
	}()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(time.Minute):
		t.Fatal("the fix rounds did not finish")
	}
}
