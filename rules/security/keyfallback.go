package security

import (
	_ "embed"
	"fmt"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/rules/internal/paths"
)

//go:embed keyfallback.md
var keyFallbackDoc string

// SecretKeyPlaceholderFallback reports Django's SECRET_KEY read from the
// environment with a placeholder literal as the fallback: a deploy that
// forgets the variable starts anyway, signing with a key the repository
// shows.
var SecretKeyPlaceholderFallback = &analyzer.Rule{
	Code:       "SEC023",
	Name:       "secret-key-placeholder-fallback",
	Doc:        keyFallbackDoc,
	Category:   analyzer.Security,
	Severity:   analyzer.Info,
	Confidence: analyzer.Medium,
	Since:      "0.15.0",
	Stack:      project.Django | project.WebApp,
	Run:        runSecretKeyPlaceholderFallback,
}

// runSecretKeyPlaceholderFallback matches `SECRET_KEY = <env lookup>(NAME,
// "literal")` (at module level or in a settings class; the lookups SEC006
// knows, the fallback positional or `default=`) whose literal SEC006 takes
// for a placeholder and leaves alone ("change-me", "your-secret-key"),
// outside test files and test, CI, local and dev settings modules or
// classes. A literal SEC006 takes for a real key is its finding; an empty
// one makes Django refuse to start.
func runSecretKeyPlaceholderFallback(p *analyzer.Pass) error {
	rel := paths.Rel(p)
	if paths.IsTest(rel) || devSettingsModule(rel) {
		return nil
	}
	settings := semantic.RolesOf(p.Unit).Any(semantic.Settings)
	for a := range pyast.FindEach(p.Root, "assignment") {
		left := a.ChildByField("left")
		if left.Type() != "identifier" || left.Text() != "SECRET_KEY" || !pyast.EnclosingFunction(a).IsNil() {
			continue
		}
		if settings && devConfigurationClass(a) {
			continue
		}
		c, ok := pyast.AsCall(pyast.Unparen(a.ChildByField("right")))
		if !ok || !semantic.EnvLookupCallee(c.Func) {
			continue
		}
		key, def, v, ok := secretEnvFallback(c)
		if !ok || v == "" || !semantic.PlaceholderSecret(v) {
			continue
		}
		p.Report(analyzer.Diagnostic{
			Range:   analyzer.RangeOf(def),
			Message: fmt.Sprintf("`SECRET_KEY` falls back to the literal %s when `%s` is unset: a deploy that forgets the variable starts anyway and signs sessions, password-reset links and signed cookies with a key anyone reading the repository knows", def.Text(), key),
			Help:    "read it with no default (`os.environ[\"" + key + "\"]`) so that a missing key stops the start, or allow a fallback only when `DEBUG` is on",
		})
	}
	return nil
}
