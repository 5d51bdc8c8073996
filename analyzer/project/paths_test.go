package project

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestIsTestPath(t *testing.T) {
	for p, want := range map[string]bool{
		// file names
		"app/tests.py": true, "app/test_models.py": true, "app/models_test.py": true, "app/run_tests.py": true,
		"conftest.py": true, "src/x/pytest_conftest.py": true, "app/factories.py": true, "app/testcases.py": true,
		"app/tests_cache.py": true, "lib/testdata.py": true,
		"app/contest.py": false, "app/testimonials.py": false, "app/latest.py": false, "app/factory.py": false,
		"app/testsuite.py": false, "app/testdata_loader.py": false,
		"pipeline/smoketests.py": true, "app/integrationtests.py": true, "smoketests/bin/upload_symbols.py": true, "smoketests/smoketestslib/utils.py": true, "app/contests/views.py": false, "profiles/community/github_mock/flaskapp.py": true, "tests_support/mocks/bank.py": true, "app/mockups/views.py": false, "app/contests.py": false, "app/latests.py": false,
		"features/steps/user_steps.py": true, "api/features/steps/x.py": true, "features/environment.py": true,
		"features/views.py": false, "app/features/models.py": false, "app/steps/x.py": false,
		// directories
		"app/tests/helpers.py": true, "test/x.py": true, "app/testing/x.py": true, "misago/testutils/x.py": true,
		"cms/test_utils/project/models.py": true, "tests/baserow_enterprise_tests/x.py": true,
		"ecommerce/ux-tests/pages.py": true, "load-tests/locustfile.py": true, "locustfile.py": true, "app/locust.py": false, "app/unit-test-data/x.py": false,
		"app/fixtures/users.py": true, "app/testdata/x.py": true, "saleor/tests/e2e/utils.py": true,
		"testimonials/views.py": false, "latest/views.py": false, "contest/views.py": false,
		// a take-home's project package named for its task: startproject's modules are the product
		"test_project/settings.py": false, "test_surprizeme/urls.py": false, "src/test_task/wsgi.py": false,
		"test_project/settings/base.py": false, "test_project/helpers.py": true, "test_project/test_urls.py": true,
		"tests/test_project/settings.py": true, "app/test_project/urls.py": true,
		// hidden tooling directories, not "." or ".."
		"saleor/.semgrep/security/requests/x.py": true, ".github/scripts/x.py": true,
		"./app/views.py": false, "../app/views.py": false,
		// production code
		"app/views.py": false, "app/services/galileo.py": false, "config/settings.py": false, "manage.py": false,
	} {
		assert.Equal(t, want, IsTestPath(p), p)
	}
}

func TestIsMigration(t *testing.T) {
	for p, want := range map[string]bool{
		"shop/migrations/0001_initial.py": true, "migrations/0002_x.py": true, "shop/migrations/__init__.py": true,
		"shop/data_migrations/x.py": false, "shop/migrations.py": false, "shop/views.py": false,
	} {
		assert.Equal(t, want, IsMigration(p), p)
	}
}
