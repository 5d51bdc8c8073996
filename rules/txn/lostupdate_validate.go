package txn

import (
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

// drfSerializers are the DRF classes whose validate() receives the
// validated data, relations already resolved to rows; those of
// django-rest-framework-json-api derive from them.
var drfSerializers = []string{"rest_framework.serializers.Serializer", "rest_framework.serializers.ModelSerializer",
	"rest_framework.serializers.HyperlinkedModelSerializer", "rest_framework_json_api.serializers.Serializer",
	"rest_framework_json_api.serializers.ModelSerializer", "rest_framework_json_api.serializers.HyperlinkedModelSerializer"}

// lockSite is where some product code locks rows of a model, and what
// the code holding such a lock compares.
type lockSite struct {
	path  string
	rng   analyzer.Range
	line  int
	fn    string
	reads map[string]bool // attribute and method names read in a comparison
}

// lockSites maps a model to the first place (in path order) that locks
// its rows with select_for_update(), with the names every locking
// function, and every method of the model, compares: a balance checked
// again there is checked under the lock. reads of the nil key are the
// fields a filter bounds (`balance__gte=amount`, as a conditional update
// does), as "model.Qual.field".
var lockSites = &project.ProjectAnalysis[map[*project.Model]*lockSite]{Name: "txn.lockSites", Run: func(ix *project.Index) map[*project.Model]*lockSite {
	out := map[*project.Model]*lockSite{nil: {reads: map[string]bool{}}}
	m := semantic.Of(ix)
	for _, f := range m.Files() {
		if semantic.RolesOf(f.Unit).Any(semantic.Test | semantic.Migration) {
			continue
		}
		for call := range pyast.FindEach(f.Unit.Tree.Root(), "call") {
			h, _ := pyast.AsCallHead(call)
			switch h.MethodName() {
			case "select_for_update", "filter", "exclude":
			default:
				continue
			}
			c, _ := pyast.AsCall(call)
			switch c.MethodName() {
			case "select_for_update":
				q := f.Eval(call)
				if q == nil || q.Model == nil {
					continue
				}
				s := out[q.Model]
				if s == nil {
					s = &lockSite{path: f.Unit.File.Rel, rng: analyzer.RangeOf(call), line: f.Unit.File.Position(call.StartByte()).Line,
						reads: map[string]bool{}}
					if fn := f.EnclosingFunc(call); fn != nil {
						s.fn = fn.Name
					}
					out[q.Model] = s
					if cls := m.ClassOfModel(q.Model); cls != nil {
						for _, meth := range cls.Methods {
							comparedNames(meth.Node, s.reads)
						}
					}
				}
				if def := pyast.Ancestor(call, "function_definition"); !def.IsNil() {
					comparedNames(def, s.reads)
				}
			case "filter", "exclude":
				for k := range c.EachKeyword() {
					if field, op, ok := strings.Cut(k, "__"); ok && (op == "gte" || op == "gt" || op == "lt" || op == "lte") {
						if q := f.Eval(call); q != nil && q.Model != nil {
							out[nil].reads[q.Model.Qual+"."+field] = true
						}
					}
				}
			}
		}
	}
	return out
}}

// rmwNames are the attribute names product code writes back from their own
// value (`wallet.balance -= amount`, `acc.balance = acc.balance + x`):
// TXN005 reports those writes themselves, so a funds check before them
// on a model nobody locks is the same defect again.
var rmwNames = &project.ProjectAnalysis[map[string]bool]{Name: "txn.rmwNames", Run: func(ix *project.Index) map[string]bool {
	out := map[string]bool{}
	for _, f := range semantic.Of(ix).Files() {
		if semantic.RolesOf(f.Unit).Any(semantic.Test | semantic.Migration) {
			continue
		}
		for n := range pyast.FindEach(f.Unit.Tree.Root(), "augmented_assignment", "assignment") {
			l := n.ChildByField("left")
			if l.Type() != "attribute" {
				continue
			}
			if n.Type() == "assignment" && !strings.Contains(n.ChildByField("right").Text(), l.Text()) {
				continue
			}
			out[l.ChildByField("attribute").Text()] = true
		}
	}
	return out
}}

// comparedNames adds to reads the attribute and method names read inside
// the comparisons of def's body, and those read into a local that a
// comparison tests (`balance = wallet.get_balance()`, then `if balance <
// amount`).
func comparedNames(def pyast.Node, reads map[string]bool) {
	tested := map[string]bool{}
	for cmp := range pyast.FindEach(pyast.Body(def), "comparison_operator") {
		for a := range pyast.FindEach(cmp, "attribute") {
			reads[a.ChildByField("attribute").Text()] = true
		}
		for id := range pyast.FindEach(cmp, "identifier") {
			tested[id.Text()] = true
		}
	}
	for as := range pyast.FindEach(pyast.Body(def), "assignment") {
		if l := as.ChildByField("left"); l.Type() != "identifier" || !tested[l.Text()] {
			continue
		}
		for a := range pyast.FindEach(as.ChildByField("right"), "attribute") {
			reads[a.ChildByField("attribute").Text()] = true
		}
	}
}

// validatedCheck reports a funds check in a DRF serializer's validate()
// on a row DRF loaded for a relation of the data (`attrs["wallet"]`,
// fetched with the field's queryset, unlocked), that refuses the request
// when the balance is short, when the project locks rows of that model
// elsewhere (the write that spends the balance runs under that lock) and
// nothing holding such a lock, no method of the model and no conditional
// update compares the balance again: the check runs before the lock, so
// two concurrent requests both pass it and both spend.
func validatedCheck(p *analyzer.Pass, sf *semantic.File, fn pyast.Node) {
	f := sf.FuncOf(fn)
	if f == nil || f.Name != "validate" || f.Class == nil || len(f.Params) < 2 ||
		!f.Class.DerivesFrom(drfSerializers...) || f.Class.Method("to_internal_value") != nil {
		return
	}
	smd := sf.M.SerializerModel(f.Class)
	if smd == nil {
		return
	}
	param := f.Params[1]
	sites := lockSites.Get(p.Project)
	for st := range pyast.FindEachShallow(pyast.Body(fn), "if_statement") {
		if !raises(st.ChildByField("consequence")) {
			continue
		}
		for cmp := range pyast.FindEach(st.ChildByField("condition"), "comparison_operator") {
			read, name, key, md := validatedBalance(sf, f, smd, param, cmp)
			if md == nil {
				continue
			}
			site := sites[md]
			if own := ownLock(sf, f.Class, md, name); own != nil {
				site = own
			}
			if site != nil && site.reads[name] || sites[nil].reads[md.Qual+"."+strings.TrimPrefix(name, "get_")] || guarded(sf, md, name) {
				continue
			}
			if site == nil {
				if rmwNames.Get(p.Project)[name] {
					continue
				}
				p.Report(analyzer.Diagnostic{
					Range:      analyzer.RangeOf(cmp),
					Confidence: analyzer.Medium,
					Message: fmt.Sprintf("`%s` checks `%s` in `validate()`, on the `%s` row DRF loaded for `%s` without a lock, and nothing in the project locks `%s` rows: two concurrent requests both pass this check and overdraw",
						pyast.OneLine(cmp, 60), pyast.OneLine(read, 40), md.Name, key, md.Name),
					Help: fmt.Sprintf("lock the row with `select_for_update()` inside the `transaction.atomic()` that writes, and check the balance again there, or make the write a conditional update (`filter(pk=..., %s__gte=amount).update(...)`) and refuse when it updates no row; the check in `validate()` can stay as a friendly early answer",
						strings.TrimPrefix(name, "get_")),
				})
				return
			}
			p.Report(analyzer.Diagnostic{
				Range:      analyzer.RangeOf(cmp),
				Confidence: analyzer.Medium,
				Message: fmt.Sprintf("`%s` checks `%s` in `validate()`, on the `%s` row DRF loaded for `%s` without a lock; the write is locked later (`select_for_update()` in `%s`, %s:%d) and checks nothing: two concurrent requests both pass this check and overdraw",
					pyast.OneLine(cmp, 60), pyast.OneLine(read, 40), md.Name, key, site.fn, site.path, site.line),
				Help: fmt.Sprintf("check the balance again on the row locked with `select_for_update()`, inside the same `transaction.atomic()` as the write, or make the write a conditional update (`filter(pk=..., %s__gte=amount).update(...)`) and refuse when it updates no row; the check in `validate()` can stay as a friendly early answer",
					strings.TrimPrefix(name, "get_")),
				Related: []analyzer.Related{{Path: site.path, Range: site.rng, Message: "the lock the check does not run under"}},
			})
			return
		}
	}
}

// ownLock returns the lock the serializer's own create() takes on rows of
// md, with what that create() compares, when it compares nothing named
// name: the write that follows this validate() is that create(), whatever
// other code holding a lock on md checks. nil otherwise.
func ownLock(sf *semantic.File, cls *semantic.Class, md *project.Model, name string) *lockSite {
	create := cls.Method("create")
	if create == nil || create.File == nil {
		return nil
	}
	reads := map[string]bool{}
	comparedNames(create.Node, reads)
	if reads[name] {
		return nil
	}
	for call := range pyast.FindEach(pyast.Body(create.Node), "call") {
		if string(pyast.CalleeName(call)) != "select_for_update" {
			continue
		}
		if q := create.File.Eval(call); q != nil && q.Model == md {
			u := create.File.Unit
			return &lockSite{path: u.File.Rel, rng: analyzer.RangeOf(call), line: u.File.Position(call.StartByte()).Line,
				fn: create.Name, reads: reads}
		}
	}
	return nil
}

// raises reports a raise statement in a block (nested definitions aside).
func raises(b pyast.Node) bool {
	for range pyast.FindEachShallow(b, "raise_statement") {
		return true
	}
	return false
}

// validatedBalance reads a comparison for a balance of a row of the
// validated data: `attrs["wallet"].balance`, `wallet.balance` with
// `wallet = attrs["wallet"]`, or a local bound to either, to a balance
// method's result (`balance = wallet.get_balance()`) or to the balance
// after the change (`new_balance = wallet.balance + attrs["amount"]`). It
// returns the read, the attribute or method name, the data key and the
// row's model.
func validatedBalance(sf *semantic.File, f *semantic.Func, smd *project.Model, param string, cmp pyast.Node) (pyast.Node, string, string, *project.Model) {
	var reads []pyast.Node
	for x := range pyast.FindEach(cmp, "attribute", "identifier") {
		if x.Type() != "identifier" {
			reads = append(reads, x)
			continue
		}
		if x.Parent().Type() == "attribute" || x.Parent().Type() == "call" && x.Parent().ChildByField("function").Equal(x) {
			continue
		}
		b := sf.Binding(x, x.Text(), x.StartByte())
		if b.IsNil() || len(sf.Bindings(x, x.Text())) != 1 {
			continue
		}
		b = pyast.Unparen(b)
		if b.Type() != "binary_operator" {
			reads = append(reads, b)
			continue
		}
		for a := range pyast.FindEach(b, "attribute") {
			if a.Parent().Type() != "attribute" {
				reads = append(reads, a)
			}
		}
	}
	for _, e := range reads {
		shown := e
		if c, ok := pyast.AsCall(e); ok && len(c.Positional) == 0 && len(c.Keywords) == 0 && c.Func.Type() == "attribute" {
			e = c.Func // `wallet.get_balance()`
		}
		if e.Type() != "attribute" {
			continue
		}
		name := e.ChildByField("attribute").Text()
		key, md := validatedRow(sf, f, smd, param, e.ChildByField("object"))
		if md == nil {
			continue
		}
		b := balanceOf(sf, md, name)
		if len(b.fields) > 0 || len(b.sums) > 0 {
			return shown, name, key, md
		}
		if strings.HasPrefix(name, "get_") && counterField(name[4:]) && sf.M.ModelMethod(md, name) != nil {
			return shown, name, key, md
		}
	}
	return pyast.Node{}, "", "", nil
}

// validatedRow resolves a row read from validate()'s data by a forward
// relation of the serializer's model (`attrs["wallet"]`,
// `attrs.get("wallet")`, or a local bound once to one of them, or to one
// of them `or` a fallback: `attrs.get("wallet") or self.instance.wallet`),
// when the serializer does not declare that field itself with a queryset
// that locks.
func validatedRow(sf *semantic.File, f *semantic.Func, smd *project.Model, param string, n pyast.Node) (string, *project.Model) {
	n = pyast.Unparen(n)
	if n.Type() == "identifier" {
		if bs := sf.Bindings(n, n.Text()); len(bs) == 1 {
			n = pyast.Unparen(bs[0])
		}
	}
	if n.Type() == "boolean_operator" && n.ChildByField("operator").Type() == "or" {
		n = pyast.Unparen(n.ChildByField("left"))
	}
	obj, k, ok := pyast.KeyRead(n)
	if !ok || pyast.Dotted(obj) != param {
		return "", nil
	}
	if v, _ := f.Class.Attr(k); !v.IsNil() && strings.Contains(v.Text(), "select_for_update") {
		return "", nil
	}
	if a := smd.Attr(k); a.Kind == project.AttrForward && a.Target != nil {
		return k, a.Target
	}
	return "", nil
}

// guarded reports a balance column the database keeps from going
// negative: a Positive*Field, or a model declaring a CheckConstraint.
func guarded(sf *semantic.File, md *project.Model, name string) bool {
	if fl := md.Field(name); fl != nil && strings.Contains(fl.Class, "Positive") {
		return true
	}
	cls := sf.M.ClassOfModel(md)
	if cls == nil {
		return true
	}
	for call := range pyast.FindEach(cls.Node, "call") {
		if strings.HasSuffix(pyast.Dotted(pyast.Unparen(call.ChildByField("function"))), "CheckConstraint") {
			return true
		}
	}
	return false
}
