package celery

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/analyzer/semantic/effects"
)

//go:embed timelimit.md
var timeLimitDoc string

// NoTimeLimit reports tasks that may run forever.
var NoTimeLimit = &analyzer.Rule{
	Code:       "CEL002",
	Name:       "task-without-time-limit",
	Doc:        timeLimitDoc,
	Category:   analyzer.AsyncTasks,
	Severity:   analyzer.Info,
	Confidence: analyzer.Low,
	Since:      "0.1.0",
	Stack:      project.Celery,
	Skip:       semantic.Test,
	// mayHang follows the task's calls into other files (semantic).
	Requires: []project.Analysis{semantic.Project},
	// One global limit fixes every task: the reports show one finding for
	// the run, the other tasks as its related locations.
	Habit: true,
	Run:   runNoTimeLimit,
}

// runNoTimeLimit matches tasks (see tasks) with neither time_limit nor
// soft_time_limit on the decorator or Task class, when no file of the
// project configures a global limit (project.Settings.CeleryTimeLimit: an
// assignment, attribute, keyword or dict key anywhere): one finding per
// such task, at the task, so each is judged (and suppressed) where it is
// declared. Tasks with a base= option are skipped: the base class may set
// the limit; so is the `debug_task` of Celery's project template. Only a
// task that can wait on something is reported (see mayHang): one that only
// reads and writes its own rows cannot hang a worker.
func runNoTimeLimit(p *analyzer.Pass) error {
	ts := tasks(p)
	if len(ts) == 0 || p.Project != nil && p.Project.Settings.CeleryTimeLimit() != nil {
		return nil
	}
	misnamed := misnamedLimit(p)
	for _, t := range ts {
		if effects.TimeLimited(t.options) || !t.option("base").IsNil() {
			continue
		}
		if t.name == "debug_task" {
			continue // the Celery documentation's boilerplate in celery.py
		}
		if !mayHang(p, t) {
			continue
		}
		d := analyzer.Diagnostic{
			Range:   analyzer.RangeOf(t.at),
			Message: fmt.Sprintf("task `%s` has no time limit, and no global `task_time_limit` is configured", t.name),
			Help:    fmt.Sprintf("bound it: `@shared_task(soft_time_limit=60, time_limit=90)` on `%s` (catch `SoftTimeLimitExceeded` to clean up), or set `CELERY_TASK_TIME_LIMIT`/`CELERY_TASK_SOFT_TIME_LIMIT` in settings", t.name),
		}
		if m := misnamed; m != nil {
			d.Message += fmt.Sprintf(" (`%s` is not a Celery setting name)", m.Name)
			d.Help = fmt.Sprintf("rename `%s` to `%s` so Celery applies it (with `namespace=\"CELERY\"`), or set `soft_time_limit`/`time_limit` on the task", m.Name, strings.Replace(m.Name, "CELERY_", "CELERY_TASK_", 1))
			d.Related = append(d.Related, analyzer.Related{Path: m.Path, Range: analyzer.Range{Start: m.Start, End: m.End}, Message: "not read by Celery"})
		}
		p.Report(d)
	}
	return nil
}

// blockingModules are libraries whose calls wait on another process or
// host.
var blockingModules = []string{"subprocess.", "smtplib.", "socket.", "ftplib.", "paramiko.", "imaplib.", "poplib.", "telnetlib."}

// mayHang reports a task that can wait on the outside world: its body
// makes an HTTP request, sends mail or publishes a message (effects), calls
// a library of blockingModules, or polls (a while loop that sleeps); or it makes an HTTP
// or payment-provider call through the project functions it calls
// (semantic's FuncEffects), or sends mail or publishes in one project
// function it calls directly. A task that only queries and writes rows is
// bounded by the database.
func mayHang(p *analyzer.Pass, t task) bool {
	ef := effects.Of(p.Unit)
	var sf *semantic.File
	if p.Project != nil {
		sf = semantic.Of(p.Project).File(p.Unit)
	}
	for n := range pyast.FindEachShallow(pyast.Body(t.def), "call", "while_statement") {
		if n.Type() == "while_statement" {
			if pollingLoop(p, n) {
				return true
			}
			continue
		}
		if k := ef.Classify(n).Kind; k == effects.HTTP || k == effects.Mail || k == effects.Publish {
			return true
		}
		if q, ok := p.Imports.Resolve(n.ChildByField("function")); ok {
			for _, m := range blockingModules {
				if strings.HasPrefix(q, m) {
					return true
				}
			}
		}
		if sf == nil {
			continue
		}
		g, _ := sf.Callee(n)
		if g == nil || g.File == nil || g.File.Unit == nil || g.Node.IsNil() {
			continue
		}
		gf := effects.Of(g.File.Unit)
		for c := range pyast.FindEachShallow(pyast.Body(g.Node), "call") {
			if k := gf.Classify(c).Kind; k == effects.Mail || k == effects.Publish {
				return true
			}
		}
	}
	if sf == nil {
		return false
	}
	if fn := sf.FuncOf(t.def); fn != nil {
		for _, e := range semantic.Of(p.Project).FuncEffects(fn) {
			if e.Kind == semantic.HTTPCall {
				return true
			}
		}
	}
	return false
}

// pollingLoop reports a while loop that sleeps in its body (time.sleep):
// it waits for something else to change, and may wait forever. A loop
// that works through batches of rows ends when they are done.
func pollingLoop(p *analyzer.Pass, loop pyast.Node) bool {
	for c := range pyast.FindEach(loop, "call") {
		if q, ok := p.Imports.Resolve(c.ChildByField("function")); ok && (q == "time.sleep" || q == "asyncio.sleep") {
			return true
		}
	}
	return false
}

// misnamedLimit returns the project's CELERY_TIME_LIMIT-like setting, or nil.
func misnamedLimit(p *analyzer.Pass) *project.Setting {
	if p.Project == nil {
		return nil
	}
	return p.Project.Settings.MisnamedCeleryLimit()
}
