package semantic

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// patternValue is the text of a URL pattern argument: a string literal,
// or an f-string whose interpolations are bare names bound once, at
// module level, to string literals (`f"v1/{WALLETS_BASE_URL}/operation"`).
// Anything else is not known ("", false).
func (f *File) patternValue(n pyast.Node) (string, bool) {
	if s, ok := pyast.StringValue(n); ok {
		return s, true
	}
	n = pyast.Unparen(n)
	if n.Type() != "string" {
		return "", false
	}
	var sb strings.Builder
	for c := n.FirstChild(); !c.IsNil(); c = c.NextSibling() {
		switch c.Type() {
		case "string_content", "escape_sequence":
			sb.Write(c.Bytes())
		case "interpolation":
			if c.NamedChildCount() != 1 {
				return "", false // a conversion or format spec
			}
			e := c.NamedChild(0)
			if e.Type() != "identifier" {
				return "", false
			}
			bs := f.globals[e.Text()]
			if len(bs) != 1 {
				return "", false
			}
			s, ok := pyast.StringValue(bs[0])
			if !ok {
				return "", false
			}
			sb.WriteString(s)
		}
	}
	return sb.String(), true
}
