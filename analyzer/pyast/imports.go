package pyast

import (
	"encoding/binary"
	"errors"
	"iter"
	"maps"
	"sort"
	"strings"
	"unsafe"
)

// Imports maps the names a file binds through import statements to the
// fully qualified names they stand for:
//
//	import requests as r          r    -> requests
//	from requests import post     post -> requests.post
//	import os.path                os   -> os (and os.path resolves through it)
//	from . import models          models -> .models
//
// Imports anywhere in the file count (function-level imports included);
// rebinding an imported name later is not tracked.
type Imports struct {
	names map[string]string
	// Modules lists every module imported, qualified, in source order.
	Modules []string
}

// CollectImports scans the tree for import statements, in source order.
// They are read from the tree's type index rather than by a walk over
// every node (an import never holds another, and no anonymous node, which
// a walk would not enter, has children).
func CollectImports(root Node) *Imports {
	im := &Imports{names: map[string]string{}}
	for n := range FindEach(root, "import_statement", "import_from_statement") {
		if n.IsNamed() { // the index also holds a keyword of the same name, if any
			im.add(n)
		}
	}
	return im
}

// add records an import statement (import_statement or
// import_from_statement; any other node is ignored).
func (im *Imports) add(n Node) {
	switch n.Type() {
	case "import_statement":
		for _, c := range n.ChildrenByField("name") {
			switch c.Type() {
			case "dotted_name":
				full := c.Text()
				head, _, _ := strings.Cut(full, ".")
				im.bind(head, head)
				im.Modules = append(im.Modules, full)
			case "aliased_import":
				full := c.ChildByField("name").Text()
				im.bind(c.ChildByField("alias").Text(), full)
				im.Modules = append(im.Modules, full)
			}
		}
	case "import_from_statement":
		// `from . views import x` is written with a space at times: the
		// module's text holds it, the name does not.
		mod := strings.Join(strings.Fields(n.ChildByField("module_name").Text()), "")
		im.Modules = append(im.Modules, mod)
		for _, c := range n.ChildrenByField("name") {
			switch c.Type() {
			case "dotted_name":
				im.bind(c.Text(), join(mod, c.Text()))
			case "aliased_import":
				im.bind(c.ChildByField("alias").Text(), join(mod, c.ChildByField("name").Text()))
			}
		}
	}
}

func join(mod, name string) string {
	if strings.HasSuffix(mod, ".") {
		return mod + name
	}
	return mod + "." + name
}

func (im *Imports) bind(local, qualified string) {
	if _, ok := im.names[local]; !ok {
		im.names[local] = qualified
	}
}

// Lookup returns what a bare local name was imported as.
func (im *Imports) Lookup(local string) (string, bool) {
	q, ok := im.names[local]
	return q, ok
}

// Qualified yields what each imported name stands for, qualified
// (".models.Order", "requests.post"), in no fixed order.
func (im *Imports) Qualified() iter.Seq[string] { return maps.Values(im.names) }

// Resolve returns the qualified dotted name of an identifier or attribute
// chain whose head is an imported name: with `import requests as r`,
// `r.adapters.HTTPAdapter` resolves to "requests.adapters.HTTPAdapter".
// ok is false when the head was not imported or n is not a dotted name.
func (im *Imports) Resolve(n Node) (string, bool) {
	// Most names resolved are not imported: test the chain's head before
	// building the dotted text.
	h := n
	for h.Type() == "attribute" {
		h = h.ChildByField("object")
	}
	switch h.Type() {
	case "identifier":
		if _, ok := im.names[string(h.Bytes())]; !ok {
			return "", false
		}
	case "dotted_name":
	default:
		return "", false // Dotted would be ""
	}
	d := Dotted(n)
	if d == "" {
		return "", false
	}
	return im.ResolveDotted(d)
}

// ResolveDotted is Resolve on a dotted name given as text.
func (im *Imports) ResolveDotted(d string) (string, bool) {
	head, rest, _ := strings.Cut(d, ".")
	q, ok := im.names[head]
	if !ok {
		return "", false
	}
	if rest == "" {
		return q, true
	}
	return q + "." + rest, true
}

// Is reports whether n resolves to one of the qualified names.
func (im *Imports) Is(n Node, qualified ...string) bool {
	q, ok := im.Resolve(n)
	if !ok {
		return false
	}
	for _, want := range qualified {
		if q == want {
			return true
		}
	}
	return false
}

// MarshalBinary lets a run keep a file's imports with its other per-file
// results (analyzer's ReuseCache): the names in key order, then the
// modules, each string length-prefixed.
func (im *Imports) MarshalBinary() ([]byte, error) {
	keys := make([]string, 0, len(im.names))
	for k := range im.names {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := binary.AppendUvarint(nil, uint64(len(keys)))
	str := func(s string) { out = append(binary.AppendUvarint(out, uint64(len(s))), s...) }
	for _, k := range keys {
		str(k)
		str(im.names[k])
	}
	out = binary.AppendUvarint(out, uint64(len(im.Modules)))
	for _, m := range im.Modules {
		str(m)
	}
	return out, nil
}

var errBadImports = errors.New("pyast: invalid encoded imports")

// UnmarshalBinary is MarshalBinary's inverse.
func (im *Imports) UnmarshalBinary(data []byte) error {
	return im.unmarshal(data, func(b []byte) string { return string(b) })
}

// UnmarshalBinaryAliasing is UnmarshalBinary without copies: the names
// alias data, which must not change while im is used. For a reader of
// records that never change (the reuse cache's), where copying the names
// was two fifths of what decoding a run's records allocated.
func (im *Imports) UnmarshalBinaryAliasing(data []byte) error {
	return im.unmarshal(data, func(b []byte) string {
		if len(b) == 0 {
			return ""
		}
		return unsafe.String(&b[0], len(b))
	})
}

func (im *Imports) unmarshal(data []byte, text func([]byte) string) error {
	count := func() (int, error) {
		n, k := binary.Uvarint(data)
		if k <= 0 || n > uint64(len(data)) {
			return 0, errBadImports
		}
		data = data[k:]
		return int(n), nil
	}
	str := func() (string, error) {
		n, err := count()
		if err != nil || n > len(data) {
			return "", errBadImports
		}
		s := text(data[:n])
		data = data[n:]
		return s, nil
	}
	n, err := count()
	if err != nil {
		return err
	}
	im.names = make(map[string]string, n)
	for i := 0; i < n; i++ {
		k, err1 := str()
		v, err2 := str()
		if err1 != nil || err2 != nil {
			return errBadImports
		}
		im.names[k] = v
	}
	if n, err = count(); err != nil {
		return err
	}
	im.Modules = nil
	if n > 0 {
		im.Modules = make([]string, 0, n)
	}
	for i := 0; i < n; i++ {
		m, err := str()
		if err != nil {
			return err
		}
		im.Modules = append(im.Modules, m)
	}
	if len(data) != 0 {
		return errBadImports
	}
	return nil
}
