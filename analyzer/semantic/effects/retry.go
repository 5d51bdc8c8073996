package effects

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// IsRetryDecorator reports whether a decorator retries its function:
// tenacity's @retry, backoff's @on_exception/@on_predicate, retrying's
// @retry (resolved through imports), or any decorator whose name contains
// "retry" (`@retry_on_failure`, `@with_retries`). CEL003 and NET004 share it.
func IsRetryDecorator(im *pyast.Imports, d pyast.Node) bool {
	if c, ok := pyast.AsCall(d); ok {
		d = c.Func
	}
	if q, ok := im.Resolve(d); ok {
		if strings.HasPrefix(q, "tenacity.") || strings.HasPrefix(q, "backoff.") || strings.HasPrefix(q, "retrying.") || strings.HasPrefix(q, "retry.") {
			return true
		}
	}
	dt := strings.ToLower(pyast.Dotted(d))
	last := dt[strings.LastIndex(dt, ".")+1:]
	return strings.Contains(last, "retry") || strings.Contains(last, "retries")
}
