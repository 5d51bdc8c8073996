package pyidiom

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

func TestBreadth(t *testing.T) {
	for src, want := range map[string]Breadth{
		"except:\n    log()\n":                       Broad,
		"except Exception:\n    log()\n":             Broad,
		"except (KeyError, BaseException):\n    x\n": Broad,
		"except errors()[0]:\n    log()\n":           Broad,
		"except KeyError:\n    return None\n":        Specific,
		"except KeyError:\n    pass\n":               SwallowedSpecific,
		"except (KeyError, OSError):\n    ...\n":     SwallowedSpecific,
	} {
		root := parse(t, "try:\n    pass\n"+src)
		cl := pyast.FindAll(root, "except_clause")
		require.Len(t, cl, 1, src)
		assert.Equal(t, want, DecodeHandler(cl[0]).Breadth(pyast.CollectImports(root)), src)
	}
}

func TestLogCallStructured(t *testing.T) {
	for src, want := range map[string]bool{
		"import logging\nlogger = logging.getLogger(__name__)\nlogger.info('paid', extra={'order': 1})\n": true,
		"import logging\nlogger = logging.getLogger(__name__)\nlogger.info('paid %s', order)\n":           false,
		"import structlog\nlog = structlog.get_logger()\nlog.info('paid', order_id=1)\n":                  true,
		"import structlog\nlog = structlog.get_logger()\nlog.info('paid', exc_info=True)\n":               false,
	} {
		root := parse(t, src)
		l := NewLoggers(root, pyast.CollectImports(root))
		calls := pyast.FindAll(root, "call")
		lc, ok := l.Call(calls[len(calls)-1])
		require.True(t, ok, src)
		assert.Equal(t, want, lc.Structured(), src)
	}
	root := parse(t, "import structlog.stdlib\n")
	assert.True(t, NewLoggers(root, pyast.CollectImports(root)).StructlogImported())
}

// Celery's task loggers and names ending like a logger's are loggers.
func TestLoggerNames(t *testing.T) {
	for src, want := range map[string]bool{
		"from celery.utils.log import get_task_logger\ntask_log = get_task_logger(__name__)\ntask_log.info('x')\n": true,
		"from social_core.utils import social_logger\nsocial_logger.error('x')\n":                                  true,
		"self.audit_log.warning('x')\n": true,
		"catalog.info('x')\n":           false,
	} {
		root := parse(t, src)
		calls := pyast.FindAll(root, "call")
		_, ok := NewLoggers(root, pyast.CollectImports(root)).Call(calls[len(calls)-1])
		assert.Equal(t, want, ok, src)
	}
}

func TestFunctionFacts(t *testing.T) {
	root := parse(t, `class Service:
    def __init__(self, http_client, timeout: int):
        """Builds it."""

    def charge(self, amount: int) -> None:
        pass

def view(request, pk):
    pass
`)
	defs := pyast.FindAll(root, "function_definition")
	require.Len(t, defs, 3)
	assert.True(t, InjectsDependencies(defs[0]))
	assert.True(t, HasDocstring(defs[0]))
	assert.False(t, FullyTyped(defs[0], true))
	assert.True(t, FullyTyped(defs[1], true))
	assert.False(t, InjectsDependencies(defs[1]))
	assert.True(t, TakesRequest(defs[2], false))
	assert.False(t, TakesRequest(defs[1], true))
	assert.Equal(t, []Param{{Name: "request"}, {Name: "pk"}}, Params(defs[2]))
}

func TestTestFacts(t *testing.T) {
	root := parse(t, `from unittest import mock
from rest_framework.test import APITestCase
from django.test import TestCase

class A(APITestCase):
    def test_a(self):
        with mock.patch("app.services.requests.post"):
            pass

class B(TestCase):
    def test_b(self):
        self.assertNumQueries(3)

def test_c(requests_mock):
    def helper():
        pass
`)
	im := pyast.CollectImports(root)
	resolve := func(n pyast.Node) string {
		if q, ok := im.Resolve(n); ok {
			return q
		}
		return pyast.Dotted(n)
	}
	var got []TestFramework
	for _, d := range pyast.FindAll(root, "function_definition") {
		if TestFunction(d) {
			got = append(got, FrameworkOf(pyast.EnclosingClass(d), resolve))
		}
	}
	assert.Equal(t, []TestFramework{DRFTests, DjangoTests, Pytest}, got)
	c, _ := pyast.AsCall(pyast.FindAll(root, "call")[0])
	assert.True(t, IsPatch(resolve(c.Func), c.MethodName(), pyast.Dotted(c.Receiver())))
	assert.Equal(t, "app.services.requests.post", PatchedHTTPTarget(c))
	assert.True(t, HTTPMockModule("responses.matchers"))
	assert.False(t, HTTPMockModule("responsesx"))
	assert.True(t, HTTPMockFixture("requests_mock"))
	assert.True(t, QueryCountAssertion("assertNumQueries"))
	assert.True(t, QueryCountFixture("django_assert_num_queries"))
}

func TestPrintAsLog(t *testing.T) {
	root := parse(t, `def pay():
    print("paid")

def show_report():
    print("report")

def save(f):
    print("x", file=f)
    print("oops", file=sys.stderr)
    logger.print("x")
`)
	var got []bool
	for _, n := range pyast.FindAll(root, "call") {
		got = append(got, PrintAsLog(n))
	}
	assert.Equal(t, []bool{true, false, false, true, false}, got)
}
