package pyast

import (
	"context"
	"os"
	"testing"

	sitter "github.com/smacker/go-tree-sitter"
)

// benchSource is a large real Python file: the standard library's
// typing module when present, else a generated one.
func benchSource(b *testing.B) []byte {
	for _, p := range []string{"/usr/lib/python3.11/typing.py", "/usr/lib/python3/dist-packages/django/db/models/query.py"} {
		if src, err := os.ReadFile(p); err == nil {
			return src
		}
	}
	var src []byte
	for i := 0; i < 2000; i++ {
		src = append(src, "def f(a, b=1):\n    try:\n        return g(a)[b].h(x=a)\n    except ValueError as e:\n        raise\n"...)
	}
	return src
}

// BenchmarkTreeSitterParse is the floor: tree-sitter alone.
func BenchmarkTreeSitterParse(b *testing.B) {
	src := benchSource(b)
	p := sitter.NewParser()
	p.SetLanguage(Language())
	b.SetBytes(int64(len(src)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t, err := p.ParseCtx(context.Background(), nil, src)
		if err != nil {
			b.Fatal(err)
		}
		t.Close()
	}
}

// BenchmarkParse is tree-sitter plus conversion into the Go tree.
func BenchmarkParse(b *testing.B) {
	src := benchSource(b)
	p := NewParser()
	defer p.Close()
	b.SetBytes(int64(len(src)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := p.Parse(0, src); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseWithoutArena is BenchmarkParse with every allocation of
// the parse taken from malloc and freed one by one (the arena's cap set to
// a byte): what the arena saves is the difference.
func BenchmarkParseWithoutArena(b *testing.B) {
	setArenaCap(1)
	defer setArenaCap(0)
	BenchmarkParse(b)
}

// BenchmarkInspect is one full walk of the Go tree.
func BenchmarkInspect(b *testing.B) {
	src := benchSource(b)
	t, err := Parse(src)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(src)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n := 0
		Inspect(t.Root(), func(Node) bool { n++; return true })
	}
}

// BenchmarkDecodeTree is the load of a stored tree (a tree cache hit, a
// tree reused from an earlier run): the check of its node array, used in
// place.
func BenchmarkDecodeTree(b *testing.B) {
	src := benchSource(b)
	t, err := Parse(src)
	if err != nil {
		b.Fatal(err)
	}
	data, err := t.MarshalBinary()
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(src)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := DecodeTree(data, src); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFlatten is the conversion alone: tree-sitter's tree, parsed
// once, flattened into the Go tree (the C walk and the copy).
func BenchmarkFlatten(b *testing.B) {
	src := benchSource(b)
	p := sitter.NewParser()
	defer p.Close()
	p.SetLanguage(Language())
	st, err := p.ParseCtx(context.Background(), nil, src)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if t := flatten(st, src); t.NodeCount() == 0 {
			b.Fatal("no nodes")
		}
	}
}

// BenchmarkNamedChildren compares the slice and the iterator over every
// node's named children.
func BenchmarkNamedChildren(b *testing.B) {
	src := benchSource(b)
	t, err := Parse(src)
	if err != nil {
		b.Fatal(err)
	}
	var all []Node
	Inspect(t.Root(), func(n Node) bool { all = append(all, n); return true })
	b.Run("slice", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			k := 0
			for _, n := range all {
				for _, c := range n.NamedChildren() {
					k += int(c.i)
				}
			}
		}
	})
	b.Run("iter", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			k := 0
			for _, n := range all {
				for c := range n.Named() {
					k += int(c.i)
				}
			}
		}
	})
}
