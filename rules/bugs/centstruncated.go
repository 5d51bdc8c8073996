package bugs

import (
	_ "embed"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed centstruncated.md
var centsTruncatedDoc string

// CentsTruncated reports a decimal amount cut to whole units by int() or
// round() before it is multiplied by 100 into the smallest unit: the cents
// are lost, and every charge is off by up to one unit.
var CentsTruncated = &analyzer.Rule{
	Code:              "BUG071",
	Name:              "cents-truncated",
	Doc:               centsTruncatedDoc,
	Category:          analyzer.Correctness,
	Severity:          analyzer.Error,
	Confidence:        analyzer.High,
	Since:             "0.26.0",
	SkipOnSyntaxError: true,
	Skip:              semantic.Test | semantic.Migration,
	Requires:          requires,
	Run:               runCentsTruncated,
}

// runCentsTruncated matches `int(X) * 100` and `round(X) * 100` (either
// operand order), and `n = int(X)` followed in the same function by
// `n * 100` with n bound once, where X reads a DecimalField or FloatField
// of a project model (`order.total`, `sum(item.price for item in ...)`)
// and no project model declares a field of that name as an integer. A
// value already multiplied (`int(price * 100)`), round() with a number of
// digits, and names that are no model field stay silent.
func runCentsTruncated(p *analyzer.Pass) error {
	if p.Project == nil || p.Project.Models == nil {
		return nil
	}
	seen := map[int]bool{} // cuts reported, by start byte: one finding per int() however often it is scaled
	for n := range pyast.FindEach(p.Root, "binary_operator") {
		op := n.ChildByField("operator")
		if op.IsNil() || op.Text() != "*" {
			continue
		}
		l, r := pyast.Unparen(n.ChildByField("left")), pyast.Unparen(n.ChildByField("right"))
		if r.Text() != "100" {
			l, r = r, l
		}
		if r.Text() != "100" {
			continue
		}
		cut, via := l, pyast.Node{}
		if l.Type() == "identifier" {
			cut, via = boundOnceTo(l), l
		}
		field, arg := truncatedMoney(p, cut)
		if field == "" || seen[cut.StartByte()] {
			continue
		}
		seen[cut.StartByte()] = true
		msg := "`" + pyast.OneLine(cut, 50) + "` cuts the decimal `" + field + "` to whole units before `* 100` turns it into cents: the cents are lost and every amount is rounded down to a whole unit"
		at, rel := n, []analyzer.Related{}
		if !via.IsNil() {
			// Reported at the cut, where the fix goes; the scaling is related.
			msg = "`" + pyast.OneLine(cut, 50) + "` cuts the decimal `" + field + "` to whole units, and `" + via.Text() + "` is then multiplied by 100 into cents: the cents are lost and every amount is rounded down to a whole unit"
			at = cut
			rel = append(rel, analyzer.Related{Range: analyzer.RangeOf(n), Message: "turned into cents here"})
		}
		p.Report(analyzer.Diagnostic{
			Range:   analyzer.RangeOf(at),
			Message: msg,
			Help:    "multiply first, then convert: `int((" + pyast.OneLine(arg, 40) + ") * 100)`, or with Decimal `(" + pyast.OneLine(arg, 40) + " * 100).quantize(Decimal(\"1\"))`",
			Related: rel,
		})
	}
	return nil
}

// boundOnceTo returns the value of the only assignment to name in its
// function, when it comes before the use, or the nil node (a name at
// module level is not followed).
func boundOnceTo(name pyast.Node) pyast.Node {
	scope := pyast.EnclosingFunction(name)
	if scope.IsNil() {
		return pyast.Node{}
	}
	var val pyast.Node
	count := 0
	for as := range pyast.FindEach(pyast.Body(scope), "assignment", "augmented_assignment", "for_statement", "named_expression") {
		var target pyast.Node
		switch as.Type() {
		case "for_statement":
			target = as.ChildByField("left")
		case "named_expression":
			target = as.ChildByField("name")
		default:
			target = as.ChildByField("left")
		}
		for _, id := range pyast.Identifiers(target) {
			if id == name.Text() {
				count++
				if as.Type() == "assignment" && target.Type() == "identifier" {
					val = as.ChildByField("right")
				}
			}
		}
	}
	if count != 1 || val.IsNil() || val.StartByte() > name.StartByte() {
		return pyast.Node{}
	}
	return pyast.Unparen(val)
}

// truncatedMoney reports the money field n cuts to whole units: n is
// `int(X)` or `round(X)` (one argument) and X reads a fractional money
// field of a project model. It returns that field's name and X.
func truncatedMoney(p *analyzer.Pass, n pyast.Node) (string, pyast.Node) {
	c, ok := pyast.AsCall(n)
	if !ok || c.Func.Type() != "identifier" || len(c.Positional) != 1 || len(c.Keywords) != 0 {
		return "", pyast.Node{}
	}
	if name := c.Func.Text(); name != "int" && name != "round" {
		return "", pyast.Node{}
	}
	arg := pyast.Unparen(c.Positional[0])
	for b := range pyast.FindEach(arg, "binary_operator") {
		if op := b.ChildByField("operator"); !op.IsNil() && (op.Text() == "*" || op.Text() == "/" || op.Text() == "//") {
			return "", pyast.Node{} // already scaled, or a ratio
		}
	}
	for a := range pyast.FindEach(arg, "attribute") {
		if f := a.ChildByField("attribute").Text(); fractionalField(p, f) {
			return f, arg
		}
	}
	return "", pyast.Node{}
}

// fractionalField reports whether some project model declares name as a
// DecimalField or FloatField holding money and none declares it as an
// integer field.
func fractionalField(p *analyzer.Pass, name string) bool {
	frac := false
	for _, m := range p.Project.Models.All {
		for _, f := range m.Fields {
			if f.Name != name {
				continue
			}
			switch {
			case strings.HasSuffix(f.Class, "DecimalField"), strings.HasSuffix(f.Class, "FloatField"), strings.HasSuffix(f.Class, "MoneyField"):
				frac = frac || semantic.MoneyName(name, semantic.InMoneyContext(m.Name))
			case strings.HasSuffix(f.Class, "IntegerField"):
				return false
			}
		}
	}
	return frac
}
