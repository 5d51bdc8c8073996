package bugs

import (
	_ "embed"
	"fmt"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed retryloop.md
var retryLoopDoc string

// RetryLoopNoExit reports a bounded retry loop whose counter only moves
// when an attempt fails: on success nothing ends the loop.
var RetryLoopNoExit = &analyzer.Rule{
	Code:       "BUG019",
	Name:       "retry-loop-without-exit",
	Doc:        retryLoopDoc,
	Category:   analyzer.Correctness,
	Severity:   analyzer.Error,
	Confidence: analyzer.High,
	Since:      "0.3.0",
	Skip:       semantic.Test | semantic.Migration,
	Run:        runRetryLoopNoExit,
}

// runRetryLoopNoExit matches `while counter < limit:` (or <=, >, >=, !=)
// whose body changes counter only inside except clauses, changes nothing
// the other side of the test reads, and has no break, return, raise,
// yield or exit call outside its except clauses: when the attempt
// succeeds, the counter stays put and the loop runs the attempt again,
// forever. Loops whose test is anything else (`while True`, `while not
// done`, a call) and loops with any other way out on the success path are
// left alone.
func runRetryLoopNoExit(p *analyzer.Pass) error {
	for w := range pyast.FindEach(p.Root, "while_statement") {
		if w.ChildByField("alternative").Type() == "else_clause" {
			continue
		}
		cond := pyast.Unparen(w.ChildByField("condition"))
		parts := cond.Children()
		if cond.Type() != "comparison_operator" || len(parts) != 3 {
			continue
		}
		op := parts[1].Type()
		if op != "<" && op != "<=" && op != ">" && op != ">=" && op != "!=" {
			continue
		}
		lhs, rhs := pyast.Unparen(parts[0]), pyast.Unparen(parts[2])
		counter, other := lhs, rhs
		if counter.Type() != "identifier" {
			counter, other = rhs, lhs
		}
		if counter.Type() != "identifier" {
			continue
		}
		body := w.ChildByField("body")
		name := counter.Text()
		updates, inExcept, ok := loopWrites(body, name, other)
		if !ok || updates == 0 || updates != inExcept || successExit(body) {
			continue
		}
		p.Report(analyzer.Diagnostic{
			Range: analyzer.RangeOf(cond),
			Message: fmt.Sprintf("`while %s` ends only when `%s` moves, and `%s` changes only in an except branch: when the attempt succeeds nothing breaks or returns, so it is repeated forever",
				pyast.OneLine(cond, 40), name, name),
			Help: "leave the loop on success (`break` or `return` after the attempt, or in the try's `else:`)",
		})
	}
	return nil
}

// loopWrites counts the assignments to name in the loop body (nested
// functions and classes excluded) and how many sit inside an except
// clause; ok is false when the body also rebinds a name the other side of
// the test reads, or binds name some other way (a for target, with ...
// as, unpacking).
func loopWrites(body pyast.Node, name string, other pyast.Node) (updates, inExcept int, ok bool) {
	reads := map[string]bool{}
	for id := range pyast.FindEach(other, "identifier") {
		reads[id.Text()] = true
	}
	if other.Type() == "identifier" {
		reads[other.Text()] = true
	}
	ok = true
	pyast.Inspect(body, func(n pyast.Node) bool {
		switch n.Type() {
		case "function_definition", "class_definition", "lambda":
			return false
		case "assignment", "augmented_assignment":
			l := n.ChildByField("left")
			for _, id := range assignedNames(l) {
				switch {
				case id == name && l.Type() == "identifier":
					updates++
					if !pyast.Ancestor(n, "except_clause", "except_group_clause").IsNil() && body.Contains(pyast.Ancestor(n, "except_clause", "except_group_clause")) {
						inExcept++
					}
				case id == name, reads[id]:
					ok = false
				}
			}
		case "for_statement":
			for id := range pyast.FindEach(n.ChildByField("left"), "identifier") {
				if id.Text() == name || reads[id.Text()] {
					ok = false
				}
			}
		case "with_item", "named_expression":
			for id := range pyast.FindEach(n, "identifier") {
				if id.Text() == name {
					ok = false
				}
			}
		case "call":
			// counter.append(...) style mutation of the other side.
			c, _ := pyast.AsCall(n)
			if c.Func.Type() == "attribute" && reads[pyast.Dotted(c.Func.ChildByField("object"))] {
				ok = false
			}
		}
		return true
	})
	return updates, inExcept, ok
}

// assignedNames returns the names an assignment target binds (plain names
// and the names in tuples; attributes and items bind none).
func assignedNames(l pyast.Node) []string {
	switch l.Type() {
	case "identifier":
		return []string{l.Text()}
	case "pattern_list", "tuple_pattern", "list_pattern", "tuple", "list":
		var out []string
		for k := range l.Named() {
			out = append(out, assignedNames(k)...)
		}
		return out
	}
	return nil
}

// successExit reports a way out of the loop that does not go through an
// except clause: break (of this loop), return, raise, yield, or a call
// that ends the process. Anything inside an except clause is the failure
// path.
func successExit(body pyast.Node) bool {
	found := false
	var walk func(n pyast.Node, loopDepth int)
	walk = func(n pyast.Node, loopDepth int) {
		if found {
			return
		}
		switch n.Type() {
		case "function_definition", "class_definition", "lambda", "except_clause", "except_group_clause":
			return
		case "break_statement":
			if loopDepth == 0 {
				found = true
			}
			return
		case "return_statement", "raise_statement", "yield", "await":
			found = n.Type() != "await"
			if found {
				return
			}
		case "call":
			c, _ := pyast.AsCall(n)
			switch pyast.Dotted(c.Func) {
			case "sys.exit", "exit", "quit", "os._exit", "os.abort", "self.retry", "task.retry":
				found = true
				return
			}
			if c.MethodName() == "retry" {
				found = true // Celery's retry raises
				return
			}
		case "for_statement", "while_statement":
			for _, k := range n.Children() {
				if k.Type() == "else_clause" {
					walk(k, loopDepth)
				} else {
					walk(k, loopDepth+1)
				}
			}
			return
		}
		for _, k := range n.Children() {
			walk(k, loopDepth)
		}
	}
	for _, k := range body.Children() {
		walk(k, 0)
	}
	return found
}
