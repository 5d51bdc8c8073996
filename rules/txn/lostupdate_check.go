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
		if handedSpender(sf, n, c, row, md, b) {
			return n
		}
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

// handedSpender reports a call of a project function handed row (by
// position) that calls, on that parameter, a method of the row's model
// setting the checked field: `retry_operation(wallet, -amount)` whose body
// runs `wallet.update_balance(amount)`. The write happens one call away.
func handedSpender(sf *semantic.File, n pyast.Node, c pyast.Call, row string, md *project.Model, b balance) bool {
	arg := -1
	for i, a := range c.Positional {
		if pyast.Dotted(pyast.Unparen(a)) == row {
			arg = i
		}
	}
	if arg < 0 || c.Func.Type() != "identifier" {
		return false
	}
	g, _ := sf.Callee(n)
	if g == nil || g.Class != nil || g.File == nil || len(g.Params) <= arg {
		return false
	}
	param := g.Params[arg]
	for call := range pyast.FindEach(pyast.Body(g.Node), "call") {
		cc, ok := pyast.AsCall(call)
		if !ok || cc.Func.Type() != "attribute" || pyast.Dotted(cc.Receiver()) != param {
			continue
		}
		if m := sf.M.ModelMethod(md, cc.MethodName()); m != nil && setsSelf(m.Node, b.fields) {
			return true
		}
	}
	return false
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

// setsSelf reports a method assigning one of fields on self, or on a copy
// of its own row it loads itself (`wallet = Wallet.objects.
// select_for_update().get(uuid=self.uuid)`, then `wallet.balance =
// F("balance") + amount`): the check made on the caller's copy guards that
// write too.
func setsSelf(def pyast.Node, fields map[string]bool) bool {
	reloaded := map[string]bool{}
	for n := range pyast.FindEachShallow(pyast.Body(def), "assignment", "augmented_assignment") {
		l := n.ChildByField("left")
		if n.Type() == "assignment" && l.Type() == "identifier" && readsSelfKey(n.ChildByField("right")) {
			reloaded[l.Text()] = true
			continue
		}
		if l.Type() != "attribute" || !fields[l.ChildByField("attribute").Text()] {
			continue
		}
		if o := pyast.Dotted(l.ChildByField("object")); o == "self" || reloaded[o] {
			return true
		}
	}
	return false
}

// readsSelfKey reports a query call whose filter passes self's key
// (`...get(uuid=self.uuid)`, `filter(pk=self.pk).first()`): a fresh copy
// of the row the method runs on.
func readsSelfKey(e pyast.Node) bool {
	c, ok := pyast.AsCall(pyast.Unparen(e))
	if !ok || !strings.Contains(pyast.Dotted(c.Func), ".objects") && !strings.Contains(c.Func.Text(), ".objects.") {
		return false
	}
	for call := range pyast.FindEach(e, "call") {
		cc, _ := pyast.AsCall(call)
		for k, v := range cc.EachKeyword() {
			if k == "pk" || k == "id" || k == "uuid" {
				if d := pyast.Dotted(pyast.Unparen(v)); d == "self."+k || d == "self.pk" || d == "self.id" {
					return true
				}
			}
		}
	}
	return false
}

// passesRow reports a keyword argument that is row or its key.
func passesRow(c pyast.Call, row string) bool {
	for _, v := range c.EachKeyword() {
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
