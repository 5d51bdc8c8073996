package semantic

import "github.com/rubric-dev/rubric/analyzer/project"

// MoneyModels reports a project whose models speak of money beyond a bare
// `amount`: a model named for payments, orders or wallets, or a field named
// for a price, balance, fee, cost... (`amount` alone also counts an
// ingredient, a dose or a feed). Rules that read it list it in Requires.
var MoneyModels = &project.ProjectAnalysis[bool]{Name: "semantic.moneyModels", Run: func(ix *project.Index) bool {
	if ix.Models == nil {
		return true
	}
	for _, m := range ix.Models.All {
		if m.External {
			continue
		}
		if InMoneyContext(m.Name) {
			return true
		}
		for _, f := range m.Fields {
			if MoneyName(f.Name, false) && !AmountWordOnly(f.Name) {
				return true
			}
		}
	}
	return false
}}

// AmountWordOnly reports a name whose only money word is amount(s).
func AmountWordOnly(name string) bool {
	for _, w := range NameWords(name) {
		if w != "amount" && w != "amounts" && MoneyName(w, false) {
			return false
		}
	}
	return true
}
