package semantic

import "strings"

// clientReferences are field names that hold a client's reference for one
// operation; any name holding "idempoten" is one too. A plain `reference`
// is left out (as often a free-text memo), and so is `request_id` (as often
// the server's correlation id of a request).
var clientReferences = map[string]bool{"reference_id": true, "ref_id": true, "reference_no": true,
	"reference_number": true, "client_reference": true, "client_reference_id": true, "external_reference": true,
	"transaction_reference": true, "transaction_ref": true, "client_request_id": true}

// providerKeys are field names that hold the id of one operation as
// another party names it: a provider's or a client's transaction id, an
// event id.
var providerKeys = map[string]bool{"txid": true, "tx_id": true, "txn_id": true, "transaction_id": true,
	"external_id": true, "external_transaction_id": true, "provider_transaction_id": true, "operation_id": true,
	"event_id": true}

// ClientReferenceName reports a field named for the client's reference of
// one operation (reference_id, idempotency_key...): IDM004 asks that it be
// unique.
func ClientReferenceName(name string) bool {
	return clientReferences[name] || strings.Contains(name, "idempoten")
}

// OperationKeyName reports whether a field named name identifies one
// operation (a client reference, or txid, transaction_id, event_id...):
// the checklist's evidence that retries are de-duplicated when the field is
// unique and checked.
func OperationKeyName(name string) bool {
	name = strings.ToLower(name)
	return ClientReferenceName(name) || providerKeys[name]
}
