package logs

import (
	_ "embed"
	"path"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic/pyidiom"
	"github.com/rubric-dev/rubric/rules/internal/paths"
)

//go:embed printlog.md
var printLogDoc string

// PrintAsLog reports print(...) in library code.
var PrintAsLog = &analyzer.Rule{
	Code:       "LOG003",
	Name:       "print-as-log",
	Doc:        printLogDoc,
	Category:   analyzer.Observability,
	Severity:   analyzer.Info,
	Confidence: analyzer.Medium,
	Since:      "0.1.0",
	Habit:      true,
	Run:        runPrintAsLog,
}

// runPrintAsLog matches calls of the builtin print (not imported or defined
// under that name) in library code. It skips scripts and tooling: files
// with a module-level `if __name__ == "__main__":`, a module-level print
// statement or a module-level statement reading sys.argv (run, not imported), files importing a CLI
// library (argparse, click, typer, docopt, fire), manage.py, setup.py,
// an app's management.py (post_migrate hooks),
// __main__.py, settings*.py, tests and conftest.py, and files under
// scripts/, bin/, tools/, management/ (Django commands), migrations/,
// settings/, docs/, examples/. A
// print writing to a file other than sys.stderr (`file=f`,
// `file=self.stdout`) is output, not logging, and is skipped too, as are
// prints in functions whose job is output (print_*, show_*, display_*,
// dump_*, list_*, *cli*, *prompt*, or reading input()), and Celery's
// template debug_task.
func runPrintAsLog(p *analyzer.Pass) error {
	if scriptLike(p) {
		return nil
	}
	for n := range pyast.FindEach(p.Root, "call") {
		if !pyidiom.PrintAsLog(n) {
			continue
		}
		c, _ := pyast.AsCall(n)
		p.Report(analyzer.Diagnostic{
			Range:   analyzer.RangeOf(c.Func),
			Message: "`print(...)` in library code: no level, no logger name, and lost or interleaved under gunicorn or Celery",
			Help:    "log it: `logger = logging.getLogger(__name__)` at module level, then `logger.info(...)`",
		})
	}
	return nil
}

// scriptDirs are directories whose files are scripts or tooling, where
// printing is the interface.
var scriptDirs = map[string]bool{
	"scripts": true, "script": true, "bin": true, "tools": true, "management": true,
	"migrations": true, "settings": true, "docs": true, "doc": true, "examples": true, "example": true,
	"benchmarks": true, "bench": true, "deploy": true, "deployment": true, "docker": true,
}

var scriptFiles = map[string]bool{
	"manage.py": true, "setup.py": true, "__main__.py": true, "conftest.py": true,
	"fabfile.py": true, "noxfile.py": true, "conf.py": true,
	"management.py": true, // post_migrate hooks, run by manage.py
}

var cliModules = map[string]bool{"argparse": true, "click": true, "typer": true, "docopt": true, "fire": true}

func scriptLike(p *analyzer.Pass) bool {
	rel := paths.Rel(p)
	base := path.Base(rel)
	if scriptFiles[base] || paths.IsTest(rel) || strings.HasPrefix(base, "settings") {
		return true
	}
	for _, seg := range strings.Split(path.Dir(rel), "/") {
		if scriptDirs[seg] {
			return true
		}
	}
	if _, ok := p.Imports.Lookup("print"); ok {
		return true
	}
	for _, m := range p.Imports.Modules {
		if head, _, _ := strings.Cut(m, "."); cliModules[head] {
			return true
		}
	}
	for s := range pyast.EachStatement(p.Root) {
		if s.Type() == "if_statement" && isMainGuard(s.ChildByField("condition")) {
			return true
		}
		// A module-level statement reading the command line
		// (`check_pins(*sys.argv[1:])`): the file is run as a script.
		if s.Type() != "function_definition" && s.Type() != "class_definition" && s.Type() != "decorated_definition" &&
			strings.Contains(s.Text(), "sys.argv") {
			return true
		}
		// A print that runs at import time: the file is run, not imported.
		if s.Type() == "expression_statement" {
			if c, ok := pyast.AsCall(s.NamedChild(0)); ok && c.Func.Type() == "identifier" && c.Func.Text() == "print" {
				return true
			}
		}
	}
	return false
}

// isMainGuard matches `__name__ == "__main__"` (either order, any quotes).
func isMainGuard(cond pyast.Node) bool {
	cond = pyast.Unparen(cond)
	if cond.Type() != "comparison_operator" {
		return false
	}
	var name, main bool
	for c := range cond.Named() {
		if c.Type() == "identifier" && c.Text() == "__name__" {
			name = true
		}
		if v, ok := pyast.StringValue(c); ok && v == "__main__" {
			main = true
		}
	}
	return name && main
}
