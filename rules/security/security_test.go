package security_test

import (
	"testing"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/analyzertest"
	"github.com/rubric-dev/rubric/rules/security"
)

const dir = "../../testdata/rules/security"

func run(t *testing.T, r *analyzer.Rule, files ...string) {
	t.Helper()
	analyzertest.Run(t, dir, []*analyzer.Rule{r}, files...)
}

func TestCompareDigest(t *testing.T) {
	run(t, security.CompareDigest, "SEC001.py", "SEC001_ok.py")
	analyzertest.RunTxtar(t, dir+"/SEC001.txtar", []*analyzer.Rule{security.CompareDigest})
}
