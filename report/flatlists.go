package report

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

// The checklist's N+1 item can be met two ways: the rows are loaded with
// their relations (select_related, prefetch_related), or every list the
// project serves reads nothing per row but its own columns, so there is no
// relation to load. The second is positive evidence only when rubric can
// read the whole of what a row's serialisation touches; flatList says
// whether it can, and why not when it cannot.

// drfModelSerializers are the DRF bases whose fields rubric reads whole.
var drfModelSerializers = map[string]bool{
	"rest_framework.serializers.ModelSerializer":            true,
	"rest_framework.serializers.HyperlinkedModelSerializer": true,
}

// columnFields are DRF serializer fields that read one attribute of the
// row and query nothing (when that attribute is a column).
var columnFields = map[string]bool{
	"CharField": true, "IntegerField": true, "FloatField": true, "DecimalField": true, "BooleanField": true,
	"NullBooleanField": true, "DateTimeField": true, "DateField": true, "TimeField": true, "DurationField": true,
	"UUIDField": true, "EmailField": true, "URLField": true, "SlugField": true, "RegexField": true,
	"IPAddressField": true, "ChoiceField": true, "MultipleChoiceField": true, "JSONField": true, "DictField": true,
	"ListField": true, "ReadOnlyField": true, "HiddenField": true, "ModelField": true, "FileField": true, "ImageField": true,
}

// metaOptions are the Meta options of a model serializer that change
// nothing of what a row's serialisation reads (depth does when above 0,
// list_serializer_class may).
var metaOptions = map[string]bool{
	"model": true, "fields": true, "exclude": true, "read_only_fields": true, "extra_kwargs": true,
	"validators": true, "ref_name": true,
}

// rowReaders are the serializer methods that change what a row's
// serialisation reads or which fields it has.
var rowReaders = map[string]bool{
	"to_representation": true, "__init__": true, "get_fields": true, "get_field_names": true,
	"build_field": true, "build_relational_field": true, "build_nested_field": true, "build_property_field": true,
}

// flatList judges a list serialised by serializer s from rows of q (nil
// when the rows' queryset is unknown): ok when s is a model serializer of
// the project whose every field reads a column of its model (a forward key
// read as its id counts: DRF reads `<fk>_id`). why says what it reads
// otherwise, or what rubric cannot read.
func flatList(sm *semantic.Model, s *semantic.Class, q *semantic.QS) (md *project.Model, why string, ok bool) {
	if s == nil || s.Facts == nil || s.Node.IsNil() {
		return nil, "a serializer rubric cannot read", false
	}
	name := "`" + s.Name + "`"
	hyper := false
	for _, b := range s.Facts.Bases {
		if !drfModelSerializers[b] {
			return nil, name + " derives from `" + b[strings.LastIndex(b, ".")+1:] + "`", false
		}
		hyper = hyper || strings.HasSuffix(b, "HyperlinkedModelSerializer")
	}
	if len(s.Facts.Bases) == 0 || sm.Graph == nil {
		return nil, name + " is not a model serializer", false
	}
	md = sm.Graph.ByQual(s.Facts.MetaModel)
	if md == nil || md.External || !md.Complete {
		return nil, name + "'s model is not fully known", false
	}
	if q != nil && (q.Model != md || q.Combined) {
		return nil, name + " serialises rows of another queryset", false
	}
	if q != nil && q.Only {
		return nil, "the rows are loaded with only() or defer(): a deferred column is a query per row", false
	}
	annotated := map[string]bool{}
	if q != nil {
		for _, a := range q.Annotated {
			annotated[a] = true
		}
	}
	column := func(attr string) bool {
		return annotated[attr] || md.Attr(attr).Kind == project.AttrColumn
	}
	declared := map[string]bool{}
	var fields, exclude []string
	all := false
	for st := range pyast.EachStatement(pyast.Body(s.Node)) {
		d := st
		if d.Type() == "decorated_definition" {
			d = d.ChildByField("definition")
		}
		switch d.Type() {
		case "function_definition":
			if rowReaders[pyast.DefName(d)] {
				return nil, name + " overrides `" + pyast.DefName(d) + "`", false
			}
		case "class_definition":
			if pyast.DefName(d) != "Meta" {
				return nil, name + " nests class `" + pyast.DefName(d) + "`", false
			}
			var w string
			if fields, exclude, all, w = metaFields(d); w != "" {
				return nil, name + "'s Meta " + w, false
			}
		case "pass_statement":
		case "expression_statement":
			x := d.NamedChild(0)
			if x.Type() == "string" {
				continue // a docstring
			}
			if x.Type() != "assignment" || x.ChildByField("left").Type() != "identifier" {
				return nil, name + " has a class-level statement rubric cannot read", false
			}
			field := x.ChildByField("left").Text()
			declared[field] = true
			if w := flatField(s.Facts, field, x.ChildByField("right"), column, md); w != "" {
				return nil, name + "'s `" + field + "` " + w, false
			}
		default:
			return nil, name + " has a class-level statement rubric cannot read", false
		}
	}
	if len(fields) == 0 && !all {
		return nil, name + " lists no Meta.fields rubric can read", false
	}
	if all {
		skip := map[string]bool{}
		for _, f := range exclude {
			skip[f] = true
		}
		for _, f := range md.Fields {
			if !skip[f.Name] && !declared[f.Name] && f.Kind == project.ManyToMany {
				return nil, name + " reads `" + f.Name + "` (many-to-many, in `__all__`) per row", false
			}
		}
		return md, "", true
	}
	for _, f := range fields {
		if declared[f] || column(f) || hyper && f == "url" {
			continue
		}
		switch a := md.Attr(f); a.Kind {
		case project.AttrForward:
			if a.Field != nil && a.Field.Kind != project.GenericFK {
				continue // read as `<fk>_id`
			}
			return nil, name + " reads `" + f + "` per row", false
		case project.AttrManyToMany, project.AttrReverseMany, project.AttrReverseOne:
			return nil, name + " reads the relation `" + f + "` per row", false
		default:
			return nil, name + " reads `" + f + "`, which is not a column of `" + md.Name + "`", false
		}
	}
	return md, "", true
}

// metaFields reads a serializer's Meta: the fields listed, or all (with
// those excluded). why is set when an option may change what rows read.
func metaFields(meta pyast.Node) (fields, exclude []string, all bool, why string) {
	for st := range pyast.EachStatement(pyast.Body(meta)) {
		if st.Type() == "pass_statement" {
			continue
		}
		x := st.NamedChild(0)
		if st.Type() != "expression_statement" || x.Type() == "string" {
			if x.Type() == "string" {
				continue
			}
			return nil, nil, false, "has a statement rubric cannot read"
		}
		if x.Type() != "assignment" || x.ChildByField("left").Type() != "identifier" {
			return nil, nil, false, "has a statement rubric cannot read"
		}
		opt, v := x.ChildByField("left").Text(), x.ChildByField("right")
		switch {
		case opt == "depth":
			if v.Type() != "integer" || v.Text() != "0" {
				return nil, nil, false, "sets `depth`: relations are nested"
			}
		case opt == "fields" || opt == "exclude":
			var names []string
			switch v.Type() {
			case "string":
				if s, ok := pyast.StringValue(v); ok && s == "__all__" && opt == "fields" {
					all = true
					continue
				}
				return nil, nil, false, "`" + opt + "` is not a list rubric can read"
			case "list", "tuple":
				for e := range v.Named() {
					s, ok := pyast.StringValue(e)
					if !ok {
						return nil, nil, false, "`" + opt + "` is not a list rubric can read"
					}
					names = append(names, s)
				}
			default:
				return nil, nil, false, "`" + opt + "` is not a list rubric can read"
			}
			if opt == "fields" {
				fields = names
			} else {
				exclude, all = names, true
			}
		case !metaOptions[opt]:
			return nil, nil, false, "sets `" + opt + "`"
		}
	}
	return fields, exclude, all, ""
}

// flatField judges a declared serializer field `name = <v>`: "" when it
// reads a column of md, or nothing of the row (write-only), else what it
// reads.
func flatField(facts *project.ClassFacts, name string, v pyast.Node, column func(string) bool, md *project.Model) string {
	var attr *project.ClassAttr
	for i := range facts.Attrs {
		if facts.Attrs[i].Name == name {
			attr = &facts.Attrs[i]
		}
	}
	c, ok := pyast.AsCall(v)
	if !ok || attr == nil || !strings.HasPrefix(attr.Callee, "rest_framework.") {
		return "is not a DRF field rubric can read"
	}
	if k := c.Keyword("write_only"); !k.IsNil() && k.Type() == "true" {
		return "" // never read from the row
	}
	last := attr.Callee[strings.LastIndex(attr.Callee, ".")+1:]
	read := name
	if attr.Source != "" {
		read = attr.Source
	} else if !c.Keyword("source").IsNil() {
		return "reads a source rubric cannot read"
	}
	switch {
	case last == "HyperlinkedIdentityField":
		return "" // the row's own key
	case last == "PrimaryKeyRelatedField" && !attr.Many:
		if a := md.Attr(read); a.Kind == project.AttrForward && a.Field != nil && a.Field.Kind != project.GenericFK || a.Kind == project.AttrColumn {
			return ""
		}
		return "reads `" + read + "` per row"
	case !columnFields[last]:
		return "is a `" + last + "`"
	case read == "*" || strings.Contains(read, "."):
		return "reads `" + read + "` per row"
	case !column(read):
		return "reads `" + read + "`, which is not a column of `" + md.Name + "`"
	}
	return ""
}

// listClass judges a list view class n whose base's last name is base:
// the signal django.lists_flat when a DRF view's serializer reads only
// columns, django.lists_unjudged otherwise (a template-rendered list
// included: ORM013 reads templates, and finding nothing there is no
// evidence).
func (c *pyCollector) listClass(u *project.Unit, n pyast.Node, base string) {
	if c.sm == nil {
		return
	}
	ev := evidenceAt(u, n)
	if !semantic.DRFListView(base) && !semantic.ListMixin(base) {
		ev.Note = "renders its rows through a template"
		c.s.add("django.lists_unjudged", ev)
		return
	}
	sf := c.sm.File(u)
	var cls *semantic.Class
	if sf != nil {
		cls = sf.ClassOfDef(n)
	}
	if cls == nil {
		ev.Note = "a view class rubric cannot read"
		c.s.add("django.lists_unjudged", ev)
		return
	}
	if fn := cls.Method("list"); fn != nil && fn.File == sf && semantic.ViewsModule(u.Rel()) && servesMany(fn.Node) {
		return // the many=True call in its list is judged (manyCall)
	}
	for _, m := range []string{"list", "get_serializer_class", "get_serializer"} {
		if fn := cls.Method(m); fn != nil {
			ev.Note = "`" + cls.Name + "` overrides `" + m + "`"
			c.s.add("django.lists_unjudged", ev)
			return
		}
	}
	s := c.sm.SerializerClass(cls)
	if s == nil {
		ev.Note = "`" + cls.Name + "` names no serializer of the project"
		c.s.add("django.lists_unjudged", ev)
		return
	}
	var q *semantic.QS
	if v, decl := cls.Attr("queryset"); !v.IsNil() && decl != nil {
		if q = decl.File.Eval(v); q == nil {
			ev.Note = "`" + cls.Name + "`'s queryset is one rubric cannot read"
			c.s.add("django.lists_unjudged", ev)
			return
		}
	}
	c.judgeList(ev, s, q, "`"+cls.Name+"` lists")
}

// manyCall judges `S(rows, many=True)` in a views module.
func (c *pyCollector) manyCall(u *project.Unit, call pyast.Call, resolve func(pyast.Node) string) {
	ev := evidenceAt(u, call.Node)
	sf := c.sm.File(u)
	if sf == nil || len(call.Positional) == 0 {
		ev.Note = "a serialisation rubric cannot read"
		c.s.add("django.lists_unjudged", ev)
		return
	}
	var s *semantic.Class
	self := pyast.Dotted(call.Func) == "self.get_serializer"
	if self {
		// The view's serializer_class, unless chosen at run time.
		if cls := sf.ClassOfDef(pyast.Ancestor(call.Node, "class_definition")); cls != nil &&
			cls.Method("get_serializer_class") == nil && cls.Method("get_serializer") == nil {
			s = c.sm.SerializerClass(cls)
		}
	} else if q := resolve(call.Func); q != "" {
		s = c.sm.LookupClass(q)
	}
	if s == nil {
		ev.Note = "a serializer rubric cannot read"
		c.s.add("django.lists_unjudged", ev)
		return
	}
	// Rows of the view's own queryset (`self.get_serializer(rows, many=True)`)
	// are rows of the serializer's model, however filtered; other rows must
	// be a queryset rubric reads.
	q := sf.Eval(call.Positional[0])
	if q == nil && !self {
		ev.Note = "rows rubric cannot read"
		c.s.add("django.lists_unjudged", ev)
		return
	}
	c.judgeList(ev, s, q, "")
}

// servesMany reports whether a function serialises a list: a call with
// many=True in its body.
func servesMany(fn pyast.Node) bool {
	for n := range pyast.FindEach(fn, "call") {
		if call, ok := pyast.AsCall(n); ok && semantic.ManySerialization(call) {
			return true
		}
	}
	return false
}

func (c *pyCollector) judgeList(ev Evidence, s *semantic.Class, q *semantic.QS, what string) {
	md, why, ok := flatList(c.sm, s, q)
	if !ok {
		ev.Note = why
		c.s.add("django.lists_unjudged", ev)
		return
	}
	if what == "" {
		what = "serialises"
	}
	ev.Note = what + " `" + md.Name + "` rows with `" + s.Name + "`, which reads only their columns (forward keys as ids): no query per row"
	c.s.add("django.lists_flat", ev)
}
