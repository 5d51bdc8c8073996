package bugs

import (
	_ "embed"
	"fmt"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed routershadow.md
var routerShadowDoc string

// RouterRouteShadowed reports a viewset registered on a DRF router after
// another registration whose routes match its URLs first: the same prefix
// registered twice, or an empty prefix whose detail route `<pk>/` takes a
// later one-segment prefix's list URL. Django resolves the first match, so
// the later viewset's routes are never reached.
var RouterRouteShadowed = &analyzer.Rule{
	Code:              "BUG048",
	Name:              "router-route-shadowed",
	Doc:               routerShadowDoc,
	Category:          analyzer.Correctness,
	Severity:          analyzer.Error,
	Confidence:        analyzer.High,
	Since:             "0.17.0",
	Stack:             project.Django,
	SkipOnSyntaxError: true,
	Skip:              semantic.Test | semantic.Migration,
	Requires:          []project.Analysis{semantic.Endpoints},
	Run:               runRouterRouteShadowed,
}

// runRouterRouteShadowed reads the routes the endpoint inventory marked
// shadowed (semantic.Route.ShadowedBy) whose register() call this file
// holds; a router included twice yields one finding per call.
func runRouterRouteShadowed(p *analyzer.Pass) error {
	sf := semantic.Of(p.Project).File(p.Unit)
	if sf == nil {
		return nil
	}
	inv := semantic.InventoryOf(p.Project)
	seen := map[int]bool{}
	for _, r := range inv.Routes {
		a := r.ShadowedBy
		if a == nil || r.File != sf || r.Class == nil || a.Class == nil || seen[r.Node.StartByte()] {
			continue
		}
		seen[r.Node.StartByte()] = true
		line := p.File.Position(a.Node.StartByte()).Line
		rel := []analyzer.Related{{Range: analyzer.RangeOf(a.Node), Message: fmt.Sprintf("`%s`, registered first", a.Class.Name)}}
		var msg, help string
		if r.Pattern != a.Pattern {
			msg = fmt.Sprintf("`%s`'s list route `%s` is matched first by the detail route `%s<pk>/` of `%s` (registered with an empty prefix, line %d): its list and create are never reached",
				r.Class.Name, r.Pattern, a.Pattern, a.Class.Name, line)
			help = fmt.Sprintf("register `%s` under a prefix of its own, or register it after the viewsets that have one", a.Class.Name)
		} else {
			var lost string
			switch {
			case r.ShadowedList && r.ShadowedDetail:
				lost = fmt.Sprintf("`%s` and `%s<pk>/` never reach `%s`", r.Pattern, r.Pattern, r.Class.Name)
			case r.ShadowedList:
				lost = fmt.Sprintf("`%s` never reaches `%s`'s list and create", r.Pattern, r.Class.Name)
			default:
				lost = fmt.Sprintf("`%s<pk>/` never reaches `%s`'s retrieve, update and destroy", r.Pattern, r.Class.Name)
			}
			msg = fmt.Sprintf("`%s` is registered under `%s`, the prefix `%s` (line %d) already has: Django matches that viewset's routes first, so %s",
				r.Class.Name, r.Pattern, a.Class.Name, line, lost)
			help = fmt.Sprintf("give `%s` a prefix of its own", r.Class.Name)
		}
		p.Report(analyzer.Diagnostic{Range: analyzer.RangeOf(r.Node), Message: msg, Help: help, Related: rel})
	}
	return nil
}
