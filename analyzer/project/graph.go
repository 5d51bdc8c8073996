package project

import (
	"path"
	"slices"
	"sort"
	"strings"
)

// Model is a Django model of the analysed tree, or a stub for a model the
// tree refers to but does not define (External).
type Model struct {
	Name   string
	Module string // dotted module defining the class
	Qual   string // Module + "." + Name
	Path   string // display path of the defining file
	Line   int
	// Start and End delimit the class definition.
	Start, End int
	App        string // app label ("transactions")
	AppPackage string // dotted package of the app
	Abstract   bool
	Proxy      bool
	// External models are referenced (a relation target, auth.User) but not
	// defined in the tree: only the reverse relations the tree declares on
	// them are known.
	External bool
	// Complete is false when a base class could not be resolved (third
	// party): attributes the graph does not know may still be fields.
	Complete bool
	// Bases are the model bases defined in the tree; ExternalBases the rest
	// (django.db.models.Model excluded).
	Bases         []*Model
	ExternalBases []string
	// Fields are own and inherited fields in declaration order, base fields
	// first.
	Fields   []*Field
	Managers []Manager
	Meta     Meta
	// Reverse are the relations other models declare towards this one.
	Reverse []*Relation

	fields  map[string]*Field
	reverse map[string]*Relation
	class   *ClassFacts
	// generic are the model's GenericRelations (GenericRel), kept out of
	// Fields and Field: only Attr reads them.
	generic map[string]*Field
}

// Label is "app.Model".
func (m *Model) Label() string { return m.App + "." + m.Name }

// NamesMetaclass reports a model whose class statement names a metaclass
// (ClassFacts.Metaclass).
func (m *Model) NamesMetaclass() bool { return m.class != nil && m.class.Metaclass }

// Relation is a reverse accessor: the field From.Field points at the model
// holding the relation.
type Relation struct {
	Name      string // accessor on the target ("transactions", "order_set", "profile")
	QueryName string // name in lookups ("transaction")
	From      *Model
	Field     *Field
}

// Many reports whether the accessor is a manager (reverse FK or M2M)
// rather than one object (reverse one-to-one).
func (r *Relation) Many() bool { return r.Field.Kind != OneToOne }

// Field returns the field named name (own or inherited), or nil.
func (m *Model) Field(name string) *Field {
	if m == nil {
		return nil
	}
	return m.fields[name]
}

// ReverseRelation returns the reverse accessor named name, or nil. A
// multi-table child or a proxy has its concrete parents' accessors too
// (`cloud_host.ethernet_set` where Ethernet points at the parent
// BaseObject): the graph copies them into the child (inheritReverse).
func (m *Model) ReverseRelation(name string) *Relation {
	if m == nil {
		return nil
	}
	return m.reverse[name]
}

// AttrKind says what an attribute of a model instance is.
type AttrKind int

// Attribute kinds.
const (
	AttrUnknown     AttrKind = iota // not known to the graph
	AttrColumn                      // a plain field, a `<fk>_id` column, `pk`/`id`
	AttrForward                     // FK, one-to-one or generic FK: loads one object
	AttrManyToMany                  // forward M2M: a related manager
	AttrReverseMany                 // reverse FK or M2M: a related manager
	AttrReverseOne                  // reverse one-to-one: loads one object
	AttrManager                     // a model manager (on the class)
)

// Attr describes an attribute of a model instance.
type Attr struct {
	Kind     AttrKind
	Field    *Field    // forward fields and columns
	Relation *Relation // reverse accessors
	// Target is the related model (nil when external or unknown).
	Target *Model
}

// Attr classifies name on an instance of m.
func (m *Model) Attr(name string) Attr {
	if m == nil {
		return Attr{}
	}
	if f := m.fields[name]; f != nil {
		switch f.Kind {
		case ForeignKey, OneToOne, GenericFK:
			return Attr{Kind: AttrForward, Field: f, Target: f.To}
		case ManyToMany:
			return Attr{Kind: AttrManyToMany, Field: f, Target: f.To}
		}
		return Attr{Kind: AttrColumn, Field: f}
	}
	if f := m.generic[name]; f != nil {
		// A GenericRelation: a manager of the target's rows on the row,
		// read and prefetched as a many-to-many one.
		return Attr{Kind: AttrManyToMany, Field: f, Target: f.To}
	}
	if r := m.ReverseRelation(name); r != nil {
		if r.Many() {
			return Attr{Kind: AttrReverseMany, Relation: r, Target: r.From}
		}
		return Attr{Kind: AttrReverseOne, Relation: r, Target: r.From}
	}
	if name == "pk" || name == "id" {
		return Attr{Kind: AttrColumn}
	}
	if col, ok := strings.CutSuffix(name, "_id"); ok {
		if f := m.fields[col]; f != nil && (f.Kind == ForeignKey || f.Kind == OneToOne) {
			return Attr{Kind: AttrColumn, Field: f}
		}
	}
	for _, mg := range m.Managers {
		if mg.Name == name {
			return Attr{Kind: AttrManager}
		}
	}
	return Attr{}
}

// Follow walks a lookup path ("merchant__category", "items__product")
// from m, one attribute per part. It returns each step's attribute and ok
// false as soon as a part is not a relation of the graph (the steps so far
// are still returned); a final column ("merchant__name") is returned as its
// AttrColumn step with ok true.
func (m *Model) Follow(path string) (steps []Attr, ok bool) {
	cur := m
	parts := strings.Split(path, "__")
	for i, part := range parts {
		if cur == nil {
			return steps, false
		}
		a := cur.Attr(part)
		switch a.Kind {
		case AttrForward, AttrReverseOne, AttrManyToMany, AttrReverseMany:
			steps = append(steps, a)
			cur = a.Target
		case AttrColumn:
			steps = append(steps, a)
			return steps, i == len(parts)-1
		default:
			return steps, false
		}
	}
	return steps, true
}

// FKColumn returns the forward FK/one-to-one field whose column is name
// ("merchant_id" -> merchant), or nil.
func (m *Model) FKColumn(name string) *Field {
	col, ok := strings.CutSuffix(name, "_id")
	if !ok || m == nil {
		return nil
	}
	if f := m.fields[col]; f != nil && (f.Kind == ForeignKey || f.Kind == OneToOne) {
		return f
	}
	return nil
}

// HasManager reports whether name is a manager of the model: a declared
// one, or `objects` when the model declares none (Django's default).
func (m *Model) HasManager(name string) bool {
	for _, mg := range m.Managers {
		if mg.Name == name {
			return true
		}
	}
	switch name {
	case "_default_manager", "_base_manager":
		return true
	case "objects":
		return len(m.Managers) == 0 || !m.Complete
	}
	return false
}

func hasManager(ms []Manager, name string) bool {
	for _, mg := range ms {
		if mg.Name == name {
			return true
		}
	}
	return false
}

// CustomManager returns the declared manager called name when its class is
// not Django's plain Manager, or nil.
func (m *Model) CustomManager(name string) *Manager {
	for i, mg := range m.Managers {
		if mg.Name == name && !strings.HasSuffix(mg.Class, "models.Manager") {
			return &m.Managers[i]
		}
	}
	return nil
}

// Overrides reports whether the model, or a model base in the tree,
// defines the method (save, delete...).
func (m *Model) Overrides(method string) bool {
	if m == nil || m.class == nil {
		return false
	}
	for _, name := range m.class.Methods {
		if name == method {
			return true
		}
	}
	for _, b := range m.Bases {
		if b != m && b.Overrides(method) {
			return true
		}
	}
	return false
}

// InUniqueGroup reports whether a unique_together set or UniqueConstraint
// of m names the field (with others or alone).
func (m *Model) InUniqueGroup(name string) bool {
	for _, group := range [][][]string{m.Meta.UniqueTogether, m.Meta.Unique} {
		for _, fs := range group {
			for _, f := range fs {
				if f == name {
					return true
				}
			}
		}
	}
	return false
}

// UniqueBy reports whether equality on the given fields (names or `_id`
// columns) selects at most one row: one of them is the primary key or
// unique, or they include every field of a unique_together set or
// UniqueConstraint.
func (m *Model) UniqueBy(fields []string) bool {
	if m == nil {
		return false
	}
	have := map[string]bool{}
	for _, name := range fields {
		if name == "pk" || name == "id" {
			return true
		}
		f := m.fields[name]
		if f == nil {
			f = m.FKColumn(name)
		}
		if f == nil {
			continue
		}
		if f.PrimaryKey || f.Unique {
			return true
		}
		have[f.Name] = true
	}
	for _, group := range [][][]string{m.Meta.UniqueTogether, m.Meta.Unique} {
		for _, fs := range group {
			all := len(fs) > 0
			for _, f := range fs {
				if !have[f] {
					all = false
				}
			}
			if all {
				return true
			}
		}
	}
	return false
}

// Indexed reports whether an index leads with field (a field name or its
// `_id` column): primary key, unique, db_index, foreign keys (indexed by
// Django unless db_index=False), or the first field of Meta.indexes,
// index_together, unique_together or a UniqueConstraint.
func (m *Model) Indexed(field string) bool {
	if m == nil {
		return false
	}
	if field == "pk" || field == "id" {
		return true
	}
	f := m.fields[field]
	if f == nil {
		f = m.FKColumn(field)
	}
	if f != nil {
		field = f.Name
		if f.PrimaryKey || f.Unique || f.DBIndex {
			return true
		}
		if (f.Kind == ForeignKey || f.Kind == OneToOne) && !f.NoDBIndex {
			return true
		}
	}
	for _, group := range [][][]string{m.Meta.Indexes, m.Meta.IndexTogether, m.Meta.UniqueTogether, m.Meta.Unique} {
		for _, fs := range group {
			if len(fs) > 0 && strings.TrimPrefix(fs[0], "-") == field {
				return true
			}
		}
	}
	return false
}

// Models is the project's model graph, read-only once built.
type Models struct {
	// All are the models defined in the tree, sorted by app label then name
	// (abstract ones included).
	All []*Model
	// AuthUser is the label of AUTH_USER_MODEL ("auth.User" by default).
	AuthUser string
	// DefaultPagination is set when settings give DRF a
	// DEFAULT_PAGINATION_CLASS.
	DefaultPagination bool

	byQual    map[string]*Model
	byName    map[string][]*Model
	byLabel   map[string]*Model // lower-cased "app.model"
	external  map[string]*Model
	classes   map[string]*ClassFacts
	cbyName   map[string][]*ClassFacts
	qsMethods map[string]bool
	// segments holds every dotted part of the modules the tree's classes
	// live in: a qualified name whose package is none of them was
	// imported from outside the tree (`pydantic.BaseModel`).
	segments map[string]bool
}

// knownExternal maps well-known qualified names of Django's own models to
// their labels.
var knownExternal = map[string]string{
	"django.contrib.auth.models.User":                 "auth.User",
	"django.contrib.auth.models.Group":                "auth.Group",
	"django.contrib.auth.models.Permission":           "auth.Permission",
	"django.contrib.contenttypes.models.ContentType":  "contenttypes.ContentType",
	"django.contrib.sites.models.Site":                "sites.Site",
	"django.contrib.auth.base_user.AbstractBaseUser":  "",
	"django.contrib.auth.models.AbstractUser":         "",
	"django.contrib.auth.models.AbstractBaseUser":     "",
	"django.contrib.auth.models.PermissionsMixin":     "",
	"django.contrib.sessions.models.Session":          "sessions.Session",
	"django.contrib.admin.models.LogEntry":            "admin.LogEntry",
	"django.contrib.contenttypes.models.ContentTypes": "",
	// Wagtail's page model, the base of every page type of a Wagtail
	// site (wagtail.core before Wagtail 3), and its abstract Orderable.
	"wagtail.models.Page":           "wagtailcore.Page",
	"wagtail.core.models.Page":      "wagtailcore.Page",
	"wagtail.models.Orderable":      "",
	"wagtail.core.models.Orderable": "",
}

func isDjangoModel(q string) bool {
	return q == "django.db.models.Model" || q == "django.db.models.base.Model"
}

// looksLikeExternalModel guesses whether an unresolved base is a model
// class of a library (AbstractUser, MPTTModel, PolymorphicModel...).
func looksLikeExternalModel(q string) bool {
	if _, ok := knownExternal[q]; ok {
		return true
	}
	last := q[strings.LastIndex(q, ".")+1:]
	switch last {
	case "MP_Node", "NS_Node", "AL_Node": // django-treebeard (treebeard.mp_tree...)
		return strings.HasPrefix(q, "treebeard.")
	}
	if !strings.Contains(q, "models") && !strings.HasPrefix(q, "django.contrib") {
		return false
	}
	return strings.HasSuffix(last, "Model") || strings.HasPrefix(last, "Abstract") ||
		last == "MP_Node" || last == "NS_Node" || last == "AL_Node" || last == "PermissionsMixin"
}

// libraryModelBase reports an unresolved base taken from a library
// (`edx_rbac.models.UserRoleAssignment`, parasolr's
// `parasolr.django.indexing.ModelIndexable`) of a class whose body
// declares a django.db.models field: the class is a model (the library's
// abstract one lends it fields the graph does not know), whatever the
// base's name or module says; Django ignores model fields on any other
// class.
func libraryModelBase(b string, c *ClassFacts) bool {
	if strings.HasPrefix(b, "django.") {
		return false // django.db.models.Func, Expression...: not models
	}
	last := b[strings.LastIndex(b, ".")+1:]
	for _, s := range []string{"Manager", "QuerySet", "Func", "Expression", "Field", "Lookup", "Transform", "Aggregate", "Index", "Constraint"} {
		if strings.HasSuffix(last, s) {
			return false
		}
	}
	for _, f := range c.Fields {
		if strings.HasPrefix(f.Class, "django.db.models.") {
			return true
		}
	}
	return false
}

// appDir returns the directory of a model's app package, from the path of
// the module declaring it ("src/argus/auth/models/user.py", module
// "argus.auth.models.user", package "argus.auth": "src/argus/auth").
func appDir(file, module, pkg string) string {
	up := strings.Count(module, ".") - strings.Count(pkg, ".")
	if pkg == module || up < 1 {
		return ""
	}
	dir := file
	for range up {
		dir = path.Dir(dir)
	}
	if dir == "." {
		return ""
	}
	return dir
}

func buildModels(facts []*Facts, settings *Settings) *Models {
	g := &Models{byQual: map[string]*Model{}, byName: map[string][]*Model{}, byLabel: map[string]*Model{},
		external: map[string]*Model{}, classes: map[string]*ClassFacts{}, cbyName: map[string][]*ClassFacts{}, segments: map[string]bool{}, AuthUser: "auth.User"}
	if label := settings.AuthUserModel(); label != "" {
		g.AuthUser = label
	}
	g.DefaultPagination = settings.DefaultPagination()
	// AppConfig labels (`label = "argus_auth"` in argus/auth/apps.py),
	// by the app's package directory: a model of that package has that
	// label, which AUTH_USER_MODEL and "app.Model" references name.
	appLabels := map[string]string{}
	for _, f := range facts {
		if l := f.Migrations.AppLabel; l != nil {
			appLabels[l.Dir] = l.Label
		}
	}
	var classes []*ClassFacts
	for _, f := range facts {
		if f.Models == nil {
			continue
		}
		for _, c := range f.Models.Classes {
			q := c.Module + "." + c.Name
			if prev, dup := g.classes[q]; dup {
				if prev.Path == c.Path {
					// Redefined later in the same module: as in Python,
					// the last definition is the class.
					g.classes[q] = c
					for i, x := range g.cbyName[c.Name] {
						if x == prev {
							g.cbyName[c.Name][i] = c
						}
					}
					for i, x := range classes {
						if x == prev {
							classes[i] = c
						}
					}
				}
				continue
			}
			g.classes[q] = c
			g.cbyName[c.Name] = append(g.cbyName[c.Name], c)
			classes = append(classes, c)
			for part := range strings.SplitSeq(c.Module, ".") {
				g.segments[part] = true
			}
		}
	}
	// Which classes are models: fixpoint over bases.
	isModel := map[*ClassFacts]bool{}
	for changed := true; changed; {
		changed = false
		for _, c := range classes {
			if isModel[c] {
				continue
			}
			for _, b := range c.Bases {
				if isDjangoModel(b) || looksLikeExternalModel(b) {
					isModel[c] = true
				} else if bc := g.findClass(b); bc != nil && bc != c && isModel[bc] {
					isModel[c] = true
				} else if bc == nil && libraryModelBase(b, c) {
					isModel[c] = true
				}
			}
			if isModel[c] {
				changed = true
			}
		}
	}
	for _, c := range classes {
		if !isModel[c] {
			continue
		}
		m := &Model{Name: c.Name, Module: c.Module, Qual: c.Module + "." + c.Name, Path: c.Path, Line: c.Line,
			Start: c.Start, End: c.End, Abstract: c.Meta.Abstract, Proxy: c.Meta.Proxy, Complete: true, class: c,
			fields: map[string]*Field{}, reverse: map[string]*Relation{}}
		m.AppPackage, m.App = appOf(c.Module)
		if l, ok := appLabels[appDir(c.Path, c.Module, m.AppPackage)]; ok {
			m.App = l
		}
		if c.Meta.AppLabel != "" {
			m.App = c.Meta.AppLabel
		}
		g.byQual[m.Qual] = m
		g.byName[m.Name] = append(g.byName[m.Name], m)
		g.All = append(g.All, m)
	}
	// Bases, in declaration order; a base's own bases first.
	for _, m := range g.All {
		for _, b := range m.class.Bases {
			if isDjangoModel(b) {
				continue
			}
			if bc := g.findClass(b); bc != nil {
				if bm := g.byQual[bc.Module+"."+bc.Name]; bm != nil && bm != m {
					m.Bases = append(m.Bases, bm)
				}
				continue // a plain mixin: contributes no fields
			}
			m.ExternalBases = append(m.ExternalBases, b)
			if looksLikeExternalModel(b) {
				m.Complete = false
			}
		}
	}
	for _, m := range g.All {
		g.byLabel[strings.ToLower(m.Label())] = m
	}
	// Fields: inherited first (copied per model so targets resolve in the
	// concrete model's app), then own.
	done := map[*Model]bool{}
	for _, m := range g.All {
		g.collect(m, done, 0)
	}
	// Targets and reverse accessors.
	for _, m := range g.All {
		kept := m.Fields[:0]
		for _, f := range m.Fields {
			if f.Kind != GenericRel {
				kept = append(kept, f)
				continue
			}
			// A GenericRelation: no column, no reverse accessor; out of
			// Fields, read by Attr only.
			if m.generic == nil {
				m.generic = map[string]*Field{}
			}
			m.generic[f.Name] = f
			delete(m.fields, f.Name)
			if f.Model == m {
				f.To = g.resolveTarget(m, f.Target)
			}
		}
		m.Fields = kept
		for _, f := range m.Fields {
			if !f.IsRelation() {
				continue
			}
			if f.Model != m {
				continue // a multi-table parent's field: the parent owns it
			}
			f.To = g.resolveTarget(m, f.Target)
			if m.Abstract {
				continue // reverse accessors belong to the concrete children
			}
			if f.To == nil {
				f.External = g.externalModel(f.Target, m).Qual
			}
			if strings.HasSuffix(f.RelatedName, "+") {
				continue
			}
			to := f.To
			if to == nil {
				to = g.externalModel(f.Target, m)
			}
			name := f.RelatedName
			if name == "" {
				if f.Kind == OneToOne {
					name = strings.ToLower(m.Name)
				} else {
					name = strings.ToLower(m.Name) + "_set"
				}
			}
			name = strings.NewReplacer("%(class)s", strings.ToLower(m.Name), "%(app_label)s", strings.ToLower(m.App)).Replace(name)
			qn := f.RelatedQueryName
			if qn == "" {
				qn = f.RelatedName
				if qn == "" {
					qn = strings.ToLower(m.Name)
				}
			}
			r := &Relation{Name: name, QueryName: qn, From: m, Field: f}
			if _, dup := to.reverse[name]; !dup {
				to.reverse[name] = r
				to.Reverse = append(to.Reverse, r)
			}
		}
	}
	// A multi-table child or a proxy reaches its concrete parents'
	// reverse accessors (through the parent link) and, for a multi-table
	// child, the parent link itself (`<parent>_ptr`).
	for _, m := range g.All {
		g.linkParents(m)
	}
	inherited := map[*Model]bool{}
	for _, m := range g.All {
		g.inheritReverse(m, inherited, 0)
	}
	g.qsMethods = map[string]bool{}
	for _, c := range classes {
		if g.isQuerySetClass(c, 0) {
			// Its own methods and those of the project mixins it derives
			// from (`class QS(SpecificQuerySetMixin, models.QuerySet)`).
			for _, cc := range append([]*ClassFacts{c}, g.ClassBases(c)...) {
				for _, name := range cc.Methods {
					g.qsMethods[name] = true
				}
			}
		}
	}
	sort.SliceStable(g.All, func(i, j int) bool {
		if g.All[i].App != g.All[j].App {
			return g.All[i].App < g.All[j].App
		}
		return g.All[i].Name < g.All[j].Name
	})
	return g
}

// linkParents gives a multi-table child the `<parent>_ptr` link to each
// concrete parent it does not link to itself, and the parent the reverse
// accessor of that link, named for the child (`base_object.asset`,
// `BaseObject.objects.filter(asset__hostname=...)`). The link is a lookup
// name only: it is not in m.Fields, which list what the model declares
// and inherits.
func (g *Models) linkParents(m *Model) {
	if m.Abstract || m.Proxy {
		return
	}
	for _, b := range m.Bases {
		if b.Abstract {
			continue
		}
		linked := false
		for _, f := range m.Fields {
			linked = linked || f.Model == m && f.Kind == OneToOne && f.To == b
		}
		ptr := strings.ToLower(b.Name) + "_ptr"
		if linked || m.fields[ptr] != nil {
			continue
		}
		f := &Field{Name: ptr, Kind: OneToOne, Class: "django.db.models.OneToOneField", Target: b.Qual,
			Path: m.Path, Line: m.Line, Unique: true, PrimaryKey: true, Model: m, To: b}
		m.fields[ptr] = f
		name := strings.ToLower(m.Name)
		if _, dup := b.reverse[name]; !dup && b.fields[name] == nil {
			r := &Relation{Name: name, QueryName: name, From: m, Field: f}
			b.reverse[name] = r
			b.Reverse = append(b.Reverse, r)
		}
	}
}

// inheritReverse adds to m, once, the reverse accessors of its concrete
// bases (their own first, then theirs) that m does not shadow.
func (g *Models) inheritReverse(m *Model, done map[*Model]bool, depth int) {
	if done[m] || depth > 50 {
		return
	}
	done[m] = true
	if m.Abstract {
		return
	}
	for _, b := range m.Bases {
		if b.Abstract {
			continue
		}
		g.inheritReverse(b, done, depth+1)
		for _, r := range b.Reverse {
			if _, dup := m.reverse[r.Name]; dup || m.fields[r.Name] != nil {
				continue
			}
			m.reverse[r.Name] = r
			m.Reverse = append(m.Reverse, r)
		}
	}
}

// collect fills m.Fields from its bases and its class, once.
func (g *Models) collect(m *Model, done map[*Model]bool, depth int) {
	if done[m] || depth > 50 {
		return
	}
	done[m] = true
	add := func(f *Field) {
		if _, dup := m.fields[f.Name]; dup {
			// An override in a child replaces the inherited field.
			for i, old := range m.Fields {
				if old.Name == f.Name {
					m.Fields[i] = f
				}
			}
			m.fields[f.Name] = f
			return
		}
		m.fields[f.Name] = f
		m.Fields = append(m.Fields, f)
	}
	for _, b := range m.Bases {
		g.collect(b, done, depth+1)
		for _, f := range b.Fields {
			if b.Abstract {
				cp := *f
				cp.Model = m
				if cp.Abstract == nil {
					cp.Abstract = b
				}
				add(&cp)
			} else {
				add(f) // multi-table inheritance: the parent's field
			}
		}
		for _, mg := range b.Managers {
			if !hasManager(m.Managers, mg.Name) {
				m.Managers = append(m.Managers, mg)
			}
		}
		if !b.Complete {
			m.Complete = false
		}
		if !m.class.Meta.HasMeta || len(m.class.Meta.Ordering) == 0 {
			if len(m.Meta.Ordering) == 0 {
				m.Meta.Ordering = b.Meta.Ordering
			}
		}
		if b.Abstract {
			m.Meta.Indexes = append(m.Meta.Indexes, b.Meta.Indexes...)
			m.Meta.IndexTogether = append(m.Meta.IndexTogether, b.Meta.IndexTogether...)
			m.Meta.UniqueTogether = append(m.Meta.UniqueTogether, b.Meta.UniqueTogether...)
			m.Meta.Unique = append(m.Meta.Unique, b.Meta.Unique...)
		}
	}
	c := m.class
	for _, name := range c.Cleared {
		// `update_date = None`: the field an abstract base declares is
		// removed from this model (Django's documented way to drop one).
		if f := m.fields[name]; f != nil && f.Model == m && f.Abstract != nil {
			delete(m.fields, name)
			m.Fields = slices.DeleteFunc(m.Fields, func(x *Field) bool { return x == f })
		}
	}
	for _, f := range c.Fields {
		cp := *f
		cp.Model = m
		if f.Kind == Plain && g.isTaggableManager(f.Class) {
			// A project subclass of django-taggit's TaggableManager named
			// like a field: the model's tags, a many-to-many relation.
			cp.Kind, cp.Target = ManyToMany, taggitTag
		}
		add(&cp)
	}
	// Own managers come first (the first is the default manager) and
	// override inherited ones of the same name.
	var own []Manager
	for _, mg := range g.classManagers(c) {
		if g.isTaggableManager(mg.Class) {
			// A project subclass of TaggableManager: the model's tags (a
			// relation), not a model manager.
			add(&Field{Name: mg.Name, Kind: ManyToMany, Class: mg.Class, Target: taggitTag, Model: m,
				Path: c.Path, Line: c.Line, Start: c.Start, End: c.Start})
			continue
		}
		own = append(own, mg)
	}
	for _, mg := range m.Managers {
		if !hasManager(own, mg.Name) {
			own = append(own, mg)
		}
	}
	m.Managers = own
	meta := c.Meta
	m.Meta.Abstract, m.Meta.Proxy, m.Meta.Unmanaged, m.Meta.AppLabel = meta.Abstract, meta.Proxy, meta.Unmanaged, meta.AppLabel
	if len(meta.Ordering) > 0 {
		m.Meta.Ordering = meta.Ordering
	}
	m.Meta.Indexes = append(m.Meta.Indexes, meta.Indexes...)
	m.Meta.IndexTogether = append(m.Meta.IndexTogether, meta.IndexTogether...)
	m.Meta.UniqueTogether = append(m.Meta.UniqueTogether, meta.UniqueTogether...)
	m.Meta.Unique = append(m.Meta.Unique, meta.Unique...)
}

// taggitTag is the model django-taggit's TaggableManager relates to by
// default (a custom through model may point elsewhere; prefetching
// `tags` works the same).
const taggitTag = "taggit.models.Tag"

// isTaggableManager reports a django-taggit TaggableManager class, or a
// class of the tree deriving from one.
func (g *Models) isTaggableManager(q string) bool {
	taggit := func(b string) bool {
		return (strings.HasPrefix(b, "taggit.") || strings.HasPrefix(b, "modelcluster.contrib.taggit.")) && strings.HasSuffix(b, "TaggableManager")
	}
	if taggit(q) {
		return true
	}
	cf := g.findClass(q)
	if cf == nil {
		return false
	}
	for _, c := range append([]*ClassFacts{cf}, g.ClassBases(cf)...) {
		for _, b := range c.Bases {
			if taggit(b) {
				return true
			}
		}
	}
	return false
}

// findClass finds a class of the tree by a qualified name as some file
// resolved it. The tree's module names are relative to the analysed root,
// which may sit above the import root, and packages re-export models from
// submodules, so suffix and package matches count when unambiguous.
func (g *Models) findClass(q string) *ClassFacts {
	if c := g.classes[q]; c != nil {
		return c
	}
	dot := strings.LastIndex(q, ".")
	name, mod := q[dot+1:], ""
	if dot > 0 {
		mod = q[:dot]
	}
	cands := g.cbyName[name]
	if len(cands) == 0 || strings.HasPrefix(q, "django.") {
		return nil
	}
	if c := pickClass(cands, func(c *ClassFacts) bool { return strings.HasSuffix("."+c.Module+"."+c.Name, "."+q) }); c != nil {
		return c
	}
	if mod != "" {
		if c := pickClass(cands, func(c *ClassFacts) bool { return strings.Contains("."+c.Module+".", "."+mod+".") }); c != nil {
			return c
		}
	}
	// The one class of that name stands for a qualified name the tree
	// may spell from another import root, but not for one whose package
	// is no part of the tree: `from pydantic import BaseModel` is not the
	// project's own `core.models.BaseModel`.
	if len(cands) == 1 && (mod == "" || g.segments[strings.SplitN(mod, ".", 2)[0]]) {
		return cands[0]
	}
	return nil
}

// PackageInTree reports whether the first part of a dotted module path is
// a module path part of one of the tree's classes: `certego_saas` of an
// installed library is not.
func (g *Models) PackageInTree(mod string) bool {
	return g != nil && g.segments[strings.SplitN(mod, ".", 2)[0]]
}

func pickClass(cands []*ClassFacts, ok func(*ClassFacts) bool) *ClassFacts {
	var found *ClassFacts
	for _, c := range cands {
		if ok(c) {
			if found != nil {
				return nil
			}
			found = c
		}
	}
	return found
}

// resolveTarget resolves a relation target written in model m.
func (g *Models) resolveTarget(m *Model, t string) *Model {
	switch {
	case t == "":
		return nil
	case t == "self":
		return m
	case t == AuthUserModel:
		return g.byLabel[strings.ToLower(g.AuthUser)]
	}
	if label, ok := knownExternal[t]; ok && label != "" {
		return g.byLabel[strings.ToLower(label)]
	}
	if strings.Count(t, ".") == 1 {
		if to := g.byLabel[strings.ToLower(t)]; to != nil {
			return to
		}
	}
	if !strings.Contains(t, ".") {
		// Same app first, then unique by name.
		if to := g.byLabel[strings.ToLower(m.App+"."+t)]; to != nil {
			return to
		}
		if ms := g.byName[t]; len(ms) == 1 {
			return ms[0]
		}
		return nil
	}
	if m := g.ByQual(t); m != nil && !m.External {
		return m
	}
	return nil
}

// externalModel returns the stub standing for an unresolved target.
func (g *Models) externalModel(t string, from *Model) *Model {
	key := t
	if t == AuthUserModel {
		key = g.AuthUser
	} else if label, ok := knownExternal[t]; ok && label != "" {
		key = label
	} else if !strings.Contains(t, ".") {
		key = from.App + "." + t
	}
	if m := g.external[strings.ToLower(key)]; m != nil {
		return m
	}
	name := key[strings.LastIndex(key, ".")+1:]
	m := &Model{Name: name, Qual: key, External: true, fields: map[string]*Field{}, reverse: map[string]*Relation{}}
	if i := strings.Index(key, "."); i > 0 && strings.Count(key, ".") == 1 {
		m.App = key[:i]
	}
	g.external[strings.ToLower(key)] = m
	return m
}

// ByLabel finds a model by "app.Model" (case-insensitive), external stubs
// included.
func (g *Models) ByLabel(label string) *Model {
	if g == nil {
		return nil
	}
	l := strings.ToLower(label)
	if m := g.byLabel[l]; m != nil {
		return m
	}
	return g.external[l]
}

// ByQual finds a model by qualified class name as an import resolves it
// ("shop.models.Order", also through package re-exports), or a known
// Django model stub ("django.contrib.auth.models.User").
func (g *Models) ByQual(q string) *Model {
	if g == nil {
		return nil
	}
	if m := g.byQual[q]; m != nil {
		return m
	}
	if label, ok := knownExternal[q]; ok {
		if label == "" {
			return nil
		}
		if q == "django.contrib.auth.models.User" {
			label = g.AuthUser
		}
		return g.ByLabel(label)
	}
	if c := g.findClass(q); c != nil {
		return g.byQual[c.Module+"."+c.Name]
	}
	return nil
}

// Lookup resolves a dotted name as written in unit u ("Order",
// "models.Order", "shop.models.Order") to a model, through u's imports and
// module-level names. `get_user_model()` is not a name: see AuthUserModel.
func (g *Models) Lookup(u *Unit, dotted string) *Model {
	if g == nil || dotted == "" {
		return nil
	}
	q := resolveName(u, dotted)
	if m := g.ByQual(q); m != nil {
		return m
	}
	if label, ok := u.ModelAliases[dotted]; ok {
		if label == AuthUserModel {
			return g.UserModel()
		}
		return g.ByLabel(label)
	}
	return nil
}

// LookupClass resolves a dotted name as written in unit u to a class of
// the tree (any class with bases: serializers, views, forms...), or nil.
func (g *Models) LookupClass(u *Unit, dotted string) *ClassFacts {
	if g == nil || dotted == "" {
		return nil
	}
	return g.findClass(resolveName(u, dotted))
}

// ClassAttrs returns the class-level `name = Callee(...)` assignments of
// m's class and of the classes of the tree it derives from (model or not),
// the class's own first: what may declare a field the graph does not read
// as one (a third-party or wrapped field class).
func (g *Models) ClassAttrs(m *Model) []ClassAttr {
	if g == nil || m == nil || m.class == nil {
		return nil
	}
	out := append([]ClassAttr(nil), m.class.Attrs...)
	for _, b := range g.ClassBases(m.class) {
		out = append(out, b.Attrs...)
	}
	return out
}

// classManagers returns the managers a model class declares, in the order
// of its body: those named like one (`objects = OrderManager()`, read with
// the class) and attributes built by a project class deriving from a
// Manager whatever its name (`by_start = EventOrderedByStart()`).
func (g *Models) classManagers(c *ClassFacts) []Manager {
	var out []Manager
	for _, ca := range c.Attrs {
		if hasManager(c.Managers, ca.Name) {
			for _, mg := range c.Managers {
				if mg.Name == ca.Name {
					out = append(out, mg)
				}
			}
			continue
		}
		if hasManager(out, ca.Name) || c.fieldNamed(ca.Name) {
			continue
		}
		if bc := g.findClass(ca.Callee); bc != nil && g.isManagerClass(bc, 0) {
			out = append(out, Manager{Name: ca.Name, Class: bc.Module + "." + bc.Name})
		}
	}
	for _, mg := range c.Managers {
		if !hasManager(out, mg.Name) {
			out = append(out, mg)
		}
	}
	return out
}

// fieldNamed reports a field the class body declares under name.
func (c *ClassFacts) fieldNamed(name string) bool {
	for _, f := range c.Fields {
		if f.Name == name {
			return true
		}
	}
	return false
}

// isManagerClass reports whether a class of the tree derives from a Manager
// (by name, through the tree's classes).
func (g *Models) isManagerClass(c *ClassFacts, depth int) bool {
	if depth > 10 {
		return false
	}
	for _, b := range c.Bases {
		if strings.HasSuffix(b, "Manager") {
			return true
		}
		if bc := g.findClass(b); bc != nil && bc != c && g.isManagerClass(bc, depth+1) {
			return true
		}
	}
	return false
}

// isQuerySetClass reports whether a class derives from a Manager or a
// QuerySet (by name, through the tree's classes).
func (g *Models) isQuerySetClass(c *ClassFacts, depth int) bool {
	if depth > 10 {
		return false
	}
	for _, b := range c.Bases {
		if strings.HasSuffix(b, "Manager") || strings.HasSuffix(b, "QuerySet") {
			return true
		}
		if bc := g.findClass(b); bc != nil && bc != c && g.isQuerySetClass(bc, depth+1) {
			return true
		}
	}
	return false
}

// IsQuerySetMethod reports whether some custom Manager or QuerySet class of
// the tree defines a method of that name (`Order.objects.active()`).
func (g *Models) IsQuerySetMethod(name string) bool { return g != nil && g.qsMethods[name] }

// LookupClassQual finds a class of the tree by qualified name.
func (g *Models) LookupClassQual(q string) *ClassFacts {
	if g == nil || q == "" {
		return nil
	}
	return g.findClass(q)
}

// ClassBases returns the classes of the tree c derives from, nearest
// first (at most depth levels).
func (g *Models) ClassBases(c *ClassFacts) []*ClassFacts {
	var out []*ClassFacts
	seen := map[*ClassFacts]bool{c: true}
	queue := []*ClassFacts{c}
	for len(queue) > 0 && len(out) < 20 {
		cur := queue[0]
		queue = queue[1:]
		for _, b := range cur.Bases {
			if bc := g.findClass(b); bc != nil && !seen[bc] {
				seen[bc] = true
				out = append(out, bc)
				queue = append(queue, bc)
			}
		}
	}
	return out
}

// UserModel returns the model AUTH_USER_MODEL names (a stub when the tree
// does not define it and some relation points at it), or nil.
func (g *Models) UserModel() *Model { return g.ByLabel(g.AuthUser) }

// Externals returns the stubs of referenced models the tree does not
// define, sorted by label.
func (g *Models) Externals() []*Model {
	var out []*Model
	for _, m := range g.external {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Qual < out[j].Qual })
	return out
}

// Named returns the models of the tree whose class is called name.
func (g *Models) Named(name string) []*Model {
	if g == nil {
		return nil
	}
	return g.byName[name]
}
