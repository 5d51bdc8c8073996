package semantic

import "github.com/rubric-dev/rubric/analyzer/pyast"

// instanceClass returns the project class, other than a model (rows are
// instance()'s), whose new instance n is: a call of the class
// (`WalletHandler(wallet_id).deposit()`), or a local name bound to one
// before n (`handler = WalletHandler(wallet_id)` then `handler.deposit()`).
// The class is read as Model.classByName reads one: a class of the module,
// an imported one, or a name bound by a loader (oscar's `get_class`) that
// one project class answers.
// A service object's methods are then resolved as self's are, so what an
// endpoint does through it (writes, HTTP calls, queries per row) is seen.
func (f *File) instanceClass(n pyast.Node, depth int) *Class {
	n = pyast.Unparen(n)
	switch n.Type() {
	case "identifier":
		if depth > 2 {
			return nil
		}
		rhs := f.Binding(n, string(n.Bytes()), n.StartByte())
		if rhs.IsNil() {
			return nil
		}
		return f.instanceClass(rhs, depth+1)
	case "call":
		c := f.M.classByName(f, n.ChildByField("function"))
		if c == nil || f.M.isModelClass(c) {
			return nil
		}
		return c
	}
	return nil
}
