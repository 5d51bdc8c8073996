package pyast

/*
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifndef _WIN32
#include <sys/mman.h>
#endif

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
extern void (*ts_current_free)(void *);

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

// rb_arena holds one parse's memory: the parser, its stacks and pools and
// the tree it returns are bumped out of chunks and go together when the
// tree has been flattened (rb_arena_release), instead of one free() per
// node. A parse whose allocations pass RB_ARENA_CAP takes the rest from
// malloc (overflowed), and its tree is then deleted the usual way, with
// the arena still active so that frees of arena memory are no-ops: memory
// stays bounded on error-heavy input, where tree-sitter allocates far more
// than it keeps.
typedef struct rb_chunk {
	struct rb_chunk *next;
	char *cur, *end, *last;
} rb_chunk;

typedef struct {
	rb_chunk *head;      // newest first
	size_t next_cap;     // size of the next chunk
	size_t total;        // bytes bumped in this parse
	int overflowed;
} rb_arena;

#define RB_CHUNK_FIRST ((size_t)256 << 10)
#define RB_CHUNK_MAX ((size_t)8 << 20)
// rb_arena_cap is RB_ARENA_CAP but for tests (setArenaCap); rb_overflows
// counts the parses that passed it.
#define RB_ARENA_CAP ((size_t)64 << 20)
static size_t rb_arena_cap = RB_ARENA_CAP;
static uint64_t rb_overflows;
static void rb_set_arena_cap(size_t n) { __atomic_store_n(&rb_arena_cap, n, __ATOMIC_RELAXED); }
static uint64_t rb_overflow_count(void) { return __atomic_load_n(&rb_overflows, __ATOMIC_RELAXED); }

static __thread rb_arena *rb_arena_active;

static void rb_oom(size_t n) {
	fprintf(stderr, "tree-sitter failed to allocate %zu bytes\n", n);
	abort();
}

static inline char *rb_chunk_data(rb_chunk *c) { return (char *)(c + 1); }

// Chunks are mapped from the system, not taken from malloc, so that a
// freed chunk goes back at once: glibc would keep large blocks in its
// heap once a few were freed (its threshold for mapping them rises), and
// the run's resident set grew by what the largest parses had used.
#ifdef _WIN32
static rb_chunk *rb_chunk_map(size_t size) { return malloc(size); }
static void rb_chunk_unmap(rb_chunk *c) { free(c); }
#else
static rb_chunk *rb_chunk_map(size_t size) {
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}
static void rb_chunk_unmap(rb_chunk *c) { munmap(c, (size_t)(c->end - (char *)c)); }
#endif

static void *rb_arena_alloc(rb_arena *a, size_t n) {
	n = n ? (n + 15) & ~(size_t)15 : 16;
	rb_chunk *c = a->head;
	if (!c || (size_t)(c->end - c->cur) < n) {
		size_t cap = a->next_cap < n ? n : a->next_cap;
		c = rb_chunk_map(sizeof(rb_chunk) + cap);
		if (!c) rb_oom(cap);
		c->cur = c->last = rb_chunk_data(c);
		c->end = c->cur + cap;
		c->next = a->head;
		a->head = c;
		if (a->next_cap < RB_CHUNK_MAX) a->next_cap *= 2;
	}
	char *p = c->cur;
	c->last = p;
	c->cur += n;
	a->total += n;
	return p;
}

static rb_chunk *rb_arena_chunk(rb_arena *a, const void *p) {
	for (rb_chunk *c = a->head; c; c = c->next) {
		if ((const char *)p >= rb_chunk_data(c) && (const char *)p < c->end) return c;
	}
	return NULL;
}

// rb_arena_take is whether an allocation of n bytes comes from the arena.
static inline rb_arena *rb_arena_take(size_t n) {
	rb_arena *a = rb_arena_active;
	if (!a) return NULL;
	if (a->total + n > __atomic_load_n(&rb_arena_cap, __ATOMIC_RELAXED)) {
		if (!a->overflowed) __atomic_add_fetch(&rb_overflows, 1, __ATOMIC_RELAXED);
		a->overflowed = 1;
		return NULL;
	}
	return a;
}

static inline void rb_charge(size_t n) {
	rb_budget *b = rb_active;
	if (b) {
		b->work += n;
		if (b->work > b->limit) __atomic_store_n(&b->flag, 1, __ATOMIC_RELAXED);
	}
}

// rb_alloc takes n bytes from the active arena, or from malloc past its
// cap or outside a parse; uncharged.
static void *rb_alloc(size_t n) {
	rb_arena *a = rb_arena_take(n);
	if (a) return rb_arena_alloc(a, n);
	void *p = malloc(n);
	if (n > 0 && !p) rb_oom(n);
	return p;
}

static void *rb_malloc(size_t n) {
	rb_charge(n);
	return rb_alloc(n);
}

static void *rb_calloc(size_t c, size_t n) {
	size_t size;
	if (__builtin_mul_overflow(c, n, &size)) rb_oom(SIZE_MAX);
	rb_charge(size);
	rb_arena *a = rb_arena_take(size);
	if (a) {
		void *p = rb_arena_alloc(a, size);
		memset(p, 0, size);
		return p;
	}
	void *p = calloc(c, n);
	if (size > 0 && !p) rb_oom(size);
	return p;
}

static void *rb_realloc(void *q, size_t n) {
	rb_charge(n);
	rb_arena *a = rb_arena_active;
	rb_chunk *c = a && q ? rb_arena_chunk(a, q) : NULL;
	if (c) {
		size_t room = (n + 15) & ~(size_t)15;
		if ((char *)q == c->last && room > 0 && room <= (size_t)(c->end - (char *)q) &&
			a->total + room <= __atomic_load_n(&rb_arena_cap, __ATOMIC_RELAXED)) {
			a->total += room - (size_t)(c->cur - (char *)q);
			c->cur = (char *)q + room;
			return q;
		}
		// The old block ends at or before c->cur: copy no further.
		size_t old = (size_t)(c->cur - (char *)q);
		void *p = rb_alloc(n);
		memcpy(p, q, n < old ? n : old);
		return p;
	}
	if (!q) return rb_alloc(n);
	void *p = realloc(q, n);
	if (n > 0 && !p) rb_oom(n);
	return p;
}

static void rb_free(void *p) {
	rb_arena *a = rb_arena_active;
	if (a && p && rb_arena_chunk(a, p)) return;
	free(p);
}

static rb_arena *rb_arena_new(void) {
	rb_arena *a = calloc(1, sizeof(rb_arena));
	if (a) a->next_cap = RB_CHUNK_FIRST;
	return a;
}

// rb_arena_release frees the parse's memory, tree included (t may be
// NULL), and readies the arena for another parse: the newest chunk is
// kept when it is no larger than RB_CHUNK_MAX.
static void rb_arena_release(rb_arena *a, TSTree *t) {
	if (t && a->overflowed) {
		rb_arena_active = a;
		ts_tree_delete(t);
		rb_arena_active = NULL;
	}
	rb_chunk *keep = a->head;
	if (keep && (size_t)(keep->end - rb_chunk_data(keep)) > RB_CHUNK_MAX) keep = NULL;
	for (rb_chunk *c = a->head, *next; c; c = next) {
		next = c->next;
		if (c != keep) rb_chunk_unmap(c);
	}
	a->head = keep;
	if (keep) {
		keep->next = NULL;
		keep->cur = keep->last = rb_chunk_data(keep);
	}
	a->total = 0;
	a->overflowed = 0;
}

static void rb_arena_free(rb_arena *a) {
	rb_arena_release(a, NULL);
	if (a->head) rb_chunk_unmap(a->head);
	free(a);
}

// rb_install routes tree-sitter's allocations through the meter and, in
// rb_parse, the arena. Called once from init, before any parser exists;
// memory allocated before that is freed by the same free().
static void rb_install(void) {
	ts_current_malloc = rb_malloc;
	ts_current_calloc = rb_calloc;
	ts_current_realloc = rb_realloc;
	ts_current_free = rb_free;
}

// rb_parse parses src with a fresh parser under budget b, on this thread
// only (the meter is thread-local), its memory in arena a (see
// rb_arena_release). NULL when the parse was stopped.
static TSTree *rb_parse(const char *src, uint32_t len, rb_budget *b, rb_arena *a) {
	rb_arena_active = a;
	TSTree *t = NULL;
	TSParser *p = ts_parser_new();
	if (ts_parser_set_language(p, tree_sitter_python())) {
		ts_parser_set_cancellation_flag(p, &b->flag);
		rb_active = b;
		t = ts_parser_parse_string(p, NULL, src, len);
		rb_active = NULL;
	}
	ts_parser_delete(p);
	rb_arena_active = NULL;
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
func parseBudget(src []byte, limit uint64, timeout time.Duration, slot *arenaSlot) (*Tree, uint64, error) {
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
	a, release := slot.take()
	if a == nil {
		return nil, 0, errors.New("parse: out of memory")
	}
	t := C.rb_parse(p, C.uint32_t(len(src)), b, a)
	defer release(t)
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
	tr := flattenC(unsafe.Pointer(t), src)
	if tr == nil {
		return nil, work, errors.New("parse: out of memory")
	}
	return tr, work, nil
}

// setArenaCap sets how many bytes a parse takes from its arena before
// malloc (RB_ARENA_CAP; 0 restores it). For tests.
func setArenaCap(n int) {
	if n <= 0 {
		n = C.RB_ARENA_CAP
	}
	C.rb_set_arena_cap(C.size_t(n))
}

// arenaOverflows is how many parses have passed the arena's cap.
func arenaOverflows() uint64 { return uint64(C.rb_overflow_count()) }

// arenaSlot is a Parser's arena (see rb_arena), kept from parse to parse
// with the chunk it last grew to, until the parser is closed.
type arenaSlot struct {
	mu sync.Mutex
	a  *C.rb_arena
}

// take returns an arena for one parse and the function that frees its
// memory once the tree t (nil when the parse was stopped) is flattened:
// the slot's when it is free, else (no slot, or a parse already using
// it) one of the parse's own.
func (s *arenaSlot) take() (*C.rb_arena, func(t *C.TSTree)) {
	if s != nil && s.mu.TryLock() {
		if s.a == nil {
			s.a = C.rb_arena_new()
		}
		if s.a == nil {
			s.mu.Unlock()
			return nil, nil
		}
		return s.a, func(t *C.TSTree) {
			C.rb_arena_release(s.a, t)
			s.mu.Unlock()
		}
	}
	a := C.rb_arena_new()
	if a == nil {
		return nil, nil
	}
	return a, func(t *C.TSTree) {
		C.rb_arena_release(a, t)
		C.rb_arena_free(a)
	}
}

// free frees the slot's arena; a later parse makes another.
func (s *arenaSlot) free() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.a != nil {
		C.rb_arena_free(s.a)
		s.a = nil
	}
}
