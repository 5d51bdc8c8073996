package report

import (
	"path"
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
}

// fileKind says what a Python file is for, from its path alone.
type fileKind struct {
	test, migration, settings, views, models, script bool
}

// kindOf says what a file is for: its roles come from the semantic layer
// (the one definition of a test, a migration, a settings module and a
// script that the rules use too); whether it holds views or models is read
// from its path, for signals only.
func kindOf(rel string, im *pyast.Imports) fileKind {
	base := path.Base(rel)
	dirs := strings.Split(path.Dir(rel), "/")
	has := func(d string) bool {
		for _, x := range dirs {
			if x == d {
				return true
			}
		}
		return false
	}
	roles := semantic.FileRoles(rel, im)
	k := fileKind{}
	// conftest.py and __init__.py are test code but hold no tests: they do
	// not count as test files.
	k.test = roles.Has(semantic.Test) && base != "__init__.py" && base != "conftest.py"
	k.migration = roles.Has(semantic.Migration)
	k.settings = roles.Has(semantic.Settings) && !roles.Has(semantic.Test)
	k.views = base == "views.py" || has("views") || base == "viewsets.py" || base == "api.py"
	k.models = base == "models.py" || has("models")
	k.script = roles.Any(semantic.Script|semantic.Command|semantic.DevData) || base == "conftest.py"
	return k
}

var (
	mockModules  = []string{"responses", "requests_mock", "httpretty", "respx", "pytest_httpx", "vcr", "betamax"}
	retryNames   = []string{"urllib3.util.retry.Retry", "urllib3.util.Retry", "urllib3.Retry", "requests.packages.urllib3.util.retry.Retry", "requests.adapters.Retry"}
	diParamWords = []string{"client", "session", "gateway", "repository", "repo", "service", "transport", "api", "notifier", "publisher", "clock", "http"}
	secretNameRe = []string{"SECRET", "API_KEY", "APIKEY", "TOKEN", "PASSWORD", "PRIVATE_KEY", "ACCESS_KEY"}
)

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) || s+"." == p {
			return true
		}
	}
	return false
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
	}
	mockedByImport := false
	if k.test && im != nil {
		for _, m := range im.Modules {
			if hasAnyPrefix(m+".", modPrefixes(mockModules)) {
				mockedByImport = true
			}
		}
	}
	if !k.test {
		// Circuit breakers, as NET005 finds them.
		if m := effects.BreakerImport(im); m != "" {
			s.add("http.circuit_breaker", Evidence{Path: u.File.Rel, Note: "imports " + m})
		}
		for _, n := range effects.BreakerSites(root, u.Tree.Src) {
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
			if d := n.NamedChild(0); d.Type() != "call" && !k.test {
				c.celeryDecorator(im, pyast.Call{Node: d, Func: d}, ev(n))
			}
		case "for_statement", "while_statement":
			if !k.test && !k.migration {
				c.loopQueries(u, n)
			}
		case "keyword_argument":
			name := n.ChildByField("name").Text()
			val := n.ChildByField("value")
			if name == "db_index" && val.Text() == "True" && !k.test {
				s.add("django.indexes", ev(n))
			}
			if strings.Contains(strings.ToLower(name), "idempotency") && !k.test {
				s.add("idempotency.keys", ev(n))
			}
		case "assignment":
			c.assignment(u, k, n)
		case "string":
			if !k.test && !k.migration && strings.Contains(strings.ToLower(n.Text()), "idempotency") {
				s.add("idempotency.keys", ev(n))
			}
			return false
		case "identifier":
			t := n.Text()
			if k.test && (t == "django_assert_num_queries" || t == "django_assert_max_num_queries" || t == "CaptureQueriesContext") {
				if p := n.Parent(); p.Type() != "import_from_statement" && p.Type() != "dotted_name" {
					s.add("tests.assert_num_queries", ev(n))
				}
			}
			if k.test && (t == "requests_mock" || t == "httpx_mock" || t == "respx_mock") && n.Parent().Type() == "parameters" {
				s.add("tests.http_mocking", ev(n))
			}
			if !k.test && !k.migration && strings.Contains(strings.ToLower(t), "idempotency") && n.Parent().Type() != "keyword_argument" {
				s.add("idempotency.keys", ev(n))
			}
		case "except_clause":
			if !k.test && !k.migration {
				c.handler(u, n)
			}
		case "subscript":
			if k.settings && resolve(n.ChildByField("value")) == "os.environ" {
				s.add("settings.env_reads", ev(n))
			}
		case "call":
			c.call(u, k, n, resolve, eff, sf, logs)
		}
		return true
	})
}

func modPrefixes(mods []string) []string {
	out := make([]string, len(mods))
	for i, m := range mods {
		out[i] = m + "."
	}
	return out
}

func (c *pyCollector) class(u *project.Unit, k fileKind, n pyast.Node, resolve func(pyast.Node) string) {
	s := c.s
	for _, b := range n.ChildByField("superclasses").NamedChildren() {
		if b.Type() == "keyword_argument" {
			continue
		}
		q := resolve(b)
		last := q[strings.LastIndex(q, ".")+1:]
		switch {
		case !k.test && (strings.HasSuffix(last, "View") || strings.HasSuffix(last, "ViewSet") || strings.HasSuffix(last, "APIView")):
			s.add("django.views", evidenceAt(u, n))
			if listViews[last] {
				s.add("django.list_endpoints", evidenceAt(u, n))
			}
			return
		case !k.test && last == "ListModelMixin":
			s.add("django.list_endpoints", evidenceAt(u, n))
			return
		}
	}
}

// testKind classifies the class enclosing a test method.
func testKind(cls pyast.Node, resolve func(pyast.Node) string) string {
	if cls.IsNil() {
		return "tests.pytest"
	}
	for _, b := range cls.ChildByField("superclasses").NamedChildren() {
		q := resolve(b)
		switch {
		case strings.HasPrefix(q, "rest_framework.") || strings.HasSuffix(q, "APITestCase") || strings.HasSuffix(q, "APITransactionTestCase"):
			return "tests.drf"
		case strings.HasPrefix(q, "django.") || strings.HasSuffix(q, "TestCase"):
			return "tests.django"
		}
	}
	return "tests.pytest"
}

func (c *pyCollector) function(u *project.Unit, k fileKind, n pyast.Node, resolve func(pyast.Node) string) {
	s := c.s
	name := pyast.DefName(n)
	cls := pyast.EnclosingClass(n)
	nested := !pyast.EnclosingFunction(n.Parent()).IsNil()
	params := paramNames(n)
	if k.test {
		if strings.HasPrefix(name, "test") && !nested {
			s.add("tests.functions", evidenceAt(u, n))
			s.add(testKind(cls, resolve), evidenceAt(u, n))
		}
		return
	}
	if k.migration {
		return
	}
	if strings.Contains(strings.ToLower(name), "webhook") {
		s.add("webhooks.handlers", evidenceAt(u, n))
		if takesRequest(params, !cls.IsNil()) {
			c.webhookDefs = append(c.webhookDefs, evidenceAt(u, n))
		}
	}
	if k.views && cls.IsNil() && !nested && len(params) > 0 && params[0].name == "request" {
		s.add("django.views", evidenceAt(u, n))
	}
	if name == "__init__" && !cls.IsNil() {
		for _, p := range params[1:] {
			low := strings.ToLower(p.name)
			for _, w := range diParamWords {
				if strings.Contains(low, w) {
					s.add("di.injected_dependencies", evidenceAt(u, n))
					break
				}
			}
		}
	}
	if strings.HasPrefix(name, "_") || nested || k.script {
		return
	}
	c.public++
	typed := n.ChildByField("return_type").IsNil() == false
	for i, p := range params {
		if i == 0 && !cls.IsNil() && (p.name == "self" || p.name == "cls") {
			continue
		}
		if !p.typed {
			typed = false
		}
	}
	if typed {
		c.typed++
	}
	if body := pyast.Statements(pyast.Body(n)); len(body) > 0 && body[0].Type() == "expression_statement" {
		if first := body[0].NamedChild(0); first.Type() == "string" {
			c.documented++
		}
	}
}

// takesRequest reports parameters that start with a request (after self
// or cls for a method).
func takesRequest(params []param, method bool) bool {
	if method && len(params) > 0 {
		params = params[1:]
	}
	return len(params) > 0 && (params[0].name == "request" || params[0].name == "req")
}

type param struct {
	name  string
	typed bool
}

func paramNames(def pyast.Node) []param {
	var out []param
	for _, p := range def.ChildByField("parameters").NamedChildren() {
		switch p.Type() {
		case "identifier":
			out = append(out, param{name: p.Text()})
		case "typed_parameter":
			out = append(out, param{name: strings.TrimLeft(p.NamedChild(0).Text(), "*"), typed: true})
		case "default_parameter":
			out = append(out, param{name: p.ChildByField("name").Text()})
		case "typed_default_parameter":
			out = append(out, param{name: p.ChildByField("name").Text(), typed: true})
		case "list_splat_pattern", "dictionary_splat_pattern":
			out = append(out, param{name: strings.TrimLeft(p.Text(), "*"), typed: true}) // *args is not held against coverage
		}
	}
	return out
}

func (c *pyCollector) assignment(u *project.Unit, k fileKind, n pyast.Node) {
	s := c.s
	left := n.ChildByField("left")
	right := n.ChildByField("right")
	if left.Type() != "identifier" {
		return
	}
	name := left.Text()
	switch name {
	case "pagination_class", "paginate_by", "DEFAULT_PAGINATION_CLASS":
		if !k.test {
			s.add("django.pagination", evidenceAt(u, n))
		}
	case "indexes":
		if !k.test && pyast.EnclosingClass(n).ChildByField("name").Text() == "Meta" {
			s.add("django.indexes", evidenceAt(u, n))
		}
	}
	if k.settings && right.Type() == "string" && !pyast.IsFString(right) && name == strings.ToUpper(name) {
		if v, ok := pyast.StringValue(right); ok && v != "" {
			for _, w := range secretNameRe {
				if strings.Contains(name, w) {
					s.add("settings.literal_secrets", evidenceAt(u, n))
					break
				}
			}
		}
	}
	if k.settings && right.Type() == "dictionary" && name == "REST_FRAMEWORK" && strings.Contains(right.Text(), "PAGINATION_CLASS") {
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
		case method == "assertNumQueries" || method == "assertMaxNumQueries":
			s.add("tests.assert_num_queries", ev)
		case isPatch(q, method, recvText):
			if target := patchTarget(call); target != "" {
				s.add("tests.http_mocking", ev)
			}
		}
		return
	}
	if k.settings {
		if q == "os.getenv" || q == "os.environ.get" || q == "decouple.config" || method == "config" && call.Receiver().IsNil() ||
			recvText == "env" || q == "env" || strings.HasPrefix(q, "environ.") {
			s.add("settings.env_reads", ev)
		}
	}
	if k.migration {
		if method == "AddIndex" || strings.HasSuffix(q, "migrations.AddIndex") {
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
		if _, ok := call.Keywords["timeout"]; ok {
			s.add("http.timeouts", ev)
		} else if !call.StarKwargs {
			s.add("http.calls_without_timeout", ev)
		}
	case effects.Enqueue, effects.Mail, effects.Publish:
		s.add("side_effects", ev)
	case effects.DBWrite:
		s.add("db.writes", ev)
	}
	for _, r := range retryNames {
		if q == r {
			s.add("http.retry_config", ev)
		}
	}
	if (q == "requests.adapters.HTTPAdapter" || strings.HasSuffix(q, "HTTPAdapter")) && !call.Keyword("max_retries").IsNil() ||
		strings.HasPrefix(q, "tenacity.") || strings.HasPrefix(q, "backoff.") ||
		strings.HasPrefix(q, "httpx.") && strings.HasSuffix(q, "Transport") && !call.Keyword("retries").IsNil() {
		s.add("http.retry_config", ev)
	}
	// ORM: a call on a queryset or manager the semantic layer recognises.
	if !recv.IsNil() && (sf != nil && sf.Eval(recv) != nil || semantic.ManagerRoot(recv) != "") {
		s.add("django.orm_queries", ev)
		if lookupMethods[method] && lookupOnColumn(call) {
			s.add("django.lookups", ev)
		}
	}
	if k.views && !call.Keyword("many").IsNil() && call.Keyword("many").Text() == "True" {
		s.add("django.list_endpoints", ev)
	}
	switch method {
	case "select_related", "prefetch_related":
		s.add("django.eager_loading", ev)
	}
	switch {
	case q == "django.db.transaction.atomic":
		s.add("txn.atomic", ev)
	case q == "django.db.transaction.on_commit":
		s.add("txn.on_commit", ev)
	case strings.HasPrefix(q, "django.core.paginator.") || strings.HasPrefix(q, "rest_framework.pagination."):
		s.add("django.pagination", ev)
	case q == "django.db.models.Index" || q == "django.db.models.UniqueConstraint":
		s.add("django.indexes", ev)
	case strings.HasPrefix(q, "django.core.cache.") || q == "django.views.decorators.cache.cache_page" || strings.HasPrefix(q, "django_redis."):
		s.add("django.caching", ev)
	case q == "hmac.compare_digest" || q == "secrets.compare_digest" || q == "django.utils.crypto.constant_time_compare":
		s.add("security.constant_time_compare", ev)
		s.add("webhooks.signature_checks", ev)
	case method == "construct_event" || q == "hmac.new" && !k.script || strings.HasPrefix(strings.ToLower(method), "verify_signature") ||
		strings.HasPrefix(strings.ToLower(method), "verify_webhook") || method == "validate_signature":
		s.add("webhooks.signature_checks", ev)
	case q == "print" && !k.script:
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
	// Celery tasks, through their decorators.
	if p := n.Parent(); p.Type() == "decorator" && !k.test {
		c.celeryDecorator(u.Imports, call, ev)
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

func (c *pyCollector) celeryDecorator(im *pyast.Imports, call pyast.Call, ev Evidence) {
	if !effects.IsTaskDecorator(im, call.Func) {
		return
	}
	c.s.add("celery.tasks", ev)
	if !call.Keyword("time_limit").IsNil() || !call.Keyword("soft_time_limit").IsNil() {
		c.s.add("celery.time_limits", ev)
	}
	for _, kw := range []string{"autoretry_for", "retry_backoff", "max_retries"} {
		if !call.Keyword(kw).IsNil() {
			c.s.add("celery.retry_config", ev)
			return
		}
	}
}

// isPatch recognises unittest.mock.patch, patch.object and pytest-mock's
// mocker.patch.
func isPatch(q, method, recv string) bool {
	switch q {
	case "unittest.mock.patch", "unittest.mock.patch.object", "mock.patch", "mock.patch.object":
		return true
	}
	return method == "patch" && recv == "mocker" || method == "object" && strings.HasSuffix(recv, "patch")
}

// patchTarget returns the patched target when it looks like an HTTP
// library, a client or a session; "" otherwise.
func patchTarget(call pyast.Call) string {
	first := call.Arg(0, "target")
	if first.IsNil() {
		return ""
	}
	t, ok := pyast.StringValue(first)
	if !ok {
		t = first.Text()
	}
	low := strings.ToLower(t)
	for _, w := range []string{"requests", "httpx", "urllib", "aiohttp", "client", "session", "urlopen"} {
		if strings.Contains(low, w) {
			return t
		}
	}
	if len(call.Positional) > 1 { // patch.object(obj, "attr")
		if a, ok := pyast.StringValue(call.Positional[1]); ok {
			low = strings.ToLower(a)
			for _, w := range []string{"post", "get", "put", "patch", "request", "send", "client", "session"} {
				if strings.Contains(low, w) {
					return a
				}
			}
		}
	}
	return ""
}

// listViews are the generic views and viewsets that serve lists.
var listViews = map[string]bool{"ListView": true, "ListAPIView": true, "ListCreateAPIView": true, "ModelViewSet": true,
	"ReadOnlyModelViewSet": true, "ArchiveIndexView": true}

// handler records an except clause and how broad it is, as the ERR rules
// read handlers.
func (c *pyCollector) handler(u *project.Unit, n pyast.Node) {
	ev := evidenceAt(u, n)
	c.s.add("errors.handlers", ev)
	switch pyidiom.DecodeHandler(n).Breadth(u.Imports) {
	case pyidiom.Broad:
		c.s.add("errors.broad_handlers", ev)
	case pyidiom.SwallowedSpecific:
		c.s.add("errors.swallowed", ev)
	case pyidiom.Specific:
		c.s.add("errors.specific_handlers", ev)
	}
}

var lookupMethods = map[string]bool{"filter": true, "exclude": true, "get": true, "order_by": true, "get_or_create": true}

// lookupOnColumn reports a lookup that an index could serve: a keyword
// other than the primary key (id, pk), or an order_by field.
func lookupOnColumn(call pyast.Call) bool {
	if call.MethodName() == "order_by" {
		return len(call.Positional) > 0
	}
	for k := range call.Keywords {
		base := k
		if i := strings.Index(base, "__"); i >= 0 {
			base = base[:i]
		}
		if base != "id" && base != "pk" && k != "defaults" {
			return true
		}
	}
	return false
}
