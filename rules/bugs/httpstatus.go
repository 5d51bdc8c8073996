package bugs

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed httpstatus.md
var httpStatusDoc string

// HTTPStatusUnchecked reports an outbound request whose response nothing
// looks at, followed by a write that records the work as done: requests
// and httpx do not raise on a 4xx or 5xx answer.
var HTTPStatusUnchecked = &analyzer.Rule{
	Code:       "BUG044",
	Name:       "http-status-unchecked",
	Doc:        httpStatusDoc,
	Category:   analyzer.Correctness,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.15.0",
	Skip:       semantic.ProductCode,
	Requires:   requires,
	Run:        runHTTPStatusUnchecked,
}

// sendingVerbs are the module-level functions of requests and httpx that
// ask a server to do something (a GET whose answer is thrown away does
// nothing worth recording).
var sendingVerbs = map[string]bool{"post": true, "put": true, "patch": true, "delete": true, "request": true}

// runHTTPStatusUnchecked matches, in each function of product code, a
// call of requests' or httpx's module-level post, put, patch, delete or
// request (no `hooks=`, which may raise for the status) whose response is
// thrown away: the call is a statement of its own, or assigned to a name
// the function never reads. It reports the call when a write of rows
// follows it in the same function (semantic.Model.FuncEffects: a save,
// create or update, made there or by a project function it calls) outside
// an `except` handler: the function records as done what the server may
// have refused. Sessions and clients (`session.post`, `httpx.Client`) are
// not judged: their hooks or event hooks may check the status.
func runHTTPStatusUnchecked(p *analyzer.Pass) error {
	m := semantic.Of(p.Project)
	f := m.File(p.Unit)
	if f == nil {
		return nil
	}
	for _, fn := range f.Funcs {
		var effects []semantic.Effect
		loaded := false
		for call := range pyast.FindEach(pyast.Body(fn.Node), "call") {
			if !pyast.EnclosingFunction(call).Equal(fn.Node) {
				continue
			}
			h, _ := pyast.AsCallHead(call)
			q, ok := p.Imports.Resolve(h.Func)
			if !ok {
				continue
			}
			i := strings.LastIndexByte(q, '.')
			if i < 0 || (q[:i] != "requests" && q[:i] != "httpx") || !sendingVerbs[q[i+1:]] {
				continue
			}
			c, _ := pyast.AsCall(call)
			if !c.Keyword("hooks").IsNil() {
				continue
			}
			if !responseIgnored(fn, call) {
				continue
			}
			if !loaded {
				effects, loaded = m.FuncEffects(fn), true
			}
			w := writeAfter(effects, fn, call)
			if w == nil {
				continue
			}
			p.Report(analyzer.Diagnostic{
				Range: analyzer.RangeOf(call),
				Message: fmt.Sprintf("the response of `%s(...)` is never looked at, and `%s` (line %d) follows: %s does not raise on a 4xx or 5xx answer, so a request the server refused is recorded as done",
					q, w.Name, p.File.Position(w.Entry.StartByte()).Line, q[:i]),
				Help:    "keep the response and call `response.raise_for_status()` (or check `response.status_code`) before recording success",
				Related: []analyzer.Related{{Range: analyzer.RangeOf(w.Entry), Message: "the write that follows whatever the server answered"}},
			})
		}
	}
	return nil
}

// responseIgnored reports a call that is a statement of its own, or the
// value of an assignment to a name fn never reads (no other occurrence of
// the name in the function).
func responseIgnored(fn *semantic.Func, call pyast.Node) bool {
	parent := call.Parent()
	switch parent.Type() {
	case "expression_statement":
		return true
	case "assignment":
		left := parent.ChildByField("left")
		if left.Type() != "identifier" || !parent.ChildByField("right").Equal(call) {
			return false
		}
		name := left.Text()
		for id := range pyast.FindEach(fn.Node, "identifier") {
			if id.Text() == name && !id.Equal(left) {
				return false
			}
		}
		return true
	}
	return false
}

// writeAfter returns the first write of rows of fn that starts after call
// and is not inside an `except` handler (a failure recorded), or nil.
func writeAfter(effects []semantic.Effect, fn *semantic.Func, call pyast.Node) *semantic.Effect {
	for i, x := range effects {
		if x.Kind != semantic.WriteRows || x.Entry.IsNil() || !fn.Node.Contains(x.Entry) || x.Entry.StartByte() <= call.EndByte() {
			continue
		}
		if inHandler(x.Entry, fn.Node) {
			continue
		}
		return &effects[i]
	}
	return nil
}

// inHandler reports a node inside an except clause between it and fn.
func inHandler(n, fn pyast.Node) bool {
	for a := n.Parent(); !a.IsNil() && !a.Equal(fn); a = a.Parent() {
		if a.Type() == "except_clause" || a.Type() == "except_group_clause" {
			return true
		}
	}
	return false
}
