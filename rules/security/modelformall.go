package security

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed modelformall.md
var modelFormAllDoc string

// ModelFormAllFields reports ModelForm/ModelSerializer Meta with fields = "__all__".
var ModelFormAllFields = &analyzer.Rule{
	Code:       "SEC011",
	Name:       "model-form-all-fields",
	Doc:        modelFormAllDoc,
	Category:   analyzer.Security,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.1.0",
	Skip:       semantic.Test,
	Run:        runModelFormAllFields,
}

// runModelFormAllFields matches `fields = "__all__"` in the Meta of a class
// deriving (by name, directly) from a ModelForm or ModelSerializer, and
// fields="__all__" passed to modelform_factory/modelformset_factory/
// inlineformset_factory. It skips serializers named for output only (Read,
// List, Output, Response) and test files.
func runModelFormAllFields(p *analyzer.Pass) error {
	for _, n := range pyast.FindAll(p.Root, "class_definition", "call") {
		switch n.Type() {
		case "class_definition":
			if hasWord(pyast.DefName(n), "read", "readonly", "list", "output", "response", "lite", "activity", "log", "expand", "summary", "minimal") {
				continue
			}
			for _, s := range pyast.Statements(pyast.Body(n)) {
				if s.Type() != "class_definition" || pyast.DefName(s) != "Meta" {
					continue
				}
				kind := formKind(n, s)
				if kind == "" {
					continue
				}
				var all pyast.Node
				readOnly := false
				for _, a := range pyast.FindAllShallow(pyast.Body(s), "assignment") {
					switch a.ChildByField("left").Text() {
					case "fields":
						if v, ok := pyast.StringValue(a.ChildByField("right")); ok && v == "__all__" {
							all = a
						}
					case "read_only_fields":
						readOnly = true
					}
				}
				if all.IsNil() {
					continue
				}
				d := analyzer.Diagnostic{
					Range:   analyzer.RangeOf(all),
					Message: fmt.Sprintf("%s `%s` accepts every model field (`fields = \"__all__\"`), including ones clients must not set", kind, pyast.DefName(n)),
					Help:    "list the fields clients may write: `fields = [\"name\", \"email\"]` (and `read_only_fields` for the rest); a field added to the model later is then not writable by accident",
				}
				if readOnly {
					d.Confidence = analyzer.Low
					d.Message = fmt.Sprintf("%s `%s` accepts every model field not in `read_only_fields` (`fields = \"__all__\"`), so a new model field is writable by default", kind, pyast.DefName(n))
				}
				p.Report(d)
			}
		case "call":
			switch string(pyast.CalleeName(n)) {
			case "modelform_factory", "modelformset_factory", "inlineformset_factory":
			default:
				continue
			}
			c, _ := pyast.AsCall(n)
			switch c.MethodName() {
			case "modelform_factory", "modelformset_factory", "inlineformset_factory":
				if v, ok := pyast.StringValue(c.Keyword("fields")); ok && v == "__all__" {
					p.Report(analyzer.Diagnostic{
						Range:   analyzer.RangeOf(c.KeywordArg["fields"]),
						Message: fmt.Sprintf("`%s(fields=\"__all__\")` accepts every model field", c.MethodName()),
						Help:    "pass the list of fields the form may write: `fields=[\"name\", \"email\"]`",
					})
				}
			}
		}
	}
	return nil
}

// formKind returns "ModelForm" or "serializer" when a base class is named
// like one (a name ending in ModelForm or ModelSerializer; or in Form or
// Serializer when the Meta names a model, as project base classes such as
// BaseSerializer(ModelSerializer) do), else "".
func formKind(cls pyast.Node, meta pyast.Node) string {
	hasModel := false
	for _, a := range pyast.FindAllShallow(pyast.Body(meta), "assignment") {
		if a.ChildByField("left").Text() == "model" {
			hasModel = true
		}
	}
	for _, b := range cls.ChildByField("superclasses").NamedChildren() {
		name := lastName(b)
		switch {
		case strings.HasSuffix(name, "ModelForm"), hasModel && strings.HasSuffix(name, "Form"):
			return "ModelForm"
		case strings.HasSuffix(name, "ModelSerializer"), hasModel && strings.HasSuffix(name, "Serializer"):
			return "serializer"
		}
	}
	return ""
}
