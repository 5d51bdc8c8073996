package pyast

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dottedByParts is Dotted without plainChain's shortcut: the name built a
// part at a time.
func dottedByParts(n Node) string {
	switch n.Type() {
	case "identifier", "dotted_name":
		return n.Text()
	case "attribute":
		obj := dottedByParts(n.ChildByField("object"))
		if obj == "" {
			return ""
		}
		return obj + "." + n.ChildByField("attribute").Text()
	}
	return ""
}

// Dotted's shortcut (the chain's text) gives what the parts give, also
// where the text is not the name: spaces, comments, continuations,
// calls and literals in the chain, non-ASCII names, syntax errors.
func TestDottedShortcutMatchesParts(t *testing.T) {
	src := "a.b.c\nx . y\nx.\\\n  y\n(x).y\nf().g.h\n1.0.real\n'a'.join\nx[0].y\n" +
		"é.b\nb.é\nx.y  # c\nobj.attr.deeper.still\nself.x.y = 2\nimport a.b.c\nimport a . b\n" +
		"a.b.\nx.y(\nz = (a\n .b)\n" + farSource[:200]
	tr, err := Parse([]byte(src))
	require.NoError(t, err)
	seen := map[string]bool{}
	for _, n := range FindAll(tr.Root(), "attribute", "identifier", "dotted_name") {
		want := dottedByParts(n)
		assert.Equal(t, want, Dotted(n), "%s %q", n.Type(), n.Text())
		seen[want] = true
	}
	for _, d := range []string{"a.b.c", "x.y", "obj.attr.deeper.still", "self.x.y", "é.b", "b.é"} {
		assert.True(t, seen[d], d)
	}
	assert.False(t, seen["1.0.real"])
}

// Named and NamedChildCount agree with NamedChildren on every node, and
// Named stops when the loop does.
func TestNamedMatchesNamedChildren(t *testing.T) {
	tr, err := Parse([]byte("import os\n\nclass A(B, metaclass=M):\n    def f(self, *a, **k):\n        # c\n        return [y for y in a if y], {k: v}\nx = (1,\n"))
	require.NoError(t, err)
	nodes := 0
	Inspect(tr.Root(), func(n Node) bool {
		var got []Node
		for c := range n.Named() {
			got = append(got, c)
		}
		want := n.NamedChildren()
		assert.Equal(t, want, got, "%s", n)
		assert.Equal(t, len(want), n.NamedChildCount(), "%s", n)
		if len(want) > 1 {
			k := 0
			for range n.Named() {
				k++
				break
			}
			assert.Equal(t, 1, k)
		}
		nodes++
		return true
	})
	assert.Greater(t, nodes, 30)
	assert.Equal(t, 0, Node{}.NamedChildCount())
	for range (Node{}).Named() {
		t.Fatal("the zero Node has no children")
	}
}

// NamedChildren and Statements gather up to 16 children on the stack and
// spill past that: both sides of the limit, comments between statements.
func TestStatementsAroundTheStackBuffer(t *testing.T) {
	for _, n := range []int{0, 1, 15, 16, 17, 40, 100} {
		var src strings.Builder
		for i := 0; i < n; i++ {
			fmt.Fprintf(&src, "x%d = %d\n# note %d\n", i, i, i)
		}
		tr, err := Parse([]byte(src.String()))
		require.NoError(t, err)
		root := tr.Root()
		var want []Node
		for c := range root.Named() {
			want = append(want, c)
		}
		assert.Equal(t, want, root.NamedChildren(), "%d", n)
		assert.Len(t, want, 2*n)
		st := Statements(root)
		require.Len(t, st, n)
		for i, s := range st {
			assert.Equal(t, fmt.Sprintf("x%d = %d", i, i), s.Text())
		}
	}
}

// FindEachShallow yields FindAllShallow's nodes, for every scope of a
// source with nested functions, classes and lambdas, and stops early.
func TestFindEachShallowMatchesFindAllShallow(t *testing.T) {
	src := "x = f(1)\ndef g(a=h()):\n    y = a.b(2)\n    class C:\n        z = k()\n        def m(self): return n()\n    " +
		"q = lambda v: w(v)\n    return q(y)\n@dec(p())\nclass D(E):\n    r = s()\nprint(x, lambda: t())\n"
	tr, err := Parse([]byte(src))
	require.NoError(t, err)
	scopes := append([]Node{tr.Root()}, FindAll(tr.Root(), "function_definition", "class_definition", "lambda", "block")...)
	total := 0
	for _, sc := range scopes {
		for _, types := range [][]string{{"call"}, {"identifier"}, {"call", "assignment"}, {"lambda"}, {"("}} {
			want := FindAllShallow(sc, types...)
			var got []Node
			for c := range FindEachShallow(sc, types...) {
				got = append(got, c)
			}
			assert.Equal(t, want, got, "%s %v", sc, types)
			total += len(want)
			if len(want) > 1 {
				k := 0
				for range FindEachShallow(sc, types...) {
					k++
					break
				}
				assert.Equal(t, 1, k)
			}
		}
	}
	assert.Greater(t, total, 50)
}

// EachStatement yields Statements' nodes and stops early.
func TestEachStatementMatchesStatements(t *testing.T) {
	tr, err := Parse([]byte("# a\nimport os\nx = 1  # b\nif x:\n    # c\n    y = 2\n    z = 3\nelse:\n    pass\n"))
	require.NoError(t, err)
	blocks := append([]Node{tr.Root(), {}}, FindAll(tr.Root(), "block")...)
	for _, b := range blocks {
		var got []Node
		for s := range EachStatement(b) {
			got = append(got, s)
		}
		assert.Equal(t, Statements(b), got, "%s", b)
	}
	assert.Len(t, Statements(tr.Root()), 3)
	k := 0
	for range EachStatement(tr.Root()) {
		k++
		break
	}
	assert.Equal(t, 1, k)
}

// collectImportsByWalk is CollectImports as a walk over every named node,
// the reference for the statements found through the type index.
func collectImportsByWalk(root Node) *Imports {
	im := &Imports{names: map[string]string{}}
	Inspect(root, func(n Node) bool {
		switch n.Type() {
		case "import_statement", "import_from_statement":
			im.add(n)
			return false
		case "future_import_statement":
			return false
		}
		return true
	})
	return im
}

// CollectImports finds what the walk over every node finds, in the same
// order, in clean and broken code: imports at module level, in functions,
// under if/try, aliased, relative, starred, cut short.
func TestCollectImportsMatchesWalk(t *testing.T) {
	base := "from __future__ import annotations\nimport os, os.path as osp, a.b.c\nfrom . import models\nfrom ..x import (y as z,\n  w)\n" +
		"from m import *\ntry:\n    import json\nexcept ImportError:\n    json = None\nif TYPE_CHECKING:\n    from t import U\n" +
		"def f():\n    import requests as r\n    from django.db import transaction\n    return r\nclass C:\n    import sys\n"
	var variants []string
	for i := 0; i <= len(base); i += 2 {
		variants = append(variants, base[:i], base[:i]+"("+base[i:], base[:i]+base[min(i+1, len(base)):])
	}
	found := 0
	for _, s := range variants {
		tr, err := Parse([]byte(s))
		require.NoError(t, err)
		a, b := CollectImports(tr.Root()), collectImportsByWalk(tr.Root())
		require.Equal(t, b.Modules, a.Modules, "%q", s)
		require.Equal(t, b.names, a.names, "%q", s)
		found += len(a.Modules)
	}
	assert.Greater(t, found, 1000)
}

// A string's quotes and prefix are left out of the tree (droppedLeaves):
// StringQuotes finds where they were, and its children are the content.
func TestStringQuotes(t *testing.T) {
	for _, c := range []struct{ src, open, content, close string }{
		{`x = "ab"`, `"`, `ab`, `"`},
		{`x = ''`, `'`, ``, `'`},
		{`x = rb'a\d'`, `rb'`, `a\d`, `'`},
		{`x = f"a{b}c"`, `f"`, `a{b}c`, `"`},
		{`x = """a"b"""`, `"""`, `a"b`, `"""`},
		{`x = F'''q'''`, `F'''`, `q`, `'''`},
		{`x = """"""`, `"""`, ``, `"""`},
	} {
		tr, err := Parse([]byte(c.src + "\n"))
		require.NoError(t, err)
		s := FindAll(tr.Root(), "string")[0]
		open, close, ok := StringQuotes(s)
		require.True(t, ok, c.src)
		src := tr.Src()
		assert.Equal(t, c.open, string(src[s.StartByte():open]), c.src)
		assert.Equal(t, c.content, string(src[open:close]), c.src)
		assert.Equal(t, c.close, string(src[close:s.EndByte()]), c.src)
		for _, k := range s.Children() {
			assert.NotContains(t, []string{"string_start", "string_end"}, k.Type(), c.src)
		}
	}
	tr, err := Parse([]byte("x = y\n"))
	require.NoError(t, err)
	_, _, ok := StringQuotes(FindAll(tr.Root(), "identifier")[0])
	assert.False(t, ok)
}

// TopClasses finds a module's classes by name: decorated ones, every one
// of a repeated name in order, and no nested class.
func TestTopClasses(t *testing.T) {
	src := []byte("class A:\n    class B:\n        pass\n\n@dec\nclass B(A):\n    pass\n\nclass A(B):\n    pass\n\ndef f():\n    class C:\n        pass\n")
	tree, err := Parse(src)
	require.NoError(t, err)
	root := tree.Root()
	line := func(n Node) int { return strings.Count(string(src[:n.StartByte()]), "\n") + 1 }
	var lines []int
	for _, c := range TopClasses(root, "A") {
		assert.Equal(t, "class_definition", c.Type())
		lines = append(lines, line(c))
	}
	assert.Equal(t, []int{1, 9}, lines)
	bs := TopClasses(root.NamedChild(0), "B") // asked from any node of the tree
	require.Len(t, bs, 1)
	assert.Equal(t, 6, line(bs[0]))
	assert.Empty(t, TopClasses(root, "C"))
	assert.Empty(t, TopClasses(Node{}, "A"))
}

// Memo computes once per tree and key, and keys of different types never
// meet.
func TestMemo(t *testing.T) {
	type keyA struct{ id int32 }
	type keyB struct{ id int32 }
	tree, err := Parse([]byte("x = 1\n"))
	require.NoError(t, err)
	n := tree.Root()
	calls := 0
	get := func() int { calls++; return calls }
	assert.Equal(t, 1, Memo(n, keyA{1}, get))
	assert.Equal(t, 1, Memo(n.NamedChild(0), keyA{1}, get))
	assert.Equal(t, 2, Memo(n, keyB{1}, get))
	assert.Equal(t, 3, Memo(n, keyA{2}, get))
	other, err := Parse([]byte("x = 1\n"))
	require.NoError(t, err)
	assert.Equal(t, 4, Memo(other.Root(), keyA{1}, get), "another tree has its own memo")
	assert.Equal(t, 5, Memo(Node{}, keyA{1}, get), "no tree: no memo")
}

// CallChain gives a method chain's calls from the outermost in, through
// parentheses, and stops at a receiver that is not a call.
func TestCallChain(t *testing.T) {
	tr, err := Parse([]byte("x = (Order.objects.filter(a=1)).order_by('b').first()\ny = f(g())\nz = Order.objects\n"))
	require.NoError(t, err)
	var got [][]string
	for st := range EachStatement(tr.Root()) {
		var names []string
		for c := range CallChain(st.NamedChild(0).ChildByField("right")) {
			names = append(names, c.MethodName())
		}
		got = append(got, names)
	}
	assert.Equal(t, [][]string{{"first", "order_by", "filter"}, {"f"}, nil}, got)
}

// CountOf counts what FindEach yields, for indexed and unindexed types,
// in every subtree.
func TestCountOfMatchesFindEach(t *testing.T) {
	src := "x = f(1)\ndef g(a=h()):\n    y = a.b(2)\n    class C:\n        z = k()\n        def m(self): return n()\n    " +
		"q = lambda v: w(v)\n    return q(y)\n@dec(p())\nclass D(E):\n    r = s()\nprint(x, lambda: t())\n"
	tr, err := Parse([]byte(src))
	require.NoError(t, err)
	nodes := append([]Node{tr.Root()}, FindAll(tr.Root(), "function_definition", "class_definition", "lambda", "block", "call")...)
	seen := 0
	for _, n := range nodes {
		for _, typ := range []string{"identifier", "call", "lambda", "(", "assignment", "no_such_type"} {
			want := 0
			for range FindEach(n, typ) {
				want++
			}
			assert.Equal(t, want, CountOf(n, typ), "%s %s", n, typ)
			seen += want
		}
	}
	assert.Greater(t, seen, 50)
	assert.Zero(t, CountOf(Node{}, "identifier"))
}

// EachKeyword goes in the call's order, whatever the map's, each name once
// with the value Keywords holds; a Call made by hand goes by name.
func TestEachKeywordKeepsTheCallsOrder(t *testing.T) {
	tr, err := Parse([]byte("f(1, zeta=2, alpha=3, *rest, mid=4, **more)\ng(a=1, a=2)\nh(1)\n"))
	require.NoError(t, err)
	calls := FindAll(tr.Root(), "call")
	require.Len(t, calls, 3)
	type kv struct{ name, value string }
	each := func(c Call) []kv {
		var out []kv
		for k, v := range c.EachKeyword() {
			out = append(out, kv{k, v.Text()})
		}
		return out
	}
	for range 20 {
		f, _ := AsCall(calls[0])
		assert.Equal(t, []kv{{"zeta", "2"}, {"alpha", "3"}, {"mid", "4"}}, each(f))
	}
	g, _ := AsCall(calls[1])
	assert.Equal(t, []kv{{"a", "2"}}, each(g))
	h, _ := AsCall(calls[2])
	assert.Empty(t, each(h))
	f, _ := AsCall(calls[0])
	byHand := Call{Keywords: f.Keywords}
	assert.Equal(t, []kv{{"alpha", "3"}, {"mid", "4"}, {"zeta", "2"}}, each(byHand))
	for k := range f.EachKeyword() {
		assert.Equal(t, "zeta", k, "stops when the loop breaks")
		break
	}
}
