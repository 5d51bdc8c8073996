// Package pyast parses Python with tree-sitter and converts the result into a
// compact, immutable Go tree. Rules walk that tree: it is safe to share
// between goroutines, needs no Close, and costs no cgo call per visit.
package pyast

import (
	"bytes"
	"errors"
	"fmt"
	"iter"
	"sort"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	sitter "github.com/smacker/go-tree-sitter"
	"github.com/smacker/go-tree-sitter/python"
)

// MaxDepth bounds the depth of the converted tree. Deeper subtrees are cut
// (Tree.Truncated is set) so that no walk, recursive or not, can exhaust the
// stack on hostile input.
const MaxDepth = 1000

// node is one node of a tree, in a pre-order array. Links that follow
// from the order are not stored: the first child of i is i+1 when i has
// children, and the next sibling is i + size when it lies within the
// parent's subtree. The end and the parent are kept as 16-bit distances
// from the start and from the node, the subtree's size in 12 bits; the
// few that do not fit (a file's root, a long string, a class or function
// of more than 4,094 nodes, the top-level statements of a file of more
// than 65,534 nodes) are marked flagFar and kept whole in the tree's far
// table. 12 bytes: the symbol, field, flags and size share one word (see
// the accessors). The flatten walk writes the wider wideNode form, which
// pack turns into this one.
type node struct {
	bits   uint32 // sym | field << fieldShift | flags << flagShift | size << sizeShift
	start  uint32
	length uint16 // end - start, farMark when flagFar
	up     uint16 // index - parent's index (0 at the root), farMark when flagFar
}

// The parts of node.bits.
const (
	symBits   = 9
	fieldBits = 6
	flagBits  = 5
	sizeBits  = 32 - symBits - fieldBits - flagBits

	fieldShift = symBits
	flagShift  = fieldShift + fieldBits
	sizeShift  = flagShift + flagBits

	// symError is the symbol of ERROR nodes (tree-sitter's 0xFFFF).
	symError = 1<<symBits - 1
	// sizeMark is the size of a flagFar node: its subtree's end is in
	// the far table.
	sizeMark = 1<<sizeBits - 1
)

func (nd *node) sym() uint16  { return uint16(nd.bits & symError) }
func (nd *node) field() uint8 { return uint8(nd.bits>>fieldShift) & (1<<fieldBits - 1) }
func (nd *node) flags() uint8 { return uint8(nd.bits>>flagShift) & (1<<flagBits - 1) }

// size is the number of nodes in the subtree (the node included), sizeMark
// when flagFar.
func (nd *node) size() uint32 { return nd.bits >> sizeShift }

func packBits(sym uint16, field, flags uint8, size uint32) uint32 {
	if sym == 0xFFFF {
		sym = symError
	}
	return uint32(sym) | uint32(field)<<fieldShift | uint32(flags)<<flagShift | size<<sizeShift
}

// farNode is the end, the parent and the subtree's end of a node marked
// flagFar; a tree's far table lists them by increasing index. 16 bytes.
type farNode struct {
	i      int32
	end    uint32
	parent int32 // -1 at the root
	subEnd int32 // index just past the last descendant
}

// farMark is what the 16-bit fields of a flagFar node hold.
const farMark = 0xFFFF

const (
	flagNamed uint8 = 1 << iota
	flagMissing
	flagError
	flagHasError
	flagFar   // the end, parent and subtree's end are in the far table
	flagCount = iota
)

// wideNode is the form the flatten walk writes (flatten.go's C struct has
// the same layout), with the subtree's end whole and a far table
// (wideFar) only for the ends and parents that do not fit: 16 bytes a
// node, packed into node by pack once the walk is done.
type wideNode struct {
	sym    uint16
	field  uint8 // the grammar's field id (see fieldNames); 0 = none
	flags  uint8
	start  uint32
	subEnd int32  // index just past the last descendant
	length uint16 // end - start, farMark when flagFar
	up     uint16 // index - parent's index (0 at the root), farMark when flagFar
}

// wideFar is the end and the parent of a wideNode marked flagFar. 12
// bytes, as in flatten.go.
type wideFar struct {
	i      int32
	end    uint32
	parent int32 // -1 at the root
}

// setLinks sets the end and the parent of nodes[i] (whose start is set),
// appending to far when they do not fit in the node.
func setLinks(nodes []wideNode, far []wideFar, i int32, end uint32, parent int32) []wideFar {
	nd := &nodes[i]
	length, up := uint64(end)-uint64(nd.start), int64(i)-int64(parent)
	if parent < 0 {
		up = 0
	}
	if length >= farMark || up >= farMark {
		nd.flags |= flagFar
		nd.length, nd.up = farMark, farMark
		return append(far, wideFar{i: i, end: end, parent: parent})
	}
	nd.length, nd.up = uint16(length), uint16(up)
	return far
}

// packFar reports whether a node of length bytes, up from its parent
// (0 at the root) and size nodes needs the far table.
func packFar(length uint64, up int64, size int32) bool {
	return length >= farMark || up >= farMark || size >= sizeMark
}

// pack turns the walk's wide nodes and far table into a tree of compact
// nodes, in an array of the exact size that is also the tree's
// MarshalBinary form.
func pack(src []byte, wn []wideNode, wf []wideFar, truncated bool) *Tree {
	nfar := 0
	for i := range wn {
		if wn[i].flags&flagFar != 0 || wn[i].subEnd-int32(i) >= sizeMark {
			nfar++
		}
	}
	buf, nodes, far := newNodeBuf(len(wn), nfar)
	k := 0
	for i := range wn {
		w := &wn[i]
		end, parent := w.start+uint32(w.length), int32(i)-int32(w.up)
		if w.flags&flagFar != 0 {
			end, parent = wf[k].end, wf[k].parent
			k++
		} else if w.up == 0 {
			parent = -1
		}
		nd := &nodes[i]
		nd.start = w.start
		size := w.subEnd - int32(i)
		flags := w.flags &^ flagFar
		up := int64(i) - int64(parent)
		if parent < 0 {
			up = 0
		}
		if packFar(uint64(end)-uint64(w.start), up, size) {
			nd.bits = packBits(w.sym, w.field, flags|flagFar, sizeMark)
			nd.length, nd.up = farMark, farMark
			far = append(far, farNode{i: int32(i), end: end, parent: parent, subEnd: w.subEnd})
			continue
		}
		nd.bits = packBits(w.sym, w.field, flags, uint32(size))
		nd.length, nd.up = uint16(uint64(end)-uint64(w.start)), uint16(up)
	}
	raw := rawForm(buf, len(nodes), len(far), truncated)
	nodes, far = rawParts(raw)
	t := newTree(src, nodes, far, truncated)
	t.raw = raw
	return t
}

// Tree is a parsed file: its source and its pre-order node array (with
// the far table), loaded on first use when the tree is lazy (NewLazy).
type Tree struct {
	src       []byte // Src
	lazySrc   bool   // NewLazy's: src comes from srcOf on first use
	srcOf     func() []byte
	srcOnce   sync.Once
	Truncated bool // some subtree deeper than MaxDepth was dropped

	count  int                      // number of nodes; -1 while lazy, -2 once unloaded (Unload)
	loaded atomic.Pointer[treeData] // the nodes, once there
	mu     sync.Mutex               // serialises loading
	raw    []byte                   // MarshalBinary's form, when made or decoded (see newNodeBuf)
	load   func() (*Tree, error)    // NewLazy's loader, until it ran
}

// treeData is a tree's nodes. Node handles point here.
type treeData struct {
	tree  *Tree
	Src   []byte
	nodes []node
	far   []farNode

	typesOnce sync.Once
	types16   *typeIndex[uint16] // see types
	types32   *typeIndex[int32]

	memoMu sync.Mutex
	memo   map[any]any // see Memo
}

func newTree(src []byte, nodes []node, far []farNode, truncated bool) *Tree {
	t := &Tree{src: src, Truncated: truncated, count: len(nodes)}
	d := &treeData{tree: t, Src: src, nodes: nodes, far: far}
	t.loaded.Store(d)
	return t
}

// NewLazy returns a tree of src whose nodes come from load on first use
// (Root, NodeCount...): a run that reuses a file's cached facts and
// findings needs the file's tree only when some rule or analysis reads it.
// truncated must be what load's tree reports. A load that fails, or whose
// tree is not of src, panics in the reader (the driver reports a panic as
// an internal error of the rule on that file).
//
// src gives the source, on first use too (Src): a run that reads neither
// the tree nor its text never reads the file's bytes.
func NewLazy(src func() []byte, truncated bool, load func() (*Tree, error)) *Tree {
	return &Tree{lazySrc: true, srcOf: src, Truncated: truncated, count: -1, load: load}
}

// Src returns the source the tree was parsed from.
func (t *Tree) Src() []byte {
	if t.lazySrc {
		t.srcOnce.Do(func() { t.src, t.srcOf = t.srcOf(), nil })
	}
	return t.src
}

// Unload drops a loaded tree's nodes: the next reader loads them again
// with load (a tree of the same source, as NewLazy's loader). Handles
// taken before keep the nodes they point at, so they stay valid, but a
// handle taken after is of the new nodes: callers drop trees that nothing
// holds handles into (the driver, a test module's once its rules ran).
// It must not run while another goroutine reads the tree.
func (t *Tree) Unload(load func() (*Tree, error)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.loaded.Load() == nil {
		return // never loaded: its own loader stays
	}
	t.count, t.raw, t.load = -2, nil, load // -2: unloaded (Reloads)
	t.loaded.Store(nil)
}

// Reloads counts the trees loaded again after Unload (RUBRIC_TRACE).
var Reloads atomic.Int64

// data returns the nodes, loading a lazy tree.
func (t *Tree) data() *treeData {
	if d := t.loaded.Load(); d != nil {
		return d
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if d := t.loaded.Load(); d != nil {
		return d
	}
	lt, err := t.load()
	if err == nil && lt == t {
		err = errors.New("the loader returned the tree being loaded") // (a cache sharing trees by content)
	}
	if err == nil && (lt == nil || lt.Truncated != t.Truncated || !bytes.Equal(lt.Src(), t.Src())) {
		err = errors.New("the loaded tree is not the tree of this source")
	}
	if err != nil {
		panic(fmt.Sprintf("pyast: loading a tree: %v", err))
	}
	if t.count == -2 {
		Reloads.Add(1)
	}
	ld := lt.data()
	d := &treeData{tree: t, Src: t.Src(), nodes: ld.nodes, far: ld.far}
	t.raw = lt.raw
	t.load = nil
	t.loaded.Store(d)
	return d
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
	// indexedType says, by type id, whether a type index holds that type:
	// a name some named symbol has (an anonymous token of the same name,
	// the keyword "lambda" next to the node lambda, is indexed with it).
	indexedType []bool
	// typeSlot numbers the indexed types densely (-1 for the others):
	// a type index's offsets have one entry per indexed type, not per
	// type. indexedTypes counts them.
	typeSlot     []int16
	indexedTypes int

	// dropKinds says, by symbol, whether its anonymous tokens are left
	// out of trees (dropToken) and whether a node of that symbol keeps
	// its tokens (keepTokens). Immutable once Language returns.
	dropKinds []uint8

	// fieldNames maps the grammar's field ids (1..) to their names, with
	// "" at 0; fieldIDs is the reverse. Nodes store the grammar's ids, so
	// the C walk needs no translation. Immutable once Language returns.
	fieldNames []string
	fieldIDs   map[string]uint8
)

// Language returns the tree-sitter Python grammar.
func Language() *sitter.Language {
	langOnce.Do(func() {
		lang = python.GetLanguage()
		n := lang.SymbolCount()
		if n >= symError {
			panic("pyast: the grammar has too many symbols; widen node.bits' symbol")
		}
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
		indexedType = make([]bool, len(typeIDs))
		indexedType[errorType] = true
		for i := uint32(0); i < n; i++ {
			if lang.SymbolType(sitter.Symbol(i)) == sitter.SymbolTypeRegular {
				indexedType[symType[i]] = true
			}
		}
		typeSlot = make([]int16, len(indexedType))
		for id, ok := range indexedType {
			typeSlot[id] = -1
			if ok {
				typeSlot[id] = int16(indexedTypes)
				indexedTypes++
			}
		}
		dropKinds = make([]uint8, n)
		for i := uint32(0); i < n; i++ {
			name := symbolNames[i]
			switch kind := lang.SymbolType(sitter.Symbol(i)); {
			case droppedTokens[name] && kind == sitter.SymbolTypeAnonymous, droppedLeaves[name] && kind == sitter.SymbolTypeRegular:
				dropKinds[i] |= dropToken
			}
			if keptTokensIn[name] {
				dropKinds[i] |= keepTokens
			}
		}
		// Grammar field ids start at 1.
		fieldNames = []string{""}
		fieldIDs = map[string]uint8{"": 0}
		for i := 1; ; i++ {
			name := lang.FieldName(i)
			if name == "" {
				break
			}
			if i >= 1<<fieldBits {
				panic("pyast: the grammar has too many fields; widen node.bits' field")
			}
			fieldNames = append(fieldNames, name)
			fieldIDs[name] = uint8(i)
		}
	})
	return lang
}

// droppedTokens are the punctuation tokens trees leave out: more than a
// quarter of a Python file's nodes, which no reader needs (they have no
// field, and nothing reads them by position). Missing ones (error
// recovery) stay, as do the tokens of ERROR nodes and of the nodes in
// keptTokensIn: an f-string interpolation's
// `=` (`f"{x=}"` is not `f"{x}"`, rules/logs reads it) and the `,` of a
// Python 2 `except E, e:` (Python2 reads it). droppedLeaves are named
// tokens left out the same way: a string's opening and closing quotes
// (with the prefix), two of the nine nodes of `f("x")`, whose text is
// the string's own text less its content (pyast.StringQuotes). Children,
// ChildCount, FirstChild and NextSibling never see a dropped token; the
// text of every node is unchanged. Changing a set changes trees: bump
// treeFormat.
var (
	droppedTokens = map[string]bool{".": true, ",": true, "=": true, "(": true, ")": true, "[": true, "]": true, ":": true}
	droppedLeaves = map[string]bool{"string_start": true, "string_end": true}
	keptTokensIn  = map[string]bool{"interpolation": true, "except_clause": true}
)

const (
	dropToken  uint8 = 1 << iota // C: RB_DROP
	keepTokens                   // C: RB_KEEP_TOKENS
)

// dropped reports whether the tree leaves out node n, a child of a node
// of symbol parent (the Go conversion's side of rb_flatten's test).
func dropped(n *sitter.Node, parent uint16) bool {
	sym := uint16(n.Symbol())
	return int(sym) < len(dropKinds) && dropKinds[sym]&dropToken != 0 && !n.IsMissing() &&
		int(parent) < len(dropKinds) && dropKinds[parent]&keepTokens == 0
}

// internField returns the id of a grammar field name (0 for an unknown
// one, which no grammar node carries).
func internField(name string) uint8 { return fieldIDs[name] }

func fieldName(id uint8) string { return fieldNames[id] }

// Parser parses Python files one at a time. It is not safe for concurrent
// use: give each worker its own.
type Parser struct {
	arena arenaSlot // its parses' memory, kept between them
}

// NewParser returns a parser for Python.
func NewParser() *Parser {
	Language()
	return &Parser{}
}

// Close frees the parser's memory. A closed parser may parse again (and
// then holds memory again until closed).
func (p *Parser) Close() { p.arena.free() }

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
	t, _, err := parseBudget(scannerIndentation(src), WorkLimit(len(src)), timeout, &p.arena)
	if err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	t.src = src
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
	nodes := make([]wideNode, 0, len(src)/3+16)
	var far []wideFar
	truncated := false
	cur := sitter.NewTreeCursor(root)
	defer cur.Close()

	// Pre-order walk with the cursor; parents holds the open ancestors.
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
		var fid uint8
		if field != "" {
			fid = internField(field)
		}
		idx := int32(len(nodes))
		nodes = append(nodes, wideNode{sym: sym, field: fid, flags: fl, start: n.StartByte(), subEnd: idx + 1})
		far = setLinks(nodes, far, idx, n.EndByte(), parent)
		return idx
	}
	add(root, "", -1)
	parents := []int32{0}
	if cur.GoToFirstChild() {
	walk:
		for {
			depth := len(parents)
			n := cur.CurrentNode()
			if !dropped(n, nodes[parents[depth-1]].sym) {
				idx := add(n, cur.CurrentFieldName(), parents[depth-1])
				if depth < MaxDepth && cur.GoToFirstChild() {
					parents = append(parents, idx)
					continue
				} else if depth >= MaxDepth && n.ChildCount() > 0 {
					truncated = true
				}
			}
			for !cur.GoToNextSibling() {
				if !cur.GoToParent() || len(parents) == 1 {
					break walk
				}
				nodes[parents[len(parents)-1]].subEnd = int32(len(nodes))
				parents = parents[:len(parents)-1]
			}
		}
	}
	nodes[0].subEnd = int32(len(nodes))
	return pack(src, nodes, far, truncated)
}

// Root returns the module node.
func (t *Tree) Root() Node { return Node{t: t.data(), i: 0} }

// NodeCount returns the number of nodes, named and anonymous.
func (t *Tree) NodeCount() int {
	if t.count < 0 {
		return len(t.data().nodes)
	}
	return t.count
}

// Node is a handle on a node of a Tree. The zero Node is "no node": all
// its methods are safe and return zero values.
type Node struct {
	t *treeData
	i int32
}

func (n Node) nd() *node { return &n.t.nodes[n.i] }

// IsNil reports whether n is the zero Node.
func (n Node) IsNil() bool { return n.t == nil }

// Tree returns the tree n belongs to.
func (n Node) Tree() *Tree {
	if n.t == nil {
		return nil
	}
	return n.t.tree
}

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
	if n.nd().flags()&flagError != 0 {
		return "ERROR"
	}
	return symbolNames[n.nd().sym()]
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
	return fieldName(n.nd().field())
}

// IsNamed reports whether n is a named node (not punctuation or a keyword).
func (n Node) IsNamed() bool { return n.t != nil && n.nd().flags()&flagNamed != 0 }

// IsMissing reports whether the parser inserted n to recover from an error.
func (n Node) IsMissing() bool { return n.t != nil && n.nd().flags()&flagMissing != 0 }

// IsError reports whether n is an ERROR node.
func (n Node) IsError() bool { return n.t != nil && n.nd().flags()&flagError != 0 }

// HasError reports whether n or a descendant is an error or missing node.
func (n Node) HasError() bool { return n.t != nil && n.nd().flags()&flagHasError != 0 }

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
	return int(n.t.end(n.i))
}

// end returns the end of node i.
func (d *treeData) end(i int32) uint32 {
	nd := &d.nodes[i]
	if nd.flags()&flagFar == 0 {
		return nd.start + uint32(nd.length)
	}
	return d.farOf(i).end
}

// parent returns the index of the parent of node i, -1 at the root.
func (d *treeData) parent(i int32) int32 {
	nd := &d.nodes[i]
	if nd.flags()&flagFar == 0 {
		if nd.up == 0 {
			return -1
		}
		return i - int32(nd.up)
	}
	return d.farOf(i).parent
}

// farOf returns the far table's entry of node i (marked flagFar).
func (d *treeData) farOf(i int32) *farNode {
	if i == 0 {
		return &d.far[0] // the root, first when far, is the one most asked
	}
	k := sort.Search(len(d.far), func(k int) bool { return d.far[k].i >= i })
	return &d.far[k]
}

// Text returns the source text of n. The string shares the tree's source
// bytes rather than copying them (rules read names by the million): a
// tree's Src must not be modified once parsed, and nothing in rubric does.
func (n Node) Text() string {
	if n.t == nil {
		return ""
	}
	start, end := n.nd().start, n.t.end(n.i)
	if end <= start {
		return ""
	}
	return unsafe.String(&n.t.Src[start], end-start)
}

// Bytes returns the source bytes of n without copying.
func (n Node) Bytes() []byte {
	if n.t == nil {
		return nil
	}
	return n.t.Src[n.nd().start:n.t.end(n.i)]
}

// Parent returns the parent of n, or the zero Node at the root.
func (n Node) Parent() Node {
	if n.t == nil {
		return Node{}
	}
	if p := n.t.parent(n.i); p >= 0 {
		return Node{t: n.t, i: p}
	}
	return Node{}
}

// subEnd returns the index just past the last descendant of node i.
func (d *treeData) subEnd(i int32) int32 {
	if s := d.nodes[i].size(); s != sizeMark {
		return i + int32(s)
	}
	return d.farOf(i).subEnd
}

// firstChild returns the index of i's first child, or -1.
func (d *treeData) firstChild(i int32) int32 {
	if s := d.nodes[i].size(); s > 1 && (s != sizeMark || d.farOf(i).subEnd > i+1) {
		return i + 1
	}
	return -1
}

// nextChild is nextSib(c) for a child c of p: the parent is known, not
// decoded again.
func (d *treeData) nextChild(p, c int32) int32 {
	if s := d.subEnd(c); s < d.subEnd(p) {
		return s
	}
	return -1
}

// nextSib returns the index of i's next sibling, or -1.
func (d *treeData) nextSib(i int32) int32 {
	p := d.parent(i)
	if p < 0 {
		return -1
	}
	if s := d.subEnd(i); s < d.subEnd(p) {
		return s
	}
	return -1
}

// ChildCount returns the number of children, named or not.
func (n Node) ChildCount() int {
	if n.t == nil {
		return 0
	}
	k := 0
	for c := n.t.firstChild(n.i); c >= 0; c = n.t.nextChild(n.i, c) {
		k++
	}
	return k
}

// Children returns all children in order.
func (n Node) Children() []Node {
	if n.t == nil {
		return nil
	}
	out := make([]Node, 0, n.ChildCount())
	for c := n.t.firstChild(n.i); c >= 0; c = n.t.nextChild(n.i, c) {
		out = append(out, Node{t: n.t, i: c})
	}
	return out
}

// NamedChildren returns the named children in order.
func (n Node) NamedChildren() []Node { return n.namedChildren(false) }

// namedChildren returns the named children, comments left out when
// noComments is set, in one pass over the children: they sit apart in
// the node array (a module's statements span the whole file), so a pass
// to count them before a second to copy them costs a cache miss twice.
// Up to 16 are gathered on the stack, then copied into a slice of their
// number: one allocation either way.
func (n Node) namedChildren(noComments bool) []Node {
	if n.t == nil {
		return nil
	}
	var buf [16]Node
	k := 0
	var spill []Node
	for c := n.t.firstChild(n.i); c >= 0; c = n.t.nextChild(n.i, c) {
		if n.t.nodes[c].flags()&flagNamed == 0 {
			continue
		}
		m := Node{t: n.t, i: c}
		if noComments && m.Type() == "comment" {
			continue
		}
		switch {
		case spill != nil:
			spill = append(spill, m)
		case k < len(buf):
			buf[k] = m
			k++
		default:
			spill = make([]Node, len(buf), 4*len(buf))
			copy(spill, buf[:])
			spill = append(spill, m)
		}
	}
	if spill != nil {
		return spill
	}
	if k == 0 {
		return nil
	}
	out := make([]Node, k)
	copy(out, buf[:k])
	return out
}

// NamedChildCount is len(n.NamedChildren()), counted without the slice.
func (n Node) NamedChildCount() int {
	if n.t == nil {
		return 0
	}
	k := 0
	for c := n.t.firstChild(n.i); c >= 0; c = n.t.nextChild(n.i, c) {
		if n.t.nodes[c].flags()&flagNamed != 0 {
			k++
		}
	}
	return k
}

// Named yields the named children in order, as NamedChildren returns
// them, without building a slice: for the callers that only iterate.
func (n Node) Named() iter.Seq[Node] {
	return func(yield func(Node) bool) {
		if n.t == nil {
			return
		}
		for c := n.t.firstChild(n.i); c >= 0; c = n.t.nextChild(n.i, c) {
			if n.t.nodes[c].flags()&flagNamed != 0 && !yield(Node{t: n.t, i: c}) {
				return
			}
		}
	}
}

// FirstChild returns the first child, or the zero Node.
func (n Node) FirstChild() Node {
	if n.t == nil {
		return Node{}
	}
	if c := n.t.firstChild(n.i); c >= 0 {
		return Node{t: n.t, i: c}
	}
	return Node{}
}

// NextSibling returns the next sibling, or the zero Node.
func (n Node) NextSibling() Node {
	if n.t == nil {
		return Node{}
	}
	if c := n.t.nextSib(n.i); c >= 0 {
		return Node{t: n.t, i: c}
	}
	return Node{}
}

// NamedChild returns the i-th named child, or the zero Node.
func (n Node) NamedChild(i int) Node {
	if n.t == nil {
		return Node{}
	}
	k := 0
	for c := n.t.firstChild(n.i); c >= 0; c = n.t.nextChild(n.i, c) {
		if n.t.nodes[c].flags()&flagNamed != 0 {
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
	names := fieldNames
	for c := n.t.firstChild(n.i); c >= 0; c = n.t.nextChild(n.i, c) {
		if names[n.t.nodes[c].field()] == name {
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
	names := fieldNames
	var out []Node
	for c := n.t.firstChild(n.i); c >= 0; c = n.t.nextChild(n.i, c) {
		if names[n.t.nodes[c].field()] == name {
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
	return m.i >= n.i && m.i < n.t.subEnd(n.i)
}

// nodeIndex is the width of a type index's entries: 16 bits for trees of
// fewer than 1<<16 nodes (nearly every file), 32 bits beyond.
type nodeIndex interface{ ~uint16 | ~int32 }

// typeIndex buckets a tree's node indices by type id (see symType) with a
// counting sort: the nodes of type id are at[off[k]:off[k+1]], k its slot
// (typeSlot), in pre-order. Only the types some named symbol has are
// indexed (see indexedType): punctuation and keywords, about a third of
// the nodes, are found by a scan, which no rule asks for in a hot path.
type typeIndex[T nodeIndex] struct {
	at  []T
	off []T // one more entry than indexed types
}

// types returns the tree's type index, built once per expanded tree on
// first use; one of the two is set. Safe to share.
func (d *treeData) types() (*typeIndex[uint16], *typeIndex[int32]) {
	d.typesOnce.Do(func() {
		Language()
		if len(d.nodes) < 1<<16 {
			d.types16 = buildTypeIndex[uint16](d.nodes)
		} else {
			d.types32 = buildTypeIndex[int32](d.nodes)
		}
	})
	return d.types16, d.types32
}

func buildTypeIndex[T nodeIndex](nodes []node) *typeIndex[T] {
	off := make([]T, indexedTypes+1)
	for i := range nodes {
		if k := typeSlot[typeOf(&nodes[i])]; k >= 0 {
			off[k+1]++
		}
	}
	for k := 1; k < len(off); k++ {
		off[k] += off[k-1]
	}
	at := make([]T, off[len(off)-1])
	next := append([]T(nil), off[:len(off)-1]...)
	for i := range nodes {
		if k := typeSlot[typeOf(&nodes[i])]; k >= 0 {
			at[next[k]] = T(i)
			next[k]++
		}
	}
	return &typeIndex[T]{at: at, off: off}
}

// of returns the indices of the nodes of type id within [lo, hi).
func (ix *typeIndex[T]) of(id uint16, lo, hi int32) []T {
	if int(id) >= len(typeSlot) || typeSlot[id] < 0 {
		return nil
	}
	k := typeSlot[id]
	idx := ix.at[ix.off[k]:ix.off[k+1]:ix.off[k+1]]
	a := sort.Search(len(idx), func(j int) bool { return int32(idx[j]) >= lo })
	b := a + sort.Search(len(idx)-a, func(j int) bool { return int32(idx[a+j]) >= hi })
	return idx[a:b]
}

// typeOf is the dense type id of a node (aliases share their name's id).
func typeOf(nd *node) uint16 {
	if nd.flags()&flagError == 0 && int(nd.sym()) < len(symType) {
		return symType[nd.sym()]
	}
	return errorType
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
