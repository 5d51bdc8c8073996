package pyast

/*
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>

// Declarations of the tree-sitter C API used here. The library itself is
// compiled and linked by github.com/smacker/go-tree-sitter; these match
// the api.h of the pinned version (TestFlattenMatchesCursorWalk guards it).
typedef struct TSTree TSTree;
typedef struct { uint32_t context[4]; const void *id; const TSTree *tree; } TSNode;
typedef struct { const void *tree; const void *id; uint32_t context[3]; } TSTreeCursor;
TSNode ts_tree_root_node(const TSTree *self);
TSTreeCursor ts_tree_cursor_new(TSNode node);
void ts_tree_cursor_delete(TSTreeCursor *self);
bool ts_tree_cursor_goto_first_child(TSTreeCursor *self);
bool ts_tree_cursor_goto_next_sibling(TSTreeCursor *self);
bool ts_tree_cursor_goto_parent(TSTreeCursor *self);
TSNode ts_tree_cursor_current_node(const TSTreeCursor *self);
uint16_t ts_tree_cursor_current_field_id(const TSTreeCursor *self);
uint16_t ts_node_symbol(TSNode self);
uint32_t ts_node_start_byte(TSNode self);
uint32_t ts_node_end_byte(TSNode self);
bool ts_node_is_named(TSNode self);
bool ts_node_is_missing(TSNode self);
bool ts_node_has_error(TSNode self);
uint32_t ts_node_child_count(TSNode self);
uint32_t ts_node_descendant_count(TSNode self);

// rb_node and rb_far have the layouts of the Go types wideNode and wideFar
// (checked at init); RB_FAR, RB_FAR_MARK, RB_DROP and RB_KEEP_TOKENS are
// flagFar, farMark, dropToken and keepTokens (checked too).
typedef struct {
	uint16_t sym;
	uint8_t field, flags;
	uint32_t start;
	int32_t sub_end;
	uint16_t length, up;
} rb_node;

typedef struct {
	int32_t i;
	uint32_t end;
	int32_t parent;
} rb_far;

#define RB_FAR 16
#define RB_FAR_MARK 0xFFFF
#define RB_DROP 1
#define RB_KEEP_TOKENS 2

static size_t rb_node_layout(int i) {
	switch (i) {
	case 0: return sizeof(rb_node);
	case 1: return offsetof(rb_node, field);
	case 2: return offsetof(rb_node, flags);
	case 3: return offsetof(rb_node, start);
	case 4: return offsetof(rb_node, sub_end);
	case 5: return offsetof(rb_node, length);
	case 6: return offsetof(rb_node, up);
	case 7: return sizeof(rb_far);
	case 8: return offsetof(rb_far, end);
	case 9: return offsetof(rb_far, parent);
	case 10: return RB_FAR;
	case 11: return RB_FAR_MARK;
	case 12: return RB_DROP;
	case 13: return RB_KEEP_TOKENS;
	}
	return 0;
}

static uint32_t rb_count(const TSTree *tree) {
	return ts_node_descendant_count(ts_tree_root_node(tree));
}

// rb_flatten walks the tree in pre-order with one cursor and writes every
// node into out (cap entries, Go memory), with its parent and the end of
// its subtree, and the ends and parents that do not fit in a node into far
// (far_cap entries, Go memory; *nfar counts them all, even past far_cap,
// as setLinks does). Subtrees deeper than max_depth are cut (*truncated is
// set). Tokens no reader needs are left out: a token whose symbol has
// RB_DROP in kinds (nsym entries, Go memory), unless it is
// missing or its parent has RB_KEEP_TOKENS (see dropKinds). Returns the
// number of nodes, -1 when out of C memory, -2 when out is too small.
static int32_t rb_flatten(const TSTree *tree, int32_t max_depth, rb_node *out, int32_t cap, rb_far *far, int32_t far_cap, int32_t *nfar, int *truncated,
		const uint8_t *kinds, uint32_t nsym) {
	int32_t *parents = malloc(sizeof(int32_t) * (max_depth + 2));
	if (!parents) return -1;
	*truncated = 0;
	*nfar = 0;
	TSTreeCursor cur = ts_tree_cursor_new(ts_tree_root_node(tree));
	int32_t depth = 0, len = 0;
	for (;;) {
		TSNode nd = ts_tree_cursor_current_node(&cur);
		uint16_t sym = ts_node_symbol(nd);
		// A node whose parent has no error has none either, and is not
		// missing (tree-sitter sums the children's error costs into the
		// parent's, and a missing node costs): two calls saved per node
		// of error-free code.
		bool clean = depth > 0 && !(out[parents[depth - 1]].flags & 8);
		bool named = ts_node_is_named(nd), missing = !clean && ts_node_is_missing(nd);
		if (depth > 0 && sym < nsym && (kinds[sym] & RB_DROP) && !missing) {
			uint16_t psym = out[parents[depth - 1]].sym;
			if (psym < nsym && !(kinds[psym] & RB_KEEP_TOKENS)) goto next; // a token: no children to skip
		}
		if (len == cap) { len = -2; break; }
		rb_node *r = &out[len];
		r->sym = sym;
		r->field = depth > 0 ? (uint8_t)ts_tree_cursor_current_field_id(&cur) : 0;
		r->flags = (named ? 1 : 0) | (missing ? 2 : 0) |
			(r->sym == 0xFFFF ? 4 : 0) | (!clean && ts_node_has_error(nd) ? 8 : 0);
		r->start = ts_node_start_byte(nd);
		uint32_t end = ts_node_end_byte(nd);
		int32_t parent = depth > 0 ? parents[depth - 1] : -1;
		uint64_t length = (uint64_t)end - (uint64_t)r->start;
		int64_t up = parent < 0 ? 0 : (int64_t)len - (int64_t)parent;
		if (length >= RB_FAR_MARK || up >= RB_FAR_MARK) {
			r->flags |= RB_FAR;
			r->length = r->up = RB_FAR_MARK;
			if (*nfar < far_cap) {
				far[*nfar].i = len;
				far[*nfar].end = end;
				far[*nfar].parent = parent;
			}
			++*nfar;
		} else {
			r->length = (uint16_t)length;
			r->up = (uint16_t)up;
		}
		int32_t idx = len++;
		if (depth < max_depth && ts_tree_cursor_goto_first_child(&cur)) {
			parents[depth++] = idx;
			continue;
		}
		if (depth >= max_depth && ts_node_child_count(nd) > 0) *truncated = 1;
		r->sub_end = len;
	next:
		// Climb until a next sibling, closing the subtrees left behind.
		while (depth > 0 && !ts_tree_cursor_goto_next_sibling(&cur)) {
			ts_tree_cursor_goto_parent(&cur);
			out[parents[--depth]].sub_end = len;
		}
		if (depth == 0) break;
	}
	ts_tree_cursor_delete(&cur);
	free(parents);
	return len;
}
*/
import "C"

import (
	"sync"
	"unsafe"

	sitter "github.com/smacker/go-tree-sitter"
)

func init() {
	var n wideNode
	var f wideFar
	want := []uintptr{unsafe.Sizeof(n), unsafe.Offsetof(n.field), unsafe.Offsetof(n.flags), unsafe.Offsetof(n.start),
		unsafe.Offsetof(n.subEnd), unsafe.Offsetof(n.length), unsafe.Offsetof(n.up),
		unsafe.Sizeof(f), unsafe.Offsetof(f.end), unsafe.Offsetof(f.parent), uintptr(flagFar), farMark,
		uintptr(dropToken), uintptr(keepTokens)}
	for i, w := range want {
		if uintptr(C.rb_node_layout(C.int(i))) != w {
			panic("pyast: the C and Go node layouts or flags differ")
		}
	}
}

// baseTreeLayout mirrors the first fields of go-tree-sitter's BaseTree so
// that the C tree pointer can be handed to rb_flatten.
type baseTreeLayout struct {
	c        unsafe.Pointer
	isClosed bool
}

// flatten converts a tree-sitter tree with one cgo call.
func flatten(t *sitter.Tree, src []byte) *Tree {
	bt := (*baseTreeLayout)(unsafe.Pointer(t.BaseTree))
	if out := flattenC(bt.c, src); out != nil {
		return out
	}
	return convert(t, src) // out of C memory: the slow path allocates in Go
}

// flattenC converts the C tree at tree (a *TSTree) with one cgo call that
// writes the wide nodes and their far table into a scratch buffer kept
// between calls (tree-sitter's count includes the tokens the walk leaves
// out, so the result is smaller than the room it needs), then packs them
// into a Go array of the exact size, the tree's MarshalBinary form. The far table
// rarely outgrows the room guessed for it; then the walk is done again
// with the room it needs. nil when C memory runs out.
func flattenC(tree unsafe.Pointer, src []byte) *Tree {
	ct := (*C.TSTree)(tree)
	count := int(C.rb_count(ct))
	farCap := 4 + count/256
	sp := scratchPool.Get().(*[]uint64)
	defer scratchPool.Put(sp)
	for {
		nodes, far := scratchParts(sp, count, farCap)
		var truncated C.int
		var nfar C.int32_t
		n := C.rb_flatten(ct, C.int32_t(MaxDepth), (*C.rb_node)(unsafe.Pointer(unsafe.SliceData(nodes))), C.int32_t(count),
			(*C.rb_far)(unsafe.Pointer(unsafe.SliceData(far))), C.int32_t(farCap), &nfar, &truncated,
			(*C.uint8_t)(unsafe.Pointer(unsafe.SliceData(dropKinds))), C.uint32_t(len(dropKinds)))
		if n < 0 {
			return nil
		}
		if int(nfar) > farCap {
			farCap = int(nfar)
			continue
		}
		return pack(src, nodes[:n], far[:nfar], truncated != 0)
	}
}

const (
	wideNodeSize = int(unsafe.Sizeof(wideNode{}))
	wideFarSize  = int(unsafe.Sizeof(wideFar{}))
)

// scratchPool holds the buffers flattenC walks into (*[]uint64, grown as
// needed): one per parse in flight, reused from file to file rather than
// left to the collector.
var scratchPool = sync.Pool{New: func() any { return new([]uint64) }}

// scratchParts returns room for count nodes and farCap far entries in
// *sp, growing it when it is too small. The contents are garbage: the
// walk writes every entry it returns.
func scratchParts(sp *[]uint64, count, farCap int) ([]wideNode, []wideFar) {
	size := count*wideNodeSize + farCap*wideFarSize
	words := (size + 7) / 8
	if len(*sp) < words {
		*sp = make([]uint64, words+words/4)
	}
	buf := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(*sp))), len(*sp)*8)
	var nodes []wideNode
	if count > 0 {
		nodes = unsafe.Slice((*wideNode)(unsafe.Pointer(&buf[0])), count)
	}
	far := unsafe.Slice((*wideFar)(unsafe.Pointer(&buf[count*wideNodeSize])), farCap)
	return nodes, far
}
