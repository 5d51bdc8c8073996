package bugs

import (
	"bytes"
	_ "embed"
	"fmt"
	"path"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
)

//go:embed importname.md
var importNameDoc string

// ImportNameNotDefined reports `from module import name` where module is a
// file of the project that binds no such name.
var ImportNameNotDefined = &analyzer.Rule{
	Code:       "BUG036",
	Name:       "import-name-not-defined",
	Doc:        importNameDoc,
	Category:   analyzer.Correctness,
	Severity:   analyzer.Error,
	Confidence: analyzer.High,
	Since:      "0.11.0",
	Requires:   []project.Analysis{importRoots, moduleNames},
	Run:        runImportNameNotDefined,
}

// runImportNameNotDefined matches each `from M import a, b as c` (outside
// any try or if, where a failure may be expected) whose module M is a file of
// the analysed tree: a relative import resolved against the importing
// file's package, or an absolute one whose module is a file under the
// tree's root or under a directory holding manage.py (where Django
// projects run from). A name is reported when M's top level binds nothing
// of that name (a def, class, assignment, import, for or with target, also
// inside if/try/for/while/with blocks) and M's package has no submodule of
// that name. A module that could bind names the analysis cannot see is
// skipped: a star import, a module-level __getattr__, globals(),
// sys.modules, exec or setattr on the module.
func runImportNameNotDefined(p *analyzer.Pass) error {
	if p.Project == nil || p.Unit == nil {
		return nil
	}
	ix := p.Project
	for st := range pyast.FindEach(p.Root, "import_from_statement") {
		if inTryBlock(st) {
			continue
		}
		modNode := st.ChildByField("module_name")
		mod := modNode.Text()
		target := importTarget(ix, p.Unit, mod)
		if target == nil || target == p.Unit {
			continue
		}
		names, ok := boundNames(ix, target)
		if !ok {
			continue
		}
		others := otherTargets(ix, p.Unit, mod, target)
		for _, c := range st.ChildrenByField("name") {
			nameNode := c
			if c.Type() == "aliased_import" {
				nameNode = c.ChildByField("name")
			}
			name := nameNode.Text()
			if name == "" || strings.Contains(name, ".") || names[name] || hasSubmodule(ix, target.Module, name) ||
				boundElsewhere(ix, others, name) {
				continue
			}
			where := target.File.Rel
			p.Report(analyzer.Diagnostic{
				Range: analyzer.RangeOf(nameNode),
				Message: fmt.Sprintf("`%s` is imported from `%s`, but `%s` defines no `%s` and has no submodule of that name: the import raises ImportError",
					name, mod, where, name),
				Help: fmt.Sprintf("import it from the module that defines it (`from %s.models import %s`?), or re-export it in `%s`", strings.TrimSuffix(mod, "."), name, where),
			})
		}
	}
	reportMissingIncludes(p)
	return nil
}

// reportMissingIncludes matches `include("pkg.module")` (django.urls or
// django.conf.urls; the module alone or first in a (module, app_name)
// tuple), outside any try or if, whose dotted module starts with a package
// of the analysed tree but names no module of it: Django imports the module
// when the URLconf is loaded, so ModuleNotFoundError takes the whole URLconf
// down. Left alone: a module that exists under any root, one whose name any
// project module ends with (it may be found through another sys.path entry),
// and one whose first component is no project package (an installed app's
// URLs).
func reportMissingIncludes(p *analyzer.Pass) {
	ix := p.Project
	for n := range pyast.FindEach(p.Root, "call") {
		// The callee first: decoding every call's arguments was most of
		// the rule's time.
		h, _ := pyast.AsCallHead(n)
		q, ok := p.Imports.Resolve(h.Func)
		if !ok || q != "django.urls.include" && q != "django.conf.urls.include" {
			continue
		}
		c, _ := pyast.AsCall(n)
		if len(c.Positional) == 0 || inTryBlock(n) {
			continue
		}
		arg := pyast.Unparen(c.Positional[0])
		if arg.Type() == "tuple" && arg.NamedChildCount() > 0 {
			arg = arg.NamedChild(0)
		}
		mod, ok := pyast.StringValue(arg)
		if !ok || mod == "" || strings.HasPrefix(mod, ".") || !strings.Contains(mod, ".") || strings.ContainsAny(mod, " /") {
			continue
		}
		first := mod[:strings.Index(mod, ".")]
		if projectModule(ix, mod) != nil || !projectPackage(ix, first) || moduleEndsWith(ix, mod) {
			continue
		}
		p.Report(analyzer.Diagnostic{
			Range: analyzer.RangeOf(arg),
			Message: fmt.Sprintf("`include(%q)` names a module the project does not have: `%s` is a package of the project, but `%s` is no module of it; "+
				"Django imports it when the URLconf loads, so ModuleNotFoundError takes down every URL", mod, first, mod),
			Help: "name the module by its import path from the directory Django runs in (where manage.py is), as ROOT_URLCONF and INSTALLED_APPS do",
		})
	}
}

// projectPackage reports whether name is a top-level package of the tree
// under one of the import roots.
func projectPackage(ix *project.Index, name string) bool {
	for _, root := range importRoots.Get(ix) {
		full := name
		if root != "" {
			full = root + "." + name
		}
		if ix.ByModule[full] != nil || hasSubmodule(ix, "", full) {
			return true
		}
	}
	return false
}

// moduleEndsWith reports a project module named mod, or ending in ".mod",
// under any directory.
func moduleEndsWith(ix *project.Index, mod string) bool {
	for m := range ix.ByModule {
		if m == mod || strings.HasSuffix(m, "."+mod) {
			return true
		}
	}
	return false
}

// inTryBlock reports a statement inside a try (an import that may fail on
// purpose: `try: from .local import X except ImportError: ...`) or an if
// (`if os.path.exists("hc/local_settings.py"): from hc import
// local_settings`, `if TYPE_CHECKING:`): a module that may be absent.
func inTryBlock(n pyast.Node) bool {
	for a := n.Parent(); !a.IsNil(); a = a.Parent() {
		switch a.Type() {
		case "try_statement", "if_statement":
			return true
		case "function_definition", "class_definition":
			return false
		}
	}
	return false
}

// importTarget returns the unit of the project module an import names, or
// nil: a relative module against the importing file's package; an
// absolute one under the tree's root or under a directory holding
// manage.py.
func importTarget(ix *project.Index, u *project.Unit, mod string) *project.Unit {
	if mod == "" {
		return nil
	}
	if strings.HasPrefix(mod, ".") {
		return ix.ByModule[u.Absolute(mod)]
	}
	return projectModule(ix, mod)
}

// otherTargets returns the other modules an absolute import may name:
// the module under each package enclosing the importing file, which is a
// root when that directory is a project of its own run from there (a
// load-test tool's loadtest/loadtest/cli.py importing
// `loadtest.loadtest`, its loadtest/loadtest/loadtest.py).
func otherTargets(ix *project.Index, u *project.Unit, mod string, first *project.Unit) []*project.Unit {
	if strings.HasPrefix(mod, ".") {
		return nil
	}
	var out []*project.Unit
	parts := strings.Split(u.Module, ".")
	for i := len(parts) - 1; i >= 1; i-- {
		if t := ix.ByModule[strings.Join(parts[:i], ".")+"."+mod]; t != nil && t != first && t != u {
			out = append(out, t)
		}
	}
	return out
}

// boundElsewhere reports a name one of the other targets binds, has as a
// submodule, or may bind unseen.
func boundElsewhere(ix *project.Index, others []*project.Unit, name string) bool {
	for _, t := range others {
		names, ok := boundNames(ix, t)
		if !ok || names[name] || hasSubmodule(ix, t.Module, name) {
			return true
		}
	}
	return false
}

// importRoots are the module prefixes absolute imports are read against:
// "" (the analysed root) and each directory holding manage.py.
var importRoots = &project.ProjectAnalysis[[]string]{Name: "bugs.importRoots", Digest: project.DigestStrings, Run: func(ix *project.Index) []string {
	roots := []string{""}
	for _, u := range ix.Units {
		// By the path under the analysed root, as module names are: the
		// display path also holds the way from the working directory to
		// the root (`rubric check saleor` shows saleor/manage.py).
		if rel := u.Rel(); path.Base(rel) == "manage.py" {
			if d := path.Dir(rel); d != "." && d != "" {
				roots = append(roots, strings.ReplaceAll(d, "/", "."))
			}
		}
	}
	return roots
}}

// hasSubmodule reports a module or package pkg.name in the project.
func hasSubmodule(ix *project.Index, pkg, name string) bool {
	full := name
	if pkg != "" {
		full = pkg + "." + name
	}
	if ix.ByModule[full] != nil {
		return true
	}
	for m := range ix.ByModule {
		if strings.HasPrefix(m, full+".") {
			return true
		}
	}
	return false
}

// dynamicWords are the names computeBoundNames looks for among a module's
// identifiers, as bytes for a first search of its source.
var dynamicWords = [][]byte{[]byte("globals"), []byte("exec"), []byte("setattr"), []byte("__getattr__"), []byte("modules"), []byte("vars"), []byte("locals")}

// mentionsDynamic reports whether src holds one of dynamicWords anywhere
// (in a comment or a longer name too): only then can an identifier be one.
func mentionsDynamic(src []byte) bool {
	for _, w := range dynamicWords {
		if bytes.Contains(src, w) {
			return true
		}
	}
	return false
}

// moduleNames are the names a module binds at its top level (see
// computeBoundNames), per unit: a module imported from many files is read
// once.
var moduleNames = &project.FileAnalysis[boundResult]{Name: "bugs.moduleNames", Digest: boundDigest, Run: func(u *project.Unit, _ *project.Index) boundResult {
	names, ok := computeBoundNames(u)
	return boundResult{names, ok}
}}

// boundDigest is moduleNames's digest: whether the names are known, and
// which (a module whose body changed and whose top-level names did not
// runs the rule on its importers again nowhere).
func boundDigest(r boundResult) []byte {
	if !r.ok {
		return []byte{0}
	}
	return append([]byte{1}, project.DigestSet(r.names)...)
}

type boundResult struct {
	names map[string]bool
	ok    bool
}

// boundNames returns the names a module binds at its top level; ok is
// false when it may bind names the analysis cannot list.
func boundNames(ix *project.Index, u *project.Unit) (map[string]bool, bool) {
	r := moduleNames.Get(u, ix)
	return r.names, r.ok
}

func computeBoundNames(u *project.Unit) (map[string]bool, bool) {
	if u.Tree == nil {
		return nil, false
	}
	root := u.Tree.Root()
	for range pyast.FindEach(root, "wildcard_import") {
		return nil, false
	}
	// A name that binds others dynamically: looked for in the identifiers
	// only when the source holds one of the words at all (most modules
	// do not, and walking every identifier was most of this analysis).
	if mentionsDynamic(u.File.Src()) {
		for id := range pyast.FindEach(root, "identifier") {
			switch id.Text() {
			case "globals", "exec", "setattr", "__getattr__", "modules", "vars", "locals":
				return nil, false
			}
		}
	}
	if u.Imports != nil {
		for _, m := range u.Imports.Modules {
			if m == "configurations" || strings.HasPrefix(m, "configurations.") {
				// django-configurations settings: its importer sets the
				// active Configuration class's attributes on the module
				// (`from people.settings import REST_FRAMEWORK`).
				return nil, false
			}
		}
	}
	names := map[string]bool{}
	var block func(b pyast.Node)
	var target func(t pyast.Node)
	target = func(t pyast.Node) {
		switch t.Type() {
		case "identifier":
			names[t.Text()] = true
		case "type", "generic_type":
			// `type JSONValue = ...` and `type Pair[T] = ...` (PEP 695):
			// the alias's name is the statement's first identifier.
			target(t.NamedChild(0))
		case "pattern_list", "tuple_pattern", "list_pattern", "tuple", "list", "list_splat_pattern", "parenthesized_expression":
			for c := range t.Named() {
				target(c)
			}
		}
	}
	block = func(b pyast.Node) {
		for st := range pyast.EachStatement(b) {
			if st.Type() == "decorated_definition" {
				st = st.ChildByField("definition")
			}
			switch st.Type() {
			case "function_definition", "class_definition":
				names[pyast.DefName(st)] = true
			case "expression_statement":
				for a := range st.Named() {
					for a.Type() == "assignment" || a.Type() == "augmented_assignment" {
						target(a.ChildByField("left"))
						r := a.ChildByField("right")
						if r.Type() != "assignment" {
							break
						}
						a = r
					}
				}
			case "import_statement":
				for _, c := range st.ChildrenByField("name") {
					if c.Type() == "aliased_import" {
						names[c.ChildByField("alias").Text()] = true
					} else {
						head, _, _ := strings.Cut(c.Text(), ".")
						names[head] = true
					}
				}
			case "import_from_statement", "future_import_statement":
				for _, c := range st.ChildrenByField("name") {
					if c.Type() == "aliased_import" {
						names[c.ChildByField("alias").Text()] = true
					} else {
						names[c.Text()] = true
					}
				}
			case "for_statement":
				target(st.ChildByField("left"))
			case "type_alias_statement":
				target(st.NamedChild(0)) // the grammar names no field
			}
			// Nested blocks of compound statements (if, try, for, while,
			// with, match) bind at the top level too.
			if st.Type() != "function_definition" && st.Type() != "class_definition" {
				for c := range st.Named() {
					switch c.Type() {
					case "block":
						block(c)
					case "elif_clause", "else_clause", "except_clause", "finally_clause", "case_clause", "except_group_clause":
						for cc := range c.Named() {
							if cc.Type() == "block" {
								block(cc)
							}
						}
						if c.Type() == "except_clause" {
							for cc := range c.Named() {
								if cc.Type() == "as_pattern" {
									target(cc.ChildByField("alias"))
								}
							}
						}
					case "with_clause":
						for item := range pyast.FindEach(c, "as_pattern") {
							for t := range item.Named() {
								if t.Type() == "as_pattern_target" {
									for tt := range t.Named() {
										target(tt)
									}
								}
							}
						}
					}
				}
			}
		}
	}
	block(root)
	// Walrus targets anywhere at the top level bind too.
	for w := range pyast.FindEach(root, "named_expression") {
		names[w.ChildByField("name").Text()] = true
	}
	return names, true
}
