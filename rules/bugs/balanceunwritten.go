package bugs

import (
	"bytes"
	_ "embed"
	"maps"
	"slices"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed balanceunwritten.md
var balanceUnwrittenDoc string

// BalanceNeverWritten reports a create endpoint for rows that carry an
// amount and point at an account whose stored balance nothing in the
// project ever writes: each row is inserted and the balance stays at its
// default.
var BalanceNeverWritten = &analyzer.Rule{
	Code:              "BUG073",
	Name:              "balance-never-written",
	Doc:               balanceUnwrittenDoc,
	Category:          analyzer.Correctness,
	Severity:          analyzer.Error,
	Confidence:        analyzer.Medium,
	Since:             "0.27.0",
	Stack:             project.Django,
	SkipOnSyntaxError: true,
	Skip:              semantic.ProductCode,
	Requires:          requires,
	Run:               runBalanceNeverWritten,
}

// numericColumns are the model field classes a stored balance is kept in.
var numericColumns = []string{"DecimalField", "IntegerField", "BigIntegerField", "FloatField", "SmallIntegerField",
	"PositiveIntegerField", "PositiveBigIntegerField", "PositiveSmallIntegerField", "MoneyField"}

// unwrittenBalances maps each project model to the numeric column named
// for a balance that nothing in the project writes: no assignment to an
// attribute of that name (`wallet.balance = ...`, `+=`, `-=`, anywhere in
// code that is not a test), no keyword of that name in a call other than
// a lookup (`update(balance=...)`, `create(balance=0)`), no string of that
// name handed to setattr, F() or update_fields, no SQL in the project
// (migrations included: a trigger) naming it, no method or property of
// the model named for a balance, and no model serializer or form taking
// it from a client.
var unwrittenBalances = &project.ProjectAnalysis[map[*project.Model]string]{Name: "bugs.unwrittenBalances", Run: func(ix *project.Index) map[*project.Model]string {
	m := semantic.Of(ix)
	cands := map[string][]*project.Model{}
	for _, md := range ix.Models.All {
		c := m.ClassOfModel(md)
		if c == nil || semantic.RolesOf(c.File.Unit).Any(semantic.ProductCode) {
			continue
		}
		for _, fl := range md.Fields {
			cls := fl.Class[strings.LastIndex(fl.Class, ".")+1:]
			if fl.Kind != project.Plain || fl.Model != md || !balanceName(fl.Name) || !slices.Contains(numericColumns, cls) {
				continue
			}
			if slices.ContainsFunc(slices.Collect(maps.Keys(c.Methods)), balanceName) {
				continue // a balance computed by the model itself
			}
			cands[fl.Name] = append(cands[fl.Name], md)
		}
	}
	if len(cands) == 0 {
		return nil
	}
	written := map[string]bool{}
	for _, f := range m.Files() {
		src := f.Unit.File.Src()
		roles := semantic.RolesOf(f.Unit)
		for name := range cands {
			if written[name] || !bytes.Contains(src, []byte(name)) {
				continue
			}
			if roles.Any(semantic.Migration) {
				written[name] = sqlNames(src, name)
				continue
			}
			if roles.Any(semantic.Test) {
				continue
			}
			written[name] = writesName(f, name)
		}
	}
	out := map[*project.Model]string{}
	for name, mds := range cands {
		if written[name] {
			continue
		}
		for _, md := range mds {
			if !clientWritesBalance(m, md, name) {
				out[md] = name
			}
		}
	}
	return out
}}

// sqlNames reports SQL text in src (a RunSQL, a trigger) that names the
// column: a string literal holding both the name and an SQL verb.
func sqlNames(src []byte, name string) bool {
	low := bytes.ToLower(src)
	return bytes.Contains(low, []byte("runsql")) || bytes.Contains(low, []byte("trigger")) || bytes.Contains(low, []byte("update ")) && bytes.Contains(low, []byte(name))
}

// readingCalls are the calls whose keywords read a column rather than
// write it.
var readingCalls = map[string]bool{"filter": true, "exclude": true, "get": true, "Q": true, "order_by": true,
	"get_object_or_404": true, "get_list_or_404": true, "values": true, "values_list": true, "only": true, "defer": true}

// writesName reports code in f that may write the column name: an
// assignment to an attribute of that name, a keyword of that name in a
// call other than a lookup, a string of that name given to a call
// (setattr, F(), update_fields), raw SQL naming it.
func writesName(f *semantic.File, name string) bool {
	for n := range pyast.FindEach(f.Unit.Tree.Root(), "assignment", "augmented_assignment", "keyword_argument", "string") {
		switch n.Type() {
		case "assignment", "augmented_assignment":
			for l := range pyast.FindEach(n.ChildByField("left"), "attribute") {
				if l.ChildByField("attribute").Text() == name {
					return true
				}
			}
		case "keyword_argument":
			if n.ChildByField("name").Text() != name {
				continue
			}
			if call, ok := pyast.AsCall(n.Parent().Parent()); ok && readingCalls[string(pyast.CalleeName(call.Node))] {
				continue
			}
			return true
		case "string":
			v, ok := pyast.StringValue(n)
			if !ok {
				continue
			}
			if v == name {
				if call, ok := pyast.AsCall(n.Parent().Parent()); ok && !readingCalls[string(pyast.CalleeName(call.Node))] {
					return true // setattr(w, "balance", v), F("balance"), update_fields=["balance"]
				}
				if p := n.Parent(); p.Is("list", "tuple") && p.Parent().Type() == "keyword_argument" && p.Parent().ChildByField("name").Text() == "update_fields" {
					return true
				}
				continue
			}
			if strings.Contains(v, name) && strings.Contains(strings.ToUpper(v), "UPDATE ") {
				return true
			}
		}
	}
	return false
}

// clientWritesBalance reports a model serializer or model form of md that
// covers the column and does not make it read-only: the client writes it
// (SEC020's finding), so it is written.
func clientWritesBalance(m *semantic.Model, md *project.Model, name string) bool {
	for _, f := range m.Files() {
		if semantic.RolesOf(f.Unit).Any(semantic.ProductCode) {
			continue
		}
		for _, c := range f.Classes {
			if m.SerializerModel(c) != md {
				continue
			}
			if covered, _ := m.SerializerCovers(c, name); !covered {
				continue
			}
			if v, ok := c.Attrs[name]; ok && strings.Contains(v.Text(), "read_only") {
				continue
			}
			if meta := semantic.MetaClass(c.Node); !meta.IsNil() {
				if a, ro, _ := semantic.MetaList(meta, "read_only_fields"); slices.Contains(ro, name) || !a.IsNil() && !pyast.Unparen(a.Parent().ChildByField("right")).Is("list", "tuple") {
					continue
				}
			}
			return true
		}
	}
	return false
}

// runBalanceNeverWritten matches, in the views of the file, a routed
// create (DRF's create, or a POST that DRF's own create runs) whose
// serializer's model has a money-named numeric column and a foreign key
// to a model whose stored balance nothing writes (unwrittenBalances). One
// finding per view class and balance, at the class.
func runBalanceNeverWritten(p *analyzer.Pass) error {
	unwritten := unwrittenBalances.Get(p.Project)
	if len(unwritten) == 0 {
		return nil
	}
	m := semantic.Of(p.Project)
	f := m.File(p.Unit)
	if f == nil {
		return nil
	}
	seen := map[*semantic.Class]bool{}
	for _, e := range semantic.InventoryOf(p.Project).InFile(f) {
		if e.Class == nil || seen[e.Class] || !e.Routed || e.Action != "create" && !(e.Action == "post" && e.Handler == nil) {
			continue
		}
		scs, known := m.EndpointSerializers(e)
		if !known {
			continue
		}
		for _, sc := range scs {
			row := m.SerializerModel(sc)
			if row == nil || !carriesAmount(row) {
				continue
			}
			for _, fl := range row.Fields {
				at := row.Attr(fl.Name)
				if at.Kind != project.AttrForward || at.Target == nil || at.Target == row {
					continue
				}
				name, ok := unwritten[at.Target]
				if !ok || seen[e.Class] {
					continue
				}
				seen[e.Class] = true
				var related []analyzer.Related
				if ac := m.ClassOfModel(at.Target); ac != nil {
					if v, ok := ac.Attrs[name]; ok {
						related = []analyzer.Related{{Path: ac.File.Unit.File.Rel, Range: analyzer.RangeOf(v), Message: "the balance, which no code writes"}}
					}
				}
				p.Report(analyzer.Diagnostic{
					Range: analyzer.RangeOf(e.Class.Node.ChildByField("name")),
					Message: "`" + e.Class.Name + "` creates `" + row.Name + "` rows that point at `" + at.Target.Name + "`, but nothing in the project writes `" +
						at.Target.Name + "." + name + "`: every row is stored and the balance stays at its default",
					Help:    "apply each row to the balance in the same `transaction.atomic()` as the insert (`" + at.Target.Name + ".objects.filter(pk=...).update(" + name + "=F(\"" + name + "\") + amount)`), or drop the column and compute the balance from the rows",
					Related: related,
				})
			}
		}
	}
	return nil
}

// carriesAmount reports a model with a money-named numeric column: a row
// that moves money.
func carriesAmount(md *project.Model) bool {
	for _, fl := range md.Fields {
		cls := fl.Class[strings.LastIndex(fl.Class, ".")+1:]
		if fl.Kind == project.Plain && !balanceName(fl.Name) && semantic.MoneyName(fl.Name, true) && slices.Contains(numericColumns, cls) {
			return true
		}
	}
	return false
}
