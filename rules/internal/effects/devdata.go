package effects

import "strings"

// IsDevData reports modules that generate seed, demo or fixture data
// (random_data.py, populate_db.py, seed_demo.py): they run once on an empty
// database, so per-row queries, per-row writes and writes outside a
// transaction there cost nothing a reviewer would ask to change.
func IsDevData(rel string) bool {
	base := strings.TrimSuffix(rel[strings.LastIndex(rel, "/")+1:], ".py")
	for _, w := range []string{"seed", "populate", "random_data", "sample_data", "demo", "fixture", "dummy", "fake"} {
		if strings.Contains(base, w) {
			return true
		}
	}
	return false
}
