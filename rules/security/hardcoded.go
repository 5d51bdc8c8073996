package security

import (
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strings"
	"unicode"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/rules/internal/paths"
)

//go:embed hardcoded.md
var hardcodedDoc string

// HardcodedSecret reports secrets written into source code.
var HardcodedSecret = &analyzer.Rule{
	Code:       "SEC006",
	Name:       "hardcoded-secret",
	Doc:        hardcodedDoc,
	Category:   analyzer.Security,
	Severity:   analyzer.Error,
	Confidence: analyzer.Medium,
	Since:      "0.1.0",
	Run:        runHardcodedSecret,
}

// runHardcodedSecret matches string literals that are secrets: a PEM private
// key or a well-known live key format anywhere; or a non-placeholder value
// bound to a secret name (see isSecretName) by an assignment, keyword
// argument, default parameter or dict entry; or the fallback of an env
// lookup for a secret name (os.environ.get("SECRET_KEY", "...")). It skips
// test files and dev/test settings modules, placeholders (empty, short,
// containing spaces, "change-me", "your-...", "xxx", "example", "dummy",
// ...) and label-like values without digits.
func runHardcodedSecret(p *analyzer.Pass) error {
	rel := paths.Rel(p)
	if paths.IsTest(rel) {
		return nil
	}
	// Test and CI configuration modules (settings_test.py,
	// configuration_testing.py, ci.py) hold throwaway keys.
	if devSettingsModule(rel) {
		return nil
	}
	dev := startprojectDev(p.Root)
	seen := map[int32]bool{}
	report := func(lit pyast.Node, name, why string, conf analyzer.Confidence) {
		if seen[lit.ID()] {
			return
		}
		seen[lit.ID()] = true
		msg := fmt.Sprintf("hard-coded secret in `%s`%s", name, why)
		if name == "" {
			msg = "hard-coded " + why
		}
		p.Report(analyzer.Diagnostic{
			Range:      analyzer.RangeOf(lit),
			Message:    msg,
			Help:       "read it from the environment or a secret store (`os.environ[\"" + envName(name) + "\"]`, no default), and rotate the committed value: it is in the git history",
			Confidence: conf,
		})
	}
	if dev.key.IsNil() && !dev.dead.IsNil() {
		seen[dev.dead.ID()] = true // a literal the module replaces later: dead
	}
	if !dev.key.IsNil() {
		// startproject's development settings, kept: one low line for
		// the pair, not an error.
		seen[dev.key.ID()] = true
		msg := "`SECRET_KEY` is a literal development key"
		var related []analyzer.Related
		if !dev.debug.IsNil() {
			msg += " and `DEBUG = True`"
			related = append(related, analyzer.Related{Range: analyzer.RangeOf(dev.debug), Message: "`DEBUG = True`"})
		}
		p.Report(analyzer.Diagnostic{
			Range:      analyzer.RangeOf(dev.key),
			Message:    msg + ": the settings are startproject's development configuration, used wherever this module is deployed",
			Help:       "read both from the environment (`SECRET_KEY = os.environ[\"DJANGO_SECRET_KEY\"]`, `DEBUG = os.environ.get(\"DJANGO_DEBUG\") == \"1\"`), or keep them in a dev-only settings module",
			Severity:   analyzer.Info,
			Confidence: analyzer.High,
			Related:    related,
		})
	}
	settings := semantic.RolesOf(p.Unit).Any(semantic.Settings)
	for n := range pyast.FindEach(p.Root, "string", "assignment", "keyword_argument", "default_parameter", "typed_default_parameter", "pair", "call") {
		if settings && (devConfigurationClass(n) || devBranch(n)) {
			continue
		}
		switch n.Type() {
		case "string":
			v, ok := pyast.StringValue(n)
			if !ok {
				continue
			}
			if kind := knownSecretFormat(v); kind != "" && !strings.Contains(strings.ToLower(v), "example") {
				report(n, "", kind, analyzer.High)
			}
		case "assignment":
			checkNamed(n.ChildByField("left"), n.ChildByField("right"), report)
		case "keyword_argument", "default_parameter", "typed_default_parameter":
			checkNamed(n.ChildByField("name"), n.ChildByField("value"), report)
		case "pair":
			if !madeUpContext(n) {
				checkNamed(n.ChildByField("key"), n.ChildByField("value"), report)
			}
		case "call":
			if lit, callee := signingKeyLiteral(p.Imports, n); !lit.IsNil() {
				report(lit, "", "signing key passed to `"+callee+"`: whoever reads the code can sign as the provider", analyzer.High)
				continue
			}
			if !semantic.EnvLookupCallee(n.ChildByField("function")) {
				continue
			}
			c, _ := pyast.AsCall(n)
			key, def, v, ok := secretEnvFallback(c)
			if ok && !semantic.PlaceholderSecret(v) && !publicToken(v) {
				report(def, key, " (the fallback of the environment lookup is used whenever the variable is missing)", analyzer.Medium)
			}
		}
	}
	return nil
}

// madeUpWords name data made up for previews and samples.
var madeUpWords = []string{"dummy", "fake", "sample", "mock", "example", "preview", "placeholder"}

// madeUpContext reports a dictionary entry whose dictionary is made-up
// data: passed to a method of, or assigned to, a name that says so
// (`dummy_context.update({...: {"verification_token": "aBcD"}})`, an
// e-mail previewer's sample context).
func madeUpContext(pair pyast.Node) bool {
	for p := pair.Parent(); !p.IsNil(); p = p.Parent() {
		var name string
		switch p.Type() {
		case "dictionary", "pair", "argument_list", "parenthesized_expression", "list", "tuple":
			continue
		case "call":
			c, _ := pyast.AsCall(p)
			name = pyast.Dotted(c.Func)
		case "assignment":
			name = p.ChildByField("left").Text()
		}
		low := strings.ToLower(name)
		for _, w := range madeUpWords {
			if strings.Contains(low, w) {
				return true
			}
		}
		return false
	}
	return false
}

// devWords name development, test and CI configuration.
var devWords = []string{"test", "tests", "testing", "ci", "local", "dev", "development"}

// devSettingsModule reports a module named for development, tests or CI
// (settings_test.py, configuration_testing.py, ci.py, local.py), or for
// made-up values (dummy_secrets.py, which development settings import
// while production reads its own; sample_config.py, a template to copy).
func devSettingsModule(rel string) bool {
	return hasWord(strings.TrimSuffix(path.Base(rel), ".py"), devWords...) ||
		hasWord(strings.TrimSuffix(path.Base(rel), ".py"), "dummy", "fake", "sample", "example")
}

// secretEnvFallback reads an environment lookup of a secret's name
// (`os.environ.get("SECRET_KEY", "...")`, the fallback positional or
// `default=`) with a string literal fallback: the name, the fallback
// node and its value.
func secretEnvFallback(c pyast.Call) (key string, def pyast.Node, value string, ok bool) {
	key, ok = pyast.StringValue(c.Arg(0, ""))
	if !ok || !semantic.SecretName(key) || !semantic.EnvLookup(c) {
		return "", pyast.Node{}, "", false
	}
	def = c.Keyword("default")
	if def.IsNil() && len(c.Positional) == 2 {
		def = c.Positional[1]
	}
	value, ok = pyast.StringValue(def)
	return key, def, value, ok
}

// devConfigurationClass reports a node inside a settings class named for
// development or tests (django-configurations' `class Development(Base)`,
// `class Test(Base)`): the class-level twin of a dev or test settings
// module.
func devConfigurationClass(n pyast.Node) bool {
	for c := pyast.Ancestor(n, "class_definition"); !c.IsNil(); c = pyast.Ancestor(c, "class_definition") {
		if hasWord(pyast.DefName(c), devWords...) {
			return true
		}
	}
	return false
}

// devBranch reports a node of a settings module in the branch that runs
// outside production only: the body of `if DEBUG:` or of `if not
// PRODUCTION:` (a name or attribute named for production or development),
// or the else of `if PRODUCTION:` (`if not PRODUCTION: SECRET_KEY =
// "..."`, the production key read from the environment or a secrets file
// elsewhere).
func devBranch(n pyast.Node) bool {
	for at, i := n, pyast.Ancestor(n, "if_statement"); !i.IsNil(); at, i = i, pyast.Ancestor(i, "if_statement") {
		cond := pyast.Unparen(i.ChildByField("condition"))
		negated := false
		if cond.Type() == "not_operator" {
			negated, cond = true, pyast.Unparen(cond.ChildByField("argument"))
		}
		if cond.Type() != "identifier" && cond.Type() != "attribute" {
			continue
		}
		prod := hasWord(lastName(cond), "production", "prod")
		dev := hasWord(lastName(cond), "debug", "dev", "development", "local")
		if !prod && !dev {
			continue
		}
		inBody := i.ChildByField("consequence").Contains(at)
		inElse := false
		for _, alt := range i.ChildrenByField("alternative") {
			if alt.Type() == "else_clause" && alt.Contains(at) {
				inElse = true
			}
		}
		if inBody && (dev && !negated || prod && negated) || inElse && prod && !negated {
			return true
		}
	}
	return false
}

// checkNamed reports value when it is a non-placeholder string literal bound
// to a secret name.
func checkNamed(target, value pyast.Node, report func(pyast.Node, string, string, analyzer.Confidence)) {
	value = pyast.Unparen(value)
	if value.Type() != "string" && value.Type() != "concatenated_string" {
		return
	}
	v, ok := pyast.StringValue(value)
	if !ok {
		return
	}
	name := ""
	switch target.Type() {
	case "identifier", "attribute":
		name = lastName(target)
	case "string":
		name, _ = pyast.StringValue(target)
	}
	if name == "" || !semantic.SecretName(name) {
		return
	}
	if semantic.PlaceholderSecret(v) && !appPassword(name, v) {
		return
	}
	if regexPattern(name, v) {
		return // a pattern a password must match (`REGEX_PASSWORD = r"^[a-zA-Z0-9]{12,}$"`)
	}
	if publicToken(v) {
		return
	}
	if len(name) >= 6 && strings.Contains(strings.ToLower(v), strings.ToLower(name)) || namesItself(name, v) {
		// The value spells its own name: a term or a label (a JSON-LD
		// context's "CryptographicKeyCredential":
		// "cred:CryptographicKeyCredential", a feature flag's
		// DIGITAL_CREDENTIALS = "xpro-digital-credentials"), never a secret.
		return
	}
	why, conf := "", analyzer.Medium
	if strings.HasPrefix(v, "django-insecure-") {
		why = " (a generated development key that is also used wherever this module is loaded)"
	}
	report(value, name, why, conf)
}

// publicToken reports a token its issuer makes to be public: a Mapbox
// public token ("pk." then a base64 JSON body; the secret ones start with
// "sk.") or a Stripe publishable key (pk_live_, pk_test_). Both are sent to
// every browser that loads a map or a checkout, and grant nothing secret.
// So are the dummy secret keys a captcha provider documents for tests
// (Cloudflare Turnstile's 1x0000000000000000000000000000000AA and its 2x,
// 3x twins; reCAPTCHA's test secret): they pass or fail every check and
// verify no real site.
func publicToken(v string) bool {
	return strings.HasPrefix(v, "pk.eyJ") && !strings.ContainsAny(v, " \t") ||
		(strings.HasPrefix(v, "pk_live_") || strings.HasPrefix(v, "pk_test_")) && len(v) > 20 ||
		captchaTestSecret(v)
}

// captchaTestSecret reports the documented test secret keys of Cloudflare
// Turnstile ("1x", "2x" or "3x", 31 zeros, "AA") and Google reCAPTCHA.
func captchaTestSecret(v string) bool {
	if v == "6LeIxAcTAAAAAGG-vFI1TnRWxMZNFuojJ4WifJWe" {
		return true
	}
	return len(v) == 35 && (v[0] == '1' || v[0] == '2' || v[0] == '3') && v[1] == 'x' &&
		strings.Trim(v[2:33], "0") == "" && v[33:] == "AA"
}

// namesItself reports a value made of letter-only words (a slug, a label)
// among which the words of a name of two words or more follow each other:
// DIGITAL_CREDENTIALS = "xpro-digital-credentials" names a feature flag. A
// word with a digit ("prod-api-key-9f8a7c") keeps it a possible secret.
func namesItself(name, v string) bool {
	nw, vw := semantic.IdentWords(name), semantic.IdentWords(v)
	if len(nw) < 2 || len(vw) < len(nw) {
		return false
	}
	for _, w := range vw {
		for _, r := range w {
			if !unicode.IsLetter(r) {
				return false
			}
		}
	}
	for i := 0; i+len(nw) <= len(vw); i++ {
		if slices.Equal(vw[i:i+len(nw)], nw) {
			return true
		}
	}
	return false
}

// regexPattern reports a value bound to a name of a regular expression
// (REGEX_PASSWORD, password_pattern, TOKEN_RE) that reads as one: anchored,
// or holding a character class or a repetition.
func regexPattern(name, v string) bool {
	regex := false
	for _, w := range semantic.NameWords(name) {
		switch w {
		case "regex", "regexp", "re", "pattern", "rx":
			regex = true
		}
	}
	return regex && (strings.HasPrefix(v, "^") || strings.HasSuffix(v, "$") || strings.ContainsAny(v, "[]{}*+?\\"))
}

// knownSecretFormat recognises secrets by their shape alone.
func knownSecretFormat(v string) string {
	switch {
	case strings.Contains(v, "-----BEGIN") && strings.Contains(v, "PRIVATE KEY") && pemBody(v):
		return "private key"
	case (strings.HasPrefix(v, "sk_live_") || strings.HasPrefix(v, "rk_live_")) && len(v) > 20:
		return "Stripe live key"
	case strings.HasPrefix(v, "AKIA") && len(v) == 20 && strings.ToUpper(v) == v:
		return "AWS access key id"
	case (strings.HasPrefix(v, "ghp_") || strings.HasPrefix(v, "github_pat_")) && len(v) > 30:
		return "GitHub token"
	case (strings.HasPrefix(v, "xoxb-") || strings.HasPrefix(v, "xoxp-")) && len(v) > 20:
		return "Slack token"
	case signedJWT(v):
		return "signed JSON Web Token: a bearer credential, so whoever reads the code calls the API as its holder"
	}
	return ""
}

// bearerPrefixes may precede a token in an Authorization value.
var bearerPrefixes = []string{"Bearer ", "bearer ", "JWT ", "Token "}

// signedJWT reports a whole value that is a signed JSON Web Token, alone or
// after an Authorization scheme ("Bearer eyJ..."): three base64url segments,
// a header that decodes to a JSON object naming its "alg", a payload that
// decodes to a JSON object, and a signature of at least 16 characters (an
// unsigned token, "alg": "none", carries no credential). jwt.io's sample
// token (John Doe, subject 1234567890) is documentation, not a secret.
func signedJWT(v string) bool {
	for _, pre := range bearerPrefixes {
		if strings.HasPrefix(v, pre) {
			v = strings.TrimSpace(v[len(pre):])
			break
		}
	}
	parts := strings.Split(v, ".")
	if len(parts) != 3 || !strings.HasPrefix(parts[0], "eyJ") || len(parts[2]) < 16 {
		return false
	}
	var header, payload map[string]any
	for i, dst := range []*map[string]any{&header, &payload} {
		b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[i], "="))
		if err != nil || json.Unmarshal(b, dst) != nil {
			return false
		}
	}
	if alg, ok := header["alg"].(string); !ok || alg == "" || strings.EqualFold(alg, "none") {
		return false
	}
	return !(payload["name"] == "John Doe" && payload["sub"] == "1234567890")
}

// pemBody reports a PEM text with key material: what is left once the
// BEGIN and END marker lines are taken out is long enough to be a key. The
// marker alone (`key.replace("-----BEGIN OPENSSH PRIVATE KEY-----", "")`,
// stripping a key read from configuration) is no key.
func pemBody(v string) bool {
	rest := v
	for _, marker := range []string{"-----BEGIN", "-----END"} {
		for {
			i := strings.Index(rest, marker)
			if i < 0 {
				break
			}
			j := strings.Index(rest[i+len(marker):], "-----")
			if j < 0 {
				rest = rest[:i]
				break
			}
			rest = rest[:i] + rest[i+len(marker)+j+5:]
		}
	}
	return len(strings.Join(strings.Fields(rest), "")) >= 40
}

// envName suggests an environment variable name for a secret.
func envName(name string) string {
	if name == "" {
		return "SECRET"
	}
	return strings.ToUpper(strings.Join(semantic.NameWords(name), "_"))
}

// devSettings is what startprojectDev finds in a module.
type devSettings struct {
	// key is the SECRET_KEY literal of startproject's development
	// settings: a module-level `SECRET_KEY = "django-insecure-..."`, or
	// any literal key beside `DEBUG = True`, not replaced later.
	key pyast.Node
	// debug is the module-level `DEBUG = True` assignment, if any.
	debug pyast.Node
	// dead is a literal SECRET_KEY the module assigns again later from
	// somewhere else (the environment): never used.
	dead pyast.Node
}

// startprojectDev reads the module-level SECRET_KEY and DEBUG assignments.
func startprojectDev(root pyast.Node) devSettings {
	var out devSettings
	var keys []pyast.Node // right-hand sides, in order
	for st := range pyast.EachStatement(root) {
		if st.Type() != "expression_statement" {
			continue
		}
		a := st.NamedChild(0)
		if a.Type() != "assignment" || a.ChildByField("left").Type() != "identifier" {
			continue
		}
		switch a.ChildByField("left").Text() {
		case "SECRET_KEY":
			keys = append(keys, pyast.Unparen(a.ChildByField("right")))
		case "DEBUG":
			if pyast.Unparen(a.ChildByField("right")).Type() == "true" {
				out.debug = a
			} else {
				out.debug = pyast.Node{} // set again from elsewhere
			}
		}
	}
	if len(keys) == 0 {
		return out
	}
	first := keys[0]
	v, ok := pyast.StringValue(first)
	if !ok || semantic.PlaceholderSecret(v) {
		return out
	}
	if len(keys) > 1 {
		out.dead = first
		return out
	}
	if strings.HasPrefix(v, "django-insecure-") || !out.debug.IsNil() {
		out.key = first
	}
	return out
}

// signingKeys are the functions that take a signing or verifying key, and
// the position of the key among their arguments.
var signingKeys = map[string]int{"hmac.new": 0, "hmac.HMAC": 0, "hmac.digest": 0, "jwt.encode": 1, "jwt.decode": 1}

// signingKeyLiteral returns the literal key of a signing call
// (`hmac.new(b"s3cret", body, sha256)`, `hmac.new(bytes("k", "utf-8"), ...)`,
// `jwt.encode(payload, "k")`) and the callee's name; the zero Node when the
// key is not a literal. A literal there is the key in use, whatever it
// looks like: only an empty string is left alone.
func signingKeyLiteral(im *pyast.Imports, n pyast.Node) (pyast.Node, string) {
	h, ok := pyast.AsCallHead(n)
	if !ok {
		return pyast.Node{}, ""
	}
	q, ok := im.Resolve(h.Func)
	pos, known := signingKeys[q]
	if !ok || !known {
		return pyast.Node{}, ""
	}
	c, _ := pyast.AsCall(n)
	key := c.Keyword("key")
	if key.IsNil() && len(c.Positional) > pos {
		key = c.Positional[pos]
	}
	lit := literalBytes(key)
	if v, ok := pyast.StringValue(lit); !ok || v == "" {
		return pyast.Node{}, ""
	}
	return lit, q
}

// literalBytes unwraps `bytes("k", "utf-8")`, `"k".encode()` and
// `str.encode("k")` to the string literal inside, or returns n.
func literalBytes(n pyast.Node) pyast.Node {
	n = pyast.Unparen(n)
	c, ok := pyast.AsCall(n)
	if !ok {
		return n
	}
	switch {
	case c.MethodName() == "encode" && c.Func.Type() == "attribute":
		if r := pyast.Unparen(c.Receiver()); r.Type() == "string" {
			return r
		}
	case pyast.Dotted(c.Func) == "bytes" || pyast.Dotted(c.Func) == "bytearray":
		if len(c.Positional) > 0 {
			return pyast.Unparen(c.Positional[0])
		}
	}
	return n
}

// appPassword reports a generated application password bound to a
// password name: sixteen lower-case letters, alone or as four groups of
// four (the shape of Google's app passwords, which an SMTP setting such as
// EMAIL_HOST_PASSWORD holds). It has no digit, which PlaceholderSecret
// takes for a label, but no label is sixteen letters with no word break.
func appPassword(name, v string) bool {
	if !strings.Contains(strings.ToLower(name), "pass") {
		return false
	}
	if len(v) == 19 && v[4] == ' ' && v[9] == ' ' && v[14] == ' ' {
		v = strings.ReplaceAll(v, " ", "")
	}
	if len(v) != 16 || semantic.PlaceholderWord(v) {
		return false
	}
	seen := map[rune]bool{}
	for _, r := range v {
		if r < 'a' || r > 'z' {
			return false
		}
		seen[r] = true
	}
	return len(seen) >= 8 // not "aaaabbbbccccdddd"
}
