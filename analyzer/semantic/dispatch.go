package semantic

import "github.com/rubric-dev/rubric/analyzer/pyast"

// dispatchTargets returns the project functions a call through a dispatch
// table may run: `handlers[key]()` where handlers is a local bound only to
// dict literals whose values are references to functions or methods
// (`{"deposit": self.deposit, "withdraw": self.withdraw}`). Each value is
// one the key may pick, so each function's effects are the call's. A
// value rubric cannot resolve leaves that one out; nil when the call is
// not through such a table.
func (f *File) dispatchTargets(call pyast.Node) []*Func {
	fn := pyast.Unparen(call.ChildByField("function"))
	if fn.Type() != "subscript" {
		return nil
	}
	table := pyast.Unparen(fn.ChildByField("value"))
	if table.Type() != "identifier" {
		return nil
	}
	binds := f.Bindings(call, table.Text())
	if len(binds) == 0 {
		return nil
	}
	var out []*Func
	seen := map[*Func]bool{}
	for _, b := range binds {
		b = pyast.Unparen(b)
		if b.Type() != "dictionary" {
			return nil
		}
		for pair := range b.Named() {
			if pair.Type() != "pair" {
				continue
			}
			if g := f.FuncRef(pair.ChildByField("value")); g != nil && !seen[g] {
				seen[g] = true
				out = append(out, g)
			}
		}
	}
	return out
}
