package celery

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed resultwait.md
var resultWaitDoc string

//go:embed delayloop.md
var delayLoopDoc string

// ResultWaitInTask reports a task blocking on another task's result.
var ResultWaitInTask = &analyzer.Rule{
	Code:       "CEL006",
	Name:       "result-wait-in-task",
	Doc:        resultWaitDoc,
	Category:   analyzer.AsyncTasks,
	Severity:   analyzer.Error,
	Confidence: analyzer.High,
	Since:      "0.1.0",
	Stack:      project.Celery,
	Run:        runResultWaitInTask,
}

// DelayInLoop reports tasks queued one by one in a loop.
var DelayInLoop = &analyzer.Rule{
	Code:       "CEL007",
	Name:       "delay-in-loop",
	Doc:        delayLoopDoc,
	Category:   analyzer.AsyncTasks,
	Severity:   analyzer.Info,
	Confidence: analyzer.Medium,
	Since:      "0.1.0",
	Stack:      project.Celery,
	Run:        runDelayInLoop,
}

// asyncResultCall reports whether e produces an AsyncResult: x.delay(...),
// x.apply_async(...), AsyncResult(...), or a called group/chord/chain.
func asyncResultCall(p *analyzer.Pass, e pyast.Node) bool {
	c, ok := pyast.AsCall(pyast.Unparen(e))
	if !ok {
		return false
	}
	switch c.MethodName() {
	case "delay", "apply_async", "AsyncResult":
		return c.Func.Type() == "attribute" || c.MethodName() == "AsyncResult"
	}
	if inner, ok := pyast.AsCall(c.Func); ok {
		q, _ := p.Imports.Resolve(inner.Func)
		switch q {
		case "celery.group", "celery.chord", "celery.chain":
			return true
		}
	}
	return false
}

// runResultWaitInTask matches, inside a task body, .get()/.wait()/.join()
// on an AsyncResult: directly on x.delay(...)/apply_async(...)/
// AsyncResult(...)/group(...)(), or on a local assigned one in the task.
// Calls under `with allow_join_result():` are deliberate and skipped.
func runResultWaitInTask(p *analyzer.Pass) error {
	for _, t := range tasks(p) {
		results := map[string]bool{}
		for a := range pyast.FindEachShallow(pyast.Body(t.def), "assignment") {
			if a.ChildByField("left").Type() == "identifier" && asyncResultCall(p, a.ChildByField("right")) {
				results[a.ChildByField("left").Text()] = true
			}
		}
		for n := range pyast.FindEachShallow(pyast.Body(t.def), "call") {
			c, _ := pyast.AsCall(n)
			switch c.MethodName() {
			case "get", "wait", "join":
			default:
				continue
			}
			recv := pyast.Unparen(c.Receiver())
			if recv.IsNil() || !(asyncResultCall(p, recv) || recv.Type() == "identifier" && results[recv.Text()]) {
				continue
			}
			if underAllowJoin(n, t.def) {
				continue
			}
			p.Report(analyzer.Diagnostic{
				Range:   analyzer.RangeOf(n),
				Message: fmt.Sprintf("task `%s` blocks on another task's result with `.%s()`: workers wait on each other and can deadlock", t.name, c.MethodName()),
				Help:    "chain the work instead of waiting: `chain(first.s(x), second.s())` or a `chord(group(...), callback.s())`; or do the work inline",
			})
		}
	}
	return nil
}

func underAllowJoin(n, def pyast.Node) bool {
	for a := n.Parent(); !a.IsNil() && !a.Equal(def); a = a.Parent() {
		if a.Type() == "with_statement" {
			found := false
			pyast.Inspect(a.NamedChild(0), func(m pyast.Node) bool {
				if m.Type() == "identifier" && m.Text() == "allow_join_result" {
					found = true
				}
				return !found
			})
			if found {
				return true
			}
		}
	}
	return false
}

// runDelayInLoop matches x.delay(...)/x.apply_async(...) whose nearest
// enclosing loop (for, while, in the same function) is not over a short
// literal (three items or fewer) or a three-argument range (batches cut by
// hand). One finding per loop. It skips loops that queue one task per batch
// and apply_async calls routed per item (see deliberateLoop).
func runDelayInLoop(p *analyzer.Pass) error {
	reported := map[int32]bool{}
	var connected map[string]bool
	visit := func(n pyast.Node) bool {
		c, ok := pyast.AsCall(n)
		if !ok || c.Func.Type() != "attribute" || (c.MethodName() != "delay" && c.MethodName() != "apply_async") {
			return true
		}
		loop := enclosingLoop(n)
		if loop.IsNil() || reported[loop.ID()] || deliberateLoop(loop, c) || leavesLoop(n) || processPool(p, c.Receiver()) {
			return true
		}
		if loop.Type() == "for_statement" {
			it := pyast.Unparen(loop.ChildByField("right"))
			if it.Is("list", "tuple", "set") && it.NamedChildCount() <= 3 {
				return true
			}
			// for i in range(0, len(ids), BATCH): already chunked by hand.
			if rc, ok := pyast.AsCall(it); ok && rc.Func.Text() == "range" && len(rc.Positional) == 3 {
				return true
			}
		}
		if connected == nil {
			connected = semantic.PostSaveConnected(p.Root)
		}
		if semantic.InTaskOrReceiver(p.Imports, loop, connected) {
			// A task or a receiver fanning out one task per selected row
			// (a periodic dispatcher, a message per matching client): each
			// item its own task, with its own retries, is the design.
			return true
		}
		reported[loop.ID()] = true
		task := calledName(c)
		p.Report(analyzer.Diagnostic{
			Range:   analyzer.RangeOf(n),
			Message: fmt.Sprintf("`%s.%s` queues one message per loop iteration", task, c.MethodName()),
			Help:    fmt.Sprintf("queue them together: `group(%s.s(item) for item in items).apply_async()`, or `%s.chunks(((item,) for item in items), 100).apply_async()` for many small items", task, task),
			Related: []analyzer.Related{{Range: analyzer.Span(loop, loop.ChildByField("right")), Message: "the loop"}},
		})
		return true
	}
	for n := range pyast.FindEach(p.Root, "call") {
		if m := string(pyast.CalleeName(n)); m == "delay" || m == "apply_async" {
			visit(n)
		}
	}
	return nil
}

// processPool reports a receiver bound to a standard-library process or
// thread pool (`self.pool = multiprocessing.Pool(1)`, `with mp.Pool() as
// pool`, `ThreadPool(4)`): its apply_async hands a function to a worker
// of this process, no message to a broker.
func processPool(p *analyzer.Pass, recv pyast.Node) bool {
	recv = pyast.Unparen(recv)
	var scope pyast.Node
	var match func(l pyast.Node) bool
	switch {
	case recv.Type() == "identifier":
		scope = pyast.EnclosingFunction(recv)
		if scope.IsNil() {
			scope = p.Root
		}
		match = func(l pyast.Node) bool { return l.Type() == "identifier" && l.Text() == recv.Text() }
	case recv.Type() == "attribute" && pyast.Dotted(recv.ChildByField("object")) == "self":
		scope = pyast.EnclosingClass(recv)
		attr := recv.ChildByField("attribute").Text()
		match = func(l pyast.Node) bool {
			return l.Type() == "attribute" && l.ChildByField("attribute").Text() == attr && pyast.Dotted(l.ChildByField("object")) == "self"
		}
	default:
		return false
	}
	if scope.IsNil() {
		return false
	}
	pool := func(v pyast.Node) bool {
		c, ok := pyast.AsCall(pyast.Unparen(v))
		if !ok {
			return false
		}
		f := c.Func
		if inner, ok := pyast.AsCall(c.Receiver()); ok && c.MethodName() == "Pool" {
			f = inner.Func // multiprocessing.get_context("spawn").Pool(...)
		}
		q, _ := p.Imports.Resolve(f)
		return strings.HasPrefix(q, "multiprocessing.")
	}
	found := false
	for a := range pyast.FindEach(scope, "assignment", "with_item") {
		var l, v pyast.Node
		if a.Type() == "assignment" {
			l, v = a.ChildByField("left"), a.ChildByField("right")
		} else if val := a.ChildByField("value"); val.Type() == "as_pattern" {
			v = val.NamedChild(0)
			if t := val.ChildByField("alias"); !t.IsNil() {
				l = pyast.Unparen(t.NamedChild(0))
			}
		}
		if l.IsNil() || v.IsNil() || !match(l) {
			continue
		}
		if !pool(v) {
			return false
		}
		found = true
	}
	return found
}

// leavesLoop reports a call whose statement is followed, in the same
// block, by `break` or `return`: the loop queues one message at most (a
// search for the first matching row, then one task).
func leavesLoop(call pyast.Node) bool {
	st := call
	for !st.IsNil() && st.Parent().Type() != "block" {
		st = st.Parent()
	}
	if st.IsNil() {
		return false
	}
	for next := st.NextSibling(); !next.IsNil(); next = next.NextSibling() {
		switch next.Type() {
		case "break_statement", "return_statement":
			return true
		}
	}
	return false
}

// enclosingLoop returns the nearest for/while loop around n within its
// function, or the zero Node. Comprehensions count as loops too.
func enclosingLoop(n pyast.Node) pyast.Node {
	for a := n.Parent(); !a.IsNil(); a = a.Parent() {
		switch a.Type() {
		case "for_statement", "while_statement":
			return a
		case "function_definition", "lambda", "class_definition":
			return pyast.Node{}
		}
	}
	return pyast.Node{}
}
