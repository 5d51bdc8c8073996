package exceptions

import (
	_ "embed"
	"strconv"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/analyzer/semantic/pyidiom"
)

//go:embed errorok.md
var errorOKDoc string

// ErrorAnsweredOK reports a failure answered with a success status: a
// response whose body says only that something went wrong, sent with 200
// (the default) or another 2xx status, and an API exception class whose
// status_code is a success.
var ErrorAnsweredOK = &analyzer.Rule{
	Code:       "ERR008",
	Name:       "error-answered-ok",
	Doc:        errorOKDoc,
	Category:   analyzer.ErrorHandling,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.21.0",
	Stack:      project.Django | project.WebApp,
	Skip:       semantic.Test | semantic.Migration | semantic.Settings,
	Run:        runErrorAnsweredOK,
}

// errorKeys mark a body as an error report; errorBodyKeys are the keys an
// error-only body may hold beside them (a body with data beside its
// errors, a batch's partial success, is not an error-only body).
var (
	errorKeys     = map[string]bool{"error": true, "errors": true, "error_message": true, "error_msg": true, "err": true, "error_code": true}
	errorBodyKeys = map[string]bool{"error": true, "errors": true, "error_message": true, "error_msg": true, "err": true,
		"error_code": true, "message": true, "msg": true, "detail": true, "details": true, "description": true,
		"code": true, "status": true, "success": true, "ok": true, "result": true, "reason": true}
	failedWords = map[string]bool{"error": true, "fail": true, "failed": true, "failure": true}
)

// responseClasses are the response classes whose first argument is the
// body and whose status defaults to 200.
var responseClasses = map[string]bool{"rest_framework.response.Response": true, "django.http.JsonResponse": true,
	"django.http.response.JsonResponse": true, "ninja.responses.Response": true}

// runErrorAnsweredOK matches calls of DRF's Response and Django's
// JsonResponse (imported under any name) whose body is a dictionary
// literal that reports an error and nothing else (errorBody), with no
// status (200) or a 2xx one, literal or `status.HTTP_2xx_...`; and classes
// deriving from DRF's APIException whose status_code is a 2xx status.
func runErrorAnsweredOK(p *analyzer.Pass) error {
	im := p.Unit.Imports
	for n := range pyast.FindEach(p.Root, "call", "class_definition") {
		if n.Type() == "class_definition" {
			checkExceptionStatus(p, n)
			continue
		}
		h, _ := pyast.AsCallHead(n)
		q, ok := im.Resolve(h.Func)
		if !ok || !responseClasses[q] {
			continue
		}
		c, _ := pyast.AsCall(n)
		why, ok := errorBody(bodyOf(c.Arg(0, "data")))
		if !ok || debugOnly(n) {
			continue
		}
		st := c.Arg(1, "status")
		code := 200
		if !st.IsNil() {
			if code, ok = statusValue(st, im); !ok || code < 200 || code > 299 {
				continue
			}
		}
		name := c.Func.Text()
		what := "with no status, so with 200 OK"
		if !st.IsNil() {
			what = "with " + strconv.Itoa(code) + " " + statusWord(code)
		}
		p.Report(analyzer.Diagnostic{
			Range:   analyzer.RangeOf(n.ChildByField("function")),
			Message: "`" + name + "(...)` answers " + why + " " + what + ": the client, its retries and every monitor keyed on the status read this failure as a success",
			Help:    "answer with the failure's status (`status=status.HTTP_400_BAD_REQUEST` for a bad request, 404 for a missing object, 409 for a conflict, 502 when a provider failed), or raise DRF's `ValidationError`, `NotFound` or `PermissionDenied`, which answer with theirs",
		})
	}
	return nil
}

// debugOnly reports whether n runs only under `if settings.DEBUG:` (a
// feature refused in development answers whatever it likes).
func debugOnly(n pyast.Node) bool {
	for p := n.Parent(); !p.IsNil(); p = p.Parent() {
		if p.Type() == "if_statement" && p.ChildByField("consequence").Contains(n) {
			if cond := p.ChildByField("condition"); cond.Type() == "attribute" && cond.ChildByField("attribute").Text() == "DEBUG" {
				return true
			}
		}
	}
	return false
}

// errorBody reports whether a response body is a dictionary literal that
// reports a failure, and why: a flag that says the whole request failed
// (`"error": True`, `"success": False`, a status or result of "error" or
// "failed"), whatever else the body holds; or an error key with a value
// that is not empty (`"error": str(e)`) in a body that holds nothing but
// error-report keys (a batch's partial success holds data beside its
// errors).
func errorBody(body pyast.Node) (why string, ok bool) {
	if body.Type() != "dictionary" {
		return "", false
	}
	flag, reported, onlyReport := "", "", true
	for pair := range body.Named() {
		if pair.Type() != "pair" {
			return "", false // a splat or a comprehension: keys unknown
		}
		k, isStr := pyast.StringValue(pair.ChildByField("key"))
		if !isStr {
			return "", false
		}
		lk := strings.ToLower(k)
		if !errorBodyKeys[lk] {
			onlyReport = false
		}
		v := pair.ChildByField("value")
		switch {
		case errorKeys[lk] && v.Type() == "true":
			flag = first(flag, "a failure (`\""+k+"\": True`)")
		case (lk == "success" || lk == "ok") && v.Type() == "false":
			flag = first(flag, "a failure (`\""+k+"\": False`)")
		case lk == "status" || lk == "result":
			if s, ok := pyast.StringValue(v); ok && failedWords[strings.ToLower(s)] {
				flag = first(flag, "a failure (`\""+k+"\": \""+s+"\"`)")
			}
		case errorKeys[lk] && errorText(v):
			reported = first(reported, "an error (`"+k+"`)")
		}
	}
	if flag != "" {
		return flag, true
	}
	return reported, reported != "" && onlyReport
}

// first returns a unless it is empty, else b.
func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// bodyOf is the dictionary a response's body argument holds: the argument
// itself, or the dictionary literal last assigned to the name it is, when
// that assignment is the only one to the name in the function before the
// call and sits in a block around the call (so it reaches it).
func bodyOf(arg pyast.Node) pyast.Node {
	if arg.Type() != "identifier" {
		return arg
	}
	fn := pyast.Ancestor(arg, "function_definition")
	if fn.IsNil() {
		return arg
	}
	var last pyast.Node
	for a := range pyast.FindEach(fn.ChildByField("body"), "assignment", "augmented_assignment", "for_statement") {
		if a.StartByte() >= arg.StartByte() {
			break
		}
		left := a.ChildByField("left")
		if left.Text() != arg.Text() {
			if a.Type() != "assignment" && strings.Contains(left.Text(), arg.Text()) {
				return pyast.Node{}
			}
			continue
		}
		if a.Type() != "assignment" {
			return pyast.Node{}
		}
		if !a.Parent().Parent().Contains(arg) {
			// A binding in a branch that does not hold the call: the value
			// at the call depends on the path taken.
			last = pyast.Node{}
			continue
		}
		last = a.ChildByField("right")
	}
	// Writes into the dictionary after it was built (`resp["error"] =
	// True`) change what it says: only a literal left alone is read.
	if last.IsNil() {
		return pyast.Node{}
	}
	for sub := range pyast.FindEach(fn.ChildByField("body"), "subscript", "call") {
		if sub.StartByte() > last.EndByte() && sub.StartByte() < arg.StartByte() {
			if sub.Type() == "subscript" && sub.ChildByField("value").Text() == arg.Text() {
				return pyast.Node{}
			}
			if c, _ := pyast.AsCall(sub); sub.Type() == "call" && c.Receiver().Text() == arg.Text() {
				return pyast.Node{}
			}
		}
	}
	return last
}

// errorText reports a value that holds an error whatever the path taken:
// a string that is not empty, an f-string, a call (`str(e)`), or a list,
// tuple or dictionary literal with items. A name or an attribute (`errors`,
// a list filled only when something failed) may hold nothing.
func errorText(v pyast.Node) bool {
	switch v.Type() {
	case "call", "binary_operator":
		return true
	case "list", "dictionary", "tuple", "set":
		return v.NamedChildCount() > 0
	case "string", "concatenated_string":
		s, ok := pyast.StringValue(v)
		return !ok || s != ""
	}
	return false
}

// statusValue reads a status argument: an integer literal or a DRF
// `status.HTTP_NNN_...` constant (`from rest_framework import status`, or
// the constant imported by name).
func statusValue(n pyast.Node, im *pyast.Imports) (int, bool) {
	if n.Type() != "integer" {
		if n.Type() != "attribute" && n.Type() != "identifier" {
			return 0, false
		}
		if q, ok := im.Resolve(n); !ok || !strings.HasPrefix(q, "rest_framework.status.HTTP_") {
			return 0, false
		}
	}
	return pyidiom.StatusCode(n)
}

// statusWord names a success status.
func statusWord(code int) string {
	switch code {
	case 200:
		return "OK"
	case 201:
		return "Created"
	case 202:
		return "Accepted"
	case 204:
		return "No Content"
	}
	return "(a success)"
}

// checkExceptionStatus reports an API exception class (deriving from DRF's
// APIException or one of its subclasses, by name) whose status_code class
// attribute is 200: raising it answers the failure as a success.
func checkExceptionStatus(p *analyzer.Pass, cls pyast.Node) {
	im := p.Unit.Imports
	api := false
	for b := range cls.ChildByField("superclasses").Named() {
		if q, ok := im.Resolve(b); ok && strings.HasPrefix(q, "rest_framework.exceptions.") {
			api = true
		}
	}
	if !api {
		return
	}
	for st := range cls.ChildByField("body").Named() {
		if st.Type() != "expression_statement" {
			continue
		}
		a := st.NamedChild(0)
		if a.Type() != "assignment" || a.ChildByField("left").Text() != "status_code" {
			continue
		}
		// 200 only: an exception answered 201 or 202 is a deliberate
		// short cut ("already known, access created instead").
		if code, ok := statusValue(a.ChildByField("right"), im); !ok || code != 200 {
			continue
		}
		code := 200
		p.Report(analyzer.Diagnostic{
			Range:   analyzer.RangeOf(a),
			Message: "`" + pyast.DefName(cls) + "` is an API exception answered with " + strconv.Itoa(code) + " " + statusWord(code) + ": every failure raised with it reads as a success to the client, its retries and its monitors",
			Help:    "give it the failure's status (`status_code = status.HTTP_400_BAD_REQUEST`, 404, 409...), or raise DRF's own `ValidationError`, `NotFound` or `PermissionDenied`",
		})
	}
}
