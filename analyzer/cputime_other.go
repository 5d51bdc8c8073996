//go:build !unix

package analyzer

import "time"

// processCPU is not measured here.
func processCPU() time.Duration { return 0 }
