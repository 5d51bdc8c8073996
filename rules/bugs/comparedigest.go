package bugs

import (
	"bytes"
	_ "embed"
	"fmt"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed comparedigest.md
var compareDigestDoc string

// CompareDigestObject reports a constant-time comparison handed a hash
// object instead of its digest: it raises TypeError on every call.
var CompareDigestObject = &analyzer.Rule{
	Code:       "BUG016",
	Name:       "compare-digest-hash-object",
	Doc:        compareDigestDoc,
	Category:   analyzer.Correctness,
	Severity:   analyzer.Error,
	Confidence: analyzer.High,
	Since:      "0.3.0",
	Skip:       semantic.Test | semantic.Migration,
	Run:        runCompareDigestObject,
}

// hashConstructors make hash objects, whose digest is hexdigest()/digest().
var hashConstructors = map[string]bool{"hmac.new": true, "hmac.HMAC": true, "hashlib.new": true,
	"hashlib.sha1": true, "hashlib.sha224": true, "hashlib.sha256": true, "hashlib.sha384": true,
	"hashlib.sha512": true, "hashlib.md5": true, "hashlib.blake2b": true, "hashlib.blake2s": true,
	"hashlib.sha3_256": true, "hashlib.sha3_512": true}

// runCompareDigestObject matches hmac.compare_digest (or
// secrets.compare_digest) given, as either argument, a call that makes a
// hash object (hmac.new, hashlib.sha256...) or a name the enclosing
// function binds once, to such a call: compare_digest accepts str or
// bytes only.
func runCompareDigestObject(p *analyzer.Pass) error {
	if !bytes.Contains(p.File.Src(), []byte("compare_digest")) {
		return nil
	}
	for n := range pyast.FindEach(p.Root, "call") {
		c, _ := pyast.AsCall(n)
		if q, ok := p.Imports.Resolve(c.Func); !ok || q != "hmac.compare_digest" && q != "secrets.compare_digest" {
			continue
		}
		for _, arg := range c.Positional {
			made, at := hashObject(p.Imports, arg)
			if made == "" {
				continue
			}
			d := analyzer.Diagnostic{
				Range: analyzer.RangeOf(arg),
				Message: fmt.Sprintf("`compare_digest` is given `%s`, a `%s` object, not its digest: it raises TypeError on every call, so the check never passes",
					pyast.OneLine(arg, 40), made),
				Help: fmt.Sprintf("compare the digest: `%s.hexdigest()` against a hex string (or `.digest()` against bytes)", pyast.OneLine(arg, 40)),
			}
			if !at.Equal(arg) {
				d.Related = []analyzer.Related{{Range: analyzer.RangeOf(at), Message: "the hash object is made here"}}
			}
			p.Report(d)
		}
	}
	return nil
}

// hashObject returns the constructor when n makes a hash object, directly
// or through a name bound once in the enclosing function (or module), and
// the node that makes it.
func hashObject(im *pyast.Imports, n pyast.Node) (string, pyast.Node) {
	n = pyast.Unparen(n)
	if c, ok := pyast.AsCall(n); ok {
		if q, ok := im.Resolve(c.Func); ok && hashConstructors[q] {
			return q, n
		}
		return "", pyast.Node{}
	}
	if n.Type() != "identifier" {
		return "", pyast.Node{}
	}
	scope := pyast.EnclosingFunction(n)
	if scope.IsNil() {
		scope = n.Tree().Root()
	}
	var value pyast.Node
	binds := 0
	for a := range pyast.FindEach(scope, "assignment", "augmented_assignment", "for_statement", "for_in_clause", "with_item", "named_expression") {
		var target pyast.Node
		switch a.Type() {
		case "named_expression":
			target = a.ChildByField("name")
		case "with_item":
			target = a.ChildByField("value")
		default:
			target = a.ChildByField("left")
		}
		if !bindsName(target, n.Text()) {
			continue
		}
		binds++
		if a.Type() == "assignment" && target.Type() == "identifier" {
			value = a.ChildByField("right")
		}
	}
	if binds != 1 || value.IsNil() || value.StartByte() > n.StartByte() {
		return "", pyast.Node{}
	}
	if c, ok := pyast.AsCall(pyast.Unparen(value)); ok {
		if q, ok := im.Resolve(c.Func); ok && hashConstructors[q] {
			return q, value
		}
	}
	return "", pyast.Node{}
}

// bindsName reports whether a binding target is, or holds, the name.
func bindsName(target pyast.Node, name string) bool {
	if target.Type() == "identifier" {
		return target.Text() == name
	}
	for id := range pyast.FindEach(target, "identifier") {
		if id.Text() == name {
			return true
		}
	}
	return false
}
