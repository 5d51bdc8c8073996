package celery

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/analyzer/semantic/effects"
	"github.com/rubric-dev/rubric/rules/internal/paths"
)

//go:embed noretry.md
var noRetryDoc string

//go:embed backoff.md
var backoffDoc string

//go:embed unbounded.md
var unboundedDoc string

// ExternalCallNoRetry reports tasks calling HTTP services with no retry policy.
var ExternalCallNoRetry = &analyzer.Rule{
	Code:       "CEL003",
	Name:       "task-external-call-without-retry",
	Doc:        noRetryDoc,
	Category:   analyzer.AsyncTasks,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.1.0",
	Stack:      project.Celery,
	Skip:       semantic.Test,
	Requires:   []project.Analysis{semantic.Project}, // helpers one call deep
	Run:        runExternalCallNoRetry,
}

// RetryWithoutBackoff reports retries at a fixed delay.
var RetryWithoutBackoff = &analyzer.Rule{
	Code:       "CEL004",
	Name:       "retry-without-backoff",
	Doc:        backoffDoc,
	Category:   analyzer.AsyncTasks,
	Severity:   analyzer.Info,
	Confidence: analyzer.Medium,
	Since:      "0.1.0",
	Stack:      project.Celery,
	Run:        runRetryWithoutBackoff,
}

// UnboundedRetries reports retries with max_retries=None.
var UnboundedRetries = &analyzer.Rule{
	Code:       "CEL005",
	Name:       "unbounded-task-retries",
	Doc:        unboundedDoc,
	Category:   analyzer.AsyncTasks,
	Severity:   analyzer.Warning,
	Confidence: analyzer.High,
	Since:      "0.1.0",
	Stack:      project.Celery,
	Run:        runUnboundedRetries,
}

// httpCall returns the qualified name when c calls requests/httpx/urlopen.
func httpCall(p *analyzer.Pass, c pyast.Call) string {
	return qualifiedHTTP(p.Imports, c)
}

// qualifiedHTTP is httpCall with the imports of c's own file.
func qualifiedHTTP(im *pyast.Imports, c pyast.Call) string {
	q, ok := im.Resolve(c.Func)
	if !ok {
		return ""
	}
	for _, pre := range []string{"requests.", "httpx."} {
		if strings.HasPrefix(q, pre) {
			switch strings.TrimPrefix(q, pre) {
			case "get", "post", "put", "patch", "delete", "head", "options", "request":
				return q
			}
		}
	}
	if q == "urllib.request.urlopen" {
		return q
	}
	return ""
}

// retryCalls returns the x.retry(...) calls in a task body, where x is the
// bound task parameter or the task's own name.
func retryCalls(t task) []pyast.Call {
	var out []pyast.Call
	for n := range pyast.FindEachShallow(pyast.Body(t.def), "call") {
		c, _ := pyast.AsCall(n)
		if c.MethodName() != "retry" {
			continue
		}
		recv := pyast.Dotted(c.Receiver())
		if recv != "" && (recv == t.bound || recv == t.name || recv == "self") {
			out = append(out, c)
		}
	}
	return out
}

// retriesViaHelper reports a bound task that hands itself to a project
// function which calls retry() on it (`_retry_order(self, exc, ...)` whose
// body raises `self.retry(exc=exc, countdown=...)`): the task retries,
// through the helper.
func retriesViaHelper(p *analyzer.Pass, t task) bool {
	if t.bound == "" {
		return false
	}
	f := semantic.Of(p.Project).File(p.Unit)
	if f == nil {
		return false
	}
	for n := range pyast.FindEachShallow(pyast.Body(t.def), "call") {
		c, _ := pyast.AsCall(n)
		for i, a := range c.Positional {
			if pyast.Unparen(a).Type() != "identifier" || a.Text() != t.bound {
				continue
			}
			g, _ := f.Callee(n)
			if g == nil || i >= len(g.Params) {
				continue
			}
			param := g.Params[i]
			if g.Class != nil && !g.Static && len(g.Params) > i+1 {
				param = g.Params[i+1] // a method: self comes first
			}
			for r := range pyast.FindEach(pyast.Body(g.Node), "call") {
				rc, _ := pyast.AsCall(r)
				if rc.MethodName() == "retry" && pyast.Dotted(rc.Receiver()) == param {
					return true
				}
			}
		}
	}
	return false
}

// requeuesItself reports a task whose body queues the task itself again
// (`send_messages.apply_async((mailing_id, left), countdown=3600)`,
// `self.apply_async(...)` when bound, `send.s(...).apply_async()`,
// `send.delay(...)`): the work it could not finish is tried again by a
// later run, a retry written by hand. Whether it backs off or ever ends is
// not judged here (CEL004 and the unbounded-retry rules read retry()).
func requeuesItself(t task) bool {
	for n := range pyast.FindEach(pyast.Body(t.def), "call") {
		c, _ := pyast.AsCall(n)
		switch c.MethodName() {
		case "apply_async", "delay", "apply", "retry":
		default:
			continue
		}
		recv := pyast.Unparen(c.Receiver())
		if rc, ok := pyast.AsCall(recv); ok && (rc.MethodName() == "s" || rc.MethodName() == "si" || rc.MethodName() == "signature") {
			recv = pyast.Unparen(rc.Receiver())
		}
		if name := pyast.Dotted(recv); name != "" && (name == t.name || t.bound != "" && name == t.bound) {
			return true
		}
	}
	return false
}

// hasRetryDecorator reports whether the task function also carries a
// retry decorator (tenacity, backoff, retrying, or one named for retries:
// effects.IsRetryDecorator, which NET004 uses too).
func hasRetryDecorator(p *analyzer.Pass, t task) bool {
	for _, d := range pyast.Decorators(t.def) {
		if effects.IsRetryDecorator(p.Imports, d) {
			return true
		}
	}
	return false
}

// runExternalCallNoRetry matches tasks whose body calls requests/httpx
// (module-level functions) or urlopen, with no autoretry_for on the task,
// no self.retry()/task.retry() in the body, no tenacity/backoff
// decorator, and no re-queueing of the task by itself (requeuesItself). One finding per task, at the first call. Calls through a
// session or client object are not seen.
func runExternalCallNoRetry(p *analyzer.Pass) error {
	for _, t := range tasks(p) {
		if !t.option("autoretry_for").IsNil() || len(retryCalls(t)) > 0 || hasRetryDecorator(p, t) || retriesViaHelper(p, t) || requeuesItself(t) {
			continue
		}
		for n := range pyast.FindEachShallow(pyast.Body(t.def), "call") {
			c, _ := pyast.AsCall(n)
			q := httpCall(p, c)
			via := ""
			if q == "" && !inTry(n, t.def) {
				q, via = helperHTTPCall(p, n)
			}
			if q == "" {
				continue
			}
			if retryLoop(n, t.def) {
				break
			}
			msg := fmt.Sprintf("task `%s` calls `%s` but never retries: one network blip loses the work", t.name, q)
			if via != "" {
				msg = fmt.Sprintf("task `%s` calls `%s` through `%s` but never retries: one network blip loses the work", t.name, q, via)
			}
			p.Report(analyzer.Diagnostic{
				Range:   analyzer.RangeOf(n),
				Message: msg,
				Help:    "retry transient failures with backoff: `@shared_task(autoretry_for=(requests.ConnectionError, requests.Timeout), retry_backoff=True, retry_jitter=True, max_retries=5)`",
			})
			break
		}
	}
	return nil
}

// helperHTTPCall returns the module-level requests/httpx function (or
// urlopen) that call reaches through one project function, and that
// function's name: `request_bank()` in a task, where `def request_bank():
// return requests.post(url).json()` lives in utils.py. The helper must make
// the request in its own body, outside any try (a helper that catches the
// failure decides what it means), with no retry decorator and not in a
// retry loop of its own.
func helperHTTPCall(p *analyzer.Pass, call pyast.Node) (string, string) {
	sf := semantic.Of(p.Project).File(p.Unit)
	if sf == nil {
		return "", ""
	}
	fn, _ := sf.Callee(call)
	if fn == nil || fn.File == nil || fn.File.Unit == nil || fn.Node.IsNil() || fn.Class != nil {
		return "", ""
	}
	im := fn.File.Unit.Imports
	if im == nil {
		return "", ""
	}
	for _, d := range pyast.Decorators(fn.Node) {
		if effects.IsRetryDecorator(im, d) {
			return "", ""
		}
	}
	for n := range pyast.FindEachShallow(pyast.Body(fn.Node), "call") {
		c, _ := pyast.AsCall(n)
		q := qualifiedHTTP(im, c)
		if q == "" {
			continue
		}
		if inTry(n, fn.Node) || inLoop(n, fn.Node) {
			return "", ""
		}
		return q, fn.Name
	}
	return "", ""
}

// inLoop reports a node inside a for or while loop of def: a helper
// fetching item after item is a batch routine (a periodic sync) whose
// next run picks up where a failure stopped, not one call to retry.
func inLoop(n, def pyast.Node) bool {
	for n = n.Parent(); !n.IsNil() && !n.Equal(def); n = n.Parent() {
		switch n.Type() {
		case "for_statement", "while_statement":
			return true
		}
	}
	return false
}

// inTry reports a node inside the body of a try statement of def.
func inTry(n, def pyast.Node) bool {
	for ; !n.IsNil() && !n.Equal(def); n = n.Parent() {
		if p := n.Parent(); p.Type() == "try_statement" && n.Equal(p.ChildByField("body")) {
			return true
		}
	}
	return false
}

// retryLoop reports a call made in the body of a try statement that sits
// in a while loop, or a for loop over range(), of def: a retry loop written
// by hand (whether it stops and backs off is not judged here).
func retryLoop(call, def pyast.Node) bool {
	inTry := false
	for n := call; !n.IsNil() && !n.Equal(def); n = n.Parent() {
		p := n.Parent()
		switch p.Type() {
		case "try_statement":
			if n.Equal(p.ChildByField("body")) {
				inTry = true
			}
		case "while_statement":
			if inTry {
				return true
			}
		case "for_statement":
			// Attempts are counted with range(); a loop over work items
			// that catches each item's failure does not retry it.
			if inTry && string(pyast.CalleeName(p.ChildByField("right"))) == "range" {
				return true
			}
		case "function_definition", "lambda":
			return false
		}
	}
	return false
}

// runRetryWithoutBackoff matches self.retry(...) calls without countdown= or
// eta=, and autoretry_for without retry_backoff; both wait the fixed
// default_retry_delay (180 s unless set) between every attempt.
func runRetryWithoutBackoff(p *analyzer.Pass) error {
	if paths.IsTest(paths.Rel(p)) {
		return nil
	}
	for _, t := range tasks(p) {
		delay := "the fixed `default_retry_delay` (180 s)"
		if d := t.option("default_retry_delay"); !d.IsNil() {
			delay = fmt.Sprintf("the fixed `default_retry_delay=%s`", d.Text())
		}
		for _, c := range retryCalls(t) {
			if !c.Keyword("countdown").IsNil() || !c.Keyword("eta").IsNil() || c.StarKwargs {
				continue
			}
			why := ""
			if !t.option("retry_backoff").IsNil() {
				// Celery applies retry_backoff in the autoretry wrapper only.
				why = " (`retry_backoff` spaces only the retries `autoretry_for` makes)"
			}
			p.Report(analyzer.Diagnostic{
				Range:   analyzer.RangeOf(c.Node),
				Message: fmt.Sprintf("`%s` without `countdown`: every attempt waits %s, with no backoff%s", c.Func.Text(), delay, why),
				Help:    fmt.Sprintf("grow the delay with each attempt: `%s(exc=exc, countdown=min(2 ** %s.request.retries * 10, 600))`", c.Func.Text(), pyast.Dotted(c.Receiver())),
			})
		}
		if a := t.option("autoretry_for"); !a.IsNil() && t.option("retry_backoff").IsNil() && !starOptions(t) {
			auto := delay
			if cd := retryKwarg(t, "countdown"); !cd.IsNil() {
				// autoretry_for passes retry_kwargs to retry(): its countdown wins.
				auto = fmt.Sprintf("the fixed `countdown=%s` of `retry_kwargs`", cd.Text())
			}
			p.Report(analyzer.Diagnostic{
				Range:   analyzer.RangeOf(a.Parent()),
				Message: fmt.Sprintf("task `%s` retries automatically at %s, with no backoff", t.name, auto),
				Help:    "add `retry_backoff=True, retry_jitter=True` (and `retry_backoff_max`) so retries spread out while the service recovers",
			})
		}
	}
	return nil
}

// retryKwarg returns the value of key in the task's retry_kwargs
// dictionary (`retry_kwargs={"max_retries": 3, "countdown": 5}`), or nil.
func retryKwarg(t task, key string) pyast.Node {
	if rk := t.option("retry_kwargs"); rk.Type() == "dictionary" {
		for pair := range rk.Named() {
			if k, _ := pyast.StringValue(pair.ChildByField("key")); k == key {
				return pair.ChildByField("value")
			}
		}
	}
	return pyast.Node{}
}

// starOptions reports a task decorator given `**options`: a shared dict
// of retry settings (`**API_TASK_RETRY_OPTIONS`) may hold retry_backoff.
func starOptions(t task) bool {
	c, ok := pyast.AsCall(t.at)
	return ok && c.StarKwargs
}

// runUnboundedRetries matches max_retries=None on the task decorator, in
// retry_kwargs, as a Task class attribute, or passed to self.retry().
// Celery's default (3) is bounded and not reported.
func runUnboundedRetries(p *analyzer.Pass) error {
	if paths.IsTest(paths.Rel(p)) {
		return nil
	}
	report := func(n pyast.Node, name string) {
		p.Report(analyzer.Diagnostic{
			Range:   analyzer.RangeOf(n),
			Message: fmt.Sprintf("task `%s` retries forever (`max_retries=None`)", name),
			Help:    "bound the retries (`max_retries=5`) and handle the final failure: log it, mark the record failed, alert",
		})
	}
	for _, t := range tasks(p) {
		if m := t.option("max_retries"); !m.IsNil() && m.Type() == "none" {
			report(m.Parent(), t.name) // the keyword argument, or the class attribute assignment
		}
		if rk := t.option("retry_kwargs"); rk.Type() == "dictionary" {
			for pair := range rk.Named() {
				if k, _ := pyast.StringValue(pair.ChildByField("key")); k == "max_retries" && pair.ChildByField("value").Type() == "none" {
					report(pair, t.name)
				}
			}
		}
		for _, c := range retryCalls(t) {
			if m := c.Keyword("max_retries"); !m.IsNil() && m.Type() == "none" {
				report(c.KeywordArg("max_retries"), t.name)
			}
		}
	}
	return nil
}
