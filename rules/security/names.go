// Package security holds the SEC family: webhook signatures and replay,
// secrets in code and logs, insecure settings, SQL and deserialisation
// injection, mass assignment and tenant scoping.
package security

import (
	"strings"
	"unicode"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// words splits an identifier or header name into lower-case words:
// "STRIPE_SECRET_KEY" -> [stripe secret key], "apiKey" -> [api key],
// "X-Hub-Signature-256" -> [x hub signature 256].
func words(name string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	rs := []rune(name)
	for i, r := range rs {
		switch {
		case r == '_' || r == '-' || r == '.' || r == ' ':
			flush()
		case unicode.IsUpper(r) && i > 0 && unicode.IsLower(rs[i-1]):
			flush()
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
	}
	flush()
	return out
}

// keyPrefixes are the words that make a trailing "key" secret.
var keyPrefixes = map[string]bool{"api": true, "secret": true, "private": true, "signing": true,
	"encryption": true, "auth": true, "hmac": true, "master": true, "fernet": true, "webhook": true}

// notSecretQualifiers mark names that talk about a secret without holding
// one: a page token, a CSRF token, a tokenizer.
var notSecretQualifiers = map[string]bool{"csrf": true, "page": true, "next": true, "continuation": true,
	"tokenizer": true, "cursor": true, "reset": true, "is": true, "has": true, "use": true, "require": true,
	"required": true, "enable": true, "enabled": true, "validators": true, "policy": true, "form": true,
	"field": true, "input": true, "label": true, "max": true, "min": true}

// unqualifiedWords returns the words of name, or nil when one of them marks
// the name as metadata about a secret rather than a secret.
func unqualifiedWords(name string) []string {
	ws := words(name)
	for _, w := range ws {
		if notSecretQualifiers[w] {
			return nil
		}
	}
	return ws
}

// isSecretName reports whether an identifier, attribute, dict key or header
// name names a secret. It looks at the last word (what the thing is) and
// rejects names qualified as metadata about a secret.
func isSecretName(name string) bool {
	ws := unqualifiedWords(name)
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

// isDigestName reports whether a name holds a signature or MAC, the values
// that must be compared in constant time.
func isDigestName(name string) bool {
	ws := unqualifiedWords(name)
	if len(ws) == 0 {
		return false
	}
	switch ws[len(ws)-1] {
	case "signature", "sig", "digest", "hexdigest", "hmac", "mac":
		return true
	case "password", "passwd", "passphrase":
		// Passwords are compared as "new == confirm" or against an enum;
		// stored ones go through check_password, not ==.
		return false
	}
	return isSecretName(name)
}

// lastName returns the name an expression is known by: the identifier, the
// last attribute, or the string key of a subscript or of .get("key").
func lastName(n pyast.Node) string {
	n = pyast.Unparen(n)
	switch n.Type() {
	case "identifier":
		return n.Text()
	case "attribute":
		return n.ChildByField("attribute").Text()
	case "subscript":
		if s, ok := pyast.StringValue(n.ChildByField("subscript")); ok {
			return s
		}
	case "call":
		if h, _ := pyast.AsCallHead(n); h.MethodName() == "get" || h.MethodName() == "getenv" {
			c, _ := pyast.AsCall(n)
			if s, ok := pyast.StringValue(c.Arg(0, "")); ok {
				return s
			}
		}
	}
	return ""
}

// isLiteral reports whether n is a constant: string, number, None, bool.
func isLiteral(n pyast.Node) bool {
	n = pyast.Unparen(n)
	switch n.Type() {
	case "string", "concatenated_string":
		return !pyast.IsFString(n)
	case "integer", "float", "none", "true", "false":
		return true
	case "unary_operator":
		return isLiteral(n.ChildByField("argument"))
	}
	return false
}

// literalConstants returns the module-level names assigned a literal in the
// file (ANONYMOUS_TOKEN = "anonymous"): comparing with them is comparing
// with a public constant.
func literalConstants(root pyast.Node) map[string]bool {
	out := map[string]bool{}
	for _, a := range project.ModuleAssignments(root) {
		if isLiteral(a.ChildByField("right")) {
			out[a.ChildByField("left").Text()] = true
		}
	}
	return out
}

// nosecLines returns the lines carrying a bandit `# nosec` comment: code a
// reviewer has already judged and exempted.
func nosecLines(p *analyzer.Pass) map[int]bool {
	out := map[int]bool{}
	for _, c := range pyast.Comments(p.Tree) {
		if strings.Contains(strings.ToLower(c.Text()), "nosec") {
			out[p.File.Position(c.StartByte()).Line] = true
		}
	}
	return out
}

// spansNosec reports whether any line of n carries `# nosec`.
func spansNosec(p *analyzer.Pass, lines map[int]bool, n pyast.Node) bool {
	if len(lines) == 0 || n.IsNil() {
		return false
	}
	for l := p.File.Position(n.StartByte()).Line; l <= p.File.Position(n.EndByte()).Line; l++ {
		if lines[l] {
			return true
		}
	}
	return false
}

// identifierAssignments returns every `name = value` assignment of the file
// (any scope), in source order.
func identifierAssignments(root pyast.Node) []pyast.Node {
	var out []pyast.Node
	for n := range pyast.FindEach(root, "assignment") {
		if n.ChildByField("left").Type() == "identifier" && !n.ChildByField("right").IsNil() {
			out = append(out, n)
		}
	}
	return out
}
