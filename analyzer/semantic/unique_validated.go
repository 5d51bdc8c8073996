package semantic

import (
	"slices"
	"strings"

	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// UniqueValidatedBy returns a serializer or model form of the project that
// checks, before it writes, that the unique=True field name of md is not taken
// yet, or nil. A DRF ModelSerializer adds a UniqueValidator to each
// unique model field it derives, and a Django ModelForm's full_clean runs
// validate_unique over its fields: a repeated key is refused with a 400
// or a form error rather than written twice. The class must have md as
// Meta.model, take the field (Meta.fields names it or is "__all__", see
// SerializerCovers), not list it in Meta.read_only_fields, and be used
// for more than rendering (SerializerOnlyRenders). A field the class
// declares itself counts only when its validators name UniqueValidator:
// a declared field replaces the derived one and its validator.
func (m *Model) UniqueValidatedBy(md *project.Model, name string) *Class {
	if md == nil {
		return nil
	}
	for _, f := range m.Files() {
		for _, c := range f.Classes {
			if m.SerializerModel(c) != md {
				continue
			}
			covered, field := m.SerializerCovers(c, name)
			if !covered || field == nil || !field.Unique {
				continue
			}
			if readOnlyField(c, name) || m.SerializerOnlyRenders(c) {
				continue
			}
			if v, ok := declaredField(c, name); ok && !strings.Contains(v.Text(), "UniqueValidator") {
				continue
			}
			return c
		}
	}
	return nil
}

// declaredField returns the value of a field the class (or a project base)
// declares by assignment.
func declaredField(c *Class, name string) (pyast.Node, bool) {
	for _, cc := range append([]*Class{c}, c.Bases()...) {
		if v, ok := cc.Attrs[name]; ok {
			return v, true
		}
	}
	return pyast.Node{}, false
}

// readOnlyField reports a field listed in Meta.read_only_fields or
// declared with read_only=True.
func readOnlyField(c *Class, name string) bool {
	for _, cc := range append([]*Class{c}, c.Bases()...) {
		if meta := MetaClass(cc.Node); !meta.IsNil() {
			if _, names, _ := MetaList(meta, "read_only_fields"); slices.Contains(names, name) {
				return true
			}
		}
		if v, ok := cc.Attrs[name]; ok {
			if call, ok := pyast.AsCall(v); ok {
				if ro := call.Keywords["read_only"]; !ro.IsNil() && ro.Text() == "True" {
					return true
				}
			}
		}
	}
	return false
}
