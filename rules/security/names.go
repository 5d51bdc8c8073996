// Package security holds the SEC family: webhook signatures and replay,
// secrets in code and logs, insecure settings, SQL and deserialisation
// injection, mass assignment and tenant scoping.
package security

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

// isDigestName reports whether a name holds a signature or MAC, the values
// that must be compared in constant time.
func isDigestName(name string) bool {
	ws := semantic.SecretNameWords(name)
	if len(ws) == 0 {
		return false
	}
	switch ws[len(ws)-1] {
	case "signature", "sig", "digest", "hexdigest", "hmac":
		return true
	case "mac":
		// `expected_mac` is a message authentication code; a bare `mac`
		// is as often a network card's address (`old.mac != self.mac`),
		// and so is a qualified one (`normalized_mac`, `device_mac`): only
		// a qualifier of a computed or received code makes it one.
		for _, w := range ws[:len(ws)-1] {
			if macQualifiers[w] {
				return true
			}
		}
		return false
	case "password", "passwd", "passphrase":
		// Passwords are compared as "new == confirm" or against an enum;
		// stored ones go through check_password, not ==.
		return false
	}
	return semantic.SecretName(name)
}

// macQualifiers say a `mac` is a message authentication code: one
// computed, expected or received.
var macQualifiers = map[string]bool{"expected": true, "computed": true, "calculated": true, "received": true,
	"request": true, "header": true, "given": true, "provided": true, "actual": true, "signed": true,
	"generated": true, "valid": true, "auth": true, "message": true, "msg": true, "our": true, "their": true,
	"payload": true, "body": true, "webhook": true, "hook": true, "incoming": true, "sent": true}

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
