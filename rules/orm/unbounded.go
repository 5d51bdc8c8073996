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

//go:embed unbounded.md
var unboundedDoc string

// UnboundedList reports views that return every row of a queryset.
var UnboundedList = &analyzer.Rule{
	Code:              "ORM006",
	Name:              "unbounded-list-endpoint",
	Doc:               unboundedDoc,
	Category:          analyzer.Performance,
	Severity:          analyzer.Warning,
	Confidence:        analyzer.Medium,
	Since:             "0.1.0",
	Stack:             project.Django,
	SkipOnSyntaxError: true, // fixes need a sound tree
	Skip:              semantic.Test | semantic.Migration,
	Requires:          requiresViews,
	// One comment per file: the second and third unpaginated views of a
	// file repeat the first (session 22), and the fix is often one
	// setting (DEFAULT_PAGINATION_CLASS).
	FileHabit: true,
	Run:       runUnbounded,
}

var responseCalls = map[string]bool{"JsonResponse": true, "Response": true, "render": true, "TemplateResponse": true,
	"render_to_response": true, "HttpResponse": false}

// runUnbounded matches view functions (first parameter `request`) and
// view methods (get/list with a `request` parameter) that pass a
// queryset of a known model into JsonResponse/Response/render/
// TemplateResponse without slicing it, directly, through
// `Serializer(qs, many=True).data`, `list(qs.values())`, a comprehension
// over it, or a list appended to in a loop over it. It also matches DRF
// list views (ListAPIView, ModelViewSet...) with a queryset, no
// pagination_class and no DEFAULT_PAGINATION_CLASS in settings. Any
// mention of pagination in the view (Paginator, paginate_queryset, a
// `page` name) silences it, as do related managers (rows of one parent),
// grouped rows (values() + annotate() or distinct()), lookups by a unique
// key, and querysets whose chain could not be read (custom managers,
// union()).
func runUnbounded(p *analyzer.Pass) error {
	t := NewTracker(p)
	t.Loops()
	for fn := range pyast.FindEach(p.Root, "function_definition") {
		if !isView(fn) || mentionsPagination(fn) {
			continue
		}
		unbounded := t.unboundedNames(fn)
		for call := range pyast.FindEachShallow(fn, "call") {
			c, _ := pyast.AsCall(call)
			name := pyast.Dotted(c.Func)
			name = name[strings.LastIndex(name, ".")+1:]
			if !responseCalls[name] {
				continue
			}
			src, q := t.unboundedIn(call.ChildByField("arguments"), unbounded)
			if src.IsNil() {
				continue
			}
			d := analyzer.Diagnostic{
				Range:   analyzer.RangeOf(call),
				Message: fmt.Sprintf("`%s` returns every `%s` row in `%s`: the response grows with the table", name, q.Model.Name, compact(src)),
				Help:    "paginate: `Paginator(qs, 50).get_page(request.GET.get(\"page\"))`, a DRF pagination class, or at least a slice (`qs[:100]`)",
			}
			if unordered(q) {
				// Pages need a stable order, and the list an index for it.
				d.Help += "; " + orderHelp(p, q, src)
			}
			if q.Scoped {
				d.Confidence = analyzer.Low // the rows of one parent
			}
			p.Report(d)
		}
	}
	t.drfListViews()
	return nil
}

// isView reports function views and view methods: get and list, and a
// DRF viewset's extra actions on the collection (`@action(detail=False)`
// answering GET).
func isView(fn pyast.Node) bool {
	params := pyast.Identifiers(fn.ChildByField("parameters"))
	cls := pyast.Ancestor(fn, "class_definition")
	if cls.IsNil() {
		return len(params) > 0 && params[0] == "request"
	}
	switch pyast.DefName(fn) {
	case "get", "list":
	default:
		if !collectionAction(fn) {
			return false
		}
	}
	return len(params) > 1 && params[0] == "self" && params[1] == "request"
}

// collectionAction reports a method decorated `@action(detail=False)`
// that answers GET (no methods argument, or one that lists "get").
func collectionAction(fn pyast.Node) bool {
	dec := fn.Parent()
	if dec.Type() != "decorated_definition" {
		return false
	}
	for d := range dec.Named() {
		if d.Type() != "decorator" {
			continue
		}
		c, ok := pyast.AsCall(d.NamedChild(0))
		if !ok || pyast.Dotted(c.Func) != "action" && !strings.HasSuffix(pyast.Dotted(c.Func), ".action") {
			continue
		}
		if c.Keyword("detail").Type() != "false" {
			return false
		}
		methods := c.Keyword("methods")
		if methods.IsNil() {
			return true
		}
		for m := range methods.Named() {
			if v, ok := pyast.StringValue(m); ok && strings.EqualFold(v, "get") {
				return true
			}
		}
		return false
	}
	return false
}

// mentionsPagination reports any sign of pagination in a function.
func mentionsPagination(fn pyast.Node) bool {
	found := false
	pyast.Inspect(fn, func(n pyast.Node) bool {
		if found {
			return false
		}
		if n.Type() == "identifier" {
			s := strings.ToLower(n.Text())
			if strings.Contains(s, "paginat") || strings.Contains(s, "page") || s == "limit" || s == "offset" {
				found = true
			}
		}
		return true
	})
	return found
}

// boundRows are the names of one view that can hold every row of a
// queryset: assignments of an unbounded expression (keyed by the
// assignment's right-hand side, so a use sees only the binding it reads)
// and lists appended to in a loop over an unbounded queryset.
type boundRows struct {
	rhs      map[int32]*QS
	appended map[string]*QS
	// items are dicts given an item that holds every row
	// (`response["objects"] = list(qs.values())`).
	items map[string]*QS
}

// unboundedNames are the names in fn bound to an unsliced queryset of a
// known model, to a comprehension over one, or to a list appended to in a
// loop over one.
func (t *Tracker) unboundedNames(fn pyast.Node) boundRows {
	out := boundRows{rhs: map[int32]*QS{}, appended: map[string]*QS{}, items: map[string]*QS{}}
	for a := range pyast.FindEachShallow(fn, "assignment") {
		left := a.ChildByField("left")
		if left.Type() == "subscript" && left.ChildByField("value").Type() == "identifier" {
			if q := t.unboundedExpr(a.ChildByField("right")); q != nil {
				out.items[left.ChildByField("value").Text()] = q
			}
			continue
		}
		if left.Type() != "identifier" {
			continue
		}
		r := a.ChildByField("right")
		if q := t.unboundedExpr(r); q != nil {
			out.rhs[r.ID()] = q
		}
	}
	for f := range pyast.FindEachShallow(fn, "for_statement") {
		l := t.LoopByNode(f)
		if l == nil || !isUnbounded(l.QS) {
			continue
		}
		for c := range pyast.FindEachShallow(pyast.Body(f), "call") {
			cc, _ := pyast.AsCall(c)
			if cc.MethodName() == "append" && cc.Receiver().Type() == "identifier" {
				out.appended[cc.Receiver().Text()] = l.QS
			}
		}
	}
	return out
}

// rows returns the queryset whose rows identifier n holds where it is
// read: the latest binding before n must be an unbounded one (a name
// rebound to one object in another branch, `serializer = S(obj)`, is not),
// or n names a list filled in a loop over one.
func (t *Tracker) rows(n pyast.Node, names boundRows) *QS {
	rhs := t.binding(n, n.Text(), n.StartByte())
	if rhs.IsNil() {
		return nil
	}
	if q, ok := names.rhs[rhs.ID()]; ok {
		return q
	}
	if q, ok := names.appended[n.Text()]; ok && pyast.Unparen(rhs).Type() == "list" {
		return q
	}
	if q, ok := names.items[n.Text()]; ok && pyast.Unparen(rhs).Type() == "dictionary" {
		return q
	}
	return nil
}

func isUnbounded(q *QS) bool {
	return q != nil && q.Model != nil && !q.Sliced && !q.Related && !q.Grouped && !q.Single && !q.Combined && !q.Custom &&
		!namedChildren(q.Model) && !curated(q) && oneOperation(q) == ""
}

// operationWords name a single business operation: a payment, an order,
// an invoice. The rows that belong to one of them (its line items, its
// state changes, its provider's events) are bounded by the operation
// itself, unlike the rows of a holder (an account's transactions, a
// user's orders, a project's issues), which grow with its history.
var operationWords = map[string]bool{"payment": true, "order": true, "invoice": true, "payout": true, "refund": true,
	"charge": true, "checkout": true, "cart": true, "booking": true, "reservation": true}

// oneOperation returns the operation a queryset's filter pins its rows to
// by equality, or "": `filter(payment=payment)`, `filter(order_id=pk)`, or
// a text column holding another system's reference to one
// (`filter(payment_id=payment_id)` on a CharField, a provider's payment
// id). Only the chain written at the queryset's origin is read.
func oneOperation(q *QS) string {
	for n := q.Origin; !n.IsNil(); {
		c, ok := pyast.AsCall(n)
		if !ok {
			if n.Type() == "attribute" {
				n = n.ChildByField("object")
				continue
			}
			break
		}
		if m := c.MethodName(); m == "filter" || m == "get_list_or_404" {
			for k := range c.EachKeyword() {
				k = strings.TrimSuffix(k, "__exact")
				if strings.Contains(k, "__") {
					continue
				}
				parent := ""
				fd := q.Model.Field(k)
				if fd == nil {
					fd = q.Model.FKColumn(k)
				}
				switch {
				case fd != nil && (fd.Kind == project.ForeignKey || fd.Kind == project.OneToOne):
					parent = fd.Name
				case fd != nil && strings.HasSuffix(k, "_id"):
					parent = strings.TrimSuffix(k, "_id")
				}
				if ws := semantic.IdentWords(parent); len(ws) > 0 && operationWords[strings.ToLower(ws[len(ws)-1])] {
					return parent
				}
			}
		}
		n = c.Receiver()
		if c.Func.Type() != "attribute" {
			break
		}
	}
	return ""
}

// positionNames are integer fields that hold a row's place in a list
// someone orders by hand.
var positionNames = map[string]bool{"order": true, "position": true, "sort_order": true, "ordering": true,
	"sequence": true, "weight": true, "sort": true}

// curated reports rows listed by a position someone sets by hand (an
// integer `order` or `position` field, first in the queryset's order_by
// or the model's Meta.ordering): ranks, menu entries, categories. Such
// tables are kept short by the people who order them.
func curated(q *QS) bool {
	first := ""
	for n := q.Origin; first == "" && !n.IsNil(); {
		switch n.Type() {
		case "call":
			c, _ := pyast.AsCall(n)
			if c.MethodName() == "order_by" {
				if len(c.Positional) == 0 {
					return false
				}
				v, ok := pyast.StringValue(c.Positional[0])
				if !ok {
					return false
				}
				first = v
			}
			n = c.Receiver()
		case "attribute":
			n = n.ChildByField("object")
		default:
			n = pyast.Node{}
		}
	}
	if first == "" && len(q.Model.Meta.Ordering) > 0 {
		first = q.Model.Meta.Ordering[0]
	}
	name := strings.TrimPrefix(first, "-")
	if !positionNames[name] {
		return false
	}
	f := q.Model.Field(name)
	return f != nil && strings.HasSuffix(f.Class, "IntegerField")
}

// namedChildren reports models whose rows are named per parent: a unique
// group holding a foreign key and a text column (a project's labels, a
// workspace's states). Such lists stay short.
func namedChildren(m *project.Model) bool {
	for _, group := range append(append([][]string{}, m.Meta.UniqueTogether...), m.Meta.Unique...) {
		fk, text := false, false
		for _, name := range group {
			f := m.Field(name)
			if f == nil {
				continue
			}
			switch {
			case f.Kind == project.ForeignKey || f.Kind == project.OneToOne:
				fk = true
			case strings.HasSuffix(f.Class, "CharField") || strings.HasSuffix(f.Class, "SlugField") ||
				strings.HasSuffix(f.Class, "URLField") || strings.HasSuffix(f.Class, "EmailField"):
				text = true
			}
		}
		if fk && text {
			return true
		}
	}
	return false
}

// unboundedExpr returns the queryset when e evaluates to all its rows.
func (t *Tracker) unboundedExpr(e pyast.Node) *QS {
	e = pyast.Unparen(e)
	switch e.Type() {
	case "list_comprehension", "set_comprehension", "dictionary_comprehension", "generator_expression":
		for c := range e.Named() {
			if c.Type() == "for_in_clause" {
				if l := t.LoopByNode(c); l != nil && isUnbounded(l.QS) {
					return l.QS
				}
				if q := t.Eval(c.ChildByField("right")); isUnbounded(q) {
					return q
				}
				return nil
			}
		}
	case "attribute":
		// Serializer(qs, many=True).data
		if e.ChildByField("attribute").Text() == "data" {
			if c, ok := pyast.AsCall(e.ChildByField("object")); ok && c.Keyword("many").Type() == "true" && len(c.Positional) > 0 {
				if q := t.Eval(c.Positional[0]); isUnbounded(q) {
					return q
				}
				if q := t.unboundedExpr(c.Positional[0]); q != nil {
					return q
				}
			}
		}
	case "call":
		c, _ := pyast.AsCall(e)
		if c.Keyword("many").Type() == "true" && len(c.Positional) > 0 {
			if q := t.Eval(c.Positional[0]); isUnbounded(q) {
				return q
			}
		}
	}
	if q := t.Eval(e); isUnbounded(q) {
		return q
	}
	return nil
}

// unboundedIn finds, in a response's arguments (through dict and list
// literals), an expression or name that holds every row of a queryset.
func (t *Tracker) unboundedIn(args pyast.Node, names boundRows) (pyast.Node, *QS) {
	var src pyast.Node
	var q *QS
	pyast.Inspect(args, func(n pyast.Node) bool {
		if !src.IsNil() {
			return false
		}
		switch n.Type() {
		case "identifier":
			if n.Field() == "name" && n.Parent().Type() == "keyword_argument" || n.Field() == "attribute" {
				return false
			}
			if qs := t.rows(n, names); qs != nil {
				src, q = n, qs
			}
			return false
		case "lambda", "subscript":
			return false
		case "call", "attribute", "list_comprehension", "generator_expression":
			if n.Field() == "function" || n.Field() == "object" {
				return true // part of a larger expression, judged whole
			}
			if qs := t.unboundedExpr(n); qs != nil {
				src, q = n, qs
				return false
			}
			if n.Type() == "call" && !passesRows(n) {
				return false // build_chart(qs) returns what it computes, not the rows
			}
		}
		return true
	})
	return src, q
}

// passesRows reports calls whose result still holds the rows of their
// arguments: containers (`list(qs)`, `dict(...)`, `sorted(...)`) and
// serializers (`.data` is read on them). Any other function may reduce
// them (`build_chart(qs)`), so its arguments are not followed.
func passesRows(call pyast.Node) bool {
	c, _ := pyast.AsCall(call)
	switch name := pyast.Dotted(c.Func); name {
	case "list", "tuple", "dict", "sorted", "set", "chain", "itertools.chain":
		return true
	default:
		return strings.HasSuffix(name, "Serializer")
	}
}

// drfListViews reports DRF list views without pagination.
func (t *Tracker) drfListViews() {
	if t.g == nil || t.g.DefaultPagination {
		return
	}
	p := t.p
	for cls := range pyast.FindEach(p.Root, "class_definition") {
		bases := cls.ChildByField("superclasses").NamedChildren()
		if len(bases) == 0 {
			continue
		}
		list := false
		for _, b := range bases {
			if b.Type() == "comment" {
				continue
			}
			q, ok := p.Imports.Resolve(b)
			if !ok || !strings.HasPrefix(q, "rest_framework.") {
				list = false
				break // a base of the project may paginate
			}
			if last := q[strings.LastIndex(q, ".")+1:]; semantic.DRFListView(last) || semantic.ListMixin(last) {
				list = true
			}
		}
		if !list {
			continue
		}
		if m, a := classMember(cls, "pagination_class", 0); !m.IsNil() || !a.IsNil() {
			continue
		}
		if m, _ := classMember(cls, "list", 0); !m.IsNil() {
			continue // a custom list() is judged as a view method
		}
		if !t.servesList(cls) {
			continue // routed for single objects only
		}
		q := t.ViewQueryset(cls)
		if !isUnbounded(q) {
			continue
		}
		name := cls.ChildByField("name")
		help := "set `pagination_class = PageNumberPagination` (or a project default in `REST_FRAMEWORK[\"DEFAULT_PAGINATION_CLASS\"]`)"
		if unordered(q) {
			help += "; " + orderHelp(p, q, pyast.Node{})
		}
		p.Report(analyzer.Diagnostic{
			Range:   analyzer.RangeOf(name),
			Message: fmt.Sprintf("`%s` lists every `%s` row in one response: no pagination_class and no DEFAULT_PAGINATION_CLASS", name.Text(), q.Model.Name),
			Help:    help,
			Related: listedRows(cls),
		})
	}
}

// listedRows points at where a list view's rows come from: its
// get_queryset() (the name of the method), else its `queryset = ...`.
func listedRows(cls pyast.Node) []analyzer.Related {
	const msg = "the rows listed, all of them in one response"
	if m, _ := classMember(cls, "get_queryset", 0); !m.IsNil() {
		return []analyzer.Related{{Range: analyzer.RangeOf(m.ChildByField("name")), Message: msg}}
	}
	if _, a := classMember(cls, "queryset", 0); !a.IsNil() {
		return []analyzer.Related{{Range: analyzer.RangeOf(a), Message: msg}}
	}
	return nil
}
