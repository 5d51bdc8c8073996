package httpclient

import (
	_ "embed"
	"fmt"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed verify.md
var verifyDoc string

// VerifyDisabled reports TLS certificate verification turned off.
var VerifyDisabled = &analyzer.Rule{
	Code:       "NET002",
	Name:       "tls-verify-disabled",
	Doc:        verifyDoc,
	Category:   analyzer.Security,
	Severity:   analyzer.Error,
	Confidence: analyzer.High,
	Since:      "0.1.0",
	Skip:       semantic.Test | semantic.DevData,
	Run:        runVerifyDisabled,
}

// runVerifyDisabled matches `verify=False` on requests and httpx calls
// (module functions, known sessions and clients), on `httpx.Client(...)` /
// `httpx.AsyncClient(...)`, and `<session>.verify = False` on a known
// session. Only the literal False counts: `verify=settings.VERIFY_SSL` is
// configuration. Test files are skipped.
func runVerifyDisabled(p *analyzer.Pass) error {
	if !importsHTTP(p.Imports) {
		return nil
	}
	cs := findClients(p.Root, p.Imports)
	for n := range pyast.FindEach(p.Root, "call", "assignment") {
		switch n.Type() {
		case "call":
			c, _ := pyast.AsCall(n)
			v := c.Keyword("verify")
			if v.Type() != "false" {
				continue
			}
			_, isClient := cs.constructed(n)
			if _, ok := cs.call(n); !ok && !isClient {
				continue
			}
			p.Report(analyzer.Diagnostic{
				Range:   analyzer.RangeOf(c.KeywordArg("verify")),
				Message: fmt.Sprintf("`%s(..., verify=False)` turns off TLS certificate checks: anyone on the path can read and change the traffic", c.Func.Text()),
				Help:    "keep verification on; for a private CA pass its bundle: `verify=\"/etc/ssl/certs/internal-ca.pem\"`",
			})
		case "assignment":
			left := n.ChildByField("left")
			if left.Type() != "attribute" || left.ChildByField("attribute").Text() != "verify" || n.ChildByField("right").Type() != "false" {
				continue
			}
			if _, _, ok := cs.lookup(n, left.ChildByField("object")); !ok {
				continue
			}
			p.Report(analyzer.Diagnostic{
				Range:   analyzer.RangeOf(n),
				Message: fmt.Sprintf("`%s = False` turns off TLS certificate checks for every request of the session", left.Text()),
				Help:    "keep verification on; for a private CA set `session.verify` to its bundle path",
			})
		}
	}
	return nil
}
