package httpclient_test

import (
	"testing"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/analyzertest"
	"github.com/rubric-dev/rubric/rules/httpclient"
)

const dir = "../../testdata/rules/httpclient"

func TestMissingTimeout(t *testing.T) {
	analyzertest.Run(t, dir, []*analyzer.Rule{httpclient.MissingTimeout}, "NET001.py", "NET001_ok.py")
}

func TestVerifyDisabled(t *testing.T) {
	analyzertest.Run(t, dir, []*analyzer.Rule{httpclient.VerifyDisabled}, "NET002.py", "NET002_ok.py")
}

func TestUncheckedResponse(t *testing.T) {
	analyzertest.Run(t, dir, []*analyzer.Rule{httpclient.UncheckedResponse}, "NET003.py", "NET003_ok.py")
}
