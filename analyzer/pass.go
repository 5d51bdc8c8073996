package analyzer

import (
	"fmt"

	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/source"
)

// Pass is what a rule sees of one file: its source, its tree, its imports,
// and the read-only project index. It is the rule's only door.
type Pass struct {
	Rule    *Rule
	Unit    *project.Unit
	File    *source.File
	Tree    *pyast.Tree
	Root    pyast.Node
	Imports *pyast.Imports
	Project *project.Index
	options map[string]any
	diags   *[]Diagnostic
}

// Report records a diagnostic on the pass's file. Code, path, severity,
// category and a zero confidence are filled in from the rule.
func (p *Pass) Report(d Diagnostic) {
	fillFromRule(&d, p.Rule)
	if d.Path == "" {
		d.Path = p.File.Rel
	}
	*p.diags = append(*p.diags, d)
}

// Reportf reports a message at a node.
func (p *Pass) Reportf(n pyast.Node, format string, args ...any) {
	p.Report(Diagnostic{Range: RangeOf(n), Message: fmt.Sprintf(format, args...)})
}

// Option returns the configured value of a rule option, or its default.
func (p *Pass) Option(name string) any { return option(p.Rule, p.options, name) }

// IntOption is Option for integers.
func (p *Pass) IntOption(name string) int { return toInt(p.Option(name)) }

// ProjectPass is what a project rule sees: the index and every file.
type ProjectPass struct {
	Rule    *Rule
	Project *project.Index
	options map[string]any
	diags   *[]Diagnostic
}

// Report records a diagnostic; d.Path must name a file of the project.
func (p *ProjectPass) Report(d Diagnostic) {
	fillFromRule(&d, p.Rule)
	*p.diags = append(*p.diags, d)
}

// Option returns the configured value of a rule option, or its default.
func (p *ProjectPass) Option(name string) any { return option(p.Rule, p.options, name) }

// IntOption is Option for integers.
func (p *ProjectPass) IntOption(name string) int { return toInt(p.Option(name)) }

func fillFromRule(d *Diagnostic, r *Rule) {
	if d.Code == "" {
		d.Code = r.Code
	}
	if d.Name == "" {
		d.Name = r.Name
	}
	if d.Category == "" {
		d.Category = r.Category
	}
	if d.Severity == 0 {
		d.Severity = r.Severity
	}
	if d.Confidence == 0 {
		d.Confidence = r.Confidence
	}
	if d.End < d.Start {
		d.End = d.Start
	}
}

func option(r *Rule, configured map[string]any, name string) any {
	if v, ok := configured[name]; ok {
		return v
	}
	for _, o := range r.Options {
		if o.Name == name {
			return o.Default
		}
	}
	return nil
}

func toInt(v any) int {
	switch x := v.(type) {
	case int:
		return x
	case int64:
		return int(x)
	case float64:
		return int(x)
	}
	return 0
}
