package pyidiom

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// PrintAsLog reports a print(...) call used as logging: the builtin print
// (called by its bare name), not inside a function named print, not
// writing to a file other than sys.stderr (`file=f` is output), and not
// in a function whose job is output (OutputFunction). LOG003 and the
// checklist's code.print_calls signal share it; which files are scripts
// is for each to say.
func PrintAsLog(n pyast.Node) bool {
	// Test the callee before decoding: most calls are not print.
	fn := n.ChildByField("function")
	if n.Type() != "call" || fn.Type() != "identifier" || string(fn.Bytes()) != "print" || insidePrintDef(n) {
		return false
	}
	c, _ := pyast.AsCall(n)
	if f := c.Keyword("file"); !f.IsNil() && pyast.Dotted(f) != "sys.stderr" {
		return false
	}
	return !OutputFunction(pyast.EnclosingFunction(n))
}

// insidePrintDef reports whether n lies in a function named print (a
// project's own print, which the calls in it may mean).
func insidePrintDef(n pyast.Node) bool {
	for a := n.Parent(); !a.IsNil(); a = a.Parent() {
		if a.Type() == "function_definition" && pyast.DefName(a) == "print" {
			return true
		}
	}
	return false
}

// outputPrefixes start the names of functions whose job is printing: print_users,
// show_report, list_keys, dump_state.
var outputPrefixes = []string{"print", "pprint", "show", "display", "dump", "list"}

// OutputFunction reports whether def (possibly zero) prints by design: its
// name says so, it talks to a terminal user (cli, prompt in the name), or
// it reads input().
func OutputFunction(def pyast.Node) bool {
	if def.IsNil() {
		return false
	}
	name := strings.ToLower(strings.TrimLeft(pyast.DefName(def), "_"))
	for _, pre := range outputPrefixes {
		if strings.HasPrefix(name, pre) {
			return true
		}
	}
	if strings.Contains(name, "cli") || strings.Contains(name, "prompt") {
		return true
	}
	if name == "debug_task" {
		return true // Celery's project template prints the request on purpose
	}
	return readsInput(def)
}

// readsInputKey keys readsInput's memo.
type readsInputKey struct{ def int32 }

// readsInput reports a call of input() in def's own body, worked out once
// per function: every print in it asks.
func readsInput(def pyast.Node) bool {
	return pyast.Memo(def, readsInputKey{def.ID()}, func() bool {
		for c := range pyast.FindEachShallow(def, "call") {
			if f := c.ChildByField("function"); f.Type() == "identifier" && f.Text() == "input" {
				return true
			}
		}
		return false
	})
}
