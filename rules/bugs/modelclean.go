package bugs

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed modelclean.md
var modelCleanDoc string

// ModelCleanNeverCalled reports a model whose clean() rejects rows that
// nothing ever runs: Django calls Model.clean() from full_clean() only
// (ModelForms and the admin do), never from save(), and DRF's
// ModelSerializer does not call it at all.
var ModelCleanNeverCalled = &analyzer.Rule{
	Code:              "BUG064",
	Name:              "model-clean-never-called",
	Doc:               modelCleanDoc,
	Category:          analyzer.Correctness,
	Severity:          analyzer.Warning,
	Confidence:        analyzer.Medium,
	Since:             "0.24.0",
	Stack:             project.Django,
	SkipOnSyntaxError: true,
	Skip:              semantic.ProductCode,
	Requires:          []project.Analysis{semantic.Project, semantic.Endpoints, fullCleanCalled},
	Run:               runModelCleanNeverCalled,
}

// fullCleanCalled is set when some product file calls full_clean() or
// clean_fields() on anything, or defines a ModelForm: that file may run
// the model's clean(), and no model of the project is judged.
var fullCleanCalled = &project.ProjectAnalysis[bool]{Name: "bugs.fullCleanCalled", Digest: digestBool, Run: func(ix *project.Index) bool {
	for _, f := range semantic.Of(ix).Files() {
		if semantic.RolesOf(f.Unit).Any(semantic.Test | semantic.Migration) {
			continue
		}
		for call := range pyast.FindEach(f.Unit.Tree.Root(), "call") {
			c, _ := pyast.AsCallHead(call)
			switch c.MethodName() {
			case "full_clean", "clean_fields":
				return true
			}
		}
		for _, c := range f.Classes {
			if c.DerivesFrom("django.forms.ModelForm", "django.forms.models.ModelForm") {
				return true
			}
		}
	}
	return false
}}

func digestBool(b bool) []byte {
	if b {
		return []byte{1}
	}
	return []byte{0}
}

// runModelCleanNeverCalled matches a concrete model of the file whose own
// clean() raises ValidationError, when no method of the model or its
// project bases calls self.clean() or self.full_clean(), nothing in the
// product calls full_clean() or defines a ModelForm, and a DRF
// ModelSerializer of the model exists whose classes define no validate()
// and no validate_<field>(): API writes through it skip the checks.
func runModelCleanNeverCalled(p *analyzer.Pass) error {
	sm := semantic.Of(p.Project)
	f := sm.File(p.Unit)
	if f == nil || sm.Graph == nil {
		return nil
	}
	var ser *semantic.Class
	for _, c := range f.Classes {
		md := sm.Graph.ByQual(c.Qual)
		clean := c.Methods["clean"]
		if md == nil || md.Abstract || clean == nil || !raisesValidationError(clean.Node) || callsOwnClean(c) {
			continue
		}
		if fullCleanCalled.Get(p.Project) {
			return nil
		}
		if ser = unvalidatingSerializer(sm, md); ser == nil {
			continue
		}
		p.Report(analyzer.Diagnostic{
			Range: analyzer.RangeOf(clean.Node.ChildByField("name")),
			Message: fmt.Sprintf("`%s.clean()` rejects invalid rows, but nothing runs it: `save()` does not call it, and DRF's `%s` saves without `full_clean()`, so API writes skip the check",
				c.Name, ser.Name),
			Help: "move the checks into the serializer's `validate()` (or a database constraint), or call `self.full_clean()` in the model's `save()`",
			Related: []analyzer.Related{{
				Path:    ser.File.Unit.File.Rel,
				Range:   analyzer.RangeOf(ser.Node.ChildByField("name")),
				Message: fmt.Sprintf("`%s` writes `%s` without validating it", ser.Name, c.Name),
			}},
		})
	}
	return nil
}

// raisesValidationError reports a raise of a ValidationError in fn's body.
func raisesValidationError(fn pyast.Node) bool {
	for r := range pyast.FindEach(fn, "raise_statement") {
		e := r.NamedChild(0)
		if c, ok := pyast.AsCallHead(e); ok {
			e = c.Func
		}
		if strings.HasSuffix(pyast.Dotted(e), "ValidationError") {
			return true
		}
	}
	return false
}

// callsOwnClean reports a method of c or of its project bases calling
// self.clean() or self.full_clean() (a save() that validates).
func callsOwnClean(c *semantic.Class) bool {
	for _, cc := range append([]*semantic.Class{c}, c.Bases()...) {
		for name, m := range cc.Methods {
			if name == "clean" {
				continue
			}
			for call := range pyast.FindEach(m.Node, "call") {
				h, _ := pyast.AsCallHead(call)
				if (h.MethodName() == "clean" || h.MethodName() == "full_clean") && semantic.IsSelfOrSuper(h.Receiver()) {
					return true
				}
			}
		}
	}
	return false
}

// unvalidatingSerializer returns the first DRF ModelSerializer (in path
// order) of md that an endpoint writes through; nil when there is none,
// or when any serializer of md (or a project base) defines validate() or
// validate_<field>(), which may repeat the model's checks.
func unvalidatingSerializer(sm *semantic.Model, md *project.Model) *semantic.Class {
	var first *semantic.Class
	for _, f := range sm.Files() {
		if semantic.RolesOf(f.Unit).Any(semantic.Test | semantic.Migration) {
			continue
		}
		for _, c := range f.Classes {
			if sm.SerializerModel(c) != md || !c.DerivesFrom(drfDictSerializers...) {
				continue
			}
			for _, cc := range append([]*semantic.Class{c}, c.Bases()...) {
				for name := range cc.Methods {
					if name == "validate" || strings.HasPrefix(name, "validate_") {
						return nil
					}
				}
			}
			if first == nil && writesThrough(sm, c) {
				first = c
			}
		}
	}
	return first
}

// writesThrough reports an endpoint that takes POST, PUT or PATCH and
// whose serializer is sc: a view's serializer_class (the framework's
// create or update, or a handler of its own), or a handler building
// sc(data=...) and saving it. A serializer only nested in another, or
// only rendering rows, writes nothing through the model's checks.
func writesThrough(sm *semantic.Model, sc *semantic.Class) bool {
	for _, e := range semantic.InventoryOf(sm.Index).Endpoints {
		if !writeMethod(e.Methods) {
			continue
		}
		if e.Handler != nil && e.Handler.Class == nil {
			if sm.HandlerSavesWith(e.Handler, sc) {
				return true
			}
			continue
		}
		if scs, _ := sm.EndpointSerializers(e); slices.Contains(scs, sc) {
			return true
		}
	}
	return false
}

func writeMethod(ms []string) bool {
	for _, m := range ms {
		switch m {
		case "POST", "PUT", "PATCH", "ANY":
			return true
		}
	}
	return false
}
