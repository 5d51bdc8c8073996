package bugs

import (
	_ "embed"
	"fmt"
	"math/big"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed money.md
var moneyDoc string

// FloatMoney reports money held or computed as binary floating point.
var FloatMoney = &analyzer.Rule{
	Code:              "BUG009",
	Name:              "float-money",
	Doc:               moneyDoc,
	Category:          analyzer.Correctness,
	Severity:          analyzer.Warning,
	Confidence:        analyzer.Medium,
	Since:             "0.2.0",
	SkipOnSyntaxError: true,
	Skip:              semantic.Test | semantic.Migration,
	Requires:          append([]project.Analysis{semantic.MoneyModels}, requires...),
	Run:               runFloatMoney,
}

// runFloatMoney matches (a) FloatField columns of models and
// FloatField serializer or form fields with a money name (`price`,
// `balance`, `tx_sum` on a Transaction); (b) DecimalField defaults given
// as a float literal; (c) float() of a money name, of a request value
// keyed by one, or of a DecimalField of a known model, when the result is
// computed with, compared or stored (not when it is only shown: a dict
// value, a call argument, an f-string); (d) Decimal() built from a float:
// a float literal, float(), or a true division or arithmetic with a float
// literal, directly or through a constant of this module or one it imports.
func runFloatMoney(p *analyzer.Pass) error {
	sm := semantic.Of(p.Project)
	f := sm.File(p.Unit)
	floatFields(p)
	for call := range pyast.FindEach(p.Root, "call") {
		h, _ := pyast.AsCallHead(call)
		name := pyast.Dotted(h.Func)
		if name != "float" && !isDecimalCtor(p, h.Func) {
			continue
		}
		c, _ := pyast.AsCall(call)
		switch {
		case name == "float" && len(c.Positional) == 1:
			floatOfMoney(p, f, call, c.Positional[0])
		case isDecimalCtor(p, c.Func) && len(c.Positional) == 1:
			decimalFromFloat(p, call, c.Positional[0])
		}
	}
	return nil
}

func isDecimalCtor(p *analyzer.Pass, fn pyast.Node) bool {
	q, ok := p.Imports.Resolve(fn)
	return ok && (q == "decimal.Decimal" || q == "_decimal.Decimal")
}

// floatFields reports FloatField columns and serializer fields with money
// names, and DecimalField defaults given as floats.
func floatFields(p *analyzer.Pass) {
	moneyProject := semantic.MoneyModels.Get(p.Project)
	for cls := range pyast.FindEach(p.Root, "class_definition") {
		context := semantic.InMoneyContext(pyast.DefName(cls))
		for st := range pyast.EachStatement(pyast.Body(cls)) {
			a := st.NamedChild(0)
			if st.Type() != "expression_statement" || a.Type() != "assignment" || a.ChildByField("left").Type() != "identifier" {
				continue
			}
			c, ok := pyast.AsCall(a.ChildByField("right"))
			if !ok {
				continue
			}
			name := a.ChildByField("left").Text()
			q, _ := p.Imports.Resolve(c.Func)
			last := q[strings.LastIndex(q, ".")+1:]
			switch {
			case last == "FloatField" && (strings.HasPrefix(q, "django.") || strings.HasPrefix(q, "rest_framework.")) && semantic.MoneyName(name, context) &&
				(context || !semantic.AmountWordOnly(name) || moneyProject):
				kind := "a model column"
				fix := "models.DecimalField(max_digits=12, decimal_places=2)"
				if strings.HasPrefix(q, "rest_framework.") {
					kind, fix = "a serializer field", "serializers.DecimalField(max_digits=12, decimal_places=2)"
				} else if strings.HasPrefix(q, "django.forms") {
					kind, fix = "a form field", "forms.DecimalField(max_digits=12, decimal_places=2)"
				}
				p.Report(analyzer.Diagnostic{
					Range:   analyzer.RangeOf(a),
					Message: fmt.Sprintf("`%s` holds money in a `FloatField` (%s): binary floats cannot represent most cents, so sums drift (0.1 + 0.2 != 0.3)", name, kind),
					Help:    fmt.Sprintf("use `%s` and `Decimal` arithmetic (or integer cents)", fix),
				})
			case last == "DecimalField" && strings.HasPrefix(q, "django.db.models") && semantic.MoneyName(name, context):
				if d := pyast.Unparen(c.Keyword("default")); d.Type() == "float" {
					p.Report(analyzer.Diagnostic{
						Range:      analyzer.RangeOf(d),
						Severity:   analyzer.Info,
						Confidence: analyzer.Low,
						Message:    fmt.Sprintf("`%s`'s `DecimalField` default is the float `%s`: a new instance holds that float until it is read back from the database, so `%s + Decimal(...)` on it raises `TypeError`", name, d.Text(), name),
						Help:       fmt.Sprintf("write it as a Decimal: `default=Decimal(\"%s\")`", d.Text()),
						Fixes:      decimalLiteralFix(p, d, true),
					})
				}
			}
		}
	}
}

// floatOfMoney reports float() of money whose result is computed with or
// stored.
func floatOfMoney(p *analyzer.Pass, f *semantic.File, call, arg pyast.Node) {
	what := moneyOperand(f, arg)
	if what == "" || !computedWith(call) {
		return
	}
	if amountOnly(arg) && measuring(pyast.EnclosingFunction(call)) {
		return // an amount of grams, litres or kcal
	}
	p.Report(analyzer.Diagnostic{
		Range:   analyzer.RangeOf(call),
		Message: fmt.Sprintf("`float()` on %s: the amount loses its exact cents before it is computed with or stored", what),
		Help:    "keep money in `Decimal`: `Decimal(str(value))` for input, `Decimal` arithmetic with `quantize(Decimal(\"0.01\"))` for results",
	})
}

// amountOnly reports a value named only `amount` (or `amounts`) among the
// money words: the one that also names a quantity of something else.
func amountOnly(n pyast.Node) bool {
	name := operandName(n)
	for _, w := range semantic.NameWords(name) {
		if w != "amount" && w != "amounts" && semantic.MoneyName(w, false) {
			return false
		}
	}
	return name != ""
}

// operandName is the name a value is read by: the identifier, the last
// attribute, the string key of a subscript or of `.get("key")`; "" else.
func operandName(n pyast.Node) string {
	n = pyast.Unparen(n)
	switch n.Type() {
	case "identifier":
		return n.Text()
	case "attribute":
		return n.ChildByField("attribute").Text()
	case "subscript":
		s, _ := pyast.StringValue(n.ChildByField("subscript"))
		return s
	case "call":
		if c, _ := pyast.AsCall(n); c.MethodName() == "get" && len(c.Positional) > 0 {
			s, _ := pyast.StringValue(c.Positional[0])
			return s
		}
	}
	return ""
}

// quantityWords name physical quantities and their units: an `amount`
// among them is not money.
var quantityWords = map[string]bool{"gram": true, "grams": true, "kg": true, "kcal": true, "calorie": true,
	"calories": true, "energy": true, "protein": true, "nutrient": true, "nutrients": true, "nutrition": true,
	"ingredient": true, "litre": true, "liter": true, "litres": true, "liters": true, "ml": true, "dose": true,
	"dosage": true, "volume": true, "distance": true, "unit": true, "units": true, "conversion": true}

// measuring reports a function whose names or strings speak of physical
// quantities (convert_to_grams, nutrient["unitName"], "litre").
func measuring(fn pyast.Node) bool {
	if fn.IsNil() {
		return false
	}
	for id := range pyast.FindEach(fn, "identifier", "string_content") {
		for _, w := range semantic.IdentWords(id.Text()) {
			if quantityWords[w] {
				return true
			}
		}
	}
	return false
}

// moneyOperand describes a money value, or returns "".
func moneyOperand(f *semantic.File, n pyast.Node) string {
	n = pyast.Unparen(n)
	if n.Type() == "attribute" && f != nil {
		name := n.ChildByField("attribute").Text()
		if md, _ := f.Instance(n.ChildByField("object")); md != nil {
			if fd := md.Field(name); fd != nil && strings.HasSuffix(fd.Class, "DecimalField") {
				return fmt.Sprintf("the `DecimalField` `%s.%s`", md.Name, name)
			}
		}
	}
	name := operandName(n)
	if name == "" || !semantic.MoneyName(name, false) {
		return ""
	}
	switch n.Type() {
	case "identifier", "attribute":
		return fmt.Sprintf("`%s`", n.Text())
	}
	return fmt.Sprintf("`%s`", pyast.OneLine(n, 60))
}

// computedWith reports whether a value is used in arithmetic, compared,
// or stored (assigned), rather than only shown.
func computedWith(n pyast.Node) bool {
	p := n.Parent()
	for p.Type() == "parenthesized_expression" {
		p = p.Parent()
	}
	switch p.Type() {
	case "binary_operator":
		// Arithmetic whose result is only formatted for display
		// (`"${:,.2f}".format(float(cents) / 100)`) computes nothing kept.
		return !shownOnly(p)
	case "augmented_assignment", "comparison_operator", "unary_operator":
		return true
	case "assignment":
		return p.ChildByField("right").Contains(n)
	case "argument_list":
		c := p.Parent()
		name := string(pyast.CalleeName(c))
		return name == "Decimal" || name == "round" && computedWith(c) || name == "sum" || name == "create" || name == "update"
	case "keyword_argument":
		c := p.Parent().Parent()
		name := string(pyast.CalleeName(c))
		return name == "create" || name == "update" || name == "get_or_create" || name == "update_or_create"
	}
	return false
}

// shownOnly reports an arithmetic expression whose value goes only into a
// string: an argument of `"...".format(...)`, an f-string interpolation,
// or the right side of `"..." % value`.
func shownOnly(n pyast.Node) bool {
	top := n
	for {
		p := top.Parent()
		if p.Type() == "parenthesized_expression" || p.Type() == "binary_operator" && p.ChildByField("operator").Text() != "%" {
			top = p
			continue
		}
		break
	}
	p := top.Parent()
	switch p.Type() {
	case "interpolation":
		return true
	case "binary_operator":
		return p.ChildByField("operator").Text() == "%" && p.ChildByField("right").Equal(top) && p.ChildByField("left").Type() == "string"
	case "argument_list":
		c, ok := pyast.AsCall(p.Parent())
		return ok && c.MethodName() == "format" && c.Func.Type() == "attribute" && pyast.Unparen(c.Receiver()).Type() == "string"
	}
	return false
}

// decimalFromFloat reports Decimal(x) where x is certainly a float that
// binary floating point does not hold exactly, in code about money: a
// money name in the same statement or in the enclosing function's name or
// parameters.
func decimalFromFloat(p *analyzer.Pass, call, arg pyast.Node) {
	why := floatExpr(p, arg, 0)
	if why == "" || !moneyNearby(call) {
		return
	}
	if lit, ok := floatLiteralOf(p, arg); ok && exactBinary(lit) {
		return // Decimal(0.5) is exactly 0.5
	}
	d := analyzer.Diagnostic{
		Range:   analyzer.RangeOf(call),
		Message: fmt.Sprintf("`Decimal` built from a float (%s): it keeps the binary error, `Decimal(0.1)` is 0.1000000000000000055511151231257827", why),
		Help:    "build it from a string or integers: `Decimal(\"0.033\")`, or `Decimal(100 + X) / 100`",
	}
	if a := pyast.Unparen(arg); a.Type() == "float" {
		d.Fixes = decimalLiteralFix(p, a, false)
	}
	p.Report(d)
}

// decimalLiteralFix quotes a float literal (`0.033` -> `"0.033"`), wrapped
// in Decimal(...) when wrap is set.
func decimalLiteralFix(p *analyzer.Pass, lit pyast.Node, wrap bool) []analyzer.Fix {
	text := `"` + lit.Text() + `"`
	if wrap {
		if q, ok := p.Imports.Lookup("Decimal"); !ok || q != "decimal.Decimal" {
			return nil
		}
		text = "Decimal(" + text + ")"
	}
	return []analyzer.Fix{{Message: "write the literal as a decimal string", Applicability: analyzer.Unsafe,
		Edits: []analyzer.TextEdit{{Range: analyzer.RangeOf(lit), NewText: text}}}}
}

// floatExpr describes why an expression is certainly a float, or "".
func floatExpr(p *analyzer.Pass, n pyast.Node, depth int) string {
	if depth > 6 {
		return ""
	}
	n = pyast.Unparen(n)
	switch n.Type() {
	case "float":
		return fmt.Sprintf("the literal `%s`", n.Text())
	case "call":
		if pyast.Dotted(n.ChildByField("function")) == "float" {
			return "`float()`"
		}
	case "identifier":
		if v, where := constant(p, n.Text()); !v.IsNil() {
			if why := floatExpr(p, v, depth+1); why != "" {
				return fmt.Sprintf("`%s` is %s%s", n.Text(), strings.TrimPrefix(why, "the literal "), where)
			}
		}
	case "binary_operator":
		op := n.ChildByField("operator").Text()
		l, r := n.ChildByField("left"), n.ChildByField("right")
		if op == "/" && numeric(p, l, depth) && numeric(p, r, depth) {
			return fmt.Sprintf("`%s` divides numbers with `/`", pyast.OneLine(n, 60))
		}
		switch op {
		case "+", "-", "*", "/":
			if why := floatExpr(p, l, depth+1); why != "" && numeric(p, r, depth) {
				return why
			}
			if why := floatExpr(p, r, depth+1); why != "" && numeric(p, l, depth) {
				return why
			}
		}
	}
	return ""
}

// numeric reports int or float literals, arithmetic on them, and constants
// bound to them.
func numeric(p *analyzer.Pass, n pyast.Node, depth int) bool {
	if depth > 6 {
		return false
	}
	n = pyast.Unparen(n)
	switch n.Type() {
	case "integer", "float":
		return true
	case "unary_operator":
		return numeric(p, n.ChildByField("argument"), depth+1)
	case "binary_operator":
		return numeric(p, n.ChildByField("left"), depth+1) && numeric(p, n.ChildByField("right"), depth+1)
	case "identifier":
		v, _ := constant(p, n.Text())
		return !v.IsNil() && numeric(p, v, depth+1)
	}
	return false
}

// constant returns the value of a module-level constant: assigned once in
// this module, or imported from a module of the tree that assigns it
// once; where says which module when it is another.
func constant(p *analyzer.Pass, name string) (pyast.Node, string) {
	if v := moduleConstant(p.Root, name); !v.IsNil() {
		return v, ""
	}
	q, ok := p.Imports.Lookup(name)
	if !ok || p.Project == nil {
		return pyast.Node{}, ""
	}
	q = p.Unit.Absolute(q)
	dot := strings.LastIndex(q, ".")
	if dot < 0 {
		return pyast.Node{}, ""
	}
	return importedConstant(p.Project, q[:dot], q[dot+1:], 0)
}

// importedConstant looks a constant up in a module of the tree, and in the
// modules it star-imports (a settings package re-exporting its parts).
func importedConstant(ix *project.Index, mod, attr string, depth int) (pyast.Node, string) {
	u := unitOf(ix, mod)
	if u == nil || u.Tree == nil || depth > 2 {
		return pyast.Node{}, ""
	}
	if v := moduleConstant(u.Tree.Root(), attr); !v.IsNil() {
		return v, fmt.Sprintf(" in `%s`", u.File.Rel)
	}
	for w := range pyast.FindEach(u.Tree.Root(), "wildcard_import") {
		from := w.Parent().ChildByField("module_name").Text()
		if v, where := importedConstant(ix, u.Absolute(from), attr, depth+1); !v.IsNil() {
			return v, where
		}
	}
	return pyast.Node{}, ""
}

// unitOf finds the unit of a module, also when the analysed root sits
// above the import root (a suffix of the module path).
func unitOf(ix *project.Index, mod string) *project.Unit {
	if u := ix.ByModule[mod]; u != nil {
		return u
	}
	var found *project.Unit
	for m, u := range ix.ByModule {
		if strings.HasSuffix("."+m, "."+mod) {
			if found != nil {
				return nil
			}
			found = u
		}
	}
	return found
}

// moduleConstant returns the value of the one module-level assignment to
// name, or the zero Node.
func moduleConstant(root pyast.Node, name string) pyast.Node {
	var v pyast.Node
	n := 0
	for st := range pyast.EachStatement(root) {
		a := st.NamedChild(0)
		if st.Type() == "expression_statement" && a.Type() == "assignment" && a.ChildByField("left").Type() == "identifier" &&
			a.ChildByField("left").Text() == name {
			v = a.ChildByField("right")
			n++
		}
	}
	if n != 1 {
		return pyast.Node{}
	}
	return v
}

// floatLiteralOf returns the float literal an expression is (directly or
// as a constant), when it is one.
func floatLiteralOf(p *analyzer.Pass, n pyast.Node) (string, bool) {
	n = pyast.Unparen(n)
	if n.Type() == "identifier" {
		if v, _ := constant(p, n.Text()); !v.IsNil() {
			n = pyast.Unparen(v)
		}
	}
	if n.Type() == "float" {
		return n.Text(), true
	}
	return "", false
}

// exactBinary reports a decimal literal that a binary float holds exactly
// (0.5, 2.25, 1e3): its fraction's denominator is a power of two.
func exactBinary(lit string) bool {
	r, ok := new(big.Rat).SetString(strings.ReplaceAll(lit, "_", ""))
	if !ok {
		return false
	}
	d := r.Denom()
	return d.BitLen() > 0 && new(big.Int).And(d, new(big.Int).Sub(d, big.NewInt(1))).Sign() == 0
}

// moneyNearby reports money words around n: in its statement, or in the
// name and parameters of the function holding it.
func moneyNearby(n pyast.Node) bool {
	stmt := n
	for p := n.Parent(); !p.IsNil() && !p.Is("block", "module"); p = p.Parent() {
		stmt = p
	}
	if stmt.Is("function_definition", "class_definition", "decorated_definition") {
		stmt = n
	}
	for id := range pyast.FindEach(stmt, "identifier") {
		if semantic.MoneyName(id.Text(), false) {
			return true
		}
	}
	if fn := pyast.Ancestor(n, "function_definition"); !fn.IsNil() {
		if semantic.MoneyName(pyast.DefName(fn), false) {
			return true
		}
		for _, prm := range pyast.ParamNames(fn) {
			if semantic.MoneyName(prm, false) {
				return true
			}
		}
	}
	return false
}
