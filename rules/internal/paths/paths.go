// Package paths holds path predicates shared by rule families.
package paths

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
)

// Rel is the file's path relative to the analysed root, so that analysing
// "testdata/x" does not make every file look like test code.
func Rel(p *analyzer.Pass) string {
	if p.Unit != nil && p.Unit.RootRel != "" {
		return p.Unit.RootRel
	}
	return p.File.Rel
}

// IsTest reports whether a '/'-separated path is test code, where fake
// secrets, debug settings and shortcuts are expected: test_*.py, *_test.py,
// tests.py, conftest.py, factories.py, or anything under tests/, test/,
// testing/, fixtures/, testdata/, e2e/, test_*/ or *_tests/.
func IsTest(rel string) bool {
	base := rel
	if i := strings.LastIndex(rel, "/"); i >= 0 {
		base = rel[i+1:]
	}
	if strings.HasPrefix(base, "test_") || strings.HasSuffix(base, "_test.py") || base == "tests.py" ||
		base == "conftest.py" || base == "factories.py" {
		return true
	}
	dirs := strings.Split(rel, "/")
	for _, part := range dirs[:len(dirs)-1] {
		switch part {
		case "tests", "test", "testing", "fixtures", "testdata", "e2e":
			return true
		}
		if strings.HasPrefix(part, "test_") || strings.HasSuffix(part, "_tests") {
			return true
		}
	}
	return false
}
