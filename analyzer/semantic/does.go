package semantic

import (
	"slices"
	"sort"
	"strings"

	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// EffectKind is what a call of a handler does.
type EffectKind uint8

// Effect kinds.
const (
	ReadRows  EffectKind = iota + 1 // a query on a model
	WriteRows                       // create, update, delete, save
	HTTPCall                        // an outbound HTTP request (or a payment SDK call)
	QueueTask                       // a Celery task queued
)

// Effect is one thing a handler does, directly or through the project
// functions it calls.
type Effect struct {
	Kind EffectKind
	// Model is the model read or written ("" when unknown); Name what is
	// called ("requests.post", "send_receipt.delay", "Payment.objects.create").
	Model string
	Name  string
	// Money is set when the effect moves money: a write of a model with
	// a balance or amount, a payment SDK call.
	Money bool
	// Call is the call node in File; Via the project functions called on
	// the way from the handler (empty when the handler does it itself).
	Call pyast.Node
	File *File
	Via  []*Func
	// Entry is the call, in the function whose effects these are, that
	// leads to the effect: Call itself when that function makes it, else
	// the call of Via[0].
	Entry pyast.Node
}

// Does is what an endpoint does.
type Does struct {
	Effects []Effect
}

// Writes reports whether the endpoint writes rows, moves money or queues
// tasks.
func (d Does) Writes() bool {
	for _, e := range d.Effects {
		if e.Kind == WriteRows || e.Kind == QueueTask || e.Money {
			return true
		}
	}
	return false
}

// CreatesAtProvider returns the first payment SDK call that creates an
// object at the provider (`stripe.PaymentIntent.create`,
// `stripe.checkout.Session.create`): no money moves yet, but each call
// makes one more; nil when there is none.
func (d Does) CreatesAtProvider() *Effect {
	for i := range d.Effects {
		if e := &d.Effects[i]; e.Kind == HTTPCall && paymentSDK(e.Name) && strings.HasSuffix(strings.ToLower(e.Name), ".create") {
			return e
		}
	}
	return nil
}

// MovesMoney reports whether an effect moves money.
func (d Does) MovesMoney() bool {
	for _, e := range d.Effects {
		if e.Money {
			return true
		}
	}
	return false
}

// First returns the first effect of a kind (nil when none).
func (d Does) First(k EffectKind) *Effect {
	for i := range d.Effects {
		if d.Effects[i].Kind == k {
			return &d.Effects[i]
		}
	}
	return nil
}

// FirstWrite returns the first effect that changes state (a write, a
// money movement or a queued task), nil when none.
func (d Does) FirstWrite() *Effect {
	for i := range d.Effects {
		if e := &d.Effects[i]; e.Kind == WriteRows || e.Kind == QueueTask || e.Money {
			return e
		}
	}
	return nil
}

// Names returns the sorted, distinct models (or names, for HTTP and
// tasks) of the effects of a kind.
func (d Does) Names(k EffectKind) []string {
	seen := map[string]bool{}
	var out []string
	for _, e := range d.Effects {
		if e.Kind != k {
			continue
		}
		n := e.Model
		if k == HTTPCall || k == QueueTask || n == "" {
			n = e.Name
		}
		if n != "" && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// followDepth bounds how many project calls deep effects are collected.
const followDepth = 5

// fillEffects computes what an endpoint does: its handler's effects, and
// for the DRF and Django generic actions the framework runs, the writes
// and reads of the view's model with the hooks the class overrides
// (perform_create, the serializer's create/update, form_valid...).
// ModelIn resolves the model x reads or writes: by its name in the file
// the effect is in, else the one model of the project with that name; nil
// when unknown or ambiguous.
func (x Effect) ModelIn(ix *project.Index) *project.Model {
	if ix.Models == nil || x.Model == "" {
		return nil
	}
	if x.File != nil {
		if md := ix.Models.Lookup(x.File.Unit, x.Model); md != nil {
			return md
		}
	}
	if named := ix.Models.Named(x.Model); len(named) == 1 {
		return named[0]
	}
	return nil
}

func (m *Model) fillEffects(e *Endpoint) {
	var out []Effect
	if e.Handler != nil {
		out = m.FuncEffects(e.Handler)
	}
	if e.Class != nil && (e.Handler == nil || callsSuper(e.Handler)) {
		model := ""
		if e.Model != nil {
			model = e.Model.Name
		}
		money := e.Model != nil && moneyModel(m.Index, e.Model)
		hook := func(names ...string) {
			for _, n := range names {
				if fn := e.Class.Method(n); fn != nil {
					out = append(out, viaEffects(m.FuncEffects(fn), fn, pyast.Node{})...)
				}
			}
		}
		ser := m.serializerClass(e.Class)
		serHook := func(n string) {
			if ser != nil {
				if fn := ser.Method(n); fn != nil {
					out = append(out, viaEffects(m.FuncEffects(fn), fn, pyast.Node{})...)
				}
			}
		}
		write := func(verb string) {
			// Named by the view's model; when that is unknown (a queryset
			// from a custom manager), by the action: `create()`.
			name := model + " " + verb
			if model == "" {
				name = verb + "()"
			}
			out = append(out, Effect{Kind: WriteRows, Model: model, Name: name, Money: money, File: e.Class.File, Call: e.Class.Node})
		}
		switch superAction(e) {
		case "list", "retrieve":
			if e.Handler == nil {
				out = append(out, Effect{Kind: ReadRows, Model: model, Name: model, File: e.Class.File, Call: e.Class.Node})
			}
		case "create":
			hook("perform_create")
			serHook("create")
			write("create")
		case "update", "partial_update":
			hook("perform_update")
			serHook("update")
			write("update")
		case "destroy":
			hook("perform_destroy")
			write("delete")
		case "post":
			if e.Kind == "django-view" && e.Handler == nil {
				last, _ := classBaseNames(e.Class)
				switch {
				case last["CreateView"] || last["UpdateView"]:
					hook("form_valid")
					write("save")
				case last["DeleteView"]:
					hook("form_valid", "delete")
					write("delete")
				case last["FormView"]:
					hook("form_valid")
				}
			}
		}
	}
	e.Does = Does{Effects: out}
}

// handlerActions are the DRF actions a generic view's HTTP handler runs
// (GenericAPIView subclasses map put to self.update, and so on).
var handlerActions = map[string]string{"post": "create", "put": "update", "patch": "partial_update", "delete": "destroy"}

// superAction returns the DRF action whose framework code an endpoint
// runs: its own action, or, for a DRF generic view's HTTP handler that
// calls `super().<handler>(...)` (`def patch(self, request, ...): ...
// super().patch(request, ...)`), the action that handler reaches when a
// base of the class provides it (RetrieveUpdateDestroyAPIView's patch runs
// partial_update).
func superAction(e *Endpoint) string {
	a, ok := handlerActions[e.Action]
	if !ok || e.Kind != "drf-view" || e.Handler == nil {
		return e.Action
	}
	last, _ := classBaseNames(e.Class)
	for n := range last {
		if slices.Contains(providedActions[n], a) {
			return a
		}
	}
	return e.Action
}

// callsSuper reports whether a method calls the framework's own
// implementation (`super().create(request)`).
func callsSuper(fn *Func) bool {
	for _, call := range ownNodes(pyast.Body(fn.Node), "call") {
		c, _ := pyast.AsCall(call)
		if c.Func.Type() == "attribute" && c.MethodName() == fn.Name && IsSelfOrSuper(c.Receiver()) && c.Receiver().Type() == "call" {
			return true
		}
	}
	return false
}

func viaEffects(es []Effect, fn *Func, entry pyast.Node) []Effect {
	out := make([]Effect, 0, len(es))
	for _, x := range es {
		x.Via = append([]*Func{fn}, x.Via...)
		x.Entry = entry
		out = append(out, x)
	}
	return out
}

// withoutLazyCreation drops the get_or_create writes of what a getter
// (a function named get_...) does: `get_settings(shop)` creating the row
// it returns on first use is a read to its caller, not a state change the
// caller asked for.
func withoutLazyCreation(es []Effect) []Effect {
	out := es[:0:0]
	for _, e := range es {
		if e.Kind == WriteRows && (strings.HasSuffix(e.Name, ".get_or_create") || strings.HasSuffix(e.Name, ".aget_or_create")) {
			continue
		}
		out = append(out, e)
	}
	return out
}

// FuncEffects returns what a function does, with the project functions it
// calls, followDepth calls deep (each function once per walk).
func (m *Model) FuncEffects(fn *Func) []Effect {
	m.memo.mu.Lock()
	if es, ok := m.memo.effects[fn]; ok {
		m.memo.mu.Unlock()
		return es
	}
	m.memo.mu.Unlock()
	es := m.funcEffects(fn, 0, map[*Func]bool{})
	m.memo.mu.Lock()
	if m.memo.effects == nil {
		m.memo.effects = map[*Func][]Effect{}
	}
	m.memo.effects[fn] = es
	m.memo.mu.Unlock()
	return es
}

func (m *Model) funcEffects(fn *Func, depth int, seen map[*Func]bool) []Effect {
	if fn == nil || seen[fn] || depth > followDepth {
		return nil
	}
	seen[fn] = true
	f := fn.File
	var out []Effect
	for _, a := range ownNodes(pyast.Body(fn.Node), "augmented_assignment", "assignment") {
		if eff, ok := balanceWrite(f, a); ok {
			eff.Entry = a
			out = append(out, eff)
		}
	}
	for _, call := range ownNodes(pyast.Body(fn.Node), "call") {
		if eff, ok := f.classifyCall(call); ok {
			eff.Entry = call
			out = append(out, eff)
			continue
		}
		g, _ := f.Callee(call)
		if g == nil {
			g = f.managerMethod(call)
		}
		if g == nil {
			for _, h := range f.dispatchTargets(call) {
				if h != fn {
					out = append(out, viaEffects(m.funcEffects(h, depth+1, seen), h, call)...)
				}
			}
			continue
		}
		if g != fn {
			es := m.funcEffects(g, depth+1, seen)
			if strings.HasPrefix(g.Name, "get_") {
				es = withoutLazyCreation(es)
			}
			out = append(out, viaEffects(es, g, call)...)
		}
	}
	return out
}

// paymentSDKs are payment providers' Python packages: a call into one
// moves money or talks to the provider.
var paymentSDKs = []string{"stripe", "paypalrestsdk", "braintree", "razorpay", "yookassa", "paystack", "adyen",
	"square", "mollie", "checkout_sdk", "flutterwave", "paddle"}

var httpModules = []string{"requests", "httpx", "aiohttp", "urllib.request", "urllib3"}

var sessionReceivers = map[string]bool{"session": true, "_session": true, "http": true, "_http": true,
	"http_client": true, "_http_client": true, "http_session": true, "requests_session": true}

// classifyCall says what one call does: a task queued, an HTTP call, a
// query or a write on a model.
func (f *File) classifyCall(call pyast.Node) (Effect, bool) {
	c, ok := pyast.AsCall(call)
	if !ok {
		return Effect{}, false
	}
	e := Effect{Call: call, File: f}
	method := ""
	if c.Func.Type() == "attribute" {
		method = c.MethodName()
	}
	switch method {
	case "delay", "apply_async":
		e.Kind, e.Name = QueueTask, pyast.Dotted(c.Func)
		if e.Name == "" {
			e.Name = method
		}
		return e, true
	case "send_task":
		e.Kind, e.Name = QueueTask, "send_task"
		return e, true
	}
	if q, ok := f.Unit.Imports.Resolve(c.Func); ok {
		for _, p := range httpModules {
			if strings.HasPrefix(q, p+".") {
				e.Kind, e.Name = HTTPCall, q
				return e, true
			}
		}
		if paymentSDK(q) {
			e.Kind, e.Name, e.Money = HTTPCall, q, sdkMovesMoney(q) && !payerConfirms(q, c)
			return e, true
		}
	}
	if method != "" {
		recv := pyast.Dotted(c.Receiver())
		if sessionReceivers[lastName(recv)] && httpVerb(method) && !strings.HasSuffix(recv, "request.session") {
			e.Kind, e.Name = HTTPCall, recv+"."+method
			return e, true
		}
	}
	if w := f.sqlWriteCall(c); w != "" {
		e.Kind, e.Name = WriteRows, w
		return e, true
	}
	if c.Func.Type() == "identifier" && (c.Func.Text() == "get_object_or_404" || c.Func.Text() == "get_list_or_404") && len(c.Positional) > 0 {
		if q := f.Eval(c.Positional[0]); q != nil && q.Model != nil {
			e.Kind, e.Model, e.Name = ReadRows, q.Model.Name, q.Model.Name
			return e, true
		}
		return Effect{}, false
	}
	if method == "" {
		return Effect{}, false
	}
	recv := c.Receiver()
	switch {
	case WriteMethods[method]:
		if maybeQuery(recv) {
			if q := f.Eval(recv); q != nil && q.Model != nil {
				e.Kind, e.Model, e.Name, e.Money = WriteRows, q.Model.Name, q.Model.Name+"."+method, moneyModel(f.M.Index, q.Model)
				return e, true
			}
		}
		if recv.Type() == "identifier" && recv.Text() == "self" && f.inManager(call) {
			e.Kind, e.Name = WriteRows, "self."+method
			return e, true
		}
		if model := managerHead(recv); model != "" {
			e.Kind, e.Name, e.Model = WriteRows, model+".objects."+method, model
			return e, true
		}
	case RowMethods[method] || ExecMethods[method] || ChainMethods[method]:
		if !maybeQuery(recv) {
			break
		}
		if isChainInner(call) {
			break // the outermost call of a chain records the query
		}
		if q := f.Eval(recv); q != nil && q.Model != nil && !q.Related {
			e.Kind, e.Model, e.Name = ReadRows, q.Model.Name, q.Model.Name
			return e, true
		}
	}
	if relatedWrites[method] && maybeQuery(recv) {
		if q := f.Eval(recv); q != nil && q.Related && q.Model != nil {
			e.Kind, e.Model, e.Name = WriteRows, q.Model.Name, pyast.Dotted(c.Func)
			if e.Name == "" {
				e.Name = q.Model.Name + "." + method
			}
			return e, true
		}
	}
	if method == "save" || method == "delete" {
		if md, _ := f.Instance(recv); md != nil {
			e.Kind, e.Model, e.Name, e.Money = WriteRows, md.Name, md.Name+"."+method, moneyModel(f.M.Index, md)
			return e, true
		}
		if md := f.constructed(recv); md != nil {
			e.Kind, e.Model, e.Name, e.Money = WriteRows, md.Name, md.Name+"."+method, moneyModel(f.M.Index, md)
			return e, true
		}
		r := strings.ToLower(lastName(pyast.Dotted(recv)))
		if method == "save" && (strings.Contains(r, "serializer") || strings.Contains(r, "form")) {
			e.Kind, e.Name = WriteRows, pyast.Dotted(recv)+".save"
			if md := f.serializerModelOf(recv); md != nil {
				e.Model, e.Money = md.Name, moneyModel(f.M.Index, md)
			}
			return e, true
		}
	}
	return Effect{}, false
}

// balanceWrite reads an assignment to a balance (`wallet.balance -=
// amount`, `user["balance"] += amount`): money moved in memory or on a
// row saved later.
func balanceWrite(f *File, a pyast.Node) (Effect, bool) {
	left := a.ChildByField("left")
	key := ""
	switch left.Type() {
	case "attribute":
		key = left.ChildByField("attribute").Text()
	case "subscript":
		key, _ = pyast.StringValue(left.ChildByField("subscript"))
	}
	k := strings.ToLower(key)
	if k != "balance" && !strings.HasSuffix(k, "_balance") {
		return Effect{}, false
	}
	if a.Type() == "assignment" && !strings.Contains(a.ChildByField("right").Text(), key) {
		return Effect{}, false // a balance set from scratch, not moved
	}
	return Effect{Kind: WriteRows, Name: left.Text(), Money: true, Call: a, File: f}, true
}

// managerHead returns the class name of a chain on a manager written
// `Name.objects...` (a model the graph does not know), or "".
func managerHead(n pyast.Node) string {
	for depth := 0; depth < 12; depth++ {
		n = pyast.Unparen(n)
		switch n.Type() {
		case "call":
			n = n.ChildByField("function")
			if n.Type() == "attribute" {
				n = n.ChildByField("object")
			}
		case "attribute":
			if a := n.ChildByField("attribute").Text(); a == "objects" || a == "_default_manager" {
				name := lastName(pyast.Dotted(n.ChildByField("object")))
				if name != "" && name[0] >= 'A' && name[0] <= 'Z' {
					return name
				}
				return ""
			}
			n = n.ChildByField("object")
		default:
			return ""
		}
	}
	return ""
}

// inManager reports whether n is in a method of a manager or queryset
// class (whose self.create() writes rows).
func (f *File) inManager(n pyast.Node) bool {
	c := f.classOfNode(n)
	if c == nil {
		return false
	}
	last, _ := classBaseNames(c)
	for b := range last {
		if strings.HasSuffix(b, "Manager") || strings.HasSuffix(b, "QuerySet") {
			return true
		}
	}
	return false
}

// managerMethod resolves `Model.objects.method(...)` to the method of the
// model's custom manager (or queryset, for `QuerySet.as_manager()`) class.
func (f *File) managerMethod(call pyast.Node) *Func {
	c, _ := pyast.AsCall(call)
	if c.Func.Type() != "attribute" || f.M.Graph == nil {
		return nil
	}
	recv := pyast.Unparen(c.Receiver())
	if recv.Type() != "attribute" {
		return nil
	}
	md := f.M.Graph.Lookup(f.Unit, pyast.Dotted(recv.ChildByField("object")))
	if md == nil {
		return nil
	}
	mg := md.CustomManager(recv.ChildByField("attribute").Text())
	if mg == nil {
		return nil
	}
	cls := f.M.LookupClass(strings.TrimSuffix(mg.Class, ".as_manager"))
	if cls == nil {
		return nil
	}
	return cls.Method(c.MethodName())
}

// sdkMovesMoney reports a payment SDK call that charges, captures,
// transfers, pays out or refunds (a checkout session or a retrieve only
// talks to the provider).
func sdkMovesMoney(q string) bool {
	l := strings.ToLower(q)
	for _, w := range []string{"charge", "transfer", "payout", "refund", "capture", "confirm", "paymentintent.create"} {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}

// payerConfirms reports a PaymentIntent created without `confirm=True`:
// it only asks for a payment, which the payer confirms on the client with
// their own card (Stripe Elements), as a checkout session does. Created
// with confirm (or off_session, a saved card charged now) it moves money.
func payerConfirms(q string, c pyast.Call) bool {
	if !strings.HasSuffix(strings.ToLower(q), "paymentintent.create") {
		return false
	}
	for _, k := range []string{"confirm", "off_session"} {
		if v := c.Keyword(k); !v.IsNil() && v.Type() != "false" && v.Type() != "none" {
			return false
		}
	}
	return !c.StarKwargs
}

// isChainInner reports whether a call is the receiver of another method
// call (`X.objects.filter(...)` in `X.objects.filter(...).first()`).
func isChainInner(call pyast.Node) bool {
	p := call.Parent()
	return p.Type() == "attribute" && p.ChildByField("object").Equal(call) && p.Parent().Type() == "call"
}

func httpVerb(m string) bool {
	switch m {
	case "get", "post", "put", "patch", "delete", "request", "head":
		return true
	}
	return false
}

// constructed returns the model a local was built from (`w =
// Wallet(name=name)`), nil otherwise.
func (f *File) constructed(recv pyast.Node) *project.Model {
	recv = pyast.Unparen(recv)
	if recv.Type() == "identifier" {
		recv = f.Binding(recv, recv.Text(), recv.StartByte())
	}
	c, ok := pyast.AsCall(pyast.Unparen(recv))
	if !ok || f.M.Graph == nil {
		return nil
	}
	return f.M.Graph.Lookup(f.Unit, pyast.Dotted(c.Func))
}

// serializerModelOf returns the model a serializer or form variable
// saves: `s = PaymentSerializer(data=...)` or `self.get_serializer(...)`.
func (f *File) serializerModelOf(recv pyast.Node) *project.Model {
	if cls := f.serializerClassOf(recv); cls != nil {
		return f.M.SerializerModel(cls)
	}
	return nil
}

// serializerClassOf returns the serializer or form class of a variable
// bound to `PaymentSerializer(data=...)` or `self.get_serializer(...)`.
func (f *File) serializerClassOf(recv pyast.Node) *Class {
	recv = pyast.Unparen(recv)
	if recv.Type() != "identifier" {
		return nil
	}
	b := f.Binding(recv, recv.Text(), recv.StartByte())
	c, ok := pyast.AsCall(pyast.Unparen(b))
	if !ok {
		return nil
	}
	if c.Func.Type() == "attribute" && c.MethodName() == "get_serializer" {
		if vc := f.classOfNode(recv); vc != nil {
			return f.M.serializerClass(vc)
		}
		return nil
	}
	return f.M.classByName(f, c.Func)
}

// savedSerializerClass is serializerClassOf, or, for the serializer DRF
// hands to a generic view's perform_create or perform_update hook, the
// view's serializer class (when no get_serializer_class picks another).
func (f *File) savedSerializerClass(recv pyast.Node) *Class {
	if cls := f.serializerClassOf(recv); cls != nil {
		return cls
	}
	recv = pyast.Unparen(recv)
	if recv.Type() != "identifier" || !f.Binding(recv, recv.Text(), recv.StartByte()).IsNil() {
		return nil
	}
	fn := f.EnclosingFunc(recv)
	if fn == nil || fn.Class == nil || len(fn.Params) < 2 || fn.Params[1] != recv.Text() {
		return nil
	}
	if fn.Name != "perform_create" && fn.Name != "perform_update" || fn.Class.Method("get_serializer_class") != nil {
		return nil
	}
	return f.M.serializerClass(fn.Class)
}

// SerializerSaveModel returns the model `recv.save()` writes when recv is
// a serializer or model form: a local bound to its class
// (`s = PaymentSerializer(data=...)`, `self.get_serializer(...)`), or the
// serializer DRF hands to a generic view's perform_create or
// perform_update hook, an instance of the view's serializer class. Nil
// when the class or its model is not known.
func (f *File) SerializerSaveModel(recv pyast.Node) *project.Model {
	if cls := f.savedSerializerClass(recv); cls != nil {
		return f.M.SerializerModel(cls)
	}
	return nil
}

// ValidatedRelation returns the model of a row read from a serializer's
// validated data by the name of a forward relation of the serializer's
// model (`serializer.validated_data["product"]`, or `.get("product")`):
// a ModelSerializer's field for a foreign key resolves the key the client
// sent to the row itself. A field the serializer declares itself
// (`product = serializers.IntegerField()`) may hold anything: nil, as for
// anything else.
func (f *File) ValidatedRelation(n pyast.Node) *project.Model {
	obj, k, ok := pyast.KeyRead(n)
	if !ok || obj.Type() != "attribute" || obj.ChildByField("attribute").Text() != "validated_data" {
		return nil
	}
	cls := f.savedSerializerClass(obj.ChildByField("object"))
	if cls == nil {
		return nil
	}
	if v, _ := cls.Attr(k); !v.IsNil() {
		return nil
	}
	md := f.M.SerializerModel(cls)
	if md == nil {
		return nil
	}
	if a := md.Attr(k); a.Kind == project.AttrForward {
		return a.Target
	}
	return nil
}

// relatedWrites change a many-to-many or reverse relation.
var relatedWrites = map[string]bool{"add": true, "remove": true, "set": true, "clear": true}

// moneyFieldWords in a model's field names mark it as money.
var moneyFieldWords = []string{"balance", "amount", "funds"}

// moneyModel reports whether a model holds money: a field named balance,
// amount or funds (or ending so). A model whose only such field is an
// amount holds money when its name says so or the project's models speak of
// money elsewhere (MoneyModels): a feed's or a dose's amount is not money.
func moneyModel(ix *project.Index, md *project.Model) bool {
	if md == nil {
		return false
	}
	amountOnly := false
	for _, fl := range md.Fields {
		if fl.IsRelation() {
			continue
		}
		n := strings.ToLower(fl.Name)
		for _, w := range moneyFieldWords {
			if n == w || strings.HasSuffix(n, "_"+w) || strings.HasPrefix(n, w+"_") {
				if w != "amount" || !AmountWordOnly(n) {
					return true
				}
				amountOnly = true
			}
		}
	}
	return amountOnly && (InMoneyContext(md.Name) || ix == nil || MoneyModels.Get(ix))
}

// OutboundCall reports whether call talks to another service: an HTTP
// request (requests, httpx, a session) or a payment provider SDK call.
func (f *File) OutboundCall(call pyast.Node) bool {
	e, ok := f.classifyCall(call)
	return ok && e.Kind == HTTPCall
}
