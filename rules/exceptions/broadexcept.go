package exceptions

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/analyzer/semantic/pyidiom"
	"github.com/rubric-dev/rubric/rules/internal/paths"
)

//go:embed broadexcept.md
var broadExceptDoc string

// BroadExcept reports `except Exception` / `except BaseException` handlers
// that hide what went wrong.
var BroadExcept = &analyzer.Rule{
	Code:       "ERR002",
	Name:       "broad-except",
	Doc:        broadExceptDoc,
	Category:   analyzer.ErrorHandling,
	Severity:   analyzer.Warning,
	Confidence: analyzer.High,
	Since:      "0.1.0",
	// Seed, demo and fixture loaders (seed_*.py, populate_*.py, a load_*
	// or fixture command) catch everything by design: a loader skips a bad
	// row and goes on, and it is not the service's code. Other management
	// commands and scripts are still read (at low confidence when they
	// print the error for their operator).
	Skip: semantic.DevData,
	Run:  runBroadExcept,
}

// runBroadExcept matches handlers catching Exception or BaseException (alone
// or in a tuple) that either (a) neither re-raise (any raise statement) nor
// record the traceback (logger.exception, exc_info, sentry, traceback), nor
// end the test or process (pytest.fail, sys.exit, an assert), nor keep the caught
// exception (`error = e`, `errors.append(e)`) or hand it to a function named
// like a reporter (`report_error(ctx, e)`), or
// (b) catch the generic Exception their own try body raises, unless the
// handler ends by raising another exception chained `from` the caught one. A call of a
// function of the module whose body ends in a raise counts as a re-raise. It skips
// handlers whose body only passes or only returns None (ERR003 and ERR006
// say more), handlers whose only record is a `logger.error(...)` without
// the traceback (LOG002 reports that call, and its fix settles both),
// bare excepts (ERR001) and except* groups.
func runBroadExcept(p *analyzer.Pass) error {
	logs := pyidiom.LoggersOf(p.Unit)
	test := paths.IsTest(paths.Rel(p))
	check := func(n pyast.Node) bool {
		h := pyidiom.DecodeHandler(n)
		broad := h.BroadName(p.Imports)
		if broad == "" || h.Star || h.OnlyTrivial() || onlyReturnsNone(h) {
			return true
		}
		if test && h.UsesAlias() {
			return true // a test catching what it provoked to inspect it
		}
		at := analyzer.Span(h.Keyword, h.Type)
		if len(h.Raises()) == 0 && len(pyast.FindAllShallow(h.Body, "assert_statement")) == 0 {
			logged, handed, errorLogged := false, false, false
			for _, c := range h.Calls() {
				if logs.RecordsTraceback(c) || ends(p, c) || alwaysRaises(p.Root, c) || handlerError(c) {
					return true
				}
				if _, ok := logs.Call(c); ok {
					logged = true
					if _, at, ok := logs.ErrorWithoutTraceback(c); ok && at.Clause.Equal(h.Clause) {
						errorLogged = true
					}
				} else if passesAliasToReporter(h, c) {
					handed = true
				}
			}
			if handed || errorLogged || keepsAlias(h) {
				return true // LOG002 reports the error line; its fix keeps the traceback and settles this too
			}
			d := analyzer.Diagnostic{
				Range:   at,
				Message: fmt.Sprintf("`except %s` catches every error and neither re-raises nor logs the traceback", broad),
				Help:    "catch the exceptions this block expects (e.g. `requests.RequestException`), or log with `logger.exception(...)` and re-raise",
			}
			if logged {
				d.Message = fmt.Sprintf("`except %s` catches every error and logs it without the traceback", broad)
				d.Help = "catch the exceptions this block expects, or use `logger.exception(...)` so the traceback is kept"
				d.Confidence = analyzer.Medium
			} else if h.UsesAlias() {
				d.Confidence = analyzer.Medium
			}
			if !logged && (showsUser(h) || answersClientError(h) || recordsAlias(h)) || commandOutput(p, h) {
				// The error is shown to whoever asked (a flash message, a form
				// error, a command's stderr): a deliberate handling that only
				// loses the traceback.
				d.Confidence = analyzer.Low
			}
			if test {
				d.Confidence = analyzer.Low // test code is not shipped
			}
			p.Report(d)
			return true
		}
		if r := ownGenericRaise(p, h); !r.IsNil() && !convertsAll(h) && !reraisesUnlessSilent(h) {
			line := p.File.Position(r.StartByte()).Line
			p.Report(analyzer.Diagnostic{
				Range:      at,
				Message:    fmt.Sprintf("`except %s` also catches the generic exception its own `try` raises on line %d", broad, line),
				Help:       "raise a specific exception, and catch only the errors this block can handle (e.g. `except requests.RequestException:` around the call)",
				Confidence: analyzer.Medium,
				Related:    []analyzer.Related{{Range: analyzer.RangeOf(r), Message: "raised here and caught by the handler below"}},
			})
		}
		return true
	}
	for n := range pyast.FindEach(p.Root, "except_clause") {
		check(n)
	}
	return nil
}

// ends reports whether call c ends the test or the process: pytest.fail,
// self.fail, sys.exit, os._exit.
func ends(p *analyzer.Pass, c pyast.Node) bool {
	call, _ := pyast.AsCall(c)
	if q, ok := p.Imports.Resolve(call.Func); ok {
		switch q {
		case "pytest.fail", "pytest.skip", "pytest.xfail", "sys.exit", "os._exit", "os.abort":
			return true
		}
	}
	return pyast.Dotted(call.Func) == "self.fail"
}

// userSinks are calls that show a message to the user who made the
// request or ran the command.
var userSinks = map[string]bool{"messages.error": true, "messages.warning": true, "messages.add_message": true,
	"self.message_user": true, "self.stderr.write": true, "self.stdout.write": true, "form.add_error": true,
	"self.add_error": true}

// handlerError reports `self.handleError(record)`: a logging handler's
// emit() failing hands the error to the logging module, which prints the
// traceback (the documented pattern of logging.Handler subclasses).
func handlerError(c pyast.Node) bool {
	call, ok := pyast.AsCall(c)
	return ok && pyast.Dotted(call.Func) == "self.handleError"
}

// showsUser reports a handler that hands the caught exception to a user
// sink: `messages.error(request, f"... {e}")`, `self.stderr.write(str(e))`,
// or returns it to its caller (`return ExecutionResult(errors=[e])`, an
// error response naming it).
func showsUser(h pyidiom.Handler) bool {
	for r := range pyast.FindEachShallow(h.Body, "return_statement") {
		if v := r.NamedChild(0); !v.IsNil() && h.MentionsAlias(v) {
			return true
		}
	}
	for _, c := range h.Calls() {
		call, ok := pyast.AsCall(c)
		if ok && userSinks[pyast.Dotted(call.Func)] && h.MentionsAlias(c.ChildByField("arguments")) {
			return true
		}
	}
	return false
}

// answersClientError reports a handler that returns a 4xx answer, after a
// try that neither writes nor calls out (reading and checking the request:
// `data = request.get_json(); source = data["source"]`, `validate_email(x)`): a
// Flask-style `return "", 400`, a response built with a 4xx status
// (`Response(..., status=400)`, `status=status.HTTP_400_BAD_REQUEST`) or a
// Django 4xx response class (`HttpResponseBadRequest()`). The client is
// told its request failed: a deliberate handling that only loses the
// traceback.
func answersClientError(h pyidiom.Handler) bool {
	if try := h.Clause.Parent(); try.Type() != "try_statement" || writesOrCalls(try.ChildByField("body")) {
		// A try that writes or calls out may fail on the server's side:
		// answering that with a 4xx hides a server error.
		return false
	}
	for r := range pyast.FindEachShallow(h.Body, "return_statement") {
		v := pyast.Unparen(r.NamedChild(0))
		if v.IsNil() {
			continue
		}
		if v.Type() == "expression_list" || v.Type() == "tuple" {
			items := v.NamedChildren()
			if len(items) >= 2 && clientStatus(items[len(items)-1]) {
				return true
			}
			continue
		}
		c, ok := pyast.AsCall(v)
		if !ok {
			continue
		}
		name := pyast.Dotted(c.Func)
		switch name[strings.LastIndex(name, ".")+1:] {
		case "HttpResponseBadRequest", "HttpResponseForbidden", "HttpResponseNotFound", "HttpResponseNotAllowed", "HttpResponseGone":
			return true
		}
		for _, k := range []string{"status", "status_code"} {
			if a := c.Keyword(k); !a.IsNil() && clientStatus(a) {
				return true
			}
		}
	}
	return false
}

// sideEffects name calls that write or reach another system.
var sideEffects = map[string]bool{"save": true, "update": true, "delete": true, "create": true, "bulk_create": true,
	"bulk_update": true, "update_or_create": true, "get_or_create": true, "execute": true, "send": true, "post": true,
	"put": true, "patch": true, "request": true, "urlopen": true, "apply_async": true, "delay": true, "send_mail": true}

// writesOrCalls reports a block calling something in sideEffects.
func writesOrCalls(block pyast.Node) bool {
	for c := range pyast.FindEach(block, "call") {
		if sideEffects[string(pyast.CalleeName(c))] {
			return true
		}
	}
	return false
}

// clientStatus reports a 4xx status: an integer literal or DRF's
// `status.HTTP_4xx_...`.
func clientStatus(n pyast.Node) bool {
	n = pyast.Unparen(n)
	t := n.Text()
	switch n.Type() {
	case "integer":
		return len(t) == 3 && t[0] == '4'
	case "attribute":
		a := n.ChildByField("attribute").Text()
		return strings.HasPrefix(a, "HTTP_4")
	}
	return false
}

// alwaysRaises reports a call of a function of the same module whose body
// ends in a raise: a helper that converts the exception and raises it
// (`except Exception as e: _raise_rpc_error(e)`) re-raises for the handler.
func alwaysRaises(root, c pyast.Node) bool {
	call, ok := pyast.AsCall(c)
	if !ok || call.Func.Type() != "identifier" {
		return false
	}
	name := call.Func.Text()
	for st := range pyast.EachStatement(root) {
		if st.Type() == "decorated_definition" {
			st = st.ChildByField("definition")
		}
		if st.Type() != "function_definition" || pyast.DefName(st) != name {
			continue
		}
		stmts := pyast.Statements(st.ChildByField("body"))
		return len(stmts) > 0 && stmts[len(stmts)-1].Type() == "raise_statement"
	}
	return false
}

// reporterWords mark a function that probably records the exception it is
// given: report_error(ctx, e), handle_exception(e), notify_failure(e),
// store_failure_info(config_id, e).
var reporterWords = []string{"report", "capture", "log", "record", "track", "notify", "handle", "alert", "store", "persist"}

// passesAliasToReporter reports whether call c hands the caught exception
// to a function whose name says it records it, or calls a reporter named
// for exceptions (log_exception(...)), which can read sys.exc_info().
func passesAliasToReporter(h pyidiom.Handler, c pyast.Node) bool {
	if h.Alias == "" {
		return false
	}
	call, _ := pyast.AsCall(c)
	name := strings.ToLower(call.MethodName())
	hit := false
	for _, w := range reporterWords {
		if strings.Contains(name, w) {
			hit = true
		}
	}
	if !hit {
		return false
	}
	if strings.Contains(name, "exc") {
		return true // log_exception(...), report_exc(...): sys.exc_info() is at hand
	}
	return h.MentionsAlias(call.Node.ChildByField("arguments"))
}

// errorRecorders are words of a call that records an error for someone to
// read: `project.add_error(exception=e)`, `self.add_warning(...)`,
// `mail_admins(subject, f"...{e}")`.
var errorRecorders = []string{"error", "warn", "mail_admins"}

// recordsAlias reports a handler that hands the caught exception (or its
// text) to a call named for recording an error, or appends it to a
// collection of errors (`errors.append(str(e))`): the error is reported to
// someone, a deliberate handling that only loses the traceback.
func recordsAlias(h pyidiom.Handler) bool {
	if h.Alias == "" {
		return false
	}
	for _, c := range h.Calls() {
		call, ok := pyast.AsCall(c)
		if !ok || !h.MentionsAlias(call.Node.ChildByField("arguments")) {
			continue
		}
		name := strings.ToLower(call.MethodName())
		if name == "append" || name == "add" {
			if r := strings.ToLower(pyast.Dotted(call.Receiver())); strings.Contains(r, "error") || strings.Contains(r, "warning") || strings.Contains(r, "fail") {
				return true
			}
			continue
		}
		for _, w := range errorRecorders {
			if strings.Contains(name, w) {
				return true
			}
		}
	}
	return false
}

// keepsAlias reports whether the handler stores the caught exception
// itself (`error = e`, `self.errors.append(e)`, `errors[k] = e`) to raise
// or report it later.
func keepsAlias(h pyidiom.Handler) bool {
	if h.Alias == "" {
		return false
	}
	kept := false
	for n := range pyast.FindEach(h.Body, "assignment", "call") {
		if kept {
			break
		}
		switch n.Type() {
		case "assignment":
			r := pyast.Unparen(n.ChildByField("right"))
			kept = r.Type() == "identifier" && r.Text() == h.Alias
		case "call":
			c, _ := pyast.AsCall(n)
			if m := c.MethodName(); (m == "append" || m == "add" || m == "put") && len(c.Positional) == 1 {
				a := c.Positional[0]
				kept = a.Type() == "identifier" && a.Text() == h.Alias
			}
		}
	}
	return kept
}

// ownGenericRaise returns the first `raise Exception(...)` the try body of
// h's try statement executes outside any nested try body (which may catch
// it first), or the zero Node.
func ownGenericRaise(p *analyzer.Pass, h pyidiom.Handler) pyast.Node {
	try := h.Clause.Parent()
	if try.Type() != "try_statement" {
		return pyast.Node{}
	}
	body := try.ChildByField("body")
	for r := range pyast.FindEachShallow(body, "raise_statement") {
		if genericRaised(p, r) == "" {
			continue
		}
		shielded := false
		for q := r.Parent(); !q.IsNil() && !q.Equal(body); q = q.Parent() {
			if q.Field() == "body" && q.Parent().Type() == "try_statement" {
				shielded = true
				break
			}
		}
		if !shielded {
			return r
		}
	}
	return pyast.Node{}
}

// convertsAll reports a handler whose last statement raises another
// exception chained to the caught one (`raise CommandError(...) from
// exc`): every failure of the try, its own generic raise included, leaves
// as that exception with its cause, which is what catching it broadly was
// for. A bare re-raise converts nothing and is still reported.
func convertsAll(h pyidiom.Handler) bool {
	stmts := pyast.Statements(h.Body)
	if len(stmts) == 0 || stmts[len(stmts)-1].Type() != "raise_statement" {
		return false
	}
	r := stmts[len(stmts)-1]
	if raisedExpr(r).IsNil() {
		return false
	}
	cause := r.ChildByField("cause")
	return !cause.IsNil() && h.MentionsAlias(cause)
}

// reraisesUnlessSilent reports a handler whose first statement re-raises
// the caught exception (`raise` or `raise e`) unless the caller asked for
// silence (`if not self.fail_silently: raise e`), followed by at most a
// return: Django's email backend contract (open(), send_messages()) and
// the helpers copying it. Every error of the try, its own generic raise
// included, leaves alike or is silenced alike, on the caller's choice:
// there is nothing for the handler to tell apart.
func reraisesUnlessSilent(h pyidiom.Handler) bool {
	stmts := pyast.Statements(h.Body)
	if len(stmts) == 0 || stmts[0].Type() != "if_statement" {
		return false
	}
	for _, st := range stmts[1:] {
		if st.Type() != "return_statement" {
			return false
		}
	}
	guard := stmts[0]
	cond := pyast.Unparen(guard.ChildByField("condition"))
	if !guard.ChildByField("alternative").IsNil() || cond.Type() != "not_operator" ||
		!strings.HasSuffix(pyast.Dotted(cond.ChildByField("argument")), "fail_silently") {
		return false
	}
	body := pyast.Statements(guard.ChildByField("consequence"))
	if len(body) != 1 || body[0].Type() != "raise_statement" {
		return false
	}
	e := raisedExpr(body[0])
	return e.IsNil() || e.Type() == "identifier" && h.MentionsAlias(e)
}

// genericRaised returns "Exception" or "BaseException" when raise statement
// r raises one of them (called or not), else "".
func genericRaised(p *analyzer.Pass, r pyast.Node) string {
	e := raisedExpr(r)
	if c, ok := pyast.AsCall(e); ok {
		e = c.Func
	}
	return pyidiom.BroadException(p.Imports, e)
}

// raisedExpr returns the expression a raise statement raises, or the zero
// Node for a bare raise.
func raisedExpr(r pyast.Node) pyast.Node {
	for c := range r.Named() {
		if c.Field() == "cause" || c.Type() == "comment" {
			continue
		}
		return pyast.Unparen(c)
	}
	return pyast.Node{}
}

// onlyReturnsNone reports whether a handler body is a single `return` or
// `return None`.
func onlyReturnsNone(h pyidiom.Handler) bool {
	stmts := pyast.Statements(h.Body)
	if len(stmts) != 1 || stmts[0].Type() != "return_statement" {
		return false
	}
	v := stmts[0].NamedChild(0)
	return v.IsNil() || v.Type() == "none"
}
