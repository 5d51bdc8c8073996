package orm_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/rules/orm"
)

// The guide's performance exercise expects "database indexes on user_id,
// created_at" for the per-user transaction list: the unbounded-list
// finding on the sample names the order pages need and that index.
func TestGuideListIndex(t *testing.T) {
	dir := "../../testdata/submissions/galileo"
	res, err := analyzer.Run(context.Background(), analyzer.Config{Rules: []*analyzer.Rule{orm.UnboundedList}, WorkDir: dir, Jobs: 1}, []string{dir})
	require.NoError(t, err)
	require.Len(t, res.Diagnostics, 1)
	help := res.Diagnostics[0].Help
	assert.Contains(t, help, "`.order_by(\"-created_at\", \"-id\")`")
	assert.Contains(t, help, "models.Index(fields=[\"user\", \"-created_at\"]")
}
