package semantic

import (
	"bytes"
	"strings"

	"github.com/rubric-dev/rubric/analyzer/source"
)

// This file reads the Django template language: a lexer with Django's own
// token rules (a tag never spans lines; {% verbatim %} and {% comment %}
// hide what they enclose) and a parser building the few nodes the N+1
// analysis needs (for, if, with, include, extends, block) with every
// variable reference they hold. It never evaluates a template.

// TKind is the kind of a template node.
type TKind uint8

// Template node kinds.
const (
	TVar     TKind = iota + 1 // {{ expr }}
	TFor                      // {% for x in expr %} ... {% empty %} ... {% endfor %}
	TIf                       // {% if %} / {% elif %} / {% else %} / {% endif %}
	TWith                     // {% with a=b %} ... {% endwith %} (also blocktrans with/count)
	TInclude                  // {% include "name" with a=b only %}
	TExtends                  // {% extends "name" %}
	TBlock                    // {% block name %} ... {% endblock %}
	TTag                      // any other tag, with the expressions among its arguments
	TMacro                    // Jinja2 {% macro name(params) %} ... {% endmacro %}
)

// TExpr is a filter expression: a variable or literal and its filters.
type TExpr struct {
	// Var is the dotted variable ("check.project.name"); "" for a literal.
	Var string
	// Lit is set for a string literal (its value, unquoted).
	Lit   string
	IsLit bool
	// Start and End delimit the expression's first part in the file.
	Start, End int
	Filters    []TFilter
	// Args are the arguments of a Jinja2 call (`link_user(r.user)`,
	// `url('detail', problem.code)`): each is evaluated, so a relation
	// named in one is loaded.
	Args []*TExpr
	// Call is set when the expression is called (`m()` has no Args);
	// Keyword is the name of a `name=value` argument.
	Call    bool
	Keyword string
}

// TFilter is one `|name:arg` of an expression.
type TFilter struct {
	Name string
	Arg  *TExpr // nil without an argument
}

// TNode is a node of a parsed template.
type TNode struct {
	Kind TKind
	Tag  string // the tag's name ("for", "url", ...); "" for TVar
	// Start and End delimit the opening tag (or the {{ }}) in the file.
	Start, End int
	// Exprs are the node's expressions: TVar its one expression; TFor its
	// iterable; TWith and TInclude the values bound (aligned with Names);
	// TTag its arguments.
	Exprs []*TExpr
	// Names are TFor's loop variables, TWith's and TInclude's bound names,
	// and, for TTag, the name an `as NAME` binds.
	Names []string
	// Body is what TFor, TWith and TBlock enclose, and TIf's first branch.
	Body []*TNode
	// Branches are TIf's further branches (elif, else), TFor's {% empty %}.
	Branches [][]*TNode
	// Conds are TIf's conditions: the operands of branch i's test (the
	// first branch is Body); an else branch has none.
	Conds [][]*TExpr
	// CondOps are, aligned with Conds, the operator of a condition that is
	// exactly `a == b` or `a != b`, else "".
	CondOps []string
	// Name is TInclude's and TExtends's template name (when a literal),
	// TBlock's and TMacro's name (TMacro's parameters are its Names).
	Name string
	Only bool // TInclude ... only
	// Keywords is set for a TTag given `name=value` arguments; ArgNames
	// are then each expression's keyword ("" for a positional one).
	Keywords bool
	ArgNames []string
}

// Template is a parsed template file.
type Template struct {
	// Name is the name views use ("front/my_checks.html"); Path the file's
	// display path; Dir the templates directory it was found in.
	Name, Path, Dir string
	Src             []byte
	Nodes           []*TNode
	// Extends is the {% extends %} node, when the template has one.
	Extends *TNode
	// Blocks are the template's {% block %} nodes by name.
	Blocks map[string]*TNode
	// Macros are the template's Jinja2 {% macro %} nodes by name.
	Macros map[string]*TNode
	file   *source.File
}

// Position returns the line and column of a byte offset.
func (t *Template) Position(off int) source.Position { return t.file.Position(off) }

// Line returns the 1-based line of a byte offset.
func (t *Template) Line(off int) int { return t.file.Position(off).Line }

type tokKind uint8

const (
	tokText tokKind = iota
	tokVar
	tokBlock
	tokComment
)

type token struct {
	kind tokKind
	// content is the text between the delimiters, trimmed; start is its
	// offset in the file; tagStart and tagEnd delimit the whole token.
	content          string
	start            int
	tagStart, tagEnd int
}

// maxTemplateNesting bounds the parser's and the walkers' recursion.
const maxTemplateNesting = 100

// ParseTemplate parses src. It never fails: what it cannot read is text.
func ParseTemplate(name, displayPath string, src []byte) *Template {
	t := &Template{Name: name, Path: displayPath, Src: src, Blocks: map[string]*TNode{}, file: source.New(displayPath, displayPath, src)}
	p := &tparser{toks: lex(src), t: t}
	t.Nodes, _ = p.parse(nil, 0)
	// {% extends %} must be the first tag (text may come before it).
	if len(t.Nodes) > 0 && t.Nodes[0].Kind == TExtends {
		t.Extends = t.Nodes[0]
	}
	return t
}

// lex splits src as Django's Lexer does: {% %}, {{ }} and {# #} tokens
// close on the line they open; {% verbatim %} turns everything up to its
// {% endverbatim %} into text.
func lex(src []byte) []token {
	var out []token
	verbatim := ""
	text := 0
	for i := 0; i < len(src)-1; i++ {
		if src[i] != '{' {
			continue
		}
		var closer string
		var kind tokKind
		switch src[i+1] {
		case '%':
			closer, kind = "%}", tokBlock
		case '{':
			closer, kind = "}}", tokVar
		case '#':
			closer, kind = "#}", tokComment
		default:
			continue
		}
		rest := src[i+2:]
		if nl := bytes.IndexByte(rest, '\n'); nl >= 0 {
			rest = rest[:nl]
		}
		j := bytes.Index(rest, []byte(closer))
		if j < 0 {
			continue
		}
		end := i + 2 + j + 2
		raw := string(src[i+2 : i+2+j])
		content := strings.TrimSpace(raw)
		cstart := i + 2 + (len(raw) - len(strings.TrimLeft(raw, " \t\r\f\v")))
		if verbatim != "" {
			if kind == tokBlock && content == verbatim {
				verbatim = ""
			} else {
				i = end - 1
				continue // text inside verbatim
			}
		} else if kind == tokBlock && (content == "verbatim" || strings.HasPrefix(content, "verbatim ")) {
			verbatim = "end" + content
		}
		if text < i {
			out = append(out, token{kind: tokText, start: text, tagStart: text, tagEnd: i})
		}
		out = append(out, token{kind: kind, content: content, start: cstart, tagStart: i, tagEnd: end})
		text = end
		i = end - 1
	}
	return out
}

type tparser struct {
	toks []token
	pos  int
	t    *Template
}

// parse reads nodes until one of the end tags (returned, with its token
// index) or the end of the input.
func (p *tparser) parse(ends []string, depth int) ([]*TNode, *token) {
	var out []*TNode
	for p.pos < len(p.toks) {
		tok := &p.toks[p.pos]
		p.pos++
		switch tok.kind {
		case tokVar:
			if e := parseExpr(tok.content, tok.start); e != nil {
				out = append(out, &TNode{Kind: TVar, Start: tok.tagStart, End: tok.tagEnd, Exprs: []*TExpr{e}})
			}
		case tokBlock:
			bits := splitBits(tok.content, tok.start)
			if len(bits) == 0 {
				continue
			}
			name := bits[0].s
			for _, e := range ends {
				if name == e {
					return out, tok
				}
			}
			if depth >= maxTemplateNesting {
				continue // too deep: the rest reads flat
			}
			if n := p.tag(tok, name, bits, depth); n != nil {
				out = append(out, n)
			}
		}
	}
	return out, nil
}

// bit is one argument of a tag, with its offset.
type bit struct {
	s     string
	start int
}

// splitBits splits a tag's content on spaces, keeping quoted strings
// whole (Django's smart_split).
func splitBits(s string, start int) []bit {
	var out []bit
	i := 0
	for i < len(s) {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i >= len(s) {
			break
		}
		j := i
		for j < len(s) && !isSpace(s[j]) {
			if s[j] == '"' || s[j] == '\'' {
				q := s[j]
				j++
				for j < len(s) && s[j] != q {
					if s[j] == '\\' {
						j++
					}
					j++
				}
			}
			j++
		}
		if j > len(s) {
			j = len(s)
		}
		out = append(out, bit{s: s[i:j], start: start + i})
		i = j
	}
	return out
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func (p *tparser) tag(tok *token, name string, bits []bit, depth int) *TNode {
	n := &TNode{Tag: name, Start: tok.tagStart, End: tok.tagEnd}
	args := bits[1:]
	switch name {
	case "comment":
		p.skipTo("endcomment")
		return nil
	case "verbatim":
		p.skipTo("endverbatim")
		return nil
	case "load", "csrf_token", "now", "templatetag", "lorem", "debug", "autoescape", "filter", "spaceless",
		"endautoescape", "endfilter", "endspaceless", "resetcycle", "static", "get_static_prefix", "get_media_prefix":
		return nil // no variable of the context is read, or none that matters
	case "for":
		n.Kind = TFor
		in := -1
		for i, b := range args {
			if b.s == "in" {
				in = i
			}
		}
		if in < 1 || in+1 >= len(args) {
			// Unreadable: keep its body, binding nothing.
			n.Kind = TWith
			n.Body, _ = p.parse([]string{"endfor"}, depth+1)
			return n
		}
		vars := strings.Join(bitStrings(args[:in]), " ")
		for _, v := range strings.Split(vars, ",") {
			if v = strings.TrimSpace(v); v != "" {
				n.Names = append(n.Names, v)
			}
		}
		if e := parseExpr(args[in+1].s, args[in+1].start); e != nil {
			n.Exprs = []*TExpr{e}
		}
		body, end := p.parse([]string{"empty", "endfor"}, depth+1)
		n.Body = body
		if end != nil && end.content == "empty" {
			empty, _ := p.parse([]string{"endfor"}, depth+1)
			n.Branches = append(n.Branches, empty)
		}
		return n
	case "if", "ifequal", "ifnotequal", "ifchanged":
		n.Kind = TIf
		endName := "end" + name
		n.Conds = append(n.Conds, condExprs(args))
		n.CondOps = append(n.CondOps, simpleCondOp(name, args))
		body, end := p.parse([]string{"elif", "else", endName}, depth+1)
		n.Body = body
		for end != nil && end.content != endName {
			eb := splitBits(end.content, end.start)
			cond := []*TExpr(nil)
			op := ""
			if eb[0].s == "elif" {
				cond = condExprs(eb[1:])
				op = simpleCondOp(name, eb[1:])
			}
			n.CondOps = append(n.CondOps, op)
			var br []*TNode
			br, end = p.parse([]string{"elif", "else", endName}, depth+1)
			n.Conds = append(n.Conds, cond)
			n.Branches = append(n.Branches, br)
		}
		return n
	case "with", "blocktrans", "blocktranslate":
		n.Kind = TWith
		endName := "endwith"
		if name != "with" {
			endName = "end" + name
		}
		if name == "with" && len(args) == 3 && args[1].s == "as" {
			// Legacy: {% with value as name %}.
			if e := parseExpr(args[0].s, args[0].start); e != nil {
				n.Names, n.Exprs = []string{args[2].s}, []*TExpr{e}
			}
		} else {
			n.Names, n.Exprs = kwargs(args)
		}
		n.Body, _ = p.parse([]string{endName}, depth+1)
		return n
	case "block":
		n.Kind = TBlock
		if len(args) > 0 {
			n.Name = args[0].s
		}
		n.Body, _ = p.parse([]string{"endblock"}, depth+1)
		if n.Name != "" {
			if _, dup := p.t.Blocks[n.Name]; !dup {
				p.t.Blocks[n.Name] = n
			}
		}
		return n
	case "macro":
		// {% macro name(a, b=1) %}: its body runs where it is called,
		// with the parameters bound to the call's arguments. One whose
		// signature does not read is kept as a body binding nothing.
		n.Kind = TMacro
		sig := strings.TrimSpace(strings.TrimPrefix(tok.content, "macro"))
		open, end := strings.IndexByte(sig, '('), strings.LastIndexByte(sig, ')')
		if open > 0 && end > open && isIdent(strings.TrimSpace(sig[:open])) {
			n.Name = strings.TrimSpace(sig[:open])
			for _, prm := range strings.Split(sig[open+1:end], ",") {
				prm = strings.TrimSpace(prm)
				if k := strings.IndexByte(prm, '='); k > 0 {
					prm = strings.TrimSpace(prm[:k])
				}
				if !isIdent(prm) {
					if prm != "" {
						n.Name = "" // *args, **kwargs: positions unknown
					}
					continue
				}
				n.Names = append(n.Names, prm)
			}
		}
		n.Body, _ = p.parse([]string{"endmacro"}, depth+1)
		if n.Name == "" {
			n.Kind, n.Names = TWith, nil
			return n
		}
		if p.t.Macros == nil {
			p.t.Macros = map[string]*TNode{}
		}
		if _, dup := p.t.Macros[n.Name]; !dup {
			p.t.Macros[n.Name] = n
		}
		return n
	case "extends", "include":
		n.Kind = TExtends
		if name == "include" {
			n.Kind = TInclude
		}
		if len(args) == 0 {
			return nil
		}
		if s, ok := unquote(args[0].s); ok {
			n.Name = s
		}
		for i := 1; i < len(args); i++ {
			switch args[i].s {
			case "only":
				n.Only = true
			case "with":
				j := i + 1
				for j < len(args) && strings.Contains(args[j].s, "=") {
					j++
				}
				names, exprs := kwargs(args[i+1 : j])
				n.Names, n.Exprs = append(n.Names, names...), append(n.Exprs, exprs...)
				i = j - 1
			}
		}
		return n
	case "regroup":
		// {% regroup list by attr as name %}: only the list is a variable.
		n.Kind = TTag
		if len(args) > 0 {
			if e := parseExpr(args[0].s, args[0].start); e != nil {
				n.Exprs = []*TExpr{e}
			}
		}
		if len(args) > 0 {
			n.Names = []string{args[len(args)-1].s}
		}
		return n
	}
	if strings.HasPrefix(name, "end") {
		return nil // the end of a block tag this parser does not know
	}
	// Any other tag (url, a project's simple tags...): its arguments are
	// filter expressions or name=expression, up to an `as NAME`.
	n.Kind = TTag
	for i, b := range args {
		if (b.s == "as" || b.s == "asvar") && i+1 < len(args) {
			n.Names = []string{args[i+1].s}
			break
		}
		s, start := b.s, b.start
		kw := ""
		if k := strings.IndexByte(s, '='); k > 0 && isIdent(s[:k]) {
			kw = s[:k]
			s, start = s[k+1:], start+k+1
			n.Keywords = true
		}
		if e := parseExpr(s, start); e != nil {
			n.Exprs = append(n.Exprs, e)
			n.ArgNames = append(n.ArgNames, kw)
		}
	}
	return n
}

// skipTo drops tokens up to (and including) the end tag.
func (p *tparser) skipTo(end string) {
	for p.pos < len(p.toks) {
		tok := p.toks[p.pos]
		p.pos++
		if tok.kind == tokBlock && (tok.content == end || strings.HasPrefix(tok.content, end+" ")) {
			return
		}
	}
}

func bitStrings(bs []bit) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = b.s
	}
	return out
}

// condOps are the operators of {% if %}.
var condOps = map[string]bool{"and": true, "or": true, "not": true, "in": true, "is": true, "==": true, "!=": true,
	"<": true, ">": true, "<=": true, ">=": true, "=": true}

func condExprs(args []bit) []*TExpr {
	var out []*TExpr
	for _, b := range args {
		if condOps[b.s] {
			continue
		}
		if e := parseExpr(b.s, b.start); e != nil {
			out = append(out, e)
		}
	}
	return out
}

// kwargs reads `name=expr` arguments.
func kwargs(args []bit) ([]string, []*TExpr) {
	var names []string
	var exprs []*TExpr
	for _, b := range args {
		k := strings.IndexByte(b.s, '=')
		if k <= 0 || !isIdent(b.s[:k]) {
			continue
		}
		if e := parseExpr(b.s[k+1:], b.start+k+1); e != nil {
			names, exprs = append(names, b.s[:k]), append(exprs, e)
		}
	}
	return names, exprs
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func isVarChar(c byte) bool {
	return c == '_' || c == '.' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// unquote reads a string literal ("x", 'x', _("x")).
func unquote(s string) (string, bool) {
	if strings.HasPrefix(s, "_(") && strings.HasSuffix(s, ")") {
		s = s[2 : len(s)-1]
	}
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1], true
	}
	return "", false
}

// parseExpr reads a filter expression starting at offset start: a literal
// or variable, then `|filter` or `|filter:arg` (spaces around `|` and `:`
// tolerated). It returns nil for what is neither.
func parseExpr(s string, start int) *TExpr {
	e, i := operand(s, 0, start)
	if e == nil {
		return nil
	}
	for {
		j := skipSpaces(s, i)
		if j >= len(s) || s[j] != '|' {
			break
		}
		j = skipSpaces(s, j+1)
		k := j
		for k < len(s) && (isVarChar(s[k]) && s[k] != '.') {
			k++
		}
		if k == j {
			break
		}
		f := TFilter{Name: s[j:k]}
		i = k
		if m := skipSpaces(s, k); m < len(s) && s[m] == ':' {
			arg, next := primary(s, skipSpaces(s, m+1), start)
			if arg != nil {
				f.Arg = arg
				i = next
			}
		}
		e.Filters = append(e.Filters, f)
	}
	return e
}

func skipSpaces(s string, i int) int {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return i
}

// operand reads a primary and, when a Jinja2 call follows it
// (`f(a, b.c)`, `x.method()`), the call's arguments: literals, variables
// and calls, positional or `name=value`. Arguments that read otherwise
// (arithmetic, subscripts, lists) are dropped, the call still consumed
// when its parentheses close.
func operand(s string, i, base int) (*TExpr, int) {
	e, k := primary(s, i, base)
	if e == nil || e.IsLit && e.Var == "" && k > i && s[k-1] == ')' {
		return e, k
	}
	j := skipSpaces(s, k)
	if j >= len(s) || s[j] != '(' {
		return e, k
	}
	args, end, ok := callArgs(s, j, base, 0)
	if !ok {
		return e, k
	}
	e.Args, e.Call = args, true
	return e, end
}

// callArgs reads the arguments of a call whose '(' is at s[i]; end is the
// offset after its ')'. ok is false when the parentheses do not close.
func callArgs(s string, i, base, depth int) (args []*TExpr, end int, ok bool) {
	if depth > 8 {
		return nil, i, false
	}
	j := i + 1
	clean := true
	for {
		j = skipSpaces(s, j)
		if j >= len(s) {
			return nil, j, false
		}
		if s[j] == ')' {
			if !clean {
				args = nil
			}
			return args, j + 1, true
		}
		// `name=value`: the value.
		kw := ""
		if k := identEnd(s, j); k > j {
			if m := skipSpaces(s, k); m < len(s) && s[m] == '=' && (m+1 >= len(s) || s[m+1] != '=') {
				kw = s[j:k]
				j = skipSpaces(s, m+1)
			}
		}
		a, k := primary(s, j, base)
		if a != nil {
			a.Keyword = kw
			if m := skipSpaces(s, k); m < len(s) && s[m] == '(' {
				inner, next, ok := callArgs(s, m, base, depth+1)
				if !ok {
					return nil, next, false
				}
				a.Args, a.Call = inner, true
				k = next
			}
			args = append(args, a)
			j = skipSpaces(s, k)
		}
		if j < len(s) && s[j] == ',' {
			j++
			continue
		}
		if j < len(s) && s[j] == ')' {
			continue
		}
		// Something else: skip to the matching ')' and keep no argument.
		clean = false
		for d := 0; j < len(s); j++ {
			switch s[j] {
			case '(':
				d++
			case ')':
				if d == 0 {
					return nil, j + 1, true
				}
				d--
			}
		}
		return nil, j, false
	}
}

// identEnd returns the end of the identifier starting at s[i] (i when
// there is none).
func identEnd(s string, i int) int {
	k := i
	for k < len(s) && (s[k] == '_' || s[k] >= 'a' && s[k] <= 'z' || s[k] >= 'A' && s[k] <= 'Z' || k > i && s[k] >= '0' && s[k] <= '9') {
		k++
	}
	return k
}

// primary reads a literal or a variable at s[i:].
func primary(s string, i, base int) (*TExpr, int) {
	if i >= len(s) {
		return nil, i
	}
	j := i
	tr := strings.HasPrefix(s[i:], "_(")
	if tr {
		j += 2
	}
	if j < len(s) && (s[j] == '"' || s[j] == '\'') {
		q := s[j]
		k := j + 1
		for k < len(s) && s[k] != q {
			if s[k] == '\\' {
				k++
			}
			k++
		}
		if k >= len(s) {
			return nil, len(s)
		}
		lit := s[j+1 : k]
		k++
		if tr && k < len(s) && s[k] == ')' {
			k++
		}
		return &TExpr{Lit: lit, IsLit: true, Start: base + i, End: base + k}, k
	}
	k := i
	if k < len(s) && (s[k] == '-' || s[k] == '+') {
		k++
	}
	for k < len(s) && isVarChar(s[k]) {
		k++
	}
	if k == i {
		return nil, i
	}
	v := s[i:k]
	e := &TExpr{Start: base + i, End: base + k}
	c := v[0]
	if c >= '0' && c <= '9' || c == '-' || c == '+' || v == "True" || v == "False" || v == "None" {
		e.IsLit, e.Lit = true, v
		return e, k
	}
	if strings.HasPrefix(v, "_") || strings.Contains(v, "._") {
		return nil, k // Django refuses names starting with an underscore
	}
	e.Var = v
	return e, k
}
