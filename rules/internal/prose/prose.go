// Package prose writes the lists rule messages name things in.
package prose

import "strings"

// JoinAnd joins names as prose: "a", "a and b", "a, b and c".
func JoinAnd(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
