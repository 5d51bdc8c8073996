package effects

import "github.com/rubric-dev/rubric/analyzer/pyast"

// TimeLimited reports task options that bound the task's run time:
// time_limit or soft_time_limit. CEL002 and the checklist's
// celery.time_limits signal read it.
func TimeLimited(options map[string]pyast.Node) bool {
	return !options["time_limit"].IsNil() || !options["soft_time_limit"].IsNil()
}

// RetryConfigured reports task options that configure retries:
// autoretry_for, retry_backoff or max_retries (the checklist's
// celery.retry_config signal).
func RetryConfigured(options map[string]pyast.Node) bool {
	return !options["autoretry_for"].IsNil() || !options["retry_backoff"].IsNil() || !options["max_retries"].IsNil()
}
