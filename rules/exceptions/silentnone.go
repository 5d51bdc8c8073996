package exceptions

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic/pyidiom"
)

//go:embed silentnone.md
var silentNoneDoc string

// SilentNone reports handlers that only return None.
var SilentNone = &analyzer.Rule{
	Code:       "ERR006",
	Name:       "silent-none-return",
	Doc:        silentNoneDoc,
	Category:   analyzer.ErrorHandling,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.1.0",
	Run:        runSilentNone,
}

// runSilentNone matches typed except clauses whose whole body is `return`
// or `return None`. It skips bare excepts (ERR001), handlers of expected
// absences (DoesNotExist, KeyError...) and of conversion errors
// (ValueError, TypeError, *DecodeError, PyJWTError...), where None is the
// ordinary answer, handlers of computed types, and non-broad handlers with a
// comment explaining the choice. A specific handler in a function that
// returns no value anywhere else (a procedure) is skipped, and one in a
// function that already returns None on another path has low confidence,
// as has a broad handler in a procedure.
func runSilentNone(p *analyzer.Pass) error {
	for n := range pyast.FindEach(p.Root, "except_clause") {
		h := pyidiom.DecodeHandler(n)
		if h.Bare() || !onlyReturnsNone(h) || noneIsTheAnswer(n) {
			continue
		}
		conf := analyzer.Medium
		if h.BroadName(p.Imports) != "" {
			conf = analyzer.High
		} else if !h.Named() || h.HasComment() || h.CatchesOnly("miss", "value") {
			continue
		}
		msg := fmt.Sprintf("`except %s` returns `None` silently: the caller cannot tell a failure from an empty result", h.TypeText())
		if otherReturns(n) == onlyBools {
			// True or False otherwise: None is a third answer the caller
			// can tell apart ("unknown"). A broad handler still turns every
			// failure into it; one with a comment says so on purpose.
			if conf == analyzer.Medium || h.HasComment() {
				continue
			}
			conf = analyzer.Low
			msg = fmt.Sprintf("`except %s` answers `None` (beside `True`/`False`) for every failure, programming errors included", h.TypeText())
		}
		if conf == analyzer.High && otherReturns(n) == noValue {
			// A procedure: no caller reads a result to be misled by; the
			// broad handler still swallows every failure.
			conf = analyzer.Low
		}
		if conf == analyzer.Medium {
			switch otherReturns(n) {
			case noValue:
				continue // a procedure: its callers read no result
			case alsoNone:
				conf = analyzer.Low // None is already one of its answers
			}
			if conf == analyzer.Medium && documentsNone(pyast.EnclosingFunction(n)) {
				conf = analyzer.Low // the contract says None
			}
		}
		p.Report(analyzer.Diagnostic{
			Range:      analyzer.Span(h.Keyword, h.Type),
			Message:    msg,
			Help:       "log the error (`logger.exception(...)`) and re-raise a domain exception, or return an explicit result the caller must check",
			Confidence: conf,
		})
	}
	return nil
}

// noneProtocol are methods whose None means "not mine, ask the next one":
// Django authentication backends and DRF authenticators
// (`authenticate`, `get_user`), which the framework calls in turn.
var noneProtocol = map[string]bool{"authenticate": true, "authenticate_credentials": true, "get_user": true}

// noneIsTheAnswer reports a handler in a method whose None return is the
// framework's protocol, not a hidden failure.
func noneIsTheAnswer(handler pyast.Node) bool {
	fn := pyast.EnclosingFunction(handler)
	return !fn.IsNil() && !pyast.Ancestor(fn, "class_definition").IsNil() && noneProtocol[pyast.DefName(fn)]
}

// documentsNone reports a function whose docstring names None as an
// answer ("..., or None when one is missing") or whose return annotation
// admits it (`-> float | None`, `Optional[str]`): the caller was told.
func documentsNone(fn pyast.Node) bool {
	if fn.IsNil() {
		return false
	}
	if rt := fn.ChildByField("return_type"); !rt.IsNil() {
		t := rt.Text()
		if strings.Contains(t, "None") || strings.Contains(t, "Optional") {
			return true
		}
	}
	for st := range pyast.EachStatement(fn.ChildByField("body")) {
		if st.Type() == "expression_statement" && st.NamedChild(0).Type() == "string" {
			return strings.Contains(st.NamedChild(0).Text(), "None")
		}
		return false
	}
	return false
}

type returnKind int

const (
	someValue returnKind = iota // another path returns a value (or none returns at all)
	noValue                     // every other return is bare: a procedure
	alsoNone                    // another path returns None explicitly, others a value
	onlyBools                   // every other return is True, False or a boolean expression
)

// otherReturns classifies the return statements of the handler's function
// outside the handler (nested functions apart).
func otherReturns(handler pyast.Node) returnKind {
	fn := pyast.EnclosingFunction(handler)
	if fn.IsNil() {
		return someValue
	}
	body := fn.ChildByField("body")
	values, nones, bare, bools := 0, 0, 0, 0
	for r := range pyast.FindEachShallow(body, "return_statement") {
		if handler.Contains(r) {
			continue
		}
		v := r.NamedChild(0)
		switch {
		case v.IsNil():
			bare++
		case v.Type() == "none":
			nones++
		default:
			values++
			if booleanExpr(v) {
				bools++
			}
		}
	}
	for range pyast.FindEachShallow(body, "yield") {
		return someValue // a generator's return ends the iteration
	}
	switch {
	case values == 0 && nones == 0:
		return noValue
	case nones > 0:
		return alsoNone
	case bare == 0 && bools == values:
		return onlyBools
	}
	return someValue
}

// booleanExpr reports an expression that is True or False: a literal, a
// comparison, a `not`, or a `bool(...)` call.
func booleanExpr(v pyast.Node) bool {
	v = pyast.Unparen(v)
	switch v.Type() {
	case "true", "false", "comparison_operator", "not_operator":
		return true
	case "call":
		c, _ := pyast.AsCall(v)
		return c.Func.Type() == "identifier" && c.Func.Text() == "bool"
	}
	return false
}
