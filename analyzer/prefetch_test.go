package analyzer

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

type countingTrees struct{ gets, puts int }

func (c *countingTrees) Get([]byte) *pyast.Tree  { c.gets++; return nil }
func (c *countingTrees) Put([]byte, *pyast.Tree) { c.puts++ }

// A prefetched tree is the tree a parse makes, handed out once to a Get
// of the same bytes; any other Get goes to Next.
func TestPrefetchedTreeIsHandedOutOnce(t *testing.T) {
	src := []byte("def f(x):\n    return [y for y in x if y]\n")
	next := &countingTrees{}
	p := &PrefetchTrees{Next: next}
	p.Start(src)
	p.Start(src) // once per content

	got := p.Get(append([]byte(nil), src...))
	require.NotNil(t, got)
	parser := pyast.NewParser()
	defer parser.Close()
	want, err := safeParse(0, parser, src)
	require.NoError(t, err)
	require.Equal(t, want.NodeCount(), got.NodeCount())
	shape := func(tr *pyast.Tree) (out []string) {
		pyast.Inspect(tr.Root(), func(n pyast.Node) bool { out = append(out, n.String()); return true })
		return out
	}
	assert.Equal(t, shape(want), shape(got))
	assert.Zero(t, next.gets)

	assert.Nil(t, p.Get(src), "handed out already")
	assert.Nil(t, p.Get([]byte("x = 1\n")))
	assert.Equal(t, 2, next.gets)
	p.Put(src, got)
	assert.Equal(t, 1, next.puts)
}
