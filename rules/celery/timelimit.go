package celery

import (
	_ "embed"
	"fmt"

	"github.com/rubric-dev/rubric/analyzer"
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
	Run:        runNoTimeLimit,
}

// runNoTimeLimit matches tasks (see tasks) with neither time_limit nor
// soft_time_limit on the decorator or Task class, when no file of the
// project configures a global limit (see celeryFactsOf). Tasks with a
// base= option are skipped: the base class may set the limit.
func runNoTimeLimit(p *analyzer.Pass) error {
	if isTestPath(relPath(p)) {
		return nil
	}
	ts := tasks(p)
	if len(ts) == 0 || celeryFactsOf(p.Project).timeLimit {
		return nil
	}
	for _, t := range ts {
		if !t.option("time_limit").IsNil() || !t.option("soft_time_limit").IsNil() || !t.option("base").IsNil() {
			continue
		}
		p.Report(analyzer.Diagnostic{
			Range:   analyzer.RangeOf(t.at),
			Message: fmt.Sprintf("task `%s` has no time limit, and no global `task_time_limit` is configured", t.name),
			Help:    "bound it: `@shared_task(soft_time_limit=60, time_limit=90)` (catch `SoftTimeLimitExceeded` to clean up), or set `CELERY_TASK_TIME_LIMIT`/`CELERY_TASK_SOFT_TIME_LIMIT` in settings",
		})
	}
	return nil
}
