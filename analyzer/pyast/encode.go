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
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.enc == nil {
		t.enc = encodeNodes(t.pinned.Load().nodes, t.Truncated)
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

// decoder reads varints from an encoded tree.
type decoder struct {
	data []byte
	bad  bool
}

func (d *decoder) uvarint() uint64 {
	if len(d.data) > 0 && d.data[0] < 0x80 {
		v := uint64(d.data[0])
		d.data = d.data[1:]
		return v
	}
	v, k := binary.Uvarint(d.data)
	if k <= 0 {
		d.bad = true
		d.data = nil
		return 0
	}
	d.data = d.data[k:]
	return v
}

func (d *decoder) varint() int64 {
	u := d.uvarint()
	v := int64(u >> 1)
	if u&1 != 0 {
		v = ^v
	}
	return v
}

func (d *decoder) byte() uint8 {
	if len(d.data) == 0 {
		d.bad = true
		return 0
	}
	b := d.data[0]
	d.data = d.data[1:]
	return b
}

func decodeNodes(data, src []byte) ([]node, bool, error) {
	Language()
	d := decoder{data: data}
	count := d.uvarint()
	if d.bad || count == 0 || count > uint64(len(data)) || count > 1<<31-1 {
		return nil, false, ErrBadEncoding
	}
	truncated := d.byte()
	if d.bad || truncated > 1 {
		return nil, false, ErrBadEncoding
	}
	nodes := make([]node, count)
	// open holds the nodes whose subtree the walk is inside, innermost last.
	open := make([]int32, 0, 64)
	prev := int64(0)
	nsym, nfield := uint64(len(symbolNames)), uint8(len(fieldNames))
	for i := range nodes {
		sym := d.uvarint()
		flags := d.byte()
		var field uint8
		if flags&flagField != 0 {
			flags &^= flagField
			field = d.byte()
			if field == 0 || field >= nfield {
				return nil, false, ErrBadEncoding
			}
		}
		start := prev + d.varint()
		prev = start
		length := d.uvarint()
		size := d.uvarint()
		if d.bad || sym > nsym || flags >= 1<<4 || (sym == 0) != (flags&flagError != 0) || start < 0 || uint64(start)+length > uint64(len(src)) ||
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
	if len(d.data) != 0 {
		return nil, false, ErrBadEncoding
	}
	return nodes, truncated == 1, nil
}
