package project

import (
	"path"
	"sort"
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// Span is a half-open byte range [Start, End) in the file a fact came from.
type Span struct {
	Start, End int
}

func nodeSpan(n pyast.Node) Span {
	if n.IsNil() {
		return Span{}
	}
	return Span{Start: n.StartByte(), End: n.EndByte()}
}

// MigrationKey names a migration: its app label and its module name
// ("0002_order_total").
type MigrationKey struct {
	App, Name string
}

func (k MigrationKey) String() string { return k.App + "." + k.Name }

// Special dependency names Django resolves against an app's graph.
const (
	FirstMigration  = "__first__"
	LatestMigration = "__latest__"
)

// Dependency is one entry of Migration.dependencies.
type Dependency struct {
	MigrationKey
	// Swappable marks migrations.swappable_dependency(settings.X): the
	// target is whatever app the setting names, unknown statically. App
	// holds the setting's dotted name and Name is "__first__".
	Swappable bool
	Span      Span
}

// Migration is what rubric knows of one migrations/NNNN_name.py module:
// the class Migration and its attributes, decoded without executing them.
type Migration struct {
	Path string // display path of the file
	// Dir is the package directory holding the migrations/ folder ("shop/orders");
	// DirLabel is its last component, the default app label.
	Dir, DirLabel string
	// AppPackage is the dotted package of the app ("shop.orders"), the
	// migrations package's parent.
	AppPackage string
	Name       string // module name without .py
	Class      Span   // the class Migration statement
	ClassName  Span   // its name, a short place to report at

	Dependencies []Dependency
	// DependenciesUnknown is set when dependencies is not a literal list of
	// tuples (a computed list); the graph rules then stay silent.
	DependenciesUnknown bool
	DependenciesSpan    Span
	Replaces            []MigrationKey
	RunBefore           []MigrationKey
	// Atomic is the class attribute (true unless `atomic = False`).
	Atomic  bool
	Initial bool

	Operations []*Operation
	// OperationsUnknown is set when operations is not a literal list.
	OperationsUnknown bool
}

// Operation is one decoded entry of Migration.operations.
type Operation struct {
	// Kind is the operation class name ("AddField"). Known is true when it
	// resolves to django.db.migrations or django.contrib.postgres.operations;
	// otherwise Kind is the callee as written ("myapp.ops.AddPartition").
	Kind  string
	Known bool
	Span  Span
	// Model is the lower-cased model the operation targets: model_name, or
	// name for model operations (CreateModel, DeleteModel, AlterModelTable...),
	// or old_name for RenameModel.
	Model string
	// Name is the field (AddField, AlterField, RemoveField), the index or
	// constraint name (RemoveIndex, RemoveConstraint), or the model name as
	// written for model operations.
	Name             string
	OldName, NewName string     // RenameField, RenameModel, RenameIndex
	Table            string     // AlterModelTable; CreateModel's db_table option
	Field            *FieldSpec // AddField, AlterField
	PreserveDefault  bool       // AddField/AlterField preserve_default (default true)
	Fields           []*FieldSpec
	Indexes          []*IndexSpec      // AddIndex (one), CreateModel options
	Constraints      []*ConstraintSpec // AddConstraint (one), CreateModel options
	// UniqueTogether and IndexTogether hold the sets of AlterUniqueTogether,
	// AlterIndexTogether and CreateModel's options, each a list of field
	// names; TogetherKnown is false when the value was not literal.
	UniqueTogether, IndexTogether [][]string
	TogetherKnown                 bool
	// NoTable marks CreateModel with options proxy=True or managed=False:
	// Django creates no table for it and runs no schema change on it.
	NoTable bool
	// RunPython: Code and ReverseCode are the callables as written ("" when
	// absent); ReverseNoop marks RunPython.noop. CodeSpan locates the argument.
	Code, ReverseCode string
	ReverseNoop       bool
	CodeSpan          Span
	// RunSQL: whether sql and reverse_sql were given.
	HasSQL, HasReverseSQL bool
	// SeparateDatabaseAndState and RunSQL(state_operations=...).
	DatabaseOps, StateOps []*Operation
	// Kwargs holds every keyword argument's source text.
	Kwargs map[string]string
	// Opaque is set when an argument that shapes the schema state (CreateModel
	// fields, state_operations) is not a literal rubric can read.
	Opaque bool
}

// FieldSpec is a decoded field constructor call: models.CharField(max_length=10, null=True).
type FieldSpec struct {
	Name string // the field name (from the enclosing operation or tuple)
	// Kind is the class name ("CharField"); Qualified is its resolved
	// dotted name when imported ("django.db.models.CharField").
	Kind, Qualified string
	Span            Span
	// Kwargs holds the source text of each keyword argument's value.
	Kwargs map[string]string
	// To is the related model for relations, as written ("shop.order", "auth.User").
	To string
}

// Bool returns the literal value of a boolean keyword and whether it was
// given as a literal True or False.
func (f *FieldSpec) Bool(name string) (val, literal bool) {
	switch f.Kwargs[name] {
	case "True":
		return true, true
	case "False":
		return false, true
	}
	return false, false
}

// Flag is Bool with a default for an absent keyword; a non-literal value
// yields ok false.
func (f *FieldSpec) Flag(name string, def bool) (val, ok bool) {
	raw, given := f.Kwargs[name]
	if !given {
		return def, true
	}
	switch raw {
	case "True":
		return true, true
	case "False":
		return false, true
	}
	return false, false
}

// Nullable reports null=True as literal; ok is false for a computed value.
func (f *FieldSpec) Nullable() (null, ok bool) { return f.Flag("null", false) }

// HasDefault reports a Python-side default (default=...).
func (f *FieldSpec) HasDefault() bool {
	v, ok := f.Kwargs["default"]
	return ok && v != "models.NOT_PROVIDED" && v != "NOT_PROVIDED"
}

// Column returns the column name: db_column when literal, else the field
// name (with "_id" for foreign keys).
func (f *FieldSpec) Column() string {
	if raw, ok := f.Kwargs["db_column"]; ok {
		return strings.Trim(raw, `"'`)
	}
	if f.Kind == "ForeignKey" || f.Kind == "OneToOneField" || f.Kind == "TreeForeignKey" || f.Kind == "ParentalKey" {
		return f.Name + "_id"
	}
	return f.Name
}

// Indexed reports whether the field's column carries an index: db_index
// when given literally, else Django's default (foreign keys and slugs are
// indexed), and any unique or primary key column.
func (f *FieldSpec) Indexed() bool {
	if u, _ := f.Bool("unique"); u {
		return true
	}
	if pk, _ := f.Bool("primary_key"); pk {
		return true
	}
	if v, ok := f.Bool("db_index"); ok {
		return v
	}
	switch f.Kind {
	case "ForeignKey", "OneToOneField", "TreeForeignKey", "ParentalKey", "SlugField":
		return true
	}
	return false
}

// HasDBDefault reports db_default=... (Django 5.0+).
func (f *FieldSpec) HasDBDefault() bool { _, ok := f.Kwargs["db_default"]; return ok }

// IsRelation reports ForeignKey-like fields and many-to-many fields.
func (f *FieldSpec) IsRelation() bool {
	switch f.Kind {
	case "ForeignKey", "OneToOneField", "ManyToManyField", "ParentalKey", "ParentalManyToManyField",
		"TreeForeignKey", "TreeOneToOneField", "TreeManyToManyField":
		return true
	}
	return false
}

// HasColumn is false for fields that add no column to the model's table:
// many-to-many fields (a join table) and generic relations.
func (f *FieldSpec) HasColumn() bool {
	switch f.Kind {
	case "ManyToManyField", "ParentalManyToManyField", "TreeManyToManyField", "GenericRelation",
		"GenericForeignKey", "SortedManyToManyField", "TaggableManager":
		return false
	}
	return true
}

// IndexSpec is a decoded models.Index(...).
type IndexSpec struct {
	Kind   string // "Index", "GinIndex", ...
	Name   string
	Fields []string
	Span   Span
}

// ConstraintSpec is a decoded constraint (UniqueConstraint, CheckConstraint, ...).
type ConstraintSpec struct {
	Kind   string
	Name   string
	Fields []string
	// Conditional marks a UniqueConstraint with condition=...
	Conditional bool
	// NotNull lists the fields a CheckConstraint's condition (or check)
	// requires to be non-null: Q(f__isnull=False), f__isnull=False ANDed.
	NotNull []string
	Span    Span
}

// IsUnique reports a unique constraint.
func (c *ConstraintSpec) IsUnique() bool { return c.Kind == "UniqueConstraint" }

// IsMigrationPath reports whether a '/'-separated path is a module inside a
// migrations package ("shop/migrations/0001_initial.py"), __init__ excluded.
func IsMigrationPath(rel string) bool {
	dir, base := path.Split(rel)
	if !strings.HasSuffix(base, ".py") || base == "__init__.py" {
		return false
	}
	return path.Base(strings.TrimSuffix(dir, "/")) == "migrations"
}

// ExtractMigration decodes the Migration class of a migration module, or
// returns nil for any other file.
func ExtractMigration(u *Unit) *Migration {
	if u == nil || u.Tree == nil || u.File == nil || !IsMigrationPath(u.File.Rel) {
		return nil
	}
	var cls pyast.Node
	for _, st := range pyast.Statements(u.Tree.Root()) {
		if st.Type() == "decorated_definition" {
			st = st.ChildByField("definition")
		}
		if st.Type() == "class_definition" && pyast.DefName(st) == "Migration" {
			cls = st
		}
	}
	if cls.IsNil() {
		return nil
	}
	migDir := path.Dir(u.File.Rel)
	appDir := path.Dir(migDir)
	if appDir == "." {
		appDir = ""
	}
	m := &Migration{
		Path:       u.File.Rel,
		Dir:        appDir,
		DirLabel:   path.Base(appDir),
		AppPackage: strings.TrimSuffix(strings.TrimSuffix(u.Package, "migrations"), "."),
		Name:       strings.TrimSuffix(path.Base(u.File.Rel), ".py"),
		Class:      nodeSpan(cls),
		ClassName:  nodeSpan(cls.ChildByField("name")),
		Atomic:     true,
	}
	if appDir == "" {
		m.DirLabel = ""
	}
	d := migDecoder{im: u.Imports, names: map[string]pyast.Node{}}
	d.bindNames(u.Tree.Root())
	d.bindNames(pyast.Body(cls))
	for _, st := range pyast.Statements(pyast.Body(cls)) {
		if st.Type() != "expression_statement" {
			continue
		}
		as := st.NamedChild(0)
		if as.Type() != "assignment" {
			continue
		}
		left, right := as.ChildByField("left"), d.value(as.ChildByField("right"))
		if left.Type() != "identifier" || right.IsNil() {
			continue
		}
		switch left.Text() {
		case "dependencies":
			m.DependenciesSpan = nodeSpan(as)
			m.Dependencies, m.DependenciesUnknown = d.dependencies(right)
		case "replaces":
			m.Replaces = d.keys(right)
		case "run_before":
			m.RunBefore = d.keys(right)
		case "atomic":
			m.Atomic = right.Type() != "false"
		case "initial":
			m.Initial = right.Type() == "true"
		case "operations":
			if right.Type() != "list" && right.Type() != "tuple" {
				m.OperationsUnknown = true
				continue
			}
			m.Operations, _ = d.operations(right)
		}
	}
	return m
}

type migDecoder struct {
	im *pyast.Imports
	// names maps the names assigned at module level and in the Migration
	// class body to their values, so `state_operations=state_operations`
	// and `operations = OPERATIONS` read the list they name.
	names map[string]pyast.Node
}

// bindNames records `name = value` statements of a block.
func (d migDecoder) bindNames(block pyast.Node) {
	for _, st := range pyast.Statements(block) {
		as := st.NamedChild(0)
		if st.Type() != "expression_statement" || as.Type() != "assignment" {
			continue
		}
		if left := as.ChildByField("left"); left.Type() == "identifier" && !as.ChildByField("right").IsNil() {
			d.names[left.Text()] = as.ChildByField("right")
		}
	}
}

// value follows a bare name to the value it was assigned (a few steps at
// most); anything else is returned as is.
func (d migDecoder) value(n pyast.Node) pyast.Node {
	n = pyast.Unparen(n)
	for i := 0; i < 4 && n.Type() == "identifier"; i++ {
		v, ok := d.names[n.Text()]
		if !ok {
			break
		}
		n = pyast.Unparen(v)
	}
	return n
}

// items is seqItems through value.
func (d migDecoder) items(n pyast.Node) ([]pyast.Node, bool) { return seqItems(d.value(n)) }

func (d migDecoder) resolve(n pyast.Node) string {
	if d.im != nil {
		if q, ok := d.im.Resolve(n); ok {
			return q
		}
	}
	return pyast.Dotted(n)
}

func strLit(n pyast.Node) string {
	s, _ := pyast.StringValue(pyast.Unparen(n))
	return s
}

func seqItems(n pyast.Node) ([]pyast.Node, bool) {
	n = pyast.Unparen(n)
	switch n.Type() {
	case "list", "tuple", "set":
		var out []pyast.Node
		for _, c := range n.NamedChildren() {
			if c.Type() != "comment" {
				out = append(out, c)
			}
		}
		return out, true
	}
	return nil, false
}

func (d migDecoder) dependencies(n pyast.Node) ([]Dependency, bool) {
	els, ok := seqItems(n)
	if !ok {
		return nil, true
	}
	var out []Dependency
	unknown := false
	for _, e := range els {
		if c, ok := pyast.AsCall(e); ok && c.MethodName() == "swappable_dependency" {
			out = append(out, Dependency{MigrationKey: MigrationKey{App: pyast.Dotted(c.Arg(0, "value")), Name: FirstMigration},
				Swappable: true, Span: nodeSpan(e)})
			continue
		}
		pair, ok := seqItems(e)
		if !ok || len(pair) != 2 {
			unknown = true
			continue
		}
		app, aok := pyast.StringValue(pyast.Unparen(pair[0]))
		name, nok := pyast.StringValue(pyast.Unparen(pair[1]))
		if !aok || !nok {
			unknown = true
			continue
		}
		out = append(out, Dependency{MigrationKey: MigrationKey{App: app, Name: name}, Span: nodeSpan(e)})
	}
	return out, unknown
}

func (d migDecoder) keys(n pyast.Node) []MigrationKey {
	els, _ := seqItems(n)
	var out []MigrationKey
	for _, e := range els {
		pair, ok := seqItems(e)
		if !ok || len(pair) != 2 {
			continue
		}
		out = append(out, MigrationKey{App: strLit(pair[0]), Name: strLit(pair[1])})
	}
	return out
}

// opParams lists each known operation's positional parameters, as Django
// declares them.
var opParams = map[string][]string{
	"CreateModel":              {"name", "fields", "options", "bases", "managers"},
	"DeleteModel":              {"name"},
	"RenameModel":              {"old_name", "new_name"},
	"AlterModelTable":          {"name", "table"},
	"AlterModelTableComment":   {"name", "table_comment"},
	"AlterUniqueTogether":      {"name", "unique_together"},
	"AlterIndexTogether":       {"name", "index_together"},
	"AlterOrderWithRespectTo":  {"name", "order_with_respect_to"},
	"AlterModelOptions":        {"name", "options"},
	"AlterModelManagers":       {"name", "managers"},
	"AddIndex":                 {"model_name", "index"},
	"RemoveIndex":              {"model_name", "name"},
	"RenameIndex":              {"model_name", "new_name", "old_name", "old_fields"},
	"AddConstraint":            {"model_name", "constraint"},
	"RemoveConstraint":         {"model_name", "name"},
	"AlterConstraint":          {"model_name", "name", "constraint"},
	"AddField":                 {"model_name", "name", "field", "preserve_default"},
	"RemoveField":              {"model_name", "name"},
	"AlterField":               {"model_name", "name", "field", "preserve_default"},
	"RenameField":              {"model_name", "old_name", "new_name"},
	"RunSQL":                   {"sql", "reverse_sql", "state_operations", "hints", "elidable"},
	"RunPython":                {"code", "reverse_code", "atomic", "hints", "elidable"},
	"SeparateDatabaseAndState": {"database_operations", "state_operations"},
	// django.contrib.postgres.operations
	"AddIndexConcurrently":    {"model_name", "index"},
	"RemoveIndexConcurrently": {"model_name", "name"},
	"AddConstraintNotValid":   {"model_name", "constraint"},
	"ValidateConstraint":      {"model_name", "name"},
	"CreateExtension":         {"name"},
	"CreateCollation":         {"name", "locale"},
	"RemoveCollation":         {"name", "locale"},
	"BloomExtension":          {}, "BtreeGinExtension": {}, "BtreeGistExtension": {}, "CITextExtension": {},
	"CryptoExtension": {}, "HStoreExtension": {}, "TrigramExtension": {}, "UnaccentExtension": {},
}

// SchemaKinds are the known operations that change the database schema.
var SchemaKinds = map[string]bool{
	"CreateModel": true, "DeleteModel": true, "RenameModel": true, "AlterModelTable": true,
	"AlterUniqueTogether": true, "AlterIndexTogether": true, "AlterOrderWithRespectTo": true,
	"AddIndex": true, "RemoveIndex": true, "RenameIndex": true, "AddConstraint": true,
	"RemoveConstraint": true, "AlterConstraint": true, "AddField": true, "RemoveField": true,
	"AlterField": true, "RenameField": true, "AddIndexConcurrently": true,
	"RemoveIndexConcurrently": true, "AddConstraintNotValid": true, "ValidateConstraint": true,
}

// operations decodes a list of operations; ok is false when the list is
// not literal (nor a name bound to a literal list).
func (d migDecoder) operations(list pyast.Node) (ops []*Operation, ok bool) {
	els, ok := d.items(list)
	for _, e := range els {
		if op := d.operation(e); op != nil {
			ops = append(ops, op)
		}
	}
	return ops, ok
}

func (d migDecoder) operation(n pyast.Node) *Operation {
	c, ok := pyast.AsCall(pyast.Unparen(n))
	op := &Operation{Span: nodeSpan(n), PreserveDefault: true, Kwargs: map[string]string{}}
	if !ok {
		// A name bound elsewhere (a list built in a loop, a helper): unknown.
		op.Kind = n.Text()
		return op
	}
	q := d.resolve(c.Func)
	short := q[strings.LastIndex(q, ".")+1:]
	params, known := opParams[short]
	// A bare name (or `migrations.X` without an import of migrations)
	// might be a local class of the same name; only resolved names count,
	// plus the unresolved `migrations.X` of star imports.
	if known && (strings.HasPrefix(q, "django.db.migrations.") || strings.HasPrefix(q, "django.contrib.postgres.operations.") ||
		q == "migrations."+short) {
		op.Kind, op.Known = short, true
	} else {
		op.Kind = pyast.Dotted(c.Func)
		if op.Kind == "" {
			op.Kind = c.Func.Text()
		}
		params = nil
	}
	args := map[string]pyast.Node{}
	for i, a := range c.Positional {
		if i < len(params) {
			args[params[i]] = a
		}
	}
	for k, v := range c.Keywords {
		args[k] = v
		op.Kwargs[k] = v.Text()
	}
	if !op.Known {
		return op
	}
	switch op.Kind {
	case "CreateModel", "DeleteModel", "AlterModelTable", "AlterUniqueTogether", "AlterIndexTogether",
		"AlterOrderWithRespectTo", "AlterModelOptions", "AlterModelManagers", "AlterModelTableComment":
		op.Name = strLit(args["name"])
		op.Model = strings.ToLower(op.Name)
	case "RenameModel":
		op.OldName, op.NewName = strLit(args["old_name"]), strLit(args["new_name"])
		op.Model = strings.ToLower(op.OldName)
	default:
		op.Model = strings.ToLower(strLit(args["model_name"]))
		op.Name = strLit(args["name"])
		op.OldName, op.NewName = strLit(args["old_name"]), strLit(args["new_name"])
	}
	if v := args["preserve_default"]; !v.IsNil() && v.Type() == "false" {
		op.PreserveDefault = false
	}
	if v := args["field"]; !v.IsNil() {
		op.Field = d.field(op.Name, d.value(v))
	}
	switch op.Kind {
	case "CreateModel":
		fields, ok := d.items(args["fields"])
		op.Opaque = !ok
		for _, t := range fields {
			pair, ok := seqItems(t)
			if !ok || len(pair) != 2 {
				op.Opaque = true
				continue
			}
			if f := d.field(strLit(pair[0]), pair[1]); f != nil {
				op.Fields = append(op.Fields, f)
			}
		}
		d.modelOptions(op, args["options"])
	case "AlterModelTable":
		op.Table = strLit(args["table"])
	case "AlterUniqueTogether":
		op.UniqueTogether, op.TogetherKnown = togetherSets(args["unique_together"])
	case "AlterIndexTogether":
		op.IndexTogether, op.TogetherKnown = togetherSets(args["index_together"])
	case "AddIndex", "AddIndexConcurrently":
		if ix := d.index(args["index"]); ix != nil {
			op.Indexes = append(op.Indexes, ix)
		}
	case "AddConstraint", "AddConstraintNotValid", "AlterConstraint":
		if cs := d.constraint(args["constraint"]); cs != nil {
			op.Constraints = append(op.Constraints, cs)
		}
	case "RunPython":
		if v := args["code"]; !v.IsNil() {
			op.Code, op.CodeSpan = v.Text(), nodeSpan(v)
		}
		if v := args["reverse_code"]; !v.IsNil() && v.Type() != "none" {
			op.ReverseCode = v.Text()
			op.ReverseNoop = strings.HasSuffix(pyast.Dotted(v), "RunPython.noop")
		}
	case "RunSQL":
		op.HasSQL = !args["sql"].IsNil() && !strings.HasSuffix(pyast.Dotted(args["sql"]), "RunSQL.noop")
		if v := args["reverse_sql"]; !v.IsNil() && v.Type() != "none" {
			op.HasReverseSQL = true
		}
		if v := args["state_operations"]; !v.IsNil() {
			var ok bool
			op.StateOps, ok = d.operations(v)
			op.Opaque = !ok
		}
	case "SeparateDatabaseAndState":
		if v := args["database_operations"]; !v.IsNil() {
			op.DatabaseOps, _ = d.operations(v)
		}
		if v := args["state_operations"]; !v.IsNil() {
			var ok bool
			op.StateOps, ok = d.operations(v)
			op.Opaque = !ok
		}
	}
	return op
}

func (d migDecoder) modelOptions(op *Operation, opts pyast.Node) {
	opts = pyast.Unparen(opts)
	if opts.Type() != "dictionary" {
		return
	}
	for _, p := range opts.NamedChildren() {
		if p.Type() != "pair" {
			continue
		}
		v := p.ChildByField("value")
		switch strLit(p.ChildByField("key")) {
		case "db_table":
			op.Table = strLit(v)
		case "proxy":
			op.NoTable = op.NoTable || v.Type() == "true"
		case "managed":
			op.NoTable = op.NoTable || v.Type() == "false"
		case "indexes":
			els, _ := seqItems(v)
			for _, e := range els {
				if ix := d.index(e); ix != nil {
					op.Indexes = append(op.Indexes, ix)
				}
			}
		case "constraints":
			els, _ := seqItems(v)
			for _, e := range els {
				if cs := d.constraint(e); cs != nil {
					op.Constraints = append(op.Constraints, cs)
				}
			}
		case "unique_together":
			op.UniqueTogether, _ = togetherSets(v)
		case "index_together":
			op.IndexTogether, _ = togetherSets(v)
		}
	}
}

// togetherSets decodes unique_together / index_together: a set of tuples, or
// a single tuple of names.
func togetherSets(n pyast.Node) ([][]string, bool) {
	n = pyast.Unparen(n)
	if n.Type() == "none" {
		return nil, true
	}
	if c, ok := pyast.AsCall(n); ok && len(c.Positional) == 0 && len(c.Keywords) == 0 &&
		(c.Func.Text() == "set" || c.Func.Text() == "frozenset" || c.Func.Text() == "tuple" || c.Func.Text() == "list") {
		return nil, true // set(): no sets
	}
	els, ok := seqItems(n)
	if !ok {
		return nil, false
	}
	var out [][]string
	var flat []string
	for _, e := range els {
		if s, ok := pyast.StringValue(pyast.Unparen(e)); ok {
			flat = append(flat, s)
			continue
		}
		names, ok := strLits(e)
		if !ok {
			return out, false
		}
		out = append(out, names)
	}
	if len(flat) > 0 {
		out = append(out, flat)
	}
	return out, true
}

func strLits(n pyast.Node) ([]string, bool) {
	els, ok := seqItems(n)
	if !ok {
		return nil, false
	}
	var out []string
	for _, e := range els {
		s, ok := pyast.StringValue(pyast.Unparen(e))
		if !ok {
			return out, false
		}
		out = append(out, s)
	}
	return out, true
}

func (d migDecoder) field(name string, n pyast.Node) *FieldSpec {
	c, ok := pyast.AsCall(pyast.Unparen(n))
	if !ok {
		return nil
	}
	q := d.resolve(c.Func)
	f := &FieldSpec{Name: name, Kind: q[strings.LastIndex(q, ".")+1:], Span: nodeSpan(n), Kwargs: map[string]string{}}
	if strings.Contains(q, ".") {
		f.Qualified = q
	}
	for k, v := range c.Keywords {
		f.Kwargs[k] = v.Text()
	}
	if f.IsRelation() {
		to := c.Arg(0, "to")
		if s, ok := pyast.StringValue(pyast.Unparen(to)); ok {
			f.To = s
		} else if !to.IsNil() {
			f.To = to.Text()
		}
	}
	return f
}

func (d migDecoder) index(n pyast.Node) *IndexSpec {
	c, ok := pyast.AsCall(pyast.Unparen(n))
	if !ok {
		return nil
	}
	q := d.resolve(c.Func)
	ix := &IndexSpec{Kind: q[strings.LastIndex(q, ".")+1:], Name: strLit(c.Keyword("name")), Span: nodeSpan(n)}
	ix.Fields, _ = strLits(c.Keyword("fields"))
	return ix
}

func (d migDecoder) constraint(n pyast.Node) *ConstraintSpec {
	c, ok := pyast.AsCall(pyast.Unparen(n))
	if !ok {
		return nil
	}
	q := d.resolve(c.Func)
	cs := &ConstraintSpec{Kind: q[strings.LastIndex(q, ".")+1:], Name: strLit(c.Keyword("name")), Span: nodeSpan(n)}
	cs.Fields, _ = strLits(c.Keyword("fields"))
	cs.Conditional = !c.Keyword("condition").IsNil()
	if cs.Kind == "CheckConstraint" {
		cond := c.Keyword("condition")
		if cond.IsNil() {
			cond = c.Keyword("check") // before Django 5.1
		}
		if q, ok := pyast.AsCall(pyast.Unparen(cond)); ok && d.resolve(q.Func) != "" && strings.HasSuffix(d.resolve(q.Func), "Q") {
			for k, v := range q.Keywords {
				if f, ok := strings.CutSuffix(k, "__isnull"); ok && v.Type() == "false" && !strings.Contains(f, "__") {
					cs.NotNull = append(cs.NotNull, f)
				}
			}
			sort.Strings(cs.NotNull)
		}
	}
	return cs
}

// AppLabel is an AppConfig's explicit label, found in an apps.py.
type AppLabel struct {
	Dir   string // the package directory ("authentik/core")
	Label string // "authentik_core"
}

// ExtractAppLabel finds `label = "..."` in an AppConfig subclass of an
// apps.py module, or returns nil.
func ExtractAppLabel(u *Unit) *AppLabel {
	if u == nil || u.Tree == nil || u.File == nil || path.Base(u.File.Rel) != "apps.py" {
		return nil
	}
	for _, st := range pyast.Statements(u.Tree.Root()) {
		if st.Type() != "class_definition" {
			continue
		}
		for _, s := range pyast.Statements(pyast.Body(st)) {
			as := s.NamedChild(0)
			if s.Type() != "expression_statement" || as.Type() != "assignment" || as.ChildByField("left").Text() != "label" {
				continue
			}
			if l, ok := pyast.StringValue(as.ChildByField("right")); ok && l != "" {
				dir := path.Dir(u.File.Rel)
				if dir == "." {
					dir = ""
				}
				return &AppLabel{Dir: dir, Label: l}
			}
		}
	}
	return nil
}

// MigrationFacts are the migration-related facts of one file.
type MigrationFacts struct {
	Migration *Migration
	AppLabel  *AppLabel
}

// ExtractMigrationFacts runs the migration extractors on one unit.
func ExtractMigrationFacts(u *Unit) MigrationFacts {
	return MigrationFacts{Migration: ExtractMigration(u), AppLabel: ExtractAppLabel(u)}
}

// MigrationIndex holds every migration of the project, grouped by app.
type MigrationIndex struct {
	// All migrations in path order.
	All  []*Migration
	Apps []*MigrationApp // by label, then directory
	// ByLabel maps an app label to its app; a label claimed by two
	// migrations directories is absent (ambiguous).
	ByLabel map[string]*MigrationApp
	ByPath  map[string]*Migration
	labels  []*AppLabel
	byDir   map[string]*MigrationApp
	states  *stateMemo // StateBefore's shared replays; set by Finish

	// The migrations the per-migration rules judge (migrations_released.go).
	selected bool
	judged   map[*Migration]bool
	released []string
	exact    string
}

// MigrationApp is one migrations package.
type MigrationApp struct {
	Label      string
	Dir        string
	AppPackage string // dotted, as Migration.AppPackage
	// Migrations sorted by name; ByName indexes them.
	Migrations []*Migration
	ByName     map[string]*Migration
	// Replaced maps each migration name replaced by a squashed migration
	// of this app to that squashed migration.
	Replaced map[string]*Migration
	// NoTable holds the lower-cased models some migration of the app
	// creates as proxy or unmanaged: the only ones worth a replay to tell.
	NoTable map[string]bool
}

// Add records one file's migration facts; called in path order by Build.
func (mi *MigrationIndex) Add(f MigrationFacts) {
	if f.Migration != nil {
		mi.All = append(mi.All, f.Migration)
	}
	if f.AppLabel != nil {
		mi.labels = append(mi.labels, f.AppLabel)
	}
}

// Finish groups the migrations by app once every file was added.
func (mi *MigrationIndex) Finish() {
	labelOf := map[string]string{}
	for _, l := range mi.labels {
		labelOf[l.Dir] = l.Label
	}
	mi.ByLabel = map[string]*MigrationApp{}
	mi.ByPath = map[string]*Migration{}
	byDir := map[string]*MigrationApp{}
	mi.byDir = byDir
	mi.states = &stateMemo{after: map[*Migration]*SchemaState{}, acyclic: map[*MigrationApp]bool{}}
	for _, m := range mi.All {
		mi.ByPath[m.Path] = m
		a := byDir[m.Dir]
		if a == nil {
			label := m.DirLabel
			if l, ok := labelOf[m.Dir]; ok {
				label = l
			}
			a = &MigrationApp{Label: label, Dir: m.Dir, AppPackage: m.AppPackage, ByName: map[string]*Migration{}, Replaced: map[string]*Migration{}}
			byDir[m.Dir] = a
			mi.Apps = append(mi.Apps, a)
		}
		a.Migrations = append(a.Migrations, m)
		a.ByName[m.Name] = m
	}
	sort.Slice(mi.Apps, func(i, j int) bool {
		if mi.Apps[i].Label != mi.Apps[j].Label {
			return mi.Apps[i].Label < mi.Apps[j].Label
		}
		return mi.Apps[i].Dir < mi.Apps[j].Dir
	})
	count := map[string]int{}
	for _, a := range mi.Apps {
		count[a.Label]++
		sort.Slice(a.Migrations, func(i, j int) bool { return a.Migrations[i].Name < a.Migrations[j].Name })
	}
	for _, a := range mi.Apps {
		if count[a.Label] == 1 {
			mi.ByLabel[a.Label] = a
		}
		a.NoTable = map[string]bool{}
		for _, m := range a.Migrations {
			for _, r := range m.Replaces {
				if r.App == a.Label {
					a.Replaced[r.Name] = m
				}
			}
			markNoTable(a.NoTable, m.Operations)
		}
	}
}

func markNoTable(set map[string]bool, ops []*Operation) {
	for _, op := range ops {
		if op.Kind == "CreateModel" && op.NoTable {
			set[op.Model] = true
		}
		markNoTable(set, op.StateOps)
	}
}

// App returns the app a migration belongs to.
func (mi *MigrationIndex) App(m *Migration) *MigrationApp {
	return mi.byDir[m.Dir]
}

// Has reports whether the app defines migration name, directly or through
// a squashed migration that replaces it.
func (a *MigrationApp) Has(name string) bool {
	_, ok := a.ByName[name]
	_, rep := a.Replaced[name]
	return ok || rep
}
