package semantic

import (
	"strings"
	"unicode"
)

// This file splits names into words, and reads what a name's words say:
// the secrets rules, the webhook reading and the HTTP effects read names
// through it.

// NameWords splits an identifier or header name into lower-case words:
// "STRIPE_SECRET_KEY" -> [stripe secret key], "apiKey" -> [api key],
// "X-Hub-Signature-256" -> [x hub signature 256].
func NameWords(name string) []string { return splitWords(name, false) }

// IdentWords splits an identifier, header name or URL pattern into
// lower-case words: "STRIPE_SECRET_KEY" -> [stripe secret key],
// "PaymentCallbackView" -> [payment callback view].
func IdentWords(name string) []string { return splitWords(name, true) }

// splitWords splits name into lower-case words at separators and where a
// lower-case letter meets an upper-case one ("apiKey"). The separators are
// '_', '-', '.' and ' ' (NameWords), or with idents any character that is
// neither a letter nor a digit, and then an acronym ends before an
// upper-case letter followed by a lower-case one ("APIKey" -> [api key])
// (IdentWords).
func splitWords(name string, idents bool) []string {
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
		sep := r == '_' || r == '-' || r == '.' || r == ' '
		if idents {
			sep = !unicode.IsLetter(r) && !unicode.IsDigit(r)
		}
		upper := unicode.IsUpper(r) && i > 0
		camel := upper && unicode.IsLower(rs[i-1])
		acronymEnd := idents && upper && i+1 < len(rs) && unicode.IsLower(rs[i+1]) && unicode.IsUpper(rs[i-1])
		switch {
		case sep:
			flush()
		case camel || acronymEnd:
			flush()
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
	}
	flush()
	return out
}

// ReadName reports a function named for reading something from a service
// (`get_my_profile`, `fetch_status`, `get_payment_details`): its first
// word is a read verb (get, fetch, retrieve, lookup, find, read, load,
// search, list, query, poll, check) and no word of it names something the
// call would make (create, new, add, make, open, start, register, link,
// url, session, checkout, token, key, or `get_or_create`). A POST such a
// function sends is a query in a POST body (GraphQL, an RPC read), not a
// creation.
func ReadName(name string) bool {
	ws := IdentWords(name)
	if len(ws) < 2 {
		return false
	}
	switch ws[0] {
	case "get", "fetch", "retrieve", "lookup", "find", "read", "load", "search", "list", "query", "poll", "check":
	default:
		return false
	}
	for _, w := range ws[1:] {
		switch w {
		case "create", "new", "add", "make", "open", "start", "register", "link", "url", "session", "checkout",
			"token", "key", "or", "init", "initiate", "submit", "send", "post", "pay", "charge", "refund", "transfer":
			return false
		}
	}
	return true
}
