package report

import (
	"github.com/rubric-dev/rubric/analyzer"
	"sort"
	"strings"

	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/analyzer/semantic/effects"
	"github.com/rubric-dev/rubric/analyzer/semantic/pyidiom"
)

// pyCollector walks each Python file once and feeds the signals.
type pyCollector struct {
	s                         *Signals
	sm                        *semantic.Model
	public, typed, documented int
	// webhookDefs are the functions named *webhook* that take a request:
	// handlers, when the endpoint inventory lists them.
	webhookDefs []Evidence
	// lookupKeys are the fields product code looks rows up by (keywords
	// of ORM calls, before any __lookup); integrityHandled says some
	// product handler catches IntegrityError. Either shows that a unique
	// operation key is checked, not only declared (operationKeys).
	lookupKeys       map[string]bool
	integrityHandled bool
	// testFns are the test functions found (tests.functions), for
	// runnableTests.
	testFns []Evidence
	// floatBodies are the request bodies parsed as JSON with floats
	// (json.loads(request.body), no parse_float=); decimalInput says some
	// product code converts input to Decimal. Bodies parsed with floats
	// in a project that converts nothing show amounts computed as floats
	// whatever the columns hold (money.float_input).
	floatBodies  []Evidence
	decimalInput bool
	// moneyComputed: product code adds to or subtracts from a stored
	// amount (F("balance") + x, wallet.balance -= x).
	moneyComputed bool
	// envModules are product modules other than settings that read the
	// environment (os.getenv, os.environ, decouple, django-environ), by
	// module name, with their first read: a settings module importing one
	// reads its values from the environment through it.
	envModules map[string]Evidence
	// settingsUnits are the settings modules, for envModules.
	settingsUnits []*project.Unit
	// dedups are the de-duplications on a sender's identifier (a unique
	// field looked up, then created with), in source order.
	dedups []dedupAt
	// indexedSeen are the fields already cited for django.indexed_lookups.
	indexedSeen map[string]bool
	// literalKeys are the module-level `SECRET_KEY = "..."` of settings
	// modules not named for development or tests (placeholders included);
	// keyComputed is set when a settings module sets SECRET_KEY any other
	// way (an environment read, a file, a vault client).
	literalKeys []Evidence
	keyComputed bool
}

// fileKind says what a Python file is for, from its path alone.
type fileKind struct {
	test, migration, settings, script bool
	// tooling is a standalone program or seed data (manage.py, setup.py,
	// scripts/, seed_db.py): not the submission's service code. Django's
	// generated manage.py handles ImportError; that shows no practice.
	tooling bool
}

// kindOf says what a file is for: its roles come from the semantic layer,
// the one definition of a test, a migration, a settings module and a
// script that the rules use too.
func kindOf(rel string, im *pyast.Imports) fileKind {
	roles := semantic.FileRoles(rel, im)
	return fileKind{
		test:      semantic.TestModule(rel, roles),
		migration: roles.Has(semantic.Migration),
		settings:  roles.Has(semantic.Settings) && !roles.Has(semantic.Test),
		script:    semantic.ScriptModule(rel, roles),
		tooling:   roles.Any(semantic.Script | semantic.DevData),
	}
}

func (c *pyCollector) unit(u *project.Unit) {
	k := kindOf(u.Rel(), u.Imports)
	s := c.s
	eff := effects.Of(u)
	sf := c.sm.File(u)
	root := u.Tree.Root()
	im := u.Imports
	resolve := func(n pyast.Node) string {
		if q, ok := im.Resolve(n); ok {
			return q
		}
		return pyast.Dotted(n)
	}
	ev := func(n pyast.Node) Evidence { return evidenceAt(u, n) }
	if k.test {
		s.add("tests.files", Evidence{Path: u.File.Rel})
	}
	if k.settings {
		s.add("settings.files", Evidence{Path: u.File.Rel})
		c.settingsUnits = append(c.settingsUnits, u)
	}
	mockedByImport := false
	if k.test && im != nil {
		for _, m := range im.Modules {
			if pyidiom.HTTPMockModule(m) {
				mockedByImport = true
			}
		}
	}
	if !k.test {
		// Circuit breakers, as NET005 finds them.
		if m := project.BreakerImport(im); m != "" {
			s.add("http.circuit_breaker", Evidence{Path: u.File.Rel, Note: "imports " + m})
		}
		for _, n := range project.BreakerSites(u.Tree) {
			s.add("http.circuit_breaker", ev(n))
		}
	}
	logs := pyidiom.LoggersOf(u)
	if logs.StructlogImported() && !k.test {
		s.add("logging.structured", Evidence{Path: u.File.Rel, Note: "imports structlog"})
	}

	pyast.Inspect(root, func(n pyast.Node) bool {
		switch n.Type() {
		case "import_statement", "import_from_statement":
			if mockedByImport {
				s.add("tests.http_mocking", ev(n))
				mockedByImport = false
			}
			return false
		case "class_definition":
			c.class(u, k, n, resolve)
		case "function_definition":
			c.function(u, k, n, resolve)
		case "decorator":
			if !k.test && !k.migration && effects.IsRetryDecorator(im, n.NamedChild(0)) {
				s.add("http.retry_config", ev(n))
			}
			// @transaction.atomic without parentheses is no call: the
			// call case sees @transaction.atomic(using=...).
			if d := n.NamedChild(0); !k.test && !k.migration && d.Type() != "call" && semantic.TransactionCall(resolve(d)) == "atomic" {
				s.add("txn.atomic", ev(n))
			}
		case "for_statement", "while_statement":
			if !k.test && !k.migration {
				c.loopQueries(u, n)
				if eff.RetryLoop(im, n) {
					rl := ev(n)
					rl.Note = "retries the call by hand, waiting longer after each failure"
					s.add("http.retry_config", rl)
				}
			}
		case "keyword_argument":
			name := n.ChildByField("name").Text()
			if semantic.IndexKeyword(name, n.ChildByField("value")) && !k.test {
				s.add("django.indexes", ev(n))
			}
			if semantic.IdempotencyName(name) && !k.test {
				s.add("idempotency.keys", ev(n))
			}
		case "assignment":
			c.assignment(u, k, n)
		case "string":
			if !k.test && !k.migration && semantic.IdempotencyName(n.Text()) {
				s.add("idempotency.keys", ev(n))
			}
			return false
		case "identifier":
			t := n.Text()
			if k.test && pyidiom.QueryCountFixture(t) {
				if p := n.Parent(); p.Type() != "import_from_statement" && p.Type() != "dotted_name" {
					s.add("tests.assert_num_queries", ev(n))
				}
			}
			if k.test && pyidiom.HTTPMockFixture(t) && n.Parent().Type() == "parameters" {
				s.add("tests.http_mocking", ev(n))
			}
			if !k.test && !k.migration && semantic.IdempotencyName(t) && n.Parent().Type() != "keyword_argument" {
				s.add("idempotency.keys", ev(n))
			}
		case "except_clause":
			if !k.test && !k.migration && !k.tooling {
				c.handler(u, n, logs)
			}
		case "raise_statement":
			// `raise Http404` (a class, no call): calls are read below.
			if e := n.NamedChild(0); !k.test && !k.migration && !k.tooling && e.Type() != "call" && semantic.ClientError(im, e) != "" {
				s.add("errors.client_errors", ev(n))
			}
		case "binary_operator", "augmented_assignment":
			if !k.test && !k.migration && !k.tooling && semantic.MoneyArithmetic(n) {
				c.moneyComputed = true
			}
		case "subscript":
			if k.settings && semantic.EnvSubscript(im, n) {
				s.add("settings.env_reads", ev(n))
			}
		case "call":
			c.call(u, k, n, resolve, eff, sf, logs)
		}
		return true
	})
}

func (c *pyCollector) class(u *project.Unit, k fileKind, n pyast.Node, resolve func(pyast.Node) string) {
	s := c.s
	if k.test {
		return
	}
	// A view class is a list endpoint when any of its bases lists: a
	// GenericViewSet first and ListModelMixin after it is one.
	view := false
	for _, b := range n.ChildByField("superclasses").NamedChildren() {
		if b.Type() == "keyword_argument" {
			continue
		}
		q := resolve(b)
		last := q[strings.LastIndex(q, ".")+1:]
		switch {
		case semantic.ViewBase(last):
			if !view {
				s.add("django.views", evidenceAt(u, n))
				view = true
			}
			if semantic.ListView(last) {
				s.add("django.list_endpoints", evidenceAt(u, n))
				c.listClass(u, n, last)
				return
			}
		case semantic.ListMixin(last):
			s.add("django.list_endpoints", evidenceAt(u, n))
			c.listClass(u, n, last)
			return
		}
	}
}

func (c *pyCollector) function(u *project.Unit, k fileKind, n pyast.Node, resolve func(pyast.Node) string) {
	s := c.s
	name := pyast.DefName(n)
	cls := pyast.EnclosingClass(n)
	method := !cls.IsNil()
	if k.test {
		if pyidiom.TestFunction(n) {
			s.add("tests.functions", evidenceAt(u, n))
			c.testFns = append(c.testFns, evidenceAt(u, n))
			s.add("tests."+string(pyidiom.FrameworkOf(cls, resolve)), evidenceAt(u, n))
		}
		return
	}
	if k.migration {
		return
	}
	// Celery tasks, as the CEL rules find them (decorated functions, run
	// methods of Task subclasses).
	if t, ok := effects.TaskOf(u.Imports, n); ok {
		at := evidenceAt(u, t.At)
		c.s.add("celery.tasks", at)
		if effects.TimeLimited(t.Options) {
			c.s.add("celery.time_limits", at)
		}
		// Retry options configure retries that happen: autoretry_for, or
		// a retry() the body calls. max_retries or retry_backoff declared
		// on a task that never retries retry nothing.
		if effects.RetryConfigured(t.Options) && (!t.Options["autoretry_for"].IsNil() || retriesItself(t)) {
			c.s.add("celery.retry_config", at)
		}
	}
	if semantic.WebhookFunctionName(name) {
		s.add("webhooks.handlers", evidenceAt(u, n))
		if pyidiom.TakesRequest(n, method) {
			c.webhookDefs = append(c.webhookDefs, evidenceAt(u, n))
		}
	}
	if semantic.FunctionView(n, u.Rel()) {
		s.add("django.views", evidenceAt(u, n))
	}
	if c.sm != nil && !k.tooling {
		if sf := c.sm.File(u); sf != nil {
			for _, d := range sf.Dedups(n) {
				c.dedups = append(c.dedups, dedupAt{d, evidenceAt(u, d.At), name})
			}
		}
	}
	if !k.script && (semantic.FunctionView(n, u.Rel()) || method && (name == "get" || name == "list") && semantic.ViewsModule(u.Rel())) {
		c.wholeList(u, n)
	}
	if name == "__init__" && method && pyidiom.InjectsDependencies(n) {
		s.add("di.injected_dependencies", evidenceAt(u, n))
	}
	if !pyidiom.PublicFunction(n) || k.script {
		return
	}
	c.public++
	at := evidenceAt(u, n)
	if pyidiom.FullyTyped(n, method) {
		c.typed++
		s.add("types.annotated", at)
	} else {
		s.add("types.unannotated", at)
	}
	if pyidiom.HasDocstring(n) {
		c.documented++
		s.add("docstrings.documented", at)
	} else {
		s.add("docstrings.undocumented", at)
	}
}

func (c *pyCollector) assignment(u *project.Unit, k fileKind, n pyast.Node) {
	s := c.s
	left := n.ChildByField("left")
	right := n.ChildByField("right")
	if left.Type() != "identifier" {
		return
	}
	name := left.Text()
	switch {
	case semantic.PaginationSetting(name) && !k.test:
		s.add("django.pagination", evidenceAt(u, n))
	case semantic.MetaIndexes(n) && !k.test:
		s.add("django.indexes", evidenceAt(u, n))
	}
	if k.settings && semantic.LiteralSetting(n) {
		s.add("settings.literal_secrets", evidenceAt(u, n))
	}
	if k.settings && name == "SECRET_KEY" && n.Parent().Type() == "expression_statement" && n.Parent().Parent().Type() == "module" {
		if _, ok := pyast.StringValue(right); ok && right.Type() == "string" && !pyast.IsFString(right) {
			if !semantic.DevSettingsModule(u.Rel()) {
				c.literalKeys = append(c.literalKeys, evidenceAt(u, n))
			}
		} else {
			c.keyComputed = true
		}
	}
	if k.settings && semantic.RESTFrameworkPagination(name, right) {
		s.add("django.pagination", evidenceAt(u, n))
	}
}

func (c *pyCollector) call(u *project.Unit, k fileKind, n pyast.Node, resolve func(pyast.Node) string, eff *effects.File, sf *semantic.File, logs *pyidiom.Loggers) {
	s := c.s
	call, ok := pyast.AsCall(n)
	if !ok {
		return
	}
	ev := evidenceAt(u, n)
	q := resolve(call.Func)
	method := call.MethodName()
	recv := call.Receiver()
	recvText := pyast.Dotted(recv)

	if k.test {
		switch {
		case pyidiom.QueryCountAssertion(method):
			s.add("tests.assert_num_queries", ev)
		case pyidiom.IsPatch(q, method, recvText) && pyidiom.PatchedHTTPTarget(call) != "":
			s.add("tests.http_mocking", ev)
		}
		return
	}
	if k.settings {
		if semantic.SettingsEnvRead(u.Imports, call) {
			s.add("settings.env_reads", ev)
		}
	} else if !k.migration && !k.tooling && semantic.SettingsEnvRead(u.Imports, call) {
		if _, ok := c.envModules[u.Module]; !ok && u.Module != "" {
			c.envModules[u.Module] = ev
		}
	}
	if k.migration {
		if semantic.AddIndexOperation(q, method) {
			s.add("django.indexes", ev)
		}
		return
	}
	// Outbound HTTP, task enqueues, mail, database writes: the semantic
	// layer's classification, the same the rules use.
	e := eff.Classify(n)
	switch e.Kind {
	case effects.HTTP:
		s.add("http.outbound_calls", ev)
		switch effects.TimeoutOf(call) {
		case effects.TimeoutGiven:
			s.add("http.timeouts", ev)
		case effects.NoTimeout:
			s.add("http.calls_without_timeout", ev)
		}
	case effects.Enqueue, effects.Mail, effects.Publish:
		s.add("side_effects", ev)
	case effects.DBWrite:
		s.add("db.writes", ev)
	default:
		// A payment SDK's request (stripe.checkout.Session.create) talks
		// to the provider as requests.post does; no timeout= is passed, so
		// the SDK's default (80 s for stripe) applies.
		if sf != nil {
			if name := sf.ProviderRequest(n); name != "" {
				sdk := ev
				sdk.Note = "payment SDK request `" + name + "`"
				s.add("http.outbound_calls", sdk)
				if effects.TimeoutOf(call) != effects.TimeoutGiven {
					sdk.Note += ": the SDK's default timeout applies"
					s.add("http.calls_without_timeout", sdk)
				}
			}
		}
	}
	if !k.tooling {
		if semantic.FloatJSONBody(u.Imports, call) {
			fb := ev
			fb.Note = "parses the request body as JSON with floats (no parse_float=Decimal)"
			c.floatBodies = append(c.floatBodies, fb)
		}
		// A field's default=Decimal("0") converts no input.
		if p := n.Parent(); semantic.DecimalConversion(u.Imports, call) && !(p.Type() == "keyword_argument" && p.ChildByField("name").Text() == "default") {
			c.decimalInput = true
		}
	}
	// Expected failures answered by name: a Django or DRF exception that
	// becomes a 4xx, or a serializer that raises on invalid input.
	if !k.tooling && (semantic.ClientError(u.Imports, n) != "" || semantic.RaisesInvalid(call)) {
		s.add("errors.client_errors", ev)
	}
	// Retry policies, as NET004 reads them: transport retries mounted, a
	// retry library called (its decorators are counted as decorators).
	if effects.MountsRetries(u.Imports, n) || n.Parent().Type() != "decorator" && effects.RetryLibraryCall(u.Imports, n) {
		s.add("http.retry_config", ev)
	}
	// Signatures verified, as the endpoint inventory reads a webhook's
	// verification.
	if semantic.ConstantTimeCompare(call) {
		s.add("security.constant_time_compare", ev)
	}
	if v := semantic.VerifyingCall(u.Imports, call); v == semantic.Comparison || v == semantic.SignatureCall && !k.script {
		s.add("webhooks.signature_checks", ev)
	}
	// ORM: a call on a queryset or manager the semantic layer recognises.
	if !recv.IsNil() && (sf != nil && sf.Eval(recv) != nil || semantic.ManagerRoot(recv) != "") {
		s.add("django.orm_queries", ev)
		if semantic.ColumnLookup(call) {
			var md *project.Model
			if sf != nil {
				if qs := sf.Eval(recv); qs != nil {
					md = qs.Model
				}
			}
			// A lookup by a primary key named otherwise (uuid =
			// UUIDField(primary_key=True)) is a lookup by pk.
			if cols := semantic.LookupIndexes(md, call); !semantic.OnPrimaryKey(cols) {
				s.add("django.lookups", ev)
				c.lookupIndexes(ev, md, cols)
			}
		}
		if !k.test && !k.migration && semantic.KeyedLookup(method) {
			for kw := range call.EachKeyword() {
				name, _, _ := strings.Cut(kw, "__")
				c.lookupKeys[name] = true
			}
		}
	}
	if semantic.ViewsModule(u.Rel()) && semantic.ManySerialization(call) {
		s.add("django.list_endpoints", ev)
		if c.sm != nil {
			c.manyCall(u, call, resolve)
		}
	}
	if semantic.EagerLoading(method) {
		s.add("django.eager_loading", ev)
	}
	switch {
	case semantic.TransactionCall(q) != "":
		s.add("txn."+semantic.TransactionCall(q), ev)
	case semantic.PaginationCall(q):
		s.add("django.pagination", ev)
	case semantic.IndexCall(q):
		s.add("django.indexes", ev)
	case semantic.CacheCall(q):
		s.add("django.caching", ev)
	case pyidiom.PrintAsLog(n) && !k.script:
		s.add("code.print_calls", ev)
	}
	// Logging: the loggers the LOG rules recognise.
	if lc, ok := logs.Call(n); ok {
		s.add("logging.calls", ev)
		if lc.Structured() {
			s.add("logging.structured", ev)
		}
		if lc.WithTraceback() {
			s.add("logging.exception", ev)
		}
	}
}

// lookupIndexes records the columns of a lookup that an index the model
// declares serves, cited at the field, once per field. The primary key and
// foreign keys, indexed by Django whatever the author chose, are not.
func (c *pyCollector) lookupIndexes(at Evidence, md *project.Model, cols []semantic.ColumnIndex) {
	for _, fs := range semantic.CompositeIndexes(md, cols) {
		key := md.Path + ":" + md.Name + ":" + strings.Join(fs, ",")
		if c.indexedSeen[key] {
			continue
		}
		c.indexedSeen[key] = true
		ev := Evidence{Path: md.Path, Note: "an index on `" + md.Name + "` (" + strings.Join(fs, ", ") + ") serves the lookup at " + at.Location()}
		if c.sm != nil {
			if u := c.sm.Index.ByPath[md.Path]; u != nil {
				line := u.File.Position(md.Start).Line
				ev.Path, ev.Line, ev.Code = u.File.Rel, line, clip(string(u.File.Line(line)))
			}
		}
		c.s.add("django.indexed_lookups", ev)
	}
	for _, ci := range cols {
		switch ci.Kind {
		case semantic.IndexDeclared:
			f := ci.Field
			key := f.Path + ":" + md.Name + "." + f.Name
			if c.indexedSeen[key] {
				continue
			}
			c.indexedSeen[key] = true
			ev := Evidence{Path: f.Path, Line: f.Line, Note: "an index on `" + md.Name + "." + f.Name + "` serves the lookup at " + at.Location()}
			if c.sm != nil {
				if u := c.sm.Index.ByPath[f.Path]; u != nil {
					ev.Path = u.File.Rel
					ev.Code = clip(string(u.File.Line(f.Line)))
				}
			}
			c.s.add("django.indexed_lookups", ev)
		}
	}
}

// loopQueries records ORM manager calls in the body of a loop (nested
// definitions excluded): where an N+1 is worth a look.
func (c *pyCollector) loopQueries(u *project.Unit, loop pyast.Node) {
	sf := c.sm.File(u)
	if sf == nil {
		return
	}
	for _, n := range pyast.FindAllShallow(pyast.Body(loop), "call") {
		call, _ := pyast.AsCall(n)
		if recv := call.Receiver(); !recv.IsNil() && (semantic.RowMethods[call.MethodName()] || semantic.ExecMethods[call.MethodName()]) &&
			(sf.Eval(recv) != nil || semantic.ManagerRoot(recv) != "") {
			c.s.add("django.queries_in_loops", evidenceAt(u, n))
		}
	}
}

// handler records an except clause and how broad it is, as the ERR rules
// read handlers.
func (c *pyCollector) handler(u *project.Unit, n pyast.Node, logs *pyidiom.Loggers) {
	ev := evidenceAt(u, n)
	c.s.add("errors.handlers", ev)
	h := pyidiom.DecodeHandler(n)
	integrityOnly := len(h.Types) > 0
	for _, t := range h.Types {
		if d := pyast.Dotted(t); d == "IntegrityError" || strings.HasSuffix(d, ".IntegrityError") {
			c.integrityHandled = true
		} else {
			integrityOnly = false
		}
	}
	switch h.Breadth(u.Imports) {
	case pyidiom.SwallowedSpecific:
		// `except IntegrityError: pass` is the idiom of an insert that may
		// already have happened (create once, a repeated delivery): the
		// duplicate is the outcome expected and handled, not a failure
		// lost.
		if integrityOnly {
			c.s.add("errors.specific_handlers", ev)
		} else {
			c.s.add("errors.swallowed", ev)
		}
	case pyidiom.Broad:
		c.s.add("errors.broad_handlers", ev)
		if !recordsFailure(h, logs) {
			c.s.add("errors.broad_unrecorded", ev)
		}
	case pyidiom.Specific:
		c.s.add("errors.specific_handlers", ev)
	}
}

// literalSecretKey records settings.literal_secret_key: the project's
// deployable settings set SECRET_KEY to a string literal, a placeholder
// ("change me") included, and no settings module sets it another way. A
// placeholder is no leaked secret (SEC006 leaves it alone), but the key
// is not read from the environment either: whoever deploys this signs
// sessions with the placeholder.
func (c *pyCollector) literalSecretKey() {
	if c.keyComputed {
		return
	}
	for _, ev := range c.literalKeys {
		c.s.add("settings.literal_secret_key", ev)
	}
}

// importedEnvReads adds to settings.env_reads the environment reads of the
// project modules a settings module imports (`import config as c` where
// config.py holds `SECRET_KEY = os.getenv(...)`), cited at the read. An
// imported name is matched to a module of the project by its dotted name
// or its last parts (the settings may import it relative to a source root).
func (c *pyCollector) importedEnvReads() {
	if len(c.envModules) == 0 {
		return
	}
	names := make([]string, 0, len(c.envModules))
	for m := range c.envModules {
		names = append(names, m)
	}
	sort.Strings(names)
	for _, u := range c.settingsUnits {
		if u.Imports == nil {
			continue
		}
		for _, imp := range u.Imports.Modules {
			for _, m := range names {
				if m == imp || strings.HasSuffix(m, "."+imp) || strings.HasPrefix(imp, m+".") {
					ev := c.envModules[m]
					ev.Note = "read from the environment in `" + m + "`, which `" + u.File.Rel + "` imports"
					c.s.add("settings.env_reads", ev)
					delete(c.envModules, m)
					break
				}
			}
		}
	}
}

// recordsFailure reports a fail-safe boundary: a broad handler that logs
// the failure with its traceback (logger.exception, exc_info=True) and then
// degrades (a health check reporting "degraded", a cache wrapper returning
// the default) or re-raises the same exception with a bare `raise` (a task
// that logs its context before its retry): nothing is lost or renamed. A
// broad handler that raises another exception (a client error built from
// any failure) could have named what it expects: it still counts as broad.
func recordsFailure(h pyidiom.Handler, logs *pyidiom.Loggers) bool {
	for _, r := range h.Raises() {
		if r.NamedChildCount() > 0 {
			return false
		}
	}
	for _, n := range h.Calls() {
		if lc, ok := logs.Call(n); ok && lc.WithTraceback() {
			return true
		}
	}
	return false
}

// wholeList records a view handler that turns a queryset into a list for
// its response, a comprehension over it or list(...) of it, when the
// queryset is neither sliced nor one row: a list endpoint written by hand
// (`[serialize(t) for t in user.transactions.all()]`,
// `list(Payment.objects.values())`), cited at the handler.
func (c *pyCollector) wholeList(u *project.Unit, def pyast.Node) {
	if c.sm == nil {
		return
	}
	sf := c.sm.File(u)
	if sf == nil {
		return
	}
	for n := range pyast.FindEachShallow(pyast.Body(def), "list_comprehension", "call") {
		var iter pyast.Node
		switch n.Type() {
		case "list_comprehension":
			for cl := range n.Named() {
				if cl.Type() == "for_in_clause" {
					iter = cl.ChildByField("right")
					break
				}
			}
		case "call":
			call, _ := pyast.AsCall(n)
			if pyast.Dotted(call.Func) != "list" || len(call.Positional) != 1 {
				continue
			}
			iter = call.Positional[0]
		}
		if iter.IsNil() {
			continue
		}
		q := sf.Eval(iter)
		if q == nil || q.Sliced || q.Single || q.Grouped || q.ModelText == "" {
			continue
		}
		ev := evidenceAt(u, def)
		ev.Note = "builds its response from every row of `" + q.ModelText + "` it selects, as a list"
		c.s.add("django.list_endpoints", ev)
		return
	}
}

// dedupAt is a de-duplication and where it is checked.
type dedupAt struct {
	semantic.Dedup
	at Evidence
	fn string
}

// senderKeys adds to models.unique_operation_keys the unique fields named
// for a sender's identifier that a function looks up before it creates a
// row with them (semantic.File.Dedups), cited at the field, once each.
func (c *pyCollector) senderKeys() {
	seen := map[string]bool{}
	for _, e := range c.s.byName["models.unique_operation_keys"].Evidence {
		seen[e.Location()] = true
	}
	for _, d := range c.dedups {
		fd := d.Field
		u := c.sm.Index.ByPath[fd.Path]
		if u == nil || d.Model.External {
			continue
		}
		ev := Evidence{Path: u.File.Rel, Line: fd.Line, Code: clip(string(u.File.Line(fd.Line)))}
		if seen[ev.Location()] {
			continue
		}
		seen[ev.Location()] = true
		ev.Note = "`" + d.Model.Name + "." + fd.Name + "` is unique and `" + d.fn + "` looks it up at " + d.at.Location() + " before it creates a row with it (a repeat is refused)"
		c.s.add("models.unique_operation_keys", ev)
	}
}

// runnableTests splits the test functions found between tests.runnable
// and, for a module that cannot be imported (a BUG036 finding in it: a
// name imported from a project module that does not define it),
// tests.import_errors at the failing import: pytest and Django's runner
// stop at that module, and none of its tests runs.
func (c *pyCollector) runnableTests(res *analyzer.Result) {
	broken := map[string]Evidence{}
	if res != nil {
		for _, d := range res.Diagnostics {
			if d.Code != "BUG036" {
				continue
			}
			if _, seen := broken[d.Path]; !seen {
				broken[d.Path] = Evidence{Path: d.Path, Line: d.Pos.Line, Note: d.Message}
			}
		}
	}
	reported := map[string]bool{}
	for _, ev := range c.testFns {
		b, bad := broken[ev.Path]
		if !bad {
			c.s.add("tests.runnable", ev)
			continue
		}
		if !reported[ev.Path] {
			reported[ev.Path] = true
			c.s.add("tests.import_errors", b)
		}
	}
}

// retriesItself reports a task whose body calls retry() on itself: the
// bound task parameter, self, or the task's own name.
func retriesItself(t effects.CeleryTask) bool {
	for n := range pyast.FindEachShallow(pyast.Body(t.Def), "call") {
		c, _ := pyast.AsCall(n)
		if c.MethodName() != "retry" {
			continue
		}
		if recv := pyast.Dotted(c.Receiver()); recv != "" && (recv == t.Bound || recv == t.Name || recv == "self") {
			return true
		}
	}
	return false
}
