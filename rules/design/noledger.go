package design

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed noledger.md
var noLedgerDoc string

// BalanceWithoutLedger reports a balance the code moves (`balance +=`,
// `F("balance") - amount`) in a project with no model that records the
// operations: the balance is the only trace of every deposit and
// withdrawal.
var BalanceWithoutLedger = &analyzer.Rule{
	Code:       "ARC006",
	Name:       "balance-without-ledger",
	Doc:        noLedgerDoc,
	Category:   analyzer.Design,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.15.0",
	Skip:       semantic.ProductCode,
	Requires:   []project.Analysis{semantic.Project, unrecordedBalance},
	Run:        runBalanceWithoutLedger,
}

// balanceMove is the first place the project's code persists a change of
// an unrecorded balance: its file, the node range (the save() after the
// change, the change itself, or the update() call) and the field.
type balanceMove struct {
	unit  *project.Unit
	at    analyzer.Range
	what  string
	model *project.Model
	field *project.Field
}

// unrecordedBalance finds, in path and source order, the first change of a
// balance field that no model of the project records (see ledgerless),
// made by the project's code (not its tests, migrations or scripts): an
// augmented assignment (`wallet.balance += amount`), an assignment from the
// field itself (`wallet.balance = F("balance") - amount`), on a row of the
// model or `self` in its class, reported at the row's save() that follows
// in the same function when there is one; or a queryset update of the
// model (`Wallet.objects.filter(...).update(balance=F("balance") + x)`).
var unrecordedBalance = &project.ProjectAnalysis[*balanceMove]{Name: "design.unrecordedBalance", Run: func(ix *project.Index) *balanceMove {
	fields := ledgerless(ix)
	if len(fields) == 0 {
		return nil
	}
	for _, f := range semantic.Of(ix).Files() {
		if semantic.RolesOf(f.Unit).Any(semantic.ProductCode) || f.Unit.Tree == nil {
			continue
		}
		for n := range pyast.FindEach(f.Unit.Tree.Root(), "augmented_assignment", "assignment", "call") {
			if mv := balanceMoveAt(f, n, fields); mv != nil {
				return mv
			}
		}
	}
	return nil
}}

// ledgerless returns the balance fields (numeric, named balance or
// *_balance) of the concrete models that nothing else could record
// operations for: no other model points at the model, and no other
// concrete model has a field named for an amount.
func ledgerless(ix *project.Index) map[*project.Model]*project.Field {
	if ix.Models == nil {
		return nil
	}
	amounts := 0
	for _, md := range ix.Models.All {
		if md.Abstract || md.External {
			continue
		}
		for _, fl := range md.Fields {
			if strings.Contains(strings.ToLower(fl.Name), "amount") {
				amounts++
				break
			}
		}
	}
	out := map[*project.Model]*project.Field{}
	for _, md := range ix.Models.All {
		if md.Abstract || md.External || md.Proxy || !md.Complete {
			continue
		}
		bal := balanceField(md)
		if bal == nil {
			continue
		}
		pointed := false
		for _, r := range md.Reverse {
			if r.From != md {
				pointed = true
			}
		}
		own := 0
		for _, fl := range md.Fields {
			if strings.Contains(strings.ToLower(fl.Name), "amount") {
				own = 1
				break
			}
		}
		if pointed || amounts-own > 0 {
			continue
		}
		out[md] = bal
	}
	return out
}

// numericFields are the field classes a balance is kept in.
var numericFields = []string{"DecimalField", "IntegerField", "FloatField", "MoneyField"}

func balanceField(md *project.Model) *project.Field {
	for _, fl := range md.Fields {
		n := strings.ToLower(fl.Name)
		if n != "balance" && !strings.HasSuffix(n, "_balance") {
			continue
		}
		for _, k := range numericFields {
			if strings.HasSuffix(fl.Class, k) {
				return fl
			}
		}
	}
	return nil
}

// balanceMoveAt reads node n as a change of one of fields.
func balanceMoveAt(f *semantic.File, n pyast.Node, fields map[*project.Model]*project.Field) *balanceMove {
	switch n.Type() {
	case "augmented_assignment", "assignment":
		left := n.ChildByField("left")
		if left.Type() != "attribute" {
			return nil
		}
		name := left.ChildByField("attribute").Text()
		if n.Type() == "augmented_assignment" {
			if op := n.ChildByField("operator").Text(); op != "+=" && op != "-=" {
				return nil
			}
		} else if !movedFrom(n.ChildByField("right"), name) {
			return nil
		}
		obj := left.ChildByField("object")
		md := rowModel(f, obj)
		fl := fields[md]
		if fl == nil || fl.Name != name {
			return nil
		}
		mv := &balanceMove{unit: f.Unit, at: analyzer.RangeOf(n), what: "`" + left.Text() + "` is changed", model: md, field: fl}
		if save := saveAfter(n, obj); !save.IsNil() {
			mv.at, mv.what = analyzer.RangeOf(save), "`"+left.Text()+"` is changed and saved"
		}
		return mv
	case "call":
		c, ok := pyast.AsCall(n)
		if !ok || c.Func.Type() != "attribute" || c.MethodName() != "update" {
			return nil
		}
		q := f.Eval(c.Receiver())
		if q == nil || q.Model == nil || fields[q.Model] == nil {
			return nil
		}
		fl := fields[q.Model]
		if v := c.Keyword(fl.Name); !v.IsNil() && movedFrom(v, fl.Name) {
			return &balanceMove{unit: f.Unit, at: analyzer.RangeOf(n), what: "`" + fl.Name + "` is updated", model: q.Model, field: fl}
		}
	}
	return nil
}

// movedFrom reports a value computed from the field itself with + or -
// (`F("balance") + amount`, `wallet.balance - amount`).
func movedFrom(v pyast.Node, name string) bool {
	v = pyast.Unparen(v)
	if v.Type() != "binary_operator" {
		return false
	}
	if op := v.ChildByField("operator").Text(); op != "+" && op != "-" {
		return false
	}
	for _, side := range []pyast.Node{v.ChildByField("left"), v.ChildByField("right")} {
		side = pyast.Unparen(side)
		if side.Type() == "attribute" && side.ChildByField("attribute").Text() == name {
			return true
		}
		if c, ok := pyast.AsCall(side); ok && (pyast.Dotted(c.Func) == "F" || strings.HasSuffix(pyast.Dotted(c.Func), ".F")) && len(c.Positional) == 1 {
			if s, ok := pyast.StringValue(c.Positional[0]); ok && s == name {
				return true
			}
		}
	}
	return false
}

// rowModel returns the model of a row expression: an instance rubric
// knows, or `self` in a model's own method.
func rowModel(f *semantic.File, obj pyast.Node) *project.Model {
	if obj.Type() == "identifier" && obj.Text() == "self" {
		cls := semantic.ClassOf(obj)
		if cls.IsNil() || f.M.Graph == nil {
			return nil
		}
		return f.M.Graph.Lookup(f.Unit, pyast.DefName(cls))
	}
	md, _ := f.Instance(obj)
	return md
}

// saveAfter returns the first `obj.save(...)` after n in n's function.
func saveAfter(n, obj pyast.Node) pyast.Node {
	def := pyast.EnclosingFunction(n)
	if def.IsNil() {
		return pyast.Node{}
	}
	for call := range pyast.FindEach(pyast.Body(def), "call") {
		if call.StartByte() < n.EndByte() {
			continue
		}
		c, _ := pyast.AsCall(call)
		if c.Func.Type() == "attribute" && c.MethodName() == "save" && c.Receiver().Text() == obj.Text() {
			return call
		}
	}
	return pyast.Node{}
}

// runBalanceWithoutLedger reports the first persisted change of a balance
// no model records (unrecordedBalance), once per project, with the
// balance's declaration as a related place.
func runBalanceWithoutLedger(p *analyzer.Pass) error {
	mv := unrecordedBalance.Get(p.Project)
	if mv == nil || mv.unit != p.Unit {
		return nil
	}
	p.Report(analyzer.Diagnostic{
		Range: mv.at,
		Message: fmt.Sprintf("%s with no record of the operation: no model of the project keeps the deposits, withdrawals or transfers that move `%s.%s`, so nothing can be audited or reconciled, a disputed or repeated operation cannot be found, and the balance's history is lost",
			mv.what, mv.model.Name, mv.field.Name),
		Help:    fmt.Sprintf("record every operation as a row (a `Transaction` with a foreign key to `%s`, the amount, the kind and a unique reference) in the same `transaction.atomic()` as the balance change", mv.model.Name),
		Related: []analyzer.Related{{Path: mv.field.Path, Range: analyzer.Range{Start: mv.field.Start, End: mv.field.End}, Message: "the balance, the only trace of the operations"}},
	})
	return nil
}
