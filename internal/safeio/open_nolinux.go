//go:build unix && !linux

package safeio

import "os"

// openBeneath leaves the decision to openInNoFollow's walk: openat2 is
// Linux's.
func openBeneath(root, rel string) (*os.File, bool, error) { return nil, false, nil }
