package pyast_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

func TestOneLine(t *testing.T) {
	tree, err := pyast.Parse([]byte("x = (a and\n     b)\ny = 'ééééé'\n"))
	if err != nil {
		t.Fatal(err)
	}
	root := tree.Root()
	first := pyast.Statements(root)[0]
	assert.Equal(t, "x = (a and b)", pyast.OneLine(first, 60))
	assert.Equal(t, "x = (a...", pyast.OneLine(first, 9))
	second := pyast.Statements(root)[1]
	// "y = 'éé" is 9 bytes: the cut falls inside the third é and moves back.
	assert.Equal(t, "y = 'é...", pyast.OneLine(second, 11))

	// A cut right after a dot does not print four dots.
	tree, err = pyast.Parse([]byte("ok = not valid(ts) and cache.get(key)\n"))
	if err != nil {
		t.Fatal(err)
	}
	assert.Equal(t, "ok = not valid(ts) and cache...", pyast.OneLine(pyast.Statements(tree.Root())[0], 32))

	// Comments inside a chained call are not code to quote.
	tree, err = pyast.Parse([]byte("s = (\n    Schedule.objects.filter(pk=pk)  # the owner's?\n    .first()\n)\n"))
	if err != nil {
		t.Fatal(err)
	}
	assert.Equal(t, "s = ( Schedule.objects.filter(pk=pk) .first() )", pyast.OneLine(pyast.Statements(tree.Root())[0], 80))
}
