package security

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed bodysize.md
var bodySizeDoc string

// UnboundedWebhookBody reports webhook bodies read without a size bound.
var UnboundedWebhookBody = &analyzer.Rule{
	Code:       "SEC004",
	Name:       "webhook-body-without-size-limit",
	Doc:        bodySizeDoc,
	Category:   analyzer.Security,
	Severity:   analyzer.Info,
	Confidence: analyzer.Low,
	Since:      "0.1.0",
	Stack:      project.Django | project.WebApp,
	// Off by default: Django already bounds request bodies (DATA_UPLOAD_MAX_MEMORY_SIZE); no finding on the take-home corpus was worth a reviewer's time (docs/precision.md).
	NonDefault: true,
	Skip:       semantic.Test,
	Requires:   []project.Analysis{semantic.Endpoints},
	Run:        runUnboundedWebhookBody,
}

// runUnboundedWebhookBody matches webhook views (see webhookViews) that read
// the raw body without mentioning CONTENT_LENGTH / Content-Length or calling
// len() on it. Where a settings module sets DATA_UPLOAD_MAX_MEMORY_SIZE to a
// number the view is bounded and skipped; set to None it is reported with
// medium confidence; unset, Django's 2.5 MB default applies and the finding
// stays low.
func runUnboundedWebhookBody(p *analyzer.Pass) error {
	views := webhookViews(p)
	if len(views) == 0 {
		return nil
	}
	var bounded bool
	var disabled *project.Setting
	if p.Project != nil {
		bounded, disabled = p.Project.Settings.UploadLimit()
	}
	if bounded {
		return nil
	}
	for _, v := range views {
		if v.bodyRead.IsNil() || checksLength(v.fn) {
			continue
		}
		d := analyzer.Diagnostic{
			Range:   analyzer.RangeOf(v.bodyRead),
			Message: fmt.Sprintf("webhook view `%s` reads `%s` with no size check of its own; only Django's default 2.5 MB `DATA_UPLOAD_MAX_MEMORY_SIZE` bounds it", pyast.DefName(v.fn), v.bodyRead.Text()),
			Help:    "reject oversized payloads first: `if int(request.META.get(\"CONTENT_LENGTH\") or 0) > MAX_WEBHOOK_BYTES: return HttpResponse(status=413)`, and set `DATA_UPLOAD_MAX_MEMORY_SIZE` explicitly in settings",
		}
		if v.asgi {
			d.Confidence = analyzer.Medium
			d.Message = fmt.Sprintf("webhook endpoint `%s` reads `%s` whole with no size check: FastAPI/Starlette impose no limit", pyast.DefName(v.fn), v.bodyRead.Text())
			d.Help = "reject oversized payloads before reading: `if int(request.headers.get(\"content-length\") or 0) > MAX_WEBHOOK_BYTES: raise HTTPException(413)` (and cap it at the proxy)"
		} else if disabled != nil {
			d.Confidence = analyzer.Medium
			d.Message = fmt.Sprintf("webhook view `%s` reads `%s` unbounded: settings set `DATA_UPLOAD_MAX_MEMORY_SIZE = None`", pyast.DefName(v.fn), v.bodyRead.Text())
			d.Related = []analyzer.Related{{Path: disabled.Path, Range: analyzer.Range{Start: disabled.Start, End: disabled.End}, Message: "limit disabled here"}}
		}
		p.Report(d)
	}
	return nil
}

// checksLength reports whether fn mentions CONTENT_LENGTH/Content-Length or
// calls len() on anything.
func checksLength(fn pyast.Node) bool {
	found := false
	pyast.Inspect(fn, func(m pyast.Node) bool {
		switch m.Type() {
		case "string_content", "identifier":
			t := strings.ToLower(m.Text())
			if strings.Contains(t, "content_length") || strings.Contains(t, "content-length") {
				found = true
			}
		case "call":
			c, _ := pyast.AsCall(m)
			if c.Func.Type() == "identifier" && c.Func.Text() == "len" {
				found = true
			}
		}
		return !found
	})
	return found
}
