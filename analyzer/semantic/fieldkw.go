package semantic

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// ServerFilledField reports a model field the server fills itself: declared
// editable=False (a ModelSerializer or ModelForm makes it read-only, so the
// sender's value never reaches it) with a default= that supplies the value
// (`UUIDField(primary_key=True, editable=False, default=uuid.uuid4)`). A
// unique key of that kind is generated per row and de-duplicates nothing a
// client or provider sends. A non-editable key without a default is set by
// code, possibly from the request, and is not reported.
func (m *Model) ServerFilledField(md *project.Model, name string) bool {
	cls := m.ClassOfModel(md)
	if cls == nil {
		return false
	}
	v, _ := cls.Attr(name)
	c, ok := pyast.AsCall(pyast.Unparen(v))
	if !ok || c.StarKwargs {
		return false
	}
	return c.Keyword("editable").Text() == "False" && !c.Keyword("default").IsNil()
}

// RequiredColumn reports a model field whose column takes no NULL and
// that nothing fills when the code passes None: declared on the model's
// class (or a project base) with neither `null=True` nor `default=`, not
// an auto field, not `auto_now`/`auto_now_add`, not a primary key, not a
// many-to-many. A name ending in `_id` is read as its foreign key. An
// insert given None there fails in the database (IntegrityError).
func (m *Model) RequiredColumn(md *project.Model, name string) bool {
	cls := m.ClassOfModel(md)
	if cls == nil {
		return false
	}
	v, _ := cls.Attr(name)
	if v.IsNil() && len(name) > 3 && name[len(name)-3:] == "_id" {
		v, _ = cls.Attr(name[:len(name)-3])
	}
	c, ok := pyast.AsCall(pyast.Unparen(v))
	if !ok || c.StarKwargs {
		return false
	}
	switch lastName(pyast.Dotted(c.Func)) {
	case "AutoField", "BigAutoField", "SmallAutoField", "ManyToManyField", "GeneratedField":
		return false
	case "":
		return false
	}
	if !strings.HasSuffix(lastName(pyast.Dotted(c.Func)), "Field") && lastName(pyast.Dotted(c.Func)) != "ForeignKey" && lastName(pyast.Dotted(c.Func)) != "OneToOneField" {
		return false
	}
	for _, k := range []string{"default", "db_default"} {
		if !c.Keyword(k).IsNil() {
			return false
		}
	}
	for _, k := range []string{"null", "primary_key", "auto_now", "auto_now_add"} {
		if c.Keyword(k).Text() == "True" {
			return false
		}
	}
	return true
}
