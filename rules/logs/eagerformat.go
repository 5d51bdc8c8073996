// Package logs holds the LOG family: how code logs (lazy messages,
// tracebacks, print used as a log).
package logs

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic/pyidiom"
)

//go:embed eagerformat.md
var eagerFormatDoc string

// EagerFormat reports log messages formatted before the call.
var EagerFormat = &analyzer.Rule{
	Code:       "LOG001",
	Name:       "eager-log-format",
	Doc:        eagerFormatDoc,
	Category:   analyzer.Observability,
	Severity:   analyzer.Info,
	Confidence: analyzer.High,
	Since:      "0.1.0",
	Habit:      true,
	Run:        runEagerFormat,
}

// runEagerFormat matches logging calls (see pyidiom.Loggers: logging.<level>,
// names bound to logging.getLogger / structlog.get_logger / loguru's
// logger, and receivers conventionally named logger/log/LOGGER) whose
// message is an f-string with interpolations, a string literal `%` some
// value, or a string literal's `.format(...)`. Messages built in a variable
// first, and string concatenation, are not examined. Loggers known only by
// their name get medium confidence.
func runEagerFormat(p *analyzer.Pass) error {
	logs := pyidiom.LoggersOf(p.Unit)
	for n := range pyast.FindEach(p.Root, "call") {
		lc, ok := logs.Call(n)
		if !ok || lc.Msg.IsNil() {
			continue
		}
		msg := pyast.Unparen(lc.Msg)
		var how string
		switch {
		case pyast.IsFString(msg):
			how = "f-string"
		case msg.Type() == "binary_operator" && msg.ChildByField("operator").Text() == "%" && isStringLit(msg.ChildByField("left")):
			how = "`%`-formatted"
		default:
			if c, ok := pyast.AsCall(msg); ok && c.MethodName() == "format" && isStringLit(c.Receiver()) {
				how = "`.format()`"
			}
		}
		if how == "" {
			continue
		}
		callee := lc.Func.Text()
		d := analyzer.Diagnostic{
			Range:   analyzer.RangeOf(msg),
			Message: fmt.Sprintf("%s message in `%s(...)`: formatted even when the level is off, and each message is a distinct string to aggregators", how, callee),
		}
		switch lc.Kind {
		case pyidiom.Structlog:
			d.Help = "log a constant event with key-value pairs: `log.info(\"account_created\", user_id=user_id)`"
		case pyidiom.Loguru:
			d.Help = "pass the values as arguments: `logger.info(\"created {}\", account_id)`"
		default:
			d.Help = "pass the values as arguments (`logger.info(\"created %s\", account_id)`), or as structured fields with `extra={...}`"
			if how == "f-string" && lc.MsgIdx >= 0 && lc.MsgIdx == len(lc.Positional)-1 {
				if text, ok := lazyArgs(msg); ok {
					d.Fixes = []analyzer.Fix{{
						Message:       "pass the interpolated values as lazy `%s` arguments",
						Applicability: analyzer.Safe, // same message, formatted only when emitted
						Edits:         []analyzer.TextEdit{{Range: analyzer.RangeOf(msg), NewText: text}},
					}}
				}
			}
		}
		if lc.ByName {
			d.Confidence = analyzer.Medium
		}
		p.Report(d)
	}
	return nil
}

func isStringLit(n pyast.Node) bool {
	n = pyast.Unparen(n)
	return (n.Type() == "string" || n.Type() == "concatenated_string") && !pyast.IsFString(n)
}

// lazyArgs rewrites an f-string with simple interpolations (names,
// attributes, subscripts, calls; no format spec, no `=`) into a %-style
// message followed by its arguments: f"sent {n} to {user.email!r}" becomes
// "sent %s to %r", n, user.email. ok is false when that is not mechanical.
func lazyArgs(s pyast.Node) (string, bool) {
	if s.Type() != "string" {
		return "", false
	}
	open, close, ok := pyast.StringQuotes(s)
	if !ok {
		return "", false
	}
	src := s.Tree().Src()
	prefix := strings.Map(func(r rune) rune {
		if r == 'f' || r == 'F' {
			return -1
		}
		return r
	}, string(src[s.StartByte():open]))
	var body strings.Builder
	var args []string
	last := open
	literal := func(to int) {
		t := string(src[last:to])
		t = strings.ReplaceAll(t, "{{", "{")
		t = strings.ReplaceAll(t, "}}", "}")
		body.WriteString(strings.ReplaceAll(t, "%", "%%"))
	}
	for _, k := range s.Children() {
		if k.Type() != "interpolation" {
			continue
		}
		literal(k.StartByte())
		verb := "%s"
		var expr pyast.Node
		for _, c := range k.Children() {
			switch c.Type() {
			case "{", "}":
			case "type_conversion":
				switch c.Text() {
				case "!r":
					verb = "%r"
				case "!a":
					verb = "%a"
				}
			default:
				if c.Field() != "expression" || !expr.IsNil() {
					return "", false // format spec, "=", comments...
				}
				expr = c
			}
		}
		if expr.IsNil() || !expr.Is("identifier", "attribute", "subscript", "call") || strings.ContainsAny(expr.Text(), "\n") {
			return "", false
		}
		body.WriteString(verb)
		args = append(args, expr.Text())
		last = k.EndByte()
	}
	literal(close)
	return prefix + body.String() + string(src[close:s.EndByte()]) + ", " + strings.Join(args, ", "), true
}
