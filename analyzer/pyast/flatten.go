package pyast

/*
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

typedef struct {
	uint16_t sym, field;
	uint8_t flags;
	uint32_t start, end;
	int32_t parent, first_child, n_children, next_sib;
} rb_node;

// rb_flatten walks the tree in pre-order with one cursor and writes every
// node into a growing array, linking parents, first children and next
// siblings. Subtrees deeper than max_depth are cut (*truncated is set).
// Returns the array (malloc'd; the caller frees it) and its length in *n.
static rb_node *rb_flatten(const TSTree *tree, int32_t max_depth, int32_t *n, int *truncated) {
	int32_t cap = 1024, len = 0;
	rb_node *out = malloc(sizeof(rb_node) * cap);
	int32_t *parents = malloc(sizeof(int32_t) * (max_depth + 2));
	int32_t *last = malloc(sizeof(int32_t) * (max_depth + 2));
	if (!out || !parents || !last) { free(out); free(parents); free(last); *n = -1; return NULL; }
	*truncated = 0;
	TSNode root = ts_tree_root_node(tree);
	TSTreeCursor cur = ts_tree_cursor_new(root);
	int32_t depth = 0;
	for (;;) {
		TSNode nd = ts_tree_cursor_current_node(&cur);
		if (len == cap) {
			cap *= 2;
			rb_node *grown = realloc(out, sizeof(rb_node) * cap);
			if (!grown) { free(out); free(parents); free(last); ts_tree_cursor_delete(&cur); *n = -1; return NULL; }
			out = grown;
		}
		rb_node *r = &out[len];
		r->sym = ts_node_symbol(nd);
		r->field = depth > 0 ? ts_tree_cursor_current_field_id(&cur) : 0;
		r->flags = (ts_node_is_named(nd) ? 1 : 0) | (ts_node_is_missing(nd) ? 2 : 0) |
			(r->sym == 0xFFFF ? 4 : 0) | (ts_node_has_error(nd) ? 8 : 0);
		r->start = ts_node_start_byte(nd);
		r->end = ts_node_end_byte(nd);
		r->first_child = -1; r->n_children = 0; r->next_sib = -1;
		r->parent = depth > 0 ? parents[depth - 1] : -1;
		if (depth > 0) {
			int32_t p = parents[depth - 1];
			if (last[depth - 1] >= 0) out[last[depth - 1]].next_sib = len; else out[p].first_child = len;
			out[p].n_children++;
			last[depth - 1] = len;
		}
		int32_t idx = len++;
		if (depth < max_depth && ts_tree_cursor_goto_first_child(&cur)) {
			parents[depth] = idx;
			last[depth] = -1;
			depth++;
			continue;
		}
		if (depth >= max_depth && ts_node_child_count(nd) > 0) *truncated = 1;
		for (;;) {
			if (depth == 0) goto done;
			if (ts_tree_cursor_goto_next_sibling(&cur)) break;
			ts_tree_cursor_goto_parent(&cur);
			depth--;
		}
	}
done:
	ts_tree_cursor_delete(&cur);
	free(parents); free(last);
	*n = len;
	return out;
}
*/
import "C"

import (
	"unsafe"

	sitter "github.com/smacker/go-tree-sitter"
)

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

// flattenC converts the C tree at tree (a *TSTree); nil when C memory
// runs out.
func flattenC(tree unsafe.Pointer, src []byte) *Tree {
	var n C.int32_t
	var truncated C.int
	arr := C.rb_flatten((*C.TSTree)(tree), C.int32_t(MaxDepth), &n, &truncated)
	if arr == nil || n < 0 {
		return nil
	}
	defer C.free(unsafe.Pointer(arr))
	raw := unsafe.Slice((*C.rb_node)(unsafe.Pointer(arr)), int(n))
	out := &Tree{Src: src, nodes: make([]node, len(raw)), Truncated: truncated != 0}
	for i := range raw {
		r := &raw[i]
		out.nodes[i] = node{sym: uint16(r.sym), field: langField(uint16(r.field)), flags: uint8(r.flags),
			start: uint32(r.start), end: uint32(r.end), parent: int32(r.parent),
			firstChild: int32(r.first_child), nChildren: int32(r.n_children), nextSib: int32(r.next_sib)}
	}
	out.linkSubtrees()
	return out
}

var langFields []uint16 // grammar field id -> interned field id

// langField maps a grammar field id to the interned id used by Node.Field.
func langField(id uint16) uint16 {
	if id == 0 {
		return 0
	}
	if int(id) < len(langFields) {
		return langFields[id]
	}
	return internField(Language().FieldName(int(id)))
}
