package orm_test

import (
	"path/filepath"
	"testing"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/analyzertest"
	"github.com/rubric-dev/rubric/rules/orm"
)

const dir = "../../testdata/rules/orm"

func runPair(t *testing.T, r *analyzer.Rule) {
	t.Helper()
	for _, name := range []string{r.Code + ".txtar", r.Code + "_ok.txtar"} {
		t.Run(name, func(t *testing.T) {
			analyzertest.RunTxtar(t, filepath.Join(dir, name), []*analyzer.Rule{r})
		})
	}
}

func TestNPlusOne(t *testing.T) { runPair(t, orm.NPlusOne) }

func TestQueryInLoop(t *testing.T) { runPair(t, orm.QueryInLoop) }

func TestRelatedManager(t *testing.T) { runPair(t, orm.RelatedManagerPerRow) }

func TestWriteInLoop(t *testing.T) { runPair(t, orm.WriteInLoop) }

func TestWastefulEvaluation(t *testing.T) { runPair(t, orm.WastefulEvaluation) }

func TestMissingIndex(t *testing.T) { runPair(t, orm.MissingIndex) }

func TestUnboundedList(t *testing.T) { runPair(t, orm.UnboundedList) }

func TestSerializerRelations(t *testing.T) { runPair(t, orm.SerializerRelations) }

// The interview guide's snippets, every ORM rule at once.
func TestGuideSnippets(t *testing.T) {
	analyzertest.RunTxtar(t, "../../testdata/projects/guide_orm.txtar", orm.Rules())
}
