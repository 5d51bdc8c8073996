package semantic

import "github.com/rubric-dev/rubric/analyzer/pyast"

// mixinClassMethod reads a call of a classmethod that a plain class (not a
// model) defines, made on a model (`Program.search(query)`, where search is
// a searchable mixin's and returns `cls.objects...` or a queryset filtered
// from it): cls is that model, so the method's return is read with the
// model's class as self, and `cls.objects` gives its rows (evalAttrOf).
// ok is false for other calls.
func (f *File) mixinClassMethod(c pyast.Call, fn *Func, bound bool, st ctx) (q *QS, ok bool) {
	if !bound || fn == nil || !fn.ClassMethod || fn.Class == nil || fn.File == nil || f.M.isModelClass(fn.Class) || st.d > 6 {
		return nil, false
	}
	d := pyast.Dotted(c.Receiver())
	if d == "" || d == "cls" || d == "self" {
		return nil, false
	}
	md := f.M.Graph.Lookup(f.Unit, d)
	if md == nil || md.Abstract {
		return nil, false
	}
	mc := f.M.ClassOfModel(md)
	if mc == nil {
		return nil, false
	}
	q = fn.File.returnQS(fn.Node, ctx{d: st.d + 1, self: mc, deps: st.deps})
	return q, q != nil
}
