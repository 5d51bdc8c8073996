// Package pyidiom recognises Python idioms several rule families share:
// except handlers and what they do, logger calls, and scopes.
package pyidiom

import (
	"iter"
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// Handler is a decoded except clause.
type Handler struct {
	Clause  pyast.Node
	Keyword pyast.Node   // the "except" keyword
	Type    pyast.Node   // the type expression as written (a tuple, a name...), zero when bare
	Types   []pyast.Node // the caught types, tuples flattened
	Alias   string       // the name after "as", or ""
	Body    pyast.Node   // the handler block
	Star    bool         // except* (an exception group handler)
}

// Bare reports whether the clause is a bare `except:`.
func (h Handler) Bare() bool { return h.Type.IsNil() }

// DecodeHandler decodes an except_clause node.
func DecodeHandler(clause pyast.Node) Handler {
	h := Handler{Clause: clause, Keyword: clause.FirstChild()}
	for c := range clause.Named() {
		switch c.Type() {
		case "block":
			h.Body = c
			continue
		case "comment":
			continue
		}
		if !h.Type.IsNil() {
			// `except A, B:` (Python 3.14, PEP 758) catches either.
			if c.Type() != "as_pattern" {
				h.Types = append(h.Types, pyast.Unparen(c))
			}
			continue
		}
		if c.Type() == "as_pattern" {
			h.Alias = c.ChildByField("alias").Text()
			c = c.NamedChild(0)
		}
		if c.Type() == "list_splat" {
			h.Star = true
			c = c.NamedChild(0)
		}
		h.Type = c
		t := pyast.Unparen(c)
		if t.Type() == "tuple" {
			for e := range t.Named() {
				if e.Type() != "comment" {
					h.Types = append(h.Types, pyast.Unparen(e))
				}
			}
		} else {
			h.Types = append(h.Types, t)
		}
	}
	return h
}

// BroadName returns "Exception" or "BaseException" when the handler catches
// one of them (alone or in a tuple), resolved through imports, else "".
// A bare except is not broad in this sense: ERR001 owns it.
func (h Handler) BroadName(im *pyast.Imports) string {
	for _, t := range h.Types {
		if n := BroadException(im, t); n != "" {
			return n
		}
	}
	return ""
}

// BroadException returns "Exception" or "BaseException" when n names the
// builtin (not shadowed by an import), else "".
func BroadException(im *pyast.Imports, n pyast.Node) string {
	d := pyast.Dotted(n)
	switch d {
	case "Exception", "BaseException":
		if _, imported := im.Lookup(d); imported {
			return ""
		}
		return d
	case "builtins.Exception", "builtins.BaseException":
		return d[len("builtins."):]
	}
	return ""
}

// TryHandlers yields the except clauses of every try statement whose try
// block holds n, innermost try first, climbing no higher than scope (the
// whole tree when scope is zero).
func TryHandlers(n, scope pyast.Node) iter.Seq[Handler] {
	return func(yield func(Handler) bool) {
		for cur := n; !cur.IsNil() && !cur.Equal(scope); cur = cur.Parent() {
			p := cur.Parent()
			if p.Type() != "try_statement" || !cur.Equal(p.ChildByField("body")) {
				continue
			}
			for c := range p.Named() {
				if c.Type() == "except_clause" && !yield(DecodeHandler(c)) {
					return
				}
			}
		}
	}
}

// EnclosingHandler returns the innermost except clause whose handler block
// contains n, without crossing a function, lambda or class boundary.
func EnclosingHandler(n pyast.Node) (Handler, bool) {
	prev := n
	for p := n.Parent(); !p.IsNil(); p = p.Parent() {
		switch p.Type() {
		case "function_definition", "lambda", "class_definition":
			return Handler{}, false
		case "except_clause":
			if prev.Type() == "block" {
				return DecodeHandler(p), true
			}
		}
		prev = p
	}
	return Handler{}, false
}

// Raises returns the raise statements a handler body executes itself (not
// those in nested definitions).
func (h Handler) Raises() []pyast.Node {
	return pyast.FindAllShallow(h.Body, "raise_statement")
}

// Calls returns the calls a handler body executes itself.
func (h Handler) Calls() []pyast.Node {
	return pyast.FindAllShallow(h.Body, "call")
}

// OnlyTrivial reports whether the handler body is only `pass`, `continue`,
// `...` or a string (a docstring-like note): it handles nothing.
func (h Handler) OnlyTrivial() bool {
	stmts := pyast.Statements(h.Body)
	if len(stmts) == 0 {
		return false
	}
	for _, s := range stmts {
		switch s.Type() {
		case "pass_statement", "continue_statement":
			continue
		case "expression_statement":
			e := s.NamedChild(0)
			if e.Type() == "ellipsis" || e.Type() == "string" || e.Type() == "concatenated_string" {
				continue
			}
		}
		return false
	}
	return true
}

// HasComment reports whether the handler holds a comment other than a tool
// directive (noqa, pylint, type, pragma...): it usually explains a
// deliberate choice.
func (h Handler) HasComment() bool {
	for n := range pyast.FindEach(h.Clause, "comment") {
		if !isDirective(n.Text()) {
			return true
		}
	}
	return false
}

var directives = []string{"noqa", "want", "want+", "pylint:", "type:", "pragma:", "nosec", "rubric:", "fmt:", "isort:", "pyright:", "mypy:"}

func isDirective(comment string) bool {
	c := strings.TrimSpace(strings.TrimLeft(comment, "#"))
	for _, d := range directives {
		if strings.HasPrefix(c, d) {
			return true
		}
	}
	return false
}

// UsesAlias reports whether the handler body mentions the caught name.
func (h Handler) UsesAlias() bool { return h.MentionsAlias(h.Body) }

// MentionsAlias reports whether the subtree n mentions the caught name.
func (h Handler) MentionsAlias(n pyast.Node) bool {
	if h.Alias == "" {
		return false
	}
	for m := range pyast.FindEach(n, "identifier") {
		if string(m.Bytes()) == h.Alias {
			return true
		}
	}
	return false
}
