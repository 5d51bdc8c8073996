package security

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed tokennopassword.md
var tokenNoPasswordDoc string

// TokenWithoutPassword reports an open view that signs a caller in as a
// user it looked up by a name the request gave, without checking any
// credential.
var TokenWithoutPassword = &analyzer.Rule{
	Code:       "SEC025",
	Name:       "token-without-password",
	Doc:        tokenNoPasswordDoc,
	Category:   analyzer.Security,
	Severity:   analyzer.Error,
	Confidence: analyzer.High,
	Since:      "0.23.0",
	Stack:      project.Django,
	Skip:       semantic.ProductCode,
	Requires:   []project.Analysis{semantic.Endpoints},
	Run:        runTokenWithoutPassword,
}

// identityLookups are the user fields that name a user without proving
// anything: whoever knows one can send it.
var identityLookups = map[string]bool{"username": true, "email": true, "phone": true, "phone_number": true,
	"mobile": true, "mobile_number": true, "login": true, "user_name": true, "name": true, "id": true, "pk": true}

// credentialWords are parts of a request key or call name that say a
// credential is read or checked: the view may verify it in a way rubric
// does not follow.
var credentialWords = []string{"pass", "pwd", "otp", "code", "token", "pin", "secret", "signature", "hash",
	"authenticate", "verify", "check", "captcha", "nonce", "key"}

// runTokenWithoutPassword matches, in the handlers of endpoints open to
// anonymous callers, a call that issues credentials for a user
// (SimpleJWT's `RefreshToken.for_user(u)`/`AccessToken.for_user(u)`, DRF's
// `Token.objects.get_or_create(user=u)`/`create(user=u)`, Django's
// `login(request, u)`) where `u` is bound in the handler to a single fetch
// of the user model (`.get(...)`, `.filter(...).first()`,
// `get_object_or_404(User, ...)`) whose every lookup is an identity field
// (username, email, phone, id) and one of them comes from the request.
// Left alone: handlers that call anything named for authentication or a
// check (authenticate, check_password, verify..., is_valid: a serializer
// may authenticate in validate()), that read a request key named for a
// credential (password, otp, code, token...), that read request.user, and
// users created in the handler (a sign-up signs in the account it made).
func runTokenWithoutPassword(p *analyzer.Pass) error {
	inv := semantic.InventoryOf(p.Project)
	sm := semantic.Of(p.Project)
	f := sm.File(p.Unit)
	if f == nil || p.Unit.Imports == nil {
		return nil
	}
	for e, fn := range inv.HandlersIn(f, func(e *semantic.Endpoint) bool { return e.Auth.Public && !e.Auth.Unknown }) {
		if verifiesCredential(f, fn.Node) {
			continue
		}
		for call := range pyast.FindEach(fn.Node, "call") {
			user := issuedFor(p, call)
			if user.IsNil() || user.Type() != "identifier" || pyast.EnclosingFunction(call).ID() != fn.Node.ID() {
				continue
			}
			keys, ok := identityFetch(p, f, user)
			if !ok {
				continue
			}
			p.Report(analyzer.Diagnostic{
				Range: analyzer.RangeOf(call),
				Message: fmt.Sprintf("`%s` signs the caller in as `%s`, the user whose %s the request names, and never checks a password: anyone who knows %s is that user",
					e.ViewName(), user.Text(), backtickList(keys), anyOne(keys)),
				Help: "authenticate the caller first: `user = authenticate(request, username=..., password=...)` and refuse when it is None (or use SimpleJWT's TokenObtainPairView)",
			})
		}
	}
	return nil
}

// issuedFor returns the user argument of a call that issues a session or
// a token, or the nil node.
func issuedFor(p *analyzer.Pass, call pyast.Node) pyast.Node {
	c, ok := pyast.AsCall(call)
	if !ok {
		return pyast.Node{}
	}
	method := c.MethodName()
	recv := pyast.Dotted(c.Receiver())
	switch {
	case method == "for_user" && strings.HasSuffix(lastSegment(recv), "Token") && len(c.Positional) == 1:
		return pyast.Unparen(c.Positional[0])
	case (method == "get_or_create" || method == "create") && strings.HasSuffix(recv, "Token.objects"):
		return pyast.Unparen(c.Keyword("user"))
	}
	if c.Func.Type() == "identifier" || c.Func.Type() == "attribute" {
		if q, ok := p.Unit.Imports.ResolveDotted(pyast.Dotted(c.Func)); ok && q == "django.contrib.auth.login" && len(c.Positional) == 2 {
			return pyast.Unparen(c.Positional[1])
		}
	}
	return pyast.Node{}
}

// identityFetch reports whether the local user is bound, once, to a fetch
// of the user model by identity fields only, one of them taken from the
// request, and returns those fields.
func identityFetch(p *analyzer.Pass, f *semantic.File, user pyast.Node) ([]string, bool) {
	rhs := f.Binding(user, user.Text(), user.StartByte())
	if rhs.IsNil() || rhs.Type() != "call" || rebinds(pyast.EnclosingFunction(user), user.Text()) > 1 {
		return nil, false
	}
	if !userModelFetch(p, f, user, rhs) {
		return nil, false
	}
	var keys []string
	fromRequest := false
	for call := rhs; call.Type() == "call"; {
		c, _ := pyast.AsCall(call)
		if c.StarKwargs || c.StarArgs {
			return nil, false
		}
		method := c.MethodName()
		args := c.Keywords
		switch {
		case pyast.Dotted(c.Func) == "get_object_or_404":
			if len(c.Positional) != 1 {
				return nil, false
			}
		case method == "get" || method == "filter" || method == "first" || method == "last":
			if len(c.Positional) > 0 {
				return nil, false // Q objects: read as they are
			}
		case method == "objects" || method == "all":
		default:
			return nil, false
		}
		for k, v := range args {
			base, _, _ := strings.Cut(k, "__")
			if !identityLookups[base] {
				return nil, false
			}
			keys = append(keys, base)
			if f.RequestPayload(v) {
				fromRequest = true
			}
		}
		if pyast.Dotted(c.Func) == "get_object_or_404" {
			break
		}
		call = pyast.Unparen(c.Receiver())
		if call.Type() == "attribute" && call.ChildByField("attribute").Text() == "objects" {
			break
		}
	}
	if !fromRequest || len(keys) == 0 {
		return nil, false
	}
	return uniq(keys), true
}

// userModelFetch reports whether rhs fetches one row of the user model: the
// project's AUTH_USER_MODEL, django.contrib.auth's User, or
// get_user_model()'s.
func userModelFetch(p *analyzer.Pass, f *semantic.File, user, rhs pyast.Node) bool {
	c, _ := pyast.AsCall(rhs)
	switch c.MethodName() {
	case "get", "first", "last":
	default:
		if pyast.Dotted(c.Func) != "get_object_or_404" {
			return false
		}
	}
	if g := p.Project.Models; g != nil {
		if m, loop := f.Instance(user); m != nil && loop == nil {
			return m == g.UserModel()
		}
	}
	// The root of the chain: `User` imported from django.contrib.auth, or
	// a call of get_user_model().
	root := rhs
	for root.Type() == "call" || root.Type() == "attribute" {
		switch root.Type() {
		case "call":
			rc, _ := pyast.AsCall(root)
			if pyast.Dotted(rc.Func) == "get_object_or_404" && len(rc.Positional) == 1 {
				root = pyast.Unparen(rc.Positional[0])
				continue
			}
			if q, ok := p.Unit.Imports.ResolveDotted(pyast.Dotted(rc.Func)); ok && strings.HasSuffix(q, "get_user_model") {
				return true
			}
			root = rc.Func
		case "attribute":
			root = root.ChildByField("object")
		}
	}
	if root.Type() != "identifier" {
		return false
	}
	q, ok := p.Unit.Imports.ResolveDotted(root.Text())
	return ok && (q == "django.contrib.auth.models.User" || strings.HasSuffix(q, "get_user_model"))
}

// verifiesCredential reports a handler that may check a credential:
// a call named for it, a serializer's is_valid, a request key named for
// one, or a read of request.user.
func verifiesCredential(f *semantic.File, body pyast.Node) bool {
	for n := range pyast.FindEach(body, "call", "subscript", "attribute") {
		switch n.Type() {
		case "call":
			c, _ := pyast.AsCall(n)
			name := strings.ToLower(lastSegment(pyast.Dotted(c.Func)))
			if name == "is_valid" || hasCredentialWord(name) {
				return true
			}
			if (c.MethodName() == "get" || c.MethodName() == "pop" || c.MethodName() == "getlist") && len(c.Positional) > 0 && f.RequestPayload(c.Receiver()) {
				if s, ok := pyast.StringValue(c.Positional[0]); ok && hasCredentialWord(strings.ToLower(s)) {
					return true
				}
			}
		case "subscript":
			if f.RequestPayload(n.ChildByField("value")) {
				if s, ok := pyast.StringValue(n.ChildByField("subscript")); ok && hasCredentialWord(strings.ToLower(s)) {
					return true
				}
			}
		case "attribute":
			if n.ChildByField("attribute").Text() == "user" && strings.HasSuffix(pyast.Dotted(n.ChildByField("object")), "request") {
				return true
			}
		}
	}
	return false
}

func hasCredentialWord(s string) bool {
	for _, w := range credentialWords {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// rebinds counts the assignments to name in fn.
func rebinds(fn pyast.Node, name string) int {
	n := 0
	for a := range pyast.FindEach(fn, "assignment", "augmented_assignment", "for_statement", "with_statement") {
		left := a.ChildByField("left")
		if a.Type() == "with_statement" {
			left = a
		}
		for id := range pyast.FindEach(left, "identifier") {
			if id.Text() == name && (left.Type() == "identifier" || id.Parent().Type() != "attribute") {
				n++
			}
		}
	}
	return n
}

func lastSegment(d string) string {
	if i := strings.LastIndexByte(d, '.'); i >= 0 {
		return d[i+1:]
	}
	return d
}

func uniq(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

func backtickList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = "`" + x + "`"
	}
	return strings.Join(q, " and ")
}

func anyOne(keys []string) string {
	if len(keys) == 1 {
		return "a user's " + keys[0]
	}
	return "them"
}
