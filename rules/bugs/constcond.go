package bugs

import (
	_ "embed"
	"fmt"
	"strconv"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed constcond.md
var constCondDoc string

// ConstantCondition reports an if/else on a local the function binds once,
// to a literal: the test is decided when the code is written, so one branch
// never runs.
var ConstantCondition = &analyzer.Rule{
	Code:       "BUG059",
	Name:       "constant-condition",
	Doc:        constCondDoc,
	Category:   analyzer.Correctness,
	Severity:   analyzer.Warning,
	Confidence: analyzer.High,
	Since:      "0.23.0",
	Skip:       semantic.Test | semantic.Migration | semantic.Script,
	Run:        runConstantCondition,
}

// runConstantCondition matches, in each function, a local assigned a
// literal (a string, a number, True, False or None) by a statement whose
// block holds the test after it, bound nowhere else in the function (no other
// assignment, loop, with, except, walrus, import, parameter, global or
// nonlocal, nor in a nested function), then tested by an `if` that has an
// `else` or `elif`: `if name:`, `if not name:`, or `name` compared with a
// literal by ==, !=, is or is not. One of the two branches never runs.
// Conditions joined with and/or, comparisons of other kinds and ifs
// without an alternative are left alone.
func runConstantCondition(p *analyzer.Pass) error {
	for def := range pyast.FindEach(p.Root, "function_definition") {
		body := pyast.Body(def)
		consts := map[string]pyast.Node{} // name -> its literal
		scope := map[string]pyast.Node{}  // name -> the block its assignment sits in
		at := map[string]int{}
		for st := range pyast.FindEach(body, "expression_statement") {
			if !pyast.EnclosingFunction(st).Equal(def) {
				continue
			}
			a := st.NamedChild(0)
			if a.Type() != "assignment" || !a.ChildByField("type").IsNil() {
				continue
			}
			left, right := a.ChildByField("left"), pyast.Unparen(a.ChildByField("right"))
			if left.Type() != "identifier" || !plainLiteral(right) {
				continue
			}
			consts[left.Text()] = right
			scope[left.Text()] = st.Parent()
			at[left.Text()] = a.EndByte()
		}
		if len(consts) == 0 {
			continue
		}
		for name := range consts {
			if localBindings(def, name) != 1 {
				delete(consts, name)
			}
		}
		for ifs := range pyast.FindEach(body, "if_statement") {
			if !pyast.EnclosingFunction(ifs).Equal(def) || !hasAlternative(ifs) {
				continue
			}
			cond := pyast.Unparen(ifs.ChildByField("condition"))
			name, holds, ok := decide(cond, consts)
			if !ok || ifs.StartByte() < at[name] || !scope[name].Contains(ifs) {
				continue // the assignment must run before the test on every path
			}
			branch := "the `if` branch"
			if holds {
				branch = "the `" + alternativeWord(ifs) + "` branch"
			}
			verdict := "never holds"
			if holds {
				verdict = "always holds"
			}
			p.Report(analyzer.Diagnostic{
				Range: analyzer.RangeOf(cond),
				Message: fmt.Sprintf("`%s` is only ever the literal `%s`, so `%s` %s and %s never runs",
					name, consts[name].Text(), cond.Text(), verdict, branch),
				Help: "remove the hard-coded value (a test or debugging override?) and compute it, or read it from settings or the caller",
			})
		}
	}
	return nil
}

// plainLiteral reports a string without interpolation, a number, True,
// False or None.
func plainLiteral(n pyast.Node) bool {
	switch n.Type() {
	case "string":
		for k := range n.Named() {
			if k.Type() == "interpolation" {
				return false
			}
		}
		_, ok := pyast.StringValue(n)
		return ok
	case "integer", "float", "true", "false", "none":
		return true
	}
	return false
}

// localBindings counts the places that bind name in def, nested functions,
// lambdas and classes included (any of them makes the value unknown):
// assignment targets, loop and comprehension targets, with/except aliases,
// walrus, imports, parameters, global, nonlocal and del.
func localBindings(def pyast.Node, name string) int {
	n := 0
	count := func(target pyast.Node) {
		if target.IsNil() {
			return
		}
		if target.Type() == "identifier" {
			if target.Text() == name {
				n++
			}
			return
		}
		for id := range pyast.FindEach(target, "identifier") {
			if id.Text() == name && id.Parent().Type() != "attribute" && id.Parent().Type() != "subscript" {
				n++
			}
		}
	}
	for a := range pyast.FindEach(def, "assignment", "augmented_assignment", "for_statement", "for_in_clause",
		"as_pattern", "named_expression", "parameters", "lambda_parameters", "global_statement", "nonlocal_statement",
		"import_statement", "import_from_statement", "delete_statement", "function_definition", "class_definition") {
		switch a.Type() {
		case "assignment", "augmented_assignment", "for_statement", "for_in_clause":
			count(a.ChildByField("left"))
		case "as_pattern":
			count(a.ChildByField("alias"))
		case "named_expression":
			count(a.ChildByField("name"))
		case "function_definition", "class_definition":
			if !a.Equal(def) {
				count(a.ChildByField("name"))
			}
		default:
			count(a)
		}
	}
	return n
}

// hasAlternative reports an if statement with an elif or else clause.
func hasAlternative(ifs pyast.Node) bool {
	for k := range ifs.Named() {
		if k.Type() == "else_clause" || k.Type() == "elif_clause" {
			return true
		}
	}
	return false
}

// alternativeWord names the first alternative clause: "elif" or "else".
func alternativeWord(ifs pyast.Node) string {
	for k := range ifs.Named() {
		if k.Type() == "elif_clause" {
			return "elif"
		}
		if k.Type() == "else_clause" {
			return "else"
		}
	}
	return "else"
}

// decide evaluates a condition over one constant local: its truth, its
// negation, or its comparison with a literal by ==, !=, is, is not.
func decide(cond pyast.Node, consts map[string]pyast.Node) (name string, holds, ok bool) {
	switch cond.Type() {
	case "identifier":
		v, known := consts[cond.Text()]
		if !known {
			return "", false, false
		}
		t, ok := truth(v)
		return cond.Text(), t, ok
	case "not_operator":
		arg := pyast.Unparen(cond.ChildByField("argument"))
		if arg.Type() != "identifier" {
			return "", false, false
		}
		v, known := consts[arg.Text()]
		if !known {
			return "", false, false
		}
		t, ok := truth(v)
		return arg.Text(), !t, ok
	case "comparison_operator":
		kids := cond.NamedChildren()
		if len(kids) != 2 {
			return "", false, false
		}
		op := ""
		for k := cond.FirstChild(); !k.IsNil(); k = k.NextSibling() {
			if !k.IsNamed() {
				if op != "" {
					op += " "
				}
				op += k.Type()
			}
		}
		l, r := pyast.Unparen(kids[0]), pyast.Unparen(kids[1])
		if r.Type() == "identifier" && l.Type() != "identifier" {
			l, r = r, l
		}
		v, known := consts[l.Text()]
		if l.Type() != "identifier" || !known || !plainLiteral(r) {
			return "", false, false
		}
		eq, ok := sameLiteral(v, r)
		if !ok {
			return "", false, false
		}
		switch op {
		case "==":
			return l.Text(), eq, true
		case "!=":
			return l.Text(), !eq, true
		case "is":
			if isSingleton(r) {
				return l.Text(), eq, true
			}
		case "is not":
			if isSingleton(r) {
				return l.Text(), !eq, true
			}
		}
	}
	return "", false, false
}

func isSingleton(n pyast.Node) bool {
	return n.Type() == "none" || n.Type() == "true" || n.Type() == "false"
}

// truth is Python's truth of a literal.
func truth(v pyast.Node) (bool, bool) {
	switch v.Type() {
	case "string":
		s, ok := pyast.StringValue(v)
		return s != "", ok
	case "integer":
		i, err := strconv.ParseInt(v.Text(), 0, 64)
		return i != 0, err == nil
	case "float":
		f, err := strconv.ParseFloat(v.Text(), 64)
		return f != 0, err == nil
	case "true":
		return true, true
	case "false", "none":
		return false, true
	}
	return false, false
}

// sameLiteral compares two literals of kinds rubric can compare exactly:
// strings with strings, integers with integers, singletons with
// singletons (and anything with None).
func sameLiteral(a, b pyast.Node) (bool, bool) {
	switch {
	case a.Type() == "string" && b.Type() == "string":
		x, ok1 := pyast.StringValue(a)
		y, ok2 := pyast.StringValue(b)
		return x == y, ok1 && ok2
	case a.Type() == "integer" && b.Type() == "integer":
		x, e1 := strconv.ParseInt(a.Text(), 0, 64)
		y, e2 := strconv.ParseInt(b.Text(), 0, 64)
		return x == y, e1 == nil && e2 == nil
	case isSingleton(a) && isSingleton(b):
		return a.Type() == b.Type(), true
	case b.Type() == "none" || a.Type() == "none":
		return false, true
	}
	return false, false
}
