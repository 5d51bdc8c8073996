package bugs

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed validatedattr.md
var validatedAttrDoc string

// ValidatedDataReadAsAttribute reports `attrs.product` in a DRF
// serializer's validate(), create() or update(): what DRF hands them is
// the validated data, a dict, so the attribute read raises AttributeError.
var ValidatedDataReadAsAttribute = &analyzer.Rule{
	Code:              "BUG060",
	Name:              "validated-data-read-as-attribute",
	Doc:               validatedAttrDoc,
	Category:          analyzer.Correctness,
	Severity:          analyzer.Error,
	Confidence:        analyzer.High,
	Since:             "0.23.0",
	Stack:             project.Django,
	SkipOnSyntaxError: true,
	Skip:              semantic.Test | semantic.Migration,
	Requires:          requires,
	Run:               runValidatedDataReadAsAttribute,
}

// drfDictSerializers are the DRF serializer classes whose validate(),
// create() and update() receive the validated data as a dict (an
// OrderedDict, a plain dict since DRF 3.14).
var drfDictSerializers = []string{"rest_framework.serializers.Serializer", "rest_framework.serializers.ModelSerializer",
	"rest_framework.serializers.HyperlinkedModelSerializer"}

// dataParam is, per method DRF calls with the validated data, the
// position of that parameter (self included).
var dataParam = map[string]int{"validate": 1, "create": 1, "update": 2}

// dictAttrs are the attributes a dict (and an OrderedDict) has.
var dictAttrs = map[string]bool{"get": true, "items": true, "keys": true, "values": true, "pop": true, "popitem": true,
	"update": true, "copy": true, "setdefault": true, "clear": true, "fromkeys": true, "move_to_end": true}

// runValidatedDataReadAsAttribute reads the methods validate(self, attrs),
// create(self, validated_data) and update(self, instance, validated_data)
// of classes deriving from DRF's Serializer or ModelSerializer, and reports
// an attribute read on the data parameter that a dict does not have, and
// one on the items of a nested serializer declared with many=True
// (`for detail in validated_data.pop("details")`: each item is a dict
// too). Left alone: a serializer (or a project base) overriding
// to_internal_value() or run_validation(), which may hand over anything; a
// method that rebinds the parameter, or tests its type (isinstance,
// hasattr, getattr); dunder and private names.
func runValidatedDataReadAsAttribute(p *analyzer.Pass) error {
	sf := semantic.Of(p.Project).File(p.Unit)
	if sf == nil {
		return nil
	}
	for cn := range pyast.FindEach(p.Root, "class_definition") {
		cls := sf.ClassOfDef(cn)
		if cls == nil || !cls.DerivesFrom(drfDictSerializers...) || cls.Method("to_internal_value") != nil ||
			cls.Method("run_validation") != nil {
			continue
		}
		nested := nestedManyKeys(p, cls)
		for name, pos := range sortedDataParams() {
			fn := cls.Methods[name]
			if fn == nil || fn.Static || fn.ClassMethod || fn.Property || len(fn.Params) <= pos {
				continue
			}
			param := fn.Params[pos]
			body := pyast.Body(fn.Node)
			if rebound(body, param) || typeTested(body, param) {
				continue
			}
			if at := dictAttrRead(body, param); !at.IsNil() {
				reportValidatedAttr(p, at, param, name, "")
				continue
			}
			// Items of a nested many=True serializer's list.
			for loop := range pyast.FindEachShallow(body, "for_statement") {
				left := loop.ChildByField("left")
				if left.Type() != "identifier" {
					continue
				}
				key, ok := nestedListOf(sf, loop.ChildByField("right"), param, nested)
				if !ok {
					continue
				}
				item := left.Text()
				lb := pyast.Body(loop)
				if rebound(lb, item) || typeTested(lb, item) {
					continue
				}
				if at := dictAttrRead(lb, item); !at.IsNil() {
					reportValidatedAttr(p, at, item, name, key)
					break
				}
			}
		}
	}
	return nil
}

// sortedDataParams yields dataParam in a fixed order.
func sortedDataParams() func(yield func(string, int) bool) {
	return func(yield func(string, int) bool) {
		for _, name := range []string{"create", "update", "validate"} {
			if !yield(name, dataParam[name]) {
				return
			}
		}
	}
}

func reportValidatedAttr(p *analyzer.Pass, at pyast.Node, name, method, key string) {
	attr := at.ChildByField("attribute").Text()
	what := fmt.Sprintf("`%s` is the validated data DRF passes to `%s()`, a dict", name, method)
	if key != "" {
		what = fmt.Sprintf("`%s` is one item of the nested serializer's `%s` list in the validated data, a dict", name, key)
	}
	p.Report(analyzer.Diagnostic{
		Range: analyzer.RangeOf(at),
		Message: fmt.Sprintf("`%s` reads an attribute, but %s: `%s` does not exist and this line raises `AttributeError` (a 500) on every request that reaches it",
			at.Text(), what, attr),
		Help: fmt.Sprintf("read it by key: `%s[%q]` (or `%s.get(%q)`)", name, attr, name, attr),
	})
}

// dictAttrRead returns the first read `name.attr` in body (nested
// functions aside) whose attr a dict does not have.
func dictAttrRead(body pyast.Node, name string) pyast.Node {
	for at := range pyast.FindEachShallow(body, "attribute") {
		obj := at.ChildByField("object")
		if obj.Type() != "identifier" || obj.Text() != name {
			continue
		}
		attr := at.ChildByField("attribute").Text()
		if dictAttrs[attr] || strings.HasPrefix(attr, "_") {
			continue
		}
		return at
	}
	return pyast.Node{}
}

// rebound reports an assignment to name in body: a plain, augmented or
// unpacking assignment, a for target, a walrus or an `as` alias.
func rebound(body pyast.Node, name string) bool {
	for n := range pyast.FindEachShallow(body, "assignment", "augmented_assignment", "for_statement", "named_expression",
		"as_pattern", "for_in_clause") {
		var target pyast.Node
		switch n.Type() {
		case "named_expression":
			target = n.ChildByField("name")
		case "as_pattern":
			target = n.ChildByField("alias")
		default:
			target = n.ChildByField("left")
		}
		for id := range pyast.FindEach(target, "identifier") {
			if id.Text() == name && !id.Parent().Is("attribute", "subscript") {
				return true
			}
		}
	}
	return false
}

// typeTested reports isinstance(name, ...), hasattr(name, ...),
// getattr(name, ...) or type(name) in body: the code expects something
// else than a dict there.
func typeTested(body pyast.Node, name string) bool {
	for c := range pyast.FindEachShallow(body, "call") {
		switch string(pyast.CalleeName(c)) {
		case "isinstance", "hasattr", "getattr", "type":
			call, ok := pyast.AsCall(c)
			if ok && len(call.Positional) > 0 && pyast.Dotted(pyast.Unparen(call.Positional[0])) == name {
				return true
			}
		}
	}
	return false
}

// nestedManyKeys returns the keys of the validated data that hold a list
// of dicts: fields of cls's body declared as a serializer with many=True
// (`details = DetailSerializer(many=True)`), under their source when it is
// a plain name.
func nestedManyKeys(p *analyzer.Pass, cls *semantic.Class) map[string]bool {
	out := map[string]bool{}
	for name, v := range cls.Attrs {
		c, ok := pyast.AsCall(pyast.Unparen(v))
		if !ok {
			continue
		}
		many := c.Keyword("many")
		if many.IsNil() || many.Text() != "True" {
			continue
		}
		callee := pyast.Dotted(c.Func)
		if !strings.HasSuffix(callee, "Serializer") {
			continue
		}
		if q, ok := p.Imports.Resolve(c.Func); ok && strings.HasPrefix(q, "rest_framework.") {
			continue // ListSerializer and the like: not a nested serializer class
		}
		if ro := c.Keyword("read_only"); !ro.IsNil() && ro.Text() == "True" {
			continue // not in the validated data
		}
		key := name
		if src := c.Keyword("source"); !src.IsNil() {
			s, ok := pyast.StringValue(src)
			if !ok || strings.Contains(s, ".") || s == "*" {
				continue
			}
			key = s
		}
		out[key] = true
	}
	return out
}

// nestedListOf reports an expression reading a nested many=True key of
// the validated data param: `param["k"]`, `param.get("k", ...)`,
// `param.pop("k", ...)`, or a local bound once to one of these.
func nestedListOf(sf *semantic.File, e pyast.Node, param string, nested map[string]bool) (string, bool) {
	return nestedListDepth(sf, e, param, nested, 0)
}

func nestedListDepth(sf *semantic.File, e pyast.Node, param string, nested map[string]bool, depth int) (string, bool) {
	e = pyast.Unparen(e)
	switch e.Type() {
	case "subscript":
		if pyast.Dotted(e.ChildByField("value")) != param {
			return "", false
		}
		k, ok := pyast.StringValue(e.ChildByField("subscript"))
		return k, ok && nested[k]
	case "call":
		c, _ := pyast.AsCall(e)
		if (c.MethodName() != "get" && c.MethodName() != "pop") || c.Func.Type() != "attribute" ||
			pyast.Dotted(c.Receiver()) != param || len(c.Positional) == 0 {
			return "", false
		}
		k, ok := pyast.StringValue(c.Positional[0])
		return k, ok && nested[k]
	case "identifier":
		if depth > 0 {
			return "", false
		}
		b := sf.Binding(e, e.Text(), e.StartByte())
		if b.IsNil() {
			return "", false
		}
		return nestedListDepth(sf, b, param, nested, depth+1)
	}
	return "", false
}
