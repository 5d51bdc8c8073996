package semantic

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/rubric-dev/rubric/analyzer/pyast"
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
		{"tests/testapp/migrations/0001_initial.py", Test | Migration},
		{"example/testproject/urls.py", Test},
		{"testapp/views.py", 0},
		{"src/testapp/views.py", 0},
		{"test_project/urls.py", 0},
		{"manage.py", Script},
		{"scripts/import_users.py", Script},
		{"shop/seed_db.py", DevData},
		{"dev/common/setup_test_data.py", DevData},
		{"profiles/dab/make_test_data.py", DevData},
		{"shop/management/commands/sync_orders.py", Command},
		{"shop/management/commands/backfill_totals.py", Command | DevData},
		{"shop/management/commands/populate.py", Command | DevData},
		{"shop/management/commands/sample_db.py", Command | DevData},
		{"shop/management/commands/mock_orders.py", Command | DevData},
		{"shop/management/commands/create_test_payments.py", Command | DevData},
		{"shop/management/commands/initiate_data.py", Command | DevData},
		{"shop/sample.py", 0},
		{"config/settings/base.py", Settings},
	} {
		assert.Equal(t, tc.want, FileRoles(tc.rel, nil), tc.rel)
	}
}

// A management command that imports a fake-data library loads demo data,
// whatever its name; a module outside management/commands does not
// become dev data by importing one.
func TestFileRolesFakeDataCommand(t *testing.T) {
	im := &pyast.Imports{Modules: []string{"django.core.management.base", "faker", "shop.models"}}
	assert.Equal(t, Command|DevData, FileRoles("shop/management/commands/users.py", im))
	assert.Equal(t, Role(0), FileRoles("shop/services.py", im))
	assert.Equal(t, Command, FileRoles("shop/management/commands/users.py", &pyast.Imports{Modules: []string{"shop.models"}}))

	// A helper package of commands building rows with the tests' factories
	// makes test data; the same import elsewhere, or a plain helper, does not
	// mark the file.
	factories := &pyast.Imports{Modules: []string{"shop.models", "tests.factories.reservation"}}
	assert.Equal(t, DevData, FileRoles("shop/management/commands/data_creation/create_reservations.py", factories))
	assert.Equal(t, Command|DevData, FileRoles("shop/management/commands/seed_tables.py", factories))
	assert.Equal(t, Role(0), FileRoles("shop/management/commands/data_creation/utils.py", &pyast.Imports{Modules: []string{"shop.models"}}))
	assert.Equal(t, DevData, FileRoles("shop/management/commands/data_creation/create_robot_test_data.py", &pyast.Imports{Modules: []string{"shop.models"}}))
	assert.Equal(t, Role(0), FileRoles("shop/services/reservations.py", &pyast.Imports{Modules: []string{"shop.factories"}}))
}
