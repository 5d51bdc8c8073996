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

//go:embed serializerattr.md
var serializerAttrDoc string

// SerializerFieldAsAttribute reports `self.NAME` in a DRF serializer whose
// class body declares NAME as a field: DRF's SerializerMetaclass pops
// declared fields off the class into `_declared_fields`, so the attribute
// does not exist and the read raises AttributeError.
var SerializerFieldAsAttribute = &analyzer.Rule{
	Code:              "BUG033",
	Name:              "serializer-field-read-as-attribute",
	Doc:               serializerAttrDoc,
	Category:          analyzer.Correctness,
	Severity:          analyzer.Error,
	Confidence:        analyzer.High,
	Since:             "0.10.0",
	Stack:             project.Django,
	SkipOnSyntaxError: true,
	Skip:              semantic.Migration,
	Run:               runSerializerFieldAsAttribute,
}

// drfSerializerBases are the DRF classes whose metaclass moves declared
// fields off the class.
var drfSerializerBases = map[string]bool{
	"rest_framework.serializers.Serializer": true, "rest_framework.serializers.ModelSerializer": true,
	"rest_framework.serializers.HyperlinkedModelSerializer": true,
}

// serializerAttrs are names a serializer instance has whatever its fields
// (BaseSerializer's and Field's attributes): a field declared under one of
// them still leaves the attribute readable.
var serializerAttrs = map[string]bool{"data": true, "errors": true, "validated_data": true, "initial_data": true,
	"instance": true, "context": true, "fields": true, "partial": true, "many": true, "parent": true, "root": true,
	"source": true, "field_name": true, "label": true, "help_text": true, "required": true, "read_only": true,
	"write_only": true, "default": true, "initial": true, "style": true, "allow_null": true, "validators": true,
	"error_messages": true, "url": true, "Meta": true}

func runSerializerFieldAsAttribute(p *analyzer.Pass) error {
	for cls := range pyast.FindEach(p.Root, "class_definition") {
		drf := false
		for b := range cls.ChildByField("superclasses").Named() {
			if q, ok := p.Imports.Resolve(b); ok && drfSerializerBases[q] {
				drf = true
			}
		}
		if !drf {
			continue
		}
		declared := map[string]bool{}
		bound := map[string]bool{}
		for s := range pyast.EachStatement(pyast.Body(cls)) {
			switch s.Type() {
			case "expression_statement":
				a := s.NamedChild(0)
				if a.Type() != "assignment" || a.ChildByField("left").Type() != "identifier" {
					continue
				}
				name := a.ChildByField("left").Text()
				if declaredField(p, a.ChildByField("right")) {
					declared[name] = true
				} else {
					bound[name] = true
				}
			case "function_definition", "decorated_definition", "class_definition":
				bound[pyast.DefName(s)] = true
			}
		}
		// Names the class sets on self anywhere, or reads guarded by
		// hasattr/getattr: left alone.
		for a := range pyast.FindEach(pyast.Body(cls), "assignment", "augmented_assignment") {
			for t := range pyast.FindEach(a.ChildByField("left"), "attribute") {
				if t.ChildByField("object").Text() == "self" {
					bound[t.ChildByField("attribute").Text()] = true
				}
			}
		}
		for c := range pyast.FindEach(pyast.Body(cls), "call") {
			switch string(pyast.CalleeName(c)) {
			case "hasattr", "getattr", "setattr":
				if call, ok := pyast.AsCall(c); ok && len(call.Positional) > 1 {
					if v, ok := pyast.StringValue(call.Positional[1]); ok {
						bound[v] = true
					}
				}
			}
		}
		reported := map[string]bool{}
		for at := range pyast.FindEach(pyast.Body(cls), "attribute") {
			obj := at.ChildByField("object")
			name := at.ChildByField("attribute").Text()
			if obj.Type() != "identifier" || obj.Text() != "self" || !declared[name] || bound[name] || serializerAttrs[name] || reported[name] {
				continue
			}
			if fn := enclosingDef(at, cls); fn.IsNil() {
				continue // not in a method of this class
			}
			reported[name] = true
			p.Report(analyzer.Diagnostic{
				Range: analyzer.RangeOf(at),
				Message: fmt.Sprintf("`self.%s` reads a field `%s` declares, but DRF's serializer metaclass moves declared fields off the class (into `_declared_fields`): the attribute does not exist and this line raises `AttributeError`",
					name, pyast.DefName(cls)),
				Help: fmt.Sprintf("read the value being validated (the method's argument, or `attrs[%q]` in `validate`), `self.initial_data.get(%q)` for the raw input, or `self.fields[%q]` for the field itself", name, name, name),
			})
		}
	}
	return nil
}

// declaredField reports a class-body value that is a DRF field or a
// nested serializer: a call of a class from rest_framework, or of one
// whose name ends in Field or Serializer.
func declaredField(p *analyzer.Pass, v pyast.Node) bool {
	c, ok := pyast.AsCall(pyast.Unparen(v))
	if !ok {
		return false
	}
	if q, ok := p.Imports.Resolve(c.Func); ok && strings.HasPrefix(q, "rest_framework.") {
		last := q[strings.LastIndex(q, ".")+1:]
		return strings.HasSuffix(last, "Field") || strings.HasSuffix(last, "Serializer")
	}
	return false
}

// enclosingDef returns the function of cls's body holding n, or a nil
// node when n is not in a method of cls (a nested class's method is not).
func enclosingDef(n, cls pyast.Node) pyast.Node {
	var fn pyast.Node
	for cur := n.Parent(); !cur.IsNil() && !cur.Equal(cls); cur = cur.Parent() {
		switch cur.Type() {
		case "function_definition":
			fn = cur
		case "class_definition":
			return pyast.Node{}
		}
	}
	return fn
}
