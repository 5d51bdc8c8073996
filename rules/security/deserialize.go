package security

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed deserialize.md
var deserializeDoc string

// UnsafeDeserialization reports pickle/eval on untrusted data and unsafe yaml.load.
var UnsafeDeserialization = &analyzer.Rule{
	Code:       "SEC010",
	Name:       "unsafe-deserialization",
	Doc:        deserializeDoc,
	Category:   analyzer.Security,
	Severity:   analyzer.Error,
	Confidence: analyzer.High,
	Since:      "0.1.0",
	Skip:       semantic.Test,
	Run:        runUnsafeDeserialization,
}

// picklers execute code while loading.
var picklers = []string{"pickle.loads", "pickle.load", "pickle.Unpickler", "_pickle.loads", "cPickle.loads",
	"dill.loads", "dill.load", "jsonpickle.decode", "marshal.loads", "shelve.open"}

// runUnsafeDeserialization matches (a) pickle/dill/marshal/jsonpickle loads
// and builtin eval/exec whose argument derives from untrusted input: the
// request (body, data, GET, POST, FILES, COOKIES, META, headers,
// query_params, read()), an HTTP response of requests/httpx, or a local
// assigned from those; and (b) yaml.load/load_all without a safe Loader,
// and yaml.unsafe_load, whatever the input. pickle on data of unknown origin
// (a cache, a file) is not reported. Test files are skipped.
func runUnsafeDeserialization(p *analyzer.Pass) error {
	var untrusted map[varKey]bool // computed on first need: most files call none of these
	for n := range pyast.FindEach(p.Root, "call") {
		callee := n.ChildByField("function")
		q, _ := p.Imports.Resolve(callee)
		if !deserializer(q) && !(callee.Type() == "identifier" && (string(callee.Bytes()) == "eval" || string(callee.Bytes()) == "exec")) {
			continue
		}
		if untrusted == nil {
			untrusted = untrustedVariables(p)
		}
		c, _ := pyast.AsCall(n)
		fn := funcID(n)
		arg := c.Arg(0, "")
		switch {
		case q != "" && contains(picklers, q):
			if src := untrustedIn(arg, fn, untrusted); !src.IsNil() {
				p.Report(analyzer.Diagnostic{
					Range:   analyzer.RangeOf(n),
					Message: fmt.Sprintf("`%s` on untrusted data (`%s`) runs whatever code the sender pickled", q, src.Text()),
					Help:    "exchange JSON (`json.loads`) or another data-only format; if objects must cross a trust boundary, sign them (`django.core.signing`) and still never unpickle",
				})
			}
		case c.Func.Type() == "identifier" && (c.Func.Text() == "eval" || c.Func.Text() == "exec"):
			if _, imported := p.Imports.Lookup(c.Func.Text()); imported {
				continue
			}
			if src := untrustedIn(arg, fn, untrusted); !src.IsNil() {
				p.Report(analyzer.Diagnostic{
					Range:   analyzer.RangeOf(n),
					Message: fmt.Sprintf("`%s` on untrusted data (`%s`) lets the sender run code", c.Func.Text(), src.Text()),
					Help:    "parse the data instead: `json.loads`, `ast.literal_eval` for Python literals, or a lookup table of allowed operations",
				})
			}
		case q == "yaml.unsafe_load" || q == "yaml.unsafe_load_all":
			p.Report(yamlDiag(n, q))
		case q == "yaml.load" || q == "yaml.load_all":
			loader := c.Keyword("Loader")
			if loader.IsNil() && len(c.Positional) > 1 {
				loader = c.Positional[1]
			}
			if !loader.IsNil() && isSafeLoader(p, loader) {
				continue
			}
			if loader.IsNil() && c.StarKwargs {
				continue // `yaml.load(data, **options)`: the options may name the Loader
			}
			d := yamlDiag(n, q)
			if loader.IsNil() && c.Func.Type() == "attribute" && len(c.Positional) == 1 {
				// yaml.load(x) -> yaml.safe_load(x): same call, safe loader.
				attr := c.Func.ChildByField("attribute")
				d.Fixes = []analyzer.Fix{{Message: "use safe_" + attr.Text(), Edits: []analyzer.TextEdit{{Range: analyzer.RangeOf(attr), NewText: "safe_" + attr.Text()}},
					// Unsafe: safe_load refuses the custom tags the caller may rely on.
					Applicability: analyzer.Unsafe}}
			}
			p.Report(d)
		}
	}
	return nil
}

// deserializer reports whether qualified name q is one the rule judges.
func deserializer(q string) bool {
	switch q {
	case "":
		return false
	case "yaml.unsafe_load", "yaml.unsafe_load_all", "yaml.load", "yaml.load_all":
		return true
	}
	return contains(picklers, q)
}

func yamlDiag(n pyast.Node, q string) analyzer.Diagnostic {
	return analyzer.Diagnostic{
		Range:   analyzer.RangeOf(n),
		Message: fmt.Sprintf("`%s` without `SafeLoader` can build arbitrary Python objects", q),
		Help:    "use `yaml.safe_load(data)` (or `Loader=yaml.SafeLoader`)",
	}
}

// isSafeLoader reports whether a Loader argument is a safe loader (SafeLoader,
// CSafeLoader, BaseLoader) or a project's own loader class (trusted).
func isSafeLoader(p *analyzer.Pass, loader pyast.Node) bool {
	name := lastName(loader)
	switch name {
	case "Loader", "UnsafeLoader", "CLoader", "CUnsafeLoader", "FullLoader", "CFullLoader":
		q, _ := p.Imports.Resolve(loader)
		return !strings.HasPrefix(q, "yaml.")
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// requestAttrs are request attributes that carry client-controlled data.
var requestAttrs = map[string]bool{"body": true, "data": true, "GET": true, "POST": true, "FILES": true,
	"COOKIES": true, "META": true, "headers": true, "query_params": true, "read": true, "stream": true,
	"content": true, "text": true, "json": true, "raw": true}

// untrustedIn returns the first sub-expression of n that reads untrusted
// data, or the zero Node.
func untrustedIn(n pyast.Node, fn int32, untrusted map[varKey]bool) pyast.Node {
	var found pyast.Node
	pyast.Inspect(n, func(m pyast.Node) bool {
		if !found.IsNil() {
			return false
		}
		switch m.Type() {
		case "identifier":
			if untrusted[varKey{fn, m.Text()}] {
				found = m
			}
		case "attribute":
			obj := m.ChildByField("object")
			attr := m.ChildByField("attribute").Text()
			if requestAttrs[attr] && obj.Type() == "identifier" {
				switch {
				case (obj.Text() == "request" || obj.Text() == "req") && attr != "content" && attr != "text" && attr != "json" && attr != "raw":
					found = m
				case untrusted[varKey{fn, obj.Text()}]:
					found = m
				}
			}
		}
		return found.IsNil()
	})
	return found
}

// untrustedVariables returns, per function, the locals assigned untrusted
// data or an HTTP response (requests/httpx), followed two copies deep.
func untrustedVariables(p *analyzer.Pass) map[varKey]bool {
	out := map[varKey]bool{}
	assigns := identifierAssignments(p.Root)
	for round := 0; round < 3; round++ {
		for _, a := range assigns {
			fn := funcID(a)
			right := a.ChildByField("right")
			key := varKey{fn, a.ChildByField("left").Text()}
			if out[key] {
				continue
			}
			if isHTTPResponse(p, right) || !untrustedIn(right, fn, out).IsNil() {
				out[key] = true
			}
		}
	}
	return out
}

// isHTTPResponse reports whether n is a call to requests.X / httpx.X.
func isHTTPResponse(p *analyzer.Pass, n pyast.Node) bool {
	n = pyast.Unparen(n)
	if n.Type() == "await" {
		n = pyast.Unparen(n.NamedChild(0))
	}
	c, ok := pyast.AsCall(n)
	if !ok {
		return false
	}
	q, _ := p.Imports.Resolve(c.Func)
	return strings.HasPrefix(q, "requests.") || strings.HasPrefix(q, "httpx.") || q == "urllib.request.urlopen"
}
