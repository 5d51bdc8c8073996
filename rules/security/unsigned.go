package security

import (
	_ "embed"
	"fmt"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed unsigned.md
var unsignedDoc string

// UnsignedWebhook reports webhook views that act on the body unverified.
var UnsignedWebhook = &analyzer.Rule{
	Code:       "SEC002",
	Name:       "webhook-without-signature-check",
	Doc:        unsignedDoc,
	Category:   analyzer.Security,
	Severity:   analyzer.Error,
	Confidence: analyzer.Medium,
	Since:      "0.1.0",
	Stack:      project.Django | project.WebApp,
	Skip:       semantic.Test,
	Requires:   []project.Analysis{semantic.Endpoints},
	Run:        runUnsignedWebhook,
}

// runUnsignedWebhook matches webhook receivers (see webhookViews and
// semantic.Webhook) that change state (rows written, money moved, tasks
// queued: in the handler or in the project functions it calls, three
// calls deep) and show no sign of authenticating the sender in the
// handler, its helpers, decorators or class (a signature, an HMAC, a
// provider SDK's construct_event, a shared secret or token, an
// authentication a provider must pass). Permission classes do not count
// by name: AllowAny is what a webhook needs, not a verification; the
// has_permission of a project permission class is read like a helper. Receivers that
// hand the request to a callable outside the project (which may verify
// it) and test files are skipped.
func runUnsignedWebhook(p *analyzer.Pass) error {
	for _, v := range webhookViews(p) {
		if c := v.hook.Unenforced; !c.IsNil() && v.hook.UnenforcedFile != nil && v.hook.UnenforcedFile.Unit == p.Unit {
			p.Report(analyzer.Diagnostic{
				Range: analyzer.RangeOf(c),
				Message: fmt.Sprintf("webhook view `%s` checks the signature (`%s`) but the result decides nothing: a forged delivery gets the same answer and the same handling as a genuine one",
					v.ep.ViewName(), pyast.OneLine(c, 60)),
				Help:    "reject the delivery when the check fails, before acting on it: `if not hmac.compare_digest(expected, received): return HttpResponse(status=401)`",
				Related: answerAfter(v.fn, c),
			})
			continue
		}
		write := v.ep.Does.FirstWrite()
		if write == nil || v.hook.Verified || v.hook.Delegated {
			continue
		}
		// At the handler's own read of the delivery; when a helper reads it,
		// at the view (the helper is named in the related locations).
		at := v.hook.Payload
		var rel []analyzer.Related
		if v.hook.PayloadFile == nil || v.hook.PayloadFile.Unit != p.Unit || !v.fn.Contains(at) {
			at = v.ep.ViewNode()
			if v.hook.PayloadFile != nil {
				r := analyzer.Related{Range: analyzer.RangeOf(v.hook.Payload), Message: "delivery read here"}
				if v.hook.PayloadFile.Unit != p.Unit {
					r.Path = v.hook.PayloadFile.Unit.File.Rel
				}
				rel = append(rel, r)
			}
		}
		d := analyzer.Diagnostic{
			Range: analyzer.RangeOf(at),
			Message: fmt.Sprintf("webhook view `%s` acts on `%s` without verifying the sender's signature",
				v.ep.ViewName(), trimText(v.hook.Payload.Text(), 40)),
			Help: "compute `hmac.new(secret, request.body, hashlib.sha256).hexdigest()` and check it against the signature header with `hmac.compare_digest` before parsing or saving anything (or the provider SDK's verification, e.g. `stripe.Webhook.construct_event`); reject with 400/401 otherwise. `AllowAny` only opens the door: it verifies nothing",
		}
		if !write.Call.IsNil() && write.File != nil {
			r := analyzer.Related{Range: analyzer.RangeOf(write.Call), Message: "state changed here"}
			if write.File.Unit != p.Unit {
				r.Path = write.File.Unit.File.Rel
			}
			rel = append(rel, r)
		}
		d.Related = rel
		p.Report(d)
	}
	return nil
}

// answerAfter locates the first return of fn after the check that the
// check does not guard: the answer a forged delivery gets too.
func answerAfter(fn, check pyast.Node) []analyzer.Related {
	guarded := check
	for p := check.Parent(); !p.IsNil() && !p.Equal(fn); p = p.Parent() {
		if p.Type() == "if_statement" {
			guarded = p
			break
		}
	}
	for r := range pyast.FindEach(pyast.Body(fn), "return_statement") {
		if r.StartByte() > check.EndByte() && !guarded.Contains(r) && pyast.EnclosingFunction(r).Equal(fn) {
			return []analyzer.Related{{Range: analyzer.RangeOf(r), Message: "answered whatever the check says"}}
		}
	}
	return nil
}
