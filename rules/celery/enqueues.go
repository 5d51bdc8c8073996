package celery

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

// enqueue is one place a task is queued: `task.delay(...)`,
// `task.apply_async(args=[...], kwargs={...})`, `task.s(...)`.
type enqueue struct {
	file *semantic.File
	call pyast.Call
	args []pyast.Node          // positional arguments, in order
	kw   map[string]pyast.Node // keyword arguments
}

// enqueues maps each task function of the project to the places that
// queue it, in path order.
var enqueues = &project.ProjectAnalysis[map[*semantic.Func][]enqueue]{Name: "celery.enqueues", Run: func(ix *project.Index) map[*semantic.Func][]enqueue {
	sm := semantic.Of(ix)
	out := map[*semantic.Func][]enqueue{}
	for _, f := range sm.Files() {
		if semantic.RolesOf(f.Unit).Any(semantic.Test | semantic.Migration) {
			continue
		}
		for n := range pyast.FindEach(f.Unit.Tree.Root(), "call") {
			h, _ := pyast.AsCallHead(n)
			if h.Func.Type() != "attribute" || !enqueueMethods[h.MethodName()] {
				continue
			}
			d := pyast.Dotted(h.Receiver())
			if d == "" {
				continue
			}
			fn := sm.LookupFunc(f.Unit.Qualify(d))
			if fn == nil {
				continue
			}
			c, _ := pyast.AsCall(n)
			e := enqueue{file: f, call: c, kw: map[string]pyast.Node{}}
			if c.MethodName() == "apply_async" {
				if a := pyast.Unparen(c.Arg(0, "args")); a.Is("list", "tuple") {
					e.args = a.NamedChildren()
				}
				if k := pyast.Unparen(c.Arg(1, "kwargs")); k.Type() == "dictionary" {
					for pair := range k.Named() {
						if s, ok := pyast.StringValue(pair.ChildByField("key")); ok {
							e.kw[s] = pair.ChildByField("value")
						}
					}
				}
			} else {
				e.args = c.Positional
				for k, v := range c.EachKeyword() {
					e.kw[k] = v
				}
			}
			out[fn] = append(out[fn], e)
		}
	}
	return out
}}

// rowParams reports, at a task's signature, the parameters its callers
// fill with model rows or querysets (the semantic model's values at every
// enqueue site), and those its body uses as a row (save(), delete(),
// refresh_from_db() on the parameter). Parameters annotated with a model
// are reported by the annotation check instead.
func rowParams(p *analyzer.Pass, t task, annotated map[string]bool) {
	sm := semantic.Of(p.Project)
	f := sm.File(p.Unit)
	if f == nil {
		return
	}
	fn := f.FuncOf(t.def)
	if fn == nil {
		return
	}
	params := t.def.ChildByField("parameters").NamedChildren()
	names := fn.Params
	skip := 0
	if t.bound != "" {
		skip = 1
	}
	sites := enqueues.Get(p.Project)[fn]
	for i := skip; i < len(names) && i < len(params); i++ {
		name := names[i]
		if annotated[name] || params[i].Is("typed_parameter", "typed_default_parameter", "list_splat_pattern", "dictionary_splat_pattern") {
			continue // an annotation says what the author meant; see modelAnnotation
		}
		if keyName(name) {
			// Named for a key: the task expects ids. A row passed there
			// anyway is reported at that call site.
			continue
		}
		var evidence []analyzer.Related
		kind, model := "", ""
		kinds := map[string]bool{}
		for _, s := range sites {
			arg := s.kw[name]
			if arg.IsNil() && i-skip < len(s.args) {
				arg = s.args[i-skip]
			}
			if arg.IsNil() {
				continue
			}
			v := s.file.Value(arg)
			if v.Model == nil || v.Kind != semantic.Row && v.Kind != semantic.QuerySet && v.Kind != semantic.Related {
				continue
			}
			if v.QS != nil && v.QS.Values {
				continue // ids or dicts: values_list() is the usual way to pass keys
			}
			if deletedInstance(arg) {
				continue // the row is gone: its key would find nothing
			}
			kind, model = "model row", v.Model.Name
			if v.Kind != semantic.Row {
				kind = "queryset"
			}
			kinds[model+" "+kind] = true
			evidence = append(evidence, analyzer.Related{Path: s.file.Unit.File.Rel, Range: analyzer.RangeOf(arg),
				Message: fmt.Sprintf("a `%s` %s passed here", model, kind)})
		}
		conf := analyzer.Medium
		if len(evidence) == 0 {
			use := rowUse(t.def, name)
			if use.IsNil() {
				continue
			}
			kind = "model row"
			conf = analyzer.Low
			evidence = append(evidence, analyzer.Related{Range: analyzer.RangeOf(use), Message: "used as a model row here"})
		}
		what := fmt.Sprintf("a `%s` %s", model, kind)
		if model == "" {
			what = "a " + kind
		} else if len(kinds) > 1 {
			what = "model rows and querysets"
		}
		p.Report(analyzer.Diagnostic{
			Range:      analyzer.RangeOf(params[i]),
			Confidence: conf,
			Message:    fmt.Sprintf("task `%s` takes `%s` as %s: it is serialized when queued and stale (or unserializable) when the worker runs", t.name, name, what),
			Help:       fmt.Sprintf("take the primary key (`%s_id`) and load the row inside the task; queue it with `%s.delay(obj.pk)`", strings.TrimSuffix(name, "_obj"), t.name),
			Related:    evidence,
		})
	}
}

// rowUse returns a call in the task body that treats the parameter as a
// model row: `param.save()`, `param.delete()`, `param.refresh_from_db()`.
func rowUse(def pyast.Node, name string) pyast.Node {
	for call := range pyast.FindEach(pyast.Body(def), "call") {
		c, _ := pyast.AsCall(call)
		switch c.MethodName() {
		case "save", "refresh_from_db":
		default:
			continue
		}
		if c.Func.Type() == "attribute" && pyast.Dotted(c.Receiver()) == name {
			return call
		}
	}
	return pyast.Node{}
}

// keyName reports a parameter named for a primary key or a list of them
// (id, pk, user_id, version_pk, order_ids).
func keyName(name string) bool {
	n := strings.ToLower(name)
	for _, suf := range []string{"id", "pk", "ids", "pks"} {
		if n == suf || strings.HasSuffix(n, "_"+suf) {
			return true
		}
	}
	return false
}

// deletedInstance reports an argument that is a parameter of a receiver of
// a delete signal (`@receiver(post_delete, sender=Document)`): the row is
// deleted, so passing the instance is the only way to hand it on.
func deletedInstance(arg pyast.Node) bool {
	if arg.Type() != "identifier" {
		return false
	}
	fn := pyast.Ancestor(arg, "function_definition")
	if fn.IsNil() || !slices.Contains(pyast.ParamNames(fn), arg.Text()) {
		return false
	}
	for _, d := range pyast.Decorators(fn) {
		c, ok := pyast.AsCall(d)
		if !ok || c.MethodName() != "receiver" {
			continue
		}
		for _, a := range c.Positional {
			if n := pyast.Dotted(a); strings.HasSuffix(n, "post_delete") || strings.HasSuffix(n, "pre_delete") {
				return true
			}
		}
	}
	return false
}
