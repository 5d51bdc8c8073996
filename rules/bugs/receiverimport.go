package bugs

import (
	_ "embed"
	"fmt"
	"path"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed receiverimport.md
var receiverNeverImportedDoc string

// ReceiverNeverImported reports a Django signal receiver (`@receiver`) in
// a module nothing in the project imports: the decorator connects the
// function when the module is imported, so it never runs.
var ReceiverNeverImported = &analyzer.Rule{
	Code:              "BUG049",
	Name:              "receiver-never-imported",
	Doc:               receiverNeverImportedDoc,
	Category:          analyzer.Correctness,
	Severity:          analyzer.Error,
	Confidence:        analyzer.High,
	Since:             "0.17.0",
	Stack:             project.Django,
	SkipOnSyntaxError: true,
	Skip:              semantic.ProductCode,
	Requires:          []project.Analysis{semantic.Project, moduleUses},
	Run:               runReceiverNeverImported,
}

// moduleUses are what the product code of the project says about loading
// modules: every module an import statement names (with each name a
// from-import binds, which may be a submodule), every string literal
// written like a dotted module name (import_module("app.signals"), an
// AppConfig path), and whether any module is loaded by a name rubric
// cannot read (import_module(name), autodiscover_modules(...)).
var moduleUses = &project.ProjectAnalysis[*moduleUse]{Name: "bugs.moduleUses", Run: buildModuleUses}

type moduleUse struct {
	names   map[string]bool
	dynamic bool
	// tails are the parts of the names after each of their dots
	// ("signals", "shop.signals" for "app.shop.signals"): imported looks
	// a module up instead of reading every name.
	tails map[string]bool
}

// dynamicLoaders are the calls that import modules by a computed name.
var dynamicLoaders = map[string]bool{"import_module": true, "__import__": true, "autodiscover_modules": true,
	"load_module": true, "import_string": true}

func buildModuleUses(ix *project.Index) *moduleUse {
	u := &moduleUse{names: map[string]bool{}}
	for _, f := range semantic.Of(ix).Files() {
		if semantic.RolesOf(f.Unit).Any(semantic.Test | semantic.Migration | semantic.DevData) {
			continue
		}
		root := f.Unit.Tree.Root()
		for n := range pyast.FindEach(root, "import_statement", "import_from_statement") {
			if !n.IsNamed() {
				continue
			}
			if n.Type() == "import_statement" {
				for _, c := range n.ChildrenByField("name") {
					if c.Type() == "aliased_import" {
						c = c.ChildByField("name")
					}
					u.names[f.Unit.Absolute(c.Text())] = true
				}
				continue
			}
			mod := f.Unit.Absolute(n.ChildByField("module_name").Text())
			u.names[mod] = true
			for _, c := range n.ChildrenByField("name") {
				if c.Type() == "aliased_import" {
					c = c.ChildByField("name")
				}
				u.names[strings.TrimSuffix(mod, ".")+"."+c.Text()] = true
			}
		}
		for s := range pyast.FindEach(root, "string") {
			if v, ok := pyast.StringValue(s); ok && dottedModuleName(v) {
				u.names[v] = true
			}
		}
		for call := range pyast.FindEach(root, "call") {
			if !dynamicLoaders[string(pyast.CalleeName(call))] {
				continue
			}
			c, _ := pyast.AsCall(call)
			if len(c.Positional) == 0 {
				continue
			}
			if _, ok := pyast.StringValue(c.Positional[0]); !ok || string(pyast.CalleeName(call)) == "autodiscover_modules" {
				u.dynamic = true
			}
		}
	}
	u.index()
	return u
}

// dottedModuleName reports a string written like a dotted module path
// ("shop.signals"): identifiers joined by dots, at least two.
func dottedModuleName(s string) bool {
	if !strings.Contains(s, ".") || len(s) > 200 {
		return false
	}
	for _, part := range strings.Split(s, ".") {
		if !identifier(part) {
			return false
		}
	}
	return true
}

// identifier reports whether s is a Python identifier (ASCII).
func identifier(s string) bool {
	for i, r := range s {
		if r != '_' && (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (i == 0 || r < '0' || r > '9') {
			return false
		}
	}
	return s != ""
}

// imported reports whether a module is named by an import or a module
// path string of the project: the same dotted name, or one a suffix of
// the other at a dot (the analysed root may sit above or below the import
// root).
func (u *moduleUse) imported(mod string) bool {
	if u.names[mod] || u.tails[mod] {
		return true // mod itself, or a name ending in "."+mod
	}
	for i := 0; i < len(mod); i++ {
		if mod[i] == '.' && u.names[mod[i+1:]] {
			return true // mod ends in "."+name
		}
	}
	return false
}

// index fills tails from names.
func (u *moduleUse) index() {
	u.tails = map[string]bool{}
	for q := range u.names {
		for i := 0; i < len(q); i++ {
			if q[i] == '.' {
				u.tails[q[i+1:]] = true
			}
		}
	}
}

// autoImported are module names Django, its admin or Celery import by
// convention (app loading, admin autodiscovery, task autodiscovery, the
// URLconf), and package files imported with any submodule.
var autoImported = map[string]bool{"models.py": true, "admin.py": true, "apps.py": true, "tasks.py": true,
	"urls.py": true, "__init__.py": true, "settings.py": true, "conftest.py": true}

// runReceiverNeverImported matches a module of the product code, not one
// Django or Celery import by convention, that defines module-level
// functions decorated with django.dispatch's receiver, in a project with
// settings whose code loads no module by a computed name, when no import
// statement and no module-path string of the project names the module.
func runReceiverNeverImported(p *analyzer.Pass) error {
	if p.Project == nil || p.Project.Settings == nil {
		return nil
	}
	sf := semantic.Of(p.Project).File(p.Unit)
	if sf == nil || p.Unit.Module == "" || autoImported[path.Base(p.Unit.RootRel)] {
		return nil
	}
	for _, d := range strings.Split(path.Dir(p.Unit.RootRel), "/") {
		if d == "models" || d == "admin" || d == "management" || d == "templatetags" || d == "migrations" {
			return nil
		}
	}
	var receivers []*semantic.Func
	var decos []pyast.Node
	for _, fn := range sf.Funcs {
		top := fn.Node.Parent()
		if top.Type() == "decorated_definition" {
			top = top.Parent()
		}
		if fn.Class != nil || top.Type() != "module" {
			continue
		}
		for _, d := range pyast.Decorators(fn.Node) {
			c, ok := pyast.AsCall(d)
			if !ok {
				continue
			}
			if p.Unit.Imports.Is(c.Func, "django.dispatch.receiver", "django.dispatch.dispatcher.receiver") {
				receivers = append(receivers, fn)
				decos = append(decos, d)
				break
			}
		}
	}
	if len(receivers) == 0 {
		return nil
	}
	uses := moduleUses.Get(p.Project)
	if uses.dynamic || uses.imported(p.Unit.Module) {
		return nil
	}
	for i, fn := range receivers {
		p.Report(analyzer.Diagnostic{
			Range: analyzer.RangeOf(decos[i]),
			Message: fmt.Sprintf("`%s` is a signal receiver in `%s`, a module nothing in the project imports: `@receiver` connects it only when its module is imported, so it never runs",
				fn.Name, p.Unit.RootRel),
			Help: "import the module when the app loads: `from . import signals` in the app's `AppConfig.ready()`, with INSTALLED_APPS naming that AppConfig",
		})
	}
	return nil
}
