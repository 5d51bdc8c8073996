package lsp

import (
	"testing"

	"github.com/stretchr/testify/assert"
	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/source"
)

// A document shows the newest answer: a later version's, and for one
// version the whole analysis's over the first answer.
func TestPublishKeepsTheNewestAnswer(t *testing.T) {
	s := New(Options{})
	uri := protocol.DocumentUri("file:///a.py")
	none := []protocol.Diagnostic{}
	assert.True(t, s.publish(uri, 2, false, none), "first answer of 2")
	assert.False(t, s.publish(uri, 1, true, none), "a whole analysis of 1 finishing late")
	assert.True(t, s.publish(uri, 2, true, none), "the whole analysis of 2 replaces its first answer")
	assert.False(t, s.publish(uri, 2, false, none), "a first answer of 2 does not replace its whole analysis")
	assert.True(t, s.publish(uri, 2, true, none), "another whole analysis of 2 (another file changed)")
	assert.True(t, s.publish(uri, 3, false, none))
	assert.False(t, s.publish(uri, 2, true, none))
	s.forget(uri) // closed, or opened again: versions start again
	assert.True(t, s.publish(uri, 1, true, none))
}

func at(line int) analyzer.Diagnostic {
	return analyzer.Diagnostic{Path: "a.py", Pos: source.Position{Line: line}, EndPos: source.Position{Line: line}}
}

// The last analysis's findings are kept outside the lines a change
// touched, moved by the lines it added or removed.
func TestChangedLinesMoveFindings(t *testing.T) {
	old := []byte("a\nb\nc\nd\ne\n")
	for _, tc := range []struct {
		name string
		new  string
		want map[int]int // old line -> new line (-1: dropped)
	}{
		{"nothing changed", "a\nb\nc\nd\ne\n", map[int]int{1: 1, 3: 3, 5: 5}},
		{"line inserted", "a\nb\nX\nc\nd\ne\n", map[int]int{2: 2, 3: 4, 5: 6}},
		{"line changed", "a\nb\nX\nd\ne\n", map[int]int{2: 2, 3: -1, 4: 4}},
		{"two lines removed", "a\nd\ne\n", map[int]int{1: 1, 2: -1, 3: -1, 4: 2, 5: 3}},
		{"line split", "a\nb\nc1\nc2\nd\ne\n", map[int]int{2: 2, 3: -1, 4: 5}},
		{"appended", "a\nb\nc\nd\ne\nf\n", map[int]int{5: 5}},
	} {
		ch := changedLines(old, []byte(tc.new))
		for from, to := range tc.want {
			d, ok := ch.move(at(from))
			if to < 0 {
				assert.False(t, ok, "%s: line %d is dropped", tc.name, from)
				continue
			}
			if assert.True(t, ok, "%s: line %d is kept", tc.name, from) {
				assert.Equal(t, to, d.Pos.Line, "%s: line %d", tc.name, from)
				assert.Equal(t, to, d.EndPos.Line, "%s: line %d", tc.name, from)
			}
		}
	}
	// A finding spanning the change is dropped.
	ch := changedLines(old, []byte("a\nb\nX\nd\ne\n"))
	d := at(2)
	d.EndPos.Line = 4
	_, ok := ch.move(d)
	assert.False(t, ok)
}
