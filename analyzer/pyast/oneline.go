package pyast

import (
	"strings"
	"unicode/utf8"
)

// OneLine is a node's text with its runs of white space (new lines
// included) folded into one space, cut to at most max bytes with "..."
// (never inside a UTF-8 sequence): for quoting code in a message.
func OneLine(n Node, max int) string { return OneLineText(textWithoutComments(n), max) }

// OneLineText is OneLine for text that is no node's (a Dockerfile's
// command).
func OneLineText(text string, max int) string {
	s := strings.Join(strings.Fields(text), " ")
	if len(s) <= max || max < 4 {
		return s
	}
	cut := max - 3
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	// A cut right after a dot (`cache.`) would read `cache....`: the
	// dots of the cut text go, the ellipsis says it was cut.
	return strings.TrimRight(s[:cut], ".") + "..."
}

// textWithoutComments is n's text less the comments inside it (a chained
// call spread over lines may carry one after any line).
func textWithoutComments(n Node) string {
	text := n.Text()
	var b strings.Builder
	at := n.StartByte()
	for c := range FindEach(n, "comment") {
		if c.StartByte() < at {
			continue
		}
		b.WriteString(text[at-n.StartByte() : c.StartByte()-n.StartByte()])
		at = c.EndByte()
	}
	if b.Len() == 0 && at == n.StartByte() {
		return text
	}
	b.WriteString(text[at-n.StartByte():])
	return b.String()
}
