package exceptions

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/analyzer/semantic/pyidiom"
)

// commandOutput reports a handler in a management command that prints the
// caught exception for the operator running it: `print(e)`, or a command
// helper such as `self.output(f"... {exception}")` or
// `self.write_error(e)`, or logs its message. Like a command's stderr, it shows the error to
// whoever ran the command and only loses the traceback. A standalone
// script (scripts/, bin/, tools/, a module parsing its own command line)
// printing the error to its operator is read the same way.
func commandOutput(p *analyzer.Pass, h pyidiom.Handler) bool {
	if !strings.Contains("/"+p.File.Rel, "/management/commands/") && !semantic.RolesOf(p.Unit).Has(semantic.Script) {
		return false
	}
	logs := pyidiom.LoggersOf(p.Unit)
	for _, c := range h.Calls() {
		call, ok := pyast.AsCall(c)
		if !ok {
			continue
		}
		d := pyast.Dotted(call.Func)
		name := strings.ToLower(d[strings.LastIndex(d, ".")+1:])
		helper := strings.HasPrefix(d, "self.") && strings.Count(d, ".") == 1 &&
			(strings.Contains(name, "output") || strings.Contains(name, "write") || strings.Contains(name, "echo") || strings.Contains(name, "print"))
		if (d == "print" || helper) && h.MentionsAlias(c.ChildByField("arguments")) {
			return true
		}
		if _, ok := logs.Call(c); ok && h.MentionsAlias(c.ChildByField("arguments")) {
			// `logger.info("Failed to process hashtags: %s" % str(e))` in a
			// command's loop: the operator reads it on the console.
			return true
		}
	}
	return false
}
