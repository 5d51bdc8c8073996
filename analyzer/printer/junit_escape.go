package printer

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// xmlSafe returns s with every character XML 1.0 does not allow (control
// characters but tab, newline and carriage return; U+FFFE, U+FFFF;
// invalid UTF-8 bytes) written as a visible escape (\x1b, \ufffe, \xff),
// so that JUnit output is well-formed whatever bytes a file name, a source
// line or a message holds. encoding/xml escapes markup but writes CDATA
// unchecked and silently replaces invalid characters in attributes: apply
// this to every string first.
func xmlSafe(s string) string {
	ok := true
	for i := 0; i < len(s) && ok; {
		r, size := utf8.DecodeRuneInString(s[i:])
		ok = xmlAllowed(r, size)
		i += size
	}
	if ok {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case !xmlAllowed(r, size) && r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		case !xmlAllowed(r, size):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// xmlAllowed is XML 1.0's Char production.
func xmlAllowed(r rune, size int) bool {
	switch {
	case r == utf8.RuneError && size == 1:
		return false
	case r == 0x9 || r == 0xA || r == 0xD:
		return true
	case r >= 0x20 && r <= 0xD7FF, r >= 0xE000 && r <= 0xFFFD, r >= 0x10000 && r <= 0x10FFFF:
		return true
	}
	return false
}
