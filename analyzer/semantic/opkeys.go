package semantic

import "strings"

// operationKeys are field names that identify one operation, so that a
// unique constraint on them makes a retried request a no-op: a provider's
// or client's transaction id, a reference, an event id. Any name holding
// "idempoten" is one too. A plain `reference` or `id` is not (a memo, the
// row's own key).
var operationKeys = map[string]bool{
	"txid": true, "tx_id": true, "txn_id": true, "transaction_id": true, "external_id": true,
	"external_transaction_id": true, "provider_transaction_id": true, "operation_id": true, "event_id": true,
	"reference_id": true, "ref_id": true, "reference_no": true, "reference_number": true, "client_reference": true,
	"client_reference_id": true, "external_reference": true, "transaction_reference": true, "transaction_ref": true,
	"client_request_id": true,
}

// OperationKeyName reports whether a field named name identifies one
// operation (txid, transaction_id, reference_id, idempotency_key...): the
// checklist's evidence that retries are de-duplicated when the field is
// unique.
func OperationKeyName(name string) bool {
	name = strings.ToLower(name)
	return operationKeys[name] || strings.Contains(name, "idempoten")
}
