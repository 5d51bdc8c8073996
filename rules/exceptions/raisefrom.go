package exceptions

import (
	_ "embed"
	"fmt"
	"unicode"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic/pyidiom"
)

//go:embed raisefrom.md
var raiseFromDoc string

// RaiseWithoutFrom reports new exceptions raised in a handler without `from`.
var RaiseWithoutFrom = &analyzer.Rule{
	Code:       "ERR005",
	Name:       "raise-without-from",
	Doc:        raiseFromDoc,
	Category:   analyzer.ErrorHandling,
	Severity:   analyzer.Info,
	Confidence: analyzer.Medium,
	Since:      "0.1.0",
	// Off by default: on the labelled take-home corpus every finding was
	// a deliberate translation to a domain error (docs/precision.md).
	NonDefault: true,
	Run:        runRaiseWithoutFrom,
}

// runRaiseWithoutFrom matches `raise X(...)` / `raise X` (X capitalised, a
// class) executed by an except handler body, without `from`. It skips bare
// `raise`, re-raising the caught name, raising a lower-case variable (often
// a saved exception), `raise ... from ...`, raises in functions nested in
// the handler, handlers of expected absences (DoesNotExist, KeyError...)
// whose cause carries no information, and user-facing translations
// (Http404, *ValidationError, *ValidationException, PermissionDenied,
// CommandError, DRF's *APIException family), which Django turns into a
// response or a form error. A raise of the builtin Exception or
// BaseException is left to ERR004, which reports the same statement: one
// finding per statement is enough.
func runRaiseWithoutFrom(p *analyzer.Pass) error {
	for n := range pyast.FindEach(p.Root, "raise_statement") {
		if !n.ChildByField("cause").IsNil() {
			continue
		}
		e := raisedExpr(n)
		if e.IsNil() || genericRaised(p, n) != "" {
			continue
		}
		h, ok := pyidiom.EnclosingHandler(n)
		if !ok || h.CatchesOnly("miss") || pyidiom.UserFacing(e) {
			continue
		}
		callee := e
		if c, ok := pyast.AsCall(e); ok {
			callee = c.Func
		}
		name := pyast.Dotted(callee)
		if name == "" || (h.Alias != "" && name == h.Alias) {
			continue
		}
		last := []rune(name[lastDot(name)+1:])
		if !unicode.IsUpper(last[0]) {
			continue
		}
		alias := h.Alias
		if alias == "" {
			alias = "exc"
		}
		p.Report(analyzer.Diagnostic{
			Range:   analyzer.RangeOf(n),
			Message: fmt.Sprintf("`raise %s` inside `except` without `from`: the original error is not its cause", name),
			Help:    fmt.Sprintf("write `raise %s(...) from %s` to keep the cause, or `from None` to drop it on purpose", name, alias),
		})
	}
	return nil
}

func lastDot(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '.' {
			return i
		}
	}
	return -1
}
