package migrations

import (
	_ "embed"
	"fmt"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
)

//go:embed toomany.md
var tooManyDoc string

// TooManyMigrations suggests squashing apps with many migration files.
var TooManyMigrations = &analyzer.Rule{
	Code:       "MIG014",
	Name:       "too-many-migrations",
	Doc:        tooManyDoc,
	Category:   analyzer.Migrations,
	Severity:   analyzer.Info,
	Confidence: analyzer.High,
	Since:      "0.1.0",
	Stack:      project.Django,
	// Off by default: a long history is normal in a maintained project and squashing is a release decision; on the real-project corpus none of its findings was worth a maintainer's time (docs/precision.md).
	NonDefault: true,
	RunProject: runTooManyMigrations,
	FactsOnly:  true,
	Options: []analyzer.Option{{Name: "max-migrations", Default: 50,
		Doc: "number of migration files an app may hold before squashing is suggested"}},
}

// runTooManyMigrations matches apps with more migration files than the
// max-migrations option. Every migration file counts, replaced ones too:
// they are what Django loads and the test database applies.
func runTooManyMigrations(p *analyzer.ProjectPass) error {
	limit := p.IntOption("max-migrations")
	if limit <= 0 {
		return nil
	}
	for _, a := range p.Project.Migrations.Apps {
		n := len(a.Migrations)
		if n <= limit {
			continue
		}
		// Report at the newest migration: a leaf, not whatever sorts last
		// (a module named "fix_lines" sorts after "0118_...").
		last := a.Migrations[n-1]
		if leaves := a.Leaves(); len(leaves) > 0 {
			last = leaves[len(leaves)-1]
		}
		squashed := 0 // files still on disk that a squashed migration replaces
		for _, m := range a.Migrations {
			if a.Replaced[m.Name] != nil {
				squashed++
			}
		}
		extra := ""
		if squashed > 0 {
			extra = fmt.Sprintf(", %d of them already replaced by a squashed migration", squashed)
		}
		p.Report(analyzer.Diagnostic{
			Path:    last.Path,
			Range:   rng(last.ClassName),
			Message: fmt.Sprintf("app `%s` has %d migrations (more than %d%s)", a.Label, n, limit, extra),
			Help: fmt.Sprintf("squash them: `python manage.py squashmigrations %s %s`, deploy, then delete the replaced files "+
				"once every environment has applied the squash", a.Label, last.Name),
		})
	}
	return nil
}
