// Package envobj reads the module-level environment readers of
// django-environ and environs, which rules judging settings share.
package envobj

import (
	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/rules/internal/paths"
)

// SettingsAssignments returns the module-level assignments of a settings
// module (a settings path, or a module assigning INSTALLED_APPS or
// ROOT_URLCONF), and false for any other module and for tests.
func SettingsAssignments(p *analyzer.Pass) ([]pyast.Node, bool) {
	rel := paths.Rel(p)
	if paths.IsTest(rel) {
		return nil, false
	}
	assigns := project.ModuleAssignments(p.Root)
	settings := project.IsSettingsPath(rel)
	for _, a := range assigns {
		switch a.ChildByField("left").Text() {
		case "INSTALLED_APPS", "ROOT_URLCONF":
			settings = true
		}
	}
	return assigns, settings
}

// Env is a module-level `env = environs.Env()` or `env = environ.Env(...)`.
type Env struct {
	// DjangoEnviron is set for django-environ's Env.
	DjangoEnviron bool
	// Schema maps each variable a django-environ Env's keywords declare to
	// the type it casts it to, as written (`str`, `list`, `bool`).
	Schema map[string]string
	// NoSmartCast: `environ.Env(smart_cast=False)`; otherwise django-environ
	// casts a value to the type of its default (`env("X", default=False)`
	// is a bool).
	NoSmartCast bool
}

// Objects reads the module's Env instances among its module-level
// assignments, by the name they are bound to.
func Objects(p *analyzer.Pass, assigns []pyast.Node) map[string]Env {
	out := map[string]Env{}
	for _, a := range assigns {
		c, ok := pyast.AsCall(pyast.Unparen(a.ChildByField("right")))
		if !ok {
			continue
		}
		q, ok := p.Imports.Resolve(c.Func)
		if !ok {
			continue
		}
		switch q {
		case "environs.Env":
			out[a.ChildByField("left").Text()] = Env{}
		case "environ.Env", "environ.environ.Env":
			o := Env{DjangoEnviron: true, Schema: map[string]string{}}
			for k, v := range c.EachKeyword() {
				v = pyast.Unparen(v)
				if v.Type() == "tuple" && v.NamedChildCount() > 0 {
					v = v.NamedChild(0)
				}
				o.Schema[k] = v.Text()
			}
			o.NoSmartCast = c.Keyword("smart_cast").Type() == "false"
			delete(o.Schema, "smart_cast")
			out[a.ChildByField("left").Text()] = o
		}
	}
	return out
}
