package pyast

/*
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

// The tree-sitter C API used here; the library is compiled and linked by
// github.com/smacker/go-tree-sitter (see flatten.go for the same pattern).
typedef struct TSParser TSParser;
typedef struct TSTree TSTree;
typedef struct TSLanguage TSLanguage;
TSParser *ts_parser_new(void);
void ts_parser_delete(TSParser *self);
bool ts_parser_set_language(TSParser *self, const TSLanguage *language);
void ts_parser_set_cancellation_flag(TSParser *self, const size_t *flag);
TSTree *ts_parser_parse_string(TSParser *self, const TSTree *old_tree, const char *string, uint32_t length);
void ts_tree_delete(TSTree *self);
const TSLanguage *tree_sitter_python(void);
extern void *(*ts_current_malloc)(size_t);
extern void *(*ts_current_calloc)(size_t, size_t);
extern void *(*ts_current_realloc)(void *, size_t);

// rb_budget is one parse's work meter. Work is the number of bytes the
// parse asks tree-sitter's allocator for: every node, child array, stack
// version and error-recovery copy is allocated, so the figure grows with
// what the parser does, and it depends on nothing but the input (each
// parse gets a fresh parser, so no pool carries over from another file).
// tree-sitter polls flag every 100 parse actions and gives up when it is
// set: by the meter when work passes limit, or by the wall-clock backstop.
typedef struct {
	size_t flag;
	uint64_t work;
	uint64_t limit;
	int timed_out;
} rb_budget;

static __thread rb_budget *rb_active;

static inline void rb_charge(size_t n) {
	rb_budget *b = rb_active;
	if (b) {
		b->work += n;
		if (b->work > b->limit) __atomic_store_n(&b->flag, 1, __ATOMIC_RELAXED);
	}
}

static void *rb_malloc(size_t n) {
	rb_charge(n);
	void *p = malloc(n);
	if (n > 0 && !p) { fprintf(stderr, "tree-sitter failed to allocate %zu bytes\n", n); abort(); }
	return p;
}

static void *rb_calloc(size_t c, size_t n) {
	rb_charge(c * n);
	void *p = calloc(c, n);
	if (c > 0 && n > 0 && !p) { fprintf(stderr, "tree-sitter failed to allocate %zu bytes\n", c * n); abort(); }
	return p;
}

static void *rb_realloc(void *q, size_t n) {
	rb_charge(n);
	void *p = realloc(q, n);
	if (n > 0 && !p) { fprintf(stderr, "tree-sitter failed to reallocate %zu bytes\n", n); abort(); }
	return p;
}

// rb_install routes tree-sitter's allocations through the meter. Called
// once from init, before any parser exists; memory allocated before that
// is freed by the same free().
static void rb_install(void) {
	ts_current_malloc = rb_malloc;
	ts_current_calloc = rb_calloc;
	ts_current_realloc = rb_realloc;
}

// rb_parse parses src with a fresh parser under budget b, on this thread
// only (the meter is thread-local). NULL when the parse was stopped.
static TSTree *rb_parse(const char *src, uint32_t len, rb_budget *b) {
	TSParser *p = ts_parser_new();
	if (!ts_parser_set_language(p, tree_sitter_python())) { ts_parser_delete(p); return NULL; }
	ts_parser_set_cancellation_flag(p, &b->flag);
	rb_active = b;
	TSTree *t = ts_parser_parse_string(p, NULL, src, len);
	rb_active = NULL;
	ts_parser_delete(p);
	return t;
}

static rb_budget *rb_budget_new(uint64_t limit) {
	rb_budget *b = calloc(1, sizeof(rb_budget));
	if (b) b->limit = limit;
	return b;
}

static void rb_timeout(rb_budget *b) {
	__atomic_store_n(&b->timed_out, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&b->flag, 1, __ATOMIC_RELAXED);
}

static int rb_timed_out(rb_budget *b) { return __atomic_load_n(&b->timed_out, __ATOMIC_RELAXED); }
*/
import "C"

import (
	"errors"
	"fmt"
	"sync"
	"time"
	"unsafe"
)

func init() { C.rb_install() }

// Work limits of one parse, in bytes requested from tree-sitter's
// allocator (see rb_budget): a fixed allowance plus an allowance per byte
// of source. Real code needs far less: over the Python 3.11 standard
// library and its site-packages (11,785 files, 128 MB) work averages 29
// per byte, peaks at 120 per byte for files of 1 KB or more, and stays
// under 1.7 MB for files under 16 KB, even with a syntax error at the top
// (TestWorkLimitLeavesRealCodeAlone measures it). Error-heavy input
// ('try:\n' repeated) grows quadratically, 64,000 per byte at 100 KB.
// tree-sitter does about 10^8 to 10^9 units of work a second.
const (
	WorkBase    = 16 << 20
	WorkPerByte = 1000
)

// WorkLimit is the work budget of a parse of n bytes.
func WorkLimit(n int) uint64 { return WorkBase + WorkPerByte*uint64(n) }

// ErrTooComplex is returned when a parse exceeds its work budget. The
// outcome depends only on the input, so it may be cached.
var ErrTooComplex = errors.New("the parser's work budget for this file was exceeded (error-heavy or pathological input)")

// ErrTimeout is returned when the wall-clock backstop stops a parse. It
// depends on the machine's load: never cache it.
var ErrTimeout = errors.New("parsing took too long")

// parseBudget parses src under WorkLimit(len(src)) and, when timeout > 0,
// a wall-clock backstop. The tree is flattened and freed before return.
func parseBudget(src []byte, limit uint64, timeout time.Duration) (*Tree, uint64, error) {
	Language()
	b := C.rb_budget_new(C.uint64_t(limit))
	if b == nil {
		return nil, 0, errors.New("parse: out of memory")
	}
	var (
		timer *time.Timer
		mu    sync.Mutex // held by the timer while it touches b
		freed bool
	)
	defer func() {
		mu.Lock()
		freed = true
		C.free(unsafe.Pointer(b))
		mu.Unlock()
	}()
	if timeout > 0 {
		timer = time.AfterFunc(timeout, func() {
			mu.Lock()
			if !freed {
				C.rb_timeout(b)
			}
			mu.Unlock()
		})
		defer timer.Stop()
	}
	var p *C.char
	if len(src) > 0 {
		p = (*C.char)(unsafe.Pointer(&src[0]))
	}
	t := C.rb_parse(p, C.uint32_t(len(src)), b)
	work := uint64(b.work)
	if t == nil {
		if C.rb_timed_out(b) != 0 {
			return nil, work, ErrTimeout
		}
		if work > limit {
			return nil, work, ErrTooComplex
		}
		return nil, work, fmt.Errorf("parse: tree-sitter returned no tree")
	}
	defer C.ts_tree_delete(t)
	tr := flattenC(unsafe.Pointer(t), src)
	if tr == nil {
		return nil, work, errors.New("parse: out of memory")
	}
	return tr, work, nil
}
