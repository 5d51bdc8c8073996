package semantic

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// FloatJSONBody reports a call that parses a request's raw body as JSON
// with the standard library and no parse_float= (`json.loads(request.body)`):
// every JSON number with a fraction in it becomes a float, amounts included.
func FloatJSONBody(im *pyast.Imports, call pyast.Call) bool {
	if call.StarKwargs || !call.Keyword("parse_float").IsNil() || len(call.Positional) == 0 {
		return false
	}
	q := pyast.Dotted(call.Func)
	if r, ok := im.Resolve(call.Func); ok {
		q = r
	}
	if q != "json.loads" {
		return false
	}
	arg := call.Positional[0].Text()
	return strings.Contains(arg, "request.body") || strings.Contains(arg, "self.request.body")
}

// DecimalConversion reports a call that turns input into a Decimal:
// decimal.Decimal(...), or a form or serializer DecimalField (which parses
// its input as Decimal); a model's DecimalField declares a column and is
// not one.
func DecimalConversion(im *pyast.Imports, call pyast.Call) bool {
	q := pyast.Dotted(call.Func)
	if r, ok := im.Resolve(call.Func); ok {
		q = r
	}
	last := q[strings.LastIndex(q, ".")+1:]
	switch last {
	case "Decimal":
		return true
	case "DecimalField":
		return !strings.HasPrefix(q, "django.db.models") && q != "models.DecimalField"
	}
	return false
}

// MoneyArithmetic reports an expression that computes a stored amount: a
// sum or difference with F("balance") (a database-side update), or an
// augmented assignment to an attribute named for money (`wallet.balance
// -= amount`). Storing an amount is not computing with it.
func MoneyArithmetic(n pyast.Node) bool {
	switch n.Type() {
	case "binary_operator":
		op := n.ChildByField("operator").Text()
		if op != "+" && op != "-" {
			return false
		}
		for _, side := range []pyast.Node{n.ChildByField("left"), n.ChildByField("right")} {
			c, ok := pyast.AsCall(pyast.Unparen(side))
			if !ok || len(c.Positional) != 1 || c.Positional[0].Type() != "string" {
				continue
			}
			if f := pyast.Dotted(c.Func); f == "F" || strings.HasSuffix(f, ".F") {
				if MoneyName(strings.Trim(c.Positional[0].Text(), `'"`), false) {
					return true
				}
			}
		}
	case "augmented_assignment":
		op := n.ChildByField("operator").Text()
		left := n.ChildByField("left")
		if (op == "+=" || op == "-=") && left.Type() == "attribute" {
			return MoneyName(left.ChildByField("attribute").Text(), false)
		}
	}
	return false
}
