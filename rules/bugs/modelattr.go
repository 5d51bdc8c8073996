package bugs

import (
	"bytes"
	_ "embed"
	"fmt"
	"sort"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed modelattr.md
var modelAttrDoc string

// UnknownModelAttribute reports `Model.NAME` (or `Model.Inner.NAME`, an
// inner choices class) where the model's whole class hierarchy is known
// and defines no such name: AttributeError on every run.
var UnknownModelAttribute = &analyzer.Rule{
	Code:       "BUG021",
	Name:       "unknown-model-attribute",
	Doc:        modelAttrDoc,
	Category:   analyzer.Correctness,
	Severity:   analyzer.Error,
	Confidence: analyzer.High,
	Since:      "0.3.0",
	Stack:      project.Django,
	Skip:       semantic.Test | semantic.Migration | semantic.Script,
	Requires:   requires,
	Run:        runUnknownModelAttribute,
}

// modelClassAPI are the names django.db.models.Model (and its metaclass)
// puts on every model class.
var modelClassAPI = map[string]bool{"objects": true, "DoesNotExist": true, "MultipleObjectsReturned": true, "NotUpdated": true,
	"pk": true, "id": true, "save": true, "asave": true, "save_base": true, "delete": true, "adelete": true, "clean": true,
	"clean_fields": true, "full_clean": true, "validate_unique": true, "validate_constraints": true, "check": true,
	"from_db": true, "refresh_from_db": true, "arefresh_from_db": true, "serializable_value": true,
	"prepare_database_save": true, "unique_error_message": true, "date_error_message": true, "Meta": true,
	"get_deferred_fields": true, "natural_key": true, "mro": true}

// choicesClassAPI are the names enum and Django's Choices put on a
// choices class.
var choicesClassAPI = map[string]bool{"choices": true, "labels": true, "values": true, "names": true, "label": true,
	"value": true, "name": true, "do_not_call_in_templates": true, "mro": true}

// choicesBases are the bases whose members rubric knows: the class body's
// own assignments plus choicesClassAPI.
var choicesBases = map[string]bool{"django.db.models.TextChoices": true, "django.db.models.IntegerChoices": true,
	"django.db.models.Choices": true, "django.db.models.enums.TextChoices": true, "django.db.models.enums.IntegerChoices": true,
	"enum.Enum": true, "enum.IntEnum": true, "enum.StrEnum": true, "str": true, "int": true}

// runUnknownModelAttribute matches attribute reads `X.NAME` where X names
// a model of the tree (through imports) whose classes are all the tree's
// or django.db.models.Model, and NAME is none of: a field, a `<fk>_id`
// column, a reverse accessor, a manager, a name any class of the
// hierarchy binds in its body (assignment, method, nested class), a
// multi-table child or parent link, Django's Model API, a `get_*` name,
// a private name. Also `X.Inner.NAME` where Inner is a nested class of the
// model deriving from nothing, TextChoices, IntegerChoices or Enum, and
// NAME is not bound in it. Reads guarded by hasattr/getattr or an `except
// AttributeError` in the same function, and models the tree extends at run
// time (add_to_class, an assignment to the class's attribute anywhere in
// this file), are left alone.
func runUnknownModelAttribute(p *analyzer.Pass) error {
	g := p.Project.Models
	if g == nil || len(g.All) == 0 {
		return nil
	}
	sm := semantic.Of(p.Project)
	ac := newAttrCache(p.Root)
	for n := range pyast.FindEach(p.Root, "attribute") {
		obj := n.ChildByField("object")
		if obj.Type() != "identifier" && obj.Type() != "attribute" {
			continue
		}
		if n.Parent().Type() == "attribute" && n.Parent().ChildByField("object").Equal(n) && obj.Type() == "identifier" {
			// `Model.Inner.NAME`: judged at the outer node, after Inner.
			if inner := innerClassRead(p, sm, ac, n.Parent()); inner {
				continue
			}
		}
		if obj.Type() == "identifier" && classBodyBinds(n, obj.Text()) {
			continue // a nested class or attribute of the class being defined shadows the import
		}
		md := ac.modelRef(p, pyast.Dotted(obj))
		row := md == nil
		if row {
			// `row.NAME` where row is a local bound once to one fetch of a
			// model through its default manager.
			if md = ac.fetchedRow(p, obj); md == nil {
				if md = serializerInstanceModel(p, sm, obj); md == nil {
					continue
				}
			}
		}
		name := n.ChildByField("attribute").Text()
		cls := sm.ClassOfModel(md)
		if cls == nil || !ac.closed(sm, md, cls) || ac.guarded(n, name) || ac.stored(n, name) {
			continue
		}
		names := ac.classNames(g, md, cls)
		if names[name] || strings.HasPrefix(name, "_") || strings.HasPrefix(name, "get_") {
			continue
		}
		if row && (names["__getattr__"] || names["__getattribute__"] || selfStored(cls, name) || ac.anyStored(name) || assignedTo(n)) {
			continue
		}
		help := attrHelp(name, names)
		if mg := managerWith(sm, md, name); mg != "" {
			help = fmt.Sprintf("`%s` is a method of the manager: `%s.%s.%s`", name, pyast.Dotted(obj), mg, name)
		}
		if row && pyast.Dotted(obj) == "self.instance" && annotatedAnywhere(sm, name) {
			continue // a view's queryset may annotate it
		}
		msg := fmt.Sprintf("`%s` has no attribute `%s`: neither the model nor its bases define it, so this raises AttributeError every time it runs", md.Name, name)
		if row && pyast.Dotted(obj) == "self.instance" {
			msg = fmt.Sprintf("`self.instance` is the `%s` row this serializer updates (its Meta.model), which has no attribute `%s`: neither the model, its fields nor its bases define it, so this raises AttributeError every time it runs", md.Name, name)
		} else if row {
			msg = fmt.Sprintf("`%s` is a `%s` row, which has no attribute `%s`: neither the model, its fields nor its bases define it, so this raises AttributeError every time it runs", obj.Text(), md.Name, name)
		}
		p.Report(analyzer.Diagnostic{
			Range:   analyzer.RangeOf(n),
			Message: msg,
			Help:    help,
		})
	}
	return nil
}

// modelSerializers are the DRF model serializer classes: their instance is
// a row of Meta.model.
var modelSerializers = []string{"rest_framework.serializers.ModelSerializer", "rest_framework.serializers.HyperlinkedModelSerializer",
	"rest_framework_json_api.serializers.ModelSerializer", "rest_framework_json_api.serializers.HyperlinkedModelSerializer"}

// serializerInstanceModel returns the Meta.model of the model serializer whose
// method reads obj, when obj is `self.instance`: the row the serializer
// updates. Nil when the class assigns `self.instance` itself, names no
// model the graph knows, or is no model serializer.
func serializerInstanceModel(p *analyzer.Pass, sm *semantic.Model, obj pyast.Node) *project.Model {
	if pyast.Dotted(obj) != "self.instance" {
		return nil
	}
	def := pyast.Ancestor(obj, "function_definition")
	if def.IsNil() {
		return nil
	}
	cdef := pyast.Ancestor(def, "class_definition")
	if cdef.IsNil() || !pyast.Ancestor(cdef, "function_definition").IsNil() {
		return nil
	}
	f := sm.File(p.Unit)
	cls := f.ClassOfDef(cdef)
	if cls == nil || !cls.DerivesFrom(modelSerializers...) || len(cls.SelfAttrs["instance"]) > 0 {
		return nil
	}
	return sm.SerializerModel(cls)
}

// annotatedAnywhere reports a name some product code gives rows through
// a queryset's annotate() or alias(): a view's queryset may hand the
// serializer such rows.
func annotatedAnywhere(sm *semantic.Model, name string) bool {
	for _, f := range sm.Files() {
		src := f.Unit.Tree.Src()
		if !bytes.Contains(src, []byte(name)) {
			continue
		}
		for call := range pyast.FindEach(f.Unit.Tree.Root(), "call") {
			c, ok := pyast.AsCall(call)
			if !ok || c.MethodName() != "annotate" && c.MethodName() != "alias" {
				continue
			}
			if _, ok := c.Keywords[name]; ok {
				return true
			}
		}
	}
	return false
}

// classBodyBinds reports a read in a class body (not in one of its
// methods) of a name the body binds before it: `class Notification(
// models.IntegerChoices)` nested in a model, then `choices=
// Notification.choices` a few lines below names the nested class, not the
// module's Notification model.
func classBodyBinds(n pyast.Node, name string) bool {
	for a := n.Parent(); !a.IsNil(); a = a.Parent() {
		switch a.Type() {
		case "function_definition", "lambda":
			return false
		case "class_definition":
			for st := range pyast.EachStatement(pyast.Body(a)) {
				if st.StartByte() >= n.StartByte() {
					break
				}
				if st.Type() == "class_definition" && pyast.DefName(st) == name {
					return true
				}
				if st.Type() == "expression_statement" {
					if as := st.NamedChild(0); as.Type() == "assignment" && as.ChildByField("left").Text() == name {
						return true
					}
				}
			}
			return false
		}
	}
	return false
}

// innerClassRead judges `Model.Inner.NAME` (outer is that node) and
// reports whether Inner is a nested class of a model (so the inner node
// is not judged on its own).
func innerClassRead(p *analyzer.Pass, sm *semantic.Model, ac *attrCache, outer pyast.Node) bool {
	inner := outer.ChildByField("object")
	md := modelRef(p, pyast.Dotted(inner.ChildByField("object")))
	if md == nil {
		return false
	}
	cls := sm.ClassOfModel(md)
	if cls == nil {
		return false
	}
	innerName := inner.ChildByField("attribute").Text()
	var def pyast.Node
	for _, c := range append([]*semantic.Class{cls}, cls.Bases()...) {
		for st := range pyast.EachStatement(pyast.Body(c.Node)) {
			if st.Type() == "class_definition" && pyast.DefName(st) == innerName {
				def = st
				break
			}
		}
		if !def.IsNil() {
			break
		}
	}
	if def.IsNil() {
		return false
	}
	name := outer.ChildByField("attribute").Text()
	if strings.HasPrefix(name, "_") || ac.guarded(outer, name) || ac.stored(outer, name) {
		return true
	}
	for b := range def.ChildByField("superclasses").Named() {
		if b.Type() == "keyword_argument" {
			return true
		}
		q := cls.File.Unit.Qualify(pyast.Dotted(b))
		if !choicesBases[q] {
			return true // members may come from a base rubric does not read
		}
	}
	names := map[string]bool{}
	for k := range choicesClassAPI {
		names[k] = true
	}
	bodyNames(def, names)
	if names[name] {
		return true
	}
	p.Report(analyzer.Diagnostic{
		Range: analyzer.RangeOf(outer),
		Message: fmt.Sprintf("`%s.%s` has no member `%s`: the class defines no such name, so this raises AttributeError every time it runs",
			md.Name, innerName, name),
		Help: attrHelp(name, names),
	})
	return true
}

// managerWith returns the name of a manager of md whose class (or a
// project base of it) defines a method called name, or "".
func managerWith(sm *semantic.Model, md *project.Model, name string) string {
	for _, mg := range md.Managers {
		q := strings.TrimSuffix(strings.TrimSuffix(mg.Class, ".as_manager"), ".from_queryset")
		if c := sm.LookupClass(q); c != nil && c.Method(name) != nil {
			return mg.Name
		}
	}
	return ""
}

// modelRef resolves a dotted name to a model of the tree only when the
// name's import leads to that model's module (or a package above it that
// re-exports it): a library class of the same name (`from rq.job import
// Job`) is not the model.
func modelRef(p *analyzer.Pass, dotted string) *project.Model {
	md := p.Project.Models.Lookup(p.Unit, dotted)
	if md == nil || md.External {
		return nil
	}
	q := p.Unit.Qualify(dotted)
	if q == md.Qual || strings.HasSuffix(md.Qual, "."+q) {
		return md
	}
	mod, ok := strings.CutSuffix(q, "."+md.Name)
	if !ok {
		return nil
	}
	if strings.HasPrefix(md.Module+".", mod+".") || shortImport(p.Project, md.Module, mod) {
		return md
	}
	return nil
}

// shortImport reports whether mod names module (or a package above it)
// with leading segments dropped, as a file imports it when the checked
// directory sits above its source root (`src.shop.models` imported as
// `shop.models`). The dropped segments must not be a package of the tree:
// `import stripe` in an app that has a `payments/stripe/` package of its
// own imports the Stripe SDK, since a directory inside a package is not
// where Python looks for top-level modules.
func shortImport(ix *project.Index, module, mod string) bool {
	full := "." + module + "."
	for off := 0; ; {
		i := strings.Index(full[off:], "."+mod+".")
		if i < 0 {
			return false
		}
		i += off
		if i == 0 {
			return true
		}
		if _, pkg := ix.ByModule[full[1:i]]; !pkg {
			return true
		}
		off = i + 1
	}
}

// closedModel reports whether every class of md's hierarchy is the
// tree's or django.db.models.Model, and the tree does not add fields at
// run time.
func closedModel(sm *semantic.Model, md *project.Model, cls *semantic.Class) bool {
	if !sm.FieldsKnown(md) || len(md.ExternalBases) > 0 {
		return false
	}
	proj := map[string]bool{}
	all := append([]*semantic.Class{cls}, cls.Bases()...)
	for _, c := range all {
		proj[c.Qual] = true
	}
	for _, c := range all {
		for _, b := range c.BaseNames() {
			if proj[b] || b == "django.db.models.Model" || b == "django.db.models.base.Model" {
				continue
			}
			if bc := sm.LookupClass(b); bc != nil && proj[bc.Qual] {
				continue
			}
			return false
		}
		if c.Node.ChildByField("superclasses").IsNil() {
			continue
		}
		for k := range c.Node.ChildByField("superclasses").Named() {
			if k.Type() == "keyword_argument" {
				return false // a metaclass
			}
		}
	}
	return true
}

// modelClassNames collects every name readable on md's class.
func modelClassNames(g *project.Models, md *project.Model, cls *semantic.Class) map[string]bool {
	names := map[string]bool{}
	for k := range modelClassAPI {
		names[k] = true
	}
	for _, f := range md.Fields {
		names[f.Name] = true
		if f.Kind == project.ForeignKey || f.Kind == project.OneToOne {
			names[f.Name+"_id"] = true
		}
	}
	for _, r := range md.Reverse {
		names[r.Name] = true
	}
	for _, mg := range md.Managers {
		names[mg.Name] = true
	}
	for _, c := range append([]*semantic.Class{cls}, cls.Bases()...) {
		bodyNames(c.Node, names)
		names[strings.ToLower(c.Name)+"_ptr"] = true
	}
	for _, m := range g.All {
		for _, b := range m.Bases {
			if b == md {
				names[strings.ToLower(m.Name)] = true // multi-table child
			}
		}
	}
	return names
}

// bodyNames adds the names a class body binds: assignments (plain,
// annotated, tuple), functions, nested classes, names bound under if/try.
func bodyNames(def pyast.Node, names map[string]bool) {
	var walk func(block pyast.Node)
	walk = func(block pyast.Node) {
		for st := range pyast.EachStatement(block) {
			if st.Type() == "decorated_definition" {
				st = st.ChildByField("definition")
			}
			switch st.Type() {
			case "function_definition", "class_definition":
				names[pyast.DefName(st)] = true
			case "expression_statement":
				for e := st.NamedChild(0); e.Type() == "assignment"; e = e.ChildByField("right") {
					for _, id := range assignedNames(e.ChildByField("left")) {
						names[id] = true
					}
				}
			case "if_statement", "try_statement", "with_statement", "for_statement":
				for b := range pyast.FindEachShallow(st, "block") {
					walk(b)
				}
				if st.Type() == "for_statement" {
					for _, id := range assignedNames(st.ChildByField("left")) {
						names[id] = true
					}
				}
			}
		}
	}
	walk(pyast.Body(def))
}

// attrCache holds what runUnknownModelAttribute asks of a file again and
// again, worked out once per file: the file's stored attributes, the
// names each function tests with hasattr/getattr, and per model whether
// its hierarchy is closed and which names its class has. The answers are
// those of a scan per read; the scans were most of the rule's cost.
type attrCache struct {
	root     pyast.Node
	scanned  bool
	written  map[string]bool // dotted attributes assigned to or deleted
	setattr  map[string]bool // string names given to setattr
	tested   map[int32]map[string]bool
	isClosed map[*project.Model]bool
	names    map[*project.Model]map[string]bool
	rows     map[rowKey]rowFetch       // fetchedRow's scan of a function for a name
	refs     map[string]*project.Model // modelRef by dotted name
}

// modelRef is modelRef, once per dotted name of the file.
func (ac *attrCache) modelRef(p *analyzer.Pass, dotted string) *project.Model {
	md, ok := ac.refs[dotted]
	if !ok {
		md = modelRef(p, dotted)
		ac.refs[dotted] = md
	}
	return md
}

// rowKey is a local name of a function (by the function's start).
type rowKey struct {
	fn   int
	name string
}

// rowFetch is what fetchedRow found a local bound to: the fetch's call and
// the model it fetches a row of, or no model.
type rowFetch struct {
	rhs pyast.Node
	md  *project.Model
}

func newAttrCache(root pyast.Node) *attrCache {
	return &attrCache{root: root, tested: map[int32]map[string]bool{}, isClosed: map[*project.Model]bool{},
		names: map[*project.Model]map[string]bool{}, rows: map[rowKey]rowFetch{}, refs: map[string]*project.Model{}}
}

// closed is closedModel, once per model (cls is the model's class).
func (ac *attrCache) closed(sm *semantic.Model, md *project.Model, cls *semantic.Class) bool {
	v, ok := ac.isClosed[md]
	if !ok {
		v = closedModel(sm, md, cls)
		ac.isClosed[md] = v
	}
	return v
}

// classNames is modelClassNames, once per model; the map is shared and
// read only.
func (ac *attrCache) classNames(g *project.Models, md *project.Model, cls *semantic.Class) map[string]bool {
	v, ok := ac.names[md]
	if !ok {
		v = modelClassNames(g, md, cls)
		ac.names[md] = v
	}
	return v
}

// guarded reports a read inside a function that tests for the name with
// hasattr/getattr, or inside a try that catches AttributeError.
func (ac *attrCache) guarded(n pyast.Node, name string) bool {
	scope := pyast.EnclosingFunction(n)
	if scope.IsNil() {
		scope = ac.root
	}
	tested, ok := ac.tested[scope.ID()]
	if !ok {
		tested = map[string]bool{}
		for call := range pyast.FindEach(scope, "call") {
			h, _ := pyast.AsCallHead(call)
			if f := pyast.Dotted(h.Func); f == "hasattr" || f == "getattr" {
				c, _ := pyast.AsCall(call)
				if len(c.Positional) > 1 {
					if s, ok := pyast.StringValue(c.Positional[1]); ok {
						tested[s] = true
					}
				}
			}
		}
		ac.tested[scope.ID()] = tested
	}
	if tested[name] {
		return true
	}
	for t := pyast.Ancestor(n, "try_statement"); !t.IsNil(); t = pyast.Ancestor(t, "try_statement") {
		for k := range t.Named() {
			if k.Type() == "except_clause" && strings.Contains(k.Text(), "AttributeError") {
				return true
			}
		}
	}
	return false
}

// stored reports a write or delete of the same dotted attribute anywhere
// in the file (`Model.NAME = ...` defines it), or a setattr of name.
func (ac *attrCache) stored(n pyast.Node, name string) bool {
	want := pyast.Dotted(n)
	if want == "" {
		return true
	}
	ac.scan()
	return ac.written[want] || ac.setattr[name]
}

// scan fills written and setattr, once per file.
func (ac *attrCache) scan() {
	if ac.scanned {
		return
	}
	ac.scanned = true
	ac.written, ac.setattr = map[string]bool{}, map[string]bool{}
	for a := range pyast.FindEach(ac.root, "assignment", "augmented_assignment", "delete_statement") {
		left := a.ChildByField("left")
		for l := range pyast.FindEach(a, "attribute") {
			if a.Type() == "delete_statement" || left.Contains(l) || left.Equal(l) {
				ac.written[pyast.Dotted(l)] = true
				ac.written["."+l.ChildByField("attribute").Text()] = true // any object's
			}
		}
	}
	for call := range pyast.FindEach(ac.root, "call") {
		if h, _ := pyast.AsCallHead(call); pyast.Dotted(h.Func) != "setattr" {
			continue
		}
		if c, _ := pyast.AsCall(call); len(c.Positional) > 1 {
			if s, ok := pyast.StringValue(c.Positional[1]); ok {
				ac.setattr[s] = true
			}
		}
	}
}

// attrHelp suggests the defined name nearest to name.
func attrHelp(name string, names map[string]bool) string {
	var cands []string
	for k := range names {
		if !modelClassAPI[k] && !choicesClassAPI[k] {
			cands = append(cands, k)
		}
	}
	sort.Strings(cands)
	for _, c := range cands {
		if strings.EqualFold(c, name) {
			return fmt.Sprintf("did you mean `%s`?", c)
		}
	}
	if s := semantic.Closest(name, cands); s != "" {
		return fmt.Sprintf("did you mean `%s`?", s)
	}
	return didYouMean("", cands, "defined")
}

// rowChain are the queryset methods a fetch of one row may chain before
// get()/first()/last(): they filter, order or load relations, and add no
// attribute to the row (annotate, alias, extra and values do, and end the
// reading).
var rowChain = map[string]bool{"all": true, "filter": true, "exclude": true, "order_by": true, "select_related": true,
	"prefetch_related": true, "using": true, "select_for_update": true, "only": true, "defer": true, "distinct": true}

// fetchedRow returns the model of obj when obj is a local name (not self
// or cls) assigned once in its function, before obj, to
// `Model.objects[.chain].get(...)` (or first(), last(), earliest(),
// latest()) or `get_object_or_404(Model, ...)`, where Model is a model of
// the tree whose `objects` is Django's own manager; nil otherwise. The
// function is scanned once per name (rowFetchOf), not once per read.
func (ac *attrCache) fetchedRow(p *analyzer.Pass, obj pyast.Node) *project.Model {
	if obj.Type() != "identifier" || obj.Text() == "self" || obj.Text() == "cls" {
		return nil
	}
	fn := pyast.EnclosingFunction(obj)
	if fn.IsNil() {
		return nil
	}
	k := rowKey{fn.StartByte(), obj.Text()}
	rf, ok := ac.rows[k]
	if !ok {
		rf = rowFetchOf(p, fn, obj.Text())
		ac.rows[k] = rf
	}
	if rf.md == nil || rf.rhs.StartByte() > obj.StartByte() {
		return nil
	}
	return rf.md
}

// rowFetchOf finds what the local name is bound to in fn: a fetch of one
// row through a model's default manager, assigned once and bound no other
// way (rowFetch.md set), or anything else (md nil).
func rowFetchOf(p *analyzer.Pass, fn pyast.Node, name string) rowFetch {
	var rhs pyast.Node
	count := 0
	for a := range pyast.FindEach(fn, "assignment", "augmented_assignment", "for_statement", "as_pattern", "named_expression", "parameters", "global_statement", "nonlocal_statement") {
		var binds pyast.Node
		switch a.Type() {
		case "for_statement":
			binds = a.ChildByField("left")
		case "as_pattern":
			binds = a.ChildByField("alias")
		case "named_expression":
			binds = a.ChildByField("name")
		case "parameters", "global_statement", "nonlocal_statement":
			binds = a
		}
		switch a.Type() {
		case "assignment", "augmented_assignment":
			left := a.ChildByField("left")
			for id := range pyast.FindEach(left, "identifier") {
				if id.Text() == name && id.Parent().Type() != "attribute" || left.Equal(id) && id.Text() == name {
					count++
					if left.Equal(id) && a.Type() == "assignment" {
						rhs = a.ChildByField("right")
					}
				}
			}
		default:
			for id := range pyast.FindEach(binds, "identifier") {
				if id.Text() == name {
					return rowFetch{} // bound another way: a loop, a with, a parameter
				}
			}
		}
	}
	if count != 1 || rhs.IsNil() {
		return rowFetch{}
	}
	return rowFetch{rhs: rhs, md: fetchedModel(p, rhs)}
}

// fetchedModel returns the model a fetch of one row reads
// (`Model.objects[.chain].get(...)`, `get_object_or_404(Model, ...)`) when
// its `objects` is Django's own manager; nil for any other expression.
func fetchedModel(p *analyzer.Pass, rhs pyast.Node) *project.Model {
	rhs = pyast.Unparen(rhs)
	c, ok := pyast.AsCall(rhs)
	if !ok || c.StarArgs || c.StarKwargs {
		return nil
	}
	if pyast.Dotted(c.Func) == "get_object_or_404" {
		if len(c.Positional) == 0 {
			return nil
		}
		return defaultManaged(modelRef(p, pyast.Dotted(c.Positional[0])))
	}
	switch c.MethodName() {
	case "get", "first", "last", "earliest", "latest":
	default:
		return nil
	}
	recv := pyast.Unparen(c.Receiver())
	for recv.Type() == "call" {
		rc, _ := pyast.AsCall(recv)
		if !rowChain[rc.MethodName()] || rc.StarKwargs {
			return nil
		}
		recv = pyast.Unparen(rc.Receiver())
	}
	if recv.Type() != "attribute" || recv.ChildByField("attribute").Text() != "objects" {
		return nil
	}
	return defaultManaged(modelRef(p, pyast.Dotted(recv.ChildByField("object"))))
}

// defaultManaged returns md when its `objects` manager is Django's own
// (declared nowhere, or as models.Manager()): a custom manager's
// get_queryset may annotate its rows.
func defaultManaged(md *project.Model) *project.Model {
	if md == nil {
		return nil
	}
	for _, m := range md.Managers {
		if m.Name == "objects" && m.Class != "django.db.models.Manager" && m.Class != "django.db.models.manager.Manager" {
			return nil
		}
	}
	return md
}

// selfStored reports an assignment to `self.NAME` in a method of the
// model's class or one of its project bases: an attribute rows carry
// without the class body binding it.
func selfStored(cls *semantic.Class, name string) bool {
	for _, c := range append([]*semantic.Class{cls}, cls.Bases()...) {
		for a := range pyast.FindEach(c.Node, "assignment", "augmented_assignment") {
			for l := range pyast.FindEach(a.ChildByField("left"), "attribute") {
				if l.ChildByField("attribute").Text() == name {
					return true
				}
			}
		}
	}
	return false
}

// anyStored reports a write or delete of an attribute called name, on
// anything, anywhere in the file, or a setattr of it: the row may be given
// the attribute before it is read.
func (ac *attrCache) anyStored(name string) bool {
	ac.scan()
	if ac.setattr[name] {
		return true
	}
	return ac.written["."+name]
}

// assignedTo reports an attribute that is written rather than read (the
// left side of an assignment, or deleted).
func assignedTo(n pyast.Node) bool {
	for a := n.Parent(); !a.IsNil(); a = a.Parent() {
		switch a.Type() {
		case "assignment", "augmented_assignment":
			left := a.ChildByField("left")
			return left.Equal(n) || left.Contains(n)
		case "delete_statement":
			return true
		case "expression_statement", "block", "function_definition", "module":
			return false
		}
	}
	return false
}
