package design

import (
	_ "embed"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed settingsinservice.md
var settingsInServiceDoc string

// SettingsInService reports service classes that read settings or the
// environment instead of receiving them.
var SettingsInService = &analyzer.Rule{
	Code:       "ARC001",
	Name:       "settings-read-in-service",
	Doc:        settingsInServiceDoc,
	Category:   analyzer.Design,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.1.0",
	Skip:       semantic.Test | semantic.Migration | semantic.Settings,
	Run:        runSettingsInService,
}

// runSettingsInService matches, in the methods of a service class (see
// isServiceClass), reads of django.conf.settings attributes,
// getattr(settings, ...), os.environ[...], os.environ.get() and
// os.getenv(). It skips reads that are the default of an injected parameter
// (`base_url or settings.X`, `x if x is not None else settings.X`, inside
// `if x is None:`), parameter defaults (evaluated at definition), settings
// modules, tests and migrations. Views and other framework classes are not
// service classes: Django wires them, and reading settings there is the
// composition root's job. One finding per class, at the first read.
func runSettingsInService(p *analyzer.Pass) error {
	for _, cls := range serviceClasses(p) {
		var reads []pyast.Node
		var names []string
		for _, n := range ownNodes(cls, "attribute", "subscript", "call") {
			name := settingsRead(p.Imports, n)
			if name == "" || !pyast.Ancestor(n, "parameters").IsNil() || injectedDefault(n) {
				continue
			}
			reads = append(reads, n)
			if len(names) < 3 {
				names = append(names, "`"+name+"`")
			}
		}
		if len(reads) == 0 {
			continue
		}
		rel := related(reads[1:], func(pyast.Node) string { return "also read here" })
		cname := pyast.DefName(cls)
		p.Report(analyzer.Diagnostic{
			Range:   analyzer.RangeOf(reads[0]),
			Message: "`" + cname + "` reads configuration itself: " + strings.Join(names, ", "),
			Help:    "take it as a constructor parameter with a default: `def __init__(self, base_url=None, api_key=None): self.base_url = base_url or settings.X`; tests and tenants then pass their own values",
			Related: rel,
		})
	}
	return nil
}

// settingsRead returns a display name when n reads configuration:
// settings.X (django.conf.settings), getattr(settings, "X"), os.environ[...],
// os.environ.get(...), os.getenv(...). Only the outermost node of a read
// matches (settings.X, not settings.X.y's inner part twice).
func settingsRead(im *pyast.Imports, n pyast.Node) string {
	switch n.Type() {
	case "attribute":
		obj := n.ChildByField("object")
		if obj.Type() == "identifier" && im.Is(obj, "django.conf.settings") {
			return n.Text()
		}
	case "subscript":
		if im.Is(n.ChildByField("value"), "os.environ") {
			return n.Text()
		}
	case "call":
		c, _ := pyast.AsCall(n)
		if im.Is(c.Func, "os.getenv", "os.environ.get") {
			return c.Func.Text() + "(…)"
		}
		if c.Func.Text() == "getattr" && len(c.Positional) > 0 && im.Is(c.Positional[0], "django.conf.settings") {
			if s, ok := pyast.StringValue(c.Arg(1, "")); ok {
				return "settings." + s
			}
			return "getattr(settings, …)"
		}
	}
	return ""
}

// injectedDefault reports whether a read is the fallback for a parameter of
// its function: `param or read`, `param if param is not None else read`, or
// inside `if param is None:`.
func injectedDefault(n pyast.Node) bool {
	fn := pyast.EnclosingFunction(n)
	if fn.IsNil() {
		return false
	}
	params := map[string]bool{}
	for _, p := range pyast.ParamNames(fn) {
		if p != "self" && p != "cls" {
			params[p] = true
		}
	}
	mentionsParam := func(e pyast.Node) bool {
		found := false
		pyast.Inspect(e, func(m pyast.Node) bool {
			if m.Type() == "identifier" && params[m.Text()] {
				found = true
			}
			return !found
		})
		return found
	}
	for p := n.Parent(); !p.IsNil() && !p.Equal(fn); p = p.Parent() {
		switch p.Type() {
		case "boolean_operator":
			if mentionsParam(p.ChildByField("left")) {
				return true
			}
		case "conditional_expression":
			if mentionsParam(p) {
				return true
			}
		case "if_statement":
			cond := p.ChildByField("condition")
			if strings.Contains(cond.Text(), "None") && mentionsParam(cond) && p.ChildByField("consequence").Contains(n) {
				return true
			}
		}
	}
	return false
}
