package security

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed ledger.md
var ledgerDoc string

// LedgerEditable reports API endpoints that rewrite or delete money
// records: a viewset's update/destroy over a transaction-like model, or
// the destroy of a row whose transactions go with it (CASCADE).
var LedgerEditable = &analyzer.Rule{
	Code:       "SEC021",
	Name:       "ledger-editable-through-api",
	Doc:        ledgerDoc,
	Category:   analyzer.Security,
	Severity:   analyzer.Error,
	Confidence: analyzer.Medium,
	Since:      "0.3.0",
	Stack:      project.Django,
	Skip:       semantic.ProductCode,
	Requires:   []project.Analysis{semantic.Endpoints},
	Distinct:   true,
	Run:        runLedgerEditable,
}

// ledgerWords name models that record a movement of money.
var ledgerWords = []string{"transaction", "transfer", "operation", "payment", "payout", "ledger", "deposit",
	"withdraw", "refund", "charge", "posting"}

// amountWords name the column that holds the money moved.
var amountWords = []string{"amount", "sum", "value", "total"}

// ledgerModel reports a model recording money movements: its name says
// so and it has an amount column.
func ledgerModel(m *project.Model) bool {
	if m == nil {
		return false
	}
	name := strings.ToLower(m.Name)
	named := false
	for _, w := range ledgerWords {
		if strings.Contains(name, w) {
			named = true
		}
	}
	if !named {
		return false
	}
	for _, fl := range m.Fields {
		if fl.IsRelation() {
			continue
		}
		n := strings.ToLower(fl.Name)
		for _, w := range amountWords {
			if n == w || strings.HasPrefix(n, w+"_") || strings.HasSuffix(n, "_"+w) {
				return true
			}
		}
	}
	return false
}

// runLedgerEditable matches the framework's update, partial_update and
// destroy actions (not overridden, or overridden and calling super) of
// judged DRF endpoints open to anonymous or any authenticated caller (not
// staff-only, not unknown) whose model is a money record (ledgerModel),
// and the destroy of a model another money record points at with
// on_delete=CASCADE. One finding per view class, at its name.
func runLedgerEditable(p *analyzer.Pass) error {
	inv := semantic.InventoryOf(p.Project)
	f := semantic.Of(p.Project).File(p.Unit)
	type hit struct {
		e       *semantic.Endpoint
		methods []string
		cascade []*project.Relation
	}
	var order []*semantic.Class
	hits := map[*semantic.Class]*hit{}
	for _, e := range inv.InFile(f) {
		if e.Class == nil || e.Model == nil || e.Kind != "viewset" && e.Kind != "drf-view" || !e.Judged(inv) {
			continue
		}
		switch e.Auth.OpenTo() {
		case "staff", "unknown":
			continue
		}
		var method string
		switch e.Action {
		case "update":
			method = "PUT"
		case "partial_update":
			method = "PATCH"
		case "destroy":
			method = "DELETE"
		default:
			continue
		}
		if e.Handler != nil && !callsSuperAction(e.Handler) {
			continue // the project's own update or destroy decides
		}
		if modelPermissionGuard(p, e) {
			continue // only callers granted change/delete on the model pass
		}
		if method == "DELETE" && overridesDelete(p.Project, e.Model) {
			continue // the model's own delete() decides what deleting means
		}
		var cascade []*project.Relation
		if !ledgerModel(e.Model) {
			if method != "DELETE" {
				continue
			}
			if cascade = cascadingLedger(p.Project, e.Model); cascade == nil {
				continue
			}
		}
		h := hits[e.Class]
		if h == nil {
			h = &hit{e: e}
			hits[e.Class] = h
			order = append(order, e.Class)
		}
		h.methods = append(h.methods, method)
		if cascade != nil {
			h.cascade = cascade
		}
	}
	for _, c := range order {
		h := hits[c]
		sort.Strings(h.methods)
		who := "any authenticated caller"
		if h.e.Auth.PublicFor("DELETE") || h.e.Auth.PublicFor("PUT") {
			who = "anonymous callers"
		}
		var msg string
		if h.cascade == nil {
			msg = fmt.Sprintf("`%s` lets %s %s `%s` rows, a record of money moved: the ledger can be rewritten or erased through the API",
				c.Name, who, strings.Join(h.methods, ", "), h.e.Model.Name)
		} else if len(h.cascade) == 1 {
			fl := h.cascade[0]
			msg = fmt.Sprintf("`%s` lets %s DELETE `%s`, and `%s.%s` is on_delete=CASCADE: one request erases the `%s` rows that record money moved",
				c.Name, who, h.e.Model.Name, fl.From.Name, fl.Field.Name, fl.From.Name)
		} else {
			mid, fl := h.cascade[0], h.cascade[1]
			msg = fmt.Sprintf("`%s` lets %s DELETE `%s`, and `%s.%s` and `%s.%s` are on_delete=CASCADE: one request erases every `%s` of the row and, with them, the `%s` rows that record money moved",
				c.Name, who, h.e.Model.Name, mid.From.Name, mid.Field.Name, fl.From.Name, fl.Field.Name, mid.From.Name, fl.From.Name)
		}
		var rel []analyzer.Related
		for _, fl := range h.cascade {
			rel = append(rel, analyzer.Related{Path: fl.Field.Path, Range: analyzer.Range{Start: fl.Field.Start, End: fl.Field.End},
				Message: "the CASCADE foreign key of `" + fl.From.Name + "`"})
		}
		p.Report(analyzer.Diagnostic{
			Range:   analyzer.RangeOf(c.Node.ChildByField("name")),
			Related: rel,
			Message: msg,
			Help:    "expose only the actions the API needs (`mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet`, or `http_method_names`); correct a money record with a reversing entry, and protect it in the schema (`on_delete=models.PROTECT`)",
		})
	}
	return nil
}

// modelPermissionGuard reports an endpoint guarded by a model-permission
// check: DRF's DjangoModelPermissions or DjangoObjectPermissions, or a
// project permission class deriving from them or whose methods test the
// caller's permissions (`request.user.has_perms(perms)`, an action-based
// map of `<app>.change_<model>` codes). PUT, PATCH and DELETE then pass
// only for users granted the model's change or delete permission, an
// administrator's decision, not any authenticated caller.
func modelPermissionGuard(p *analyzer.Pass, e *semantic.Endpoint) bool {
	m := semantic.Of(p.Project)
	for _, name := range e.Auth.Permissions {
		last := name[strings.LastIndex(name, ".")+1:]
		if last == "DjangoModelPermissions" || last == "DjangoObjectPermissions" {
			return true
		}
		c := m.ClassNamed(e.Class.File, name)
		if c == nil {
			continue
		}
		if c.DerivesFrom("rest_framework.permissions.DjangoModelPermissions", "rest_framework.permissions.DjangoObjectPermissions") {
			return true
		}
		for _, cc := range append([]*semantic.Class{c}, c.Bases()...) {
			for _, fn := range cc.Methods {
				for n := range pyast.FindEach(pyast.Body(fn.Node), "call") {
					if call, _ := pyast.AsCall(n); call.MethodName() == "has_perms" || call.MethodName() == "has_perm" {
						return true
					}
				}
			}
		}
	}
	return false
}

// callsSuperAction reports an overridden action that still runs the
// framework's (`return super().destroy(request, *args, **kwargs)`).
func callsSuperAction(fn *semantic.Func) bool {
	for n := range pyast.FindEach(pyast.Body(fn.Node), "call") {
		c, _ := pyast.AsCall(n)
		if c.Func.Type() == "attribute" && c.MethodName() == fn.Name && c.Receiver().Type() == "call" &&
			pyast.Dotted(c.Receiver().ChildByField("function")) == "super" {
			return true
		}
	}
	return false
}

// cascadingLedger returns the relations by which deleting a row of m
// deletes money records: a foreign key of a money record to m declared
// with on_delete=CASCADE (the field's own text says so), or, one model
// removed, a CASCADE foreign key to m of a model that money records
// reference with CASCADE in turn (deleting a bank deletes its loans, and
// with them their payments); nil when none.
func cascadingLedger(ix *project.Index, m *project.Model) []*project.Relation {
	for _, r := range m.Reverse {
		if ledgerModel(r.From) && cascadeFK(ix, r) {
			return []*project.Relation{r}
		}
	}
	for _, r := range m.Reverse {
		if r.From == m || ledgerModel(r.From) || !cascadeFK(ix, r) {
			continue
		}
		for _, r2 := range r.From.Reverse {
			if r2.From != m && r2.From != r.From && ledgerModel(r2.From) && cascadeFK(ix, r2) {
				return []*project.Relation{r, r2}
			}
		}
	}
	return nil
}

// cascadeFK reports a foreign key declared with on_delete=CASCADE.
func cascadeFK(ix *project.Index, r *project.Relation) bool {
	if r.Field == nil || r.Field.Kind != project.ForeignKey {
		return false
	}
	u := ix.ByPath[r.Field.Path]
	if u == nil || u.File == nil || r.Field.End > len(u.File.Src()) || r.Field.Start >= r.Field.End {
		return false
	}
	return strings.Contains(string(u.File.Src()[r.Field.Start:r.Field.End]), "CASCADE")
}

// overridesDelete reports a model class defining its own delete() (a
// reversal, a soft delete): read from the class's text.
func overridesDelete(ix *project.Index, m *project.Model) bool {
	u := ix.ByPath[m.Path]
	if u == nil || u.File == nil || m.End > len(u.File.Src()) || m.Start >= m.End {
		return false
	}
	return strings.Contains(string(u.File.Src()[m.Start:m.End]), "def delete(")
}
