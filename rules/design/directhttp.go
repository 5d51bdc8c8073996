package design

import (
	_ "embed"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/analyzer/semantic/effects"
)

//go:embed directhttp.md
var directHTTPDoc string

// DirectHTTPInService reports service classes calling the HTTP library's
// module functions instead of a session or client they are given.
var DirectHTTPInService = &analyzer.Rule{
	Code:       "ARC002",
	Name:       "direct-http-in-service",
	Doc:        directHTTPDoc,
	Category:   analyzer.Design,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.1.0",
	Skip:       semantic.Test | semantic.Migration | semantic.Settings,
	Run:        runDirectHTTPInService,
}

// runDirectHTTPInService matches, in the methods of a service class,
// calls of requests/httpx module functions (`requests.post`, `httpx.get`)
// and `urlopen`. Calls on a session or client attribute (`self.session.post`)
// are the recommended shape and are skipped, as are sessions built in the
// file (NET004 judges their retries). One finding per class, at the first
// call. Settings modules, tests and migrations are skipped.
func runDirectHTTPInService(p *analyzer.Pass) error {
	f := effects.Of(p.Unit)
	for _, cls := range serviceClasses(p) {
		var calls []pyast.Node
		name := ""
		for _, n := range ownNodes(cls, "call") {
			if e := f.Classify(n); e.Kind == effects.HTTP && e.Origin == effects.ModuleFunc {
				calls = append(calls, e.Callee())
				if name == "" {
					name = e.Name
				}
			}
		}
		if len(calls) == 0 {
			continue
		}
		rel := related(calls[1:], func(n pyast.Node) string { return "also `" + n.Text() + "`" })
		p.Report(analyzer.Diagnostic{
			Range:   analyzer.RangeOf(calls[0]),
			Message: "`" + pyast.DefName(cls) + "` calls `" + name + "` directly instead of a session or client it is given",
			Help:    "accept the transport in the constructor, `def __init__(self, session=None): self.session = session or build_session()`, and call `self.session.post(...)`: tests pass a fake, production passes a session with retries and timeouts",
			Related: rel,
		})
	}
	return nil
}
