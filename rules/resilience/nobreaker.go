package resilience

import (
	_ "embed"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic/effects"
	"github.com/rubric-dev/rubric/rules/internal/paths"
)

//go:embed nobreaker.md
var noBreakerDoc string

// NoCircuitBreaker reports, once per project, payment provider clients when
// the project has no circuit breaker anywhere.
var NoCircuitBreaker = &analyzer.Rule{
	Code:       "NET005",
	Name:       "no-circuit-breaker",
	Doc:        noBreakerDoc,
	Category:   analyzer.Resilience,
	Severity:   analyzer.Info,
	Confidence: analyzer.Low,
	Since:      "0.1.0",
	RunProject: runNoCircuitBreaker,
}

// runNoCircuitBreaker looks at the whole project. A breaker exists when a
// file imports a breaker library, defines a class named *Breaker*, or
// uses a decorator or callee named with the word "breaker". Without one,
// it collects payment provider clients: classes named for a payment
// provider or concept (GalileoService, StripeGateway, PaymentClient) that
// make HTTP calls, in non-test files. It reports once, at the first client
// in path order, listing the others as related locations.
func runNoCircuitBreaker(p *analyzer.ProjectPass) error {
	ix := p.Project
	if ix == nil || hasBreaker(ix) {
		return nil
	}
	type client struct {
		path string
		cls  pyast.Node
	}
	var clients []client
	for _, u := range ix.Units {
		if u.Tree == nil || paths.IsTest(u.Rel()) || paths.IsMigration(u.Rel()) {
			continue
		}
		f := effects.NewFile(u.Tree.Root(), u.Imports)
		seen := map[int32]bool{}
		for cls := range pyast.FindEach(u.Tree.Root(), "class_definition") {
			if effects.PaymentWord(pyast.DefName(cls)) == "" || seen[cls.ID()] || viewClass(cls) {
				continue
			}
			for call := range pyast.FindEach(pyast.Body(cls), "call") {
				if f.Classify(call).Kind == effects.HTTP {
					seen[cls.ID()] = true
					clients = append(clients, client{u.File.Rel, cls})
					break
				}
			}
		}
	}
	if len(clients) == 0 {
		return nil
	}
	first := clients[0]
	var rel []analyzer.Related
	for _, c := range clients[1:] {
		if len(rel) == maxRelated {
			break
		}
		rel = append(rel, analyzer.Related{Path: c.path, Range: analyzer.RangeOf(c.cls.ChildByField("name")),
			Message: "payment client `" + pyast.DefName(c.cls) + "`, also unprotected"})
	}
	p.Report(analyzer.Diagnostic{
		Path:    first.path,
		Range:   analyzer.RangeOf(first.cls.ChildByField("name")),
		Message: "no circuit breaker anywhere in the project around payment client `" + pyast.DefName(first.cls) + "`",
		Help:    "wrap the provider calls in a breaker (pybreaker `CircuitBreaker(fail_max=5, reset_timeout=30)`, or a small failure counter that fails fast while open) so a provider outage does not tie up every worker and request waiting on timeouts",
		Related: rel,
	})
	return nil
}

// hasBreaker reports whether any file of the project shows a circuit
// breaker (project.BreakerImport, project.BreakerSites: an import of a
// breaker library, a class named *Breaker*, or a name containing "breaker"
// used as decorator or callee), from the facts (project.Facts.Breaker):
// no file is read for it.
func hasBreaker(ix *project.Index) bool { return len(ix.Breakers) > 0 }

// viewClass reports a class deriving from a view (a base named `...View`
// or `...ViewSet`: `class Checkout(TemplateView)`) or from Django's admin
// (`...Admin`, `...Inline`: `class BillingDocumentAdmin(ModelAdmin)`
// downloading its stored PDFs): a page that calls a service, not the
// provider's client.
func viewClass(cls pyast.Node) bool {
	for b := range cls.ChildByField("superclasses").Named() {
		d := pyast.Dotted(b)
		last := d[strings.LastIndex(d, ".")+1:]
		if strings.HasSuffix(last, "View") || strings.HasSuffix(last, "ViewSet") || strings.HasSuffix(last, "Admin") ||
			strings.HasSuffix(last, "Inline") {
			return true
		}
	}
	return false
}
