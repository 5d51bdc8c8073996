package bugs

import (
	"bytes"
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed m2mdelete.md
var m2mDeleteDoc string

// ManyToManyDelete reports delete() on a queryset of a many-to-many
// related manager: it deletes the related rows themselves, not the links.
var ManyToManyDelete = &analyzer.Rule{
	Code:       "BUG020",
	Name:       "many-to-many-delete",
	Doc:        m2mDeleteDoc,
	Category:   analyzer.Correctness,
	Severity:   analyzer.Error,
	Confidence: analyzer.Medium,
	Since:      "0.3.0",
	Stack:      project.Django,
	Skip:       semantic.ProductCode | semantic.Command,
	Requires:   requires,
	Run:        runManyToManyDelete,
}

// keepsManager are the queryset methods between a related manager and
// delete() that keep its rows the related model's.
var keepsManager = map[string]bool{"all": true, "filter": true, "exclude": true, "order_by": true, "distinct": true,
	"select_related": true, "prefetch_related": true, "only": true, "defer": true, "select_for_update": true}

// runManyToManyDelete matches `obj.rel[.all()|.filter(...)...].delete()`
// where the semantic model knows obj's model and rel is a many-to-many
// relation of it, forward or reverse: the queryset holds the other side's
// rows, and delete() removes them (with their cascades) from every object
// that links to them. Inside a model's own delete() or a delete signal
// receiver the cleanup is usually meant and is not reported.
func runManyToManyDelete(p *analyzer.Pass) error {
	if !bytes.Contains(p.File.Src(), []byte(".delete(")) {
		return nil
	}
	f := semantic.Of(p.Project).File(p.Unit)
	for n := range pyast.FindEach(p.Root, "call") {
		c, _ := pyast.AsCall(n)
		if c.MethodName() != "delete" || len(c.Positional) > 0 || len(c.Keywords) > 0 {
			continue
		}
		recv := c.Receiver()
		filtered := false
		for {
			rc, ok := pyast.AsCall(recv)
			if !ok || !keepsManager[rc.MethodName()] {
				break
			}
			if m := rc.MethodName(); m == "filter" || m == "exclude" {
				filtered = true
			}
			recv = rc.Receiver()
		}
		if recv.Type() != "attribute" || recv.Equal(c.Receiver()) {
			continue // `obj.tags.delete()` is not a queryset method
		}
		obj := recv.ChildByField("object")
		name := recv.ChildByField("attribute").Text()
		md, _ := f.Instance(obj)
		if md == nil {
			md = serializerInstance(f, obj)
		}
		if md == nil {
			continue
		}
		a := md.Attr(name)
		var field *project.Field
		switch a.Kind {
		case project.AttrManyToMany:
			field = a.Field
		case project.AttrReverseMany:
			if a.Relation.Field.Kind == project.ManyToMany {
				field = a.Relation.Field
			}
		}
		if field == nil || cleanupContext(n) {
			continue
		}
		// Rows owned through the relation (a menu's items) are often
		// replaced wholesale: `.all().delete()` is judged only when the
		// links are rows of a through model, a filtered delete also when
		// other relations point at the rows (a catalogue).
		through := throughModel(f, field)
		if through == "" && (!filtered || !sharedTarget(a.Target, field)) {
			continue
		}
		target := "related"
		if a.Target != nil {
			target = a.Target.Name
		} else if field.External != "" {
			target = field.External
		}
		d := analyzer.Diagnostic{
			Range: analyzer.RangeOf(n),
			Message: fmt.Sprintf("`%s.%s` is a many-to-many: `.delete()` on it deletes the `%s` rows themselves (for every object linked to them), not their links to `%s`",
				pyast.OneLine(obj, 40), name, target, pyast.OneLine(obj, 40)),
			Help: fmt.Sprintf("unlink them instead: `%s.%s.remove(*rows)` or `.clear()` (or delete the rows of the through model)", pyast.OneLine(obj, 40), name),
		}
		if through != "" {
			d.Message += fmt.Sprintf("; the links are the `%s` rows", through)
			d.Confidence = analyzer.High
		}
		p.Report(d)
	}
	return nil
}

// serializerInstance returns the model of `instance` in a model
// serializer's update(self, instance, validated_data).
func serializerInstance(f *semantic.File, obj pyast.Node) *project.Model {
	if obj.Type() != "identifier" || obj.Text() != "instance" {
		return nil
	}
	fn := f.EnclosingFunc(obj)
	if fn == nil || fn.Class == nil || fn.Name != "update" || len(fn.Params) < 2 || fn.Params[1] != "instance" {
		return nil
	}
	if f.BindingCount(obj, "instance") > 0 {
		return nil
	}
	return f.M.SerializerModel(fn.Class)
}

// throughModel returns the explicit through model of a many-to-many
// field as written, or "".
func throughModel(f *semantic.File, field *project.Field) string {
	if field.Model == nil {
		return ""
	}
	cls := f.M.ClassOfModel(field.Model)
	if field.Abstract != nil {
		cls = f.M.ClassOfModel(field.Abstract)
	}
	if cls == nil {
		return ""
	}
	v, _ := cls.Attr(field.Name)
	c, ok := pyast.AsCall(v)
	if !ok {
		return ""
	}
	t := c.Keyword("through")
	if s, ok := pyast.StringValue(t); ok {
		return s
	}
	return pyast.Dotted(t)
}

// sharedTarget reports whether other relations than field point at the
// target model: its rows are referenced elsewhere (a catalogue, not rows
// owned by the relation).
func sharedTarget(target *project.Model, field *project.Field) bool {
	if target == nil {
		return true // auth.User, Group...: never owned by one relation
	}
	for _, r := range target.Reverse {
		if r.Field != field {
			return true
		}
	}
	return false
}

// cleanupContext reports a call inside a method named delete or a
// function connected to a delete signal (by decorator): there, deleting
// the related rows along with the object is usually the point.
func cleanupContext(n pyast.Node) bool {
	def := pyast.EnclosingFunction(n)
	if def.IsNil() {
		return false
	}
	name := strings.ToLower(pyast.DefName(def))
	for _, w := range []string{"delete", "destroy", "clear", "clean", "purge", "remove"} {
		if strings.Contains(name, w) {
			return true
		}
	}
	for _, d := range pyast.Decorators(def) {
		t := d.Text()
		if bytes.Contains([]byte(t), []byte("pre_delete")) || bytes.Contains([]byte(t), []byte("post_delete")) {
			return true
		}
	}
	return false
}
