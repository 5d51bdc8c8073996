package txn

import (
	"sync"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/analyzer/semantic/effects"
)

// maxHops bounds how deep project calls are followed to an HTTP call.
const maxHops = 3

// remote is an HTTP call reached through project functions: the effect
// and where it is, and the calls on the way (outermost first).
type remote struct {
	effect effects.Effect
	file   *semantic.File
	via    []pyast.Node // the calls, each in the file of the function before it
	files  []*semantic.File
}

// httpThrough returns the first HTTP call that a call of a project
// function makes, directly or through the project functions it calls (at
// most maxHops deep), with semantic.Callee resolving each step. ok is
// false when the call reaches none. What a function reaches is the same
// from every call site (the walk starts afresh at it), so it is kept per
// function and run (reachMemo): three rules ask it of every call.
func httpThrough(ix *project.Index, f *semantic.File, call pyast.Node) (remote, bool) {
	if f == nil {
		return remote{}, false
	}
	fn, _ := f.Callee(call)
	if fn == nil {
		return remote{}, false
	}
	memo := httpReach.Get(ix)
	memo.mu.Lock()
	e, ok := memo.byFunc[fn]
	memo.mu.Unlock()
	if !ok {
		e.r, e.ok = httpFrom(fn, call, f)
		memo.mu.Lock()
		memo.byFunc[fn] = e
		memo.mu.Unlock()
	}
	if !e.ok {
		return remote{}, false
	}
	// The first hop is this call; the rest is the function's own walk.
	r := e.r
	r.via = append([]pyast.Node{call}, r.via[1:]...)
	r.files = append([]*semantic.File{f}, r.files[1:]...)
	return r, true
}

// reachMemo keeps, per function, the first HTTP call it reaches.
type reachMemo struct {
	mu     sync.Mutex
	byFunc map[*semantic.Func]reachEntry
}

type reachEntry struct {
	r  remote
	ok bool
}

var httpReach = &project.ProjectAnalysis[*reachMemo]{Name: "txn.httpReach", Run: func(*project.Index) *reachMemo {
	return &reachMemo{byFunc: map[*semantic.Func]reachEntry{}}
}}

// httpFrom walks fn, reached by call in f, as httpIn does from depth 0.
func httpFrom(fn *semantic.Func, call pyast.Node, f *semantic.File) (remote, bool) {
	seen := map[*semantic.Func]bool{fn: true}
	ef := effects.Of(fn.File.Unit)
	for _, e := range ef.Effects(fn.Node) {
		if e.Kind == effects.HTTP && !effects.InOnCommit(fn.File.Unit.Imports, e.Node()) {
			return remote{effect: e, file: fn.File, via: []pyast.Node{call}, files: []*semantic.File{f}}, true
		}
	}
	for inner := range pyast.FindEachShallow(pyast.Body(fn.Node), "call") {
		if r, ok := httpIn(fn.File, inner, 1, seen); ok {
			r.via = append([]pyast.Node{call}, r.via...)
			r.files = append([]*semantic.File{f}, r.files...)
			return r, true
		}
	}
	return remote{}, false
}

func httpIn(f *semantic.File, call pyast.Node, depth int, seen map[*semantic.Func]bool) (remote, bool) {
	if f == nil || depth >= maxHops {
		return remote{}, false
	}
	fn, _ := f.Callee(call)
	if fn == nil || seen[fn] {
		return remote{}, false
	}
	seen[fn] = true
	ef := effects.Of(fn.File.Unit)
	for _, e := range ef.Effects(fn.Node) {
		if e.Kind == effects.HTTP && !effects.InOnCommit(fn.File.Unit.Imports, e.Node()) {
			return remote{effect: e, file: fn.File, via: []pyast.Node{call}, files: []*semantic.File{f}}, true
		}
	}
	for inner := range pyast.FindEachShallow(pyast.Body(fn.Node), "call") {
		if r, ok := httpIn(fn.File, inner, depth+1, seen); ok {
			r.via = append([]pyast.Node{call}, r.via...)
			r.files = append([]*semantic.File{f}, r.files...)
			return r, true
		}
	}
	return remote{}, false
}

// related points at the HTTP call and each hop after the first.
func (r remote) related(from *semantic.File) []analyzer.Related {
	var out []analyzer.Related
	for i := 1; i < len(r.via); i++ {
		out = append(out, analyzer.Related{Path: r.files[i].Unit.File.Rel, Range: analyzer.RangeOf(r.via[i]), Message: "which calls this"})
	}
	out = append(out, analyzer.Related{Path: r.file.Unit.File.Rel, Range: analyzer.RangeOf(r.effect.Callee()), Message: "the HTTP call"})
	return out
}

// ownCalls returns the calls that run when fn's body runs (not those of
// nested functions or lambdas), in source order.
func ownCalls(fn pyast.Node) []pyast.Node { return pyast.FindAllShallow(pyast.Body(fn), "call") }
