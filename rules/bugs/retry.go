package bugs

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/analyzer/semantic/effects"
)

//go:embed doubleretry.md
var doubleRetryDoc string

//go:embed retryexc.md
var retryExcDoc string

// DoubleRetry reports task retries raised inside a try whose broad handler
// retries again.
var DoubleRetry = &analyzer.Rule{
	Code:              "BUG007",
	Name:              "double-retry",
	Doc:               doubleRetryDoc,
	Category:          analyzer.Correctness,
	Severity:          analyzer.Error,
	Confidence:        analyzer.High,
	Since:             "0.2.0",
	Stack:             project.Celery,
	SkipOnSyntaxError: true,
	Skip:              semantic.Test | semantic.Migration,
	Requires:          requires,
	Run:               runDoubleRetry,
}

// RetryExcNotException reports retry(exc=...) given something that cannot
// be raised, and an exception passed as retry's args.
var RetryExcNotException = &analyzer.Rule{
	Code:              "BUG008",
	Name:              "retry-exc-not-exception",
	Doc:               retryExcDoc,
	Category:          analyzer.Correctness,
	Severity:          analyzer.Error,
	Confidence:        analyzer.High,
	Since:             "0.2.0",
	Stack:             project.Celery,
	SkipOnSyntaxError: true,
	Skip:              semantic.Test | semantic.Migration,
	Run:               runRetryExc,
}

// taskRetries returns the retry calls of a task's body: x.retry(...) where
// x is the bound task parameter, the task's own name, or self in a Task
// subclass.
func taskRetries(t effects.CeleryTask, body pyast.Node) []pyast.Node {
	var out []pyast.Node
	for call := range pyast.FindEach(body, "call") {
		if string(pyast.CalleeName(call)) != "retry" {
			continue
		}
		c, _ := pyast.AsCall(call)
		if c.Func.Type() != "attribute" {
			continue
		}
		recv := pyast.Dotted(c.Receiver())
		if recv != "" && (recv == t.Bound || recv == t.Name || t.Class && recv == "self") {
			out = append(out, call)
		}
	}
	return out
}

// broadHandler reports a handler that catches Celery's Retry: bare,
// Exception, BaseException (alone or in a tuple).
func broadHandler(h pyast.Node) bool {
	typ := exceptType(h)
	if typ.IsNil() {
		return true
	}
	for _, t := range flatTypes(typ) {
		switch d := pyast.Dotted(t); d[strings.LastIndex(d, ".")+1:] {
		case "Exception", "BaseException":
			return true
		}
	}
	return false
}

// retryHandler reports a handler for Celery's Retry itself.
func retryHandler(h pyast.Node) bool {
	typ := exceptType(h)
	for _, t := range flatTypes(typ) {
		d := pyast.Dotted(t)
		if d == "Retry" || strings.HasSuffix(d, ".Retry") {
			return true
		}
	}
	return false
}

func flatTypes(typ pyast.Node) []pyast.Node {
	typ = pyast.Unparen(typ)
	if typ.Type() == "tuple" {
		return typ.NamedChildren()
	}
	if typ.IsNil() {
		return nil
	}
	return []pyast.Node{typ}
}

// runDoubleRetry matches, in a Celery task, a retry raised inside a try
// (directly, or through a project function it calls with the task) whose
// handlers have no `except Retry` before a broad one (bare, Exception,
// BaseException) that retries too. Celery's retry() raises Retry, an
// Exception: the broad handler catches it and queues a second retry.
// Tries with only specific handlers let Retry through to the next
// enclosing try, which is judged instead.
func runDoubleRetry(p *analyzer.Pass) error {
	sm := semantic.Of(p.Project)
	f := sm.File(p.Unit)
	for _, fn := range effects.Functions(p.Root) {
		t, ok := effects.TaskOf(p.Imports, fn)
		if !ok {
			continue
		}
		retries := taskRetries(t, pyast.Body(t.Def))
		if len(retries) == 0 {
			continue
		}
		inner := append([]pyast.Node(nil), retries...)
		inner = append(inner, helperRetries(f, t)...)
		for _, r := range inner {
			h := catchingTry(r)
			if h.IsNil() {
				continue
			}
			var again pyast.Node
			for _, x := range retries {
				if h.Contains(x) {
					again = x
					break
				}
			}
			if again.IsNil() {
				continue
			}
			what := "`" + r.ChildByField("function").Text() + "(...)`"
			if !isRetry(r) {
				what = fmt.Sprintf("`%s(...)` retries the task, and", r.ChildByField("function").Text())
			} else {
				what += " raises Celery's `Retry`, and"
			}
			p.Report(analyzer.Diagnostic{
				Range:   analyzer.RangeOf(r.ChildByField("function")),
				Message: fmt.Sprintf("%s the `%s` handler at line %d catches it and retries again: two retries are queued", what, handlerName(h), p.File.Position(h.StartByte()).Line),
				Help:    "let `Retry` through: add `except Retry: raise` (from celery.exceptions) before the broad handler, or move the retry out of the `try`",
				Related: []analyzer.Related{{Range: analyzer.RangeOf(again.ChildByField("function")), Message: "the second retry"}},
			})
		}
	}
	return nil
}

func isRetry(call pyast.Node) bool { return string(pyast.CalleeName(call)) == "retry" }

// handlerName is how a handler is shown: `except Exception`.
func handlerName(h pyast.Node) string {
	typ := exceptType(h)
	if typ.IsNil() {
		return "except"
	}
	return "except " + typ.Text()
}

// catchingTry returns the broad handler that catches the Retry raised at
// n: that of the nearest enclosing try (in n's function) with a broad
// handler and no Retry handler before it; zero when Retry escapes.
func catchingTry(n pyast.Node) pyast.Node {
	for t := pyast.Ancestor(n, "try_statement", "function_definition"); t.Type() == "try_statement"; t = pyast.Ancestor(t, "try_statement", "function_definition") {
		if !t.ChildByField("body").Contains(n) {
			continue // n is in a handler or finally of t
		}
		for h := range t.Named() {
			if h.Type() != "except_clause" {
				continue
			}
			if retryHandler(h) {
				return pyast.Node{}
			}
			if broadHandler(h) {
				return h
			}
		}
	}
	return pyast.Node{}
}

// helperRetries returns the calls in a task's body of project functions
// that retry the task they are given (the bound task passed as an
// argument, or a method of a Task subclass called on self).
func helperRetries(f *semantic.File, t effects.CeleryTask) []pyast.Node {
	if f == nil {
		return nil
	}
	var out []pyast.Node
	for call := range pyast.FindEach(pyast.Body(t.Def), "call") {
		fn, _ := f.Callee(call)
		if fn == nil || fn.Node.Equal(t.Def) {
			continue
		}
		c, _ := pyast.AsCall(call)
		passes := t.Class && c.Func.Type() == "attribute" && pyast.Dotted(c.Receiver()) == "self"
		for _, a := range c.Positional {
			passes = passes || t.Bound != "" && pyast.Dotted(a) == t.Bound
		}
		if !passes {
			continue
		}
		for inner := range pyast.FindEach(pyast.Body(fn.Node), "call") {
			if isRetry(inner) {
				out = append(out, call)
				break
			}
		}
	}
	return out
}

// runRetryExc matches, in Celery tasks, `<task>.retry(exc=V)` where V can
// never be raised: a string (literal, f-string, %-formatting,
// str()/repr()/format()), a number, a dict, list or tuple literal, or a
// local last bound to one; and `<task>.retry(e)` where e is the exception
// of the enclosing handler, passed as retry's first parameter, args. When
// the retries run out Celery raises exc: `raise "..."` is a TypeError
// that replaces the real error.
func runRetryExc(p *analyzer.Pass) error {
	for _, fn := range effects.Functions(p.Root) {
		t, ok := effects.TaskOf(p.Imports, fn)
		if !ok {
			continue
		}
		for _, call := range taskRetries(t, pyast.Body(t.Def)) {
			c, _ := pyast.AsCall(call)
			if exc := c.Keyword("exc"); !exc.IsNil() {
				if kind := notException(exc, call); kind != "" {
					p.Report(analyzer.Diagnostic{
						Range:   analyzer.RangeOf(exc),
						Message: fmt.Sprintf("`exc=` is given %s, not an exception: when the retries run out Celery raises it, and `raise` of a non-exception is a `TypeError` that hides the real error", kind),
						Help:    "pass the exception itself: `except requests.RequestException as exc: raise self.retry(exc=exc)`",
					})
				}
			}
			if len(c.Positional) > 0 && handlerVar(c.Positional[0], call) {
				p.Report(analyzer.Diagnostic{
					Range:   analyzer.RangeOf(c.Positional[0]),
					Message: fmt.Sprintf("`%s` is passed as `retry()`'s first parameter, `args` (the task's arguments), not as `exc`: the retry is sent with the exception as its argument list", c.Positional[0].Text()),
					Help:    fmt.Sprintf("pass it by keyword: `%s(exc=%s)`", c.Func.Text(), c.Positional[0].Text()),
				})
			}
		}
	}
	return nil
}

// notException describes an expression that is certainly not an
// exception, or returns "".
func notException(e, at pyast.Node) string {
	e = pyast.Unparen(e)
	switch e.Type() {
	case "string", "concatenated_string":
		return "a string"
	case "integer", "float":
		return "a number"
	case "dictionary", "list", "tuple", "set":
		return "a " + e.Type()
	case "binary_operator":
		if l := pyast.Unparen(e.ChildByField("left")); l.Is("string", "concatenated_string") {
			return "a string"
		}
	case "call":
		c, _ := pyast.AsCall(e)
		switch pyast.Dotted(c.Func) {
		case "str", "repr", "format":
			return "a string"
		}
		if c.MethodName() == "format" && c.Receiver().Is("string", "concatenated_string") {
			return "a string"
		}
	case "attribute":
		if e.ChildByField("attribute").Text() == "args" && handlerVar(e.ChildByField("object"), at) {
			return "the exception's `args` tuple"
		}
	case "identifier":
		// The last binding before the name is read: before at, or before
		// the earlier right-hand side being followed, so that each step
		// goes back in the function and names bound from each other (a
		// swap) end rather than go round.
		before := min(at.StartByte(), e.StartByte())
		fn := pyast.Ancestor(at, "function_definition")
		var last pyast.Node
		for a := range pyast.FindEach(fn, "assignment") {
			if a.EndByte() <= before && a.ChildByField("left").Type() == "identifier" && a.ChildByField("left").Text() == e.Text() {
				last = a.ChildByField("right")
			}
		}
		if !last.IsNil() {
			return notException(last, at)
		}
	}
	return ""
}

// handlerVar reports an identifier naming the exception of an except
// clause around at.
func handlerVar(n, at pyast.Node) bool {
	if n.Type() != "identifier" {
		return false
	}
	for h := pyast.Ancestor(at, "except_clause"); !h.IsNil(); h = pyast.Ancestor(h, "except_clause") {
		for k := range h.Named() {
			if k.Type() == "as_pattern" {
				if alias := k.ChildByField("alias"); !alias.IsNil() && strings.TrimSpace(alias.Text()) == n.Text() {
					return true
				}
			}
		}
	}
	return false
}
