package semantic

import (
	"iter"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// PathMode says which names a lookup path may use, after the ORM call that
// receives it: Django resolves filter keywords, order_by and values against
// fields and reverse query names, select_related against relations only,
// prefetch_related against attributes, update() and create() against the
// model's own fields.
type PathMode uint8

// Path modes.
const (
	// FilterPath: filter/exclude/get keywords, Q() and When() keywords:
	// fields, `<fk>_id`, reverse query names, annotations, then lookups.
	FilterPath PathMode = iota
	// ExprPath: F(), order_by, values, aggregates: as FilterPath, with
	// transforms but no comparison lookups expected.
	ExprPath
	// SelectPath: select_related: forward one-to-one and foreign keys,
	// reverse one-to-one query names.
	SelectPath
	// PrefetchPath: prefetch_related: relation accessors and any attribute
	// of the row (a property may be prefetchable).
	PrefetchPath
	// UpdatePath: update() keywords: the model's concrete fields.
	UpdatePath
	// CreatePath: create() keywords: fields, `<fk>_id`, and any class
	// attribute (a property with a setter).
	CreatePath
)

// Problem says why a lookup path is wrong.
type Problem uint8

// Problems.
const (
	// NoSuchName: the part names nothing on the model.
	NoSuchName Problem = iota + 1
	// NotRelation: select_related (or a path continuing past a column)
	// names a column.
	NotRelation
	// ManyInSelect: select_related names a to-many relation.
	ManyInSelect
	// NotPrefetchable: prefetch_related names a plain column.
	NotPrefetchable
	// BadLookup: the part after a standard column is no lookup or
	// transform Django knows.
	BadLookup
)

// PathError is a part of a lookup path that Django rejects.
type PathError struct {
	Problem Problem
	// Part is the index of the offending part in the path split on "__";
	// Name that part.
	Part int
	Name string
	// Model is the model the part was looked up on.
	Model *project.Model
	// Suggest is the closest name the model has ("" when none is close).
	Suggest string
	// Known are the names the model offers at that point, sorted.
	Known []string
}

// lookupNames are Django's built-in lookups and transforms (and the
// postgres contrib ones), accepted after a column or relation.
var lookupNames = map[string]bool{
	"exact": true, "iexact": true, "contains": true, "icontains": true, "in": true, "gt": true, "gte": true,
	"lt": true, "lte": true, "startswith": true, "istartswith": true, "endswith": true, "iendswith": true,
	"range": true, "date": true, "year": true, "iso_year": true, "month": true, "day": true, "week": true,
	"week_day": true, "iso_week_day": true, "quarter": true, "time": true, "hour": true, "minute": true,
	"second": true, "isnull": true, "regex": true, "iregex": true, "search": true, "unaccent": true,
	"trigram_similar": true, "trigram_word_similar": true, "trigram_strict_word_similar": true,
	"has_key": true, "has_keys": true, "has_any_keys": true, "contained_by": true, "overlap": true,
	"len": true, "keys": true, "values": true, "lower": true, "upper": true, "isempty": true,
	"startswith_ci": false, "lower_inc": true, "lower_inf": true, "upper_inc": true, "upper_inf": true,
	"fully_lt": true, "fully_gt": true, "not_lt": true, "not_gt": true, "adjacent_to": true,
}

// standardFields are Django's own column classes: only the built-in
// lookups and transforms apply to them (unless the project registers
// more). Other classes (JSON, arrays, third-party fields) accept anything.
var standardFields = map[string]bool{
	"AutoField": true, "BigAutoField": true, "SmallAutoField": true, "BigIntegerField": true,
	"BinaryField": true, "BooleanField": true, "CharField": true, "DateField": true, "DateTimeField": true,
	"DecimalField": true, "DurationField": true, "EmailField": true, "FileField": true, "FilePathField": true,
	"FloatField": true, "GenericIPAddressField": true, "IPAddressField": true, "ImageField": true,
	"IntegerField": true, "NullBooleanField": true, "PositiveBigIntegerField": true,
	"PositiveIntegerField": true, "PositiveSmallIntegerField": true, "SlugField": true,
	"SmallIntegerField": true, "TextField": true, "TimeField": true, "URLField": true, "UUIDField": true,
}

// IsStandardField reports whether a field's class is one of Django's own
// column classes (django.db.models.CharField...).
func IsStandardField(f *project.Field) bool {
	if f == nil || !strings.HasPrefix(f.Class, "django.db.models.") {
		return false
	}
	return standardFields[f.Class[strings.LastIndex(f.Class, ".")+1:]]
}

// knownAbstract are Django's abstract bases whose fields are fixed: a model
// deriving from them is still fully known.
var knownAbstract = map[string][]string{
	"django.contrib.auth.models.AbstractUser": {"username", "first_name", "last_name", "email", "is_staff",
		"is_active", "date_joined", "password", "last_login", "is_superuser", "groups", "user_permissions"},
	"django.contrib.auth.base_user.AbstractBaseUser":   {"password", "last_login"},
	"django.contrib.auth.models.AbstractBaseUser":      {"password", "last_login"},
	"django.contrib.auth.models.PermissionsMixin":      {"is_superuser", "groups", "user_permissions"},
	"django.contrib.auth.models.AnonymousUser":         nil,
	"django.db.models.Model":                           nil,
	"django.db.models.base.Model":                      nil,
	"django.contrib.auth.base_user.BaseUserManager":    nil,
	"django.contrib.auth.models.UserManager":           nil,
	"django.contrib.sessions.base_session.BaseSession": {"session_key", "session_data", "expire_date"},
}

// lookupEnv is what lookup checks need to know of the whole tree, built
// once per run from the index alone (the semantic model reads it while it
// is being built).
type lookupEnv struct {
	g *project.Models
	// known maps each model whose fields the tree fully defines to the
	// extra field names its Django bases contribute; a model missing from
	// it may have fields rubric cannot see.
	known map[*project.Model][]string
	// opaque are the names of class-level attributes of each model (and its
	// bases) that are not fields: GenericRelation, TaggableManager,
	// HistoricalRecords... They may be queryable and are not judged.
	opaque map[*project.Model]map[string]bool
	// attrs are every attribute name the model's classes define: methods,
	// properties, class attributes (create() and prefetch_related accept
	// them).
	attrs map[*project.Model]map[string]bool
	// children are the concrete models deriving from a concrete model
	// (multi-table inheritance: `place.restaurant`).
	children map[*project.Model][]*project.Model
	// customLookups is set when the tree registers lookups or transforms
	// (register_lookup): any lookup name may exist.
	customLookups bool
	// translated is set when the tree uses django-modeltranslation, which
	// adds `<field>_<lang>` columns at run time.
	translated bool
	// added are the models some code extends at run time (add_to_class,
	// contribute_to_class on a model name).
	added map[string]bool
	// annotating are the names of methods of the tree's QuerySet and
	// Manager classes that add names (annotate, alias, extra, values with
	// expressions); namesClasses the qualified names of the classes whose
	// get_queryset (or __init__, all) adds them to every queryset.
	annotating   map[string]bool
	qsMethods    map[string]bool
	namesClasses map[string]bool
	// hidden are reverse query names of relations whose accessor is
	// hidden (`related_name="+"` with a related_query_name).
	hidden map[*project.Model]map[string]bool
	// genericNames are the related_query_names of GenericRelations: they
	// are names on the related model, whichever it is.
	genericNames map[string]bool
	// managerAlias maps a module-level manager class built with
	// from_queryset to its manager base and queryset class.
	managerAlias map[string][2]string
	// overrides maps the qualified name of a QuerySet or Manager class of
	// the tree to the ORM methods it redefines with parameters of its own
	// (`def get(self, no_cache=False, *args, **kwargs)`): keywords of
	// such a call need not be fields.
	overrides map[string]map[string]bool
	// starModules are the modules with a wildcard import: a base class
	// named there may be any of several classes of that name.
	starModules map[string]bool
}

var lookupEnvOf = &project.ProjectAnalysis[*lookupEnv]{Name: "semantic.lookups", Run: buildLookupEnv}

// addsNames reports calls that add names to a queryset.
func addsNames(call pyast.Node) bool {
	switch string(pyast.CalleeName(call)) {
	case "annotate", "alias", "extra", "raw":
		return true
	case "values", "values_list":
		c, _ := pyast.AsCall(call)
		return len(c.Keywords) > 0 || c.StarKwargs
	}
	return false
}

// foreignQuerySet reports a call building another library's queryset
// (haystack's `SearchQuerySet()`): a manager method that returns it answers
// with search results, whose order_by() and filter() name index fields,
// not the model's.
func foreignQuerySet(u *project.Unit, g *project.Models, call pyast.Node) bool {
	d := pyast.Dotted(call.ChildByField("function"))
	if !strings.HasSuffix(d, "QuerySet") {
		return false
	}
	q := u.Qualify(d)
	return !strings.HasPrefix(q, "django.") && g.LookupClassQual(q) == nil
}

func buildLookupEnv(ix *project.Index) *lookupEnv {
	env := &lookupEnv{g: ix.Models, known: map[*project.Model][]string{}, opaque: map[*project.Model]map[string]bool{},
		attrs: map[*project.Model]map[string]bool{}, children: map[*project.Model][]*project.Model{},
		added: map[string]bool{}, annotating: map[string]bool{}, qsMethods: map[string]bool{}, namesClasses: map[string]bool{},
		hidden: map[*project.Model]map[string]bool{}, genericNames: map[string]bool{}, managerAlias: map[string][2]string{},
		overrides: map[string]map[string]bool{}, starModules: map[string]bool{}}
	g := ix.Models
	if g == nil {
		return env
	}
	for _, u := range ix.Units {
		// Test modules register lookups, patch classes and define models
		// of their own: none of it is how the product's queries read.
		if u.Tree == nil || RolesOf(u).Any(Test) {
			continue
		}
		for _, m := range u.Imports.Modules {
			if strings.HasPrefix(m, "modeltranslation") {
				env.translated = true
			}
		}
		settings := RolesOf(u).Any(Settings)
		for st := range pyast.EachStatement(u.Tree.Root()) {
			if st.Type() == "import_from_statement" && len(pyast.FindAll(st, "wildcard_import")) > 0 {
				env.starModules[u.Module] = true
			}
			if settings {
				if t := settingModel(st); t != "" {
					env.added[t] = true
				}
			}
		}
		for c := range pyast.FindEach(u.Tree.Root(), "call") {
			if t := customRelationTarget(g, u, c); t != "" {
				env.added[t] = true
			}
			switch string(pyast.CalleeName(c)) {
			case "GenericRelation":
				// related_query_name makes a reverse name on the target.
				cc, _ := pyast.AsCall(c)
				if rq, ok := pyast.StringValue(cc.Keyword("related_query_name")); ok {
					env.genericNames[rq] = true
				}
			case "register_lookup":
				env.customLookups = true
			case "add_to_class", "contribute_to_class":
				// `Model.add_to_class(name, field)`, but
				// `field.contribute_to_class(Model, name)`: the model is
				// the first argument there.
				cc, _ := pyast.AsCall(c)
				model := cc.Receiver()
				if string(pyast.CalleeName(c)) == "contribute_to_class" && cc.Func.Type() == "attribute" {
					if a := cc.Arg(0, "cls"); !a.IsNil() {
						model = a
					}
				}
				if d := pyast.Dotted(pyast.Unparen(model)); d != "" {
					env.added[d[strings.LastIndex(d, ".")+1:]] = true
				}
			}
		}
		// Managers built at module level: `M = Manager.from_queryset(QS)`.
		for st := range pyast.EachStatement(u.Tree.Root()) {
			a := st.NamedChild(0)
			if st.Type() != "expression_statement" || a.Type() != "assignment" || a.ChildByField("left").Type() != "identifier" {
				continue
			}
			if c, ok := pyast.AsCall(a.ChildByField("right")); ok && c.MethodName() == "from_queryset" && len(c.Positional) == 1 {
				base := u.Qualify(pyast.Dotted(c.Receiver()))
				env.managerAlias[u.Module+"."+a.ChildByField("left").Text()] = [2]string{base, u.Qualify(pyast.Dotted(c.Positional[0]))}
			}
		}
		// QuerySet and Manager classes: which of their methods add names.
		for cls := range pyast.FindEach(u.Tree.Root(), "class_definition") {
			cf := g.LookupClassQual(u.Module + "." + pyast.DefName(cls))
			if cf == nil || !querySetClass(g, cf) {
				continue
			}
			classAdds := false
			for st := range pyast.EachStatement(pyast.Body(cls)) {
				def := st
				if def.Type() == "decorated_definition" {
					def = def.ChildByField("definition")
				}
				if def.Type() != "function_definition" {
					continue
				}
				name := pyast.DefName(def)
				env.qsMethods[name] = true
				if ownParams(def) || wrappedKwargs(st, def) {
					q := u.Module + "." + pyast.DefName(cls)
					if env.overrides[q] == nil {
						env.overrides[q] = map[string]bool{}
					}
					env.overrides[q][name] = true
				}
				for call := range pyast.FindEach(def, "call") {
					if addsNames(call) || foreignQuerySet(u, g, call) {
						env.annotating[name] = true
						// What every queryset of the manager carries.
						classAdds = classAdds || name == "get_queryset" || name == "__init__" || name == "all"
						break
					}
				}
			}
			if classAdds {
				env.namesClasses[u.Module+"."+pyast.DefName(cls)] = true
			}
		}
	}
	for _, m := range g.All {
		if m.External {
			continue
		}
		for _, b := range m.Bases {
			if !b.Abstract && !b.External {
				env.children[b] = append(env.children[b], m)
			}
		}
		env.classify(m)
		for _, f := range m.Fields {
			if f.To != nil && strings.HasSuffix(f.RelatedName, "+") && f.RelatedQueryName != "" {
				if env.hidden[f.To] == nil {
					env.hidden[f.To] = map[string]bool{}
				}
				env.hidden[f.To][f.RelatedQueryName] = true
			}
		}
	}
	return env
}

// customRelationTarget returns the name of the model a class attribute
// relates to when it is declared with a project subclass of ForeignKey,
// OneToOneField or ManyToManyField that the model graph does not read as
// a relation (nautobot's `ForeignKeyWithAutoRelatedName(to="dcim.Device")`
// names its reverse accessor itself): the target gains reverse names
// rubric cannot list. "" otherwise.
func customRelationTarget(g *project.Models, u *project.Unit, c pyast.Node) string {
	a := c.Parent()
	if a.Type() != "assignment" || !pyast.Unparen(a.ChildByField("right")).Equal(c) {
		return ""
	}
	if blk := a.Parent().Parent(); blk.Type() != "block" || blk.Parent().Type() != "class_definition" {
		return ""
	}
	call, _ := pyast.AsCall(c)
	d := pyast.Dotted(call.Func)
	last := d[strings.LastIndex(d, ".")+1:]
	if d == "" || strings.HasSuffix(last, "ForeignKey") || strings.HasSuffix(last, "OneToOneField") ||
		strings.HasSuffix(last, "ManyToManyField") || last == "ParentalKey" {
		return "" // read as a relation, its related_name with it
	}
	cf := g.LookupClass(u, d)
	if cf == nil {
		return ""
	}
	relation := false
	for _, cc := range append([]*project.ClassFacts{cf}, g.ClassBases(cf)...) {
		for _, b := range cc.Bases {
			if strings.HasSuffix(b, "ForeignKey") || strings.HasSuffix(b, "OneToOneField") || strings.HasSuffix(b, "ManyToManyField") {
				relation = true
			}
		}
	}
	if !relation {
		return ""
	}
	to := call.Keyword("to")
	if to.IsNil() && len(call.Positional) > 0 {
		to = call.Positional[0]
	}
	t, ok := pyast.StringValue(to)
	if !ok {
		t = pyast.Dotted(to)
	}
	return t[strings.LastIndex(t, ".")+1:]
}

// settingModel returns the model a settings entry names for a library
// (`DJSTRIPE_SUBSCRIBER_MODEL = "multitenancy.Tenant"`): the library's own
// models point at it, and it gains the reverse relations they name
// (dj-stripe's Customer.subscriber, related_name "djstripe_customers").
// AUTH_USER_MODEL is the framework's, read elsewhere. "" otherwise.
func settingModel(st pyast.Node) string {
	a := st.NamedChild(0)
	if st.Type() != "expression_statement" || a.Type() != "assignment" || a.ChildByField("left").Type() != "identifier" {
		return ""
	}
	name := a.ChildByField("left").Text()
	if !strings.HasSuffix(name, "_MODEL") || name == "AUTH_USER_MODEL" {
		return ""
	}
	v, ok := pyast.StringValue(pyast.Unparen(a.ChildByField("right")))
	if !ok || strings.Count(v, ".") != 1 || strings.ContainsAny(v, " /:") {
		return ""
	}
	return v[strings.Index(v, ".")+1:]
}

// querySetClass reports a class deriving from a Manager or a QuerySet.
func querySetClass(g *project.Models, c *project.ClassFacts) bool {
	for _, cc := range append([]*project.ClassFacts{c}, g.ClassBases(c)...) {
		for _, b := range cc.Bases {
			if strings.HasSuffix(b, "Manager") || strings.HasSuffix(b, "QuerySet") || strings.HasSuffix(b, ".as_manager") {
				return true
			}
		}
	}
	return false
}

// classify decides whether every field of m is known, and collects the
// names of its classes.
func (env *lookupEnv) classify(m *project.Model) {
	g := env.g
	cf := g.LookupClassQual(m.Qual)
	if cf == nil {
		return
	}
	classes := append([]*project.ClassFacts{cf}, g.ClassBases(cf)...)
	var extra []string
	opaque := map[string]bool{}
	attrs := map[string]bool{}
	closed := !env.added[m.Name] // m.Complete is false for Django's own abstract bases too
	for _, c := range classes {
		if env.starModules[c.Module] {
			closed = false // its bases may be another app's class of the same name
		}
		for _, b := range c.Bases {
			if names, ok := knownAbstract[b]; ok {
				extra = append(extra, names...)
				continue
			}
			if g.LookupClassQual(b) == nil {
				closed = false // a third-party base may declare fields
			}
		}
		for _, name := range c.Methods {
			attrs[name] = true
		}
		for _, a := range c.Attrs {
			attrs[a.Name] = true
			if m.Field(a.Name) == nil {
				opaque[a.Name] = true
			}
		}
		for _, mg := range c.Managers {
			opaque[mg.Name] = true
		}
	}
	env.opaque[m] = opaque
	env.attrs[m] = attrs
	if closed {
		env.known[m] = extra
	}
}

// FieldsKnown reports whether rubric knows every field of md: its classes
// and their bases are the tree's or Django's own, and nothing adds fields
// at run time. Lookups on other models are never judged.
func (m *Model) FieldsKnown(md *project.Model) bool {
	if md == nil || md.External {
		return false
	}
	_, ok := lookupEnvOf.Get(m.Index).known[md]
	return ok
}

// HasAttribute reports whether md's classes define name as a method,
// property or class attribute, or md is not fully known.
func (m *Model) HasAttribute(md *project.Model, name string) bool {
	env := lookupEnvOf.Get(m.Index)
	extra, ok := env.known[md]
	if !ok {
		return true
	}
	return env.attrs[md][name] || contains(extra, name)
}

// ownParams reports whether a method takes named parameters besides self
// and *args/**kwargs.
func ownParams(def pyast.Node) bool {
	for i, p := range pyast.ParamNames(def) {
		if i > 0 && !strings.HasPrefix(p, "*") {
			return true
		}
	}
	kwargs := ""
	for p := range def.ChildByField("parameters").Named() {
		if p.Type() == "dictionary_splat_pattern" {
			kwargs = p.NamedChild(0).Text()
		}
	}
	if kwargs == "" {
		return false
	}
	// Keywords taken out of **kwargs by name are parameters too:
	// `user = kwargs.pop("current_user", None)` before super().create().
	for call := range pyast.FindEach(pyast.Body(def), "call") {
		c, _ := pyast.AsCall(call)
		if m := c.MethodName(); (m == "pop" || m == "get") && c.Func.Type() == "attribute" && pyast.Unparen(c.Receiver()).Text() == kwargs {
			if _, ok := pyast.StringValue(c.Arg(0, "key")); ok {
				return true
			}
		}
	}
	for sub := range pyast.FindEach(pyast.Body(def), "subscript") {
		if pyast.Unparen(sub.ChildByField("value")).Text() == kwargs {
			if _, ok := pyast.StringValue(sub.ChildByField("subscript")); ok {
				return true
			}
		}
	}
	return false
}

// wrappedKwargs reports a method taking **kwargs under a decorator other
// than staticmethod, classmethod or property: the decorator's wrapper sees
// the keywords first and may take some out by name (byro's
// `@log_call(".created")` on a manager's create pops `user_or_context`),
// so the keywords of a call need not name fields.
func wrappedKwargs(st, def pyast.Node) bool {
	if st.Type() != "decorated_definition" {
		return false
	}
	splat := false
	for p := range def.ChildByField("parameters").Named() {
		splat = splat || p.Type() == "dictionary_splat_pattern"
	}
	if !splat {
		return false
	}
	for _, d := range pyast.Decorators(def) {
		switch lastName(pyast.Dotted(decoratorCallee(d))) {
		case "staticmethod", "classmethod", "property":
		default:
			return true
		}
	}
	return false
}

// managerClasses returns the tree's classes behind a custom manager of md
// (for Manager.from_queryset(QS), the manager base and the queryset),
// with their bases; ok is false when one of them is not the tree's.
func (env *lookupEnv) managerClasses(mg *project.Manager) (classes []*project.ClassFacts, ok bool) {
	q := mg.Class
	q = strings.TrimSuffix(strings.TrimSuffix(q, ".as_manager"), ".from_queryset")
	if alias, ok := env.managerAlias[q]; ok {
		// Manager.from_queryset(QS): the manager base, then the queryset.
		if !strings.HasPrefix(alias[0], "django.db.models") {
			cf := env.g.LookupClassQual(alias[0])
			if cf == nil {
				return nil, false
			}
			classes = append(classes, cf)
		}
		q = alias[1]
	}
	cf := env.g.LookupClassQual(q)
	if cf == nil {
		return nil, false
	}
	classes = append(classes, cf)
	return append(classes, env.g.ClassBases(cf)...), true
}

// ManagerOverrides reports whether a custom manager of md (or its queryset
// class) redefines the ORM method with parameters of its own, so that
// the keywords of a call to it on md's managers need not name fields.
func (m *Model) ManagerOverrides(md *project.Model, method string) bool {
	env := lookupEnvOf.Get(m.Index)
	for c := range m.customManagerClasses(md) {
		if env.overrides[c.Module+"."+c.Name][method] {
			return true
		}
	}
	return false
}

// customManagerClasses yields the classes of md's custom managers (and
// their queryset classes and tree bases), manager by manager.
func (m *Model) customManagerClasses(md *project.Model) iter.Seq[*project.ClassFacts] {
	return func(yield func(*project.ClassFacts) bool) {
		env := lookupEnvOf.Get(m.Index)
		for i := range md.Managers {
			mg := &md.Managers[i]
			if md.CustomManager(mg.Name) == nil {
				continue
			}
			classes, _ := env.managerClasses(mg)
			for _, c := range classes {
				if !yield(c) {
					return
				}
			}
		}
	}
}

// managerAddsNames reports whether a model's manager may add annotation
// names to the querysets it returns: a manager class of the tree that
// annotates, or one rubric cannot read.
func (m *Model) managerAddsNames(md *project.Model, manager string) bool {
	env := lookupEnvOf.Get(m.Index)
	mg := md.CustomManager(manager)
	if mg == nil {
		return false
	}
	classes, ok := env.managerClasses(mg)
	if !ok {
		return true
	}
	for _, c := range classes {
		if env.namesClasses[c.Module+"."+c.Name] {
			return true
		}
		for _, b := range c.Bases {
			if env.g.LookupClassQual(b) == nil && !strings.HasPrefix(b, "django.db.models") {
				return true // a third-party base
			}
		}
	}
	// from_queryset(X): X's methods are read by name (methodAddsNames).
	return false
}

// methodAddsNames reports whether a custom queryset or manager method may
// add names: some class of the tree defining it annotates, or none does
// (a library's method).
func (m *Model) methodAddsNames(method string) bool {
	env := lookupEnvOf.Get(m.Index)
	return env.annotating[method] || !env.qsMethods[method]
}

// step is a model or an opaque point of a path being resolved.
type step struct {
	model  *project.Model
	column *project.Field // set when the path reached a column
	open   bool           // anything may follow
}

// CheckPath resolves a lookup path from md the way Django would for the
// given mode, and returns the first part Django rejects, or nil when the
// path is fine or rubric cannot tell (a model not fully known, an external
// target, an attribute it cannot read). names are the queryset's
// annotations, accepted as first parts.
func (m *Model) CheckPath(md *project.Model, path string, mode PathMode, names []string) *PathError {
	env := lookupEnvOf.Get(m.Index)
	if !m.FieldsKnown(md) || path == "" {
		return nil
	}
	if mode != SelectPath && mode != PrefetchPath {
		for _, n := range names {
			if path == n || strings.HasPrefix(path, n+"__") {
				return nil // an annotation (`items__count`), then lookups
			}
		}
	}
	parts := strings.Split(path, "__")
	cur := step{model: md}
	for i, part := range parts {
		if cur.open {
			return nil
		}
		if cur.column != nil {
			// After a column: lookups and transforms only.
			if !IsStandardField(cur.column) || env.customLookups || lookupNames[part] {
				if lookupNames[part] {
					continue
				}
				return nil
			}
			if mode == SelectPath || mode == PrefetchPath || mode == UpdatePath || mode == CreatePath {
				return nil
			}
			return &PathError{Problem: BadLookup, Part: i, Name: part, Model: cur.model,
				Suggest: closest(part, lookupList()), Known: nil}
		}
		if cur.model == nil || !m.FieldsKnown(cur.model) {
			return nil
		}
		if i == 0 && contains(names, part) {
			if mode == SelectPath || mode == PrefetchPath {
				return nil
			}
			cur = step{open: true}
			continue
		}
		if i > 0 && lookupNames[part] && mode != SelectPath && mode != PrefetchPath && cur.model.Attr(part).Kind == project.AttrUnknown {
			// `user__in`, `items__isnull`: a lookup on a relation. A field
			// of that name comes first, as Django resolves it
			// (`slot__day__routine` when Slot has a `day` foreign key).
			continue
		}
		next, err := m.resolvePart(env, cur.model, part, mode, i == len(parts)-1)
		if err != nil {
			err.Part, err.Name = i, part
			err.Known = m.namesOf(env, cur.model, mode, names, i == 0)
			err.Suggest = closest(part, err.Known)
			if err.Problem == NoSuchName && cur.model == env.g.UserModel() && mode != CreatePath &&
				(err.Suggest == "" || editDistance(part, err.Suggest) > 1) {
				// Installed apps (authtoken, allauth...) point relations
				// at the user model that the tree does not show: only a
				// one-letter slip from a real field is judged.
				return nil
			}
			if err.Problem == NoSuchName && m.unknownReverse(part) {
				return nil
			}
			return err
		}
		cur = next
	}
	return nil
}

// unknownReverse reports a name that is the default reverse name
// (`component`, `component_set`) of a project model whose fields rubric
// does not know (a base built by a class factory, a third-party base): a
// relation it declares out of sight may give any model that name.
func (m *Model) unknownReverse(part string) bool {
	env := lookupEnvOf.Get(m.Index)
	name := strings.TrimSuffix(part, "_set")
	for _, o := range env.g.All {
		if !o.External && !o.Abstract && strings.ToLower(o.Name) == name && !m.FieldsKnown(o) {
			return true
		}
	}
	return false
}

// resolvePart reads one part on model md.
func (m *Model) resolvePart(env *lookupEnv, md *project.Model, part string, mode PathMode, last bool) (step, *PathError) {
	if env.opaque[md][part] || env.hidden[md][part] || env.genericNames[part] || part == "_order" {
		return step{open: true}, nil
	}
	if base, ok := strings.CutSuffix(part, "_id"); ok && env.opaque[md][base] {
		// A class attribute rubric does not read as a field may be a
		// relation of a custom class (`user = UnsavedOneToOne(User, ...)`,
		// a subclass of OneToOneField), with its `user_id` column.
		return step{open: true}, nil
	}
	if env.translated || env.added[md.Name] {
		for _, f := range md.Fields {
			if strings.HasPrefix(part, f.Name+"_") {
				return step{open: true}, nil
			}
		}
	}
	for _, f := range md.Fields {
		// A third-party or custom field may add columns of its own
		// (django-money's `price_currency`).
		if strings.HasPrefix(part, f.Name+"_") && !strings.HasPrefix(f.Class, "django.db.models.") && part != f.Name+"_id" {
			return step{open: true}, nil
		}
	}
	if contains(env.known[md], part) {
		return step{open: true}, nil
	}
	f := md.Field(part)
	if f == nil {
		f = md.FKColumn(part)
		if f != nil {
			if mode == SelectPath || mode == PrefetchPath {
				return step{}, &PathError{Problem: NotRelation, Model: md}
			}
			if !last && mode != UpdatePath && mode != CreatePath {
				// Django's get_field() finds a relation by its attname
				// too: `proposal_id__applicant__name` follows Proposal.
				if f.To == nil {
					return step{open: true}, nil
				}
				return step{model: f.To}, nil
			}
			return step{model: md, column: &project.Field{Class: "django.db.models.IntegerField"}}, nil
		}
	}
	switch {
	case part == "pk" || part == "id" && f == nil:
		if mode == SelectPath || mode == PrefetchPath {
			return step{}, &PathError{Problem: NotRelation, Model: md}
		}
		if part == "id" && !hasAutoID(md) {
			break
		}
		return step{open: true}, nil
	case f != nil:
		switch f.Kind {
		case project.Plain:
			if (mode == SelectPath || mode == PrefetchPath) && !IsStandardField(f) {
				// A field class of a library or of the tree (a tag field)
				// may be a relation in disguise.
				return step{open: true}, nil
			}
			switch mode {
			case SelectPath:
				return step{}, &PathError{Problem: NotRelation, Model: md}
			case PrefetchPath:
				return step{}, &PathError{Problem: NotPrefetchable, Model: md}
			}
			return step{model: md, column: f}, nil
		case project.GenericFK:
			return step{open: true}, nil
		case project.ManyToMany:
			if mode == SelectPath {
				return step{}, &PathError{Problem: ManyInSelect, Model: md}
			}
		case project.ForeignKey, project.OneToOne:
		}
		if mode == UpdatePath || mode == CreatePath {
			return step{open: true}, nil
		}
		if f.To == nil {
			return step{open: true}, nil
		}
		return step{model: f.To}, nil
	}
	if mode == UpdatePath {
		return step{}, &PathError{Problem: NoSuchName, Model: md}
	}
	if mode == CreatePath || mode == PrefetchPath {
		if env.attrs[md][part] {
			return step{open: true}, nil
		}
	}
	// Reverse relations: query names in lookups, accessors for prefetch.
	for _, r := range md.Reverse {
		name := queryName(r)
		if mode == PrefetchPath {
			name = r.Name
		}
		if name != part {
			continue
		}
		if mode == CreatePath {
			return step{open: true}, nil
		}
		if mode == SelectPath && r.Many() && !r.Field.Unique {
			return step{}, &PathError{Problem: ManyInSelect, Model: md}
		}
		return step{model: r.From}, nil
	}
	for _, c := range env.children[md] {
		if strings.ToLower(c.Name) == part {
			return step{model: c}, nil
		}
	}
	for _, b := range md.Bases {
		if !b.Abstract && strings.ToLower(b.Name)+"_ptr" == part {
			return step{model: b}, nil
		}
	}
	return step{}, &PathError{Problem: NoSuchName, Model: md}
}

// queryName is a reverse relation's name in lookups, with the
// `%(class)s` and `%(app_label)s` placeholders of abstract bases filled in.
func queryName(r *project.Relation) string {
	return strings.NewReplacer("%(class)s", strings.ToLower(r.From.Name), "%(app_label)s", strings.ToLower(r.From.App)).Replace(r.QueryName)
}

// hasAutoID reports whether md has Django's implicit `id` column: no field
// of its own is the primary key.
func hasAutoID(md *project.Model) bool {
	for _, f := range md.Fields {
		if f.PrimaryKey {
			return false
		}
	}
	return true
}

// namesOf lists the names a model offers in a mode, for messages and
// suggestions.
func (m *Model) namesOf(env *lookupEnv, md *project.Model, mode PathMode, annotations []string, first bool) []string {
	seen := map[string]bool{}
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
		}
	}
	for _, f := range md.Fields {
		switch mode {
		case SelectPath:
			if f.Kind == project.ForeignKey || f.Kind == project.OneToOne {
				add(f.Name)
			}
		case PrefetchPath:
			if f.IsRelation() || f.Kind == project.GenericFK {
				add(f.Name)
			}
		default:
			add(f.Name)
		}
	}
	if mode != SelectPath && mode != PrefetchPath {
		for _, x := range env.known[md] {
			add(x)
		}
	}
	for _, r := range md.Reverse {
		switch mode {
		case SelectPath:
			if !r.Many() || r.Field.Unique {
				add(queryName(r))
			}
		case PrefetchPath:
			add(r.Name)
		case UpdatePath, CreatePath:
		default:
			add(queryName(r))
		}
	}
	if first && mode != SelectPath && mode != PrefetchPath {
		for _, a := range annotations {
			add(a)
		}
	}
	out := make([]string, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

func lookupList() []string {
	var out []string
	for k, ok := range lookupNames {
		if ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// closest returns the candidate nearest to name by edit distance (letters
// swapped, added, removed or changed), when it is near enough to be a
// typo of it; ties go to the first in sorted order.
func closest(name string, cands []string) string {
	best, bestD := "", 1<<30
	limit := 1 + len(name)/4
	if limit > 3 {
		limit = 3
	}
	runes := utf8.RuneCountInString(name)
	for _, c := range cands {
		// Lengths apart by more than limit are farther apart than limit:
		// only a distance within it is ever returned.
		if c == name || abs(utf8.RuneCountInString(c)-runes) > limit {
			continue
		}
		d := editDistance(name, c)
		if d < bestD || d == bestD && c < best {
			best, bestD = c, d
		}
	}
	if bestD <= limit {
		return best
	}
	// A longer or shorter form of the same words (`refund_amount` and
	// `refunded_amount`, `amount` and `total_amount`).
	for _, c := range cands {
		if len(name) >= 4 && (strings.Contains(c, name) || strings.Contains(name, c) && len(c) >= 4) {
			return c
		}
	}
	return ""
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// editDistance is the optimal string alignment distance between a and b.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	n, k := len(ra), len(rb)
	d := make([][]int, n+1)
	for i := range d {
		d[i] = make([]int, k+1)
		d[i][0] = i
	}
	for j := 0; j <= k; j++ {
		d[0][j] = j
	}
	for i := 1; i <= n; i++ {
		for j := 1; j <= k; j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[n][k]
}

// defaultManagerAddsNames reports whether the default manager of md (its
// first declared manager) may add names; related managers derive from it.
func (m *Model) defaultManagerAddsNames(md *project.Model) bool {
	if md == nil || len(md.Managers) == 0 {
		return false
	}
	return m.managerAddsNames(md, md.Managers[0].Name)
}

// noteNames records the names annotate(), alias() and values() add to a
// queryset: keywords, and the default alias of a positional aggregate
// (`annotate(Count("items"))` adds `items__count`). Names it cannot work
// out make the queryset's names open.
func noteNames(q *QS, c pyast.Call) {
	defer func() { sort.Strings(q.Annotated) }() // keywords come from a map
	for k := range c.EachKeyword() {
		if !q.Annotates(k) {
			q.Annotated = append(q.Annotated, k)
		}
	}
	if c.StarKwargs || c.StarArgs {
		q.NamesOpen = true
	}
	switch c.MethodName() {
	case "annotate", "alias":
	default:
		return
	}
	for _, a := range c.Positional {
		ac, ok := pyast.AsCall(a)
		if !ok || len(ac.Positional) != 1 {
			q.NamesOpen = true
			continue
		}
		arg, ok := pyast.StringValue(ac.Positional[0])
		if !ok {
			if fc, isF := pyast.AsCall(ac.Positional[0]); isF && fc.MethodName() == "F" && len(fc.Positional) == 1 {
				arg, ok = pyast.StringValue(fc.Positional[0])
			}
		}
		name := ac.MethodName()
		if !ok || name == "" {
			q.NamesOpen = true
			continue
		}
		alias := arg + "__" + strings.ToLower(name)
		if !q.Annotates(alias) {
			q.Annotated = append(q.Annotated, alias)
		}
	}
}

// Closest returns the candidate nearest to name when it is near enough to
// be a typo of it (see CheckPath's suggestions), else "".
func Closest(name string, cands []string) string { return closest(name, cands) }

// EditDistance is the optimal string alignment distance between a and b.
func EditDistance(a, b string) int { return editDistance(a, b) }

// noteChain records what a chained method does to the rows: filtering
// (filter, exclude, complex_filter, none) and ordering (order_by with
// fields; order_by() without any clears it).
func noteChain(q *QS, c pyast.Call) {
	switch c.MethodName() {
	case "filter", "exclude", "complex_filter", "none":
		q.Filtered = true
	case "order_by":
		q.Ordered = len(c.Positional) > 0 || c.StarArgs
	}
}
