package bugs

import (
	_ "embed"
	"fmt"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed routeslash.md
var routeSlashDoc string

// RouteLeadingSlash reports a `path()` route that starts with a slash:
// Django matches routes against the request path without its leading
// slash, so the route, and every URL of a URLconf it includes, is served
// only under `//`.
var RouteLeadingSlash = &analyzer.Rule{
	Code:              "BUG076",
	Name:              "route-leading-slash",
	Doc:               routeSlashDoc,
	Category:          analyzer.Correctness,
	Severity:          analyzer.Warning,
	Confidence:        analyzer.High,
	Since:             "0.28.0",
	Stack:             project.Django,
	SkipOnSyntaxError: true,
	Skip:              semantic.ProductCode,
	Requires:          []project.Analysis{semantic.Project, semantic.Endpoints},
	Run:               runRouteLeadingSlash,
}

// runRouteLeadingSlash matches calls of `django.urls.path` (however
// imported) whose route, the first positional argument or `route=`, is a
// plain string literal starting with "/". Skipped: `re_path` and `url`
// (a regex may match a slash on purpose), routes built at run time
// (f-strings, names, concatenations), and a URLconf whose every route
// is an orphan (settings name a root URLconf that never includes it:
// dead code, whatever its routes say).
func runRouteLeadingSlash(p *analyzer.Pass) error {
	if p.Unit.Imports == nil {
		return nil
	}
	if sf := semantic.Of(p.Project).File(p.Unit); sf != nil {
		routes, reached := 0, false
		for _, r := range semantic.InventoryOf(p.Project).Routes {
			if r.File == sf {
				routes++
				reached = reached || !r.Orphan
			}
		}
		if routes > 0 && !reached {
			return nil
		}
	}
	for call := range pyast.FindEach(p.Root, "call") {
		c, ok := pyast.AsCall(call)
		if !ok {
			continue
		}
		callee := pyast.Dotted(c.Func)
		if callee == "" {
			continue
		}
		head, rest := callee, ""
		for i := 0; i < len(callee); i++ {
			if callee[i] == '.' {
				head, rest = callee[:i], callee[i:]
				break
			}
		}
		q, imported := p.Unit.Imports.Lookup(head)
		if !imported || q+rest != "django.urls.path" {
			continue
		}
		route := c.Keywords["route"]
		if route.IsNil() && len(c.Positional) > 0 {
			route = c.Positional[0]
		}
		if route.IsNil() || route.Type() != "string" {
			continue
		}
		s, ok := pyast.StringValue(route)
		if !ok || len(s) == 0 || s[0] != '/' {
			continue
		}
		what := "this view is"
		if len(c.Positional) > 1 {
			if inc, ok := pyast.AsCall(pyast.Unparen(c.Positional[1])); ok && pyast.Dotted(inc.Func) == "include" {
				what = "every route of the included URLconf is"
			}
		}
		p.Report(analyzer.Diagnostic{
			Range: analyzer.RangeOf(route),
			Message: fmt.Sprintf("route %q starts with a slash: Django matches routes against the path without its leading slash, so %s reachable only at `/%s...` and the URL without the double slash answers 404",
				s, what, s),
			Help: fmt.Sprintf("drop the leading slash: `path(%q, ...)` (Django's own check warns of it as urls.W002)", s[1:]),
		})
	}
	return nil
}
