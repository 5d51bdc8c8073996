package httpclient

import (
	_ "embed"
	"fmt"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed unchecked.md
var uncheckedDoc string

// UncheckedResponse reports response bodies read without a status check.
var UncheckedResponse = &analyzer.Rule{
	Code:       "NET003",
	Name:       "unchecked-http-response",
	Doc:        uncheckedDoc,
	Category:   analyzer.Resilience,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.1.0",
	Skip:       semantic.Test | semantic.DevData,
	Run:        runUncheckedResponse,
}

// dataAttrs read the body; checkAttrs look at the status.
var (
	dataAttrs  = map[string]bool{"json": true, "content": true, "text": true}
	checkAttrs = map[string]bool{
		"raise_for_status": true, "ok": true, "status_code": true, "status": true, "reason": true,
		"is_success": true, "is_error": true, "is_client_error": true, "is_server_error": true,
	}
)

// runUncheckedResponse matches, per function (or module body), a name
// assigned from a requests/httpx call (awaited or not) whose body is read
// (`.json()`, `.content`, `.text`) while the function never checks its
// status: no `.raise_for_status()`, `.ok`, `.status_code`, `.status`,
// `.is_success`..., no truth test of the response (`if r:`), and the
// response is never handed to another function (which may check it). The
// check may be anywhere in the function: order and branches are not
// followed. It also matches a body read straight off the call
// (`requests.get(u).json()`). Calls with `hooks=` (a response hook may
// raise) and test files are skipped.
func runUncheckedResponse(p *analyzer.Pass) error {
	if !importsHTTP(p.Imports) {
		return nil
	}
	cs := findClients(p.Root, p.Imports)
	scopes := append([]pyast.Node{p.Root}, pyast.FindAll(p.Root, "function_definition")...)
	for _, scope := range scopes {
		checkScope(p, cs, scope)
	}
	return nil
}

func checkScope(p *analyzer.Pass, cs *clients, scope pyast.Node) {
	type resp struct {
		call     httpCall
		checked  bool
		firstUse pyast.Node
	}
	responses := map[string]*resp{}
	var order []string
	nodes := pyast.FindAllShallow(scope, "assignment", "attribute", "call", "identifier")
	for _, n := range nodes {
		switch n.Type() {
		case "assignment":
			name := pyast.Dotted(n.ChildByField("left"))
			right := pyast.Unparen(n.ChildByField("right"))
			if right.Type() == "await" {
				right = right.NamedChild(0)
			}
			if hc, ok := cs.call(right); ok && name != "" && hc.Keyword("hooks").IsNil() {
				if _, seen := responses[name]; !seen {
					order = append(order, name)
				}
				responses[name] = &resp{call: hc}
			}
		case "attribute":
			obj, attr := n.ChildByField("object"), n.ChildByField("attribute").Text()
			if !dataAttrs[attr] {
				continue
			}
			inner := pyast.Unparen(obj)
			if inner.Type() == "await" {
				inner = inner.NamedChild(0)
			}
			if hc, ok := cs.call(inner); ok && hc.Keyword("hooks").IsNil() {
				reportUnchecked(p, n.ChildByField("attribute"), hc, fmt.Sprintf("`%s(...).%s`", hc.Func.Text(), attr))
			}
		}
	}
	if len(responses) == 0 {
		return
	}
	for _, n := range nodes {
		name := pyast.Dotted(n)
		r := responses[name]
		if r == nil {
			continue
		}
		parent := n.Parent()
		switch {
		case parent.Type() == "attribute" && n.Field() == "object":
			attr := parent.ChildByField("attribute").Text()
			if checkAttrs[attr] {
				r.checked = true
			} else if dataAttrs[attr] && r.firstUse.IsNil() && n.StartByte() > r.call.Node.EndByte() {
				r.firstUse = parent
			}
		case parent.Type() == "argument_list", parent.Type() == "keyword_argument":
			r.checked = true // handed to a helper that may check it
		case parent.Is("if_statement", "while_statement", "elif_clause", "assert_statement", "not_operator", "boolean_operator", "conditional_expression"):
			r.checked = true // truth test: Response.__bool__ is .ok
		}
	}
	for _, name := range order {
		r := responses[name]
		if r.checked || r.firstUse.IsNil() {
			continue
		}
		reportUnchecked(p, r.firstUse, r.call, "`"+r.firstUse.Text()+"`")
	}
}

func reportUnchecked(p *analyzer.Pass, use pyast.Node, hc httpCall, what string) {
	p.Report(analyzer.Diagnostic{
		Range:   analyzer.RangeOf(use),
		Message: fmt.Sprintf("%s read without checking the HTTP status: an error page or error JSON is taken as data", what),
		Help:    "call `response.raise_for_status()` (or test `response.status_code` / `response.ok`) before reading the body",
		Related: []analyzer.Related{{Range: analyzer.RangeOf(hc.Func), Message: "request made here"}},
	})
}
