package txn

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/analyzer/semantic/effects"
)

//go:embed rejectafterwrite.md
var rejectAfterWriteDoc string

// RejectAfterWrite reports a ValidationError raised after rows were
// written, with no transaction to undo them: the request is refused and
// its writes stay.
var RejectAfterWrite = &analyzer.Rule{
	Code:       "TXN008",
	Name:       "validation-error-after-write",
	Doc:        rejectAfterWriteDoc,
	Category:   analyzer.Correctness,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.3.0",
	Stack:      project.Django,
	Skip:       semantic.ProductCode,
	// The caller check resolves project decorators (wrappedInAtomic):
	// the semantic model.
	Requires: []project.Analysis{semantic.Project},
	Run:      runRejectAfterWrite,
}

// runRejectAfterWrite matches, in each function, a `raise ...ValidationError`
// that runs after a database write of the same function whenever it runs:
// the write's innermost block also holds the raise (not a loop body or a
// branch the raise is outside of), and no delete comes between them (a
// compensation). Raises inside an except clause translate the failure of
// a later step, whose partial state may be meant ("deactivated, delete
// later"), and are left alone. Functions under transaction.atomic (block, decorator,
// an atomic caller in this file or by name in the project) and views
// under ATOMIC_REQUESTS are skipped. One finding per function, at the
// write, for the first such raise (the raise is a related location).
func runRejectAfterWrite(p *analyzer.Pass) error {
	f := effects.Of(p.Unit)
	txc := &callerTxn{p: p}
	for _, fn := range effects.Functions(p.Root) {
		var writes []effects.Effect
		for _, e := range f.Effects(fn) {
			if e.Kind == effects.DBWrite {
				writes = append(writes, e)
			}
		}
		if len(writes) == 0 {
			continue
		}
		for r := range pyast.FindEach(pyast.Body(fn), "raise_statement") {
			if !effects.EnclosingFunction(r).Equal(fn) || !raisesValidationError(r) || !pyast.Ancestor(r, "except_clause").IsNil() && fn.Contains(pyast.Ancestor(r, "except_clause")) {
				continue
			}
			w, ok := writeAlwaysBefore(writes, r, fn)
			if !ok {
				continue
			}
			if effects.InRequestTransaction(p.Project, p.Imports, fn) || txc.covered(fn) || !effects.AtomicScope(p.Imports, r).IsNil() {
				break
			}
			p.Report(analyzer.Diagnostic{
				Range: analyzer.RangeOf(w.Callee()),
				Message: fmt.Sprintf("`%s(...)` writes before `%s` (line %d) can refuse the request, with no transaction: the request fails but the rows written stay",
					w.Name, pyast.OneLine(r.NamedChild(0), 60), p.File.Position(r.StartByte()).Line),
				Help:    "validate before writing, or wrap the writes and the check in `with transaction.atomic():` so the error rolls them back",
				Related: []analyzer.Related{{Range: analyzer.RangeOf(r), Message: "the error raised after the write"}},
			})
			break
		}
	}
	return nil
}

// raisesValidationError reports `raise X(...)` or `raise X` where X's
// last name ends in ValidationError.
func raisesValidationError(r pyast.Node) bool {
	e := r.NamedChild(0)
	if c, ok := pyast.AsCall(e); ok {
		e = c.Func
	}
	d := pyast.Dotted(e)
	return d != "" && strings.HasSuffix(d, "ValidationError")
}

// writeAlwaysBefore returns the first write that ends before r and runs
// whenever r runs (its innermost block holds r), with no delete between
// it and r. Deletes are not candidates: removing rows before refusing is
// a cleanup.
func writeAlwaysBefore(writes []effects.Effect, r, fn pyast.Node) (effects.Effect, bool) {
	for i, w := range writes {
		n := w.Node()
		if n.EndByte() > r.StartByte() || strings.Contains(w.Verb, "get_or_create") || strings.Contains(w.Verb, "update_or_create") || strings.Contains(w.Verb, "delete") {
			continue
		}
		blk := pyast.Ancestor(n, "block")
		if blk.IsNil() || !fn.Contains(blk) || !blk.Contains(r) {
			continue
		}
		if refusedOnCount(n, r, fn) {
			continue
		}
		undone := false
		for _, later := range writes[i+1:] {
			if later.Node().StartByte() < r.StartByte() && strings.Contains(later.Verb, "delete") {
				undone = true
			}
		}
		if !undone {
			return w, true
		}
	}
	return effects.Effect{}, false
}

// refusedOnCount reports a write whose returned count decides the raise
// (`updated = Q.filter(state=PENDING, pk=pk).update(state=DONE)`, then
// `if updated != 1: raise ValidationError`): a compare-and-set refuses
// exactly when its update matched no row, so nothing stays written.
func refusedOnCount(w, r, fn pyast.Node) bool {
	asg := pyast.Ancestor(w, "assignment")
	if asg.IsNil() || !fn.Contains(asg) || asg.ChildByField("left").Type() != "identifier" {
		return false
	}
	right := pyast.Unparen(asg.ChildByField("right"))
	c, ok := pyast.AsCall(right)
	if !ok || c.MethodName() != "update" || !right.Contains(w) {
		return false
	}
	name := asg.ChildByField("left").Text()
	for ifs := pyast.Ancestor(r, "if_statement"); !ifs.IsNil() && fn.Contains(ifs); ifs = pyast.Ancestor(ifs, "if_statement") {
		if !ifs.ChildByField("consequence").Contains(r) {
			continue
		}
		for id := range pyast.FindEach(ifs.ChildByField("condition"), "identifier") {
			if id.Text() == name {
				return true
			}
		}
	}
	return false
}
