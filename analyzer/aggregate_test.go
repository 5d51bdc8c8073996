package analyzer_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer"
)

func TestAggregate(t *testing.T) {
	dir := t.TempDir()
	// one(): three repeats, collapsed into one finding with two related
	// locations. two(): a single finding, untouched. Module level: two
	// repeats, collapsed for the file.
	write(t, dir, "app/a.py", []byte(`boom()
boom()

def one():
    boom()
    boom()
    boom()

def two():
    boom()
`))
	// Five functions with repeats: more than PerFile groups, so the
	// file's findings become one.
	var many []byte
	for _, f := range []string{"f1", "f2", "f3", "f4", "f5"} {
		many = append(many, []byte("def "+f+"():\n    boom()\n    boom()\n\n")...)
	}
	write(t, dir, "app/b.py", many)
	res := run(t, dir, 1)
	require.Len(t, res.Diagnostics, 16)

	got := analyzer.Aggregate(res.Diagnostics, res.Index, analyzer.AggregateOptions{})
	require.Len(t, got, 4, "a.py: module, one(), two(); b.py: one for the file")
	assert.Len(t, res.Diagnostics, 16, "the input is not modified")

	mod, one, two, b := got[0], got[1], got[2], got[3]
	assert.Equal(t, 1, mod.Pos.Line)
	assert.Equal(t, "boom called (and 1 more like it in this file)", mod.Message)
	require.Len(t, mod.Related, 1)
	assert.Equal(t, 2, mod.Related[0].Pos.Line)

	assert.Equal(t, 5, one.Pos.Line)
	assert.Equal(t, "boom called (and 2 more like it in `one`)", one.Message)
	require.Len(t, one.Related, 2)
	assert.Equal(t, []int{6, 7}, []int{one.Related[0].Pos.Line, one.Related[1].Pos.Line})
	assert.Equal(t, "also ERR999: boom called", one.Related[0].Message)

	assert.Equal(t, "boom called", two.Message)
	assert.Empty(t, two.Related)

	assert.Equal(t, "app/b.py", b.Path)
	assert.Equal(t, "boom called (and 9 more like it in this file)", b.Message)
	assert.Len(t, b.Related, 9)

	// A Distinct rule (each finding its own fix) collapses within a
	// function only: b.py keeps one finding per function.
	distinct := *res.Rules[len(res.Rules)-1]
	distinct.Distinct = true
	got = analyzer.Aggregate(res.Diagnostics, res.Index, analyzer.AggregateOptions{Rules: []*analyzer.Rule{&distinct}})
	require.Len(t, got, 8, "a.py: module, one(), two(); b.py: five functions")
	assert.Equal(t, "boom called (and 1 more like it in `f1`)", got[3].Message)

	// A Habit rule (one comment covers the run) collapses across files.
	habit := *res.Rules[len(res.Rules)-1]
	habit.Habit = true
	got = analyzer.Aggregate(res.Diagnostics, res.Index, analyzer.AggregateOptions{Rules: []*analyzer.Rule{&habit}})
	require.Len(t, got, 1)
	assert.Equal(t, "app/a.py", got[0].Path)
	assert.Equal(t, 1, got[0].Pos.Line)
	assert.Equal(t, "boom called (and 15 more like it in the project)", got[0].Message)
	assert.Len(t, got[0].Related, 15)

	// A FileHabit rule (one comment covers a file) collapses each file's
	// findings into one, however few functions they are in.
	fileHabit := *res.Rules[len(res.Rules)-1]
	fileHabit.FileHabit = true
	got = analyzer.Aggregate(res.Diagnostics, res.Index, analyzer.AggregateOptions{Rules: []*analyzer.Rule{&fileHabit}})
	require.Len(t, got, 2, "one for a.py, one for b.py")
	assert.Equal(t, "boom called (and 5 more like it in this file)", got[0].Message)
	assert.Equal(t, "app/b.py", got[1].Path)
	assert.Equal(t, "boom called (and 9 more like it in this file)", got[1].Message)

	// PerFile < 0 keeps one finding per function.
	got = analyzer.Aggregate(res.Diagnostics, res.Index, analyzer.AggregateOptions{PerFile: -1})
	assert.Len(t, got, 3+5)

	// Without an index (a cached result) the file is the only scope.
	got = analyzer.Aggregate(res.Diagnostics, nil, analyzer.AggregateOptions{})
	require.Len(t, got, 2)
	assert.Equal(t, "boom called (and 5 more like it in this file)", got[0].Message)
}

func TestAggregateKeepsSeveritiesApart(t *testing.T) {
	ds := []analyzer.Diagnostic{
		{Code: "X", Path: "a.py", Range: analyzer.Range{Start: 1, End: 2}, Message: "m", Severity: analyzer.Warning, Confidence: analyzer.Low},
		{Code: "X", Path: "a.py", Range: analyzer.Range{Start: 3, End: 4}, Message: "m", Severity: analyzer.Warning, Confidence: analyzer.High},
		{Code: "X", Path: "a.py", Range: analyzer.Range{Start: 5, End: 6}, Message: "an error", Severity: analyzer.Error},
		{Code: "Y", Path: "a.py", Range: analyzer.Range{Start: 5, End: 6}, Message: "other rule", Severity: analyzer.Info},
	}
	got := analyzer.Aggregate(ds, nil, analyzer.AggregateOptions{})
	require.Len(t, got, 3, "the two warnings collapse; the error of the same rule is its own problem")
	assert.Equal(t, analyzer.Warning, got[0].Severity)
	assert.Equal(t, analyzer.High, got[0].Confidence, "the highest confidence of the group")
	assert.Equal(t, 1, got[0].Start)
	assert.Equal(t, "m (and 1 more like it in this file)", got[0].Message)
	assert.Equal(t, "an error", got[1].Message)
	assert.Equal(t, analyzer.Error, got[1].Severity)
	assert.Equal(t, "other rule", got[2].Message)
}

// A Distinct rule's findings in the bodies of two classes (two views'
// class attributes) are two places; other rules fold them as module level.
func TestAggregateDistinctKeepsClassesApart(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "app/views.py", []byte(`class A:
    x = boom()


class B:
    x = boom()

    def m(self):
        boom()
        boom()
`))
	res := run(t, dir, 1)
	require.Len(t, res.Diagnostics, 4)
	got := analyzer.Aggregate(res.Diagnostics, res.Index, analyzer.AggregateOptions{})
	require.Len(t, got, 2, "module level (both class bodies) and B.m")
	assert.Equal(t, "boom called (and 1 more like it in this file)", got[0].Message)

	distinct := *res.Rules[len(res.Rules)-1]
	distinct.Distinct = true
	got = analyzer.Aggregate(res.Diagnostics, res.Index, analyzer.AggregateOptions{Rules: []*analyzer.Rule{&distinct}})
	require.Len(t, got, 3, "A, B and B.m")
	assert.Equal(t, "boom called", got[0].Message)
	assert.Equal(t, "boom called", got[1].Message)
	assert.Equal(t, "boom called (and 1 more like it in `B.m`)", got[2].Message)
}

// An OnePerMessage rule's findings with one message are one defect seen
// from several places (a missing index named by its column): they collapse
// into one for the run, at the first, whatever file or function they are
// in. Findings with another message, or of another rule, are grouped as
// before.
func TestAggregateOnePerMessage(t *testing.T) {
	ds := []analyzer.Diagnostic{
		{Code: "X", Path: "b.py", Range: analyzer.Range{Start: 1, End: 2}, Message: "no index covers `token`", Severity: analyzer.Info},
		{Code: "X", Path: "a.py", Range: analyzer.Range{Start: 5, End: 6}, Message: "no index covers `token`", Severity: analyzer.Info},
		{Code: "X", Path: "a.py", Range: analyzer.Range{Start: 9, End: 10}, Message: "no index covers `uuid`", Severity: analyzer.Info},
		{Code: "Y", Path: "b.py", Range: analyzer.Range{Start: 5, End: 6}, Message: "no index covers `token`", Severity: analyzer.Info},
	}
	rule := &analyzer.Rule{Code: "X", OnePerMessage: true}
	got := analyzer.Aggregate(ds[:2], nil, analyzer.AggregateOptions{Rules: []*analyzer.Rule{rule}})
	require.Len(t, got, 1, "one missing index, seen from two files")
	assert.Equal(t, "a.py", got[0].Path)
	assert.Equal(t, 5, got[0].Start)
	assert.Equal(t, "no index covers `token`", got[0].Message, "the message names the defect; the places are related locations")
	require.Len(t, got[0].Related, 1)
	assert.Equal(t, "b.py", got[0].Related[0].Path)
	assert.Equal(t, "also X: no index covers `token`", got[0].Related[0].Message)

	// Then the usual grouping: a.py's two X findings (module level, no
	// index) are one for the file; Y is another rule.
	got = analyzer.Aggregate(ds, nil, analyzer.AggregateOptions{Rules: []*analyzer.Rule{rule}})
	require.Len(t, got, 2)
	assert.Equal(t, "no index covers `token` (and 1 more like it in this file)", got[0].Message)
	require.Len(t, got[0].Related, 2)
	assert.Equal(t, "b.py", got[0].Related[0].Path)
	assert.Equal(t, "also X: no index covers `uuid`", got[0].Related[1].Message)
	assert.Equal(t, "Y", got[1].Code)

	// Without the flag, the same findings stay one per file.
	got = analyzer.Aggregate(ds, nil, analyzer.AggregateOptions{})
	assert.Len(t, got, 3, "a.py's two X findings collapse; b.py keeps its X and its Y")
}
