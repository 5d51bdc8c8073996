//go:build unix

package analyzer

import (
	"syscall"
	"time"
)

// processCPU is the CPU time (user + system) the process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// peakRSS is the process's peak resident set so far, in bytes (Linux
// reports kilobytes; 0 where it cannot be read).
func peakRSS() uint64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil || ru.Maxrss < 0 {
		return 0
	}
	return uint64(ru.Maxrss) * 1024
}

// ProcessCPU is the process's CPU time, user and system, all threads (0
// where it cannot be read): on a shared machine a steadier figure than
// the wall time, for benchmarks.
func ProcessCPU() time.Duration { return processCPU() }
