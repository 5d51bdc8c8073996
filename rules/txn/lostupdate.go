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
	"github.com/rubric-dev/rubric/analyzer/semantic/pyidiom"
)

//go:embed lostupdate.md
var lostUpdateDoc string

// LostUpdate reports writes that overwrite concurrent changes: a
// read-modify-write of a balance without a row lock, a funds check racing
// an F() update, and a whole-row save() after a network call.
var LostUpdate = &analyzer.Rule{
	Code:       "TXN005",
	Name:       "lost-update",
	Doc:        lostUpdateDoc,
	Category:   analyzer.DataIntegrity,
	Severity:   analyzer.Warning,
	Confidence: analyzer.High,
	Since:      "0.2.0",
	Stack:      project.Django,
	Skip:       semantic.ProductCode,
	Requires:   []project.Analysis{semantic.Project, lockedModels, lockSites, rmwNames},
	Run:        runLostUpdate,
}

// lockedModels are the models whose rows some product code of the tree
// locks with select_for_update(): a function handed such a row may run
// under its caller's lock.
var lockedModels = &project.ProjectAnalysis[map[*project.Model]bool]{Name: "txn.lockedModels", Run: func(ix *project.Index) map[*project.Model]bool {
	out := map[*project.Model]bool{}
	for _, f := range semantic.Of(ix).Files() {
		if semantic.RolesOf(f.Unit).Any(semantic.Test | semantic.Migration) {
			continue
		}
		for call := range pyast.FindEach(f.Unit.Tree.Root(), "call") {
			if string(pyast.CalleeName(call)) != "select_for_update" {
				continue
			}
			if q := f.Eval(call); q != nil && q.Model != nil {
				out[q.Model] = true
			}
		}
	}
	return out
}}

// counterWords are name parts of quantities that concurrent requests
// update, besides money.
var counterWords = map[string]bool{"stock": true, "inventory": true, "quantity": true, "qty": true, "credits": true,
	"seats": true, "available": true}

// counterField reports a field whose read-modify-write loses money or
// stock.
func counterField(name string) bool {
	if semantic.MoneyName(name, true) {
		return true
	}
	for _, w := range strings.Split(strings.ToLower(name), "_") {
		if counterWords[w] {
			return true
		}
	}
	return false
}

// runLostUpdate matches, in each function:
//   - `row.f += v` (or `-=`, or `row.f = row.f ± v`) on a money or stock
//     field followed by `row.save()`, when row is not loaded with
//     select_for_update() here (high confidence when it is loaded here
//     without; medium when it comes from a parameter, `self` or an
//     attribute and the tree never locks rows of its model (of any model,
//     when the model is unknown), so no caller can hold the lock);
//   - a comparison reading `row.f` followed by an
//     `update(f=F("f") - ...)` whose filter does not bound f: concurrent
//     requests all pass the check before any update;
//   - `row.save()` without update_fields after an HTTP call (direct or
//     through project functions) or time.sleep, when row was fetched in
//     this function before that call and not reloaded.
func runLostUpdate(p *analyzer.Pass) error {
	sf := semantic.Of(p.Project).File(p.Unit)
	if sf == nil {
		return nil
	}
	ef := effects.Of(p.Unit)
	for _, fn := range effects.Functions(p.Root) {
		saves := saveCalls(fn)
		readModifyWrite(p, sf, fn, saves)
		setterWriteBack(p, sf, fn)
		staleCheck(p, sf, fn)
		unlockedCheck(p, sf, fn)
		validatedCheck(p, sf, fn)
		saveAfterNetwork(p, sf, ef, fn, saves)
	}
	return nil
}

// saveCalls returns the `x.save(...)` calls of fn's own body.
func saveCalls(fn pyast.Node) []pyast.Call {
	var out []pyast.Call
	for _, call := range ownCalls(fn) {
		h, _ := pyast.AsCallHead(call)
		if h.MethodName() == "save" && h.Func.Type() == "attribute" && pyast.Dotted(h.Receiver()) != "" {
			c, _ := pyast.AsCall(call)
			out = append(out, c)
		}
	}
	return out
}

// rmw is a read-modify-write of row.field.
type rmw struct {
	stmt  pyast.Node
	row   string // dotted receiver ("wallet", "self.wallet")
	field string
	sign  string // "+" or "-"
	// add is the `row.f ± v` a local was bound to, when stmt assigns that
	// local back (`new = row.f + v`, then `row.f = new`); nil otherwise.
	add pyast.Node
}

// readThenAdd reports an expression that adds to or subtracts from the
// value of target read first: `row.f + v`, `row.f - a - b` (the read is the
// left-most operand of a chain of + and -), the read converted on the way
// (`int(row.f) - int(v)`, `Decimal(row.f) + v`, `float(str(row.f))`).
// sign is the operator next to the read.
func readThenAdd(e pyast.Node, target string) (string, bool) {
	n := pyast.Unparen(e)
	if n.Type() != "binary_operator" {
		return "", false
	}
	op := n.ChildByField("operator").Text()
	if op != "+" && op != "-" {
		return "", false
	}
	l := pyast.Unparen(n.ChildByField("left"))
	if pyast.Dotted(unconverted(l)) == target {
		return op, true
	}
	return readThenAdd(l, target)
}

// unconverted strips number conversions around n: `int(x)`, `float(x)`,
// `Decimal(x)`, `decimal.Decimal(str(x))` are x.
func unconverted(n pyast.Node) pyast.Node {
	for {
		n = pyast.Unparen(n)
		c, ok := pyast.AsCall(n)
		if !ok || len(c.Positional) != 1 || len(c.Keywords) > 0 {
			return n
		}
		d := pyast.Dotted(c.Func)
		switch d[strings.LastIndex(d, ".")+1:] {
		case "int", "float", "Decimal", "str":
			n = c.Positional[0]
		default:
			return n
		}
	}
}

// readModifyWrites finds the read-modify-writes of fn.
func readModifyWrites(fn pyast.Node) []rmw {
	var out []rmw
	for n := range pyast.FindEachShallow(pyast.Body(fn), "augmented_assignment", "assignment") {
		left := n.ChildByField("left")
		if left.Type() != "attribute" {
			continue
		}
		row := pyast.Dotted(left.ChildByField("object"))
		field := left.ChildByField("attribute").Text()
		if row == "" {
			continue
		}
		r := rmw{stmt: n, row: row, field: field}
		if n.Type() == "augmented_assignment" {
			switch op := n.ChildByField("operator").Text(); op {
			case "+=", "-=":
				r.sign = op[:1]
			default:
				continue
			}
		} else {
			sign, ok := readThenAdd(n.ChildByField("right"), row+"."+field)
			if !ok {
				continue
			}
			r.sign = sign
		}
		out = append(out, r)
	}
	return out
}

// localReadModifyWrites finds the read-modify-writes of fn that go through
// a local: `new = row.f ± v` (the read left-most, as readThenAdd reads it),
// then `row.f = new`, the local bound once in fn and before the assignment
// (`new_balance = wallet.balance + amount`, a funds check on new_balance,
// `wallet.balance = new_balance`). The value written back was computed from
// the row as read, so it loses a concurrent change exactly as `row.f += v`.
func localReadModifyWrites(sf *semantic.File, fn pyast.Node) []rmw {
	var out []rmw
	for n := range pyast.FindEachShallow(pyast.Body(fn), "assignment") {
		left, right := n.ChildByField("left"), pyast.Unparen(n.ChildByField("right"))
		if left.Type() != "attribute" || right.Type() != "identifier" {
			continue
		}
		row := pyast.Dotted(left.ChildByField("object"))
		if row == "" {
			continue
		}
		field := left.ChildByField("attribute").Text()
		if sf.BindingCount(n, right.Text()) != 1 {
			continue
		}
		b := pyast.Unparen(sf.Binding(n, right.Text(), n.StartByte()))
		if b.IsNil() || pyast.Ancestor(b, "function_definition").StartByte() != fn.StartByte() {
			continue
		}
		sign, ok := readThenAdd(b, row+"."+field)
		if !ok {
			continue
		}
		out = append(out, rmw{stmt: n, row: row, field: field, sign: sign, add: b})
	}
	return out
}

func readModifyWrite(p *analyzer.Pass, sf *semantic.File, fn pyast.Node, saves []pyast.Call) {
	reported := map[string]bool{}
	for _, r := range append(readModifyWrites(fn), localReadModifyWrites(sf, fn)...) {
		if !counterField(r.field) && !decimalColumn(sf, r) || reported[r.row] {
			continue
		}
		var save pyast.Call
		for _, s := range saves {
			if s.Node.StartByte() > r.stmt.EndByte() && pyast.Dotted(s.Receiver()) == r.row {
				save = s
				break
			}
		}
		if save.Node.IsNil() {
			continue
		}
		origin, local := rowOrigin(sf, fn, r.row, r.stmt)
		if strings.Contains(origin, "select_for_update") || local && constructedHere(sf, r.row, r.stmt) ||
			overwrittenBefore(fn, r) || local && sf.RowLock(save.Receiver()) == semantic.Locked {
			continue
		}
		conf := analyzer.High
		why := "loaded without `select_for_update()`"
		if !local {
			conf = analyzer.Medium
			why = "and nothing in the project locks these rows with `select_for_update()`"
			switch sf.RowLock(save.Receiver()) {
			case semantic.Locked:
				continue
			case semantic.Unlocked:
				why = "and every call site passes a row loaded without `select_for_update()`"
			default:
				// The caller may have locked it when the tree locks rows
				// of this model (of any model, when the model is unknown).
				locked := lockedModels.Get(p.Project)
				if md := rowModel(sf, save.Receiver()); md != nil && locked[md] || md == nil && len(locked) > 0 {
					continue
				}
			}
		}
		reported[r.row] = true
		model := modelOf(sf, save.Receiver())
		op := "+"
		if r.sign == "-" {
			op = "-"
		}
		amount := pyast.OneLine(r.stmt.ChildByField("right"), 60)
		switch {
		case !r.add.IsNil():
			amount = pyast.OneLine(r.add.ChildByField("right"), 60)
		case r.stmt.Type() == "assignment":
			amount = pyast.OneLine(pyast.Unparen(r.stmt.ChildByField("right")).ChildByField("right"), 60)
		}
		p.Report(analyzer.Diagnostic{
			Range:      analyzer.RangeOf(r.stmt),
			Confidence: conf,
			Message: fmt.Sprintf("`%s.%s` is read, changed in Python and written back by `%s.save()`, %s: two concurrent requests read the same value and one update is lost",
				r.row, r.field, r.row, why),
			Help: fmt.Sprintf("update in the database: `%s.objects.filter(pk=%s.pk).update(%s=F(%q) %s %s)`, or load the row with `select_for_update()` inside `transaction.atomic()`",
				model, r.row, r.field, r.field, op, amount),
			Related: []analyzer.Related{{Range: analyzer.RangeOf(save.Node), Message: "written back here"}},
		})
	}
}

// overwrittenBefore reports a field the function set outright before the
// read-modify-write (`tx.amount_in = form.cleaned_data["amount"]`, then
// `tx.amount_in += fee`): the `+=` adds to the value just computed, not
// to one read from the row, so a concurrent change is overwritten by the
// assignment, which is no lost update of this shape.
func overwrittenBefore(fn pyast.Node, r rmw) bool {
	target := r.row + "." + r.field
	for n := range pyast.FindEachShallow(pyast.Body(fn), "assignment") {
		if n.StartByte() >= r.stmt.StartByte() {
			break
		}
		if pyast.Dotted(n.ChildByField("left")) != target {
			continue
		}
		reads := false
		for a := range pyast.FindEach(n.ChildByField("right"), "attribute") {
			if pyast.Dotted(a) == target {
				reads = true
			}
		}
		if !reads {
			return true
		}
	}
	return false
}

// rowOrigin returns the text of the expression a local row was last bound
// to before n, and whether the row is a local of fn at all (not a
// parameter, self, or an attribute).
func rowOrigin(sf *semantic.File, fn pyast.Node, row string, n pyast.Node) (string, bool) {
	if strings.Contains(row, ".") || row == "self" {
		return "", false
	}
	for _, prm := range pyast.ParamNames(fn) {
		if prm == row {
			return "", false
		}
	}
	rhs := sf.Binding(n, row, n.StartByte())
	// `row = None` in one branch, `row = M.objects...get()` in another: a
	// row whose field is read and written is not None there, so the fetch
	// bound before the None is the row that reaches (the last one textually
	// is only the else branch).
	for i := 0; i < 4 && !rhs.IsNil() && pyast.Unparen(rhs).Type() == "none"; i++ {
		rhs = sf.Binding(n, row, rhs.StartByte())
	}
	if rhs.IsNil() {
		rhs = unpackedRow(fn, row, n)
	}
	if rhs.IsNil() {
		return "", false
	}
	return rhs.Text(), true
}

// constructedHere reports a local row bound, before n, to a call of its
// model class (`account = Account(number=n)`): an instance built in this
// function, not loaded, that no concurrent request can hold; adding to
// its default before the first save() loses nothing.
func constructedHere(sf *semantic.File, row string, n pyast.Node) bool {
	rhs := pyast.Unparen(sf.Binding(n, row, n.StartByte()))
	if rhs.Type() != "call" || sf.M.Graph == nil {
		return false
	}
	callee := rhs.ChildByField("function")
	if t := callee.Type(); t != "identifier" && t != "attribute" {
		return false
	}
	return sf.M.Graph.Lookup(sf.Unit, pyast.Dotted(callee)) != nil
}

// unpackedRow returns the call that bound row as the first name of a
// `row, created = M.objects.get_or_create(...)` (or update_or_create)
// before n in fn, the last such one, or a nil node.
func unpackedRow(fn pyast.Node, row string, n pyast.Node) pyast.Node {
	var found pyast.Node
	for a := range pyast.FindEachShallow(fn, "assignment") {
		if a.StartByte() >= n.StartByte() {
			break
		}
		left := a.ChildByField("left")
		if left.Type() != "pattern_list" && left.Type() != "tuple_pattern" {
			continue
		}
		first := left.NamedChild(0)
		if first.Type() != "identifier" || first.Text() != row {
			continue
		}
		right := pyast.Unparen(a.ChildByField("right"))
		if c, ok := pyast.AsCall(right); ok && (c.MethodName() == "get_or_create" || c.MethodName() == "update_or_create") {
			found = right
		}
	}
	return found
}

// modelOf names the model of a row expression, or `type(row)`.
func modelOf(sf *semantic.File, row pyast.Node) string {
	if md := rowModel(sf, row); md != nil {
		return md.Name
	}
	return "type(" + row.Text() + ")"
}

// rowModel is the model of a row expression: what the semantic model
// says, a relation read from a serializer's validated data
// (`serializer.validated_data["product"]`), the model class whose method
// `self` is, a relation of it (`self.wallet`), or a local bound once to
// one of these.
func rowModel(sf *semantic.File, row pyast.Node) *project.Model {
	return rowModelDepth(sf, row, 0)
}

func rowModelDepth(sf *semantic.File, row pyast.Node, depth int) *project.Model {
	if row.IsNil() || depth > 2 {
		return nil
	}
	if md, _ := sf.Instance(row); md != nil {
		return md
	}
	if md := sf.ValidatedRelation(row); md != nil {
		return md
	}
	row = pyast.Unparen(row)
	switch row.Type() {
	case "identifier":
		if row.Text() == "self" {
			if fn := sf.EnclosingFunc(row); fn != nil && fn.Class != nil && sf.M.Graph != nil {
				return sf.M.Graph.ByQual(fn.Class.Qual)
			}
			return nil
		}
		if bs := sf.Bindings(row, row.Text()); len(bs) == 1 {
			return rowModelDepth(sf, bs[0], depth+1)
		}
	case "attribute":
		if owner := rowModelDepth(sf, row.ChildByField("object"), depth+1); owner != nil {
			if a := owner.Attr(row.ChildByField("attribute").Text()); a.Kind == project.AttrForward {
				return a.Target
			}
		}
	}
	return nil
}

// staleCheck reports F() updates of a field that a comparison earlier in
// fn read from a loaded row, when the update's filter does not bound it.
func staleCheck(p *analyzer.Pass, sf *semantic.File, fn pyast.Node) {
	for _, call := range ownCalls(fn) {
		h, _ := pyast.AsCallHead(call)
		if h.MethodName() != "update" || h.Func.Type() != "attribute" {
			continue
		}
		c, _ := pyast.AsCall(call)
		q := sf.Eval(c.Receiver())
		if q == nil || q.Model == nil {
			continue
		}
		for _, field := range sortedKeys(c.Keywords) {
			v := pyast.Unparen(c.Keywords[field])
			if !counterField(field) || v.Type() != "binary_operator" || !isF(v.ChildByField("left"), field) {
				continue
			}
			// `F("f") - x`, or `F("f") + x` where x is a local the
			// function binds to a negated amount (`x = amount * -1`).
			if op := v.ChildByField("operator").Text(); op != "-" && (op != "+" || !negatedLocal(fn, v.ChildByField("right"))) {
				continue
			}
			if boundsField(c.Receiver(), field) {
				continue
			}
			check, read := comparisonReading(fn, field, call)
			if check.IsNil() {
				// The field read by a query into a local
				// (`balance = M.objects.filter(...).values("balance")[0]["balance"]`).
				check, read = comparisonReadingValue(sf, fn, field, call, q.Model)
				if check.IsNil() {
					// The check in the validate() of a serializer the
					// handler validated the request with first.
					if sc, cmp := serializerFundsCheck(sf, fn, call, field, q.Model); !cmp.IsNil() {
						u := sc.File.Unit
						p.Report(analyzer.Diagnostic{
							Range: analyzer.RangeOf(call),
							Message: fmt.Sprintf("`%s.validate()` checks `%s` (%s:%d) on `%s` as it was loaded, without a lock, then this `F()` update subtracts without re-checking: concurrent requests all pass the check and `%s` can go negative",
								sc.Name, pyast.OneLine(cmp, 60), u.File.Rel, u.File.Position(cmp.StartByte()).Line, field, field),
							Help: fmt.Sprintf("make the check part of the update and test the row count: `updated = %s.objects.filter(pk=..., %s__gte=amount).update(%s=F(%q) - amount)`; the check in `validate()` can stay as a friendly early answer",
								q.Model.Name, field, field, field),
							Related: []analyzer.Related{{Path: u.File.Rel, Range: analyzer.RangeOf(cmp), Message: "the check that can be stale"}},
						})
					}
					continue
				}
			} else if sf.RowLock(read.ChildByField("object")) == semantic.Locked {
				continue
			}
			p.Report(analyzer.Diagnostic{
				Range: analyzer.RangeOf(call),
				Message: fmt.Sprintf("the check at line %d reads `%s` as it was loaded, then this `F()` update subtracts without re-checking: concurrent requests all pass the check and `%s` can go negative",
					p.File.Position(check.StartByte()).Line, pyast.OneLine(check, 60), field),
				Help: fmt.Sprintf("make the check part of the update and test the row count: `updated = %s.objects.filter(pk=..., %s__gte=amount).update(%s=F(%q) - amount)`",
					q.Model.Name, field, field, field),
				Related: []analyzer.Related{{Range: analyzer.RangeOf(check), Message: "the check that can be stale"}},
			})
		}
	}
}

// negatedLocal reports an identifier that fn binds, at least once, to a
// negated value: `-amount`, `amount * -1` or `-1 * amount`.
func negatedLocal(fn, n pyast.Node) bool {
	n = pyast.Unparen(n)
	if n.Type() != "identifier" {
		return false
	}
	minusOne := func(x pyast.Node) bool {
		x = pyast.Unparen(x)
		return x.Type() == "unary_operator" && strings.TrimSpace(x.Text()) == "-1"
	}
	for a := range pyast.FindEachShallow(pyast.Body(fn), "assignment", "augmented_assignment") {
		if a.ChildByField("left").Text() != n.Text() {
			continue
		}
		r := pyast.Unparen(a.ChildByField("right"))
		switch {
		case a.Type() == "augmented_assignment" && a.ChildByField("operator").Text() == "*=" && minusOne(r):
			return true
		case a.Type() != "assignment":
		case r.Type() == "unary_operator" && strings.HasPrefix(r.Text(), "-"):
			return true
		case r.Type() == "binary_operator" && r.ChildByField("operator").Text() == "*" && (minusOne(r.ChildByField("left")) || minusOne(r.ChildByField("right"))):
			return true
		}
	}
	return false
}

// isF reports `F("field")`.
func isF(n pyast.Node, field string) bool {
	c, ok := pyast.AsCall(pyast.Unparen(n))
	if !ok || c.MethodName() != "F" || len(c.Positional) != 1 {
		return false
	}
	s, _ := pyast.StringValue(c.Positional[0])
	return s == field
}

// boundsField reports a filter in the chain with a `field__gte`-like
// keyword (or any Q object, which may).
func boundsField(chain pyast.Node, field string) bool {
	for cur := pyast.Unparen(chain); ; {
		c, ok := pyast.AsCall(cur)
		if !ok {
			return false
		}
		if c.MethodName() == "filter" || c.MethodName() == "exclude" {
			if len(c.Positional) > 0 || c.StarKwargs {
				return true
			}
			for k := range c.EachKeyword() {
				if strings.HasPrefix(k, field+"__") {
					return true
				}
			}
		}
		cur = pyast.Unparen(c.Receiver())
	}
}

// comparisonReading returns a comparison before `before` in fn that reads
// `<row>.field`, with the attribute read.
func comparisonReading(fn pyast.Node, field string, before pyast.Node) (cmp, read pyast.Node) {
	for cmp := range pyast.FindEachShallow(pyast.Body(fn), "comparison_operator") {
		if cmp.EndByte() > before.StartByte() {
			break
		}
		for a := range pyast.FindEach(cmp, "attribute") {
			if a.ChildByField("attribute").Text() == field {
				return cmp, a
			}
		}
	}
	return pyast.Node{}, pyast.Node{}
}

// comparisonReadingValue returns a comparison before `before` in fn that
// reads a local bound (once, earlier) to the field's value fetched by a
// query of md without select_for_update(): `.values("field")` or
// `.values_list("field", ...)` in the chain. read is the binding's value.
func comparisonReadingValue(sf *semantic.File, fn pyast.Node, field string, before pyast.Node, md *project.Model) (cmp, read pyast.Node) {
	bound := map[string]pyast.Node{}
	count := map[string]int{}
	for a := range pyast.FindEachShallow(pyast.Body(fn), "assignment") {
		l := a.ChildByField("left")
		if l.Type() != "identifier" {
			continue
		}
		count[l.Text()]++
		if a.EndByte() <= before.StartByte() && fetchesValue(sf, a.ChildByField("right"), field, md) {
			bound[l.Text()] = a.ChildByField("right")
		}
	}
	for cmp := range pyast.FindEachShallow(pyast.Body(fn), "comparison_operator") {
		if cmp.EndByte() > before.StartByte() {
			break
		}
		for id := range pyast.FindEach(cmp, "identifier") {
			if v, ok := bound[id.Text()]; ok && count[id.Text()] == 1 && v.EndByte() <= cmp.StartByte() {
				return cmp, v
			}
		}
	}
	return pyast.Node{}, pyast.Node{}
}

// serializerFundsCheck returns the serializer class and the comparison
// of its validate() that checks field of md before the F() update at call
// in fn: fn builds the serializer from the request (`s = X(data=...)`) and
// makes the update only once it validated (under `if s.is_valid():`, or
// after `s.is_valid(raise_exception=True)`), and validate() compares,
// under an `if` that raises, a local bound once to the field's value
// fetched without a lock (`balance = M.objects.values_list("balance",
// flat=True).get(...)`) or the field of a row fetched so
// (`wallet = M.objects.get(...)`, `wallet.balance`). A row DRF loaded for
// a relation of the data is validatedCheck's.
func serializerFundsCheck(sf *semantic.File, fn, call pyast.Node, field string, md *project.Model) (*semantic.Class, pyast.Node) {
	f := sf.FuncOf(fn)
	if f == nil {
		return nil, pyast.Node{}
	}
	for as := range pyast.FindEachShallow(pyast.Body(fn), "assignment") {
		l := as.ChildByField("left")
		bc, ok := pyast.AsCall(pyast.Unparen(as.ChildByField("right")))
		if !ok || l.Type() != "identifier" || as.StartByte() > call.StartByte() {
			continue
		}
		if _, ok := bc.Keywords["data"]; !ok {
			continue
		}
		sc := sf.M.BuiltSerializer(f, bc.Node)
		if sc == nil || !pyidiom.SerializerValidatedBefore(pyast.Body(fn), l.Text(), call) {
			continue
		}
		v := sc.Method("validate")
		if v == nil || v.File == nil {
			continue
		}
		if cmp := fetchedCheck(v.File, v.Node, field, md); !cmp.IsNil() {
			return sc, cmp
		}
	}
	return nil, pyast.Node{}
}

// fetchedCheck returns a comparison of def's body, under an `if` whose
// body raises, that reads field of md fetched without a lock: a local
// bound once to the value (fetchesValue), or `row.field` of a local bound
// once to a row of md from a query (`M.objects.get(...)`,
// `.filter(...).first()`) that does not lock.
func fetchedCheck(sf *semantic.File, def pyast.Node, field string, md *project.Model) pyast.Node {
	values := map[string]bool{}
	rows := map[string]bool{}
	count := map[string]int{}
	for a := range pyast.FindEach(pyast.Body(def), "assignment") {
		l := a.ChildByField("left")
		if l.Type() != "identifier" {
			continue
		}
		count[l.Text()]++
		r := a.ChildByField("right")
		switch {
		case fetchesValue(sf, r, field, md):
			values[l.Text()] = true
		case strings.Contains(r.Text(), "objects") && !strings.Contains(r.Text(), "select_for_update"):
			if v := sf.Value(r); v.IsRow() && v.Model == md && v.Certainty == semantic.Certain {
				rows[l.Text()] = true
			}
		}
	}
	for st := range pyast.FindEach(pyast.Body(def), "if_statement") {
		if !raises(st.ChildByField("consequence")) {
			continue
		}
		for cmp := range pyast.FindEach(st.ChildByField("condition"), "comparison_operator") {
			for id := range pyast.FindEach(cmp, "identifier") {
				t := id.Text()
				if count[t] != 1 {
					continue
				}
				if values[t] && id.Parent().Type() != "attribute" {
					return cmp
				}
				if par := id.Parent(); rows[t] && par.Type() == "attribute" && par.ChildByField("object").Equal(id) && par.ChildByField("attribute").Text() == field {
					return cmp
				}
			}
		}
	}
	return pyast.Node{}
}

// fetchesValue reports an expression whose query chain reads field of md
// with values()/values_list() and does not lock the rows.
func fetchesValue(sf *semantic.File, e pyast.Node, field string, md *project.Model) bool {
	found := false
	for call := range pyast.FindEach(e, "call") {
		c, _ := pyast.AsCall(call)
		switch c.MethodName() {
		case "select_for_update":
			return false
		case "values", "values_list":
			if c.Func.Type() != "attribute" || len(c.Positional) != 1 {
				continue
			}
			if s, ok := pyast.StringValue(c.Positional[0]); !ok || s != field {
				continue
			}
			if q := sf.Eval(c.Receiver()); q != nil && q.Model == md {
				found = true
			}
		}
	}
	return found
}

// saveAfterNetwork reports full saves of rows fetched before a network
// call or a sleep.
func saveAfterNetwork(p *analyzer.Pass, sf *semantic.File, ef *effects.File, fn pyast.Node, saves []pyast.Call) {
	for _, s := range saves {
		if !s.Keyword("update_fields").IsNil() || s.StarKwargs {
			continue
		}
		row := pyast.Dotted(s.Receiver())
		if strings.Contains(row, ".") {
			continue
		}
		rhs := sf.Binding(s.Node, row, s.Node.StartByte())
		if rhs.IsNil() || !fetched(sf, rhs) {
			continue
		}
		loaded := rhs.Parent()
		wait, name := waitBetween(p.Project, sf, ef, fn, loaded.EndByte(), s.Node.StartByte())
		if wait.IsNil() || reloaded(fn, row, wait.EndByte(), s.Node.StartByte()) {
			continue
		}
		fields := assignedFields(fn, row, wait.EndByte(), s.Node.StartByte())
		d := analyzer.Diagnostic{
			Range: analyzer.RangeOf(s.Node),
			Message: fmt.Sprintf("`%s.save()` writes every column of `%s`, loaded before `%s` (line %d): changes others made meanwhile are overwritten",
				row, row, name, p.File.Position(wait.StartByte()).Line),
			Help:    "save only what changed after the call: `save(update_fields=[...])`, or reload the row (under `select_for_update()`) after the call",
			Related: []analyzer.Related{{Range: analyzer.RangeOf(wait), Message: "the wait"}, {Range: analyzer.RangeOf(loaded), Message: "the row is loaded here"}},
		}
		if len(fields) > 0 {
			list := `"` + strings.Join(fields, `", "`) + `"`
			d.Help = fmt.Sprintf("save only what changed after the call: `%s.save(update_fields=[%s])`", row, list)
			args := s.Node.ChildByField("arguments")
			if args.NamedChildCount() == 0 {
				d.Fixes = []analyzer.Fix{{Message: "save only the fields set after the call", Applicability: analyzer.Unsafe,
					Edits: []analyzer.TextEdit{{Range: analyzer.Range{Start: args.StartByte() + 1, End: args.EndByte() - 1}, NewText: "update_fields=[" + list + "]"}}}}
			}
		}
		p.Report(d)
	}
}

// fetched reports an expression that loads one row from the database.
func fetched(sf *semantic.File, rhs pyast.Node) bool {
	c, ok := pyast.AsCall(pyast.Unparen(rhs))
	if !ok {
		return false
	}
	switch c.MethodName() {
	case "get", "first", "last", "latest", "earliest", "get_object_or_404", "get_object":
	default:
		return false
	}
	md, loop := sf.Instance(rhs)
	return md != nil && loop == nil && !strings.Contains(rhs.Text(), "select_for_update")
}

// waitBetween returns the first HTTP call (direct or through project
// functions) or time.sleep between two offsets of fn.
func waitBetween(ix *project.Index, sf *semantic.File, ef *effects.File, fn pyast.Node, from, to int) (pyast.Node, string) {
	for _, call := range ownCalls(fn) {
		if call.StartByte() < from || call.EndByte() > to {
			continue
		}
		if e := ef.Classify(call); e.Kind == effects.HTTP {
			return call, e.Name
		}
		c, _ := pyast.AsCallHead(call)
		if q, ok := ef.Imports.Resolve(c.Func); ok && q == "time.sleep" {
			return call, "time.sleep"
		}
		if r, ok := httpThrough(ix, sf, call); ok {
			return call, r.effect.Name
		}
	}
	return pyast.Node{}, ""
}

// reloaded reports `row.refresh_from_db()` or a rebinding of row between
// two offsets.
func reloaded(fn pyast.Node, row string, from, to int) bool {
	for n := range pyast.FindEachShallow(pyast.Body(fn), "call", "assignment") {
		if n.StartByte() < from || n.EndByte() > to {
			continue
		}
		switch n.Type() {
		case "call":
			c, _ := pyast.AsCall(n)
			if c.MethodName() == "refresh_from_db" && pyast.Dotted(c.Receiver()) == row {
				return true
			}
		case "assignment":
			if l := n.ChildByField("left"); l.Type() == "identifier" && l.Text() == row {
				return true
			}
		}
	}
	return false
}

// assignedFields returns the fields set on row between two offsets,
// sorted.
func assignedFields(fn pyast.Node, row string, from, to int) []string {
	seen := map[string]bool{}
	for n := range pyast.FindEachShallow(pyast.Body(fn), "assignment", "augmented_assignment") {
		if n.StartByte() < from || n.EndByte() > to {
			continue
		}
		l := n.ChildByField("left")
		if l.Type() == "attribute" && pyast.Dotted(l.ChildByField("object")) == row {
			seen[l.ChildByField("attribute").Text()] = true
		}
	}
	out := make([]string, 0, len(seen))
	for f := range seen {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

func sortedKeys(m map[string]pyast.Node) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// decimalColumn reports a read-modify-write of a DecimalField of the row's
// model, whatever its name (`sender.billing -= amount`): a running total
// kept in a decimal column is money or a measure, and a lost update of it
// is lost value.
func decimalColumn(sf *semantic.File, r rmw) bool {
	md := rowModel(sf, r.stmt.ChildByField("left").ChildByField("object"))
	if md == nil {
		return false
	}
	for _, f := range md.Fields {
		if f.Name == r.field {
			return strings.HasSuffix(f.Class, "DecimalField")
		}
	}
	return false
}
