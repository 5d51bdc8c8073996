package bugs

import (
	_ "embed"
	"fmt"
	"strings"

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
// (f-strings, names, concatenations), a URLconf whose every route
// is an orphan (settings name a root URLconf that never includes it:
// dead code, whatever its routes say), and a route whose slash is the
// separator: every reached route it builds in this file joins a prefix
// without a trailing slash (see joinsPrefix).
func runRouteLeadingSlash(p *analyzer.Pass) error {
	if p.Unit.Imports == nil {
		return nil
	}
	var reachedRoutes []*semantic.Route
	if sf := semantic.Of(p.Project).File(p.Unit); sf != nil {
		routes := 0
		for _, r := range semantic.InventoryOf(p.Project).Routes {
			if r.File == sf {
				routes++
				if !r.Orphan {
					reachedRoutes = append(reachedRoutes, r)
				}
			}
		}
		if routes > 0 && len(reachedRoutes) == 0 {
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
		if !ok || len(s) == 0 || s[0] != '/' || joinsPrefix(call, reachedRoutes) {
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

// joinsPrefix reports whether the leading slash of the route of call (a
// `path()` entry of this file) joins an include prefix that lacks a
// trailing slash (`path("v2", include(...))`, then `path("/", ...)`): the
// routes the inventory built through the call, reached from the root
// URLconf, exist, and none starts with a slash or holds `//`; the routes
// of an included list are those reached through the call (Route.Via),
// wherever the list is written in the file. A call that includes another
// module builds no route in this file, and still reports.
func joinsPrefix(call pyast.Node, reached []*semantic.Route) bool {
	built := false
	for _, r := range reached {
		if r.Node.IsNil() || !call.Contains(r.Node) && !reachedVia(r, call) {
			continue
		}
		if strings.HasPrefix(r.Pattern, "/") || strings.Contains(r.Pattern, "//") {
			return false
		}
		built = true
	}
	return built
}

// reachedVia reports a route reached through the include entry call: the
// routes of `path("/admin/", include(admin_patterns))` are written in the
// list the name is bound to, not inside the call.
func reachedVia(r *semantic.Route, call pyast.Node) bool {
	for _, v := range r.Via {
		if v.Equal(call) {
			return true
		}
	}
	return false
}
