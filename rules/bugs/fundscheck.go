package bugs

import (
	"bytes"
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed fundscheck.md
var fundsCheckDoc string

// WithdrawalWithoutFundsCheck reports a view that subtracts an amount the
// client sends from a stored balance with nothing anywhere checking that
// the balance covers it: a withdrawal larger than the balance takes it
// below zero.
var WithdrawalWithoutFundsCheck = &analyzer.Rule{
	Code:       "BUG052",
	Name:       "withdrawal-without-funds-check",
	Doc:        fundsCheckDoc,
	Category:   analyzer.Correctness,
	Severity:   analyzer.Error,
	Confidence: analyzer.Medium,
	Since:      "0.20.0",
	Stack:      project.Django,
	Skip:       semantic.ProductCode,
	Requires:   []project.Analysis{semantic.Project, semantic.Endpoints, ledgerCompared},
	Run:        runWithdrawalWithoutFundsCheck,
}

// runWithdrawalWithoutFundsCheck judges the view handlers of the file. A
// handler is reported at its first subtraction from a balance column of a
// model rubric knows for certain (`qs.update(balance=F("balance") -
// amount)`, `row.balance = F("balance") - amount`, `row.balance -=
// amount`, `row.balance = row.balance - amount`) when the amount is read,
// in the handler, from the request body or a serializer's validated_data
// under an amount's name, and nothing bounds the result: no comparison in
// the handler reads a balance, no `balance__gte`/`__gt` filter, no call
// named for funds or a balance check, the column is no Positive*Field and
// its model declares no CheckConstraint, and no validate()/clean() method
// of the project compares a balance (the check may sit in the serializer
// or form the handler uses, which is not followed).
func runWithdrawalWithoutFundsCheck(p *analyzer.Pass) error {
	ledgerWithoutFundsCheck(p)
	if !bytes.Contains(p.File.Src(), []byte("balance")) || !bytes.Contains(p.File.Src(), []byte("amount")) {
		return nil
	}
	if balanceValidated.Get(p.Project) {
		return nil
	}
	sm := semantic.Of(p.Project)
	f := sm.File(p.Unit)
	if f == nil {
		return nil
	}
	for e, fn := range semantic.InventoryOf(p.Project).HandlersIn(f, semantic.TakesRequest) {
		body := pyast.Body(fn.Node)
		amounts := clientAmounts(body, e.RequestParam)
		if len(amounts) == 0 || checksFunds(body) {
			continue
		}
		sub, md, field, name := balanceSubtraction(f, body, amounts)
		if sub.IsNil() || guardedColumn(f, md, field) {
			continue
		}
		p.Report(analyzer.Diagnostic{
			Range:   analyzer.RangeOf(sub),
			Related: []analyzer.Related{{Range: analyzer.RangeOf(amounts[name]), Message: "the amount, from the request"}},
			Message: fmt.Sprintf("`%s` subtracts `%s`, which the client sends, from `%s.%s` and nothing checks that the balance covers it: no comparison of the balance in `%s`, no `%s__gte` filter on the write, no CHECK constraint or positive field on the column: a withdrawal larger than the balance takes it below zero",
				pyast.OneLine(sub, 50), name, md.Name, field, fn.Name, field),
			Help: fmt.Sprintf("make the write conditional (`.filter(pk=..., %s__gte=amount).update(%s=F(\"%s\") - amount)` and refuse when it updates no row), or check the balance on the row locked with select_for_update() before subtracting; a CheckConstraint(%s__gte=0) keeps the database honest", field, field, field, field),
		})
	}
	return nil
}

// clientAmounts returns the local names the handler binds to an amount read
// from the request body (rawAmountNames) or from a serializer's
// validated_data by an amount's key (`serializer.validated_data["amount"]`,
// `.get("amount")`), each with the read it comes from.
func clientAmounts(body pyast.Node, req string) map[string]pyast.Node {
	names := rawAmountNames(body, req)
	for a := range pyast.FindEach(body, "assignment") {
		left, right := a.ChildByField("left"), a.ChildByField("right")
		if left.Type() != "identifier" || right.IsNil() {
			continue
		}
		if _, ok := names[left.Text()]; ok {
			continue
		}
		x := unwrapConversion(right)
		obj, key, ok := pyast.KeyedRead(x)
		if !ok || !strings.HasSuffix(pyast.Dotted(obj), ".validated_data") {
			continue
		}
		if k, ok := pyast.StringValue(key); ok && amountName.MatchString(k) {
			names[left.Text()] = x
		}
	}
	return names
}

// checksFunds reports something in the handler that may bound the balance:
// a comparison reading a balance, a `balance__gte`/`__gt` keyword, or a
// call named for funds or a balance (`has_sufficient_funds(...)`,
// `wallet.check_balance(amount)`).
func checksFunds(body pyast.Node) bool {
	found := false
	pyast.Inspect(body, func(m pyast.Node) bool {
		if found {
			return false
		}
		switch m.Type() {
		case "comparison_operator":
			pyast.Inspect(m, func(x pyast.Node) bool {
				if (x.Type() == "identifier" || x.Type() == "attribute") && balanceTarget(x) || balanceF(x) {
					found = true
				}
				return !found
			})
		case "keyword_argument":
			k := m.ChildByField("name").Text()
			if strings.HasSuffix(k, "__gte") || strings.HasSuffix(k, "__gt") {
				w := semantic.NameWords(strings.Split(k, "__")[0])
				found = len(w) > 0 && w[len(w)-1] == "balance"
			}
		case "call":
			c, _ := pyast.AsCall(m)
			for _, w := range semantic.NameWords(lastName(pyast.Dotted(c.Func))) {
				switch w {
				case "funds", "fund", "sufficient", "insufficient", "enough", "balance", "overdraft", "overdraw":
					found = true
				}
			}
		}
		return !found
	})
	return found
}

// balanceSubtraction returns the first statement of the handler that
// subtracts one of the amounts from a balance column, with the column's
// model (known for certain) and name, and the amount's name.
func balanceSubtraction(f *semantic.File, body pyast.Node, amounts map[string]pyast.Node) (pyast.Node, *project.Model, string, string) {
	names := map[string]bool{}
	for n := range amounts {
		names[n] = true
	}
	for st := range pyast.FindEach(body, "augmented_assignment", "assignment", "keyword_argument") {
		var target, value, row pyast.Node
		var md *project.Model
		switch st.Type() {
		case "keyword_argument":
			// qs.update(balance=F("balance") - amount)
			call := st.Parent().Parent()
			c, ok := pyast.AsCall(call)
			if !ok || c.MethodName() != "update" {
				continue
			}
			q := f.Eval(c.Receiver())
			if q == nil || q.Model == nil || q.Certainty != semantic.Certain {
				continue
			}
			md, target, value = q.Model, st.ChildByField("name"), st.ChildByField("value")
		case "augmented_assignment":
			if st.ChildByField("operator").Text() != "-=" {
				continue
			}
			target, value = st.ChildByField("left"), st.ChildByField("right")
			row = target.ChildByField("object")
		default:
			target, value = st.ChildByField("left"), st.ChildByField("right")
			row = target.ChildByField("object")
		}
		if target.IsNil() || value.IsNil() || !balanceTarget(target) {
			continue
		}
		field := lastName(pyast.Dotted(target))
		if st.Type() != "keyword_argument" {
			if target.Type() != "attribute" || row.IsNil() {
				continue
			}
			m, _, certainty := f.InstanceCertainty(row)
			if m == nil || certainty != semantic.Certain {
				continue
			}
			md = m
		}
		if md.Field(field) == nil {
			continue
		}
		name := ""
		if st.Type() == "augmented_assignment" {
			name = nameIn(value, names)
		} else {
			// F("balance") - amount, or row.balance - amount
			for b := range pyast.FindEach(value, "binary_operator") {
				if b.ChildByField("operator").Text() != "-" {
					continue
				}
				left := pyast.Unparen(b.ChildByField("left"))
				if !balanceF(left) && pyast.Dotted(left) != pyast.Dotted(target) {
					continue
				}
				if n := nameIn(b.ChildByField("right"), names); n != "" {
					name = n
					break
				}
			}
		}
		if name != "" {
			return st, md, field, name
		}
	}
	return pyast.Node{}, nil, "", ""
}

// guardedColumn reports a balance column the database keeps from going
// negative: a Positive*Field, or a model declaring a CheckConstraint.
func guardedColumn(f *semantic.File, md *project.Model, field string) bool {
	if fl := md.Field(field); fl == nil || strings.Contains(fl.Class, "Positive") {
		return true
	}
	cls := f.M.ClassOfModel(md)
	if cls == nil {
		return true // not read: stay silent
	}
	for call := range pyast.FindEach(cls.Node, "call") {
		c, _ := pyast.AsCall(call)
		if lastName(pyast.Dotted(c.Func)) == "CheckConstraint" {
			return true
		}
	}
	return false
}

// balanceValidated is set when a validate()/validate_<field>() or
// clean()/clean_<field>() method somewhere in the project compares a
// balance: the funds check may sit in the serializer or form a handler
// uses.
var balanceValidated = &project.ProjectAnalysis[bool]{Name: "bugs.balanceValidated", Run: func(ix *project.Index) bool {
	for _, f := range semantic.Of(ix).Files() {
		if !bytes.Contains(f.Unit.File.Src(), []byte("balance")) {
			continue
		}
		for _, c := range f.Classes {
			for _, m := range c.Methods {
				if !strings.HasPrefix(m.Name, "validate") && !strings.HasPrefix(m.Name, "clean") {
					continue
				}
				for cmp := range pyast.FindEach(pyast.Body(m.Node), "comparison_operator") {
					hit := false
					pyast.Inspect(cmp, func(x pyast.Node) bool {
						if (x.Type() == "identifier" || x.Type() == "attribute") && balanceTarget(x) {
							hit = true
						}
						return !hit
					})
					if hit {
						return true
					}
				}
			}
		}
	}
	return false
}}
