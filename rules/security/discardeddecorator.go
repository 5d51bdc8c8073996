package security

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed discardeddecorator.md
var discardedDecoratorDoc string

// DiscardedDecorator reports decorator factories called as bare
// statements.
var DiscardedDecorator = &analyzer.Rule{
	Code:       "SEC014",
	Name:       "decorator-called-as-statement",
	Doc:        discardedDecoratorDoc,
	Category:   analyzer.Security,
	Severity:   analyzer.Error,
	Confidence: analyzer.High,
	Since:      "0.2.0",
	Skip:       semantic.Test | semantic.Migration,
	Requires:   []project.Analysis{semantic.Project},
	Run:        runDiscardedDecorator,
}

// decoratorFactories return a decorator: calling one and dropping the
// result decorates nothing.
var decoratorFactories = map[string]bool{"permission_classes": true, "authentication_classes": true,
	"throttle_classes": true, "renderer_classes": true, "parser_classes": true, "api_view": true,
	"method_decorator": true, "require_http_methods": true, "user_passes_test": true, "permission_required": true,
	"login_required": true, "staff_member_required": true, "csrf_exempt": true, "require_POST": true,
	"require_GET": true, "cache_page": true, "action": true, "detail_route": true, "list_route": true,
	"extend_schema": true, "swagger_auto_schema": true, "sensitive_post_parameters": true}

// runDiscardedDecorator matches expression statements at module or class
// level whose value is a call of a known decorator factory
// (`permission_classes([IsAdminUser])`, `login_required()`, `api_view(["POST"])`)
// or of a project function whose body only defines and returns a nested
// function (a decorator factory of the project's own): the decorator is
// built and thrown away. Calls inside functions (which may register
// things at run time) are left alone. When the next statement is a
// definition, an unsafe fix turns the call into a decorator of it.
func runDiscardedDecorator(p *analyzer.Pass) error {
	f := semantic.Of(p.Project).File(p.Unit)
	for st := range pyast.FindEach(p.Root, "expression_statement") {
		call := pyast.Unparen(st.NamedChild(0))
		c, ok := pyast.AsCall(call)
		if !ok || !semantic.IsModuleLevel(st) && !inClassBody(st) {
			continue
		}
		name := pyast.Dotted(c.Func)
		last := name
		if i := lastDot(name); i >= 0 {
			last = name[i+1:]
		}
		known := decoratorFactories[last] && fromFramework(p, c.Func, last)
		if !known {
			fn, _ := f.Callee(call)
			if fn == nil || !returnsClosureOnly(fn) {
				continue
			}
		}
		d := analyzer.Diagnostic{
			Range:   analyzer.RangeOf(call),
			Message: fmt.Sprintf("`%s` is called as a statement: the decorator it returns is thrown away and protects nothing", trimText(call.Text(), 60)),
			Help:    discardedHelp(last, call.Text()),
		}
		if next := nextStatement(st); next.Is("function_definition", "class_definition", "decorated_definition") &&
			p.File.Position(next.StartByte()).Line == p.File.Position(st.EndByte()).Line+1 {
			d.Fixes = []analyzer.Fix{{Message: "apply it as a decorator of the definition below",
				Edits:         []analyzer.TextEdit{{Range: analyzer.Range{Start: call.StartByte(), End: call.StartByte()}, NewText: "@"}},
				Applicability: analyzer.Unsafe}}
		}
		p.Report(d)
	}
	return nil
}

func discardedHelp(last, text string) string {
	switch last {
	case "permission_classes", "authentication_classes", "throttle_classes":
		return fmt.Sprintf("write `@%s` on each function view (below `@api_view`), or set `%s = [...]` as a class attribute of each class-based view (or in `REST_FRAMEWORK` defaults)", trimText(text, 60), last)
	}
	return fmt.Sprintf("write `@%s` on the line above the definition it is meant for", trimText(text, 60))
}

// fromFramework reports whether a known factory name is Django's, DRF's
// or a package's (imported), or written without a receiver: a project
// function of the same name is judged by its body instead.
func fromFramework(p *analyzer.Pass, fn pyast.Node, last string) bool {
	if q, ok := p.Imports.Resolve(fn); ok {
		return q != "" && lastDot(q) >= 0 && q[lastDot(q)+1:] == last
	}
	return fn.Type() == "identifier"
}

// returnsClosureOnly reports whether a function's body only defines
// nested functions (and a docstring) and returns one of them.
func returnsClosureOnly(fn *semantic.Func) bool {
	body := pyast.Statements(pyast.Body(fn.Node))
	if len(body) < 2 {
		return false
	}
	defs := map[string]bool{}
	for i, st := range body {
		def := st
		if def.Type() == "decorated_definition" {
			def = def.ChildByField("definition")
		}
		switch {
		case def.Type() == "function_definition":
			defs[pyast.DefName(def)] = true
		case i == 0 && st.Type() == "expression_statement" && st.NamedChild(0).Type() == "string":
		case i == len(body)-1 && st.Type() == "return_statement":
			return defs[st.NamedChild(0).Text()]
		default:
			return false
		}
	}
	return false
}

// nextStatement returns the statement after st (comments skipped).
func nextStatement(st pyast.Node) pyast.Node {
	for n := st.NextSibling(); !n.IsNil(); n = n.NextSibling() {
		if n.IsNamed() && n.Type() != "comment" {
			return n
		}
	}
	return pyast.Node{}
}

func inClassBody(st pyast.Node) bool {
	b := st.Parent()
	return b.Type() == "block" && b.Parent().Type() == "class_definition"
}

func lastDot(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '.' {
			return i
		}
	}
	return -1
}

// trimText shortens a snippet for a message.
func trimText(s string, n int) string {
	// One line: a quoted call that spans lines (`Schedule.objects.filter(pk=pk)`
	// then `.prefetch_related(...)`) must not break the message.
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	return s[:n-3] + "..."
}
