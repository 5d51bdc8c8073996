package pyast

import (
	"errors"
	"strconv"
	"unsafe"
)

// treeFormat versions the binary encoding of a Tree. Bump it whenever the
// encoding, the node layout or the grammar changes.
const treeFormat = 7

// ErrBadEncoding is returned for data that is not a valid encoded tree.
var ErrBadEncoding = errors.New("pyast: invalid encoded tree")

// FormatID identifies the encoding, the host's byte order (MarshalBinary
// writes nodes as they lie in memory) and the grammar; caches key on it.
func FormatID() string {
	Language()
	return "t" + strconv.Itoa(treeFormat) + "-" + hostOrder() + "-s" + strconv.Itoa(len(symbolNames)) + "-f" + strconv.Itoa(len(fieldNames))
}

func hostOrder() string {
	x := uint16(1)
	if *(*byte)(unsafe.Pointer(&x)) == 1 {
		return "le"
	}
	return "be"
}

// rawHeader is the size of the header of MarshalBinary's form: the node
// count and the far table's length (4 bytes each, host order), the
// truncation flag, the sizes of a node and of a far entry, five zero
// bytes. The nodes follow, as they lie in memory, then the far table, so
// that a tree's arrays can be that form's tail (see newNodeBuf) and a
// decoder can use an entry's bytes as the arrays themselves.
const rawHeader = 16

const (
	nodeSize = int(unsafe.Sizeof(node{}))
	farSize  = int(unsafe.Sizeof(farNode{}))
)

// newNodeBuf allocates room for the header, count nodes and farCap far
// entries, aligned for them, and returns the whole buffer, the nodes and
// the far table (empty, of capacity farCap) in it.
func newNodeBuf(count, farCap int) ([]byte, []node, []farNode) {
	size := rawHeader + count*nodeSize + farCap*farSize
	words := make([]uint64, (size+7)/8)
	buf := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(words))), size)
	nodes, far := viewParts(buf, count, farCap)
	return buf, nodes, far[:0]
}

// viewParts views the count nodes and nfar far entries that follow the
// header of buf (aligned for them).
func viewParts(buf []byte, count, nfar int) ([]node, []farNode) {
	var nodes []node
	var far []farNode
	if count > 0 {
		nodes = unsafe.Slice((*node)(unsafe.Pointer(&buf[rawHeader])), count)
	}
	if nfar > 0 {
		far = unsafe.Slice((*farNode)(unsafe.Pointer(&buf[rawHeader+count*nodeSize])), nfar)
	}
	return nodes, far
}

// rawForm returns the encoded form of count nodes and nfar far entries
// lying in buf (from newNodeBuf) where rawParts finds them, its header
// written.
func rawForm(buf []byte, count, nfar int, truncated bool) []byte {
	size := rawHeader + count*nodeSize + nfar*farSize
	buf = buf[:size:size]
	*(*uint32)(unsafe.Pointer(&buf[0])) = uint32(count)
	*(*uint32)(unsafe.Pointer(&buf[4])) = uint32(nfar)
	clear(buf[8:rawHeader])
	if truncated {
		buf[8] = 1
	}
	buf[9], buf[10] = byte(nodeSize), byte(farSize)
	return buf
}

// rawParts views the nodes and far table of a form rawForm wrote.
func rawParts(raw []byte) ([]node, []farNode) {
	return viewParts(raw, int(*(*uint32)(unsafe.Pointer(&raw[0]))), int(*(*uint32)(unsafe.Pointer(&raw[4]))))
}

// MarshalBinary encodes the tree's structure (not its source): a header,
// the node array as it lies in memory and the far table, which is what a
// parsed tree's arrays already are (no copy). The result is shared with
// the tree: callers must not modify it.
func (t *Tree) MarshalBinary() ([]byte, error) {
	d := t.data()
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.raw == nil {
		buf, nodes, far := newNodeBuf(len(d.nodes), len(d.far))
		copy(nodes, d.nodes)
		far = append(far, d.far...)
		t.raw = rawForm(buf, len(nodes), len(far), t.Truncated)
	}
	return t.raw, nil
}

// DecodeTree rebuilds a tree encoded by MarshalBinary for src. Every value
// is checked (symbols, fields, flags, ranges, parents, the shape, the far
// table), so corrupt data yields ErrBadEncoding, never a broken tree. When
// data is aligned for nodes (an entry of a reuse pack or tree cache file),
// the tree's arrays are data itself: nothing is copied, and callers must
// not modify data afterwards.
func DecodeTree(data, src []byte) (*Tree, error) {
	Language()
	if len(data) < rawHeader || data[8] > 1 || int(data[9]) != nodeSize || int(data[10]) != farSize ||
		data[11]|data[12]|data[13]|data[14]|data[15] != 0 {
		return nil, ErrBadEncoding
	}
	count := uint64(*(*uint32)(unsafe.Pointer(&data[0])))
	nfar := uint64(*(*uint32)(unsafe.Pointer(&data[4])))
	if count == 0 || count > 1<<31-1 || nfar > count || uint64(len(data)-rawHeader) != count*uint64(nodeSize)+nfar*uint64(farSize) {
		return nil, ErrBadEncoding
	}
	if uintptr(unsafe.Pointer(&data[0]))%unsafe.Alignof(node{}) != 0 {
		buf, _, _ := newNodeBuf(int(count), int(nfar))
		copy(buf, data)
		data = buf
	}
	nodes, far := rawParts(data)
	if err := checkNodes(nodes, far, len(src)); err != nil {
		return nil, err
	}
	t := newTree(src, nodes, far, data[8] == 1)
	t.raw = data
	return t, nil
}

// checkNodes verifies every invariant the accessors rely on: known
// symbols, fields and flags, the error flag on ERROR nodes and only there,
// ranges within the source, one root spanning the array, every subtree
// within its parent's, each parent the innermost open node, and a far
// table holding, in order, exactly the ends, parents and subtree ends of
// the nodes where one of them does not fit in a node.
func checkNodes(nodes []node, far []farNode, srcLen int) error {
	nsym, nfield, n := uint16(len(symbolNames)), uint8(len(fieldNames)), int32(len(nodes))
	// open holds the nodes whose subtree the walk is inside, innermost
	// last, and openEnd their subtrees' ends.
	open := make([]int32, 0, 64)
	openEnd := make([]int32, 0, 64)
	k := 0
	for i := range nodes {
		nd := &nodes[i]
		sym, flags := nd.sym(), nd.flags()
		if (sym == symError) != (flags&flagError != 0) || (sym != symError && sym >= nsym) || nd.field() >= nfield {
			return ErrBadEncoding
		}
		end, parent := uint64(nd.start)+uint64(nd.length), int32(i)-int32(nd.up)
		subEnd := int32(i) + int32(nd.size())
		if flags&flagFar != 0 {
			if k >= len(far) || far[k].i != int32(i) || nd.length != farMark || nd.up != farMark || nd.size() != sizeMark {
				return ErrBadEncoding
			}
			end, parent, subEnd = uint64(far[k].end), far[k].parent, far[k].subEnd
			up := int64(i) - int64(parent)
			if parent < 0 {
				up = 0
			}
			if end < uint64(nd.start) || !packFar(end-uint64(nd.start), up, subEnd-int32(i)) {
				return ErrBadEncoding // not the one encoding of this node
			}
			k++
		} else if nd.size() == sizeMark || (nd.up == 0) != (i == 0) {
			return ErrBadEncoding // only the root has no parent
		} else if i == 0 {
			parent = -1
		}
		if end > uint64(srcLen) || subEnd <= int32(i) || subEnd > n {
			return ErrBadEncoding
		}
		for len(open) > 0 && openEnd[len(open)-1] <= int32(i) {
			open, openEnd = open[:len(open)-1], openEnd[:len(open)-1]
		}
		if len(open) == 0 {
			if i != 0 || parent != -1 || subEnd != n {
				return ErrBadEncoding // a second root, or a root that does not span the tree
			}
		} else if p := open[len(open)-1]; parent != p || subEnd > openEnd[len(open)-1] {
			return ErrBadEncoding
		}
		if subEnd > int32(i)+1 {
			open, openEnd = append(open, int32(i)), append(openEnd, subEnd)
		}
	}
	if k != len(far) {
		return ErrBadEncoding
	}
	return nil
}
