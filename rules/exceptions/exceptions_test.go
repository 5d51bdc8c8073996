package exceptions_test

import (
	"testing"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/analyzertest"
	"github.com/rubric-dev/rubric/rules/exceptions"
)

const dir = "../../testdata/rules/exceptions"

func TestBareExcept(t *testing.T) {
	analyzertest.Run(t, dir, []*analyzer.Rule{exceptions.BareExcept}, "ERR001.py", "ERR001_ok.py")
}
