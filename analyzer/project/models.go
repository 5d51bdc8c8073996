package project

import (
	"path"
	"strconv"
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// FieldKind classifies a model field.
type FieldKind string

// Field kinds. Plain covers every column that is not a relation.
const (
	Plain      FieldKind = "plain"
	ForeignKey FieldKind = "ForeignKey"
	OneToOne   FieldKind = "OneToOneField"
	ManyToMany FieldKind = "ManyToManyField"
	GenericFK  FieldKind = "GenericForeignKey"
	// GenericRel is contenttypes' GenericRelation: no column and no
	// reverse accessor on its target, but on the row a manager of the
	// target's rows pointing back at it, prefetchable by its name. Only
	// Attr reads it as a relation (a many one); lookups keep it opaque.
	GenericRel FieldKind = "GenericRelation"
)

// AuthUserModel is the target text of `settings.AUTH_USER_MODEL`.
const AuthUserModel = "settings.AUTH_USER_MODEL"

// ClassFacts is a class definition as one file sees it: phase one cannot
// yet tell whether it is a model, so every module-level class is kept and
// Build decides.
type ClassFacts struct {
	Name string
	// Metaclass is set when the class statement names a metaclass
	// (`class Cart(models.Model, metaclass=Builder)`).
	Metaclass bool `json:",omitempty"`
	Module    string
	Path      string // display path of the file
	Line      int    // 1-based line of the class keyword
	// Start and End delimit the class definition in its file.
	Start, End int
	// Bases are the base classes as qualified names: through imports
	// ("django.db.models.Model"), module-local ("shop.models.Base"), or as
	// written when neither applies.
	Bases    []string
	Fields   []*Field
	Managers []Manager
	Meta     Meta
	// Methods are the names of the methods the class body defines.
	Methods []string
	// Attrs are the class-level `name = Callee(...)` assignments (model
	// fields, serializer fields, nested serializers), in order.
	Attrs []ClassAttr
	// Cleared are the names the class body sets to None (`update_date =
	// None`): Django removes a field so named inherited from an abstract
	// base.
	Cleared []string `json:",omitempty"`
	// MetaModel is Meta.model resolved as a qualified name, MetaFields
	// Meta.fields (serializers, forms).
	MetaModel  string
	MetaFields []string
	// ParamChains maps each `get_<x>(self, obj)` method to the attribute
	// chains it reads on obj ("customer.name", "items.count").
	ParamChains map[string][]string
}

// ClassAttr is a class-level assignment of a call result.
type ClassAttr struct {
	Name   string
	Callee string // qualified when resolvable
	Source string // the source= keyword, if a string
	Many   bool   // many=True
	// LookupField is the lookup_field= keyword, if a string (a DRF
	// HyperlinkedRelatedField reads only the key when it is "pk").
	LookupField string
	// Method is the method a SerializerMethodField names (its first
	// argument or method_name=; serpy's method=), when not get_<name>.
	Method string `json:",omitempty"`
	Line   int
	Start  int
	End    int
}

// Field is a model field declared in a class body.
type Field struct {
	Name string
	Kind FieldKind
	// Class is the field class as written, resolved through imports when
	// possible ("django.db.models.CharField").
	Class string
	// Target is the relation target as written, normalised: a qualified
	// class name, "Model", "app.Model", "self" or AuthUserModel.
	Target           string
	RelatedName      string // "" when not given; may be "+"
	RelatedQueryName string
	DBIndex          bool // db_index=True
	NoDBIndex        bool // db_index=False (relations only)
	Unique           bool
	PrimaryKey       bool
	Null             bool
	// NotEditable is set for editable=False, and for auto_now or
	// auto_now_add (Django makes those non-editable): a ModelForm leaves
	// the field out and a ModelSerializer makes it read-only.
	NotEditable bool `json:",omitempty"`
	// DefaultNonZero is set when default= is a number other than zero,
	// written as a literal or as Decimal of one (`default=5000.0`,
	// `default=Decimal("10.00")`): a new row starts with that amount.
	DefaultNonZero bool `json:",omitempty"`
	// OnDelete is "PROTECT" or "RESTRICT" when the relation's on_delete
	// refuses to delete the row it points at while this one exists; ""
	// otherwise (CASCADE, SET_NULL..., or not a relation).
	OnDelete   string `json:",omitempty"`
	Path       string // display path of the declaring file
	Line       int
	Start, End int // the assignment statement, in Path
	// Source is the constructor call as written
	// ("models.CharField(max_length=32)") when it fits on one line of at
	// most 120 bytes, else "".
	Source string `json:",omitempty"`
	// Model is the model the field belongs to (the concrete model for
	// fields copied from an abstract base, the parent for multi-table
	// inheritance); Abstract is the abstract base that declared a copied
	// field. To is the resolved target, nil when External.
	Model    *Model `json:"-"`
	Abstract *Model `json:"-"`
	To       *Model `json:"-"`
	// External holds the target as written when it is not a model of the
	// analysed tree (third-party, auth.User without a definition).
	External string
}

// IsRelation reports whether the field is a foreign key, one-to-one or
// many-to-many relation.
func (f *Field) IsRelation() bool {
	return f.Kind == ForeignKey || f.Kind == OneToOne || f.Kind == ManyToMany
}

// IsForward reports whether reading the attribute on an instance loads
// one related object (foreign key, one-to-one, generic foreign key).
func (f *Field) IsForward() bool {
	return f.Kind == ForeignKey || f.Kind == OneToOne || f.Kind == GenericFK
}

// Manager is a manager attribute of a model (`objects = OrderManager()`).
type Manager struct {
	Name  string
	Class string // qualified when resolvable; "X.as_manager" for querysets
}

// Meta is what a model's inner Meta class says.
type Meta struct {
	Abstract       bool       `json:",omitempty"`
	Proxy          bool       `json:",omitempty"`
	Unmanaged      bool       `json:",omitempty"` // managed = False: Django creates no table
	AppLabel       string     `json:",omitempty"`
	Ordering       []string   `json:",omitempty"`
	Indexes        [][]string `json:",omitempty"` // Meta.indexes field lists
	IndexTogether  [][]string `json:",omitempty"`
	UniqueTogether [][]string `json:",omitempty"`
	// Unique holds UniqueConstraint field lists from Meta.constraints.
	Unique [][]string `json:",omitempty"`
	// HasMeta records that a Meta class exists (for inheritance of Meta).
	HasMeta bool `json:"-"`
}

// ModelFacts are the model-related facts of one file.
type ModelFacts struct {
	Classes []*ClassFacts
}

// extractModels collects class definitions with bases and their field-like
// assignments. It reads only the unit.
func extractModels(u *Unit) *ModelFacts {
	mf := &ModelFacts{}
	if u.Tree == nil {
		return mf
	}
	root := u.Tree.Root()
	pyast.Inspect(root, func(n pyast.Node) bool {
		switch n.Type() {
		case "function_definition", "lambda":
			return false
		case "assignment":
			modelAlias(u, n)
			return false
		case "class_definition":
			if c := extractClass(u, n); c != nil {
				mf.Classes = append(mf.Classes, c)
			}
			return false // nested classes (Meta) are read by extractClass
		}
		return true
	})
	return mf
}

// resolveName qualifies a dotted name used in the unit: through imports
// (relative imports made absolute against the unit's package), else as a
// module-level name of the unit.
func resolveName(u *Unit, d string) string {
	if d == "" {
		return ""
	}
	if u.Imports != nil {
		if q, ok := u.Imports.ResolveDotted(d); ok {
			return absolute(u, q)
		}
	}
	if !strings.Contains(d, ".") && u.Module != "" {
		return u.Module + "." + d
	}
	return d
}

// absolute makes a relative qualified name ("..core.models.Base") absolute
// against the unit's package.
func absolute(u *Unit, q string) string {
	if !strings.HasPrefix(q, ".") {
		return q
	}
	dots := 0
	for dots < len(q) && q[dots] == '.' {
		dots++
	}
	pkg := u.Package
	if strings.HasSuffix(u.File.Rel, "__init__.py") {
		pkg = u.Module
	}
	// pkg's dot-separated parts less the last dots-1, then rest, joined
	// by dots; the kept parts are a prefix of pkg, so nothing is split.
	rest := q[dots:]
	parts := 0
	if pkg != "" {
		parts = strings.Count(pkg, ".") + 1
	}
	keep := parts - min(dots-1, parts)
	if keep == 0 {
		return rest
	}
	end := len(pkg)
	for k := parts; k > keep; k-- {
		end = strings.LastIndexByte(pkg[:end], '.')
	}
	if rest == "" {
		return pkg[:end]
	}
	return pkg[:end] + "." + rest
}

func extractClass(u *Unit, n pyast.Node) *ClassFacts {
	sup := n.ChildByField("superclasses")
	c := &ClassFacts{Name: pyast.DefName(n), Module: u.Module, Path: u.File.Rel,
		Line: u.File.Position(n.StartByte()).Line, Start: n.StartByte(), End: n.EndByte()}
	for _, b := range sup.NamedChildren() {
		if b.Type() == "keyword_argument" {
			c.Metaclass = c.Metaclass || b.ChildByField("name").Text() == "metaclass"
			continue
		}
		if d := pyast.Dotted(b); d != "" && d != "object" {
			c.Bases = append(c.Bases, resolveName(u, d))
			continue
		}
		// `class M(models.Manager.from_queryset(QS))`: Django builds a
		// subclass of the manager with the queryset's methods copied on,
		// so both are the class's bases.
		if call, ok := pyast.AsCall(b); ok && call.MethodName() == "from_queryset" && len(call.Positional) == 1 {
			if d := pyast.Dotted(call.Receiver()); d != "" {
				c.Bases = append(c.Bases, resolveName(u, d))
			}
			if d := pyast.Dotted(call.Positional[0]); d != "" {
				c.Bases = append(c.Bases, resolveName(u, d))
			}
		}
	}
	for _, st := range pyast.Statements(pyast.Body(n)) {
		if st.Type() == "decorated_definition" {
			st = st.ChildByField("definition")
		}
		switch st.Type() {
		case "function_definition":
			name := pyast.DefName(st)
			c.Methods = append(c.Methods, name)
			if strings.HasPrefix(name, "get_") {
				if chains := paramChains(st); len(chains) > 0 {
					if c.ParamChains == nil {
						c.ParamChains = map[string][]string{}
					}
					c.ParamChains[name] = chains
				}
			}
		case "class_definition":
			if pyast.DefName(st) == "Meta" {
				c.Meta = extractMeta(st)
				c.MetaModel, c.MetaFields = metaModel(u, st)
			}
		case "expression_statement":
			a := st.NamedChild(0)
			if a.Type() != "assignment" || a.ChildByField("left").Type() != "identifier" {
				continue
			}
			name := a.ChildByField("left").Text()
			if pyast.Unparen(a.ChildByField("right")).Type() == "none" {
				c.Cleared = append(c.Cleared, name)
				continue
			}
			// `safe = (EthereumAddressBinaryField())`: a field call in
			// parentheses (kept for a trailing comment) is the same field.
			call, ok := pyast.AsCall(pyast.Unparen(a.ChildByField("right")))
			if !ok {
				continue
			}
			ca := ClassAttr{Name: name, Callee: resolveName(u, pyast.Dotted(call.Func)), Many: isTrue(call.Keyword("many")),
				Line: u.File.Position(st.StartByte()).Line, Start: st.StartByte(), End: st.EndByte()}
			ca.Source, _ = pyast.StringValue(call.Keyword("source"))
			ca.LookupField, _ = pyast.StringValue(call.Keyword("lookup_field"))
			if last := ca.Callee[strings.LastIndex(ca.Callee, ".")+1:]; last == "SerializerMethodField" || last == "MethodField" {
				// `SerializerMethodField("_membership_type")`: DRF calls
				// that method instead of get_<name>.
				if m, ok := pyast.StringValue(call.Arg(0, "method_name")); ok && m != "" {
					ca.Method = m
				} else if m, ok := pyast.StringValue(call.Keyword("method")); ok && m != "" {
					ca.Method = m
				}
			}
			// A name assigned again further down the body is the later
			// value (`comments = SerializerMethodField()` left above
			// `comments = CommentSerializer(many=True)`): Python keeps the
			// last assignment of a class body.
			c.dropAssigned(name)
			c.Attrs = append(c.Attrs, ca)
			if f := extractField(u, name, call); f != nil {
				f.Path, f.Line = u.File.Rel, u.File.Position(st.StartByte()).Line
				f.Start, f.End = st.StartByte(), st.EndByte()
				if src := a.ChildByField("right").Text(); len(src) <= 120 && !strings.Contains(src, "\n") {
					f.Source = src
				}
				c.Fields = append(c.Fields, f)
			} else if m, ok := extractManager(u, name, call); ok {
				c.Managers = append(c.Managers, m)
			}
		}
	}
	return c
}

// dropAssigned forgets what an earlier statement of the class body
// assigned to name: the attribute, and the field or manager it declared.
func (c *ClassFacts) dropAssigned(name string) {
	attrs := c.Attrs[:0]
	for _, a := range c.Attrs {
		if a.Name != name {
			attrs = append(attrs, a)
		}
	}
	c.Attrs = attrs
	fields := c.Fields[:0]
	for _, f := range c.Fields {
		if f.Name != name {
			fields = append(fields, f)
		}
	}
	c.Fields = fields
	managers := c.Managers[:0]
	for _, m := range c.Managers {
		if m.Name != name {
			managers = append(managers, m)
		}
	}
	c.Managers = managers
}

// fieldKind maps a field class's last name component to a kind; ok is
// false for calls that are not fields.
func fieldKind(last string) (FieldKind, bool) {
	switch {
	case strings.HasPrefix(last, "Generic") && strings.HasSuffix(last, "ForeignKey"):
		return GenericFK, true // GenericForeignKey and look-alikes
	case strings.HasSuffix(last, "ForeignKey"): // ForeignKey, TreeForeignKey
		return ForeignKey, true
	case last == "ParentalKey":
		return ForeignKey, true
	case strings.HasSuffix(last, "OneToOneField"):
		return OneToOne, true
	case strings.HasSuffix(last, "ManyToManyField"):
		return ManyToMany, true
	case strings.HasSuffix(last, "Field"):
		return Plain, true
	}
	return "", false
}

func extractField(u *Unit, name string, call pyast.Call) *Field {
	d := pyast.Dotted(call.Func)
	if d == "" {
		return nil
	}
	q := resolveName(u, d)
	last := q[strings.LastIndex(q, ".")+1:]
	if (strings.HasPrefix(q, "taggit.") || strings.HasPrefix(q, "modelcluster.contrib.taggit.")) && strings.HasSuffix(last, "TaggableManager") {
		// django-taggit's TaggableManager: the model's tags, a
		// many-to-many relation (to a custom tag model when `through`
		// says so; prefetching `tags` serves either).
		f := &Field{Name: name, Kind: ManyToMany, Class: q, Target: "taggit.models.Tag"}
		if s, ok := pyast.StringValue(call.Keyword("related_name")); ok {
			f.RelatedName = s
		}
		return f
	}
	if last == "GenericRelation" && strings.HasPrefix(q, "django.contrib.contenttypes.") {
		f := &Field{Name: name, Kind: GenericRel, Class: q, Target: relTarget(u, call.Arg(0, "to")), RelatedName: "+"}
		if s, ok := pyast.StringValue(call.Keyword("related_query_name")); ok {
			f.RelatedQueryName = s
		}
		return f
	}
	kind, ok := fieldKind(last)
	if !ok {
		return nil
	}
	f := &Field{Name: name, Kind: kind, Class: q}
	if f.IsRelation() {
		f.Target = relTarget(u, call.Arg(0, "to"))
		// related_name is the third positional argument of ForeignKey and
		// OneToOneField (after on_delete), the second of ManyToManyField.
		pos := 2
		if kind == ManyToMany {
			pos = 1
		}
		if s, ok := pyast.StringValue(call.Arg(pos, "related_name")); ok {
			f.RelatedName = s
		}
		if s, ok := pyast.StringValue(call.Keyword("related_query_name")); ok {
			f.RelatedQueryName = s
		}
		if kind != ManyToMany {
			// on_delete is the second positional argument.
			switch d := pyast.Dotted(call.Arg(1, "on_delete")); {
			case d == "PROTECT" || strings.HasSuffix(d, ".PROTECT"):
				f.OnDelete = "PROTECT"
			case d == "RESTRICT" || strings.HasSuffix(d, ".RESTRICT"):
				f.OnDelete = "RESTRICT"
			}
		}
	}
	f.DBIndex = isTrue(call.Keyword("db_index"))
	f.NoDBIndex = isFalse(call.Keyword("db_index"))
	f.Unique = isTrue(call.Keyword("unique"))
	f.PrimaryKey = isTrue(call.Keyword("primary_key"))
	f.Null = isTrue(call.Keyword("null"))
	f.NotEditable = isFalse(call.Keyword("editable")) || isTrue(call.Keyword("auto_now")) || isTrue(call.Keyword("auto_now_add"))
	f.DefaultNonZero = NonZeroNumber(call.Keyword("default"))
	if kind == OneToOne {
		f.Unique = true
	}
	return f
}

// relTarget normalises a relation target expression.
func relTarget(u *Unit, n pyast.Node) string {
	if n.IsNil() {
		return ""
	}
	if s, ok := pyast.StringValue(n); ok {
		return s
	}
	if metaModelName(u, n) == UserModelQual {
		return AuthUserModel // get_user_model(), or a `User = get_user_model()` alias
	}
	d := pyast.Dotted(n)
	if d == "" {
		return ""
	}
	if strings.HasSuffix(d, "AUTH_USER_MODEL") {
		return AuthUserModel
	}
	if n.Type() == "identifier" {
		if s, ok := boundString(n); ok {
			return s // `target_fk = "app.Model"`, then `ForeignKey(target_fk, ...)`
		}
	}
	return resolveName(u, d)
}

// boundString returns the string literal a bare name is bound to in the
// class body holding n or, failing that, at module level (`to_fk =
// "app.Model"` then `ForeignKey(to_fk, ...)`): Python's lookup for a
// class body. ok is false when the scope that binds the name binds it to
// anything else, or to two different strings.
func boundString(n pyast.Node) (string, bool) {
	name := n.Text()
	inClass := false
	for p := n.Parent(); !p.IsNil(); p = p.Parent() {
		var body pyast.Node
		switch p.Type() {
		case "function_definition", "lambda":
			return "", false
		case "class_definition":
			if inClass {
				continue // an enclosing class's body is not in scope
			}
			inClass = true
			body = p.ChildByField("body")
		case "module":
			body = p
		default:
			continue
		}
		val, found, other := "", false, false
		for _, st := range body.NamedChildren() {
			if st.Type() != "expression_statement" || st.NamedChildCount() != 1 {
				continue
			}
			a := st.NamedChild(0)
			if a.Type() != "assignment" {
				continue
			}
			if l := a.ChildByField("left"); l.Type() != "identifier" || l.Text() != name {
				continue
			}
			s, ok := pyast.StringValue(a.ChildByField("right"))
			switch {
			case !ok || found && s != val:
				other = true
			default:
				val, found = s, true
			}
		}
		if other {
			return "", false
		}
		if found {
			return val, true
		}
	}
	return "", false
}

func extractManager(u *Unit, name string, call pyast.Call) (Manager, bool) {
	fn := call.Func
	// X.from_queryset(Y)() and Manager subclasses called directly.
	if inner, ok := pyast.AsCall(fn); ok && inner.MethodName() == "from_queryset" {
		return Manager{Name: name, Class: resolveName(u, pyast.Dotted(inner.Receiver())) + ".from_queryset"}, true
	}
	d := pyast.Dotted(fn)
	if d == "" {
		return Manager{}, false
	}
	if strings.HasSuffix(d, ".as_manager") {
		return Manager{Name: name, Class: resolveName(u, strings.TrimSuffix(d, ".as_manager")) + ".as_manager"}, true
	}
	if strings.HasSuffix(d, "Manager") {
		q := resolveName(u, d)
		if strings.HasPrefix(q, "taggit.") || strings.HasPrefix(q, "modelcluster.contrib.taggit.") {
			// django-taggit's TaggableManager is a relation field (the
			// model's tags), not a model manager: `objects` is still there.
			return Manager{}, false
		}
		return Manager{Name: name, Class: q}, true
	}
	return Manager{}, false
}

func isTrue(n pyast.Node) bool  { return n.Type() == "true" }
func isFalse(n pyast.Node) bool { return n.Type() == "false" }

// NonZeroNumber reports a number literal other than zero (`5000.0`, `-1`),
// or Decimal(...) of one written as a literal or a string
// (`Decimal("10.00")`). Anything else, zero included, is false.
func NonZeroNumber(n pyast.Node) bool {
	v, ok := NumberValue(n)
	return ok && v != 0
}

// NumberValue returns the value of a number literal, a negated one, or
// Decimal(...) of a number literal or numeric string; ok is false for
// anything else.
func NumberValue(n pyast.Node) (v float64, ok bool) {
	n = pyast.Unparen(n)
	switch n.Type() {
	case "integer", "float":
		f, err := strconv.ParseFloat(strings.ReplaceAll(n.Text(), "_", ""), 64)
		return f, err == nil
	case "unary_operator":
		if f, ok := NumberValue(n.ChildByField("argument")); ok && strings.HasPrefix(n.Text(), "-") {
			return -f, true
		}
	case "call":
		c, ok := pyast.AsCall(n)
		if !ok || len(c.Positional) != 1 || len(c.Keywords) != 0 {
			return 0, false
		}
		if d := pyast.Dotted(c.Func); d != "Decimal" && d != "decimal.Decimal" {
			return 0, false
		}
		if s, ok := pyast.StringValue(c.Positional[0]); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			return f, err == nil
		}
		return NumberValue(c.Positional[0])
	}
	return 0, false
}

func extractMeta(cls pyast.Node) Meta {
	m := Meta{HasMeta: true}
	for _, st := range pyast.Statements(pyast.Body(cls)) {
		if st.Type() != "expression_statement" {
			continue
		}
		a := st.NamedChild(0)
		if a.Type() != "assignment" {
			continue
		}
		v := a.ChildByField("right")
		switch a.ChildByField("left").Text() {
		case "abstract":
			m.Abstract = isTrue(v)
		case "proxy":
			m.Proxy = isTrue(v)
		case "managed":
			m.Unmanaged = v.Type() == "false"
		case "app_label":
			m.AppLabel, _ = pyast.StringValue(v)
		case "ordering":
			m.Ordering = stringList(v)
		case "index_together":
			m.IndexTogether = stringLists(v)
		case "unique_together":
			m.UniqueTogether = stringLists(v)
		case "indexes", "constraints":
			for _, e := range elements(v) {
				call, ok := pyast.AsCall(e)
				if !ok {
					continue
				}
				fields := stringList(call.Keyword("fields"))
				if len(fields) == 0 {
					continue
				}
				if a.ChildByField("left").Text() == "indexes" {
					m.Indexes = append(m.Indexes, fields)
				} else if strings.HasSuffix(pyast.Dotted(call.Func), "UniqueConstraint") && call.Keyword("condition").IsNil() {
					m.Unique = append(m.Unique, fields)
				}
			}
		}
	}
	return m
}

// elements returns the items of a list or tuple literal.
func elements(n pyast.Node) []pyast.Node {
	n = pyast.Unparen(n)
	if !n.Is("list", "tuple", "expression_list") {
		return nil
	}
	var out []pyast.Node
	for _, c := range n.NamedChildren() {
		if c.Type() != "comment" {
			out = append(out, c)
		}
	}
	return out
}

func stringList(n pyast.Node) []string {
	var out []string
	for _, e := range elements(n) {
		if s, ok := pyast.StringValue(e); ok {
			out = append(out, s)
		}
	}
	return out
}

// stringLists reads [["a", "b"], ...] or the single-group form ("a", "b").
func stringLists(n pyast.Node) [][]string {
	var out [][]string
	els := elements(n)
	if len(els) > 0 {
		if _, ok := pyast.StringValue(els[0]); ok {
			return [][]string{stringList(n)}
		}
	}
	for _, e := range els {
		if l := stringList(e); len(l) > 0 {
			out = append(out, l)
		}
	}
	return out
}

// appOf derives the app of a module: the package holding models.py or the
// models/ package; otherwise the module's package. It returns the app's
// dotted package and its label (the package's last component).
func appOf(module string) (pkg, label string) {
	parts := strings.Split(module, ".")
	for i := len(parts) - 1; i >= 0; i-- {
		if parts[i] == "models" && i > 0 {
			pkg = strings.Join(parts[:i], ".")
			return pkg, parts[i-1]
		}
	}
	if len(parts) > 1 {
		pkg = strings.Join(parts[:len(parts)-1], ".")
		return pkg, parts[len(parts)-2]
	}
	return module, path.Base(module)
}

// metaModel reads `model = X` and `fields = [...]` of a Meta class.
func metaModel(u *Unit, meta pyast.Node) (model string, fields []string) {
	for _, st := range pyast.Statements(pyast.Body(meta)) {
		a := st.NamedChild(0)
		if st.Type() != "expression_statement" || a.Type() != "assignment" {
			continue
		}
		switch a.ChildByField("left").Text() {
		case "model":
			model = metaModelName(u, a.ChildByField("right"))
		case "fields":
			fields = stringList(a.ChildByField("right"))
		}
	}
	return model, fields
}

// UserModelQual is the qualified name Models.ByQual resolves to the
// project's AUTH_USER_MODEL (when the graph holds it): what a serializer's
// `model = get_user_model()` or `model = User` (a `User = get_user_model()`
// alias) qualifies to.
const UserModelQual = "django.contrib.auth.models.User"

// metaModelName qualifies the value of a Meta's `model =`: a name through
// the unit's imports and module-level names, the user model for
// `get_user_model()` or a module-level `User = get_user_model()`.
func metaModelName(u *Unit, v pyast.Node) string {
	v = pyast.Unparen(v)
	if c, ok := pyast.AsCall(v); ok {
		d := pyast.Dotted(c.Func)
		if (d == "get_user_model" || strings.HasSuffix(d, ".get_user_model")) && len(c.Positional) == 0 {
			return UserModelQual
		}
		return ""
	}
	d := pyast.Dotted(v)
	if u.ModelAliases[d] == AuthUserModel {
		return UserModelQual
	}
	return resolveName(u, d)
}

// paramChains returns the attribute chains a method reads on its second
// parameter: `def get_total(self, obj): return obj.items.count()` gives
// "items.count".
func paramChains(fn pyast.Node) []string {
	params := pyast.Identifiers(fn.ChildByField("parameters"))
	if len(params) < 2 {
		return nil
	}
	obj := params[1]
	seen := map[string]bool{}
	var out []string
	pyast.Inspect(pyast.Body(fn), func(n pyast.Node) bool {
		if n.Is("function_definition", "lambda", "class_definition") {
			return false
		}
		if n.Type() != "attribute" || n.ChildByField("object").Type() != "identifier" || n.ChildByField("object").Text() != obj {
			return true
		}
		top := n
		for p := n.Parent(); p.Type() == "attribute" && p.ChildByField("object").Equal(top); p = p.Parent() {
			top = p
		}
		d := pyast.Dotted(top)
		if d != "" {
			d = strings.TrimPrefix(d, obj+".")
			if !seen[d] {
				seen[d] = true
				out = append(out, d)
			}
		}
		return true
	})
	return out
}

// Qualify resolves a dotted name as written in the unit to a qualified
// name: through its imports (relative imports made absolute), else as a
// module-level name of the unit.
func (u *Unit) Qualify(dotted string) string { return resolveName(u, dotted) }

// Absolute makes a relative qualified name (".services", "..core.models")
// absolute against the unit's package.
func (u *Unit) Absolute(q string) string { return absolute(u, q) }

// modelAlias records a module-level name bound to a model loaded by label:
// `Product = get_model("catalogue", "Product")` (django-oscar's loader,
// `apps.get_model`) or `User = get_user_model()`.
func modelAlias(u *Unit, a pyast.Node) {
	left := a.ChildByField("left")
	c, ok := pyast.AsCall(a.ChildByField("right"))
	if left.Type() != "identifier" || !ok {
		return
	}
	name := pyast.Dotted(c.Func)
	last := name[strings.LastIndex(name, ".")+1:]
	label := ""
	switch {
	case last == "get_user_model" && len(c.Positional) == 0:
		label = AuthUserModel
	case last == "get_model" && len(c.Positional) == 2:
		app, ok1 := pyast.StringValue(c.Positional[0])
		model, ok2 := pyast.StringValue(c.Positional[1])
		if !ok1 || !ok2 {
			return
		}
		label = app + "." + model
	case last == "get_model" && len(c.Positional) == 1:
		l, ok := pyast.StringValue(c.Positional[0])
		if !ok || strings.Count(l, ".") != 1 {
			return
		}
		label = l
	default:
		return
	}
	if u.ModelAliases == nil {
		u.ModelAliases = map[string]string{}
	}
	u.ModelAliases[left.Text()] = label
}
