package bugs

import (
	"bytes"
	"maps"
	"slices"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

// ledgerCompared are the names product code reads in comparisons
// (attribute names and bare identifiers: `wallet.balance < amount`,
// `new_balance < 0`) and the fields its filters bound (`.filter(...,
// balance__gte=amount)`, a conditional update): a balance named in any of them is checked
// somewhere.
var ledgerCompared = &project.ProjectAnalysis[map[string]bool]{Name: "bugs.ledgerCompared", Run: func(ix *project.Index) map[string]bool {
	out := map[string]bool{}
	for _, f := range semantic.Of(ix).Files() {
		if semantic.RolesOf(f.Unit).Any(semantic.Test | semantic.Migration) {
			continue
		}
		for n := range pyast.FindEach(f.Unit.Tree.Root(), "comparison_operator", "keyword_argument") {
			if n.Type() == "keyword_argument" {
				call := n.Parent().Parent()
				if c, ok := pyast.AsCallHead(call); !ok || c.MethodName() != "filter" && c.MethodName() != "exclude" {
					continue
				}
				if field, op, ok := strings.Cut(n.ChildByField("name").Text(), "__"); ok && slices.Contains([]string{"gt", "gte", "lt", "lte"}, op) {
					out[strings.ToLower(field)] = true
				}
				continue
			}
			for id := range pyast.FindEach(n, "identifier") {
				out[strings.ToLower(id.Text())] = true
			}
		}
	}
	return out
}}

// ledgerWithoutFundsCheck is BUG052's reading of ledger rows. It matches,
// for each serializer of the file that a
// routed create action uses, a money-named numeric field of its model
// (the ledger row) that the serializer takes from the client signed: not
// a Positive*Field, no validators on the model field, no min_value,
// read_only or validators on a field the serializer declares, not in
// read_only_fields, no validate_<field>(). The row's model must point
// (a foreign key) at a model whose balance sums the rows: a @property
// named for a balance that aggregates or sums, or a column named for a
// balance that a method of either model or of the serializer assigns.
// The finding needs the balance unguarded (no Positive*Field, no
// validators, no CheckConstraint on either model) and unread: no
// comparison in product code names it (`wallet.balance < amount`,
// `new_balance < 0`), no filter bounds it (`balance__gte=`). Serializers
// whose endpoints cannot be told (a computed get_serializer_class) are
// left alone. One finding per serializer, at the field's declaration,
// else at Meta.fields, else at the class.
func ledgerWithoutFundsCheck(p *analyzer.Pass) {
	m := semantic.Of(p.Project)
	f := m.File(p.Unit)
	if f == nil {
		return
	}
	var creating map[*semantic.Class]bool
	for _, cls := range f.Classes {
		row := m.SerializerModel(cls)
		if row == nil {
			continue
		}
		if creating == nil {
			creating = createSerializers(m)
		}
		if !creating[cls] {
			continue
		}
		for _, fl := range row.Fields {
			if !signedAmount(m, row, fl) || !takenSigned(m, cls, fl.Name) {
				continue
			}
			acct, name := summedBalance(m, row, fl.Name, cls)
			if acct == nil {
				continue
			}
			if ledgerCompared.Get(p.Project)[strings.ToLower(name)] || checkedLike(p.Project, name) {
				continue
			}
			p.Report(analyzer.Diagnostic{
				Range: analyzer.RangeOf(reportAt(cls, fl.Name)),
				Message: "`" + row.Name + "." + fl.Name + "` is taken from the client signed and makes up `" + acct.Name + "." + name +
					"`, which nothing in the project compares: a debit larger than the balance is accepted and the balance goes negative",
				Help: "refuse the request when the balance would go below zero: check it on the row locked with `select_for_update()` in the `transaction.atomic()` that writes, " +
					"or guard the column with a `CheckConstraint` (balance >= 0) and answer the `IntegrityError` with a 400",
			})
			break
		}
	}
}

// createSerializers returns the serializer classes a routed create action
// (a DRF create, or a POST handler run by DRF's own create) may use.
func createSerializers(m *semantic.Model) map[*semantic.Class]bool {
	out := map[*semantic.Class]bool{}
	for _, e := range semantic.InventoryOf(m.Index).Endpoints {
		if e.Class == nil || e.Action != "create" && !(e.Action == "post" && e.Handler == nil) {
			continue
		}
		scs, known := m.EndpointSerializers(e)
		if !known {
			continue
		}
		for _, sc := range scs {
			out[sc] = true
		}
	}
	return out
}

// signedAmount reports a money-named numeric column of the ledger model
// that may hold a negative value: not a Positive*Field, no validators.
func signedAmount(m *semantic.Model, row *project.Model, fl *project.Field) bool {
	if fl.Kind != project.Plain || fl.NotEditable || !semantic.MoneyName(fl.Name, true) {
		return false
	}
	cls := fl.Class[strings.LastIndex(fl.Class, ".")+1:]
	if strings.Contains(cls, "Positive") || !slices.Contains([]string{"DecimalField", "IntegerField", "BigIntegerField", "FloatField", "SmallIntegerField"}, cls) {
		return false
	}
	return !fieldGuarded(m, row, fl.Name)
}

// fieldGuarded reports a model field declared with validators, or a model
// declaring a CheckConstraint.
func fieldGuarded(m *semantic.Model, md *project.Model, name string) bool {
	c := m.ClassOfModel(md)
	if c == nil {
		return true
	}
	for call := range pyast.FindEach(c.Node, "call") {
		if strings.HasSuffix(pyast.Dotted(pyast.Unparen(call.ChildByField("function"))), "CheckConstraint") {
			return true
		}
	}
	for st := range pyast.EachStatement(pyast.Body(c.Node)) {
		a := st.NamedChild(0)
		if st.Type() == "expression_statement" && a.Type() == "assignment" && a.ChildByField("left").Text() == name {
			return strings.Contains(a.ChildByField("right").Text(), "validators")
		}
	}
	return false
}

// takenSigned reports a serializer (or a project base) that takes name from
// the client with no bound: it covers the name, does not list it in
// read_only_fields, declares it (if it does) without min_value, read_only
// or validators, and has no validate_<name>().
func takenSigned(m *semantic.Model, sc *semantic.Class, name string) bool {
	if covered, _ := m.SerializerCovers(sc, name); !covered || sc.Method("validate_"+name) != nil {
		return false
	}
	for _, c := range append([]*semantic.Class{sc}, sc.Bases()...) {
		if v, ok := c.Attrs[name]; ok {
			t := v.Text()
			if strings.Contains(t, "min_value") || strings.Contains(t, "read_only") || strings.Contains(t, "validators") {
				return false
			}
		}
		if meta := semantic.MetaClass(c.Node); !meta.IsNil() {
			if _, ro, _ := semantic.MetaList(meta, "read_only_fields"); slices.Contains(ro, name) {
				return false
			}
			if _, ex, _ := semantic.MetaList(meta, "exclude"); slices.Contains(ex, name) {
				return false
			}
		}
	}
	return true
}

// summedBalance returns the model a foreign key of the ledger model points
// at, and the name of its balance, when the balance is made of the ledger
// rows: a @property named for a balance whose body aggregates or sums, or
// a column named for a balance, unguarded, that a method of the account
// model, of the ledger model or of the serializer assigns from the rows
// (an aggregate, a sum, or the amount itself).
func summedBalance(m *semantic.Model, row *project.Model, amount string, sc *semantic.Class) (*project.Model, string) {
	for _, fk := range row.Fields {
		at := row.Attr(fk.Name)
		if at.Kind != project.AttrForward || at.Target == nil || at.Target == row {
			continue
		}
		acct := at.Target
		ac := m.ClassOfModel(acct)
		if ac == nil {
			continue
		}
		for _, name := range slices.Sorted(maps.Keys(ac.Methods)) {
			if fn := ac.Methods[name]; fn.Property && balanceName(name) && sums(pyast.Body(fn.Node).Text()) {
				if !fieldGuarded(m, acct, name) {
					return acct, name
				}
			}
		}
		for _, fl := range acct.Fields {
			if fl.Kind != project.Plain || !balanceName(fl.Name) || strings.Contains(fl.Class, "Positive") || fieldGuarded(m, acct, fl.Name) {
				continue
			}
			for _, c := range []*semantic.Class{ac, m.ClassOfModel(row), sc} {
				if c != nil && assignsFromRows(c, fl.Name, amount) {
					return acct, fl.Name
				}
			}
			for _, fn := range rowReceivers.Get(m.Index)[row] {
				if assignsIn(fn.Node, fl.Name, amount) {
					return acct, fl.Name
				}
			}
		}
	}
	return nil, ""
}

// balanceName reports a name that holds "balance".
func balanceName(name string) bool { return strings.Contains(strings.ToLower(name), "balance") }

// sums reports code text that aggregates or sums.
func sums(text string) bool {
	return strings.Contains(text, "aggregate(") || strings.Contains(text, "Sum(") || strings.Contains(text, "sum(")
}

// assignsFromRows reports a method of c assigning `<x>.name` (or `+=`,
// `-=`) from an expression that sums or aggregates, or reads the amount.
func assignsFromRows(c *semantic.Class, name, amount string) bool {
	for _, fn := range c.Methods {
		if assignsIn(fn.Node, name, amount) {
			return true
		}
	}
	return false
}

// assignsIn reports the body of the function def assigning `<x>.name`
// (or `+=`, `-=`) from an expression that sums or aggregates, or reads
// the amount.
func assignsIn(def pyast.Node, name, amount string) bool {
	for n := range pyast.FindEach(pyast.Body(def), "assignment", "augmented_assignment") {
		l := n.ChildByField("left")
		if l.Type() != "attribute" || l.ChildByField("attribute").Text() != name {
			continue
		}
		r := n.ChildByField("right").Text()
		if sums(r) || strings.Contains(r, amount) {
			return true
		}
	}
	return false
}

// rowReceivers maps a model to the module functions of product code
// connected to its post_save (`@receiver(post_save, sender=M)`,
// `post_save.connect(fn, sender=M)`): a receiver that applies each new row
// to a balance (`instance.wallet.balance += instance.amount`) makes the
// balance of the rows as a save() override does.
var rowReceivers = &project.ProjectAnalysis[map[*project.Model][]*semantic.Func]{Name: "bugs.rowReceivers", Run: func(ix *project.Index) map[*project.Model][]*semantic.Func {
	out := map[*project.Model][]*semantic.Func{}
	for _, f := range semantic.Of(ix).Files() {
		if semantic.RolesOf(f.Unit).Any(semantic.Test|semantic.Migration) || !bytes.Contains(f.Unit.File.Src(), []byte("post_save")) {
			continue
		}
		connected := semantic.PostSaveSenders(f.Unit.Tree.Root())
		for _, fn := range f.Funcs {
			if fn.Class != nil {
				continue
			}
			sender, ok := semantic.PostSaveSender(fn.Node, connected)
			if !ok {
				continue
			}
			if md := ix.Models.Lookup(f.Unit, sender); md != nil {
				out[md] = append(out[md], fn)
			}
		}
	}
	return out
}}

// checkedLike reports a compared name that holds the balance's name
// (`new_balance`, `balance_after`): the balance is checked through a
// local.
func checkedLike(ix *project.Index, name string) bool {
	low := strings.ToLower(name)
	for n := range ledgerCompared.Get(ix) {
		if strings.Contains(n, low) {
			return true
		}
	}
	return false
}

// reportAt returns where the finding goes: the serializer's declaration
// of the field, else its Meta.fields, else the class name.
func reportAt(sc *semantic.Class, name string) pyast.Node {
	if v, ok := sc.Attrs[name]; ok {
		return v
	}
	if meta := semantic.MetaClass(sc.Node); !meta.IsNil() {
		if a, _, _ := semantic.MetaList(meta, "fields"); !a.IsNil() {
			return a
		}
	}
	return sc.Node.ChildByField("name")
}
