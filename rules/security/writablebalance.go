package security

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed writablebalance.md
var writableBalanceDoc string

// WritableSensitiveField reports a serializer or ModelForm that lists a
// balance or a privilege flag among the fields clients write, behind an
// endpoint that takes a request body through it.
var WritableSensitiveField = &analyzer.Rule{
	Code:       "SEC020",
	Name:       "sensitive-field-writable",
	Doc:        writableBalanceDoc,
	Category:   analyzer.Security,
	Severity:   analyzer.Warning,
	Confidence: analyzer.High,
	Since:      "0.3.0",
	Stack:      project.Django,
	Skip:       semantic.ProductCode,
	Requires:   []project.Analysis{semantic.Endpoints, runningBalances, movedStatuses},
	Distinct:   true,
	Run:        runWritableSensitiveField,
}

// listedGuarded are the names SEC020 reports when a class lists them:
// money held, and the flags that only ever mean privilege. Names that are
// as often domain data (a rack's `role`, notification `groups`, map
// `points`) and ownership (`user`, `owner`: often validated against the
// caller) are left out.
func listedGuarded(name string) bool {
	return moneyHeld(name) || privilegeFlag(name)
}

func moneyHeld(name string) bool {
	return name == "balance" || name == "credit" || name == "credits" || strings.HasSuffix(name, "_balance")
}

func privilegeFlag(name string) bool {
	return name == "is_staff" || name == "is_superuser" || name == "is_admin"
}

// runWritableSensitiveField matches, in the Meta of a serializer or
// ModelForm (see formKind) with an explicit `fields` list, the listed
// fields of the model that hold money or privileges (see listedGuarded)
// and that sensitiveWritable leaves writable (not read-only, not set by
// the model's save()), when the class does not drop them itself
// (`validated_data.pop("balance")`) and a routed endpoint that is not for
// administrators takes a request body through it (POST, PUT, PATCH).
func runWritableSensitiveField(p *analyzer.Pass) error {
	for cls := range pyast.FindEach(p.Root, "class_definition") {
		for meta := range pyast.EachStatement(pyast.Body(cls)) {
			if meta.Type() != "class_definition" || pyast.DefName(meta) != "Meta" || formKind(cls, meta) == "" {
				continue
			}
			var fields pyast.Node
			for a := range pyast.FindEachShallow(pyast.Body(meta), "assignment") {
				if a.ChildByField("left").Text() == "fields" {
					fields = pyast.Unparen(a.ChildByField("right"))
				}
			}
			if fields.IsNil() || !fields.Is("list", "tuple") {
				continue
			}
			sens, _ := sensitiveWritable(p, cls, meta)
			writable := map[string]bool{}
			for _, s := range sens {
				writable[s] = true
			}
			declaredWritten := declaredBalancesWritten(cls)
			for s := range declaredWritten {
				writable[s] = true
			}
			dropped := droppedByClass(cls)
			if updatesOnly(p, cls) {
				for _, name := range ignoredByMethods(cls, "update") {
					dropped[name] = true
				}
			}
			// A writable name sensitiveWritable took for no name of its own
			// lists is a running total of the project (runningBalances).
			moved := movedStatusesOf(p, meta)
			running := func(v string) bool {
				_, status := moved[v]
				return writable[v] && !writeGuardedNames[v] && !strings.HasSuffix(v, "_balance") && !status
			}
			statusOnly := true
			var names []string
			var first pyast.Node
			for e := range fields.Named() {
				v, ok := pyast.StringValue(e)
				_, status := moved[v]
				if !ok || !writable[v] || !listedGuarded(v) && !running(v) && !status || dropped[v] {
					continue
				}
				statusOnly = statusOnly && status
				if first.IsNil() {
					first = e
				}
				names = append(names, v)
			}
			if len(names) == 0 {
				continue
			}
			money := moneyHeld(names[0]) || running(names[0])
			e := writeEndpoint(p, cls, !money)
			if statusOnly {
				e = statusWriteEndpoint(p, cls)
			}
			if e == nil {
				continue
			}
			if statusOnly {
				// A status the project moves itself: the workflow that
				// moves it is skipped.
				site := moved[names[0]]
				p.Report(analyzer.Diagnostic{
					Range: analyzer.RangeOf(first),
					Message: fmt.Sprintf("`%s` lists %s among the fields clients write, and %s %s takes its body, while the project moves %s itself (%s:%d): a client sets any state directly, skipping the checks and side effects of the workflow that moves it",
						pyast.DefName(cls), quoteList(names), strings.Join(e.Methods, "/"), endpointAt(e), pronoun(names), site.Path, site.Line),
					Help: fmt.Sprintf("add %s to `read_only_fields`, and move %s only through the code that checks the transition", quoteList(names), pronoun(names)),
				})
				continue
			}
			at := "`" + e.View + "`"
			if e.Route != "" {
				at = "`/" + strings.TrimPrefix(e.Route, "/") + "`"
			}
			why := "and the balance stops being what the ledger says"
			if !money {
				why = "and grants itself the privilege"
			}
			// A field the class declares and writes to a row itself: where
			// it is declared, and where the client's value is written.
			var related []analyzer.Related
			for _, name := range names {
				if dw, ok := declaredWritten[name]; ok {
					related = append(related,
						analyzer.Related{Range: analyzer.RangeOf(dw[0]), Message: fmt.Sprintf("`%s` declared writable here", name)},
						analyzer.Related{Range: analyzer.RangeOf(dw[1]), Message: "the client's value written to the row here"})
				}
			}
			help := fmt.Sprintf("add %s to `read_only_fields` (or declare %s `read_only=True`), and change %s only in the code that records the operation",
				quoteList(names), pronoun(names), pronoun(names))
			if formKind(cls, meta) == "ModelForm" {
				help = fmt.Sprintf("remove %s from the form's `fields` (and its declared fields), and change %s only in the code that records the operation",
					quoteList(names), pronoun(names))
			}
			p.Report(analyzer.Diagnostic{
				Range: analyzer.RangeOf(first),
				Message: fmt.Sprintf("`%s` lists %s among the fields clients write, and %s %s takes its body: a client sets %s directly, %s",
					pyast.DefName(cls), quoteList(names), strings.Join(e.Methods, "/"), at, pronoun(names), why),
				Help:    help,
				Related: related,
			})
		}
	}
	reportWritableOwner(p)
	return nil
}

// updatesOnly reports a serializer class the project only ever saves
// onto an existing row: every place that builds it from client data
// passes the instance too (`WalletSerializer(wallet, data=request.data)`),
// and no view names it as its serializer, whose create() would save a new
// row. Its save() always runs its update().
func updatesOnly(p *analyzer.Pass, cls pyast.Node) bool {
	sm := semantic.Of(p.Project)
	sc := sm.File(p.Unit).ClassOfDef(cls)
	if sc == nil {
		return false
	}
	builds := sm.SerializerBuilds(sc)
	if len(builds) == 0 {
		return false
	}
	for _, b := range builds {
		c, _ := pyast.AsCall(b.Call)
		if _, ok := c.Keywords["instance"]; !ok && len(c.Positional) == 0 || c.StarArgs || c.StarKwargs {
			return false
		}
	}
	for _, e := range semantic.InventoryOf(p.Project).Endpoints {
		if e.Class == nil {
			continue
		}
		sers, known := sm.EndpointSerializers(e)
		if slices.Contains(sers, sc) {
			return false
		}
		if !known {
			// A view that names no serializer at all uses none; one whose
			// choice cannot be read may use this one.
			if v, _ := e.Class.Attr("serializer_class"); !v.IsNil() || ownMethod(e.Class, "get_serializer_class") {
				return false
			}
		}
	}
	return true
}

// droppedByClass returns the names the class's own methods remove from the
// client's data: `validated_data.pop("balance")`, `del data["balance"]`.
// A pop whose value the method writes on (see popWritten) takes the field
// out of one write only to put it in another, and drops nothing.
func droppedByClass(cls pyast.Node) map[string]bool {
	out := map[string]bool{}
	for _, name := range ignoredByWrites(cls) {
		out[name] = true
	}
	for n := range pyast.FindEach(pyast.Body(cls), "call", "delete_statement") {
		if n.Type() == "delete_statement" {
			for s := range pyast.FindEach(n, "subscript") {
				if v, ok := pyast.StringValue(s.ChildByField("subscript")); ok {
					out[v] = true
				}
			}
			continue
		}
		c, _ := pyast.AsCall(n)
		if c.MethodName() == "pop" && len(c.Positional) > 0 {
			if v, ok := pyast.StringValue(c.Positional[0]); ok && popWritten(n, v).IsNil() {
				out[v] = true
			}
		}
	}
	return out
}

// declaredBalancesWritten returns the money-held fields (see moneyHeld) a
// class declares itself as writable (`balance = serializers.DecimalField(
// ...)`, no `read_only=True`) whose value one of its methods pops from the
// client's data and writes to a row (popWritten): a field the model lacks
// (a user-creation serializer on Django's User that fills a profile's
// balance) is still a balance the client sets.
func declaredBalancesWritten(cls pyast.Node) map[string][2]pyast.Node {
	declared := map[string]pyast.Node{}
	for a := range pyast.FindEachShallow(pyast.Body(cls), "assignment") {
		left := a.ChildByField("left")
		c, ok := pyast.AsCall(pyast.Unparen(a.ChildByField("right")))
		if left.Type() != "identifier" || !ok || !moneyHeld(left.Text()) || !strings.HasSuffix(c.MethodName(), "Field") ||
			c.Keyword("read_only").Type() == "true" {
			continue
		}
		declared[left.Text()] = a
	}
	if len(declared) == 0 {
		return nil
	}
	out := map[string][2]pyast.Node{}
	for n := range pyast.FindEach(pyast.Body(cls), "call") {
		c, _ := pyast.AsCall(n)
		if c.MethodName() != "pop" || len(c.Positional) == 0 {
			continue
		}
		v, ok := pyast.StringValue(c.Positional[0])
		if _, seen := out[v]; !ok || declared[v].IsNil() || seen {
			continue
		}
		if w := popWritten(n, v); !w.IsNil() {
			out[v] = [2]pyast.Node{declared[v], w}
		}
	}
	return out
}

// popWritten reports a `pop(name)` of the client's data whose value is
// written to a row by the function that pops it: handed as a keyword
// named for the field or for money held (`Profile.objects.create(balance=
// validated_data.pop("balance"))`), or bound to a local that a later
// keyword of that kind passes or a later assignment to such an attribute
// stores (`balance = validated_data.pop("balance", 0)`, then
// `UserProfile.objects.create(user=user, balance=balance)`). The client's
// value still lands in the column.
func popWritten(call pyast.Node, field string) pyast.Node {
	sink := func(name string) bool { return name == field || moneyHeld(name) }
	par := call.Parent()
	for par.Type() == "parenthesized_expression" {
		par = par.Parent()
	}
	if par.Type() == "keyword_argument" {
		if sink(par.ChildByField("name").Text()) {
			return par
		}
		return pyast.Node{}
	}
	if par.Type() != "assignment" || !pyast.Unparen(par.ChildByField("right")).Equal(call) {
		return pyast.Node{}
	}
	left := par.ChildByField("left")
	fn := pyast.Ancestor(call, "function_definition")
	if left.Type() != "identifier" || fn.IsNil() {
		return pyast.Node{}
	}
	local := left.Text()
	var written pyast.Node
	pyast.Inspect(pyast.Body(fn), func(n pyast.Node) bool {
		if !written.IsNil() || n.EndByte() <= par.EndByte() {
			return written.IsNil()
		}
		switch n.Type() {
		case "keyword_argument":
			v := pyast.Unparen(n.ChildByField("value"))
			if v.Type() == "identifier" && v.Text() == local && sink(n.ChildByField("name").Text()) {
				written = n
			}
		case "assignment":
			l, r := n.ChildByField("left"), pyast.Unparen(n.ChildByField("right"))
			if l.Type() == "attribute" && r.Type() == "identifier" && r.Text() == local && sink(l.ChildByField("attribute").Text()) {
				written = n
			}
		}
		return written.IsNil()
	})
	return written
}

// writeEndpoint returns the first routed endpoint (any endpoint of a view
// class when the tree has no URLconf), not for administrators,
// that takes a request body through the class (see takesBody), or nil.
// With privilege, an endpoint guarded by anything but DRF's plain
// permission classes (a project's class: user management for those it
// grants) does not count.
func writeEndpoint(p *analyzer.Pass, cls pyast.Node, privilege bool) *semantic.Endpoint {
	return writeEndpointFor(p, cls, privilege, false)
}

// bodyActions are the view actions that write the request body through the
// view's serializer_class.
var bodyActions = map[string]bool{"create": true, "update": true, "partial_update": true, "post": true, "put": true, "patch": true}

// statusWriteEndpoint is writeEndpoint for a status (privilege-like: plain
// permissions only), where a custom action of the view (`@action def
// upload`) counts only when its handler builds the serializer from the
// request and saves it: one that renders a row it made itself
// (`self.get_serializer(asset)`) takes no status from the client.
func statusWriteEndpoint(p *analyzer.Pass, cls pyast.Node) *semantic.Endpoint {
	return writeEndpointFor(p, cls, true, true)
}

func writeEndpointFor(p *analyzer.Pass, cls pyast.Node, privilege, customNeedsSave bool) *semantic.Endpoint {
	sm := semantic.Of(p.Project)
	sc := sm.File(p.Unit).ClassOfDef(cls)
	if sc == nil {
		return nil
	}
	inv := semantic.InventoryOf(p.Project)
	for _, e := range inv.Endpoints {
		// Without a URLconf in the tree, a view class stands for its routes.
		if !e.Routed && inv.HasURLConf || !takesBody(e) || adminOnly(e) || privilege && (e.Auth.Unknown || e.Auth.ObjectPermission || customPermission(e)) {
			continue
		}
		if e.Class == nil {
			// A function view that builds the class from the request and
			// saves it (`form = TheForm(request.POST)`, `form.save()`).
			if e.Routed && sm.HandlerSavesWith(e.Handler, sc) {
				return e
			}
			continue
		}
		sers, _ := sm.EndpointSerializers(e)
		custom := customNeedsSave && e.Handler != nil && e.Handler.Class == e.Class && !bodyActions[e.Action]
		for _, s := range sers {
			if s == sc && !bypassesSerializer(e, sc.Name) && !custom {
				return e
			}
		}
		// An APIView method that builds the serializer from the request
		// and saves it writes through it as serializer_class would.
		if sm.HandlerSavesWith(e.Handler, sc) {
			return e
		}
	}
	return nil
}

// plainPermissions are DRF's permission classes that know nothing of what
// a caller may manage.
var plainPermissions = map[string]bool{"AllowAny": true, "IsAuthenticated": true, "IsAuthenticatedOrReadOnly": true}

// customPermission reports an endpoint guarded by a permission class other
// than DRF's plain ones: it may grant user management to some callers.
func customPermission(e *semantic.Endpoint) bool {
	for _, p := range e.Auth.Permissions {
		if !plainPermissions[p[strings.LastIndex(p, ".")+1:]] {
			return true
		}
	}
	return false
}

// bypassesSerializer reports a handler the view class defines itself
// whose body never reaches the view's serializer (named serializer): no
// get_serializer, serializer_class or other *Serializer name but the
// classes it builds by name, no super() and no call to another method of
// the view. It reads request.data by hand, so serializer_class is not the
// way the body comes in (a Julo wallet's `create` that reads customer_xid
// and saves a Wallet it builds), or builds another serializer from it
// (`serializer = WalletOperationSerializer(data=request.data)` in an
// `@action` of a viewset whose serializer_class only renders wallets).
// Its locals named for a serializer (`serializer.is_valid()`) are not
// the view's.
func bypassesSerializer(e *semantic.Endpoint, serializer string) bool {
	fn := e.Handler
	if fn == nil || fn.File == nil || fn.Class == nil || fn.Class != e.Class {
		return false
	}
	if !feedsSerializer(fn, 0) {
		return true
	}
	locals := map[string]bool{}
	for a := range pyast.FindEach(pyast.Body(fn.Node), "assignment") {
		if l := a.ChildByField("left"); l.Type() == "identifier" {
			locals[l.Text()] = true
		}
	}
	bypass := true
	pyast.Inspect(pyast.Body(fn.Node), func(n pyast.Node) bool {
		if !bypass {
			return false
		}
		switch n.Type() {
		case "identifier":
			t := strings.ToLower(n.Text())
			if t == "super" {
				bypass = false
				break
			}
			if !strings.Contains(t, "serializer") || locals[n.Text()] && !calledByName(n) {
				break
			}
			if calledByName(n) && n.Text() != serializer {
				break // another serializer class, built by name
			}
			bypass = false
		case "call":
			c, _ := pyast.AsCall(n)
			if d := pyast.Dotted(c.Func); strings.HasPrefix(d, "self.") && strings.Count(d, ".") == 1 {
				bypass = false
			}
		}
		return bypass
	})
	return bypass
}

// calledByName reports an identifier that is the function of a call
// (`WalletOperationSerializer(data=request.data)`).
func calledByName(n pyast.Node) bool {
	c := n.Parent()
	return c.Type() == "call" && c.ChildByField("function").Equal(n)
}

// feedsSerializer reports whether a handler the view defines (or a method
// of its class it calls, two levels deep) can hand the request body to a
// serializer: a serializer built with `data=`, `request.data` passed positionally,
// super(), or DRF's create/update/perform_* methods. A handler that only
// renders rows it made itself (`FriendshipSerializer(friendship).data`
// after `Friendship(sender=request.user, status=SENT).save()`) takes no
// field from the client through serializer_class.
func feedsSerializer(fn *semantic.Func, depth int) bool {
	feeds := false
	pyast.Inspect(pyast.Body(fn.Node), func(n pyast.Node) bool {
		if feeds {
			return false
		}
		switch n.Type() {
		case "identifier":
			if n.Text() == "super" {
				feeds = true
			}
		case "call":
			c, _ := pyast.AsCall(n)
			// `Response(data=...)` answers; `XSerializer(data=...)`,
			// `self.get_serializer(data=...)` take the body.
			if _, ok := c.Keywords["data"]; ok && strings.Contains(strings.ToLower(pyast.Dotted(c.Func)), "serializer") {
				feeds = true
				return false
			}
			for _, a := range c.Positional {
				if d := pyast.Dotted(pyast.Unparen(a)); d == "request.data" || d == "self.request.data" {
					feeds = true
					return false
				}
			}
			if d := pyast.Dotted(c.Func); strings.HasPrefix(d, "self.") && strings.Count(d, ".") == 1 {
				name := d[len("self."):]
				switch {
				case name == "create" || name == "update" || name == "partial_update" || strings.HasPrefix(name, "perform_"):
					feeds = true
				case serializerGetters[name] && !ownMethod(fn.Class, name):
					// `self.get_serializer(wallet)`: built without `data=`
					// or the request body (both taken above), it renders a
					// row; handed on arguments it may take the body.
					feeds = c.StarArgs || c.StarKwargs
				case fn.Class != nil:
					if m := fn.Class.Method(name); m == nil || m.File == nil || depth >= 2 || feedsSerializer(m, depth+1) {
						feeds = true // a method rubric cannot read, or one that feeds
					}
				default:
					feeds = true
				}
			}
		}
		return !feeds
	})
	return feeds
}

// serializerGetters are DRF's GenericAPIView methods that build or name the
// view's serializer without saving anything.
var serializerGetters = map[string]bool{"get_serializer": true, "get_serializer_class": true, "get_serializer_context": true}

// ownMethod reports a method the project defines on cls or its project
// bases.
func ownMethod(cls *semantic.Class, name string) bool {
	if cls == nil {
		return false
	}
	m := cls.Method(name)
	return m != nil && m.File != nil
}

// ignoredByWrites returns the `fields` of a class that defines both
// create() and update() itself, neither calling super() or handing
// validated_data on whole: the names its writes never read out of
// validated_data (`validated_data.get("note")`, `validated_data["items"]`)
// are accepted and dropped (an order's payment_amount computed from its
// items). Nil when the class's writes may reach any field.
func ignoredByWrites(cls pyast.Node) []string {
	return ignoredByMethods(cls, "create", "update")
}

// ignoredByMethods is ignoredByWrites for the class's own definitions of
// the named methods, all of which it must define.
func ignoredByMethods(cls pyast.Node, methods ...string) []string {
	read := map[string]bool{}
	defs := 0
	for st := range pyast.EachStatement(pyast.Body(cls)) {
		if st.Type() == "decorated_definition" {
			st = st.ChildByField("definition")
		}
		if st.Type() != "function_definition" || !slices.Contains(methods, pyast.DefName(st)) {
			continue
		}
		defs++
		body := pyast.Body(st)
		for id := range pyast.FindEach(body, "identifier") {
			if id.Text() == "super" {
				return nil
			}
			if id.Text() != "validated_data" {
				continue
			}
			parent := id.Parent()
			switch {
			case parent.Type() == "subscript" && parent.ChildByField("value").Equal(id):
				v, ok := pyast.StringValue(parent.ChildByField("subscript"))
				if !ok {
					return nil
				}
				read[v] = true
			case parent.Type() == "attribute" && parent.ChildByField("object").Equal(id):
				c, ok := pyast.AsCall(parent.Parent())
				if !ok || len(c.Positional) == 0 {
					return nil
				}
				switch c.MethodName() {
				case "get", "pop", "setdefault":
				default:
					return nil
				}
				v, ok := pyast.StringValue(c.Positional[0])
				if !ok {
					return nil
				}
				read[v] = true
			case parent.Type() == "parameters" || parent.Type() == "typed_parameter" || parent.Type() == "default_parameter":
			default:
				return nil // handed on whole, unpacked, iterated...
			}
		}
	}
	if defs < len(methods) {
		return nil
	}
	var out []string
	for st := range pyast.EachStatement(pyast.Body(cls)) {
		if st.Type() != "class_definition" || pyast.DefName(st) != "Meta" {
			continue
		}
		for a := range pyast.FindEachShallow(pyast.Body(st), "assignment") {
			if a.ChildByField("left").Text() != "fields" {
				continue
			}
			for e := range pyast.Unparen(a.ChildByField("right")).Named() {
				if v, ok := pyast.StringValue(e); ok && !read[v] {
					out = append(out, v)
				}
			}
		}
	}
	return out
}

// movedStatusesOf returns the statuses the project moves itself
// (movedStatuses) on the model a Meta names.
func movedStatusesOf(p *analyzer.Pass, meta pyast.Node) map[string]statusSite {
	if p.Project.Models == nil {
		return nil
	}
	for a := range pyast.FindEachShallow(pyast.Body(meta), "assignment") {
		if a.ChildByField("left").Text() == "model" {
			if m := p.Project.Models.Lookup(p.Unit, pyast.Dotted(pyast.Unparen(a.ChildByField("right")))); m != nil {
				return movedStatuses.Get(p.Project)[m.Qual]
			}
		}
	}
	return nil
}

// endpointAt names an endpoint by its route, or its view.
func endpointAt(e *semantic.Endpoint) string {
	if e.Route != "" {
		return "`/" + strings.TrimPrefix(e.Route, "/") + "`"
	}
	return "`" + e.View + "`"
}
