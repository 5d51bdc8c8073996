package printer

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// EscapeControls makes text from a submission (file names, source lines,
// messages quoting code) safe to show on a terminal or in a document: C0
// and C1 control characters (tab and newline kept), DEL, the Unicode
// bidirectional controls (which reorder what a reader sees) and invalid
// UTF-8 bytes are written as escapes (\x1b, \u202e, \xff). An ESC
// sequence planted in a file name or a line never reaches the reviewer's
// terminal.
func EscapeControls(s string) string {
	i := firstToEscape(s)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if esc := escapeOf(r, size, s[i]); esc != "" {
			b.WriteString(esc)
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// EscapePath is EscapeControls for a file name, which must stay on one
// line: a newline or tab in it is escaped too (\x0a, \x09), so that a
// file named "a.py\nb.py:1:1: SEC001 ..." cannot print a line that reads
// as a finding of its own.
func EscapePath(s string) string {
	return pathBreaks.Replace(EscapeControls(s))
}

var pathBreaks = strings.NewReplacer("\n", `\x0a`, "\t", `\x09`)

// firstToEscape is the offset of the first character EscapeControls
// changes, or -1.
func firstToEscape(s string) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if escapeOf(r, size, c) != "" {
			return i
		}
		i += size
	}
	return -1
}

// escapeOf is the escape for the character r (size bytes, first byte c),
// or "" when it is shown as it is.
func escapeOf(r rune, size int, c byte) string {
	switch {
	case r == utf8.RuneError && size == 1:
		return fmt.Sprintf(`\x%02x`, c)
	case r == '\t' || r == '\n':
		return ""
	case r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f:
		return fmt.Sprintf(`\x%02x`, r)
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
		return fmt.Sprintf(`\u%04x`, r)
	}
	return ""
}

// escapedWidth is how many columns the character r takes once escaped
// (1 when it is shown as it is).
func escapedWidth(r rune, size int, c byte) int {
	if esc := escapeOf(r, size, c); esc != "" {
		return len(esc)
	}
	return 1
}
