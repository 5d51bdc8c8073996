package security

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

// runningBalances are the decimal columns the project's own code keeps as
// running totals, whatever their name (`money_amount`, `billing`): product
// code adds to or subtracts from them in place (`row.money_amount -=
// amount`). A column a transfer moves is a balance a client must not set.
// A name is taken when exactly one model of the project declares a
// DecimalField so named, or, when several do, for the model of the row the
// statement changes as the semantic model resolves it (`wallet =
// Wallet.objects.select_for_update().get(pk=pk)`, then `wallet.amount -=
// amount`, with an Operation model also declaring `amount`; since session
// 25); keyed by the model's qualified name.
var runningBalances = &project.ProjectAnalysis[map[string]map[string]bool]{Name: "security.runningBalances", Run: func(ix *project.Index) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	if ix.Models == nil {
		return out
	}
	declared := map[string][]*project.Model{}
	for _, m := range ix.Models.All {
		if m.External || m.Abstract {
			continue
		}
		for _, f := range m.Fields {
			if strings.HasSuffix(f.Class, "DecimalField") && f.Path == m.Path {
				declared[f.Name] = append(declared[f.Name], m)
			}
		}
	}
	if len(declared) == 0 {
		return out
	}
	for _, u := range ix.Units {
		if u.Tree == nil || semantic.RolesOf(u).Any(semantic.Test|semantic.Migration) {
			continue
		}
		for a := range pyast.FindEach(u.Tree.Root(), "augmented_assignment") {
			op := a.ChildByField("operator").Text()
			left := a.ChildByField("left")
			if op != "+=" && op != "-=" || left.Type() != "attribute" {
				continue
			}
			name := left.ChildByField("attribute").Text()
			ms := declared[name]
			if len(ms) > 1 {
				ms = rowModel(ix, u, left.ChildByField("object"), ms)
			}
			if len(ms) == 1 {
				q := ms[0].Qual
				if out[q] == nil {
					out[q] = map[string]bool{}
				}
				out[q][name] = true
			}
		}
	}
	return out
}}

// rowModel returns, among ms, the model of the row obj holds as the
// semantic model resolves it; nil when it resolves to none of them.
func rowModel(ix *project.Index, u *project.Unit, obj pyast.Node, ms []*project.Model) []*project.Model {
	md, _ := semantic.Of(ix).File(u).Instance(obj)
	if md == nil {
		return nil
	}
	for _, m := range ms {
		if m.Qual == md.Qual {
			return []*project.Model{m}
		}
	}
	return nil
}
