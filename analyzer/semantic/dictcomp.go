package semantic

import "github.com/rubric-dev/rubric/analyzer/pyast"

// dictCompValues evaluates the values of a dict built by a comprehension
// that keys the rows of a queryset (`{c.name: c for c in criteria}`):
// recv is the dict, a local name bound once to the comprehension or a
// `self` attribute a method of the class binds once to it
// (`self._criteria_index = {...}` in `__init__`). The values are the
// rows of the clause's iterable. A comprehension with more than one
// clause, or whose value is not the clause's variable itself, is not
// read.
func (f *File) dictCompValues(recv pyast.Node, st ctx) *QS {
	recv = pyast.Unparen(recv)
	file := f
	var v pyast.Node
	switch recv.Type() {
	case "identifier":
		if f.BindingCount(recv, recv.Text()) != 1 {
			return nil
		}
		v = f.Binding(recv, recv.Text(), recv.StartByte())
	case "attribute":
		if pyast.Dotted(recv.ChildByField("object")) != "self" {
			return nil
		}
		c := f.selfClass(recv, st)
		if c == nil {
			return nil
		}
		vs := c.SelfAttrs[recv.ChildByField("attribute").Text()]
		if len(vs) != 1 || vs[0].IsNil() {
			return nil
		}
		v, file = vs[0], c.File
	default:
		return nil
	}
	v = pyast.Unparen(v)
	if v.Type() != "dictionary_comprehension" {
		return nil
	}
	var clause, pair pyast.Node
	for _, ch := range v.NamedChildren() {
		switch ch.Type() {
		case "for_in_clause":
			if !clause.IsNil() {
				return nil
			}
			clause = ch
		case "pair":
			pair = ch
		}
	}
	if clause.IsNil() || pair.IsNil() {
		return nil
	}
	left, val := pyast.Unparen(clause.ChildByField("left")), pyast.Unparen(pair.ChildByField("value"))
	if left.Type() != "identifier" || val.Type() != "identifier" || left.Text() != val.Text() {
		return nil
	}
	return file.eval(clause.ChildByField("right"), st.in())
}
