package effects

import (
	"strings"
	"testing"
)

// MentionsFold must agree with the strings.ToLower search it replaces.
func TestMentionsFoldMatchesToLower(t *testing.T) {
	words := []string{"breaker", "circuit"}
	for _, src := range []string{
		"", "x = 1", "from pybreaker import CircuitBreaker", "BREAKER", "BrEaKeR()", "circ uit",
		"brea\u212Aer = 1", // the Kelvin sign lower-cases to k
		"caf\u00e9 circuiT", "\xff\xfebreaker", "breake", "@REAKER", "circuit"[:6],
	} {
		low := strings.ToLower(src)
		want := strings.Contains(low, "breaker") || strings.Contains(low, "circuit")
		if got := MentionsFold([]byte(src), words...); got != want {
			t.Errorf("MentionsFold(%q) = %v, want %v", src, got, want)
		}
	}
}

// Words need not be letters: MIG015 looks for model names (digits,
// underscores) in any case.
func TestMentionsFoldNonLetters(t *testing.T) {
	for src, want := range map[string]bool{"class PAY_OUT2(Model)": true, "PAY?OUT2": false, "pay_out": false, "Pay_Out2 = f()": true} {
		if got := MentionsFold([]byte(src), "pay_out2"); got != want {
			t.Errorf("MentionsFold(%q) = %v, want %v", src, got, want)
		}
	}
}
