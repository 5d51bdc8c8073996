package semantic

import (
	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// keyWords name what a signed delivery is checked against: a certificate,
// a public key, a shared key or secret.
var keyWords = map[string]bool{"cert": true, "certs": true, "certificate": true, "certificates": true,
	"key": true, "keys": true, "pem": true, "jwk": true, "jwks": true, "secret": true, "public": true}

// signedBody finds, in a handler, a call handed the raw request body
// together with a key or certificate (`asn2.parse(request.body,
// apple_root_cert_path=path)`, `jwt.decode(request.body, key, ...)`):
// the body is a signed message checked against that key, as app-store
// and payment-provider notifications are. It returns the call, or the
// zero Node.
func signedBody(fn *Func, req string) pyast.Node {
	if fn == nil {
		return pyast.Node{}
	}
	isBody := func(n pyast.Node) bool {
		d := pyast.Dotted(pyast.Unparen(n))
		return req != "" && d == req+".body" || d == "self.request.body"
	}
	keyed := func(name string) bool {
		for _, w := range IdentWords(name) {
			if keyWords[w] {
				return true
			}
		}
		return false
	}
	for call := range pyast.FindEach(pyast.Body(fn.Node), "call") {
		c, _ := pyast.AsCall(call)
		body, key := false, false
		for _, a := range c.Positional {
			if isBody(a) {
				body = true
			} else if d := pyast.Dotted(pyast.Unparen(a)); d != "" && keyed(lastName(d)) {
				key = true
			}
		}
		for k, a := range c.EachKeyword() {
			if isBody(a) {
				body = true
			} else if keyed(k) {
				key = true
			}
		}
		if body && key {
			return call
		}
	}
	return pyast.Node{}
}
