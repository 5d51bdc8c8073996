package orm

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

// rowRef is a name that holds, per row of a loop, the row itself or an
// object reached from it through forward relations.
type rowRef struct {
	model *project.Model
	path  []string
}

// access is a forward relation read per row: `t.merchant.category`.
type access struct {
	Path  string     // "merchant__category"
	Expr  pyast.Node // the attribute node of the last hop
	Field *project.Field
	Model *project.Model // the model holding Field
	// Deep is set when the read happens in a function the loop body calls
	// (Expr is then that call): where, and through which calls.
	Deep *semantic.Access
}

// managerUse is a related manager used per row: `o.items.count()`.
type managerUse struct {
	Path   string     // "customer__orders"
	Expr   pyast.Node // the manager attribute node (`o.items`)
	Call   pyast.Node // the call using it
	Method string     // all, count, exists, filter, ...
	Target *project.Model
	Rel    string // the relation's accessor name
	Attr   project.Attr
	Deep   *semantic.Access // as access.Deep
}

// relGet is a lookup by primary key of what a relation already names:
// `Merchant.objects.get(id=t.merchant_id)` is `t.merchant`.
type relGet struct {
	Path    string
	Call    pyast.Node
	Replace string // the attribute expression it stands for ("t.merchant")
	Field   *project.Field
	Null    bool
}

// loopFacts is what one loop over a queryset of a known model does per row.
type loopFacts struct {
	Loop     *Loop
	Accesses []*access
	Generic  []*access // generic foreign keys read per row
	Managers []*managerUse
	RelGets  []*relGet
	// stored are relations the body assigns on the row, with where.
	stored map[string]int
	// Needed are the select_related paths the loop wants (maximal, not yet
	// selected), in order of first use.
	Needed []string
}

// analyzeLoop collects the per-row relation uses of a loop over a queryset
// whose model the graph knows. It returns nil for other loops.
func (t *Tracker) analyzeLoop(l *Loop) *loopFacts {
	if l.QS == nil || l.QS.Model == nil || l.QS.Values || l.Var.IsNil() || l.Once() {
		return nil
	}
	// What the rows load is unknown: the caller may have prefetched the
	// owner's relation, or the paths are computed at run time.
	if l.QS.MaybeCached || l.QS.Dynamic || l.QS.DynamicSelect {
		return nil
	}
	lf := &loopFacts{Loop: l, stored: storedRelations(l)}
	rows := map[string]rowRef{l.Var.Text(): {model: l.QS.Model}}
	seenAccess := map[int32]bool{}
	l.Walk(func(n pyast.Node) bool {
		switch n.Type() {
		case "assignment":
			left := n.ChildByField("left")
			if left.Type() != "identifier" {
				return true
			}
			name := left.Text()
			if name == l.Var.Text() {
				// The row variable is rebound: stop trusting it.
				delete(rows, name)
				return true
			}
			right := pyast.Unparen(n.ChildByField("right"))
			if g := t.relationGet(right, rows); g != nil {
				to := g.Field.To
				if to != nil {
					rows[name] = rowRef{model: to, path: strings.Split(g.Path, "__")}
				}
			} else if ref, ok := t.forwardRef(right, rows); ok {
				rows[name] = ref
			} else {
				delete(rows, name)
			}
		case "call":
			if g := t.relationGet(n, rows); g != nil {
				lf.RelGets = append(lf.RelGets, g)
			}
		case "attribute":
			obj := n.ChildByField("object")
			if obj.Type() != "identifier" {
				return true
			}
			ref, ok := rows[obj.Text()]
			if !ok || seenAccess[n.ID()] {
				return true
			}
			t.walkChain(lf, n, ref, seenAccess)
		}
		return true
	})
	t.deepAccesses(l, lf)
	// A path some branch of the queryset's making loads (`if venues: qs =
	// qs.select_related("venue")`) is the condition's to decide: not
	// reported.
	var paths []string
	for _, a := range lf.Accesses {
		if !l.QS.Selects(a.Path) && !l.QS.BranchLoads(a.Path) {
			paths = append(paths, a.Path)
		}
	}
	for _, g := range lf.RelGets {
		if !l.QS.Selects(g.Path) && !l.QS.BranchLoads(g.Path) {
			paths = append(paths, g.Path)
		}
	}
	lf.Needed = maximal(paths)
	return lf
}

// walkChain follows an attribute chain starting at a row reference.
func (t *Tracker) walkChain(lf *loopFacts, first pyast.Node, ref rowRef, seen map[int32]bool) {
	model := ref.model
	path := append([]string(nil), ref.path...)
	for cur := first; ; {
		seen[cur.ID()] = true
		name := cur.ChildByField("attribute").Text()
		if len(path) == 0 && ref.path == nil && cur.ChildByField("object").Text() == lf.Loop.Var.Text() {
			if at, ok := lf.stored[name]; ok && cur.StartByte() >= at {
				return // `row.rel = x` earlier in the body: reads x, not the relation
			}
		}
		a := model.Attr(name)
		switch a.Kind {
		case project.AttrForward, project.AttrReverseOne:
			if isStoreTarget(cur) {
				return
			}
			if a.Field != nil && a.Field.Kind == project.GenericFK {
				// select_related cannot follow it; prefetch_related can.
				lf.Generic = append(lf.Generic, &access{Path: strings.Join(append(path, name), "__"), Expr: cur, Field: a.Field, Model: model})
				return
			}
			path = append(path, name)
			f := a.Field
			if f == nil {
				f = a.Relation.Field
			}
			lf.Accesses = append(lf.Accesses, &access{Path: strings.Join(path, "__"), Expr: cur, Field: f, Model: model})
			if a.Target == nil {
				return
			}
			model = a.Target
		case project.AttrReverseMany, project.AttrManyToMany:
			lf.addManagerUse(cur, strings.Join(append(path, name), "__"), name, a)
			return
		default:
			if t.sm.ModelMethod(model, name) == nil && t.sm.UndeclaredReverse(model, name) {
				// A library's relation to the row, by its default
				// accessor (`user.emailaddress_set`).
				lf.addManagerUse(cur, strings.Join(append(path, name), "__"), name, a)
			}
			return
		}
		p := cur.Parent()
		if p.Type() != "attribute" || !p.ChildByField("object").Equal(cur) {
			return
		}
		cur = p
	}
}

// addManagerUse records `x.items.<method>(...)`.
func (lf *loopFacts) addManagerUse(mgr pyast.Node, path, rel string, a project.Attr) {
	p := mgr.Parent()
	if p.Type() != "attribute" || !p.ChildByField("object").Equal(mgr) {
		return
	}
	call := p.Parent()
	if call.Type() != "call" || !call.ChildByField("function").Equal(p) {
		return
	}
	method := p.ChildByField("attribute").Text()
	if method == "all" {
		// `x.items.all().filter(...)` queries like `x.items.filter(...)`.
		if gp := call.Parent(); gp.Type() == "attribute" && gp.ChildByField("object").Equal(call) {
			next := gp.ChildByField("attribute").Text()
			if chainMethods[next] && next != "all" && next != "iterator" || rowMethods[next] || execMethods[next] {
				method = next
				if c := gp.Parent(); c.Type() == "call" {
					call = c
				}
			}
		}
	}
	switch {
	case method == "all" || method == "iterator" || method == "count" || method == "exists":
	case chainMethods[method] || rowMethods[method] || method == "aggregate" || method == "in_bulk":
	default:
		return // writes (add, create, clear...) and unknown methods
	}
	lf.Managers = append(lf.Managers, &managerUse{Path: path, Expr: mgr, Call: call, Method: method, Target: a.Target, Rel: rel, Attr: a})
}

// storedRelations returns the attributes the loop body assigns on the row
// variable (`poll.thread = threads[poll.thread_id]`), each with the end of
// its first assignment: reads after it see the assigned object, not a
// lazily loaded relation.
func storedRelations(l *Loop) map[string]int {
	var out map[string]int
	v := l.Var.Text()
	l.Walk(func(n pyast.Node) bool {
		if n.Type() != "assignment" {
			return true
		}
		left := n.ChildByField("left")
		if left.Type() == "attribute" && left.ChildByField("object").Type() == "identifier" && left.ChildByField("object").Text() == v {
			name := left.ChildByField("attribute").Text()
			if out == nil {
				out = map[string]int{}
			}
			if _, ok := out[name]; !ok {
				out[name] = n.EndByte()
			}
		}
		return true
	})
	return out
}

// isStoreTarget reports whether an attribute is assigned to or deleted.
func isStoreTarget(n pyast.Node) bool {
	p := n.Parent()
	switch p.Type() {
	case "assignment", "augmented_assignment":
		return p.ChildByField("left").Equal(n)
	case "delete_statement":
		return true
	}
	return false
}

// forwardRef recognises `x = t.merchant` (a forward relation of a row).
func (t *Tracker) forwardRef(n pyast.Node, rows map[string]rowRef) (rowRef, bool) {
	var names []string
	cur := n
	for cur.Type() == "attribute" {
		names = append([]string{cur.ChildByField("attribute").Text()}, names...)
		cur = cur.ChildByField("object")
	}
	if cur.Type() != "identifier" || len(names) == 0 {
		return rowRef{}, false
	}
	ref, ok := rows[cur.Text()]
	if !ok {
		return rowRef{}, false
	}
	model, path := ref.model, append([]string(nil), ref.path...)
	for _, name := range names {
		a := model.Attr(name)
		if (a.Kind != project.AttrForward && a.Kind != project.AttrReverseOne) || a.Target == nil {
			return rowRef{}, false
		}
		if a.Field != nil && a.Field.Kind == project.GenericFK {
			return rowRef{}, false
		}
		path = append(path, name)
		model = a.Target
	}
	return rowRef{model: model, path: path}, true
}

// relationGet recognises `Model.objects.get(id=r.fk_id)`, `pk=r.fk.pk`
// and `get_object_or_404(Model, pk=r.fk_id)` where r is a row reference
// and fk a forward relation of r's model to Model.
func (t *Tracker) relationGet(n pyast.Node, rows map[string]rowRef) *relGet {
	c, ok := pyast.AsCall(n)
	if !ok || len(c.Keywords) != 1 || c.StarArgs || c.StarKwargs {
		return nil
	}
	var target *project.Model
	switch {
	case c.MethodName() == "get" && !c.Receiver().IsNil() && len(c.Positional) == 0:
		q := t.Eval(c.Receiver())
		if q == nil || q.Model == nil || q.Related {
			return nil
		}
		target = q.Model
	case c.Func.Type() == "identifier" && c.Func.Text() == "get_object_or_404" && len(c.Positional) == 1:
		target = t.g.Lookup(t.p.Unit, pyast.Dotted(c.Positional[0]))
		if target == nil {
			if q := t.Eval(c.Positional[0]); q != nil {
				target = q.Model
			}
		}
	default:
		return nil
	}
	if target == nil {
		return nil
	}
	var val pyast.Node
	for k, v := range c.EachKeyword() {
		if k == "id" || k == "pk" || k == "id__exact" || k == "pk__exact" {
			val = pyast.Unparen(v)
		}
	}
	if val.Type() != "attribute" {
		return nil
	}
	obj := val.ChildByField("object")
	attr := val.ChildByField("attribute").Text()
	var field *project.Field
	var holder pyast.Node
	if attr == "id" || attr == "pk" {
		// r.fk.id
		if obj.Type() != "attribute" {
			return nil
		}
		holder = obj.ChildByField("object")
		fname := obj.ChildByField("attribute").Text()
		ref, ok := rows[holder.Text()]
		if !ok || holder.Type() != "identifier" {
			return nil
		}
		if f := ref.model.Field(fname); f != nil && (f.Kind == project.ForeignKey || f.Kind == project.OneToOne) {
			field = f
		}
	} else {
		holder = obj
		ref, ok := rows[holder.Text()]
		if !ok || holder.Type() != "identifier" {
			return nil
		}
		field = ref.model.FKColumn(attr)
	}
	if field == nil || field.To != target {
		return nil
	}
	ref := rows[holder.Text()]
	path := append(append([]string(nil), ref.path...), field.Name)
	return &relGet{Path: strings.Join(path, "__"), Call: n, Replace: holder.Text() + "." + field.Name, Field: field, Null: field.Null}
}

// maximal keeps the longest of paths sharing a prefix, in order of first
// appearance: merchant, merchant__category, card -> merchant__category, card.
func maximal(paths []string) []string {
	var out []string
	for _, p := range paths {
		placed := false
		for i, r := range out {
			switch {
			case r == p || strings.HasPrefix(r, p+"__"):
				placed = true
			case strings.HasPrefix(p, r+"__"):
				out[i] = p
				placed = true
			}
			if placed {
				break
			}
		}
		if !placed {
			out = append(out, p)
		}
	}
	return out
}

// family returns the maximal path of needed that extends path (or is it).
func family(needed []string, path string) string {
	for _, n := range needed {
		if n == path || strings.HasPrefix(n, path+"__") {
			return n
		}
	}
	return ""
}

// selectFix builds the edit adding `.select_related(...)` (or another
// method) to the loop's queryset, and the call as Help shows it.
func selectFix(q *QS, method string, paths []string) (call string, edits []analyzer.TextEdit) {
	add := "." + method + "(" + quote(paths) + ")"
	if q.Origin.IsNil() {
		// No single origin: every branch or caller that makes the rows.
		var places []string
		for _, src := range q.Sources {
			at := insertionPoint(src.Origin)
			if src.Origin.IsNil() || src.Opaque && src.Origin.Type() != "call" || src.Conditional {
				return add, nil
			}
			edits = append(edits, originEdit(src, at, add))
			if txt := chainText(at); txt != "" {
				places = append(places, txt+add)
			}
		}
		if len(places) > 0 && len(places) == len(edits) {
			return strings.Join(places, "` and `"), edits
		}
		return add, edits
	}
	at := insertionPoint(q.Origin)
	if txt := chainText(at); txt != "" {
		call = txt + add
	} else if txt := abbreviatedChain(at); txt != "" {
		call = txt + add // a long chain, by its head and last call
	} else {
		call = add
	}
	if q.Opaque && q.Origin.Type() != "call" {
		return call, nil
	}
	return call, []analyzer.TextEdit{originEdit(q, at, add)}
}

// originEdit inserts text after a queryset's origin, in the origin's file.
func originEdit(q *QS, at pyast.Node, text string) analyzer.TextEdit {
	e := analyzer.TextEdit{Range: analyzer.Range{Start: at.EndByte(), End: at.EndByte()}, NewText: text}
	if q.OriginFile != nil {
		e.Path = q.OriginFile.Unit.File.Rel
	}
	return e
}

// loopName describes a loop's iterable for messages.
func loopName(l *Loop) string {
	s := l.Iter.Text()
	if strings.Contains(s, "\n") || len(s) > 60 {
		return "its iterable"
	}
	return "`" + s + "`"
}

// fieldRelated points at the model field behind a finding.
func fieldRelated(f *project.Field) []analyzer.Related {
	if f == nil || f.Model == nil || f.Path == "" {
		return nil
	}
	target := "`" + f.External + "`"
	if f.To != nil {
		target = "`" + f.To.Name + "`"
	}
	if f.Kind == project.GenericFK {
		return []analyzer.Related{{Path: f.Path, Range: analyzer.Range{Start: f.Start, End: f.End},
			Message: "`" + f.Model.Name + "." + f.Name + "` is a GenericForeignKey"}}
	}
	return []analyzer.Related{{Path: f.Path, Range: analyzer.Range{Start: f.Start, End: f.End},
		Message: "`" + f.Model.Name + "." + f.Name + "` is a " + string(f.Kind) + " to " + target}}
}

// deepAccesses adds what the functions the loop body calls do with the
// row, per row: helpers it is passed to, its model's methods and
// properties (`check.to_dict()`, `child.save()`, `build_node(document)`),
// in this module or another.
func (t *Tracker) deepAccesses(l *Loop, lf *loopFacts) {
	accs := t.sm.UseAccesses(t.File, t.LoopUses(l), l.QS.Model)
	underManager := func(path string) bool {
		for _, o := range accs {
			if o.Kind != semantic.Forward && o.Kind != semantic.Generic && strings.HasPrefix(path, o.Path+"__") {
				return true
			}
		}
		return false
	}
	for _, acc := range accs {
		if len(acc.Via) == 0 || acc.Via[0].File != t.File {
			continue // read in the body itself: found above
		}
		if underManager(acc.Path) {
			continue // below a related manager: its prefetch, not a select_related
		}
		if acc.DeadOnFirstCall() {
			continue // under `if user:` in the callee, and this call passes no user
		}
		if annotatedFirst(l.QS, &acc) {
			continue // the fallback of an annotation the loop's rows carry
		}
		acc := acc
		entry := acc.Via[0].Call
		if c := entry.Parent(); c.Type() == "call" && c.ChildByField("function").Equal(entry) {
			entry = c // a method call: point at the whole call
		}
		if end, ok := lf.stored[strings.Split(acc.Path, "__")[0]]; ok && entry.StartByte() >= end && (acc.Kind == semantic.Forward || acc.Kind == semantic.Generic) {
			// `item.product = products[item.product_id]` then
			// `item.update()`: the call reads the object assigned.
			continue
		}
		switch acc.Kind {
		case semantic.Forward:
			lf.Accesses = append(lf.Accesses, &access{Path: acc.Path, Expr: entry, Field: acc.Field, Deep: &acc})
		case semantic.Generic:
			lf.Generic = append(lf.Generic, &access{Path: acc.Path, Expr: entry, Field: acc.Field, Deep: &acc})
		case semantic.Manager, semantic.Count, semantic.Exists, semantic.Query:
			hops := strings.Split(acc.Path, "__")
			lf.Managers = append(lf.Managers, &managerUse{Path: acc.Path, Expr: entry, Call: entry, Method: managerMethod(acc),
				Target: acc.Target, Rel: hops[len(hops)-1], Attr: project.Attr{Field: acc.Field, Relation: acc.Relation, Target: acc.Target}, Deep: &acc})
		}
	}
}

// managerMethod is the method that decides a manager use's remedy.
func managerMethod(acc semantic.Access) string {
	switch acc.Kind {
	case semantic.Count:
		return "count"
	case semantic.Exists:
		return "exists"
	case semantic.Manager:
		return "all"
	}
	for _, m := range acc.Methods {
		if m != "all" && m != "__iter__" && m != "iterator" {
			return m
		}
	}
	return "filter"
}

// deepMessage describes where a deep access happens: "in `to_dict`
// (`Order.to_dict`)", and the related locations of the call chain.
func deepRelated(d *semantic.Access) (where string, rel []analyzer.Related) {
	last := d.Via[len(d.Via)-1].Func
	where = "in `" + funcLabel(last) + "`"
	for i, st := range d.Via {
		if i == 0 {
			continue // the finding's own location
		}
		rel = append(rel, analyzer.Related{Path: st.File.Unit.File.Rel, Range: analyzer.RangeOf(st.Call), Message: "which calls `" + funcLabel(st.Func) + "`"})
	}
	rel = append(rel, analyzer.Related{Path: d.File.Unit.File.Rel, Range: analyzer.RangeOf(d.Node), Message: "the query per row, " + where})
	return where, rel
}

// funcLabel names a function for messages: `Class.method` or `name`.
func funcLabel(fn *semantic.Func) string {
	if fn.Class != nil {
		return fn.Class.Name + "." + fn.Name
	}
	return fn.Name
}
