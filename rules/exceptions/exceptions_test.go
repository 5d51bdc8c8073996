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

func TestBroadExcept(t *testing.T) {
	analyzertest.Run(t, dir, []*analyzer.Rule{exceptions.BroadExcept}, "ERR002.py", "ERR002_ok.py")
}

func TestSwallowed(t *testing.T) {
	analyzertest.Run(t, dir, []*analyzer.Rule{exceptions.Swallowed}, "ERR003.py", "ERR003_ok.py")
}

func TestGenericRaise(t *testing.T) {
	analyzertest.Run(t, dir, []*analyzer.Rule{exceptions.GenericRaise}, "ERR004.py", "ERR004_ok.py")
}

func TestRaiseWithoutFrom(t *testing.T) {
	analyzertest.Run(t, dir, []*analyzer.Rule{exceptions.RaiseWithoutFrom}, "ERR005.py", "ERR005_ok.py")
}

func TestSilentNone(t *testing.T) {
	analyzertest.Run(t, dir, []*analyzer.Rule{exceptions.SilentNone}, "ERR006.py", "ERR006_ok.py")
}
