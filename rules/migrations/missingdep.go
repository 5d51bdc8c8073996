package migrations

import (
	_ "embed"
	"fmt"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
)

//go:embed missingdep.md
var missingDepDoc string

// MissingDependency reports dependencies on migrations that do not exist in
// an app present in the tree.
var MissingDependency = &analyzer.Rule{
	Code:       "MIG012",
	Name:       "missing-migration-dependency",
	Doc:        missingDepDoc,
	Category:   analyzer.Migrations,
	Severity:   analyzer.Error,
	Confidence: analyzer.High,
	Since:      "0.1.0",
	Stack:      project.Django,
	RunProject: runMissingDependency,
	FactsOnly:  true,
}

// runMissingDependency matches dependencies and run_before entries naming an
// app whose migrations directory is in the tree but no migration of that
// name (directly or through a squashed migration's replaces). Apps outside
// the tree (auth, contenttypes, third-party packages) are unknown, not
// missing; swappable dependencies and __first__ / __latest__ are resolved
// by Django and not reported when the app has any migration.
func runMissingDependency(p *analyzer.ProjectPass) error {
	mi := &p.Project.Migrations
	judged := map[*project.MigrationApp]bool{}
	for _, a := range graphApps(mi) {
		judged[a] = true
	}
	for _, m := range mi.All {
		check := func(k project.MigrationKey, at project.Span, what string) {
			a := mi.ByLabel[k.App]
			if a == nil || !judged[a] || k.Name == project.FirstMigration || k.Name == project.LatestMigration || a.Has(k.Name) {
				return
			}
			p.Report(analyzer.Diagnostic{
				Path:    m.Path,
				Range:   rng(at),
				Message: fmt.Sprintf("%s `%s.%s` names a migration that does not exist in `%s`", what, k.App, k.Name, a.Dir+"/migrations"),
				Help:    "point it at an existing migration of the app (a renamed or deleted file leaves this behind), or restore the file",
			})
		}
		for _, d := range m.Dependencies {
			if !d.Swappable {
				check(d.MigrationKey, d.Span, "dependency")
			}
		}
		for _, r := range m.RunBefore {
			check(r, m.ClassName, "run_before")
		}
	}
	return nil
}
