package semantic

import (
	"slices"

	"github.com/rubric-dev/rubric/analyzer/project"
)

// SerializerCovers reports whether the serializer class sc (or a project
// base of it) takes the payload key name: a field declared on the class
// (`name = serializers.X(...)`), or a name its Meta.fields lists, or any
// field of Meta.model when Meta.fields is "__all__". field is the model
// field of that name when the serializer's model has one (nil otherwise).
// Meta.exclude and read_only_fields are not read: a caller that needs
// validation of the key must not rely on more than "the serializer names
// it".
func (m *Model) SerializerCovers(sc *Class, name string) (covered bool, field *project.Field) {
	if sc == nil {
		return false, nil
	}
	md := m.SerializerModel(sc)
	if md != nil {
		field = md.Field(name)
	}
	for _, c := range append([]*Class{sc}, sc.Bases()...) {
		if _, ok := c.Attrs[name]; ok {
			return true, field
		}
		meta := MetaClass(c.Node)
		if meta.IsNil() {
			continue
		}
		if _, names, all := MetaList(meta, "fields"); all && field != nil || slices.Contains(names, name) {
			return true, field
		}
	}
	return false, field
}
