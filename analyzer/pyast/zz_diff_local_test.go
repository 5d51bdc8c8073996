package pyast

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

func oldFindAllShallow(n Node, types ...string) []Node {
	var out []Node
	Inspect(n, func(m Node) bool {
		if !m.Equal(n) && m.Is("function_definition", "class_definition", "lambda") {
			return false
		}
		if m.Is(types...) {
			out = append(out, m)
		}
		return true
	})
	return out
}

func oldFindAll(n Node, types ...string) []Node {
	var out []Node
	t := n.t
	for i := n.i; i < t.nodes[n.i].subEnd; i++ {
		m := Node{t: t, i: i}
		if m.Is(types...) {
			out = append(out, m)
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].i < out[b].i })
	return out
}

func eqNodes(a, b []Node) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Equal(b[i]) {
			return false
		}
	}
	return true
}

func TestZZDiff(t *testing.T) {
	dir := os.Getenv("DIFF_CORPUS")
	if dir == "" {
		t.Skip()
	}
	typesets := [][]string{{"call"}, {"call", "attribute"}, {"lambda"}, {"await"}, {"function_definition"}, {"lambda", "call", "return_statement"}, {"identifier"}, {"ERROR"}, {"yield", "assignment"}}
	files := 0
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || !strings.HasSuffix(p, ".py") {
			return nil
		}
		src, _ := os.ReadFile(p)
		tr, err := Parse(src)
		if err != nil {
			return nil
		}
		files++
		for i := range tr.nodes {
			if tr.nodes[i].flags&flagNamed == 0 && tr.nodes[i].subEnd != int32(i+1) && func() bool {
				for j := int32(i + 1); j < tr.nodes[i].subEnd; j++ {
					if tr.nodes[j].flags&flagNamed != 0 {
						return true
					}
				}
				return false
			}() {
				t.Errorf("%s: anonymous node with children %v", p, Node{t: tr, i: int32(i)})
			}
		}
		roots := append([]Node{tr.Root()}, FindAll(tr.Root(), "function_definition", "lambda", "class_definition", "for_statement")...)
		for _, r := range roots {
			for _, ts := range typesets {
				if a, b := oldFindAll(r, ts...), FindAll(r, ts...); !eqNodes(a, b) {
					t.Fatalf("%s: FindAll %v at %v: %d vs %d", p, ts, r, len(a), len(b))
				}
				if a, b := oldFindAllShallow(r, ts...), FindAllShallow(r, ts...); !eqNodes(a, b) {
					t.Fatalf("%s: FindAllShallow %v at %v: %d vs %d", p, ts, r, len(a), len(b))
				}
			}
		}
		return nil
	})
	t.Logf("%d files", files)
}
