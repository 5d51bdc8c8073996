package semantic

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFileRoles(t *testing.T) {
	for _, tc := range []struct {
		rel  string
		want Role
	}{
		{"shop/views.py", 0},
		{"shop/tests/test_views.py", Test},
		{"shop/testapp/models.py", Test},
		{"shop/migrations/0001_initial.py", Migration},
		{"testapp/migrations/0001_initial.py", Test | Migration},
		{"manage.py", Script},
		{"scripts/import_users.py", Script},
		{"shop/seed_db.py", DevData},
		{"shop/management/commands/sync_orders.py", Command},
		{"shop/management/commands/backfill_totals.py", Command | DevData},
		{"shop/management/commands/populate.py", Command | DevData},
		{"shop/management/commands/sample_db.py", Command | DevData},
		{"shop/management/commands/mock_orders.py", Command | DevData},
		{"shop/sample.py", 0},
		{"config/settings/base.py", Settings},
	} {
		assert.Equal(t, tc.want, FileRoles(tc.rel, nil), tc.rel)
	}
}
