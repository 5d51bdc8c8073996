package security

import (
	_ "embed"
	"fmt"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed unsigned.md
var unsignedDoc string

// UnsignedWebhook reports webhook views that act on the body unverified.
var UnsignedWebhook = &analyzer.Rule{
	Code:       "SEC002",
	Name:       "webhook-without-signature-check",
	Doc:        unsignedDoc,
	Category:   analyzer.Security,
	Severity:   analyzer.Error,
	Confidence: analyzer.Medium,
	Since:      "0.1.0",
	Skip:       semantic.Test,
	Run:        runUnsignedWebhook,
}

// writeMethods are calls that persist data or start work from a payload.
var writeMethods = map[string]bool{"create": true, "save": true, "update": true, "delete": true,
	"bulk_create": true, "bulk_update": true, "get_or_create": true, "update_or_create": true,
	"delay": true, "apply_async": true, "send_task": true}

// verifyWords are words whose presence in a view (its body, decorators,
// class attributes, or a same-file helper it calls) suggests it
// authenticates the sender.
var verifyWords = []string{"signature", "signatures", "sig", "hmac", "digest", "verify", "verified",
	"verification", "signed", "unsign", "signer", "construct", "authenticate", "authentication",
	"authorization", "token", "secret", "jwt", "permission", "permissions", "auth"}

// runUnsignedWebhook matches webhook views (see webhookViews: csrf_exempt or
// named webhook, reading request.body) that call a write method (create,
// save, update, delete, delay, ...) and show no sign of authenticating the
// sender. It skips views that pass the request object to another callable
// (which may verify it) and test files.
func runUnsignedWebhook(p *analyzer.Pass) error {
	for _, v := range webhookViews(p) {
		write := firstWrite(v.fn)
		if write.IsNil() || passesRequest(v.fn, v.request) {
			continue
		}
		ws := functionWords(p, v.fn)
		if anyWord(ws, verifyWords...) || hasPrefixWord(ws, "verif", "signatur", "authent") {
			continue
		}
		name := pyast.DefName(v.fn)
		p.Report(analyzer.Diagnostic{
			Range:   analyzer.RangeOf(v.bodyRead),
			Message: fmt.Sprintf("webhook view `%s` acts on `%s` without verifying the sender's signature", name, v.bodyRead.Text()),
			Help:    "compute `hmac.new(secret, request.body, hashlib.sha256).hexdigest()` and check it against the signature header with `hmac.compare_digest` before parsing or saving anything; reject with 400/401 otherwise",
			Related: []analyzer.Related{{Range: analyzer.RangeOf(write), Message: "data written here"}},
		})
	}
	return nil
}

// firstWrite returns the first write-method call in fn, or the zero Node.
func firstWrite(fn pyast.Node) pyast.Node {
	for _, c := range pyast.FindAllShallow(pyast.Body(fn), "call") {
		call, _ := pyast.AsCall(c)
		if call.Func.Type() == "attribute" && writeMethods[call.MethodName()] {
			return c
		}
	}
	return pyast.Node{}
}
