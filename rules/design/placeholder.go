package design

import (
	_ "embed"
	"fmt"
	"sort"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/source"
)

//go:embed placeholder.md
var placeholderDoc string

// PlaceholderDependency reports a dependency file that declares a name the
// package index holds as a placeholder or a retired alias of another
// distribution, instead of the distribution itself.
var PlaceholderDependency = &analyzer.Rule{
	Code:       "ARC011",
	Name:       "placeholder-dependency",
	Doc:        placeholderDoc,
	Category:   analyzer.Design,
	Severity:   analyzer.Warning,
	Confidence: analyzer.High,
	Since:      "0.22.0",
	RunProject: runPlaceholderDependency,
}

// placeholders are names on PyPI that are not the distribution their
// import name suggests, by normalised name: the distribution meant, and
// what the name installs instead.
var placeholders = map[string]struct{ meant, what string }{
	// A placeholder holding the name: one version, 0.1.0.
	"django-rest-framework": {"djangorestframework", "a placeholder (one version, 0.1.0) that only holds the name"},
	// scikit-learn's retired alias: installing it fails since December
	// 2023.
	"sklearn": {"scikit-learn", "scikit-learn's retired alias, whose installation fails on purpose"},
}

// runPlaceholderDependency reads the dependency files the project declares
// its distributions in (project.Index.Declared) and reports each
// placeholder name at the line that first declares it. A name only a lock
// file lists (a dependency of a dependency) is not reported.
func runPlaceholderDependency(p *analyzer.ProjectPass) error {
	ix := p.Project
	d := ix.Declared()
	names := make([]string, 0, len(placeholders))
	for n := range placeholders {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		at, ok := d.At[n]
		if !ok || !d.Names[n] {
			continue
		}
		ph := placeholders[n]
		also := ""
		if d.Names[ph.meant] {
			also = fmt.Sprintf(" (`%s` is declared too: the placeholder adds nothing but a name to audit)", ph.meant)
		}
		p.Report(analyzer.Diagnostic{
			Path:   ix.DisplayPath(at.Rel),
			Pos:    source.Position{Line: at.Line, Column: 1, Column16: 1},
			EndPos: source.Position{Line: at.Line, Column: 1, Column16: 1},
			Message: fmt.Sprintf("`%s` is not the distribution its name suggests: on PyPI it is %s; the distribution is `%s`%s",
				n, ph.what, ph.meant, also),
			Help: fmt.Sprintf("declare `%s` (pinned) and remove `%s`", ph.meant, n),
		})
	}
	return nil
}
