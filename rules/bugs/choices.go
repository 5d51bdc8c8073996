package bugs

import (
	_ "embed"
	"fmt"
	"iter"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed choices.md
var choicesDoc string

// DefaultNotInChoices reports model field defaults that are not among the
// field's choices, and choices made of plain Enum members.
var DefaultNotInChoices = &analyzer.Rule{
	Code:              "BUG010",
	Name:              "default-not-in-choices",
	Doc:               choicesDoc,
	Category:          analyzer.Correctness,
	Severity:          analyzer.Warning,
	Confidence:        analyzer.High,
	Since:             "0.2.0",
	Stack:             project.Django,
	SkipOnSyntaxError: true,
	Skip:              semantic.Test | semantic.Migration,
	Run:               runDefaultNotInChoices,
}

// runDefaultNotInChoices matches field calls in class bodies with both
// `choices=` and `default=` when rubric can read every choice value (a
// literal list or tuple, grouped choices included, a constant of the class
// or module bound to one, or `X.choices` of a TextChoices/IntegerChoices
// class of this file) and the default (a literal, such a constant, or a
// member of such a class), and the default is not one of the values. It
// also matches choices built as `[(m, ...) for m in E]` over a plain Enum
// (not a str or int Enum, not Django's Choices): the column stores
// `str(member)`, "E.member", which is no choice. Callables, None and
// anything computed are not judged.
func runDefaultNotInChoices(p *analyzer.Pass) error {
	enums, choiceClasses := enumClasses(p.Root)
	for cls := range pyast.FindEach(p.Root, "class_definition") {
		for field, c := range fieldCalls(cls) {
			ch := c.Keyword("choices")
			if ch.IsNil() {
				continue
			}
			if e, ok := enumComprehension(ch, enums); ok {
				p.Report(analyzer.Diagnostic{
					Range: analyzer.RangeOf(ch),
					Message: fmt.Sprintf("`%s`'s choices are members of the plain Enum `%s`: the column stores `str(member)` (\"%s.<name>\"), which is none of them once read back",
						field, e, e),
					Help: fmt.Sprintf("derive `%s` from `models.TextChoices` and use `choices=%s.choices`, or store `member.value`", e, e),
				})
				continue
			}
			def := c.Keyword("default")
			if def.IsNil() {
				continue
			}
			values, ok := choiceValues(p.Root, cls, ch, choiceClasses, 0)
			if !ok || len(values) == 0 {
				continue
			}
			dv, ok := literalValue(p.Root, cls, def, choiceClasses, 0)
			if !ok || containsStr(values, dv) {
				continue
			}
			if s, isStr := pyast.StringValue(def); isStr && s == "" && c.Keyword("blank").Text() == "True" {
				continue // an optional field's empty value: full_clean() skips the choices for it
			}
			shown := values
			if len(shown) > 6 {
				shown = append(append([]string(nil), shown[:6]...), "...")
			}
			p.Report(analyzer.Diagnostic{
				Range: analyzer.RangeOf(def.Parent()),
				Message: fmt.Sprintf("`%s`'s default %s is not one of its choices (%s): rows created without it hold a value full_clean() rejects and get_%s_display() cannot name",
					field, dv, strings.Join(shown, ", "), field),
				Help: fmt.Sprintf("default to one of the choices (%s), or add %s to them", values[0], dv),
			})
		}
	}
	return nil
}

// enumClasses finds the file's plain Enum classes and its Django Choices
// classes.
func enumClasses(root pyast.Node) (plain map[string]bool, choices map[string]pyast.Node) {
	plain, choices = map[string]bool{}, map[string]pyast.Node{}
	for cls := range pyast.FindEach(root, "class_definition") {
		var bases []string
		for b := range cls.ChildByField("superclasses").Named() {
			if b.Type() != "keyword_argument" {
				d := pyast.Dotted(b)
				bases = append(bases, d[strings.LastIndex(d, ".")+1:])
			}
		}
		switch {
		case len(bases) == 1 && bases[0] == "Enum":
			plain[pyast.DefName(cls)] = true
		case len(bases) > 0 && (strings.HasSuffix(bases[len(bases)-1], "Choices")):
			choices[pyast.DefName(cls)] = cls
		}
	}
	return plain, choices
}

// enumComprehension reports `[(m, ...) for m in E]` over a plain Enum E.
func enumComprehension(ch pyast.Node, enums map[string]bool) (string, bool) {
	ch = pyast.Unparen(ch)
	if !ch.Is("list_comprehension", "generator_expression", "tuple") || ch.Type() == "tuple" {
		return "", false
	}
	var clause pyast.Node
	for k := range ch.Named() {
		if k.Type() == "for_in_clause" {
			clause = k
			break
		}
	}
	v, it := clause.ChildByField("left"), clause.ChildByField("right")
	if v.Type() != "identifier" || it.Type() != "identifier" || !enums[it.Text()] {
		return "", false
	}
	body := pyast.Unparen(ch.ChildByField("body"))
	if body.Type() != "tuple" || body.NamedChildCount() == 0 {
		return "", false
	}
	first := body.NamedChildren()[0]
	if first.Type() == "identifier" && first.Text() == v.Text() {
		return it.Text(), true
	}
	return "", false
}

// choiceValues reads the values of a choices expression.
func choiceValues(root, cls, n pyast.Node, classes map[string]pyast.Node, depth int) ([]string, bool) {
	if depth > 4 {
		return nil, false
	}
	n = pyast.Unparen(n)
	switch n.Type() {
	case "list", "tuple":
		var out []string
		for e := range n.Named() {
			e = pyast.Unparen(e)
			if e.Type() == "comment" {
				continue
			}
			if !e.Is("tuple", "list") || e.NamedChildCount() < 2 {
				return nil, false
			}
			first, second := e.NamedChildren()[0], pyast.Unparen(e.NamedChildren()[1])
			if second.Is("list", "tuple") {
				// A named group: ("Cards", [("visa", "Visa"), ...]).
				inner, ok := choiceValues(root, cls, second, classes, depth+1)
				if !ok {
					return nil, false
				}
				out = append(out, inner...)
				continue
			}
			v, ok := literalValue(root, cls, first, classes, depth+1)
			if !ok {
				return nil, false
			}
			out = append(out, v)
		}
		return out, true
	case "identifier":
		if v := classConstant(cls, n.Text()); !v.IsNil() {
			return choiceValues(root, cls, v, classes, depth+1)
		}
		if v := moduleConstant(root, n.Text()); !v.IsNil() {
			return choiceValues(root, cls, v, classes, depth+1)
		}
	case "attribute":
		if n.ChildByField("attribute").Text() == "choices" {
			if c, ok := classes[pyast.Dotted(n.ChildByField("object"))]; ok {
				return choicesClassValues(root, c, classes)
			}
		}
	}
	return nil, false
}

// choicesClassValues reads the member values of a TextChoices or
// IntegerChoices class: `NAME = value` or `NAME = value, label`.
func choicesClassValues(root, c pyast.Node, classes map[string]pyast.Node) ([]string, bool) {
	var out []string
	for st := range pyast.EachStatement(pyast.Body(c)) {
		a := st.NamedChild(0)
		if st.Type() != "expression_statement" || a.Type() != "assignment" {
			continue
		}
		if a.ChildByField("left").Type() != "identifier" {
			return nil, false
		}
		v := pyast.Unparen(a.ChildByField("right"))
		if v.Is("tuple", "expression_list") && v.NamedChildCount() > 0 {
			v = v.NamedChildren()[0]
		}
		lit, ok := literalValue(root, c, v, classes, 1)
		if !ok {
			return nil, false
		}
		out = append(out, lit)
	}
	return out, true
}

// literalValue renders a literal (string, number, bool), a constant of
// the class or module bound to one, or a member of a Choices class, as
// Python would show it; ok is false for anything else.
func literalValue(root, cls, n pyast.Node, classes map[string]pyast.Node, depth int) (string, bool) {
	if depth > 5 {
		return "", false
	}
	n = pyast.Unparen(n)
	switch n.Type() {
	case "string":
		if s, ok := pyast.StringValue(n); ok {
			return fmt.Sprintf("%q", s), true
		}
	case "integer", "true", "false":
		return n.Text(), true
	case "unary_operator":
		if arg := n.ChildByField("argument"); arg.Type() == "integer" {
			return n.Text(), true
		}
	case "identifier":
		if v := classConstant(cls, n.Text()); !v.IsNil() {
			return literalValue(root, cls, v, classes, depth+1)
		}
		if v := moduleConstant(root, n.Text()); !v.IsNil() {
			return literalValue(root, cls, v, classes, depth+1)
		}
	case "attribute":
		if c, ok := classes[pyast.Dotted(n.ChildByField("object"))]; ok {
			if v := classConstant(c, n.ChildByField("attribute").Text()); !v.IsNil() {
				v = pyast.Unparen(v)
				if v.Is("tuple", "expression_list") && v.NamedChildCount() > 0 {
					v = v.NamedChildren()[0]
				}
				return literalValue(root, c, v, classes, depth+1)
			}
		}
	}
	return "", false
}

// classConstant returns the value of the one assignment to name in a
// class body, or the zero Node.
func classConstant(cls pyast.Node, name string) pyast.Node {
	if cls.IsNil() {
		return pyast.Node{}
	}
	return moduleConstant(pyast.Body(cls), name)
}

// fieldCalls yields the fields a class body declares with a call to a
// `...Field(...)` class: `status = models.CharField(...)`, by name.
func fieldCalls(cls pyast.Node) iter.Seq2[string, pyast.Call] {
	return func(yield func(string, pyast.Call) bool) {
		for st := range pyast.EachStatement(pyast.Body(cls)) {
			a := st.NamedChild(0)
			if st.Type() != "expression_statement" || a.Type() != "assignment" || a.ChildByField("left").Type() != "identifier" {
				continue
			}
			c, ok := pyast.AsCall(a.ChildByField("right"))
			if !ok || !strings.HasSuffix(pyast.Dotted(c.Func), "Field") {
				continue
			}
			if !yield(a.ChildByField("left").Text(), c) {
				return
			}
		}
	}
}
