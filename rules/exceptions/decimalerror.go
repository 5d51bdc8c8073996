package exceptions

import (
	_ "embed"
	"fmt"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/analyzer/semantic/pyidiom"
)

//go:embed decimalerror.md
var decimalErrorDoc string

// DecimalErrorNotCaught reports `Decimal(text)` under handlers that catch
// ValueError but not decimal.InvalidOperation.
var DecimalErrorNotCaught = &analyzer.Rule{
	Code:       "ERR007",
	Name:       "decimal-error-not-caught",
	Doc:        decimalErrorDoc,
	Category:   analyzer.ErrorHandling,
	Severity:   analyzer.Warning,
	Confidence: analyzer.High,
	Since:      "0.25.0",
	Skip:       semantic.Test | semantic.Migration,
	Run:        runDecimalErrorNotCaught,
}

// decimalCatchers are the exception names that catch
// decimal.InvalidOperation (by their last dotted name).
var decimalCatchers = map[string]bool{"InvalidOperation": true, "DecimalException": true, "ArithmeticError": true,
	"Exception": true, "BaseException": true, "ConversionSyntax": true}

// runDecimalErrorNotCaught matches a call of decimal.Decimal, inside a
// function, with one argument that is not a literal, in the try block of
// try statements (up to the function) one of whose handlers names
// ValueError and none of which catches decimal.InvalidOperation (it, a
// base of it, Exception, a bare except). Decimal("abc") raises
// InvalidOperation, an ArithmeticError, not a ValueError: the author's
// handler for bad input never runs.
func runDecimalErrorNotCaught(p *analyzer.Pass) error {
	for call := range pyast.FindEach(p.Root, "call") {
		h, _ := pyast.AsCallHead(call)
		if q, ok := p.Imports.Resolve(h.Func); !ok || q != "decimal.Decimal" {
			continue
		}
		c, ok := pyast.AsCall(call)
		if !ok || len(c.Positional) != 1 || len(c.Keywords) > 0 {
			continue
		}
		switch pyast.Unparen(c.Positional[0]).Type() {
		case "string", "integer", "float", "concatenated_string":
			continue
		}
		fn := pyast.EnclosingFunction(call)
		if fn.IsNil() {
			continue
		}
		var valueErr pyast.Node
		caught := false
		for h := range pyidiom.TryHandlers(call, fn) {
			if h.Bare() {
				caught = true
				break
			}
			for _, t := range h.Types {
				name := pyast.Dotted(t)
				if i := lastDot(name); i >= 0 {
					name = name[i+1:]
				}
				if decimalCatchers[name] {
					caught = true
				}
				if name == "ValueError" && valueErr.IsNil() {
					valueErr = t
				}
			}
		}
		if caught || valueErr.IsNil() {
			continue
		}
		p.Report(analyzer.Diagnostic{
			Range: analyzer.RangeOf(call),
			Message: fmt.Sprintf("`%s` raises `decimal.InvalidOperation` for text that is not a number, and that is not a `ValueError`: the `except ValueError` around it never runs for bad input, which becomes an unhandled error (a 500 in a request)",
				pyast.OneLine(call, 40)),
			Help:    "catch `decimal.InvalidOperation` too (`except (ValueError, TypeError, InvalidOperation)`), or parse the value with a form or serializer `DecimalField`",
			Related: []analyzer.Related{{Range: analyzer.RangeOf(valueErr), Message: "catches ValueError only"}},
		})
	}
	return nil
}
