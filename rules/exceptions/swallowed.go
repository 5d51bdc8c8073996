package exceptions

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic/pyidiom"
	"github.com/rubric-dev/rubric/rules/internal/paths"
)

//go:embed swallowed.md
var swallowedDoc string

// Swallowed reports handlers whose body only passes.
var Swallowed = &analyzer.Rule{
	Code:       "ERR003",
	Name:       "swallowed-exception",
	Doc:        swallowedDoc,
	Category:   analyzer.ErrorHandling,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.1.0",
	Run:        runSwallowed,
}

// runSwallowed matches typed except clauses whose body is only `pass`,
// `continue`, `...` or a string. It skips bare excepts (ERR001), handlers
// of expected absences (DoesNotExist, KeyError, ImportError,
// FileNotFoundError...) and of conversion failures (ValueError,
// AddrFormatError, ValidationError...: a parse fallback), handlers of
// computed types, non-broad handlers with a comment, which explains a
// deliberate choice, non-broad handlers in tests (an expected error), and
// handlers of a specific exception their own try body raises (a signal).
// Specific exceptions get low confidence: often the project's own signal.
func runSwallowed(p *analyzer.Pass) error {
	test := paths.IsTest(paths.Rel(p))
	for n := range pyast.FindEach(p.Root, "except_clause") {
		h := pyidiom.DecodeHandler(n)
		if h.Bare() || !h.OnlyTrivial() {
			continue
		}
		// A named, specific exception is often the project's own signal
		// used as control flow (`except NotApplicable: pass`, `except
		// TaxDataError: continue`): reported, at low confidence.
		conf := analyzer.Low
		broad := h.BroadName(p.Imports)
		switch {
		case broad != "":
			conf = analyzer.High
			if h.HasComment() {
				conf = analyzer.Medium
			}
			if test || cleanupWhileFailing(n) {
				// A test ignoring a failure it does not assert on: not
				// shipped. Or a best-effort close while another error is
				// being handled: that error is the one that matters.
				conf = analyzer.Low
			}
		case !h.Named(), h.HasComment(), h.CatchesOnly("miss", "value"), test:
			continue
		case createIfMissing(n, h.TypeText()):
			continue
		case raisedByOwnTry(h):
			continue
		}
		msg := fmt.Sprintf("`except %s` swallows the error: nothing is logged, re-raised or handled", h.TypeText())
		if broad != "" {
			msg = fmt.Sprintf("`except %s` swallows every error: nothing is logged, re-raised or handled", h.TypeText())
		}
		p.Report(analyzer.Diagnostic{
			Range:      analyzer.Span(h.Keyword, h.Type),
			Message:    msg,
			Help:       "handle the error (log it with `logger.exception(...)`, return an explicit result, re-raise), or use `contextlib.suppress(...)` with a comment saying why it is safe to ignore",
			Confidence: conf,
		})
	}
	return nil
}

// cleanupMethods release a resource.
var cleanupMethods = map[string]bool{"close": true, "quit": true, "disconnect": true, "shutdown": true,
	"logout": true, "cleanup": true, "release": true, "terminate": true, "kill": true}

// cleanupWhileFailing reports a handler whose try body only calls a
// cleanup method (`ssh.close()`), inside another except clause or a
// finally block: closing a connection while the first error is handled.
func cleanupWhileFailing(handler pyast.Node) bool {
	try := handler.Parent()
	if try.Type() != "try_statement" {
		return false
	}
	body := try.ChildByField("body")
	n := 0
	for st := range pyast.EachStatement(body) {
		c, ok := pyast.AsCall(st.NamedChild(0))
		if st.Type() != "expression_statement" || !ok || !cleanupMethods[c.MethodName()] {
			return false
		}
		n++
	}
	if n == 0 {
		return false
	}
	for a := try.Parent(); !a.IsNil() && !a.Is("function_definition", "class_definition"); a = a.Parent() {
		if a.Is("except_clause", "finally_clause") {
			return true
		}
	}
	return false
}

// raisedByOwnTry reports a handler of a specific exception its own try
// body raises: a signal used as control flow, such as the exception raised
// at the end of a `with transaction.atomic():` block to roll it back.
func raisedByOwnTry(h pyidiom.Handler) bool {
	try := h.Clause.Parent()
	if try.Type() != "try_statement" {
		return false
	}
	caught := h.TypeText()
	caught = caught[strings.LastIndex(caught, ".")+1:]
	for r := range pyast.FindEachShallow(try.ChildByField("body"), "raise_statement") {
		e := raisedExpr(r)
		if c, ok := pyast.AsCall(e); ok {
			e = c.Func
		}
		d := pyast.Dotted(e)
		if d != "" && d[strings.LastIndex(d, ".")+1:] == caught {
			return true
		}
	}
	return false
}

// createIfMissing reports the insert-and-ignore-duplicates idiom: `try:
// X.objects.create(...) except IntegrityError: pass`, whose try body only
// inserts rows (create, save, bulk_create), so the error can only say the
// row is already there.
func createIfMissing(handler pyast.Node, typ string) bool {
	if typ != "IntegrityError" && !strings.HasSuffix(typ, ".IntegrityError") {
		return false
	}
	try := handler.Parent()
	if try.Type() != "try_statement" {
		return false
	}
	body := pyast.Statements(try.ChildByField("body"))
	if len(body) == 0 {
		return false
	}
	for _, st := range body {
		e := st
		if e.Type() == "expression_statement" {
			e = e.NamedChild(0)
		}
		if e.Type() == "assignment" {
			e = e.ChildByField("right")
		}
		switch string(pyast.CalleeName(pyast.Unparen(e))) {
		case "create", "save", "bulk_create", "create_user", "create_superuser":
		default:
			return false
		}
	}
	return true
}
