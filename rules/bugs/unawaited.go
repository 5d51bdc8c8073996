package bugs

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed unawaited.md
var unawaitedDoc string

// UnawaitedCoroutine reports coroutine functions called for effect
// without await.
var UnawaitedCoroutine = &analyzer.Rule{
	Code:              "BUG004",
	Name:              "unawaited-coroutine",
	Doc:               unawaitedDoc,
	Category:          analyzer.Correctness,
	Severity:          analyzer.Error,
	Confidence:        analyzer.High,
	Since:             "0.2.0",
	SkipOnSyntaxError: true,
	Skip:              semantic.Migration,
	Requires:          requires,
	// On test modules it reads their own tree alone (localCoroutine).
	LocalOn: semantic.Test,
	Run:     runUnawaitedCoroutine,
}

// channelCoroutines are the channel layer's coroutine methods.
var channelCoroutines = map[string]bool{"group_send": true, "group_add": true, "group_discard": true}

// runUnawaitedCoroutine matches calls whose value is thrown away (the
// whole expression statement) when the callee is a coroutine function: an
// `async def` of the project without decorators (other than
// staticmethod/classmethod), reached through semantic.Callee (plain,
// imported, self/cls/super() and model methods); `asyncio.sleep`; and
// the channel layer's group_send/group_add/group_discard on a receiver
// named like a channel layer. Calls handed to await, asyncio.run,
// create_task, gather or async_to_sync are arguments, not statements, and
// are never matched.
//
// Test modules are outside the semantic model: there a callee is a
// coroutine function when it is an `async def` of the same file, called
// by name or, from a method, through self or cls (localCoroutine).
func runUnawaitedCoroutine(p *analyzer.Pass) error {
	var f *semantic.File
	test := semantic.RolesOf(p.Unit).Any(semantic.Test)
	if !test {
		f = semantic.Of(p.Project).File(p.Unit)
	}
	for st := range pyast.FindEach(p.Root, "expression_statement") {
		call := st.NamedChild(0)
		if call.Type() != "call" || st.NamedChildCount() != 1 {
			continue
		}
		name, ok := coroutineCallee(p, f, call)
		if !ok && test {
			name, ok = localCoroutine(call)
		}
		if !ok {
			continue
		}
		fn := call.ChildByField("function")
		d := analyzer.Diagnostic{
			Range:   analyzer.RangeOf(fn),
			Message: fmt.Sprintf("`%s(...)` returns a coroutine that is never awaited: its body never runs", name),
		}
		if encl := pyast.Ancestor(call, "function_definition", "lambda"); isAsyncDef(encl) {
			d.Help = fmt.Sprintf("await it: `await %s(...)` (or schedule it with `asyncio.create_task(...)`)", fn.Text())
			d.Fixes = []analyzer.Fix{{Message: "await the call", Applicability: analyzer.Unsafe,
				Edits: []analyzer.TextEdit{{Range: analyzer.Range{Start: call.StartByte(), End: call.StartByte()}, NewText: "await "}}}}
		} else {
			d.Help = fmt.Sprintf("from synchronous code run it with `async_to_sync(%s)(...)` (asgiref) or `asyncio.run(...)`", fn.Text())
		}
		p.Report(d)
	}
	return nil
}

// coroutineCallee returns the callee's display name when the call makes a
// coroutine.
func coroutineCallee(p *analyzer.Pass, f *semantic.File, call pyast.Node) (string, bool) {
	c, _ := pyast.AsCallHead(call)
	if q, ok := p.Imports.Resolve(c.Func); ok && q == "asyncio.sleep" {
		return "asyncio.sleep", true
	}
	if channelCoroutines[c.MethodName()] {
		recv := c.Receiver()
		text := strings.ToLower(recv.Text())
		if strings.Contains(text, "channel_layer") {
			return recv.Text() + "." + c.MethodName(), true
		}
	}
	if f == nil || !anyAsyncDef.Get(p.Project) {
		return "", false
	}
	fn, _ := f.Callee(call)
	if fn == nil || !plainCoroutine(fn.Node) {
		return "", false
	}
	return c.Func.Text(), true
}

// plainCoroutine reports an `async def` with no decorator other than
// staticmethod or classmethod (a decorator may make it synchronous).
func plainCoroutine(def pyast.Node) bool {
	if !isAsyncDef(def) {
		return false
	}
	for _, d := range pyast.Decorators(def) {
		switch pyast.Dotted(d) {
		case "staticmethod", "classmethod":
		default:
			return false
		}
	}
	return true
}

// anyAsyncDef is set when some function of the semantic model is an
// `async def`: without one, no call resolves to a coroutine function and
// the resolution (most of the rule's cost) is skipped.
var anyAsyncDef = &project.ProjectAnalysis[bool]{Name: "bugs.anyAsyncDef", Run: func(ix *project.Index) bool {
	for _, f := range semantic.Of(ix).Files() {
		for _, fn := range f.Funcs {
			if isAsyncDef(fn.Node) {
				return true
			}
		}
	}
	return false
}}

// isAsyncDef reports an `async def`.
func isAsyncDef(def pyast.Node) bool {
	return def.Type() == "function_definition" && def.FirstChild().Type() == "async"
}

// localCoroutine returns the callee's display name when the call names an
// `async def` of its own file: one called by name from the function that
// defines it (or a function nested in it) or from the module, or a method
// of the enclosing class called through self or cls. Undecorated
// (staticmethod and classmethod aside), as coroutineCallee requires.
func localCoroutine(call pyast.Node) (string, bool) {
	c, _ := pyast.AsCallHead(call)
	var scope pyast.Node // the block whose definitions the name may be
	name := ""
	switch c.Func.Type() {
	case "identifier":
		// The nearest enclosing function body that defines the name,
		// else the module.
		name = c.Func.Text()
		for fn := pyast.Ancestor(call, "function_definition"); !fn.IsNil(); fn = pyast.Ancestor(fn, "function_definition") {
			if body := fn.ChildByField("body"); !lastDef(body, name).IsNil() {
				scope = body
				break
			}
		}
		if scope.IsNil() {
			scope = pyast.Ancestor(call, "module")
		}
	case "attribute":
		recv := c.Receiver().Text()
		if recv != "self" && recv != "cls" {
			return "", false
		}
		cls := pyast.Ancestor(call, "class_definition")
		if cls.IsNil() {
			return "", false
		}
		scope, name = cls.ChildByField("body"), c.MethodName()
	default:
		return "", false
	}
	if scope.IsNil() || name == "" {
		return "", false
	}
	if !plainCoroutine(lastDef(scope, name)) {
		return "", false
	}
	return c.Func.Text(), true
}

// lastDef returns the last function a block's own statements define
// under that name (the one the name is bound to after the block runs), or
// the zero Node.
func lastDef(block pyast.Node, name string) pyast.Node {
	var out pyast.Node
	for st := range block.Named() {
		if st.Type() == "decorated_definition" {
			st = st.ChildByField("definition")
		}
		if st.Type() == "function_definition" && st.ChildByField("name").Text() == name {
			out = st
		}
	}
	return out
}
