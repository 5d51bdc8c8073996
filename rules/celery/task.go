// Package celery holds the CEL family: how Celery tasks are declared,
// called, retried and bounded.
package celery

import (
	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic/effects"
)

// task is one Celery task definition (see effects.CeleryTask).
type task struct {
	def  pyast.Node // the function_definition (the run method of a Task subclass)
	name string     // the task's name: the function, or the class
	// at is where task-level findings point: the decorator, or the class name.
	at      pyast.Node
	options map[string]pyast.Node // decorator keywords, or Task class attributes
	bound   string                // the first parameter when bind=True (or a Task's run), else ""
	cls     bool
}

// option returns a task option value, or the zero Node.
func (t task) option(name string) pyast.Node { return t.options[name] }

// tasks finds the Celery tasks of a file with effects.TaskOf, the task
// predicate NET004 shares: decorated task functions, and run() methods of
// classes deriving from celery.Task.
func tasks(p *analyzer.Pass) []task {
	var out []task
	for _, fn := range effects.Functions(p.Root) {
		if t, ok := effects.TaskOf(p.Imports, fn); ok {
			out = append(out, task{def: t.Def, name: t.Name, at: t.At, options: t.Options, bound: t.Bound, cls: t.Class})
		}
	}
	return out
}

// calledName returns the receiver's name for x.delay(...): "send_mail" for
// send_mail.delay, "tasks.send_mail" for tasks.send_mail.delay.
func calledName(c pyast.Call) string {
	if d := pyast.Dotted(c.Receiver()); d != "" {
		return d
	}
	return c.Receiver().Text()
}
