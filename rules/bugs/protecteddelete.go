package bugs

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed protecteddelete.md
var protectedDeleteDoc string

// ProtectedDelete500 reports an endpoint that deletes rows of a model
// another model points at with on_delete=PROTECT (or RESTRICT), with
// nothing that answers the ProtectedError Django raises while such rows
// exist.
var ProtectedDelete500 = &analyzer.Rule{
	Code:       "BUG040",
	Name:       "protected-delete-500",
	Doc:        protectedDeleteDoc,
	Category:   analyzer.Correctness,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.13.0",
	Skip:       semantic.ProductCode,
	Distinct:   true,
	Requires:   []project.Analysis{semantic.Project, semantic.Endpoints, exceptionMiddleware},
	Run:        runProtectedDelete500,
}

// runProtectedDelete500 matches routed, judged endpoints whose effects
// delete rows of a model (DRF's destroy, a Django DeleteView, `row.delete()`
// or a queryset's delete() in the handler or the functions it calls) that
// another model's ForeignKey or OneToOneField protects (on_delete=PROTECT
// or RESTRICT). Silent when the project answers exceptions (a DRF
// EXCEPTION_HANDLER, a process_exception middleware), when the delete is
// under a try with an except, when the view overrides destroy() or
// perform_destroy() (it may check first), and when the model overrides
// delete(). One finding per view.
func runProtectedDelete500(p *analyzer.Pass) error {
	if p.Project.Models == nil {
		return nil
	}
	sm := semantic.Of(p.Project)
	seen := map[string]bool{}
	for _, e := range unansweredEndpoints(p) {
		if seen[e.View] || !e.Routed {
			continue
		}
		if e.Class != nil && (e.Class.Method("perform_destroy") != nil || e.Class.Method("destroy") != nil) {
			continue
		}
		for _, x := range e.Does.Effects {
			if x.Kind != semantic.WriteRows || !strings.HasSuffix(x.Name, "delete") || x.Model == "" {
				continue
			}
			if !x.Entry.IsNil() && underExcept(x.Entry) || !x.Call.IsNil() && underExcept(x.Call) {
				continue
			}
			md := x.ModelIn(p.Project)
			if md == nil || sm.ModelMethod(md, "delete") != nil {
				continue
			}
			rel := protector(md)
			if rel == nil {
				continue
			}
			seen[e.View] = true
			d := analyzer.Diagnostic{
				Range: analyzer.RangeOf(e.ViewNode()),
				Message: fmt.Sprintf("`%s` (DELETE%s) deletes `%s` rows, which `%s.%s` protects (on_delete=%s): deleting one that still has %s raises `%s`, a 500 instead of a 409 the client can act on",
					e.ViewName(), e.AtRoute(), md.Name, rel.From.Name, rel.Field.Name, rel.Field.OnDelete, relName(rel), errorName(rel.Field.OnDelete)),
				Help: fmt.Sprintf("check `%s` first and answer 409 (or archive the row instead of deleting it), or catch `%s` and answer 409", relName(rel), errorName(rel.Field.OnDelete)),
			}
			if rel.Field.Path != "" {
				d.Related = []analyzer.Related{{Path: rel.Field.Path, Range: analyzer.Range{Start: rel.Field.Start, End: rel.Field.End},
					Message: fmt.Sprintf("`%s.%s` protects `%s` rows", rel.From.Name, rel.Field.Name, md.Name)}}
			}
			p.Report(d)
			break
		}
	}
	return nil
}

// protector returns the first relation another model declares to md with
// on_delete=PROTECT or RESTRICT, or nil.
func protector(md *project.Model) *project.Relation {
	for _, r := range md.Reverse {
		if r.Field != nil && r.Field.OnDelete != "" && r.From != md {
			return r
		}
	}
	return nil
}

func relName(r *project.Relation) string {
	if r.Many() {
		return "`" + r.Name + "`"
	}
	return "a `" + r.Name + "`"
}

func errorName(onDelete string) string {
	if onDelete == "RESTRICT" {
		return "RestrictedError"
	}
	return "ProtectedError"
}
