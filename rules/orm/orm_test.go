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
