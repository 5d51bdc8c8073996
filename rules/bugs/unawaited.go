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
	Run:               runUnawaitedCoroutine,
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
func runUnawaitedCoroutine(p *analyzer.Pass) error {
	sm := semantic.Of(p.Project)
	f := sm.File(p.Unit)
	for st := range pyast.FindEach(p.Root, "expression_statement") {
		call := st.NamedChild(0)
		if call.Type() != "call" || st.NamedChildCount() != 1 {
			continue
		}
		name, ok := coroutineCallee(p, f, call)
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
	if fn == nil || !isAsyncDef(fn.Node) {
		return "", false
	}
	for _, d := range pyast.Decorators(fn.Node) {
		switch pyast.Dotted(d.NamedChild(0)) {
		case "staticmethod", "classmethod":
		default:
			return "", false // a decorator may make it synchronous
		}
	}
	return c.Func.Text(), true
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
