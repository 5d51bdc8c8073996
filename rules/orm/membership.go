package orm

import (
	_ "embed"
	"fmt"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed membership.md
var membershipDoc string

// MembershipRequery reports a membership test against a queryset built
// inside a loop: the queryset is fetched again on every iteration.
var MembershipRequery = &analyzer.Rule{
	Code:              "ORM014",
	Name:              "membership-test-per-iteration",
	Doc:               membershipDoc,
	Category:          analyzer.Performance,
	Severity:          analyzer.Warning,
	Confidence:        analyzer.High,
	Since:             "0.27.0",
	Stack:             project.Django,
	SkipOnSyntaxError: true,
	Skip:              semantic.ProductCode,
	Requires:          requires,
	Run:               runMembership,
}

// runMembership matches `x in <chain>` and `x not in <chain>` in the body
// of a for loop or comprehension (its condition included), where <chain>
// is a queryset built right there: a manager chain of a known model
// (`Model.objects.filter(...)`, `qs.values_list(...)`) or a related
// manager of an object the loop does not bind (`self.voted.all()`). A
// fresh queryset has no result cache, so Python's `in` fetches its rows
// again on every iteration. It skips loops over literals and range(), loops
// left right after the test, a row's own related manager (ORM002's: a
// prefetch is the remedy), querysets bound to a name (fetched once and
// cached), and managers known to be prefetched. `.all()` of a related
// manager has medium confidence: the object may have been fetched with
// prefetch_related, whose cache `.all()` reads.
func runMembership(p *analyzer.Pass) error {
	t := NewTracker(p)
	for n := range pyast.FindEach(p.Root, "comparison_operator") {
		r, op := membershipOperand(n)
		if r.IsNil() {
			continue
		}
		c, ok := pyast.AsCall(r)
		if !ok || c.Func.Type() != "attribute" || !chainMethods[c.MethodName()] {
			continue
		}
		q := t.Eval(r)
		if q == nil {
			q = t.SelfManagerChain(r)
		}
		if q == nil || q.Model == nil || q.Cached || q.Related && q.OwnerInLoop {
			continue
		}
		var loop *Loop
		for l := range t.loopsAround(n) {
			if l.Bounded() || l.Once() || l.LeavesAfter(n) {
				continue
			}
			loop = l
			break
		}
		if loop == nil || rowOwned(r, loop) {
			continue
		}
		conf := analyzer.High
		if q.MaybeCached || q.Related && c.MethodName() == "all" {
			conf = analyzer.Medium
		}
		if q.Custom || q.Opaque || q.Model.External || !q.Model.Complete {
			conf = analyzer.Medium
		}
		p.Report(analyzer.Diagnostic{
			Range: analyzer.RangeOf(n),
			Message: fmt.Sprintf("`%s` fetches `%s` again on every iteration of the loop over %s",
				compact(n), compact(r), loopName(loop)),
			Help: fmt.Sprintf("fetch it once before the loop (`found = set(%s)`), then test `%s found`: a set lookup, no query",
				compact(r), op),
			Confidence: conf,
		})
	}
	return nil
}

// membershipOperand returns the right operand of a two-operand `in` or
// `not in` test, and the operator.
func membershipOperand(n pyast.Node) (pyast.Node, string) {
	if n.NamedChildCount() != 2 {
		return pyast.Node{}, ""
	}
	op := ""
	for _, ch := range n.Children() {
		if ch.IsNamed() {
			continue
		}
		switch ch.Type() {
		case "in":
			if op == "not" {
				op = "not in"
			} else {
				op = "in"
			}
		case "not in":
			op = "not in"
		case "not":
			op = "not"
		default:
			return pyast.Node{}, ""
		}
	}
	if op != "in" && op != "not in" {
		return pyast.Node{}, ""
	}
	return pyast.Unparen(n.NamedChild(1)), op
}

// rowOwned reports a chain whose root is a name the loop binds (its
// target or an assignment in its body): a per-row relation or queryset,
// whose remedy is a prefetch, left to ORM002 and ORM003.
func rowOwned(r pyast.Node, l *Loop) bool {
	root := r
	for {
		switch root.Type() {
		case "call":
			root = pyast.Unparen(root.ChildByField("function"))
			continue
		case "attribute":
			root = pyast.Unparen(root.ChildByField("object"))
			continue
		case "subscript":
			root = pyast.Unparen(root.ChildByField("value"))
			continue
		}
		break
	}
	if root.Type() != "identifier" {
		return false
	}
	return loopNames(l)[root.Text()]
}
