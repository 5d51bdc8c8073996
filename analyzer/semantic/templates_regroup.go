package semantic

// {% regroup rows by attr as groups %}: iterating groups yields one group
// per value of attr, and `group.list` holds that group's rows, so what the
// template reads on `{% for row in group.list %}` is read per row of rows
// (freesound's donation list). The attribute it groups by is read per row
// too: it is not judged.

// regroup binds the name of a regroup over rows of a known model.
func (w *twalker) regroup(n *TNode, sc *tscope, t *Template) bool {
	if n.Tag != "regroup" || len(n.Exprs) != 1 || len(n.Names) != 1 {
		return false
	}
	it := w.expr(n.Exprs[0], useIterate, sc, t)
	if it == nil || !it.rows {
		sc.vars[n.Names[0]] = nil
		return true
	}
	g := *it
	g.rows, g.groups = false, true
	sc.vars[n.Names[0]] = &g
	return true
}

// groupVar is the loop variable over groups (one group), or over a
// group (what a group iterates as: Django's group is a namedtuple, so
// nothing of the rows).
func (w *twalker) groupVar(it *tbind, n *TNode, t *Template) *tbind {
	if !it.groups {
		return nil
	}
	g := *it
	g.groups, g.group = false, true
	g.loops = append(append([]TLoop(nil), it.loops...), TLoop{Template: t, Start: n.Start, End: n.End, Var: n.Names[0], Iter: n.Exprs[0].Var})
	return &g
}

// groupExpr resolves an expression on a regroup's result or on a group:
// `group.list` is the group's rows; anything else is not a row.
func groupExpr(cur *tbind, rest []string, u use) *tbind {
	if cur.groups {
		if len(rest) == 0 && (u == useIterate || u == useBind) {
			return cur
		}
		return nil
	}
	if len(rest) == 1 && rest[0] == "list" && (u == useIterate || u == useBind) {
		r := *cur
		r.group, r.rows = false, true
		return &r
	}
	if len(rest) == 0 && u == useBind {
		return cur
	}
	return nil
}
