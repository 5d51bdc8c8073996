package pyast

/*
#include <malloc.h>

// rb_malloc_arenas caps glibc's malloc arenas at two, before any thread
// starts (a constructor runs before the Go runtime). glibc gives a thread
// that finds the arenas busy an arena of its own, reserving 64 to 128 MB
// of address space each: with the Go runtime's own reservations, a start
// under an address-space limit (`ulimit -v` 1 GB) ran out of memory about
// once in twenty, depending on which threads happened to allocate first.
// Parses take their memory from rubric's own arenas (budget.go), so two
// malloc arenas cost nothing measurable.
__attribute__((constructor)) static void rb_malloc_arenas(void) {
#ifdef M_ARENA_MAX
	mallopt(M_ARENA_MAX, 2);
#endif
}
*/
import "C"
