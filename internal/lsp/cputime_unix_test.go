//go:build unix

package lsp_test

import (
	"syscall"
	"time"
)

// processCPU is the process's CPU time (user and system, all threads): on
// a shared machine a steadier figure than the wall time.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
