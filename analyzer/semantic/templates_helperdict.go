package semantic

import "github.com/rubric-dev/rubric/analyzer/pyast"

// A context filled from a project helper returning a dict
// (`tvars.update(paginate(request, qs, 20))`, freesound's paginate
// returning `dict(paginator=paginator, current_page=n, page=page)`): each
// key of the dicts the helper returns is a context name; its value is
// read in the helper, where a page of one of its parameters (or the
// parameter itself) is the rows of the argument the caller passes.

// helperDictReturns returns the string-keyed entries of every dict the
// project function called by call returns (dict displays and dict(k=v)),
// or nil when some return is something else.
func (f *File) helperDictReturns(call pyast.Node) (*Func, bool, [][]dictEntry) {
	if _, ok := pyast.AsCall(call); !ok {
		return nil, false, nil
	}
	fn, bound := f.Callee(call)
	if fn == nil || fn.File == nil || fn.Node.Contains(call) {
		return nil, false, nil
	}
	var out [][]dictEntry
	for r := range pyast.FindEachShallow(fn.Node, "return_statement") {
		e := pyast.Unparen(r.NamedChild(0))
		ok := e.Type() == "dictionary"
		if c, isCall := pyast.AsCall(e); isCall && c.Func.Type() == "identifier" && c.Func.Text() == "dict" && len(c.Positional) == 0 {
			ok = true
		}
		if !ok {
			return nil, false, nil
		}
		out = append(out, fn.File.dictEntries(e, e.StartByte(), 3))
	}
	if len(out) == 0 {
		return nil, false, nil
	}
	return fn, bound, out
}

// helperDictEntries lists the keys a helper's returned dicts bind, each
// with the helper call as its value (helperDictRows reads it).
func (f *File) helperDictEntries(call pyast.Node) []dictEntry {
	_, _, rets := f.helperDictReturns(call)
	seen := map[string]bool{}
	var out []dictEntry
	for _, entries := range rets {
		for _, e := range entries {
			if !seen[e.key] {
				seen[e.key] = true
				out = append(out, dictEntry{e.key, call})
			}
		}
	}
	return out
}

// helperDictRows evaluates context key of a helper call's returned dicts:
// the rows of the argument whose page (or whose value) every return binds
// to key.
func (f *File) helperDictRows(key string, call pyast.Node) *QS {
	fn, bound, rets := f.helperDictReturns(call)
	if fn == nil {
		return nil
	}
	idx := -1
	for _, entries := range rets {
		i := -1
		for _, e := range entries {
			if e.key != key {
				continue
			}
			v := pyast.Unparen(e.val)
			if v.Type() == "identifier" {
				if j := indexOf(fn.Params, v.Text()); j >= 0 {
					i = j
					break
				}
			}
			i = fn.File.pageOfParam(fn, v, 1)
		}
		if i < 0 || idx >= 0 && i != idx {
			return nil
		}
		idx = i
	}
	c, _ := pyast.AsCall(call)
	arg := argFor(c, fn, idx, bound)
	if arg.IsNil() {
		return nil
	}
	return f.rowsOf(arg, 1)
}
