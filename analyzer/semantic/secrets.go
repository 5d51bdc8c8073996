package semantic

import (
	"path"
	"strings"
	"unicode"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// This file holds what a secret looks like in Python code: a name that
// holds one, a literal that is one rather than a placeholder, and a read of
// the environment. SEC006 (hard-coded secrets), SEC010 (secrets in logs),
// the other SEC rules that name secrets, and the checklist's settings.*
// signals read it.

// keyPrefixes are the words that make a trailing "key" secret.
var keyPrefixes = map[string]bool{"api": true, "secret": true, "private": true, "signing": true,
	"encryption": true, "auth": true, "hmac": true, "master": true, "fernet": true, "webhook": true}

// notSecretQualifiers mark names that talk about a secret without holding
// one: a page token, a CSRF token, a tokenizer.
var notSecretQualifiers = map[string]bool{"csrf": true, "page": true, "paging": true, "pagination": true, "next": true, "continuation": true,
	"tokenizer": true, "cursor": true, "reset": true, "is": true, "has": true, "use": true, "require": true,
	"required": true, "enable": true, "enabled": true, "validators": true, "policy": true, "form": true,
	"field": true, "input": true, "label": true, "max": true, "min": true}

// SecretNameWords returns the words of name, or nil when one of them marks
// the name as metadata about a secret rather than a secret.
func SecretNameWords(name string) []string {
	ws := NameWords(name)
	for _, w := range ws {
		if notSecretQualifiers[w] {
			return nil
		}
	}
	// A name that starts by saying it is a message or an error about a
	// secret (`MESSAGE_BAD_ACCESS_TOKEN`, `ERROR_INVALID_PASSWORD`) holds
	// the text shown, not the secret.
	if len(ws) > 1 && messageWords[ws[0]] {
		return nil
	}
	return ws
}

// messageWords start the names of messages and errors.
var messageWords = map[string]bool{"message": true, "msg": true, "error": true, "err": true, "errmsg": true}

// SecretName reports whether an identifier, attribute, dict key or header
// name names a secret. It looks at the last word (what the thing is) and
// rejects names qualified as metadata about a secret.
func SecretName(name string) bool {
	ws := SecretNameWords(name)
	if len(ws) == 0 {
		return false
	}
	last := ws[len(ws)-1]
	prev := ""
	if len(ws) > 1 {
		prev = ws[len(ws)-2]
	}
	switch last {
	case "password", "passwd", "passphrase", "secret", "token", "apikey", "authorization",
		"credentials", "credential", "privatekey":
		return true
	case "key":
		return keyPrefixes[prev]
	}
	return false
}

// EnvLookupCallee reports whether a callee can be one EnvLookup accepts
// (`x.environ.get`, `getenv`, `env`, `config`, `env.x`): a test before
// decoding the call.
func EnvLookupCallee(fn pyast.Node) bool {
	switch fn.Type() {
	case "identifier":
		switch string(fn.Bytes()) {
		case "getenv", "env", "config":
			return true
		}
	case "attribute":
		switch string(fn.ChildByField("attribute").Bytes()) {
		case "get", "getenv":
			return true
		}
		return fn.ChildByField("object").Type() == "identifier" && string(fn.ChildByField("object").Bytes()) == "env"
	}
	return false
}

// EnvLookup reports whether c reads an environment variable or a config
// value: os.environ.get, os.getenv, env(...), env.str(...), config(...).
func EnvLookup(c pyast.Call) bool {
	d := pyast.Dotted(c.Func)
	switch {
	case strings.HasSuffix(d, "environ.get"), d == "os.getenv", d == "getenv", d == "env", d == "config",
		strings.HasPrefix(d, "env."):
		return true
	}
	return false
}

// placeholderWords mark values that are not real secrets.
var placeholderWords = []string{"change", "example", "dummy", "placeholder", "your", "xxx", "test", "fake",
	"sample", "replace", "todo", "fixme", "insert", "redacted", "***", "default", "password", "secret", "not-",
	"notset", "unset", "none", "null", "demo", "local"}

// PlaceholderWord reports whether a value holds one of the words that mark
// a placeholder (change, example, your, test, password, secret...).
func PlaceholderWord(v string) bool {
	low := strings.ToLower(v)
	for _, w := range placeholderWords {
		if strings.Contains(low, w) {
			return true
		}
	}
	return false
}

// PlaceholderSecret reports whether a literal value is obviously not a real
// secret: empty, short, with spaces or template syntax, a known placeholder
// word, one repeated character, an ALL_CAPS/dotted name, or a label without
// digits.
func PlaceholderSecret(v string) bool {
	if len(v) < 8 || strings.ContainsAny(v, " \t\n") {
		return true
	}
	if strings.HasPrefix(v, "django-insecure-") {
		return false
	}
	for _, pre := range []string{"<", "{", "$", "%(", "/", "http://", "https://"} {
		if strings.HasPrefix(v, pre) {
			return true
		}
	}
	low := strings.ToLower(v)
	for _, w := range placeholderWords {
		if strings.Contains(low, w) {
			return true
		}
	}
	if strings.Count(v, v[:1]) == len(v) || importPath(v) {
		return true
	}
	digits, upper, lower := 0, 0, 0
	for _, r := range v {
		switch {
		case unicode.IsDigit(r):
			digits++
		case unicode.IsUpper(r):
			upper++
		case unicode.IsLower(r):
			lower++
		}
	}
	if digits == 0 && len(v) < 20 {
		return true // a label ("client_secret") or a header name
	}
	if lower == 0 && digits == 0 {
		return true // an ENV_VAR_NAME
	}
	return false
}

// importPath reports a dotted Python import path of three parts or more,
// lower-case modules then any name (`custom_auth.serializers.CustomTokenSerializer`
// in djoser's SERIALIZERS map under a "token" key): code, not a secret.
func importPath(v string) bool {
	parts := strings.Split(v, ".")
	if len(parts) < 3 {
		return false
	}
	for i, part := range parts {
		if part == "" || len(part) > 40 || part[0] >= '0' && part[0] <= '9' {
			return false
		}
		for _, r := range part {
			lowerOK := r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9'
			if !lowerOK && !(i == len(parts)-1 && r >= 'A' && r <= 'Z') {
				return false
			}
		}
	}
	return true
}

// SettingsEnvRead reports whether call c, in a settings module, reads the
// environment: an EnvLookup (os.environ.get, os.getenv, env(...),
// env.str(...), config(...)), or a call resolved into python-decouple or
// django-environ (decouple.config, environ.Env(...)). im resolves c's
// callee.
func SettingsEnvRead(im *pyast.Imports, c pyast.Call) bool {
	if EnvLookup(c) {
		return true
	}
	q, ok := im.Resolve(c.Func)
	return ok && (q == "os.environ.get" || q == "os.getenv" || q == "decouple.config" || strings.HasPrefix(q, "environ."))
}

// EnvSubscript reports `os.environ["KEY"]`: n is a subscript whose value
// resolves to os.environ.
func EnvSubscript(im *pyast.Imports, n pyast.Node) bool {
	if n.Type() != "subscript" {
		return false
	}
	q, ok := im.Resolve(n.ChildByField("value"))
	if !ok {
		q = pyast.Dotted(n.ChildByField("value"))
	}
	return q == "os.environ"
}

// LiteralSetting reports a module setting holding a secret as a literal:
// `NAME = "value"` where NAME is upper case (a Django setting) and a
// secret's name, and the value a plain string that is not a placeholder
// (SEC006's judgement of a literal).
func LiteralSetting(assign pyast.Node) bool {
	left, right := assign.ChildByField("left"), assign.ChildByField("right")
	if left.Type() != "identifier" || right.Type() != "string" || pyast.IsFString(right) {
		return false
	}
	name := left.Text()
	if name != strings.ToUpper(name) || !SecretName(name) {
		return false
	}
	v, ok := pyast.StringValue(right)
	return ok && !PlaceholderSecret(v)
}

// ProviderSecretFormat names a value that is a provider's credential by
// its shape alone, whatever it is called and whatever words its random
// part happens to spell: a Stripe secret, restricted or webhook signing
// key (test mode included: it opens the account's test data and API), a
// JSON Web Token, a GitHub, Slack or SendGrid token, an AWS access key id.
// "" when it is none of them.
func ProviderSecretFormat(v string) string {
	switch {
	case hasAnyPrefix(v, "sk_live_", "sk_test_", "rk_live_", "rk_test_") && len(v) > 24 && tokenChars(v):
		return "a Stripe secret key"
	case strings.HasPrefix(v, "whsec_") && len(v) > 24 && tokenChars(v):
		return "a Stripe webhook signing secret"
	case strings.HasPrefix(v, "eyJ") && strings.Count(v, ".") == 2 && len(v) > 40 && tokenChars(v):
		return "a JSON Web Token"
	case hasAnyPrefix(v, "ghp_", "gho_", "ghs_", "github_pat_") && len(v) > 30 && tokenChars(v):
		return "a GitHub token"
	case hasAnyPrefix(v, "xoxb-", "xoxp-", "xoxa-") && len(v) > 20 && tokenChars(v):
		return "a Slack token"
	case strings.HasPrefix(v, "SG.") && strings.Count(v, ".") == 2 && len(v) > 40 && tokenChars(v):
		return "a SendGrid API key"
	case strings.HasPrefix(v, "AKIA") && len(v) == 20 && strings.ToUpper(v) == v && tokenChars(v):
		return "an AWS access key id"
	}
	return ""
}

func hasAnyPrefix(v string, prefixes ...string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(v, p) {
			return true
		}
	}
	return false
}

// tokenChars reports a value made of the characters tokens are written
// with: letters, digits, '_', '-', '.', '=' (no spaces, no template
// syntax such as `sk_test_<your key>`).
func tokenChars(v string) bool {
	for _, r := range v {
		if !(r == '_' || r == '-' || r == '.' || r == '=' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// DotenvSecret judges one variable of a dotenv file: it holds a secret
// when its value is a provider's credential by shape (ProviderSecretFormat,
// whatever the variable is called), or when the variable is named for a
// secret (SecretName: SECRET_KEY, STRIPE_SECRET_KEY, DATABASE_PASSWORD,
// TOKEN) and the value is not a placeholder (PlaceholderSecret, SEC006's
// judgement of a literal). what names the credential when its shape told.
func DotenvSecret(key, value string) (what string, ok bool) {
	if w := ProviderSecretFormat(value); w != "" {
		return w, true
	}
	if SecretName(key) && !PlaceholderSecret(value) {
		return "", true
	}
	return "", false
}

// devSettingsWords mark settings modules meant for development or tests
// (dev.py, settings_local.py, unittests.py, docker.py), where DEBUG, a
// wildcard host and a placeholder key are expected.
var devSettingsWords = map[string]bool{"dev": true, "develop": true, "development": true, "local": true,
	"test": true, "tests": true, "testing": true, "unittest": true, "unittests": true, "ci": true,
	"debug": true, "docker": true, "e2e": true, "devstack": true, "devserver": true}

// DevSettingsModule reports a module (a '/'-separated path) whose name says
// it is for development or tests: a word of its stem is one of
// devSettingsWords (settings_local.py, dev.py, testing.py).
func DevSettingsModule(rel string) bool {
	stem := strings.TrimSuffix(path.Base(rel), ".py")
	for _, w := range NameWords(stem) {
		if devSettingsWords[w] {
			return true
		}
	}
	return false
}
