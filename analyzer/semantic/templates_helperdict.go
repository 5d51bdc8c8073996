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
		ok := dictDisplay(e)
		depth := 3
		if e.Type() == "identifier" {
			// `context = RequestContext(request)` or `ctx = {...}`, filled
			// (`context.update({...})`, `ctx["k"] = v`), then returned.
			rhs := pyast.Unparen(fn.File.Binding(e, e.Text(), e.StartByte()))
			ok, depth = dictDisplay(rhs) || fn.File.contextObject(rhs), 2
		}
		if !ok {
			return nil, false, nil
		}
		out = append(out, fn.File.dictEntries(e, e.StartByte(), depth))
	}
	if len(out) == 0 {
		return nil, false, nil
	}
	return fn, bound, out
}

// dictDisplay reports a dict display or a dict(k=v) call.
func dictDisplay(e pyast.Node) bool {
	if e.Type() == "dictionary" {
		return true
	}
	c, isCall := pyast.AsCall(e)
	return isCall && c.Func.Type() == "identifier" && c.Func.Text() == "dict" && len(c.Positional) == 0
}

// contextObject reports the construction of a template Context or
// RequestContext, Django's or a project subclass
// (`PatchworkRequestContext(request, list_view=view)`): the dict its
// update() calls fill is the template's context.
func (f *File) contextObject(e pyast.Node) bool {
	c, ok := pyast.AsCall(e)
	if !ok {
		return false
	}
	if contextWrapper(f, c) >= 0 {
		return true
	}
	d := pyast.Dotted(c.Func)
	if d == "" {
		return false
	}
	cls := f.topClasses[d]
	if cls == nil {
		cls = f.M.LookupClass(f.Unit.Qualify(d))
	}
	return cls != nil && cls.DerivesFrom("django.template.RequestContext", "django.template.context.RequestContext",
		"django.template.Context", "django.template.context.Context")
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
	if q := fn.File.localDictRows(fn, key, rets); q != nil {
		return q
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

// localDictRows evaluates context key of a helper's one returned dict
// when its value is built in the helper from no parameter
// (`paginator = Paginator(request, Patch.objects.filter(...))` then
// `context.update({"page": paginator.current_page})`): its rows, read
// in the helper.
func (f *File) localDictRows(fn *Func, key string, rets [][]dictEntry) *QS {
	if len(rets) != 1 {
		return nil
	}
	var v pyast.Node
	for _, e := range rets[0] {
		if e.key == key {
			v = pyast.Unparen(e.val) // a later update wins
		}
	}
	if v.IsNil() || v.Type() == "identifier" && indexOf(fn.Params, v.Text()) >= 0 || f.pageOfParam(fn, v, 1) >= 0 {
		return nil
	}
	cv := f.ctxValue(key, v)
	return cv.Rows
}
