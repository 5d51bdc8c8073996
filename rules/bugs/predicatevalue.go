package bugs

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed predicatevalue.md
var predicateValueDoc string

// PredicateAsValue reports a value-named variable assigned a predicate's
// True/False and then passed on as data.
var PredicateAsValue = &analyzer.Rule{
	Code:       "BUG024",
	Name:       "predicate-result-as-value",
	Doc:        predicateValueDoc,
	Category:   analyzer.Correctness,
	Severity:   analyzer.Error,
	Confidence: analyzer.Medium,
	Since:      "0.3.0",
	Skip:       semantic.Test | semantic.Migration,
	Requires:   requires,
	Run:        runPredicateAsValue,
}

// boolNameParts mark a variable meant to hold a truth value.
var boolNameParts = []string{"is_", "has_", "can_", "should_", "valid", "ok", "flag", "success", "succeeded", "result",
	"found", "exists", "allowed", "enabled", "check", "passed", "match", "status", "verified", "res", "ret",
	// options: `current_user_permissions_only`, `include_deleted`, `dry_run`
	"_only", "include_", "show_", "use_", "with_", "skip_", "force", "dry_run"}

// runPredicateAsValue matches `x = pred(...)` inside a function, where
// pred is a plain project function whose every return returns True or
// False (literally), an argument of the call reads a value under x's own
// name (`data.get("x")`, `form.x`, `x`), x's name does not read as a
// truth value (no is_, has_, valid, ok, result...), x is bound only
// there, and x is later
// passed as an argument to a call other than bool(), print() or a
// logger: the callee receives True where it expects the value the name
// promises (a reference, an id, an amount).
func runPredicateAsValue(p *analyzer.Pass) error {
	f := semantic.Of(p.Project).File(p.Unit)
	for a := range pyast.FindEach(p.Root, "assignment") {
		left := a.ChildByField("left")
		right := pyast.Unparen(a.ChildByField("right"))
		if left.Type() != "identifier" || right.Type() != "call" || pyast.EnclosingFunction(a).IsNil() {
			continue
		}
		name := left.Text()
		if boolName(name) || f.BindingCount(a, name) != 1 {
			continue
		}
		if !argNames(right, name) {
			continue
		}
		fn, _ := f.Callee(right)
		if fn == nil || fn.Class != nil || !onlyBoolReturns(fn) || strings.Contains(strings.ToLower(fn.Name), "bool") {
			continue // strtobool, to_bool: converting to a boolean is the point
		}
		use := valueUse(a, name)
		if use.IsNil() {
			continue
		}
		useCall := pyast.Ancestor(use, "call")
		p.Report(analyzer.Diagnostic{
			Range: analyzer.RangeOf(a),
			Message: fmt.Sprintf("`%s` is set to `%s(...)`, which only returns True or False, then passed on as data (line %d, `%s`): the callee gets a boolean, not the %s",
				name, fn.Name, p.File.Position(use.StartByte()).Line, pyast.OneLine(useCall.ChildByField("function"), 40), strings.ReplaceAll(name, "_", " ")),
			Help: fmt.Sprintf("keep the value and test it apart: `if not %s(value): ...` then use `value`", fn.Name),
		})
	}
	return nil
}

// argNames reports whether an argument of the call reads a value under
// the variable's own name (`reference_id = check(data["reference_id"])`,
// `amount = valid(form.amount)`): the variable was meant to hold it.
func argNames(call pyast.Node, name string) bool {
	args := call.ChildByField("arguments")
	for n := range pyast.FindEach(args, "identifier", "string") {
		if n.Type() == "string" {
			if v, ok := pyast.StringValue(n); ok && v == name {
				return true
			}
			continue
		}
		if n.Text() == name {
			return true
		}
	}
	return false
}

// boolName reports a name that reads as a truth value.
func boolName(name string) bool {
	l := strings.ToLower(name)
	for _, part := range boolNameParts {
		if strings.Contains(l, part) {
			return true
		}
	}
	return len(l) <= 2
}

// onlyBoolReturns reports a plain, undecorated function with at least one
// return whose every return is a True or False literal.
func onlyBoolReturns(fn *semantic.Func) bool {
	n := fn.Node
	if n.Type() != "function_definition" || n.Parent().Type() == "decorated_definition" {
		return false
	}
	rets := pyast.FindAllShallow(pyast.Body(n), "return_statement")
	if len(rets) == 0 || len(pyast.FindAllShallow(pyast.Body(n), "yield")) > 0 {
		return false
	}
	for _, r := range rets {
		v := pyast.Unparen(r.NamedChild(0))
		if v.Type() != "true" && v.Type() != "false" {
			return false
		}
	}
	return endReachable(pyast.Body(n)) == false
}

// valueUse returns the first read of name after a that is an argument of
// a call (positional or keyword value), other than bool(), print(), len()
// or a logging call, or the zero Node.
func valueUse(a pyast.Node, name string) pyast.Node {
	def := pyast.EnclosingFunction(a)
	for id := range pyast.FindEach(pyast.Body(def), "identifier") {
		if id.Text() != name || id.StartByte() < a.EndByte() {
			continue
		}
		par := id.Parent()
		if par.Type() == "keyword_argument" && par.ChildByField("value").Equal(id) {
			par = par.Parent()
		}
		if par.Type() != "argument_list" {
			continue
		}
		call := par.Parent()
		c, ok := pyast.AsCall(call)
		if !ok {
			continue
		}
		fname := pyast.Dotted(c.Func)
		switch {
		case fname == "bool" || fname == "print" || fname == "len" || fname == "str" || fname == "isinstance":
			continue
		case strings.Contains(fname, "log") || strings.HasPrefix(fname, "assert"):
			continue
		}
		return id
	}
	return pyast.Node{}
}
