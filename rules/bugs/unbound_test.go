package bugs

import (
	"fmt"
	"testing"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// merge joins path states held as bit sets over the locals' numbers as it
// did over name sets: bound on every live path is bound; bound on some
// only is unbound on some paths at the merging statement, which replaces
// what a path said; a path's own unbound-on-some-paths names stay, the
// last path's statement kept; a path no one reaches counts for nothing.
// Seventy locals, so that the sets span two words.
func TestMergeKeepsWhatNameSetsSaid(t *testing.T) {
	tree, err := pyast.Parse([]byte("if a:\n    pass\nif b:\n    pass\nif c:\n    pass\n"))
	if err != nil {
		t.Fatal(err)
	}
	ifs := pyast.FindAll(tree.Root(), "if_statement")
	stmt, earlier, other := ifs[0], ifs[1], ifs[2]
	u := &unboundWalk{ids: map[string]int32{}}
	for i := range 70 {
		u.addLocal(fmt.Sprintf("v%d", i))
	}
	u.addLocal("v3") // numbered once
	if u.nids != 70 {
		t.Fatalf("%d numbers for 70 names", u.nids)
	}
	name := func(k int) string { return fmt.Sprintf("v%d", k) }
	a, b, dead := u.entry(), u.entry(), u.entry()
	for _, k := range []int{1, 2, 65, 66} {
		a.bind(name(k))
	}
	for _, k := range []int{2, 3, 66, 67} {
		b.bind(name(k))
	}
	a.maybe[5], a.maybe[68] = earlier, earlier
	b.maybe[5], b.maybe[69] = other, other
	b.maybe[1] = other // bound on a's path, unbound on some of b's
	dead.top = true
	dead.bind(name(10))
	out := merge(stmt, a, dead, b)
	bound := map[int]bool{2: true, 66: true}
	maybe := map[int]pyast.Node{1: stmt, 3: stmt, 65: stmt, 67: stmt, 5: other, 68: earlier, 69: other}
	for k := range 70 {
		if got := out.defined(int32(k)); got != bound[k] {
			t.Errorf("%s bound on every path: %v, want %v", name(k), got, bound[k])
		}
		if got, want := out.maybe[k], maybe[k]; got.ID() != want.ID() || got.IsNil() != want.IsNil() {
			t.Errorf("%s unbound on some paths at %d, want %d", name(k), got.ID(), want.ID())
		}
	}
	if out.top {
		t.Error("a live path reaches past the merge")
	}
	if all := merge(stmt, dead, dead); !all.top || all.defined(10) || len(all.maybe) != 70 {
		t.Error("no live path: the merge is unreached, with nothing bound")
	}
	// A copy is apart from its state.
	c := a.copy()
	c.bind(name(5))
	if a.defined(5) || a.maybe[5].IsNil() || !c.defined(5) || !c.maybe[5].IsNil() {
		t.Error("binding a copy changed its state")
	}
	// A name that is not a local is not followed.
	c.bind("self")
	if len(c.def) != 2 || len(c.maybe) != 70 {
		t.Error("a name that is not local was given a number")
	}
}
