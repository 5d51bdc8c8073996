// Package txn holds the TXN family: database transactions and the side
// effects (tasks, e-mail, HTTP calls, publishes) that a rollback cannot undo.
package txn

import (
	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic/effects"
)

// kindName names an effect in messages.
func kindName(k effects.Kind) string {
	switch k {
	case effects.HTTP:
		return "HTTP call"
	case effects.Enqueue:
		return "task enqueue"
	case effects.Mail:
		return "e-mail"
	case effects.Publish:
		return "message publish"
	}
	return "side effect"
}

// onCommitFix wraps a side-effect call that is a statement of its own in
// transaction.on_commit(lambda: ...). It is offered only when the name
// `transaction` is django.db.transaction in this file and the call is not in
// a loop (a lambda would see the loop variable's last value).
func onCommitFix(p *analyzer.Pass, e effects.Effect) []analyzer.Fix {
	n := e.Node()
	if n.Parent().Type() != "expression_statement" || effects.InLoop(n) {
		return nil
	}
	if q, ok := p.Imports.Lookup("transaction"); !ok || q != "django.db.transaction" {
		return nil
	}
	// A multi-line call stays valid inside the on_commit parentheses.
	text := n.Text()
	return []analyzer.Fix{{
		Message: "run it after the commit with transaction.on_commit",
		// Unsafe: the side effect no longer happens when the transaction
		// rolls back, and happens later when it commits.
		Applicability: analyzer.Unsafe,
		Edits:         []analyzer.TextEdit{{Range: analyzer.RangeOf(n), NewText: "transaction.on_commit(lambda: " + text + ")"}},
	}}
}

// writesBefore returns the DB writes in effs that end before n starts and
// lie within scope (any scope when scope is nil).
func writesBefore(effs []effects.Effect, n, scope pyast.Node) []effects.Effect {
	var out []effects.Effect
	for _, w := range effs {
		if w.Kind != effects.DBWrite || w.Node().EndByte() > n.StartByte() {
			continue
		}
		if !scope.IsNil() && !scope.Contains(w.Node()) {
			continue
		}
		out = append(out, w)
	}
	return out
}

// callerTxn answers, for the functions of one file, whether they open a
// transaction or run in a caller's (see effects.RunsInCallersTransaction).
type callerTxn struct {
	p     *analyzer.Pass
	local map[string]bool
}

// covered reports whether fn opens a transaction or runs in a caller's:
// an atomic block or decorator of its own, a project decorator whose
// wrapper opens one, an assertion that it runs in one, a call from an
// atomic block, or (a DRF view's hook) an atomic handler of its view that
// calls the library action running it.
func (c *callerTxn) covered(fn pyast.Node) bool {
	return effects.UsesAtomic(c.p.Imports, fn) || c.coveredFromOutside(fn)
}

// coveredWhole is covered without the function's own atomic blocks: a
// transaction spanning the whole body (an atomic decorator, a project
// decorator opening one, an assertion, a caller's block, a DRF handler's).
func (c *callerTxn) coveredWhole(fn pyast.Node) bool {
	return effects.HasAtomicDecorator(c.p.Imports, fn) || c.coveredFromOutside(fn)
}

// coveredFromOutside reports a transaction around fn that fn does not open
// itself: a project decorator whose wrapper opens one, an assertion that
// it runs in one, a save inside one, a DRF handler's, a caller's block.
func (c *callerTxn) coveredFromOutside(fn pyast.Node) bool {
	if wrappedInAtomic(c.p, fn) || assertsAtomic(fn) || savedInAtomic(c.p, fn) || runsInDRFAction(c.p, fn) {
		return true
	}
	if c.local == nil {
		c.local = effects.CalledInAtomic(c.p.Imports, c.p.Root)
		boundAliases(c.p.Root, c.local)
	}
	return effects.RunsInCallersTransaction(c.p.Project, c.p.Imports, fn, c.local)
}

// boundAliases adds to called the methods a local name is bound to
// (`conversion = self._convert_audit_to_honor`, in either branch of an if)
// when that name is called in an atomic block of the file: the method runs
// in that transaction.
func boundAliases(root pyast.Node, called map[string]bool) {
	for a := range pyast.FindEach(root, "assignment") {
		l, r := a.ChildByField("left"), pyast.Unparen(a.ChildByField("right"))
		if l.Type() != "identifier" || !called[l.Text()] || r.Type() != "attribute" {
			continue
		}
		if obj := r.ChildByField("object"); obj.Type() == "identifier" && (obj.Text() == "self" || obj.Text() == "cls") {
			called[r.ChildByField("attribute").Text()] = true
		}
	}
}
