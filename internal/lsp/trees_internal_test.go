package lsp

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// The tree cache drops what an analysis did not use, unless it used
// nothing at all: an analysis whose findings were all reused (a save that
// changed nothing) reads no tree, and the next one needs them all.
func TestMemTreesKeepTreesAcrossAnAnalysisThatReadNone(t *testing.T) {
	c := &memTrees{m: map[[32]byte]*memTree{}}
	var _ analyzer.MemoryTrees = c
	a, b := []byte("a = 1\n"), []byte("b = 2\n")
	ta, err := pyast.Parse(a)
	require.NoError(t, err)
	tb, err := pyast.Parse(b)
	require.NoError(t, err)
	c.startRun()
	c.Put(a, ta)
	c.Put(b, tb)
	c.endRun()

	c.startRun() // reads nothing
	c.endRun()
	assert.Same(t, ta, c.Get(a))
	assert.Same(t, tb, c.Get(b))

	c.startRun() // a first answer reads b: not the analysis's use
	assert.Same(t, tb, answerTrees{c}.Get(b))
	c.endRun()
	assert.Same(t, ta, c.Get(a), "an analysis that read no tree drops none")

	c.startRun() // reads a only
	assert.Same(t, ta, c.Get(a))
	c.endRun()
	assert.Same(t, ta, c.Get(a))
	assert.Nil(t, c.Get(b), "b was not read by the last analysis")
}
