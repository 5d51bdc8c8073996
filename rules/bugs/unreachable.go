package bugs

import (
	_ "embed"
	"fmt"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed unreachable.md
var unreachableDoc string

// UnreachableAfterBranches reports a statement after a try, or an if/else,
// every way out of which returns or raises: the statement never runs.
var UnreachableAfterBranches = &analyzer.Rule{
	Code:       "BUG079",
	Name:       "unreachable-after-branches",
	Doc:        unreachableDoc,
	Category:   analyzer.Correctness,
	Severity:   analyzer.Warning,
	Confidence: analyzer.High,
	Since:      "0.31.0",
	Skip:       semantic.Test | semantic.Migration,
	Run:        runUnreachableAfterBranches,
}

// runUnreachableAfterBranches matches, in every block of a function, a
// statement that follows a try whose body and every except clause end by
// returning or raising (an else clause never runs then), or an if with an
// else whose every branch does: control never reaches the next statement.
// "Ends" reads the last statement of a block, through nested if/else and
// try of the same kind; a return or raise directly followed by code is
// left to editors and linters.
func runUnreachableAfterBranches(p *analyzer.Pass) error {
	for blk := range pyast.FindEach(p.Root, "block") {
		if pyast.EnclosingFunction(blk).IsNil() {
			continue
		}
		var prev pyast.Node
		for st := range pyast.EachStatement(blk) {
			if !prev.IsNil() && (prev.Type() == "try_statement" || prev.Type() == "if_statement") && branchesExit(prev) {
				what := "the `try` above returns or raises from its body and from every `except`"
				if prev.Type() == "if_statement" {
					what = "every branch of the `if` above returns or raises"
				}
				p.Report(analyzer.Diagnostic{
					Range:   analyzer.RangeOf(st),
					Message: fmt.Sprintf("`%s` never runs: %s", pyast.OneLine(st, 50), what),
					Help:    "move the statement where control reaches it (often into the `try` body, in place of an early return), or delete it",
					Related: []analyzer.Related{{Range: analyzer.RangeOf(prev), Message: "every path out of this statement returns or raises"}},
				})
				break
			}
			prev = st
		}
	}
	return nil
}

// branchesExit reports a statement after which control never goes on to
// the next one: a return or raise, an if with an else whose branches all exit, a
// try whose body and except clauses all exit.
func branchesExit(st pyast.Node) bool {
	switch st.Type() {
	case "return_statement", "raise_statement":
		return true
	case "if_statement":
		hasElse := false
		if !blockBranchesExit(st.ChildByField("consequence")) {
			return false
		}
		for alt := range st.Named() {
			switch alt.Type() {
			case "elif_clause":
				if !blockBranchesExit(alt.ChildByField("consequence")) {
					return false
				}
			case "else_clause":
				hasElse = true
				if !blockBranchesExit(alt.ChildByField("body")) {
					return false
				}
			}
		}
		return hasElse
	case "try_statement":
		if !blockBranchesExit(st.ChildByField("body")) {
			return false
		}
		for k := range st.Named() {
			if k.Type() == "except_clause" || k.Type() == "except_group_clause" {
				var body pyast.Node
				for c := range k.Named() {
					if c.Type() == "block" {
						body = c
					}
				}
				if !blockBranchesExit(body) {
					return false
				}
			}
		}
		return true
	}
	return false
}

// blockBranchesExit reports a block whose last statement exits
// (branchesExit).
func blockBranchesExit(b pyast.Node) bool {
	last := pyast.LastStatement(b)
	return !last.IsNil() && branchesExit(last)
}
