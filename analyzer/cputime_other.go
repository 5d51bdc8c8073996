//go:build !unix

package analyzer

import "time"

// processCPU is not measured here.
func processCPU() time.Duration { return 0 }

// peakRSS is not measured here.
func peakRSS() uint64 { return 0 }

// ProcessCPU is the process's CPU time (see cputime_unix.go).
func ProcessCPU() time.Duration { return processCPU() }
