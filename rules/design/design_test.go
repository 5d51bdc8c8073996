package design_test

import (
	"testing"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/analyzertest"
	"github.com/rubric-dev/rubric/rules/design"
)

const dir = "../../testdata/rules/design"

func TestSettingsInService(t *testing.T) {
	analyzertest.Run(t, dir, []*analyzer.Rule{design.SettingsInService}, "ARC001.py", "ARC001_ok.py")
}

func TestDirectHTTPInService(t *testing.T) {
	analyzertest.Run(t, dir, []*analyzer.Rule{design.DirectHTTPInService}, "ARC002.py", "ARC002_ok.py")
}

func TestImportTimeClient(t *testing.T) {
	analyzertest.Run(t, dir, []*analyzer.Rule{design.ImportTimeClient}, "ARC003.py", "ARC003_ok.py")
}

func TestMixedConcerns(t *testing.T) {
	analyzertest.Run(t, dir, []*analyzer.Rule{design.MixedConcerns}, "ARC004.py", "ARC004_ok.py")
}
