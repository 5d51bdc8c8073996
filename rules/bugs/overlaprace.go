package bugs

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed overlaprace.md
var overlapRaceDoc string

// OverlapCheckRace reports an availability check (a query for rows whose
// date or time range overlaps the requested one, tested for existence or
// counted) followed by the insert of a row of that model, with no lock and
// no exclusion constraint: two concurrent requests for the same slot both
// find it free and both insert.
var OverlapCheckRace = &analyzer.Rule{
	Code:              "BUG041",
	Name:              "overlap-check-race",
	Doc:               overlapRaceDoc,
	Category:          analyzer.Correctness,
	Severity:          analyzer.Warning,
	Confidence:        analyzer.Medium,
	Since:             "0.15.0",
	Stack:             project.Django,
	SkipOnSyntaxError: true,
	Skip:              semantic.ProductCode,
	Requires:          requires,
	Run:               runOverlapCheckRace,
}

// overlapCheck is an availability check a function makes: at is the node
// in the function (the query itself, or the call of the project function
// that makes it), model the model whose ranges are compared, fields the
// compared columns as written.
type overlapCheck struct {
	at     pyast.Node
	model  *project.Model
	fields string
	// via is the function that runs the query when it is not the one
	// checked (for locks taken there).
	via []*semantic.Func
}

// maxOverlapDepth bounds how many project calls deep a check is followed.
const maxOverlapDepth = 3

func runOverlapCheckRace(p *analyzer.Pass) error {
	f := semantic.Of(p.Project).File(p.Unit)
	if f == nil || strings.Contains(p.Unit.Rel(), "/management/commands/") {
		return nil
	}
	// The checks a function makes are the same from every caller at the
	// same depth: each is looked for once a run.
	memo := overlapMemos.Get(p.Project)
	for _, fn := range f.Funcs {
		checks, _ := overlapChecks(f, fn, 0, map[*semantic.Func]bool{}, memo)
		if len(checks) == 0 || locksIn(fn) {
			continue
		}
		for _, ck := range checks {
			if lockedOnTheWay(ck) || excludedByConstraint(f.M, ck.model) {
				continue
			}
			if insert, what := overlapInsertAfter(p, f, fn, ck); !insert.IsNil() {
				p.Report(analyzer.Diagnostic{
					Range: analyzer.RangeOf(ck.at),
					Message: fmt.Sprintf("the availability check on `%s` (%s) and the insert `%s` (line %d) are two statements with no lock: two concurrent requests for the same slot both find it free and both insert, and the slot is booked twice",
						ck.model.Name, ck.fields, what, p.File.Position(insert.StartByte()).Line),
					Help:    "lock the row the bookings belong to (`select_for_update()` on the room, doctor or resource, inside `transaction.atomic()`) before checking, or let the database refuse overlaps (a PostgreSQL `ExclusionConstraint`) and answer its `IntegrityError`",
					Related: []analyzer.Related{{Range: analyzer.RangeOf(insert), Message: "the insert a concurrent request also reaches"}},
				})
				break
			}
			if validates(f, fn, ck.model) {
				p.Report(analyzer.Diagnostic{
					Range: analyzer.RangeOf(ck.at),
					Message: fmt.Sprintf("the availability check on `%s` (%s) runs in `%s()`, and the serializer saves the row after validation with no lock: two concurrent requests for the same slot both pass it and both insert, and the slot is booked twice",
						ck.model.Name, ck.fields, fn.Name),
					Help: "lock the row the bookings belong to (`select_for_update()` inside `transaction.atomic()`) and check again in `create()`, or let the database refuse overlaps (a PostgreSQL `ExclusionConstraint`) and answer its `IntegrityError`",
				})
				break
			}
		}
	}
	return nil
}

// overlapChecks returns the availability checks fn makes, in source order:
// an overlap query whose result fn tests (exists, count, len, truth), a
// call of a project function that makes one, or a call of a project
// function returning an overlap query whose result fn tests. cut reports
// that a call was not followed because it closes a cycle (seen): such a
// result depends on the path, and memo keeps only the others.
func overlapChecks(f *semantic.File, fn *semantic.Func, depth int, seen map[*semantic.Func]bool, memo *overlapMemo) (out []overlapCheck, cut bool) {
	if seen[fn] {
		return nil, true
	}
	if depth > maxOverlapDepth {
		return nil, false
	}
	key := overlapKey{fn, depth}
	if checks, ok := memo.get(key); ok {
		return checks, false
	}
	seen[fn] = true
	defer delete(seen, fn)
	out = append(out, loopOverlaps(f, fn)...)
	for call := range pyast.FindEach(pyast.Body(fn.Node), "call") {
		if !pyast.EnclosingFunction(call).Equal(fn.Node) {
			continue
		}
		if md, fields := overlapQuery(f, call); md != nil {
			if tested(f, fn, call) {
				out = append(out, overlapCheck{at: call, model: md, fields: fields})
			}
			continue
		}
		g, _ := f.Callee(call)
		if g == nil || g == fn {
			continue
		}
		sub, subCut := overlapChecks(g.File, g, depth+1, seen, memo)
		cut = cut || subCut
		if len(sub) > 0 {
			out = append(out, overlapCheck{at: call, model: sub[0].model, fields: sub[0].fields, via: append([]*semantic.Func{g}, sub[0].via...)})
			continue
		}
		if md, fields := returnedOverlap(g); md != nil && tested(f, fn, call) {
			out = append(out, overlapCheck{at: call, model: md, fields: fields, via: []*semantic.Func{g}})
		}
	}
	if !cut {
		memo.put(key, out)
	}
	return out, cut
}

// overlapMemo keeps overlapChecks' results that do not depend on the path
// (no cycle cut them), for the run.
type overlapMemo struct {
	mu sync.Mutex
	m  map[overlapKey][]overlapCheck
}

var overlapMemos = &project.ProjectAnalysis[*overlapMemo]{Name: "bugs.overlapMemo", Run: func(*project.Index) *overlapMemo {
	return &overlapMemo{m: map[overlapKey][]overlapCheck{}}
}}

func (o *overlapMemo) get(k overlapKey) ([]overlapCheck, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	v, ok := o.m[k]
	return v, ok
}

func (o *overlapMemo) put(k overlapKey, v []overlapCheck) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.m[k] = v
}

// overlapKey is a function looked at depth calls from the one judged.
type overlapKey struct {
	fn    *semantic.Func
	depth int
}

// rangeLookup reports whether a lookup compares with a bound or a range
// (`start__lt`, `slot__end__gte`, `day__range`).
func rangeLookup(name string) bool {
	i := strings.LastIndex(name, "__")
	if i < 0 {
		return false
	}
	switch name[i+2:] {
	case "lt", "lte", "gt", "gte", "range":
		return true
	}
	return false
}

// returnedOverlap reads a function that returns an overlap query
// (`return Booking.objects.filter(start__lt=end, end__gt=start)`, or a
// local bound to one).
func returnedOverlap(g *semantic.Func) (*project.Model, string) {
	for ret := range pyast.FindEach(pyast.Body(g.Node), "return_statement") {
		if !pyast.EnclosingFunction(ret).Equal(g.Node) || ret.NamedChildCount() == 0 {
			continue
		}
		v := pyast.Unparen(ret.NamedChild(0))
		if v.Type() == "identifier" {
			v = pyast.Unparen(g.File.Binding(v, v.Text(), v.StartByte()))
		}
		if q := outermostFilter(v); !q.IsNil() {
			if md, fields := overlapQuery(g.File, q); md != nil {
				return md, fields
			}
		}
	}
	return nil, ""
}

// outermostFilter returns the filter() call of a queryset chain v
// (`M.objects.filter(...).order_by(...)`), or nil.
func outermostFilter(v pyast.Node) pyast.Node {
	for !v.IsNil() && v.Type() == "call" {
		c, _ := pyast.AsCall(v)
		if c.Func.Type() != "attribute" {
			return pyast.Node{}
		}
		m := c.MethodName()
		if m == "filter" {
			return v
		}
		if !semantic.ChainMethods[m] {
			return pyast.Node{}
		}
		v = c.Receiver()
	}
	return pyast.Node{}
}

// overlapQuery reads a filter() call comparing a date or time range of
// one model with the bounds of another: a `__range` lookup, or a lower
// and an upper bound (`start__lt=end, end__gt=start`), as keywords of the
// call or of the Q objects it is given. It returns the model whose columns
// are compared and those columns.
func overlapQuery(f *semantic.File, call pyast.Node) (*project.Model, string) {
	if h, ok := pyast.AsCallHead(call); !ok || h.Func.Type() != "attribute" || h.MethodName() != "filter" {
		return nil, ""
	}
	c, _ := pyast.AsCall(call)
	names := keywordNames(c)
	for _, a := range c.Positional {
		for inner := range pyast.FindEach(a, "call") {
			if ic, ok := pyast.AsCall(inner); ok && (pyast.Dotted(ic.Func) == "Q" || strings.HasSuffix(pyast.Dotted(ic.Func), ".Q")) {
				names = append(names, keywordNames(ic)...)
			}
		}
	}
	// The lookups first: most filters compare no range, and need no
	// evaluation of their receiver.
	if !slices.ContainsFunc(names, rangeLookup) {
		return nil, ""
	}
	q := f.Eval(c.Receiver())
	if q == nil || q.Model == nil {
		return nil, ""
	}
	type bounds struct {
		lower, upper, ranged bool
		cols                 []string
	}
	by := map[*project.Model]*bounds{}
	var order []*project.Model
	for _, name := range names {
		parts := strings.Split(name, "__")
		if len(parts) < 2 {
			continue
		}
		op := parts[len(parts)-1]
		if op != "lt" && op != "lte" && op != "gt" && op != "gte" && op != "range" {
			continue
		}
		md, col := temporalColumn(q.Model, parts[:len(parts)-1])
		if md == nil {
			continue
		}
		b := by[md]
		if b == nil {
			b = &bounds{}
			by[md] = b
			order = append(order, md)
		}
		switch op {
		case "lt", "lte":
			b.upper = true
		case "gt", "gte":
			b.lower = true
		default:
			b.ranged = true
		}
		if !containsString(b.cols, col) {
			b.cols = append(b.cols, col)
		}
	}
	for _, md := range order {
		if b := by[md]; b.ranged || b.lower && b.upper {
			return md, "`" + strings.Join(b.cols, "`, `") + "`"
		}
	}
	return nil, ""
}

func keywordNames(c pyast.Call) []string {
	var out []string
	for k := range c.EachKeyword() {
		out = append(out, k)
	}
	// Map order is random: sort for stable messages.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func containsString(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// temporalColumn follows a lookup path (relations forward and reverse)
// from md to a date, datetime or time column a request may set (not
// auto_now, auto_now_add or editable=False), with transforms after it
// (`start__date`); nil when the path reaches anything else or rubric
// cannot follow it.
func temporalColumn(md *project.Model, parts []string) (*project.Model, string) {
	cur := md
	for _, part := range parts {
		if cur == nil {
			return nil, ""
		}
		if fl := cur.Field(part); fl != nil {
			if fl.IsRelation() {
				cur = fl.To
				continue
			}
			if temporalField(fl) && !fl.NotEditable {
				return cur, fl.Name
			}
			// A column Django stamps itself (auto_now, auto_now_add) or
			// no form edits (editable=False) holds when a row was
			// written, not a slot a request asks for.
			return nil, ""
		}
		var next *project.Model
		for _, r := range cur.Reverse {
			if r.QueryName == part {
				next = r.From
				break
			}
		}
		cur = next
	}
	return nil, ""
}

func temporalField(fl *project.Field) bool {
	for _, k := range []string{"DateTimeField", "DateField", "TimeField"} {
		if strings.HasSuffix(fl.Class, k) {
			return true
		}
	}
	return false
}

// tested reports whether the queryset expression q (a filter() call or a
// call returning a queryset) is tested in fn for rows: exists(), count(),
// first(), len(), bool(), its truth in a condition, directly or through a
// local name bound to it (or to a chain on it).
func tested(f *semantic.File, fn *semantic.Func, q pyast.Node) bool {
	outer := chainTop(q)
	if testedAt(outer) {
		return true
	}
	p := outer.Parent()
	if p.Type() != "assignment" || !p.ChildByField("right").Equal(outer) {
		return false
	}
	left := p.ChildByField("left")
	if left.Type() != "identifier" {
		return false
	}
	for id := range pyast.FindEach(pyast.Body(fn.Node), "identifier") {
		if id.StartByte() <= p.EndByte() || id.Text() != left.Text() {
			continue
		}
		if testedAt(chainTop(id)) {
			return true
		}
	}
	return false
}

// chainTop climbs from a queryset expression through the chain methods
// called on it (`.filter(...)`, `.exclude(...)`).
func chainTop(n pyast.Node) pyast.Node {
	for {
		a := n.Parent()
		if a.Type() != "attribute" || !a.ChildByField("object").Equal(n) {
			return n
		}
		call := a.Parent()
		if call.Type() != "call" || !semantic.ChainMethods[a.ChildByField("attribute").Text()] {
			return n
		}
		n = call
	}
}

// testedAt reports whether the value of n is tested for rows where it
// stands.
func testedAt(n pyast.Node) bool {
	p := n.Parent()
	switch p.Type() {
	case "attribute":
		if p.ChildByField("object").Equal(n) {
			switch p.ChildByField("attribute").Text() {
			case "exists", "count", "first", "last":
				return p.Parent().Type() == "call"
			}
		}
	case "argument_list":
		if call := p.Parent(); call.Type() == "call" {
			switch pyast.Dotted(call.ChildByField("function")) {
			case "len", "bool", "any":
				return true
			}
		}
	case "not_operator", "boolean_operator":
		return true
	case "if_statement", "elif_clause", "while_statement", "conditional_expression":
		return p.ChildByField("condition").Equal(n)
	}
	return false
}

// locksIn reports whether fn takes a lock: a select_for_update() call, or
// a `with` whose context names a lock.
func locksIn(fn *semantic.Func) bool {
	body := pyast.Body(fn.Node)
	for call := range pyast.FindEach(body, "call") {
		if string(pyast.CalleeName(call)) == "select_for_update" {
			return true
		}
	}
	for item := range pyast.FindEach(body, "with_item") {
		if strings.Contains(strings.ToLower(item.Text()), "lock") {
			return true
		}
	}
	return false
}

// lockedOnTheWay reports a lock taken by a project function the check
// goes through.
func lockedOnTheWay(ck overlapCheck) bool {
	for _, g := range ck.via {
		if locksIn(g) {
			return true
		}
	}
	return false
}

// excludedByConstraint reports a model whose Meta declares an
// ExclusionConstraint: the database refuses overlapping rows.
func excludedByConstraint(m *semantic.Model, md *project.Model) bool {
	c := m.ClassOfModel(md)
	if c == nil {
		return true // rubric cannot read the model: stay silent
	}
	for call := range pyast.FindEach(c.Node, "call") {
		if strings.HasSuffix(pyast.Dotted(call.ChildByField("function")), "ExclusionConstraint") {
			return true
		}
	}
	return false
}

// overlapInsertAfter returns the first insert of a row of the checked model that
// fn makes after the check (directly or through the project functions it
// calls), and how it is written: `M.objects.create`, `M(...).save()`, a
// serializer's save() or perform_create() of a serializer of the model.
// Inserts in a try whose except names IntegrityError are left alone (the
// function expects the database to refuse).
func overlapInsertAfter(p *analyzer.Pass, f *semantic.File, fn *semantic.Func, ck overlapCheck) (pyast.Node, string) {
	after := ck.at.EndByte()
	for _, e := range f.M.FuncEffects(fn) {
		if e.Kind != semantic.WriteRows || e.Entry.StartByte() < after || writtenModel(p, e) != ck.model {
			continue
		}
		if !isInsert(e) || integrityCaught(e.Entry, fn.Node) {
			continue
		}
		return e.Entry, pyast.Dotted(e.Entry.ChildByField("function")) + "(...)"
	}
	// DRF's own perform_create(serializer): the serializer's save().
	cls := fn.Class
	if cls == nil {
		return pyast.Node{}, ""
	}
	for call := range pyast.FindEach(pyast.Body(fn.Node), "call") {
		if call.StartByte() < after || pyast.Dotted(call.ChildByField("function")) != "self.perform_create" {
			continue
		}
		if g, _ := f.Callee(call); g != nil {
			continue // overridden: its effects were read above
		}
		sc := f.M.SerializerClass(cls)
		if sc != nil && f.M.SerializerModel(sc) == ck.model && !integrityCaught(call, fn.Node) {
			return call, "self.perform_create(...)"
		}
	}
	return pyast.Node{}, ""
}

// isInsert reports whether a write effect inserts rows: create() and
// bulk_create(), save() of a row built by the model class, save() of a
// serializer or form given data but no instance (or the one DRF hands to
// perform_create).
func isInsert(e semantic.Effect) bool {
	c, ok := pyast.AsCall(e.Call)
	if !ok || c.Func.Type() != "attribute" {
		return false
	}
	switch c.MethodName() {
	case "create", "bulk_create":
		return true
	case "save":
	default:
		return false
	}
	recv := pyast.Unparen(c.Receiver())
	if recv.Type() == "call" {
		return constructedBy(e.File, recv)
	}
	if recv.Type() != "identifier" {
		return false
	}
	b := pyast.Unparen(e.File.Binding(recv, recv.Text(), recv.StartByte()))
	if b.IsNil() && performCreateSerializer(e.File, recv) {
		return true // DRF built it from the request's data, with no instance
	}
	if b.Type() != "call" {
		return false
	}
	if constructedBy(e.File, b) {
		return true
	}
	name := strings.ToLower(recv.Text())
	if !strings.Contains(name, "serializer") && !strings.Contains(name, "form") {
		return false
	}
	bc, _ := pyast.AsCall(b)
	return len(bc.Positional) == 0 && bc.Keyword("instance").IsNil() && !bc.Keyword("data").IsNil()
}

// writtenModel is the model a write effect names, or, for a serializer's
// save() (`serializer.save()` in perform_create, `s = BookingSerializer(data=...)`),
// the serializer's Meta.model.
func writtenModel(p *analyzer.Pass, e semantic.Effect) *project.Model {
	if md := e.ModelIn(p.Project); md != nil {
		return md
	}
	if c, ok := pyast.AsCall(e.Call); ok && c.MethodName() == "save" && c.Func.Type() == "attribute" {
		return e.File.SerializerSaveModel(c.Receiver())
	}
	return nil
}

// performCreateSerializer reports the serializer parameter of a view's
// perform_create(self, serializer) hook: DRF's create() hands it a
// serializer built from the request's data, with no instance, so its
// save() inserts.
func performCreateSerializer(f *semantic.File, recv pyast.Node) bool {
	fn := f.EnclosingFunc(recv)
	return fn != nil && fn.Class != nil && fn.Name == "perform_create" && len(fn.Params) >= 2 && fn.Params[1] == recv.Text()
}

// constructedBy reports a call of a model class (`Booking(room=room)`).
func constructedBy(f *semantic.File, call pyast.Node) bool {
	c, ok := pyast.AsCall(call)
	return ok && f.M.Graph != nil && f.M.Graph.Lookup(f.Unit, pyast.Dotted(c.Func)) != nil
}

// integrityCaught reports n inside the body of a try (in def) with an
// except naming IntegrityError.
func integrityCaught(n, def pyast.Node) bool {
	for child, a := n, n.Parent(); !a.IsNil() && !a.Equal(def); child, a = a, a.Parent() {
		if a.Type() != "try_statement" || !a.ChildByField("body").Equal(child) {
			continue
		}
		for h := range a.Named() {
			if h.Type() == "except_clause" {
				if t := exceptType(h); !t.IsNil() && strings.Contains(t.Text(), "IntegrityError") {
					return true
				}
			}
		}
	}
	return false
}

// validates reports fn as a validate() or validate_<field>() method of a
// serializer of md whose create() takes no lock: DRF inserts the row after
// validation.
func validates(f *semantic.File, fn *semantic.Func, md *project.Model) bool {
	if fn.Class == nil || fn.Name != "validate" && !strings.HasPrefix(fn.Name, "validate_") {
		return false
	}
	if f.M.SerializerModel(fn.Class) != md {
		return false
	}
	if create := fn.Class.Method("create"); create != nil && locksIn(create) {
		return false
	}
	return true
}

// loopOverlaps returns the availability checks fn makes in Python: a
// `for` loop over a queryset whose body compares two different date or
// time columns of the loop's row (`booking.check_in > check_out`,
// `booking.check_out < check_in`) and raises, refusing the request when a
// row overlaps. at is the loop's first such comparison.
func loopOverlaps(f *semantic.File, fn *semantic.Func) []overlapCheck {
	var out []overlapCheck
	for loop := range pyast.FindEachShallow(pyast.Body(fn.Node), "for_statement") {
		left := loop.ChildByField("left")
		if left.Type() != "identifier" {
			continue
		}
		body := pyast.Body(loop)
		raised := false
		for range pyast.FindEachShallow(body, "raise_statement") {
			raised = true
			break
		}
		if !raised {
			continue
		}
		q := f.Eval(loop.ChildByField("right"))
		if q == nil || q.Model == nil {
			continue
		}
		var first pyast.Node
		var cols []string
		for cmp := range pyast.FindEachShallow(body, "comparison_operator") {
			for a := range pyast.FindEach(cmp, "attribute") {
				if pyast.Dotted(a.ChildByField("object")) != left.Text() {
					continue
				}
				col := a.ChildByField("attribute").Text()
				if fl := q.Model.Field(col); fl == nil || !temporalField(fl) || containsString(cols, col) {
					continue
				}
				cols = append(cols, col)
				if first.IsNil() {
					first = cmp
				}
			}
		}
		if len(cols) >= 2 {
			out = append(out, overlapCheck{at: first, model: q.Model, fields: "`" + strings.Join(cols, "`, `") + "`"})
		}
	}
	return out
}
