package resilience

import (
	_ "embed"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/analyzer/semantic/effects"
)

//go:embed statusonly200.md
var statusOnly200Doc string

// StatusOnly200 reports status handling that compares with 200 and raises
// one generic error for every other status.
var StatusOnly200 = &analyzer.Rule{
	Code:       "NET006",
	Name:       "status-only-200",
	Doc:        statusOnly200Doc,
	Category:   analyzer.Resilience,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.1.0",
	Skip:       semantic.Test,
	Run:        runStatusOnly200,
}

// runStatusOnly200 matches `if r.status_code == 200:` whose else branch (or
// the code after an if without else) raises, and `if r.status_code != 200:`
// whose body raises, when the function compares the status nowhere else and
// never calls raise_for_status(), and the raise is of a built-in generic
// exception. It skips raises that pass the status or the response on, or
// raise a project's own exception class (the "generic error"), and
// tests.
func runStatusOnly200(p *analyzer.Pass) error {
	for _, fn := range effects.Functions(p.Root) {
		var only pyast.Node
		var onlyOp string
		statusChecks := 0
		raiseForStatus := false
		for n := range pyast.FindEachShallow(pyast.Body(fn), "comparison_operator", "call") {
			if n.Type() == "call" {
				if string(pyast.CalleeName(n)) == "raise_for_status" {
					raiseForStatus = true
				}
				continue
			}
			if !strings.Contains(n.Text(), "status") {
				continue
			}
			statusChecks++
			if op, ok := is200(n); ok {
				only, onlyOp = n, op
			}
		}
		if only.IsNil() || statusChecks != 1 || raiseForStatus {
			continue
		}
		ifs := only.Parent()
		for ifs.Type() == "parenthesized_expression" || ifs.Type() == "boolean_operator" || ifs.Type() == "not_operator" {
			ifs = ifs.Parent()
		}
		if ifs.Type() != "if_statement" || ifs.ChildByField("condition").Type() != "comparison_operator" {
			continue
		}
		raise := genericRaise(ifs, onlyOp)
		if raise.IsNil() {
			continue
		}
		p.Report(analyzer.Diagnostic{
			Range:   analyzer.RangeOf(only),
			Message: "only `" + only.Text() + "` is checked: every other status raises the same error",
			Help:    "tell retryable failures (429, 5xx, timeouts: raise a transient error and retry with backoff) from final ones (other 4xx: raise a specific error carrying the status and body); `response.raise_for_status()` and catching `requests.HTTPError` is a start",
			Related: []analyzer.Related{{Range: analyzer.RangeOf(raise), Message: "generic error for any other status"}},
		})
	}
	return nil
}

// is200 reports whether a comparison is `<x>.status_code == 200` or `!= 200`
// (either side, also `HTTPStatus.OK` / `status.HTTP_200_OK`), returning the
// operator.
func is200(cmp pyast.Node) (string, bool) {
	ops := 0
	op := ""
	for _, c := range cmp.Children() {
		if !c.IsNamed() {
			ops++
			op = c.Type()
		}
	}
	kids := cmp.NamedChildren()
	if ops != 1 || len(kids) != 2 || (op != "==" && op != "!=") {
		return "", false
	}
	isStatus := func(n pyast.Node) bool {
		return n.Type() == "attribute" && (n.ChildByField("attribute").Text() == "status_code" || n.ChildByField("attribute").Text() == "status")
	}
	isOK := func(n pyast.Node) bool {
		t := n.Text()
		return t == "200" || strings.HasSuffix(t, "HTTPStatus.OK") || strings.HasSuffix(t, "HTTP_200_OK")
	}
	if isStatus(kids[0]) && isOK(kids[1]) || isStatus(kids[1]) && isOK(kids[0]) {
		return op, true
	}
	return "", false
}

// genericExceptions are the built-in classes that say nothing about what
// failed.
var genericExceptions = map[string]bool{"Exception": true, "BaseException": true, "RuntimeError": true,
	"ValueError": true, "IOError": true, "OSError": true, "EnvironmentError": true}

// genericRaise returns the raise statement on the failure side of the if:
// the else branch (or, without else, the statements after the if) for ==,
// the body for !=. Only built-in generic exceptions count (Exception,
// RuntimeError, ValueError, OSError...); a bare `raise` or a raise mentioning
// the status or the response does not.
func genericRaise(ifs pyast.Node, op string) pyast.Node {
	var scope []pyast.Node
	if op == "!=" {
		scope = []pyast.Node{ifs.ChildByField("consequence")}
	} else {
		alts := ifs.ChildrenByField("alternative")
		switch {
		case len(alts) == 1 && alts[0].Type() == "else_clause":
			scope = []pyast.Node{pyast.Body(alts[0])}
		case len(alts) == 0:
			for s := ifs.NextSibling(); !s.IsNil(); s = s.NextSibling() {
				scope = append(scope, s)
			}
		}
	}
	for _, s := range scope {
		for r := range pyast.FindEachShallow(s, "raise_statement") {
			e := r.NamedChild(0)
			if e.IsNil() || e.Type() == "comment" {
				continue
			}
			t := strings.ToLower(e.Text())
			if strings.Contains(t, "status") || strings.Contains(t, "response") || strings.Contains(t, "resp") {
				return pyast.Node{}
			}
			if c, ok := pyast.AsCall(e); ok {
				e = c.Func
			}
			if !genericExceptions[e.Text()] {
				return pyast.Node{}
			}
			return r
		}
	}
	return pyast.Node{}
}
