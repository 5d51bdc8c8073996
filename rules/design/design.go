// Package design holds the ARC family: design and testability of service
// code (configuration injection, transport seams, import-time clients,
// functions mixing concerns).
package design

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/rules/internal/paths"
)

// serviceSuffixes name classes that talk to the outside world on behalf of
// the application.
var serviceSuffixes = []string{"Service", "Client", "Gateway", "Adapter", "Provider", "Processor",
	"Integration", "Api", "API", "Connector"}

// frameworkBases mark classes that are framework components, not services:
// their configuration comes from the framework.
var frameworkBases = []string{"Model", "Form", "View", "ViewSet", "Serializer", "Config", "TestCase",
	"Command", "Admin", "Exception", "Error", "Middleware", "Migration", "Enum", "Choices", "Field",
	"Filter", "Backend", "Storage", "Widget", "Test", "Mixin", "Signal", "Consumer", "Endpoint"}

// isServiceClass reports whether cls is a service class: named with a
// service suffix, or any plain class in a services/clients/gateways
// module, and not derived from a framework component.
func isServiceClass(cls pyast.Node, rel string) bool {
	name := pyast.DefName(cls)
	base := rel[strings.LastIndex(rel, "/")+1:]
	if strings.HasSuffix(name, "ContextProcessor") || base == "context_processors.py" {
		// A template context processor: Django's template engine calls
		// it for each render, like a view, where settings are read.
		return false
	}
	for b := range cls.ChildByField("superclasses").Named() {
		bt := b.Text()
		for _, fb := range frameworkBases {
			if strings.Contains(bt, fb) {
				return false
			}
		}
	}
	for _, s := range serviceSuffixes {
		if strings.HasSuffix(name, s) {
			return true
		}
	}
	switch strings.TrimSuffix(base, ".py") {
	case "services", "service", "clients", "client", "gateways", "gateway", "integrations":
		return true
	}
	return strings.Contains("/"+rel, "/services/")
}

// classesOf returns the service classes of the file, outermost first.
func serviceClasses(p *analyzer.Pass) []pyast.Node {
	var out []pyast.Node
	for cls := range pyast.FindEach(p.Root, "class_definition") {
		if isServiceClass(cls, paths.Rel(p)) && !libraryHook(p, cls) {
			out = append(out, cls)
		}
	}
	return out
}

// libraryHook reports a class deriving from a library's adapter class
// (django-allauth's DefaultAccountAdapter): the library builds it from a
// dotted path in settings, so there is no constructor to inject
// configuration through, and reading settings there is the hook's job.
func libraryHook(p *analyzer.Pass, cls pyast.Node) bool {
	for b := range cls.ChildByField("superclasses").Named() {
		q, ok := p.Imports.Resolve(b)
		if !ok || !strings.HasSuffix(q, "Adapter") || strings.HasPrefix(q, ".") {
			continue
		}
		if p.Project != nil && !treeModule(p.Project, q[:max(strings.LastIndex(q, "."), 0)]) {
			return true
		}
	}
	return false
}

// treeModule reports whether mod is a module of the tree, also when the
// analysed root sits above the import root (`apps/api/plane/...` imported
// as `plane...`).
func treeModule(ix *project.Index, mod string) bool {
	if mod == "" {
		return false
	}
	if ix.ByModule[mod] != nil {
		return true
	}
	for m := range ix.ByModule {
		if strings.HasSuffix(m, "."+mod) {
			return true
		}
	}
	return false
}

// ownNodes returns the nodes of the given types in cls's methods, not in
// nested classes.
func ownNodes(cls pyast.Node, types ...string) []pyast.Node {
	var out []pyast.Node
	body := pyast.Body(cls)
	pyast.Inspect(body, func(n pyast.Node) bool {
		if n.Type() == "class_definition" {
			return false
		}
		if n.Is(types...) {
			out = append(out, n)
		}
		return true
	})
	return out
}

// related lists up to five further locations of a finding.
func related(nodes []pyast.Node, msg func(pyast.Node) string) []analyzer.Related {
	var rel []analyzer.Related
	for _, n := range nodes {
		if len(rel) == 5 {
			break
		}
		rel = append(rel, analyzer.Related{Range: analyzer.RangeOf(n), Message: msg(n)})
	}
	return rel
}
