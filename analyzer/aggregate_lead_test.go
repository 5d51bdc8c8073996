package analyzer_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/source"
)

// A project-wide (Habit) group is shown at the first of its sites with the
// group's highest confidence, product code before test code: a generic
// raise in a test helper, low, does not lead a group whose high site is in
// a view (intake's behave steps before its health check, session 27).
func TestAggregateHabitLead(t *testing.T) {
	rule := &analyzer.Rule{Code: "X001", Habit: true}
	at := func(path string, line int, c analyzer.Confidence) analyzer.Diagnostic {
		return analyzer.Diagnostic{Code: "X001", Path: path, Confidence: c, Message: "generic raise",
			Pos: source.Position{Line: line, Column: 1}, EndPos: source.Position{Line: line, Column: 2}}
	}
	ds := []analyzer.Diagnostic{
		at("app/features/steps/steps.py", 3, analyzer.High),
		at("app/health/urls.py", 12, analyzer.High),
		at("app/tests/conftest.py", 1, analyzer.Low),
		at("app/views.py", 40, analyzer.Medium),
	}
	got := analyzer.Aggregate(ds, nil, analyzer.AggregateOptions{Rules: []*analyzer.Rule{rule}})
	require.Len(t, got, 1)
	assert.Equal(t, "app/health/urls.py", got[0].Path)
	assert.Equal(t, analyzer.High, got[0].Confidence)
	assert.Equal(t, "generic raise (and 3 more like it in the project)", got[0].Message)
	require.Len(t, got[0].Related, 3)
	assert.Equal(t, "app/features/steps/steps.py", got[0].Related[0].Path)

	// Equal confidence, product code only: the first site in path order.
	ds = []analyzer.Diagnostic{at("app/b.py", 1, analyzer.Medium), at("app/a.py", 1, analyzer.Medium)}
	got = analyzer.Aggregate(ds, nil, analyzer.AggregateOptions{Rules: []*analyzer.Rule{rule}})
	require.Len(t, got, 1)
	assert.Equal(t, "app/a.py", got[0].Path)
}
