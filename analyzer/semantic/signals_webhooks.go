package semantic

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// Verification is what a call does to verify a sender, as the endpoint
// inventory's Webhook.Verified reads it.
type Verification int

// Verifications, strongest first.
const (
	NoVerification Verification = iota
	// Comparison: a constant-time comparison or a provider SDK's check
	// (compare_digest, constant_time_compare, construct_event, unsign,
	// verify_header, verify).
	Comparison
	// SignatureCall: a call named for verifying, an HMAC or a signature
	// check (hmac.new, verify_signature(...), check_signature(...)).
	SignatureCall
	// CredentialCall: any other call named with a verifying word (a token,
	// a secret, authentication, a signature being made): it may verify the
	// sender, or not.
	CredentialCall
)

// signatureWords name a signature; checkWords say it is being checked.
var (
	signatureWords = []string{"signature", "signatures", "sig", "signed", "digest"}
	checkWords     = []string{"check", "validate", "valid", "is", "compare", "match", "matches", "authenticate"}
)

// VerifyingCall classifies call c by its callee's name: the function or
// method name, qualified by its receiver only when that is an imported
// module (`hmac.new`), not a variable (`signed_payload.encode` verifies
// nothing). verifyingNode cites the strongest such call of a webhook
// receiver; the checklist counts comparisons and signature calls anywhere
// as webhooks.signature_checks.
func VerifyingCall(im *pyast.Imports, c pyast.Call) Verification {
	callee := pyast.Dotted(c.Func)
	name := lastName(callee)
	switch name {
	case "compare_digest", "constant_time_compare", "construct_event", "unsign", "verify_header", "verify":
		return Comparison
	}
	if recv := c.Receiver(); recv.Type() == "identifier" && im != nil {
		if _, imported := im.Lookup(recv.Text()); imported {
			name = callee
		}
	}
	if !verifyingWords(name) {
		return NoVerification
	}
	ws := map[string]bool{}
	for _, w := range IdentWords(name) {
		ws[w] = true
	}
	// verify_signature(...), check_signature(...), verify_webhook(...),
	// hmac.new(...), signer.unsign(...); not create_signed_payload(...),
	// which only prepares what is checked, nor VerifyEmailView or
	// EmailVerificationRequired(), which verify an address.
	signature := anyOf(ws, signatureWords) || prefixOf(ws, "signatur")
	checks := prefixOf(ws, "verif") || anyOf(ws, checkWords)
	if ws["hmac"] || ws["unsign"] || checks && (signature || ws["webhook"]) {
		return SignatureCall
	}
	return CredentialCall
}

// ConstantTimeCompare reports a call of hmac.compare_digest,
// secrets.compare_digest or Django's constant_time_compare, by its name.
func ConstantTimeCompare(c pyast.Call) bool {
	switch lastName(pyast.Dotted(c.Func)) {
	case "compare_digest", "constant_time_compare":
		return true
	}
	return false
}

// WebhookFunctionName reports a function named for webhooks
// (`stripe_webhook`, `handle_webhook_event`). It is narrower than the
// words that make an endpoint a webhook receiver (hookWords: callback,
// notify, ipn...): it judges functions no route reaches, by name alone.
func WebhookFunctionName(name string) bool {
	return strings.Contains(strings.ToLower(name), "webhook")
}
