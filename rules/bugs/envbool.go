package bugs

import (
	_ "embed"
	"fmt"
	"regexp"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/rules/internal/envobj"
)

//go:embed envbool.md
var envBoolDoc string

// EnvBoolAsString reports a boolean setting assigned an environment
// variable's raw string.
var EnvBoolAsString = &analyzer.Rule{
	Code:       "BUG034",
	Name:       "env-bool-as-string",
	Doc:        envBoolDoc,
	Category:   analyzer.Correctness,
	Severity:   analyzer.Warning,
	Confidence: analyzer.High,
	Since:      "0.11.0",
	Run:        runEnvBoolAsString,
}

// boolSettings are Django and common third-party settings that hold a
// boolean.
var boolSettings = map[string]bool{
	"DEBUG": true, "TEMPLATE_DEBUG": true, "USE_TZ": true, "USE_I18N": true, "USE_L10N": true, "APPEND_SLASH": true,
	"USE_X_FORWARDED_HOST": true, "USE_X_FORWARDED_PORT": true, "SESSION_COOKIE_SECURE": true,
	"SESSION_COOKIE_HTTPONLY": true, "SESSION_EXPIRE_AT_BROWSER_CLOSE": true, "CSRF_COOKIE_SECURE": true,
	"CSRF_COOKIE_HTTPONLY": true, "CSRF_USE_SESSIONS": true, "SECURE_SSL_REDIRECT": true,
	"SECURE_HSTS_INCLUDE_SUBDOMAINS": true, "SECURE_HSTS_PRELOAD": true, "SECURE_CONTENT_TYPE_NOSNIFF": true,
	"EMAIL_USE_TLS": true, "EMAIL_USE_SSL": true, "CORS_ALLOW_ALL_ORIGINS": true, "CORS_ORIGIN_ALLOW_ALL": true,
	"CORS_ALLOW_CREDENTIALS": true, "CELERY_TASK_ALWAYS_EAGER": true, "CELERY_ALWAYS_EAGER": true,
	"CELERY_TASK_EAGER_PROPAGATES": true,
}

// boolSettingName matches project settings named as flags.
var boolSettingName = regexp.MustCompile(`^(USE|ENABLE|IS)_[A-Z0-9_]+$|_(ENABLED|DEBUG)$|_USE_(TLS|SSL)$`)

// runEnvBoolAsString matches, in a settings module (a settings path, or a
// module assigning INSTALLED_APPS or ROOT_URLCONF; not a test), a
// top-level assignment of a boolean setting (see boolSettings,
// boolSettingName) whose value is the raw string of an environment
// lookup: os.environ[...], os.environ.get(...), os.getenv(...),
// decouple's config(...) without cast=, an environs Env's env(...) or
// env.str(...), a django-environ Env's env.str(...) or env(...) for a
// variable its schema (Env(DEBUG=(bool, False))) does not cast. A value
// wrapped in anything (bool(...), == "1", .lower() in (...)) is left
// alone.
func runEnvBoolAsString(p *analyzer.Pass) error {
	assigns, settings := envobj.SettingsAssignments(p)
	if !settings {
		return nil
	}
	envs := envobj.Objects(p, assigns)
	for _, a := range assigns {
		name := a.ChildByField("left").Text()
		if !boolSettings[name] && !boolSettingName.MatchString(name) {
			continue
		}
		right := pyast.Unparen(a.ChildByField("right"))
		v, how := rawEnvString(p, right, envs)
		if v == "" {
			continue
		}
		p.Report(analyzer.Diagnostic{
			Range: analyzer.RangeOf(a),
			Message: fmt.Sprintf("`%s` is the string %s returns: `%s=False` (or `0`) is a non-empty string, so the setting is true",
				name, how, v),
			Help: fmt.Sprintf("convert it: `os.environ.get(%q, \"\").lower() in (\"1\", \"true\")`, `env.bool(%q, default=False)` or `config(%q, default=False, cast=bool)`", v, v, v),
		})
	}
	return nil
}

// rawEnvString returns the variable name a raw string lookup reads, and
// how it reads it, or "" when n is not one.
func rawEnvString(p *analyzer.Pass, n pyast.Node, envs map[string]envobj.Env) (string, string) {
	if n.Type() == "subscript" {
		if p.Imports.Is(n.ChildByField("value"), "os.environ") {
			if v, ok := pyast.StringValue(n.ChildByField("subscript")); ok {
				return v, "`os.environ[...]`"
			}
		}
		return "", ""
	}
	c, ok := pyast.AsCall(n)
	if !ok || len(c.Positional) == 0 || c.StarKwargs {
		return "", ""
	}
	v, ok := pyast.StringValue(c.Positional[0])
	if !ok || v == "" {
		return "", ""
	}
	if q, ok := p.Imports.Resolve(c.Func); ok {
		switch q {
		case "os.environ.get", "os.getenv":
			return v, "`" + q + "(...)`"
		case "decouple.config":
			if _, cast := c.Keywords["cast"]; cast || len(c.Positional) > 2 {
				return "", ""
			}
			return v, "`config(...)` without `cast=`"
		}
	}
	switch c.Func.Type() {
	case "identifier":
		if o, ok := envs[c.Func.Text()]; ok {
			if o.DjangoEnviron && declared(o, v) {
				return "", "" // cast by the Env's schema
			}
			if o.DjangoEnviron && !o.NoSmartCast {
				switch c.Keyword("default").Type() {
				case "true", "false", "integer":
					return "", "" // cast to the default's type (smart_cast)
				}
			}
			if _, cast := c.Keywords["cast"]; cast {
				return "", ""
			}
			return v, "`" + c.Func.Text() + "(...)`"
		}
	case "attribute":
		obj := c.Func.ChildByField("object")
		if _, ok := envs[obj.Text()]; ok && obj.Type() == "identifier" && c.MethodName() == "str" {
			return v, "`" + obj.Text() + ".str(...)`"
		}
	}
	return "", ""
}

// declared reports a variable the Env's schema casts.
func declared(o envobj.Env, v string) bool {
	_, ok := o.Schema[v]
	return ok
}
