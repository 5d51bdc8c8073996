package semantic

import (
	"slices"
	"strings"

	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// Kind is what a value holds.
type Kind uint8

// Value kinds.
const (
	Unknown  Kind = iota
	QuerySet      // a queryset or manager of Model (QS has its state)
	Row           // one instance of Model
	Related       // a related manager of Model reached from a row
	Request       // an HTTP request (Django or DRF)
)

// Certainty says how a value's kind was learnt.
type Certainty uint8

// Certainties, strongest first.
const (
	// Certain: from where the value is made (Model.objects..., a loop over
	// a known queryset, get_object_or_404(M), an annotation).
	Certain Certainty = iota
	// FromCallers: a parameter whose call sites all pass this kind.
	FromCallers
	// FromShape: only the relations used on it identify the model.
	FromShape
)

// QS is what is known of a queryset expression: its model and what the
// chain that built it asked for.
type QS struct {
	Model *project.Model // nil when the model is not in the graph
	// ModelText is the model as written ("Transaction"), for messages.
	ModelText string
	Select    []string // select_related paths
	SelectAll bool     // select_related() without arguments
	Prefetch  []string // prefetch_related lookups, Prefetch(...) lookups and to_attr names
	// OrderedPrefetch are the lookups of Prefetch objects (without to_attr)
	// whose queryset calls order_by(...); CustomPrefetch those whose
	// queryset does not: first() on such a manager reads the cache only
	// when the cached rows are ordered (ServesFirst).
	OrderedPrefetch, CustomPrefetch []string
	// BranchPrefetch are the lookups some branch merged into this queryset
	// prefetches and another does not (`if "x" in expand: qs =
	// qs.prefetch_related("x")`): loaded on some paths only.
	BranchPrefetch []string
	// BranchSelect are the select_related paths some merged branch loads
	// and another does not (`if venues: qs = qs.select_related("venue")`
	// in a helper whose caller passes the flag).
	BranchSelect []string
	Values       bool // values()/values_list(): rows are dicts or tuples
	Sliced       bool
	Iterator     bool
	Only         bool // only()/defer()
	Grouped      bool // values() then annotate() or distinct(): one row per group
	Single       bool // filtered by a unique key: at most one row
	Combined     bool // union()/intersection()/difference()/extra()
	// Custom is set when a custom manager or queryset method is part of the
	// chain: probably a queryset, not certainly.
	Custom bool
	// Scoped is set when a filter pins a foreign key to a parent other
	// than the user model (the labels of one project): usually few rows.
	Scoped    bool
	Annotated []string
	// PrefetchAnnotated are the names the querysets of Prefetch objects
	// annotate on the prefetched rows, under the lookup
	// (`Prefetch("departments", queryset=D.objects.annotate(url=...))`
	// gives `departments__url`).
	PrefetchAnnotated []string
	// Filtered is set when the chain filters its rows (filter, exclude,
	// complex_filter, none); Ordered when it calls order_by().
	Filtered, Ordered bool
	// NamesOpen is set when some part of the chain may add names rubric
	// cannot read (a custom manager or method that annotates, extra(),
	// **kwargs): a lookup on a name it does not know may still be valid.
	NamesOpen bool
	// Opaque is set when part of the chain could not be read (a custom
	// manager, a get_queryset() elsewhere): it may select or prefetch more.
	Opaque bool
	// Related is set for related managers (`order.items.all()`);
	// OwnerInLoop when the owner is itself a row of a loop.
	Related     bool
	OwnerInLoop bool
	// MaybeCached is set for `row.items.all()` when the row was not
	// fetched here (a parameter, an attribute, a helper's return): its
	// caller may have prefetched the relation, so iterating it may run no
	// query. A chained filter or order_by always queries and clears it.
	MaybeCached bool
	// Cached is set for `row.items.all()` when the owner row's queryset
	// prefetched the relation: iterating it runs no query.
	Cached bool
	// Dynamic is set when prefetch_related receives paths computed at run
	// time (`*fields`, a variable): what it loads is unknown.
	Dynamic bool
	// DynamicSelect is set when select_related receives paths computed at
	// run time (`select_related(self.field)`): they can load foreign keys
	// only, so a many relation still runs a query per row unless prefetched.
	DynamicSelect bool
	// FromSerializer is set when the model was read from the view's
	// serializer (`self.get_serializer_class().Meta.model.objects`): the
	// chain sits in a base every such view shares, so no fix edits it.
	FromSerializer bool
	// Back is, for the rows of a reverse foreign key manager
	// (`owner.items.filter(...)`), the key pointing back at the owner:
	// Django sets it on every row (its known related objects), so reading
	// `item.owner`, or the owner's own relations, runs no query per row.
	Back string
	// Null are forward relations the chain filtered to NULL
	// (`assigned_to__isnull=True`, `parent=None`): every row's key is
	// NULL, so reading the relation returns None without a query.
	Null []string
	// Origin is the expression a fix may extend with `.select_related(...)`,
	// in OriginFile (which may be another file than the one asking: a
	// get_queryset, a helper, the caller of a function), or the zero Node.
	Origin     pyast.Node
	OriginFile *File
	// Certainty is how the queryset's model was learnt.
	Certainty Certainty
	// Conditional is set when the origin is one of several branches
	// (`qs = A if x else B`, assignments in if/else): a fix there would
	// not cover every path.
	Conditional bool
	// Listed is set for a Python list holding the rows (filled by
	// appending a loop's rows): what should load goes to the loop's
	// queryset (Origin); the list itself takes no queryset method.
	Listed bool
	// Sources are the querysets this one comes from when it has no single
	// origin: every branch that assigns it, or every caller that passes it
	// as an argument. A fix edits each; their selects are intersected.
	Sources []*QS
}

func (q *QS) clone() *QS {
	c := *q
	c.Select = append([]string(nil), q.Select...)
	c.Prefetch = append([]string(nil), q.Prefetch...)
	c.OrderedPrefetch = append([]string(nil), q.OrderedPrefetch...)
	c.CustomPrefetch = append([]string(nil), q.CustomPrefetch...)
	c.BranchPrefetch = append([]string(nil), q.BranchPrefetch...)
	c.BranchSelect = append([]string(nil), q.BranchSelect...)
	c.Annotated = append([]string(nil), q.Annotated...)
	c.PrefetchAnnotated = append([]string(nil), q.PrefetchAnnotated...)
	c.Null = append([]string(nil), q.Null...)
	return &c
}

// Clone returns a copy the caller may change.
func (q *QS) Clone() *QS { return q.clone() }

// Selects reports whether path ("merchant__category") is loaded with the
// rows by select_related, or cached by prefetch_related.
func (q *QS) Selects(path string) bool {
	if q.SelectAll {
		return true
	}
	if q.Back != "" && (path == q.Back || strings.HasPrefix(path, q.Back+"__")) {
		return true
	}
	for _, k := range q.Null {
		// Filtered to rows whose key is NULL: reading it runs no query.
		if path == k || strings.HasPrefix(path, k+"__") {
			return true
		}
	}
	for _, s := range q.Select {
		if s == path || strings.HasPrefix(s, path+"__") {
			return true
		}
	}
	if q.Prefetches(path) {
		return true
	}
	if rel, rest, ok := BackPath(q.Model, path); ok {
		return q.Selects(rel) && (rest == "" || q.Selects(rest))
	}
	return false
}

// BackPath splits a path that leaves a row and comes back to it
// ("image__ingredient__language" on Ingredient, where image is the
// reverse one-to-one of Image.ingredient) into the relation left by
// ("image") and the path read without the detour ("language"). Django
// sets the way back when it loads the relation: select_related on a
// one-to-one, either way, caches the other side's accessor, and a
// prefetched reverse foreign key sets each row's key to its owner. ok is
// false for paths that never come back.
func BackPath(m *project.Model, path string) (rel, rest string, ok bool) {
	segs := strings.Split(path, "__")
	cur := m
	for i := 0; i+1 < len(segs) && cur != nil; i++ {
		a := cur.Attr(segs[i])
		if a.Target == nil {
			return "", "", false
		}
		if comesBack(a, segs[i+1]) {
			kept := append(append([]string{}, segs[:i]...), segs[i+2:]...)
			return strings.Join(segs[:i+1], "__"), strings.Join(kept, "__"), true
		}
		cur = a.Target
	}
	return "", "", false
}

// comesBack reports whether next, read on a's target, is the object a
// was read on, cached by loading a.
func comesBack(a project.Attr, next string) bool {
	switch a.Kind {
	case project.AttrForward:
		if a.Field == nil || a.Field.Kind != project.OneToOne {
			return false
		}
		b := a.Target.Attr(next)
		return b.Kind == project.AttrReverseOne && b.Relation != nil && b.Relation.Field == a.Field
	case project.AttrReverseOne, project.AttrReverseMany:
		if a.Relation == nil || a.Relation.Field == nil || a.Relation.Field.Name != next {
			return false
		}
		k := a.Relation.Field.Kind
		return k == project.OneToOne || k == project.ForeignKey
	}
	return false
}

// Prefetches reports whether path is cached by prefetch_related.
func (q *QS) Prefetches(path string) bool {
	for _, s := range q.Prefetch {
		if s == path || strings.HasPrefix(s, path+"__") {
			return true
		}
	}
	return false
}

// BranchPrefetches reports whether path is prefetched on some of the
// branches merged into the queryset, or on all.
func (q *QS) BranchPrefetches(path string) bool {
	if q.Prefetches(path) {
		return true
	}
	for _, s := range q.BranchPrefetch {
		if s == path || strings.HasPrefix(s, path+"__") {
			return true
		}
	}
	return false
}

// BranchLoads reports whether path is loaded, by select_related or
// prefetch_related, on some of the branches merged into the queryset and
// not on all: which rows reach a loop then depends on a condition (often
// a flag its caller passes) the queryset does not show.
func (q *QS) BranchLoads(path string) bool {
	for _, x := range [][]string{q.BranchSelect, q.BranchPrefetch} {
		for _, s := range x {
			if s == path || strings.HasPrefix(s, path+"__") {
				return true
			}
		}
	}
	return false
}

// ServesFirst reports whether `row.<path>.first()` (or `.all().first()`)
// reads the rows prefetch_related cached for path instead of querying.
// Django's first() slices the queryset when it is ordered, and slicing a
// queryset whose rows are cached reads the cache; an unordered one is
// re-ordered by pk first, a new query. The cached queryset is ordered
// when it is a Prefetch's queryset calling order_by(...), or the default
// queryset of a target model whose Meta declares an ordering.
func (q *QS) ServesFirst(path string, target *project.Model) bool {
	if !q.Prefetches(path) {
		return false
	}
	if contains(q.OrderedPrefetch, path) {
		return true
	}
	return target != nil && len(target.Meta.Ordering) > 0 && !contains(q.CustomPrefetch, path)
}

// AnnotatesRows reports whether the rows at path (`""` for the queryset's
// own, `departments` for a prefetch's) carry an annotation named name.
func (q *QS) AnnotatesRows(path, name string) bool {
	if path == "" {
		return q.Annotates(name)
	}
	return slices.Contains(q.PrefetchAnnotated, path+"__"+name)
}

// Annotates reports whether name is an annotation of the queryset.
func (q *QS) Annotates(name string) bool {
	for _, a := range q.Annotated {
		if a == name {
			return true
		}
	}
	return false
}

// Value is what an expression holds, as far as the model can tell.
type Value struct {
	Kind      Kind
	Model     *project.Model
	QS        *QS // QuerySet and Related
	Certainty Certainty
}

// IsRow reports whether v is one instance of a known model.
func (v Value) IsRow() bool { return v.Kind == Row && v.Model != nil }

// ChainMethods return a queryset of the same model.
var ChainMethods = map[string]bool{
	"all": true, "filter": true, "exclude": true, "order_by": true, "distinct": true, "select_related": true,
	"prefetch_related": true, "only": true, "defer": true, "annotate": true, "alias": true, "using": true,
	"select_for_update": true, "reverse": true, "none": true, "extra": true, "values": true, "values_list": true,
	"iterator": true, "union": true, "intersection": true, "difference": true, "get_queryset": true,
	"complex_filter": true, "filter_by": true, "_clone": true,
}

// RowMethods execute and return one instance.
var RowMethods = map[string]bool{
	"get": true, "first": true, "last": true, "earliest": true, "latest": true,
}

// ExecMethods execute a query and return something else than rows.
var ExecMethods = map[string]bool{
	"count": true, "exists": true, "aggregate": true, "in_bulk": true, "contains": true,
}

// WriteMethods write on a queryset or manager.
var WriteMethods = map[string]bool{
	"create": true, "get_or_create": true, "update_or_create": true, "update": true, "delete": true,
	"bulk_create": true, "bulk_update": true,
}

// ManagerRoot returns X when the chain starts at `X.objects` and X looks
// like a class name, else "".
func ManagerRoot(n pyast.Node) string {
	d, ok := ManagerChain(n)
	if last := d[strings.LastIndex(d, ".")+1:]; !ok || last == "" || last[0] < 'A' || last[0] > 'Z' {
		return ""
	}
	return d
}

// ManagerChain walks a call chain (`Invoice.objects.filter(x=1).first`)
// down to `.objects` and returns what is written before it, dotted
// ("Invoice"; "" when that is no name); false when the chain does not
// reach `.objects`.
func ManagerChain(n pyast.Node) (string, bool) {
	for {
		n = pyast.Unparen(n)
		switch n.Type() {
		case "call":
			n = n.ChildByField("function")
		case "attribute":
			if n.ChildByField("attribute").Text() == "objects" {
				return pyast.Dotted(n.ChildByField("object")), true
			}
			n = n.ChildByField("object")
		default:
			return "", false
		}
	}
}
