// Package semantic is rubric's one model of what the analysed code means:
// what a file is for (roles), what a value holds (a queryset of a model, a
// row, a related manager, a request, an HTTP session...), what every
// function does with its parameters (summaries: relations read, queries
// issued, rows written, HTTP calls, tasks queued), and which project
// functions a call reaches. Rules and the reviewer checklist both read it,
// so they give the same answer to the same question.
//
// Everything is computed once per run (see Of) from the project index and
// is read-only afterwards, safe for concurrent use by rules.
package semantic

import (
	"path"
	"strings"

	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// Role is a set of roles a file plays. A rule declares the roles it does
// not judge (Rule.Skip) and the driver applies that.
type Role uint16

// File roles.
const (
	// Test is test code or unshipped tooling: tests, test apps,
	// conftest, factories, fixtures (see project.IsTestPath), and test
	// apps (testapp/, testproject/).
	Test Role = 1 << iota
	// Migration is anything under a migrations directory.
	Migration
	// Script is a standalone program rather than a module of the service:
	// manage.py, setup.py, files under scripts/, bin/ or tools/, and
	// modules that parse their own command line.
	Script
	// DevData generates seed, demo or fixture data, or repairs data once:
	// seed_db.py, populate.py, a `fix_`/`backfill_` management command, a
	// command (or a helper package under management/commands/) that
	// imports Faker, factory_boy or the tests' factories.
	DevData
	// Settings is a Django settings module.
	Settings
	// Command is a Django management command.
	Command
)

// ProductCode is the scope most rules judge: everything but tests,
// migrations, scripts and development data.
const ProductCode = Test | Migration | Script | DevData

// Has reports whether r includes every role of q.
func (r Role) Has(q Role) bool { return r&q == q }

// Any reports whether r shares a role with q.
func (r Role) Any(q Role) bool { return r&q != 0 }

// RolesOf returns the roles of a file (computed once per unit).
func RolesOf(u *project.Unit) Role { return rolesOf.Get(u, nil) }

var rolesOf = &project.FileAnalysis[Role]{Name: "semantic.roles", Run: func(u *project.Unit, _ *project.Index) Role {
	return FileRoles(u.Rel(), u.Imports)
}}

// scriptDirs hold programs run by hand or by tooling.
var scriptDirs = map[string]bool{"scripts": true, "script": true, "bin": true, "tools": true, "devtools": true}

var scriptFiles = map[string]bool{
	"manage.py": true, "setup.py": true, "__main__.py": true, "fabfile.py": true, "noxfile.py": true,
	"tasks.py.bak": true, "conf.py": true,
}

var cliModules = map[string]bool{"argparse": true, "click": true, "typer": true, "docopt": true, "fire": true}

// devDataWords mark modules that generate seed, demo or fixture data.
var devDataWords = []string{"seed", "populate", "random_data", "sample_data", "test_data", "demo", "fixture", "dummy", "fake"}

// devCommandWords mark management commands that load demo data
// (`sample_db`, `mock_orders`): words too common in other module names to
// mark any file.
var devCommandWords = []string{"sample", "mock", "test_data", "testdata", "create_test", "init_data", "initiate_data", "initial_data"}

// fakeDataModules generate fake rows: a management command importing one
// loads demo data.
var fakeDataModules = map[string]bool{"faker": true, "factory": true, "mimesis": true, "model_bakery": true, "model_mommy": true}

// testFactories reports an import of a test package's factories
// (`tests.factories`, `app.tests.factories.order`): code outside the tests
// that builds rows with them makes test data.
func testFactories(module string) bool {
	parts := strings.Split(module, ".")
	for i := 0; i+1 < len(parts); i++ {
		if (parts[i] == "tests" || parts[i] == "test") && strings.HasPrefix(parts[i+1], "factor") {
			return true
		}
	}
	return false
}

// repairPrefixes mark management commands written as one-off repairs.
var repairPrefixes = []string{"fix_", "fixup_", "repair_", "backfill_", "oneoff", "one_off", "cleanup_", "migrate_", "load_", "import_fixture"}

// FileRoles classifies a '/'-separated path relative to the analysed root;
// im (optional) lets a module that parses its own command line count as a
// script.
func FileRoles(rel string, im *pyast.Imports) Role {
	var r Role
	dir, base := path.Split(rel)
	stem := strings.TrimSuffix(base, ".py")
	segs := strings.Split(strings.Trim(dir, "/"), "/")
	if project.IsTestPath(rel) {
		r |= Test
	}
	for i, s := range segs {
		switch s {
		case "testapp", "testapps", "testproject", "test_project", "tests_app":
			// A reusable app's test harness sits in its package, its tests
			// or an example directory; at the top of the tree (or of src/)
			// the name is a take-home's own ("test task"), and it is the
			// product.
			if i > 1 || i == 1 && segs[0] != "src" {
				r |= Test
			}
		}
		if scriptDirs[s] {
			r |= Script
		}
	}
	if project.IsMigration(rel) {
		r |= Migration
	}
	if project.IsSettingsPath(rel) {
		r |= Settings
	}
	if scriptFiles[base] {
		r |= Script
	}
	command := len(segs) >= 2 && segs[len(segs)-1] == "commands" && segs[len(segs)-2] == "management" && stem != "__init__"
	if command {
		r |= Command
	}
	for _, w := range devDataWords {
		if strings.Contains(stem, w) {
			r |= DevData
		}
	}
	// A package under management/commands/ holds a command's helpers
	// (`commands/data_creation/create_reservations.py`): read like the
	// command for demo data.
	helper := false
	for i := 0; i+2 < len(segs); i++ {
		if segs[i] == "management" && segs[i+1] == "commands" {
			helper = true
		}
	}
	if helper {
		for _, w := range devCommandWords {
			if strings.Contains(stem, w) {
				r |= DevData
			}
		}
	}
	if helper && im != nil {
		for _, m := range im.Modules {
			if testFactories(m) {
				r |= DevData
			}
			if head, _, _ := strings.Cut(m, "."); fakeDataModules[head] {
				r |= DevData
			}
		}
	}
	if command {
		for _, p := range repairPrefixes {
			if strings.HasPrefix(stem, p) {
				r |= DevData
			}
		}
		for _, w := range devCommandWords {
			if strings.Contains(stem, w) {
				r |= DevData
			}
		}
		if im != nil {
			for _, m := range im.Modules {
				if head, _, _ := strings.Cut(m, "."); fakeDataModules[head] || testFactories(m) {
					r |= DevData
				}
			}
		}
	}
	if im != nil && !command {
		for _, m := range im.Modules {
			if head, _, _ := strings.Cut(m, "."); cliModules[head] {
				r |= Script
			}
		}
	}
	return r
}

// IsModuleLevel reports whether n runs when the module is imported or run:
// it is not inside a function or class body. Code under a module-level
// `if` or `for` is module level too (a script's body).
func IsModuleLevel(n pyast.Node) bool {
	for p := n.Parent(); !p.IsNil(); p = p.Parent() {
		if p.Is("function_definition", "class_definition", "lambda") {
			return false
		}
	}
	return true
}
