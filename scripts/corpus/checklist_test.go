package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNormalizeStatus(t *testing.T) {
	for in, want := range map[string]string{
		"met": stMet, "Not met": stNotMet, "not_met": stNotMet, "not observed": stNotObserved,
		"needs a human": stHuman, "Not applicable": stNA, "n/a": stNA, "weird": "weird",
	} {
		assert.Equal(t, want, NormalizeStatus(in), in)
	}
}

func TestCompareChecklist(t *testing.T) {
	labels := []ItemLabel{
		{Item: "timeouts", State: "met"},
		{Item: "retries", State: "not-observed"},
		{Item: "idempotency", State: "not-met"},
		{Item: "pagination", State: "met"},
		{Item: "indexes", State: "n/a"},
		{Item: "tests-present", State: "met"},
		{Item: "caching", State: "not-met"},
		{Item: "money-decimal", State: "met"},
		{Item: "transactions", State: "n/a"},
	}
	rubric := map[string]string{
		"timeouts":      stMet,
		"retries":       stNotMet, // not observed and not met both mean "not there"
		"idempotency":   stMet,
		"pagination":    stNotMet,
		"indexes":       stMet,
		"tests-present": stHuman,
		"caching":       stNotObserved,
		"transactions":  stNA,
	}
	got := map[string]string{}
	for _, c := range CompareChecklist(labels, rubric) {
		got[c.Item] = c.Outcome
	}
	assert.Equal(t, map[string]string{
		"timeouts": outAgree, "retries": outAgree, "idempotency": outFalseMet, "pagination": outFalseNotMet,
		"indexes": outNAMismatch, "tests-present": outHuman, "caching": outAgree, "money-decimal": outNoItem,
		"transactions": outAgree,
	}, got)
}

func TestAddChecklistKeepsItemsSorted(t *testing.T) {
	var sum []*ItemSummary
	sum = addChecklist(sum, []ItemComparison{{Item: "timeouts", Outcome: outAgree}, {Item: "caching", Outcome: outFalseMet}})
	sum = addChecklist(sum, []ItemComparison{{Item: "timeouts", Outcome: outAgree}, {Item: "pagination", Outcome: outHuman}})
	require.Len(t, sum, 3)
	assert.Equal(t, []string{"caching", "pagination", "timeouts"}, []string{sum[0].Item, sum[1].Item, sum[2].Item})
	assert.Equal(t, 2, sum[2].Outcomes[outAgree])
}

func TestParseReportJSONFindsItemsAtAnyDepth(t *testing.T) {
	items, err := ParseReportJSON([]byte(`{"submission": "x", "areas": [
		{"id": "performance", "title": "Performance", "items": [
			{"id": "pagination", "status": "not met", "evidence": [{"path": "v.py"}]},
			{"id": "indexes", "status": "met"}]},
		{"id": "code-review", "items": [{"id": "timeouts", "status": "needs a human"}]}]}`))
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"pagination": stNotMet, "indexes": stMet, "timeouts": stHuman}, items)

	_, err = ParseReportJSON([]byte(`{"version": "0.1.0"}`))
	assert.Error(t, err)
	_, err = ParseReportJSON([]byte(`# not json`))
	assert.Error(t, err)
}

func TestParseReportMarkdown(t *testing.T) {
	md := "## Performance exercise\n\n" +
		"- ✅ **No N+1 queries**: met (no findings from ORM001)\n" +
		"  - **Ask:** How do you find N+1 queries?\n" +
		"- ❌ **List endpoints paginated**: not met (1 finding of ORM006)\n" +
		"- ❓ **Timeouts on external calls**: needs a human (signals inconclusive)\n" +
		"- ➖ **Caching considered, with invalidation**: not applicable (no views)\n" +
		"- ❌ **An item this build does not know**: not met\n" +
		"| **Files** | 12 |\n"
	titles := map[string]string{
		"No N+1 queries":                        "no-n-plus-one",
		"List endpoints paginated":              "pagination",
		"Timeouts on external calls":            "timeouts",
		"Caching considered, with invalidation": "caching",
	}
	assert.Equal(t, map[string]string{
		"no-n-plus-one": stMet, "pagination": stNotMet, "timeouts": stHuman, "caching": stNA,
	}, ParseReportMarkdown([]byte(md), titles))
}

func TestChecklistTitles(t *testing.T) {
	titles, err := ChecklistTitles([]byte(`name = "x"
[[area]]
id = "performance"
title = "Performance"
[[item]]
id = "pagination"
area = "performance"
title = "List endpoints paginated"
rules = ["ORM006"]
`))
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"List endpoints paginated": "pagination"}, titles)
	_, err = ChecklistTitles([]byte(`name = "no items"`))
	assert.Error(t, err)
}
