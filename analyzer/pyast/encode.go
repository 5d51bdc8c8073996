package pyast

import (
	"encoding/binary"
	"errors"
)

// treeFormat versions the binary encoding of a Tree. Bump it whenever the
// encoding or the grammar changes.
const treeFormat = 1

// ErrBadEncoding is returned for data that is not a valid encoded tree.
var ErrBadEncoding = errors.New("pyast: invalid encoded tree")

// FormatID identifies the encoding and the grammar; caches key on it.
func FormatID() string {
	Language()
	return "t" + itoa(treeFormat) + "-s" + itoa(len(symbolNames)) + "-f" + itoa(len(langFields))
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

// MarshalBinary encodes the tree's structure (not its source) compactly:
// per node in pre-order, its symbol, field, flags, start delta, length and
// child count as varints. Links are rebuilt on decoding.
func (t *Tree) MarshalBinary() ([]byte, error) {
	out := make([]byte, 0, len(t.nodes)*7+16)
	out = binary.AppendUvarint(out, uint64(len(t.nodes)))
	if t.Truncated {
		out = append(out, 1)
	} else {
		out = append(out, 0)
	}
	prev := int64(0)
	for i := range t.nodes {
		n := &t.nodes[i]
		out = binary.AppendUvarint(out, uint64(n.sym))
		out = binary.AppendUvarint(out, uint64(n.field))
		out = append(out, n.flags)
		out = binary.AppendVarint(out, int64(n.start)-prev)
		prev = int64(n.start)
		out = binary.AppendUvarint(out, uint64(n.end-n.start))
		out = binary.AppendUvarint(out, uint64(n.nChildren))
	}
	return out, nil
}

// DecodeTree rebuilds a tree encoded by MarshalBinary for src. Every value
// is checked (symbols, fields, ranges, the shape), so corrupt data yields
// ErrBadEncoding, never a broken tree.
func DecodeTree(data, src []byte) (*Tree, error) {
	Language()
	count, k := binary.Uvarint(data)
	if k <= 0 || count == 0 || count > uint64(len(data)) {
		return nil, ErrBadEncoding
	}
	data = data[k:]
	if len(data) < 1 {
		return nil, ErrBadEncoding
	}
	t := &Tree{Src: src, nodes: make([]node, count), Truncated: data[0] == 1}
	data = data[1:]
	type frame struct{ idx, left, last int32 }
	var stack []frame
	prev := int64(0)
	next := func() (uint64, bool) {
		v, k := binary.Uvarint(data)
		if k <= 0 {
			return 0, false
		}
		data = data[k:]
		return v, true
	}
	for i := range t.nodes {
		sym, ok1 := next()
		field, ok2 := next()
		if !ok1 || !ok2 || len(data) < 1 {
			return nil, ErrBadEncoding
		}
		flags := data[0]
		data = data[1:]
		delta, k := binary.Varint(data)
		if k <= 0 {
			return nil, ErrBadEncoding
		}
		data = data[k:]
		length, ok3 := next()
		kids, ok4 := next()
		if !ok3 || !ok4 {
			return nil, ErrBadEncoding
		}
		start := prev + delta
		prev = start
		if (sym >= uint64(len(symbolNames)) && sym != 0xFFFF) || field >= uint64(len(fieldTab.Load().names)) ||
			start < 0 || uint64(start)+length > uint64(len(src)) || kids > count {
			return nil, ErrBadEncoding
		}
		n := &t.nodes[i]
		*n = node{sym: uint16(sym), field: uint16(field), flags: flags, start: uint32(start),
			end: uint32(uint64(start) + length), parent: -1, firstChild: -1, nChildren: int32(kids), nextSib: -1}
		if len(stack) > 0 {
			top := &stack[len(stack)-1]
			n.parent = top.idx
			if top.last < 0 {
				t.nodes[top.idx].firstChild = int32(i)
			} else {
				t.nodes[top.last].nextSib = int32(i)
			}
			top.last = int32(i)
			top.left--
		} else if i != 0 {
			return nil, ErrBadEncoding // a second root
		}
		if kids > 0 {
			stack = append(stack, frame{idx: int32(i), left: int32(kids), last: -1})
		}
		for len(stack) > 0 && stack[len(stack)-1].left == 0 {
			stack = stack[:len(stack)-1]
		}
	}
	if len(stack) != 0 || len(data) != 0 {
		return nil, ErrBadEncoding
	}
	t.linkSubtrees()
	return t, nil
}
