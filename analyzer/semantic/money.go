package semantic

import "strings"

// Money: which names hold amounts of money. The float-money and
// lost-update rules read names the same way.

// moneyWords are name parts that mean an amount of money.
var moneyWords = map[string]bool{"amount": true, "amounts": true, "price": true, "prices": true, "balance": true,
	"balances": true, "cost": true, "costs": true, "fee": true, "fees": true, "subtotal": true, "tax": true,
	"vat": true, "money": true, "funds": true, "payout": true, "payment": true, "refund": true, "refunded": true,
	"salary": true, "wage": true, "commission": true, "deposit": true, "withdrawal": true, "revenue": true,
	"budget": true, "credit": true, "debit": true, "cash": true, "paid": true, "charge": true,
	"discount": true, "earnings": true, "income": true, "expense": true, "profit": true}

// notMoneyWords turn a money word into something else (`total_count`,
// `amount_of_items`, `price_rank`).
var notMoneyWords = map[string]bool{"count": true, "items": true, "qty": true, "quantity": true, "num": true,
	"number": true, "pages": true, "rows": true, "size": true, "time": true, "seconds": true, "ms": true,
	"percent": true, "pct": true, "percentage": true, "ratio": true, "score": true, "weight": true, "length": true,
	"rank": true, "id": true, "ids": true, "days": true, "hours": true, "minutes": true, "limit": true, "rate": true,
	"rating": true, "index": true, "level": true, "estimate": true, "estimates": true, "points": true, "point": true}

// MoneyContext are model (class) name parts where a generic `sum` or `value` is money.
var MoneyContext = []string{"transaction", "payment", "wallet", "account", "order", "invoice", "transfer", "payout",
	"charge", "refund", "ledger", "deposit", "withdrawal", "purchase"}

// InMoneyContext reports a class name (a model, a serializer) with a part
// from MoneyContext: a `Payment` or an `OrderSerializer`.
func InMoneyContext(class string) bool {
	low := strings.ToLower(class)
	for _, w := range MoneyContext {
		if strings.Contains(low, w) {
			return true
		}
	}
	return false
}

// MoneyName reports a name that holds money: one of its words is a money
// word and none turns it into a count or a ratio. inContext also accepts
// `sum` and `value` (a model of payments).
func MoneyName(name string, inContext bool) bool {
	words := strings.FieldsFunc(strings.ToLower(camelToSnake(name)), func(r rune) bool { return r == '_' || r == '-' })
	money, total := false, false
	for _, w := range words {
		if notMoneyWords[w] {
			return false
		}
		if moneyWords[w] || inContext && (w == "sum" || w == "value") {
			money = true
		}
		total = total || w == "total"
	}
	// `total` is money in an order or a payment, anything elsewhere.
	return money || total && inContext
}

func camelToSnake(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r >= 'A' && r <= 'Z' && i > 0 {
			b.WriteByte('_')
		}
		b.WriteRune(r)
	}
	return b.String()
}
