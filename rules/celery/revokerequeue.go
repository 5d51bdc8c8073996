package celery

import (
	_ "embed"
	"strconv"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed revokerequeue.md
var revokeRequeueDoc string

// RevokedIDRequeued reports a task queued again under the id of a task the
// same function has just revoked: every worker keeps the ids it was told
// to revoke and discards any message that carries one, so the re-queued
// task never runs.
var RevokedIDRequeued = &analyzer.Rule{
	Code:              "CEL011",
	Name:              "revoked-id-requeued",
	Doc:               revokeRequeueDoc,
	Category:          analyzer.AsyncTasks,
	Severity:          analyzer.Error,
	Confidence:        analyzer.High,
	Since:             "0.26.0",
	Stack:             project.Celery,
	SkipOnSyntaxError: true,
	Skip:              semantic.Test | semantic.Migration,
	Run:               runRevokedIDRequeued,
}

// requeueMethods queue a message that carries a `task_id=` option.
var requeueMethods = map[string]bool{"apply_async": true, "send_task": true}

// runRevokedIDRequeued matches, in one function, a revocation
// (`<app>.control.revoke(id)`, `AsyncResult(id).revoke()`, `revoke(id)`
// imported from Celery) followed by `apply_async(..., task_id=id)` or
// `send_task(..., task_id=id)` with the same id: the same expression, or a
// local bound once in the function to it and not rebound between the two
// calls. A fresh id (`uuid()`, a new local) stays silent, and so does a
// revocation after the queueing (a cancel of what was just queued).
func runRevokedIDRequeued(p *analyzer.Pass) error {
	for fn := range pyast.FindEach(p.Root, "function_definition") {
		body := pyast.Body(fn)
		var revoked []pyast.Node // the id argument of each revocation, in order
		for n := range pyast.FindEach(body, "call") {
			if pyast.EnclosingFunction(n) != fn {
				continue
			}
			c, _ := pyast.AsCall(n)
			if id := revokedID(p, c); !id.IsNil() {
				revoked = append(revoked, id)
				continue
			}
			if !requeueMethods[c.MethodName()] || c.Func.Type() != "attribute" {
				continue
			}
			tid := c.Keyword("task_id")
			if tid.IsNil() {
				continue
			}
			for _, r := range revoked {
				if r.StartByte() < n.StartByte() && sameID(fn, r, tid) {
					p.Report(analyzer.Diagnostic{
						Range: analyzer.RangeOf(n),
						Message: "the task is queued again under `" + pyast.OneLine(tid, 40) + "`, the id revoked on line " +
							lineOf(p, r) + ": workers keep revoked ids and discard any message that carries one, so the re-scheduled task never runs",
						Help:    "queue the new run under a fresh id (leave `task_id=` out, or pass `uuid()`) and store that id in place of the revoked one",
						Related: []analyzer.Related{{Range: analyzer.RangeOf(r), Message: "revoked here"}},
					})
					break
				}
			}
		}
	}
	return nil
}

// revokedID returns the id a call revokes: the first argument of
// `<x>.control.revoke(id)` or of an imported Celery `revoke(id)`, or the
// argument of `AsyncResult(id)` in `AsyncResult(id).revoke()`.
func revokedID(p *analyzer.Pass, c pyast.Call) pyast.Node {
	switch c.Func.Type() {
	case "identifier":
		if q, ok := p.Imports.Resolve(c.Func); ok && strings.HasPrefix(q, "celery.") && strings.HasSuffix(q, ".revoke") {
			return c.Arg(0, "task_id")
		}
	case "attribute":
		if c.MethodName() != "revoke" {
			return pyast.Node{}
		}
		recv := pyast.Unparen(c.Receiver())
		if recv.Type() == "attribute" && recv.ChildByField("attribute").Text() == "control" {
			return c.Arg(0, "task_id")
		}
		if rc, ok := pyast.AsCall(recv); ok && (rc.Func.Text() == "AsyncResult" || rc.MethodName() == "AsyncResult") {
			return rc.Arg(0, "id")
		}
	}
	return pyast.Node{}
}

// sameID reports whether the id revoked and the id queued are the same
// value: the same expression text, or a local name bound in fn to that
// text and not rebound between the two.
func sameID(fn, revoked, queued pyast.Node) bool {
	a, b := pyast.Unparen(revoked), pyast.Unparen(queued)
	if a.Type() == "list" && a.NamedChildCount() == 1 {
		a = a.NamedChild(0) // revoke([task_id])
	}
	if a.Text() != b.Text() {
		return false
	}
	// A name rebound between the revocation and the queueing holds a new id.
	if b.Type() != "identifier" {
		return true
	}
	name := b.Text()
	for as := range pyast.FindEach(pyast.Body(fn), "assignment", "augmented_assignment") {
		if as.StartByte() <= revoked.EndByte() || as.StartByte() >= queued.StartByte() {
			continue
		}
		for _, id := range pyast.Identifiers(as.ChildByField("left")) {
			if id == name {
				return false
			}
		}
	}
	return true
}

// lineOf is the 1-based line of n in the pass's file.
func lineOf(p *analyzer.Pass, n pyast.Node) string {
	return strconv.Itoa(p.File.Position(n.StartByte()).Line)
}
