// Package celery holds the CEL family: how Celery tasks are declared,
// called, retried and bounded.
package celery

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// task is one Celery task definition.
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

// tasks finds the Celery tasks of a file: functions decorated with
// shared_task / celery.task / <anything>.task (bare or called), and run()
// methods of classes deriving from celery.Task (resolved through imports,
// or any base named Task when the file imports celery).
func tasks(p *analyzer.Pass) []task {
	var out []task
	importsCelery := false
	for _, m := range p.Imports.Modules {
		if m == "celery" || strings.HasPrefix(m, "celery.") {
			importsCelery = true
		}
	}
	pyast.Inspect(p.Root, func(n pyast.Node) bool {
		switch n.Type() {
		case "function_definition":
			for _, d := range pyast.Decorators(n) {
				callee := d
				c, isCall := pyast.AsCall(d)
				if isCall {
					callee = c.Func
				}
				if !isTaskDecorator(p, callee) {
					continue
				}
				t := task{def: n, name: pyast.DefName(n), at: d, options: map[string]pyast.Node{}}
				if isCall {
					for k, v := range c.Keywords {
						t.options[k] = v
					}
				}
				if b := t.options["bind"]; !b.IsNil() && b.Type() == "true" {
					if ps := pyast.ParamNames(n); len(ps) > 0 {
						t.bound = ps[0]
					}
				}
				out = append(out, t)
				break
			}
		case "class_definition":
			if !isTaskClass(p, n, importsCelery) {
				return true
			}
			t := task{name: pyast.DefName(n), at: n.ChildByField("name"), options: map[string]pyast.Node{}, cls: true}
			for _, s := range pyast.Statements(pyast.Body(n)) {
				if s.Type() == "expression_statement" {
					if a := s.NamedChild(0); a.Type() == "assignment" && a.ChildByField("left").Type() == "identifier" {
						t.options[a.ChildByField("left").Text()] = a.ChildByField("right")
					}
				}
				def := s
				if def.Type() == "decorated_definition" {
					def = def.ChildByField("definition")
				}
				if def.Type() == "function_definition" && pyast.DefName(def) == "run" {
					t.def = def
					if ps := pyast.ParamNames(def); len(ps) > 0 {
						t.bound = ps[0]
					}
				}
			}
			if !t.def.IsNil() {
				out = append(out, t)
			}
		}
		return true
	})
	return out
}

func isTaskDecorator(p *analyzer.Pass, callee pyast.Node) bool {
	if q, ok := p.Imports.Resolve(callee); ok {
		switch q {
		case "celery.shared_task", "celery.task", "celery.decorators.task", "celery.decorators.periodic_task",
			"celery.task.periodic_task":
			return true
		}
	}
	d := pyast.Dotted(callee)
	if d == "shared_task" || d == "periodic_task" {
		return true
	}
	return callee.Type() == "attribute" && (strings.HasSuffix(d, ".task") || strings.HasSuffix(d, ".shared_task") ||
		strings.HasSuffix(d, ".periodic_task"))
}

func isTaskClass(p *analyzer.Pass, cls pyast.Node, importsCelery bool) bool {
	for _, b := range cls.ChildByField("superclasses").NamedChildren() {
		if q, ok := p.Imports.Resolve(b); ok {
			switch q {
			case "celery.Task", "celery.app.task.Task", "celery.task.Task":
				return true
			}
		}
		if importsCelery && strings.HasSuffix(pyast.Dotted(b), ".Task") {
			return true // app.Task, celery_app.Task
		}
	}
	return false
}

// calledName returns the receiver's name for x.delay(...): "send_mail" for
// send_mail.delay, "tasks.send_mail" for tasks.send_mail.delay.
func calledName(c pyast.Call) string {
	if d := pyast.Dotted(c.Receiver()); d != "" {
		return d
	}
	return c.Receiver().Text()
}
