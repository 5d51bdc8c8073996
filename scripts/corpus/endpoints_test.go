package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMatchInventory(t *testing.T) {
	labels := []Endpoint{
		{Route: "api/v1/events/", View: "app/events/views.py:20 EventViewSet"},
		{Route: "deposit/", View: "investor/views.py:97 DepositMoney.patch"},
		{Route: "login", View: "users/views.py:7 LoginView"},
		{Route: "a/, b/", View: "shop/views.py:15 A, shop/views.py:40 B"}, // several views: not checked
		{Route: "manage.py sync", View: "a management command"},           // not a view: not checked
	}
	rows := []InventoryRow{
		{Route: "api/v1/events/", Path: "app/events/views.py", Line: 20, View: "app.events.views.EventViewSet.create"},
		{Route: "deposit/", Path: "investor/views.py", Line: 84, View: "investor.views.DepositMoney.patch"},
		{Route: "login", Path: "users/urls.py", Line: 3, View: "LoginView.as_view()"},
	}
	got := MatchInventory(labels, rows)
	assert.Equal(t, []EndpointResult{
		{Route: "api/v1/events/", View: "app/events/views.py:20 EventViewSet", Listed: true},
		{Route: "deposit/", View: "investor/views.py:97 DepositMoney.patch", Listed: true},
		{Route: "login", View: "users/views.py:7 LoginView", Listed: false},
	}, got)

	var b bytes.Buffer
	PrintInventory(&b, []*SubmissionResult{{Slug: "a+b", Endpoints: got}})
	assert.Equal(t, "\nEndpoint inventory: 2 of 3 labelled endpoints listed\n  a+b users/views.py:7 LoginView (login)\n", b.String())
}
