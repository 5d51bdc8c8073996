package resilience_test

import (
	"testing"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/analyzertest"
	"github.com/rubric-dev/rubric/rules/resilience"
)

const dir = "../../testdata/rules/resilience"

func TestNoRetryPolicy(t *testing.T) {
	analyzertest.Run(t, dir, []*analyzer.Rule{resilience.NoRetryPolicy}, "NET004.py", "NET004_ok.py")
}

func TestNoCircuitBreaker(t *testing.T) {
	rules := []*analyzer.Rule{resilience.NoCircuitBreaker}
	analyzertest.RunTxtar(t, dir+"/NET005.txtar", rules)
	analyzertest.RunTxtar(t, dir+"/NET005_ok.txtar", rules)
	analyzertest.RunTxtar(t, dir+"/NET005_ok_handrolled.txtar", rules)
}

func TestStatusOnly200(t *testing.T) {
	analyzertest.Run(t, dir, []*analyzer.Rule{resilience.StatusOnly200}, "NET006.py", "NET006_ok.py")
}
