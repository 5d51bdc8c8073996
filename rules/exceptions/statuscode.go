package exceptions

import (
	_ "embed"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed statuscode.md
var statusAsCodeDoc string

// StatusAsErrorCode reports a DRF exception built with an HTTP status as
// its `code`: `code` is the machine-readable error code of the answer's
// body, and the status stays the class's own.
var StatusAsErrorCode = &analyzer.Rule{
	Code:       "ERR009",
	Name:       "status-passed-as-error-code",
	Doc:        statusAsCodeDoc,
	Category:   analyzer.ErrorHandling,
	Severity:   analyzer.Warning,
	Confidence: analyzer.High,
	Since:      "0.25.0",
	Stack:      project.Django,
	Skip:       semantic.Test | semantic.Migration,
	Requires:   []project.Analysis{semantic.Project},
	Run:        runStatusAsErrorCode,
}

// drfExceptionStatus are DRF's exceptions whose constructor is
// (detail=None, code=None), with the status each answers.
var drfExceptionStatus = map[string]int{
	"rest_framework.exceptions.APIException":         500,
	"rest_framework.exceptions.ValidationError":      400,
	"rest_framework.serializers.ValidationError":     400,
	"rest_framework.exceptions.ParseError":           400,
	"rest_framework.exceptions.AuthenticationFailed": 401,
	"rest_framework.exceptions.NotAuthenticated":     401,
	"rest_framework.exceptions.PermissionDenied":     403,
	"rest_framework.exceptions.NotFound":             404,
	"rest_framework.exceptions.NotAcceptable":        406,
}

// runStatusAsErrorCode matches calls of a DRF exception class (or a
// project class deriving from one whose own __init__, if any, still takes
// `code`) whose `code` (keyword, or the second positional argument) is an
// HTTP status: an integer literal from 100 to 599 or a `status.HTTP_...`
// constant, different from the status the class answers with.
func runStatusAsErrorCode(p *analyzer.Pass) error {
	f := semantic.Of(p.Project).File(p.Unit)
	for call := range pyast.FindEach(p.Root, "call") {
		c, ok := pyast.AsCall(call)
		if !ok {
			continue
		}
		code := c.Keywords["code"]
		if code.IsNil() && len(c.Positional) == 2 {
			code = c.Positional[1]
		}
		if code.IsNil() {
			continue
		}
		meant, ok := httpStatus(p.Imports, code)
		if !ok {
			continue
		}
		name, answers, ok := exceptionStatus(p, f, c)
		if !ok || answers == meant {
			continue
		}
		p.Report(analyzer.Diagnostic{
			Range: analyzer.RangeOf(code),
			Message: fmt.Sprintf("`%s` is passed as `code` to `%s`: DRF's `code` is the error code in the answer's body, not its HTTP status, so the client gets %d, not %d",
				pyast.OneLine(code, 40), name, answers, meant),
			Help: fmt.Sprintf("raise a subclass with `status_code = %d` (or a DRF exception that answers %d), and keep `code` for a string such as \"conflict\"", meant, meant),
		})
	}
	return nil
}

// httpStatus reads an HTTP status: an integer literal from 100 to 599, or
// DRF's or the standard library's named status.
func httpStatus(im *pyast.Imports, n pyast.Node) (int, bool) {
	n = pyast.Unparen(n)
	if n.Type() == "integer" {
		v, err := strconv.Atoi(n.Text())
		return v, err == nil && v >= 100 && v <= 599
	}
	q, ok := im.Resolve(n)
	if !ok {
		return 0, false
	}
	for _, pre := range []string{"rest_framework.status.HTTP_", "http.HTTPStatus."} {
		rest, ok := strings.CutPrefix(q, pre)
		if !ok {
			continue
		}
		if pre == "rest_framework.status.HTTP_" && len(rest) >= 3 {
			v, err := strconv.Atoi(rest[:3])
			return v, err == nil && v >= 100 && v <= 599
		}
		if v, ok := namedStatus[rest]; ok {
			return v, true
		}
	}
	return 0, false
}

// namedStatus are http.HTTPStatus members often raised as errors.
var namedStatus = map[string]int{
	"BAD_REQUEST": 400, "UNAUTHORIZED": 401, "PAYMENT_REQUIRED": 402, "FORBIDDEN": 403, "NOT_FOUND": 404,
	"METHOD_NOT_ALLOWED": 405, "NOT_ACCEPTABLE": 406, "CONFLICT": 409, "GONE": 410, "PRECONDITION_FAILED": 412,
	"UNPROCESSABLE_ENTITY": 422, "LOCKED": 423, "TOO_MANY_REQUESTS": 429, "INTERNAL_SERVER_ERROR": 500,
	"BAD_GATEWAY": 502, "SERVICE_UNAVAILABLE": 503, "GATEWAY_TIMEOUT": 504,
}

// storesCodeAsStatus reports whether a project exception's __init__
// assigns its `code` parameter (or an expression of it) to
// `self.status_code`: that class reads `code` as the HTTP status, so a
// status passed there is what the client gets.
func storesCodeAsStatus(init *semantic.Func) bool {
	if len(init.Params) == 0 {
		return false
	}
	self := init.Params[0]
	for a := range pyast.FindEach(init.Node, "assignment") {
		left := a.ChildByField("left")
		if left.Type() != "attribute" || pyast.Dotted(left) != self+".status_code" {
			continue
		}
		for id := range pyast.FindEach(a.ChildByField("right"), "identifier") {
			if id.Text() == "code" {
				return true
			}
		}
	}
	return false
}

// exceptionStatus returns the name of the DRF exception class c builds and
// the status it answers with: DRF's own, or a project subclass's
// `status_code` (its own or inherited), when its __init__ (if it defines
// one) still takes `code`.
func exceptionStatus(p *analyzer.Pass, f *semantic.File, c pyast.Call) (string, int, bool) {
	if q, ok := p.Imports.Resolve(c.Func); ok {
		if s, ok := drfExceptionStatus[q]; ok {
			return pyast.Dotted(c.Func), s, true
		}
	}
	cls := f.M.ClassNamed(f, pyast.Dotted(c.Func))
	if cls == nil {
		return "", 0, false
	}
	if init := cls.Method("__init__"); init != nil && (!slices.Contains(init.Params, "code") || storesCodeAsStatus(init)) {
		return "", 0, false
	}
	for _, cc := range append([]*semantic.Class{cls}, cls.Bases()...) {
		if v, _ := cc.Attr("status_code"); !v.IsNil() {
			s, ok := httpStatus(cc.File.Unit.Imports, v)
			return cls.Name, s, ok
		}
		for _, b := range cc.BaseNames() {
			if s, ok := drfExceptionStatus[b]; ok {
				return cls.Name, s, true
			}
		}
	}
	return "", 0, false
}
