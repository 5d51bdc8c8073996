package bugs

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
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
	Stack:      project.Django,
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
			rel := protector(md, x.Call)
			if rel == nil {
				continue
			}
			seen[e.View] = true
			d := analyzer.Diagnostic{
				Range: analyzer.RangeOf(e.ViewNode()),
				Message: fmt.Sprintf("`%s` (%s%s) deletes `%s` rows, which `%s.%s` protects (on_delete=%s): deleting one that still has %s raises `%s`, a 500 instead of a 409 the client can act on",
					e.ViewName(), methodsLabel(e.Methods), e.AtRoute(), md.Name, rel.From.Name, rel.Field.Name, rel.Field.OnDelete, relName(rel), errorName(rel.Field.OnDelete)),
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
// on_delete=PROTECT or RESTRICT whose rows the function deleting md's does
// not delete first, or nil.
func protector(md *project.Model, del pyast.Node) *project.Relation {
	for _, r := range md.Reverse {
		if r.Field != nil && r.Field.OnDelete != "" && r.From != md && !clearedBefore(del, r) {
			return r
		}
	}
	return nil
}

// clearedBefore reports a delete, earlier in the function making del, of
// the protecting rows: through the protecting model filtered on the
// relation (`OrderItem.objects.filter(permit__in=permits).delete()`) or
// through the related manager (`permit.order_items.all().delete()`); or
// the protecting rows pointed elsewhere first, as a merge does: an
// update of the relation's field through the same querysets
// (`dup.ratings.update(question=base)`), or a loop over the related
// manager that sets it on each row (`for r in dup.ratings.all():
// r.question = base; r.save()`).
func clearedBefore(del pyast.Node, r *project.Relation) bool {
	if del.IsNil() {
		return false
	}
	fn := pyast.Ancestor(del, "function_definition")
	if fn.IsNil() {
		return false
	}
	if repointedBefore(fn, del, r) {
		return true
	}
	for call := range pyast.FindEach(pyast.Body(fn), "call") {
		if call.StartByte() >= del.StartByte() {
			break
		}
		c, _ := pyast.AsCall(call)
		if c.Func.Type() != "attribute" {
			continue
		}
		switch c.MethodName() {
		case "delete":
		case "update":
			if !setsRelation(c, r) {
				continue
			}
		default:
			continue
		}
		recv := c.Receiver()
		text := recv.Text()
		if strings.Contains(text, "."+r.Name+".") || strings.HasSuffix(text, "."+r.Name) {
			return true
		}
		if !strings.HasPrefix(text, r.From.Name+".objects") {
			continue
		}
		for inner := range pyast.FindEach(recv, "call") {
			ic, _ := pyast.AsCall(inner)
			for k := range ic.EachKeyword() {
				if k == r.Field.Name || k == r.Field.Name+"_id" || strings.HasPrefix(k, r.Field.Name+"__") {
					return true
				}
			}
		}
	}
	return false
}

// methodsLabel names the methods an endpoint answers: "DELETE" when it is
// one of them, else the list ("POST").
func methodsLabel(ms []string) string {
	for _, m := range ms {
		if m == "DELETE" {
			return "DELETE"
		}
	}
	if len(ms) == 0 {
		return "DELETE"
	}
	return strings.Join(ms, ", ")
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

// setsRelation reports an update() call that sets the relation's field
// (`update(question=base)`, `update(question_id=base.pk)`).
func setsRelation(c pyast.Call, r *project.Relation) bool {
	for k := range c.EachKeyword() {
		if k == r.Field.Name || k == r.Field.Name+"_id" {
			return true
		}
	}
	return false
}

// repointedBefore reports a loop, before del in fn, over the related
// manager (`for rating in question.ratings.all():`) whose body sets the
// relation's field on the loop's row (`rating.question = base`).
func repointedBefore(fn, del pyast.Node, r *project.Relation) bool {
	for loop := range pyast.FindEach(pyast.Body(fn), "for_statement") {
		if loop.StartByte() >= del.StartByte() {
			break
		}
		it := loop.ChildByField("right").Text()
		if !strings.Contains(it, "."+r.Name+".") && !strings.HasSuffix(it, "."+r.Name) {
			continue
		}
		target := loop.ChildByField("left")
		if target.Type() != "identifier" {
			continue
		}
		for a := range pyast.FindEach(loop.ChildByField("body"), "assignment") {
			l := a.ChildByField("left")
			if l.Type() != "attribute" || l.ChildByField("object").Text() != target.Text() {
				continue
			}
			if at := l.ChildByField("attribute").Text(); at == r.Field.Name || at == r.Field.Name+"_id" {
				return true
			}
		}
	}
	return false
}
