package bugs

import (
	_ "embed"
	"fmt"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed trailingtuple.md
var trailingTupleDoc string

// TrailingCommaTuple reports a local assigned a call's result followed by a
// stray comma (`sender = get_user(pk),`): the comma makes a one-element
// tuple, and the code then uses the name as the object itself.
var TrailingCommaTuple = &analyzer.Rule{
	Code:       "BUG078",
	Name:       "trailing-comma-tuple",
	Doc:        trailingTupleDoc,
	Category:   analyzer.Correctness,
	Severity:   analyzer.Error,
	Confidence: analyzer.High,
	Since:      "0.31.0",
	Skip:       semantic.Test | semantic.Migration,
	Requires:   []project.Analysis{semantic.Project},
	Run:        runTrailingCommaTuple,
}

// tupleMethods are the attributes a tuple has.
var tupleMethods = map[string]bool{"count": true, "index": true}

// runTrailingCommaTuple matches, in each function, `name = call(...),`
// (the right side a bare one-element expression list: a trailing comma, no
// parentheses) where the function binds name nowhere else, then a later
// use of name as the object: an attribute other than a tuple's
// (`name.balance`), or an argument to a project function whose parameter
// the callee reads an attribute of. A name also used as a sequence
// (subscripted, iterated, unpacked, starred, measured with len, returned
// or yielded) is left alone: the tuple may be meant.
func runTrailingCommaTuple(p *analyzer.Pass) error {
	if pyast.CountOf(p.Root, "expression_list") == 0 {
		return nil
	}
	f := semantic.Of(p.Project).File(p.Unit)
	for def := range pyast.FindEach(p.Root, "function_definition") {
		body := pyast.Body(def)
		for st := range pyast.FindEach(body, "expression_statement") {
			if !pyast.EnclosingFunction(st).Equal(def) {
				continue
			}
			a := st.NamedChild(0)
			if a.Type() != "assignment" || !a.ChildByField("type").IsNil() {
				continue
			}
			left, right := a.ChildByField("left"), a.ChildByField("right")
			if left.Type() != "identifier" || right.Type() != "expression_list" || right.NamedChildCount() != 1 ||
				right.NamedChild(0).Type() != "call" {
				continue
			}
			name := left.Text()
			use, how := objectUseOfTuple(f, def, name, a)
			if use.IsNil() {
				continue
			}
			p.Report(analyzer.Diagnostic{
				Range: analyzer.RangeOf(a),
				Message: fmt.Sprintf("`%s` ends with a comma: `%s` is a one-element tuple holding the result, not the result, and %s: an AttributeError when it runs",
					pyast.OneLine(a, 60), name, how),
				Help:    "remove the trailing comma (write `(x,)` when a one-element tuple is meant)",
				Related: []analyzer.Related{{Range: analyzer.RangeOf(use), Message: "used as the object here"}},
			})
		}
	}
	return nil
}

// objectUseOfTuple returns the first use of name after the assignment a in
// def that treats it as the object (and says how), or the zero Node when
// the function binds name again or uses it as a sequence anywhere.
func objectUseOfTuple(f *semantic.File, def pyast.Node, name string, a pyast.Node) (pyast.Node, string) {
	var first pyast.Node
	how := ""
	for id := range pyast.FindEach(pyast.Body(def), "identifier") {
		if id.Text() != name || id.Equal(a.ChildByField("left")) || !pyast.EnclosingFunction(id).Equal(def) {
			continue
		}
		par := id.Parent()
		if par.Type() == "attribute" && par.ChildByField("attribute").Equal(id) ||
			par.Type() == "keyword_argument" && par.ChildByField("name").Equal(id) {
			continue // `obj.name`, `f(name=...)`: another name
		}
		switch par.Type() {
		case "attribute":
			if par.ChildByField("object").Equal(id) {
				attr := par.ChildByField("attribute").Text()
				if tupleMethods[attr] {
					return pyast.Node{}, ""
				}
				if first.IsNil() && id.StartByte() > a.EndByte() {
					first, how = par, fmt.Sprintf("`%s` reads an attribute of it", pyast.OneLine(par, 40))
				}
				continue
			}
		case "subscript", "list_splat", "dictionary_splat", "return_statement", "yield", "for_statement",
			"for_in_clause", "pattern_list", "tuple_pattern", "list_pattern", "augmented_assignment",
			"binary_operator", "comparison_operator", "boolean_operator", "not_operator":
			return pyast.Node{}, ""
		case "assignment":
			if par.ChildByField("right").Equal(id) {
				return pyast.Node{}, "" // aliased: followed nowhere
			}
			return pyast.Node{}, "" // bound again
		case "argument_list", "keyword_argument":
			call := par.Parent()
			if par.Type() == "keyword_argument" {
				call = call.Parent()
			}
			c, ok := pyast.AsCall(call)
			if !ok {
				return pyast.Node{}, ""
			}
			if fn := pyast.Dotted(c.Func); fn == "len" || fn == "list" || fn == "tuple" || fn == "set" || fn == "sorted" || fn == "zip" || fn == "enumerate" || fn == "iter" {
				return pyast.Node{}, ""
			}
			if first.IsNil() && id.StartByte() > a.EndByte() {
				if param, attr := paramReadAsObject(f, call, c, par, id); attr != "" {
					first, how = call, fmt.Sprintf("`%s` receives it as `%s` and reads `%s.%s`", pyast.OneLine(c.Func, 40), param, param, attr)
				}
			}
			continue
		}
		if par.Type() != "attribute" && par.Type() != "expression_statement" && par.Type() != "parenthesized_expression" {
			// Any other use (an element of a literal, a condition, ...):
			// unknown, leave it.
			return pyast.Node{}, ""
		}
	}
	return first, how
}

// paramReadAsObject returns the parameter of the project function call
// names that receives id, and an attribute the callee reads of that
// parameter (other than a tuple's), or "" when there is none.
func paramReadAsObject(f *semantic.File, callNode pyast.Node, c pyast.Call, par, id pyast.Node) (string, string) {
	g, _ := f.Callee(callNode)
	if g == nil {
		return "", ""
	}
	params := pyast.ParamNames(g.Node)
	if len(params) > 0 && g.Class != nil && (params[0] == "self" || params[0] == "cls") {
		params = params[1:]
	}
	param := ""
	if par.Type() == "keyword_argument" {
		param = par.ChildByField("name").Text()
	} else {
		for i, arg := range c.Positional {
			if arg.Equal(id) && i < len(params) {
				param = params[i]
			}
		}
	}
	if param == "" {
		return "", ""
	}
	for at := range pyast.FindEach(pyast.Body(g.Node), "attribute") {
		obj := at.ChildByField("object")
		if obj.Type() == "identifier" && obj.Text() == param {
			if attr := at.ChildByField("attribute").Text(); !tupleMethods[attr] {
				return param, attr
			}
		}
	}
	return param, ""
}
