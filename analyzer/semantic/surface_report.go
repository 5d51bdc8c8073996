package semantic

import (
	"sort"
	"strings"

	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// Citation is where the reviewer checklist points for one row of Surface:
// the line that decides who may call the endpoint, and for a webhook
// receiver the line that verifies its deliveries. A Path of "" means
// rubric has no line to cite (no check at all, or a framework default
// with no settings module in the tree).
type Citation struct {
	AuthPath   string
	AuthLine   int
	VerifyPath string
	VerifyLine int
	// Delegated: the webhook receiver hands the request to a callable
	// outside the project, which may verify it where rubric cannot see.
	Delegated bool
	// GuardPath and GuardLine locate what refuses a replayed delivery
	// (Webhook.Guard); "" when nothing shows.
	GuardPath string
	GuardLine int
}

// CiteKey identifies a row of Surface.
type CiteKey struct {
	Route, View, Methods, Path string
	Line                       int
}

// CiteKeyOf returns the key of a row.
func CiteKeyOf(r EndpointRow) CiteKey {
	return CiteKey{Route: r.Route, View: r.View, Methods: strings.Join(r.Methods, ","), Path: r.Path, Line: r.Line}
}

// Citations returns the citations of the rows Surface lists, by CiteKeyOf.
func Citations(ix *project.Index) map[CiteKey]Citation {
	inv := InventoryOf(ix)
	m := Of(ix)
	out := map[CiteKey]Citation{}
	for _, e := range inv.Endpoints {
		if !e.Judged(inv) {
			continue
		}
		var c Citation
		c.AuthPath, c.AuthLine = m.authAt(e)
		if w := e.Webhook; w != nil {
			c.Delegated = w.Delegated && !w.Verified
			if w.GuardFile != nil {
				c.GuardPath, c.GuardLine = at(w.GuardFile, w.Guard)
			}
			if w.Verified {
				if f, n := m.verifyingNode(e); f != nil {
					c.VerifyPath, c.VerifyLine = at(f, n)
				} else {
					c.VerifyPath, c.VerifyLine = c.AuthPath, c.AuthLine // the provider must authenticate
				}
			}
		}
		out[CiteKeyOf(e.Row())] = c
	}
	return out
}

func at(f *File, n pyast.Node) (string, int) {
	return f.Unit.File.Rel, f.Unit.File.Position(n.StartByte()).Line
}

// authAt locates what Auth.Source names: the permission_classes line, the
// get_permissions override, the decorator, the mixin's class, the URLconf
// entry, the settings entry.
func (m *Model) authAt(e *Endpoint) (string, int) {
	src := e.Auth.Source
	switch {
	case src == "class" && e.Class != nil:
		if v, decl := e.Class.Attr("permission_classes"); !v.IsNil() {
			return at(decl.File, v.Parent())
		}
	case src == "get_permissions" && e.Class != nil:
		if gp := e.Class.Method("get_permissions"); gp != nil {
			return at(gp.File, gp.Node)
		}
	case src == "@action" || src == "decorator":
		var defs []*Func
		if e.Handler != nil {
			defs = append(defs, e.Handler)
		}
		if e.Class != nil {
			for _, cc := range append([]*Class{e.Class}, e.Class.Bases()...) {
				if d := protectingDecorator(cc.Node); !d.IsNil() {
					return at(cc.File, d)
				}
				if fn := cc.Methods["dispatch"]; fn != nil {
					defs = append(defs, fn)
				}
			}
		}
		for _, fn := range defs {
			if d := protectingDecorator(fn.Node); !d.IsNil() {
				return at(fn.File, d)
			}
		}
	case src == "URLconf" && len(e.Routes) > 0 && e.Routes[0].File != nil:
		return at(e.Routes[0].File, e.Routes[0].Node)
	case src == "settings" || strings.HasPrefix(src, "DRF default"):
		return lastSetting(m.Index.Settings, "DEFAULT_PERMISSION_CLASSES", "REST_FRAMEWORK")
	case src == "LoginRequiredMiddleware" || src == "middleware" || src == "signature middleware":
		return lastSetting(m.Index.Settings, "MIDDLEWARE", "")
	case src == "body" && e.Handler != nil:
		return at(e.Handler.File, e.Handler.Node)
	case e.Class != nil && (src == "mixin" || src == "project base" || strings.HasPrefix(src, "library base")):
		return at(e.Class.File, e.Class.Node)
	}
	return "", 0
}

// protectingDecorator returns the first decorator of a definition that
// decides who may call it (login_required, permission_classes(...),
// method_decorator(login_required), a decorator rubric does not know).
func protectingDecorator(def pyast.Node) pyast.Node {
	for _, d := range pyast.Decorators(def) {
		name := lastName(pyast.Dotted(decoratorCallee(d)))
		if name == "permission_classes" || name == "action" && strings.Contains(d.Text(), "permission_classes") {
			return d
		}
		if name == "method_decorator" {
			if c, ok := pyast.AsCall(d); ok && len(c.Positional) > 0 {
				name = lastName(pyast.Dotted(decoratorCallee(pyast.Unparen(c.Positional[0]))))
			}
		}
		if _, ok := decoratorLevel(name); ok {
			return d
		}
	}
	return pyast.Node{}
}

// lastSetting returns the last settings-module assignment of name (inside
// the parent dictionary when parent is set), else of the parent itself.
func lastSetting(s *project.Settings, name, parent string) (string, int) {
	path, line := "", 0
	for _, st := range s.Get(name) {
		if st.InSettings && st.Parent == parent {
			path, line = st.Path, st.Line
		}
	}
	if path == "" && parent != "" {
		return lastSetting(s, parent, "")
	}
	return path, line
}

// verifyingNode finds the line that verifies a webhook receiver's
// deliveries, where Webhook.Verified found its words: the handler, the
// project functions it calls (five calls deep), its decorators and its
// class. A constant-time comparison or a provider SDK's check wins over a
// call named for verification, which wins over any word of one.
func (m *Model) verifyingNode(e *Endpoint) (*File, pyast.Node) {
	type hit struct {
		f *File
		n pyast.Node
	}
	var best [3]*hit
	consider := func(f *File, root pyast.Node) {
		pyast.Inspect(root, func(x pyast.Node) bool {
			rank := -1
			switch x.Type() {
			case "call":
				c, _ := pyast.AsCall(x)
				switch VerifyingCall(f.Unit.Imports, c) {
				case Comparison:
					rank = 0
				case SignatureCall, CredentialCall:
					rank = 1 // hmac.new, verify_signature(...), self.check_token(...)
				}
			case "identifier", "string_content":
				if verifyingWords(x.Text()) {
					rank = 2
				}
			}
			if rank >= 0 && best[rank] == nil {
				best[rank] = &hit{f, x}
			}
			return true
		})
	}
	seen := map[*Func]bool{}
	var walk func(fn *Func, d int)
	walk = func(fn *Func, d int) {
		if fn == nil || seen[fn] || d > followDepth {
			return
		}
		seen[fn] = true
		for _, dec := range pyast.Decorators(fn.Node) {
			if !permissionDecorator(dec) {
				consider(fn.File, dec)
			}
		}
		consider(fn.File, pyast.Body(fn.Node))
		for _, call := range ownNodes(pyast.Body(fn.Node), "call") {
			if g, _ := fn.File.Callee(call); g != nil {
				walk(g, d+1)
			}
		}
	}
	walk(e.Handler, 0)
	if e.Class != nil {
		for _, cc := range append([]*Class{e.Class}, e.Class.Bases()...) {
			for _, dec := range pyast.Decorators(cc.Node) {
				consider(cc.File, dec)
			}
			names := make([]string, 0, len(cc.Attrs))
			for name := range cc.Attrs {
				if !permissionAttrs[name] {
					names = append(names, name)
				}
			}
			sort.Slice(names, func(i, j int) bool { return cc.Attrs[names[i]].StartByte() < cc.Attrs[names[j]].StartByte() })
			for _, name := range names {
				consider(cc.File, cc.Attrs[name].Parent())
			}
			walk(cc.Methods["dispatch"], 1)
			walk(cc.Methods["initial"], 1)
		}
	}
	for _, h := range best {
		if h != nil {
			return h.f, h.n
		}
	}
	return nil, pyast.Node{}
}

func permissionDecorator(d pyast.Node) bool {
	switch lastName(pyast.Dotted(decoratorCallee(d))) {
	case "permission_classes", "authentication_classes", "api_view":
		return true
	}
	return false
}

// verifyingWords reports a name or string whose words say it verifies a
// sender (the words Webhook.Verified looks for).
func verifyingWords(s string) bool {
	if s == "Authorization" || s == "HTTP_AUTHORIZATION" {
		return true
	}
	ws := map[string]bool{}
	for _, w := range IdentWords(s) {
		if w != "authorization" {
			ws[w] = true
		}
	}
	return anyOf(ws, verifyWords) || prefixOf(ws, "verif", "signatur", "authent")
}
