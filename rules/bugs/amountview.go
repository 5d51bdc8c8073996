package bugs

import (
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

// reportRawAmounts judges the view handlers of the file that read an
// amount from the request body by hand (`amount = request.data.get(
// "amount")`, `request.POST["amount"]`) and add it to or subtract it from
// a stored balance (`wallet.balance += int(amount)`, `-=`, `F("balance") +
// amount`) without comparing the amount itself with a number first: a
// client sends -100 and the deposit debits, the withdrawal credits. A
// funds check (`wallet.balance - amount < 0`) bounds the result, not the
// amount, and does not count. One finding per view class (per file for
// function views), at the first balance change.
func reportRawAmounts(p *analyzer.Pass, f *semantic.File) {
	var order []*semantic.Class
	groups := map[*semantic.Class][]rawAmount{}
	for e, fn := range semantic.InventoryOf(p.Project).HandlersIn(f, semantic.TakesRequest) {
		body := pyast.Body(fn.Node)
		amounts := rawAmountNames(body, e.RequestParam)
		if len(amounts) == 0 || boundsAmount(body, amounts) {
			continue
		}
		names := map[string]bool{}
		for n := range amounts {
			names[n] = true
		}
		change, name := balanceChange(f, body, names)
		if change.IsNil() {
			continue
		}
		if _, ok := groups[fn.Class]; !ok {
			order = append(order, fn.Class)
		}
		groups[fn.Class] = append(groups[fn.Class], rawAmount{fn, change, amounts[name], name})
	}
	// One finding per view class (per file for function views), at the
	// first handler, the others related.
	for _, c := range order {
		g := groups[c]
		first := g[0]
		rel := []analyzer.Related{{Range: analyzer.RangeOf(first.read), Message: "read from the request here"}}
		for _, o := range g[1:] {
			rel = append(rel, analyzer.Related{Range: analyzer.RangeOf(o.change), Message: fmt.Sprintf("also in `%s`: `%s`", o.fn.Name, pyast.OneLine(o.change, 40))},
				analyzer.Related{Range: analyzer.RangeOf(o.read), Message: "read from the request here"})
		}
		more, one, many := "", "handler of this view", "handlers of this view"
		if c == nil {
			one, many = "view of this file", "views of this file"
		}
		if n := len(g) - 1; n == 1 {
			more = " (and 1 more " + one + ")"
		} else if n > 1 {
			more = fmt.Sprintf(" (and %d more %s)", n, many)
		}
		p.Report(analyzer.Diagnostic{
			Range:   analyzer.RangeOf(first.change),
			Related: rel,
			Message: fmt.Sprintf("`%s` comes from the request and changes a balance here (`%s`) with no check that it is positive: a client sends -100 and the operation runs backwards%s",
				first.name, pyast.OneLine(first.change, 50), more),
			Help: fmt.Sprintf("validate the amount before using it (a serializer DecimalField with min_value, or reject `%s <= 0` with a 400)", first.name),
		})
	}
}

// rawAmount is a handler's balance change by an amount read by hand.
type rawAmount struct {
	fn           *semantic.Func
	change, read pyast.Node
	name         string
}

// rawAmountNames returns the local names the handler binds to an amount
// read from the request body by key (`request.data.get("amount")`,
// `request.data["amount"]`, `request.POST.get("deposit_amount")`), and the
// names later bound from those (`value = int(amount)`).
//
// Each name maps to the read it comes from. A value passed through abs()
// or max() is bounded: its name is not kept.
func rawAmountNames(body pyast.Node, req string) map[string]pyast.Node {
	names := map[string]pyast.Node{}
	aliases := bodyAliases(body, req)
	origin := func(n pyast.Node) (pyast.Node, bool) {
		var read pyast.Node
		bounded := false
		pyast.Inspect(n, func(m pyast.Node) bool {
			if !read.IsNil() {
				return false
			}
			if c, ok := pyast.AsCall(m); ok {
				switch pyast.Dotted(c.Func) {
				case "abs", "max":
					bounded = true
				}
			}
			if r, ok := names[m.Text()]; m.Type() == "identifier" && ok && !attributeName(m) {
				read = r
			} else if amountRead(m, req, aliases) {
				read = m
			}
			return read.IsNil()
		})
		return read, !read.IsNil() && !bounded
	}
	for a := range pyast.FindEach(body, "assignment") {
		left, right := a.ChildByField("left"), a.ChildByField("right")
		if left.Type() != "identifier" || right.IsNil() {
			continue
		}
		if read, ok := origin(right); ok {
			names[left.Text()] = read
		}
	}
	// A read used in place (`float(data.get("amount"))` inside the
	// balance's expression) counts under its own text.
	for n := range pyast.FindEach(body, "call", "subscript") {
		if amountRead(n, req, aliases) && !boundedInPlace(n) {
			names[n.Text()] = n
		}
	}
	return names
}

// boundedInPlace reports a read passed to abs() or max() on its way.
func boundedInPlace(n pyast.Node) bool {
	for a := n.Parent(); !a.IsNil() && !a.Is("expression_statement", "assignment", "augmented_assignment", "block"); a = a.Parent() {
		if c, ok := pyast.AsCall(a); ok {
			switch pyast.Dotted(c.Func) {
			case "abs", "max":
				return true
			}
		}
	}
	return false
}

// bodyAliases returns the locals bound to the request body itself
// (`data = request.data`, `payload = request.POST.dict()`).
func bodyAliases(body pyast.Node, req string) map[string]bool {
	out := map[string]bool{}
	for a := range pyast.FindEach(body, "assignment") {
		left, right := a.ChildByField("left"), pyast.Unparen(a.ChildByField("right"))
		if left.Type() != "identifier" || right.IsNil() {
			continue
		}
		if c, ok := pyast.AsCall(right); ok && len(c.Positional) == 0 && (c.MethodName() == "dict" || c.MethodName() == "copy") {
			right = pyast.Unparen(c.Func.ChildByField("object"))
		}
		if isRequestBody(pyast.Dotted(right), req) || parsedBody(right, req) {
			out[left.Text()] = true
		}
	}
	return out
}

// parsedBody reports the request's raw body parsed as JSON by hand:
// `json.loads(request.body)`, `json.loads(request.body.decode("utf-8"))`.
func parsedBody(n pyast.Node, req string) bool {
	c, ok := pyast.AsCall(n)
	if !ok || pyast.Dotted(c.Func) != "json.loads" || len(c.Positional) != 1 {
		return false
	}
	arg := pyast.Unparen(c.Positional[0])
	if d, ok := pyast.AsCall(arg); ok && d.MethodName() == "decode" {
		arg = pyast.Unparen(d.Func.ChildByField("object"))
	}
	switch pyast.Dotted(arg) {
	case req + ".body", "self.request.body":
		return true
	}
	return false
}

// isRequestBody reports the request's parsed body: req.data, req.POST.
func isRequestBody(d, req string) bool {
	switch d {
	case req + ".data", req + ".POST", "self.request.data", "self.request.POST":
		return true
	}
	return false
}

// amountRead reports a read of the request body by a key named for an
// amount: `req.data.get("amount")`, `req.data["amount"]`, `req.POST[...]`.
func amountRead(n pyast.Node, req string, aliases map[string]bool) bool {
	obj, key, ok := pyast.KeyedRead(n)
	if !ok {
		return false
	}
	if d := pyast.Dotted(obj); !isRequestBody(d, req) && !(obj.Type() == "identifier" && aliases[d]) {
		return false
	}
	k, ok := pyast.StringValue(key)
	return ok && amountName.MatchString(k)
}

// boundsAmount reports a comparison of one of the names itself (bare, or
// converted: int(amount), Decimal(amount)) with a number:
// `amount <= 0`, `int(amount) < 1`, `0 >= amount`.
func boundsAmount(body pyast.Node, names map[string]pyast.Node) bool {
	for cmp := range pyast.FindEach(body, "comparison_operator") {
		var named, number bool
		for op := range cmp.Named() {
			x := unwrapConversion(op)
			switch {
			case x.Type() == "identifier" && !names[x.Text()].IsNil(), x.Is("call", "subscript") && !names[x.Text()].IsNil():
				named = true
			case x.Type() == "integer" || x.Type() == "float" || x.Type() == "call" && isNumberCall(x):
				number = true
			}
		}
		if named && number {
			return true
		}
	}
	return false
}

// unwrapConversion strips int(), float(), Decimal() around an expression.
func unwrapConversion(n pyast.Node) pyast.Node {
	n = pyast.Unparen(n)
	for {
		c, ok := pyast.AsCall(n)
		if !ok || len(c.Positional) != 1 {
			return n
		}
		switch pyast.Dotted(c.Func) {
		case "int", "float", "Decimal", "decimal.Decimal":
			n = pyast.Unparen(c.Positional[0])
		default:
			return n
		}
	}
}

// isNumberCall reports Decimal("0.01") and the like.
func isNumberCall(n pyast.Node) bool {
	c, ok := pyast.AsCall(n)
	if !ok || len(c.Positional) != 1 {
		return false
	}
	switch pyast.Dotted(c.Func) {
	case "Decimal", "decimal.Decimal", "int", "float":
		x := c.Positional[0]
		if _, isStr := pyast.StringValue(x); isStr {
			return true
		}
		return x.Type() == "integer" || x.Type() == "float"
	}
	return false
}

// balanceChange returns the first statement that adds one of the names to
// or subtracts it from something named for a balance (`wallet.balance +=
// int(amount)`, `balance = F("balance") - amount`), and the name.
func balanceChange(f *semantic.File, body pyast.Node, names map[string]bool) (pyast.Node, string) {
	target := func(n pyast.Node) bool { return balanceTarget(n) || numericColumn(f, n) }
	for st := range pyast.FindEach(body, "augmented_assignment", "assignment", "keyword_argument") {
		left, right := st.ChildByField("left"), st.ChildByField("right")
		if st.Type() == "keyword_argument" {
			// update(balance=F("balance") + amount)
			left, right = st.ChildByField("name"), st.ChildByField("value")
		}
		if right.IsNil() {
			continue
		}
		if st.Type() == "augmented_assignment" {
			op := st.ChildByField("operator").Text()
			if (op == "+=" || op == "-=") && target(left) {
				if n := nameIn(right, names); n != "" {
					return st, n
				}
			}
			continue
		}
		// x.balance = x.balance + amount, or F("balance") - amount.
		if !target(left) && !balanceF(right) {
			continue
		}
		for b := range pyast.FindEach(right, "binary_operator") {
			op := b.ChildByField("operator").Text()
			if op != "+" && op != "-" {
				continue
			}
			if n := nameIn(b, names); n != "" && (target(left) || balanceF(b)) {
				return st, n
			}
		}
	}
	return pyast.Node{}, ""
}

// nameIn returns the first of the names read in n.
func nameIn(n pyast.Node, names map[string]bool) string {
	found := ""
	pyast.Inspect(n, func(m pyast.Node) bool {
		if found != "" {
			return false
		}
		if m.Type() == "identifier" && names[m.Text()] && !attributeName(m) || m.Is("call", "subscript") && names[m.Text()] {
			found = m.Text()
		}
		return found == ""
	})
	return found
}

// attributeName reports an identifier that is the attribute part of an
// attribute (`amount` in `payment.amount`): another object's field, not
// the local of that name.
func attributeName(m pyast.Node) bool {
	p := m.Parent()
	return p.Type() == "attribute" && p.ChildByField("attribute").Equal(m)
}

// balanceTarget reports an attribute or name one of whose words is balance
// (balance, current_balance, balance_amount).
func balanceTarget(n pyast.Node) bool {
	d := pyast.Dotted(n)
	if d == "" {
		return false
	}
	for _, w := range semantic.NameWords(lastName(d)) {
		if w == "balance" {
			return true // balance, current_balance, balance_amount
		}
	}
	return false
}

// numericColumn reports `row.field` where row is a row of a model the
// graph knows and field one of its numeric columns (a DecimalField, an
// IntegerField of any size, a FloatField, django-money's MoneyField): a
// stored amount, whatever its name (`wallet.account`, `user.points`).
func numericColumn(f *semantic.File, n pyast.Node) bool {
	n = pyast.Unparen(n)
	if n.Type() != "attribute" {
		return false
	}
	md, _ := f.Instance(n.ChildByField("object"))
	if md == nil {
		return false
	}
	fld := md.Field(n.ChildByField("attribute").Text())
	if fld == nil || fld.Kind != project.Plain {
		return false
	}
	cls := fld.Class[strings.LastIndex(fld.Class, ".")+1:]
	return strings.HasSuffix(cls, "IntegerField") || cls == "DecimalField" || cls == "FloatField" || cls == "MoneyField"
}

// balanceF reports F("balance") (or F("...balance")) in n.
func balanceF(n pyast.Node) bool {
	found := false
	pyast.Inspect(n, func(m pyast.Node) bool {
		if found {
			return false
		}
		if c, ok := pyast.AsCall(m); ok && (pyast.Dotted(c.Func) == "F" || pyast.Dotted(c.Func) == "models.F") && len(c.Positional) == 1 {
			if v, ok := pyast.StringValue(c.Positional[0]); ok {
				w := semantic.NameWords(v)
				found = len(w) > 0 && w[len(w)-1] == "balance"
			}
		}
		return !found
	})
	return found
}
