package cli

import (
	"bytes"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"unsafe"
)

// hugeHeap is how much of the heap adviseHugeHeap asks huge pages for:
// more than a run over a large project (saleor's) holds at its peak.
const hugeHeap = 512 << 20

// madvHugePage is Linux's MADV_HUGEPAGE.
const madvHugePage = 14

// adviseHugeHeap asks Linux to back the heap's first hugeHeap bytes with
// transparent huge pages, where the system leaves them to the program's
// choice (enabled = madvise, the usual default). A run's heap grows to
// hundreds of megabytes that are touched for the first time once each,
// and on a virtual machine each first touch of a 4 KB page is a fault that
// costs microseconds of system time: saleor's cold run took 75,000 of
// them, a second of CPU. With huge pages it takes about as many as the
// parse floor does (see README.md, Performance).
//
// Go does not advise its heap itself, and maps it in arenas as it grows;
// so one large object is allocated (which maps the arenas without
// touching them), the mapping that holds it is advised, and the object is
// dropped: the heap then grows into the advised memory. Nothing is done
// when huge pages are off or always on, when the kernel may refuse to
// overcommit (the object would count against it), when a memory limit or
// an address-space limit under 4 GB is set (the object would count
// against it), or with RUBRIC_HUGEPAGES=0.
func adviseHugeHeap() {
	if os.Getenv("RUBRIC_HUGEPAGES") == "0" || debug.SetMemoryLimit(-1) != math.MaxInt64 {
		return
	}
	if mode, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled"); err != nil || !bytes.Contains(mode, []byte("[madvise]")) {
		return
	}
	if policy, err := os.ReadFile("/proc/sys/vm/overcommit_memory"); err != nil || strings.TrimSpace(string(policy)) == "2" {
		return
	}
	var as syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_AS, &as) != nil || as.Cur < 8*hugeHeap {
		return // an address-space limit: the object could fail to map
	}
	// The collector is off while the object lives: its allocation would
	// start a collection of its own, one more than the one that frees it.
	old := debug.SetGCPercent(-1)
	b := make([]byte, hugeHeap)
	if lo, hi := mappingOf(uintptr(unsafe.Pointer(&b[0]))); lo < hi {
		_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, lo, hi-lo, madvHugePage)
	}
	runtime.KeepAlive(b)
	b = nil
	runtime.GC() // the object's pages go back to the heap, never touched
	debug.SetGCPercent(old)
}

// mappingOf returns the bounds of the mapping in /proc/self/maps that
// holds address p (0, 0 when none is found).
func mappingOf(p uintptr) (lo, hi uintptr) {
	data, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return 0, 0
	}
	for line := range strings.Lines(string(data)) {
		rng, _, _ := strings.Cut(line, " ")
		a, b, ok := strings.Cut(rng, "-")
		if !ok {
			continue
		}
		x, err1 := strconv.ParseUint(a, 16, 64)
		y, err2 := strconv.ParseUint(b, 16, 64)
		if err1 == nil && err2 == nil && uintptr(x) <= p && p < uintptr(y) {
			return uintptr(x), uintptr(y)
		}
	}
	return 0, 0
}
