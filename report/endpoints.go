package report

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

// Endpoint is one row of the report's endpoint table: the endpoint
// inventory's row (semantic.Surface, the shape `rubric endpoints --format
// json` prints) and the lines the checklist cites for it.
type Endpoint struct {
	semantic.EndpointRow
	// AuthAt is where who may call it is decided: the permission_classes
	// line, the decorator, the settings entry (nil when rubric has no line:
	// no check at all, or a framework default without a settings module).
	AuthAt *Evidence `json:"auth_at,omitempty"`
	// VerifiedAt is the line that verifies a webhook receiver's deliveries.
	VerifiedAt *Evidence `json:"verified_at,omitempty"`
	// ReplayGuardAt is the line that refuses a replayed delivery (a
	// timestamp tolerance, a de-duplication on the event id).
	ReplayGuardAt *Evidence `json:"replay_guard_at,omitempty"`
	// Delegated: the webhook receiver hands the request to code outside
	// the project, which may verify it where rubric cannot see.
	Delegated bool `json:"verification_delegated,omitempty"`
	// Access says, for an endpoint that changes state, who reaches its
	// unsafe methods: open (anonymous callers, or a webhook receiver that
	// verifies nothing), authorised, or unknown; "" for the others.
	Access string `json:"access,omitempty"`
	// Scope says whether the rows the endpoint changes or serves are
	// shown to be the caller's (semantic.RowScope).
	Scope semantic.RowScope `json:"-"`

	view Evidence // the handler's line, as evidence
}

// The values of Endpoint.Access.
const (
	accessOpen       = "open"
	accessAuthorised = "authorised"
	accessUnknown    = "unknown"
)

// endpointsOf reads the endpoint inventory of a run, in Surface's order
// (route, view, methods), with citations at lines of the submission.
func endpointsOf(ix *project.Index) []Endpoint {
	if ix == nil {
		return nil
	}
	rows := semantic.Surface(ix)
	cites := semantic.Citations(ix)
	scopes := semantic.RowScopes(ix)
	out := make([]Endpoint, 0, len(rows))
	for _, r := range rows {
		e := Endpoint{EndpointRow: r}
		c := cites[semantic.CiteKeyOf(r)]
		e.AuthAt = lineEvidence(ix, c.AuthPath, c.AuthLine)
		e.VerifiedAt = lineEvidence(ix, c.VerifyPath, c.VerifyLine)
		e.ReplayGuardAt = lineEvidence(ix, c.GuardPath, c.GuardLine)
		e.Delegated = c.Delegated
		e.Scope = scopes[semantic.CiteKeyOf(r)]
		e.Access = e.access()
		if v := lineEvidence(ix, r.Path, r.Line); v != nil {
			e.view = *v
		}
		out = append(out, e)
	}
	return out
}

// lineEvidence is the evidence of a line of a parsed file (nil for none).
func lineEvidence(ix *project.Index, p string, line int) *Evidence {
	if p == "" {
		return nil
	}
	e := &Evidence{Path: p, Line: line}
	if u := ix.ByPath[p]; u != nil && line > 0 {
		e.Code = clip(string(u.File.Line(line)))
	}
	return e
}

// ChangesState reports an endpoint that writes rows, queues tasks or moves
// money through an unsafe method (reads and outbound calls alone do not
// count).
func (e Endpoint) ChangesState() bool {
	if len(e.Writes)+len(e.Tasks) == 0 && !e.MovesMoney {
		return false
	}
	for _, m := range e.Methods {
		switch m {
		case "POST", "PUT", "PATCH", "DELETE", "ANY":
			return true
		}
	}
	return false
}

// access classifies a state-changing endpoint: a webhook receiver by its
// verification (a provider cannot log in: its signature is its
// credential), any other by who reaches its unsafe methods.
func (e Endpoint) access() string {
	if !e.ChangesState() {
		return ""
	}
	switch {
	case e.OpenTo == "unknown":
		return accessUnknown
	case e.OpenTo != "anyone":
		return accessAuthorised // authenticated, staff, or anyone for reads only
	case e.Webhook != nil && e.Webhook.Verified:
		return accessAuthorised
	case e.Webhook != nil && e.Delegated:
		return accessUnknown
	}
	return accessOpen
}

// RouteText is "/route", or "(not routed)".
func (e Endpoint) RouteText() string {
	if e.Route == "" {
		return "(not routed)"
	}
	return "/" + strings.TrimPrefix(e.Route, "/")
}

// MethodsText is "POST, PUT".
func (e Endpoint) MethodsText() string { return strings.Join(e.Methods, ", ") }

// ViewText is the view's qualified name on one line (a library view
// written over several lines in the URLconf included).
func (e Endpoint) ViewText() string { return clip(strings.Join(strings.Fields(e.View), " ")) }

// Location is the handler's "path:line".
func (e Endpoint) Location() string { return Evidence{Path: e.Path, Line: e.Line}.Location() }

// CallerText says who may call it: "anyone (AllowAny (class))".
func (e Endpoint) CallerText() string {
	s := e.OpenTo + ": " + e.Auth
	if e.CSRFExempt {
		s += ", csrf_exempt"
	}
	return s
}

// DoesText says what it does that matters to a reviewer: rows written,
// HTTP calls, tasks queued, money moved ("reads only" otherwise).
func (e Endpoint) DoesText() string {
	var does []string
	if len(e.Writes) > 0 {
		does = append(does, "writes "+strings.Join(e.Writes, ", "))
	}
	if len(e.HTTPCalls) > 0 {
		does = append(does, "calls "+strings.Join(e.HTTPCalls, ", "))
	}
	if len(e.Tasks) > 0 {
		does = append(does, "queues "+strings.Join(e.Tasks, ", "))
	}
	if e.MovesMoney {
		does = append(does, "moves money")
	}
	if len(does) == 0 {
		if len(e.Reads) > 0 {
			return "reads " + strings.Join(e.Reads, ", ")
		}
		return "nothing rubric sees"
	}
	return strings.Join(does, "; ")
}

// WebhookText is "verified at path:line", "not verified", "" for an
// endpoint that receives no webhooks.
func (e Endpoint) WebhookText() string {
	switch {
	case e.Webhook == nil:
		return ""
	case e.Webhook.Verified && e.VerifiedAt != nil:
		return "verified at " + e.VerifiedAt.Location()
	case e.Webhook.Verified:
		return "verified"
	case e.Delegated:
		return "handed to code outside the project: not decided"
	}
	return "not verified"
}

// summary is the endpoint as a sentence's subject: "POST /wallets/
// (`WalletViewSet.create`)", or "`views.receive` (ANY, not routed)".
func (e Endpoint) summary() string {
	if e.Route == "" {
		return "`" + shortView(e.View) + "` (" + e.MethodsText() + ", not routed)"
	}
	return e.MethodsText() + " " + e.RouteText() + " (`" + shortView(e.View) + "`)"
}

// shortView keeps the last two parts of a qualified view ("Class.action",
// "module.function").
func shortView(v string) string {
	v = strings.Join(strings.Fields(v), " ")
	parts := strings.Split(v, ".")
	if len(parts) > 2 {
		parts = parts[len(parts)-2:]
	}
	return clip(strings.Join(parts, "."))
}

// endpoints records the inventory's signals: endpoints, those that change
// state and who reaches them, webhook receivers and their verification;
// and, from defs (functions named *webhook* that take a request), the
// handlers no row lists, which the checklist judges by name.
func (s *Signals) endpoints(defs []Evidence) {
	listed := map[string]bool{}
	var groups []string // authorisation places, in row order
	byPlace := map[string][]Endpoint{}
	for _, e := range s.Endpoints {
		listed[e.Location()] = true
		s.add("endpoints.count", e.noted(e.summary()+": "+e.CallerText()+"; "+e.DoesText()))
		if e.ChangesState() {
			s.add("endpoints.state_changing", e.noted(e.summary()+" "+e.DoesText()))
			if e.MovesMoney {
				s.add("endpoints.moving_money", e.noted(e.summary()+" "+e.DoesText()))
			}
		}
		if e.Scope.UnscopedWrite {
			s.add("endpoints.unscoped_writes", e.noted(e.summary()+" lets any authenticated caller change any row ("+e.Auth+"): nothing shows the row is the caller's (no get_queryset, object permission, owner filter or check of request.user)"))
		}
		if e.Scope.OpenRead {
			s.add("endpoints.open_reads", e.noted(e.summary()+" serves "+strings.Join(e.Reads, ", ")+" to anyone ("+e.Auth+"): nothing shows these rows are public by design or the caller's"))
		}
		switch e.Access {
		case accessOpen:
			what := "is open to anyone (" + e.Auth + ")"
			if e.Webhook != nil {
				what = "receives webhooks and verifies nothing, so anyone can post to it"
			}
			s.add("endpoints.open_writes", e.noted(e.summary()+" "+what+" and "+e.DoesText()))
		case accessUnknown:
			what := "is guarded by a check rubric cannot read (" + e.Auth + ")"
			if e.Webhook != nil && e.Delegated {
				what = "hands its webhook deliveries to code outside the project"
			}
			s.add("endpoints.auth_unknown", e.noted(e.summary()+" "+what+" and "+e.DoesText()))
		case accessAuthorised:
			place := e.authPlace()
			if _, ok := byPlace[place.Location()]; !ok {
				groups = append(groups, place.Location())
			}
			byPlace[place.Location()] = append(byPlace[place.Location()], e)
		}
		if w := e.Webhook; w != nil {
			s.add("webhooks.endpoints", e.noted(e.summary()+" receives webhooks ("+strings.Join(w.Signals, ", ")+")"))
			if g := e.ReplayGuardAt; g != nil {
				ev := e.noted(e.summary() + " refuses replayed deliveries here")
				ev.Path, ev.Line, ev.Code = g.Path, g.Line, g.Code
				s.add("webhooks.replay_guards", ev)
			}
			switch {
			case w.Verified:
				ev := e.noted(e.summary() + " verifies its deliveries")
				if e.VerifiedAt != nil {
					ev.Path, ev.Line, ev.Code = e.VerifiedAt.Path, e.VerifiedAt.Line, e.VerifiedAt.Code
					ev.Note += " here"
				}
				s.add("webhooks.verified", ev)
			case e.Delegated:
				s.add("webhooks.undecided", e.noted(e.summary()+" hands the request to code outside the project, which may verify it"))
			default:
				s.add("webhooks.unverified", e.noted(e.summary()+" receives webhooks ("+strings.Join(w.Signals, ", ")+") and verifies nothing: not in the handler, the functions it calls, its decorators or its class"))
			}
		}
	}
	for _, place := range groups {
		es := byPlace[place]
		ev := es[0].authPlace()
		who := "an authenticated caller"
		switch {
		case es[0].Webhook != nil && es[0].OpenTo == "anyone":
			who = "a verified webhook delivery"
		case es[0].OpenTo == "staff":
			who = "a staff caller"
		}
		subject := es[0].summary()
		if len(es) > 1 {
			subject += " and " + plural(len(es)-1, "more endpoint", "more endpoints")
		}
		verb := " require "
		if len(es) == 1 {
			verb = " requires "
		}
		ev.Note = subject + verb + who + ": " + es[0].Auth
		if who == "a verified webhook delivery" {
			ev.Note = subject + verb + who + " (the provider's signature is its credential)"
		}
		g := s.byName["endpoints.authorised"]
		g.Value += float64(len(es))
		if len(g.Evidence) < evidenceCap {
			g.Evidence = append(g.Evidence, ev)
		}
	}
	for _, d := range defs {
		if listed[d.Location()] {
			continue
		}
		d.Note = "named for webhooks and takes a request, but no route rubric reads reaches it: judged by its name"
		s.add("webhooks.unrouted_handlers", d)
	}
}

// noted is the endpoint's handler line as evidence, with a note.
func (e Endpoint) noted(note string) Evidence {
	ev := e.view
	if ev.Path == "" {
		ev = Evidence{Path: e.Path, Line: e.Line}
	}
	ev.Note = note
	return ev
}

// authPlace is where an authorised endpoint's requirement is written: the
// verification of a webhook receiver anonymous callers reach, else the
// permission, decorator or settings line, else the handler.
func (e Endpoint) authPlace() Evidence {
	switch {
	case e.Webhook != nil && e.OpenTo == "anyone" && e.VerifiedAt != nil:
		return *e.VerifiedAt
	case e.AuthAt != nil:
		return *e.AuthAt
	}
	return e.noted("")
}
