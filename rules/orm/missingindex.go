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

//go:embed missingindex.md
var missingIndexDoc string

// MissingIndex reports lookups on columns no index covers.
var MissingIndex = &analyzer.Rule{
	Code:              "ORM007",
	Name:              "missing-index",
	Doc:               missingIndexDoc,
	Category:          analyzer.Performance,
	Severity:          analyzer.Info,
	Confidence:        analyzer.Medium,
	Since:             "0.1.0",
	Stack:             project.Django,
	SkipOnSyntaxError: true, // fixes need a sound tree
	Skip:              semantic.Test | semantic.Migration,
	// The message names the column and its model: two lookups on the same
	// unindexed column are one missing index, reported once.
	OnePerMessage: true,
	Requires:      requires,
	Run:           runMissingIndex,
}

// indexable lookups: an ordinary B-tree index serves them.
var indexable = map[string]bool{"": true, "exact": true, "in": true, "gt": true, "gte": true, "lt": true, "lte": true,
	"range": true, "isnull": true, "startswith": true}

// runMissingIndex matches query chains rooted at `Model.objects` (a model
// the tree defines completely) that filter or get by local columns with
// index-friendly lookups, none of which an index, unique constraint,
// foreign key or primary key leads with. Lookups crossing relations,
// text searches (icontains, regex...), boolean columns and chains through
// variables are skipped; so are tests, migrations, management commands,
// admin modules and background tasks. One finding per
// model and field set per file.
func runMissingIndex(p *analyzer.Pass) error {
	if p.Project == nil || p.Project.Models == nil || offline(p.File.Rel) {
		return nil
	}
	seen := map[string]bool{}
	check := func(n pyast.Node) bool {
		if par := n.Parent(); par.Type() == "attribute" && par.ChildByField("object").Equal(n) {
			return true // not the outermost call of its chain
		}
		m, filters, order, filterCall := chainLookups(p, n)
		if m == nil || len(filters) == 0 || m.External || !m.Complete || m.Abstract {
			return true
		}
		for _, f := range filters {
			if m.Indexed(f) {
				compositeIndex(p, n, m, filters, order, filterCall, seen)
				return true
			}
		}
		if narrowedLater(m, n) {
			return true
		}
		fields := append([]string(nil), filters...)
		for _, o := range order {
			if !contains(fields, strings.TrimPrefix(o, "-")) {
				fields = append(fields, o)
			}
		}
		key := m.Qual + ":" + strings.Join(fields, ",")
		if seen[key] {
			return true
		}
		seen[key] = true
		idx := fmt.Sprintf("models.Index(fields=[%s], name=%q)", quote(fields), indexName(m, fields))
		p.Report(analyzer.Diagnostic{
			Range:   analyzer.RangeOf(filterCall),
			Message: fmt.Sprintf("no index covers `%s` on `%s`: this lookup scans the table", strings.Join(filters, "`, `"), m.Name),
			Help:    fmt.Sprintf("add `%s` to `%s.Meta.indexes` (and a migration)", idx, m.Name),
			Related: []analyzer.Related{{Path: m.Path, Range: analyzer.Range{Start: m.Start, End: m.Start + len("class "+m.Name)},
				Message: fmt.Sprintf("add `%s` to `Meta.indexes` here", idx)}},
		})
		return true
	}
	for n := range pyast.FindEach(p.Root, "call") {
		check(n)
	}
	return nil
}

// methodChainOnAttribute reports whether n is a chain of method calls
// starting at an attribute (`X.objects.filter(...).order_by(...)`), the
// shape chainLookups decodes: a test before decoding every call.
func methodChainOnAttribute(n pyast.Node) bool {
	cur := n
	for cur.Type() == "call" {
		fn := cur.ChildByField("function")
		if fn.Type() != "attribute" {
			return false
		}
		cur = pyast.Unparen(fn.ChildByField("object"))
	}
	return cur.Type() == "attribute"
}

// offline reports files that run outside requests (management commands,
// admin, background tasks): a scan there costs little.
func offline(rel string) bool {
	rel = "/" + rel
	base := rel[strings.LastIndex(rel, "/")+1:]
	return strings.Contains(rel, "/management/") || strings.Contains(rel, "/admin/") || base == "admin.py" ||
		base == "tasks.py" || strings.Contains(rel, "/tasks/") || strings.Contains(rel, "/bgtasks/") || strings.Contains(rel, "/cron")
}

// chainLookups walks a call chain down to `Model.objects` and collects the
// local columns of filter()/get() keywords and the order_by() fields.
func chainLookups(p *analyzer.Pass, n pyast.Node) (m *project.Model, filters, order []string, filterCall pyast.Node) {
	if !methodChainOnAttribute(n) {
		return nil, nil, nil, pyast.Node{}
	}
	var calls []pyast.Call
	cur := n
	for {
		c, ok := pyast.AsCall(cur)
		if !ok {
			break
		}
		calls = append(calls, c)
		cur = pyast.Unparen(c.Receiver())
		if cur.IsNil() {
			return nil, nil, nil, pyast.Node{}
		}
	}
	if cur.Type() != "attribute" {
		return nil, nil, nil, pyast.Node{}
	}
	owner := pyast.Dotted(cur.ChildByField("object"))
	m = p.Project.Models.Lookup(p.Unit, owner)
	if m == nil || !m.HasManager(cur.ChildByField("attribute").Text()) || m.CustomManager(cur.ChildByField("attribute").Text()) != nil {
		return nil, nil, nil, pyast.Node{}
	}
	for _, c := range calls {
		switch c.MethodName() {
		case "filter", "get":
			if len(c.Positional) > 0 || c.StarKwargs {
				return nil, nil, nil, pyast.Node{} // Q objects: cannot tell
			}
			for k := range c.EachKeyword() {
				if base, _, _ := strings.Cut(k, "__"); base == "pk" || base == "id" && m.Field("id") == nil {
					// `filter(upload_state=..., pk=pk)`: the primary key
					// finds the row; the other columns only test it.
					return nil, nil, nil, pyast.Node{}
				}
				if reverseIndexed(m, k) {
					// `filter(posts__id=pk, type=...)`: the planner starts
					// from the related row found by its index and joins
					// this one by primary key.
					return nil, nil, nil, pyast.Node{}
				}
				if f := column(m, k); f != "" && !contains(filters, f) {
					filters = append(filters, f)
					filterCall = c.Node
				}
			}
		case "order_by":
			for _, a := range c.Positional {
				if s, ok := pyast.StringValue(a); ok && !strings.Contains(s, "__") && m.Field(strings.TrimPrefix(s, "-")) != nil {
					order = append(order, s)
				}
			}
		case "all", "first", "last", "exists", "count", "select_related", "prefetch_related", "only", "defer",
			"values", "values_list", "distinct", "exclude", "annotate", "update", "delete", "iterator":
		default:
			return nil, nil, nil, pyast.Node{}
		}
	}
	// Keywords come from a map: keep a stable order.
	sortStrings(filters)
	return m, filters, order, filterCall
}

// narrowedLater reports a chain bound to a local that the function binds
// again to its own filter() or get() on an indexed column (`qs =
// Key.objects.filter(datafile_id=i)`, then `qs = qs.filter(key=k)` with key
// the primary key): the query that runs is the narrowed one.
func narrowedLater(m *project.Model, n pyast.Node) bool {
	as := n.Parent()
	if as.Type() != "assignment" || !as.ChildByField("right").Equal(n) || as.ChildByField("left").Type() != "identifier" {
		return false
	}
	name := as.ChildByField("left").Text()
	fn := pyast.EnclosingFunction(n)
	if fn.IsNil() {
		return false
	}
	for a := range pyast.FindEach(pyast.Body(fn), "assignment") {
		if a.StartByte() <= as.StartByte() || a.ChildByField("left").Text() != name {
			continue
		}
		pinned := false
		cur := pyast.Unparen(a.ChildByField("right"))
		for {
			c, ok := pyast.AsCall(cur)
			if !ok {
				break
			}
			if c.MethodName() == "filter" || c.MethodName() == "get" {
				for k := range c.EachKeyword() {
					base, _, _ := strings.Cut(k, "__")
					if f := column(m, k); base == "pk" || f != "" && m.Indexed(f) {
						pinned = true
					}
				}
			}
			cur = pyast.Unparen(c.Receiver())
		}
		if pinned && cur.Type() == "identifier" && cur.Text() == name {
			return true
		}
	}
	return everyReadNarrows(m, fn, as, name)
}

// everyReadNarrows reports a local whose every read after its binding is the
// receiver of a filter() or get() on an indexed column (`indexed =
// Attachment.objects.filter(doc_id__isnull=False)`, then
// `indexed.filter(conversation=c).exists()` and
// `indexed.filter(project_id=p).exists()`): the base query never runs alone.
// A name bound again, or read any other way, is not followed.
func everyReadNarrows(m *project.Model, fn, as pyast.Node, name string) bool {
	reads := 0
	for id := range pyast.FindEach(pyast.Body(fn), "identifier") {
		if id.Text() != name || id.StartByte() < as.EndByte() {
			continue
		}
		attr := id.Parent()
		if attr.Type() != "attribute" || !attr.ChildByField("object").Equal(id) {
			return false
		}
		c, ok := pyast.AsCall(attr.Parent())
		if !ok || !c.Func.Equal(attr) || c.MethodName() != "filter" && c.MethodName() != "get" {
			return false
		}
		pinned := false
		for k := range c.EachKeyword() {
			base, _, _ := strings.Cut(k, "__")
			if f := column(m, k); base == "pk" || f != "" && m.Indexed(f) {
				pinned = true
			}
		}
		if !pinned {
			return false
		}
		reads++
	}
	return reads > 0
}

// reverseIndexed reports a lookup keyword through a reverse relation of m
// that pins an indexed column of the related model (`posts__id`,
// `posts__uuid` when unique or indexed, `posts__author` a foreign key).
func reverseIndexed(m *project.Model, kw string) bool {
	parts := strings.Split(kw, "__")
	if len(parts) < 2 || len(parts) > 3 || len(parts) == 3 && !indexable[parts[2]] {
		return false
	}
	for _, r := range m.Reverse {
		if r.QueryName != parts[0] || r.From == nil || r.From.External {
			continue
		}
		col := parts[1]
		if col == "pk" || col == "id" {
			return true
		}
		if f := r.From.Field(col); f != nil && (f.Kind == project.ForeignKey || f.Kind == project.OneToOne || r.From.Indexed(col)) {
			return true
		}
		if fk := r.From.FKColumn(col); fk != nil {
			return true
		}
	}
	return false
}

// column returns the local column a lookup keyword filters on with an
// index-friendly lookup, or "".
func column(m *project.Model, kw string) string {
	parts := strings.Split(kw, "__")
	name := parts[0]
	if len(parts) > 1 && !indexable[parts[1]] {
		// Across a relation (`webhook__app_id`): the join goes through
		// this model's foreign key column, which Django indexes.
		if f := m.Field(name); f != nil && (f.Kind == project.ForeignKey || f.Kind == project.OneToOne) {
			return f.Name
		}
		return ""
	}
	lookup := ""
	if len(parts) == 2 {
		lookup = parts[1]
	} else if len(parts) > 2 {
		return ""
	}
	if !indexable[lookup] {
		return ""
	}
	f := m.Field(name)
	if f == nil {
		if fk := m.FKColumn(name); fk != nil {
			return fk.Name
		}
		return ""
	}
	if f.Kind == project.ManyToMany || f.Kind == project.GenericFK || strings.HasSuffix(f.Class, "BooleanField") {
		return ""
	}
	return f.Name
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func sortStrings(xs []string) {
	for i := 1; i < len(xs); i++ {
		for j := i; j > 0 && xs[j] < xs[j-1]; j-- {
			xs[j], xs[j-1] = xs[j-1], xs[j]
		}
	}
}

func indexName(m *project.Model, fields []string) string {
	var parts []string
	for _, f := range fields {
		parts = append(parts, strings.TrimPrefix(f, "-"))
	}
	name := strings.ToLower(m.Name) + "_" + strings.Join(parts, "_")
	if len(name) > 26 {
		name = name[:26]
	}
	return strings.TrimRight(name, "_") + "_idx"
}

// compositeIndex reports, in a list endpoint (a view function or method,
// a get_queryset), a lookup whose filter an index serves alone while the
// rows are ordered by another column: the database reads every matching
// row and sorts them for each page. It names the composite index the
// guide expects ("indexes on user_id, created_at") unless one already
// starts with the filter columns followed by the order column.
func compositeIndex(p *analyzer.Pass, n pyast.Node, m *project.Model, filters, order []string, filterCall pyast.Node, seen map[string]bool) {
	if len(order) == 0 {
		return
	}
	by := strings.TrimPrefix(order[0], "-")
	if by == "id" || by == "pk" || contains(filters, by) || !listEndpoint(n) {
		return
	}
	if f := m.Field(by); f == nil || f.Unique || f.PrimaryKey {
		return
	}
	if compositeCovered(m, filters, by) || singleRow(m, n) {
		return
	}
	fields := append(append([]string(nil), filters...), order[0])
	key := m.Qual + ":" + strings.Join(fields, ",")
	if seen[key] {
		return
	}
	seen[key] = true
	idx := fmt.Sprintf("models.Index(fields=[%s], name=%q)", quote(fields), indexName(m, fields))
	p.Report(analyzer.Diagnostic{
		Range: analyzer.RangeOf(filterCall),
		Message: fmt.Sprintf("the index on `%s` alone serves the filter but not the order by `%s`: every page reads and sorts all matching `%s` rows",
			strings.Join(filters, "`, `"), order[0], m.Name),
		Help: fmt.Sprintf("add `%s` to `%s.Meta.indexes` (and a migration): the list then reads one page straight from the index", idx, m.Name),
		Related: []analyzer.Related{{Path: m.Path, Range: analyzer.Range{Start: m.Start, End: m.Start + len("class "+m.Name)},
			Message: fmt.Sprintf("add `%s` to `Meta.indexes` here", idx)}},
	})
}

// singleRow reports a chain whose filter() or get() pins a primary key or
// unique column to one value (`filter(id=org.id)`, `filter(slug=s)`): at
// most one row, so there is nothing to sort.
func singleRow(m *project.Model, n pyast.Node) bool {
	for cur := n; ; {
		c, ok := pyast.AsCall(cur)
		if !ok {
			return false
		}
		if name := c.MethodName(); name == "filter" || name == "get" {
			for k := range c.EachKeyword() {
				k = strings.TrimSuffix(k, "__exact")
				if k == "pk" || k == "id" && m.Field("id") == nil {
					return true
				}
				if f := m.Field(k); f != nil && (f.PrimaryKey || f.Unique || f.Kind == project.OneToOne) {
					return true
				}
			}
		}
		cur = pyast.Unparen(c.Receiver())
	}
}

// compositeCovered reports an index whose leading fields are the filter
// columns (in any order) followed by the order column.
func compositeCovered(m *project.Model, filters []string, by string) bool {
	for _, group := range [][][]string{m.Meta.Indexes, m.Meta.IndexTogether, m.Meta.UniqueTogether, m.Meta.Unique} {
		for _, fs := range group {
			if len(fs) <= len(filters) {
				continue
			}
			lead := true
			for _, f := range fs[:len(filters)] {
				if !contains(filters, strings.TrimPrefix(f, "-")) {
					lead = false
				}
			}
			if lead && strings.TrimPrefix(fs[len(filters)], "-") == by {
				return true
			}
		}
	}
	return false
}

// listEndpoint reports a chain inside a view function or method, or a
// get_queryset.
func listEndpoint(n pyast.Node) bool {
	fn := pyast.Ancestor(n, "function_definition")
	if fn.IsNil() {
		return false
	}
	return isView(fn) || pyast.DefName(fn) == "get_queryset"
}
