package security

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed methodless.md
var methodlessDoc string

// StateChangeAnyMethod reports function views that change state whatever
// the HTTP method.
var StateChangeAnyMethod = &analyzer.Rule{
	Code:       "SEC017",
	Name:       "state-change-without-method-check",
	Doc:        methodlessDoc,
	Category:   analyzer.Security,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.2.0",
	Skip:       semantic.ProductCode,
	Requires:   []project.Analysis{semantic.Endpoints},
	Run:        runStateChangeAnyMethod,
}

// runStateChangeAnyMethod matches judged Django function views with no
// method restriction (no require_POST, require_http_methods or
// require_safe, in decorators or URLconf wrappers; not @api_view) that
// write rows, move money or queue tasks, directly or through the project
// functions they call, and never read request.method. Webhooks (the
// provider only posts) are left alone.
func runStateChangeAnyMethod(p *analyzer.Pass) error {
	inv := semantic.InventoryOf(p.Project)
	f := semantic.Of(p.Project).File(p.Unit)
	for _, e := range inv.ViewsIn(f) {
		if e.Kind != "function" || e.Restricted || !e.Judged(inv) || e.Webhook != nil || !e.Writes() {
			continue
		}
		if strings.Contains(pyast.Body(e.Handler.Node).Text(), ".method") {
			continue
		}
		w := e.Does.FirstWrite()
		what := "changes state"
		if w != nil && w.Name != "" {
			what = "runs `" + trimText(w.Name, 50) + "`"
		}
		d := analyzer.Diagnostic{
			Range:   analyzer.RangeOf(e.ViewNode()),
			Message: fmt.Sprintf("view `%s` %s whatever the HTTP method: a GET (a link, a prefetch, a crawler) changes state", e.ViewName(), what),
			Help:    fmt.Sprintf("decorate `%s` with `@require_POST` (from `django.views.decorators.http`), or `@require_http_methods([\"POST\"])` with the methods it serves", e.ViewName()),
		}
		if w != nil && w.File == f && !w.Call.IsNil() {
			d.Related = []analyzer.Related{{Range: analyzer.RangeOf(w.Call), Message: "state changed here"}}
		}
		p.Report(d)
	}
	return nil
}
