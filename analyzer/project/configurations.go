package project

import (
	"bytes"
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// ConfigurationAssignments returns the `NAME = value` assignments of the
// bodies of class-based settings: django-configurations writes a project's
// settings as class attributes (`class Base(Configuration): REST_FRAMEWORK
// = {...}`, `class Production(Base): ...`), and Django reads the class
// DJANGO_CONFIGURATION names as the settings. A top-level class counts when
// a base is named Configuration (`configurations.Configuration`) or is a
// class of the same file that counts; its body is read like a module's top
// level (if/try blocks included, methods and nested classes not). In a
// module that imports django-configurations (`from configurations import
// values`), a class deriving from a class of another module counts too:
// `class Production(Common)` after `from .common import Common`.
func ConfigurationAssignments(root pyast.Node, src []byte) []pyast.Node {
	config := map[string]bool{}
	usesPackage := bytes.Contains(src, []byte("from configurations import")) || bytes.Contains(src, []byte("import configurations"))
	var out []pyast.Node
	for _, st := range pyast.Statements(root) {
		if st.Type() == "decorated_definition" {
			st = st.ChildByField("definition")
		}
		if st.Type() != "class_definition" || !configurationBases(st, config, usesPackage) {
			continue
		}
		config[pyast.DefName(st)] = true
		out = append(out, topLevelAssignments(pyast.Body(st), "identifier")...)
	}
	return out
}

// configurationBases reports whether a class derives from Configuration,
// from a class already known to be a configuration, or, in a module using
// the package, from a CapWords class defined elsewhere.
func configurationBases(class pyast.Node, config map[string]bool, usesPackage bool) bool {
	for _, b := range class.ChildByField("superclasses").NamedChildren() {
		d := pyast.Dotted(b)
		if d == "" {
			continue
		}
		last := d[strings.LastIndexByte(d, '.')+1:]
		if last == "Configuration" || config[d] {
			return true
		}
		if usesPackage && last != "object" && last[0] >= 'A' && last[0] <= 'Z' {
			return true
		}
	}
	return false
}
