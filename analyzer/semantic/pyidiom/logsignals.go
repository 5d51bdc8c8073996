package pyidiom

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
	for k := range lc.Keywords {
		if k != "exc_info" && k != "stack_info" && k != "event" {
			return true
		}
	}
	return false
}
