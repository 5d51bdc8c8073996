package idempotency_test

import (
	"testing"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/analyzertest"
	"github.com/rubric-dev/rubric/rules/idempotency"
)

const dir = "../../testdata/rules/idempotency"

func TestPaymentWithoutKey(t *testing.T) {
	analyzertest.Run(t, dir, []*analyzer.Rule{idempotency.PaymentWithoutKey}, "IDM001.py", "IDM001_ok.py")
}

func TestWebhookWithoutDedup(t *testing.T) {
	analyzertest.Run(t, dir, []*analyzer.Rule{idempotency.WebhookWithoutDedup}, "IDM002.py", "IDM002_ok.py")
}

func TestRetriedTaskCreates(t *testing.T) {
	analyzertest.Run(t, dir, []*analyzer.Rule{idempotency.RetriedTaskCreates}, "IDM003.py", "IDM003_ok.py")
}
