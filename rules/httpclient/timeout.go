package httpclient

import (
	_ "embed"
	"fmt"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/analyzer/semantic/effects"
)

//go:embed timeout.md
var timeoutDoc string

// MissingTimeout reports requests calls that can wait forever.
var MissingTimeout = &analyzer.Rule{
	Code:       "NET001",
	Name:       "http-call-without-timeout",
	Doc:        timeoutDoc,
	Category:   analyzer.Resilience,
	Severity:   analyzer.Warning,
	Confidence: analyzer.High,
	Since:      "0.1.0",
	Skip:       semantic.Test | semantic.DevData,
	Run:        runMissingTimeout,
}

// runMissingTimeout matches requests calls (module functions through any
// import alias, and methods of sessions created in the same function,
// class or module) without `timeout=`, and any requests or httpx call or
// httpx client constructor with an explicit `timeout=None`. It skips httpx
// calls without timeout (httpx applies a 5-second default), calls with
// **kwargs (they may carry the timeout), sessions with an adapter mounted
// in the file (it may set one), and test files.
func runMissingTimeout(p *analyzer.Pass) error {
	if !importsHTTP(p.Imports) {
		return nil
	}
	cs := findClients(p.Root, p.Imports)
	for n := range pyast.FindEach(p.Root, "call") {
		if c, _ := pyast.AsCall(n); effects.TimeoutOf(c) == effects.TimeoutGiven {
			if t := c.Keyword("timeout"); t.Type() == "none" {
				if _, isClient := cs.constructed(n); isClient {
					reportNoneTimeout(p, t, c.Func.Text())
				} else if _, ok := cs.call(n); ok {
					reportNoneTimeout(p, t, c.Func.Text())
				}
			}
			continue
		}
		hc, ok := cs.call(n)
		if !ok || hc.Lib != libRequests || effects.TimeoutOf(hc.Call) == effects.TimeoutMaybe || cs.mountedAdapter(hc) {
			continue
		}
		// Session.request(method, url, params, data, headers, cookies,
		// files, auth, timeout, ...): a ninth positional is the timeout.
		if hc.Verb == "request" && hc.Session && len(hc.Positional) >= 9 {
			continue
		}
		d := analyzer.Diagnostic{
			Range:   analyzer.RangeOf(hc.Func),
			Message: fmt.Sprintf("`%s(...)` without `timeout=`: requests waits forever on a server that does not answer", hc.Func.Text()),
			Help:    "pass `timeout=(connect, read)` seconds, e.g. `timeout=(3.05, 10)`, sized to the caller's own deadline; then decide what a timeout means to the caller (an error it shows, a cached value, or a retry with backoff if the call is idempotent)",
		}
		if hc.Session {
			d.Confidence = analyzer.Medium
		}
		p.Report(d)
	}
	return nil
}

func reportNoneTimeout(p *analyzer.Pass, t pyast.Node, callee string) {
	p.Report(analyzer.Diagnostic{
		Range:   analyzer.RangeOf(t.Parent()),
		Message: fmt.Sprintf("`%s(..., timeout=None)` disables the timeout: the call can wait forever", callee),
		Help:    "pass a finite `timeout=` sized to the caller's own deadline",
	})
}
