package effects

import (
	"strings"
	"testing"
)

// mentionsFold must agree with the strings.ToLower search it replaces.
func TestMentionsFoldMatchesToLower(t *testing.T) {
	words := []string{"breaker", "circuit"}
	for _, src := range []string{
		"", "x = 1", "from pybreaker import CircuitBreaker", "BREAKER", "BrEaKeR()", "circ uit",
		"brea\u212Aer = 1", // the Kelvin sign lower-cases to k
		"caf\u00e9 circuiT", "\xff\xfebreaker", "breake", "@REAKER", "circuit"[:6],
	} {
		low := strings.ToLower(src)
		want := strings.Contains(low, "breaker") || strings.Contains(low, "circuit")
		if got := mentionsFold([]byte(src), words...); got != want {
			t.Errorf("mentionsFold(%q) = %v, want %v", src, got, want)
		}
	}
}
