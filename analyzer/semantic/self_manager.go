package semantic

import (
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// SelfManagerChain reads a chain on a related manager of `self` in a
// method of a model class (`self.tags.filter(name=tag)` in
// `Sound.set_tags`): a related queryset of the relation's target, its
// owner the instance the method runs on (not a loop's row). The chain's
// steps are not read. Nil for anything else. Eval leaves `self` unknown
// outside a caller's context; rules that only need to know that a chain
// queries a relation of one fixed object use this.
func (f *File) SelfManagerChain(n pyast.Node) *QS {
	if f.M == nil || f.M.Graph == nil {
		return nil
	}
	head := pyast.Unparen(n)
	for {
		c, ok := pyast.AsCall(head)
		if !ok {
			break
		}
		if !ChainMethods[c.MethodName()] {
			return nil
		}
		head = pyast.Unparen(c.Receiver())
	}
	if head.Type() != "attribute" || pyast.Dotted(head.ChildByField("object")) != "self" {
		return nil
	}
	cls := f.classOfNode(head)
	if cls == nil {
		return nil
	}
	md := f.M.Graph.ByQual(cls.Qual)
	if md == nil {
		return nil
	}
	a := md.Attr(head.ChildByField("attribute").Text())
	if a.Kind != project.AttrReverseMany && a.Kind != project.AttrManyToMany || a.Target == nil {
		return nil
	}
	return &QS{Model: a.Target, ModelText: a.Target.Name, Related: true, Origin: head, OriginFile: f, MaybeCached: true}
}
