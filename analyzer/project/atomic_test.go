package project_test

import (
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCalledInAtomic(t *testing.T) {
	res := loadGraph(t, "../../testdata/projects/atomic_calls.txtar")
	var names []string
	for n := range res.Index.CalledInAtomic {
		names = append(names, n)
	}
	sort.Strings(names)
	// transaction.atomic() itself is called in its own with statement.
	assert.Equal(t, []string{"atomic", "issue_refund", "notify", "place_order", "reserve_stock"}, names)
}
