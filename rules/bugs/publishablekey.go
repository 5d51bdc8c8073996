package bugs

import (
	"bytes"
	_ "embed"
	"fmt"
	"regexp"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed publishablekey.md
var publishableKeyDoc string

// PublishableKeyServerSide reports Stripe's server-side API configured
// with the publishable key, which cannot authenticate those calls.
var PublishableKeyServerSide = &analyzer.Rule{
	Code:       "BUG025",
	Name:       "publishable-key-server-side",
	Doc:        publishableKeyDoc,
	Category:   analyzer.Correctness,
	Severity:   analyzer.Error,
	Confidence: analyzer.High,
	Since:      "0.3.0",
	Skip:       semantic.Test | semantic.Migration,
	Run:        runPublishableKeyServerSide,
}

// publishableName matches the names a publishable key is kept under.
var publishableName = regexp.MustCompile(`(?i)(^|_)(PUBLIC|PUBLISHABLE|PUB)(_|$)|PUBLISHABLE`)

// runPublishableKeyServerSide matches the key handed to Stripe's API:
// `stripe.api_key = V`, an `api_key=V` keyword of a `stripe.*` call, or
// the first argument of `stripe.StripeClient(V)`. V (or the value of the
// name V, bound once in the function or at module level) is judged: a
// read of an environment variable or Django setting whose name says
// publishable or public (`os.getenv("STRIPE_PUBLIC_KEY")`,
// `settings.STRIPE_PUBLISHABLE_KEY`), or a `pk_test_`/`pk_live_` literal.
// The finding is placed where that key is read, the choice to fix.
func runPublishableKeyServerSide(p *analyzer.Pass) error {
	if !bytes.Contains(p.File.Src(), []byte("stripe")) {
		return nil
	}
	type use struct {
		value pyast.Node
		what  string
	}
	var uses []use
	for a := range pyast.FindEach(p.Root, "assignment") {
		if q, ok := p.Imports.Resolve(a.ChildByField("left")); ok && q == "stripe.api_key" {
			uses = append(uses, use{a.ChildByField("right"), "`stripe.api_key`"})
		}
	}
	for n := range pyast.FindEach(p.Root, "call") {
		c, _ := pyast.AsCall(n)
		q, ok := p.Imports.Resolve(c.Func)
		if !ok || !strings.HasPrefix(q, "stripe.") {
			continue
		}
		if v := c.Keyword("api_key"); !v.IsNil() {
			uses = append(uses, use{v, fmt.Sprintf("the `api_key` of `%s`", pyast.Dotted(c.Func))})
		} else if q == "stripe.StripeClient" && len(c.Positional) > 0 {
			uses = append(uses, use{c.Positional[0], "the key of `stripe.StripeClient`"})
		}
	}
	seen := map[int]bool{}
	for _, u := range uses {
		src := keySource(p, u.value)
		name := publishableKeyName(p, src)
		if name == "" || seen[src.StartByte()] {
			continue
		}
		seen[src.StartByte()] = true
		line := p.File.Position(u.value.StartByte()).Line
		p.Report(analyzer.Diagnostic{
			Range: analyzer.RangeOf(src),
			Message: fmt.Sprintf("`%s` is the publishable key, but it is used as %s (line %d): Stripe rejects server-side calls made with a publishable key",
				name, u.what, line),
			Help: "give the server-side API the secret key (`sk_...`, e.g. `STRIPE_SECRET_KEY`); the publishable key is for the browser",
		})
	}
	return nil
}

// keySource follows a name to the value it is bound to once, in its
// function or at module level; anything else is returned as is.
func keySource(p *analyzer.Pass, v pyast.Node) pyast.Node {
	v = pyast.Unparen(v)
	if v.Type() != "identifier" {
		return v
	}
	name := v.Text()
	var found []pyast.Node
	scope := pyast.EnclosingFunction(v)
	if !scope.IsNil() {
		for a := range pyast.FindEachShallow(pyast.Body(scope), "assignment") {
			if l := a.ChildByField("left"); l.Type() == "identifier" && l.Text() == name {
				found = append(found, a.ChildByField("right"))
			}
		}
	}
	if len(found) == 0 {
		for st := range pyast.EachStatement(p.Root) {
			if st.Type() != "expression_statement" {
				continue
			}
			a := st.NamedChild(0)
			if a.Type() == "assignment" && a.ChildByField("left").Type() == "identifier" && a.ChildByField("left").Text() == name {
				found = append(found, a.ChildByField("right"))
			}
		}
	}
	if len(found) != 1 {
		return v
	}
	return pyast.Unparen(found[0])
}

// publishableKeyName returns the name (or literal prefix) of a
// publishable key read by n, or "".
func publishableKeyName(p *analyzer.Pass, n pyast.Node) string {
	if s, ok := pyast.StringValue(n); ok {
		if strings.HasPrefix(s, "pk_test_") || strings.HasPrefix(s, "pk_live_") {
			return s[:8] + "..."
		}
		return ""
	}
	var key string
	switch n.Type() {
	case "call":
		c, _ := pyast.AsCall(n)
		q, _ := p.Imports.Resolve(c.Func)
		d := pyast.Dotted(c.Func)
		switch {
		case q == "os.getenv" || q == "os.environ.get" || q == "decouple.config" || d == "env" || strings.HasPrefix(d, "env.") || d == "config":
			if len(c.Positional) > 0 {
				key, _ = pyast.StringValue(c.Positional[0])
			}
		}
	case "subscript":
		if q, ok := p.Imports.Resolve(n.ChildByField("value")); ok && q == "os.environ" {
			key, _ = pyast.StringValue(n.ChildByField("subscript"))
		}
	case "attribute":
		if q, ok := p.Imports.Resolve(n.ChildByField("object")); ok && q == "django.conf.settings" {
			key = n.ChildByField("attribute").Text()
		}
	}
	if key != "" && publishableName.MatchString(key) {
		return key
	}
	return ""
}
