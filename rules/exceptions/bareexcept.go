// Package exceptions holds the ERR family: how code catches, raises and
// swallows exceptions.
package exceptions

import (
	_ "embed"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/rules/internal/paths"
)

//go:embed bareexcept.md
var bareExceptDoc string

// BareExcept reports `except:` clauses without an exception type.
var BareExcept = &analyzer.Rule{
	Code:       "ERR001",
	Name:       "bare-except",
	Doc:        bareExceptDoc,
	Category:   analyzer.ErrorHandling,
	Severity:   analyzer.Error,
	Confidence: analyzer.High,
	Since:      "0.1.0",
	Run:        runBareExcept,
}

// runBareExcept matches except_clause nodes with no type expression. The
// `except*` form always has a type, so it never matches.
func runBareExcept(p *analyzer.Pass) error {
	test := paths.IsTest(paths.Rel(p))
	for n := range pyast.FindEach(p.Root, "except_clause") {
		if exceptType(n).IsNil() {
			kw := n.FirstChild() // the "except" keyword
			d := analyzer.Diagnostic{
				Range:   analyzer.RangeOf(kw),
				Message: "bare `except:` catches every exception, `KeyboardInterrupt` and `SystemExit` included",
				Help:    "catch the exceptions this block can handle (e.g. `except requests.RequestException:`), or `except Exception:` and log it",
			}
			// A handler that ends by re-raising what it caught (`raise`)
			// lets KeyboardInterrupt through after its clean-up or log
			// line; test code is not shipped.
			if test || endsInBareRaise(n) {
				d.Confidence = analyzer.Low
			}
			p.Report(d)
		}
	}
	return nil
}

// endsInBareRaise reports an except clause whose block ends with `raise`
// (no expression): the caught exception goes on unchanged.
func endsInBareRaise(clause pyast.Node) bool {
	var last pyast.Node
	for c := range clause.Named() {
		if c.Type() == "block" {
			for st := range pyast.EachStatement(c) {
				last = st
			}
		}
	}
	return !last.IsNil() && last.Type() == "raise_statement" && last.NamedChildCount() == 0
}

// exceptType returns the type expression of an except clause (the first
// named child that is not the block or a comment), or the zero Node.
func exceptType(clause pyast.Node) pyast.Node {
	for c := range clause.Named() {
		switch c.Type() {
		case "block", "comment":
			continue
		}
		return c
	}
	return pyast.Node{}
}
