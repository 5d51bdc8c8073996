package security

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/rules/internal/paths"
)

//go:embed secretlog.md
var secretLogDoc string

// SecretInLog reports secrets passed to logging, print or exception messages.
var SecretInLog = &analyzer.Rule{
	Code:       "SEC005",
	Name:       "secret-in-log-output",
	Doc:        secretLogDoc,
	Category:   analyzer.Security,
	Severity:   analyzer.Error,
	Confidence: analyzer.Medium,
	Since:      "0.1.0",
	Skip:       semantic.Test | semantic.DevData,
	Run:        runSecretInLog,
}

var logMethods = map[string]bool{"debug": true, "info": true, "warning": true, "warn": true, "error": true,
	"exception": true, "critical": true, "fatal": true, "log": true}

// runSecretInLog matches logging calls (logging.X, or X on a receiver whose
// name contains "log"), print() and the arguments of a raised exception, and
// reports each argument that carries a secret: a name such as password,
// secret, token, api_key or authorization (identifier, attribute, string
// subscript, .get("key")/getenv("KEY")), or a local variable assigned from
// one, reached directly or through f-strings, %, +, .format(), str(),
// containers and `extra=`. Other calls (len(x), mask(x)) and slices
// (key[-4:]) stop the search. Test files are skipped.
func runSecretInLog(p *analyzer.Pass) error {
	var tainted map[varKey]bool // computed on first need
	for n := range pyast.FindEach(p.Root, "call", "raise_statement") {
		var args []pyast.Node
		sink := ""
		switch n.Type() {
		case "call":
			if !logSinkCallee(n.ChildByField("function")) {
				continue
			}
			c, _ := pyast.AsCall(n)
			sink = logSink(p, c)
			if sink == "" {
				continue
			}
			args = append(args, c.Positional...)
			for k, v := range c.EachKeyword() {
				if k != "exc_info" && k != "stack_info" && k != "stacklevel" {
					args = append(args, v)
				}
			}
		case "raise_statement":
			c, ok := pyast.AsCall(pyast.Unparen(n.NamedChild(0)))
			if !ok {
				continue
			}
			sink = "the `" + pyast.Dotted(c.Func) + "` message"
			args = append(args, c.Positional...)
			for _, v := range c.EachKeyword() {
				args = append(args, v)
			}
		}
		if tainted == nil {
			tainted = secretVariables(p)
		}
		fn := funcID(n)
		for _, a := range args {
			if leak := findSecret(p, a, fn, tainted); !leak.IsNil() {
				if leak.Type() == "identifier" && (usedAsObject(leak) || sink == "`print`" && generatedHere(p, leak) || cleansedCredentials(p, leak)) {
					continue
				}
				conf := analyzer.High
				if w := semantic.NameWords(lastName(leak)); len(w) == 0 || w[len(w)-1] == "token" || w[len(w)-1] == "authorization" || strings.HasPrefix(w[len(w)-1], "credential") ||
					!semantic.SecretName(lastName(leak)) {
					conf = analyzer.Medium // a token, or a signature computed with the secret
				}
				p.Report(analyzer.Diagnostic{
					Range:      analyzer.RangeOf(leak),
					Message:    fmt.Sprintf("secret `%s` reaches %s", leak.Text(), sink),
					Help:       "log an identifier instead of the secret (the key's id, the user, the last 4 characters: `key[-4:]`), and keep secrets out of exception messages",
					Confidence: conf,
				})
			}
		}
	}
	return nil
}

// cleansedCredentials reports the `credentials` parameter of a receiver of
// Django's user_login_failed signal (`def on_failure(sender, credentials,
// request, **kwargs)` in a module that names the signal): Django sends the
// dict through its credential cleanser, which replaces the password and
// every value whose key says api, token, key, secret, pass or signature with
// stars, so what is left is the username the caller typed.
func cleansedCredentials(p *analyzer.Pass, id pyast.Node) bool {
	if id.Text() != "credentials" || !strings.Contains(p.Root.Text(), "user_login_failed") {
		return false
	}
	fn := pyast.EnclosingFunction(id)
	if fn.IsNil() {
		return false
	}
	sender, creds := false, false
	for _, name := range pyast.ParamNames(fn) {
		sender = sender || name == "sender"
		creds = creds || name == "credentials"
	}
	return sender && creds
}

// logSinkCallee reports whether a callee can be one logSink accepts
// (`print`, `x.<log method>`): a test before decoding the call.
func logSinkCallee(fn pyast.Node) bool {
	switch fn.Type() {
	case "identifier":
		return string(fn.Bytes()) == "print"
	case "attribute":
		return logMethods[string(fn.ChildByField("attribute").Bytes())]
	}
	return false
}

// logSink names a call that writes its arguments to logs or stdout, or "".
func logSink(p *analyzer.Pass, c pyast.Call) string {
	if c.Func.Type() == "identifier" && c.Func.Text() == "print" {
		if _, imported := p.Imports.Lookup("print"); !imported {
			return "`print`"
		}
		return ""
	}
	if c.Func.Type() != "attribute" || !logMethods[c.MethodName()] {
		return ""
	}
	recv := c.Receiver()
	if q, ok := p.Imports.Resolve(recv); ok && q == "logging" {
		return "`" + pyast.Dotted(c.Func) + "`"
	}
	if name := lastName(recv); name != "" && strings.Contains(strings.ToLower(name), "log") {
		return "`" + pyast.Dotted(c.Func) + "`"
	}
	return ""
}

// strMethods are methods of a string (or bytes): a secret read through
// them is still a string.
var strMethods = map[string]bool{"encode": true, "decode": true, "strip": true, "lower": true, "upper": true,
	"startswith": true, "endswith": true, "split": true, "replace": true, "format": true, "hex": true,
	"rstrip": true, "lstrip": true, "get": true, "items": true, "keys": true, "values": true}

// usedAsObject reports a name its function reads attributes of other than
// a string's (`secret.rendered_parameters(obj)`, `secret.name`): a
// reference to a secret (a model row naming where it is kept), not its
// value.
func usedAsObject(id pyast.Node) bool {
	scope := pyast.EnclosingFunction(id)
	if scope.IsNil() {
		return false
	}
	for a := range pyast.FindEach(scope, "attribute") {
		obj := a.ChildByField("object")
		if obj.Type() == "identifier" && obj.Text() == id.Text() && !strMethods[a.ChildByField("attribute").Text()] {
			return true
		}
	}
	return false
}

// generatedHere reports a name its scope binds to a value generated with
// the `secrets` module or Django's get_random_secret_key, or, at a
// script's top level, to an HMAC signature: printing it is the point of a
// key or test-signature generator script, not a leak.
func generatedHere(p *analyzer.Pass, id pyast.Node) bool {
	scope := pyast.EnclosingFunction(id)
	top := scope.IsNil()
	if top {
		scope = id
		for !scope.Parent().IsNil() {
			scope = scope.Parent()
		}
	}
	for a := range pyast.FindEach(scope, "assignment") {
		if a.ChildByField("left").Text() != id.Text() {
			continue
		}
		if top && hmacDigest(p, pyast.Unparen(a.ChildByField("right"))) {
			return true
		}
		t := a.ChildByField("right").Text()
		if strings.Contains(t, "secrets.") || strings.Contains(t, "get_random_secret_key") || strings.Contains(t, "generate_key") {
			return true
		}
	}
	return false
}

// findSecret returns the first sub-expression of n that holds a secret, or
// the zero Node.
func findSecret(p *analyzer.Pass, n pyast.Node, fn int32, tainted map[varKey]bool) pyast.Node {
	n = pyast.Unparen(n)
	switch n.Type() {
	case "identifier":
		if n.Text() == "token" && parserToken(p, n) {
			return pyast.Node{}
		}
		if semantic.SecretName(n.Text()) || tainted[varKey{fn, n.Text()}] {
			return n
		}
	case "attribute":
		name := n.ChildByField("attribute").Text()
		if semantic.SecretName(name) && !(name == "token" && !isConfigObject(n.ChildByField("object"))) {
			return n
		}
		// An API token row's key (DRF's `Token.objects.create(user=u).key`).
		if obj := lastName(n.ChildByField("object")); name == "key" && obj != "" && semantic.SecretName(obj) {
			return n
		}
	case "subscript":
		// A dict of messages keyed by error code (a Django form's
		// `error_messages["invalid_token"]`) holds texts, not secrets.
		if strings.Contains(strings.ToLower(lastName(n.ChildByField("value"))), "message") {
			return pyast.Node{}
		}
		if name := lastName(n); name != "" && semantic.SecretName(name) {
			return n
		}
	case "call":
		if name := lastName(n); name != "" && semantic.SecretName(name) || hmacDigest(p, n) {
			return n
		}
		if m := string(pyast.CalleeName(n)); m == "format" || m == "str" || m == "repr" || m == "join" {
			c, _ := pyast.AsCall(n)
			for _, a := range c.Positional {
				if s := findSecret(p, a, fn, tainted); !s.IsNil() {
					return s
				}
			}
			for _, a := range c.EachKeyword() {
				if s := findSecret(p, a, fn, tainted); !s.IsNil() {
					return s
				}
			}
			if m == "format" {
				return findSecret(p, c.Receiver(), fn, tainted)
			}
		}
	case "string":
		for c := range n.Named() {
			if c.Type() == "interpolation" {
				if s := findSecret(p, c.ChildByField("expression"), fn, tainted); !s.IsNil() {
					return s
				}
			}
		}
	case "binary_operator":
		if s := findSecret(p, n.ChildByField("left"), fn, tainted); !s.IsNil() {
			return s
		}
		return findSecret(p, n.ChildByField("right"), fn, tainted)
	case "concatenated_string", "tuple", "list", "dictionary", "set", "expression_list":
		for c := range n.Named() {
			if s := findSecret(p, c, fn, tainted); !s.IsNil() {
				return s
			}
		}
	case "pair":
		return findSecret(p, n.ChildByField("value"), fn, tainted)
	case "conditional_expression":
		// `a if cond else b`: only the branches reach the message; a
		// secret tested in the condition (`"present" if token else
		// "missing"`) is not written.
		ch := n.NamedChildren()
		for i, c := range ch {
			if i == 1 && len(ch) == 3 {
				continue
			}
			if s := findSecret(p, c, fn, tainted); !s.IsNil() {
				return s
			}
		}
	}
	return pyast.Node{}
}

// parserToken reports a `token` that is a parser's unit of text, not a
// credential: in a template-tag module (Django hands each tag function
// `(parser, token)`), in a function taking a `parser` parameter, or in a
// method of a class named for parsing (`IfParser`, `Lexer`, `Tokenizer`).
func parserToken(p *analyzer.Pass, n pyast.Node) bool {
	if strings.Contains("/"+paths.Rel(p), "/templatetags/") {
		return true
	}
	if fn := pyast.EnclosingFunction(n); !fn.IsNil() {
		for par := range fn.ChildByField("parameters").Named() {
			if par.Type() == "identifier" && par.Text() == "parser" {
				return true
			}
		}
	}
	if cls := pyast.Ancestor(n, "class_definition"); !cls.IsNil() {
		name := strings.ToLower(pyast.DefName(cls))
		return strings.Contains(name, "parser") || strings.Contains(name, "lexer") || strings.Contains(name, "tokenizer")
	}
	return false
}

// hmacDigest reports an HMAC computed here (`hmac.new(key, body,
// sha256).hexdigest()`, `hmac.digest(...)`): the signature the secret gives
// this payload. Whoever reads it can forge or replay that delivery.
func hmacDigest(p *analyzer.Pass, n pyast.Node) bool {
	c, ok := pyast.AsCall(n)
	if !ok {
		return false
	}
	if p.Imports.Is(c.Func, "hmac.digest") {
		return true
	}
	return (c.MethodName() == "hexdigest" || c.MethodName() == "digest") && hasHMACCall(p, c.Receiver())
}

// secretVariables returns the local names assigned a secret value
// (`key = settings.STRIPE_SECRET_KEY`, `auth = request.headers["Authorization"]`),
// per function. Two rounds follow one level of copying.
func secretVariables(p *analyzer.Pass) map[varKey]bool {
	out := map[varKey]bool{}
	assigns := identifierAssignments(p.Root)
	for round := 0; round < 2; round++ {
		for _, a := range assigns {
			fn := funcID(a)
			right := pyast.Unparen(a.ChildByField("right"))
			if isLiteral(right) {
				continue
			}
			switch right.Type() {
			case "identifier", "attribute", "subscript", "call":
				if !findSecret(p, right, fn, out).IsNil() {
					out[varKey{fn, a.ChildByField("left").Text()}] = true
				}
			}
		}
	}
	return out
}

// isConfigObject reports whether n is self, cls, settings or a config
// object: the owners whose bare `.token` is a credential. Elsewhere
// (`checkout.token`, `invite.token`) a bare token is usually a public
// identifier such as a UUID.
func isConfigObject(n pyast.Node) bool {
	switch lastName(n) {
	case "self", "cls", "settings", "config", "conf", "credentials", "client":
		return true
	}
	return false
}
