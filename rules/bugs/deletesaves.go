package bugs

import (
	_ "embed"
	"fmt"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed deletesaves.md
var deleteSavesDoc string

// DeleteSavesInstead reports a model's delete() override that saves the
// row and never deletes it.
var DeleteSavesInstead = &analyzer.Rule{
	Code:       "BUG057",
	Name:       "delete-saves-instead",
	Doc:        deleteSavesDoc,
	Category:   analyzer.Correctness,
	Severity:   analyzer.Error,
	Confidence: analyzer.High,
	Since:      "0.22.0",
	Stack:      project.Django,
	Skip:       semantic.ProductCode,
	Requires:   requires,
	Run:        runDeleteSavesInstead,
}

// runDeleteSavesInstead matches `def delete(self, ...)` in a class the
// model graph holds whose body saves the instance (`super().save(...)`,
// `super(Cls, self).save(...)`, `self.save(...)`) and calls no `delete`
// of any kind: the row is written back and stays. A soft delete (an
// attribute of self assigned in the body, `self.is_deleted = True`, or a
// method of self called besides save) is left alone, as is a delete()
// whose save is not the instance's.
func runDeleteSavesInstead(p *analyzer.Pass) error {
	f := semantic.Of(p.Project).File(p.Unit)
	if f.M.Graph == nil {
		return nil
	}
	for cls := range pyast.FindEach(p.Root, "class_definition") {
		name := cls.ChildByField("name").Text()
		if f.M.Graph.Lookup(p.Unit, name) == nil {
			continue
		}
		body := pyast.Body(cls)
		for i := range body.NamedChildCount() {
			def := body.NamedChild(i)
			if def.Type() == "decorated_definition" {
				def = def.ChildByField("definition")
			}
			if def.Type() != "function_definition" || def.ChildByField("name").Text() != "delete" {
				continue
			}
			save, ok := savesInstead(def)
			if !ok {
				continue
			}
			p.Report(analyzer.Diagnostic{
				Range: analyzer.RangeOf(save.Node),
				Message: fmt.Sprintf("`%s.delete()` saves the row (`%s`) and never deletes it: the row stays, and whatever this delete() does before the save runs again on every later delete of it",
					name, pyast.OneLine(save.Node, 50)),
				Help:    "call `super().delete(*args, **kwargs)`; for a soft delete, set the flag your queries filter on (`self.is_deleted = True`) before saving",
				Related: []analyzer.Related{{Range: analyzer.RangeOf(def.ChildByField("name")), Message: "the override"}},
			})
		}
	}
	return nil
}

// savesInstead returns the instance save a delete() body calls when it
// calls no delete and sets no attribute of self (no soft-delete flag).
func savesInstead(def pyast.Node) (pyast.Call, bool) {
	var save pyast.Call
	found := false
	for n := range pyast.FindEachShallow(pyast.Body(def), "call", "assignment", "augmented_assignment") {
		if n.Type() != "call" {
			left := pyast.Unparen(n.ChildByField("left"))
			if left.Type() == "attribute" && pyast.Unparen(left.ChildByField("object")).Text() == "self" {
				return pyast.Call{}, false
			}
			continue
		}
		c, ok := pyast.AsCall(n)
		if !ok {
			continue
		}
		method := c.MethodName()
		if method == "delete" {
			return pyast.Call{}, false
		}
		if c.Func.Type() != "attribute" {
			continue
		}
		recv := pyast.Unparen(c.Receiver())
		onSelf := recv.Type() == "identifier" && recv.Text() == "self"
		onSuper := false
		if rc, ok := pyast.AsCall(recv); ok && rc.Func.Type() == "identifier" && rc.Func.Text() == "super" {
			onSuper = true
		}
		switch {
		case method == "save" && (onSelf || onSuper):
			if !found {
				save, found = c, true
			}
		case onSelf:
			// `self.mark_deleted()`: a soft delete by another name.
			return pyast.Call{}, false
		}
	}
	return save, found
}
