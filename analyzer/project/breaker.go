package project

import (
	"bytes"
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// breakerModules are circuit-breaker libraries.
var breakerModules = []string{"pybreaker", "circuitbreaker", "aiobreaker", "purgatory", "breakers", "pycircuitbreaker"}

// BreakerImport returns the first module the file imports from a
// circuit-breaker library (pybreaker, circuitbreaker, aiobreaker,
// purgatory...), or "".
func BreakerImport(im *pyast.Imports) string {
	if im == nil {
		return ""
	}
	for _, m := range im.Modules {
		head, _, _ := strings.Cut(m, ".")
		for _, b := range breakerModules {
			if head == b {
				return m
			}
		}
	}
	return ""
}

// BreakerSites returns the nodes of a file that show a circuit breaker:
// a class, a decorator or a callee named for a breaker (CircuitBreaker,
// BreakerBoard, @breaker, initialize_breaker_board(); not a tie-breaker). A
// call that is a decorator's expression is reported once, as its
// decorator. "circuit" alone is not enough: NetBox's circuits are telecom
// lines, and circuitbreaker's @circuit is known by its import
// (BreakerImport). NET005 and the checklist's http.circuit_breaker signal
// share both.
func BreakerSites(t *pyast.Tree) []pyast.Node {
	if !MentionsFold(t.Src(), "breaker") {
		return nil // cheap pre-filter, before the tree is read; the tree decides below
	}
	root := t.Root()
	var out []pyast.Node
	for n := range pyast.FindEach(root, "class_definition", "decorator", "call") {
		found := false
		switch n.Type() {
		case "class_definition":
			found = breakerName(pyast.DefName(n))
		case "decorator":
			found = breakerName(pyast.Dotted(decoratorCallee(n)))
		case "call":
			if n.Parent().Type() == "decorator" {
				continue
			}
			found = breakerName(pyast.Dotted(n.ChildByField("function")))
		}
		if found {
			out = append(out, n)
		}
	}
	return out
}

// decoratorCallee is the decorator's callee: `@breaker` and
// `@breaker(fail_max=5)` both give `breaker`.
func decoratorCallee(d pyast.Node) pyast.Node {
	e := d.NamedChild(0)
	if e.Type() == "call" {
		return e.ChildByField("function")
	}
	return e
}

// breakerName reports a dotted name with the word "breaker" (or
// "breakers") in it, split at dots, underscores and case changes, other
// than a tie-breaker (`_apply_ordering_tie_breaker`).
func breakerName(name string) bool {
	ws := nameWords(name)
	for i, w := range ws {
		if (w == "breaker" || w == "breakers") && (i == 0 || ws[i-1] != "tie") {
			return true
		}
		if w == "circuitbreaker" || w == "circuitbreakers" || w == "pybreaker" || w == "aiobreaker" {
			return true
		}
	}
	return false
}

// nameWords splits an identifier into lower-case words at dots,
// underscores, digits and lower-to-upper case changes.
func nameWords(s string) []string {
	var out []string
	start := -1
	for i := 0; i <= len(s); i++ {
		boundary := i == len(s) || !isAlpha(s[i])
		camel := i > 0 && i < len(s) && isUpper(s[i]) && !isUpper(s[i-1]) && isAlpha(s[i-1])
		if (boundary || camel) && start >= 0 {
			out = append(out, strings.ToLower(s[start:i]))
			start = -1
		}
		if i < len(s) && isAlpha(s[i]) && start < 0 {
			start = i
		}
	}
	return out
}

func isAlpha(b byte) bool { return b >= 'a' && b <= 'z' || isUpper(b) }
func isUpper(b byte) bool { return b >= 'A' && b <= 'Z' }

func asciiLower(b byte) byte {
	if isUpper(b) {
		return b + 'a' - 'A'
	}
	return b
}

// MentionsFold reports whether strings.ToLower(string(src)) contains one
// of words (lower-case ASCII), without copying src: an ASCII
// case-insensitive search, then the copy, only for a file that holds one
// of the two characters outside ASCII whose lower case is an ASCII letter
// (foldsToASCII). Phase one asks it of every file it parses (Facts.Breaker),
// so the searches skip through src with the library's vectorised byte
// search rather than a loop per byte.
func MentionsFold(src []byte, words ...string) bool {
	for _, w := range words {
		if asciiContainsFold(src, w) {
			return true
		}
	}
	if !bytes.Contains(src, foldsToASCII[0]) && !bytes.Contains(src, foldsToASCII[1]) {
		// Any other byte outside ASCII lower-cases to bytes outside
		// ASCII (invalid UTF-8 to U+FFFD): no new match can appear.
		return false
	}
	low := strings.ToLower(string(src))
	for _, w := range words {
		if strings.Contains(low, w) {
			return true
		}
	}
	return false
}

// foldsToASCII are the only characters outside ASCII that
// strings.ToLower turns into ASCII: the capital I with a dot above (to i)
// and the Kelvin sign (to k). TestFoldsToASCII checks every rune.
var foldsToASCII = [2][]byte{[]byte("\u0130"), []byte("\u212a")}

// letterRarity orders the lower-case letters from the rarest in source
// code: asciiContainsFold looks for a word's rarest letter first.
const letterRarity = "zqjxkvbwyfgpmhudclosnritae"

// asciiContainsFold reports whether src holds word (lower-case ASCII) in
// any mix of ASCII case. It finds each place where the word's rarest
// letter stands, in either case, with bytes.IndexByte, and compares the
// word around it.
func asciiContainsFold(src []byte, word string) bool {
	if word == "" {
		return true
	}
	if len(word) > len(src) {
		return false
	}
	k, best := 0, len(letterRarity)
	for i := 0; i < len(word); i++ {
		if r := strings.IndexByte(letterRarity, word[i]); r >= 0 && r < best {
			k, best = i, r
		}
	}
	lo, up := word[k], word[k]
	if lo >= 'a' && lo <= 'z' {
		up = lo - 'a' + 'A'
	}
	// The pivot may stand at k .. len(src)-len(word)+k.
	last := len(src) - len(word) + k
	next := func(b byte, from int) int {
		if j := bytes.IndexByte(src[from:last+1], b); j >= 0 {
			return from + j
		}
		return -1
	}
	nl, nu := next(lo, k), -1
	if up != lo {
		nu = next(up, k)
	}
	for nl >= 0 || nu >= 0 {
		at := nl
		if at < 0 || nu >= 0 && nu < at {
			at = nu
		}
		if foldEqual(src[at-k:at-k+len(word)], word) {
			return true
		}
		if at == nl {
			nl = -1
			if at < last {
				nl = next(lo, at+1)
			}
		} else {
			nu = -1
			if at < last {
				nu = next(up, at+1)
			}
		}
	}
	return false
}

// foldEqual reports whether b equals word (lower-case ASCII) in any mix
// of ASCII case.
func foldEqual(b []byte, word string) bool {
	for i := 0; i < len(word); i++ {
		if asciiLower(b[i]) != word[i] {
			return false
		}
	}
	return true
}
