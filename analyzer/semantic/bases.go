package semantic

import "github.com/rubric-dev/rubric/analyzer/pyast"

// BaseExpr returns the class a base of a class statement names, without
// the type arguments of a subscripted generic: `NestedViewSet[Webhook]`
// and `viewsets.GenericViewSet[T]` derive from `NestedViewSet` and
// `viewsets.GenericViewSet` (PEP 560: the subscript resolves to the class
// at run time).
func BaseExpr(b pyast.Node) pyast.Node {
	if b.Type() == "subscript" {
		return b.ChildByField("value")
	}
	return b
}
