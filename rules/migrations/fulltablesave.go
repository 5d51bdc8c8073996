package migrations

import (
	_ "embed"
	"fmt"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
)

//go:embed fulltablesave.md
var fullTableSaveDoc string

// FullTableSave reports data migrations that load a whole table and save
// its rows one at a time.
var FullTableSave = &analyzer.Rule{
	Code:       "MIG009",
	Name:       "data-migration-saves-whole-table",
	Doc:        fullTableSaveDoc,
	Category:   analyzer.Migrations,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.1.0",
	Stack:      project.Django,
	Options:    releasedOptions,
	Run:        runFullTableSave,
}

// runFullTableSave matches, inside functions named by RunPython in the same
// file, `for x in M.objects.all():` (or .iterator(), with only ordering or
// loading modifiers in the chain, no filter) whose body calls `x.save(...)`.
// A filtered queryset, a slice, or a save of another object is not reported.
func runFullTableSave(p *analyzer.Pass) error {
	for _, fn := range runPythonFuncs(p) {
		for loop := range pyast.FindEach(pyast.Body(fn), "for_statement") {
			vars := pyast.Identifiers(loop.ChildByField("left"))
			if len(vars) != 1 {
				continue
			}
			model, ok := wholeTable(loop.ChildByField("right"))
			if !ok {
				continue
			}
			var save pyast.Node
			for c := range pyast.FindEachShallow(pyast.Body(loop), "call") {
				call, _ := pyast.AsCall(c)
				if call.MethodName() == "save" && call.Receiver().Type() == "identifier" && call.Receiver().Text() == vars[0] {
					save = c
					break
				}
			}
			if save.IsNil() {
				continue
			}
			p.Report(analyzer.Diagnostic{
				Range: analyzer.Span(loop, loop.ChildByField("right")),
				Message: fmt.Sprintf("data migration `%s` saves every `%s` row one by one: one UPDATE per row, inside the migration's transaction",
					pyast.DefName(fn), model),
				Help: "update in one statement (`" + model + ".objects.update(...)` with `F()`/`Case`), or " +
					"`bulk_update(..., batch_size=1000)` over `.iterator(chunk_size=1000)`, only on the rows that need it",
				Related: []analyzer.Related{{Range: analyzer.RangeOf(save), Message: "saved here"}},
			})
		}
	}
	return nil
}

// wholeTable recognises M.objects.all() and friends: a manager followed by
// methods that neither filter nor slice.
func wholeTable(n pyast.Node) (string, bool) {
	n = pyast.Unparen(n)
	sawAll := false
	for {
		c, ok := pyast.AsCall(n)
		if !ok {
			break
		}
		switch c.MethodName() {
		case "all", "iterator":
			sawAll = true
		case "select_related", "prefetch_related", "only", "defer", "order_by", "using":
		default:
			return "", false
		}
		n = c.Receiver()
	}
	if n.Type() != "attribute" {
		return "", false
	}
	switch n.ChildByField("attribute").Text() {
	case "objects", "_default_manager", "_base_manager":
	default:
		return "", false
	}
	return pyast.Dotted(n.ChildByField("object")), sawAll
}
