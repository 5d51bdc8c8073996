package resilience

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

// NoRetryPolicy reports classes and modules calling external services with
// no retry policy.
var NoRetryPolicy = &analyzer.Rule{
	Code:       "NET004",
	Name:       "no-retry-policy",
	Doc:        noRetryDoc,
	Category:   analyzer.Resilience,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.1.0",
	Skip:       semantic.Test,
	Requires:   []project.Analysis{semantic.Endpoints},
	Run:        runNoRetryPolicy,
}

// maxRelated bounds the related locations listed with one finding.
const maxRelated = 5

// runNoRetryPolicy matches HTTP calls through requests/httpx module
// functions or sessions built in this file that nothing retries: no retry
// decorator (tenacity, backoff, *retry*) on the function, no Celery
// autoretry_for/.retry(), no try-in-a-loop around the call, and, for local
// sessions, no Retry/HTTPAdapter(max_retries)/HTTPTransport(retries) in the
// file. Calls are grouped by class (else module) and reported once per
// group, at the first call. It skips calls on sessions merely named so
// (`self.session` injected from elsewhere, whose configuration is unknown),
// best-effort calls (in a try whose handler falls back instead of
// raising), requests to the project's own routes at a loopback host (the
// app calling itself: semantic.OwnRoute), module-function calls in a Celery task's own body (CEL003 reports them
// with the task-level remedy, autoretry_for), and tests. Groups calling a payment or provider API (by
// class, path or URL words) get medium confidence, the others low; a low
// group whose every call is a requests call without a timeout is left to
// NET001, which reports each.
func runNoRetryPolicy(p *analyzer.Pass) error {
	f := effects.Of(p.Unit)
	mounts := -1
	type grp struct {
		name  string
		calls []effects.Effect
	}
	var order []string
	groups := map[string]*grp{}
	for _, fn := range effects.Functions(p.Root) {
		retried := -1
		task := effects.IsCeleryTask(p.Imports, fn)
		for _, e := range f.Effects(fn) {
			if e.Kind != effects.HTTP || e.Origin == effects.NamedSession || handRolledRetry(e.Node()) || bestEffort(e.Node()) {
				continue
			}
			if task && taskCallSeenByCEL003(e) {
				continue
			}
			// The app calling its own API at localhost: no external
			// service to retry.
			if semantic.OwnRoute(p.Project, effects.URLArg(e)) != nil {
				continue
			}
			if retried < 0 {
				retried = 0
				if functionRetries(p.Imports, fn) {
					retried = 1
				}
			}
			if retried == 1 {
				continue
			}
			if e.Origin == effects.LocalSession {
				if mounts < 0 {
					mounts = 0
					if fileMountsRetries(p.Imports, p.Root) {
						mounts = 1
					}
				}
				if mounts == 1 {
					continue
				}
			}
			key, cls := group(e.Node())
			g := groups[key]
			if g == nil {
				name := "this module"
				if !cls.IsNil() {
					name = "`" + pyast.DefName(cls) + "`"
				}
				g = &grp{name: name}
				groups[key] = g
				order = append(order, key)
			}
			g.calls = append(g.calls, e)
		}
	}
	for _, key := range order {
		g := groups[key]
		first := g.calls[0]
		var rel []analyzer.Related
		for _, e := range g.calls[1:] {
			if len(rel) == maxRelated {
				break
			}
			rel = append(rel, analyzer.Related{Range: analyzer.RangeOf(e.Callee()), Message: "also not retried: `" + e.Name + "`"})
		}
		more := ""
		if n := len(g.calls); n > 1 {
			more = fmt.Sprintf(" (%d calls)", n)
		}
		// Payment and provider calls are where a retry policy (with an
		// idempotency key) is expected. Elsewhere a retry is often unwanted
		// (an OAuth code or captcha token is single-use; a user waits on a
		// best-effort lookup): the finding is a question, at low confidence.
		conf := analyzer.Low
		if effects.PaymentWord(g.name) != "" || effects.PaymentWord(paths.Rel(p)) != "" {
			conf = analyzer.Medium
		}
		for _, e := range g.calls {
			if effects.PaymentURL(effects.URLArg(e)) != "" {
				conf = analyzer.Medium
			}
		}
		if conf == analyzer.Low && allWithoutTimeout(g.calls) {
			// NET001 reports each of these calls: for a call that is no
			// payment or provider call, the missing timeout is the
			// comment a reviewer makes, and a retry a question after it.
			continue
		}
		p.Report(analyzer.Diagnostic{
			Confidence: conf,
			Range:      analyzer.RangeOf(first.Callee()),
			Message:    g.name + " calls external services with no retry policy: `" + first.Name + "`" + more,
			Help:       "mount `HTTPAdapter(max_retries=Retry(total=3, backoff_factor=0.5, status_forcelist=(429, 502, 503, 504)))` on a session the class receives, or decorate the call with tenacity `@retry(stop=stop_after_attempt(3), wait=wait_exponential())`; retry POSTs only with an idempotency key",
			Related:    rel,
		})
	}
	return nil
}

// allWithoutTimeout reports whether every call is a requests call with
// no timeout (effects.TimeoutOf), the calls NET001 reports.
func allWithoutTimeout(calls []effects.Effect) bool {
	for _, e := range calls {
		c, ok := pyast.AsCall(e.Node())
		if !ok || e.Lib != "requests" || effects.TimeoutOf(c) != effects.NoTimeout {
			return false
		}
	}
	return true
}

// taskCallSeenByCEL003 reports whether an HTTP call in a Celery task's body
// is one CEL003 reports when the task has no retry policy: a requests/httpx
// module function (get, post, ..., request) or urlopen. NET004 leaves those
// to CEL003, whose remedy (`autoretry_for` with backoff) fits a task better
// than a session adapter; calls through sessions stay here, CEL003 does
// not see them.
func taskCallSeenByCEL003(e effects.Effect) bool {
	if e.Origin != effects.ModuleFunc {
		return false
	}
	if e.Lib == "urllib" {
		return true
	}
	switch strings.TrimPrefix(e.Name, e.Lib+".") {
	case "get", "post", "put", "patch", "delete", "head", "options", "request":
		return true
	}
	return false
}
