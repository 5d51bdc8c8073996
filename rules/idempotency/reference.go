package idempotency

import (
	"bytes"
	_ "embed"
	"fmt"
	"sort"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed reference.md
var referenceDoc string

// ReferenceNotUnique reports a model field holding the client's reference
// for an operation (reference_id, idempotency_key...) that no constraint
// makes unique.
var ReferenceNotUnique = &analyzer.Rule{
	Code:       "IDM004",
	Name:       "client-reference-not-unique",
	Doc:        referenceDoc,
	Category:   analyzer.DataIntegrity,
	Severity:   analyzer.Warning,
	Confidence: analyzer.High,
	Since:      "0.3.0",
	Stack:      project.Django,
	RunProject: runReferenceNotUnique,
}

// place is a file position for messages and related locations.
type place struct {
	rel   string // display path
	start int
	line  int
}

// runReferenceNotUnique reports, once per field, a concrete model's field
// named as a client reference (semantic.ClientReferenceName) that is neither unique nor
// part of a unique_together or UniqueConstraint, when product code reads
// a value of that name from the client (`request.data["reference_id"]`,
// `request.POST.get(...)`, `validated_data[...]`, a serializer or form
// listing it in Meta.fields). High confidence when no code looks rows up
// by it; medium when a lookup checks it first (two concurrent requests
// both pass the check).
func runReferenceNotUnique(p *analyzer.ProjectPass) error {
	g := p.Project.Models
	if g == nil {
		return nil
	}
	var fields []*project.Field
	names := map[string]bool{}
	for _, m := range g.All {
		if m.Abstract || m.Proxy || m.External || project.IsTestPath(m.Path) {
			continue
		}
		for _, f := range m.Fields {
			if f.Model != m || !semantic.ClientReferenceName(f.Name) || f.Unique || f.PrimaryKey || m.InUniqueGroup(f.Name) {
				continue
			}
			fields = append(fields, f)
			names[f.Name] = true
		}
	}
	if len(fields) == 0 {
		return nil
	}
	read, looked, written := clientReadsAndLookups(p.Project, names)
	reported := map[string]bool{}
	for _, f := range fields {
		key := f.Model.Name + "." + f.Name
		r, ok := read[key] // a serializer of the model lists it
		if !ok && written[key] {
			r, ok = read[f.Name] // read from the request, and the model is created with it
		}
		if !ok || reported[f.Path+":"+key] {
			continue
		}
		reported[f.Path+":"+key] = true
		d := analyzer.Diagnostic{
			Path:  f.Path,
			Range: analyzer.Range{Start: f.Start, End: f.Start + len(f.Name)},
			Message: fmt.Sprintf("`%s.%s` holds the client's reference for the operation (read at %s:%d), but no constraint makes it unique and no code looks rows up by it: the same request sent twice (a retry, a double click) is applied twice",
				f.Model.Name, f.Name, r.rel, r.line),
			Help:    fmt.Sprintf("declare it unique (`unique=True`, or `models.UniqueConstraint(fields=[\"wallet\", %q], name=...)` when it is unique per owner) and answer a repeat with the first operation's result", f.Name),
			Related: []analyzer.Related{{Path: r.rel, Range: analyzer.Range{Start: r.start, End: r.start + 1}, Message: "read from the client here"}},
		}
		if l, ok := looked[f.Name]; ok {
			d.Message = fmt.Sprintf("`%s.%s` holds the client's reference for the operation (read at %s:%d) and is checked with a lookup (%s:%d), but no constraint makes it unique: two concurrent requests with the same reference both pass the check and both are applied",
				f.Model.Name, f.Name, r.rel, r.line, l.rel, l.line)
			d.Confidence = analyzer.Medium
			d.Related = append(d.Related, analyzer.Related{Path: l.rel, Range: analyzer.Range{Start: l.start, End: l.start + 1}, Message: "checked here, not atomically"})
		}
		p.Report(d)
	}
	return nil
}

// clientWords mark an expression holding what the client sent.
var clientWords = []string{"request", "data", "payload", "body", "post", "params", "json"}

func clientish(n pyast.Node) bool {
	t := strings.ToLower(n.Text())
	for _, w := range clientWords {
		if strings.Contains(t, w) {
			return true
		}
	}
	return false
}

// clientReadsAndLookups finds, in product code, the first place each name
// is read from the client (read[name] from request data, read["Model.name"]
// from a serializer or form of the model), the first lookup filtering on
// it, and the "Model.name" keywords a model is created with from a value
// the server did not make (see serverMade).
func clientReadsAndLookups(ix *project.Index, names map[string]bool) (read, looked map[string]place, written map[string]bool) {
	read, looked, written = map[string]place{}, map[string]place{}, map[string]bool{}
	note := func(m map[string]place, name string, u *project.Unit, n pyast.Node) {
		if _, ok := m[name]; !ok {
			m[name] = place{rel: u.File.Rel, start: n.StartByte(), line: u.File.Position(n.StartByte()).Line}
		}
	}
	for _, u := range ix.Units {
		if u.Tree == nil || semantic.RolesOf(u).Any(semantic.Test|semantic.Migration) || !mentionsAny(u.File.Src(), names) {
			continue
		}
		for n := range pyast.FindEach(u.Tree.Root(), "subscript", "call", "assignment") {
			switch n.Type() {
			case "subscript":
				if s, ok := pyast.StringValue(n.ChildByField("subscript")); ok && names[s] && clientish(n.ChildByField("value")) {
					note(read, s, u, n)
				}
			case "call":
				c, _ := pyast.AsCall(n)
				switch c.MethodName() {
				case "get", "pop", "getlist":
					if len(c.Positional) > 0 {
						if s, ok := pyast.StringValue(c.Positional[0]); ok && names[s] && clientish(c.Receiver()) {
							note(read, s, u, n)
						}
					}
				}
				if model := createdModel(ix.Models, c); model != "" {
					for k, v := range c.EachKeyword() {
						if names[k] && !serverMade(v) {
							written[model+"."+k] = true
						}
					}
				}
				switch c.MethodName() {
				case "filter", "get", "exclude", "get_or_create", "update_or_create", "aget", "aget_or_create":
					for k := range c.EachKeyword() {
						if base := strings.TrimSuffix(k, "__exact"); names[base] {
							note(looked, base, u, n)
						}
					}
				}
			case "assignment":
				// A serializer field validated by DRF's UniqueValidator
				// (`reference_id = serializers.CharField(validators=
				// [UniqueValidator(...)])`, or `self.fields["reference_id"]
				// .validators = [...]`): a lookup by that name.
				if name := uniqueValidated(u.Imports, n, names); name != "" {
					note(looked, name, u, n)
				}
				// class Meta: fields = [...] of a serializer or form.
				model := serializerMetaModel(n)
				if n.ChildByField("left").Text() != "fields" || model == "" {
					continue
				}
				readOnly := metaReadOnly(n)
				for e := range n.ChildByField("right").Named() {
					if s, ok := pyast.StringValue(e); ok && names[s] && !readOnly[s] {
						note(read, model+"."+s, u, e)
					}
				}
			}
		}
	}
	return read, looked, written
}

// uniqueValidated returns the name among names an assignment gives DRF's
// UniqueValidator: its right side calls UniqueValidator, and its left side
// is that name, or mentions it as a string (`self.fields["name"]...`).
func uniqueValidated(im *pyast.Imports, n pyast.Node, names map[string]bool) string {
	right := n.ChildByField("right")
	found := false
	for call := range pyast.FindEach(right, "call") {
		c, ok := pyast.AsCall(call)
		if !ok {
			continue
		}
		if q, ok := im.Resolve(c.Func); ok && (q == "rest_framework.validators.UniqueValidator" || q == "rest_framework.serializers.UniqueValidator") {
			found = true
			break
		}
	}
	if !found {
		return ""
	}
	left := n.ChildByField("left")
	if left.Type() == "identifier" && names[left.Text()] {
		return left.Text()
	}
	for str := range pyast.FindEach(left, "string") {
		if s, ok := pyast.StringValue(str); ok && names[s] {
			return s
		}
	}
	return ""
}

// serializerMetaModel returns the model (its class name) of the Meta class
// an assignment is in, when that Meta belongs to a class whose name ends
// with Serializer or Form; "" otherwise.
func serializerMetaModel(n pyast.Node) string {
	meta := n.Parent()
	for !meta.IsNil() && meta.Type() != "class_definition" {
		meta = meta.Parent()
	}
	if meta.IsNil() || pyast.DefName(meta) != "Meta" {
		return ""
	}
	outer := meta.Parent()
	for !outer.IsNil() && outer.Type() != "class_definition" {
		outer = outer.Parent()
	}
	if name := pyast.DefName(outer); !strings.HasSuffix(name, "Serializer") && !strings.HasSuffix(name, "Form") {
		return ""
	}
	for st := range pyast.EachStatement(pyast.Body(meta)) {
		if a := st.NamedChild(0); a.Type() == "assignment" && a.ChildByField("left").Text() == "model" {
			d := pyast.Dotted(a.ChildByField("right"))
			return d[strings.LastIndex(d, ".")+1:]
		}
	}
	return ""
}

// createdModel returns the class name of the model a call creates
// (`M.objects.create(...)`, `get_or_create`, `update_or_create`, or the
// constructor `M(...)` of a model of the graph), or "".
func createdModel(g *project.Models, c pyast.Call) string {
	switch c.MethodName() {
	case "create", "get_or_create", "update_or_create", "acreate", "aget_or_create", "aupdate_or_create":
		recv := pyast.Dotted(c.Receiver())
		if i := strings.LastIndex(recv, ".objects"); i > 0 {
			recv = recv[:i]
			return recv[strings.LastIndex(recv, ".")+1:]
		}
		return ""
	}
	d := pyast.Dotted(c.Func)
	name := d[strings.LastIndex(d, ".")+1:]
	if len(g.Named(name)) > 0 {
		return name
	}
	return ""
}

func mentionsAny(src []byte, names map[string]bool) bool {
	keys := make([]string, 0, len(names))
	for k := range names {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if bytes.Contains(src, []byte(k)) {
			return true
		}
	}
	return false
}

// serverMade reports whether a value is generated by the server
// (`uuid.uuid4()`, `secrets.token_hex()`, `get_random_string()`), not
// passed on from the client.
func serverMade(v pyast.Node) bool {
	v = pyast.Unparen(v)
	if !v.Is("call") {
		return false
	}
	t := strings.ToLower(v.Text())
	for _, w := range []string{"uuid", "random", "token", "secrets", "now("} {
		if strings.Contains(t, w) && !clientish(v) {
			return true
		}
	}
	return false
}

// metaReadOnly returns the names the Meta class holding an assignment
// lists in read_only_fields: the client does not write them.
func metaReadOnly(n pyast.Node) map[string]bool {
	out := map[string]bool{}
	meta := n.Parent()
	for !meta.IsNil() && meta.Type() != "class_definition" {
		meta = meta.Parent()
	}
	for st := range pyast.EachStatement(pyast.Body(meta)) {
		if a := st.NamedChild(0); a.Type() == "assignment" && a.ChildByField("left").Text() == "read_only_fields" {
			for e := range a.ChildByField("right").Named() {
				if s, ok := pyast.StringValue(e); ok {
					out[s] = true
				}
			}
		}
	}
	return out
}
