package txn

import (
	_ "embed"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/rules/internal/effects"
)

//go:embed multimodelwrites.md
var multiModelWritesDoc string

// MultiModelWrites reports functions writing several models without a
// transaction.
var MultiModelWrites = &analyzer.Rule{
	Code:       "TXN003",
	Name:       "multi-model-writes-without-atomic",
	Doc:        multiModelWritesDoc,
	Category:   analyzer.DataIntegrity,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.1.0",
	Run:        runMultiModelWrites,
}

// runMultiModelWrites matches functions whose body writes at least two
// different models it can name (`A.objects.create`, `B.objects.filter().update`,
// `b = B(...); b.save()`) with no atomic block or decorator. It skips writes
// whose model is unknown (`obj.save()` on a parameter), views under
// ATOMIC_REQUESTS, functions called from an atomic block of the same file,
// tests and migrations. One finding per function, at the
// first write of the second model.
func runMultiModelWrites(p *analyzer.Pass) error {
	if skipFile(p) {
		return nil
	}
	f := effects.NewFile(p.Root, p.Imports)
	var calledInAtomic map[string]bool
	for _, fn := range effects.Functions(p.Root) {
		effs := f.Effects(fn)
		var first *effects.Effect
		firstModel := ""
		var locals map[string]string
		for i, e := range effs {
			if e.Kind != effects.DBWrite {
				continue
			}
			if locals == nil {
				locals = effects.LocalModels(fn)
			}
			m := effects.WriteModel(e, locals)
			if m == "" {
				continue
			}
			if first == nil {
				first, firstModel = &effs[i], m
				continue
			}
			if m == firstModel {
				continue
			}
			if effects.UsesAtomic(p.Imports, fn) || effects.InRequestTransaction(p.Project, p.Imports, fn) {
				break
			}
			if calledInAtomic == nil {
				calledInAtomic = effects.CalledInAtomic(p.Imports, p.Root)
			}
			if calledInAtomic[pyast.DefName(fn)] {
				break
			}
			p.Report(analyzer.Diagnostic{
				Range:   analyzer.RangeOf(e.Node()),
				Message: "`" + fn.ChildByField("name").Text() + "` writes `" + firstModel + "` and `" + m + "` without `transaction.atomic`",
				Help:    "wrap the related writes in `with transaction.atomic():` (or decorate the function with `@transaction.atomic`) so a failure between them leaves neither",
				Related: []analyzer.Related{{Range: analyzer.RangeOf(first.Node()), Message: "first write (`" + firstModel + "`)"}},
			})
			break
		}
	}
	return nil
}
