package orm

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// actionDictChoice reads a get_serializer_class return that picks the
// serializer from a dict keyed by action: `{"list": A, "create": A,
// "update": B}.get(self.action, C)`, the same on a class attribute holding
// such a dict (`self.serializer_classes.get(self.action, ...)`), or
// `{...}[self.action]`. For the listing it is the "list" entry, else the
// default (none for a subscript). ok is false for any other expression,
// and for a dict whose keys are not all strings.
func actionDictChoice(e pyast.Node, cls pyast.Node) (name string, ok bool) {
	e = pyast.Unparen(e)
	var dict, key, def pyast.Node
	switch e.Type() {
	case "call":
		c, isCall := pyast.AsCall(e)
		if !isCall || c.MethodName() != "get" || len(c.Positional) == 0 || len(c.Positional) > 2 || len(c.Keywords) > 0 {
			return "", false
		}
		dict, key = pyast.Unparen(c.Receiver()), c.Positional[0]
		if len(c.Positional) == 2 {
			def = c.Positional[1]
		}
	case "subscript":
		dict, key = pyast.Unparen(e.ChildByField("value")), e.ChildByField("subscript")
	default:
		return "", false
	}
	if pyast.Dotted(key) != "self.action" {
		return "", false
	}
	if dict.Type() == "attribute" && pyast.Dotted(dict.ChildByField("object")) == "self" {
		_, attr := classMember(cls, dict.ChildByField("attribute").Text(), 0)
		dict = pyast.Unparen(attr)
	}
	if dict.Type() != "dictionary" {
		return "", false
	}
	for pair := range dict.Named() {
		if pair.Type() != "pair" {
			return "", false // a ** spread: keys not all seen
		}
		k := pair.ChildByField("key")
		if k.Type() != "string" {
			return "", false
		}
		if strings.Trim(k.Text(), `"'`) == "list" {
			return pyast.Dotted(pair.ChildByField("value")), true
		}
	}
	if def.IsNil() {
		return "", true // no serializer for the listing: nothing to judge
	}
	return pyast.Dotted(def), true
}
