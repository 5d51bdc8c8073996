package semantic

import (
	"sort"
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// SerializerBuild is one place a function validates client data with a
// serializer class: `s = Sc(data=...)`, or in a view whose serializer
// class is Sc, `s = self.get_serializer(data=...)` (or
// `self.serializer_class(data=...)`, `self.get_serializer_class()(data=...)`).
type SerializerBuild struct {
	Func *Func
	Var  string     // the local the serializer is bound to
	Call pyast.Node // the constructing call
}

// SerializerBuilds returns the functions of the project that build the
// serializer class sc from client data and bind it to a local name, in
// file and source order.
func (m *Model) SerializerBuilds(sc *Class) []SerializerBuild {
	if sc == nil {
		return nil
	}
	var out []SerializerBuild
	for _, f := range m.Files() {
		root := f.Unit.Tree.Root()
		if !strings.Contains(root.Text(), sc.Name) {
			continue
		}
		for def := range pyast.FindEach(root, "function_definition") {
			fn := f.FuncOf(def)
			if fn == nil {
				continue
			}
			for a := range pyast.FindEachShallow(pyast.Body(def), "assignment") {
				l := a.ChildByField("left")
				c, ok := pyast.AsCall(pyast.Unparen(a.ChildByField("right")))
				if l.Type() != "identifier" || !ok {
					continue
				}
				if _, ok := c.Keywords["data"]; !ok {
					continue
				}
				if m.buildsSerializer(f, fn, c, sc) {
					out = append(out, SerializerBuild{Func: fn, Var: l.Text(), Call: c.Node})
				}
			}
		}
	}
	return out
}

// buildsSerializer reports whether the call c, in fn, constructs sc.
func (m *Model) buildsSerializer(f *File, fn *Func, c pyast.Call, sc *Class) bool {
	return m.builtSerializer(f, fn, c) == sc
}

// BuiltSerializer returns the serializer class a call in fn constructs:
// a project class called by name, or in a view,
// `self.get_serializer(...)`, `self.serializer_class(...)` and
// `self.get_serializer_class()(...)` when the view names its
// serializer_class (and does not choose it per action); nil otherwise.
func (m *Model) BuiltSerializer(fn *Func, call pyast.Node) *Class {
	c, ok := pyast.AsCall(call)
	if !ok || fn == nil {
		return nil
	}
	return m.builtSerializer(fn.File, fn, c)
}

func (m *Model) builtSerializer(f *File, fn *Func, c pyast.Call) *Class {
	if sc := m.classByName(f, c.Func); sc != nil {
		return sc
	}
	if fn.Class == nil || fn.Class.Method("get_serializer_class") != nil {
		return nil // the class may depend on the action
	}
	switch pyast.Dotted(c.Func) {
	case "self.get_serializer", "self.serializer_class":
	default:
		inner, ok := pyast.AsCall(pyast.Unparen(c.Func))
		if !ok || pyast.Dotted(inner.Func) != "self.get_serializer_class" {
			return nil
		}
	}
	return m.serializerClass(fn.Class)
}

// KeyRead is a read of one literal key of a dict: `d["key"]` or
// `d.get("key")`.
type KeyRead struct {
	Key  string
	Node pyast.Node
	Func *Func
	Get  bool // `.get()`: None, not KeyError, when the key is missing
}

// KeyReads returns the literal-key reads of the local or parameter name
// in fn's own body (nested functions excluded). Keys the body assigns
// (`d["key"] = ...`, `d.setdefault("key", ...)`) are left out, and so is
// everything when the body rebinds the name or updates the dict.
func KeyReads(fn *Func, name string) []KeyRead { return keyReads(fn, name, 0) }

// keyReads is KeyReads for a name the body binds `binds` times itself
// (a local bound once to the dict).
func keyReads(fn *Func, name string, binds int) []KeyRead {
	body := pyast.Body(fn.Node)
	written := map[string]bool{}
	for a := range pyast.FindEachShallow(body, "assignment", "augmented_assignment") {
		l := a.ChildByField("left")
		switch {
		case l.Type() == "identifier" && l.Text() == name:
			if binds--; binds < 0 {
				return nil
			}
		case l.Type() == "subscript" && pyast.Dotted(l.ChildByField("value")) == name:
			if k, ok := pyast.StringValue(l.ChildByField("subscript")); ok {
				written[k] = true
			}
		}
	}
	var out []KeyRead
	for n := range pyast.FindEachShallow(body, "subscript", "call") {
		if n.Type() == "subscript" {
			if pyast.Dotted(n.ChildByField("value")) != name {
				continue
			}
			if k, ok := pyast.StringValue(n.ChildByField("subscript")); ok && !written[k] {
				out = append(out, KeyRead{Key: k, Node: n, Func: fn})
			}
			continue
		}
		c, _ := pyast.AsCall(n)
		if c.Func.Type() != "attribute" || pyast.Dotted(c.Receiver()) != name {
			continue
		}
		switch c.MethodName() {
		case "update", "clear", "pop", "popitem":
			return nil
		case "setdefault":
			if len(c.Positional) > 0 {
				if k, ok := pyast.StringValue(c.Positional[0]); ok {
					written[k] = true
				}
			}
		case "get":
			if len(c.Positional) > 0 {
				if k, ok := pyast.StringValue(c.Positional[0]); ok {
					out = append(out, KeyRead{Key: k, Node: n, Func: fn, Get: true})
				}
			}
		}
	}
	kept := out[:0]
	for _, r := range out {
		if !written[r.Key] {
			kept = append(kept, r)
		}
	}
	return kept
}

// ValidatedReads returns the literal-key reads of the data a build of the
// serializer validated: `s.validated_data["key"]` (or `.get`), reads of a
// local bound to `s.validated_data`, and, one call deep, reads of the
// parameter of a project function the validated data is passed to
// (`process(s.validated_data)`).
func (m *Model) ValidatedReads(b SerializerBuild) []KeyRead {
	f := b.Func.File
	body := pyast.Body(b.Func.Node)
	vd := b.Var + ".validated_data"
	names := map[string]bool{}
	for a := range pyast.FindEachShallow(body, "assignment") {
		if l := a.ChildByField("left"); l.Type() == "identifier" && pyast.Dotted(pyast.Unparen(a.ChildByField("right"))) == vd {
			names[l.Text()] = true
		}
	}
	var out []KeyRead
	for n := range pyast.FindEachShallow(body, "subscript", "call") {
		if n.Type() == "subscript" {
			if pyast.Dotted(n.ChildByField("value")) == vd {
				if k, ok := pyast.StringValue(n.ChildByField("subscript")); ok {
					out = append(out, KeyRead{Key: k, Node: n, Func: b.Func})
				}
			}
			continue
		}
		c, _ := pyast.AsCall(n)
		if c.Func.Type() == "attribute" && c.MethodName() == "get" && pyast.Dotted(c.Receiver()) == vd && len(c.Positional) > 0 {
			if k, ok := pyast.StringValue(c.Positional[0]); ok {
				out = append(out, KeyRead{Key: k, Node: n, Func: b.Func, Get: true})
			}
			continue
		}
		// Passed on: the callee's parameter holds the validated data.
		callee, bound := f.Callee(n)
		if callee == nil || c.StarArgs || c.StarKwargs {
			continue
		}
		offset := 0
		if bound {
			offset = 1
		}
		for i, a := range c.Positional {
			if d := pyast.Dotted(a); (d == vd || names[d]) && i+offset < len(callee.Params) {
				out = append(out, KeyReads(callee, callee.Params[i+offset])...)
			}
		}
		for k, a := range c.EachKeyword() {
			if d := pyast.Dotted(a); (d == vd || names[d]) && indexOf(callee.Params, k) >= 0 {
				out = append(out, KeyReads(callee, k)...)
			}
		}
	}
	locals := make([]string, 0, len(names))
	for name := range names {
		locals = append(locals, name)
	}
	sort.Strings(locals)
	for _, name := range locals {
		out = append(out, keyReads(b.Func, name, 1)...)
	}
	return out
}

// ValidateData returns a serializer class's validate() (its own or a
// project base's) and the name of its data parameter, or nil when it has
// none.
func (c *Class) ValidateData() (*Func, string) {
	v := c.Method("validate")
	if v == nil {
		return nil, ""
	}
	ps := pyast.ParamNames(v.Node)
	if len(ps) < 2 {
		return nil, ""
	}
	return v, ps[1]
}
