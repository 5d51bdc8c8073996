//go:build !unix

package reusecache

import "github.com/rubric-dev/rubric/internal/safeio"

// mapPack reads a pack (see the unix version, which maps it).
func mapPack(path string, limit int64) ([]byte, error) { return safeio.ReadFile(path, limit) }
