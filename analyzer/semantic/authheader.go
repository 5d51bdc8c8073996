package semantic

import (
	"slices"
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// HeaderTokenLookup reports a handler that authenticates by hand: it reads
// a credential header (Authorization, or one named for a token or API key)
// and looks a row up by a value taken from it (`auth =
// request.META.get("HTTP_AUTHORIZATION")`, `token = auth.split()[1]`,
// `Wallet.objects.get(token=token)`): an anonymous caller matches no row.
// Whether a missing header answers 401 or a 500 is the handler's business.
func HeaderTokenLookup(h *Func) bool {
	if h == nil || h.File == nil {
		return false
	}
	return tokenLookupIn(h, nil, 0)
}

// tokenLookupIn is HeaderTokenLookup on fn's body, with the parameters in
// given already holding a credential. A call handing a credential to a
// project function (codecov's `determine_repo_for_upload(upload_params)`,
// which runs `Repository.objects.get(upload_token=token)`) is followed two
// calls deep, its parameters bound by position and keyword.
func tokenLookupIn(fn *Func, given map[string]bool, depth int) bool {
	body := pyast.Body(fn.Node)
	carries, _ := credentialTaintFrom(body, given)
	for call := range pyast.FindEach(body, "call") {
		c, _ := pyast.AsCall(call)
		switch c.MethodName() {
		case "get", "filter", "get_object_or_404":
		default:
			if pyast.Dotted(c.Func) != "get_object_or_404" {
				if depth < 2 && followCredential(fn, call, c, carries, depth) {
					return true
				}
				continue
			}
		}
		for _, v := range c.EachKeyword() {
			if carries(v) {
				return true
			}
		}
	}
	return false
}

// followCredential reports a call passing a credential to a project
// function that looks a row up by it.
func followCredential(fn *Func, call pyast.Node, c pyast.Call, carries func(pyast.Node) bool, depth int) bool {
	if fn.File == nil {
		return false
	}
	callee, _ := fn.File.Callee(call)
	if callee == nil || callee == fn {
		return false
	}
	params := pyast.ParamNames(callee.Node)
	skip := 0
	if len(params) > 0 && (params[0] == "self" || params[0] == "cls") && c.Func.Type() == "attribute" {
		skip = 1
	}
	given := map[string]bool{}
	for i, a := range c.Positional {
		if j := i + skip; j < len(params) && carries(a) {
			given[params[j]] = true
		}
	}
	for k, v := range c.EachKeyword() {
		if carries(v) {
			given[k] = true
		}
	}
	return len(given) > 0 && tokenLookupIn(callee, given, depth+1)
}

// credentialTaint follows values read from a credential header through
// body's assignments, in order (`auth = request.META.get(...)`, `token =
// auth.split()[1]`): carries reports an expression holding one, and any
// says whether some name was bound to one.
func credentialTaint(body pyast.Node) (carries func(pyast.Node) bool, bound bool) {
	return credentialTaintFrom(body, nil)
}

// credentialTaintFrom is credentialTaint with the names in given holding
// a credential from the start (a helper's parameters).
func credentialTaintFrom(body pyast.Node, given map[string]bool) (carries func(pyast.Node) bool, bound bool) {
	tainted := map[string]bool{}
	for k := range given {
		tainted[k] = true
	}
	carries = func(n pyast.Node) bool {
		found := false
		pyast.Inspect(n, func(m pyast.Node) bool {
			if !found && (m.Type() == "identifier" && tainted[m.Text()] || CredentialHeaderRead(m)) {
				found = true
			}
			return !found
		})
		return found
	}
	for a := range pyast.FindEach(body, "assignment") {
		if r := a.ChildByField("right"); !r.IsNil() && carries(r) {
			for id := range pyast.FindEach(a.ChildByField("left"), "identifier") {
				tainted[id.Text()] = true
			}
		}
	}
	return carries, len(tainted) > 0
}

// CredentialHeaderRead reports `request.META.get("HTTP_AUTHORIZATION")`,
// `request.headers["Authorization"]` and the like: a read of a header named
// for authorization, a token or an API key.
func CredentialHeaderRead(n pyast.Node) bool {
	obj, key, ok := pyast.KeyedRead(n)
	if !ok || obj.Type() != "attribute" {
		return false
	}
	switch obj.ChildByField("attribute").Text() {
	case "META", "headers":
	default:
		return false
	}
	v, ok := pyast.StringValue(key)
	if !ok {
		return false
	}
	h := strings.ToUpper(strings.ReplaceAll(v, "-", "_"))
	if strings.Contains(h, "IDEMPOTENCY") || strings.Contains(h, "CSRF") {
		return false
	}
	return strings.Contains(h, "AUTHORIZATION") || strings.Contains(h, "TOKEN") || strings.Contains(h, "API_KEY") || strings.Contains(h, "APIKEY")
}

// headerTokenGuard reports a handler that authenticates its caller with a
// credential header before it acts: it looks a row up by the header itself
// (HeaderTokenLookup), or it hands the request to a project function that
// does (two calls deep) and rejects the request on what that call returned,
// in an `if` of its own body that returns or raises (`user, error =
// authenticate_token(request)` then `if error: return error`, or `if not
// check_api_key(request): return HttpResponse(status=401)`). A cookie
// never carries that header, so the caller is neither anonymous nor a
// browser riding a session.
func headerTokenGuard(h *Func) bool {
	if h == nil || h.File == nil {
		return false
	}
	if HeaderTokenLookup(h) {
		return true
	}
	checks := func(call pyast.Node) bool {
		g, _ := h.File.Callee(call)
		return g != nil && g != h && lookupWithin(g, 1)
	}
	// Names bound to what a checking call returned.
	bound := map[string]bool{}
	body := pyast.Body(h.Node)
	for st := range pyast.EachStatement(body) {
		if st.Type() == "expression_statement" && st.NamedChildCount() == 1 {
			st = st.NamedChild(0)
		}
		switch st.Type() {
		case "assignment":
			if r := pyast.Unparen(st.ChildByField("right")); r.Type() == "call" && checks(r) {
				for id := range pyast.FindEach(st.ChildByField("left"), "identifier") {
					bound[id.Text()] = true
				}
			}
		case "if_statement":
			if !rejects(st) {
				continue
			}
			cond := st.ChildByField("condition")
			decides := false
			pyast.Inspect(cond, func(n pyast.Node) bool {
				switch {
				case decides:
				case n.Type() == "identifier" && bound[n.Text()]:
					decides = true
				case n.Type() == "call" && checks(n):
					decides = true
				}
				return !decides
			})
			if decides {
				return true
			}
		}
	}
	return false
}

// lookupWithin reports whether fn, or a project function it calls (depth
// calls deeper), looks a row up by a credential header.
func lookupWithin(fn *Func, depth int) bool {
	if HeaderTokenLookup(fn) {
		return true
	}
	if depth <= 0 {
		return false
	}
	for _, call := range ownNodes(pyast.Body(fn.Node), "call") {
		if g, _ := fn.File.Callee(call); g != nil && g != fn && lookupWithin(g, depth-1) {
			return true
		}
	}
	return false
}

// comparesTokenCaller reports a handler that compares something with the
// caller a hand-written token check handed back (`user, error =
// authenticate_token(request)`, then `if account.user != user:`): the row
// is scoped to the caller as surely as by a comparison with request.user.
func comparesTokenCaller(fn *Func) bool {
	if fn == nil || fn.File == nil {
		return false
	}
	callers := map[string]bool{}
	for a := range pyast.FindEach(pyast.Body(fn.Node), "assignment") {
		r := pyast.Unparen(a.ChildByField("right"))
		if r.Type() != "call" {
			continue
		}
		if g, _ := fn.File.Callee(r); g == nil || g == fn || !lookupWithin(g, 1) {
			continue
		}
		for id := range pyast.FindEach(a.ChildByField("left"), "identifier") {
			callers[id.Text()] = true
		}
	}
	if len(callers) == 0 {
		return false
	}
	for c := range pyast.FindEach(pyast.Body(fn.Node), "comparison_operator") {
		for id := range pyast.FindEach(c, "identifier") {
			if callers[id.Text()] {
				return true
			}
		}
	}
	return false
}

// PasswordDecides reports a handler that checks a password by hand and
// refuses when the check fails: it binds the answer of Django's
// `authenticate(...)`, or of a project helper that calls `authenticate(...)`
// or a user's `check_password(...)` (a legacy API's `user =
// auth(email, password)`), and an `if` after it testing that name returns
// or raises (`if not user: return HttpResponse("@AUTHFAIL")`). Only a
// caller holding a user's password gets past it. The check itself (what
// the helper answers on a wrong password) is not judged.
func PasswordDecides(h *Func) bool {
	if h == nil || h.File == nil {
		return false
	}
	body := pyast.Body(h.Node)
	for _, call := range ownNodes(body, "call") {
		a := call.Parent()
		if a.Type() != "assignment" || !call.Equal(a.ChildByField("right")) || a.ChildByField("left").Type() != "identifier" {
			continue
		}
		if !passwordCheck(h, call) {
			continue
		}
		name := a.ChildByField("left").Text()
		for _, ifs := range ownNodes(body, "if_statement") {
			if ifs.StartByte() < a.EndByte() {
				continue
			}
			tested := false
			for id := range pyast.FindEach(ifs.ChildByField("condition"), "identifier") {
				if id.Text() == name {
					tested = true
				}
			}
			if tested && len(pyast.FindAll(ifs.ChildByField("consequence"), "return_statement", "raise_statement")) > 0 {
				return true
			}
		}
	}
	return false
}

// passwordCheck reports a call of `authenticate(...)` or of a project
// function whose own body calls `authenticate(...)` or `check_password(...)`.
func passwordCheck(h *Func, call pyast.Node) bool {
	if string(pyast.CalleeName(call)) == "authenticate" {
		return true
	}
	g, _ := h.File.Callee(call)
	if g == nil || g == h {
		return false
	}
	for _, c := range ownNodes(pyast.Body(g.Node), "call") {
		switch string(pyast.CalleeName(c)) {
		case "authenticate", "check_password":
			return true
		}
	}
	return comparesRequestPassword(g)
}

// comparesRequestPassword reports a helper that reads a password the
// request carries (`password = request.GET.get("password")`) and compares
// it (==, !=) with a stored value in an `if` whose branch returns or
// raises (an IPTV panel's `if custom_properties["xc_password"] !=
// password: return None`): it answers the caller's user only to the
// holder of that password. Whether the comparison is constant-time is
// SEC001's concern.
func comparesRequestPassword(g *Func) bool {
	body := pyast.Body(g.Node)
	passwords := map[string]bool{}
	for a := range pyast.FindEach(body, "assignment") {
		l := a.ChildByField("left")
		if l.Type() != "identifier" {
			continue
		}
		obj, key, ok := pyast.KeyedRead(pyast.Unparen(a.ChildByField("right")))
		if !ok {
			continue
		}
		switch d := pyast.Dotted(obj); {
		case strings.HasSuffix(d, ".GET"), strings.HasSuffix(d, ".POST"), strings.HasSuffix(d, ".data"), strings.HasSuffix(d, ".query_params"):
		default:
			continue
		}
		if k, ok := pyast.StringValue(key); ok && slices.Contains(IdentWords(strings.ToLower(k)), "password") {
			passwords[l.Text()] = true
		}
	}
	if len(passwords) == 0 {
		return false
	}
	for ifs := range pyast.FindEach(body, "if_statement") {
		if len(pyast.FindAll(ifs.ChildByField("consequence"), "return_statement", "raise_statement")) == 0 {
			continue
		}
		for cmp := range pyast.FindEach(ifs.ChildByField("condition"), "comparison_operator") {
			sides := cmp.NamedChildren()
			if len(sides) != 2 {
				continue
			}
			for i, side := range sides {
				other := pyast.Unparen(sides[1-i])
				if side.Type() == "identifier" && passwords[side.Text()] &&
					!other.Is("string", "concatenated_string", "integer", "none", "true", "false") {
					return true
				}
			}
		}
	}
	return false
}
