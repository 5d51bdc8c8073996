package idempotency

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

// refusesRepeat reports a handler that refuses a repeat by the state of a
// row it moves on: before the money write w it tests a field of a row
// (an `if` on `row.f` whose body returns or raises, or the lookup that
// binds the row pins `f`), and it assigns `row.f` a constant the test
// refuses, then saves the row. A sequential retry finds the new state and
// is turned away (`if payment.paid: return ...` then `payment.paid =
// True`; `get_object_or_404(Loan, pk=pk, status="ACCEPTED")` then
// `loan.status = "FUNDED"`): the premise of a retry applying twice does
// not hold. Two concurrent requests still both pass the test; that race
// is the lost-update and status-transition rules' (TXN005, TXN009).
func refusesRepeat(e *semantic.Endpoint, w *semantic.Effect) bool {
	if e.Handler == nil || e.Handler.Node.IsNil() {
		return false
	}
	def := e.Handler.Node
	moneyAt := def.EndByte()
	if !w.Entry.IsNil() && def.Contains(w.Entry) {
		moneyAt = w.Entry.StartByte()
	}
	for _, st := range stateWrites(def) {
		if !semantic.SavedAfter(def, st.row, st.at) {
			continue
		}
		if guardRefuses(def, st, moneyAt) || lookupRefuses(def, st, moneyAt) {
			return true
		}
	}
	return false
}

// stateWrite is `row.field = value` with value a constant: a literal
// string, number, True, False or None, or a dotted name (`Status.PAID`).
type stateWrite struct {
	row, field string
	value      pyast.Node
	at         int
}

func stateWrites(def pyast.Node) []stateWrite {
	var out []stateWrite
	for a := range pyast.FindEach(pyast.Body(def), "assignment") {
		left := a.ChildByField("left")
		right := pyast.Unparen(a.ChildByField("right"))
		if left.Type() != "attribute" || right.IsNil() || !constant(right) {
			continue
		}
		obj := left.ChildByField("object")
		if obj.Type() != "identifier" {
			continue
		}
		field := left.ChildByField("attribute").Text()
		if quantityField(field) {
			continue
		}
		out = append(out, stateWrite{row: obj.Text(), field: field, value: right, at: a.StartByte()})
	}
	return out
}

// quantityField reports a field holding an amount or a count rather than a
// state (semantic.MoneyName reads money alone).
func quantityField(f string) bool {
	f = strings.ToLower(f)
	for _, w := range []string{"balance", "amount", "total", "stock", "quantity", "count", "sum", "price"} {
		if strings.Contains(f, w) {
			return true
		}
	}
	return false
}

func constant(n pyast.Node) bool {
	switch n.Type() {
	case "string", "integer", "true", "false", "none":
		return !pyast.IsFString(n)
	case "attribute":
		return pyast.Dotted(n) != ""
	}
	return false
}

// constText is a constant's value for comparison: a string's contents,
// otherwise its source text.
func constText(n pyast.Node) (string, bool) {
	n = pyast.Unparen(n)
	if !constant(n) {
		return "", false
	}
	if v, ok := pyast.StringValue(n); ok {
		return "'" + v, true
	}
	return n.Text(), true
}

// truthy is a constant's truth value; ok is false when it cannot be told
// (a dotted name).
func truthy(n pyast.Node) (val, ok bool) {
	switch n.Type() {
	case "true":
		return true, true
	case "false", "none":
		return false, true
	case "integer":
		return n.Text() != "0", true
	case "string":
		v, ok := pyast.StringValue(n)
		return v != "", ok
	}
	return false, false
}

// guardRefuses reports an `if` before both the money write and the state
// write whose condition, for the state the handler writes, holds (a
// disjunct on row.field does), and whose body leaves the handler (return
// or raise).
func guardRefuses(def pyast.Node, st stateWrite, moneyAt int) bool {
	for n := range pyast.FindEach(pyast.Body(def), "if_statement") {
		if n.StartByte() >= moneyAt || n.StartByte() >= st.at || !leaves(n.ChildByField("consequence")) {
			continue
		}
		for _, d := range disjuncts(n.ChildByField("condition")) {
			if holds, ok := holdsFor(d, st); ok && holds {
				return true
			}
		}
	}
	return false
}

// leaves reports a block whose last statement is a return or a raise.
func leaves(block pyast.Node) bool {
	return pyast.LastStatement(block).Is("return_statement", "raise_statement")
}

func disjuncts(n pyast.Node) []pyast.Node {
	n = pyast.Unparen(n)
	if n.Type() == "boolean_operator" && n.ChildByField("operator").Text() == "or" {
		return append(disjuncts(n.ChildByField("left")), disjuncts(n.ChildByField("right"))...)
	}
	return []pyast.Node{n}
}

// holdsFor evaluates a test of row.field for the state written; ok is
// false when the test is not one on row.field it can evaluate.
func holdsFor(cond pyast.Node, st stateWrite) (holds, ok bool) {
	cond = pyast.Unparen(cond)
	target := st.row + "." + st.field
	switch cond.Type() {
	case "attribute":
		if pyast.Dotted(cond) == target {
			return truthy(st.value)
		}
	case "not_operator":
		arg := pyast.Unparen(cond.ChildByField("argument"))
		if pyast.Dotted(arg) == target {
			t, ok := truthy(st.value)
			return !t, ok
		}
	case "comparison_operator":
		kids := cond.NamedChildren()
		if len(kids) != 2 {
			return false, false
		}
		var other pyast.Node
		switch {
		case pyast.Dotted(pyast.Unparen(kids[0])) == target:
			other = pyast.Unparen(kids[1])
		case pyast.Dotted(pyast.Unparen(kids[1])) == target:
			other = pyast.Unparen(kids[0])
		default:
			return false, false
		}
		op := strings.Join(strings.Fields(operatorText(cond)), " ")
		v, ok := constText(st.value)
		if !ok {
			return false, false
		}
		switch op {
		case "==", "is", "!=", "is not":
			w, ok := constText(other)
			if !ok {
				return false, false
			}
			eq := v == w
			return eq == (op == "==" || op == "is"), true
		case "in", "not in":
			if !other.Is("tuple", "list", "set") {
				return false, false
			}
			in := false
			for _, el := range other.NamedChildren() {
				w, ok := constText(el)
				if !ok {
					return false, false
				}
				in = in || w == v
			}
			return in == (op == "in"), true
		}
	}
	return false, false
}

// operatorText is the comparison's operator as written (`!=`, `not in`).
func operatorText(cmp pyast.Node) string {
	var ops []string
	for _, c := range cmp.Children() {
		if !c.IsNamed() {
			ops = append(ops, c.Text())
		}
	}
	return strings.Join(ops, " ")
}

// lookupRefuses reports the binding of the row, before the money write,
// by a lookup that pins the field to a value the written state differs
// from (`get_object_or_404(Offer, pk=pk, status="PENDING")`, then
// `offer.status = "REJECTED"`): a repeat finds no row.
func lookupRefuses(def pyast.Node, st stateWrite, moneyAt int) bool {
	v, ok := constText(st.value)
	if !ok {
		return false
	}
	for a := range pyast.FindEach(pyast.Body(def), "assignment") {
		if a.StartByte() >= moneyAt || a.StartByte() >= st.at || a.ChildByField("left").Text() != st.row {
			continue
		}
		right := pyast.Unparen(a.ChildByField("right"))
		for c := range pyast.FindEach(right, "call") {
			call, _ := pyast.AsCall(c)
			for k, kv := range call.EachKeyword() {
				head, rest, _ := strings.Cut(k, "__")
				if head != st.field {
					continue
				}
				switch rest {
				case "", "exact":
					if w, ok := constText(kv); ok && w != v {
						return true
					}
				case "in":
					kv = pyast.Unparen(kv)
					if !kv.Is("tuple", "list", "set") {
						continue
					}
					in, known := false, true
					for _, el := range kv.NamedChildren() {
						w, ok := constText(el)
						known = known && ok
						in = in || w == v
					}
					if known && !in {
						return true
					}
				}
			}
		}
	}
	return false
}
