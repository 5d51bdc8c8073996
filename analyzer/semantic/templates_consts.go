package semantic

import "strings"

// A view often renders one template for several pages and tells them
// apart with a string constant (`"follow_page": "following"`): a branch
// `{% if follow_page == "followers" %}` does not run for that view, and
// what it reads is not that view's.

// simpleCondOp returns the operator of an `if` condition that is exactly
// `a == b` or `a != b`, else "".
func simpleCondOp(tag string, args []bit) string {
	if tag != "if" || len(args) != 3 {
		return ""
	}
	if op := args[1].s; op == "==" || op == "!=" {
		return op
	}
	return ""
}

func (s *tscope) setConst(key, val string) {
	if s.consts == nil {
		s.consts = map[string]string{}
	}
	s.consts[key] = val
}

// constOf returns the constant a plain name holds in sc: a context's,
// when no scope between binds the name again.
func (w *twalker) constOf(sc *tscope, name string) (string, bool) {
	for s := sc; s != nil; s = s.parent {
		if v, ok := s.consts[name]; ok {
			return v, true
		}
		if _, bound := s.vars[name]; bound {
			return "", false
		}
	}
	return "", false
}

// condValue decides branch i's condition when it compares a name holding
// a constant of the view with a string literal.
func (w *twalker) condValue(n *TNode, i int, sc *tscope) (v, known bool) {
	if i >= len(n.CondOps) || i >= len(n.Conds) || n.CondOps[i] == "" || len(n.Conds[i]) != 2 {
		return false, false
	}
	a, b := n.Conds[i][0], n.Conds[i][1]
	if a.IsLit {
		a, b = b, a
	}
	if !b.IsLit || a.IsLit || len(a.Filters) > 0 || len(b.Filters) > 0 || a.Var == "" || strings.Contains(a.Var, ".") {
		return false, false
	}
	c, ok := w.constOf(sc, a.Var)
	if !ok {
		return false, false
	}
	return (c == b.Lit) == (n.CondOps[i] == "=="), true
}

// ifBranches says which of an if's branches (its body, then its elif and
// else branches) may run: all of them, but for those a constant of the
// view rules out (a condition known false, or a branch after one known
// true).
func (w *twalker) ifBranches(n *TNode, sc *tscope) []bool {
	runs := make([]bool, 1+len(n.Branches))
	decided := false // an earlier branch is known to run
	for i := range runs {
		if decided {
			continue
		}
		isElse := i > 0 && (i >= len(n.Conds) || n.Conds[i] == nil)
		if isElse {
			runs[i] = true
			continue
		}
		v, known := w.condValue(n, i, sc)
		runs[i] = !known || v
		decided = known && v
	}
	return runs
}
