package security

import (
	_ "embed"
	"fmt"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed replay.md
var replayDoc string

// ReplayableWebhook reports signed webhooks accepted at any age.
var ReplayableWebhook = &analyzer.Rule{
	Code:       "SEC003",
	Name:       "webhook-without-replay-check",
	Doc:        replayDoc,
	Category:   analyzer.Security,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Low,
	Since:      "0.1.0",
	Stack:      project.Django | project.WebApp,
	Skip:       semantic.Test,
	Requires:   []project.Analysis{semantic.Endpoints},
	Run:        runReplayableWebhook,
}

// runReplayableWebhook matches webhook receivers (see webhookViews) that
// check an HMAC by hand, in the handler or a helper it calls (three calls
// deep), but mention no timestamp, tolerance, nonce, expiry or
// de-duplication (exists(), get_or_create, update_or_create) on the way.
// Provider SDKs that check the timestamp for you
// (stripe.Webhook.construct_event) do not use hmac and are never reported.
// A verified receiver whose replay test joins the age and the
// de-duplication checks with `and` (semantic.Webhook.WeakGuard) is
// reported at that test, whatever it uses to verify.
func runReplayableWebhook(p *analyzer.Pass) error {
	for _, v := range webhookViews(p) {
		if g := v.hook.WeakGuard; !g.IsNil() && v.hook.Verified {
			p.Report(analyzer.Diagnostic{
				Range:      analyzer.RangeOf(g),
				Confidence: analyzer.Medium,
				Message:    fmt.Sprintf("webhook view `%s` refuses a delivery only when it is both stale and already seen (`%s`): a replay inside the time window, or an old delivery no longer remembered, is accepted", v.fn.ChildByField("name").Text(), pyast.OneLine(g, 60)),
				Help:       "refuse a delivery when either check fails: `if not fresh or seen: return HttpResponse(status=400)` (and keep the seen ids at least as long as the time window)",
			})
			continue
		}
		if ts := v.hook.UnsignedTimestamp; !ts.IsNil() && v.hook.Verified {
			d := analyzer.Diagnostic{
				Range:      analyzer.RangeOf(v.fn.ChildByField("name")),
				Confidence: analyzer.Medium,
				Message: fmt.Sprintf("webhook view `%s` checks the age of a timestamp read from a header (`%s`) that the signature does not cover: a captured delivery replays with a fresh timestamp",
					v.fn.ChildByField("name").Text(), pyast.OneLine(ts, 50)),
				Help:    "sign the timestamp with the body (`hmac.new(key, f\"{ts}.{body}\".encode(), sha256)`, as the provider does) so that changing it breaks the signature, and keep de-duplicating on the event id",
				Related: []analyzer.Related{{Range: analyzer.RangeOf(ts), Message: "the unsigned timestamp checked here"}},
			}
			if v.hook.UnsignedTimestampFile != nil && v.hook.UnsignedTimestampFile.Unit != p.Unit {
				d.Related[0].Path = v.hook.UnsignedTimestampFile.Unit.File.Rel
			}
			p.Report(d)
			continue
		}
		if !v.hook.HMAC || v.hook.Fresh {
			continue
		}
		name := v.fn.ChildByField("name")
		p.Report(analyzer.Diagnostic{
			Range:   analyzer.RangeOf(name),
			Message: fmt.Sprintf("webhook view `%s` verifies a signature but accepts a replayed delivery of any age", name.Text()),
			Help:    "sign the timestamp with the body (as the provider does) and reject deliveries older than a few minutes: `if abs(time.time() - int(ts)) > 300: return HttpResponse(status=400)`; also de-duplicate on the event id",
		})
	}
	return nil
}
