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

// PostSaveSenders returns, for the names a file connects to post_save with
// `post_save.connect(name, sender=M)`, the dotted sender as written.
func PostSaveSenders(root pyast.Node) map[string]string {
	out := map[string]string{}
	for call := range pyast.FindEach(root, "call") {
		if string(pyast.CalleeName(call)) != "connect" {
			continue
		}
		c, _ := pyast.AsCall(call)
		if !strings.HasSuffix(pyast.Dotted(c.Receiver()), "post_save") || len(c.Positional) == 0 {
			continue
		}
		if s, ok := c.Keywords["sender"]; ok {
			out[pyast.Dotted(c.Positional[0])] = pyast.Dotted(s)
		}
	}
	return out
}

// PostSaveSender returns the sender model (dotted, as written) of a
// function connected to post_save: `@receiver(post_save, sender=M)`, or
// `post_save.connect(fn, sender=M)` in its file (connected, from
// PostSaveSenders).
func PostSaveSender(fn pyast.Node, connected map[string]string) (string, bool) {
	name := fn.ChildByField("name").Text()
	if s, ok := connected[name]; ok && s != "" {
		return s, true
	}
	for _, d := range pyast.Decorators(fn) {
		c, ok := pyast.AsCall(d)
		if !ok || !strings.HasSuffix(pyast.Dotted(c.Func), "receiver") || len(c.Positional) == 0 {
			continue
		}
		if !strings.HasSuffix(pyast.Dotted(pyast.Unparen(c.Positional[0])), "post_save") {
			continue // a list of signals, or another signal
		}
		if s, ok := c.Keywords["sender"]; ok && pyast.Dotted(s) != "" {
			return pyast.Dotted(s), true
		}
	}
	return "", false
}
