package semantic

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// MovesMoneyNow reports whether the endpoint's effects move money on
// this request: a payment provider's call that moves money, a money write
// in the project's code that is a movement (Effect.Movement), or the
// framework's own update or delete of a money model's row (the fields its
// serializer or form lets clients write are not read here). Opening an
// account (the framework's create, or the project's, of a row of a model
// holding a balance) writes a money model but moves nothing; MovesMoney
// counts it.
func (d Does) MovesMoneyNow(ix *project.Index) bool {
	for _, e := range d.Effects {
		switch {
		case !e.Money:
		case e.Kind == HTTPCall:
			return true
		case e.Kind != WriteRows:
		case e.Call.Type() == "class_definition":
			// The framework's own write (fillEffects): "Wallet create".
			if !strings.HasSuffix(e.Name, " create") || !accountRow(ix, e) {
				return true
			}
		case e.Movement(ix):
			return true
		}
	}
	return false
}

// Movement reports a money write that moves money: a balance assigned or
// incremented, a queryset update of an account (`.update(balance=F(...)
// + x)`), or a row created or saved of a model named for a movement
// (`Transfer.objects.create`). Opening or saving an account is not one,
// nor a get_or_create: a repeat finds the row the first request made.
func (x Effect) Movement(ix *project.Index) bool {
	if strings.HasSuffix(x.Name, ".get_or_create") || strings.HasSuffix(x.Name, ".aget_or_create") {
		return false
	}
	if strings.Contains(strings.ToLower(x.Name), "balance") {
		return !newRow(ix, x)
	}
	if accountRow(ix, x) {
		return strings.HasSuffix(x.Name, ".update")
	}
	return movementModel(x.Model)
}

// newRow reports a balance write on a row the same function has just
// made (`account = Account()` or `Account.objects.create(...)`, then
// `account.balance += amount`): an account opened with its first amount.
func newRow(ix *project.Index, x Effect) bool {
	if x.File == nil || x.Call.IsNil() || ix.Models == nil {
		return false
	}
	left := x.Call.ChildByField("left")
	if left.Type() != "attribute" {
		return false
	}
	obj := left.ChildByField("object")
	if obj.Type() != "identifier" {
		return false
	}
	rhs := x.File.Binding(obj, obj.Text(), obj.StartByte())
	c, ok := pyast.AsCall(rhs)
	if !ok {
		return false
	}
	if md := ix.Models.Lookup(x.File.Unit, pyast.Dotted(c.Func)); md != nil {
		return true // Account(...)
	}
	if c.Func.Type() == "attribute" && c.MethodName() == "create" {
		return ix.Models.Lookup(x.File.Unit, strings.TrimSuffix(pyast.Dotted(c.Receiver()), ".objects")) != nil
	}
	return false
}

// accountRow reports a write of a model that holds a balance: a wallet or
// an account being opened or saved, not a movement recorded.
func accountRow(ix *project.Index, x Effect) bool {
	md := x.ModelIn(ix)
	if md == nil {
		return false
	}
	for _, f := range md.Fields {
		if strings.Contains(strings.ToLower(f.Name), "balance") {
			return true
		}
	}
	return false
}

// movementWords name models that record one movement of money.
var movementWords = []string{"transaction", "transfer", "deposit", "withdraw", "payout", "operation", "topup", "charge",
	"refund", "ledger", "payment", "replenish"}

// movementModel reports a model named for a movement of money
// (`Transaction`, `WithdrawalRequest`, `MoneyTransfer`).
func movementModel(name string) bool {
	l := strings.ToLower(name)
	for _, w := range movementWords {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}
