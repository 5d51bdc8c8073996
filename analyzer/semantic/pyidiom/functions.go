package pyidiom

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// Param is a function parameter as written.
type Param struct {
	Name  string
	Typed bool // annotated; *args and **kwargs count as typed
}

// Params returns def's parameters in order, self or cls included.
func Params(def pyast.Node) []Param {
	var out []Param
	for p := range def.ChildByField("parameters").Named() {
		switch p.Type() {
		case "identifier":
			out = append(out, Param{Name: p.Text()})
		case "typed_parameter":
			out = append(out, Param{Name: strings.TrimLeft(p.NamedChild(0).Text(), "*"), Typed: true})
		case "default_parameter":
			out = append(out, Param{Name: p.ChildByField("name").Text()})
		case "typed_default_parameter":
			out = append(out, Param{Name: p.ChildByField("name").Text(), Typed: true})
		case "list_splat_pattern", "dictionary_splat_pattern":
			out = append(out, Param{Name: strings.TrimLeft(p.Text(), "*"), Typed: true}) // *args is not held against coverage
		}
	}
	return out
}

// FullyTyped reports whether def annotates its return and every parameter
// (self or cls of a method excepted).
func FullyTyped(def pyast.Node, method bool) bool {
	if def.ChildByField("return_type").IsNil() {
		return false
	}
	for i, p := range Params(def) {
		if i == 0 && method && (p.Name == "self" || p.Name == "cls") {
			continue
		}
		if !p.Typed {
			return false
		}
	}
	return true
}

// HasDocstring reports whether def's body opens with a string.
func HasDocstring(def pyast.Node) bool {
	body := pyast.Statements(pyast.Body(def))
	return len(body) > 0 && body[0].Type() == "expression_statement" && body[0].NamedChild(0).Type() == "string"
}

// dependencyWords name collaborators a constructor may be given.
var dependencyWords = []string{"client", "session", "gateway", "repository", "repo", "service", "transport", "api",
	"notifier", "publisher", "clock", "http"}

// InjectsDependencies reports whether def, an __init__, takes a
// collaborator as a parameter (a client, session, gateway, repository,
// service...): a seam a test can fill with a fake.
func InjectsDependencies(def pyast.Node) bool {
	ps := Params(def)
	if len(ps) > 0 {
		ps = ps[1:]
	}
	for _, p := range ps {
		low := strings.ToLower(p.Name)
		for _, w := range dependencyWords {
			if strings.Contains(low, w) {
				return true
			}
		}
	}
	return false
}

// TakesRequest reports whether def's first parameter (after self or cls
// for a method) is a request (request, req).
func TakesRequest(def pyast.Node, method bool) bool {
	ps := Params(def)
	if method && len(ps) > 0 {
		ps = ps[1:]
	}
	return len(ps) > 0 && (ps[0].Name == "request" || ps[0].Name == "req")
}

// PublicFunction reports a function or method that is part of a module's
// interface: not named with a leading underscore, not nested in another
// function.
func PublicFunction(def pyast.Node) bool {
	return !strings.HasPrefix(pyast.DefName(def), "_") && pyast.EnclosingFunction(def.Parent()).IsNil()
}
