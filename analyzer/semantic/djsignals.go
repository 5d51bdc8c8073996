package semantic

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic/effects"
)

// PostSaveConnected returns the names a file connects to Django's
// post_save signal with `post_save.connect(name, ...)`.
func PostSaveConnected(root pyast.Node) map[string]bool {
	out := map[string]bool{}
	for call := range pyast.FindEach(root, "call") {
		if string(pyast.CalleeName(call)) != "connect" {
			continue
		}
		c, _ := pyast.AsCall(call)
		if strings.HasSuffix(pyast.Dotted(c.Receiver()), "post_save") && len(c.Positional) > 0 {
			out[pyast.Dotted(c.Positional[0])] = true
		}
	}
	return out
}

// InTaskOrReceiver reports whether n runs inside a Celery task
// (effects.TaskOf), another queue's task (a bare shared_task or
// periodic_task decorator from any module) or a Django signal receiver: a function decorated with
// @receiver, or one whose name is in connected (PostSaveConnected of its
// file). Nested functions count through their enclosing ones. A loop there
// that writes or queues once per selected row is a fan-out whose rows are
// the job (an invoice per due subscription, a message per matching client).
func InTaskOrReceiver(im *pyast.Imports, n pyast.Node, connected map[string]bool) bool {
	for fn := pyast.EnclosingFunction(n); !fn.IsNil(); fn = pyast.EnclosingFunction(fn) {
		if _, ok := effects.TaskOf(im, fn); ok {
			return true
		}
		for _, d := range pyast.Decorators(fn) {
			if c, ok := pyast.AsCall(d); ok {
				d = c.Func
			}
			if q, ok := im.Resolve(d); ok && q == "django.dispatch.receiver" || pyast.Dotted(d) == "receiver" {
				return true
			}
			// Another queue's task (`shared_task` or `periodic_task`
			// imported from huey or a project's own queue) runs off the
			// request too, though it is no Celery task.
			if n := pyast.Dotted(d); n == "shared_task" || n == "periodic_task" {
				return true
			}
		}
		if connected[pyast.DefName(fn)] {
			return true
		}
	}
	return false
}
