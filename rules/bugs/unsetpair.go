package bugs

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed unsetpair.md
var unsetPairDoc string

// UnsetPairCompared reports two values that may each be None, checked
// only for "exactly one is set" and then ordered: when neither is set the
// check passes and the comparison raises TypeError.
var UnsetPairCompared = &analyzer.Rule{
	Code:              "BUG074",
	Name:              "unset-pair-compared",
	Doc:               unsetPairDoc,
	Category:          analyzer.Correctness,
	Severity:          analyzer.Error,
	Confidence:        analyzer.Medium,
	Since:             "0.27.0",
	SkipOnSyntaxError: true,
	Skip:              semantic.ProductCode,
	Requires:          requires,
	Run:               runUnsetPairCompared,
}

// runUnsetPairCompared matches, in a function, two names bound from a
// mapping's `.get("key")` (None when the key is absent), an `if` that
// rejects exactly one of them set (`a and not b or b and not a`,
// `bool(a) != bool(b)`, `(a is None) != (b is None)`) and exits, and a
// later `if a >= b:` in the same block with nothing between that names
// either: when neither is sent, the guard passes and `None >= None`
// raises TypeError. In a serializer's method, the keys must be optional
// fields (a model field with null=True or blank=True, or a declared field
// with required=False or allow_null=True).
func runUnsetPairCompared(p *analyzer.Pass) error {
	sm := semantic.Of(p.Project)
	f := sm.File(p.Unit)
	if f == nil {
		return nil
	}
	for _, fn := range f.Funcs {
		gets := getBindings(fn.Node)
		if len(gets) < 2 {
			continue
		}
		for blk := range pyast.FindEach(fn.Node, "block") {
			if nearestDefStart(blk) != fn.Node.StartByte() {
				continue
			}
			checkUnsetPairs(p, sm, fn, blk, gets)
		}
	}
	return nil
}

// nearestDefStart returns the start of the function definition holding n.
func nearestDefStart(n pyast.Node) int {
	for q := n.Parent(); !q.IsNil(); q = q.Parent() {
		if q.Type() == "function_definition" {
			return q.StartByte()
		}
	}
	return -1
}

// getBindings maps the names the function binds exactly once, each to
// `<x>.get("key")` with one argument, to their keys.
func getBindings(def pyast.Node) map[string]string {
	out, count := map[string]string{}, map[string]int{}
	for a := range pyast.FindEach(pyast.Body(def), "assignment", "augmented_assignment", "for_statement", "named_expression") {
		l := a.ChildByField("left")
		if a.Type() == "named_expression" {
			l = a.ChildByField("name")
		}
		if l.Type() == "identifier" {
			count[l.Text()]++
		}
		for id := range pyast.FindEach(l, "identifier") {
			if id.StartByte() != l.StartByte() || id.EndByte() != l.EndByte() {
				count[id.Text()]++
			}
		}
		if a.Type() != "assignment" || l.Type() != "identifier" {
			continue
		}
		call, ok := pyast.AsCall(a.ChildByField("right"))
		if !ok || call.MethodName() != "get" || len(call.Positional) != 1 || len(call.Keywords) > 0 {
			continue
		}
		if key, ok := pyast.StringValue(call.Positional[0]); ok {
			out[l.Text()] = key
		}
	}
	for name := range out {
		if count[name] != 1 {
			delete(out, name)
		}
	}
	return out
}

// checkUnsetPairs reads the statements of one block: an exclusive-or
// guard on two bound names, then the first statement after it naming
// either, reported when it is `if a <op> b:`.
func checkUnsetPairs(p *analyzer.Pass, sm *semantic.Model, fn *semantic.Func, blk pyast.Node, gets map[string]string) {
	var stmts []pyast.Node
	for st := range pyast.EachStatement(blk) {
		stmts = append(stmts, st)
	}
	for i, st := range stmts {
		if st.Type() != "if_statement" || !st.ChildByField("alternative").IsNil() || !exits(st.ChildByField("consequence")) {
			continue
		}
		a, b, ok := exclusiveOr(pyast.Unparen(st.ChildByField("condition")))
		if !ok || gets[a] == "" || gets[b] == "" || guardedBefore(stmts[:i], a, b) {
			continue
		}
		for _, next := range stmts[i+1:] {
			if !mentions(next, a) && !mentions(next, b) {
				continue
			}
			if next.Type() != "if_statement" {
				break
			}
			cmp := pyast.Unparen(next.ChildByField("condition"))
			op, x, y := orderComparison(cmp)
			if op == "" || !(x == a && y == b || x == b && y == a) {
				break
			}
			if !optionalKeys(sm, fn, gets[a], gets[b]) {
				break
			}
			p.Report(analyzer.Diagnostic{
				Range: analyzer.RangeOf(cmp),
				Message: fmt.Sprintf("`%s` runs when neither `%s` nor `%s` is sent: the check above rejects only one of them set, and `None %s None` raises TypeError (a 500)",
					pyast.OneLine(cmp, 60), a, b, op),
				Help:    fmt.Sprintf("compare only when both are set: `if %s and %s and %s:`", a, b, cmp.Text()),
				Related: []analyzer.Related{{Range: analyzer.RangeOf(st.ChildByField("condition")), Message: "lets both be unset"}},
			})
			break
		}
	}
}

// exits reports a block whose last statement raises or returns.
func exits(body pyast.Node) bool {
	var last pyast.Node
	for st := range pyast.EachStatement(body) {
		last = st
	}
	return last.Is("raise_statement", "return_statement")
}

// guardedBefore reports an earlier `if` of the block whose condition names
// a or b and whose body exits: both unset may be handled there.
func guardedBefore(stmts []pyast.Node, a, b string) bool {
	for _, st := range stmts {
		if st.Type() == "if_statement" {
			c := st.ChildByField("condition")
			if (mentions(c, a) || mentions(c, b)) && exits(st.ChildByField("consequence")) {
				return true
			}
		}
	}
	return false
}

// mentions reports a read of the local name in n (not an attribute or a
// keyword of that name).
func mentions(n pyast.Node, name string) bool {
	for id := range pyast.FindEach(n, "identifier") {
		if id.Text() != name {
			continue
		}
		par := id.Parent()
		if par.Type() == "attribute" && id.Field() == "attribute" || par.Type() == "keyword_argument" && id.Field() == "name" {
			continue
		}
		return true
	}
	return false
}

// exclusiveOr returns the two names of a condition true when exactly one
// of them is set: `a and not b or b and not a` (either operand order),
// `bool(a) != bool(b)`, `(a is None) != (b is None)`.
func exclusiveOr(c pyast.Node) (string, string, bool) {
	switch c.Type() {
	case "boolean_operator":
		if c.ChildByField("operator").Type() != "or" {
			return "", "", false
		}
		x1, y1, ok1 := andNot(pyast.Unparen(c.ChildByField("left")))
		x2, y2, ok2 := andNot(pyast.Unparen(c.ChildByField("right")))
		if ok1 && ok2 && x1 == y2 && y1 == x2 && x1 != y1 {
			return x1, y1, true
		}
	case "comparison_operator":
		ops, operands := comparisonParts(c)
		if len(operands) != 2 || len(ops) != 1 || ops[0] != "!=" {
			return "", "", false
		}
		a, b := presence(operands[0]), presence(operands[1])
		if a != "" && b != "" && a != b {
			return a, b, true
		}
	}
	return "", "", false
}

// andNot returns x and y of `x and not y` or `not y and x`.
func andNot(n pyast.Node) (string, string, bool) {
	if n.Type() != "boolean_operator" || n.ChildByField("operator").Type() != "and" {
		return "", "", false
	}
	l, r := pyast.Unparen(n.ChildByField("left")), pyast.Unparen(n.ChildByField("right"))
	if l.Type() == "not_operator" {
		l, r = r, l
	}
	if l.Type() != "identifier" || r.Type() != "not_operator" {
		return "", "", false
	}
	arg := pyast.Unparen(r.ChildByField("argument"))
	if arg.Type() != "identifier" {
		return "", "", false
	}
	return l.Text(), arg.Text(), true
}

// presence returns the name of `bool(x)` or `x is None`.
func presence(n pyast.Node) string {
	n = pyast.Unparen(n)
	if call, ok := pyast.AsCall(n); ok && pyast.Dotted(call.Func) == "bool" && len(call.Positional) == 1 && call.Positional[0].Type() == "identifier" {
		return call.Positional[0].Text()
	}
	if n.Type() == "comparison_operator" {
		ops, operands := comparisonParts(n)
		if len(ops) == 1 && ops[0] == "is" && len(operands) == 2 && operands[0].Type() == "identifier" && operands[1].Type() == "none" {
			return operands[0].Text()
		}
	}
	return ""
}

// comparisonParts returns the operators and operands of a comparison.
func comparisonParts(c pyast.Node) (ops []string, operands []pyast.Node) {
	for _, ch := range c.Children() {
		if ch.IsNamed() {
			operands = append(operands, ch)
		} else if len(ops) > 0 && (ops[len(ops)-1] == "is" || ops[len(ops)-1] == "not") && (ch.Type() == "not" || ch.Type() == "in") {
			ops[len(ops)-1] += " " + ch.Type()
		} else {
			ops = append(ops, ch.Type())
		}
	}
	return ops, operands
}

// orderComparison returns the operator and the two names of `x <op> y`
// with op one of <, <=, >, >=.
func orderComparison(c pyast.Node) (string, string, string) {
	if c.Type() != "comparison_operator" {
		return "", "", ""
	}
	ops, operands := comparisonParts(c)
	if len(ops) != 1 || len(operands) != 2 || operands[0].Type() != "identifier" || operands[1].Type() != "identifier" {
		return "", "", ""
	}
	switch ops[0] {
	case "<", "<=", ">", ">=":
		return ops[0], operands[0].Text(), operands[1].Text()
	}
	return "", "", ""
}

// optionalKeys reports keys that may be absent: outside a serializer any
// `.get()` may return None; in a serializer's method, each key must be a
// declared field with required=False or allow_null=True, or a model field
// with null=True or blank=True.
func optionalKeys(sm *semantic.Model, fn *semantic.Func, keys ...string) bool {
	if fn.Class == nil {
		return true
	}
	md := sm.SerializerModel(fn.Class)
	if md == nil {
		return true
	}
	for _, k := range keys {
		if v, ok := fn.Class.Attrs[k]; ok {
			if t := v.Text(); !strings.Contains(t, "required=False") && !strings.Contains(t, "allow_null=True") {
				return false
			}
			continue
		}
		fd := md.Field(k)
		if fd == nil {
			return false
		}
		if fd.Null {
			continue
		}
		mc := sm.ClassOfModel(fd.Model)
		if mc == nil {
			return false
		}
		if v, ok := mc.Attrs[k]; !ok || !strings.Contains(v.Text(), "blank=True") {
			return false
		}
	}
	return true
}
