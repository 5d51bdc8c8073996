// Package suppress reads suppression comments:
//
//	x = 1  # noqa: ERR001, LOG002      this line
//	x = 1  # noqa                      this line, every code (only when bare noqa is allowed)
//	# rubric: ignore[ERR001]           the next line (or, trailing, this line)
//	# rubric: ignore-file[ERR001]      the whole file
//
// Codes may be family prefixes ("ERR"). Only real comment nodes count, so a
// "# noqa" inside a string is not a suppression.
package suppress

import (
	"regexp"
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/source"
)

// Directive is one suppression comment.
type Directive struct {
	Line     int      // line the directive applies to (0 for file level)
	At       int      // byte offset of the comment
	End      int      // end of the comment
	CommentL int      // line of the comment itself
	Codes    []string // empty means every code (bare noqa)
	File     bool
	Kind     string // "noqa", "ignore", "ignore-file"
	Used     map[string]bool
	// Alone is set when the comment is the only thing on its line.
	Alone bool
}

// Set holds a file's directives.
type Set struct {
	Directives []*Directive
}

var (
	noqaRe   = regexp.MustCompile(`(?i)#\s*noqa(?::\s*([A-Za-z0-9_,\s-]+))?`)
	ignoreRe = regexp.MustCompile(`#\s*rubric:\s*(ignore-file|ignore|noqa)(?:\[([A-Za-z0-9_,\s-]*)\])?(?::\s*([A-Za-z0-9_,\s-]+))?`)
)

// Parse finds the directives in a file's comments.
func Parse(f *source.File, t *pyast.Tree) *Set {
	s := &Set{}
	if t == nil {
		return s
	}
	for _, c := range pyast.Comments(t) {
		text := c.Text()
		pos := f.Position(c.StartByte())
		// A comment alone on its line applies to the next line for
		// "rubric: ignore"; noqa always applies to its own line.
		lineStart := f.LineStart(pos.Line)
		alone := strings.TrimSpace(string(f.Src[lineStart:c.StartByte()])) == ""
		if m := ignoreRe.FindStringSubmatch(text); m != nil {
			d := &Directive{At: c.StartByte(), End: c.EndByte(), CommentL: pos.Line, Kind: m[1], Used: map[string]bool{}, Alone: alone}
			codes := m[2]
			if codes == "" {
				codes = m[3]
			}
			d.Codes = splitCodes(codes)
			switch m[1] {
			case "ignore-file":
				d.File = true
			case "ignore":
				d.Line = pos.Line
				if alone {
					d.Line = pos.Line + 1
				}
			default:
				d.Kind = "noqa"
				d.Line = pos.Line
			}
			s.Directives = append(s.Directives, d)
			continue
		}
		if m := noqaRe.FindStringSubmatch(text); m != nil {
			d := &Directive{At: c.StartByte(), End: c.EndByte(), CommentL: pos.Line, Line: pos.Line, Kind: "noqa", Codes: splitCodes(m[1]), Used: map[string]bool{}, Alone: alone}
			s.Directives = append(s.Directives, d)
		}
	}
	return s
}

// codeRe is the shape of a code or prefix; the list of codes ends at the
// first word of another shape ("# noqa: ERR001 legacy client" stops at
// "legacy"), as in flake8 and ruff.
var codeRe = regexp.MustCompile(`^[A-Za-z]+[0-9]*$`)

func splitCodes(s string) []string {
	var out []string
	for _, q := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		if !codeRe.MatchString(q) || !looksLikeCode(q) {
			break
		}
		out = append(out, strings.ToUpper(q))
	}
	return out
}

// looksLikeCode accepts words with digits or in capitals: "ERR002",
// "err002" and "ERR" are codes, "legacy" starts prose.
func looksLikeCode(s string) bool {
	return strings.ToUpper(s) == s || strings.ContainsAny(s, "0123456789")
}

// Suppressed reports whether a diagnostic with code on line is suppressed,
// and marks the directive used. allowBare lets a bare "# noqa" suppress.
func (s *Set) Suppressed(code string, line int, allowBare bool) bool {
	for _, d := range s.Directives {
		if !d.File && d.Line != line {
			continue
		}
		if len(d.Codes) == 0 {
			if d.Kind == "noqa" && !allowBare {
				continue
			}
			if d.Kind == "ignore" && !allowBare && !d.File {
				continue
			}
			d.Used["*"] = true
			return true
		}
		for _, c := range d.Codes {
			if c == code || (len(c) < len(code) && strings.HasPrefix(code, c)) {
				d.Used[c] = true
				return true
			}
		}
	}
	return false
}
