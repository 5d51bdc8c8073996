package orm

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed admin.md
var adminDoc string

// AdminChangelist reports admin changelist columns that load a relation
// (or query a related manager) once per row.
var AdminChangelist = &analyzer.Rule{
	Code:              "ORM009",
	Name:              "admin-changelist-n-plus-one",
	Doc:               adminDoc,
	Category:          analyzer.Performance,
	Severity:          analyzer.Warning,
	Confidence:        analyzer.High,
	Since:             "0.2.0",
	Stack:             project.Django,
	SkipOnSyntaxError: true,
	Skip:              semantic.ProductCode,
	Distinct:          true,
	Requires:          requires,
	Run:               runAdminChangelist,
}

// changelist is what Django's ChangeList loads with the rows of an admin.
type changelist struct {
	selectAll bool     // select_related(): every non-null foreign key, recursively
	selects   []string // list_select_related paths and get_queryset's select_related
	prefetch  []string // get_queryset's prefetch_related
	opaque    bool     // get_queryset adds something unreadable
	// listSelect is the list_select_related assignment, when a tuple or
	// list literal (a fix extends it); declared is set when one exists.
	listSelect pyast.Node
	declared   bool
	// selectTrue is `list_select_related = True`: a bare select_related()
	// that skips nullable keys, which only a list of paths loads.
	selectTrue bool
}

func (c *changelist) loads(md *project.Model, path string) bool {
	for _, s := range append(append([]string{}, c.selects...), c.prefetch...) {
		if s == path || strings.HasPrefix(s, path+"__") {
			return true
		}
	}
	if !c.selectAll {
		return false
	}
	// select_related() without fields follows non-null foreign keys only.
	steps, ok := md.Follow(path)
	if !ok {
		return false
	}
	for _, st := range steps {
		if st.Kind != project.AttrForward || st.Field == nil || st.Field.Null || st.Field.Kind == project.GenericFK {
			return false
		}
	}
	return true
}

// runAdminChangelist matches ModelAdmin classes (registered with
// @admin.register(M) or admin.site.register(M, Admin)) and reads each
// list_display entry: a foreign key field (Django shows its __str__), a
// method of the admin taking the row, a method or property of the model,
// or a callable. What each reads per row, through calls, is compared with
// what the changelist loads: list_select_related, the select_related()
// Django applies when list_display names a foreign key (non-null keys
// only), and select_related/prefetch_related in a get_queryset override.
// Inlines, admins whose model is not in the graph, and columns whose code
// cannot be resolved are skipped.
func runAdminChangelist(p *analyzer.Pass) error {
	t := NewTracker(p)
	for _, c := range t.Classes {
		md := t.sm.AdminModel(c)
		// Registered with Django's admin but derived from a class outside
		// the tree whose name says nothing: an admin all the same; its base
		// may load more than what is read here, so medium confidence.
		unknownBase := false
		if md == nil && !c.IsAdmin() {
			md = t.sm.RegisteredAdminModel(c)
			unknownBase = md != nil
		}
		// The user model outside the tree (Django's auth.User) is the
		// external model projects most often register again with their
		// own admin: what the graph knows of it, the relations the tree's
		// models (and, by Django's default accessor, a library's) point
		// at it with, is judged; its own fields are not known.
		if md == nil || md.External && md != t.sm.Graph.UserModel() || isInline(c) {
			continue
		}
		ld, decl := c.Attr("list_display")
		defaultStr := false // Django's list_display = ("__str__",)
		if ld.IsNil() {
			if c.File != t.File || !defaultListDisplay(c) {
				continue
			}
			defaultStr = true
		} else if decl.File != t.File {
			continue
		}
		cl := readChangelist(t, c, md, ld)
		var missing []string
		type finding struct {
			at    pyast.Node
			col   string
			fn    *semantic.Func
			paths []string // maximal relation paths loaded per row
			acc   semantic.Access
			many  bool // a foreign key read across a many relation: prefetched, not selected
		}
		var found []finding
		columns := elementsOf(ld)
		if defaultStr {
			columns = []pyast.Node{c.Node.ChildByField("name")}
		}
		for _, e := range columns {
			col, fn, accs := t.columnAccesses(c, md, e)
			if defaultStr {
				col, fn, accs = t.namedColumnAccesses(c, md, "__str__", e)
			}
			var fwd []string
			var first *semantic.Access
			for i, a := range accs {
				if a.Kind == semantic.Lookup || cl.opaque {
					continue
				}
				if a.Kind == semantic.Forward && crossesMany(md, a.Path) {
					// `obj.contracts.all()` then `contract.registrant`:
					// select_related cannot cross the manager.
					if !containsPath(cl.prefetch, a.Path) {
						found = append(found, finding{at: e, col: col, fn: fn, paths: []string{a.Path}, acc: a, many: true})
					}
					continue
				}
				if a.Kind == semantic.Forward && cl.loads(md, a.Path) {
					continue
				}
				if a.Kind == semantic.Query {
					// Filtered, ordered or fetched per row: a query even
					// when the relation is prefetched, unless it is a
					// branch taken without the prefetch (`try:
					// self._prefetched_objects_cache[...]`, then query).
					if a.Conditional && containsPath(cl.prefetch, a.Path) {
						continue
					}
					found = append(found, finding{at: e, col: col, fn: fn, paths: []string{a.Path}, acc: a})
					continue
				}
				if a.Kind != semantic.Forward && containsPath(cl.prefetch, a.Path) {
					continue
				}
				if a.Kind == semantic.Forward {
					fwd = append(fwd, a.Path)
					missing = append(missing, a.Path)
					if first == nil {
						first = &accs[i]
					}
					continue
				}
				found = append(found, finding{at: e, col: col, fn: fn, paths: []string{a.Path}, acc: a})
			}
			if first != nil {
				found = append(found, finding{at: e, col: col, fn: fn, paths: maximal(fwd), acc: *first})
			}
		}
		missing = maximal(missing)
		fixDone := false
		for _, fd := range found {
			a := fd.acc
			d := analyzer.Diagnostic{Range: analyzer.RangeOf(fd.at)}
			var shown []string
			for _, p := range fd.paths {
				shown = append(shown, "`obj."+strings.ReplaceAll(p, "__", ".")+"`")
			}
			verb := "loads"
			if a.Kind != semantic.Forward && a.Kind != semantic.Generic {
				verb = "queries"
			}
			d.Message = fmt.Sprintf("changelist column `%s` of `%s` %s %s per row", fd.col, c.Name, verb, strings.Join(shown, ", "))
			if defaultStr {
				d.Message = fmt.Sprintf("changelist of `%s` (no list_display: each row's `__str__`) %s %s per row", c.Name, verb, strings.Join(shown, ", "))
			}
			if len(a.Via) > 0 {
				where, related := deepRelated(&a)
				d.Message += ", " + where
				d.Related = related
			} else {
				if fd.fn != nil {
					d.Message += ", in `" + funcLabel(fd.fn) + "`"
				}
				d.Related = append(d.Related, analyzer.Related{Path: a.File.Unit.File.Rel, Range: analyzer.RangeOf(a.Node), Message: "the query per row"})
			}
			switch {
			case fd.many:
				d.Help = fmt.Sprintf("override `get_queryset` to return `super().get_queryset(request).prefetch_related(%q)`", a.Path)
			case a.Kind == semantic.Forward:
				fam := strings.Join(fd.paths, `", "`)
				d.Help = fmt.Sprintf("load it with the page's rows: `list_select_related = (%s,)` on `%s`", quote(missing), c.Name)
				if cl.declared && cl.listSelect.IsNil() {
					d.Help = fmt.Sprintf("add %q to `%s.list_select_related`", fam, c.Name)
				}
				if cl.selectTrue {
					d.Help = fmt.Sprintf("`list_select_related = True` follows non-null foreign keys only: name the paths, `list_select_related = (%s,)` on `%s`, with the other keys the columns read", quote(missing), c.Name)
				}
				if !fixDone {
					if e, ok := listSelectFix(t, c, cl, ld, missing); ok {
						d.Fixes = []analyzer.Fix{{Message: "load " + quote(missing) + " with the rows", Edits: []analyzer.TextEdit{e}, Applicability: analyzer.Safe}}
						fixDone = true
					}
				}
			case a.Kind == semantic.Query:
				d.Help = fmt.Sprintf("the column queries `obj.%s` for every row, prefetched or not: prefetch the rows it needs with `Prefetch(%q, queryset=..., to_attr=...)` in `get_queryset` and read the list, or annotate the value", strings.ReplaceAll(a.Path, "__", "."), a.Path)
			case a.Kind == semantic.Count:
				name := strings.ReplaceAll(a.Path, "__", "_") + "_count"
				d.Help = fmt.Sprintf("override `get_queryset` to `.annotate(%s=Count(%q))` and show `obj.%s`", name, a.Path, name)
			case a.Kind == semantic.Exists:
				d.Help = fmt.Sprintf("override `get_queryset` to annotate `Exists(...)` on `%s`, or prefetch it", a.Path)
			default:
				d.Help = fmt.Sprintf("override `get_queryset` to return `super().get_queryset(request).prefetch_related(%q)`", a.Path)
			}
			if a.Conditional || unknownBase {
				d.Confidence = analyzer.Medium
			}
			p.Report(d)
		}
	}
	t.wagtailListings()
	return nil
}

// wagtailGeneric reports a qualified class name of Wagtail's generic
// admin views (`wagtail.admin.views.generic.IndexView`, or the module
// that defines it).
func wagtailGeneric(q string) bool {
	return strings.HasPrefix(q, "wagtail.admin.views.generic.") || q == "wagtail.admin.views.generic"
}

// wagtailListings reads Wagtail's generic listing views (subclasses of
// `wagtail.admin.views.generic.IndexView`) declaring `columns`: a plain
// `Column("fk")` or `TitleColumn("fk")` renders the related object once
// per row, like a list_display foreign key. The model is the view's
// `model`, or that of the ModelViewSet naming the view as its
// `index_view_class`; a view (or a project base below Wagtail's) that
// sets `queryset` or overrides get_queryset/get_base_queryset is not
// judged, nor are other column classes (they may render anything).
func (t *Tracker) wagtailListings() {
	for _, c := range t.Classes {
		cols, decl := c.Attr("columns")
		if cols.IsNil() || decl.File != t.File || !isWagtailIndex(c) || overridesListing(c) {
			continue
		}
		md := t.wagtailModel(c)
		if md == nil || md.External {
			continue
		}
		for _, e := range elementsOf(cols) {
			call, ok := pyast.AsCall(e)
			if !ok {
				continue
			}
			kind := pyast.Dotted(call.Func)
			kind = kind[strings.LastIndex(kind, ".")+1:]
			if kind != "Column" && kind != "TitleColumn" || len(call.Positional) == 0 {
				continue
			}
			name, ok := pyast.StringValue(call.Positional[0])
			if acc := call.Keyword("accessor"); !acc.IsNil() {
				name, ok = pyast.StringValue(acc)
			}
			if !ok || name == "" {
				continue
			}
			var path []string
			cur := md
			for _, part := range strings.Split(name, ".") {
				a := cur.Attr(part)
				if a.Kind != project.AttrForward && a.Kind != project.AttrReverseOne || a.Target == nil || a.Field != nil && a.Field.Kind == project.GenericFK {
					break
				}
				path = append(path, part)
				cur = a.Target
			}
			if len(path) == 0 {
				continue
			}
			sel := strings.Join(path, "__")
			d := analyzer.Diagnostic{
				Range:   analyzer.RangeOf(e),
				Message: fmt.Sprintf("listing column `%s` of `%s` loads `obj.%s` per row", name, c.Name, strings.Join(path, ".")),
				Help:    fmt.Sprintf("load it with the page's rows: `def get_base_queryset(self): return super().get_base_queryset().select_related(%q)` on `%s`", sel, c.Name),
				Related: []analyzer.Related{{Path: c.File.Unit.File.Rel, Range: analyzer.RangeOf(c.Node.ChildByField("name")), Message: "the listing, over `" + md.Name + "` rows"}},
			}
			t.p.Report(d)
		}
	}
}

// isWagtailIndex reports a subclass of Wagtail's generic IndexView.
func isWagtailIndex(c *semantic.Class) bool {
	for _, cc := range append([]*semantic.Class{c}, c.Bases()...) {
		if wagtailGeneric(cc.Qual) && cc.Name == "IndexView" {
			return true
		}
		for _, b := range cc.BaseNames() {
			if wagtailGeneric(b[:max(strings.LastIndex(b, "."), 0)]) && strings.HasSuffix(b, ".IndexView") {
				return true
			}
		}
	}
	return false
}

// overridesListing reports a listing view that sets its own queryset: a
// `queryset` attribute or a get_queryset/get_base_queryset of its own or
// of a project base below Wagtail's generic views.
func overridesListing(c *semantic.Class) bool {
	for _, cc := range append([]*semantic.Class{c}, c.Bases()...) {
		if wagtailGeneric(cc.Qual) {
			break
		}
		if cc.Methods["get_queryset"] != nil || cc.Methods["get_base_queryset"] != nil || !cc.Attrs["queryset"].IsNil() {
			return true
		}
	}
	return false
}

// wagtailModel is the model a listing view lists: its `model`, or the
// model of a class in the project naming it as `index_view_class`.
func (t *Tracker) wagtailModel(c *semantic.Class) *project.Model {
	if v, decl := c.Attr("model"); !v.IsNil() && v.Type() != "none" {
		return t.g.Lookup(decl.File.Unit, pyast.Dotted(v))
	}
	var found *project.Model
	for _, f := range t.sm.Files() {
		for _, vs := range f.Classes {
			iv, ok := vs.Attrs["index_view_class"]
			if !ok || f.M.LookupClass(f.Unit.Qualify(pyast.Dotted(iv))) != c {
				continue
			}
			mv, ok := vs.Attrs["model"]
			if !ok {
				return nil
			}
			md := t.g.Lookup(f.Unit, pyast.Dotted(mv))
			if md == nil || found != nil && found != md {
				return nil // two viewsets, two models
			}
			found = md
		}
	}
	return found
}

func containsPath(paths []string, p string) bool {
	for _, s := range paths {
		if s == p || strings.HasPrefix(s, p+"__") {
			return true
		}
	}
	return false
}

// plainAdminBases are admin base classes of Django and common libraries
// that keep ModelAdmin's list_display, ("__str__",).
var plainAdminBases = map[string]bool{
	"django.contrib.admin.ModelAdmin":                  true,
	"django.contrib.admin.options.ModelAdmin":          true,
	"django.contrib.gis.admin.ModelAdmin":              true,
	"django.contrib.gis.admin.GeoModelAdmin":           true,
	"django.contrib.gis.admin.OSMGeoAdmin":             true,
	"django.contrib.gis.admin.GISModelAdmin":           true,
	"reversion.admin.VersionAdmin":                     true,
	"reversion_compare.admin.CompareVersionAdmin":      true,
	"simple_history.admin.SimpleHistoryAdmin":          true,
	"import_export.admin.ImportExportModelAdmin":       true,
	"import_export.admin.ImportExportMixin":            true,
	"import_export.admin.ImportMixin":                  true,
	"import_export.admin.ExportMixin":                  true,
	"import_export.admin.ExportActionMixin":            true,
	"import_export.admin.ExportActionModelAdmin":       true,
	"import_export.admin.ImportExportActionModelAdmin": true,
	"modeltranslation.admin.TranslationAdmin":          true,
	"modeltranslation.admin.TabbedTranslationAdmin":    true,
	"django.contrib.admin.ModelAdmin[typing.Any]":      true,
	"object": true,
}

// defaultListDisplay reports an admin that shows Django's default
// list_display, each row's __str__: neither it nor a project base sets
// list_display, overrides get_list_display or changelist_view, or replaces
// get_urls without calling super's (no changelist served), and every base
// outside the
// project is one known to keep the default (a library's admin base may set
// its own list_display, as django.contrib.auth's UserAdmin does).
func defaultListDisplay(c *semantic.Class) bool {
	chain := append([]*semantic.Class{c}, c.Bases()...)
	inTree := map[string]bool{}
	for _, cc := range chain {
		inTree[cc.Qual] = true
		if cc.Method("get_list_display") != nil || cc.Methods["changelist_view"] != nil {
			return false
		}
		if gu := cc.Methods["get_urls"]; gu != nil && !callsSuper(gu.Node, "get_urls") {
			// Its own URLs only (django-cms's SettingsAdmin routes ""
			// to change_view): no changelist is served.
			return false
		}
	}
	for _, cc := range chain {
		for _, b := range cc.BaseNames() {
			if !inTree[b] && !plainAdminBases[b] {
				return false
			}
		}
	}
	return true
}

// isInline reports admin inlines: they are not changelists.
func isInline(c *semantic.Class) bool {
	for _, cc := range append([]*semantic.Class{c}, c.Bases()...) {
		for _, b := range cc.BaseNames() {
			if strings.HasSuffix(b, "Inline") {
				return true
			}
		}
	}
	return false
}

// readChangelist works out what the changelist loads.
func readChangelist(t *Tracker, c *semantic.Class, md *project.Model, listDisplay pyast.Node) *changelist {
	cl := &changelist{}
	v, _ := c.Attr("list_select_related")
	switch {
	case v.IsNil() || v.Type() == "false":
		// Django selects every non-null foreign key when list_display
		// names a foreign key field.
		for _, e := range elementsOf(listDisplay) {
			if s, ok := pyast.StringValue(e); ok {
				if a := md.Attr(s); a.Kind == project.AttrForward && a.Field != nil && a.Field.Kind != project.GenericFK {
					cl.selectAll = true
				}
			}
		}
		cl.declared = !v.IsNil()
	case v.Type() == "true":
		cl.selectAll, cl.declared, cl.selectTrue = true, true, true
	default:
		cl.declared = true
		if v.Is("tuple", "list") {
			cl.listSelect = v
		}
		for _, e := range elementsOf(v) {
			if s, ok := pyast.StringValue(e); ok {
				cl.selects = append(cl.selects, s)
			} else {
				cl.opaque = true
			}
		}
	}
	// A base adding paths at run time (`self.list_select_related +=
	// ['securityscan']` in a mixin's __init__).
	for _, cc := range append([]*semantic.Class{c}, c.Bases()...) {
		for _, fn := range cc.Methods {
			for st := range pyast.FindEach(fn.Node, "augmented_assignment", "assignment") {
				if pyast.Dotted(st.ChildByField("left")) != "self.list_select_related" {
					continue
				}
				right := st.ChildByField("right")
				if st.Type() != "augmented_assignment" || !pyast.Unparen(right).Is("tuple", "list") {
					cl.opaque = true
					continue
				}
				for _, e := range elementsOf(right) {
					if s, ok := pyast.StringValue(e); ok {
						cl.selects = append(cl.selects, s)
					} else {
						cl.opaque = true
					}
				}
			}
		}
	}
	gq := c.Method("get_queryset")
	if gq == nil {
		gq = c.Method("queryset") // its name before Django 1.6
	}
	if gq != nil {
		for call := range pyast.FindEach(gq.Node, "call") {
			cc, _ := pyast.AsCall(call)
			switch cc.MethodName() {
			case "select_related", "prefetch_related":
				if len(cc.Positional) == 0 {
					cl.selectAll = true
				}
				for _, a := range cc.Positional {
					s, ok := pyast.StringValue(a)
					if !ok {
						cl.opaque = true
						continue
					}
					if cc.MethodName() == "select_related" {
						cl.selects = append(cl.selects, s)
					} else {
						cl.prefetch = append(cl.prefetch, s)
					}
				}
			default:
				// A method of the model's own queryset or manager
				// (`qs.prefetch_default_related()`, returning
				// `self.prefetch_related(...)`): what its chain loads.
				if cc.Receiver().IsNil() {
					continue
				}
				sel, pre, all := t.CustomLoads(md, cc.MethodName())
				cl.selects = append(cl.selects, sel...)
				cl.prefetch = append(cl.prefetch, pre...)
				cl.selectAll = cl.selectAll || all
			}
		}
	}
	return cl
}

// columnAccesses returns a list_display entry's name, the function that
// computes it (nil for a field), and what it reads per row.
func (t *Tracker) columnAccesses(c *semantic.Class, md *project.Model, e pyast.Node) (string, *semantic.Func, []semantic.Access) {
	s, ok := pyast.StringValue(e)
	if !ok {
		// A callable: a function taking the row.
		if fn, _ := t.resolveName(e); fn != nil && len(fn.Params) >= 1 {
			return e.Text(), fn, t.sm.RowAccesses(fn, 0, md)
		}
		if name, ok := t.factoryField(e); ok {
			// `link_field("playlist")`: a column reading that field.
			_, fn, accs := t.namedColumnAccesses(c, md, name, e)
			return e.Text(), fn, accs
		}
		return e.Text(), nil, nil
	}
	return t.namedColumnAccesses(c, md, s, e)
}

// factoryField reads a list_display entry made by a project function
// called with a field's name (`link_field("playlist")`) that returns a
// function it defines, taking the row and reading the field with
// `getattr(obj, field_name)`, field_name being the factory's parameter the
// call binds to that name: the column reads that field of the row, as the
// entry "playlist" would (a callable column does not make Django select
// the key, as a field named in list_display does). Every such getattr in
// the function must read the same parameter.
func (t *Tracker) factoryField(e pyast.Node) (string, bool) {
	c, ok := pyast.AsCall(e)
	if !ok {
		return "", false
	}
	fn, bound := t.File.Callee(e)
	if fn == nil || fn.Class != nil || fn.Node.IsNil() {
		return "", false
	}
	body := pyast.Body(fn.Node)
	var inner pyast.Node
	for r := range pyast.FindEachShallow(body, "return_statement") {
		v := pyast.Unparen(r.NamedChild(0))
		if v.Type() != "identifier" {
			return "", false
		}
		def := pyast.Node{}
		for d := range body.Named() {
			if d.Type() == "function_definition" && d.ChildByField("name").Text() == v.Text() {
				def = d
			}
		}
		if def.IsNil() || !inner.IsNil() && !inner.Equal(def) {
			return "", false
		}
		inner = def
	}
	if inner.IsNil() {
		return "", false
	}
	params := pyast.ParamNames(inner)
	if len(params) == 0 {
		return "", false
	}
	row, param := params[0], -1
	for call := range pyast.FindEach(pyast.Body(inner), "call") {
		g, ok := pyast.AsCall(call)
		if !ok || g.Func.Type() != "identifier" || g.Func.Text() != "getattr" || len(g.Positional) < 2 {
			continue
		}
		obj, key := pyast.Unparen(g.Positional[0]), pyast.Unparen(g.Positional[1])
		if obj.Type() != "identifier" || obj.Text() != row {
			continue
		}
		if key.Type() != "identifier" {
			return "", false
		}
		i := slices.Index(fn.Params, key.Text())
		if i < 0 || param >= 0 && i != param {
			return "", false
		}
		param = i
	}
	if param < 0 {
		return "", false
	}
	arg := semantic.ArgFor(c, fn, param, bound)
	if arg.IsNil() {
		return "", false
	}
	return pyast.StringValue(pyast.Unparen(arg))
}

// namedColumnAccesses is columnAccesses for a column named by a string.
func (t *Tracker) namedColumnAccesses(c *semantic.Class, md *project.Model, s string, e pyast.Node) (string, *semantic.Func, []semantic.Access) {
	if s == "__str__" {
		if fn := t.sm.ModelMethod(md, "__str__"); fn != nil {
			return s, fn, t.sm.RowAccesses(fn, 0, md)
		}
		return s, nil, nil
	}
	if strings.Contains(s, "__") {
		return s, nil, forwardPath(md, s, e, t.File)
	}
	switch a := md.Attr(s); a.Kind {
	case project.AttrForward:
		accs := []semantic.Access{{Kind: semantic.Forward, Path: s, Node: e, File: t.File, Field: a.Field, Target: a.Target}}
		if a.Field == nil || a.Field.Kind == project.GenericFK || a.Target == nil {
			return s, nil, accs
		}
		// Django shows the related object's __str__: what it reads is
		// read per row under the key's path.
		if fn := t.sm.ModelMethod(a.Target, "__str__"); fn != nil {
			if more := t.sm.RowAccesses(fn, 0, a.Target); len(more) > 0 {
				// `if self.title: return self.title` before the reads:
				// only some rows reach them.
				early := countReturns(fn.Node) > 1
				for _, m := range more {
					if m.Kind == semantic.Lookup {
						continue
					}
					m.Path = s + "__" + m.Path
					m.Conditional = m.Conditional || early
					accs = append(accs, m)
				}
				return s, fn, accs
			}
		}
		return s, nil, accs
	case project.AttrColumn:
		return s, nil, nil
	}
	if fn := c.Method(s); fn != nil && len(fn.Params) >= 2 {
		return s, fn, t.sm.RowAccesses(fn, 1, md)
	}
	if fn := t.sm.ModelMethod(md, s); fn != nil {
		return s, fn, t.sm.RowAccesses(fn, 0, md)
	}
	return s, nil, nil
}

// forwardPath reads a `fk__field` column (Django 5.1): every forward hop
// is loaded per row unless selected.
func forwardPath(md *project.Model, s string, at pyast.Node, f *semantic.File) []semantic.Access {
	steps, _ := md.Follow(s)
	var out []semantic.Access
	var path []string
	for i, st := range steps {
		if st.Kind != project.AttrForward {
			break
		}
		path = append(path, strings.Split(s, "__")[i])
		out = append(out, semantic.Access{Kind: semantic.Forward, Path: strings.Join(path, "__"), Node: at, File: f, Field: st.Field, Target: st.Target})
	}
	return out
}

// countReturns counts the return statements of a function body (not of
// nested functions).
func countReturns(def pyast.Node) int {
	n := 0
	for range pyast.FindEachShallow(def, "return_statement") {
		n++
	}
	return n
}

// crossesMany reports a relation path with a many hop (reverse foreign key
// or many-to-many) before its end.
func crossesMany(md *project.Model, path string) bool {
	steps, _ := md.Follow(path)
	for i, st := range steps {
		if i < len(steps)-1 && (st.Kind == project.AttrReverseMany || st.Kind == project.AttrManyToMany) {
			return true
		}
	}
	return false
}

// resolveName resolves a callable named in list_display.
func (t *Tracker) resolveName(n pyast.Node) (*semantic.Func, bool) {
	if n.Type() != "identifier" {
		return nil, false
	}
	for _, fn := range t.Funcs {
		if fn.Class == nil && fn.Qual != "" && fn.Name == n.Text() {
			return fn, true
		}
	}
	return nil, false
}

// elementsOf returns the items of a tuple or list literal.
func elementsOf(n pyast.Node) []pyast.Node {
	n = pyast.Unparen(n)
	if !n.Is("tuple", "list") {
		return nil
	}
	return n.NamedChildren()
}

// listSelectFix extends a literal list_select_related, or adds one after
// list_display when the admin declares none and does not override
// get_queryset.
func listSelectFix(t *Tracker, c *semantic.Class, cl *changelist, listDisplay pyast.Node, missing []string) (analyzer.TextEdit, bool) {
	if len(missing) == 0 {
		return analyzer.TextEdit{}, false
	}
	if !cl.listSelect.IsNil() {
		v := cl.listSelect
		items := elementsOf(v)
		text := "(" + quote(append(stringsOf(items), missing...)) + ",)"
		if v.Type() == "list" {
			text = "[" + quote(append(stringsOf(items), missing...)) + "]"
		}
		return analyzer.TextEdit{Range: analyzer.RangeOf(v), NewText: text}, true
	}
	if cl.declared || c.Method("get_queryset") != nil {
		return analyzer.TextEdit{}, false
	}
	return insertAfterAssignment(t.p.File.Src(), listDisplay, "list_select_related = ("+quote(missing)+",)")
}

// insertAfterAssignment inserts a line after the class-body assignment
// whose value is value (`list_display = [...]`, `model = M`), at its
// indentation and after a trailing comment; false when the assignment is
// not a statement of its own on its line.
func insertAfterAssignment(src []byte, value pyast.Node, text string) (analyzer.TextEdit, bool) {
	stmt := value.Parent().Parent() // expression_statement of the assignment
	if stmt.Type() != "expression_statement" {
		return analyzer.TextEdit{}, false
	}
	lineStart := stmt.StartByte()
	for lineStart > 0 && src[lineStart-1] != '\n' {
		lineStart--
	}
	indent := string(src[lineStart:stmt.StartByte()])
	if strings.TrimSpace(indent) != "" {
		return analyzer.TextEdit{}, false
	}
	end := stmt.EndByte()
	for end < len(src) && src[end] != '\n' {
		end++ // after a trailing comment
	}
	return analyzer.TextEdit{Range: analyzer.Range{Start: end, End: end}, NewText: "\n" + indent + text}, true
}

func stringsOf(items []pyast.Node) []string {
	var out []string
	for _, it := range items {
		if s, ok := pyast.StringValue(it); ok {
			out = append(out, s)
		}
	}
	return out
}
