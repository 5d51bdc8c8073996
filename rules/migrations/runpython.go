package migrations

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// runPythonFuncs returns the module-level functions of the pass's file that
// its migration's RunPython operations name as code or reverse_code.
func runPythonFuncs(p *analyzer.Pass) []pyast.Node {
	_, ops := runPythonOps(p)
	if len(ops) == 0 {
		return nil
	}
	want := map[string]bool{}
	for _, op := range ops {
		for _, name := range []string{op.Code, op.ReverseCode} {
			if name != "" && !strings.ContainsAny(name, ".( ") {
				want[name] = true
			}
		}
	}
	var out []pyast.Node
	for st := range pyast.EachStatement(p.Root) {
		if st.Type() == "decorated_definition" {
			st = st.ChildByField("definition")
		}
		if st.Type() == "function_definition" && want[pyast.DefName(st)] {
			out = append(out, st)
		}
	}
	return out
}

// assignedNames returns the names a function binds by assignment (and its
// parameters): a local `Order = apps.get_model(...)` shadows a module-level
// import of Order.
func assignedNames(fn pyast.Node) map[string]bool {
	out := map[string]bool{}
	for _, id := range pyast.Identifiers(fn.ChildByField("parameters")) {
		out[id] = true
	}
	for as := range pyast.FindEach(pyast.Body(fn), "assignment", "for_statement", "with_item") {
		var target pyast.Node
		switch as.Type() {
		case "assignment":
			target = as.ChildByField("left")
		case "for_statement":
			target = as.ChildByField("left")
		case "with_item":
			if v := as.ChildByField("value"); v.Type() == "as_pattern" {
				target = v.ChildByField("alias")
			}
		}
		for _, id := range pyast.Identifiers(target) {
			out[id] = true
		}
	}
	return out
}

// modelsModule reports a qualified name inside a project's models module
// ("shop.models.Order", ".models.Order", "django.contrib.auth.models.User"),
// leaving out django.db.models (fields, Q, F).
func modelsModule(q string) bool {
	if strings.HasPrefix(q, "django.db.") {
		return false
	}
	parts := strings.Split(q, ".")
	for i := 0; i < len(parts)-1; i++ {
		if parts[i] == "models" {
			return true
		}
	}
	return false
}
