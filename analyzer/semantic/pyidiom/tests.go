package pyidiom

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// This file recognises what tests do: which framework runs them, whether
// they mock HTTP and whether they pin query counts. No rule asks yet; the
// reviewer checklist's tests.* signals read it.

// httpMockModules are libraries that fake HTTP in tests.
var httpMockModules = []string{"responses", "requests_mock", "httpretty", "respx", "pytest_httpx", "vcr", "betamax"}

// HTTPMockModule reports whether module m (as imported) is an HTTP mocking
// library or one of its submodules.
func HTTPMockModule(m string) bool {
	for _, x := range httpMockModules {
		if m == x || strings.HasPrefix(m, x+".") {
			return true
		}
	}
	return false
}

// HTTPMockFixture reports a pytest fixture parameter that mocks HTTP
// (requests-mock's requests_mock, pytest-httpx's httpx_mock, respx_mock).
func HTTPMockFixture(param string) bool {
	return param == "requests_mock" || param == "httpx_mock" || param == "respx_mock"
}

// QueryCountFixture reports a name that pins a query count in pytest-django
// (django_assert_num_queries, django_assert_max_num_queries) or Django
// (CaptureQueriesContext).
func QueryCountFixture(name string) bool {
	return name == "django_assert_num_queries" || name == "django_assert_max_num_queries" || name == "CaptureQueriesContext"
}

// QueryCountAssertion reports a TestCase method that pins a query count.
func QueryCountAssertion(method string) bool {
	return method == "assertNumQueries" || method == "assertMaxNumQueries"
}

// IsPatch recognises unittest.mock.patch, patch.object and pytest-mock's
// mocker.patch: q is the resolved callee, method its last name and recv
// the receiver as written.
func IsPatch(q, method, recv string) bool {
	switch q {
	case "unittest.mock.patch", "unittest.mock.patch.object", "mock.patch", "mock.patch.object":
		return true
	}
	return method == "patch" && recv == "mocker" || method == "object" && strings.HasSuffix(recv, "patch")
}

// PatchedHTTPTarget returns the target of a patch call when it looks like
// an HTTP library, a client or a session ("app.services.requests.post",
// patch.object(client, "post")); "" otherwise.
func PatchedHTTPTarget(call pyast.Call) string {
	first := call.Arg(0, "target")
	if first.IsNil() {
		return ""
	}
	t, ok := pyast.StringValue(first)
	if !ok {
		t = first.Text()
	}
	low := strings.ToLower(t)
	for _, w := range []string{"requests", "httpx", "urllib", "aiohttp", "client", "session", "urlopen"} {
		if strings.Contains(low, w) {
			return t
		}
	}
	if len(call.Positional) > 1 { // patch.object(obj, "attr")
		if a, ok := pyast.StringValue(call.Positional[1]); ok {
			low = strings.ToLower(a)
			for _, w := range []string{"post", "get", "put", "patch", "request", "send", "client", "session"} {
				if strings.Contains(low, w) {
					return a
				}
			}
		}
	}
	return ""
}

// TestFramework is what runs a test function.
type TestFramework string

// Test frameworks.
const (
	Pytest      TestFramework = "pytest"
	DjangoTests TestFramework = "django"
	DRFTests    TestFramework = "drf"
)

// TestFunction reports whether def is a test: a function or method named
// test*, not nested in another function.
func TestFunction(def pyast.Node) bool {
	return strings.HasPrefix(pyast.DefName(def), "test") && pyast.EnclosingFunction(def.Parent()).IsNil()
}

// FrameworkOf says which framework runs the tests of class cls (zero for
// module-level tests): DRF's APITestCase family, Django's TestCase family,
// else pytest. resolve gives a base's qualified name.
func FrameworkOf(cls pyast.Node, resolve func(pyast.Node) string) TestFramework {
	if cls.IsNil() {
		return Pytest
	}
	for b := range cls.ChildByField("superclasses").Named() {
		q := resolve(b)
		switch {
		case strings.HasPrefix(q, "rest_framework.") || strings.HasSuffix(q, "APITestCase") || strings.HasSuffix(q, "APITransactionTestCase"):
			return DRFTests
		case strings.HasPrefix(q, "django.") || strings.HasSuffix(q, "TestCase"):
			return DjangoTests
		}
	}
	return Pytest
}
