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

//go:embed openread.md
var openReadDoc string

// OpenReadEndpoint reports endpoints that serve users' rows to anonymous
// callers because nothing was declared.
var OpenReadEndpoint = &analyzer.Rule{
	Code:       "SEC022",
	Name:       "open-read-endpoint",
	Doc:        openReadDoc,
	Category:   analyzer.Security,
	Severity:   analyzer.Error,
	Confidence: analyzer.Medium,
	Since:      "0.10.0",
	Stack:      project.Django,
	Skip:       semantic.ProductCode,
	Requires:   []project.Analysis{semantic.Endpoints},
	Distinct:   true,
	Run:        runOpenReadEndpoint,
}

// runOpenReadEndpoint matches the routed, judged endpoints of the file
// that anonymous callers read through GET because no permission, decorator or
// setting says otherwise (semantic.Endpoint.OpenRead: a plain Django view
// without a login check, or DRF's default AllowAny), when a model they
// read belongs to users (a foreign key path from it to the user model,
// semantic.Model.OwnerPath): another party's payouts, orders or balances.
// Reads opened on purpose (AllowAny, IsAuthenticatedOrReadOnly written
// down), views named for public use (sign-up, tokens, health), views
// taking a secret from the URL, views that read request.user or check the
// caller, and views whose protection rubric cannot read are left alone,
// and so are views with an open write: SEC013 reports that door.
func runOpenReadEndpoint(p *analyzer.Pass) error {
	inv := semantic.InventoryOf(p.Project)
	sm := semantic.Of(p.Project)
	f := sm.File(p.Unit)
	seen := map[string]bool{}
	views := inv.ViewsIn(f)
	for _, e := range views {
		if seen[e.View] || !e.Routed || !e.Judged(inv) || !e.OpenRead() || publicDesign(e) || e.SecretInURL() || e.Handler != nil && (onlyRedirects(e.Handler) || keyedBySecret(e.Handler)) {
			continue
		}
		// A view whose writes are open too is SEC013's door; its reads are
		// a second finding only when they give away more than balances:
		// personal data, or where the money goes (a payout's recipient).
		both := openWrite(views, e.View)
		owned, what, read := sensitiveRead(p.Project, sm, e, both)
		if owned == "" {
			continue
		}
		seen[e.View] = true
		route := e.AtRoute()
		d := analyzer.Diagnostic{
			Range: analyzer.RangeOf(e.ViewNode()),
			Message: fmt.Sprintf("`%s` (GET%s) serves `%s` rows (%s) to anonymous callers: %s",
				e.ViewName(), route, owned, what, e.Auth.Summary),
			Help: openReadHelp(e),
		}
		if both {
			d.Message += "; its writes are open too (SEC013), and closing them alone leaves these rows readable"
		}
		if !read.IsNil() && p.File.Position(read.StartByte()).Line != p.File.Position(e.ViewNode().StartByte()).Line {
			d.Related = []analyzer.Related{{Range: analyzer.RangeOf(read), Message: "the rows it serves are read here"}}
		}
		p.Report(d)
	}
	return nil
}

// sensitiveRead returns the first model the endpoint reads whose rows are
// financial records, or users' personal data, what they hold, and where
// the view reads them in its own file (a nil node when elsewhere). With
// details, a financial record counts only when it names where the money
// goes (a recipient, a destination account or card).
func sensitiveRead(ix *project.Index, sm *semantic.Model, e *semantic.Endpoint, details bool) (string, string, pyast.Node) {
	if ix.Models == nil {
		return "", "", pyast.Node{}
	}
	for _, x := range e.Does.Effects {
		if x.Kind != semantic.ReadRows || x.Model == "" || !semantic.ServedOn(e.Handler, x.Entry, "GET") {
			continue
		}
		md := x.ModelIn(ix)
		if md == nil || md.External {
			continue
		}
		if published(md) || publishedChain(x.Call) {
			continue // content meant for the public: pages, posts, listings
		}
		if financialRecord(md) {
			if f := destinationField(md); f != "" {
				return md.Name, "amounts and where the money goes: `" + f + "`", readSite(e, x)
			}
			if !details {
				return md.Name, "amounts or balances", readSite(e, x)
			}
		}
		if path := sm.OwnerPath(md); path != "" && personal(md) {
			return md.Name, "personal data of the users they belong to (`" + path + "`)", readSite(e, x)
		}
	}
	return "", "", pyast.Node{}
}

// readSite is where, in the view's own file, the endpoint reads the rows
// of x: the call in the handler that leads to the read, or, for a
// framework action (a viewset's list), the class's `get_queryset` or its
// `queryset` attribute. A nil node when the read is in another file.
func readSite(e *semantic.Endpoint, x semantic.Effect) pyast.Node {
	if e.Class != nil && x.Call.Equal(e.Class.Node) {
		if fn := e.Class.Method("get_queryset"); fn != nil && fn.File == e.File {
			return fn.Node.ChildByField("name")
		}
		if v, decl := e.Class.Attr("queryset"); !v.IsNil() && decl != nil && decl.File == e.File {
			return v
		}
		return pyast.Node{}
	}
	if !x.Entry.IsNil() && x.File == e.File {
		return x.Entry
	}
	if x.File == e.File {
		return x.Call
	}
	return pyast.Node{}
}

// financialRecord reports rows that record money: a model in a money
// context (semantic.MoneyModels) with an amount or balance field. A price
// alone is a catalogue's, and bounds (`deposit_min_amount`,
// `max_amount`, `amount_limit`) are a configuration's: an asset's or a
// plan's settings, not money anyone holds or moved.
func financialRecord(md *project.Model) bool {
	for _, f := range md.Fields {
		if f.IsRelation() || anyWord(f.Name, boundWords) {
			continue
		}
		for _, w := range semantic.IdentWords(f.Name) {
			if w == "amount" || w == "balance" {
				return semantic.InMoneyContext(md.Name) || !semantic.AmountWordOnly(f.Name) || hasMoneyField(md)
			}
		}
	}
	return false
}

// hasMoneyField reports a field named for money other than an amount
// (a currency, a fee, a balance).
func hasMoneyField(md *project.Model) bool {
	for _, f := range md.Fields {
		if !f.IsRelation() && semantic.MoneyName(f.Name, false) && !semantic.AmountWordOnly(f.Name) {
			return true
		}
		if strings.EqualFold(f.Name, "currency") {
			return true
		}
	}
	return false
}

// destinationWords name where a payment goes: its recipient and the
// account, card or bank details money is sent to.
var destinationWords = map[string]bool{"recipient": true, "destination": true, "beneficiary": true, "payee": true,
	"iban": true, "card": true, "bank": true}

// destinationField returns the first field of a money record, other than
// a relation, that names where the money goes (`recipient_details`,
// `destination`, `card_number`), or "".
func destinationField(md *project.Model) string {
	for _, f := range md.Fields {
		if !f.IsRelation() && anyWord(f.Name, destinationWords) {
			return f.Name
		}
	}
	return ""
}

// boundWords name a limit on amounts rather than an amount.
var boundWords = map[string]bool{"min": true, "max": true, "minimum": true, "maximum": true, "limit": true,
	"threshold": true, "cap": true}

// personalWords name fields holding a person's contact or identity data.
var personalWords = map[string]bool{"email": true, "phone": true, "birth": true, "birthday": true, "passport": true,
	"ssn": true, "iban": true, "card": true}

// personal reports a model with a field of personal data.
func personal(md *project.Model) bool {
	for _, f := range md.Fields {
		if !f.IsRelation() && anyWord(f.Name, personalWords) {
			return true
		}
	}
	return false
}

// anyWord reports whether one of the identifier's words is in words.
func anyWord(name string, words map[string]bool) bool {
	for _, w := range semantic.IdentWords(name) {
		if words[w] {
			return true
		}
	}
	return false
}

// openReadHelp names the change that closes the door.
func openReadHelp(e *semantic.Endpoint) string {
	scope := "and serve each caller their own rows (filter by `request.user`)"
	if e.Class != nil && e.Kind != "django-view" {
		scope = "and serve each caller their own rows (`get_queryset` filtered by `self.request.user`)"
	}
	public := "; if these rows are public by design, say so with `permission_classes = [AllowAny]`"
	switch e.Kind {
	case "function":
		return fmt.Sprintf("decorate `%s` with `@login_required` %s", e.ViewName(), scope)
	case "django-view":
		return fmt.Sprintf("add `LoginRequiredMixin` first among the bases of `%s` %s", e.ViewName(), scope)
	case "ninja", "asgi":
		return fmt.Sprintf("require authentication on `%s` (pass `auth=` to the operation) %s", e.ViewName(), scope)
	}
	if strings.HasPrefix(e.Auth.Source, "DRF default") {
		return fmt.Sprintf("set `\"DEFAULT_PERMISSION_CLASSES\": [\"rest_framework.permissions.IsAuthenticated\"]` in `REST_FRAMEWORK`, or `permission_classes = [IsAuthenticated]` on `%s`, %s%s", e.ViewName(), scope, public)
	}
	return fmt.Sprintf("set `permission_classes = [IsAuthenticated]` on `%s` %s%s", e.ViewName(), scope, public)
}

// publicationWords name a row's publication: content its owner shows to
// everyone once published (a CMS page, a post, a listing).
var publicationWords = map[string]bool{"live": true, "published": true, "public": true, "visible": true,
	"approved": true, "listed": true, "publish": true}

// published reports a model with a publication flag or date (`live`,
// `is_public`, `published_at`): its rows are authored for the public.
func published(md *project.Model) bool {
	for _, f := range md.Fields {
		if anyWord(f.Name, publicationWords) {
			return true
		}
	}
	return false
}

// publishedChain reports a query narrowed to published rows:
// `Page.objects.live()`, `filter(is_public=True)`, `filter(status="published")`.
func publishedChain(n pyast.Node) bool {
	for c := range pyast.CallChain(n) {
		if anyWord(c.MethodName(), publicationWords) {
			return true
		}
		for k, v := range c.EachKeyword() {
			if anyWord(k, publicationWords) {
				return true
			}
			if s, ok := pyast.StringValue(v); ok && publicationWords[strings.ToLower(s)] {
				return true
			}
		}
	}
	return false
}

// openWrite reports a view with an endpoint that writes through a method
// anonymous callers reach: SEC013 reports that door; the message says the
// reads are a second door, which closing the writes alone leaves open.
func openWrite(views []*semantic.Endpoint, view string) bool {
	for _, e := range views {
		if e.View != view || !e.Writes() {
			continue
		}
		for _, m := range e.Methods {
			if m != "GET" && m != "HEAD" && m != "OPTIONS" && e.Auth.PublicFor(m) {
				return true
			}
		}
	}
	return false
}
