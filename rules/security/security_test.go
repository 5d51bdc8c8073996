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

func TestUnsignedWebhook(t *testing.T) {
	run(t, security.UnsignedWebhook, "SEC002.py", "SEC002_ok.py")
	analyzertest.RunTxtar(t, dir+"/SEC002.txtar", []*analyzer.Rule{security.UnsignedWebhook})
}

func TestReplayableWebhook(t *testing.T) {
	run(t, security.ReplayableWebhook, "SEC003.py", "SEC003_ok.py")
}

func TestUnboundedWebhookBody(t *testing.T) {
	run(t, security.UnboundedWebhookBody, "SEC004.py", "SEC004_ok.py")
	analyzertest.RunTxtar(t, dir+"/SEC004.txtar", []*analyzer.Rule{security.UnboundedWebhookBody})
	analyzertest.RunTxtar(t, dir+"/SEC004_ok.txtar", []*analyzer.Rule{security.UnboundedWebhookBody})
	analyzertest.RunTxtar(t, dir+"/SEC004_asgi.txtar", []*analyzer.Rule{security.UnboundedWebhookBody})
}

func TestSecretInLog(t *testing.T) {
	run(t, security.SecretInLog, "SEC005.py", "SEC005_ok.py")
}

func TestDebugEnabled(t *testing.T) {
	run(t, security.DebugEnabled, "SEC007.py", "SEC007_ok.py")
	analyzertest.RunTxtar(t, dir+"/SEC007_ok.txtar", []*analyzer.Rule{security.DebugEnabled})
}

func TestAllowedHostsWildcard(t *testing.T) {
	run(t, security.AllowedHostsWildcard, "SEC008.py", "SEC008_ok.py")
}

func TestHardcodedSecret(t *testing.T) {
	run(t, security.HardcodedSecret, "SEC006.py", "SEC006_ok.py")
	analyzertest.RunTxtar(t, dir+"/SEC006_ok.txtar", []*analyzer.Rule{security.HardcodedSecret})
}

func TestSQLFromStrings(t *testing.T) {
	run(t, security.SQLFromStrings, "SEC009.py", "SEC009_ok.py")
}

func TestUnsafeDeserialization(t *testing.T) {
	run(t, security.UnsafeDeserialization, "SEC010.py", "SEC010_ok.py")
	analyzertest.RunTxtar(t, dir+"/SEC010.txtar", []*analyzer.Rule{security.UnsafeDeserialization})
}

func TestModelFormAllFields(t *testing.T) {
	run(t, security.ModelFormAllFields, "SEC011.py", "SEC011_ok.py")
}

func TestTenantUnscopedQuery(t *testing.T) {
	run(t, security.TenantUnscopedQuery, "SEC012.py", "SEC012_ok.py")
}
