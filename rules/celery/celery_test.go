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
