package pyidiom

import "strings"

// StructlogImported reports whether the file imports structlog: its
// loggers take key-value pairs, which is structured logging.
func (l *Loggers) StructlogImported() bool { return l.structlogImported }

// Structured reports whether the call passes structured fields: `extra=`
// on a standard library logger, or key-value pairs on a structlog logger
// (`log.info("paid", order_id=o.id)`).
func (lc LogCall) Structured() bool {
	if !lc.Keyword("extra").IsNil() {
		return true
	}
	if lc.Kind != Structlog {
		return false
	}
	for k := range lc.EachKeyword() {
		if k != "exc_info" && k != "stack_info" && k != "event" {
			return true
		}
	}
	return false
}

// conventionalSuffix reports a name that ends like a logger's
// (`task_logger`, `auditLogger`, `payment_log`): loggers imported from
// another module (`from social_core.utils import social_logger`) or set
// on a base class are known by their names.
func conventionalSuffix(name string) bool {
	low := strings.ToLower(name)
	return strings.HasSuffix(low, "logger") || strings.HasSuffix(low, "_log")
}
