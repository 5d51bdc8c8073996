package migrations

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// writtenByDataStep names the function of an earlier operation of the same
// migration is a RunPython whose forward function, defined at the top of
// the migration's file, loads the operation's model (`apps.get_model(...,
// "TokenAuth")`) and writes the operation's field ("" when none): `row.identifier = ...`,
// `.update(identifier=...)` or a `create(identifier=...)`. Such a step fills
// the NULL rows before a NOT NULL change, or rewrites duplicates before a
// unique one: the migration itself readies the data the change needs.
func writtenByDataStep(c *opCtx, op *project.Operation) string {
	if op.Model == "" || op.Name == "" {
		return ""
	}
	for _, prev := range c.m.Operations[:c.idx] {
		if !prev.Known || prev.Kind != "RunPython" || prev.Code == "" || strings.Contains(prev.Code, ".") {
			continue
		}
		if fn := topLevelFunc(c.p.Root, prev.Code); !fn.IsNil() && loadsModel(fn, op.Model) && writesField(fn, op.Name) {
			return prev.Code
		}
	}
	return ""
}

// topLevelFunc finds the module-level function of that name.
func topLevelFunc(root pyast.Node, name string) pyast.Node {
	for st := range pyast.EachStatement(root) {
		if st.Type() == "decorated_definition" {
			st = st.ChildByField("definition")
		}
		if st.Type() == "function_definition" && pyast.DefName(st) == name {
			return st
		}
	}
	return pyast.Node{}
}

// loadsModel reports an `apps.get_model(...)` call in fn naming the
// (lower-cased) model.
func loadsModel(fn pyast.Node, model string) bool {
	for n := range pyast.FindEach(fn, "call") {
		c, ok := pyast.AsCall(n)
		if !ok || c.MethodName() != "get_model" {
			continue
		}
		for _, a := range c.Positional {
			if s, ok := pyast.StringValue(a); ok {
				if _, m, found := strings.Cut(s, "."); found {
					s = m // get_model("token.TokenAuth")
				}
				if strings.ToLower(s) == model {
					return true
				}
			}
		}
	}
	return false
}

// writesField reports an assignment to `<row>.field` or a `field=`
// keyword of an update or create call in fn.
func writesField(fn pyast.Node, field string) bool {
	for n := range pyast.FindEach(fn, "assignment") {
		if l := n.ChildByField("left"); l.Type() == "attribute" && l.ChildByField("attribute").Text() == field {
			return true
		}
	}
	for n := range pyast.FindEach(fn, "call") {
		c, ok := pyast.AsCall(n)
		if !ok {
			continue
		}
		switch c.MethodName() {
		case "update", "create", "bulk_create", "update_or_create", "get_or_create":
			if !c.Keyword(field).IsNil() {
				return true
			}
		}
	}
	return false
}
