package security

import (
	_ "embed"
	"fmt"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/rules/internal/envobj"
)

//go:embed liststring.md
var listStringDoc string

// HostListFromString reports a setting that Django reads as a list of
// hosts or origins assigned a single string: Django iterates it one
// character at a time.
var HostListFromString = &analyzer.Rule{
	Code:       "SEC026",
	Name:       "host-list-from-string",
	Doc:        listStringDoc,
	Category:   analyzer.Security,
	Severity:   analyzer.Warning,
	Confidence: analyzer.High,
	Since:      "0.24.0",
	Stack:      project.Django,
	Run:        runHostListFromString,
}

// listSettings are settings that hold a list of hosts, origins or
// addresses, and what a string there does.
var listSettings = map[string]string{
	"ALLOWED_HOSTS": "Django matches the Host header against each character, so no host name matches and every request " +
		"is answered 400 (DisallowedHost), unless the value holds `*`, which then lets any Host through",
	"CSRF_TRUSTED_ORIGINS":  "Django takes each character for an origin: none has a scheme, and the system check refuses to start",
	"CORS_ALLOWED_ORIGINS":  "django-cors-headers takes each character for an origin: no origin is allowed, and its check refuses the setting",
	"CORS_ORIGIN_WHITELIST": "django-cors-headers takes each character for an origin: no origin is allowed, and its check refuses the setting",
	"INTERNAL_IPS":          "`REMOTE_ADDR in INTERNAL_IPS` becomes a substring test: any address that is part of the string counts as internal",
}

// runHostListFromString matches, in a settings module (a settings path, or
// a module assigning INSTALLED_APPS or ROOT_URLCONF; not a test), a
// module-level assignment of a list setting (listSettings) whose value is a
// string: a string literal, `os.environ[...]`, `os.environ.get(...)` or
// `os.getenv(...)` with no default or a string one, decouple's `config(...)`
// without `cast=`, a django-environ or environs Env's `env.str(...)`, or its
// `env(...)` for a variable the Env's schema declares `str` or does not
// declare (unless the call casts it, or django-environ's smart cast takes the
// type of a list or tuple default). A value passed through anything else
// (`.split(",")`, `env.list`, `Csv()`, a comprehension) is left alone.
func runHostListFromString(p *analyzer.Pass) error {
	assigns, settings := envobj.SettingsAssignments(p)
	if !settings {
		return nil
	}
	envs := envobj.Objects(p, assigns)
	for _, a := range assigns {
		name := a.ChildByField("left").Text()
		effect, ok := listSettings[name]
		if !ok {
			continue
		}
		how := stringValueSource(p, pyast.Unparen(a.ChildByField("right")), envs)
		if how == "" {
			continue
		}
		p.Report(analyzer.Diagnostic{
			Range:   analyzer.RangeOf(a.ChildByField("right")),
			Message: fmt.Sprintf("`%s` is a string (%s), not a list: %s", name, how, effect),
			Help:    "make it a list: `env.list(\"" + name + "\")`, `config(\"" + name + "\", cast=Csv())`, or `os.environ.get(\"" + name + "\", \"\").split(\",\")`",
		})
	}
	return nil
}

// stringValueSource says how n yields a string ("the literal `\"a,b\"`",
// "`os.getenv(...)`"), or "" when it does not surely yield one.
func stringValueSource(p *analyzer.Pass, n pyast.Node, envs map[string]envobj.Env) string {
	switch n.Type() {
	case "string", "concatenated_string":
		return "a string literal"
	case "subscript":
		if p.Imports.Is(n.ChildByField("value"), "os.environ") {
			return "`os.environ[...]`"
		}
		return ""
	}
	c, ok := pyast.AsCall(n)
	if !ok || len(c.Positional) == 0 || c.StarKwargs || c.StarArgs {
		return ""
	}
	if _, ok := pyast.StringValue(c.Positional[0]); !ok {
		return ""
	}
	stringDefault := func(d pyast.Node) bool {
		if d.IsNil() {
			return true
		}
		_, ok := pyast.StringValue(d)
		return ok
	}
	if q, ok := p.Imports.Resolve(c.Func); ok {
		switch q {
		case "os.environ.get", "os.getenv":
			d := c.Keyword("default")
			if len(c.Positional) > 1 {
				d = c.Positional[1]
			}
			if stringDefault(d) {
				return "`" + q + "(...)`"
			}
			return ""
		case "decouple.config":
			if _, cast := c.Keywords["cast"]; cast || len(c.Positional) > 2 {
				return ""
			}
			d := c.Keyword("default")
			if len(c.Positional) > 1 {
				d = c.Positional[1]
			}
			if stringDefault(d) {
				return "`config(...)` without `cast=`"
			}
			return ""
		}
	}
	switch c.Func.Type() {
	case "identifier":
		o, ok := envs[c.Func.Text()]
		if !ok {
			return ""
		}
		if _, cast := c.Keywords["cast"]; cast {
			return ""
		}
		v, _ := pyast.StringValue(c.Positional[0])
		if o.DjangoEnviron {
			if t, declared := o.Schema[v]; declared {
				if t == "str" {
					return "`" + c.Func.Text() + "(...)`, declared `str` in the Env's schema"
				}
				return ""
			}
			if !o.NoSmartCast && !stringDefault(c.Keyword("default")) {
				return "" // cast to the default's type (smart_cast)
			}
		}
		return "`" + c.Func.Text() + "(...)`"
	case "attribute":
		obj := c.Func.ChildByField("object")
		if _, ok := envs[obj.Text()]; ok && obj.Type() == "identifier" && c.MethodName() == "str" {
			return "`" + obj.Text() + ".str(...)`"
		}
	}
	return ""
}
