package txn

import (
	"github.com/rubric-dev/rubric/analyzer"
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
// false when the call reaches none.
func httpThrough(f *semantic.File, call pyast.Node) (remote, bool) {
	return httpIn(f, call, 0, map[*semantic.Func]bool{})
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
	for _, inner := range pyast.FindAllShallow(pyast.Body(fn.Node), "call") {
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
