package project

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode"
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

// The skipping search agrees with a plain one on text made of the words'
// letters in random case, where matches overlap and stand at either end.
func TestMentionsFoldAgreesOnRandomText(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("breakBREAKcirCUIT_x2\u00e9\u212a\u0130\n")
	for _, words := range [][]string{{"breaker"}, {"circuit", "pay_out2"}, {"k"}, {"aa"}, {"x2"}} {
		for range 3000 {
			src := make([]byte, rng.IntN(40))
			for i := range src {
				src[i] = alphabet[rng.IntN(len(alphabet))]
			}
			low, want := strings.ToLower(string(src)), false
			for _, w := range words {
				want = want || strings.Contains(low, w)
			}
			if got := MentionsFold(src, words...); got != want {
				t.Fatalf("MentionsFold(%q, %q) = %v, want %v", src, words, got, want)
			}
		}
	}
}

// Two characters outside ASCII lower-case to ASCII letters, no other:
// MentionsFold copies only a file that holds one of them.
func TestFoldsToASCII(t *testing.T) {
	var found []string
	for r := rune(0x80); r <= unicode.MaxRune; r++ {
		for _, c := range strings.ToLower(string(r)) {
			if c < 0x80 {
				found = append(found, string(r))
				break
			}
		}
	}
	want := []string{string(foldsToASCII[0]), string(foldsToASCII[1])}
	if !slices.Equal(found, want) {
		t.Fatalf("characters that lower-case to ASCII: %q, want %q", found, want)
	}
}
