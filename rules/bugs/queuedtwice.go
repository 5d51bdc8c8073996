package bugs

import (
	_ "embed"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/analyzer/semantic/effects"
)

//go:embed queuedtwice.md
var queuedTwiceDoc string

// TaskQueuedTwiceOnCreate reports a task queued for a row just created by
// code that a post_save receiver of the row's model also queues on
// creation: every row created that way is processed twice.
var TaskQueuedTwiceOnCreate = &analyzer.Rule{
	Code:              "BUG066",
	Name:              "task-queued-twice-on-create",
	Doc:               queuedTwiceDoc,
	Category:          analyzer.Correctness,
	Severity:          analyzer.Error,
	Confidence:        analyzer.High,
	Since:             "0.25.0",
	Stack:             project.Django | project.Celery,
	SkipOnSyntaxError: true,
	Skip:              semantic.ProductCode,
	Requires:          []project.Analysis{semantic.Project, moduleUses, creationQueues},
	Run:               runTaskQueuedTwiceOnCreate,
}

// creationQueue is a post_save receiver that queues a task when a row of
// its sender is created.
type creationQueue struct {
	receiver *semantic.Func
	model    *project.Model
	call     pyast.Node // the .delay()/.apply_async() call
	path     string
	line     int
}

// creationQueues are, by task, the post_save receivers of the product code
// that queue it on creation (unconditionally, or under a test of
// `created`), in modules that run: a module Django imports by convention
// (models.py, apps.py...) or one the project imports (BUG049's reading).
var creationQueues = &project.ProjectAnalysis[map[*semantic.Func][]creationQueue]{Name: "bugs.creationQueues", Run: func(ix *project.Index) map[*semantic.Func][]creationQueue {
	out := map[*semantic.Func][]creationQueue{}
	if ix.Models == nil {
		return out
	}
	uses := moduleUses.Get(ix)
	for _, f := range semantic.Of(ix).Files() {
		if semantic.RolesOf(f.Unit).Any(semantic.Test | semantic.Migration | semantic.DevData) {
			continue
		}
		root := f.Unit.Tree.Root()
		if !strings.Contains(root.Text(), "post_save") {
			continue
		}
		if !autoImported[path.Base(f.Unit.RootRel)] && (f.Unit.Module == "" || !uses.imported(f.Unit.Module)) {
			continue
		}
		connected := semantic.PostSaveSenders(root)
		ef := effects.Of(f.Unit)
		for _, fn := range f.Funcs {
			sender, ok := semantic.PostSaveSender(fn.Node, connected)
			if !ok {
				continue
			}
			md := ix.Models.Lookup(f.Unit, sender)
			if md == nil {
				continue
			}
			for _, e := range ef.Effects(fn.Node) {
				if e.Kind != effects.Enqueue || !onCreation(fn.Node, e.Node()) {
					continue
				}
				task := queuedTask(f, e.Call)
				if task == nil {
					continue
				}
				out[task] = append(out[task], creationQueue{receiver: fn, model: md, call: e.Node(),
					path: f.Unit.File.Rel, line: f.Unit.File.Position(e.Node().StartByte()).Line})
			}
		}
	}
	return out
}}

// onCreation reports whether a call in a receiver runs when a row is
// created: every `if` around it (inside the receiver) tests `created`
// itself (`if created:`, `if created and ...:`), in its consequence.
func onCreation(fn, call pyast.Node) bool {
	for n := call.Parent(); !n.IsNil() && !n.Equal(fn); n = n.Parent() {
		switch n.Type() {
		case "if_statement":
			cons := n.ChildByField("consequence")
			if cons.IsNil() || call.StartByte() < cons.StartByte() || call.EndByte() > cons.EndByte() || !testsCreated(n.ChildByField("condition")) {
				return false
			}
		case "elif_clause", "else_clause", "conditional_expression", "for_statement", "while_statement",
			"try_statement", "except_clause", "function_definition", "lambda":
			return false
		}
	}
	return true
}

// testsCreated reports a condition that holds only for a creation:
// `created`, or `created and X`.
func testsCreated(cond pyast.Node) bool {
	cond = pyast.Unparen(cond)
	switch cond.Type() {
	case "identifier":
		return cond.Text() == "created"
	case "boolean_operator":
		return cond.ChildByField("operator").Text() == "and" &&
			(testsCreated(cond.ChildByField("left")) || testsCreated(cond.ChildByField("right")))
	}
	return false
}

// queuedTask resolves the task of `task.delay(...)` or
// `task.apply_async(...)` to its project function.
func queuedTask(f *semantic.File, c pyast.Call) *semantic.Func {
	if c.Func.Type() != "attribute" {
		return nil
	}
	switch c.MethodName() {
	case "delay", "apply_async":
	default:
		return nil
	}
	return f.FuncRef(c.Receiver())
}

// runTaskQueuedTwiceOnCreate matches, in a product function that is not
// itself a post_save receiver, `task.delay(row.id)` (or `.pk`, the row, or
// `serializer.instance.id`; `apply_async`) where the row was created
// earlier in the function by a write that sends post_save
// (`M.objects.create(...)`, `serializer.save()` or the view's
// `perform_create(serializer)` on a serializer of M, `M(...)` then
// `row.save()`), when a running post_save receiver of M queues the same
// task on creation (creationQueues). bulk_create sends no signal and is
// not read. One finding per call.
func runTaskQueuedTwiceOnCreate(p *analyzer.Pass) error {
	sf := semantic.Of(p.Project).File(p.Unit)
	if sf == nil || p.Project.Models == nil {
		return nil
	}
	queues := creationQueues.Get(p.Project)
	if len(queues) == 0 {
		return nil
	}
	connected := semantic.PostSaveSenders(p.Root)
	ef := effects.Of(p.Unit)
	for _, fn := range sf.Funcs {
		if _, ok := semantic.PostSaveSender(fn.Node, connected); ok {
			continue
		}
		for _, e := range ef.Effects(fn.Node) {
			if e.Kind != effects.Enqueue || pyast.EnclosingFunction(e.Node()).StartByte() != fn.Node.StartByte() {
				continue
			}
			task := queuedTask(sf, e.Call)
			if task == nil || len(queues[task]) == 0 {
				continue
			}
			md, created := createdRowArg(sf, fn.Node, e.Call)
			if md == nil {
				continue
			}
			for _, q := range queues[task] {
				if q.model != md || q.receiver == fn {
					continue
				}
				p.Report(analyzer.Diagnostic{
					Range: analyzer.RangeOf(e.Callee()),
					Message: fmt.Sprintf("`%s` is queued here for the `%s` just created, and the post_save receiver `%s` (%s:%d) queues it again for every new `%s`: each one is processed twice",
						task.Name, md.Name, q.receiver.Name, q.path, q.line, md.Name),
					Help: fmt.Sprintf("queue `%s` in one place: drop this call and rely on the receiver, or remove the receiver and queue it here (after the transaction commits)", task.Name),
					Related: []analyzer.Related{
						{Range: analyzer.RangeOf(created), Message: "the row is created here"},
						{Path: q.path, Range: analyzer.RangeOf(q.call), Message: "queued again by the receiver"},
					},
				})
				break
			}
		}
	}
	return nil
}

// createdRowArg returns the model of a row an argument of the queue call
// names (`row`, `row.id`, `row.pk`, `serializer.instance.id`) when fn
// created that row before the call by a write that sends post_save, with
// the creating call.
func createdRowArg(sf *semantic.File, fn pyast.Node, c pyast.Call) (*project.Model, pyast.Node) {
	args := append([]pyast.Node{}, c.Positional...)
	for _, k := range slices.Sorted(maps.Keys(c.Keywords)) {
		args = append(args, c.Keywords[k])
	}
	// apply_async(args=[row.id]) / apply_async((row.id,))
	if c.MethodName() == "apply_async" {
		var inner []pyast.Node
		for _, a := range args {
			if a = pyast.Unparen(a); a.Is("list", "tuple") {
				for x := range a.Named() {
					inner = append(inner, x)
				}
			}
		}
		args = inner
	}
	for _, a := range args {
		n := pyast.Unparen(a)
		if n.Type() == "attribute" {
			if attr := n.ChildByField("attribute").Text(); attr == "id" || attr == "pk" {
				n = pyast.Unparen(n.ChildByField("object"))
			}
		}
		if n.Type() == "attribute" && n.ChildByField("attribute").Text() == "instance" {
			// serializer.instance: the serializer saved before the call.
			ser := n.ChildByField("object")
			if ser.Type() != "identifier" {
				continue
			}
			if md := sf.SerializerSaveModel(ser); md != nil {
				if at := serializerSaved(fn, ser.Text(), c.Node); !at.IsNil() {
					return md, at
				}
			}
			continue
		}
		if n.Type() != "identifier" {
			continue
		}
		if md, at := rowCreated(sf, fn, n, c.Node); md != nil {
			return md, at
		}
	}
	return nil, pyast.Node{}
}

// serializerSaved returns the call before `before` in fn that saves the
// serializer named ser: `ser.save(...)`, or `self.perform_create(ser)`.
func serializerSaved(fn pyast.Node, ser string, before pyast.Node) pyast.Node {
	for call := range pyast.FindEachShallow(pyast.Body(fn), "call") {
		if call.StartByte() >= before.StartByte() {
			break
		}
		c, _ := pyast.AsCall(call)
		if c.Func.Type() != "attribute" {
			continue
		}
		if c.MethodName() == "save" && pyast.Dotted(c.Receiver()) == ser {
			return call
		}
		if pyast.Dotted(c.Func) == "self.perform_create" && len(c.Positional) == 1 && pyast.Dotted(c.Positional[0]) == ser {
			return call
		}
	}
	return pyast.Node{}
}

// rowCreated returns the model of a local row bound once in fn, before
// `before`, to a creating write: `M.objects.create(...)` (a queryset of M),
// `serializer.save()` of a serializer of M, or a call of the model class
// `M(...)` followed by `row.save()` before the call; with the write.
func rowCreated(sf *semantic.File, fn, id, before pyast.Node) (*project.Model, pyast.Node) {
	name := id.Text()
	if sf.BindingCount(before, name) != 1 {
		return nil, pyast.Node{}
	}
	rhs := pyast.Unparen(sf.Binding(before, name, before.StartByte()))
	if rhs.IsNil() || pyast.EnclosingFunction(rhs).StartByte() != fn.StartByte() {
		return nil, pyast.Node{}
	}
	c, ok := pyast.AsCall(rhs)
	if !ok {
		return nil, pyast.Node{}
	}
	switch {
	case c.Func.Type() == "attribute" && c.MethodName() == "create":
		if q := sf.Eval(c.Receiver()); q != nil && q.Model != nil {
			return q.Model, rhs
		}
	case c.Func.Type() == "attribute" && c.MethodName() == "save":
		if md := sf.SerializerSaveModel(c.Receiver()); md != nil {
			return md, rhs
		}
	default:
		md := sf.M.Graph.Lookup(sf.Unit, pyast.Dotted(c.Func))
		if md == nil {
			return nil, pyast.Node{}
		}
		for call := range pyast.FindEachShallow(pyast.Body(fn), "call") {
			if call.StartByte() <= rhs.EndByte() {
				continue
			}
			if call.StartByte() >= before.StartByte() {
				break
			}
			s, _ := pyast.AsCall(call)
			if s.Func.Type() == "attribute" && s.MethodName() == "save" && pyast.Dotted(s.Receiver()) == name {
				return md, call
			}
		}
	}
	return nil, pyast.Node{}
}
