package txn

import (
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

// setterWriteBack reports a read-modify-write split across a call: fn reads
// `row.f` of a row it loaded without select_for_update(), computes
// `row.f ± v` (directly in the argument, or in a local bound once to it) and
// hands the result to a project function whose body assigns that parameter
// to the same field of a row (`obj.f = value`) and saves it
// (`edit_stock(product.id, product.stock - qty)`, with `def edit_stock(id,
// stock): p = Product.objects.get(id=id); p.stock = stock; p.save()`). The
// value written was computed from what fn read, so a concurrent change made
// in between is overwritten, as in the plain read-modify-write; the helper
// locking its own row does not help, since the value is already stale.
// Medium confidence: the write is one call away.
func setterWriteBack(p *analyzer.Pass, sf *semantic.File, fn pyast.Node) {
	reported := map[string]bool{}
	for _, call := range ownCalls(fn) {
		c, _ := pyast.AsCall(call)
		callee, bound := sf.Callee(call)
		unbound := false
		if callee == nil {
			callee, unbound = classFunction(sf, c)
		}
		if callee == nil || callee.File == nil || callee.Node.IsNil() {
			continue
		}
		offset := 0
		if bound || !unbound && len(callee.Params) > 0 && (callee.Params[0] == "self" || callee.Params[0] == "cls") && !callee.Static {
			offset = 1
		}
		args := map[string]pyast.Node{}
		for i, a := range c.Positional {
			if i+offset < len(callee.Params) {
				args[callee.Params[i+offset]] = a
			}
		}
		for k, a := range c.EachKeyword() {
			args[k] = a
		}
		for _, param := range callee.Params {
			a, ok := args[param]
			if !ok {
				continue
			}
			read, expr := computedFromRead(sf, fn, a, call)
			if read.IsNil() {
				continue
			}
			row := pyast.Dotted(read.ChildByField("object"))
			field := read.ChildByField("attribute").Text()
			if row == "" || reported[row+"."+field] || !counterField(field) {
				continue
			}
			assign, save := paramWrittenBack(callee, param, field)
			if assign.IsNil() {
				continue
			}
			origin, local := rowOrigin(sf, fn, row, read)
			if !local || strings.Contains(origin, "select_for_update") || constructedHere(sf, row, read) ||
				sf.RowLock(read.ChildByField("object")) == semantic.Locked {
				continue
			}
			md := rowModel(sf, read.ChildByField("object"))
			if md == nil {
				continue
			}
			if other := rowModel(callee.File, assign.ChildByField("left").ChildByField("object")); other != nil && other != md {
				continue
			}
			reported[row+"."+field] = true
			at := callee.File.Unit.File.Rel
			line := callee.File.Unit.File.Position(assign.StartByte()).Line
			p.Report(analyzer.Diagnostic{
				Range:      analyzer.RangeOf(call),
				Confidence: analyzer.Medium,
				Message: fmt.Sprintf("`%s.%s` is read here (loaded without `select_for_update()`), changed in Python (`%s`) and handed to `%s()`, which writes it back to the row (%s:%d): two concurrent requests compute from the same value and one change is lost",
					row, field, pyast.OneLine(expr, 50), callee.Name, at, line),
				Help: fmt.Sprintf("move the change into the database: `%s.objects.filter(pk=%s.pk).update(%s=F(%q) %s)`, or load and write the row under `select_for_update()` inside `transaction.atomic()`",
					md.Name, row, field, field, change(expr, read)),
				Related: []analyzer.Related{
					{Range: analyzer.RangeOf(read), Message: "read here"},
					{Path: at, Range: analyzer.RangeOf(assign), Message: "written back here"},
					{Path: at, Range: analyzer.RangeOf(save), Message: "and saved here"},
				},
			})
		}
	}
}

// computedFromRead returns the `row.f` read that an argument adds to or
// subtracts from (`row.f - qty`, `int(row.f) + n`), directly or through a
// local of fn bound once, before the call, to such an expression; and that
// expression.
func computedFromRead(sf *semantic.File, fn, arg, call pyast.Node) (read, expr pyast.Node) {
	e := pyast.Unparen(arg)
	if e.Type() == "identifier" {
		if sf.BindingCount(call, e.Text()) != 1 {
			return pyast.Node{}, pyast.Node{}
		}
		b := sf.Binding(call, e.Text(), call.StartByte())
		if b.IsNil() || pyast.Ancestor(b, "function_definition").StartByte() != fn.StartByte() {
			return pyast.Node{}, pyast.Node{}
		}
		e = pyast.Unparen(b)
	}
	if r := leftmostRead(e); !r.IsNil() {
		return r, e
	}
	return pyast.Node{}, pyast.Node{}
}

// leftmostRead returns the attribute read that is the left-most operand of
// a chain of + and - (number conversions stripped), or a nil node.
func leftmostRead(e pyast.Node) pyast.Node {
	n := pyast.Unparen(e)
	if n.Type() != "binary_operator" {
		return pyast.Node{}
	}
	if op := n.ChildByField("operator").Text(); op != "+" && op != "-" {
		return pyast.Node{}
	}
	l := unconverted(n.ChildByField("left"))
	if l.Type() == "attribute" {
		if _, ok := readThenAdd(e, pyast.Dotted(l)); ok && pyast.Dotted(l.ChildByField("object")) != "" {
			return l
		}
		return pyast.Node{}
	}
	return leftmostRead(l)
}

// paramWrittenBack returns, in the callee's own body, an assignment of the
// parameter to the field on a row (`obj.f = param`) followed by that row's
// `save()`, with the save call; nil nodes when there is none, or when the
// parameter is rebound first.
func paramWrittenBack(callee *semantic.Func, param, field string) (assign, save pyast.Node) {
	body := pyast.Body(callee.Node)
	for a := range pyast.FindEachShallow(body, "assignment", "augmented_assignment") {
		left := a.ChildByField("left")
		if left.Type() == "identifier" && left.Text() == param {
			return pyast.Node{}, pyast.Node{} // rebound: not the caller's value
		}
		if a.Type() != "assignment" || left.Type() != "attribute" || left.ChildByField("attribute").Text() != field {
			continue
		}
		r := pyast.Unparen(a.ChildByField("right"))
		if r.Type() != "identifier" || r.Text() != param {
			continue
		}
		obj := pyast.Dotted(left.ChildByField("object"))
		for _, s := range saveCalls(callee.Node) {
			if s.Node.StartByte() > a.EndByte() && pyast.Dotted(s.Receiver()) == obj {
				return a, s.Node
			}
		}
	}
	return pyast.Node{}, pyast.Node{}
}

// classFunction resolves `Class.f(...)` on a project class to a plain
// function of its body called through the class (`ProductView.edit_stock(
// pid, stock)` with `def edit_stock(id, stock)`), which the call graph
// leaves to staticmethods and classmethods: Python passes every argument
// as written. unbound is set when it resolves.
func classFunction(sf *semantic.File, c pyast.Call) (*semantic.Func, bool) {
	if c.Func.Type() != "attribute" {
		return nil, false
	}
	cls := sf.M.ClassNamed(sf, pyast.Dotted(c.Func.ChildByField("object")))
	if cls == nil {
		return nil, false
	}
	m := cls.Method(c.Func.ChildByField("attribute").Text())
	if m == nil || m.Static || m.ClassMethod || m.Property {
		return nil, false
	}
	return m, true
}

// change is what an expression adds to its left-most read, for the help:
// `- qty` for `row.stock - qty`, `+ ...` when the rest is a longer chain.
func change(expr, read pyast.Node) string {
	sign, _ := readThenAdd(expr, pyast.Dotted(read))
	if n := pyast.Unparen(expr); unconverted(n.ChildByField("left")).Equal(read) {
		return sign + " " + pyast.OneLine(n.ChildByField("right"), 40)
	}
	return sign + " ..."
}
