package semantic

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// patternValue is the text of a URL pattern argument: a string literal,
// an f-string whose interpolations are bare names bound once, at module
// level, to string literals (`f"v1/{WALLETS_BASE_URL}/operation"`), such a
// name itself, or a sum of those (`r"^" + MORE_INFO_PATH + r"/?$"`).
// Anything else is not known ("", false).
func (f *File) patternValue(n pyast.Node) (string, bool) {
	if s, ok := pyast.StringValue(n); ok {
		return s, true
	}
	n = pyast.Unparen(n)
	switch n.Type() {
	case "binary_operator":
		// r"^" + MORE_INFO_PATH + r"/?$"
		if n.ChildByField("operator").Type() != "+" {
			return "", false
		}
		l, ok := f.patternValue(n.ChildByField("left"))
		if !ok {
			return "", false
		}
		r, ok := f.patternValue(n.ChildByField("right"))
		return l + r, ok
	case "identifier":
		// A module-level constant bound once to a string.
		if bs := f.globals[n.Text()]; len(bs) == 1 {
			return pyast.StringValue(bs[0])
		}
		return "", false
	case "string":
	default:
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
			s, ok := f.patternValue(e) // a name bound once to a string
			if !ok {
				return "", false
			}
			sb.WriteString(s)
		}
	}
	return sb.String(), true
}
