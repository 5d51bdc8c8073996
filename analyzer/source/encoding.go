package source

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/ianaindex"
)

// ErrEncoding is wrapped by errors about a PEP 263 coding declaration:
// an encoding rubric does not know, or bytes that encoding cannot decode.
var ErrEncoding = errors.New("source encoding")

// codingRe is PEP 263's declaration, as CPython's tokenizer matches it.
var (
	codingRe       = regexp.MustCompile(`^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)`)
	blankOrComment = regexp.MustCompile(`^[ \t\f]*(?:[#\r\n]|$)`)
)

var bom = []byte("\xef\xbb\xbf")

// Declaration is a PEP 263 coding declaration found in a file.
type Declaration struct {
	Name string // as written, e.g. "latin-1"
	Line int    // 1 or 2
	// Offset and End delimit the name in the raw bytes.
	Offset, End int
}

// DeclaredEncoding returns the coding declaration of raw, if any: in line
// 1, or in line 2 when line 1 is blank or a comment only.
func DeclaredEncoding(raw []byte) (Declaration, bool) {
	rest, off := raw, 0
	if bytes.HasPrefix(rest, bom) {
		rest, off = rest[len(bom):], len(bom)
	}
	for line := 1; line <= 2; line++ {
		text := rest
		if i := bytes.IndexByte(text, '\n'); i >= 0 {
			text = text[:i+1]
		}
		if m := codingRe.FindSubmatchIndex(text); m != nil {
			return Declaration{Name: string(text[m[2]:m[3]]), Line: line, Offset: off + m[2], End: off + m[3]}, true
		}
		if line == 1 && !blankOrComment.Match(text) {
			break
		}
		off += len(text)
		rest = rest[len(text):]
	}
	return Declaration{}, false
}

// normalEncoding folds a Python codec name the way codecs.lookup does for
// the names rubric knows: lower case, '_' and ' ' as '-'.
func normalEncoding(name string) string {
	// Python's encodings.normalize_encoding: a run of characters other
	// than letters, digits and dots is one separator, and leading and
	// trailing ones go (`utf--8` is UTF-8 to Python).
	var b strings.Builder
	sep := false
	for _, r := range strings.ToLower(name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' {
			if sep && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			sep = false
		} else {
			sep = true
		}
	}
	n := b.String()
	switch {
	case n == "utf8" || n == "u8" || n == "utf" || n == "cp65001" || n == "utf-8" || strings.HasPrefix(n, "utf-8-"):
		return "utf-8"
	case n == "latin-1" || n == "latin1" || n == "l1" || n == "latin" || n == "iso-latin-1" || n == "iso8859-1" ||
		n == "iso-8859-1" || n == "8859" || n == "cp819" || n == "iso-ir-100" || strings.HasPrefix(n, "iso-8859-1-") || strings.HasPrefix(n, "latin-1-"):
		return "iso-8859-1"
	case n == "ascii" || n == "us-ascii" || n == "646" || n == "us":
		return "ascii"
	}
	return n
}

// singleByte maps normalised Python codec names to single-byte code pages.
var singleByte = func() map[string]*charmap.Charmap {
	m := map[string]*charmap.Charmap{
		"iso-8859-1": charmap.ISO8859_1,
		"koi8-r":     charmap.KOI8R, "koi8-u": charmap.KOI8U,
		"cp437": charmap.CodePage437, "ibm437": charmap.CodePage437,
		"cp850": charmap.CodePage850, "ibm850": charmap.CodePage850,
		"cp852": charmap.CodePage852, "cp866": charmap.CodePage866, "ibm866": charmap.CodePage866,
		"mac-roman": charmap.Macintosh, "macroman": charmap.Macintosh, "macintosh": charmap.Macintosh,
		"mac-cyrillic": charmap.MacintoshCyrillic, "cp874": charmap.Windows874,
	}
	windows := []*charmap.Charmap{charmap.Windows1250, charmap.Windows1251, charmap.Windows1252, charmap.Windows1253,
		charmap.Windows1254, charmap.Windows1255, charmap.Windows1256, charmap.Windows1257, charmap.Windows1258}
	for i, cm := range windows {
		m[fmt.Sprintf("cp%d", 1250+i)] = cm
		m[fmt.Sprintf("windows-%d", 1250+i)] = cm
	}
	iso := map[int]*charmap.Charmap{2: charmap.ISO8859_2, 3: charmap.ISO8859_3, 4: charmap.ISO8859_4, 5: charmap.ISO8859_5,
		6: charmap.ISO8859_6, 7: charmap.ISO8859_7, 8: charmap.ISO8859_8, 9: charmap.ISO8859_9, 10: charmap.ISO8859_10,
		13: charmap.ISO8859_13, 14: charmap.ISO8859_14, 15: charmap.ISO8859_15, 16: charmap.ISO8859_16}
	for n, cm := range iso {
		m[fmt.Sprintf("iso-8859-%d", n)] = cm
		m[fmt.Sprintf("iso8859-%d", n)] = cm
	}
	for latin, n := range map[int]int{2: 2, 3: 3, 4: 4, 5: 9, 6: 10, 7: 13, 8: 14, 9: 15, 10: 16} {
		m[fmt.Sprintf("latin%d", latin)] = iso[n]
		m[fmt.Sprintf("latin-%d", latin)] = iso[n]
		m[fmt.Sprintf("l%d", latin)] = iso[n]
	}
	return m
}()

// EncodingName is the canonical name of a declared encoding, "" for UTF-8.
func EncodingName(d Declaration) string {
	n := normalEncoding(d.Name)
	if n == "utf-8" {
		return ""
	}
	return n
}

// decode applies raw's coding declaration, if any, and returns UTF-8 text
// and the encoding's canonical name ("" when the file is UTF-8). A UTF-8
// declaration, or none, returns raw itself.
func decode(raw []byte) ([]byte, string, error) {
	d, ok := DeclaredEncoding(raw)
	if !ok {
		return raw, "", nil
	}
	name := normalEncoding(d.Name)
	if name == "utf-8" {
		return raw, "", nil
	}
	if bytes.HasPrefix(raw, bom) {
		return nil, "", fmt.Errorf("%w: a UTF-8 byte order mark with a declared encoding of %q (line %d)", ErrEncoding, d.Name, d.Line)
	}
	if name == "ascii" {
		for i, b := range raw {
			if b >= 0x80 {
				return nil, "", fmt.Errorf("%w: byte 0x%02x at offset %d is not ASCII, the declared encoding (line %d)", ErrEncoding, b, i, d.Line)
			}
		}
		return raw, "", nil
	}
	if cm := singleByte[name]; cm != nil {
		out := make([]byte, 0, len(raw)+len(raw)/4)
		for i, b := range raw {
			r := cm.DecodeByte(b)
			if r == utf8.RuneError {
				return nil, "", fmt.Errorf("%w: byte 0x%02x at offset %d is undefined in %s, the declared encoding (line %d)", ErrEncoding, b, i, d.Name, d.Line)
			}
			out = utf8.AppendRune(out, r)
		}
		return out, name, nil
	}
	enc, err := ianaindex.IANA.Encoding(name)
	if err != nil || enc == nil {
		return nil, "", fmt.Errorf("%w: unknown encoding %q declared on line %d", ErrEncoding, d.Name, d.Line)
	}
	out, err := decodeWith(enc, raw)
	if err != nil {
		return nil, "", fmt.Errorf("%w: cannot decode as %s, the declared encoding (line %d): %v", ErrEncoding, d.Name, d.Line, err)
	}
	return out, name, nil
}

func decodeWith(enc encoding.Encoding, raw []byte) ([]byte, error) {
	return enc.NewDecoder().Bytes(raw)
}

// Encode turns UTF-8 text back into the encoding decode read it from (a
// canonical name from EncodingName; "" is UTF-8): what a fixed file is
// written in. A character the encoding cannot hold is an error.
func Encode(text []byte, name string) ([]byte, error) {
	switch name {
	case "", "utf-8":
		return text, nil
	case "ascii":
		for i, b := range text {
			if b >= 0x80 {
				return nil, fmt.Errorf("%w: a non-ASCII character at offset %d in a file declared ASCII", ErrEncoding, i)
			}
		}
		return text, nil
	}
	var enc encoding.Encoding
	if cm := singleByte[name]; cm != nil {
		enc = cm
	} else if e, err := ianaindex.IANA.Encoding(name); err == nil && e != nil {
		enc = e
	} else {
		return nil, fmt.Errorf("%w: unknown encoding %q", ErrEncoding, name)
	}
	out, err := enc.NewEncoder().Bytes(text)
	if err != nil || !bytes.Equal(mustDecode(enc, out), text) {
		return nil, fmt.Errorf("%w: the text holds a character %s cannot encode", ErrEncoding, name)
	}
	return out, nil
}

// mustDecode decodes raw with enc, nil on error.
func mustDecode(enc encoding.Encoding, raw []byte) []byte {
	out, err := decodeWith(enc, raw)
	if err != nil {
		return nil
	}
	return out
}
