package semantic

import (
	"sort"
	"strings"

	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// Dedup is a de-duplication on a sender's identifier: a function looks a
// model's rows up by a unique field (`filter(K=v).exists()`) and creates a
// row of that model with the same field, so a repeated delivery or request
// finds its row and is refused; or it calls get_or_create on that field.
type Dedup struct {
	Model *project.Model
	Field *project.Field
	At    pyast.Node // the lookup
}

// SenderKeyName reports a field named for an identifier another party
// assigns (`yaya_id`, `stripe_id`, `external_ref`): a name ending in id or
// ref, other than the row's own `id` and a relation's `<fk>_id`.
func SenderKeyName(name string) bool {
	low := strings.ToLower(name)
	if low == "id" || low == "pk" || low == "uuid" {
		return false
	}
	return strings.HasSuffix(low, "_id") || strings.HasSuffix(low, "_ref") || strings.HasSuffix(low, "_reference")
}

// Dedups returns the de-duplications of a function (see Dedup): the field
// must be unique by itself, not the primary key, not a relation, named for
// a sender's identifier, on a model of money (a payment, a transaction).
func (f *File) Dedups(fn pyast.Node) []Dedup {
	var out []Dedup
	type key struct {
		md    *project.Model
		field string
	}
	looked := map[key]pyast.Node{}
	created := map[key]bool{}
	field := func(md *project.Model, kw string) *project.Field {
		name, _, _ := strings.Cut(kw, "__")
		if md == nil || !InMoneyContext(md.Name) || !SenderKeyName(name) {
			return nil
		}
		fd := md.Field(name)
		if fd == nil || fd.PrimaryKey || fd.IsRelation() || !md.UniqueBy([]string{name}) {
			return nil
		}
		return fd
	}
	for n := range pyast.FindEachShallow(pyast.Body(fn), "call") {
		c, _ := pyast.AsCall(n)
		switch c.MethodName() {
		case "exists", "aexists", "first", "afirst":
			inner, ok := pyast.AsCall(pyast.Unparen(c.Receiver()))
			if !ok || inner.MethodName() != "filter" {
				continue
			}
			q := f.Eval(inner.Node)
			if q == nil {
				continue
			}
			for kw := range inner.EachKeyword() {
				if fd := field(q.Model, kw); fd != nil {
					if _, seen := looked[key{q.Model, fd.Name}]; !seen {
						looked[key{q.Model, fd.Name}] = n
					}
				}
			}
		case "create", "acreate", "get_or_create", "aget_or_create":
			q := f.Eval(c.Receiver())
			if q == nil {
				continue
			}
			for kw := range c.EachKeyword() {
				fd := field(q.Model, kw)
				if fd == nil {
					continue
				}
				k := key{q.Model, fd.Name}
				if strings.Contains(c.MethodName(), "get_or_create") {
					if _, seen := looked[k]; !seen {
						looked[k] = n
					}
				}
				created[k] = true
			}
		}
	}
	for k, at := range looked {
		if created[k] {
			out = append(out, Dedup{Model: k.md, Field: k.md.Field(k.field), At: at})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].At.StartByte() < out[j].At.StartByte() })
	return out
}
