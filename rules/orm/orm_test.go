package orm_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/analyzertest"
	"github.com/rubric-dev/rubric/rules/orm"
)

// Each rule's own fixtures run in rules/all's table test. This is the
// interview guide's snippets under every ORM rule at once: the flawed
// versions report with the exact fixes, the corrected ones stay silent.
func TestGuideSnippets(t *testing.T) {
	analyzertest.RunTxtar(t, "../../testdata/projects/guide_orm.txtar", orm.Rules())
}

// A foreign key column's __str__ read is as certain as the __str__: one
// that returns early for some rows (`if self.title: return self.title`)
// reaches the relation only on the others.
func TestAdminStrConfidence(t *testing.T) {
	res := analyzertest.RunTxtar(t, "../../testdata/rules/orm/ORM009_libraries.txtar", []*analyzer.Rule{orm.AdminChangelist})
	got := map[string]analyzer.Confidence{}
	for _, d := range res.Diagnostics {
		for _, col := range []string{"`team` of `ConflictAdmin`", "`product` of `StockAdmin`"} {
			if strings.Contains(d.Message, col) {
				got[col] = d.Confidence
			}
		}
	}
	assert.Equal(t, analyzer.High, got["`team` of `ConflictAdmin`"])
	assert.Equal(t, analyzer.Medium, got["`product` of `StockAdmin`"])
}

// A row's method that queries with self is as certain as the loop's rows,
// and low when the loop calls it only for rows a test of their own values
// picks (a cache filled once).
func TestRowMethodConfidence(t *testing.T) {
	res := analyzertest.RunTxtar(t, "../../testdata/rules/orm/ORM003_row_method.txtar", []*analyzer.Rule{orm.QueryInLoop})
	var got []string
	for _, d := range res.Diagnostics {
		got = append(got, strings.SplitN(d.Message, " runs ", 2)[0]+" "+d.Confidence.String())
	}
	assert.Equal(t, []string{"`s.last_profile()` high", "`s.grade(program)` high", "`s.last_profile()` low"}, got)
}

// An admin known only by its registration with Django's admin (its base a
// library's class) is reported with medium confidence, and under
// `list_select_related = True` the help names the paths rather than
// extending a boolean.
func TestAdminRegisteredHelp(t *testing.T) {
	res := analyzertest.RunTxtar(t, "../../testdata/rules/orm/ORM009_registered.txtar", []*analyzer.Rule{orm.AdminChangelist})
	var seen int
	for _, d := range res.Diagnostics {
		assert.Equal(t, analyzer.Medium, d.Confidence, d.Message)
		if strings.Contains(d.Message, "`AssignmentAdmin`") {
			seen++
			assert.Contains(t, d.Help, "`list_select_related = True` follows non-null foreign keys only")
			assert.Contains(t, d.Help, `list_select_related = ("customer",)`)
		}
	}
	assert.Equal(t, 1, seen)
}

// A DRF list view is reported at its class name; the queryset it serves
// whole (`queryset = ...`, or the get_queryset method) is its related
// location, where the reviewer reads which rows come back.
func TestUnboundedListViewPointsAtQueryset(t *testing.T) {
	res := analyzertest.RunTxtar(t, "../../testdata/rules/orm/ORM006_drf.txtar", []*analyzer.Rule{orm.UnboundedList})
	var seen int
	for _, d := range res.Diagnostics {
		if !strings.Contains(d.Message, "`PayoutViewSet` lists every") {
			continue
		}
		seen++
		if assert.Len(t, d.Related, 1) {
			assert.Equal(t, 15, d.Related[0].Pos.Line, "the `queryset = ...` line")
			assert.Contains(t, d.Related[0].Message, "the rows listed")
		}
	}
	assert.Equal(t, 1, seen)
}

// A read reached through properties calling one another has, besides the
// call in the first property, the place where the relation itself is read
// among its related locations.
func TestSerializerDeepReadLocation(t *testing.T) {
	res := analyzertest.RunTxtar(t, "../../testdata/rules/orm/ORM008_property_chain.txtar", []*analyzer.Rule{orm.SerializerRelations})
	var lines []int
	for _, d := range res.Diagnostics {
		for _, r := range d.Related {
			if strings.HasSuffix(r.Path, "models.py") {
				lines = append(lines, r.Pos.Line)
			}
		}
	}
	assert.Equal(t, []int{13, 9}, lines)
}

// django.contrib.gis's admin classes (OSMGeoAdmin) are Django admins: an
// admin built on one is judged with high confidence; one built on a
// library's class whose name says nothing, registered with gis's
// re-exported `admin.register`, with medium.
func TestAdminGisConfidence(t *testing.T) {
	res := analyzertest.RunTxtar(t, "../../testdata/rules/orm/ORM009_default_list_display.txtar", []*analyzer.Rule{orm.AdminChangelist})
	got := map[string]analyzer.Confidence{}
	for _, d := range res.Diagnostics {
		for _, name := range []string{"`UnitAdmin`", "`BranchAdmin`"} {
			if strings.Contains(d.Message, name) {
				got[name] = d.Confidence
			}
		}
	}
	assert.Equal(t, analyzer.High, got["`UnitAdmin`"])
	assert.Equal(t, analyzer.Medium, got["`BranchAdmin`"])
}
