package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func f(code, path string, line int, msg string) Finding {
	return Finding{Code: code, Path: path, Line: line, Message: msg}
}

func j(code, path string, line int, msg, verdict string) Judgement {
	jd := Judgement{Code: code, Path: path, Line: line, Message: msg, Verdict: verdict}
	if verdict == "noise" {
		jd.Noise = "repeat"
	}
	return jd
}

func hows(ms []Matched) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.How)
	}
	return out
}

func TestMatchFindingsPrefersTheExactKey(t *testing.T) {
	// Two verdicts at one spot, told apart by their message prefix only.
	js := []Judgement{
		j("LOG001", "a.py", 10, "f-string message in `logger.error", "noise"),
		j("LOG001", "a.py", 10, "f-string message in `logger.info", "true"),
	}
	ms, stale := MatchFindings([]Finding{f("LOG001", "a.py", 10, "f-string message in `logger.info(...)`: eager")}, js, 5)
	require.Len(t, ms, 1)
	assert.Equal(t, "exact", ms[0].How)
	assert.Equal(t, "true", ms[0].Judgement.Verdict)
	require.Len(t, stale, 1)
	assert.Equal(t, "noise", stale[0].Verdict)
}

func TestMatchFindingsSurvivesRewordingAndSmallMoves(t *testing.T) {
	js := []Judgement{
		j("NET001", "svc.py", 20, "`requests.post(...)` without `timeout=`", "true"),
		j("ORM006", "views.py", 40, "`JsonResponse` returns every", "true"),
	}
	fs := []Finding{
		f("NET001", "svc.py", 20, "HTTP call without a timeout: requests waits forever"), // reworded
		f("ORM006", "views.py", 43, "`JsonResponse` returns every `Wallet` row"),         // moved by 3
	}
	ms, stale := MatchFindings(fs, js, 5)
	assert.Equal(t, []string{"line", "near"}, hows(ms))
	assert.Empty(t, stale)
}

func TestMatchFindingsLeavesTheRestUnjudged(t *testing.T) {
	js := []Judgement{j("ERR002", "a.py", 10, "`except Exception`", "true")}
	fs := []Finding{
		f("ERR002", "a.py", 16, "`except Exception`"), // beyond the window of 5
		f("ERR001", "a.py", 10, "bare `except:`"),     // another rule at the judged line
		f("ERR002", "b.py", 10, "`except Exception`"), // another file
	}
	ms, stale := MatchFindings(fs, js, 5)
	assert.Equal(t, []string{"", "", ""}, hows(ms))
	assert.Len(t, stale, 1)
}

func TestMatchFindingsUsesEachJudgementOnceAndTheNearest(t *testing.T) {
	js := []Judgement{
		j("LOG003", "t.py", 10, "`print(...)`", "true"),
		j("LOG003", "t.py", 14, "`print(...)`", "noise"),
	}
	// Both findings are within the window of both judgements; each gets its nearest free one.
	fs := []Finding{f("LOG003", "t.py", 13, "`print(...)` in library code"), f("LOG003", "t.py", 11, "`print(...)` in library code")}
	ms, stale := MatchFindings(fs, js, 5)
	require.NotNil(t, ms[0].Judgement)
	require.NotNil(t, ms[1].Judgement)
	assert.Equal(t, 14, ms[0].Judgement.Line)
	assert.Equal(t, 10, ms[1].Judgement.Line)
	assert.Empty(t, stale)

	// A third finding at the same spot finds no judgement left.
	ms, _ = MatchFindings(append(fs, f("LOG003", "t.py", 12, "`print(...)`")), js, 5)
	assert.Nil(t, ms[2].Judgement)
}

func testKinds() *Kinds {
	return &Kinds{Window: 5, Kinds: map[string]Kind{
		"http-no-timeout": {Codes: []string{"NET001"}},
		"lost-update":     {},
		"unbounded-list":  {Codes: []string{"ORM006"}},
	}}
}

func TestDefectHits(t *testing.T) {
	kinds := testKinds()
	d := Defect{ID: "D1", Kind: "unbounded-list", Severity: "medium", Path: "views.py", Line: 30, Also: []string{"other.py:100"}}
	cases := []struct {
		name  string
		m     Matched
		found bool
	}{
		{"mapped rule within the window", Matched{Finding: f("ORM006", "views.py", 35, "")}, true},
		{"mapped rule just outside", Matched{Finding: f("ORM006", "views.py", 36, "")}, false},
		{"mapped rule at an also location", Matched{Finding: f("ORM006", "other.py", 98, "")}, true},
		{"mapped rule in another file", Matched{Finding: f("ORM006", "urls.py", 30, "")}, false},
		{"unmapped rule on the line", Matched{Finding: f("NET001", "views.py", 30, "")}, false},
		{"mapped rule judged noise still points at it", Matched{Finding: f("ORM006", "views.py", 30, ""), Judgement: &Judgement{Verdict: "noise"}}, true},
		{"mapped rule judged wrong does not", Matched{Finding: f("ORM006", "views.py", 30, ""), Judgement: &Judgement{Verdict: "wrong"}}, false},
		{"a repeat folded into a finding elsewhere", Matched{Finding: withRelated(f("ORM006", "views.py", 90, ""), "views.py", 31, "also ORM006: list of every row")}, true},
		{"evidence the finding cites as a related location", Matched{Finding: withRelated(f("ORM006", "views.py", 90, ""), "views.py", 31, "queryset built here")}, true},
		{"a repeat of another rule", Matched{Finding: withRelated(f("ORM006", "views.py", 90, ""), "views.py", 31, "also ORM007: no index")}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.found, len(DefectHits(d, []Matched{c.m}, kinds)) > 0)
		})
	}
	// A kind no rule finds yet is never found.
	lost := Defect{ID: "D2", Kind: "lost-update", Severity: "high", Path: "views.py", Line: 30}
	assert.Empty(t, DefectHits(lost, []Matched{{Finding: f("ORM006", "views.py", 30, "")}}, kinds))
}

func TestScoreAndSummarize(t *testing.T) {
	kinds := testKinds()
	a := &Submission{
		Slug: "o+a",
		Defects: []Defect{
			{ID: "D1", Kind: "http-no-timeout", Severity: "high", Path: "t.py", Line: 15},
			{ID: "D2", Kind: "lost-update", Severity: "high", Path: "m.py", Line: 5},
			{ID: "D3", Kind: "unbounded-list", Severity: "medium", Path: "v.py", Line: 30},
		},
		Findings: []Judgement{
			j("NET001", "t.py", 15, "`requests.post(...)`", "true"),
			j("ORM006", "v.py", 30, "returns every", "wrong"),
			j("LOG003", "t.py", 14, "`print(...)`", "noise"),
		},
	}
	ra := Score(a, []Finding{
		f("NET001", "t.py", 15, "`requests.post(...)` without"),
		f("ORM006", "v.py", 30, "returns every row"),
		f("LOG003", "t.py", 14, "`print(...)` in library code"),
		f("SEC006", "settings.py", 3, "hard-coded secret"), // new: unjudged
	}, kinds)
	skipped := &SubmissionResult{Slug: "o+b", Skipped: "no clone"}
	sum := Summarize([]*SubmissionResult{ra, skipped})

	assert.Equal(t, RuleStats{Code: "all", Findings: 4, True: 1, Noise: 1, Wrong: 1, Unjudged: 1, NoiseBy: map[string]int{"repeat": 1}}, sum.Overall)
	p, ok := sum.Overall.Precision()
	require.True(t, ok)
	assert.InDelta(t, 1.0/3, p, 1e-9)

	require.Len(t, sum.Rules, 4)
	assert.Equal(t, []string{"LOG003", "NET001", "ORM006", "SEC006"}, []string{sum.Rules[0].Code, sum.Rules[1].Code, sum.Rules[2].Code, sum.Rules[3].Code})
	_, ok = sum.Rules[3].Precision()
	assert.False(t, ok, "a rule with no judged finding has no precision")

	require.Len(t, sum.Unjudged, 1)
	assert.Equal(t, "SEC006", sum.Unjudged[0].Finding.Code)

	// D1 found; D2 has no rule; D3's only nearby finding was judged wrong.
	assert.Equal(t, Recall{Key: "all", Labelled: 3, Found: 1}, sum.AllDefects)
	require.Len(t, sum.BySeverity, 2)
	assert.Equal(t, Recall{Key: "high", Labelled: 2, Found: 1}, *sum.BySeverity[0])
	assert.Equal(t, Recall{Key: "medium", Labelled: 1, Found: 0}, *sum.BySeverity[1])
	require.Len(t, sum.Missed, 2)
	assert.Equal(t, "D2", sum.Missed[0].Defect.ID, "high-severity misses first")
	assert.Equal(t, "D3", sum.Missed[1].Defect.ID)
}

func TestMessagePrefix(t *testing.T) {
	assert.Equal(t, "short", messagePrefix("short"))
	long := "`JsonResponse` returns every `Transaction` row in `trancs`: the response grows with the table"
	p := messagePrefix(long)
	assert.LessOrEqual(t, len([]rune(p)), 60)
	assert.True(t, len(p) > 30 && long[:len(p)] == p)
	assert.NotEqual(t, ' ', p[len(p)-1])
}

func withRelated(x Finding, path string, line int, msg string) Finding {
	x.Related = append(x.Related, Related{Path: path, Line: line, Message: msg})
	return x
}
