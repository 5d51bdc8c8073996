package txn

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed parentstatus.md
var parentStatusDoc string

// ParentStatusUnchecked reports a handler that accepts one child row (an
// offer, a bid) after checking the child's own status, then moves money
// and flips the status of the parent the child belongs to (the loan)
// without ever reading the parent's status: a second child of the same
// parent passes the check and applies the transition, and its money,
// again.
var ParentStatusUnchecked = &analyzer.Rule{
	Code:       "TXN012",
	Name:       "parent-status-unchecked",
	Doc:        parentStatusDoc,
	Category:   analyzer.DataIntegrity,
	Severity:   analyzer.Error,
	Confidence: analyzer.Medium,
	Since:      "0.25.0",
	Stack:      project.Django,
	Skip:       semantic.ProductCode,
	Requires:   []project.Analysis{semantic.Project, semantic.Endpoints},
	Run:        runParentStatusUnchecked,
}

// statusName reports a field name that holds a row's state.
func statusName(name string) bool {
	return name == "status" || name == "state" || strings.HasSuffix(name, "_status") || strings.HasSuffix(name, "_state")
}

// runParentStatusUnchecked matches the handler of a routed endpoint reached
// by POST, PUT, PATCH or DELETE that, in its own body and in this order of
// reasoning: binds a local child row to a fetch by the manager of a model
// (`offer = Offer.objects.get(id=...)`); tests the child's own state (a
// condition reading `offer.<status>` or `offer.is_...`); binds the parent
// from the child's forward relation (`loan = offer.loan`, or
// `Loan.objects.get(id=offer.loan.id)` / `pk=offer.loan_id`); assigns the
// parent's status outside any condition and saves it; and changes a balance
// (`x.balance -= ...`, `x.balance = x.balance - ...`). It is silent when
// anything in the handler reads the parent's status (`loan.status`,
// `offer.loan.status`, a filter on it), when the parent is fetched with a
// status filter or locked, or when the parent's model is not the target of
// the child's relation.
func runParentStatusUnchecked(p *analyzer.Pass) error {
	sm := semantic.Of(p.Project)
	inv := semantic.InventoryOf(p.Project)
	sf := sm.File(p.Unit)
	if sf == nil || p.Project.Models == nil {
		return nil
	}
	seen := map[*semantic.Func]bool{}
	for _, e := range inv.InFile(sf) {
		if e.Handler == nil || seen[e.Handler] || !e.Routed && inv.HasURLConf || !e.Judged(inv) || !writeMethod(e.Methods) {
			continue
		}
		seen[e.Handler] = true
		def := e.Handler.Node
		move := balanceMove(def)
		if move.IsNil() {
			continue
		}
		for a := range pyast.FindEachShallow(pyast.Body(def), "assignment") {
			left := a.ChildByField("left")
			if left.Type() != "attribute" || left.ChildByField("object").Type() != "identifier" || !statusName(left.ChildByField("attribute").Text()) {
				continue
			}
			parent, field := left.ChildByField("object").Text(), left.ChildByField("attribute").Text()
			if !semantic.SavedAfter(def, parent, a.EndByte()) {
				continue
			}
			child, rel, bind := parentOf(sf, def, parent, a)
			if child == "" {
				continue
			}
			childFetch := fetchedRow(sf, def, child, bind)
			if childFetch == nil || !childFetch.Complete {
				continue
			}
			ra := childFetch.Attr(rel)
			if ra.Kind != project.AttrForward || ra.Target == nil || ra.Target.Field(field) == nil {
				continue
			}
			check := stateTest(def, child, a.StartByte())
			if check.IsNil() || underCondition(def, a, check) || parentStatusRead(def, parent, child, rel, field) {
				continue
			}
			p.Report(analyzer.Diagnostic{
				Range: analyzer.RangeOf(a),
				Message: fmt.Sprintf("`%s.%s` is set without checking it: `%s` checks only `%s` (line %d), so a second `%s` of the same `%s` passes and applies the transition, and the balance change at line %d, again",
					parent, field, e.ViewName(), pyast.OneLine(check, 50), p.File.Position(check.StartByte()).Line,
					childFetch.Name, ra.Target.Name, p.File.Position(move.StartByte()).Line),
				Help: fmt.Sprintf("check `%s.%s` too, on the row locked with `select_for_update()` (refuse when it is no longer the state you expect), or make the transition conditional: `%s.objects.filter(pk=%s.pk, %s=<expected>).update(%s=...)` and go on only when it changed a row",
					parent, field, ra.Target.Name, parent, field, field),
				Related: []analyzer.Related{
					{Range: analyzer.RangeOf(check), Message: "the only state checked: the other row's"},
					{Range: analyzer.RangeOf(move), Message: "the balance change a second request applies again"},
				},
			})
			break
		}
	}
	return nil
}

// writeMethod reports an endpoint a method that changes state reaches.
func writeMethod(ms []string) bool {
	for _, m := range ms {
		switch m {
		case "POST", "PUT", "PATCH", "DELETE", "ANY":
			return true
		}
	}
	return false
}

// balanceMove returns the first change of a balance in def's own body:
// `x.<..balance..> += v` (or -=), or `x.f = x.f ± v` on such a field.
func balanceMove(def pyast.Node) pyast.Node {
	for n := range pyast.FindEachShallow(pyast.Body(def), "assignment", "augmented_assignment") {
		left := n.ChildByField("left")
		if left.Type() != "attribute" || !strings.Contains(strings.ToLower(left.ChildByField("attribute").Text()), "balance") {
			continue
		}
		if n.Type() == "augmented_assignment" {
			if op := n.ChildByField("operator").Text(); op == "+=" || op == "-=" {
				return n
			}
			continue
		}
		if _, ok := readThenAdd(n.ChildByField("right"), pyast.Dotted(left)); ok {
			return n
		}
	}
	return pyast.Node{}
}

// underCondition reports a statement of def nested in a conditional or
// loop that does not also hold the child's check: a transition taken on
// some paths only (`if all(paid): loan.status = "completed"`) is a derived
// state, not an acceptance, while a guard around the whole flow (`if
// offer.loan.user == request.user:`, the check and the write inside) is not.
func underCondition(def, n, check pyast.Node) bool {
	for cur := n.Parent(); !cur.IsNil() && !cur.Equal(def); cur = cur.Parent() {
		switch cur.Type() {
		case "if_statement", "elif_clause", "else_clause", "for_statement", "while_statement", "conditional_expression":
			body := cur.ChildByField("consequence")
			if body.IsNil() {
				body = cur.ChildByField("body")
			}
			if body.IsNil() || check.StartByte() < body.StartByte() || check.EndByte() > body.EndByte() {
				return true
			}
		}
	}
	return false
}

// parentOf returns the child row and relation a local parent row is bound
// from, once in def before n: `parent = child.rel`, or a manager get whose
// only keyword is the key and reads it through the child
// (`get(id=child.rel.id)`, `get(pk=child.rel_id)`), without a status
// filter or a lock. bind is the binding's value.
func parentOf(sf *semantic.File, def pyast.Node, parent string, n pyast.Node) (child, rel string, bind pyast.Node) {
	if sf.BindingCount(n, parent) != 1 {
		return "", "", pyast.Node{}
	}
	rhs := pyast.Unparen(sf.Binding(n, parent, n.StartByte()))
	if rhs.IsNil() || pyast.EnclosingFunction(rhs).StartByte() != def.StartByte() {
		return "", "", pyast.Node{}
	}
	if rhs.Type() == "attribute" {
		obj := rhs.ChildByField("object")
		if obj.Type() == "identifier" {
			return obj.Text(), rhs.ChildByField("attribute").Text(), rhs
		}
		return "", "", pyast.Node{}
	}
	c, ok := pyast.AsCall(rhs)
	if !ok || c.Func.Type() != "attribute" || c.MethodName() != "get" || len(c.Keywords) != 1 || len(c.Positional) > 0 {
		return "", "", pyast.Node{}
	}
	if !strings.HasSuffix(pyast.Dotted(c.Receiver()), ".objects") {
		return "", "", pyast.Node{} // a filtered or locked chain
	}
	for k, v := range c.EachKeyword() {
		if k != "id" && k != "pk" {
			return "", "", pyast.Node{}
		}
		v = pyast.Unparen(v)
		if v.Type() != "attribute" {
			return "", "", pyast.Node{}
		}
		obj, attr := v.ChildByField("object"), v.ChildByField("attribute").Text()
		switch {
		case (attr == "id" || attr == "pk") && obj.Type() == "attribute" && obj.ChildByField("object").Type() == "identifier":
			return obj.ChildByField("object").Text(), obj.ChildByField("attribute").Text(), rhs
		case strings.HasSuffix(attr, "_id") && obj.Type() == "identifier":
			return obj.Text(), strings.TrimSuffix(attr, "_id"), rhs
		}
	}
	return "", "", pyast.Node{}
}

// fetchedRow returns the model of a local child row bound once in def,
// before n, to a manager get (`.get(...)`, `.filter(...).first()`), not
// locked with select_for_update().
func fetchedRow(sf *semantic.File, def pyast.Node, child string, n pyast.Node) *project.Model {
	if sf.BindingCount(n, child) != 1 {
		return nil
	}
	rhs := pyast.Unparen(sf.Binding(n, child, n.StartByte()))
	if rhs.IsNil() || pyast.EnclosingFunction(rhs).StartByte() != def.StartByte() {
		return nil
	}
	c, ok := pyast.AsCall(rhs)
	if !ok || c.Func.Type() != "attribute" || (c.MethodName() != "get" && c.MethodName() != "first") {
		return nil
	}
	q := sf.Eval(c.Receiver())
	if q == nil || q.Model == nil || sf.RowLock(rhs) == semantic.Locked {
		return nil
	}
	return q.Model
}

// stateTest returns the first condition or comparison of def before pos
// that reads the child's own state: `child.<status>` or `child.is_...`.
func stateTest(def pyast.Node, child string, pos int) pyast.Node {
	for n := range pyast.FindEach(def, "comparison_operator", "if_statement", "elif_clause") {
		if n.StartByte() >= pos {
			break
		}
		cond := n
		if n.Type() != "comparison_operator" {
			cond = n.ChildByField("condition")
		}
		for a := range pyast.FindEach(cond, "attribute") {
			if pyast.Dotted(a.ChildByField("object")) != child {
				continue
			}
			if name := a.ChildByField("attribute").Text(); statusName(name) || strings.HasPrefix(name, "is_") {
				return cond
			}
		}
	}
	return pyast.Node{}
}

// parentStatusRead reports anything in def that reads the parent's state
// field: `parent.<field>` or `child.rel.<field>` outside an assignment's
// target, or a lookup keyword naming it (`rel__<field>=`, `<field>=` in a
// filter of the parent's rows).
func parentStatusRead(def pyast.Node, parent, child, rel, field string) bool {
	for a := range pyast.FindEach(def, "attribute") {
		if a.ChildByField("attribute").Text() != field {
			continue
		}
		if o := pyast.Dotted(a.ChildByField("object")); o != parent && o != child+"."+rel {
			continue
		}
		if par := a.Parent(); par.Type() == "assignment" && par.ChildByField("left").Equal(a) {
			continue
		}
		return true
	}
	for kw := range pyast.FindEach(def, "keyword_argument") {
		name := kw.ChildByField("name").Text()
		if strings.HasPrefix(name, rel+"__"+field) {
			return true
		}
	}
	return false
}
