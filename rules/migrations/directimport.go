package migrations

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
)

//go:embed directimport.md
var directImportDoc string

// DirectModelImport reports RunPython functions that use model classes
// imported from a models module instead of apps.get_model.
var DirectModelImport = &analyzer.Rule{
	Code:       "MIG008",
	Name:       "data-migration-imports-model",
	Doc:        directImportDoc,
	Category:   analyzer.Migrations,
	Severity:   analyzer.Warning,
	Confidence: analyzer.High,
	Since:      "0.1.0",
	Stack:      project.Django,
	Options:    releasedOptions,
	Run:        runDirectModelImport,
}

// runDirectModelImport matches, inside functions named by RunPython in
// the same file, a name imported from a models module (anywhere in the
// file) and used as a model: `X.objects`, `X._default_manager`, `X(...)`,
// `X.DoesNotExist`. It skips names the function rebinds (`Order =
// apps.get_model(...)`), django.db.models, models of modules outside the
// analysed tree (contrib apps, third-party packages), and functions from
// other modules.
func runDirectModelImport(p *analyzer.Pass) error {
	for _, fn := range runPythonFuncs(p) {
		local := assignedNames(fn)
		seen := map[string]bool{}
		pyast.Inspect(pyast.Body(fn), func(n pyast.Node) bool {
			var ref pyast.Node
			switch n.Type() {
			case "attribute":
				switch n.ChildByField("attribute").Text() {
				case "objects", "_default_manager", "_base_manager", "DoesNotExist":
					ref = n.ChildByField("object")
				}
			case "call":
				ref = n.ChildByField("function")
			}
			if ref.IsNil() || (ref.Type() != "identifier" && ref.Type() != "attribute") {
				return true
			}
			d := pyast.Dotted(ref)
			if d == "" || seen[d] || local[d] || !classLike(lastPart(d)) {
				return true
			}
			q, ok := p.Imports.Resolve(ref)
			if !ok || !modelsModule(q) || !projectModule(p, q) {
				return true
			}
			seen[d] = true
			p.Report(analyzer.Diagnostic{
				Range: analyzer.RangeOf(ref),
				Message: fmt.Sprintf("data migration `%s` uses `%s` imported from `%s` instead of `apps.get_model`",
					pyast.DefName(fn), d, q),
				Help: "use the historical model: `" + lastPart(d) + " = apps.get_model(\"app_label\", \"" + lastPart(d) +
					"\")`; the imported class follows today's models.py, not the schema at this migration",
			})
			return true
		})
	}
	return nil
}

// classLike reports a capitalised name: model classes are, the methods
// called on them (`get_for_model`) are not.
func classLike(name string) bool { return name != "" && name[0] >= 'A' && name[0] <= 'Z' }

// projectModule reports whether the module a qualified name lives in is
// part of the analysed tree (or a relative import): the models of Django's
// contrib apps and of third-party packages change rarely, and are left alone.
func projectModule(p *analyzer.Pass, q string) bool {
	if strings.HasPrefix(q, ".") {
		return true
	}
	i := strings.LastIndex(q, ".")
	if i < 0 {
		return false
	}
	mod := q[:i]
	if _, ok := p.Project.ByModule[mod]; ok {
		return true
	}
	// The analysed root may sit above the import root ("src/shop/models.py").
	for _, u := range p.Project.Units {
		if strings.HasSuffix(u.Module, "."+mod) {
			return true
		}
	}
	return false
}

func lastPart(d string) string {
	for i := len(d) - 1; i >= 0; i-- {
		if d[i] == '.' {
			return d[i+1:]
		}
	}
	return d
}
