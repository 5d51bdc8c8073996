package idempotency

import (
	_ "embed"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/analyzer/semantic/effects"
)

//go:embed retriedtask.md
var retriedTaskDoc string

// RetriedTaskCreates reports retryable Celery tasks that create rows with
// no idempotency guard.
var RetriedTaskCreates = &analyzer.Rule{
	Code:       "IDM003",
	Name:       "retried-task-without-idempotency-guard",
	Doc:        retriedTaskDoc,
	Category:   analyzer.DataIntegrity,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.1.0",
	Stack:      project.Celery,
	Skip:       semantic.Test | semantic.Migration | semantic.DevData,
	Requires:   []project.Analysis{semantic.Endpoints},
	Run:        runRetriedTaskCreates,
}

// runRetriedTaskCreates matches Celery tasks that can run more than once
// (autoretry_for=, acks_late=True, or a .retry(...) call in the body) and
// whose body creates rows (objects.create, bulk_create, Model(...).save())
// with no guard (see dedupGuard) and no mention of an idempotency key. One
// finding per task, at the first creation. It skips tasks that IDM002
// judges as event handlers, tests and migrations. Payment calls in such
// tasks are IDM001's.
func runRetriedTaskCreates(p *analyzer.Pass) error {
	f := effects.Of(p.Unit)
	for _, fn := range effects.Functions(p.Root) {
		dec, ok := effects.CeleryTaskDecorator(p.Imports, fn)
		if !ok || isWebhookHandler(p, f, fn) {
			continue
		}
		why, at := retrySource(dec, fn)
		if why == "" {
			continue
		}
		var cs []effects.Effect
		for _, e := range creations(f, fn) {
			if !lookupGated(fn, e) {
				cs = append(cs, e)
			}
		}
		if len(cs) == 0 || !dedupGuard(fn).IsNil() || mentionsIdempotency(fn) {
			continue
		}
		e := cs[0]
		p.Report(analyzer.Diagnostic{
			Range:   analyzer.RangeOf(e.Callee()),
			Message: "task `" + pyast.DefName(fn) + "` can run again (" + why + ") and creates " + createdName(p, e) + " each time",
			Help:    "make the write idempotent: `get_or_create`/`update_or_create` on a natural key, a unique constraint plus `bulk_create(ignore_conflicts=True)`, or a processed-marker checked first",
			Related: []analyzer.Related{{Range: analyzer.RangeOf(at), Message: "retried here"}},
		})
	}
	return nil
}

// retrySource says why a task may be re-executed and where: the
// decorator's autoretry_for/acks_late options, or a `.retry(` call.
func retrySource(dec, fn pyast.Node) (string, pyast.Node) {
	if c, ok := pyast.AsCall(dec); ok {
		if kw := c.KeywordArg("autoretry_for"); !kw.IsNil() {
			return "`autoretry_for`", kw
		}
		if kw := c.KeywordArg("acks_late"); !kw.IsNil() && c.Keyword("acks_late").Text() != "False" {
			return "`acks_late`", kw
		}
	}
	for call := range pyast.FindEachShallow(pyast.Body(fn), "call") {
		c, _ := pyast.AsCall(call)
		if c.MethodName() == "retry" {
			r := c.Receiver().Text()
			if r == "self" || r == pyast.DefName(fn) || strings.HasSuffix(r, "task") {
				return "`" + r + ".retry()`", call
			}
		}
	}
	return "", pyast.Node{}
}

// gateMethods end a lookup whose result says whether the row is there:
// the row itself, a count, or the queryset (tested for truth).
var gateMethods = map[string]bool{"first": true, "last": true, "get": true, "count": true, "filter": true, "exclude": true}

// lookupGated reports whether the creation e runs only when a lookup of the
// model it creates found nothing: an `if` that tests that lookup (or a name
// bound to it in fn) and encloses the creation, or such an `if` before it
// whose body leaves the loop or the function (continue, break, return,
// raise). A rerun then finds the row its first run created. Only a
// creation whose model is written out (`Invoice.objects.create`,
// `Invoice(...)`) is matched against the lookup's manager.
func lookupGated(fn pyast.Node, e effects.Effect) bool {
	model := e.Model
	if model == "" {
		return false
	}
	isLookup := func(n pyast.Node) bool {
		c, ok := pyast.AsCall(pyast.Unparen(n))
		if !ok || !gateMethods[c.MethodName()] {
			return false
		}
		m, ok := chainModel(c.Func)
		return ok && m == model
	}
	names := map[string]bool{}
	for as := range pyast.FindEach(pyast.Body(fn), "assignment") {
		if l := as.ChildByField("left"); l.Type() == "identifier" && isLookup(as.ChildByField("right")) {
			names[l.Text()] = true
		}
	}
	testsLookup := func(cond pyast.Node) bool {
		found := false
		pyast.Inspect(cond, func(n pyast.Node) bool {
			if found {
				return false
			}
			if n.Type() == "identifier" && names[n.Text()] || n.Type() == "call" && isLookup(n) {
				found = true
			}
			return !found
		})
		return found
	}
	at := e.Node()
	for st := range pyast.FindEach(pyast.Body(fn), "if_statement") {
		if !testsLookup(st.ChildByField("condition")) {
			continue
		}
		if st.Contains(at) {
			return true
		}
		if st.EndByte() <= at.StartByte() && leavesLoop(st.ChildByField("consequence")) {
			return true
		}
	}
	return false
}

// chainModel walks a call chain such as `Invoice.objects.filter(x=1).first`
// down to its manager and returns the model name written before `.objects`.
func chainModel(n pyast.Node) (string, bool) {
	d, ok := semantic.ManagerChain(n)
	if !ok {
		return "", false
	}
	return d[strings.LastIndex(d, ".")+1:], d != ""
}

// leavesLoop reports whether a block's last statement leaves it:
// continue, break, return or raise.
func leavesLoop(block pyast.Node) bool {
	return pyast.LastStatement(block).Is("continue_statement", "break_statement", "return_statement", "raise_statement")
}
