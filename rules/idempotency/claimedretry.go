package idempotency

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/analyzer/semantic/effects"
)

//go:embed claimedretry.md
var claimedRetryDoc string

// RetryBlockedByClaim reports a Celery task whose own retry can never do
// the work again: the task returns early unless a row is in a given
// state, moves the row out of that state and saves it before the work,
// then retries itself without moving it back.
var RetryBlockedByClaim = &analyzer.Rule{
	Code:       "IDM009",
	Name:       "retry-blocked-by-claim",
	Doc:        claimedRetryDoc,
	Category:   analyzer.DataIntegrity,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.26.0",
	Stack:      project.Celery,
	Skip:       semantic.Test | semantic.Migration,
	Run:        runRetryBlockedByClaim,
}

// stateGuard is `if row.field != X: return` or `if row.field not in (X,
// Y): return` in a task's body.
type stateGuard struct {
	node    pyast.Node
	row     string // `payout.status`
	allowed []string
}

// runRetryBlockedByClaim matches bound Celery tasks (bind=True, or a Task
// subclass's run) not decorated @transaction.atomic. In source order it
// looks for a guard whose branch returns unless `row.field` holds one of
// the allowed values (`!=` one value, or `not in` a tuple, list or set of
// them), then an assignment of `row.field` to a value the guard does not
// allow, then `row.save(...)`, then a call of the bound task's
// `retry(...)`, with no assignment of an allowed value to `row.field`
// between the claim and the retry and the claim not in the same atomic
// block as the retry (a retry raised inside it would roll the claim
// back). The retry re-runs the task, the guard reads the saved state and
// returns: the work is never retried. Reported at the retry. autoretry_for
// and retries from outside the task are not read.
func runRetryBlockedByClaim(p *analyzer.Pass) error {
	for _, fn := range effects.Functions(p.Root) {
		t, ok := effects.TaskOf(p.Imports, fn)
		if !ok || t.Bound == "" || project.HasAtomicDecorator(p.Imports, fn) {
			continue
		}
		body := pyast.Body(fn)
		for _, g := range stateGuards(body) {
			if d, ok := blockedRetry(p, body, t.Bound, g); ok {
				p.Report(d)
				break
			}
		}
	}
	return nil
}

// stateGuards returns the guards of a body, in source order (nested
// functions aside).
func stateGuards(body pyast.Node) []stateGuard {
	var out []stateGuard
	for st := range pyast.FindEachShallow(body, "if_statement") {
		cons := st.ChildByField("consequence")
		returns := false
		for s := range pyast.EachStatement(cons) {
			if s.Type() == "return_statement" {
				returns = true
			}
		}
		if !returns || !st.ChildByField("alternative").IsNil() {
			continue
		}
		cmp := pyast.Unparen(st.ChildByField("condition"))
		if cmp.Type() != "comparison_operator" || cmp.NamedChildCount() != 2 {
			continue
		}
		var ops []string
		for _, c := range cmp.Children() {
			if !c.IsNamed() {
				ops = append(ops, c.Text())
			}
		}
		left, right := cmp.NamedChild(0), pyast.Unparen(cmp.NamedChild(1))
		if left.Type() != "attribute" || left.ChildByField("object").Type() != "identifier" {
			continue
		}
		g := stateGuard{node: st, row: left.Text()}
		switch strings.Join(ops, " ") {
		case "!=":
			g.allowed = []string{right.Text()}
		case "not in":
			if !right.Is("tuple", "list", "set") {
				continue
			}
			for e := range right.Named() {
				g.allowed = append(g.allowed, e.Text())
			}
		default:
			continue
		}
		out = append(out, g)
	}
	return out
}

// blockedRetry finds, after guard g, the claim, its save and the retry.
func blockedRetry(p *analyzer.Pass, body pyast.Node, bound string, g stateGuard) (analyzer.Diagnostic, bool) {
	after := g.node.EndByte()
	obj := g.row[:strings.LastIndex(g.row, ".")]
	var claim, saved pyast.Node
	for n := range pyast.FindEachShallow(body, "assignment", "call") {
		if n.StartByte() < after {
			continue
		}
		switch n.Type() {
		case "assignment":
			if n.ChildByField("left").Text() != g.row {
				continue
			}
			v := n.ChildByField("right").Text()
			if slices.Contains(g.allowed, v) {
				if !saved.IsNil() {
					return analyzer.Diagnostic{}, false // put back before anything retries
				}
				continue
			}
			if claim.IsNil() {
				claim = n
			}
		case "call":
			c, _ := pyast.AsCall(n)
			switch {
			case claim.IsNil():
			case saved.IsNil():
				if c.MethodName() == "save" && pyast.Dotted(c.Receiver()) == obj {
					saved = n
				}
			case c.MethodName() == "retry" && pyast.Dotted(c.Receiver()) == bound:
				if scope := project.AtomicScope(p.Imports, claim); !scope.IsNil() && scope.StartByte() <= n.StartByte() && n.EndByte() <= scope.EndByte() {
					return analyzer.Diagnostic{}, false
				}
				line := func(x pyast.Node) int { return p.File.Position(x.StartByte()).Line }
				return analyzer.Diagnostic{
					Range: analyzer.RangeOf(n),
					Message: fmt.Sprintf("`%s` re-runs the task, whose guard (line %d) returns unless `%s` is %s, but line %d has already saved it as `%s`: the retry returns at once, the work is never retried and the row stays `%s`",
						pyast.OneLine(n, 40), line(g.node), g.row, allowedText(g.allowed), line(claim), claim.ChildByField("right").Text(), claim.ChildByField("right").Text()),
					Help: fmt.Sprintf("put the row back (`%s = %s` and save) before retrying, let the guard accept the claimed state on a retry, or retry from a task that does not claim", g.row, g.allowed[0]),
					Related: []analyzer.Related{
						{Range: analyzer.RangeOf(g.node.ChildByField("condition")), Message: "the guard the retry stops at"},
						{Range: analyzer.RangeOf(claim), Message: "the claim"},
					},
				}, true
			}
		}
	}
	return analyzer.Diagnostic{}, false
}

// allowedText renders the guard's allowed values: `X`, or one of `X`, `Y`.
func allowedText(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = "`" + v + "`"
	}
	if len(q) == 1 {
		return q[0]
	}
	return "one of " + strings.Join(q, ", ")
}
