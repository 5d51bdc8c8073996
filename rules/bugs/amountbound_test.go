package bugs

import "testing"

// mayBoundAmount never says no where lowerBoundCheck matches, and says no
// to text without an amount or a MinValueValidator.
func TestMayBoundAmountBeforeRegexp(t *testing.T) {
	for _, src := range []string{
		"if amount <= 0:", "if AMOUNT < 0.00:", "0 < self.Amount", "x = Deposit_Amount >= Decimal('0.01')",
		"filter(amount__gt=0)", "validators=[MinValueValidator(1)]", "minvaluevalidator", "mInVaLuEvAlIdAtOr",
		"amOunt>0", "\xffamount <= 0\xfe", "é amount < 0",
	} {
		if !lowerBoundCheck.MatchString(src) {
			t.Errorf("%q: the regexp should match (a bad case)", src)
		}
		if !mayBoundAmount([]byte(src)) {
			t.Errorf("%q: matched by the regexp, refused by the quick test", src)
		}
	}
	for _, src := range []string{"", "a", "amoun", "amounts_total = 1", "m", "minvaluevalidato", "if x <= 0:", "amoun t < 0"} {
		if src != "amounts_total = 1" && mayBoundAmount([]byte(src)) {
			t.Errorf("%q: no amount here", src)
		}
		if lowerBoundCheck.MatchString(src) && !mayBoundAmount([]byte(src)) {
			t.Errorf("%q: matched by the regexp, refused by the quick test", src)
		}
	}
}
