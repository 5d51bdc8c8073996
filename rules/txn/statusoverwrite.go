package txn

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/analyzer/semantic/effects"
)

//go:embed statusoverwrite.md
var statusOverwriteDoc string

// StatusOverwrite reports a status set by key alone on a model whose other
// transitions are guarded by the current status.
var StatusOverwrite = &analyzer.Rule{
	Code:       "TXN009",
	Name:       "status-overwrite",
	Doc:        statusOverwriteDoc,
	Category:   analyzer.DataIntegrity,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.3.0",
	Stack:      project.Django,
	Skip:       semantic.ProductCode,
	Requires:   []project.Analysis{semantic.Project, statusUpdates},
	Run:        runStatusOverwrite,
}

// statusFields are the field names that hold a row's state.
var statusFields = map[string]bool{"status": true, "state": true}

// statusUpdate is one `Model.objects.filter(...).update(status=...)`.
type statusUpdate struct {
	model   *project.Model
	field   string
	guarded bool // the filter tests the field's current value
	byKey   bool // the filter names one row by key and nothing else
	unit    *project.Unit
	call    pyast.Node
	fn      string
	// instance: `row = M.objects.get(pk=...)`, `row.status = ...`,
	// `row.save()` rather than a queryset update; row is its name.
	instance bool
	row      string
	// fetch is the instance's `row = ....get(...)`.
	fetch pyast.Node
}

// statusUpdates collects, over the project, the queryset updates of a
// status field through filter()/exclude() chains.
var statusUpdates = &project.ProjectAnalysis[[]statusUpdate]{Name: "txn.statusUpdates", Run: func(ix *project.Index) []statusUpdate {
	var out []statusUpdate
	for _, f := range semantic.Of(ix).Files() {
		// A data migration's remap of legacy states (`filter(status=
		// "uploaded").update(status="processing")`) and a test's set-up
		// run once, against no concurrent transition: neither is a
		// guarded transition of the running code.
		if semantic.RolesOf(f.Unit).Any(semantic.Test | semantic.Migration) {
			continue
		}
		out = append(out, instanceStatusWrites(f)...)
		if !strings.Contains(f.Unit.Tree.Root().Text(), ".update(") {
			continue
		}
		for call := range pyast.FindEach(f.Unit.Tree.Root(), "call") {
			c, ok := pyast.AsCall(call)
			if !ok || c.Func.Type() != "attribute" || c.MethodName() != "update" {
				continue
			}
			field := ""
			for k := range c.EachKeyword() {
				if statusFields[k] {
					field = k
				}
			}
			if field == "" {
				continue
			}
			qs := f.Eval(c.Receiver())
			if qs == nil || qs.Model == nil || qs.Model.Field(field) == nil {
				continue
			}
			guarded, byKey, ok := filterShape(c.Receiver(), field)
			if !ok {
				continue
			}
			name := ""
			if fn := f.EnclosingFunc(call); fn != nil {
				name = fn.Name
			}
			out = append(out, statusUpdate{model: qs.Model, field: field, guarded: guarded, byKey: byKey, unit: f.Unit, call: call, fn: name})
		}
	}
	return out
}}

// instanceStatusWrites collects, in one file, the status transitions
// written on an instance: `row = M.objects[.select_for_update()].get(...)`
// in a function that then assigns `row.status = ...` and calls
// `row.save(...)`. The get's lookups (and those of the chain under it)
// give byKey; the transition is guarded when a lookup tests the field or a
// condition before the assignment reads it (`if row.status != ...`,
// `row.status in (...)`, `if not row.can_...`/`row.is_...`). A row from a
// parameter, an attribute or anything but a get on a manager is not read.
func instanceStatusWrites(f *semantic.File) []statusUpdate {
	text := f.Unit.Tree.Root().Text()
	if !strings.Contains(text, ".save(") || !strings.Contains(text, ".get(") {
		return nil
	}
	var out []statusUpdate
	for a := range pyast.FindEach(f.Unit.Tree.Root(), "assignment") {
		left := a.ChildByField("left")
		if left.Type() != "attribute" || !statusFields[left.ChildByField("attribute").Text()] {
			continue
		}
		obj := left.ChildByField("object")
		if obj.Type() != "identifier" {
			continue
		}
		row, field := obj.Text(), left.ChildByField("attribute").Text()
		fn := f.EnclosingFunc(a)
		if fn == nil {
			continue
		}
		fetch, model, guarded, byKey := keyFetch(f, fn.Node, row, field, a.StartByte())
		if fetch.IsNil() || !semantic.SavedAfter(fn.Node, row, a.EndByte()) {
			continue
		}
		if !guarded {
			guarded = conditionReads(fn.Node, row, field, fetch.EndByte(), a.StartByte())
		}
		out = append(out, statusUpdate{model: model, field: field, guarded: guarded, byKey: byKey, unit: f.Unit, call: a, fn: fn.Name, instance: true, row: row, fetch: fetch})
	}
	return out
}

// keyFetch finds the last `row = <chain>.get(...)` of def before pos whose
// chain starts at a manager of a model with the field, and reads its
// lookups as filterShape does.
func keyFetch(f *semantic.File, def pyast.Node, row, field string, pos int) (fetch pyast.Node, model *project.Model, guarded, byKey bool) {
	fetch = pyast.Node{}
	for a := range pyast.FindEach(def, "assignment") {
		if a.StartByte() >= pos {
			break
		}
		if a.ChildByField("left").Text() != row {
			continue
		}
		fetch = pyast.Node{} // rebound: only the last binding counts
		c, ok := pyast.AsCall(pyast.Unparen(a.ChildByField("right")))
		if !ok || c.Func.Type() != "attribute" || c.MethodName() != "get" || len(c.Positional) > 0 || c.StarKwargs || len(c.Keywords) == 0 {
			continue
		}
		qs := f.Eval(c.Receiver())
		if qs == nil || qs.Model == nil || qs.Model.Field(field) == nil {
			continue
		}
		g, k, ok := filterShape(c.Receiver(), field)
		if !ok {
			continue
		}
		keys, lookups := 0, 0
		for kw := range c.EachKeyword() {
			lookups++
			if kw == field || strings.HasPrefix(kw, field+"__") {
				g = true
			} else if keyLookup(kw) {
				keys++
			}
		}
		// filterShape's byKey is false for a bare manager or a lock (no
		// lookups): the get's own lookups decide then.
		chainKeys := k || chainOnlyLocks(c.Receiver())
		fetch, model, guarded, byKey = a, qs.Model, g, keys == lookups && chainKeys
	}
	return fetch, model, guarded, byKey
}

// chainOnlyLocks reports a chain of select_for_update()/all() on a manager
// with no filter: the get's lookups are the only ones.
func chainOnlyLocks(recv pyast.Node) bool {
	n := pyast.Unparen(recv)
	for {
		c, ok := pyast.AsCall(n)
		if !ok || c.Func.Type() != "attribute" {
			break
		}
		if m := c.MethodName(); m != "select_for_update" && m != "all" {
			return false
		}
		n = pyast.Unparen(c.Receiver())
	}
	return strings.HasSuffix(pyast.Dotted(n), ".objects")
}

// conditionReads reports a comparison, or the condition of an if, elif,
// while, assert or conditional expression, between from and to that reads
// row.field or asks row a question (`row.is_...`, `row.can_...`).
func conditionReads(def pyast.Node, row, field string, from, to int) bool {
	reads := func(t string) bool {
		return strings.Contains(t, row+"."+field) || strings.Contains(t, row+".is_") || strings.Contains(t, row+".can_")
	}
	for n := range pyast.FindEach(def, "comparison_operator", "if_statement", "elif_clause", "while_statement", "assert_statement", "conditional_expression", "match_statement") {
		if n.StartByte() < from || n.StartByte() >= to {
			continue
		}
		cond := n
		if c := n.ChildByField("condition"); !c.IsNil() {
			cond = c
		} else if c := n.ChildByField("subject"); !c.IsNil() {
			cond = c
		}
		if reads(cond.Text()) {
			return true
		}
	}
	return false
}

// keyLookups name one row: the primary key, an id, a uuid.
func keyLookup(k string) bool {
	k = strings.TrimSuffix(strings.TrimSuffix(k, "__exact"), "__in")
	return k == "pk" || k == "id" || k == "uuid" || strings.HasSuffix(k, "_id") && !strings.Contains(k, "__")
}

// filterShape reads the filter()/exclude() chain under an update: guarded
// when a lookup tests the status field, byKey when every lookup names a
// row by key. ok is false when the chain holds anything else it cannot
// read (Q objects, positional arguments, other methods, **kwargs).
func filterShape(recv pyast.Node, field string) (guarded, byKey, ok bool) {
	n := pyast.Unparen(recv)
	lookups := 0
	keys := 0
	for {
		c, isCall := pyast.AsCall(n)
		if !isCall || c.Func.Type() != "attribute" {
			break
		}
		switch c.MethodName() {
		case "filter", "exclude":
			if len(c.Positional) > 0 || c.StarKwargs {
				return false, false, false
			}
			for k := range c.EachKeyword() {
				lookups++
				if k == field || strings.HasPrefix(k, field+"__") {
					guarded = true
				} else if keyLookup(k) {
					keys++
				}
			}
		case "select_for_update", "all":
		default:
			return false, false, false
		}
		n = pyast.Unparen(c.Receiver())
	}
	// The chain must start at a manager (Model.objects): anything else
	// (a related manager, a variable) may already be narrowed.
	if d := pyast.Dotted(n); !strings.HasSuffix(d, ".objects") {
		return false, false, false
	}
	return guarded, lookups > 0 && keys == lookups, true
}

// runStatusOverwrite reports, in this file, updates that set a model's
// status by key alone when some other update of the same model and field
// in the project is guarded by the current status: the author knows the
// transition races (a conditional update), and this one overwrites
// whatever state a concurrent transition left, a cancellation included.
func runStatusOverwrite(p *analyzer.Pass) error {
	all := statusUpdates.Get(p.Project)
	guards := map[string][]statusUpdate{}
	for _, u := range all {
		if u.guarded {
			k := u.model.Qual + "." + u.field
			guards[k] = append(guards[k], u)
		}
	}
	var hits []statusUpdate
	for _, u := range all {
		if u.unit != p.Unit || u.guarded || !u.byKey {
			continue
		}
		if len(guards[u.model.Qual+"."+u.field]) == 0 {
			if u.instance {
				reportTaskTransition(p, u)
			}
			continue
		}
		hits = append(hits, u)
	}
	sort.Slice(hits, func(i, j int) bool { return hits[i].call.StartByte() < hits[j].call.StartByte() })
	for _, u := range hits {
		g := guards[u.model.Qual+"."+u.field][0]
		where := "`" + g.fn + "`"
		if g.fn == "" {
			where = "another update"
		}
		d := analyzer.Diagnostic{
			Range: analyzer.RangeOf(u.call),
			Message: fmt.Sprintf("`%s` sets `%s.%s` by key alone, while %s changes it only from an expected state: a transition that ran in between (a cancellation) is overwritten",
				orTop(u.fn), u.model.Name, u.field, where),
			Help: fmt.Sprintf("add the states it may leave to the filter (`.filter(pk=..., %s__in=[...]).update(...)`) and act on the count it returns, as %s does", u.field, where),
		}
		if u.instance {
			d.Message = fmt.Sprintf("`%s` sets `%s.%s` on a row it loads by key without checking the row's current `%s`, while %s changes it only from an expected state: a transition that ran in between (a cancellation) is overwritten",
				orTop(u.fn), u.model.Name, u.field, u.field, where)
			d.Help = fmt.Sprintf("check the state it may leave before the write, under the row lock (`if %s.%s not in (...): return`), or write a conditional update and act on its count", u.row, u.field)
		}
		if g.unit == p.Unit {
			d.Related = append(d.Related, analyzer.Related{Range: analyzer.RangeOf(g.call), Message: "the guarded transition"})
		}
		p.Report(d)
	}
	return nil
}

// reportTaskTransition reports an unguarded instance transition in a
// Celery task, on a row the task loads by a key it was given: Celery
// delivers a task at least once (a retry, a worker lost before the ack, a
// message queued twice), and the row may have moved on between the
// enqueue and the run (cancelled, failed, already done), so a write that
// does not look at the current state overwrites it or does the work again.
func reportTaskTransition(p *analyzer.Pass, u statusUpdate) {
	// Recording a failure (`row.status = Status.FAILED` after an error)
	// is what the task should do whatever the state: only a write of a
	// state that means progress is judged.
	if v := failureState(u.call.ChildByField("right")); v {
		return
	}
	def := pyast.EnclosingFunction(u.call)
	t, ok := effects.TaskOf(p.Imports, def)
	if !ok || u.fetch.IsNil() {
		return
	}
	params := map[string]bool{}
	for i, name := range pyast.ParamNames(def) {
		if name != t.Bound && (i > 0 || name != "self") {
			params[name] = true
		}
	}
	c, ok := pyast.AsCall(pyast.Unparen(u.fetch.ChildByField("right")))
	if !ok {
		return
	}
	for _, v := range c.EachKeyword() {
		if v = pyast.Unparen(v); v.Type() != "identifier" || !params[v.Text()] {
			return
		}
	}
	// Redoing the work matters when it moves money (a payout, a
	// transfer, a charge): an indexing or extraction job run twice only
	// repeats itself.
	f := semantic.Of(p.Project).File(p.Unit)
	fn := f.EnclosingFunc(u.call)
	if fn == nil || !(semantic.Does{Effects: f.M.FuncEffects(fn)}).MovesMoney() {
		return
	}
	// A write made only when the row is in some condition (`if
	// project.request_count == ...`) is derived from its state.
	for up := u.call.Parent(); !up.Equal(def); up = up.Parent() {
		switch up.Type() {
		case "if_statement", "elif_clause", "while_statement":
			if cond := up.ChildByField("condition"); !cond.IsNil() && mentionsName(cond, u.row) {
				return
			}
		}
	}
	p.Report(analyzer.Diagnostic{
		Range: analyzer.RangeOf(u.call),
		Message: fmt.Sprintf("task `%s` sets `%s.%s` on the row it loads by the key it was given, without checking the row's current `%s`: a redelivered or retried task, or a row cancelled or failed since the task was queued, is overwritten and processed again",
			u.fn, u.model.Name, u.field, u.field),
		Help: fmt.Sprintf("lock the row and return early unless it is in the state the task expects (`if %s.%s != ...: return`), or write a conditional update (`.filter(pk=..., %s=...).update(...)`) and act on its count",
			u.row, u.field, u.field),
		Related:    []analyzer.Related{{Range: analyzer.RangeOf(u.fetch), Message: "loaded here by key alone"}},
		Confidence: analyzer.Medium,
	})
}

// failureState reports a value naming a failed state: a string or the
// last name of a dotted constant that contains "fail" or "error"
// (`"failed"`, `Status.FAILED`, `JobStatus.ERROR`).
func failureState(v pyast.Node) bool {
	v = pyast.Unparen(v)
	name := ""
	switch v.Type() {
	case "string":
		name, _ = pyast.StringValue(v)
	case "attribute", "identifier":
		d := pyast.Dotted(v)
		name = d[strings.LastIndex(d, ".")+1:]
	}
	name = strings.ToLower(name)
	return strings.Contains(name, "fail") || strings.Contains(name, "error")
}

// mentionsName reports an identifier name in n.
func mentionsName(n pyast.Node, name string) bool {
	if n.Type() == "identifier" {
		return n.Text() == name
	}
	for id := range pyast.FindEach(n, "identifier") {
		if id.Text() == name {
			return true
		}
	}
	return false
}

func orTop(fn string) string {
	if fn == "" {
		return "module code"
	}
	return fn
}
