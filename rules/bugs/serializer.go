package bugs

import (
	_ "embed"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed serializer.md
var serializerDoc string

// SerializerUnknownField reports ModelSerializer Meta options naming
// fields the model and the serializer do not have.
var SerializerUnknownField = &analyzer.Rule{
	Code:              "BUG002",
	Name:              "serializer-unknown-field",
	Doc:               serializerDoc,
	Category:          analyzer.Correctness,
	Severity:          analyzer.Error,
	Confidence:        analyzer.High,
	Since:             "0.2.0",
	Stack:             project.Django,
	SkipOnSyntaxError: true,
	Skip:              semantic.Test | semantic.Migration,
	Requires:          requires,
	Run:               runSerializerUnknownField,
}

// modelAttrs are attributes every Django model has, and those of
// AbstractUser and its bases (DRF accepts any attribute of the model in
// `fields`).
var modelAttrs = map[string]bool{
	"pk": true, "objects": true, "DoesNotExist": true, "MultipleObjectsReturned": true, "save": true,
	"delete": true, "clean": true, "full_clean": true, "clean_fields": true, "validate_unique": true,
	"validate_constraints": true, "refresh_from_db": true, "serializable_value": true,
	"get_deferred_fields": true, "check": true, "from_db": true, "natural_key": true, "get_full_name": true,
	"get_short_name": true, "email_user": true, "get_username": true, "is_anonymous": true,
	"is_authenticated": true, "set_password": true, "check_password": true, "set_unusable_password": true,
	"has_usable_password": true, "get_session_auth_hash": true, "has_perm": true, "has_perms": true,
	"has_module_perms": true, "get_user_permissions": true, "get_group_permissions": true,
	"get_all_permissions": true, "USERNAME_FIELD": true, "EMAIL_FIELD": true, "REQUIRED_FIELDS": true,
	"url": true,
}

// serializerOverrides are ModelSerializer methods that change which
// fields exist: a class defining one is not judged, unless the override
// calls DRF's own (super()), which still rejects unknown names.
var serializerOverrides = []string{"get_fields", "get_field_names", "build_field", "build_unknown_field",
	"get_default_field_names", "build_property_field"}

// runSerializerUnknownField matches ModelSerializer classes (DRF's
// ModelSerializer or HyperlinkedModelSerializer through bases of the tree
// only) whose Meta.model is a model with fully known fields, and reads the
// literal lists of their own Meta: a name in `fields` or `exclude` that is
// neither a field, a relation (reverse accessors included), an attribute of
// the model's classes nor a declared serializer field raises
// ImproperlyConfigured (or AssertionError) whenever the serializer is
// used; a name in `read_only_fields` or `extra_kwargs` that is none of
// these is silently ignored by DRF, so the field it meant stays writable.
// Serializers that override get_fields and friends are skipped.
func runSerializerUnknownField(p *analyzer.Pass) error {
	sm := semantic.Of(p.Project)
	f := sm.File(p.Unit)
	if f == nil {
		return nil
	}
	for _, c := range f.Classes {
		checkSerializer(p, sm, c)
	}
	return nil
}

// drfModelSerializer reads c as a DRF ModelSerializer of a concrete model
// whose fields rubric knows, with a Meta class: its classes from c up,
// the model and the Meta; a nil model otherwise. A base that is neither
// DRF's nor the project's (a library's may declare fields), or a class
// for which overrides says so, makes it unreadable.
func drfModelSerializer(sm *semantic.Model, c *semantic.Class, overrides func(*semantic.Class) bool) ([]*semantic.Class, *project.Model, pyast.Node) {
	mro := append([]*semantic.Class{c}, c.Bases()...)
	model := false
	for _, cc := range mro {
		for _, b := range cc.BaseNames() {
			if sm.LookupClass(b) != nil {
				continue
			}
			if !strings.HasPrefix(b, "rest_framework.") {
				return nil, nil, pyast.Node{}
			}
			if strings.HasSuffix(b, "ModelSerializer") {
				model = true
			}
		}
		if overrides(cc) {
			return nil, nil, pyast.Node{}
		}
	}
	md := sm.SerializerModel(c)
	if !model || md == nil || md.Abstract || !sm.FieldsKnown(md) {
		return nil, nil, pyast.Node{} // an abstract model's serializer is a base for others
	}
	meta := semantic.MetaClass(c.Node)
	if meta.IsNil() {
		return nil, nil, pyast.Node{}
	}
	return mro, md, meta
}

func checkSerializer(p *analyzer.Pass, sm *semantic.Model, c *semantic.Class) {
	mro, md, meta := drfModelSerializer(sm, c, func(cc *semantic.Class) bool {
		for _, m := range serializerOverrides {
			if fn := cc.Methods[m]; fn != nil && !callsSuper(fn.Node, m) {
				return true // an override that does not defer to DRF's may accept any name
			}
		}
		return false
	})
	if md == nil {
		return
	}
	declared := map[string]bool{}
	// The URL field: the class's url_field_name, or the settings'
	// URL_FIELD_NAME ("resource_uri" on python.org).
	urlField := ""
	for _, cc := range mro {
		for name := range cc.Attrs {
			declared[name] = true
		}
		if v, ok := pyast.StringValue(cc.Attrs["url_field_name"]); ok && urlField == "" {
			urlField = v
		}
	}
	if urlField == "" && p.Project.Settings != nil {
		urlField = p.Project.Settings.RESTURLFieldName()
	}
	known := func(name string) bool {
		if declared[name] || modelAttrs[name] || name == urlField || strings.HasPrefix(name, "get_") || strings.HasPrefix(name, "_") {
			return true
		}
		if md.Field(name) != nil || md.FKColumn(name) != nil || md.ReverseRelation(name) != nil || sm.HasAttribute(md, name) {
			return true
		}
		return name == "id" && !customPK(md)
	}
	// extra_kwargs may give a name its source (`"type": {"source":
	// "repo_type"}`): DRF builds that field from the source, which must
	// be known instead.
	sources := extraSources(meta)
	if known0 := known; len(sources) > 0 {
		known = func(name string) bool {
			if src, ok := sources[name]; ok {
				first, _, _ := strings.Cut(src, ".")
				return src == "*" || known0(first)
			}
			return known0(name)
		}
	}
	annotatedUnderOtherName(p, sm, c, md)
	// The fields the serializer exposes: its Meta's, else the first base
	// Meta that says (`class Meta(Base.Meta)` inherits them).
	fields, all := exposed(mro)
	for st := range pyast.EachStatement(pyast.Body(meta)) {
		a := st.NamedChild(0)
		if st.Type() != "expression_statement" || a.Type() != "assignment" || a.ChildByField("left").Type() != "identifier" {
			continue
		}
		opt := a.ChildByField("left").Text()
		val := pyast.Unparen(a.ChildByField("right"))
		switch opt {
		case "fields", "exclude", "read_only_fields":
			for _, e := range listItems(val) {
				name, ok := pyast.StringValue(e)
				if !ok {
					continue
				}
				if known(name) || opt == "fields" && subclassesDeclare(sm, c, name) {
					continue
				}
				reportSerializerName(p, c, md, opt, name, e, fields, all, declared)
			}
		case "extra_kwargs":
			if val.Type() != "dictionary" {
				continue
			}
			for pair := range val.Named() {
				k := pair.ChildByField("key")
				if name, ok := pyast.StringValue(k); ok && !known(name) {
					reportSerializerName(p, c, md, opt, name, k, fields, all, declared)
				}
			}
		}
	}
}

// subclassesDeclare reports a base serializer every project subclass of
// which declares the field its Meta.fields names (`additional_applicant =
// ApplicantSerializer(...)` in each): a base meant to be completed, whose
// subclasses build; at least one subclass is required.
func subclassesDeclare(sm *semantic.Model, c *semantic.Class, name string) bool {
	n := 0
	for _, f := range sm.Files() {
		for _, sc := range f.Classes {
			if sc == c || !slices.Contains(sc.Bases(), c) {
				continue
			}
			n++
			if _, decl := sc.Attr(name); decl == nil || decl == c {
				return false
			}
		}
	}
	return n > 0
}

// extraSources maps the names of a Meta's extra_kwargs that set a
// literal `source` to that source.
func extraSources(meta pyast.Node) map[string]string {
	out := map[string]string{}
	for st := range pyast.EachStatement(pyast.Body(meta)) {
		a := st.NamedChild(0)
		if st.Type() != "expression_statement" || a.Type() != "assignment" || a.ChildByField("left").Text() != "extra_kwargs" {
			continue
		}
		val := pyast.Unparen(a.ChildByField("right"))
		if val.Type() != "dictionary" {
			continue
		}
		for pair := range val.Named() {
			name, ok := pyast.StringValue(pair.ChildByField("key"))
			opts := pair.ChildByField("value")
			if !ok || opts.Type() != "dictionary" {
				continue
			}
			for o := range opts.Named() {
				if k, _ := pyast.StringValue(o.ChildByField("key")); k == "source" {
					if src, ok := pyast.StringValue(o.ChildByField("value")); ok {
						out[name] = src
					}
				}
			}
		}
	}
	return out
}

// reportSerializerName reports one unknown name of a serializer's Meta.
// A name in read_only_fields or extra_kwargs is reported only when it is a
// slip for a field the serializer exposes: otherwise ignoring it changes
// nothing.
func reportSerializerName(p *analyzer.Pass, c *semantic.Class, md *project.Model, opt, name string, at pyast.Node, fields []string, all bool, declared map[string]bool) {
	cands := fieldNames(md)
	for d := range declared {
		cands = append(cands, d)
	}
	sortStrings(cands)
	suggest := semantic.Closest(name, cands)
	if (opt == "read_only_fields" || opt == "extra_kwargs") && (suggest == "" || !all && !containsStr(fields, suggest)) {
		return
	}
	d := analyzer.Diagnostic{Range: analyzer.RangeOf(at)}
	switch opt {
	case "fields":
		d.Message = fmt.Sprintf("`%s` in `%s.Meta.fields` is not a field of `%s` nor of the serializer: DRF raises `ImproperlyConfigured` whenever `%s` is used",
			name, c.Name, md.Name, c.Name)
	case "exclude":
		d.Message = fmt.Sprintf("`%s` in `%s.Meta.exclude` is not a field of `%s`: DRF raises `AssertionError` whenever `%s` is used", name, c.Name, md.Name, c.Name)
	default:
		d.Severity = analyzer.Warning
		d.Message = fmt.Sprintf("`%s` in `%s.Meta.%s` is not a field of `%s`: DRF ignores it silently", name, c.Name, opt, md.Name)
		if suggest != "" {
			d.Message += fmt.Sprintf(", so `%s` stays writable", suggest)
		}
	}
	d.Help = didYouMean(suggest, cands, fmt.Sprintf("`%s` has", md.Name))
	if suggest != "" {
		if edit, ok := replacePart(at, name, 0, suggest); ok {
			d.Fixes = []analyzer.Fix{{Message: fmt.Sprintf("use `%s`", suggest), Edits: []analyzer.TextEdit{edit}, Applicability: analyzer.DisplayOnly}}
		}
	}
	p.Report(d)
}

// exposed returns the names of the first Meta.fields in the classes, or
// all when it is "__all__" (or only exclude is given).
func exposed(mro []*semantic.Class) (fields []string, all bool) {
	for _, c := range mro {
		meta := semantic.MetaClass(c.Node)
		for st := range pyast.EachStatement(pyast.Body(meta)) {
			a := st.NamedChild(0)
			if st.Type() != "expression_statement" || a.Type() != "assignment" {
				continue
			}
			val := pyast.Unparen(a.ChildByField("right"))
			switch a.ChildByField("left").Text() {
			case "fields":
				if s, ok := pyast.StringValue(val); ok {
					return nil, s == "__all__"
				}
				for _, e := range listItems(val) {
					if s, ok := pyast.StringValue(e); ok {
						fields = append(fields, s)
					}
				}
				return fields, false
			case "exclude":
				return nil, true
			}
		}
	}
	return nil, false
}

// listItems returns the elements of a list, tuple or set literal.
func listItems(n pyast.Node) []pyast.Node {
	n = pyast.Unparen(n)
	if !n.Is("list", "tuple", "set") {
		return nil
	}
	var out []pyast.Node
	for k := range n.Named() {
		if k.Type() != "comment" {
			out = append(out, k)
		}
	}
	return out
}

// customPK reports a model whose primary key is a field of its own (no
// implicit `id`).
func customPK(md *project.Model) bool {
	for _, f := range md.Fields {
		if f.PrimaryKey {
			return f.Name != "id"
		}
	}
	return false
}

// fieldNames are a model's field names and reverse accessors, sorted.
func fieldNames(md *project.Model) []string {
	var out []string
	for _, f := range md.Fields {
		out = append(out, f.Name)
	}
	for _, r := range md.Reverse {
		out = append(out, r.Name)
	}
	sortStrings(out)
	return out
}

func sortStrings(xs []string) {
	for i := 1; i < len(xs); i++ {
		for j := i; j > 0 && xs[j] < xs[j-1]; j-- {
			xs[j], xs[j-1] = xs[j-1], xs[j]
		}
	}
}

func containsStr(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// callsSuper reports `super().name(...)` in a function.
func callsSuper(fn pyast.Node, name string) bool {
	for call := range pyast.FindEach(fn, "call") {
		c, _ := pyast.AsCall(call)
		if c.MethodName() == name && c.Func.Type() == "attribute" {
			if r, ok := pyast.AsCall(c.Receiver()); ok && pyast.Dotted(r.Func) == "super" {
				return true
			}
		}
	}
	return false
}

// annotatedUnderOtherName reports a plain field declared on the
// serializer c (no `source=`, not write-only, not a method field) that the
// model md lacks, when every view naming c as its serializer_class serves
// a class-level queryset, none of them annotates that name, and one
// annotates a name a typo away from it (`total_messeges` for
// `total_messages`): DRF reads the attribute from each row, and every
// response raises AttributeError. A view with get_queryset() (it may
// annotate the name), any view annotating it, and serializers no view
// names stay silent.
func annotatedUnderOtherName(p *analyzer.Pass, sm *semantic.Model, c *semantic.Class, md *project.Model) {
	type servedBy struct {
		view      *semantic.Class
		annotated map[string]pyast.Node
	}
	var views []servedBy
	for _, f := range sm.Files() {
		for _, vc := range f.Classes {
			sc := vc.Attrs["serializer_class"]
			if sc.IsNil() || pyast.Unparen(sc).Type() != "identifier" && pyast.Unparen(sc).Type() != "attribute" {
				continue
			}
			if name := pyast.Dotted(sc); name != c.Name && !strings.HasSuffix(name, "."+c.Name) {
				continue
			}
			qs := vc.Attrs["queryset"]
			if qs.IsNil() || vc.Methods["get_queryset"] != nil {
				return // a queryset built per request may annotate anything
			}
			sv := servedBy{view: vc, annotated: map[string]pyast.Node{}}
			for call := range pyast.FindEach(qs, "call") {
				cc, _ := pyast.AsCall(call)
				if cc.MethodName() != "annotate" && cc.MethodName() != "alias" {
					continue
				}
				for k, v := range cc.EachKeyword() {
					sv.annotated[k] = v.Parent()
				}
				if len(cc.Positional) > 0 {
					return // `annotate(Count("x"))` names its own alias
				}
			}
			views = append(views, sv)
		}
	}
	if len(views) == 0 {
		return
	}
	for _, name := range slices.Sorted(maps.Keys(c.Attrs)) {
		call, ok := pyast.AsCall(pyast.Unparen(c.Attrs[name]))
		if !ok || len(name) < 5 || modelAttrs[name] {
			continue
		}
		fn := pyast.Dotted(call.Func)
		if !strings.HasPrefix(fn, "serializers.") || !strings.HasSuffix(fn, "Field") || fn == "serializers.SerializerMethodField" || fn == "serializers.HiddenField" {
			continue
		}
		if !call.Keyword("source").IsNil() || call.Keyword("write_only").Text() == "True" {
			continue
		}
		if md.Field(name) != nil || md.FKColumn(name) != nil || md.ReverseRelation(name) != nil || sm.HasAttribute(md, name) {
			continue
		}
		var typo string
		var at pyast.Node
		var view *semantic.Class
		annotatedHere := false
		for _, v := range views {
			if _, ok := v.annotated[name]; ok {
				annotatedHere = true
				break
			}
			for _, k := range slices.Sorted(maps.Keys(v.annotated)) {
				if typo == "" && semantic.EditDistance(name, k) <= 2 {
					typo, at, view = k, v.annotated[k], v.view
				}
			}
		}
		if annotatedHere || typo == "" {
			continue
		}
		decl := c.Attrs[name].Parent()
		p.Report(analyzer.Diagnostic{
			Range: analyzer.RangeOf(decl),
			Message: fmt.Sprintf("`%s` is declared on `%s` but `%s` has no such attribute, and `%s`'s queryset annotates `%s` instead: DRF reads `%s` from each row and every response raises AttributeError",
				name, c.Name, md.Name, view.Name, typo, name),
			Help:    fmt.Sprintf("annotate the name the serializer reads (`%s=...`), or declare the field with `source=\"%s\"`", name, typo),
			Related: []analyzer.Related{{Path: view.File.Unit.File.Rel, Range: analyzer.RangeOf(at), Message: "annotated under this name"}},
		})
	}
}
