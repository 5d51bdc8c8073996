package bugs

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed savenew.md
var saveSkipsNewRowsDoc string

// SaveSkipsNewRows reports a model's save() override that stores the row
// only when it already has a primary key: a new row is never inserted.
var SaveSkipsNewRows = &analyzer.Rule{
	Code:       "BUG047",
	Name:       "save-skips-new-rows",
	Doc:        saveSkipsNewRowsDoc,
	Category:   analyzer.Correctness,
	Severity:   analyzer.Error,
	Confidence: analyzer.High,
	Since:      "0.16.0",
	Stack:      project.Django,
	Skip:       semantic.Test | semantic.Migration,
	Requires:   requires,
	Run:        runSaveSkipsNewRows,
}

// runSaveSkipsNewRows matches the save() method of a model class of the
// graph whose every call of the parent save (`super().save(...)`,
// `super(Model, self).save(...)`, `models.Model.save(self, ...)`) sits in
// the body of one `if` testing that the row exists (`if self.pk:`, `if
// self.id is not None:`, `if not self._state.adding:`) with no elif or else:
// for a new row the test is false and save() returns without inserting
// anything, while its caller (objects.create, a serializer's save, the
// admin) goes on as if it had.
func runSaveSkipsNewRows(p *analyzer.Pass) error {
	sf := semantic.Of(p.Project).File(p.Unit)
	if sf == nil || p.Project == nil || p.Project.Models == nil {
		return nil
	}
	for _, fn := range sf.Funcs {
		if fn.Name != "save" || fn.Class == nil || len(fn.Params) == 0 || p.Project.Models.ByQual(fn.Class.Qual) == nil {
			continue
		}
		self := fn.Params[0]
		var calls []pyast.Node
		for call := range pyast.FindEach(pyast.Body(fn.Node), "call") {
			if parentSave(call, self) {
				calls = append(calls, call)
			}
		}
		if len(calls) == 0 {
			continue
		}
		guard := existsGuard(calls[0], fn.Node, self)
		if guard.IsNil() {
			continue
		}
		all := true
		for _, c := range calls[1:] {
			if !guard.Contains(c) {
				all = false
			}
		}
		if !all {
			continue
		}
		cond := guard.ChildByField("condition")
		p.Report(analyzer.Diagnostic{
			Range: analyzer.RangeOf(cond),
			Message: fmt.Sprintf("`%s.save()` calls the parent save only when `%s`: a new `%s` has no primary key yet, so creating one (`objects.create`, a POST, the admin's add form) stores nothing and returns as if it had",
				fn.Class.Name, pyast.OneLine(cond, 50), fn.Class.Name),
			Help:    "run the checks that need a saved row under the test, and call `super().save(*args, **kwargs)` for every row (after the test, or in an else branch)",
			Related: []analyzer.Related{{Range: analyzer.RangeOf(calls[0]), Message: "the only place the row is stored"}},
		})
	}
	return nil
}

// parentSave reports `super().save(...)`, `super(Model, self).save(...)`
// or `X.save(self, ...)` (a base class's save called with the row).
func parentSave(call pyast.Node, self string) bool {
	c, ok := pyast.AsCall(call)
	if !ok || c.MethodName() != "save" || c.Func.Type() != "attribute" {
		return false
	}
	recv := pyast.Unparen(c.Receiver())
	if r, ok := pyast.AsCall(recv); ok && pyast.Dotted(r.Func) == "super" {
		return true
	}
	return len(c.Positional) > 0 && pyast.Dotted(c.Positional[0]) == self && pyast.Dotted(recv) != self
}

// existsGuard returns the innermost `if` statement of fn enclosing call
// whose call sits in its consequence, that has no elif or else, and whose
// condition tests that the row exists: `self.pk`, `self.id`, `self.pk is
// not None`, `self.id is not None`, `not self._state.adding`. Zero when
// there is none, or when a loop, try or function lies between.
func existsGuard(call, fn pyast.Node, self string) pyast.Node {
	for n := call.Parent(); !n.IsNil() && n.StartByte() >= fn.StartByte() && !n.Equal(fn); n = n.Parent() {
		switch n.Type() {
		case "for_statement", "while_statement", "try_statement", "function_definition", "lambda":
			return pyast.Node{}
		case "if_statement":
			if !n.ChildByField("consequence").Contains(call) {
				return pyast.Node{}
			}
			for k := range n.Named() {
				if k.Type() == "elif_clause" || k.Type() == "else_clause" {
					return pyast.Node{}
				}
			}
			if testsExisting(n.ChildByField("condition"), self) {
				return n
			}
			return pyast.Node{}
		}
	}
	return pyast.Node{}
}

// testsExisting reports a condition true only for a row already stored.
func testsExisting(cond pyast.Node, self string) bool {
	cond = pyast.Unparen(cond)
	t := strings.Join(strings.Fields(cond.Text()), " ")
	for _, key := range []string{"pk", "id"} {
		a := self + "." + key
		if t == a || t == a+" is not None" || t == a+" != None" {
			return true
		}
	}
	return t == "not "+self+"._state.adding"
}
