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
		cs := creations(f, fn)
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
