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

//go:embed nestedwrite.md
var nestedWriteDoc string

// NestedWriteWithoutMethod reports a ModelSerializer with a writable nested
// serializer field that the project saves for an operation (create or
// update) the class does not implement: DRF's ModelSerializer.create()
// and update() assert that no writable nested field is in the validated
// data, so every such request carrying the field is a 500.
var NestedWriteWithoutMethod = &analyzer.Rule{
	Code:              "BUG051",
	Name:              "nested-write-without-method",
	Doc:               nestedWriteDoc,
	Category:          analyzer.Correctness,
	Severity:          analyzer.Error,
	Confidence:        analyzer.High,
	Since:             "0.18.0",
	Stack:             project.Django,
	SkipOnSyntaxError: true,
	Skip:              semantic.Test | semantic.Migration,
	Requires:          requires,
	Run:               runNestedWriteWithoutMethod,
}

func runNestedWriteWithoutMethod(p *analyzer.Pass) error {
	sm := semantic.Of(p.Project)
	f := sm.File(p.Unit)
	if f == nil {
		return nil
	}
	for _, c := range f.Classes {
		mro, md, meta := drfModelSerializer(sm, c, func(*semantic.Class) bool { return false })
		if md == nil {
			continue
		}
		listed := metaFieldNames(meta)
		if listed == nil {
			continue
		}
		name, field := writableNested(sm, f, c, listed)
		if field.IsNil() {
			continue
		}
		for _, op := range []string{"update", "create"} {
			if definedIn(mro, op) {
				continue
			}
			where := nestedWriteSite(p, sm, c, op)
			if where == "" {
				continue
			}
			p.Report(analyzer.Diagnostic{
				Range: analyzer.RangeOf(field),
				Message: fmt.Sprintf("`%s` has a writable nested field `%s` and no `%s()` of its own: DRF's ModelSerializer.%s() refuses writable nested fields (AssertionError), so %s carrying `%s` is a 500",
					c.Name, name, op, op, where, name),
				Help: fmt.Sprintf("write `%s()` to save the nested rows (pop `%s` from validated_data, save the %s, then its items), or declare the field `read_only=True`", op, name, md.Name),
			})
			break
		}
	}
	return nil
}

// metaFieldNames returns the names a Meta lists literally in `fields`; nil
// when it lists none that way (`"__all__"`, a computed list, `exclude`).
func metaFieldNames(meta pyast.Node) map[string]bool {
	for st := range pyast.EachStatement(pyast.Body(meta)) {
		a := st.NamedChild(0)
		if st.Type() != "expression_statement" || a.Type() != "assignment" || a.ChildByField("left").Text() != "fields" {
			continue
		}
		out := map[string]bool{}
		for _, e := range listItems(a.ChildByField("right")) {
			if name, ok := pyast.StringValue(e); ok {
				out[name] = true
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	}
	return nil
}

// writableNested returns the first field the class body declares as an
// instance of a project serializer class (`items = ItemSerializer(many=True)`),
// not read-only, whose source (its name, or `source=`) Meta.fields lists.
func writableNested(sm *semantic.Model, f *semantic.File, c *semantic.Class, listed map[string]bool) (string, pyast.Node) {
	for st := range pyast.EachStatement(pyast.Body(c.Node)) {
		a := st.NamedChild(0)
		if st.Type() != "expression_statement" || a.Type() != "assignment" || a.ChildByField("left").Type() != "identifier" {
			continue
		}
		call, ok := pyast.AsCall(pyast.Unparen(a.ChildByField("right")))
		if !ok {
			continue
		}
		if ro := call.Keyword("read_only"); !ro.IsNil() && ro.Type() != "false" {
			continue
		}
		nested := sm.ClassByName(f, call.Func)
		if nested == nil || sm.SerializerModel(nested) == nil && !strings.HasSuffix(nested.Name, "Serializer") || convertsInput(sm, nested) {
			continue
		}
		name := a.ChildByField("left").Text()
		source := name
		if src := call.Keyword("source"); !src.IsNil() {
			s, ok := pyast.StringValue(src)
			if !ok || strings.Contains(s, ".") || s == "*" {
				continue
			}
			source = s
		}
		if listed[name] && listed[source] {
			return name, a.ChildByField("left")
		}
	}
	return "", pyast.Node{}
}

// convertsInput reports a nested serializer whose validated value may not
// be the dict (or list of dicts) DRF's check refuses: the class or a
// project base defines to_internal_value (a nested serializer that
// resolves a primary key to a row, as netbox's `UserSerializer(nested=True)`
// does), or a base comes from a library rubric does not read.
func convertsInput(sm *semantic.Model, c *semantic.Class) bool {
	for _, cc := range append([]*semantic.Class{c}, c.Bases()...) {
		if cc.Methods["to_internal_value"] != nil {
			return true
		}
		for _, b := range cc.BaseNames() {
			if sm.LookupClass(b) == nil && !strings.HasPrefix(b, "rest_framework.") {
				return true
			}
		}
	}
	return false
}

// definedIn reports a method of the class or one of its project bases.
func definedIn(mro []*semantic.Class, name string) bool {
	for _, cc := range mro {
		if cc.Methods[name] != nil {
			return true
		}
	}
	return false
}

// nestedWriteSite says where the project saves c for op, or "": a
// function that builds it from client data and saves it (with an instance
// for update: `OrderSerializer(order, data=...)`, without for create), or
// a routed generic view whose DRF action (update/partial_update, create)
// saves it and which does not override that action.
func nestedWriteSite(p *analyzer.Pass, sm *semantic.Model, c *semantic.Class, op string) string {
	for _, b := range sm.SerializerBuilds(c) {
		call, ok := pyast.AsCall(b.Call)
		if !ok {
			continue
		}
		withInstance := len(call.Positional) > 0 || !call.Keyword("instance").IsNil()
		if withInstance != (op == "update") || !savesLocal(b) {
			continue
		}
		u := b.Func.File.Unit
		return fmt.Sprintf("each call of `%s` (%s:%d)", b.Func.Name, u.File.Rel, u.File.Position(b.Call.StartByte()).Line)
	}
	actions := map[string]bool{"create": op == "create", "update": op == "update", "partial_update": op == "update"}
	for _, e := range semantic.InventoryOf(p.Project).Endpoints {
		if e.Class == nil || !e.Routed || !actions[e.Action] || e.Class.Method(e.Action) != nil {
			continue
		}
		sers, known := sm.EndpointSerializers(e)
		if !known || len(sers) != 1 || sers[0] != c {
			continue
		}
		return fmt.Sprintf("a %s at `%s`", strings.Join(e.Methods, "/"), e.Route)
	}
	return ""
}

// savesLocal reports whether the build's function calls save() on the
// local the serializer is bound to.
func savesLocal(b semantic.SerializerBuild) bool {
	for call := range pyast.FindEach(pyast.Body(b.Func.Node), "call") {
		fn := call.ChildByField("function")
		if fn.Type() == "attribute" && fn.ChildByField("attribute").Text() == "save" && fn.ChildByField("object").Text() == b.Var {
			return true
		}
	}
	return false
}
