package bugs

import (
	_ "embed"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/analyzer/semantic/effects"
)

//go:embed boundtask.md
var boundTaskDoc string

// TaskBindingMismatch reports a Celery task function whose parameters
// disagree with `bind`: bound (bind=True) but taking no positional
// parameter, so every run is a TypeError; or unbound but written as a
// bound task (first parameter `self`, read as the task: `self.retry`,
// `self.request`), so the caller's first argument arrives as `self`.
var TaskBindingMismatch = &analyzer.Rule{
	Code:       "BUG062",
	Name:       "task-binding-mismatch",
	Doc:        boundTaskDoc,
	Category:   analyzer.Correctness,
	Severity:   analyzer.Error,
	Confidence: analyzer.High,
	Since:      "0.24.0",
	Stack:      project.Celery,
	Skip:       semantic.Test | semantic.Migration,
	Run:        runTaskBindingMismatch,
}

// boundTaskAttrs are the attributes of the task instance a bound task reads
// through its first parameter.
var boundTaskAttrs = map[string]bool{"retry": true, "request": true, "update_state": true, "max_retries": true,
	"apply_async": true, "delay": true, "name": true, "replace": true, "backend": true, "app": true,
	"default_retry_delay": true, "send_event": true, "subtask": true, "signature": true, "s": true, "si": true}

// runTaskBindingMismatch reads each function that TaskOf recognises as a
// decorated Celery task (Task subclasses' run methods are left alone: a
// method's self is the instance either way). With `bind=True` written
// literally, Celery calls the function with the task instance first: a
// function with no positional parameter and no *args cannot take it, and
// every run raises TypeError before the first line of the body. Without
// `bind` (or with bind=False), a module-level function whose first
// parameter is `self` and whose body reads `self.retry`, `self.request` or
// another task attribute receives the caller's first argument as `self`:
// the attribute read fails (or the arguments are off by one) on every run.
func runTaskBindingMismatch(p *analyzer.Pass) error {
	for fn := range pyast.FindEach(p.Root, "function_definition") {
		t, ok := effects.TaskOf(p.Imports, fn)
		if !ok || t.Class {
			continue
		}
		bind := t.Option("bind")
		switch {
		case bind.Type() == "true":
			if takesPositional(fn) {
				continue
			}
			p.Report(analyzer.Diagnostic{
				Range: analyzer.RangeOf(fn.ChildByField("parameters")),
				Message: "task `" + t.Name + "` is declared with `bind=True`, so Celery passes the task instance as its first argument, " +
					"but `" + t.Name + "` takes no positional parameter: every run raises TypeError before the body starts",
				Help:    "add the task parameter (`def " + t.Name + "(self, ...)`) or drop `bind=True`",
				Related: []analyzer.Related{{Range: analyzer.RangeOf(bind), Message: "bound here"}},
			})
		case bind.IsNil() || bind.Type() == "false":
			if pyast.EnclosingClass(fn).IsNil() {
				if ps := pyast.ParamNames(fn); len(ps) > 0 && ps[0] == "self" {
					if use := taskAttrOfSelf(fn); !use.IsNil() {
						p.Report(analyzer.Diagnostic{
							Range: analyzer.RangeOf(use),
							Message: "task `" + t.Name + "` reads `" + use.Text() + "` as if `self` were the task, but it is not bound (no `bind=True`): " +
								"Celery passes the caller's first argument as `self`, so this fails on every run",
							Help:    "declare the task with `bind=True`",
							Related: []analyzer.Related{{Range: analyzer.RangeOf(t.At), Message: "declared here"}},
						})
					}
				}
			}
		}
	}
	return nil
}

// takesPositional reports whether fn accepts at least one positional
// argument: a parameter before any `*` or keyword-only marker, or *args.
func takesPositional(fn pyast.Node) bool {
	for prm := range fn.ChildByField("parameters").Named() {
		switch prm.Type() {
		case "identifier", "typed_parameter", "default_parameter", "typed_default_parameter":
			if prm.Type() == "typed_parameter" && prm.NamedChild(0).Type() == "dictionary_splat_pattern" {
				return false
			}
			if prm.Type() == "typed_parameter" && prm.NamedChild(0).Type() == "list_splat_pattern" {
				return true
			}
			return true
		case "list_splat_pattern":
			return true
		case "keyword_separator", "dictionary_splat_pattern":
			return false
		}
	}
	return false
}

// taskAttrOfSelf returns the first `self.<task attribute>` read in fn's own
// body, or the zero Node.
func taskAttrOfSelf(fn pyast.Node) pyast.Node {
	var out pyast.Node
	pyast.Inspect(pyast.Body(fn), func(n pyast.Node) bool {
		if !out.IsNil() || n.Is("function_definition", "class_definition", "lambda") {
			return false
		}
		if n.Type() == "attribute" && n.ChildByField("object").Type() == "identifier" &&
			n.ChildByField("object").Text() == "self" && boundTaskAttrs[n.ChildByField("attribute").Text()] {
			out = n
			return false
		}
		return true
	})
	return out
}
