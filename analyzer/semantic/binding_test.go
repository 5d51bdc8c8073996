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

// A name read in a class body (outside its methods) is bound by the class
// body's earlier assignments first, as Python looks it up; a module name
// serves when the class binds none before the read, and a method's body
// never reads the class's names (Binding is local to the method there).
func TestBindingInClassBody(t *testing.T) {
	m := load(t, `
-- app/mod.py --
queryset = "module"


class View:
    other = queryset
    queryset = "first"
    queryset = queryset + "second"

    def get(self):
        return queryset
`)
	f := fileOf(t, m, "app/mod.py")
	var got []string
	for a := range pyast.FindEach(f.Unit.Tree.Root(), "assignment") {
		r := a.ChildByField("right")
		if r.Type() == "binary_operator" {
			r = r.ChildByField("left")
		}
		if r.Type() == "identifier" {
			got = append(got, f.Binding(r, "queryset", r.StartByte()).Text())
		}
	}
	assert.Equal(t, []string{`"module"`, `"first"`}, got)
	ret := pyast.FindAll(f.Unit.Tree.Root(), "return_statement")[0].NamedChild(0)
	assert.True(t, f.Binding(ret, "queryset", ret.StartByte()).IsNil(), "a method does not read the class body's names")
}

// A base named through a module-level alias of a class (`V3 = V1`, here
// imported from another module) is that class.
func TestBasesThroughModuleAlias(t *testing.T) {
	m := load(t, `
-- core/viewsets.py --
class V1:
    def get_serializer_class(self):
        return self.read_serializer_class


V3 = V1
-- app/views.py --
from core.viewsets import V3


class Projects(V3):
    read_serializer_class = None
`)
	f := fileOf(t, m, "app/views.py")
	c := f.ClassOfDef(pyast.FindAll(f.Unit.Tree.Root(), "class_definition")[0])
	if assert.NotNil(t, c) && assert.Len(t, c.Bases(), 1) {
		assert.Equal(t, "V1", c.Bases()[0].Name)
		assert.NotNil(t, c.Method("get_serializer_class"))
	}
}
