package all_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/analyzertest"
	"github.com/rubric-dev/rubric/analyzer/filter"
	"github.com/rubric-dev/rubric/rules/exceptions"
	"github.com/rubric-dev/rubric/rules/logs"
	"github.com/rubric-dev/rubric/rules/orm"
)

// LOG002 is one habit per file: the handlers of one file that log without
// the traceback are one finding in the reports, whatever functions they
// are in (session 22: the second and third were judged repeats).
func TestLOG002FoldsPerFile(t *testing.T) {
	res := analyzertest.RunTxtar(t, "../../testdata/rules/logs/LOG002_filehabit.txtar", []*analyzer.Rule{logs.ErrorWithoutTraceback})
	require.Len(t, res.Diagnostics, 4)
	got := filter.Collapse(res)
	require.Len(t, got, 2, "one finding for shop/tasks.py, one for shop/views.py")
	assert.Equal(t, "shop/tasks.py", got[0].Path)
	assert.Equal(t, "shop/views.py", got[1].Path)
	assert.Contains(t, got[1].Message, "(and 2 more like it in this file)")
	assert.Len(t, got[1].Related, 2)
}

// ERR004 is one habit per run: the generic raises of every file are one
// finding in the reports, at the first in path order (session 22: the
// second and third places were judged repeats).
func TestERR004FoldsPerRun(t *testing.T) {
	res := analyzertest.RunTxtar(t, "../../testdata/rules/exceptions/ERR004_habit.txtar", []*analyzer.Rule{exceptions.GenericRaise})
	require.Len(t, res.Diagnostics, 2)
	got := filter.Collapse(res)
	require.Len(t, got, 1)
	assert.Equal(t, "accounts/api.py", got[0].Path)
	assert.Contains(t, got[0].Message, "(and 1 more like it in the project)")
	require.Len(t, got[0].Related, 1)
	assert.Equal(t, "accounts/rates.py", got[0].Related[0].Path)
}

// ORM006 is one habit per file: a file's unbounded list views are one
// finding in the reports (session 22: the second and third views of a
// file were judged repeats of the first).
func TestORM006FoldsPerFile(t *testing.T) {
	res := analyzertest.RunTxtar(t, "../../testdata/rules/orm/ORM006_filehabit.txtar", []*analyzer.Rule{orm.UnboundedList})
	require.Len(t, res.Diagnostics, 3)
	got := filter.Collapse(res)
	require.Len(t, got, 2, "one finding for shop/reports.py, one for shop/views.py")
	assert.Equal(t, "shop/reports.py", got[0].Path)
	assert.Equal(t, "shop/views.py", got[1].Path)
	assert.Contains(t, got[1].Message, "(and 1 more like it in this file)")
}
