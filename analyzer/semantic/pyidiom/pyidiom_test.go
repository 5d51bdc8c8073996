package pyidiom

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

func parse(t *testing.T, src string) pyast.Node {
	t.Helper()
	tr, err := pyast.Parse([]byte(src))
	require.NoError(t, err)
	return tr.Root()
}

func TestDecodeHandler(t *testing.T) {
	root := parse(t, "try:\n    pass\nexcept (Exception, ValueError) as e:\n    pass\nexcept* OSError:\n    ...\nexcept:\n    return\n")
	cl := pyast.FindAll(root, "except_clause")
	require.Len(t, cl, 3)
	im := pyast.CollectImports(root)

	h := DecodeHandler(cl[0])
	assert.Equal(t, "e", h.Alias)
	assert.Len(t, h.Types, 2)
	assert.Equal(t, "Exception", h.BroadName(im))
	assert.True(t, h.OnlyTrivial())

	h = DecodeHandler(cl[1])
	assert.True(t, h.Star)
	assert.Equal(t, "OSError", h.TypeText())

	h = DecodeHandler(cl[2])
	assert.True(t, h.Bare())
	assert.Empty(t, h.BroadName(im))
}

// Python 3.14 (PEP 758) catches several classes without parentheses.
func TestDecodeHandlerUnparenthesised(t *testing.T) {
	root := parse(t, "try:\n    pass\nexcept ValueError, Exception:\n    pass\n")
	h := DecodeHandler(pyast.FindAll(root, "except_clause")[0])
	require.Len(t, h.Types, 2)
	assert.Equal(t, "Exception", h.BroadName(pyast.CollectImports(root)))
	assert.Empty(t, h.Alias)
}

func TestBroadShadowed(t *testing.T) {
	root := parse(t, "from app.errors import Exception\ntry:\n    pass\nexcept Exception:\n    pass\n")
	h := DecodeHandler(pyast.FindAll(root, "except_clause")[0])
	assert.Empty(t, h.BroadName(pyast.CollectImports(root)))
}

func TestCatchesOnly(t *testing.T) {
	for src, want := range map[string]string{
		"User.DoesNotExist":                       "miss",
		"(KeyError, IndexError)":                  "miss",
		"registry.does_not_exist_exception_class": "miss",
		"NoSuchJobError":                          "miss",
		"(ValueError, AddrFormatError)":           "value",
		"forms.ValidationError":                   "value",
		"requests.RequestException":               "",
		"(KeyError, IntegrityError)":              "",
	} {
		root := parse(t, "try:\n    pass\nexcept "+src+":\n    pass\n")
		h := DecodeHandler(pyast.FindAll(root, "except_clause")[0])
		assert.Equal(t, want == "miss", h.CatchesOnly("miss"), src)
		assert.Equal(t, want != "", h.CatchesOnly("miss", "value"), src)
	}
}

func TestLoggers(t *testing.T) {
	src := `import logging
import structlog
from loguru import logger as lg

log = logging.getLogger(__name__)
slog = structlog.get_logger()

class A:
    def __init__(self):
        self.audit = logging.getLogger("audit")

def f(response):
    log.info("a")
    slog.info("b")
    lg.info("c")
    logging.error("d")
    self.audit.warning("e")
    response.info("f")
    logger.debug("g")
    log.exception("h")
    log.error("i", exc_info=False)
`
	root := parse(t, src)
	l := NewLoggers(root, pyast.CollectImports(root))
	var kinds []LoggerKind
	var traced []bool
	for _, c := range pyast.FindAll(root, "call") {
		if lc, ok := l.Call(c); ok {
			kinds = append(kinds, lc.Kind)
			traced = append(traced, lc.WithTraceback())
		}
	}
	// logger.debug is taken by its conventional name; the file imports
	// structlog, so it is assumed to be structlog.
	assert.Equal(t, []LoggerKind{Stdlib, Structlog, Loguru, Stdlib, Stdlib, Structlog, Stdlib, Stdlib}, kinds)
	assert.Equal(t, []bool{false, false, false, false, false, false, true, false}, traced)
}

func TestStatusCode(t *testing.T) {
	root := parse(t, "f(409, status.HTTP_201_CREATED, HTTP_200_OK, code, HTTPStatus.CONFLICT, status.HTTP_X)\n")
	args := pyast.FindAll(root, "argument_list")[0].NamedChildren()
	want := []struct {
		n  int
		ok bool
	}{{409, true}, {201, true}, {200, true}, {0, false}, {0, false}, {0, false}}
	require.Len(t, args, len(want))
	for i, a := range args {
		n, ok := StatusCode(a)
		assert.Equal(t, want[i].ok, ok, a.Text())
		if ok {
			assert.Equal(t, want[i].n, n, a.Text())
		}
	}
}
