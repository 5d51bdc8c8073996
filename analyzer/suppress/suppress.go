// Package suppress reads suppression comments:
//
//	x = 1  # noqa: ERR001, LOG002      this line
//	x = 1  # noqa                      this line, every code (only when bare noqa is allowed)
//	# rubric: ignore[ERR001]           the next line (or, trailing, this line)
//	# rubric: ignore-file[ERR001]      the whole file
//
// Codes may be family prefixes ("ERR"). Only real comment nodes count, so a
// "# noqa" inside a string is not a suppression.
//
// Other tools' suppressions of the same finding count too, unless turned
// off (Set.Foreign): ruff's and flake8's `# noqa: E722`, pylint's
// `# pylint: disable=bare-except` (trailing, or disable-next= on the line
// above) and bandit's `# nosec B113` (a bare `# nosec` silences the rules
// bandit has a check for). See Equivalents.
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
	// NoColon marks `# noqa E722`: codes named without the colon. flake8
	// and ruff read it as a bare noqa, and so does rubric when bare noqa
	// is allowed; otherwise only the codes named count.
	NoColon bool
	File    bool
	Kind    string // "noqa", "ignore", "ignore-file"
	// Tool is "" for noqa and rubric's own comments, "pylint" or "nosec"
	// for those tools' comments (whose codes are never rubric's; Kind is
	// then "noqa", so they are judged as other linters' codes).
	Tool string
	Used map[string]bool
	// Alone is set when the comment is the only thing on its line.
	Alone bool
}

// Set holds a file's directives.
type Set struct {
	Directives []*Directive
	// Foreign honours other tools' codes for the same findings (see
	// Equivalents); Parse turns it on.
	Foreign bool
}

var (
	noqaRe = regexp.MustCompile(`(?i)#\s*noqa(?::\s*([A-Za-z0-9_,\s-]+))?`)
	// noColonRe is `# noqa E722` (or `# noqa E722, BLE001`): codes without
	// the colon, which flake8 and ruff read as a bare `# noqa`. The author
	// named the codes, so rubric reads them as named.
	noColonRe = regexp.MustCompile(`#\s*(?i:noqa)[ \t]+([A-Z]+[0-9]+(?:[ \t]*,?[ \t]*[A-Z]+[0-9]+)*)\b`)
	ignoreRe  = regexp.MustCompile(`#\s*rubric:\s*(ignore-file|ignore|noqa)(?:\[([A-Za-z0-9_,\s-]*)\])?(?::\s*([A-Za-z0-9_,\s-]+))?`)
	pylintRe  = regexp.MustCompile(`#\s*pylint:\s*(disable|disable-next)\s*=\s*([A-Za-z0-9_,\s-]+)`)
	nosecRe   = regexp.MustCompile(`#\s*nosec\b:?([A-Za-z0-9_,\s]*)`)
)

// Parse finds the directives in a file's comments.
func Parse(f *source.File, t *pyast.Tree) *Set {
	s := &Set{Foreign: true}
	if t == nil {
		return s
	}
	for _, c := range pyast.Comments(t) {
		text := c.Text()
		pos := f.Position(c.StartByte())
		// A comment alone on its line applies to the next line for
		// "rubric: ignore"; noqa always applies to its own line.
		lineStart := f.LineStart(pos.Line)
		alone := strings.TrimSpace(string(f.Src()[lineStart:c.StartByte()])) == ""
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
			codes, noColon := splitCodes(m[1]), false
			if len(codes) == 0 {
				if nc := noColonRe.FindStringSubmatch(text); nc != nil {
					codes, noColon = splitCodes(nc[1]), true
				}
			}
			d := &Directive{At: c.StartByte(), End: c.EndByte(), CommentL: pos.Line, Line: pos.Line, Kind: "noqa", Codes: codes, NoColon: noColon, Used: map[string]bool{}, Alone: alone}
			s.Directives = append(s.Directives, d)
		}
		// pylint's disable= on a line of its own lasts to the end of the
		// block, which rubric does not follow: only the trailing form and
		// disable-next= count.
		if m := pylintRe.FindStringSubmatch(text); m != nil && (m[1] == "disable-next" || !alone) {
			line := pos.Line
			if m[1] == "disable-next" {
				line++
			}
			var codes []string
			for _, c := range strings.FieldsFunc(m[2], func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
				codes = append(codes, c)
			}
			if len(codes) > 0 {
				s.Directives = append(s.Directives, &Directive{At: c.StartByte(), End: c.EndByte(), CommentL: pos.Line, Line: line, Kind: "noqa", Tool: "pylint", Codes: codes, Used: map[string]bool{}, Alone: alone})
			}
		}
		if m := nosecRe.FindStringSubmatch(text); m != nil {
			codes := strings.FieldsFunc(m[1], func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
			s.Directives = append(s.Directives, &Directive{At: c.StartByte(), End: c.EndByte(), CommentL: pos.Line, Line: pos.Line, Kind: "noqa", Tool: "nosec", Codes: codes, Used: map[string]bool{}, Alone: alone})
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
		if d.Tool != "" {
			if s.Foreign && d.foreignMatch(code) {
				return true
			}
			continue
		}
		if len(d.Codes) == 0 || d.NoColon && allowBare {
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
		if s.Foreign && d.foreignMatch(code) {
			return true
		}
	}
	return false
}

// foreignMatch reports whether one of the directive's codes is another
// tool's code for rule code, and marks it used. A bare `# nosec` matches
// every rule bandit has a check for.
func (d *Directive) foreignMatch(code string) bool {
	kind := d.Tool
	if kind == "" {
		kind = "noqa"
	}
	if kind == "nosec" && len(d.Codes) == 0 {
		if banditRules[code] {
			d.Used["*"] = true
			return true
		}
		return false
	}
	for _, c := range d.Codes {
		for _, r := range foreign[kind][c] {
			if r == code {
				d.Used[c] = true
				return true
			}
		}
	}
	return false
}
