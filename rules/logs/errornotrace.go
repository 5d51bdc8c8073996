package logs

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/analyzer/semantic/pyidiom"
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
	// One habit per file: the third handler of a file that logs without
	// the traceback is the same comment as the first (session 22).
	FileHabit: true,
	Run:       runErrorWithoutTraceback,
}

// runErrorWithoutTraceback matches `<logger>.error(...)` calls executed by
// an except handler (not in a nested function) without an `exc_info`
// keyword (any value, False included, is a decision) or `**kwargs`. It
// skips handlers of expected absences and conversion errors (DoesNotExist,
// KeyError, ValueError, ValidationError...), where the traceback adds
// nothing, and handlers that record the traceback through another call
// (logger.exception, sentry, log_exception(e)). Broad and bare handlers get
// high confidence, handlers of specific exceptions low; in test code and
// unshipped tooling (semantic.Test: tests, a locustfile) every handler is
// low. Handlers that pass
// the exception on are skipped too: nothing is lost when the handler
// re-raises (any raise among its own statements), hands the exception to a
// Celery retry (`self.retry(exc=e)`), or returns it to its caller, whose
// job it then is to log it. The fix renames
// `error` to `exception` when the call is a statement directly in the
// handler body, where the active exception is certain.
func runErrorWithoutTraceback(p *analyzer.Pass) error {
	logs := pyidiom.LoggersOf(p.Unit)
	test := semantic.RolesOf(p.Unit).Any(semantic.Test)
	for n := range pyast.FindEach(p.Root, "call") {
		lc, h, ok := logs.ErrorWithoutTraceback(n)
		if !ok || passesOn(h) || raisesAfter(n, h) || failsTest(p, h) {
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
		if test {
			// Test code and unshipped tooling (a load test's locustfile):
			// the runner's report is the record, no production log.
			d.Confidence = analyzer.Low
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

// passesOn reports whether a handler hands the exception on, so that its
// traceback is not lost whatever the log line says: one of the handler's
// own statements (not one nested in a branch, which may not run) is a
// raise, a Celery retry given the exception (`self.retry(exc=e)`, which
// raises), or a return of the exception object itself (`return e`,
// `return None, e`, `return Result(error=e)`; `str(e)` loses it).
func passesOn(h pyidiom.Handler) bool {
	for st := range pyast.EachStatement(h.Body) {
		switch st.Type() {
		case "raise_statement":
			return true
		case "expression_statement":
			if c, ok := pyast.AsCall(st.NamedChild(0)); ok && c.MethodName() == "retry" && h.MentionsAlias(c.Node.ChildByField("arguments")) {
				return true
			}
		case "return_statement":
			if h.Alias != "" && returnsAlias(st.NamedChild(0), h.Alias) {
				return true
			}
		}
	}
	return false
}

// failsTest reports a handler one of whose own statements fails the test
// (`pytest.fail(...)`, `self.fail(...)`): the failure is raised while the
// caught exception is handled, so the test report shows that exception's
// traceback as its context.
func failsTest(p *analyzer.Pass, h pyidiom.Handler) bool {
	for st := range pyast.EachStatement(h.Body) {
		if st.Type() != "expression_statement" {
			continue
		}
		c, ok := pyast.AsCall(st.NamedChild(0))
		if !ok {
			continue
		}
		if q, ok := p.Imports.Resolve(c.Func); ok && q == "pytest.fail" {
			return true
		}
		if c.MethodName() == "fail" && c.Receiver().Type() == "identifier" && c.Receiver().Text() == "self" {
			return true
		}
	}
	return false
}

// raisesAfter reports a log call followed, in its own block inside the
// handler (a branch: `if still_there: logger.error(...); raise`), by a raise
// statement: on that path the exception goes on with its traceback.
func raisesAfter(call pyast.Node, h pyidiom.Handler) bool {
	stmt := call
	for p := call.Parent(); !p.IsNil() && !p.Equal(h.Body); p = p.Parent() {
		if p.Type() == "block" {
			for st := range pyast.EachStatement(p) {
				if st.StartByte() > stmt.StartByte() && st.Type() == "raise_statement" {
					return true
				}
			}
		}
		stmt = p
	}
	return false
}

// returnsAlias reports whether v hands over the exception object named
// alias: the name itself, or an element, argument or value holding it.
func returnsAlias(v pyast.Node, alias string) bool {
	v = pyast.Unparen(v)
	switch v.Type() {
	case "identifier":
		return v.Text() == alias
	case "tuple", "list", "expression_list":
		for c := range v.Named() {
			if returnsAlias(c, alias) {
				return true
			}
		}
	case "dictionary":
		for p := range v.Named() {
			if p.Type() == "pair" && returnsAlias(p.ChildByField("value"), alias) {
				return true
			}
		}
	case "call":
		// A class built around the exception (Result(error=e)) keeps it;
		// str(e), repr(e) and other functions of it do not.
		callee := pyast.Dotted(v.ChildByField("function"))
		if last := callee[strings.LastIndex(callee, ".")+1:]; last == "" || last[0] < 'A' || last[0] > 'Z' {
			return false
		}
		for a := range v.ChildByField("arguments").Named() {
			if a.Type() == "keyword_argument" {
				a = a.ChildByField("value")
			}
			if returnsAlias(a, alias) {
				return true
			}
		}
	}
	return false
}
