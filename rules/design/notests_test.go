package design_test

import (
	"testing"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/analyzertest"
	"github.com/rubric-dev/rubric/rules/design"
)

// TestNoTestsFromParentDir runs ARC005 on a project analysed from its
// parent directory, where display paths (`proj/tests/...`) differ from
// root-relative ones (`tests/...`): the project's tests must still be
// found, so its helper module named tests.py is not reported as a stub.
func TestNoTestsFromParentDir(t *testing.T) {
	dir, _ := analyzertest.Extract(t, "../../testdata/rules/design/ARC005_ok_subdir.txtar")
	res := analyzertest.Run(t, dir, []*analyzer.Rule{design.NoTests}, "proj")
	if len(res.Diagnostics) != 0 {
		t.Errorf("want no ARC005, got %d: %s", len(res.Diagnostics), res.Diagnostics[0].Message)
	}
}
