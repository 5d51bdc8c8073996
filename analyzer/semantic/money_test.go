package semantic

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMoneyName(t *testing.T) {
	for _, n := range []string{"amount", "balance", "refunded_amount", "unitPrice", "tx_fee", "grand_total_amount"} {
		assert.True(t, MoneyName(n, false), n)
	}
	for _, n := range []string{"total_count", "price_rank", "amount_of_items", "exchange_rate", "total", "weight", "tx_sum"} {
		assert.False(t, MoneyName(n, false), n)
	}
	assert.True(t, MoneyName("total", true), "total of an order")
	assert.True(t, MoneyName("tx_sum", true), "sum of a transaction")
}
