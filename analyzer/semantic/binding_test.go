package semantic

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// Binding gives the value a name holds where it is read: the last
// assignment that ends before, skipping one in another clause of an if
// the read is in, and a walrus inside the assignment it ends with.
func TestBindingIsTheLastBeforeTheRead(t *testing.T) {
	m := load(t, `
-- app/mod.py --
def f(flag):
    x = 1
    x = 2
    if flag:
        x = 3
    else:
        use(x)
    use(x)
    x = (x := 5) + 1
    use(x)
    y = (x := 7) + use(x)
`)
	f := fileOf(t, m, "app/mod.py")
	var reads []pyast.Node
	for c := range pyast.FindEach(f.Unit.Tree.Root(), "call") {
		if pyast.Dotted(c.ChildByField("function")) == "use" {
			reads = append(reads, c.ChildByField("arguments").NamedChild(0))
		}
	}
	var got []string
	for _, r := range reads {
		got = append(got, f.Binding(r, "x", r.StartByte()).Text())
	}
	assert.Equal(t, []string{"2", "3", "(x := 5) + 1", "7"}, got)
	// Before any assignment: nothing.
	def := f.Unit.Tree.Root().NamedChild(0)
	assert.True(t, f.Binding(def, "x", def.StartByte()).IsNil())
}

// Thousands of rebindings and reads stay linear: each read is answered
// from the sorted assignments, not by reading them all.
func TestBindingManyRebindings(t *testing.T) {
	var b strings.Builder
	b.WriteString("-- app/mod.py --\n")
	for i := 0; i < 3000; i++ {
		b.WriteString("v = f(v)\n")
	}
	m := load(t, b.String())
	f := fileOf(t, m, "app/mod.py")
	n := 0
	for id := range pyast.FindEach(f.Unit.Tree.Root(), "argument_list") {
		a := id.NamedChild(0)
		if got := f.Binding(a, "v", a.StartByte()); n > 0 {
			assert.Equal(t, "f(v)", got.Text())
			assert.Less(t, got.EndByte(), a.StartByte())
		} else {
			assert.True(t, got.IsNil())
		}
		n++
	}
	assert.Equal(t, 3000, n)
}
