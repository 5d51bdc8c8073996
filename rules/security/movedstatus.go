package security

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

// statusSite is where product code moves a status field itself: the file's
// path under the analysed root and the line.
type statusSite struct {
	Path string
	Line int
}

// statusField reports a field named for a workflow's state (`status`,
// `state`, `*_status`) held in a plain column (a character or integer
// field, or django-fsm's FSMField when it is not `protected=True`, which
// refuses direct assignment itself).
func statusField(f *project.Field) bool {
	if f.Name != "status" && f.Name != "state" && !strings.HasSuffix(f.Name, "_status") {
		return false
	}
	c := f.Class[strings.LastIndex(f.Class, ".")+1:]
	switch {
	case strings.HasSuffix(c, "CharField"), strings.HasSuffix(c, "IntegerField"):
		return true
	case c == "FSMField" || c == "FSMIntegerField":
		return !strings.Contains(strings.ReplaceAll(f.Source, " ", ""), "protected=True")
	}
	return false
}

// clientValueWords name values that come from the client: a status copied
// from the request or the serializer's data is not moved by the server.
var clientValueWords = []string{"validated_data", "cleaned_data", "request", "data", "payload", "serializer", "form", "kwargs"}

// movedStatuses are the status fields (statusField) the project's own code
// moves: product code (not tests, migrations, scripts or seed data) assigns
// the field on a row of the model (`order.status = "paid"`, `order.status =
// new_status` in a transition helper) or updates it on a queryset of the
// model (`Task.objects.filter(...).update(status="done")`), with a value
// that is not the client's (no request, payload or serializer data in it),
// outside a serializer or form class. Keyed by model and field, with the
// first such place.
var movedStatuses = &project.ProjectAnalysis[map[string]map[string]statusSite]{Name: "security.movedStatuses", Run: func(ix *project.Index) map[string]map[string]statusSite {
	out := map[string]map[string]statusSite{}
	if ix.Models == nil {
		return out
	}
	sm := semantic.Of(ix)
	record := func(m *project.Model, field string, u *project.Unit, n pyast.Node, value pyast.Node) {
		if m == nil {
			return
		}
		var f *project.Field
		for _, mf := range m.Fields {
			if mf.Name == field {
				f = mf
			}
		}
		if f == nil || !statusField(f) || value.IsNil() {
			return
		}
		v := strings.ToLower(value.Text())
		for _, w := range clientValueWords {
			if strings.Contains(v, w) {
				return
			}
		}
		if cls := pyast.EnclosingClass(n); !cls.IsNil() {
			name := pyast.DefName(cls)
			if strings.HasSuffix(name, "Serializer") || strings.HasSuffix(name, "Form") {
				return
			}
		}
		if out[m.Qual] == nil {
			out[m.Qual] = map[string]statusSite{}
		}
		if _, ok := out[m.Qual][field]; !ok {
			out[m.Qual][field] = statusSite{Path: u.Rel(), Line: u.File.Position(n.StartByte()).Line}
		}
	}
	for _, u := range ix.Units {
		if u.Tree == nil || semantic.RolesOf(u).Any(semantic.Test|semantic.Migration|semantic.Script|semantic.DevData) {
			continue
		}
		f := sm.File(u)
		if f == nil {
			continue
		}
		for n := range pyast.FindEach(u.Tree.Root(), "assignment", "call") {
			switch n.Type() {
			case "assignment":
				left := n.ChildByField("left")
				if left.Type() != "attribute" {
					continue
				}
				if v := f.Value(left.ChildByField("object")); v.IsRow() {
					record(v.Model, left.ChildByField("attribute").Text(), u, n, n.ChildByField("right"))
				}
			case "call":
				if h, ok := pyast.AsCallHead(n); !ok || h.MethodName() != "update" {
					continue
				}
				c, _ := pyast.AsCall(n)
				if len(c.Keywords) == 0 {
					continue
				}
				qs := f.Eval(c.Receiver())
				if qs == nil || qs.Model == nil {
					continue
				}
				for k, val := range c.EachKeyword() {
					record(qs.Model, k, u, n, val)
				}
			}
		}
	}
	return out
}}
