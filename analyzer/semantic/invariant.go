package semantic

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// invariantWords mark the message of an assertion: the author says the
// raise is a programming error no caller is meant to handle.
var invariantWords = []string{"never happen", "not happen", "never occur", "never be used", "should never", "must never",
	"programming error", "programmer error", "unreachable", "this is a bug"}

// InvariantMessage reports an exception built with a message that says it
// cannot happen (`Exception("Must never happen ...")`, `"Bug: ..."`): an
// assertion written as a raise, not a refusal a caller is meant to handle.
func InvariantMessage(e pyast.Node) bool {
	c, ok := pyast.AsCall(pyast.Unparen(e))
	if !ok || len(c.Positional) == 0 {
		return false
	}
	if InvariantText(c.Positional[0].Text()) {
		return true
	}
	s, _ := pyast.StringValue(c.Positional[0])
	return strings.HasPrefix(strings.ToLower(strings.TrimSpace(s)), "bug:")
}

// InvariantText reports a text (a message, a comment line) holding one of
// the words of an assertion ("should never happen", "unreachable").
func InvariantText(text string) bool {
	text = strings.ToLower(text)
	for _, w := range invariantWords {
		if strings.Contains(text, w) {
			return true
		}
	}
	return false
}
