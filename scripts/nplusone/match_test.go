package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rubricJSON is shaped like `rubric check --format json` output.
const rubricJSON = `{
  "version": "0.1.0",
  "diagnostics": [
    {"code": "ORM001", "path": "shop/views.py", "line": 12, "column": 9, "end_line": 12, "end_column": 30,
     "message": "` + "`order.customer`" + ` per row",
     "related": [{"path": "shop/models.py", "line": 40, "column": 5, "message": "the FK"}]},
    {"code": "ORM003", "path": "shop/tasks.py", "line": 5, "end_line": 7, "message": "query in loop",
     "related": [{"path": "shop/views.py", "line": 13, "column": 5, "message": "called from here"}]},
    {"code": "ERR001", "path": "shop/views.py", "line": 12, "end_line": 12, "message": "bare except"}
  ],
  "summary": {"findings": 3}
}`

func parse(t *testing.T, codes ...string) []Finding {
	t.Helper()
	fs, err := ParseFindings(strings.NewReader(rubricJSON), codes)
	require.NoError(t, err)
	return fs
}

func TestParseFindingsKeepsSelectedCodes(t *testing.T) {
	fs := parse(t, "ORM001", "ORM003")
	require.Len(t, fs, 2)
	assert.Equal(t, "ORM001", fs[0].Code)
	assert.Equal(t, "shop/models.py", fs[0].Related[0].Path)
	assert.Len(t, parse(t, "ORM"), 2, "a family prefix selects the family")
	assert.Len(t, parse(t, "ORM002"), 0)

	_, err := ParseFindings(strings.NewReader("not json"), []string{"ORM"})
	assert.Error(t, err)
}

func TestOverlaps(t *testing.T) {
	r := Range{File: "a.py", Lines: [2]int{10, 12}}
	assert.True(t, r.Overlaps("a.py", 12, 14))
	assert.True(t, r.Overlaps("a.py", 8, 10))
	assert.True(t, r.Overlaps("a.py", 11, 0), "a missing end line is the start line")
	assert.False(t, r.Overlaps("a.py", 13, 20))
	assert.False(t, r.Overlaps("a.py", 1, 9))
	assert.False(t, r.Overlaps("b.py", 10, 12))
}

func testCase() Case {
	return Case{
		ID: "shop-order-customer", Repo: "acme/shop", Kind: []string{"plain-loop"},
		Access:      Range{File: "shop/views.py", Lines: [2]int{12, 12}},
		Loop:        Range{File: "shop/views.py", Lines: [2]int{10, 13}},
		FixedAccess: Range{File: "shop/views.py", Lines: [2]int{13, 13}},
	}
}

func TestJudgeCaseFoundAtAccessAndCleared(t *testing.T) {
	k := testCase()
	after := []Finding{{Code: "ORM001", Path: "shop/views.py", Line: 40, EndLine: 40}} // elsewhere
	r := JudgeCase(k, parse(t, "ORM"), after)
	assert.True(t, r.Found)
	assert.Equal(t, "access", r.Via)
	assert.True(t, r.Cleared)
	assert.Empty(t, r.After)
}

func TestJudgeCaseFoundThroughLoopOrRelated(t *testing.T) {
	k := testCase()
	k.Access = Range{File: "shop/tasks.py", Lines: [2]int{20, 20}}
	r := JudgeCase(k, parse(t, "ORM"), nil)
	require.True(t, r.Found)
	// ORM001 at line 12 is inside the loop; ORM003 reaches the loop only
	// through its related location; the primary hit sorts first.
	assert.Equal(t, "loop", r.Via)
	require.Len(t, r.Before, 2)
	assert.Equal(t, "related-loop", r.Before[1].Where)

	k.Loop = Range{File: "shop/models.py", Lines: [2]int{1, 2}}
	k.Access = Range{File: "shop/models.py", Lines: [2]int{40, 41}}
	r = JudgeCase(k, parse(t, "ORM"), nil)
	require.True(t, r.Found)
	assert.Equal(t, "related-access", r.Via)
}

func TestJudgeCaseAnotherLoopOnASharedAccess(t *testing.T) {
	// The access (a model's field read by many loops) is touched by a
	// finding whose loop is in shop/views.py; the case's loop is elsewhere.
	k := testCase()
	k.Loop = Range{File: "shop/other.py", Lines: [2]int{1, 2}}
	k.Access = Range{File: "shop/models.py", Lines: [2]int{40, 41}}
	k.FixedAccess = k.Access
	r := JudgeCase(k, parse(t, "ORM"), parse(t, "ORM"))
	assert.False(t, r.Found, "a finding about another loop does not find the case")
	require.Len(t, r.Elsewhere, 1)
	assert.Equal(t, "ORM001", r.Elsewhere[0].Code)
	assert.True(t, r.Cleared, "nor does it keep the fix from clearing it")
	require.Len(t, r.ElsewhereAfter, 1)
}

func TestJudgeCaseNotClearedWhenTheFixStillFires(t *testing.T) {
	k := testCase()
	after := []Finding{{Code: "ORM001", Path: "shop/views.py", Line: 13, EndLine: 13, Message: "still"}}
	r := JudgeCase(k, parse(t, "ORM"), after)
	assert.True(t, r.Found)
	assert.False(t, r.Cleared)
	require.Len(t, r.After, 1)
	assert.Equal(t, "still", r.After[0].Message)
}

func TestJudgeCaseMissed(t *testing.T) {
	k := testCase()
	k.Access.File, k.Loop.File = "shop/admin.py", "shop/admin.py"
	r := JudgeCase(k, parse(t, "ORM"), nil)
	assert.False(t, r.Found)
	assert.Empty(t, r.Via)
}

func TestJudgeClean(t *testing.T) {
	fs := parse(t, "ORM")
	alarm := JudgeClean(Clean{ID: "c1", Range: Range{File: "shop/tasks.py", Lines: [2]int{6, 6}}}, fs)
	require.Len(t, alarm.Alarms, 1)
	assert.Equal(t, "ORM003", alarm.Alarms[0].Code)
	quiet := JudgeClean(Clean{ID: "c2", Range: Range{File: "shop/tasks.py", Lines: [2]int{8, 9}}}, fs)
	assert.Empty(t, quiet.Alarms)
}

func TestSummarise(t *testing.T) {
	cases := []CaseResult{
		{ID: "a", Repo: "x/y", Kind: []string{"plain-loop", "admin"}, Found: true, Cleared: true},
		{ID: "b", Repo: "x/y", Kind: []string{"plain-loop"}, Found: true, Cleared: false},
		{ID: "c", Repo: "x/z", Kind: []string{"template"}, Found: false, Cleared: true},
		{ID: "d", Repo: "x/z", Kind: []string{"template"}, Error: "no clone"},
	}
	clean := []CleanResult{{ID: "k1"}, {ID: "k2", Alarms: []Hit{{Code: "ORM001"}}}, {ID: "k3", Error: "boom"}}
	tot := Summarise(cases, clean)
	assert.Equal(t, Tally{Cases: 4, Found: 2, Cleared: 1, Errors: 1, FixQuiet: 2}, tot.Overall)
	assert.Equal(t, Tally{Cases: 2, Found: 2, Cleared: 1, FixQuiet: 1}, tot.ByKind["plain-loop"])
	assert.Equal(t, Tally{Cases: 1, Found: 1, Cleared: 1, FixQuiet: 1}, tot.ByKind["admin"])
	assert.Equal(t, Tally{Cases: 2, Errors: 1, FixQuiet: 1}, tot.ByKind["template"])
	assert.Equal(t, 3, tot.CleanLoops)
	assert.Equal(t, 1, tot.FalseAlarms)
	assert.Equal(t, 1, tot.CleanErrors)

	var sb strings.Builder
	require.NoError(t, PrintTable(&sb, cases, clean, tot))
	assert.Contains(t, sb.String(), "OVERALL")
	assert.Regexp(t, `kind plain-loop\s+2\s+2\s+100%\s+1\s+50%`, sb.String())
	assert.Regexp(t, `clean loops\s+3\s+false alarms\s+1`, sb.String())
}

func TestTopScope(t *testing.T) {
	src := strings.Split(`import x

@register(A)
class AView(Base):
    serializer_class = S

    def get_queryset(self):
        return A.objects.all()


class BView(Base):
    serializer_class = S
urlpatterns = []

async def f():
    pass
`, "\n")
	assert.Equal(t, "", TopScope(src, 1))
	assert.Equal(t, "AView", TopScope(src, 5))
	assert.Equal(t, "AView", TopScope(src, 8))
	assert.Equal(t, "AView", TopScope(src, 9), "a blank line stays in the class")
	assert.Equal(t, "BView", TopScope(src, 12))
	assert.Equal(t, "", TopScope(src, 13), "module-level code after a class")
	assert.Equal(t, "f", TopScope(src, 16))
}

func TestJudgeCaseClearedWhenAnotherViewOfTheFileStillFires(t *testing.T) {
	// The loop is AView's queryset; at the fix, BView (same file, same
	// shared serializer line) is still reported: AView's fix cleared it.
	k := testCase()
	k.Loop = Range{File: "shop/api.py", Lines: [2]int{5, 5}}
	k.Access = Range{File: "shop/serializers.py", Lines: [2]int{3, 3}}
	k.FixedAccess = k.Access
	parent := func(path string, line int) string {
		if path == "shop/api.py" && line < 10 {
			return "AView"
		}
		return "BView"
	}
	fix := parent
	bview := Finding{Code: "ORM008", Path: "shop/api.py", Line: 12, EndLine: 12}
	bview.Related = append(bview.Related, struct {
		Path string `json:"path"`
		Line int    `json:"line"`
	}{"shop/serializers.py", 3})
	aview := bview
	aview.Line, aview.EndLine = 5, 5

	r := JudgeCaseIn(k, []Finding{aview, bview}, []Finding{bview}, parent, fix)
	assert.True(t, r.Found)
	assert.True(t, r.Cleared, "BView's finding is another view's")
	require.Len(t, r.ElsewhereAfter, 1)

	r = JudgeCaseIn(k, []Finding{aview}, []Finding{aview}, parent, fix)
	assert.False(t, r.Cleared, "AView still reported at the fix")

	r = JudgeCase(k, []Finding{aview, bview}, []Finding{bview})
	assert.False(t, r.Cleared, "without scopes the file decides")
}
