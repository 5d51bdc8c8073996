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

//go:embed relatedowner.md
var relatedOwnerDoc string

// RelatedFieldAnyOwner reports a writable related field of a serializer
// whose rows belong to users, declared over every row of another
// user-owned model: a signed-in caller links their row to anyone's.
var RelatedFieldAnyOwner = &analyzer.Rule{
	Code:       "SEC028",
	Name:       "related-field-any-owner",
	Doc:        relatedOwnerDoc,
	Category:   analyzer.Security,
	Severity:   analyzer.Error,
	Confidence: analyzer.Medium,
	Since:      "0.31.0",
	Stack:      project.Django,
	Skip:       semantic.ProductCode,
	Distinct:   true,
	Requires:   []project.Analysis{semantic.Endpoints},
	Run:        runRelatedFieldAnyOwner,
}

// relatedFieldClasses are DRF's related fields that take a queryset.
var relatedFieldClasses = map[string]bool{"PrimaryKeyRelatedField": true, "SlugRelatedField": true,
	"HyperlinkedRelatedField": true}

// runRelatedFieldAnyOwner matches, in each model serializer of the file
// whose model belongs to a user (semantic.Model.OwnerPath), a class-level
// `name = serializers.PrimaryKeyRelatedField(queryset=R.objects.all())`
// (or SlugRelatedField, HyperlinkedRelatedField; `R.objects` alike), not
// read-only, where R is another project model that belongs to a user,
// when the serializer is the serializer_class of a routed view that
// accepts POST, PUT or PATCH from signed-in callers only (not anonymous,
// not staff only, no check rubric cannot read). Left alone: a serializer
// that overrides __init__ or get_fields (where the queryset is usually
// narrowed), one with a validate_<name>, or a validate that reads a user;
// a model with two relations to R (a transfer's source and destination,
// where the other side is anyone's by design).
func runRelatedFieldAnyOwner(p *analyzer.Pass) error {
	m := semantic.Of(p.Project)
	if m.Graph == nil {
		return nil
	}
	inv := semantic.InventoryOf(p.Project)
	f := m.File(p.Unit)
	for _, sc := range f.Classes {
		md := m.SerializerModel(sc)
		if md == nil || m.OwnerPath(md) == "" || sc.Method("__init__") != nil || sc.Method("get_fields") != nil {
			continue
		}
		var e *semantic.Endpoint
		for st := range pyast.EachStatement(pyast.Body(sc.Node)) {
			a := st.NamedChild(0)
			if st.Type() != "expression_statement" || a.Type() != "assignment" || a.ChildByField("left").Type() != "identifier" {
				continue
			}
			c, ok := pyast.AsCall(a.ChildByField("right"))
			if !ok || !relatedFieldClasses[lastName(c.Func)] || c.Keyword("read_only").Type() == "true" {
				continue
			}
			name := a.ChildByField("left").Text()
			rel, qtext := everyRow(f, c.Keyword("queryset"))
			if rel == nil || rel == md || m.IsUserModel(rel) || m.OwnerPath(rel) == "" || relationsTo(md, rel) > 1 {
				continue
			}
			if sc.Method("validate_"+name) != nil || readsUser(sc.Method("validate")) {
				continue
			}
			if e == nil {
				if e = signedInWriter(m, inv, sc); e == nil {
					break
				}
			}
			p.Report(analyzer.Diagnostic{
				Range: analyzer.RangeOf(a),
				Message: fmt.Sprintf("`%s` accepts any `%s` (`%s`), and `%s` rows belong to users (through `%s`): a signed-in caller of %s can point the `%s` they write at another user's `%s`",
					name, rel.Name, qtext, rel.Name, m.OwnerPath(rel), viewAt(e), md.Name, rel.Name),
				Help: fmt.Sprintf("narrow the queryset to the caller's rows (in `get_fields()`, `%s.objects.filter(%s=request.user)` with the request from `self.context`), or refuse another user's `%s` in `validate_%s`",
					rel.Name, m.OwnerPath(rel), rel.Name, name),
			})
		}
	}
	return nil
}

// everyRow resolves `R.objects.all()` or `R.objects` to the project model
// R, with the expression as written; nil for anything narrower.
func everyRow(f *semantic.File, q pyast.Node) (*project.Model, string) {
	q = pyast.Unparen(q)
	if q.IsNil() {
		return nil, ""
	}
	text := pyast.OneLine(q, 50)
	if c, ok := pyast.AsCall(q); ok {
		if c.MethodName() != "all" || len(c.Positional) > 0 || len(c.Keywords) > 0 {
			return nil, ""
		}
		q = pyast.Unparen(c.Receiver())
	}
	d := pyast.Dotted(q)
	if !strings.HasSuffix(d, ".objects") {
		return nil, ""
	}
	return f.M.Graph.Lookup(f.Unit, strings.TrimSuffix(d, ".objects")), text
}

// relationsTo counts md's foreign keys and one-to-one fields to rel.
func relationsTo(md, rel *project.Model) int {
	n := 0
	for _, fd := range md.Fields {
		if (fd.Kind == project.ForeignKey || fd.Kind == project.OneToOne) && fd.To == rel {
			n++
		}
	}
	return n
}

// readsUser reports a validate() that reads a user (`request.user`,
// `self.context["request"].user`, an owner compared): it may refuse
// another user's row.
func readsUser(fn *semantic.Func) bool {
	if fn == nil {
		return false
	}
	for id := range pyast.FindEach(pyast.Body(fn.Node), "identifier") {
		if t := id.Text(); t == "user" || t == "owner" || t == "request" {
			return true
		}
	}
	return false
}

// signedInWriter returns the first routed view whose serializer_class is
// sc and that takes POST, PUT or PATCH from signed-in callers only.
func signedInWriter(m *semantic.Model, inv *semantic.Inventory, sc *semantic.Class) *semantic.Endpoint {
	for _, e := range inv.Endpoints {
		if e.Class == nil || !e.Routed || m.SerializerClass(e.Class) != sc || e.Webhook != nil {
			continue
		}
		if e.Auth.Public || e.Auth.Unknown || e.Auth.Staff || !writesBody(e.Methods) {
			continue
		}
		return e
	}
	return nil
}

// writesBody reports POST, PUT or PATCH among the methods.
func writesBody(methods []string) bool {
	for _, mt := range methods {
		if mt == "POST" || mt == "PUT" || mt == "PATCH" {
			return true
		}
	}
	return false
}

// viewAt names the view and where it is served: "`PaymentList` (POST at
// `/payments/`)".
func viewAt(e *semantic.Endpoint) string {
	var ms []string
	for _, mt := range e.Methods {
		if mt == "POST" || mt == "PUT" || mt == "PATCH" {
			ms = append(ms, mt)
		}
	}
	return fmt.Sprintf("`%s` (%s%s)", e.ViewName(), strings.Join(ms, ", "), e.AtRoute())
}
