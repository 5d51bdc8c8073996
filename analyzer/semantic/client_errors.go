package semantic

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// clientErrorClasses are the exceptions Django and DRF turn into a 4xx
// answer: raising one reports an expected failure to the caller by name
// (a 400, 403 or 404), not as a 500.
var clientErrorClasses = map[string]bool{
	"django.core.exceptions.ValidationError":     true,
	"django.core.exceptions.PermissionDenied":    true,
	"django.core.exceptions.SuspiciousOperation": true,
	"django.http.Http404":                        true,
	"rest_framework.serializers.ValidationError": true,
}

// ClientError returns the qualified name of a Django or DRF exception that
// answers the caller with a 4xx, when n (a raise's exception or a call's
// function) names one through the file's imports: Django's ValidationError,
// PermissionDenied, SuspiciousOperation and Http404, and every class of
// rest_framework.exceptions (ValidationError, NotFound, PermissionDenied,
// APIException...). Otherwise "".
func ClientError(im *pyast.Imports, n pyast.Node) string {
	if c, ok := pyast.AsCall(n); ok {
		n = c.Func
	}
	q, ok := im.Resolve(n)
	if !ok {
		return ""
	}
	if clientErrorClasses[q] || strings.HasPrefix(q, "rest_framework.exceptions.") && strings.Count(q, ".") == 2 {
		return q
	}
	return ""
}

// RaisesInvalid reports `serializer.is_valid(raise_exception=True)`: DRF
// answers invalid input with a 400 naming the fields.
func RaisesInvalid(c pyast.Call) bool {
	if c.MethodName() != "is_valid" {
		return false
	}
	v := c.Keywords["raise_exception"]
	return !v.IsNil() && v.Text() == "True"
}
