package pyast

import (
	"encoding/binary"
	"errors"
	"strconv"
)

// treeFormat versions the binary encoding of a Tree. Bump it whenever the
// encoding or the grammar changes.
const treeFormat = 2

// ErrBadEncoding is returned for data that is not a valid encoded tree.
var ErrBadEncoding = errors.New("pyast: invalid encoded tree")

// FormatID identifies the encoding and the grammar; caches key on it.
func FormatID() string {
	Language()
	return "t" + strconv.Itoa(treeFormat) + "-s" + strconv.Itoa(len(symbolNames)) + "-f" + strconv.Itoa(len(fieldNames))
}

// flagField marks, in an encoded node's flags byte, that a field id
// follows.
const flagField uint8 = 1 << 7

// MarshalBinary encodes the tree's structure (not its source) compactly.
// The result is shared with the tree: callers must not modify it.
func (t *Tree) MarshalBinary() ([]byte, error) {
	d := t.data()
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.enc == nil {
		t.enc = encodeNodes(d.nodes, t.Truncated)
	}
	return t.enc, nil
}

// encodeNodes writes the count, the truncation flag, then per node in
// pre-order: its symbol (+1, 0 for ERROR), its flags (with flagField when
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

// DecodeTree rebuilds a tree encoded by MarshalBinary for src. Every value
// is checked (symbols, fields, ranges, the shape), so corrupt data yields
// ErrBadEncoding, never a broken tree. The tree keeps data as its compact
// form: callers must not modify it afterwards.
func DecodeTree(data, src []byte) (*Tree, error) {
	nodes, truncated, err := decodeNodes(data, src)
	if err != nil {
		return nil, err
	}
	t := newTree(src, nodes, truncated)
	t.enc = data
	return t, nil
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
