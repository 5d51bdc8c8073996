package orm

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed unordered.md
var unorderedDoc string

// UnorderedPagination reports paginated list endpoints whose queryset has
// no order.
var UnorderedPagination = &analyzer.Rule{
	Code:              "ORM011",
	Name:              "unordered-list-pages",
	Doc:               unorderedDoc,
	Category:          analyzer.Performance,
	Severity:          analyzer.Warning,
	Confidence:        analyzer.High,
	Since:             "0.2.0",
	Stack:             project.Django,
	SkipOnSyntaxError: true,
	Skip:              semantic.Test | semantic.Migration,
	Requires:          requires,
	Run:               runUnorderedPagination,
}

// listViewBases are DRF classes that paginate their list action.
var listViewBases = map[string]bool{"ListAPIView": true, "ListCreateAPIView": true, "ModelViewSet": true,
	"ReadOnlyModelViewSet": true, "ListModelMixin": true}

// runUnorderedPagination matches (a) DRF list views (ListAPIView,
// ListCreateAPIView, model viewsets, ListModelMixin; through classes of
// the tree) paginated by a pagination_class or DEFAULT_PAGINATION_CLASS
// other than a cursor pagination, with no `ordering` attribute, whose
// queryset (semantic ViewQueryset) has no order_by() and whose model has
// no Meta.ordering; (b) `Paginator(qs, n)` and `paginate_queryset(qs, ...)`
// calls on such a queryset. Querysets rubric cannot read in full (custom
// managers, get_queryset in a library base) are not judged.
func runUnorderedPagination(p *analyzer.Pass) error {
	t := NewTracker(p)
	for _, c := range t.Classes {
		t.unorderedListView(c)
	}
	for call := range pyast.FindEach(p.Root, "call") {
		h, _ := pyast.AsCallHead(call)
		name := h.MethodName()
		if name != "Paginator" && name != "paginate_queryset" {
			continue
		}
		c, _ := pyast.AsCall(call)
		if len(c.Positional) == 0 {
			continue
		}
		q := t.Eval(c.Positional[0])
		if !unordered(q) || name == "paginate_queryset" && (t.selfCursorPaged(c) || t.selfUnpaged(c)) {
			continue
		}
		p.Report(analyzer.Diagnostic{
			Range:   analyzer.RangeOf(call),
			Message: fmt.Sprintf("`%s` pages through `%s` rows with no `order_by()` and no `Meta.ordering`: the database returns rows in any order, so rows repeat or go missing between pages", name, q.Model.Name),
			Help:    orderHelp(p, q, c.Positional[0]),
		})
	}
	return nil
}

// unordered reports a queryset of a known model, read in full, with no
// order of its own or of its model.
func unordered(q *QS) bool {
	return q != nil && q.Model != nil && !q.Ordered && len(q.Model.Meta.Ordering) == 0 && !q.Opaque && !q.Single &&
		!q.Sliced && !q.Combined && !q.Values && !q.Grouped
}

func (t *Tracker) unorderedListView(c *semantic.Class) {
	p := t.p
	mro := append([]*semantic.Class{c}, c.Bases()...)
	list := false
	pagination := t.g != nil && t.g.DefaultPagination && !t.cursorDefault()
	for _, cc := range mro {
		for _, b := range cc.BaseNames() {
			if t.sm.LookupClass(b) != nil {
				continue
			}
			if !strings.HasPrefix(b, "rest_framework.") {
				return // a library base may order or paginate
			}
			list = list || listViewBases[b[strings.LastIndex(b, ".")+1:]]
		}
		if _, ok := cc.Attrs["ordering"]; ok {
			return
		}
		if v, ok := cc.Attrs["pagination_class"]; ok {
			pagination = v.Type() != "none" && !strings.Contains(v.Text(), "Cursor")
			if pc := t.sm.LookupClass(cc.File.Unit.Qualify(pyast.Dotted(v))); pc != nil && cursorClass(pc) {
				pagination = false
			}
			break
		}
	}
	if !list || !pagination || c.Method("list") != nil {
		return
	}
	q := t.ViewQueryset(c.Node)
	if !unordered(q) || wrappedQueryset(c) {
		return
	}
	// Point at the queryset, where the order goes, when it is written here.
	at := c.Node.ChildByField("name")
	var related []analyzer.Related
	if !q.Origin.IsNil() && q.OriginFile == t.File && c.Node.Contains(q.Origin) {
		at = q.Origin
		related = []analyzer.Related{{Range: analyzer.RangeOf(c.Node.ChildByField("name")), Message: "the paginated list view"}}
	}
	p.Report(analyzer.Diagnostic{
		Range:   analyzer.RangeOf(at),
		Message: fmt.Sprintf("`%s` paginates `%s` rows with no `order_by()`, `ordering` or `Meta.ordering`: the database returns rows in any order, so rows repeat or go missing between pages", c.Name, q.Model.Name),
		Help:    orderHelp(p, q, pyast.Node{}),
		Related: related,
	})
}

// schemaDecorators document a view's method and leave its result alone.
var schemaDecorators = map[string]bool{"extend_schema": true, "swagger_auto_schema": true}

// wrappedQueryset reports a get_queryset (the view's or a project base's)
// under a decorator other than a schema one: the view serves what the
// wrapper returns, which may order the rows (`@order_results_by("key",
// "id")` returning `f(...).order_by(*fields)`), and rubric reads the body.
func wrappedQueryset(c *semantic.Class) bool {
	fn := c.Method("get_queryset")
	if fn == nil {
		return false
	}
	for _, d := range pyast.Decorators(fn.Node) {
		if h, ok := pyast.AsCall(d); ok {
			d = h.Func
		}
		name := pyast.Dotted(d)
		if !schemaDecorators[name[strings.LastIndex(name, ".")+1:]] {
			return true
		}
	}
	return false
}

// selfCursorPaged reports `self.paginate_queryset(qs)` in a method of a
// class whose pagination_class (or DEFAULT_PAGINATION_CLASS, when the class
// names none) is a cursor pagination: it orders the queryset by its own
// `ordering` before slicing.
func (t *Tracker) selfCursorPaged(c pyast.Call) bool {
	if c.Receiver().Text() != "self" || t.File == nil {
		return false
	}
	fn := t.EnclosingFunc(c.Func)
	if fn == nil || fn.Class == nil {
		return false
	}
	for _, cc := range append([]*semantic.Class{fn.Class}, fn.Class.Bases()...) {
		if v, ok := cc.Attrs["pagination_class"]; ok {
			if strings.Contains(v.Text(), "Cursor") {
				return true
			}
			pc := t.sm.LookupClass(cc.File.Unit.Qualify(pyast.Dotted(v)))
			return pc != nil && cursorClass(pc)
		}
	}
	return t.cursorDefault()
}

// selfUnpaged reports `self.paginate_queryset(qs)` in a DRF view that
// pages nothing: its pagination_class is None, or it names none (nor do
// its bases, all DRF's or the project's) and the settings, read in full,
// give no DEFAULT_PAGINATION_CLASS. DRF's paginate_queryset then returns
// None and the view serialises the whole queryset: no page to repeat rows
// across (ORM006 judges the unbounded list).
func (t *Tracker) selfUnpaged(c pyast.Call) bool {
	if c.Receiver().Text() != "self" || t.File == nil || t.g == nil {
		return false
	}
	fn := t.EnclosingFunc(c.Func)
	if fn == nil || fn.Class == nil {
		return false
	}
	for _, cc := range append([]*semantic.Class{fn.Class}, fn.Class.Bases()...) {
		if v, ok := cc.Attrs["pagination_class"]; ok {
			return v.Type() == "none"
		}
		for _, b := range cc.BaseNames() {
			if t.sm.LookupClass(b) == nil && !strings.HasPrefix(b, "rest_framework.") {
				return false // a library base may set a pagination class
			}
		}
	}
	st := t.p.Project.Settings
	set, known := st.RESTFramework()
	if set && !known || !set && !st.HasSettingsModule() {
		return false
	}
	return !t.g.DefaultPagination
}

// cursorDefault reports a DEFAULT_PAGINATION_CLASS naming a cursor
// pagination (it orders by itself): by name, or a class of the tree the
// dotted path names that derives from one (`"app.pagination.LinkHeader
// Pagination"`, `class LinkHeaderPagination(CursorPagination)`).
func (t *Tracker) cursorDefault() bool {
	for _, st := range t.p.Project.Settings.Get("DEFAULT_PAGINATION_CLASS") {
		if strings.Contains(st.Str, "Cursor") {
			return true
		}
		if t.g == nil || st.Str == "" {
			continue
		}
		if c := t.g.LookupClassQual(st.Str); c != nil {
			for _, cc := range append([]*project.ClassFacts{c}, t.g.ClassBases(c)...) {
				for _, b := range cc.Bases {
					if strings.Contains(b, "Cursor") {
						return true
					}
				}
			}
		}
	}
	return false
}

// cursorClass reports a project pagination class deriving from a cursor
// pagination, or setting its own ordering.
func cursorClass(c *semantic.Class) bool {
	for _, cc := range append([]*semantic.Class{c}, c.Bases()...) {
		if _, ok := cc.Attrs["ordering"]; ok {
			return true
		}
		for _, b := range cc.BaseNames() {
			if strings.Contains(b, "Cursor") {
				return true
			}
		}
	}
	return false
}

// orderHelp names the order to add and the index that serves it with the
// queryset's filter: `.order_by("-created_at", "-id")` and
// `models.Index(fields=["user", "-created_at"])`.
func orderHelp(p *analyzer.Pass, q *QS, at pyast.Node) string {
	order := newestFirst(q.Model)
	by := `"-id"`
	if order != "-id" {
		by = fmt.Sprintf("%q, \"-id\"", order)
	}
	help := fmt.Sprintf("order by a unique key: `.order_by(%s)`", by)
	if filters := filterColumns(p, q, at); len(filters) > 0 && !compositeCovered(q.Model, filters, strings.TrimPrefix(order, "-")) {
		fields := append(append([]string(nil), filters...), order)
		help += fmt.Sprintf(", and index the filter with the order: `models.Index(fields=[%s], name=%q)` in `%s.Meta.indexes`",
			quote(fields), indexName(q.Model, fields), q.Model.Name)
	}
	return help
}

// newestFirst returns the column a list is naturally ordered by, newest
// first: a creation date, else the primary key.
func newestFirst(m *project.Model) string {
	for _, name := range []string{"created_at", "created", "created_on", "timestamp", "date_created", "date", "updated_at"} {
		if f := m.Field(name); f != nil && (strings.HasSuffix(f.Class, "DateTimeField") || strings.HasSuffix(f.Class, "DateField")) {
			return "-" + name
		}
	}
	return "-id"
}

// filterColumns returns the local columns the queryset is filtered on
// with equality-like lookups, read from the chain at its origin (or at
// the expression given), following one local binding.
func filterColumns(p *analyzer.Pass, q *QS, at pyast.Node) []string {
	n := q.Origin
	if n.IsNil() {
		n = at
	}
	var out []string
	for depth := 0; depth < 2 && !n.IsNil(); depth++ {
		cur := pyast.Unparen(n)
		n = pyast.Node{}
		for {
			c, ok := pyast.AsCall(cur)
			if !ok {
				break
			}
			if c.MethodName() == "filter" {
				for _, k := range sortedKeys(c.Keywords) {
					if col := column(q.Model, k); col != "" && !contains(out, col) {
						out = append(out, col)
					}
				}
			}
			cur = pyast.Unparen(c.Receiver())
		}
		if cur.Type() == "identifier" {
			if f := semantic.Of(p.Project).FileOfTree(cur.Tree()); f != nil {
				n = f.Binding(cur, cur.Text(), cur.StartByte())
			}
		}
	}
	return out
}

func sortedKeys(m map[string]pyast.Node) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sortStrings(out)
	return out
}
