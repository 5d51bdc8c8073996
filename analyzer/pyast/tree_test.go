package pyast

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"unsafe"

	sitter "github.com/smacker/go-tree-sitter"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConvertShapes(t *testing.T) {
	src := []byte("import requests as r\nfrom django.db import models\n\ndef f(x):\n    r.post(\"u\", timeout=3)\n")
	tr, err := Parse(src)
	require.NoError(t, err)
	root := tr.Root()
	assert.Equal(t, "module", root.Type())
	calls := FindAll(root, "call")
	require.Len(t, calls, 1)
	c, ok := AsCall(calls[0])
	require.True(t, ok)
	assert.Equal(t, "r.post", Dotted(c.Func))
	assert.Equal(t, "3", c.Keyword("timeout").Text())
	im := CollectImports(root)
	q, ok := im.Resolve(c.Func)
	assert.True(t, ok)
	assert.Equal(t, "requests.post", q)
	q, ok = im.ResolveDotted("models.ForeignKey")
	assert.True(t, ok)
	assert.Equal(t, "django.db.models.ForeignKey", q)
	fn := EnclosingFunction(calls[0])
	assert.Equal(t, "f", DefName(fn))
	assert.True(t, FirstError(root).IsNil())
}

func TestDeepNestingIsTruncatedNotFatal(t *testing.T) {
	src := []byte("x = " + strings.Repeat("(", 5000) + "1" + strings.Repeat(")", 5000) + "\n")
	tr, err := Parse(src)
	require.NoError(t, err)
	assert.True(t, tr.Truncated)
	n := 0
	Inspect(tr.Root(), func(Node) bool { n++; return true })
	assert.Greater(t, n, MaxDepth/2)
}

func TestSyntaxErrorLocated(t *testing.T) {
	tr, err := Parse([]byte("def f(:\n    pass\n"))
	require.NoError(t, err)
	e := FirstError(tr.Root())
	require.False(t, e.IsNil())
	assert.Less(t, e.StartByte(), 8)
}

func TestStringValue(t *testing.T) {
	tr, err := Parse([]byte("a = 'x' \"y\"\nb = f'{a}'\nc = rb'z'\n"))
	require.NoError(t, err)
	strs := FindAll(tr.Root(), "concatenated_string", "string")
	v, ok := StringValue(strs[0])
	assert.True(t, ok)
	assert.Equal(t, "xy", v)
	var fs []Node
	for _, s := range strs {
		if IsFString(s) {
			fs = append(fs, s)
		}
	}
	assert.Len(t, fs, 1)
}

// The one-call C flattening must produce exactly the tree the cursor walk
// in Go produces; this also guards the hand-written C declarations.
func TestFlattenMatchesCursorWalk(t *testing.T) {
	srcs := []string{
		"import os\n\nclass A(B):\n    x: int = 1\n    def f(self, *a, **k):\n        return [y for y in a if y] or {k: v for k, v in k.items()}\n",
		"def f(:\n    pass\nx = (1,\n",
		"x = " + strings.Repeat("(", 1500) + "1" + strings.Repeat(")", 1500) + "\n",
		"",
		farSource,
		"x = " + strings.Repeat("(", 1500) + "1" + strings.Repeat(")", 1500) + "\n" + farSource,
		bigDefSource,
	}
	for _, s := range srcs {
		p := sitter.NewParser()
		p.SetLanguage(Language())
		st, err := p.ParseCtx(context.Background(), nil, []byte(s))
		require.NoError(t, err)
		a := flatten(st, []byte(s))
		b := convert(st, []byte(s))
		st.Close()
		p.Close()
		require.Equal(t, len(b.data().nodes), len(a.data().nodes))
		assert.Equal(t, b.Truncated, a.Truncated)
		for i := range a.data().nodes {
			require.Equal(t, b.data().nodes[i], a.data().nodes[i], "node %d of %q", i, s)
		}
		assert.Equal(t, b.data().far, a.data().far)
		ra, _ := a.MarshalBinary()
		rb, _ := b.MarshalBinary()
		assert.Equal(t, rb, ra)
	}
}

// The C walk skips the error and missing tests under a parent without
// an error (tree-sitter sums children's error costs into the parent's):
// broken code of every shape (the source cut short, a byte dropped, a
// bracket or colon added at each point) gives the cursor walk's tree.
func TestFlattenMatchesCursorWalkOnBrokenCode(t *testing.T) {
	base := "import os, sys as s\nfrom .a import (b,\n  c)\n\n@dec(1)\nclass A(B, metaclass=M):\n" +
		"    x: int = 1\n    def f(self, *a, k=2, **kw) -> None:\n        try:\n            return [y for y in a if y] or {k: v for k, v in kw.items()}\n" +
		"        except (E, F) as e:\n            raise X from e\n        finally:\n            pass\n" +
		"async def g():\n    async with h() as i:\n        await i\n    print(f\"{x=} {y!r:>{w}}\", end='')\n" +
		"while a < b <= c:\n    a += 1; del b[0]\nlambda q: q if q else None\nmatch p:\n    case [1, *r]: pass\n"
	var variants []string
	for i := 0; i <= len(base); i += 3 {
		variants = append(variants, base[:i])
		if i < len(base) {
			variants = append(variants, base[:i]+base[i+1:], base[:i]+"("+base[i:], base[:i]+":"+base[i:], base[:i]+"\n  "+base[i:])
		}
	}
	broken := 0
	p := sitter.NewParser()
	defer p.Close()
	p.SetLanguage(Language())
	for _, s := range variants {
		st, err := p.ParseCtx(context.Background(), nil, []byte(s))
		require.NoError(t, err)
		if st.RootNode().HasError() {
			broken++
		}
		a := flatten(st, []byte(s))
		b := convert(st, []byte(s))
		st.Close()
		require.Equal(t, b.data().nodes, a.data().nodes, "%q", s)
		require.Equal(t, b.data().far, a.data().far, "%q", s)
	}
	assert.Greater(t, broken, len(variants)/2)
}

// farSource has a string longer than a node's 16-bit length and more
// nodes than its 16-bit distance to a parent: ends and parents in the far
// table.
var farSource = "s = '" + strings.Repeat("a", 70000) + "'\n" + strings.Repeat("x = f(y)\n", 12000) +
	"class A:\n    t = '" + strings.Repeat("b", 66000) + "'\n" + strings.Repeat("    y = 1\n", 20000)

// bigDefSource has a function of more nodes than a node's 12-bit subtree
// size, in fewer bytes than its 16-bit length: far by its size alone.
var bigDefSource = "import os\n\ndef f(a):\n" + strings.Repeat("    x = g(a)\n", 1500) + "\ny = f(1)\n"

// Trees leave out punctuation, but for the tokens some reader needs.
func TestPunctuationLeftOut(t *testing.T) {
	tokens := func(src string) []string {
		tr, err := Parse([]byte(src))
		require.NoError(t, err)
		var out []string
		for i := range tr.data().nodes {
			if n := (Node{t: tr.data(), i: int32(i)}); !n.IsNamed() {
				out = append(out, n.Type())
			}
		}
		return out
	}
	assert.Equal(t, []string{"def", "return"}, tokens("def f(a, b=1):\n    return x.y[a:b]\n"))
	assert.Equal(t, []string{"{", "}", "{", "=", "}"}, tokens("s = {k: v}\n"+`f"{x=}"`+"\n"), "an interpolation keeps its `=`")
	assert.Contains(t, tokens("try:\n    pass\nexcept A, e:\n    pass\n"), ",", "Python 2's except keeps its comma")
	assert.Equal(t, []string{"def", ")", "pass"}, tokens("def f(:\n    pass\n"), "a missing token stays")
	assert.Equal(t, []string{"("}, tokens("f(\n"), "an ERROR node keeps its tokens")
	tr, err := Parse([]byte("f(a, b)\n"))
	require.NoError(t, err)
	args := FindAll(tr.Root(), "argument_list")[0]
	assert.Equal(t, 2, args.ChildCount())
	assert.Equal(t, "(a, b)", args.Text(), "the text of a node is unchanged")
}

// Every node's range, parent and subtree, near or far, are tree-sitter's:
// farSource's ends and parents, bigDefSource's subtrees (a function of
// more nodes than a node's 12-bit size, in fewer bytes than its 16-bit
// length).
func TestEndsAndParentsMatchTreeSitter(t *testing.T) {
	for _, s := range []string{farSource, bigDefSource} {
		src := []byte(s)
		p := sitter.NewParser()
		p.SetLanguage(Language())
		st, err := p.ParseCtx(context.Background(), nil, src)
		require.NoError(t, err)
		tr, err := Parse(src)
		require.NoError(t, err)
		require.NotEmpty(t, tr.data().far)
		// A pre-order walk of tree-sitter's tree, each node's parent by
		// index, its children and the end of its subtree.
		type ref struct {
			start, end int
			parent     int32
			kids       []int32
			subEnd     int32
		}
		var want []ref
		var walk func(n *sitter.Node, parent int32)
		walk = func(n *sitter.Node, parent int32) {
			i := int32(len(want))
			want = append(want, ref{start: int(n.StartByte()), end: int(n.EndByte()), parent: parent})
			if parent >= 0 {
				want[parent].kids = append(want[parent].kids, i)
			}
			for k := 0; k < int(n.ChildCount()); k++ {
				if c := n.Child(k); !dropped(c, uint16(n.Symbol())) {
					walk(c, i)
				}
			}
			want[i].subEnd = int32(len(want))
		}
		walk(st.RootNode(), -1)
		st.Close()
		p.Close()
		require.Equal(t, len(want), tr.NodeCount())
		far, bigSubtrees := 0, 0
		for i, w := range want {
			n := Node{t: tr.data(), i: int32(i)}
			assert.Equal(t, w.start, n.StartByte(), "node %d", i)
			require.Equal(t, w.end, n.EndByte(), "node %d", i)
			require.Equal(t, w.parent, n.Parent().ID(), "node %d", i)
			assert.Equal(t, w.end-w.start, len(n.Text()))
			require.Equal(t, w.subEnd, tr.data().subEnd(int32(i)), "node %d", i)
			var kids []int32
			for _, c := range n.Children() {
				kids = append(kids, c.ID())
			}
			require.Equal(t, w.kids, kids, "node %d", i)
			if n.nd().flags()&flagFar != 0 {
				far++
			}
			if w.subEnd-int32(i) >= sizeMark {
				bigSubtrees++
			}
		}
		assert.Equal(t, len(tr.data().far), far)
		if s == farSource {
			assert.Greater(t, far, 1000, "top-level statements past 65,535 nodes have far parents")
		} else {
			assert.Equal(t, 3, bigSubtrees, "the module, the function and its body")
			assert.Equal(t, 3, far, "far by their size alone")
		}
		data, err := tr.MarshalBinary()
		require.NoError(t, err)
		back, err := DecodeTree(data, src)
		require.NoError(t, err)
		assert.Equal(t, tr.data().far, back.data().far)
	}
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	for _, s := range []string{
		"import os\n\nclass A(B):\n    def f(self):\n        return [y for y in self.x if y]\n",
		"def f(:\n    pass\n",
		"x = " + strings.Repeat("(", 1500) + "1" + strings.Repeat(")", 1500) + "\n",
		"",
		"s = 'caf\u00e9 \U0001F600'\n",
	} {
		src := []byte(s)
		a, err := Parse(src)
		require.NoError(t, err)
		data, err := a.MarshalBinary()
		require.NoError(t, err)
		b, err := DecodeTree(data, src)
		require.NoError(t, err)
		assert.Equal(t, a.data().nodes, b.data().nodes)
		assert.Equal(t, a.Truncated, b.Truncated)
		// Corrupt data is refused, never half-decoded.
		for _, cut := range []int{1, len(data) / 2, len(data) - 1} {
			if cut > 0 && cut < len(data) {
				_, err := DecodeTree(data[:cut], src)
				assert.Error(t, err)
			}
		}
		_, err = DecodeTree(data, src[:len(src)/2])
		if len(src) > 2 {
			assert.Error(t, err, "ranges beyond the source are refused")
		}
	}
}

// A decoded tree's nodes are the encoded bytes themselves when those are
// aligned, a copy otherwise; both read the same.
func TestDecodeTreeUsesAlignedBytesInPlace(t *testing.T) {
	src := []byte("class A(B):\n    def f(self, x):\n        return g(x)[0].h(y=x)\n")
	a, err := Parse(src)
	require.NoError(t, err)
	data, err := a.MarshalBinary()
	require.NoError(t, err)
	assert.Same(t, &a.data().nodes[0], (*node)(unsafe.Pointer(&data[rawHeader])), "a parsed tree's form is its node array")

	b, err := DecodeTree(data, src)
	require.NoError(t, err)
	assert.Same(t, &b.data().nodes[0], (*node)(unsafe.Pointer(&data[rawHeader])), "aligned: used in place")

	require.Zero(t, len(data)%4)
	words := make([]uint64, len(data)/8+2)
	odd := unsafe.Slice((*byte)(unsafe.Pointer(&words[0])), len(data)+9)[1 : len(data)+1]
	copy(odd, data)
	c, err := DecodeTree(odd, src)
	require.NoError(t, err)
	assert.Equal(t, a.data().nodes, c.data().nodes, "unaligned: copied")
	again, err := c.MarshalBinary()
	require.NoError(t, err)
	assert.Equal(t, data, again)
}

// Any node whose links or values break the tree's invariants makes the
// whole encoding invalid.
func TestDecodeTreeRefusesBrokenNodes(t *testing.T) {
	src := []byte("import os\n\nclass A(B):\n    def f(self):\n        return [y for y in self.x if y]\n")
	a, err := Parse(src)
	require.NoError(t, err)
	good, err := a.MarshalBinary()
	require.NoError(t, err)
	breaks := map[string]func(n *node){
		"parent+1":    func(n *node) { n.up-- },
		"parent-1":    func(n *node) { n.up++ },
		"subEnd+1":    func(n *node) { n.bits += 1 << sizeShift },
		"subEnd-1":    func(n *node) { n.bits -= 1 << sizeShift },
		"past source": func(n *node) { n.start = uint32(len(src)) },
		"symbol":      func(n *node) { n.bits = n.bits&^symError | uint32(len(symbolNames)) },
		"field":       func(n *node) { n.bits = n.bits&^((1<<fieldBits-1)<<fieldShift) | uint32(len(fieldNames))<<fieldShift },
		"no size":     func(n *node) { n.bits &^= sizeMark << sizeShift },
		"error flag":  func(n *node) { n.bits ^= uint32(flagError) << flagShift },
		"far flag":    func(n *node) { n.bits ^= uint32(flagFar) << flagShift },
		"far marks": func(n *node) {
			n.bits |= uint32(flagFar)<<flagShift | sizeMark<<sizeShift
			n.length, n.up = farMark, farMark
		},
	}
	for name, brk := range breaks {
		for i := 0; i < a.NodeCount(); i++ {
			buf, nodes, _ := newNodeBuf(a.NodeCount(), 0)
			copy(buf, good)
			brk(&nodes[i])
			_, err := DecodeTree(buf, src)
			assert.ErrorIs(t, err, ErrBadEncoding, "%s on node %d", name, i)
		}
	}
	for _, bad := range []func(b []byte){
		func(b []byte) { b[0]++ },    // count
		func(b []byte) { b[4] = 1 },  // far entries
		func(b []byte) { b[8] = 2 },  // truncation flag
		func(b []byte) { b[9]-- },    // node size
		func(b []byte) { b[10]-- },   // far entry size
		func(b []byte) { b[15] = 1 }, // reserved
	} {
		buf := bytes.Clone(good)
		bad(buf)
		_, err := DecodeTree(buf, src)
		assert.ErrorIs(t, err, ErrBadEncoding)
	}
}

// A far table that does not say exactly what the flagged nodes need is
// refused: an entry out of order, missing, extra, or for a value that fits.
func TestDecodeTreeRefusesBrokenFarTables(t *testing.T) {
	src := []byte(farSource)
	a, err := Parse(src)
	require.NoError(t, err)
	good, err := a.MarshalBinary()
	require.NoError(t, err)
	nf := len(a.data().far)
	for name, brk := range map[string]func(f []farNode){
		"index":  func(f []farNode) { f[1].i++ },
		"order":  func(f []farNode) { f[1], f[2] = f[2], f[1] },
		"parent": func(f []farNode) { f[nf-1].parent++ },
		"end":    func(f []farNode) { f[0].end = uint32(len(src)) + 1 },
		"fits":   func(f []farNode) { f[1].end = a.data().nodes[f[1].i].start + 10 },
		"size":   func(f []farNode) { f[0].subEnd-- },
	} {
		buf, _, _ := newNodeBuf(a.NodeCount(), nf)
		copy(buf, good)
		_, far := rawParts(buf)
		brk(far)
		_, err := DecodeTree(buf, src)
		assert.ErrorIs(t, err, ErrBadEncoding, name)
	}
	short := bytes.Clone(good[:len(good)-farSize])
	*(*uint32)(unsafe.Pointer(&short[4]))--
	_, err = DecodeTree(short, src)
	assert.ErrorIs(t, err, ErrBadEncoding, "an entry missing")
}

func FuzzDecodeTree(f *testing.F) {
	tr, _ := Parse([]byte("def f(x):\n    return x\n"))
	data, _ := tr.MarshalBinary()
	f.Add(data)
	f.Fuzz(func(t *testing.T, data []byte) {
		tr, err := DecodeTree(data, []byte("def f(x):\n    return x\n"))
		if err == nil {
			Inspect(tr.Root(), func(Node) bool { return true })
		}
	})
}

// inspectAll is the reference for FindAll and FindAllShallow: a walk that
// sees named nodes and, when shallow, skips nested definitions.
func inspectAll(n Node, shallow bool, types ...string) []Node {
	var out []Node
	Inspect(n, func(m Node) bool {
		if shallow && !m.Equal(n) && m.Is("function_definition", "class_definition", "lambda") {
			return false
		}
		if m.Is(types...) {
			out = append(out, m)
		}
		return true
	})
	return out
}

func TestFindAllMatchesInspect(t *testing.T) {
	src := []byte(`async def f(x):
    y = lambda a: g(a)
    await h(x)
    def inner():
        yield k(1)
        class C:
            z = m(2)
    for i in x:
        n(lambda: o(i))
    return [p(q) for q in x]

type Alias = int
w = r(s(t))
`)
	tr, err := Parse(src)
	require.NoError(t, err)
	fn := FindAll(tr.Root(), "function_definition")[0]
	sets := [][]string{{"call"}, {"call", "lambda"}, {"await", "yield", "identifier"}, {"function_definition"}, {"nope"}}
	for _, n := range []Node{tr.Root(), fn, FindAll(tr.Root(), "for_statement")[0]} {
		for _, ts := range sets {
			assert.Equal(t, inspectAll(n, true, ts...), FindAllShallow(n, ts...), "FindAllShallow(%v, %v)", n, ts)
			var named []Node
			for _, m := range FindAll(n, ts...) {
				if m.IsNamed() {
					named = append(named, m)
				}
			}
			assert.Equal(t, inspectAll(n, false, ts...), named, "FindAll(%v, %v)", n, ts)
		}
	}
	// The function itself is reported when asked for, its nested ones not.
	assert.Equal(t, []Node{fn}, FindAllShallow(fn, "function_definition"))
	// "lambda" is also the keyword token: FindAll sees both, Shallow only the node.
	assert.Len(t, FindAll(fn, "lambda"), 4)
	assert.Len(t, FindAllShallow(fn, "lambda"), 0)
}

// allOfTypes is the reference for FindAll: every node, named or not, of
// n's subtree whose type is one of types, in pre-order.
func allOfTypes(n Node, types ...string) []Node {
	var out []Node
	var walk func(m Node)
	walk = func(m Node) {
		if m.Is(types...) {
			out = append(out, m)
		}
		for c := m.FirstChild(); !c.IsNil(); c = c.NextSibling() {
			walk(c)
		}
	}
	walk(n)
	return out
}

// FindAll finds the same nodes from its index (named types, with the
// anonymous tokens of the same name), by a scan (punctuation and keywords
// only), in trees under 65,536 nodes (16-bit index) and over.
func TestFindAllEveryTypeAndSize(t *testing.T) {
	small := "def f(x, *, y=1):\n    return [g(a, b) for a in x if a] or (lambda: y)()\nawait z\n"
	var big strings.Builder
	for big.Len() < 300_000 {
		big.WriteString(small)
	}
	sets := [][]string{{"call"}, {"("}, {"=", "identifier"}, {"lambda"}, {"call", ")", "for_in_clause"}, {"if", "return"}, {"ERROR"}, {"nope"},
		{"call", "identifier", "lambda", "for_in_clause", "return_statement", "nope"}, {"list_comprehension", "parameters"}}
	for _, src := range []string{small, big.String(), "f(\n"} {
		tr, err := Parse([]byte(src))
		require.NoError(t, err)
		under := []Node{tr.Root()}
		if fn := allOfTypes(tr.Root(), "function_definition"); len(fn) > 0 {
			under = append(under, fn[len(fn)-1])
		}
		for _, n := range under {
			for _, ts := range sets {
				want := allOfTypes(n, ts...)
				got := FindAll(n, ts...)
				require.Equal(t, len(want), len(got), "FindAll(%v, %v) of %d nodes", n, ts, tr.NodeCount())
				assert.Equal(t, want, got, "FindAll(%v, %v) of %d nodes", n, ts, tr.NodeCount())
				var each []Node
				for m := range FindEach(n, ts...) {
					each = append(each, m)
				}
				assert.Equal(t, want, each, "FindEach(%v, %v) of %d nodes", n, ts, tr.NodeCount())
			}
		}
		small, large := tr.Root().t.types()
		assert.Equal(t, tr.NodeCount() >= 1<<16, large != nil && small == nil, "the index's width follows the node count")
		if small != nil && tr.NodeCount() > 20 {
			assert.Less(t, len(small.at), tr.NodeCount(), "keywords are not indexed")
		}
	}
}

func TestChildByFieldUnknown(t *testing.T) {
	tr, err := Parse([]byte("f(x)\n"))
	require.NoError(t, err)
	call := FindAll(tr.Root(), "call")[0]
	assert.True(t, call.ChildByField("no_such_field").IsNil())
	assert.Nil(t, call.ChildrenByField("no_such_field"))
	assert.Equal(t, "f", call.ChildByField("function").Text())
	assert.Equal(t, "function", call.ChildByField("function").Field())
}

func TestCalleeName(t *testing.T) {
	tr, err := Parse([]byte("a.b.c(1)\nf(2)\n(g or h)(3)\nx = 1\n"))
	require.NoError(t, err)
	calls := FindAll(tr.Root(), "call")
	require.Len(t, calls, 3)
	for _, c := range calls {
		dc, _ := AsCall(c)
		assert.Equal(t, dc.MethodName(), string(CalleeName(c)))
	}
	assert.Nil(t, CalleeName(FindAll(tr.Root(), "assignment")[0]))
}

func TestResolveNotImported(t *testing.T) {
	tr, err := Parse([]byte("import os\nfrom a import b as c\nos.path.join(x)\nc.d(y)\nz.w(1)\nf()[0].g()\n"))
	require.NoError(t, err)
	im := CollectImports(tr.Root())
	var got []string
	for _, call := range FindAll(tr.Root(), "call") {
		q, ok := im.Resolve(call.ChildByField("function"))
		got = append(got, fmt.Sprintf("%s %v", q, ok))
	}
	assert.Equal(t, []string{"os.path.join true", "a.b.d true", " false", " false", " false"}, got)
}

func TestStringValuePieces(t *testing.T) {
	tr, err := Parse([]byte(`a = ''
b = 'plain'
c = 'x\ny\tz'
d = """two
lines"""
`))
	require.NoError(t, err)
	var got []string
	for _, s := range FindAll(tr.Root(), "string") {
		v, ok := StringValue(s)
		require.True(t, ok)
		got = append(got, v)
	}
	assert.Equal(t, []string{"", "plain", `x\ny\tz`, "two\nlines"}, got)
}

// dump renders every node (named or not) with its links.
func dump(n Node) string {
	var b strings.Builder
	var walk func(n Node, depth int)
	walk = func(n Node, depth int) {
		fmt.Fprintf(&b, "%*s%s %q field=%q named=%v err=%v/%v parent=%v kids=%d\n", depth*2, "", n.Type(), n.Text(),
			n.Field(), n.IsNamed(), n.IsError(), n.HasError(), n.Parent(), n.ChildCount())
		for _, c := range n.Children() {
			walk(c, depth+1)
		}
	}
	walk(n, 0)
	return b.String()
}

func TestLazyTreeLoadsOnFirstUse(t *testing.T) {
	src := []byte("def f(x):\n    return g(x)\n")
	want, err := Parse(src)
	require.NoError(t, err)
	loads := 0
	lazy := NewLazy(func() []byte { return src }, false, func() (*Tree, error) { loads++; return Parse(src) })
	assert.Equal(t, 0, loads, "nothing is parsed before a reader asks")
	assert.Equal(t, dump(want.Root()), dump(lazy.Root()))
	assert.Equal(t, want.NodeCount(), lazy.NodeCount())
	data, err := lazy.MarshalBinary()
	require.NoError(t, err)
	back, err := DecodeTree(data, src)
	require.NoError(t, err)
	assert.Equal(t, dump(want.Root()), dump(back.Root()))
	assert.Equal(t, 1, loads)

	wrong := NewLazy(func() []byte { return src }, false, func() (*Tree, error) { return Parse([]byte("x = 1\n")) })
	assert.Panics(t, func() { wrong.Root() }, "a tree of other bytes is refused")
	failing := NewLazy(func() []byte { return src }, false, func() (*Tree, error) { return nil, fmt.Errorf("gone") })
	assert.Panics(t, func() { failing.Root() })
}

// Text shares the tree's source bytes: reading a name allocates nothing.
func TestTextSharesSource(t *testing.T) {
	tr, err := Parse([]byte("value = compute(first, second)\n"))
	require.NoError(t, err)
	call := FindAll(tr.Root(), "call")[0]
	arg := call.ChildByField("arguments").NamedChild(1)
	require.Equal(t, "second", arg.Text())
	assert.Equal(t, unsafe.StringData(arg.Text()), &tr.Src()[arg.StartByte()])
	assert.Zero(t, testing.AllocsPerRun(10, func() { _ = arg.Text() }))
	empty := Node{}
	assert.Equal(t, "", empty.Text())
}

// NamedChildren and Statements allocate their result once, at its size.
func TestChildrenAllocateOnce(t *testing.T) {
	tr, err := Parse([]byte("# a\nx = 1\n# b\ny = f(a, b, c, d, e, g, h, i, j)\nz = 3\n"))
	require.NoError(t, err)
	call := FindAll(tr.Root(), "call")[0]
	args := call.ChildByField("arguments")
	assert.Len(t, args.NamedChildren(), 9)
	assert.Equal(t, 1.0, testing.AllocsPerRun(10, func() { args.NamedChildren() }))
	assert.Len(t, Statements(tr.Root()), 3)
	assert.Equal(t, 1.0, testing.AllocsPerRun(10, func() { Statements(tr.Root()) }))
	assert.Nil(t, Statements(FindAll(tr.Root(), "integer")[0]))
}

func TestKeywordArgIsTheLastKeywordOfThatName(t *testing.T) {
	tr, err := Parse([]byte("f(1, a=2, b=3, a=4, **kw)\ng(a)\n"))
	require.NoError(t, err)
	calls := FindAll(tr.Root(), "call")
	require.Len(t, calls, 2)
	c, _ := AsCall(calls[0])
	assert.Equal(t, "a=4", c.KeywordArg("a").Text())
	assert.Equal(t, "4", c.Keyword("a").Text())
	assert.Equal(t, "b=3", c.KeywordArg("b").Text())
	assert.Equal(t, c.Keyword("b"), c.KeywordArg("b").ChildByField("value"))
	assert.True(t, c.KeywordArg("kw").IsNil())
	assert.True(t, c.KeywordArg("c").IsNil())
	g, _ := AsCall(calls[1])
	assert.True(t, g.KeywordArg("a").IsNil())
}

func TestCallHeadAgreesWithCallAndAllocatesNothing(t *testing.T) {
	tr, err := Parse([]byte("a.b.c(1, k=2)\nf(2, *x, **y)\n(g or h)(3)\nsuper().save()\nx = 1\n"))
	require.NoError(t, err)
	calls := FindAll(tr.Root(), "call")
	require.Len(t, calls, 5)
	for _, n := range calls {
		c, ok := AsCall(n)
		require.True(t, ok)
		h, ok := AsCallHead(n)
		require.True(t, ok)
		assert.Equal(t, c.Head(), h)
		assert.Equal(t, c.Func, h.Func)
		assert.Equal(t, c.MethodName(), h.MethodName())
		assert.Equal(t, c.Receiver(), h.Receiver())
		assert.Zero(t, testing.AllocsPerRun(10, func() { _, _ = AsCallHead(n) }))
	}
	_, ok := AsCallHead(FindAll(tr.Root(), "assignment")[0])
	assert.False(t, ok)
}

// An unloaded tree loads its nodes again on the next read; handles taken
// before still read the nodes they point at.
func TestUnloadLoadsAgain(t *testing.T) {
	src := []byte("def f(x):\n    return x + 1\n")
	tr, err := Parse(src)
	require.NoError(t, err)
	old := tr.Root().NamedChild(0)
	require.Equal(t, "function_definition", old.Type())
	count := tr.NodeCount()
	loads := 0
	before := Reloads.Load()
	tr.Unload(func() (*Tree, error) { loads++; return Parse(src) })
	assert.Equal(t, "function_definition", old.Type(), "a handle taken before stays valid")
	assert.Equal(t, "f", old.ChildByField("name").Text())
	assert.Equal(t, 0, loads, "nothing is loaded before a read")
	assert.Equal(t, count, tr.NodeCount())
	assert.Equal(t, 1, loads)
	assert.Equal(t, "def f(x):\n    return x + 1", tr.Root().NamedChild(0).Text())
	assert.Equal(t, 1, loads, "loaded once")
	assert.Equal(t, before+1, Reloads.Load())

	// A lazy tree never loaded keeps its own loader.
	lazy := NewLazy(func() []byte { return src }, false, func() (*Tree, error) { loads++; return Parse(src) })
	lazy.Unload(func() (*Tree, error) { t.Fatal("the lazy tree's own loader runs"); return nil, nil })
	assert.Equal(t, "module", lazy.Root().Type())
	assert.Equal(t, 2, loads)
}

// KeyRead splits a subscript or a get() by a literal key, parenthesised
// or not; a computed key, a call of another method, or a get without
// arguments is not one.
func TestKeyRead(t *testing.T) {
	tr, err := Parse([]byte("a = (data)['x']\nb = s.validated_data.get('y', 0)\nc = data[k]\nd = data.pop('x')\ne = data.get()\n"))
	require.NoError(t, err)
	var got []string
	for _, a := range FindAll(tr.Root(), "assignment") {
		obj, key, ok := KeyRead(a.ChildByField("right"))
		got = append(got, fmt.Sprintf("%s %q %t", obj.Text(), key, ok))
	}
	assert.Equal(t, []string{`data "x" true`, `s.validated_data "y" true`, ` "" false`, ` "" false`, ` "" false`}, got)
}
