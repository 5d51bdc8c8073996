package pyidiom

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// LoggerKind says which logging library a logger call belongs to; the
// message conventions differ.
type LoggerKind int

// Logger kinds.
const (
	NotLogger LoggerKind = iota
	Stdlib               // logging: lazy "%s" args
	Structlog            // structlog: a constant event plus key-value pairs
	Loguru               // loguru: lazy "{}" args
)

// LevelMethods are the logging methods that take a message; "log" takes
// the level first.
var LevelMethods = map[string]bool{
	"debug": true, "info": true, "warning": true, "warn": true, "error": true,
	"exception": true, "critical": true, "fatal": true, "log": true,
}

// conventionalNames are receiver names taken to be loggers even when the
// file does not show where they come from (imported from a settings module,
// a base class attribute...).
var conventionalNames = map[string]bool{
	"logger": true, "_logger": true, "LOGGER": true, "_LOGGER": true,
	"log": true, "_log": true, "LOG": true, "_LOG": true,
}

// Loggers knows which names of one file hold loggers.
type Loggers struct {
	im                *pyast.Imports
	assigned          map[string]LoggerKind // dotted target -> kind, from getLogger-like calls
	structlogImported bool
}

// LoggersOf returns the unit's Loggers, built once per file and shared.
func LoggersOf(u *project.Unit) *Loggers {
	return loggersOf.Get(u, nil)
}

var loggersOf = &project.FileAnalysis[*Loggers]{Name: "pyidiom.Loggers", Run: func(u *project.Unit, _ *project.Index) *Loggers {
	return NewLoggers(u.Tree.Root(), u.Imports)
}}

// NewLoggers scans a file for names bound to loggers:
// `logger = logging.getLogger(__name__)`, `self.log = structlog.get_logger()`,
// `log = logger.bind(user=u)`.
func NewLoggers(root pyast.Node, im *pyast.Imports) *Loggers {
	l := &Loggers{im: im, assigned: map[string]LoggerKind{}}
	for _, m := range im.Modules {
		if m == "structlog" || strings.HasPrefix(m, "structlog.") {
			l.structlogImported = true
		}
	}
	for n := range pyast.FindEach(root, "assignment") {
		right := n.ChildByField("right")
		if right.IsNil() {
			continue
		}
		left := pyast.Dotted(n.ChildByField("left"))
		if left == "" {
			continue
		}
		if k := l.factoryKind(right); k != NotLogger {
			l.assigned[left] = k
		}
	}
	return l
}

// factoryKind says whether expression e produces a logger, and which kind.
func (l *Loggers) factoryKind(e pyast.Node) LoggerKind {
	// Read the callee without decoding the call: this runs on every
	// assignment of a call.
	call := pyast.Unparen(e)
	if call.Type() != "call" {
		return NotLogger
	}
	fn := call.ChildByField("function")
	if q, ok := l.im.Resolve(fn); ok {
		switch q {
		case "logging.getLogger", "logging.LoggerAdapter", "logging.Logger",
			"celery.utils.log.get_task_logger", "celery.utils.log.get_logger":
			return Stdlib
		case "structlog.get_logger", "structlog.getLogger", "structlog.wrap_logger",
			"structlog.stdlib.get_logger":
			return Structlog
		}
		if strings.HasPrefix(q, "logging.") {
			return NotLogger
		}
	}
	switch string(pyast.CalleeName(call)) {
	case "getChild", "bind", "new", "opt", "patch":
		// logger.getChild("x"), log.bind(order=o): a logger of the same kind.
		var recv pyast.Node // Call.Receiver
		if fn.Type() == "attribute" {
			recv = fn.ChildByField("object")
		}
		if k, _ := l.receiverKind(recv); k != NotLogger {
			return k
		}
	}
	return NotLogger
}

// receiverKind decides whether expression r (the x in x.info(...)) is a
// logger. byName is true when only the conventional name says so.
func (l *Loggers) receiverKind(r pyast.Node) (kind LoggerKind, byName bool) {
	if r.IsNil() {
		return NotLogger, false
	}
	r = pyast.Unparen(r)
	if r.Type() == "call" {
		return l.factoryKind(r), false
	}
	d := pyast.Dotted(r)
	if d == "" {
		return NotLogger, false
	}
	if k, ok := l.assigned[d]; ok {
		return k, false
	}
	if q, ok := l.im.Resolve(r); ok {
		switch {
		case q == "logging":
			return Stdlib, false
		case q == "loguru.logger":
			return Loguru, false
		case q == "structlog" || strings.HasPrefix(q, "structlog."):
			return Structlog, false
		}
		if strings.HasPrefix(q, "logging.") {
			return NotLogger, false
		}
		if d == "logging" && strings.HasSuffix(q, ".logging") {
			// `from project.utils.log import logging`: a module-level
			// logger the project named like the module it replaces.
			return Stdlib, true
		}
	}
	last := d[strings.LastIndexByte(d, '.')+1:]
	if conventionalNames[last] || conventionalSuffix(last) {
		if l.structlogImported {
			return Structlog, true
		}
		return Stdlib, true
	}
	return NotLogger, false
}

// LogCall is a decoded call of a logging method.
type LogCall struct {
	pyast.Call
	Kind   LoggerKind
	Level  string     // the method: "info", "error", "exception", "log"...
	Msg    pyast.Node // the message argument, or the zero Node
	MsgIdx int        // its index among the positional arguments
	ByName bool       // the receiver is a logger only by its conventional name
}

// Call decodes n as a logging call, or returns ok false.
func (l *Loggers) Call(n pyast.Node) (LogCall, bool) {
	// Cheap tests first: this runs on every node of every file.
	if n.Type() != "call" {
		return LogCall{}, false
	}
	fn := n.ChildByField("function")
	if fn.Type() != "attribute" || !LevelMethods[fn.ChildByField("attribute").Text()] {
		return LogCall{}, false
	}
	c, _ := pyast.AsCall(n)
	level := c.MethodName()
	kind, byName := l.receiverKind(c.Receiver())
	if kind == NotLogger {
		return LogCall{}, false
	}
	lc := LogCall{Call: c, Kind: kind, Level: level, ByName: byName}
	lc.MsgIdx = 0
	if level == "log" {
		lc.MsgIdx = 1
	}
	if lc.MsgIdx < len(c.Positional) {
		lc.Msg = c.Positional[lc.MsgIdx]
	} else if m := c.Keyword("msg"); !m.IsNil() && kind == Stdlib {
		lc.Msg = m
		lc.MsgIdx = -1
	} else if m := c.Keyword("event"); !m.IsNil() && kind == Structlog {
		lc.Msg = m
		lc.MsgIdx = -1
	}
	return lc, true
}

// WithTraceback reports whether the call records the active exception's
// traceback: logger.exception(...), or exc_info set to anything but a
// False/None/0 literal.
func (lc LogCall) WithTraceback() bool {
	if lc.Level == "exception" {
		if v := lc.Keyword("exc_info"); !v.IsNil() && isFalsy(v) {
			return false
		}
		return true
	}
	v := lc.Keyword("exc_info")
	if v.IsNil() {
		return lc.StarKwargs // **kwargs may carry exc_info
	}
	return !isFalsy(v)
}

func isFalsy(v pyast.Node) bool {
	switch v.Type() {
	case "false", "none":
		return true
	case "integer":
		return v.Text() == "0"
	}
	return false
}

// RecordsTraceback reports whether call n hands the active exception's
// traceback to something that keeps it: a logging call with the traceback,
// sentry_sdk.capture_exception, traceback.print_exc / format_exc.
func (l *Loggers) RecordsTraceback(n pyast.Node) bool {
	if lc, ok := l.Call(n); ok {
		return lc.WithTraceback()
	}
	c, ok := pyast.AsCall(n)
	if !ok {
		return false
	}
	if q, ok := l.im.Resolve(c.Func); ok {
		switch q {
		case "traceback.print_exc", "traceback.format_exc", "traceback.print_exception",
			"traceback.format_exception", "sys.exc_info", "sys.exception":
			return true
		}
	}
	switch c.MethodName() {
	case "capture_exception", "captureException", "capture_exc":
		return true
	}
	return exceptionLevel(c)
}

// exceptionLevel reports a call of a logging helper asked for the
// "exception" level: `self._log_error(message, "exception")` (a helper named
// for logging, the level a later positional argument) or `report(msg,
// level="exception")`. Such helpers pick the logger's method by that name
// (`getattr(logger, level)(message)`), and logger.exception keeps the
// traceback.
func exceptionLevel(c pyast.Call) bool {
	isExc := func(v pyast.Node) bool {
		s, ok := pyast.StringValue(v)
		return ok && s == "exception"
	}
	for k, v := range c.EachKeyword() {
		if strings.Contains(strings.ToLower(k), "level") && isExc(v) {
			return true
		}
	}
	name := c.MethodName()
	if name == "" && c.Func.Type() == "identifier" {
		name = c.Func.Text()
	}
	if !strings.Contains(strings.ToLower(name), "log") {
		return false
	}
	for i, v := range c.Positional {
		if i > 0 && isExc(v) {
			return true
		}
	}
	return false
}

// ErrorWithoutTraceback decodes n as the call LOG002 reports: a
// `<logger>.error(...)` run by an except handler (returned), with no
// `exc_info` keyword (any value is a decision) and no `**kwargs`, in a
// handler that does not catch only expected absences or conversion errors
// and does not record the traceback through another call. ERR002 stays
// silent on a broad handler whose only fault is such a call.
func (l *Loggers) ErrorWithoutTraceback(n pyast.Node) (LogCall, Handler, bool) {
	lc, ok := l.Call(n)
	if !ok || lc.Level != "error" || lc.StarKwargs || !lc.Keyword("exc_info").IsNil() {
		return LogCall{}, Handler{}, false
	}
	h, ok := EnclosingHandler(n)
	if !ok || h.CatchesOnly("miss", "value") || l.TracedElsewhere(h) {
		return LogCall{}, Handler{}, false
	}
	return lc, h, true
}

// TracedElsewhere reports whether the handler records the traceback
// through some call: logger.exception, sentry, or a helper named for
// exceptions (log_exception(e)); an error line is then a summary, not the
// only record.
func (l *Loggers) TracedElsewhere(h Handler) bool {
	for _, c := range h.Calls() {
		if l.RecordsTraceback(c) {
			return true
		}
		call, _ := pyast.AsCall(c)
		if strings.Contains(strings.ToLower(call.MethodName()), "exception") {
			return true
		}
	}
	return false
}
