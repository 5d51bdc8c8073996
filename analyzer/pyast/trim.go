package pyast

/*
#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
static void rb_trim(void) { malloc_trim(0); }
#else
static void rb_trim(void) {}
#endif
*/
import "C"

// ReleaseCMemory hands the C heap's free memory back to the system: the
// idle parse arenas (see rb_arena) and what glibc keeps after the trees
// are freed. Called once parsing is over, it lowers the resident set the
// rest of the run holds; a later parse makes a new arena.
func ReleaseCMemory() {
	freeIdleArenas()
	C.rb_trim()
}
