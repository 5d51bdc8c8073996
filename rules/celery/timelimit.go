package celery

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
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
	Skip:       semantic.Test,
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
// the limit; so is the `debug_task` of Celery's project template.
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

// misnamedLimit returns the project's CELERY_TIME_LIMIT-like setting, or nil.
func misnamedLimit(p *analyzer.Pass) *project.Setting {
	if p.Project == nil {
		return nil
	}
	return p.Project.Settings.MisnamedCeleryLimit()
}
