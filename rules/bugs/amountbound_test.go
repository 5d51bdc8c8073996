package bugs

import (
	"testing"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// boundsSomeAmount reads the tree where the regexp it replaced read the
// text: on code, both say the same (the cases below, and every file of the
// take-home corpus and six projects when it was written); in strings and
// comments the tree finds no bound. Since session 30 it also reads a floor
// above zero (floorComparison), which the regexp did not: those cases are
// marked text.
func TestBoundsSomeAmountReadsCodeAsTheRegexpDid(t *testing.T) {
	for _, c := range []struct {
		src  string
		want bool
		text bool // the regexp over the text says otherwise (a string, a comment)
	}{
		{"if amount <= 0:\n    pass\n", true, false},
		{"if AMOUNT < 0.00:\n    pass\n", true, false},
		{"ok = 0 < self.Amount\n", true, false},
		{"ok = 0 <= data['amount']\n", true, false},
		{"ok = 0.00 < amount\n", true, false},
		{"ok = 1.0 <= amount\n", true, false},
		{"ok = 0.5 < amount\n", false, false},
		{"ok = 10 < amount\n", false, false},
		{"x = Deposit_Amount >= Decimal('0.01')\n", true, false},
		{"x = amount > decimal(0)\n", true, false},
		{"x = amount > Decimal(\n    \"0\")\n", true, false},
		{"x = amount > decimal.Decimal('0')\n", false, false},
		{"x = (amount  # here\n     < 0)\n", false, false},
		{"x = (y.amount\n     < 0)\n", true, false},
		{"x = amount < 0x10\n", true, true}, // a floor of 16 (floorComparison, session 30)
		{"x = amount < 05\n", true, true},
		{"x = amount << 0\n", false, false},
		{"x = amount == 0\n", false, false},
		{"x = total_amount_due >= 0\n", true, false},
		{"x = (amount) < 0\n", true, true},
		// a floor the regexp did not read (session 30): the amount under a
		// positive number, by name or by key, either way round
		{"if data['amount'] < 1:\n    pass\n", true, true},
		{"if int(amount) <= 1:\n    pass\n", true, true},
		{"if 1 > data.get('amount'):\n    pass\n", true, true},
		{"if amount > 1000:\n    pass\n", false, false},
		{"if amount < balance:\n    pass\n", false, false},
		{"if wallet.balance_amount < 5:\n    pass\n", false, false},
		{"q = Q(amount__gt=0)\n", true, false},
		{"q = Q(total_AMOUNT__GTE = 0.01)\n", true, false},
		{"q = Q(amount__gt_x=0)\n", false, false},
		{"q = Q(amount__gt=1)\n", false, false},
		{"q = Q(amount__exact=0)\n", false, false},
		{"from django.core.validators import MinValueValidator\n", true, false},
		{"v = [validators.minvaluevalidator(1)]\n", true, false},
		// a result, not an amount: a term of a sum, a balance's amount
		{"if wallet.balance - amount < 0:\n    pass\n", false, false},
		{"if payment.balance_from.money.amount < 0:\n    pass\n", false, false},
		{"if -amount < 0:\n    pass\n", false, false},
		{"q = Q(balance_amount__gt=0)\n", false, false},
		// strings and comments bound nothing
		{"# amount <= 0 is refused upstream\nx = 1\n", false, true},
		{"s = 'amount > 0'\n", false, true},
		{"'''MinValueValidator'''\n", false, true},
	} {
		tree, err := pyast.Parse([]byte(c.src))
		if err != nil {
			t.Fatal(err)
		}
		if got := boundsSomeAmount(tree.Root(), tree.Src()); got != c.want {
			t.Errorf("%q: got %v, want %v", c.src, got, c.want)
		}
		if byText := textBoundsSomeAmount([]byte(c.src)); byText != (c.want != c.text) {
			t.Errorf("%q: the regexp over the text says %v", c.src, byText)
		}
	}
}

// textBoundsSomeAmount is what amountChecked read before it read the tree:
// a lowerBoundCheck match anywhere in the text (comments and strings
// included) that is not a result.
func textBoundsSomeAmount(src []byte) bool {
	for _, m := range lowerBoundCheck.FindAllIndex(src, -1) {
		if !resultCheck(src, m[0]) {
			return true
		}
	}
	return false
}
