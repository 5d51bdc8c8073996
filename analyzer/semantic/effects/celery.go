package effects

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// CeleryTask is one Celery task definition, as TaskOf finds it.
type CeleryTask struct {
	// Def is the function_definition whose body runs as the task: the
	// decorated function, or the run method of a celery.Task subclass.
	Def pyast.Node
	// Name is the task's name: the function's, or the class's.
	Name string
	// At is where task-level findings point: the decorator, or the class name.
	At pyast.Node
	// Decorator is the task decorator expression (a call when it has
	// options); the zero Node for a Task subclass.
	Decorator pyast.Node
	// Options are the decorator's keywords, or the Task subclass's
	// class-level assignments (autoretry_for = (...), max_retries = 5).
	Options map[string]pyast.Node
	// Bound is the first parameter when bind=True (or of a Task's run),
	// else "".
	Bound string
	// Class is true for a Task subclass's run method.
	Class bool
}

// Option returns a task option value, or the zero Node.
func (t CeleryTask) Option(name string) pyast.Node { return t.Options[name] }

// TaskOf reports whether fn's body runs as a Celery task, and describes the
// task: a function decorated with shared_task / celery.task /
// periodic_task / <anything>.task (bare or called), or the run method
// defined directly in a class deriving from celery.Task (resolved through
// imports, or any base named <x>.Task when the file imports celery). It is
// the one task predicate of the rule families (CEL, NET, IDM, TXN).
func TaskOf(im *pyast.Imports, fn pyast.Node) (CeleryTask, bool) {
	if fn.IsNil() || fn.Type() != "function_definition" {
		return CeleryTask{}, false
	}
	for _, d := range pyast.Decorators(fn) {
		callee := d
		c, isCall := pyast.AsCall(d)
		if isCall {
			callee = c.Func
		}
		if !IsTaskDecorator(im, callee) {
			continue
		}
		t := CeleryTask{Def: fn, Name: pyast.DefName(fn), At: d, Decorator: d, Options: map[string]pyast.Node{}}
		if isCall {
			for k, v := range c.EachKeyword() {
				t.Options[k] = v
			}
		}
		if b := t.Options["bind"]; !b.IsNil() && b.Type() == "true" {
			if ps := pyast.ParamNames(fn); len(ps) > 0 {
				t.Bound = ps[0]
			}
		}
		return t, true
	}
	if pyast.DefName(fn) != "run" {
		return CeleryTask{}, false
	}
	cls := fn.Parent()
	if cls.Type() == "decorated_definition" {
		cls = cls.Parent()
	}
	if cls.Type() == "block" {
		cls = cls.Parent()
	}
	if cls.Type() != "class_definition" || !IsTaskClass(im, cls) {
		return CeleryTask{}, false
	}
	t := CeleryTask{Def: fn, Name: pyast.DefName(cls), At: cls.ChildByField("name"), Options: map[string]pyast.Node{}, Class: true}
	for s := range pyast.EachStatement(pyast.Body(cls)) {
		if s.Type() == "expression_statement" {
			if a := s.NamedChild(0); a.Type() == "assignment" && a.ChildByField("left").Type() == "identifier" {
				t.Options[a.ChildByField("left").Text()] = a.ChildByField("right")
			}
		}
	}
	if ps := pyast.ParamNames(fn); len(ps) > 0 {
		t.Bound = ps[0]
	}
	return t, true
}

// IsTaskDecorator reports whether a decorator's callee declares a Celery
// task: celery.shared_task, celery.task, celery.decorators.task,
// periodic_task (resolved through imports), bare shared_task or
// periodic_task (unless imported from a module other than Celery's), or an attribute ending in .task, .shared_task or
// .periodic_task (@app.task, @celery_app.task). A bare `task` imported from
// elsewhere (invoke's @task) is not one.
func IsTaskDecorator(im *pyast.Imports, callee pyast.Node) bool {
	if q, ok := im.Resolve(callee); ok && strings.HasPrefix(q, "celery.") &&
		(q == "celery.shared_task" || strings.HasSuffix(q, ".task") || strings.HasSuffix(q, ".periodic_task")) {
		return true
	}
	d := pyast.Dotted(callee)
	if d == "shared_task" || d == "periodic_task" {
		// Imported from another task queue (huey's periodic_task, a
		// project's own queue, whose
		// shared_task writes a row a foreman runs): no Celery task, and
		// Celery's options and settings do not apply.
		if q, ok := im.Resolve(callee); ok && q != "celery" && !strings.HasPrefix(q, "celery.") {
			return false
		}
		return true
	}
	return callee.Type() == "attribute" && (strings.HasSuffix(d, ".task") || strings.HasSuffix(d, ".shared_task") ||
		strings.HasSuffix(d, ".periodic_task"))
}

// IsTaskClass reports whether a class derives from celery.Task: a base
// resolving to celery.Task (celery.app.task.Task, celery.task.Task), or a
// base named <x>.Task (app.Task, celery_app.Task) in a file importing celery.
func IsTaskClass(im *pyast.Imports, cls pyast.Node) bool {
	importsCelery := -1
	for b := range cls.ChildByField("superclasses").Named() {
		if q, ok := im.Resolve(b); ok {
			switch q {
			case "celery.Task", "celery.app.task.Task", "celery.task.Task":
				return true
			}
		}
		if !strings.HasSuffix(pyast.Dotted(b), ".Task") {
			continue
		}
		if importsCelery < 0 {
			importsCelery = 0
			for _, m := range im.Modules {
				if m == "celery" || strings.HasPrefix(m, "celery.") {
					importsCelery = 1
				}
			}
		}
		if importsCelery == 1 {
			return true
		}
	}
	return false
}
