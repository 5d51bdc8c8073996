package celery

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/analyzer/semantic/effects"
)

//go:embed sleeptask.md
var sleepTaskDoc string

// SleepInTask reports a Celery task that waits with time.sleep: the worker
// is held and runs nothing else while it sleeps.
var SleepInTask = &analyzer.Rule{
	Code:              "CEL012",
	Name:              "sleep-in-task",
	Doc:               sleepTaskDoc,
	Category:          analyzer.AsyncTasks,
	Severity:          analyzer.Warning,
	Confidence:        analyzer.Medium,
	Since:             "0.31.0",
	Stack:             project.Celery,
	SkipOnSyntaxError: true,
	Skip:              semantic.Test | semantic.Migration,
	Run:               runSleepInTask,
}

// runSleepInTask matches, in the body of a Celery task (a function under
// a task decorator, or a Task subclass's run), calls of `time.sleep`
// (imported either way): in a loop (a retry or a poll), any wait of a
// second or more, or a duration that is not a literal; outside a loop, a
// literal wait of ten seconds or more, or a computed one that is not
// drawn at random. A pause under a second (a rate limit between provider
// calls) and a short or random pause made once (an exercise's stand-in
// for a provider's latency) are left alone. One finding per task, at its
// first such sleep; a sleep in a loop that catches an exception is read
// as a retry by sleeping.
func runSleepInTask(p *analyzer.Pass) error {
	for fn := range pyast.FindEach(p.Root, "function_definition") {
		t, ok := effects.TaskOf(p.Imports, fn)
		if !ok {
			continue
		}
		for n := range pyast.FindEach(pyast.Body(fn), "call") {
			if pyast.EnclosingFunction(n) != fn {
				continue
			}
			c, _ := pyast.AsCall(n)
			if q, ok := p.Imports.Resolve(c.Func); !ok || q != "time.sleep" || len(c.Positional) == 0 {
				continue
			}
			secs, literal := literalSeconds(c.Positional[0])
			looped := inLoop(n, fn)
			switch {
			case literal && secs < 1:
				continue // a rate limit between calls
			case !looped && literal && secs < 10, !looped && randomDelay(fn, c.Positional[0]):
				// A short pause, or a random one, once: the exercise's
				// stand-in for a provider's latency, not a wait.
				continue
			}
			wait := "`" + pyast.OneLine(c.Positional[0], 30) + "` seconds"
			if literal {
				wait = strconv.FormatFloat(secs, 'f', -1, 64) + " s"
			}
			what := "waits in"
			help := "let the broker wait instead of the worker: `apply_async(countdown=...)` or `eta=` for a delay, a chain or chord callback instead of polling"
			if sleepRetries(n, fn) {
				what = "retries by sleeping in"
				help = "raise `self.retry(exc=exc, countdown=...)` (with `bind=True` and `max_retries`), or declare `autoretry_for=` with `retry_backoff=True`: the message goes back to the broker and the worker takes the next task"
			}
			p.Report(analyzer.Diagnostic{
				Range: analyzer.RangeOf(n),
				Message: fmt.Sprintf("task `%s` %s `%s`: it holds the worker for %s, during which the worker runs no other task, and a few such tasks at once stall the whole pool",
					t.Name, what, pyast.OneLine(n, 40), wait),
				Help: help,
			})
			break
		}
	}
	return nil
}

// literalSeconds reads a number literal, or a product of number literals
// (`5 * 60`).
func literalSeconds(n pyast.Node) (float64, bool) {
	n = pyast.Unparen(n)
	switch n.Type() {
	case "integer", "float":
		return project.NumberValue(n)
	case "binary_operator":
		if op := n.ChildByField("operator"); op.IsNil() || op.Type() != "*" {
			return 0, false
		}
		a, ok1 := literalSeconds(n.ChildByField("left"))
		b, ok2 := literalSeconds(n.ChildByField("right"))
		return a * b, ok1 && ok2
	}
	return 0, false
}

// randomDelay reports a duration drawn at random (`random.uniform(2, 5)`),
// written in place or bound to a local once: simulated latency.
func randomDelay(fn, d pyast.Node) bool {
	d = pyast.Unparen(d)
	if d.Type() == "identifier" {
		var bound []pyast.Node
		for a := range pyast.FindEach(pyast.Body(fn), "assignment") {
			if l := a.ChildByField("left"); l.Type() == "identifier" && l.Text() == d.Text() {
				bound = append(bound, a.ChildByField("right"))
			}
		}
		if len(bound) != 1 {
			return false
		}
		d = pyast.Unparen(bound[0])
	}
	c, ok := pyast.AsCall(d)
	return ok && strings.HasPrefix(pyast.Dotted(c.Func), "random.")
}

// sleepRetries reports a sleep inside a loop of fn whose body catches an
// exception: the task retries by waiting in place.
func sleepRetries(sleep, fn pyast.Node) bool {
	for a := sleep.Parent(); !a.IsNil() && a != fn; a = a.Parent() {
		switch a.Type() {
		case "for_statement", "while_statement":
			return len(pyast.FindAll(a, "except_clause")) > 0
		}
	}
	return false
}
