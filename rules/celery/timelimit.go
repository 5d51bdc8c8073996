package celery

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/semantic"
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
	Run:        runNoTimeLimit,
}

// runNoTimeLimit matches tasks (see tasks) with neither time_limit nor
// soft_time_limit on the decorator or Task class, when no file of the
// project configures a global limit (project.Settings.CeleryTimeLimit: an
// assignment, attribute, keyword or dict key anywhere), once per file at
// the first such task, the others as related locations. Tasks with a base=
// option are skipped: the base class may set the limit.
func runNoTimeLimit(p *analyzer.Pass) error {
	ts := tasks(p)
	if len(ts) == 0 || p.Project != nil && p.Project.Settings.CeleryTimeLimit() != nil {
		return nil
	}
	var open []task
	for _, t := range ts {
		if t.option("time_limit").IsNil() && t.option("soft_time_limit").IsNil() && t.option("base").IsNil() {
			open = append(open, t)
		}
	}
	if len(open) == 0 {
		return nil
	}
	// One finding per file: the absence of a global limit is one decision,
	// and a project with a hundred tasks should not get a hundred findings.
	msg := fmt.Sprintf("task `%s` has no time limit, and no global `task_time_limit` is configured", open[0].name)
	if len(open) > 1 {
		msg = fmt.Sprintf("task `%s` and %d more in this file have no time limit, and no global `task_time_limit` is configured", open[0].name, len(open)-1)
	}
	d := analyzer.Diagnostic{
		Range:   analyzer.RangeOf(open[0].at),
		Message: msg,
		Help:    "bound it: `@shared_task(soft_time_limit=60, time_limit=90)` (catch `SoftTimeLimitExceeded` to clean up), or set `CELERY_TASK_TIME_LIMIT`/`CELERY_TASK_SOFT_TIME_LIMIT` in settings",
	}
	if m := misnamedLimit(p); m != nil {
		d.Message += fmt.Sprintf(" (`%s` is not a Celery setting name)", m.Name)
		d.Help = fmt.Sprintf("rename `%s` to `%s` so Celery applies it (with `namespace=\"CELERY\"`), or set `soft_time_limit`/`time_limit` on the task", m.Name, strings.Replace(m.Name, "CELERY_", "CELERY_TASK_", 1))
		d.Related = append(d.Related, analyzer.Related{Path: m.Path, Range: analyzer.Range{Start: m.Start, End: m.End}, Message: "not read by Celery"})
	}
	for _, t := range open[1:] {
		d.Related = append(d.Related, analyzer.Related{Range: analyzer.RangeOf(t.at), Message: fmt.Sprintf("`%s` has no time limit either", t.name)})
	}
	p.Report(d)
	return nil
}

// misnamedLimit returns the project's CELERY_TIME_LIMIT-like setting, or nil.
func misnamedLimit(p *analyzer.Pass) *project.Setting {
	if p.Project == nil {
		return nil
	}
	return p.Project.Settings.MisnamedCeleryLimit()
}
