package celery

import (
	_ "embed"
	"fmt"
	"regexp"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/rules/internal/paths"
)

//go:embed failretry.md
var failRetryDoc string

// FailedThenRetried reports a task that marks its record failed and then
// retries.
var FailedThenRetried = &analyzer.Rule{
	Code:       "CEL008",
	Name:       "failed-then-retried",
	Doc:        failRetryDoc,
	Category:   analyzer.AsyncTasks,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.11.0",
	Stack:      project.Celery,
	Run:        runFailedThenRetried,
}

// failCallee matches a function or method named for marking a failure:
// fail_payout, mark_failed, mark_as_failed, set_failed, fail.
var failCallee = regexp.MustCompile(`(?i)^(fail|mark_(as_)?failed|set_failed|.*_fail(ed|ure)?|fail_.*)$`)

// failedValue matches a status value naming failure: "failed",
// Status.FAILED, PayoutStatus.FAIL.
var failedValue = regexp.MustCompile(`(?i)(^|[."'_])fail(ed|ure)?($|["'])`)

// runFailedThenRetried matches, in a Celery task, an except clause whose
// statements, before the one holding `self.retry(...)` (the bound task or
// the task's name), mark the record failed unconditionally: a call of a
// function named for it (`fail_payout(...)`, `mark_failed(...)`), an
// assignment of a failed status (`obj.status = Status.FAILED`), or an
// update to one (`.update(status="failed")`). Marks inside an if of the
// except clause (for the last attempt) are not read.
func runFailedThenRetried(p *analyzer.Pass) error {
	if paths.IsTest(paths.Rel(p)) {
		return nil
	}
	for _, t := range tasks(p) {
		seen := map[int]bool{}
		for _, r := range retryCalls(t) {
			exc := pyast.Ancestor(r.Node, "except_clause")
			if exc.IsNil() || seen[exc.StartByte()] || !t.def.Contains(exc) {
				continue
			}
			block := exc.ChildByField("body")
			if block.IsNil() {
				block = lastBlock(exc)
			}
			if block.IsNil() {
				continue
			}
			for st := range pyast.EachStatement(block) {
				if st.StartByte() <= r.Node.StartByte() && r.Node.EndByte() <= st.EndByte() {
					break // the statement that retries
				}
				if what := failMark(st); what != "" {
					seen[exc.StartByte()] = true
					p.Report(analyzer.Diagnostic{
						Range: analyzer.RangeOf(st),
						Message: fmt.Sprintf("task `%s` marks its record failed (%s) and then retries: the retry finds a record already final, and either skips it or redoes work the caller was told failed",
							t.name, what),
						Related: []analyzer.Related{{Range: analyzer.RangeOf(r.Node), Message: "the retry"}},
						Help:    "retry first and mark the record failed only when the retries are exhausted (`except MaxRetriesExceededError:`, or `if self.request.retries >= self.max_retries:`), keeping it pending or processing in between",
					})
					break
				}
			}
		}
	}
	return nil
}

// lastBlock returns the except clause's block child.
func lastBlock(exc pyast.Node) pyast.Node {
	var b pyast.Node
	for c := range exc.Named() {
		if c.Type() == "block" {
			b = c
		}
	}
	return b
}

// failMark describes how statement st marks a failure, or "".
func failMark(st pyast.Node) string {
	if st.Type() != "expression_statement" {
		return ""
	}
	e := st.NamedChild(0)
	if e.Type() == "await" {
		e = e.NamedChild(0)
	}
	switch e.Type() {
	case "assignment":
		left := e.ChildByField("left")
		if left.Type() == "attribute" && statusName(left.ChildByField("attribute").Text()) && failedValue.MatchString(pyast.Unparen(e.ChildByField("right")).Text()) {
			return "`" + left.Text() + " = " + e.ChildByField("right").Text() + "`"
		}
	case "call":
		c, ok := pyast.AsCall(e)
		if !ok {
			return ""
		}
		name := c.Func.Text()
		if i := strings.LastIndex(name, "."); i >= 0 {
			name = name[i+1:]
		}
		if failCallee.MatchString(name) {
			return "`" + c.Func.Text() + "(...)`"
		}
		if name == "update" {
			for k, v := range c.EachKeyword() {
				if statusName(k) && failedValue.MatchString(v.Text()) {
					return "`.update(" + k + "=" + v.Text() + ")`"
				}
			}
		}
	}
	return ""
}

func statusName(s string) bool { return s == "status" || s == "state" }
