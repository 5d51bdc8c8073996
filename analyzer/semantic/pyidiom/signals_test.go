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
