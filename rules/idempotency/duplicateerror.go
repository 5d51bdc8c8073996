package idempotency

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/analyzer/semantic/pyidiom"
)

//go:embed duplicateerror.md
var duplicateErrorDoc string

// DuplicateDeliveryAnsweredError reports a webhook receiver that finds the
// delivery already recorded and answers it with an error status: the
// sender redelivers what it did not see acknowledged.
var DuplicateDeliveryAnsweredError = &analyzer.Rule{
	Code:       "IDM008",
	Name:       "duplicate-delivery-answered-error",
	Doc:        duplicateErrorDoc,
	Category:   analyzer.DataIntegrity,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.20.0",
	Stack:      project.Django,
	Skip:       semantic.Test | semantic.Migration | semantic.DevData,
	Requires:   []project.Analysis{semantic.Endpoints},
	Run:        runDuplicateDeliveryAnsweredError,
}

// runDuplicateDeliveryAnsweredError judges the handlers of the file's
// webhook receivers (the endpoint inventory's). A handler is reported at
// the first `if` whose condition tests, without negation, `.exists()` of a
// filter on a model rubric knows for certain, when the handler also
// creates rows of that model (the check is the de-duplication of the
// event it is about to record) and the branch's own statements answer
// with an error: a `return` of a response built with a 4xx/5xx `status=`
// (a number or DRF's `status.HTTP_4xx_...`), an HttpResponseBadRequest-like
// class, or a `raise` of a ValidationError.
func runDuplicateDeliveryAnsweredError(p *analyzer.Pass) error {
	sm := semantic.Of(p.Project)
	f := sm.File(p.Unit)
	if f == nil {
		return nil
	}
	for _, fn := range semantic.InventoryOf(p.Project).HandlersIn(f, func(e *semantic.Endpoint) bool { return e.Webhook != nil }) {
		body := pyast.Body(fn.Node)
		for st := range pyast.FindEachShallow(body, "if_statement") {
			md := duplicateTest(f, st.ChildByField("condition"))
			if md == nil || !createsRows(p, f, body, md) {
				continue
			}
			answer, status := errorAnswer(st.ChildByField("consequence"))
			if answer.IsNil() {
				continue
			}
			p.Report(analyzer.Diagnostic{
				Range:   analyzer.RangeOf(answer),
				Related: []analyzer.Related{{Range: analyzer.RangeOf(st.ChildByField("condition")), Message: "the delivery is already recorded"}},
				Message: fmt.Sprintf("a delivery `%s` already holds is answered %s: the sender redelivers every event it does not see acknowledged with a 2xx, so an event that was processed is retried until the sender gives up, and shows as failed on its side",
					md.Name, status),
				Help: "answer a duplicate with 200 (or 204) and skip the work: the event was processed; keep 4xx for deliveries that are invalid",
			})
			break
		}
	}
	return nil
}

// duplicateTest returns the model of a `<qs>.exists()` call in the
// condition, on a queryset of a model rubric knows for certain, when no
// `not` stands between the call and the condition.
func duplicateTest(f *semantic.File, cond pyast.Node) *project.Model {
	if cond.IsNil() {
		return nil
	}
	var md *project.Model
	pyast.Inspect(cond, func(n pyast.Node) bool {
		if md != nil || n.Type() == "not_operator" || n.Type() == "lambda" {
			return false
		}
		c, ok := pyast.AsCall(n)
		if !ok || c.MethodName() != "exists" {
			return true
		}
		q := f.Eval(c.Receiver())
		if q != nil && q.Model != nil && q.Certainty == semantic.Certain {
			md = q.Model
		}
		return md == nil
	})
	return md
}

// createsRows reports a creation of md's rows in the handler body:
// `create`/`get_or_create`/`update_or_create`/`bulk_create` on a queryset
// of md, or a call of md's class.
func createsRows(p *analyzer.Pass, f *semantic.File, body pyast.Node, md *project.Model) bool {
	found := false
	pyast.Inspect(body, func(n pyast.Node) bool {
		if found {
			return false
		}
		c, ok := pyast.AsCall(n)
		if !ok {
			return true
		}
		switch c.MethodName() {
		case "create", "get_or_create", "update_or_create", "bulk_create":
			if q := f.Eval(c.Receiver()); q != nil && q.Model == md {
				found = true
			}
		default:
			if m := p.Project.Models.Lookup(p.Unit, pyast.Dotted(c.Func)); m == md {
				found = true
			}
		}
		return !found
	})
	return found
}

// errorResponses are response classes whose status is an error.
var errorResponses = map[string]string{"HttpResponseBadRequest": "400", "HttpResponseForbidden": "403",
	"HttpResponseNotFound": "404", "HttpResponseGone": "410", "HttpResponseServerError": "500"}

// errorAnswer returns the block's own statement that answers with an
// error, and the status it answers: `return Response(..., status=409)`,
// `return JsonResponse(..., status=status.HTTP_400_BAD_REQUEST)`,
// `return HttpResponseBadRequest(...)`, `raise ValidationError(...)`.
func errorAnswer(block pyast.Node) (pyast.Node, string) {
	for st := range pyast.EachStatement(block) {
		switch st.Type() {
		case "return_statement":
			v := st.NamedChild(0)
			c, ok := pyast.AsCall(v)
			if !ok {
				continue
			}
			name := pyast.Dotted(c.Func)
			name = name[strings.LastIndex(name, ".")+1:]
			if s, ok := errorResponses[name]; ok {
				return st, s
			}
			if s := errorStatus(c.Keyword("status")); s != "" {
				return st, s
			}
		case "raise_statement":
			c, ok := pyast.AsCall(st.NamedChild(0))
			if ok && strings.HasSuffix(pyast.Dotted(c.Func), "ValidationError") {
				return st, "400 (a ValidationError)"
			}
		}
	}
	return pyast.Node{}, ""
}

// errorStatus returns the status a `status=` value names when it is 4xx or
// 5xx: a number, or DRF's `status.HTTP_409_CONFLICT`.
func errorStatus(v pyast.Node) string {
	if n, ok := pyidiom.StatusCode(v); ok && n >= 400 && n < 600 {
		return strconv.Itoa(n)
	}
	return ""
}
