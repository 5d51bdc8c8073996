package bugs

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed keyinqueryset.md
var keyInQuerysetDoc string

// KeyInQueryset reports `obj.id in queryset`: a key compared with model
// instances, never equal.
var KeyInQueryset = &analyzer.Rule{
	Code:       "BUG023",
	Name:       "key-in-queryset",
	Doc:        keyInQuerysetDoc,
	Category:   analyzer.Correctness,
	Severity:   analyzer.Error,
	Confidence: analyzer.High,
	Since:      "0.3.0",
	Stack:      project.Django,
	Skip:       semantic.Test | semantic.Migration,
	Requires:   requires,
	Run:        runKeyInQueryset,
}

// runKeyInQueryset matches `KEY in QS` and `KEY not in QS` where KEY reads
// a primary or foreign key (`x.id`, `x.pk`, `x.<fk>_id`, a name ending in
// `_id` or `_pk`, `pk`, `id`) and QS is, to the semantic model, a queryset
// of model rows (not values()/values_list(), not a union, no custom method
// rubric cannot read): a model instance never equals an int or a UUID, so
// the test is always False (always True with `not in`).
func runKeyInQueryset(p *analyzer.Pass) error {
	f := semantic.Of(p.Project).File(p.Unit)
	for cmp := range pyast.FindEach(p.Root, "comparison_operator") {
		parts := cmp.Children()
		if len(parts) != 3 {
			continue
		}
		op := parts[1].Type()
		if op != "in" && op != "not in" {
			continue
		}
		key, coll := pyast.Unparen(parts[0]), pyast.Unparen(parts[2])
		if !readsKey(key) {
			continue
		}
		model := ""
		if q := f.Eval(coll); q != nil && !q.Values && !q.Custom && !q.Opaque && !q.Combined && !q.NamesOpen {
			model = q.ModelText
			if q.Model != nil {
				model = q.Model.Name
			}
		} else if md := relatedRows(f, coll); md != nil {
			model = md.Name
		}
		if model == "" {
			continue
		}
		never := "never true"
		if op == "not in" {
			never = "always true"
		}
		p.Report(analyzer.Diagnostic{
			Range: analyzer.RangeOf(cmp),
			Message: fmt.Sprintf("`%s` is a key but `%s` holds `%s` rows: a model instance never equals a key, so this test is %s",
				pyast.OneLine(key, 40), pyast.OneLine(coll, 40), model, never),
			Help: fmt.Sprintf("compare keys with keys: `%s.filter(pk=%s).exists()`, or build the set once with `values_list(\"pk\", flat=True)`",
				pyast.OneLine(coll, 40), pyast.OneLine(key, 40)),
		})
	}
	return nil
}

// relatedRows follows a name bound once to `obj.rel.all()` (or filter,
// exclude, order_by) where rel is a many relation of obj's model (a row,
// or `instance` in a model serializer's update), and returns the related
// model.
func relatedRows(f *semantic.File, coll pyast.Node) *project.Model {
	if coll.Type() == "identifier" {
		bs := f.Bindings(coll, coll.Text())
		if len(bs) != 1 {
			return nil
		}
		coll = pyast.Unparen(bs[0])
	}
	c, ok := pyast.AsCall(coll)
	if !ok {
		return nil
	}
	recv := coll
	for ok {
		switch c.MethodName() {
		case "all", "filter", "exclude", "order_by", "select_related", "prefetch_related", "distinct":
		default:
			return nil
		}
		recv = c.Receiver()
		c, ok = pyast.AsCall(recv)
	}
	if recv.Type() != "attribute" {
		return nil
	}
	obj := recv.ChildByField("object")
	md, _ := f.Instance(obj)
	if md == nil {
		md = serializerInstance(f, obj)
	}
	if md == nil {
		return nil
	}
	a := md.Attr(recv.ChildByField("attribute").Text())
	if (a.Kind == project.AttrManyToMany || a.Kind == project.AttrReverseMany) && a.Target != nil {
		return a.Target
	}
	return nil
}

// readsKey reports an expression that reads a primary or foreign key.
func readsKey(n pyast.Node) bool {
	var name string
	switch n.Type() {
	case "attribute":
		name = n.ChildByField("attribute").Text()
	case "identifier":
		name = n.Text()
	default:
		return false
	}
	return name == "id" || name == "pk" || strings.HasSuffix(name, "_id") || strings.HasSuffix(name, "_pk")
}
