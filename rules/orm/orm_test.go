package orm_test

import (
	"testing"

	"github.com/rubric-dev/rubric/analyzer/analyzertest"
	"github.com/rubric-dev/rubric/rules/orm"
)

// Each rule's own fixtures run in rules/all's table test. This is the
// interview guide's snippets under every ORM rule at once: the flawed
// versions report with the exact fixes, the corrected ones stay silent.
func TestGuideSnippets(t *testing.T) {
	analyzertest.RunTxtar(t, "../../testdata/projects/guide_orm.txtar", orm.Rules())
}
