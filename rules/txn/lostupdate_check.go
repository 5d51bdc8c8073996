package txn

import (
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

// balance is what a funds check reads on a row: money or stock columns,
// and the models whose rows a balance property sums through a reverse
// relation (`self.withdrawals`).
type balance struct {
	fields map[string]bool
	sums   map[*project.Model]bool
}

// balanceOf returns what reading `row.name` on a row of md reads: the
// column itself when it is a money or stock field, or what a
// `@property` of that name reads of self.
func balanceOf(sf *semantic.File, md *project.Model, name string) balance {
	b := balance{fields: map[string]bool{}, sums: map[*project.Model]bool{}}
	if !counterField(name) {
		return b
	}
	if md.Attr(name).Kind == project.AttrColumn && md.Field(name) != nil {
		b.fields[name] = true
		return b
	}
	cls := sf.M.ClassOfModel(md)
	if cls == nil {
		return b
	}
	prop := cls.Method(name)
	if prop == nil || !prop.Property {
		return b
	}
	for a := range pyast.FindEach(pyast.Body(prop.Node), "attribute") {
		if pyast.Dotted(a.ChildByField("object")) != "self" {
			continue
		}
		attr := a.ChildByField("attribute").Text()
		switch at := md.Attr(attr); at.Kind {
		case project.AttrColumn:
			if counterField(attr) && md.Field(attr) != nil {
				b.fields[attr] = true
			}
		case project.AttrReverseMany:
			if at.Relation != nil && at.Relation.From != nil {
				b.sums[at.Relation.From] = true
			}
		}
	}
	return b
}

// unlockedCheck reports a funds check (`if row.balance < amount`) on a row
// loaded without select_for_update(), here or by every caller, followed
// by a write that consumes what it checked: an F() expression assigned to
// the checked field, a method of the row's model that sets it, or a row
// created against the checked one when the checked value is a property
// summing such rows. Two concurrent requests both pass the check.
// Read-modify-writes and F() updates of the model are left to
// readModifyWrite and staleCheck.
func unlockedCheck(p *analyzer.Pass, sf *semantic.File, fn pyast.Node) {
	reported := map[string]bool{}
	for st := range pyast.FindEachShallow(pyast.Body(fn), "if_statement") {
		cond := st.ChildByField("condition")
		for cmp := range pyast.FindEach(cond, "comparison_operator") {
			for a := range pyast.FindEach(cmp, "attribute") {
				rowN := a.ChildByField("object")
				row := pyast.Dotted(rowN)
				if row == "" || reported[row] {
					continue
				}
				md := rowModel(sf, rowN)
				if md == nil {
					continue
				}
				b := balanceOf(sf, md, a.ChildByField("attribute").Text())
				if len(b.fields) == 0 && len(b.sums) == 0 {
					continue
				}
				if sf.RowLock(rowN) != semantic.Unlocked {
					continue
				}
				w := consumer(sf, fn, row, md, b, cond.EndByte())
				if w.IsNil() {
					continue
				}
				reported[row] = true
				conf, how := analyzer.High, "loaded without `select_for_update()`"
				if fromCaller(fn, row) {
					conf, how = analyzer.Medium, "that every call site loads without `select_for_update()`"
				}
				p.Report(analyzer.Diagnostic{
					Range:      analyzer.RangeOf(cmp),
					Confidence: conf,
					Message: fmt.Sprintf("`%s` checks `%s` on a row %s, then `%s` (line %d) spends it: two concurrent requests both pass the check and overdraw it",
						pyast.OneLine(cmp, 60), a.Text(), how, pyast.OneLine(w, 60), p.File.Position(w.StartByte()).Line),
					Help: fmt.Sprintf("load `%s` with `select_for_update()` inside `transaction.atomic()` before the check, or make the check part of a conditional update (`filter(pk=..., %s__gte=amount).update(...)`) and test the row count",
						row, firstKey(b.fields, a.ChildByField("attribute").Text())),
					Related: []analyzer.Related{{Range: analyzer.RangeOf(w), Message: "the write the check guards"}},
				})
			}
		}
	}
}

// consumer returns the first write after offset `after` in fn that spends
// the balance b of row (a row of md).
func consumer(sf *semantic.File, fn pyast.Node, row string, md *project.Model, b balance, after int) pyast.Node {
	for n := range pyast.FindEachShallow(pyast.Body(fn), "assignment", "call") {
		if n.StartByte() < after {
			continue
		}
		if n.Type() == "assignment" {
			l := n.ChildByField("left")
			if l.Type() == "attribute" && pyast.Dotted(l.ChildByField("object")) == row &&
				b.fields[l.ChildByField("attribute").Text()] && callsF(n.ChildByField("right")) {
				return n
			}
			continue
		}
		c, _ := pyast.AsCall(n)
		if c.Func.Type() != "attribute" {
			continue
		}
		if pyast.Dotted(c.Receiver()) == row {
			if m := sf.M.ModelMethod(md, c.MethodName()); m != nil && setsSelf(m.Node, b.fields) {
				return n
			}
			continue
		}
		if c.MethodName() == "create" && len(b.sums) > 0 {
			if q := sf.Eval(c.Receiver()); q != nil && b.sums[q.Model] && passesRow(c, row) {
				return n
			}
		}
	}
	return pyast.Node{}
}

// callsF reports an F() expression in n.
func callsF(n pyast.Node) bool {
	for call := range pyast.FindEach(n, "call") {
		if string(pyast.CalleeName(call)) == "F" {
			return true
		}
	}
	return false
}

// setsSelf reports a method assigning one of fields on self.
func setsSelf(def pyast.Node, fields map[string]bool) bool {
	for n := range pyast.FindEachShallow(pyast.Body(def), "assignment", "augmented_assignment") {
		l := n.ChildByField("left")
		if l.Type() == "attribute" && pyast.Dotted(l.ChildByField("object")) == "self" && fields[l.ChildByField("attribute").Text()] {
			return true
		}
	}
	return false
}

// passesRow reports a keyword argument that is row or its key.
func passesRow(c pyast.Call, row string) bool {
	for _, v := range c.Keywords {
		switch pyast.Dotted(pyast.Unparen(v)) {
		case row, row + ".id", row + ".pk":
			return true
		}
	}
	return false
}

// fromCaller reports a row expression rooted at a parameter of fn.
func fromCaller(fn pyast.Node, row string) bool {
	root, _, _ := strings.Cut(row, ".")
	for _, prm := range pyast.ParamNames(fn) {
		if prm == root {
			return true
		}
	}
	return false
}

// firstKey returns the smallest key of m, or def when m is empty.
func firstKey(m map[string]bool, def string) string {
	out := ""
	for k := range m {
		if out == "" || k < out {
			out = k
		}
	}
	if out == "" {
		return def
	}
	return out
}
