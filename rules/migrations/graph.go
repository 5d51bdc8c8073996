package migrations

import (
	"sort"
	"strings"

	"github.com/rubric-dev/rubric/analyzer/project"
)

// node is one migration in the project graph.
type node struct {
	m   *project.Migration
	app *project.MigrationApp
}

// graphApps returns the apps whose graph can be judged: every migration's
// dependencies are literal, and, when the app has more than one migration,
// at least one of them depends on another of the app by its label (else the
// label rubric derived is probably not the one the files use).
func graphApps(mi *project.MigrationIndex) []*project.MigrationApp {
	var out []*project.MigrationApp
	for _, a := range mi.Apps {
		if mi.ByLabel[a.Label] != a {
			continue // two directories claim the label
		}
		ok, internal := true, len(a.Migrations) < 2
		for _, m := range a.Migrations {
			if m.DependenciesUnknown {
				ok = false
			}
			for _, d := range m.Dependencies {
				if d.App == a.Label && !d.Swappable {
					internal = true
				}
			}
		}
		if ok && internal {
			out = append(out, a)
		}
	}
	return out
}

// target resolves a dependency written in m to a migration of the project,
// or nil when it names an app outside the tree or a special name.
func target(mi *project.MigrationIndex, from *project.Migration, d project.Dependency) *project.Migration {
	if d.Swappable {
		return nil
	}
	a := mi.ByLabel[d.App]
	if a == nil {
		return nil
	}
	return a.Resolve(from, d.Name)
}

func names(ms []*project.Migration) string {
	var s []string
	for _, m := range ms {
		s = append(s, "`"+m.Name+"`")
	}
	sort.Strings(s)
	return strings.Join(s, ", ")
}
