package migrations

import (
	_ "embed"
	"fmt"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
)

//go:embed leaves.md
var leavesDoc string

// ConflictingLeaves reports apps with more than one leaf migration.
var ConflictingLeaves = &analyzer.Rule{
	Code:       "MIG011",
	Name:       "conflicting-migrations",
	Doc:        leavesDoc,
	Category:   analyzer.Migrations,
	Severity:   analyzer.Error,
	Confidence: analyzer.High,
	Since:      "0.1.0",
	Stack:      project.Django,
	RunProject: runConflictingLeaves,
	FactsOnly:  true,
}

// runConflictingLeaves matches apps with two or more leaf migrations (no
// migration of the app depends on them), replaced migrations of a squash
// left out. It skips apps whose graph it cannot read (computed
// dependencies, a label it could not tie to the directory).
func runConflictingLeaves(p *analyzer.ProjectPass) error {
	mi := &p.Project.Migrations
	for _, a := range graphApps(mi) {
		leaves := a.Leaves()
		if len(leaves) < 2 {
			continue
		}
		last := leaves[len(leaves)-1]
		var rel []analyzer.Related
		for _, l := range leaves[:len(leaves)-1] {
			rel = append(rel, analyzer.Related{Path: l.Path, Range: rng(l.ClassName), Message: "another leaf"})
		}
		p.Report(analyzer.Diagnostic{
			Path:    last.Path,
			Range:   rng(last.ClassName),
			Message: fmt.Sprintf("app `%s` has %d leaf migrations (%s): `migrate` refuses to run until they are merged", a.Label, len(leaves), names(leaves)),
			Help:    fmt.Sprintf("run `python manage.py makemigrations --merge %s`, or renumber one branch to depend on the other", a.Label),
			Related: rel,
		})
	}
	return nil
}
