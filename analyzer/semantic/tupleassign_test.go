package semantic

import (
	"testing"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// The walks unpackedCall and parallelEmpty made before tupleAssigns
// listed a scope's tuple assignments once.
func unpackedCallWalk(f *File, n pyast.Node) (call pyast.Node, idx, arity int) {
	name := n.Text()
	for a := range pyast.FindEachShallow(ScopeOf(n), "assignment") {
		if a.EndByte() > n.StartByte() {
			break
		}
		l, r := a.ChildByField("left"), pyast.Unparen(a.ChildByField("right"))
		if !l.Is("pattern_list", "tuple_pattern") || exclusive(a, n) {
			continue
		}
		for i, x := range l.NamedChildren() {
			if x.Type() == "identifier" && x.Text() == name {
				call, idx, arity = pyast.Node{}, -1, 0
				if r.Type() == "call" {
					call, idx, arity = r, i, l.NamedChildCount()
				}
			}
		}
	}
	return call, idx, arity
}

func parallelEmptyWalk(n pyast.Node) bool {
	name := n.Text()
	found := false
	for a := range pyast.FindEachShallow(ScopeOf(n), "assignment") {
		if a.EndByte() > n.StartByte() {
			break
		}
		r := a.ChildByField("right")
		if !r.Is("expression_list", "tuple") {
			continue
		}
		if e := parallelElement(r, name); !e.Equal(r) {
			found = emptyList(e)
		}
	}
	return found
}

// TestTupleAssignsReadLikeTheWalk reads every name of a module with
// unpackings, parallel assignments, chained assignments and nested
// definitions both ways and requires the same answers.
func TestTupleAssignsReadLikeTheWalk(t *testing.T) {
	m := load(t, `
-- shop/views.py --
from .helpers import paginate, split

past, future = [], []
a = b, c = 1, 2
head, tail = split(1)


def view(request, qs):
    x = 1
    paginator, page = paginate(qs, request)
    use(page, paginator)
    done, todo = [], list()
    if request.GET:
        page, extra = paginate(qs.filter(a=1), request)
        use(page)
    elif request.POST:
        use(page, extra)
    else:
        done, left = [], [1]
    use(done, todo, left)
    y = z = w, v = [], []
    use(y, z, w, v)

    def inner(k):
        page, other = split(k)
        return page, other

    for i in range(3):
        first, second = (split(i), [])
        use(first, second)
    lam = lambda: (past, future)
    (p, q), r = split(2), []
    use(p, q, r, page, todo, head, tail)
    page, paginator = paginator.page(2), None
    return page


class V:
    rows, more = [], []

    def get(self):
        rows, more = paginate(self.rows, None)
        return rows, more
`)
	n := 0
	for _, f := range m.Files() {
		for id := range pyast.FindEach(f.Unit.Tree.Root(), "identifier") {
			n++
			wc, wi, wa := unpackedCallWalk(f, id)
			gc, gi, ga := f.unpackedCall(id)
			if !wc.Equal(gc) || wi != gi || wa != ga {
				t.Errorf("unpackedCall(%s at %d) = %v %d %d, the walk %v %d %d", id.Text(), id.StartByte(), gc, gi, ga, wc, wi, wa)
			}
			if w, g := parallelEmptyWalk(id), f.parallelEmpty(id); w != g {
				t.Errorf("parallelEmpty(%s at %d) = %v, the walk %v", id.Text(), id.StartByte(), g, w)
			}
		}
	}
	if n < 100 {
		t.Fatalf("only %d names read", n)
	}
}
