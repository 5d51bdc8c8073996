package bugs

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed readonlyinput.md
var readOnlyInputDoc string

// ReadOnlyInputField reports a ModelSerializer field the model declares
// non-editable (DRF makes it read-only) whose value the code then reads
// from the validated data: the client's value never gets there.
var ReadOnlyInputField = &analyzer.Rule{
	Code:              "BUG027",
	Name:              "read-only-input-field",
	Doc:               readOnlyInputDoc,
	Category:          analyzer.Correctness,
	Severity:          analyzer.Error,
	Confidence:        analyzer.High,
	Since:             "0.9.0",
	Stack:             project.Django,
	SkipOnSyntaxError: true,
	Skip:              semantic.Test | semantic.Migration,
	Requires:          requires,
	Run:               runReadOnlyInputField,
}

// modelSerializer is what the BUG027/BUG028 checks know of a
// ModelSerializer class: its model, the names its own Meta lists in
// `fields` (with the string nodes), and the names it leaves to DRF to
// build (not declared on the class, not in read_only_fields, and without
// extra_kwargs options that change the field: read_only, validators,
// source...).
type modelSerializer struct {
	cls    *semantic.Class
	model  *project.Model
	fields map[string]pyast.Node // name -> the string in Meta.fields
	order  []string
	built  map[string]bool
}

// asModelSerializer reads c as a DRF ModelSerializer of a known model
// whose own Meta lists its fields literally; nil otherwise, and nil when
// the class (or a base) overrides how fields are built.
func asModelSerializer(sm *semantic.Model, c *semantic.Class) *modelSerializer {
	mro, md, meta := drfModelSerializer(sm, c, func(cc *semantic.Class) bool {
		for _, m := range append(serializerOverrides, "build_standard_field", "to_internal_value", "run_validation", "get_extra_kwargs", "include_extra_kwargs") {
			if cc.Methods[m] != nil {
				return true
			}
		}
		return false
	})
	if md == nil {
		return nil
	}
	ms := &modelSerializer{cls: c, model: md, fields: map[string]pyast.Node{}, built: map[string]bool{}}
	skip := map[string]bool{}
	for _, cc := range mro {
		for name := range cc.Attrs {
			skip[name] = true
		}
	}
	for st := range pyast.EachStatement(pyast.Body(meta)) {
		a := st.NamedChild(0)
		if st.Type() != "expression_statement" || a.Type() != "assignment" || a.ChildByField("left").Type() != "identifier" {
			continue
		}
		val := pyast.Unparen(a.ChildByField("right"))
		switch a.ChildByField("left").Text() {
		case "fields":
			for _, e := range listItems(val) {
				if name, ok := pyast.StringValue(e); ok {
					if _, dup := ms.fields[name]; !dup {
						ms.fields[name] = e
						ms.order = append(ms.order, name)
					}
				}
			}
		case "read_only_fields":
			for _, e := range listItems(val) {
				if name, ok := pyast.StringValue(e); ok {
					skip[name] = true
				}
			}
			if val.Type() != "list" && val.Type() != "tuple" && val.Type() != "set" {
				return nil // computed: cannot tell which
			}
		case "extra_kwargs":
			if val.Type() != "dictionary" {
				return nil
			}
			for pair := range val.Named() {
				name, ok := pyast.StringValue(pair.ChildByField("key"))
				if !ok {
					continue
				}
				opts := pair.ChildByField("value")
				if opts.Type() != "dictionary" {
					skip[name] = true
					continue
				}
				// Options that change what DRF builds; help_text,
				// error_messages, min_value and the like do not.
				for o := range opts.Named() {
					switch k, _ := pyast.StringValue(o.ChildByField("key")); k {
					case "read_only", "write_only", "validators", "source", "required", "default":
						skip[name] = true
					}
				}
			}
		}
	}
	for _, name := range ms.order {
		if !skip[name] && md.Field(name) != nil {
			ms.built[name] = true
		}
	}
	return ms
}

// fieldCall returns the call declaring the model field name (on the
// model class or a base it inherits from), or ok false.
func fieldCall(sm *semantic.Model, md *project.Model, name string) (pyast.Call, *semantic.Class, bool) {
	cls := sm.ClassOfModel(md)
	if cls == nil {
		return pyast.Call{}, nil, false
	}
	v, decl := cls.Attr(name)
	c, ok := pyast.AsCall(pyast.Unparen(v))
	return c, decl, ok
}

// nonEditable returns the keyword that makes the model field read-only in
// a ModelSerializer (`editable=False`, `auto_now=True`,
// `auto_now_add=True`), or "".
func nonEditable(c pyast.Call) string {
	if c.StarKwargs {
		return ""
	}
	if c.Keyword("editable").Text() == "False" {
		return "editable=False"
	}
	for _, k := range []string{"auto_now", "auto_now_add"} {
		if c.Keyword(k).Text() == "True" {
			return k + "=True"
		}
	}
	return ""
}

func runReadOnlyInputField(p *analyzer.Pass) error {
	sm := semantic.Of(p.Project)
	f := sm.File(p.Unit)
	if f == nil {
		return nil
	}
	for _, c := range f.Classes {
		ms := asModelSerializer(sm, c)
		if ms == nil {
			continue
		}
		candidates := map[string]string{} // name -> the non-editable keyword
		for _, name := range ms.order {
			if !ms.built[name] {
				continue
			}
			if call, _, ok := fieldCall(sm, ms.model, name); ok {
				if kw := nonEditable(call); kw != "" {
					candidates[name] = kw
				}
			}
		}
		if len(candidates) == 0 {
			continue
		}
		reads := validatedReads(sm, ms)
		for _, name := range ms.order {
			kw, ok := candidates[name]
			if !ok {
				continue
			}
			var first *semantic.KeyRead
			for i := range reads {
				if reads[i].Key == name {
					first = &reads[i]
					break
				}
			}
			if first == nil {
				continue // never read from the input: an output-only field
			}
			fn := first.Func
			what := fmt.Sprintf("`%s` in `%s` raises KeyError", pyast.OneLine(first.Node, 50), fn.Name)
			if first.Get {
				what = fmt.Sprintf("`%s` in `%s` is always None", pyast.OneLine(first.Node, 50), fn.Name)
			}
			d := analyzer.Diagnostic{
				Range: analyzer.RangeOf(ms.fields[name]),
				Message: fmt.Sprintf("`%s` is `%s` on `%s`, so `%s` makes it read-only and drops the client's value: %s",
					name, kw, ms.model.Name, c.Name, what),
				Help: fmt.Sprintf("declare the field on the serializer (`%s = serializers.%s()`) so the request can set it, or drop `%s` from the model field",
					name, serializerFieldFor(ms.model.Field(name)), kw),
				Related: []analyzer.Related{{Path: fn.File.Unit.File.Rel, Range: analyzer.RangeOf(first.Node), Message: "read from the validated data here"}},
			}
			if fd := ms.model.Field(name); fd != nil && fd.Path != "" {
				d.Related = append(d.Related, analyzer.Related{Path: fd.Path, Range: analyzer.Range{Start: fd.Start, End: fd.End}, Message: "declared " + kw + " here"})
			}
			p.Report(d)
		}
	}
	return nil
}

// validatedReads returns every literal-key read of ms's validated data:
// through the project's builds of the serializer (and one call deep), and
// in its own validate(attrs), create(validated_data) and
// update(instance, validated_data). Reads in create/update of a key some
// `.save(key=...)` supplies are dropped. Sorted by file and position.
func validatedReads(sm *semantic.Model, ms *modelSerializer) []semantic.KeyRead {
	var out []semantic.KeyRead
	for _, b := range sm.SerializerBuilds(ms.cls) {
		out = append(out, sm.ValidatedReads(b)...)
	}
	if fn := ms.cls.Methods["validate"]; fn != nil && len(fn.Params) > 1 {
		out = append(out, semantic.KeyReads(fn, fn.Params[1])...)
	}
	for meth, idx := range map[string]int{"create": 1, "update": 2} {
		fn := ms.cls.Methods[meth]
		if fn == nil || len(fn.Params) <= idx {
			continue
		}
		for _, r := range semantic.KeyReads(fn, fn.Params[idx]) {
			if !savedWith(sm, r.Key) {
				out = append(out, r)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		pi, pj := out[i].Func.File.Unit.File.Rel, out[j].Func.File.Unit.File.Rel
		if pi != pj {
			return pi < pj
		}
		return out[i].Node.StartByte() < out[j].Node.StartByte()
	})
	return out
}

// savedWith reports a `.save(key=...)` (or `.save(**kwargs)`) call
// anywhere in the project: DRF adds save()'s keywords to the validated
// data create() and update() receive.
func savedWith(sm *semantic.Model, key string) bool {
	for _, f := range sm.Files() {
		root := f.Unit.Tree.Root()
		if !strings.Contains(root.Text(), "save(") {
			continue
		}
		for n := range pyast.FindEach(root, "call") {
			c, _ := pyast.AsCall(n)
			if c.MethodName() != "save" || c.Func.Type() != "attribute" {
				continue
			}
			if _, ok := c.Keywords[key]; ok || c.StarKwargs {
				return true
			}
		}
	}
	return false
}

// serializerFieldFor names the DRF field class for a model field, for the
// help line.
func serializerFieldFor(fd *project.Field) string {
	if fd == nil {
		return "CharField"
	}
	cls := fd.Class
	if i := strings.LastIndexByte(cls, '.'); i >= 0 {
		cls = cls[i+1:]
	}
	switch cls {
	case "UUIDField", "IntegerField", "DecimalField", "DateTimeField", "DateField", "BooleanField", "FloatField", "EmailField", "SlugField", "URLField", "JSONField":
		return cls
	case "BigIntegerField", "SmallIntegerField", "PositiveIntegerField", "PositiveSmallIntegerField", "PositiveBigIntegerField":
		return "IntegerField"
	}
	return "CharField"
}
