package security

import (
	_ "embed"
	"path"
	"slices"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/rules/internal/paths"
)

//go:embed debug.md
var debugDoc string

//go:embed allowedhosts.md
var allowedHostsDoc string

// DebugEnabled reports DEBUG = True in a settings module.
var DebugEnabled = &analyzer.Rule{
	Code:       "SEC007",
	Name:       "debug-enabled-in-settings",
	Doc:        debugDoc,
	Category:   analyzer.Security,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.1.0",
	Stack:      project.Django,
	// Off by default: on the take-home corpus every finding was
	// startproject's DEBUG, which SEC006 now reports with its key as one
	// low line (docs/precision.md).
	NonDefault: true,
	Run:        runDebugEnabled,
}

// AllowedHostsWildcard reports ALLOWED_HOSTS containing "*".
var AllowedHostsWildcard = &analyzer.Rule{
	Code:       "SEC008",
	Name:       "allowed-hosts-wildcard",
	Doc:        allowedHostsDoc,
	Category:   analyzer.Security,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.1.0",
	Stack:      project.Django,
	Requires:   []project.Analysis{productionHostDirs},
	Run:        runAllowedHostsWildcard,
}

// isProductionSettings reports whether the file is a settings module that
// may be deployed: a settings path, or any module assigning INSTALLED_APPS
// or ROOT_URLCONF at top level; not a dev/test settings module or a test.
func isProductionSettings(p *analyzer.Pass, assigns []pyast.Node) bool {
	rel := paths.Rel(p)
	if paths.IsTest(rel) {
		return false
	}
	if semantic.DevSettingsModule(rel) {
		return false
	}
	if project.IsSettingsPath(rel) {
		return true
	}
	for _, a := range assigns {
		switch a.ChildByField("left").Text() {
		case "INSTALLED_APPS", "ROOT_URLCONF":
			return true
		}
	}
	return false
}

// runDebugEnabled matches a top-level `DEBUG = True` (or a default of True
// in an env lookup: env.bool("DEBUG", default=True), os.environ.get("DEBUG",
// True)) in a production settings module (see isProductionSettings).
func runDebugEnabled(p *analyzer.Pass) error {
	assigns := project.ModuleAssignments(p.Root)
	if !isProductionSettings(p, assigns) {
		return nil
	}
	for _, a := range assigns {
		if a.ChildByField("left").Text() != "DEBUG" {
			continue
		}
		right := pyast.Unparen(a.ChildByField("right"))
		msg := ""
		switch {
		case right.Type() == "true":
			msg = "`DEBUG = True` in a settings module"
		case defaultsToTrue(right):
			msg = "`DEBUG` defaults to `True` when the environment does not set it"
		default:
			continue
		}
		p.Report(analyzer.Diagnostic{
			Range:   analyzer.RangeOf(a),
			Message: msg + ": tracebacks, settings and SQL are shown to anyone on an error",
			Help:    "read it from the environment with a safe default: `DEBUG = os.environ.get(\"DJANGO_DEBUG\") == \"1\"`, and keep `DEBUG = True` in a dev-only settings module",
		})
	}
	return nil
}

// defaultsToTrue reports whether n is an env lookup call whose default is True.
func defaultsToTrue(n pyast.Node) bool {
	c, ok := pyast.AsCall(n)
	if !ok {
		return false
	}
	d := c.Keyword("default")
	if d.IsNil() && len(c.Positional) == 2 {
		d = c.Positional[1]
	}
	if d.IsNil() {
		return false
	}
	if d.Type() == "true" {
		return true
	}
	s, ok := pyast.StringValue(d)
	return ok && (strings.EqualFold(s, "true") || s == "1")
}

// runAllowedHostsWildcard matches a top-level `ALLOWED_HOSTS = [..., "*", ...]`
// (list or tuple literal) in a production settings module.
// underDebug reports an assignment under `if DEBUG:` (or `if settings.DEBUG
// and ...:`), or in the else branch of a test of a flag named for
// production (`if IS_PRODUCTION: ... else: ALLOWED_HOSTS = ["*"]`): the
// development branch of the settings.
func underDebug(n pyast.Node) bool {
	for a := n.Parent(); !a.IsNil(); a = a.Parent() {
		if a.Type() != "if_statement" {
			continue
		}
		if !a.ChildByField("consequence").Contains(n) {
			// The else branch runs when DEBUG is off, or when the
			// production flag is.
			if d := pyast.Dotted(pyast.Unparen(a.ChildByField("condition"))); d != "" && elseOf(a, n) {
				for _, w := range semantic.NameWords(d[strings.LastIndex(d, ".")+1:]) {
					if w == "production" || w == "prod" {
						return true
					}
				}
			}
			continue
		}
		cond := pyast.Unparen(a.ChildByField("condition"))
		if cond.Type() == "boolean_operator" && cond.ChildByField("operator").Text() == "and" {
			cond = pyast.Unparen(cond.ChildByField("left"))
		}
		if d := pyast.Dotted(cond); d == "DEBUG" || strings.HasSuffix(d, ".DEBUG") {
			return true
		}
	}
	return false
}

// elseOf reports n inside the final else clause of if statement a.
func elseOf(a, n pyast.Node) bool {
	for _, alt := range a.ChildrenByField("alternative") {
		if alt.Type() == "else_clause" && alt.Contains(n) {
			return true
		}
	}
	return false
}

func runAllowedHostsWildcard(p *analyzer.Pass) error {
	assigns := project.ModuleAssignments(p.Root)
	if !isProductionSettings(p, assigns) {
		return nil
	}
	for _, a := range assigns {
		if a.ChildByField("left").Text() != "ALLOWED_HOSTS" || underDebug(a) || hostsSetForProduction(p) {
			continue
		}
		right := pyast.Unparen(a.ChildByField("right"))
		if !right.Is("list", "tuple") {
			continue
		}
		for e := range right.Named() {
			if s, ok := pyast.StringValue(e); ok && s == "*" {
				p.Report(analyzer.Diagnostic{
					Range:   analyzer.RangeOf(e),
					Message: "`ALLOWED_HOSTS` accepts any `Host` header",
					Help:    "list the domains the site serves, from the environment: `ALLOWED_HOSTS = os.environ[\"DJANGO_ALLOWED_HOSTS\"].split(\",\")`",
				})
			}
		}
	}
	return nil
}

// hostsSetForProduction reports a settings module not itself named for
// production (base.py, common.py) beside a deployed one (production.py,
// prod.py, or the module wsgi.py names) that assigns ALLOWED_HOSTS a
// value with no "*" literal: the deployed settings replace the wildcard,
// which serves development. The wildcard in the deployed module itself is
// not such a module's, so it still reports.
func hostsSetForProduction(p *analyzer.Pass) bool {
	rel := paths.Rel(p)
	if productionNamed(rel) {
		return false
	}
	for _, m := range productionHostDirs.Get(p.Project)[path.Dir(rel)] {
		if m != rel {
			return true
		}
	}
	return false
}

// productionHostDirs maps a directory to its deployed settings modules
// that assign ALLOWED_HOSTS a value with no "*" literal: a module
// named for production, or the one the project's WSGI or ASGI entry point
// names (`os.environ.setdefault("DJANGO_SETTINGS_MODULE",
// "app.settings.docker")` in wsgi.py, which the application server loads).
var productionHostDirs = &project.ProjectAnalysis[map[string][]string]{Name: "security.productionHostDirs", Digest: project.DigestLists, Run: func(ix *project.Index) map[string][]string {
	out := map[string][]string{}
	deployed := map[string]bool{}
	for _, u := range ix.Units {
		if u.Tree == nil || paths.IsTest(u.Rel()) {
			continue
		}
		if b := path.Base(u.Rel()); b == "wsgi.py" || b == "asgi.py" {
			if mod := settingsModuleNamed(u.Tree.Root()); mod != "" {
				deployed[strings.ReplaceAll(mod, ".", "/")+".py"] = true
			}
		}
	}
	isDeployed := func(rel string) bool {
		for suffix := range deployed {
			if rel == suffix || strings.HasSuffix(rel, "/"+suffix) {
				return true
			}
		}
		return false
	}
	for _, u := range ix.Units {
		if u.Tree == nil || paths.IsTest(u.Rel()) || !productionNamed(u.Rel()) && !isDeployed(u.Rel()) {
			continue
		}
		for _, a := range project.ModuleAssignments(u.Tree.Root()) {
			if a.ChildByField("left").Text() != "ALLOWED_HOSTS" {
				continue
			}
			wild := false
			for s := range pyast.FindEach(a.ChildByField("right"), "string") {
				if v, ok := pyast.StringValue(s); ok && v == "*" {
					wild = true
				}
			}
			if d := path.Dir(u.Rel()); !wild && !slices.Contains(out[d], u.Rel()) {
				out[d] = append(out[d], u.Rel())
			}
		}
	}
	return out
}}

// settingsModuleNamed returns the settings module a WSGI or ASGI entry
// point selects at module level, `os.environ.setdefault(
// "DJANGO_SETTINGS_MODULE", "app.settings.docker")`, or "".
func settingsModuleNamed(root pyast.Node) string {
	for st := range pyast.EachStatement(root) {
		if st.Type() != "expression_statement" {
			continue
		}
		c, ok := pyast.AsCall(st.NamedChild(0))
		if !ok || c.MethodName() != "setdefault" || len(c.Positional) != 2 || !strings.HasSuffix(pyast.Dotted(c.Receiver()), "environ") {
			continue
		}
		if k, _ := pyast.StringValue(c.Positional[0]); k != "DJANGO_SETTINGS_MODULE" {
			continue
		}
		if v, ok := pyast.StringValue(c.Positional[1]); ok {
			return v
		}
	}
	return ""
}

// productionNamed reports a module named for production: production.py,
// prod.py, settings_production.py.
func productionNamed(rel string) bool {
	for _, w := range semantic.NameWords(strings.TrimSuffix(path.Base(rel), ".py")) {
		if w == "production" || w == "prod" {
			return true
		}
	}
	return false
}
