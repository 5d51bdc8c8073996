package celery_test

import (
	"testing"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/analyzertest"
	"github.com/rubric-dev/rubric/rules/celery"
)

const dir = "../../testdata/rules/celery"

func run(t *testing.T, r *analyzer.Rule, files ...string) {
	t.Helper()
	analyzertest.Run(t, dir, []*analyzer.Rule{r}, files...)
}

func TestModelArgument(t *testing.T) {
	run(t, celery.ModelArgument, "CEL001.py", "CEL001_ok.py")
}

func TestNoTimeLimit(t *testing.T) {
	run(t, celery.NoTimeLimit, "CEL002.py", "CEL002_ok.py")
	analyzertest.RunTxtar(t, dir+"/CEL002_ok.txtar", []*analyzer.Rule{celery.NoTimeLimit})
	analyzertest.RunTxtar(t, dir+"/CEL002.txtar", []*analyzer.Rule{celery.NoTimeLimit})
}

func TestExternalCallNoRetry(t *testing.T) {
	run(t, celery.ExternalCallNoRetry, "CEL003.py", "CEL003_ok.py")
}

func TestRetryWithoutBackoff(t *testing.T) {
	run(t, celery.RetryWithoutBackoff, "CEL004.py", "CEL004_ok.py")
}

func TestUnboundedRetries(t *testing.T) {
	run(t, celery.UnboundedRetries, "CEL005.py", "CEL005_ok.py")
}

func TestResultWaitInTask(t *testing.T) {
	run(t, celery.ResultWaitInTask, "CEL006.py", "CEL006_ok.py")
}

func TestDelayInLoop(t *testing.T) {
	run(t, celery.DelayInLoop, "CEL007.py", "CEL007_ok.py")
}
