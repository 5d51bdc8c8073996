package semantic

import "github.com/rubric-dev/rubric/analyzer/pyast"

// A view's context handed over as `locals()` (`return render(request,
// "list.html", locals())`), directly or through a project helper that
// merges it into a dict of defaults and returns that dict
// (`context(locals())`, whose body is `default = {...};
// default.update(variables); return default`): every name the view
// binds before the call is a context name, valued as bound.

// localsEntries lists the names the function around call binds by plain
// assignment before at, each with the value it last holds there. At
// module level (no function), nothing: module globals are not a view's.
func (f *File) localsEntries(call pyast.Node, at int) []dictEntry {
	scope := pyast.Ancestor(call, "function_definition")
	if scope.IsNil() {
		return nil
	}
	seen := map[string]bool{}
	var out []dictEntry
	for a := range pyast.FindEachShallow(pyast.Body(scope), "assignment") {
		if a.EndByte() > at {
			continue
		}
		name := boundName(a)
		if name == "" || seen[name] {
			continue
		}
		seen[name] = true
		if rhs := f.Binding(call, name, at); !rhs.IsNil() {
			out = append(out, dictEntry{name, rhs})
		}
	}
	return out
}

// localsCall reports a call of the builtin locals() with no argument.
func localsCall(c pyast.Call) bool {
	return c.Func.Type() == "identifier" && c.Func.Text() == "locals" && len(c.Positional) == 0 && len(c.Keywords) == 0
}

// mergedDictArg returns the argument of call whose dict the called
// project function returns merged into its own: every return of the
// function is a local name bound to a dict display and filled with
// `name.update(param)` before it, param the same parameter each time.
// The function's own keys are not read (they are its defaults, not the
// caller's rows).
func (f *File) mergedDictArg(call pyast.Node) pyast.Node {
	c, ok := pyast.AsCall(call)
	if !ok {
		return pyast.Node{}
	}
	fn, bound := f.Callee(call)
	if fn == nil || fn.File == nil || fn.Node.Contains(call) {
		return pyast.Node{}
	}
	idx := -1
	for r := range pyast.FindEachShallow(fn.Node, "return_statement") {
		e := pyast.Unparen(r.NamedChild(0))
		if e.Type() != "identifier" {
			return pyast.Node{}
		}
		rhs := pyast.Unparen(fn.File.Binding(e, e.Text(), e.StartByte()))
		if !dictDisplay(rhs) {
			return pyast.Node{}
		}
		i := fn.File.updatedWithParam(fn, e, rhs.EndByte(), e.StartByte())
		if i < 0 || idx >= 0 && i != idx {
			return pyast.Node{}
		}
		idx = i
	}
	if idx < 0 {
		return pyast.Node{}
	}
	return argFor(c, fn, idx, bound)
}

// updatedWithParam returns the index of the parameter of fn that the
// dict held by name n is updated with (`n.update(param)`) between two
// offsets, or -1.
func (f *File) updatedWithParam(fn *Func, n pyast.Node, from, to int) int {
	idx := -1
	for a := range pyast.FindEachShallow(ScopeOf(n), "call") {
		if a.StartByte() < from || a.EndByte() > to {
			continue
		}
		c, _ := pyast.AsCall(a)
		if c.MethodName() != "update" || pyast.Dotted(c.Receiver()) != n.Text() || len(c.Positional) != 1 {
			continue
		}
		if p := pyast.Unparen(c.Positional[0]); p.Type() == "identifier" {
			if j := indexOf(fn.Params, p.Text()); j >= 0 {
				idx = j
			}
		}
	}
	return idx
}
