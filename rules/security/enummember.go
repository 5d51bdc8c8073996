package security

import (
	"strings"
	"unicode"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

// enumMember reports a member of an enumeration read off its class
// (`WebhookEndpointValidation.verify_signature`, `Status.TOKEN_SENT`): a
// constant of the code, whatever its name says, never a caller's secret.
// The class is a project class deriving (through project bases) from a
// class named Enum, or from Django's TextChoices, IntegerChoices or
// Choices; or a CapWords name imported from a module named enums, choices
// or constants.
func enumMember(p *analyzer.Pass, n pyast.Node) bool {
	n = pyast.Unparen(n)
	if n.Type() != "attribute" {
		return false
	}
	obj := n.ChildByField("object")
	d := pyast.Dotted(obj)
	name := d[strings.LastIndexByte(d, '.')+1:]
	if name == "" || !unicode.IsUpper(rune(name[0])) || strings.ToUpper(name) == name {
		return false
	}
	if q, ok := p.Imports.ResolveDotted(d); ok {
		mod := strings.TrimSuffix(q, "."+name)
		last := mod[strings.LastIndexByte(mod, '.')+1:]
		if last == "enums" || last == "choices" || last == "constants" {
			return true
		}
	}
	c := semantic.Of(p.Project).LookupClass(p.Unit.Qualify(d))
	if c == nil {
		return false
	}
	for _, k := range append([]*semantic.Class{c}, c.Bases()...) {
		for _, b := range k.BaseNames() {
			last := b[strings.LastIndexByte(b, '.')+1:]
			if last == "Enum" || last == "IntEnum" || last == "StrEnum" || strings.HasSuffix(last, "Choices") {
				return true
			}
		}
	}
	return false
}
