package effects

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// MountsRetries reports whether call n configures transport-level
// retries: urllib3's Retry(...) (also through requests), HTTPAdapter with
// max_retries, or an httpx (Async)HTTPTransport with retries, other than
// 0. Only callees resolved through imports count. NET004 (a file that
// mounts retries covers its local sessions) and the checklist's
// http.retry_config signal share it.
func MountsRetries(im *pyast.Imports, n pyast.Node) bool {
	if n.Type() != "call" {
		return false
	}
	q, ok := im.Resolve(n.ChildByField("function"))
	if !ok {
		return false
	}
	last := q[strings.LastIndex(q, ".")+1:]
	switch {
	case last == "Retry" && (strings.Contains(q, "urllib3") || strings.HasPrefix(q, "requests.")):
		return true
	case last == "HTTPAdapter" || last == "HTTPTransport" || last == "AsyncHTTPTransport":
		c, _ := pyast.AsCall(n)
		for _, kw := range []string{"max_retries", "retries"} {
			if v := c.Keyword(kw); !v.IsNil() && v.Text() != "0" {
				return true
			}
		}
	}
	return false
}

// RetryLibraryCall reports a call into a retry library (tenacity,
// backoff, retrying): `Retrying(stop=...)`, `retry(wait=...)(fn)`,
// `backoff.on_exception(...)`. Decorators are judged by IsRetryDecorator.
func RetryLibraryCall(im *pyast.Imports, n pyast.Node) bool {
	if n.Type() != "call" {
		return false
	}
	q, ok := im.Resolve(n.ChildByField("function"))
	return ok && retryLibrary(q)
}

func retryLibrary(q string) bool {
	return strings.HasPrefix(q, "tenacity.") || strings.HasPrefix(q, "backoff.") || strings.HasPrefix(q, "retrying.")
}
