// Package paths holds the path predicates the rule families share. The
// definitions live in analyzer/project, whose phase one needs them too;
// rules call them through here with paths relative to the analysed root.
package paths

import (
	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
)

// Rel is the file's path relative to the analysed root, so that analysing
// "testdata/x" does not make every file look like test code.
func Rel(p *analyzer.Pass) string {
	if p.Unit != nil {
		return p.Unit.Rel()
	}
	return p.File.Rel
}

// IsTest reports whether a root-relative path is test code or unshipped
// tooling (see project.IsTestPath for the definition).
func IsTest(rel string) bool { return project.IsTestPath(rel) }

// IsMigration reports whether a root-relative path lies under a migrations
// directory (see project.IsMigration).
func IsMigration(rel string) bool { return project.IsMigration(rel) }
