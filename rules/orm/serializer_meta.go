package orm

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

// metaAssign returns the right-hand side of `name = ...` in the Meta class
// of serializer class c (a node of the semantic model), or the zero Node.
func metaAssign(cls pyast.Node, name string) pyast.Node {
	for _, st := range pyast.Statements(pyast.Body(cls)) {
		if st.Type() != "class_definition" || st.ChildByField("name").Text() != "Meta" {
			continue
		}
		for _, a := range pyast.Statements(pyast.Body(st)) {
			e := a.NamedChild(0)
			if a.Type() == "expression_statement" && e.Type() == "assignment" && e.ChildByField("left").Text() == name {
				return e.ChildByField("right")
			}
		}
	}
	return pyast.Node{}
}

// metaFieldAt locates the string naming field in the Meta.fields of
// serializer s, for a related location: where a reviewer sees that the
// field is rendered. ok is false when it cannot be found.
func (t *Tracker) metaFieldAt(s *project.ClassFacts, field string) (path string, r analyzer.Range, ok bool) {
	sc := t.sm.LookupClass(s.Module + "." + s.Name)
	if sc == nil {
		return "", r, false
	}
	v := pyast.Unparen(metaAssign(sc.Node, "fields"))
	if !v.Is("list", "tuple") {
		return "", r, false
	}
	for x := range v.Named() {
		if str, isStr := pyast.StringValue(x); isStr && str == field {
			return s.Path, analyzer.RangeOf(x), true
		}
	}
	return "", r, false
}

// allFieldsManyToMany returns the many-to-many fields of model m that a
// ModelSerializer with `fields = "__all__"` (or only an `exclude`) renders:
// DRF lists each one's primary keys per row. at is the Meta assignment,
// for the related location.
func (t *Tracker) allFieldsManyToMany(s *project.ClassFacts, m *project.Model, declared map[string]bool) (names []string, at analyzer.Range, ok bool) {
	sc := t.sm.LookupClass(s.Module + "." + s.Name)
	if sc == nil || m == nil {
		return nil, at, false
	}
	fields := pyast.Unparen(metaAssign(sc.Node, "fields"))
	exclude := pyast.Unparen(metaAssign(sc.Node, "exclude"))
	var decl pyast.Node
	switch {
	case !fields.IsNil():
		if v, isStr := pyast.StringValue(fields); !isStr || v != "__all__" {
			return nil, at, false
		}
		decl = fields
	case !exclude.IsNil():
		decl = exclude
	default:
		return nil, at, false
	}
	if t.prunesManyFields(s) {
		return nil, at, false
	}
	skip := map[string]bool{}
	if !exclude.IsNil() {
		if !exclude.Is("list", "tuple") {
			return nil, at, false // computed: what stays is unknown
		}
		for x := range exclude.Named() {
			if v, isStr := pyast.StringValue(x); isStr {
				skip[v] = true
			}
		}
	}
	for _, f := range m.Fields {
		// django-taggit's managers are many-to-many in the model graph,
		// but DRF builds no field for them: the project declares one.
		if f.Kind != project.ManyToMany || f.Target == "taggit.models.Tag" || skip[f.Name] || declared[f.Name] {
			continue
		}
		names = append(names, f.Name)
	}
	return names, analyzer.RangeOf(decl.Parent()), len(names) > 0
}

// modelMethodNeeds is what a serializer field reads when the attribute it
// renders is a method or property of the model (`feedback_due` in
// Meta.fields, `DateTimeField(source="ended_at")`): DRF reads the
// attribute per row and calls it when it is a method, so the relations
// the method reads on self are read per row. Only methods DRF can call
// bare count: no argument but self, or defaults for all the others.
func (t *Tracker) modelMethodNeeds(m *project.Model, name string, prefix []string, inPrefetch bool, why string) []need {
	if m == nil || name == "" || m.Field(name) != nil {
		return nil
	}
	if a := m.Attr(name); a.Kind != project.AttrUnknown {
		return nil
	}
	fn := t.sm.ModelMethod(m, name)
	if fn == nil || fn.Static || fn.ClassMethod || !fn.Property && !bareCallable(fn) {
		return nil
	}
	var accs []semantic.Access
	for _, a := range t.sm.RowAccesses(fn, 0, m) {
		// `self.timezone if hasattr(self, "timezone") else
		// self.place.group.timezone`: the fallback of an annotation the
		// model's manager may add (karrot's does), not a read per row.
		// And a read only some rows make (`if self.name: return
		// self.name` before `elif self.virtual_chassis...`): a display
		// property's rare branch is not worth a load for every row.
		if !guardedAccess(a) && !someRowsOnly(a) {
			accs = append(accs, a)
		}
	}
	out := accessNeeds(accs, prefix, inPrefetch, why)
	out = append(out, lookupNeeds(t.sm.RowParamLookups(fn, 0), why)...)
	for i := range out {
		out[i].FromModel = true
		out[i].Attr, out[i].AttrPath = name, strings.Join(prefix, "__")
	}
	return out
}

// someRowsOnly reports an access made on some paths of the method only:
// in the body of an if (not its test), an elif or else clause, a branch
// of a conditional expression, the right of `and`/`or`, or after an
// earlier `if ...: return` in its block; at the read or at a call leading
// to it.
func someRowsOnly(a semantic.Access) bool {
	if onSomePaths(a.Node) {
		return true
	}
	for _, v := range a.Via {
		if !v.Call.IsNil() && onSomePaths(v.Call) {
			return true
		}
	}
	return false
}

func onSomePaths(n pyast.Node) bool {
	for c, p := n, n.Parent(); !p.IsNil(); c, p = p, p.Parent() {
		switch p.Type() {
		case "function_definition", "lambda":
			return false
		case "elif_clause", "else_clause":
			return true
		case "if_statement":
			if !p.ChildByField("condition").Equal(c) {
				return true
			}
		case "conditional_expression":
			if k := p.NamedChildren(); len(k) == 3 && !k[1].Equal(c) {
				return true
			}
		case "boolean_operator":
			if p.ChildByField("right").Equal(c) {
				return true
			}
		case "block":
			for _, sib := range p.NamedChildren() {
				if sib.StartByte() >= c.StartByte() {
					break
				}
				if sib.Type() == "if_statement" && len(pyast.FindAll(sib.ChildByField("consequence"), "return_statement")) > 0 {
					return true
				}
			}
		}
	}
	return false
}

// guardedAccess reports an access made only when a hasattr/getattr test
// fails, at the read or at one of the calls leading to it.
func guardedAccess(a semantic.Access) bool {
	if len(cacheGuards(a.Node)) > 0 {
		return true
	}
	for _, v := range a.Via {
		if !v.Call.IsNil() && len(cacheGuards(v.Call)) > 0 {
			return true
		}
	}
	return false
}

// prunesManyFields reports a serializer whose class or a project base
// decides at run time which many fields render: a `fields` property,
// get_fields or to_representation that deals with DRF's many fields
// (ManyRelatedField, ListSerializer, the model's many_to_many). nautobot's
// OptInFieldsMixin makes them write-only unless `?exclude_m2m=false`.
func (t *Tracker) prunesManyFields(s *project.ClassFacts) bool {
	for _, c := range append([]*project.ClassFacts{s}, t.g.ClassBases(s)...) {
		sc := t.sm.LookupClass(c.Module + "." + c.Name)
		if sc == nil {
			continue
		}
		for _, name := range []string{"fields", "get_fields", "to_representation"} {
			fn := sc.Methods[name]
			if fn == nil {
				continue
			}
			body := fn.Node.Text()
			if strings.Contains(body, "ManyRelatedField") || strings.Contains(body, "ListSerializer") || strings.Contains(body, "many_to_many") {
				return true
			}
		}
	}
	return false
}

// bareCallable reports a method DRF calls when a field's source reaches it
// (`is_simple_callable`): every parameter after self has a default, or
// gathers the rest (`*args`, `**kwargs`).
func bareCallable(fn *semantic.Func) bool {
	params := fn.Node.ChildByField("parameters")
	if params.IsNil() {
		return false
	}
	for i, p := range params.NamedChildren() {
		if i == 0 {
			continue // self
		}
		switch p.Type() {
		case "default_parameter", "typed_default_parameter", "list_splat_pattern", "dictionary_splat_pattern", "keyword_separator", "positional_separator":
		default:
			return false
		}
	}
	return true
}

// sourceMethodNeeds is what a field whose dotted source ends at a model
// method or property reads (`CharField(source="criteria.get_label")`): DRF
// follows the keys and calls the method on the row they lead to, so the
// method's reads on that row are per row too, under the keys' path.
func (t *Tracker) sourceMethodNeeds(m *project.Model, names, prefix []string, inPrefetch bool, why string) []need {
	if len(names) < 2 {
		return nil
	}
	path := append([]string(nil), prefix...)
	for _, name := range names[:len(names)-1] {
		if m == nil {
			return nil
		}
		at := m.Attr(name)
		if at.Kind != project.AttrForward && at.Kind != project.AttrReverseOne || at.Field != nil && at.Field.Kind == project.GenericFK {
			return nil
		}
		path = append(path, name)
		m = at.Target
	}
	return t.modelMethodNeeds(m, names[len(names)-1], path, inPrefetch, why)
}
