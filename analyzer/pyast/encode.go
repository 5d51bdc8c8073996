package pyast

import (
	"encoding/binary"
	"errors"
	"strconv"
	"unsafe"
)

// treeFormat versions the binary encoding of a Tree. Bump it whenever the
// encoding, the node layout or the grammar changes.
const treeFormat = 3

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

// flagField marks, in a compact node's flags byte, that a field id
// follows.
const flagField uint8 = 1 << 7

// rawHeader is the size of the header of MarshalBinary's form: the node
// count (4 bytes, host order), the truncation flag, the size of a node,
// two zero bytes. The nodes follow, as they lie in memory, so that the
// node array of a tree can be that form's tail (see newNodeBuf) and a
// decoder can use an entry's bytes as the array itself.
const rawHeader = 8

const nodeSize = int(unsafe.Sizeof(node{}))

// newNodeBuf allocates room for rawHeader bytes and count nodes, aligned
// for node, and returns the whole buffer and the node array in its tail.
func newNodeBuf(count int) ([]byte, []node) {
	words := make([]uint64, (rawHeader+count*nodeSize+7)/8)
	buf := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(words))), rawHeader+count*nodeSize)
	return buf, nodesOf(buf[rawHeader:], count)
}

// nodesOf views b (aligned for node, count nodes long) as nodes.
func nodesOf(b []byte, count int) []node {
	if count == 0 {
		return nil
	}
	return unsafe.Slice((*node)(unsafe.Pointer(unsafe.SliceData(b))), count)
}

// rawForm returns the encoded form of nodes lying at buf[rawHeader:]
// (buf from newNodeBuf), its header written.
func rawForm(buf []byte, count int, truncated bool) []byte {
	buf = buf[: rawHeader+count*nodeSize : rawHeader+count*nodeSize]
	*(*uint32)(unsafe.Pointer(&buf[0])) = uint32(count)
	buf[4], buf[5], buf[6], buf[7] = 0, byte(nodeSize), 0, 0
	if truncated {
		buf[4] = 1
	}
	return buf
}

// MarshalBinary encodes the tree's structure (not its source): a header
// and the node array as it lies in memory, which is what a parsed tree's
// array already is (no copy). The result is shared with the tree: callers
// must not modify it.
func (t *Tree) MarshalBinary() ([]byte, error) {
	d := t.data()
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.raw == nil {
		buf, nodes := newNodeBuf(len(d.nodes))
		copy(nodes, d.nodes)
		t.raw = rawForm(buf, len(nodes), t.Truncated)
	}
	return t.raw, nil
}

// DecodeTree rebuilds a tree encoded by MarshalBinary for src. Every value
// is checked (symbols, fields, flags, ranges, parents, the shape), so
// corrupt data yields ErrBadEncoding, never a broken tree. When data is
// aligned for node (an entry of a reuse pack or tree cache file), the
// tree's node array is data itself: nothing is copied, and callers must
// not modify data afterwards.
func DecodeTree(data, src []byte) (*Tree, error) {
	Language()
	if len(data) < rawHeader || data[4] > 1 || int(data[5]) != nodeSize || data[6] != 0 || data[7] != 0 {
		return nil, ErrBadEncoding
	}
	count := uint64(*(*uint32)(unsafe.Pointer(unsafe.SliceData(data))))
	if count == 0 || count > 1<<31-1 || uint64(len(data)-rawHeader) != count*uint64(nodeSize) {
		return nil, ErrBadEncoding
	}
	body := data[rawHeader:]
	var nodes []node
	if uintptr(unsafe.Pointer(unsafe.SliceData(body)))%unsafe.Alignof(node{}) == 0 {
		nodes = nodesOf(body, int(count))
	} else {
		buf, ns := newNodeBuf(int(count))
		copy(buf, data)
		nodes, data = ns, buf
	}
	if err := checkNodes(nodes, len(src)); err != nil {
		return nil, err
	}
	t := newTree(src, nodes, data[4] == 1)
	t.raw = data
	return t, nil
}

// checkNodes verifies every invariant the accessors rely on: known
// symbols and fields, the error flag on ERROR nodes and only there,
// ranges within the source, one root spanning the array, every subtree
// within its parent's, and each parent the innermost open node.
func checkNodes(nodes []node, srcLen int) error {
	nsym, nfield, n := uint16(len(symbolNames)), uint8(len(fieldNames)), int32(len(nodes))
	// open holds the nodes whose subtree the walk is inside, innermost last.
	open := make([]int32, 0, 64)
	for i := range nodes {
		nd := &nodes[i]
		if (nd.sym == 0xFFFF) != (nd.flags&flagError != 0) || (nd.sym != 0xFFFF && nd.sym >= nsym) || nd.flags >= 1<<4 ||
			nd.field >= nfield || nd.start > nd.end || uint64(nd.end) > uint64(srcLen) || nd.subEnd <= int32(i) || nd.subEnd > n {
			return ErrBadEncoding
		}
		for len(open) > 0 && nodes[open[len(open)-1]].subEnd <= int32(i) {
			open = open[:len(open)-1]
		}
		if len(open) == 0 {
			if i != 0 || nd.parent != -1 || nd.subEnd != n {
				return ErrBadEncoding // a second root, or a root that does not span the tree
			}
		} else if p := open[len(open)-1]; nd.parent != p || nd.subEnd > nodes[p].subEnd {
			return ErrBadEncoding
		}
		if nd.subEnd > int32(i)+1 {
			open = append(open, int32(i))
		}
	}
	return nil
}

// encodeNodes writes Compact's form (decodeNodes reads it): the count,
// the truncation flag, then per node in pre-order: its symbol (+1, 0 for ERROR), its flags (with flagField when
// a field id byte follows), its start as a delta from the previous node's
// start, its length, and the size of its subtree minus one, as varints.
// Parents and subtree ends are rebuilt on decoding. About 6 bytes a node.
func encodeNodes(nodes []node, truncated bool) []byte {
	out := make([]byte, 0, len(nodes)*6+16)
	out = binary.AppendUvarint(out, uint64(len(nodes)))
	if truncated {
		out = append(out, 1)
	} else {
		out = append(out, 0)
	}
	prev := int64(0)
	for i := range nodes {
		n := &nodes[i]
		sym := uint64(n.sym) + 1
		if n.sym == 0xFFFF {
			sym = 0
		}
		out = binary.AppendUvarint(out, sym)
		if n.field != 0 {
			out = append(out, n.flags|flagField, n.field)
		} else {
			out = append(out, n.flags)
		}
		out = binary.AppendVarint(out, int64(n.start)-prev)
		prev = int64(n.start)
		out = binary.AppendUvarint(out, uint64(n.end-n.start))
		out = binary.AppendUvarint(out, uint64(n.subEnd-int32(i)-1))
	}
	return out
}

// uv reads a uvarint at pos; pos < 0 on malformed input. The one-byte
// case (most values) is inlined into the decoding loop.
func uv(data []byte, pos int) (uint64, int) {
	if pos >= 0 && pos < len(data) && data[pos] < 0x80 {
		return uint64(data[pos]), pos + 1
	}
	return uvSlow(data, pos)
}

func uvSlow(data []byte, pos int) (uint64, int) {
	if pos < 0 || pos >= len(data) {
		return 0, -1
	}
	v, k := binary.Uvarint(data[pos:])
	if k <= 0 {
		return 0, -1
	}
	return v, pos + k
}

// zz undoes the zig-zag encoding of binary.AppendVarint.
func zz(u uint64) int64 {
	v := int64(u >> 1)
	if u&1 != 0 {
		v = ^v
	}
	return v
}

func decodeNodes(data, src []byte) ([]node, bool, error) {
	Language()
	count, pos := uv(data, 0)
	if pos < 0 || count == 0 || count > uint64(len(data)) || count > 1<<31-1 || pos >= len(data) || data[pos] > 1 {
		return nil, false, ErrBadEncoding
	}
	truncated := data[pos] == 1
	pos++
	nodes := make([]node, count)
	// open holds the nodes whose subtree the walk is inside, innermost last.
	open := make([]int32, 0, 64)
	prev := int64(0)
	nsym, nfield, srcLen := uint64(len(symbolNames)), uint8(len(fieldNames)), uint64(len(src))
	for i := range nodes {
		var sym, ustart, length, size uint64
		sym, pos = uv(data, pos)
		if pos < 0 || pos >= len(data) {
			return nil, false, ErrBadEncoding
		}
		flags := data[pos]
		pos++
		var field uint8
		if flags&flagField != 0 {
			if pos >= len(data) {
				return nil, false, ErrBadEncoding
			}
			flags &^= flagField
			field = data[pos]
			pos++
			if field == 0 || field >= nfield {
				return nil, false, ErrBadEncoding
			}
		}
		ustart, pos = uv(data, pos)
		length, pos = uv(data, pos)
		size, pos = uv(data, pos)
		start := prev + zz(ustart)
		prev = start
		if pos < 0 || sym > nsym || flags >= 1<<4 || (sym == 0) != (flags&flagError != 0) || start < 0 || uint64(start)+length > srcLen ||
			size >= count-uint64(i) {
			return nil, false, ErrBadEncoding
		}
		n := &nodes[i]
		n.sym = uint16(sym - 1) // 0 (ERROR) wraps to 0xFFFF
		n.field, n.flags = field, flags
		n.start, n.end = uint32(start), uint32(uint64(start)+length)
		n.subEnd = int32(i) + 1 + int32(size)
		for len(open) > 0 && nodes[open[len(open)-1]].subEnd <= int32(i) {
			open = open[:len(open)-1]
		}
		n.parent = -1
		if len(open) > 0 {
			p := open[len(open)-1]
			if n.subEnd > nodes[p].subEnd {
				return nil, false, ErrBadEncoding // overlaps its parent's end
			}
			n.parent = p
		} else if i != 0 {
			return nil, false, ErrBadEncoding // a second root
		}
		if size > 0 {
			open = append(open, int32(i))
		}
	}
	if pos != len(data) {
		return nil, false, ErrBadEncoding
	}
	return nodes, truncated, nil
}
