// Package resilience holds the NET rules (NET004 onwards) about surviving a
// failing external service: retry policies, circuit breakers and status
// handling. NET001-003 (timeouts, TLS verification, unchecked status) live
// in the httpclient package.
package resilience

import (
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic/effects"
)

// functionRetries reports whether calls in fn's body are retried by fn
// itself: a retry decorator, or a Celery task (decorated, or a Task
// subclass's run) with autoretry_for or a .retry() call.
func functionRetries(im *pyast.Imports, fn pyast.Node) bool {
	for _, d := range pyast.Decorators(fn) {
		if effects.IsRetryDecorator(im, d) {
			return true
		}
	}
	t, ok := effects.TaskOf(im, fn)
	if !ok {
		return false
	}
	if !t.Option("autoretry_for").IsNil() {
		return true
	}
	for call := range pyast.FindEachShallow(pyast.Body(fn), "call") {
		if c, _ := pyast.AsCall(call); c.MethodName() == "retry" {
			return true
		}
	}
	return false
}

// handRolledRetry reports whether call sits in a try statement inside a
// loop of its own function: `for attempt in range(3): try: ... except: sleep`.
func handRolledRetry(call pyast.Node) bool {
	inTry := false
	for p := call.Parent(); !p.IsNil(); p = p.Parent() {
		switch p.Type() {
		case "try_statement":
			inTry = true
		case "for_statement", "while_statement":
			if inTry {
				return true
			}
		case "function_definition", "lambda", "class_definition":
			return false
		}
	}
	return false
}

// bestEffort reports whether call sits in the body of a try statement
// (of its own function) with a handler that does not raise: the author has
// decided what a failure means (`except RequestException: return 0`,
// `pass`, an error dict), so a retry is a choice, not an omission.
func bestEffort(call pyast.Node) bool {
	for c, p := call, call.Parent(); !p.IsNil(); c, p = p, p.Parent() {
		switch p.Type() {
		case "function_definition", "lambda", "class_definition":
			return false
		case "try_statement":
			if c.Field() != "body" {
				continue
			}
			for h := range p.Named() {
				if h.Type() == "except_clause" && len(pyast.FindAllShallow(h, "raise_statement")) == 0 {
					return true
				}
			}
			return false
		}
	}
	return false
}

// fileMountsRetries reports whether the file configures transport-level
// retries (effects.MountsRetries): urllib3 Retry(...), HTTPAdapter(max_retries=...)
// other than 0, httpx.HTTPTransport(retries=...).
func fileMountsRetries(im *pyast.Imports, root pyast.Node) bool {
	for n := range pyast.FindEach(root, "call") {
		if effects.MountsRetries(im, n) {
			return true
		}
	}
	return false
}

// group names where an HTTP call lives: its class, else its module.
func group(call pyast.Node) (key string, class pyast.Node) {
	if cls := pyast.EnclosingClass(call); !cls.IsNil() {
		return "class " + pyast.DefName(cls), cls
	}
	return "module", pyast.Node{}
}
