package celery

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed taskoption.md
var taskOptionDoc string

// MisspeltTaskOption reports a keyword of a Celery task decorator that is
// no task option but a slip of one (`autoretry_on=` for `autoretry_for=`,
// `max_retry=` for `max_retries=`): Celery copies every keyword of the
// decorator onto the task class as a plain attribute, so the misspelt one
// is accepted without a word and configures nothing.
var MisspeltTaskOption = &analyzer.Rule{
	Code:              "CEL010",
	Name:              "misspelt-task-option",
	Doc:               taskOptionDoc,
	Category:          analyzer.AsyncTasks,
	Severity:          analyzer.Error,
	Confidence:        analyzer.High,
	Since:             "0.24.0",
	Stack:             project.Celery,
	SkipOnSyntaxError: true,
	Skip:              semantic.Migration,
	Run:               runMisspeltTaskOption,
}

// taskOptions are the keywords the task decorators of Celery 4 and 5 read:
// the Task class's attributes, and the routing options a task keeps as
// defaults for apply_async.
var taskOptions = []string{
	"name", "bind", "base", "app", "shared", "lazy", "filter", "typing", "serializer", "backend",
	"max_retries", "default_retry_delay", "autoretry_for", "dont_autoretry_for", "retry_kwargs",
	"retry_backoff", "retry_backoff_max", "retry_jitter", "rate_limit", "time_limit", "soft_time_limit",
	"ignore_result", "store_errors_even_if_ignored", "store_eager_result", "trail", "send_events",
	"track_started", "acks_late", "acks_on_failure_or_timeout", "reject_on_worker_lost", "throws",
	"expires", "priority", "resultrepr_maxsize", "request_stack", "abstract", "autoregister",
	"queue", "routing_key", "exchange", "exchange_type", "delivery_mode", "compression",
	"pydantic", "pydantic_strict", "pydantic_context", "pydantic_dump_kwargs",
}

// optionEffect says what Celery does when the option meant is missing.
var optionEffect = map[string]string{
	"autoretry_for":       "no exception retries the task: the first failure is final",
	"dont_autoretry_for":  "the exceptions it meant to exclude are retried",
	"max_retries":         "Celery's default of 3 retries stays",
	"retry_backoff":       "retries wait the fixed default delay, with no backoff",
	"retry_backoff_max":   "the backoff is capped at Celery's default of 600 seconds",
	"retry_jitter":        "the jitter stays at Celery's default",
	"retry_kwargs":        "the retries keep Celery's defaults",
	"time_limit":          "the task runs without that hard time limit",
	"soft_time_limit":     "the task runs without that soft time limit",
	"acks_late":           "the message is acknowledged before the task runs: a worker lost mid-task loses it",
	"rate_limit":          "the task is not rate limited",
	"ignore_result":       "the result is stored as configured globally",
	"default_retry_delay": "retries wait Celery's default of 180 seconds",
	"queue":               "the task goes to the default queue",
	"bind":                "the task is not bound: it gets no `self`",
}

// runMisspeltTaskOption reads the keywords of each decorated task: one
// that is no task option and points at exactly one that is (within two
// edits, or the same words but the last: `autoretry_on` for
// `autoretry_for`) is reported at the keyword. With a custom `base=`, whose
// class may read attributes of its own, the finding has medium confidence.
// Task subclasses' class attributes are not read: a subclass declares
// attributes of its own.
func runMisspeltTaskOption(p *analyzer.Pass) error {
	for _, t := range tasks(p) {
		if t.cls {
			continue
		}
		_, custom := t.options["base"]
		for key, v := range t.options {
			if slices.Contains(taskOptions, key) || strings.HasPrefix(key, "_") {
				continue
			}
			meant := meantOption(key)
			if meant == "" {
				continue
			}
			effect := optionEffect[meant]
			if effect == "" {
				effect = "the setting has no effect"
			}
			d := analyzer.Diagnostic{
				Range: analyzer.RangeOf(keywordOf(v)),
				Message: fmt.Sprintf("`%s` is not a Celery task option (`%s` is): the decorator sets it as a plain attribute of task `%s`, so %s",
					key, meant, t.name, effect),
				Help: fmt.Sprintf("rename the keyword to `%s`", meant),
			}
			if custom {
				d.Confidence = analyzer.Medium
			}
			p.Report(d)
		}
	}
	return nil
}

// keywordOf returns the keyword_argument holding a decorator value.
func keywordOf(v pyast.Node) pyast.Node {
	if k := v.Parent(); k.Type() == "keyword_argument" {
		return k
	}
	return v
}

// meantOption returns the one task option key is a slip of, or "".
func meantOption(key string) string {
	meant := ""
	for _, o := range taskOptions {
		if semantic.EditDistance(key, o) <= 2 && len(key) > 4 || sameButLastWord(key, o) {
			if meant != "" && meant != o {
				return ""
			}
			meant = o
		}
	}
	return meant
}

// sameButLastWord reports two snake_case names of two words or more
// that differ in their last word only: any last word after a stem of five
// characters or more (`autoretry_on`, `autoretry_for`), or another form of
// the same word (`max_retry`, `max_retries`).
func sameButLastWord(a, b string) bool {
	i, j := strings.LastIndexByte(a, '_'), strings.LastIndexByte(b, '_')
	if i <= 0 || j <= 0 || a[:i] != b[:j] {
		return false
	}
	if len(a[:i]) >= 5 {
		return true
	}
	la, lb := a[i+1:], b[j+1:]
	return len(la) >= 4 && len(lb) >= 4 && la[:4] == lb[:4]
}
