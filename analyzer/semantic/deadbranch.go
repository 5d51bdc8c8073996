package semantic

import (
	"slices"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// DeadForCall reports whether inner, a node in the body of fn, cannot run
// on the call of fn at call: it sits in the body of an `if` whose test
// holds only when a parameter is given (`if user:`, `if user is not
// None:`, `if user and ...:`, `if field_ids or row_ids:`), the parameter's
// default being None or False and the call passing none.
// `handler.update_decoration(decoration, conf)` never reaches what
// update_decoration does `if user:`.
func DeadForCall(call pyast.Node, fn *Func, inner pyast.Node) bool {
	if fn == nil || fn.Node.IsNil() || inner.IsNil() || call.IsNil() {
		return false
	}
	if call.Type() != "call" {
		if p := call.Parent(); p.Type() == "call" && p.ChildByField("function").Equal(call) {
			call = p
		}
	}
	c, ok := pyast.AsCall(call)
	if !ok || c.StarArgs || c.StarKwargs {
		return false
	}
	off := 0
	if fn.Class != nil && !fn.Static {
		off = 1 // self or cls
	}
	passed := func(name string) bool {
		i := slices.Index(fn.Params, name)
		if i < 0 {
			return true // not a plain parameter: keyword-only, *args...
		}
		if _, kw := c.Keywords[name]; kw {
			return true
		}
		return i-off < len(c.Positional)
	}
	body := fn.Node.ChildByField("body")
	for child, a := inner, inner.Parent(); !a.IsNil() && !a.Equal(body); child, a = a, a.Parent() {
		switch a.Type() {
		case "function_definition", "lambda", "class_definition":
			return false
		case "if_statement":
			if !a.ChildByField("consequence").Equal(child) {
				continue // an elif or else clause: not what the test guards
			}
			unset := func(p string) bool { return noneDefault(fn.Node, p) && !passed(p) }
			if needsGiven(a.ChildByField("condition"), unset) {
				return true
			}
		}
	}
	return false
}

// needsGiven reports whether cond can only hold when some parameter
// unset says is not given is: `x`, `x is not None`, an `and` with such an
// operand, an `or` of such operands.
func needsGiven(cond pyast.Node, unset func(string) bool) bool {
	cond = pyast.Unparen(cond)
	switch cond.Type() {
	case "identifier":
		return unset(cond.Text())
	case "comparison_operator":
		kids := cond.NamedChildren()
		return len(kids) == 2 && kids[0].Type() == "identifier" && kids[1].Type() == "none" && isNotOperator(cond) &&
			unset(kids[0].Text())
	case "boolean_operator":
		l, r := cond.ChildByField("left"), cond.ChildByField("right")
		if cond.ChildByField("operator").Text() == "and" {
			return needsGiven(l, unset) || needsGiven(r, unset)
		}
		return needsGiven(l, unset) && needsGiven(r, unset)
	}
	return false
}

// isNotOperator reports a comparison written `a is not b`.
func isNotOperator(cmp pyast.Node) bool {
	for ch := cmp.FirstChild(); !ch.IsNil(); ch = ch.NextSibling() {
		if !ch.IsNamed() {
			if t := ch.Type(); t == "is not" {
				return true
			}
		}
	}
	return false
}

// noneDefault reports a parameter of def whose default is None or False.
func noneDefault(def pyast.Node, name string) bool {
	for p := range def.ChildByField("parameters").Named() {
		switch p.Type() {
		case "default_parameter", "typed_default_parameter":
			if p.ChildByField("name").Text() != name {
				continue
			}
			switch pyast.Unparen(p.ChildByField("value")).Type() {
			case "none", "false":
				return true
			}
			return false
		}
	}
	return false
}

// DeadOnFirstCall is DeadForCall for a deep access (one with Via): the
// access, or the next call on its way, under a test of a parameter the
// first call (Via[0]) does not pass.
func (a Access) DeadOnFirstCall() bool {
	if len(a.Via) == 0 {
		return false
	}
	inner := a.Node
	if len(a.Via) > 1 {
		inner = a.Via[1].Call
	}
	return DeadForCall(a.Via[0].Call, a.Via[0].Func, inner)
}

// DeadInCallee is DeadForCall for an access Lookups returned for a call of
// fn (its Via start inside fn).
func (a Access) DeadInCallee(call pyast.Node, fn *Func) bool {
	inner := a.Node
	if len(a.Via) > 0 {
		inner = a.Via[0].Call
	}
	return DeadForCall(call, fn, inner)
}
