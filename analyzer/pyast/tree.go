// Package pyast parses Python with tree-sitter and converts the result into a
// compact, immutable Go tree. Rules walk that tree: it is safe to share
// between goroutines, needs no Close, and costs no cgo call per visit.
package pyast

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	sitter "github.com/smacker/go-tree-sitter"
	"github.com/smacker/go-tree-sitter/python"
)

// MaxDepth bounds the depth of the converted tree. Deeper subtrees are cut
// (Tree.Truncated is set) so that no walk, recursive or not, can exhaust the
// stack on hostile input.
const MaxDepth = 1000

type node struct {
	sym        uint16
	field      uint16 // index into fieldNames; 0 = none
	flags      uint8
	start, end uint32
	parent     int32
	firstChild int32
	nChildren  int32
	nextSib    int32
	subEnd     int32 // index just past the last descendant (nodes are in pre-order)
}

const (
	flagNamed uint8 = 1 << iota
	flagMissing
	flagError
	flagHasError
)

// Tree is a parsed file.
type Tree struct {
	Src       []byte
	nodes     []node
	Truncated bool // some subtree deeper than MaxDepth was dropped

	typesOnce sync.Once
	byType    [][]int32 // node indices by type id (see symType), in pre-order
}

var (
	langOnce    sync.Once
	lang        *sitter.Language
	symbolNames []string
	// symType maps a grammar symbol to a dense id of its name: symbols
	// sharing a name (aliases) share an id. typeIDs maps names to those
	// ids; errorType is the id of "ERROR". Immutable once Language returns.
	symType   []uint16
	typeIDs   map[string]uint16
	errorType uint16

	// fieldTab is replaced, never mutated, so reads take no lock (they are
	// on the hot path of ChildByField); fieldMu serialises writers.
	fieldMu  sync.Mutex
	fieldTab atomic.Pointer[fieldTable]
)

type fieldTable struct {
	names []string
	index map[string]uint16
}

func init() {
	fieldTab.Store(&fieldTable{names: []string{""}, index: map[string]uint16{"": 0}})
}

// Language returns the tree-sitter Python grammar.
func Language() *sitter.Language {
	langOnce.Do(func() {
		lang = python.GetLanguage()
		n := lang.SymbolCount()
		symbolNames = make([]string, n)
		symType = make([]uint16, n)
		typeIDs = map[string]uint16{}
		for i := uint32(0); i < n; i++ {
			name := lang.SymbolName(sitter.Symbol(i))
			symbolNames[i] = name
			id, ok := typeIDs[name]
			if !ok {
				id = uint16(len(typeIDs))
				typeIDs[name] = id
			}
			symType[i] = id
		}
		if id, ok := typeIDs["ERROR"]; ok {
			errorType = id
		} else {
			errorType = uint16(len(typeIDs))
			typeIDs["ERROR"] = errorType
		}
		// Grammar field ids start at 1; intern every name the grammar has.
		langFields = []uint16{0}
		for i := 1; ; i++ {
			name := lang.FieldName(i)
			if name == "" {
				break
			}
			langFields = append(langFields, internField(name))
		}
	})
	return lang
}

func internField(name string) uint16 {
	if id, ok := fieldTab.Load().index[name]; ok {
		return id
	}
	fieldMu.Lock()
	defer fieldMu.Unlock()
	old := fieldTab.Load()
	if id, ok := old.index[name]; ok {
		return id
	}
	id := uint16(len(old.names))
	nt := &fieldTable{names: append(old.names[:len(old.names):len(old.names)], name), index: make(map[string]uint16, len(old.index)+1)}
	for k, v := range old.index {
		nt.index[k] = v
	}
	nt.index[name] = id
	fieldTab.Store(nt)
	return id
}

func fieldName(id uint16) string {
	if id == 0 {
		return ""
	}
	return fieldTab.Load().names[id]
}

// Parser parses Python files one at a time. It is not safe for concurrent
// use: give each worker its own.
type Parser struct{}

// NewParser returns a parser for Python.
func NewParser() *Parser {
	Language()
	return &Parser{}
}

// Close frees the parser.
func (p *Parser) Close() {}

// Parse parses src and converts the result into a Tree.
//
// Its cost is bounded by work, not time: a parse that asks tree-sitter's
// allocator for more than WorkLimit(len(src)) bytes stops with
// ErrTooComplex, so the same input always gives the same answer on any
// machine under any load, and error-heavy input costs time in proportion
// to its size. timeout (none when 0) is only a backstop against what the
// budget misses; it stops the parse with ErrTimeout, an answer that
// depends on the machine and must never be cached.
//
// Each parse uses a fresh tree-sitter parser (the work measure must not
// depend on what a reused parser's pools kept from the previous file), and
// indentation the grammar's scanner cannot represent is re-encoded first
// (see scannerIndentation).
func (p *Parser) Parse(timeout time.Duration, src []byte) (*Tree, error) {
	t, _, err := parseBudget(scannerIndentation(src), WorkLimit(len(src)), timeout)
	if err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	t.Src = src
	return t, nil
}

// Parse is a convenience for tests and one-off use.
func Parse(src []byte) (*Tree, error) {
	p := NewParser()
	defer p.Close()
	return p.Parse(0, src)
}

func convert(t *sitter.Tree, src []byte) *Tree {
	root := t.RootNode()
	out := &Tree{Src: src, nodes: make([]node, 0, len(src)/3+16)}
	cur := sitter.NewTreeCursor(root)
	defer cur.Close()

	// Pre-order walk with the cursor; lastChild[depth] is the index of the
	// previous sibling at each depth, for linking.
	var stackParent []int32
	var lastSib []int32
	add := func(n *sitter.Node, field string, parent int32) int32 {
		var fl uint8
		if n.IsNamed() {
			fl |= flagNamed
		}
		if n.IsMissing() {
			fl |= flagMissing
		}
		sym := uint16(n.Symbol())
		if sym == 0xFFFF {
			fl |= flagError
		}
		if n.HasError() {
			fl |= flagHasError
		}
		var fid uint16
		if field != "" {
			fid = internField(field)
		}
		idx := int32(len(out.nodes))
		out.nodes = append(out.nodes, node{sym: sym, field: fid, flags: fl, start: n.StartByte(), end: n.EndByte(), parent: parent, firstChild: -1, nextSib: -1})
		return idx
	}
	add(root, "", -1)
	stackParent = append(stackParent, 0)
	lastSib = append(lastSib, -1)
	if !cur.GoToFirstChild() {
		out.linkSubtrees()
		return out
	}
	for {
		depth := len(stackParent)
		parent := stackParent[depth-1]
		n := cur.CurrentNode()
		idx := add(n, cur.CurrentFieldName(), parent)
		if prev := lastSib[depth-1]; prev >= 0 {
			out.nodes[prev].nextSib = idx
		} else {
			out.nodes[parent].firstChild = idx
		}
		out.nodes[parent].nChildren++
		lastSib[depth-1] = idx
		if depth < MaxDepth && cur.GoToFirstChild() {
			stackParent = append(stackParent, idx)
			lastSib = append(lastSib, -1)
			continue
		} else if depth >= MaxDepth && n.ChildCount() > 0 {
			out.Truncated = true
		}
		for !cur.GoToNextSibling() {
			if !cur.GoToParent() || len(stackParent) == 1 {
				out.linkSubtrees()
				return out
			}
			stackParent = stackParent[:len(stackParent)-1]
			lastSib = lastSib[:len(lastSib)-1]
		}
	}
}

// linkSubtrees records, for every node, where its subtree ends in the
// pre-order array, so that walks can skip a subtree in O(1).
func (t *Tree) linkSubtrees() {
	for i := len(t.nodes) - 1; i >= 0; i-- {
		if t.nodes[i].subEnd < int32(i+1) {
			t.nodes[i].subEnd = int32(i + 1)
		}
		if p := t.nodes[i].parent; p >= 0 && t.nodes[p].subEnd < t.nodes[i].subEnd {
			t.nodes[p].subEnd = t.nodes[i].subEnd
		}
	}
}

// Root returns the module node.
func (t *Tree) Root() Node { return Node{t: t, i: 0} }

// NodeCount returns the number of nodes, named and anonymous.
func (t *Tree) NodeCount() int { return len(t.nodes) }

// Node is a handle on a node of a Tree. The zero Node is "no node": all
// its methods are safe and return zero values.
type Node struct {
	t *Tree
	i int32
}

func (n Node) nd() *node { return &n.t.nodes[n.i] }

// IsNil reports whether n is the zero Node.
func (n Node) IsNil() bool { return n.t == nil }

// Tree returns the tree n belongs to.
func (n Node) Tree() *Tree { return n.t }

// ID is unique within the tree; useful as a map key.
func (n Node) ID() int32 {
	if n.t == nil {
		return -1
	}
	return n.i
}

// Type is the grammar's node type, e.g. "call" or "identifier".
func (n Node) Type() string {
	if n.t == nil {
		return ""
	}
	if n.nd().flags&flagError != 0 {
		return "ERROR"
	}
	return symbolNames[n.nd().sym]
}

// Is reports whether n has one of the given types.
func (n Node) Is(types ...string) bool {
	tp := n.Type()
	for _, t := range types {
		if t == tp {
			return true
		}
	}
	return false
}

// Field is the name of the field n occupies in its parent, or "".
func (n Node) Field() string {
	if n.t == nil {
		return ""
	}
	return fieldName(n.nd().field)
}

// IsNamed reports whether n is a named node (not punctuation or a keyword).
func (n Node) IsNamed() bool { return n.t != nil && n.nd().flags&flagNamed != 0 }

// IsMissing reports whether the parser inserted n to recover from an error.
func (n Node) IsMissing() bool { return n.t != nil && n.nd().flags&flagMissing != 0 }

// IsError reports whether n is an ERROR node.
func (n Node) IsError() bool { return n.t != nil && n.nd().flags&flagError != 0 }

// HasError reports whether n or a descendant is an error or missing node.
func (n Node) HasError() bool { return n.t != nil && n.nd().flags&flagHasError != 0 }

// StartByte and EndByte delimit n in the source, [start, end).
func (n Node) StartByte() int {
	if n.t == nil {
		return 0
	}
	return int(n.nd().start)
}

// EndByte is the end of n, exclusive.
func (n Node) EndByte() int {
	if n.t == nil {
		return 0
	}
	return int(n.nd().end)
}

// Text returns the source text of n.
func (n Node) Text() string {
	if n.t == nil {
		return ""
	}
	d := n.nd()
	return string(n.t.Src[d.start:d.end])
}

// Bytes returns the source bytes of n without copying.
func (n Node) Bytes() []byte {
	if n.t == nil {
		return nil
	}
	d := n.nd()
	return n.t.Src[d.start:d.end]
}

// Parent returns the parent of n, or the zero Node at the root.
func (n Node) Parent() Node {
	if n.t == nil || n.nd().parent < 0 {
		return Node{}
	}
	return Node{t: n.t, i: n.nd().parent}
}

// ChildCount returns the number of children, named or not.
func (n Node) ChildCount() int {
	if n.t == nil {
		return 0
	}
	return int(n.nd().nChildren)
}

// Children returns all children in order.
func (n Node) Children() []Node {
	if n.t == nil {
		return nil
	}
	out := make([]Node, 0, n.nd().nChildren)
	for c := n.nd().firstChild; c >= 0; c = n.t.nodes[c].nextSib {
		out = append(out, Node{t: n.t, i: c})
	}
	return out
}

// NamedChildren returns the named children in order.
func (n Node) NamedChildren() []Node {
	if n.t == nil {
		return nil
	}
	var out []Node
	for c := n.nd().firstChild; c >= 0; c = n.t.nodes[c].nextSib {
		if n.t.nodes[c].flags&flagNamed != 0 {
			out = append(out, Node{t: n.t, i: c})
		}
	}
	return out
}

// FirstChild returns the first child, or the zero Node.
func (n Node) FirstChild() Node {
	if n.t == nil || n.nd().firstChild < 0 {
		return Node{}
	}
	return Node{t: n.t, i: n.nd().firstChild}
}

// NextSibling returns the next sibling, or the zero Node.
func (n Node) NextSibling() Node {
	if n.t == nil || n.nd().nextSib < 0 {
		return Node{}
	}
	return Node{t: n.t, i: n.nd().nextSib}
}

// NamedChild returns the i-th named child, or the zero Node.
func (n Node) NamedChild(i int) Node {
	if n.t == nil {
		return Node{}
	}
	k := 0
	for c := n.nd().firstChild; c >= 0; c = n.t.nodes[c].nextSib {
		if n.t.nodes[c].flags&flagNamed != 0 {
			if k == i {
				return Node{t: n.t, i: c}
			}
			k++
		}
	}
	return Node{}
}

// ChildByField returns the first child in the named field, or the zero Node.
func (n Node) ChildByField(name string) Node {
	if n.t == nil {
		return Node{}
	}
	// Comparing names beats hashing name to an id: nodes have few children.
	names := fieldTab.Load().names
	for c := n.nd().firstChild; c >= 0; c = n.t.nodes[c].nextSib {
		if names[n.t.nodes[c].field] == name {
			return Node{t: n.t, i: c}
		}
	}
	return Node{}
}

// ChildrenByField returns every child in the named field.
func (n Node) ChildrenByField(name string) []Node {
	if n.t == nil {
		return nil
	}
	names := fieldTab.Load().names
	var out []Node
	for c := n.nd().firstChild; c >= 0; c = n.t.nodes[c].nextSib {
		if names[n.t.nodes[c].field] == name {
			out = append(out, Node{t: n.t, i: c})
		}
	}
	return out
}

// Contains reports whether m lies within n's subtree (or is n).
func (n Node) Contains(m Node) bool {
	if n.t == nil || m.t != n.t {
		return false
	}
	return m.i >= n.i && m.i < n.nd().subEnd
}

// ofType returns the pre-order indices of every node of the given type.
// The index is built once per tree, on first use, and is safe to share.
func (t *Tree) ofType(typ string) []int32 {
	t.typesOnce.Do(t.buildTypeIndex)
	id, ok := typeIDs[typ]
	if !ok || int(id) >= len(t.byType) {
		return nil
	}
	return t.byType[id]
}

// buildTypeIndex buckets the nodes by type id with a counting sort: one
// backing array, no map.
func (t *Tree) buildTypeIndex() {
	Language()
	ids := make([]uint16, len(t.nodes))
	counts := make([]int32, len(typeIDs))
	for i := range t.nodes {
		id := errorType
		if sym := t.nodes[i].sym; t.nodes[i].flags&flagError == 0 && int(sym) < len(symType) {
			id = symType[sym]
		}
		ids[i] = id
		counts[id]++
	}
	all := make([]int32, len(t.nodes))
	t.byType = make([][]int32, len(counts))
	off := int32(0)
	for id, c := range counts {
		t.byType[id] = all[off : off : off+c]
		off += c
	}
	for i, id := range ids {
		t.byType[id] = append(t.byType[id], int32(i))
	}
}

// Equal reports whether n and m are the same node.
func (n Node) Equal(m Node) bool { return n.t == m.t && n.i == m.i }

// String is for debugging.
func (n Node) String() string {
	if n.t == nil {
		return "<nil>"
	}
	return fmt.Sprintf("%s[%d:%d]", n.Type(), n.StartByte(), n.EndByte())
}
