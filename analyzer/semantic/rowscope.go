package semantic

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer/project"
)

// RowScope says, for one endpoint of the inventory, whether the rows it
// changes or serves are shown to be the caller's. The checklist's
// "endpoints authorised" item claims "state changes need a caller, rows
// scoped to it": a login requirement alone proves the first half only.
type RowScope struct {
	// UnscopedWrite: in a project where rows belong to users (some model
	// reaches the user model), the endpoint changes an existing row (PUT, PATCH or
	// DELETE, or a DRF update/partial_update/destroy action) for any
	// authenticated caller, and nothing shows the row is the caller's: no
	// get_queryset, get_object, filter_queryset or filter_backends on the
	// view, no queryset keyword naming the user, no object permission,
	// staff requirement or caller check, and the handler never reads
	// request.user. Any logged-in user may change any row.
	UnscopedWrite bool
	// OpenRead: anonymous callers read rows of the project's models
	// through a safe method because nothing was declared (no permission
	// class, decorator or settings entry: a plain view or DRF's default),
	// and nothing in the handler checks the caller or reads request.user. Whether those rows are public by design
	// (a catalogue) or another party's (payments, events) is a reviewer's
	// call: the rows are not shown scoped.
	OpenRead bool
}

// RowScopes returns the row scope of every endpoint Surface lists, by
// CiteKeyOf of its row.
func RowScopes(ix *project.Index) map[CiteKey]RowScope {
	inv := InventoryOf(ix)
	owned := ownedRows(ix)
	out := map[CiteKey]RowScope{}
	for _, e := range inv.Endpoints {
		if !e.Judged(inv) {
			continue
		}
		out[CiteKeyOf(e.Row())] = RowScope{UnscopedWrite: owned && e.unscopedWrite(), OpenRead: e.openRead()}
	}
	return out
}

// ownedRows reports a project where rows belong to users: some model of
// the project's graph reaches the user model (OwnerPath). Where none does,
// every authenticated caller is alike and a login requirement is the
// whole authorisation; where some do, a caller may change only what is
// theirs, or what their role allows.
func ownedRows(ix *project.Index) bool {
	if ix.Models == nil {
		return false
	}
	m := Of(ix)
	for _, md := range ix.Models.All {
		if !md.External && m.OwnerPath(md) != "" {
			return true
		}
	}
	return false
}

// objectActions are the DRF actions that change one existing row.
var objectActions = map[string]bool{"update": true, "partial_update": true, "destroy": true}

// changesExistingRow reports an endpoint that writes rows through PUT,
// PATCH or DELETE, or runs a DRF action that changes one row.
func (e *Endpoint) changesExistingRow() bool {
	if len(e.Does.Names(WriteRows)) == 0 {
		return false
	}
	if objectActions[e.Action] {
		return true
	}
	for _, m := range e.Methods {
		switch m {
		case "PUT", "PATCH", "DELETE":
			return true
		}
	}
	return false
}

func (e *Endpoint) unscopedWrite() bool {
	if !e.changesExistingRow() || e.Webhook != nil || e.Auth.OpenTo() != "authenticated" {
		return false
	}
	if e.Guarded() || e.Auth.UsesUser || e.Auth.BodyCheck || e.Auth.Unknown {
		return false
	}
	if e.Class == nil {
		return false // a function view's lookups are SEC015's to judge
	}
	return !classScoped(e.Class)
}

// classScoped reports a view class whose rows may be narrowed to the
// caller where rubric does not follow: a get_queryset, get_object or
// filter_queryset override, filter_backends, a base outside the project
// and the known frameworks, or a class-level queryset whose chain names
// the user.
func classScoped(c *Class) bool {
	for _, cc := range append([]*Class{c}, c.Bases()...) {
		if cc.Methods["get_queryset"] != nil || cc.Methods["get_object"] != nil || cc.Methods["filter_queryset"] != nil {
			return true
		}
		if _, ok := cc.Attrs["filter_backends"]; ok {
			return true
		}
	}
	if opaqueBases(c) {
		return true
	}
	if v, _ := c.Attr("queryset"); !v.IsNil() {
		for k, val := range chainKeywords(v) {
			if strings.Contains(k, "user") || strings.Contains(k, "owner") || strings.Contains(val.Text(), "user") {
				return true
			}
		}
	}
	return false
}

func (e *Endpoint) openRead() bool {
	if e.Webhook != nil || len(e.Does.Names(ReadRows)) == 0 || e.Auth.Unknown || e.Auth.UsesUser || e.Auth.BodyCheck {
		return false
	}
	safe := false
	for _, m := range e.Methods {
		switch m {
		case "GET", "ANY":
			safe = true
		}
	}
	if !safe || !e.Auth.PublicFor("GET") {
		return false
	}
	// Reads opened on purpose (AllowAny or IsAuthenticatedOrReadOnly
	// written on the view, its decorator, get_permissions or the
	// settings) are the author's stated decision: a public catalogue.
	// Only reads open because nothing was declared are counted.
	if src := e.Auth.Source; src != "none" && !strings.HasPrefix(src, "DRF default") {
		return false
	}
	return e.Handler == nil || !ChecksCaller(e.Handler)
}

// OpenRead reports an endpoint anonymous callers read rows through
// because nothing was declared (RowScope.OpenRead).
func (e *Endpoint) OpenRead() bool { return e.openRead() }
