package logs_test

import (
	"testing"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/analyzertest"
	"github.com/rubric-dev/rubric/rules/logs"
)

const dir = "../../testdata/rules/logs"

func TestEagerFormat(t *testing.T) {
	analyzertest.Run(t, dir, []*analyzer.Rule{logs.EagerFormat}, "LOG001.py", "LOG001_ok.py")
	analyzertest.RunTxtar(t, dir+"/LOG001.txtar", []*analyzer.Rule{logs.EagerFormat})
}

func TestErrorWithoutTraceback(t *testing.T) {
	analyzertest.Run(t, dir, []*analyzer.Rule{logs.ErrorWithoutTraceback}, "LOG002.py", "LOG002_ok.py")
	analyzertest.RunTxtar(t, dir+"/LOG002.txtar", []*analyzer.Rule{logs.ErrorWithoutTraceback})
}

func TestPrintAsLog(t *testing.T) {
	analyzertest.RunTxtar(t, dir+"/LOG003.txtar", []*analyzer.Rule{logs.PrintAsLog})
	analyzertest.RunTxtar(t, dir+"/LOG003_ok.txtar", []*analyzer.Rule{logs.PrintAsLog})
}
