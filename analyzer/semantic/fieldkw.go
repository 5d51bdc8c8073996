package semantic

import (
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
