package project_test

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// A summary rule may read only analyses whose results are plain values
// with a digest: a result holding nodes or units hands out other files'
// trees, which no record sees.
func TestDigestibleNeedsADigestAndPlainResults(t *testing.T) {
	type plain struct {
		Names map[string][]string
		N     int
	}
	digest := func(any) []byte { return nil }
	for _, c := range []struct {
		a    project.Analysis
		want bool
	}{
		{&project.ProjectAnalysis[map[string]bool]{Name: "set", Digest: project.DigestSet}, true},
		{&project.ProjectAnalysis[map[string]bool]{Name: "set, no digest"}, false},
		{&project.ProjectAnalysis[plain]{Name: "struct", Digest: func(p plain) []byte { return digest(p) }}, true},
		{&project.ProjectAnalysis[[]pyast.Node]{Name: "nodes", Digest: func(n []pyast.Node) []byte { return digest(n) }}, false},
		{&project.ProjectAnalysis[map[*project.Unit]bool]{Name: "units", Digest: func(m map[*project.Unit]bool) []byte { return digest(m) }}, false},
		{&project.FileAnalysis[[]string]{Name: "file, no digest"}, true},
		{&project.FileAnalysis[[]pyast.Node]{Name: "file nodes"}, false},
	} {
		assert.Equal(t, c.want, project.Digestible(c.a), c.a.AnalysisName())
	}
	assert.False(t, project.PlainType(reflect.TypeFor[any]()), "an interface may hold anything")
}

// The digests are canonical: a set's order of insertion, a map's order of
// keys, do not show; a list's order does.
func TestDigestsAreCanonical(t *testing.T) {
	assert.Equal(t, project.DigestSet(map[string]bool{"a": true, "b": true, "c": false}), project.DigestSet(map[string]bool{"b": true, "a": true}))
	assert.NotEqual(t, project.DigestStrings([]string{"a", "b"}), project.DigestStrings([]string{"b", "a"}))
	assert.NotEqual(t, project.DigestStrings([]string{"ab"}), project.DigestStrings([]string{"a", "b"}), "lengths separate the strings")
	assert.Equal(t, project.DigestLists(map[string][]string{"x": {"1"}, "y": nil}), project.DigestLists(map[string][]string{"y": {}, "x": {"1"}}))
	assert.NotEqual(t, project.DigestLists(map[string][]string{"x": {"1", "2"}}), project.DigestLists(map[string][]string{"x": {"1"}, "2": nil}))
}

// Building, when set, runs each project analysis's build once, named, and
// the result is the build's.
func TestBuildingRunsEachBuildNamed(t *testing.T) {
	var names []string
	project.Building = func(name string, build func()) {
		names = append(names, name)
		build()
	}
	t.Cleanup(func() { project.Building = nil })
	a := &project.ProjectAnalysis[int]{Name: "probe", Run: func(*project.Index) int { return 7 }}
	ix := project.Build(nil)
	assert.Equal(t, 7, a.Get(ix))
	assert.Equal(t, 7, a.Get(ix))
	assert.Equal(t, []string{"probe"}, names)
}
