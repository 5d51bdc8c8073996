package design_test

import (
	"path/filepath"
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

// TestNoTestsReportedFromParentDir runs ARC005's firing fixture from the
// parent of the project's directory: the finding must land on the stub's
// display path (its want is checked there) and name it as the project
// sees it.
func TestNoTestsReportedFromParentDir(t *testing.T) {
	dir, _ := analyzertest.Extract(t, "../../testdata/rules/design/ARC005.txtar")
	res := analyzertest.Run(t, filepath.Dir(dir), []*analyzer.Rule{design.NoTests}, filepath.Base(dir))
	if len(res.Diagnostics) != 1 {
		t.Fatalf("want one ARC005, got %d", len(res.Diagnostics))
	}
	d := res.Diagnostics[0]
	if want := filepath.Base(dir) + "/payments/tests.py"; d.Path != want || d.End == 0 {
		t.Errorf("ARC005 at %s [%d, %d), want %s with its first line", d.Path, d.Start, d.End, want)
	}
}
