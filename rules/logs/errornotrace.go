package logs

import (
	_ "embed"
	"fmt"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/rules/internal/pyidiom"
)

//go:embed errornotrace.md
var errorNoTraceDoc string

// ErrorWithoutTraceback reports logger.error(...) in except blocks without
// the traceback.
var ErrorWithoutTraceback = &analyzer.Rule{
	Code:       "LOG002",
	Name:       "error-log-without-traceback",
	Doc:        errorNoTraceDoc,
	Category:   analyzer.Observability,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.1.0",
	Run:        runErrorWithoutTraceback,
}

// runErrorWithoutTraceback matches `<logger>.error(...)` calls executed by
// an except handler (not in a nested function) without an `exc_info`
// keyword (any value, False included, is a decision) or `**kwargs`. It
// skips handlers of expected absences and conversion errors (DoesNotExist,
// KeyError, ValueError, ValidationError...), where the traceback adds
// nothing, and handlers that record the traceback through another call
// (logger.exception, sentry, log_exception(e)). Broad and bare handlers get
// high confidence, handlers of specific exceptions low. The fix renames
// `error` to `exception` when the call is a statement directly in the
// handler body, where the active exception is certain.
func runErrorWithoutTraceback(p *analyzer.Pass) error {
	logs := pyidiom.LoggersOf(p.Unit)
	for _, n := range pyast.FindAll(p.Root, "call") {
		lc, h, ok := logs.ErrorWithoutTraceback(n)
		if !ok {
			continue
		}
		name := lc.Func.ChildByField("attribute")
		d := analyzer.Diagnostic{
			Range:   analyzer.Span(lc.Func, lc.Node.ChildByField("arguments")),
			Message: fmt.Sprintf("`%s(...)` inside `except` logs the message without the traceback", lc.Func.Text()),
			Help:    fmt.Sprintf("use `%s.exception(...)`, or pass `exc_info=True`", lc.Receiver().Text()),
		}
		// A specific exception already says what failed, and is often an
		// expected outcome (a rejected request, an invalid condition) whose
		// message is the record: the missing traceback matters most when
		// the handler catches everything.
		d.Confidence = analyzer.Low
		if h.Bare() || h.BroadName(p.Imports) != "" {
			d.Confidence = analyzer.High
		}
		if stmt := n.Parent(); stmt.Type() == "expression_statement" && stmt.Parent().Equal(h.Body) {
			d.Fixes = []analyzer.Fix{{
				Message:       "log with `.exception(...)`",
				Applicability: analyzer.Safe, // adds the traceback, nothing else
				Edits:         []analyzer.TextEdit{{Range: analyzer.RangeOf(name), NewText: "exception"}},
			}}
		}
		p.Report(d)
	}
	return nil
}
