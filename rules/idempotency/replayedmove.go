package idempotency

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed replayedmove.md
var replayedMoveDoc string

// StatusFlipMovesMoneyAgain reports an endpoint that loads a row, sets its
// status and changes a balance without looking at any status first: a
// repeated request (a client retry, a double click) finds the row as the
// first left it and moves the money again.
var StatusFlipMovesMoneyAgain = &analyzer.Rule{
	Code:       "IDM007",
	Name:       "status-flip-moves-money-again",
	Doc:        replayedMoveDoc,
	Category:   analyzer.DataIntegrity,
	Severity:   analyzer.Error,
	Confidence: analyzer.Medium,
	Since:      "0.17.0",
	Skip:       semantic.ProductCode,
	Requires:   []project.Analysis{semantic.Project, semantic.Endpoints, statusConditions},
	Run:        runStatusFlipMovesMoneyAgain,
}

// statusField reports a field name that holds a row's state.
func statusField(name string) bool {
	return name == "status" || name == "state" || strings.HasSuffix(name, "_status") || strings.HasSuffix(name, "_state")
}

// statusConditions are, over the product code, the names of the status
// fields some code tests: a comparison or condition reading `x.<field>`,
// or a lookup `<field>=`/`<field>__in=` in a filter. A key-only get of a
// row whose field another transition tests is TXN009's (status-overwrite).
var statusConditions = &project.ProjectAnalysis[map[string]bool]{Name: "idempotency.statusConditions", Run: func(ix *project.Index) map[string]bool {
	out := map[string]bool{}
	for _, f := range semantic.Of(ix).Files() {
		if semantic.RolesOf(f.Unit).Any(semantic.ProductCode) {
			continue
		}
		root := f.Unit.Tree.Root()
		for n := range pyast.FindEach(root, "comparison_operator") {
			for a := range pyast.FindEach(n, "attribute") {
				if name := a.ChildByField("attribute").Text(); statusField(name) {
					out[name] = true
				}
			}
		}
		for kw := range pyast.FindEach(root, "keyword_argument") {
			name := kw.ChildByField("name").Text()
			name, _, _ = strings.Cut(name, "__")
			if statusField(name) && lookupCall(kw) {
				out[name] = true
			}
		}
	}
	return out
}}

// runStatusFlipMovesMoneyAgain matches routed, judged endpoints reached by
// an unsafe method whose handler, in its own body, (1) binds a name to a
// row fetched from a model's manager (`.get(...)`, `.filter(...).first()`
// or `.last()`, `get_object_or_404(Model, ...)`), (2) assigns one of the
// row's status fields and saves the row, and (3) changes a balance
// (`x.balance += ...`, `x.balance = x.balance - ...`, `int(x.balance) + ...`,
// `.update(balance=F(...) ...)`), while nothing before the status write or
// the balance change tests a status (a comparison or condition reading a
// status field, `is_...`/`can_...`) and no fetch of the function filters
// on one. A key-only get of a row whose status field other code tests is
// left to TXN009. One finding per handler, at the status write.
func runStatusFlipMovesMoneyAgain(p *analyzer.Pass) error {
	sm := semantic.Of(p.Project)
	inv := semantic.InventoryOf(p.Project)
	f := sm.File(p.Unit)
	if f == nil {
		return nil
	}
	seen := map[*semantic.Func]bool{}
	for _, e := range inv.InFile(f) {
		if e.Handler == nil || seen[e.Handler] || !e.Routed || !e.Judged(inv) || !unsafeMethod(e.Methods) {
			continue
		}
		seen[e.Handler] = true
		def := e.Handler.Node
		move := balanceChange(def)
		if move.IsNil() {
			continue
		}
		w, row, field, byGet := unguardedStatusWrite(p.Project, f, def)
		if w.IsNil() {
			continue
		}
		if statusTested(def, max(w.StartByte(), move.StartByte())) {
			continue
		}
		if byGet && statusConditions.Get(p.Project)[field] {
			continue // TXN009's
		}
		p.Report(analyzer.Diagnostic{
			Range: analyzer.RangeOf(w),
			Message: fmt.Sprintf("`%s.%s` is set without checking the row's current `%s`, in `%s` (%s%s) which also changes `%s` (line %d): a repeated request (a client retry, a double click) moves the money again",
				row, field, field, e.ViewName(), strings.Join(e.Methods, ", "), e.AtRoute(), balanceTarget(move), p.File.Position(move.StartByte()).Line),
			Help:    fmt.Sprintf("check `%s.%s` before moving money, on a row locked with `select_for_update()`, and answer a repeat without moving it again; or make the transition a conditional update (`filter(pk=..., %s=<expected>).update(%s=...)`) and move the money only when it changed a row", row, field, field, field),
			Related: []analyzer.Related{{Range: analyzer.RangeOf(move), Message: "the balance change a repeat applies again"}},
		})
	}
	return nil
}

// lookupCalls take field lookups as keywords.
var lookupCalls = map[string]bool{"filter": true, "exclude": true, "get": true, "get_object_or_404": true,
	"get_list_or_404": true, "exists": true, "Q": true}

// lookupCall reports a keyword argument of a call that filters rows
// (`filter(status=...)`), not one of a response or a create
// (`Response(..., status=400)`).
func lookupCall(kw pyast.Node) bool {
	c := kw.Parent().Parent()
	return c.Type() == "call" && lookupCalls[string(pyast.CalleeName(c))]
}

// unsafeMethod reports an endpoint some method that changes state reaches.
func unsafeMethod(ms []string) bool {
	for _, m := range ms {
		switch m {
		case "POST", "PUT", "PATCH", "DELETE", "ANY":
			return true
		}
	}
	return false
}

// balanceChange returns the first change of a balance in def: an
// augmented assignment to an attribute named for a balance, an assignment
// whose value reads the attribute it writes, or an update() with a
// balance keyword.
func balanceChange(def pyast.Node) pyast.Node {
	for n := range pyast.FindEach(def, "assignment", "augmented_assignment", "call") {
		switch n.Type() {
		case "call":
			c, ok := pyast.AsCall(n)
			if !ok || c.Func.Type() != "attribute" || c.MethodName() != "update" {
				continue
			}
			for k, v := range c.EachKeyword() {
				if strings.Contains(strings.ToLower(k), "balance") && strings.Contains(v.Text(), "F(") {
					return n
				}
			}
		default:
			left := n.ChildByField("left")
			if left.Type() != "attribute" || !strings.Contains(strings.ToLower(left.ChildByField("attribute").Text()), "balance") {
				continue
			}
			if n.Type() == "augmented_assignment" || strings.Contains(n.ChildByField("right").Text(), left.Text()) {
				return n
			}
		}
	}
	return pyast.Node{}
}

// balanceTarget names what a balance change writes.
func balanceTarget(n pyast.Node) string {
	if n.Type() == "call" {
		return pyast.OneLine(n, 60)
	}
	return n.ChildByField("left").Text()
}

// unguardedStatusWrite returns the first `row.<status> = ...` of def on a
// name bound in def to a row fetched from a model that has the field,
// saved after the write; byGet says the fetch is a `.get(...)` on a manager
// naming the row by key only (getByKey).
func unguardedStatusWrite(ix *project.Index, f *semantic.File, def pyast.Node) (w pyast.Node, row, field string, byGet bool) {
	for a := range pyast.FindEach(def, "assignment") {
		left := a.ChildByField("left")
		if left.Type() != "attribute" || left.ChildByField("object").Type() != "identifier" || !statusField(left.ChildByField("attribute").Text()) {
			continue
		}
		row, field = left.ChildByField("object").Text(), left.ChildByField("attribute").Text()
		fetch, get := rowFetch(ix, f, def, row, field, a.StartByte())
		if fetch.IsNil() || !semantic.SavedAfter(def, row, a.EndByte()) {
			continue
		}
		return a, row, field, get
	}
	return pyast.Node{}, "", "", false
}

// rowFetch finds the last binding of row in def before pos to a row
// fetched from a manager of a model with the field: `.get(...)`,
// `.filter(...).first()`/`.last()`, `get_object_or_404(Model, ...)`.
func rowFetch(ix *project.Index, f *semantic.File, def pyast.Node, row, field string, pos int) (fetch pyast.Node, byGet bool) {
	for a := range pyast.FindEach(def, "assignment") {
		if a.StartByte() >= pos {
			break
		}
		if a.ChildByField("left").Text() != row {
			continue
		}
		fetch, byGet = pyast.Node{}, false
		c, ok := pyast.AsCall(pyast.Unparen(a.ChildByField("right")))
		if !ok {
			continue
		}
		var model *project.Model
		switch {
		case c.Func.Type() == "attribute" && (c.MethodName() == "get" || c.MethodName() == "first" || c.MethodName() == "last"):
			if qs := f.Eval(c.Receiver()); qs != nil {
				model = qs.Model
			}
			byGet = c.MethodName() == "get" && getByKey(c)
		case lastName(pyast.Dotted(c.Func)) == "get_object_or_404" && len(c.Positional) > 0:
			if ix.Models != nil {
				model = ix.Models.Lookup(f.Unit, pyast.Dotted(c.Positional[0]))
			}
			if qs := f.Eval(c.Positional[0]); model == nil && qs != nil {
				model = qs.Model
			}
		}
		if model == nil || model.Field(field) == nil {
			continue
		}
		fetch = a
	}
	return fetch, byGet
}

// getByKey reports a `.get(...)` on a manager (through select_for_update()
// or all() at most) whose lookups all name the row by key (`pk`, `id`,
// `uuid`, `<name>_id`): the shape TXN009 reads. A get that also scopes the
// row (`get(id=..., borrower=request.user)`) is not TXN009's, so this rule
// judges it.
func getByKey(c pyast.Call) bool {
	if len(c.Positional) > 0 || c.StarKwargs || len(c.Keywords) == 0 {
		return false
	}
	for k := range c.EachKeyword() {
		k = strings.TrimSuffix(k, "__exact")
		if k != "pk" && k != "id" && k != "uuid" && !(strings.HasSuffix(k, "_id") && !strings.Contains(k, "__")) {
			return false
		}
	}
	n := pyast.Unparen(c.Receiver())
	for {
		r, ok := pyast.AsCall(n)
		if !ok || r.Func.Type() != "attribute" {
			break
		}
		if m := r.MethodName(); m != "select_for_update" && m != "all" {
			return false
		}
		n = pyast.Unparen(r.Receiver())
	}
	return strings.HasSuffix(pyast.Dotted(n), ".objects")
}

func lastName(d string) string {
	if i := strings.LastIndexByte(d, '.'); i >= 0 {
		return d[i+1:]
	}
	return d
}

// statusTested reports, in def before pos, a comparison or condition that
// reads a status field or asks a row a question (`x.is_...`, `x.can_...`),
// or a call with a status lookup (`filter(status=...)`, `get(state=...)`).
func statusTested(def pyast.Node, pos int) bool {
	reads := func(n pyast.Node) bool {
		for a := range pyast.FindEach(n, "attribute") {
			name := a.ChildByField("attribute").Text()
			if statusField(name) || strings.HasPrefix(name, "is_") || strings.HasPrefix(name, "can_") {
				return true
			}
		}
		return false
	}
	for n := range pyast.FindEach(def, "comparison_operator", "if_statement", "elif_clause", "while_statement", "assert_statement", "conditional_expression", "keyword_argument") {
		if n.StartByte() >= pos {
			continue
		}
		switch n.Type() {
		case "keyword_argument":
			name, _, _ := strings.Cut(n.ChildByField("name").Text(), "__")
			if statusField(name) && lookupCall(n) {
				return true
			}
		case "comparison_operator", "assert_statement":
			if reads(n) {
				return true
			}
		default:
			if c := n.ChildByField("condition"); !c.IsNil() && reads(c) {
				return true
			}
		}
	}
	return false
}
