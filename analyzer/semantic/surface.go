package semantic

import (
	"sort"
	"strings"

	"github.com/rubric-dev/rubric/analyzer/project"
)

// EndpointRow is one endpoint as the inventory shows it: plain data with
// stable JSON names, for `rubric endpoints` and the reviewer checklist
// (the attack surface at a glance). Field meanings:
//
//   - route: the URL pattern ("" when no URLconf routes the view);
//   - methods: HTTP methods, upper case ("ANY" when unrestricted);
//   - view: qualified view, with ".action" for a class's handler;
//   - path, line: where the handler (or class) is defined;
//   - kind: function, django-view, drf-view, viewset, ninja, asgi;
//   - auth: what protects it, in words; open_to: anyone, anyone (read),
//     authenticated, staff or unknown;
//   - reads, writes: models; http_calls, tasks: what is called or queued;
//   - moves_money: a write of a balance or amount, a payment SDK call;
//   - webhook: set for webhook receivers, with why and whether a
//     verification shows.
type EndpointRow struct {
	Route      string      `json:"route"`
	Methods    []string    `json:"methods"`
	View       string      `json:"view"`
	Path       string      `json:"path"`
	Line       int         `json:"line"`
	Kind       string      `json:"kind"`
	Auth       string      `json:"auth"`
	OpenTo     string      `json:"open_to"`
	CSRFExempt bool        `json:"csrf_exempt,omitempty"`
	Reads      []string    `json:"reads,omitempty"`
	Writes     []string    `json:"writes,omitempty"`
	HTTPCalls  []string    `json:"http_calls,omitempty"`
	Tasks      []string    `json:"tasks,omitempty"`
	MovesMoney bool        `json:"moves_money,omitempty"`
	Webhook    *WebhookRow `json:"webhook,omitempty"`
}

// WebhookRow says why an endpoint is a webhook receiver and whether its
// deliveries are verified.
type WebhookRow struct {
	Signals  []string `json:"signals"`
	Verified bool     `json:"verified"`
}

// Surface returns the endpoint inventory of an index as rows, sorted by
// route, view and methods: the endpoints rules judge (see
// Endpoint.Judged). It builds the semantic model when needed.
func Surface(ix *project.Index) []EndpointRow {
	inv := InventoryOf(ix)
	var out []EndpointRow
	for _, e := range inv.Endpoints {
		if !e.Judged(inv) {
			continue
		}
		out = append(out, e.Row())
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if (a.Route == "") != (b.Route == "") {
			return a.Route != ""
		}
		if a.Route != b.Route {
			return a.Route < b.Route
		}
		if a.View != b.View {
			return a.View < b.View
		}
		return strings.Join(a.Methods, ",") < strings.Join(b.Methods, ",")
	})
	return out
}

// Row returns the endpoint as an inventory row.
func (e *Endpoint) Row() EndpointRow {
	r := EndpointRow{Route: e.Route, Methods: e.Methods, View: e.View, Path: e.File.Unit.File.Rel,
		Line: e.File.Unit.File.Position(e.Node.StartByte()).Line, Kind: e.Kind, Auth: e.Auth.Summary,
		OpenTo: e.Auth.OpenTo(), CSRFExempt: e.Auth.CSRFExempt, Reads: e.Does.Names(ReadRows),
		Writes: e.Does.Names(WriteRows), HTTPCalls: e.Does.Names(HTTPCall), Tasks: e.Does.Names(QueueTask),
		MovesMoney: e.Does.MovesMoney()}
	if e.Action != "" {
		r.View += "." + e.Action
	}
	if e.Webhook != nil {
		r.Webhook = &WebhookRow{Signals: e.Webhook.Signals, Verified: e.Webhook.Verified}
	}
	return r
}
