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

// ReleaseCMemory hands the C heap's free memory back to the system: what
// glibc keeps after the trees and closed parsers' arenas are freed.
// Called once parsing is over, it lowers the resident set the rest of
// the run holds.
func ReleaseCMemory() { C.rb_trim() }
