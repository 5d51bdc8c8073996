package orm

import (
	_ "embed"
	"fmt"
	"iter"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed queryinloop.md
var queryInLoopDoc string

// QueryInLoop reports queries run once per iteration of a loop.
var QueryInLoop = &analyzer.Rule{
	Code:              "ORM003",
	Name:              "query-in-loop",
	Doc:               queryInLoopDoc,
	Category:          analyzer.Performance,
	Severity:          analyzer.Warning,
	Confidence:        analyzer.High,
	Since:             "0.1.0",
	Stack:             project.Django,
	SkipOnSyntaxError: true, // fixes need a sound tree
	Skip:              semantic.ProductCode,
	Distinct:          true,
	Requires:          requires,
	Run:               runQueryInLoop,
}

// runQueryInLoop matches, inside the body of a for loop or comprehension,
// manager queries that execute (get, first, count, exists, aggregate,
// in_bulk...; a nested loop or list() over a manager chain) and whose
// arguments use the loop's variables. A primary-key lookup of what a
// foreign key of the row already names (`Merchant.objects.get(id=
// t.merchant_id)`) is reported as that relation, with the select_related
// call that loads every such relation with the rows. It skips loops over
// literals and range(), related managers (ORM002), queries that do not
// depend on the row, unknown `.objects` owners (reported with low
// confidence only when the name looks like a class), tests and migrations.
func runQueryInLoop(p *analyzer.Pass) error {
	t := NewTracker(p)
	loops := t.Loops()
	done := map[int32]bool{}
	for _, l := range loops {
		if l.QS == nil || l.QS.OwnerInLoop {
			continue
		}
		lf := t.analyzeLoop(l)
		if lf == nil || len(lf.RelGets) == 0 {
			continue
		}
		call, edits := selectFix(l.QS, "select_related", lf.Needed)
		for i, g := range lf.RelGets {
			done[g.Call.ID()] = true
			d := analyzer.Diagnostic{
				Range:   analyzer.RangeOf(g.Call),
				Message: fmt.Sprintf("`%s` runs a query per row of %s: it is the relation `%s`", compact(g.Call), loopName(l), g.Replace),
				Related: fieldRelated(g.Field),
			}
			if len(lf.Needed) > 0 {
				d.Help = fmt.Sprintf("load the relations with the rows: `%s`, then read `%s`", call, g.Replace)
			} else {
				d.Help = fmt.Sprintf("the queryset already selects it: read `%s`", g.Replace)
			}
			// Unsafe: the relation is read through the base manager, which
			// may filter differently from the model's default manager.
			fix := analyzer.Fix{Applicability: analyzer.Unsafe}
			if i == 0 && len(edits) > 0 {
				fix.Edits = append(fix.Edits, edits...)
			}
			if !g.Null {
				fix.Edits = append(fix.Edits, analyzer.TextEdit{Range: analyzer.RangeOf(g.Call), NewText: g.Replace})
			}
			if len(fix.Edits) > 0 {
				fix.Message = "read `" + g.Replace + "` from rows loaded with select_related"
				d.Fixes = []analyzer.Fix{fix}
			}
			if l.QS.Opaque {
				d.Confidence = analyzer.Medium
			}
			p.Report(d)
		}
	}
	taint := map[int32]map[string]bool{}
	for n := range pyast.FindEach(p.Root, "call") {
		if done[n.ID()] {
			continue
		}
		q, what, conf := t.queryCall(n)
		if what == "" {
			if callee, bound := t.projectCall(n); callee != nil {
				if !t.helperCall(n, callee, bound, taint) {
					t.rowMethodCall(n, callee, bound)
				}
				t.callbackCall(n, callee, bound)
			}
			continue
		}
		l := t.dependentLoop(n, taint)
		if l == nil {
			continue
		}
		if what == "iterate" && boundInBody(n) && (l.QS != nil && l.QS.Model != nil && !l.QS.Values || semantic.ManagerRoot(n) == "") {
			// A queryset bound per row of a queryset (`issues =
			// Issue.objects.filter(project=project)` per project) is a
			// batch per parent row, its remedy a prefetch judged
			// elsewhere; one not built from `Model.objects` is not read. Per value
			// (`for email in emails`), it is the query per key.
			continue
		}
		help := loopHelp(what, q)
		if q != nil && q.Related {
			help = relatedLoopHelp(n)
		}
		if h := t.reverseHelp(n, what, q, l); h != "" {
			help = h
		}
		p.Report(analyzer.Diagnostic{
			Range:      analyzer.RangeOf(n),
			Message:    fmt.Sprintf("`%s` runs a query per iteration of the loop over %s", compact(n), loopName(l)),
			Help:       help,
			Confidence: conf,
		})
	}
	return nil
}

// reverseHelp recognises `X.objects.filter(<fk>=row)` (or `<fk>_id=row.id`)
// in a loop over a queryset of the model the foreign key points to: it is
// the reverse relation of the row, so the count is an annotation and the
// rows a prefetch on the loop's queryset.
func (t *Tracker) reverseHelp(n pyast.Node, what string, q *QS, l *Loop) string {
	if q == nil || q.Model == nil || l.QS == nil || l.QS.Model == nil || l.Var.IsNil() {
		return ""
	}
	var rel *project.Relation
	for cur := pyast.Unparen(n); cur.Type() == "call"; {
		c, _ := pyast.AsCall(cur)
		if c.MethodName() == "filter" && len(c.Keywords) == 1 {
			for k, v := range c.EachKeyword() {
				rel = t.reverseOf(q.Model, k, pyast.Unparen(v), l)
			}
		}
		cur = pyast.Unparen(c.Receiver())
		for cur.Type() == "attribute" {
			cur = pyast.Unparen(cur.ChildByField("object"))
		}
	}
	if rel == nil {
		return ""
	}
	base := chainText(insertionPoint(l.QS.Origin))
	if base == "" {
		base = "the loop's queryset"
	} else {
		base = "`" + base + "`"
	}
	v := l.Var.Text()
	switch what {
	case "count":
		name := strings.TrimSuffix(rel.Name, "_set") + "_count"
		return fmt.Sprintf("it counts the reverse relation `%s.%s`: add `.annotate(%s=Count(%q))` to %s and read `%s.%s`", v, rel.Name, name, rel.QueryName, base, v, name)
	case "exists":
		name := "has_" + strings.TrimSuffix(rel.Name, "_set")
		return fmt.Sprintf("it tests the reverse relation `%s.%s`: add `.annotate(%s=Exists(%s.objects.filter(%s=OuterRef(\"pk\"))))` to %s and read `%s.%s`", v, rel.Name, name, rel.From.Name, rel.Field.Name, base, v, name)
	case "iterate":
		return fmt.Sprintf("it reads the reverse relation `%s.%s`: add `.prefetch_related(%q)` to %s and iterate `%s.%s.all()`", v, rel.Name, rel.Name, base, v, rel.Name)
	}
	return ""
}

// reverseOf returns the reverse relation of the loop's model when the
// lookup `key=val` on model m pins m's foreign key to the loop's row.
func (t *Tracker) reverseOf(m *project.Model, key string, val pyast.Node, l *Loop) *project.Relation {
	var f *project.Field
	switch {
	case strings.HasSuffix(key, "_id") && val.Type() == "attribute" &&
		(val.ChildByField("attribute").Text() == "id" || val.ChildByField("attribute").Text() == "pk"):
		f = m.FKColumn(key)
		val = val.ChildByField("object")
	default:
		if ff := m.Field(key); ff != nil && ff.Kind == project.ForeignKey {
			f = ff
		}
	}
	if f == nil || f.To != l.QS.Model || val.Type() != "identifier" || val.Text() != l.Var.Text() {
		return nil
	}
	for _, r := range l.QS.Model.Reverse {
		if r.Field == f || r.Field.Name == f.Name && r.From == m {
			return r
		}
	}
	return nil
}

func loopHelp(what string, q *QS) string {
	model := "Model"
	if q != nil && q.ModelText != "" {
		model = q.ModelText
	}
	switch what {
	case "count", "exists", "aggregate":
		return fmt.Sprintf("compute it for every row in one query before the loop: `%s.objects.filter(<key>__in=keys).values(\"<key>\").annotate(n=Count(\"pk\"))`, then look the result up in a dict", model)
	}
	return fmt.Sprintf("fetch the rows once before the loop: `%s.objects.in_bulk(ids)` or `%s.objects.filter(<key>__in=keys)` into a dict, then look them up in the loop", model, model)
}

// relatedLoopHelp is loopHelp for a related manager of an object the
// loop does not change: one query for every key, before the loop.
func relatedLoopHelp(n pyast.Node) string {
	mgr := "the manager"
	for cur := n; !cur.IsNil(); {
		c, ok := pyast.AsCall(cur)
		if !ok {
			if cur.Type() == "attribute" || cur.Type() == "identifier" {
				mgr = "`" + compact(cur) + "`"
			}
			break
		}
		cur = pyast.Unparen(c.Receiver())
	}
	return fmt.Sprintf("query %s once before the loop (`filter(<key>__in=keys)`, or read its rows into a dict or set), then look the values up in the loop", mgr)
}

// compact renders a call for a message: as written when short, else with
// its arguments elided.
func compact(n pyast.Node) string {
	s := n.Text()
	if !strings.Contains(s, "\n") && len(s) <= 80 {
		return s
	}
	if c, ok := pyast.AsCall(n); ok {
		args := "(...)"
		if len(c.Node.ChildByField("arguments").NamedChildren()) == 0 {
			args = "()"
		}
		if d := pyast.Dotted(c.Func); d != "" {
			return d + args
		}
		if r := c.Receiver(); !r.IsNil() {
			return compact(r) + "." + c.MethodName() + args
		}
	}
	return strings.SplitN(s, "\n", 2)[0] + " ..."
}

// batched reports whether a chain filters with an `__in` lookup: a query
// per batch of keys, the remedy rather than the problem.
func batched(n pyast.Node) bool { return semantic.Batched(n) }

// batchedByLoop is batched for a query in a loop: a chain is a batch when
// an `__in` lookup takes its values from the innermost loop (its target or
// a name its body binds: `filter(id__in=chunk)`). An `__in` over values
// fixed before the loop (`filter(plan__in=plans, user_email=email)`) does
// not make the query per key a batch.
func batchedByLoop(n pyast.Node) bool {
	if !semantic.Batched(n) {
		return false
	}
	var loop pyast.Node
	for p := n.Parent(); !p.IsNil() && loop.IsNil(); p = p.Parent() {
		switch p.Type() {
		case "function_definition", "lambda", "class_definition":
			return true
		case "for_statement":
			if p.ChildByField("body").StartByte() <= n.StartByte() {
				loop = p
			}
		}
	}
	if loop.IsNil() {
		return true
	}
	bound := map[string]bool{}
	for _, id := range pyast.Identifiers(loop.ChildByField("left")) {
		bound[id] = true
	}
	for a := range pyast.FindEach(loop.ChildByField("body"), "assignment", "for_statement", "for_in_clause") {
		for _, id := range pyast.Identifiers(a.ChildByField("left")) {
			bound[id] = true
		}
	}
	for cur := pyast.Unparen(n); cur.Type() == "call" || cur.Type() == "attribute"; {
		c, ok := pyast.AsCall(cur)
		if !ok {
			cur = pyast.Unparen(cur.ChildByField("object"))
			continue
		}
		for k, v := range c.EachKeyword() {
			if !strings.HasSuffix(k, "__in") {
				continue
			}
			for id := range pyast.FindEach(v, "identifier") {
				if id.Field() != "attribute" && bound[id.Text()] {
					return true
				}
			}
			if v.Type() == "identifier" && bound[v.Text()] {
				return true
			}
		}
		cur = pyast.Unparen(c.Func)
	}
	return false
}

// queryCall reports whether call n runs a manager query: what is the
// method (or "iterate"), q the queryset when known, conf the confidence.
// Chains filtering with `__in` (batches) are not queries per row.
func (t *Tracker) queryCall(n pyast.Node) (q *QS, what string, conf analyzer.Confidence) {
	return queryCall(t.File, n)
}

// queryCall is Tracker.queryCall for any file of the project.
func queryCall(f *semantic.File, n pyast.Node) (q *QS, what string, conf analyzer.Confidence) {
	// Cheap test first: this runs on every call of the file.
	fn := n.ChildByField("function")
	if fn.Type() != "attribute" {
		return nil, "", 0
	}
	if !queryMethod(fn.ChildByField("attribute")) {
		// A chain ending in a custom queryset method (`.specific()`,
		// `.active()`) iterated right here.
		return iteratedCustom(f, n)
	}
	if batchedByLoop(n) {
		return nil, "", 0
	}
	c, _ := pyast.AsCall(n)
	method := c.MethodName()
	recv := c.Receiver()
	switch {
	case rowMethods[method] || execMethods[method]:
		if recv.IsNil() {
			return nil, "", 0
		}
		what = method
	case chainMethods[method] && !recv.IsNil():
		// A chain that is iterated right here: `for x in M.objects.filter(...)`.
		p := n.Parent()
		iterated := p.Is("for_statement", "for_in_clause") && p.ChildByField("right").Equal(n)
		if p.Type() == "argument_list" {
			if pc, ok := pyast.AsCall(p.Parent()); ok && pc.Func.Type() == "identifier" && len(pc.Positional) == 1 {
				switch pc.Func.Text() {
				case "list", "tuple", "set", "len", "sorted":
					iterated = true
				}
			}
		}
		if !iterated && !iteratedInBody(n) {
			return nil, "", 0
		}
		what = "iterate"
		recv = n
	default:
		return nil, "", 0
	}
	base := recv
	q = f.Eval(base)
	if q == nil {
		q = f.SelfManagerChain(base) // `self.tags.filter(name=tag)` in a model method
	}
	if q != nil {
		if q.Related && (q.OwnerInLoop || what == "iterate") || q.Model == nil {
			// A row's related manager is ORM002's. One of an object fixed
			// outside the loop (`self.tags.filter(name=tag).count()` per
			// tag name) is a query per iteration when its arguments use
			// the loop's values (dependentLoop): reported here.
			return nil, "", 0
		}
		if q.Related {
			return q, what, analyzer.Medium
		}
		if q.Model.External || !q.Model.Complete || q.Custom {
			return q, what, analyzer.Medium
		}
		return q, what, analyzer.High
	}
	// An owner of `.objects` the graph does not know (a third-party model).
	if root := semantic.ManagerRoot(base); root != "" {
		return &QS{ModelText: root}, what, analyzer.Low
	}
	if dynamicManager(f, base) {
		return &QS{}, what, analyzer.Medium
	}
	return nil, "", 0
}

// boundInBody reports a chain bound to a name rather than iterated where
// it is built (the case iteratedInBody adds).
func boundInBody(n pyast.Node) bool {
	p := n.Parent()
	return p.Type() == "assignment" && p.ChildByField("right").Equal(n)
}

// iteratedInBody reports a chain bound to a local name in a loop's body
// (`rows = M.objects.filter(email=email)`) that a later statement of the
// same body iterates (`for r in rows`, `sorted(rows, key=...)`, `list(rows)`,
// `len(rows)`), the name not being bound again in the body: the query runs
// once per iteration as if iterated where it is built.
func iteratedInBody(n pyast.Node) bool {
	a := n.Parent()
	if a.Type() != "assignment" || !a.ChildByField("right").Equal(n) || a.ChildByField("left").Type() != "identifier" {
		return false
	}
	name := a.ChildByField("left").Text()
	loop := pyast.Ancestor(a, "for_statement", "while_statement", "function_definition", "class_definition")
	if !loop.Is("for_statement", "while_statement") {
		return false
	}
	body := loop.ChildByField("body")
	if body.IsNil() || body.StartByte() > a.StartByte() {
		return false
	}
	iterated := false
	for id := range pyast.FindEach(body, "identifier") {
		if id.Text() != name || id.Equal(a.ChildByField("left")) {
			continue
		}
		p := id.Parent()
		if p.Type() == "assignment" && p.ChildByField("left").Equal(id) || p.Type() == "augmented_assignment" {
			return false // bound again: which value a use sees is not followed
		}
		if id.StartByte() < a.EndByte() {
			continue
		}
		if p.Is("for_statement", "for_in_clause") && p.ChildByField("right").Equal(id) {
			iterated = true
		}
		if p.Type() == "argument_list" {
			if pc, ok := pyast.AsCall(p.Parent()); ok && pc.Func.Type() == "identifier" && len(pc.Positional) == 1 && pc.Positional[0].Equal(id) {
				switch pc.Func.Text() {
				case "list", "tuple", "set", "len", "sorted":
					iterated = true
				}
			}
		}
	}
	return iterated
}

// ownerModel returns the model of an instance expression: what the
// semantic model says, or `self.a.b` in a method of a model class
// followed through forward relations.
func ownerModel(f *semantic.File, n pyast.Node) *project.Model {
	if m, _ := f.Instance(n); m != nil {
		return m
	}
	var names []string
	cur := pyast.Unparen(n)
	for cur.Type() == "attribute" {
		names = append([]string{cur.ChildByField("attribute").Text()}, names...)
		cur = cur.ChildByField("object")
	}
	if cur.Type() != "identifier" || cur.Text() != "self" || f.M.Graph == nil {
		return nil
	}
	c := f.ClassOfDef(pyast.Ancestor(cur, "class_definition"))
	if c == nil {
		return nil
	}
	m := f.M.Graph.ByQual(c.Qual)
	for _, name := range names {
		if m == nil {
			return nil
		}
		a := m.Attr(name)
		if a.Kind != project.AttrForward && a.Kind != project.AttrReverseOne {
			return nil
		}
		m = a.Target
	}
	return m
}

// dynamicManager recognises a related manager named at run time and
// filtered with lookups: `getattr(self.device, name).filter(name=x)`,
// where the object is a model instance with related managers. The chain
// must filter with keyword lookups, which a plain list or dict does not
// take.
func dynamicManager(f *semantic.File, n pyast.Node) bool {
	lookups := false
	for {
		n = pyast.Unparen(n)
		c, ok := pyast.AsCall(n)
		if !ok {
			return false
		}
		if c.Func.Type() == "identifier" {
			if c.Func.Text() != "getattr" || len(c.Positional) != 2 || !lookups {
				return false
			}
			if _, literal := pyast.StringValue(c.Positional[1]); literal {
				return false
			}
			m := ownerModel(f, c.Positional[0])
			if m == nil {
				return false
			}
			for _, fd := range m.Fields {
				if fd.Kind == project.ManyToMany {
					return true
				}
			}
			for _, r := range m.Reverse {
				if r.Field != nil && r.Many() {
					return true
				}
			}
			return false
		}
		switch c.MethodName() {
		case "filter", "exclude", "get":
			lookups = lookups || len(c.Keywords) > 0
		case "all", "order_by", "first", "last", "exists", "count":
		default:
			return false
		}
		n = c.Receiver()
	}
}

// iteratedCustom reports a call the loop iterates (`for x in
// M.objects.filter(...).specific()`) whose method is not a queryset method
// rubric knows but that evaluates to a queryset built from a manager: a
// custom queryset method, with medium confidence.
func iteratedCustom(f *semantic.File, n pyast.Node) (q *QS, what string, conf analyzer.Confidence) {
	p := n.Parent()
	if !p.Is("for_statement", "for_in_clause") || !p.ChildByField("right").Equal(n) || batched(n) {
		return nil, "", 0
	}
	q = f.Eval(n)
	if q == nil || q.Related || q.Model == nil || !q.Custom {
		return nil, "", 0
	}
	return q, "iterate", analyzer.Medium
}

// queryMethod reports whether the method name id can make queryCall
// report: a row, exec or chain method.
func queryMethod(id pyast.Node) bool {
	b := id.Bytes()
	return rowMethods[string(b)] || execMethods[string(b)] || chainMethods[string(b)]
}

// dependentLoop returns the innermost loop around n, not over a literal,
// whose variables (or names assigned in its body) n's arguments use.
func (t *Tracker) dependentLoop(n pyast.Node, cache map[int32]map[string]bool) *Loop {
	used := argNames(n)
	bound := t.boundChain(n)
	for u := range argNames(bound) {
		used[u] = true
	}
	if len(used) == 0 {
		return nil
	}
	for l := range t.loopsAround(n) {
		if l.Bounded() || l.Once() || l.LeavesAfter(n) {
			continue
		}
		if !bound.IsNil() && !l.InBody(bound) && len(argNames(n)) == 0 {
			continue // the chain is built before this loop: its names are not this loop's
		}
		names := cache[l.Node.ID()]
		if names == nil {
			names = loopNames(l)
			cache[l.Node.ID()] = names
		}
		for u := range used {
			if names[u] {
				return l
			}
		}
	}
	return nil
}

// loopsAround yields the loops whose body holds n, innermost first (a
// comprehension's for clauses from the last), up to the function, lambda
// or class holding n.
func (t *Tracker) loopsAround(n pyast.Node) iter.Seq[*Loop] {
	return func(yield func(*Loop) bool) {
		for p := n.Parent(); !p.IsNil(); p = p.Parent() {
			switch p.Type() {
			case "function_definition", "lambda", "class_definition":
				return
			case "for_statement":
				if l := t.LoopByNode(p); l != nil && l.InBody(n) && !yield(l) {
					return
				}
			case "list_comprehension", "set_comprehension", "generator_expression", "dictionary_comprehension":
				kids := p.NamedChildren()
				for i := len(kids) - 1; i >= 0; i-- {
					if l := t.LoopByNode(kids[i]); l != nil && l.InBody(n) && !yield(l) {
						return
					}
				}
			}
		}
	}
}

// boundChain returns the manager chain that a query call runs when its
// receiver is a local name bound to one in the same function
// (`bits = Registration.objects.filter(user=student)`, then
// `bits.exists()`): its arguments say which loop the query depends on. A
// chain that is a batch of the loop's values (`__in`), a row's related
// manager, or one already reported where it is built (iterated further
// down the body) gives nothing.
func (t *Tracker) boundChain(n pyast.Node) pyast.Node {
	c, ok := pyast.AsCall(n)
	if !ok || c.Func.Type() != "attribute" {
		return pyast.Node{}
	}
	root := pyast.Unparen(c.Receiver())
	if root.Type() != "identifier" {
		return pyast.Node{}
	}
	rhs := pyast.Unparen(t.Binding(root, root.Text(), root.StartByte()))
	if rhs.Type() != "call" || !pyast.Ancestor(rhs, "function_definition").Equal(pyast.Ancestor(n, "function_definition")) {
		return pyast.Node{}
	}
	if semantic.ManagerRoot(rhs) == "" || batchedByLoop(rhs) || iteratedInBody(rhs) {
		return pyast.Node{}
	}
	if q := t.Eval(rhs); q != nil && q.Related {
		return pyast.Node{}
	}
	return rhs
}

// loopNames are the loop's targets and every name assigned in its body.
func loopNames(l *Loop) map[string]bool {
	names := map[string]bool{}
	for _, id := range pyast.Identifiers(l.Node.ChildByField("left")) {
		names[id] = true
	}
	for _, b := range l.Body {
		for a := range pyast.FindEachShallow(b, "assignment", "for_statement", "for_in_clause") {
			for _, id := range pyast.Identifiers(a.ChildByField("left")) {
				names[id] = true
			}
		}
	}
	return names
}

// argNames are the variables read by the arguments of the calls of a
// chain (keyword names and attribute names excluded).
func argNames(n pyast.Node) map[string]bool {
	out := map[string]bool{}
	for cur := n; !cur.IsNil(); {
		cur = pyast.Unparen(cur)
		switch cur.Type() {
		case "call":
			pyast.Inspect(cur.ChildByField("arguments"), func(m pyast.Node) bool {
				if m.Type() == "identifier" {
					if m.Field() == "name" && m.Parent().Type() == "keyword_argument" {
						return false
					}
					if m.Field() == "attribute" && m.Parent().Type() == "attribute" {
						return false
					}
					out[m.Text()] = true
				}
				return !m.Is("lambda")
			})
			cur = cur.ChildByField("function")
		case "attribute":
			cur = cur.ChildByField("object")
		case "subscript":
			cur = cur.ChildByField("value")
		default:
			cur = pyast.Node{}
		}
	}
	return out
}

// projectCall resolves a plain, dotted or self call to the project
// function it reaches (not the function holding it), or nil.
func (t *Tracker) projectCall(n pyast.Node) (*semantic.Func, bool) {
	switch fn := n.ChildByField("function"); fn.Type() {
	case "identifier", "attribute":
	default:
		return nil, false
	}
	callee, bound := t.Callee(n)
	if callee == nil || callee.Node.Contains(n) {
		return nil, false
	}
	return callee, bound
}

// helperCall reports a call, inside a loop, to a project function (in
// any module, or a method) that runs a query with one of its parameters
// (directly or through the functions it passes the value to), when the
// loop passes one of its names in that position: the N+1 one or more call
// levels down.
func (t *Tracker) helperCall(n pyast.Node, callee *semantic.Func, bound bool, taint map[int32]map[string]bool) bool {
	l := t.dependentLoop(n, taint)
	if l == nil {
		return false
	}
	c, _ := pyast.AsCall(n)
	names := taint[l.Node.ID()]
	fromRow := func(e pyast.Node) bool {
		for id := range argNamesOf(e) {
			if names[id] {
				return true
			}
		}
		return false
	}
	var passed []int // callee parameters fed from the row
	off := 0
	if bound {
		off = 1
	}
	for i, a := range c.Positional {
		if fromRow(a) {
			passed = append(passed, i+off)
		}
	}
	for k, v := range c.EachKeyword() {
		if idx := indexOf(callee.Params, k); idx >= 0 && fromRow(v) {
			passed = append(passed, idx)
		}
	}
	for _, idx := range passed {
		for _, acc := range t.sm.Lookups(callee, idx) {
			inner := acc.Node
			_, what, conf := queryCall(acc.File, inner)
			if what == "" || conf == analyzer.Low || acc.DeadInCallee(n, callee) {
				continue
			}
			if acc.Conditional {
				conf = analyzer.Low // the helper may not query on every call
			}
			d := analyzer.Diagnostic{
				Range:      analyzer.RangeOf(n),
				Message:    fmt.Sprintf("`%s` runs `%s` per iteration of the loop over %s", compact(n), compact(inner), loopName(l)),
				Help:       fmt.Sprintf("fetch what `%s` needs for all rows before the loop (`in_bulk()`, `filter(<key>__in=...)`, `select_related`) and pass it in", callee.Name),
				Confidence: conf,
				Related:    queryTrail(acc),
			}
			t.p.Report(d)
			return true
		}
	}
	return false
}

// rowMethodCall reports a method called on the row of a loop over a
// queryset of a known model (`for s in Student.objects.all():
// s.last_profile()`) when the method runs a query with self among its
// arguments (`Profile.objects.filter(user=self)`), directly or through
// the methods and helpers it hands self to: a query per row, one or more
// call levels down. Related managers of self (`self.profile_set`) are
// ORM002's and not read here.
func (t *Tracker) rowMethodCall(n pyast.Node, callee *semantic.Func, bound bool) {
	if !bound || callee.Class == nil || callee.Static || callee.ClassMethod || callee.Property {
		return
	}
	if callee.Name == "save" || callee.Name == "delete" {
		// A write per row, ORM004's: what the override reads on the way
		// is part of saving each row.
		return
	}
	c, _ := pyast.AsCall(n)
	recv := pyast.Unparen(c.Receiver())
	if recv.Type() != "identifier" {
		return
	}
	l := t.rowLoop(n, recv.Text())
	if l == nil {
		return
	}
	for _, acc := range t.sm.RowLookups(callee, 0, l.QS.Model) {
		inner := acc.Node
		_, what, conf := queryCall(acc.File, inner)
		if what == "" || conf == analyzer.Low || acc.DeadInCallee(n, callee) {
			continue
		}
		if acc.Conditional || guardedByRow(n, l) {
			// The method may not query on every call, or the loop calls it
			// only for the rows a test of their own values picks
			// (`if not region.geo_options: region.calc_cache()`, a cache
			// filled once).
			conf = analyzer.Low
		}
		d := analyzer.Diagnostic{
			Range:      analyzer.RangeOf(n),
			Message:    fmt.Sprintf("`%s` runs `%s` per row of %s", compact(n), compact(inner), loopName(l)),
			Help:       fmt.Sprintf("fetch what `%s` queries for all rows before the loop (one query with `filter(<key>__in=...)` into a dict, or an annotation on the loop's queryset) and read it per row", callee.Name),
			Confidence: conf,
			Related:    queryTrail(acc),
		}
		t.p.Report(d)
		return
	}
}

// guardedByRow reports a call under an if (inside loop l) whose test
// reads l's row variable: it runs for some rows only.
func guardedByRow(n pyast.Node, l *Loop) bool {
	v := l.Var.Text()
	for c := n; !c.IsNil() && !c.Equal(l.Node); c = c.Parent() {
		p := c.Parent()
		if !p.Is("if_statement", "elif_clause", "conditional_expression") {
			continue
		}
		test := p.ChildByField("condition")
		if p.Type() == "conditional_expression" {
			kids := p.NamedChildren()
			if len(kids) < 2 || c.Equal(kids[1]) {
				continue
			}
			test = kids[1]
		} else if test.Equal(c) {
			continue
		}
		for id := range pyast.FindEach(test, "identifier") {
			if id.Text() == v && id.Field() != "attribute" {
				return true
			}
		}
	}
	return false
}

// rowLoop returns the innermost loop around n whose row variable is name,
// when it runs over the rows of a queryset of a known model (not values())
// and may run more than once; nil otherwise.
func (t *Tracker) rowLoop(n pyast.Node, name string) *Loop {
	for l := range t.loopsAround(n) {
		if l.Var.IsNil() || l.Var.Text() != name {
			continue
		}
		if l.QS == nil || l.QS.Model == nil || l.QS.Values || l.QS.OwnerInLoop || l.Bounded() || l.Once() || l.LeavesAfter(n) {
			return nil
		}
		return l
	}
	return nil
}

// queryTrail points at each call on the way from the loop to a helper's
// query, then at the query itself.
func queryTrail(acc semantic.Access) []analyzer.Related {
	var out []analyzer.Related
	for _, st := range acc.Via {
		out = append(out, analyzer.Related{Path: st.File.Unit.File.Rel, Range: analyzer.RangeOf(st.Call), Message: "calls `" + st.Func.Name + "`"})
	}
	return append(out, analyzer.Related{Path: acc.File.Unit.File.Rel, Range: analyzer.RangeOf(acc.Node),
		Message: "the query, in `" + enclosingName(acc.File, acc.Node) + "`"})
}

// enclosingName names the function holding n.
func enclosingName(f *semantic.File, n pyast.Node) string {
	if fn := f.EnclosingFunc(n); fn != nil {
		return fn.Name
	}
	return "module"
}

func indexOf(xs []string, s string) int {
	for i, x := range xs {
		if x == s {
			return i
		}
	}
	return -1
}

// paramNames are a function's parameter names in order: pyast.ParamNames,
// which this package used to repeat.
func paramNames(fn pyast.Node) []string { return pyast.ParamNames(fn) }

// argNamesOf are the variables an expression reads.
func argNamesOf(e pyast.Node) map[string]bool {
	out := map[string]bool{}
	pyast.Inspect(e, func(m pyast.Node) bool {
		if m.Type() == "identifier" && m.Field() != "attribute" && !(m.Field() == "name" && m.Parent().Type() == "keyword_argument") {
			out[m.Text()] = true
		}
		return !m.Is("lambda")
	})
	return out
}

// callbackCall reports a call that hands a function a queryset and a
// callable it calls with each row (`mass_update(Finding, findings,
// generate_hash)`, whose loop runs `function(model)`), when the callable
// this call passes runs a query with the row: a query per row of the
// queryset passed here. The callable is read per call site (another
// caller may pass one that queries nothing); lambdas are not followed.
func (t *Tracker) callbackCall(n pyast.Node, callee *semantic.Func, bound bool) {
	cbs := callee.RowCallbacks()
	if len(cbs) == 0 {
		return
	}
	c, _ := pyast.AsCall(n)
	for _, cb := range cbs {
		rows, fnArg := semantic.ArgFor(c, callee, cb.Rows, bound), semantic.ArgFor(c, callee, cb.Fn, bound)
		if rows.IsNil() || fnArg.IsNil() {
			continue
		}
		q := t.Eval(rows)
		g := t.FuncRef(fnArg)
		if q == nil || q.Model == nil || q.Values || g == nil || g.Class != nil && !g.Static {
			continue
		}
		for _, acc := range t.sm.RowLookups(g, cb.Arg, q.Model) {
			inner := acc.Node
			_, what, conf := queryCall(acc.File, inner)
			if what == "" || conf == analyzer.Low {
				continue
			}
			conf = analyzer.Medium // the callable is this call site's
			if acc.Conditional {
				conf = analyzer.Low
			}
			lf := cb.Loop.File()
			d := analyzer.Diagnostic{
				Range: analyzer.RangeOf(n),
				Message: fmt.Sprintf("`%s` runs `%s` per row of `%s`: `%s` calls `%s` (passed here as `%s`) for each row", compact(n), compact(inner),
					compact(rows), callee.Name, g.Name, callee.Params[cb.Fn]),
				Help:       fmt.Sprintf("load what `%s` reads with the rows (`prefetch_related`, `select_related`) and read it from the row, or fetch it for all rows at once before the loop", g.Name),
				Confidence: conf,
				Related: []analyzer.Related{
					{Path: lf.Unit.File.Rel, Range: analyzer.Span(cb.Loop.Node, cb.Loop.Iter), Message: "the loop over the rows, in `" + callee.Name + "`"},
					{Path: lf.Unit.File.Rel, Range: analyzer.RangeOf(cb.Call), Message: "calls `" + g.Name + "` with each row"},
				},
			}
			d.Related = append(d.Related, queryTrail(acc)...)
			t.p.Report(d)
			return
		}
	}
}
