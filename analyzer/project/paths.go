package project

import "strings"

// Rel is the unit's path relative to the analysed root ('/'-separated),
// falling back to the display path: classify files (tests, migrations,
// settings) by this path, since the display path may start with "../" or
// with a directory that happens to be named tests.
func (u *Unit) Rel() string {
	if u == nil {
		return ""
	}
	if u.RootRel != "" {
		return u.RootRel
	}
	return u.File.Rel
}

// IsTestPath reports whether a '/'-separated path, relative to the analysed
// root, is test code or tooling that is not shipped, where fake secrets,
// debug settings, blocking calls and shortcuts are expected. It is the one
// test-path predicate: phase one leaves such files out of the project facts
// that say how production code is called, and the rules skip them.
//
// A file is test code when its name is test_*.py, tests_*.py (Django's
// runner pattern test*.py: a-plus's tests_cache.py), *_test.py, *_tests.py,
// tests.py, testcases.py, testdata.py, factories.py (factory_boy), locustfile.py (a Locust load test) or contains "conftest"
// (conftest.py, pytest_conftest.py); or when a directory on its path is
// tests, test, testing, testutils, testdata, fixtures, e2e, test_* (test_utils),
// *_tests or *-tests (ux-tests, load-tests), or a kind of tests in one word
// (smoketests/, integrationtests/: a smoke-test suite's scripts and library), or
// mock, mocks, *_mock or *_mocks (a stand-in for a service the tests or a
// development setup run against: github_mock/); or when a directory on its path is hidden (.semgrep rule
// fixtures, .github scripts, .claude skills), "." and ".." excepted.
func IsTestPath(rel string) bool {
	dirs := strings.Split(rel, "/")
	base := dirs[len(dirs)-1]
	dirs = dirs[:len(dirs)-1]
	if strings.HasPrefix(base, "test_") || strings.HasPrefix(base, "tests_") || strings.HasSuffix(base, "_test.py") || strings.HasSuffix(base, "_tests.py") ||
		base == "tests.py" || base == "testcases.py" || base == "testdata.py" || base == "factories.py" || strings.Contains(base, "conftest") ||
		base == "locustfile.py" { // Locust's load test, by its conventional name
		return true
	}
	if kindTests(strings.TrimSuffix(base, ".py")) {
		return true
	}
	if takeHomeProject(dirs, base) {
		return false
	}
	for i, d := range dirs {
		if d == "features" && (i+1 < len(dirs) && dirs[i+1] == "steps" || i+1 == len(dirs) && base == "environment.py") {
			return true // behave's step definitions and hooks
		}
		switch {
		case d == "tests", d == "test", d == "testing", d == "testutils", d == "testdata", d == "fixtures", d == "e2e",
			strings.HasPrefix(d, "test_"), strings.HasSuffix(d, "_tests"), strings.HasSuffix(d, "-tests"), kindTests(d),
			d == "mock", d == "mocks", strings.HasSuffix(d, "_mock"), strings.HasSuffix(d, "_mocks"),
			len(d) > 1 && d[0] == '.' && d != "..":
			return true
		}
	}
	return false
}

// startprojectFiles are the modules `django-admin startproject` writes into
// the project package.
var startprojectFiles = map[string]bool{"__init__.py": true, "settings.py": true, "urls.py": true, "wsgi.py": true, "asgi.py": true}

// takeHomeProject reports a file of the project package a take-home named
// for its task (`test_project/settings.py`, `src/test_task/urls.py`): a
// directory named test_* at the top of the tree (or of src/) that holds
// startproject's modules (or a settings package) is the product, not a
// test directory.
func takeHomeProject(dirs []string, base string) bool {
	top := 0
	if len(dirs) > 0 && dirs[0] == "src" {
		top = 1
	}
	rest := dirs[min(top, len(dirs)):]
	switch {
	case len(rest) == 1 && startprojectFiles[base]:
	case len(rest) == 2 && rest[1] == "settings" && !strings.HasPrefix(base, "test"):
	default:
		return false
	}
	return strings.HasPrefix(rest[0], "test_")
}

// kindTests reports a module named for a kind of tests written as one
// word (`smoketests`, `integrationtests`, `apitests`), which Django's
// test*.py pattern does not match: a unittest module run by a command, or
// a directory holding such a suite.
func kindTests(name string) bool {
	kind, ok := strings.CutSuffix(name, "tests")
	if !ok {
		return false
	}
	switch kind {
	case "smoke", "integration", "functional", "acceptance", "unit", "system", "api", "e2e", "ui", "load", "regression", "browser", "live":
		return true
	}
	return false
}

// IsMigration reports whether a '/'-separated path lies under a migrations
// directory (the migration modules, their package and any helpers beside
// them); IsMigrationPath is the narrower test for a migration module.
func IsMigration(rel string) bool { return strings.Contains("/"+rel, "/migrations/") }
