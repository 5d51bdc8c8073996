package effects

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// IsRetryDecorator reports whether a decorator retries its function:
// tenacity's @retry, backoff's @on_exception/@on_predicate, retrying's
// @retry (resolved through imports), or any decorator whose name contains
// "retry" (`@retry_on_failure`, `@with_retries`) other than a transaction's
// retry on database deadlocks. CEL003, NET004 and the checklist's
// http.retry_config signal share it.
func IsRetryDecorator(im *pyast.Imports, d pyast.Node) bool {
	if c, ok := pyast.AsCall(d); ok {
		d = c.Func
	}
	if q, ok := im.Resolve(d); ok {
		if retryLibrary(q) || strings.HasPrefix(q, "retry.") {
			return true
		}
	}
	dt := strings.ToLower(pyast.Dotted(d))
	last := dt[strings.LastIndex(dt, ".")+1:]
	if strings.Contains(last, "deadlock") || strings.Contains(last, "atomic") {
		// @atomic_with_retry_on_deadlock re-runs a transaction on a
		// database conflict, not a failed call to another service.
		return false
	}
	return strings.Contains(last, "retry") || strings.Contains(last, "retries")
}
