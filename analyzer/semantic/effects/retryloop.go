package effects

import (
	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// RetryLoop reports a retry written by hand: a for or while loop whose
// body tries an outbound HTTP call, waits between attempts (time.sleep,
// asyncio.sleep) and grows the wait (`base * 2 ** attempt`, `delay *= 2`):
// a retry policy with backoff, as a library's would be. A loop that sleeps
// a constant, or retries without waiting, is not one.
func (f *File) RetryLoop(im *pyast.Imports, loop pyast.Node) bool {
	if loop.Type() != "for_statement" && loop.Type() != "while_statement" {
		return false
	}
	body := pyast.Body(loop)
	tries := false
	for t := range pyast.FindEachShallow(body, "try_statement") {
		for c := range pyast.FindEachShallow(t.ChildByField("body"), "call") {
			if f.Classify(c).Kind == HTTP {
				tries = true
				break
			}
		}
		if tries {
			break
		}
	}
	if !tries {
		return false
	}
	sleeps, grows := false, false
	for n := range pyast.FindEachShallow(body, "call", "binary_operator", "augmented_assignment") {
		switch n.Type() {
		case "call":
			c, _ := pyast.AsCall(n)
			if q, ok := im.Resolve(c.Func); ok && (q == "time.sleep" || q == "asyncio.sleep") {
				sleeps = true
			}
		case "binary_operator":
			if n.ChildByField("operator").Text() == "**" {
				grows = true
			}
		case "augmented_assignment":
			if op := n.ChildByField("operator").Text(); op == "*=" || op == "**=" {
				grows = true
			}
		}
	}
	return sleeps && grows
}
