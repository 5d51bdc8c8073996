package report

import (
	"bufio"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/internal/safeio"
)

// Signal is a fact about the submission that needs no rule: how many test
// functions, whether the README explains set-up, what share of public
// functions carry type hints. Value is a count, a 0/1 flag or a ratio.
type Signal struct {
	Name     string
	Doc      string
	Value    float64
	Display  string // "3", "yes", "75% (3 of 4)"
	Evidence []Evidence
}

// signalCatalogue documents every signal a checklist may name. The order
// is the order of the report's signal table.
var signalCatalogue = []struct{ name, doc string }{
	{"files.total", "files in the submission (every kind)"},
	{"python.files", "Python files"},
	{"python.lines", "lines of Python"},
	{"syntax.errors", "Python files that do not parse"},
	{"models.count", "Django models of the project's model graph (abstract ones included), outside tests and migrations"},
	{"models.unique_operation_keys", "fields of the product's models named for one operation (txid, transaction_id, reference_id, idempotency_key...) that a unique field, unique_together or UniqueConstraint de-duplicates, and that product code checks before it writes (a lookup by the key: get_or_create, filter, exists...; an IntegrityError handler; or a DRF ModelSerializer or ModelForm taking the unique=True field, which validates it unique); a key the server generates (editable=False with a default=) is not one; and unique fields named for another party's id (provider_id, *_ref) on a model of money that a function looks up and then creates a row with"},
	{"models.money_fields", "model fields named for an amount of money (amount, price, balance, fee...), outside tests and migrations"},
	{"models.money_decimal", "money fields declared as DecimalField (django-money's MoneyField, a DecimalField with a currency, included)"},
	{"models.money_integer", "money fields declared as an IntegerField and named for minor units (amount_cents, price_minor), or whose verbose_name, help_text or comment says so (\"in cents\", \"в копейках\"): exact, as Decimal is"},
	{"models.money_integer_balance", "balances declared as an IntegerField that says nothing of its unit (balance = IntegerField()): a counter the code adds to and subtracts from, exact in whole units of an unstated size (cents or whole currency: ask); a price or an amount so declared is models.money_integer_amount"},
	{"models.money_integer_amount", "prices, amounts and totals declared as an IntegerField that says nothing of minor units (total_sum = PositiveIntegerField()): whole currency units, which drop the cents of what is computed into them; beside Decimal money fields the money item is then not claimed met"},
	{"models.money_float", "money fields declared as FloatField"},
	{"money.float_input", "request bodies parsed as JSON with floats (json.loads(request.body) without parse_float=Decimal) in a project whose code converts no input to Decimal (no Decimal(...) call, no form or serializer DecimalField) and adds to or subtracts from stored amounts (F(\"balance\") + x, wallet.balance -= x): amounts are computed as floats whatever the columns hold"},
	{"migrations.count", "migration files (migrations/NNNN_*.py)"},
	{"migrations.judged", "migrations the deploy-safety rules judge (not yet released; see MIG001)"},
	{"tests.files", "test files (test_*.py, *_test.py, tests.py, tests/ packages)"},
	{"tests.functions", "test functions and methods (def test*)"},
	{"tests.runnable", "test functions in modules that can be imported: a module with a BUG036 finding (a name imported from a project module that does not define it) fails at collection, and its tests never run"},
	{"tests.import_errors", "test modules that cannot be imported: a BUG036 finding (a name imported from a project module that does not define it) in a module defining tests"},
	{"tests.pytest", "pytest-style test functions (module level or in plain classes)"},
	{"tests.django", "tests in Django TestCase classes (django.test)"},
	{"tests.drf", "tests in DRF APITestCase classes (rest_framework.test)"},
	{"tests.assert_num_queries", "query counts asserted (assertNumQueries, django_assert_num_queries, CaptureQueriesContext)"},
	{"tests.http_mocking", "HTTP mocked in tests (responses, requests_mock, respx, httpretty, mock.patch of requests/httpx/a client or session)"},
	{"readme.present", "a README at the root (the pages of the tree it links to, and theirs, are read with it: up to five; a link to a directory reads the README it holds)"},
	{"readme.setup", "README heading about set-up or installation"},
	{"readme.run", "README heading about running or usage, or a run command in it (runserver, docker compose up, make run, docker run of the project's image...)"},
	{"readme.test", "README heading about tests whose section shows the command (a line of code naming the tests, or a prose line holding a test command; not the README's title unless it is one, \"# Tests\"; nor one naming the assignment: \"Payments test task\"), a line of a code block that runs them (pytest, manage.py test, tox, make test...), or a prose line giving the command in an inline code span or next to the word test"},
	{"readme.decisions", "README heading about design decisions, trade-offs, architecture, assumptions, implementation or notes (not one over the assignment's requirements, nor one naming the assignment: \"Тестовое задание для Фабрики Решений\"), or a line set apart as one (wholly bold, or a short label of the author's notes ending with a colon); a heading only of notes, considerations, limitations or future improvements counts when its section gives a reason (because, instead, would...), not over a list of features to come or reminders"},
	{"docs.decisions", "design notes beside the README: DESIGN*/DECISIONS*/ARCHITECTURE*/ADR files, or docs/ pages with a decisions heading"},
	{"deps.files", "dependency files (requirements*.txt, requirement.txt, a file named requirements, a .txt file the README, a Dockerfile or a Makefile installs with pip install -r, pyproject.toml, Pipfile, lock files)"},
	{"deps.pinned", "requirement lines pinned with =="},
	{"deps.unpinned", "requirement lines without an exact pin"},
	{"deps.lockfile", "a lock file (poetry.lock, uv.lock, Pipfile.lock, pdm.lock)"},
	{"deps.django_unlisted", "product code imports Django, yet the dependency files rubric reads (no lock file among them, every requirement named) do not name Django: it is installed as another package's requirement, at whatever version that allows (cited at the first import)"},
	{"django.version", "declared Django version (the lowest the requirements allow, as major.minor: 4.2 is 4.02), 0 when unknown"},
	{"settings.files", "Django settings modules"},
	{"settings.env_reads", "settings read from the environment (os.environ, os.getenv, django-environ, python-decouple: the lookups SEC006 knows), in a settings module or in a project module it imports (cited at the read)"},
	{"settings.literal_secrets", "settings named for a secret (SECRET_KEY, *_API_KEY, *_TOKEN, *_PASSWORD) assigned a string literal that SEC006 would not take for a placeholder"},
	{"settings.literal_secret_key", "SECRET_KEY set to a string literal, a placeholder included (\"change me\"), at the top level of a settings module not named for development or tests (dev.py, settings_local.py, testing.py), when no settings module sets it another way (an environment read)"},
	{"settings.committed_env_secrets", "a dotenv file shipped with the code (.env, .env.prod, prod.env; not a template, dev or test file; in a git checkout, one git tracks) that sets a provider credential (a Stripe secret key, a JSON Web Token) or a variable named for a secret to a value SEC006 would not take for a placeholder, as SEC024 reads it (cited at the line, value not shown)"},
	{"functions.public", "public functions and methods outside tests and migrations"},
	{"types.coverage", "share of public functions with every parameter and the return annotated"},
	{"types.annotated", "public functions with every parameter and the return annotated, cited at their def"},
	{"types.unannotated", "public functions missing an annotation on a parameter or the return, cited at their def"},
	{"docstrings.coverage", "share of public functions with a docstring"},
	{"docstrings.documented", "public functions with a docstring, cited at their def"},
	{"docstrings.undocumented", "public functions without a docstring, cited at their def"},
	{"docker.present", "a Dockerfile"},
	{"compose.present", "a docker compose file"},
	{"makefile.present", "a Makefile or justfile"},
	{"ci.present", "CI configuration (.github/workflows, .gitlab-ci.yml, CircleCI, Jenkinsfile, ...)"},
	{"django.orm_queries", "ORM calls on a queryset, a manager (X.objects...) or a related manager (row.items...)"},
	{"django.queries_in_loops", "queries run inside a loop body (candidates for N+1)"},
	{"django.views", "views (functions taking request in views modules, View/APIView/ViewSet classes)"},
	{"django.list_endpoints", "list endpoints (ListView, ListAPIView, ModelViewSet and kin, a class with ListModelMixin among its bases in any order; serializers with many=True in views; view handlers building their response from a whole queryset as a list)"},
	{"django.lists_flat", "list endpoints whose serializer reads only columns of its model (forward keys as ids, as DRF reads them): no relation to load, no query per row; cited at the view or the many=True call"},
	{"django.lists_unjudged", "list endpoints rubric cannot show to read only columns: a serializer reading relations, computed or nested fields, a template-rendered list, a view choosing its serializer at run time"},
	{"django.lookups", "ORM lookups on a column other than the primary key (filter, exclude, get, order_by through a manager; a field declared primary_key=True is the primary key)"},
	{"django.indexed_lookups", "columns of project models that lookups read and that an index the model declares leads (unique, db_index, Meta.indexes, unique_together, UniqueConstraint), cited at the field, as ORM007 reads an index; and declared indexes over several columns whose first two a lookup reads (unique_together (user, currency) for get(user=..., currency=...)), cited at the model"},
	{"django.eager_loading", "select_related / prefetch_related calls"},
	{"django.pagination", "pagination (Paginator, DRF pagination classes, paginate_by, pagination_class)"},
	{"django.indexes", "indexes declared (db_index=True, Meta.indexes, models.Index, AddIndex)"},
	{"django.caching", "caching (django.core.cache, cache_page, django_redis)"},
	{"db.writes", "ORM writes (create, save, update, delete, bulk_create)"},
	{"side_effects", "side effects that cannot be rolled back (Celery .delay/.apply_async, send_mail)"},
	{"txn.atomic", "transaction.atomic used (a with block, a call or a decorator, with or without parentheses), or ATOMIC_REQUESTS set to True in the settings"},
	{"txn.on_commit", "transaction.on_commit used"},
	{"http.outbound_calls", "outbound HTTP calls (requests, httpx, aiohttp, urllib, or a session/client attribute), and payment SDK requests (stripe.checkout.Session.create; not its local signature checks)"},
	{"http.timeouts", "outbound HTTP calls passing timeout= (as NET001 reads a call's timeout)"},
	{"http.calls_without_timeout", "outbound HTTP calls with neither timeout= nor **kwargs (a payment SDK request without one: the SDK's default applies)"},
	{"http.retry_config", "retry policy, as NET004 reads one: urllib3 Retry, HTTPAdapter(max_retries=) or httpx retries= other than 0, tenacity / backoff / retrying calls, retry decorators (@retry, @backoff.on_exception, @with_retries), and loops retrying an HTTP call by hand with a growing sleep"},
	{"http.circuit_breaker", "circuit breaker, as NET005 finds one: an import of pybreaker, circuitbreaker, aiobreaker, purgatory..., a class, decorator or callee named for a breaker (CircuitBreaker, BreakerBoard, @breaker)"},
	{"idempotency.keys", "idempotency keys (names or strings mentioning idempotency)"},
	{"logging.calls", "logging calls on the loggers the LOG rules recognise (getLogger / get_task_logger / structlog bindings, loguru, logger-like names)"},
	{"logging.structured", "logging calls with extra= or structlog key-value pairs, and files importing structlog"},
	{"logging.exception", "logging calls that record the traceback (logger.exception, exc_info= not False)"},
	{"code.print_calls", "print() calls used as logging, as LOG003 reads them (not file= output, not in print_*/show_*/dump_* functions), outside tests, scripts and management commands"},
	{"endpoints.count", "endpoints of the inventory (`rubric endpoints`): routed views, and views whose shape leaves no doubt"},
	{"endpoints.state_changing", "endpoints that write rows, queue tasks or move money through an unsafe method (POST, PUT, PATCH, DELETE, or any method)"},
	{"endpoints.moving_money", "state-changing endpoints that move money: a write of a model holding a balance or an amount, a payment SDK call"},
	{"endpoints.authorised", "state-changing endpoints whose unsafe methods require an authenticated or staff caller, and webhook receivers that verify their deliveries, cited where that is written"},
	{"endpoints.open_writes", "state-changing endpoints anonymous callers reach through an unsafe method (webhook receivers that verify nothing included)"},
	{"endpoints.auth_unknown", "state-changing endpoints whose protection rubric cannot read (a project permission class, middleware, an unknown decorator, a webhook handed to code outside the project)"},
	{"endpoints.unscoped_writes", "endpoints that change an existing row (PUT, PATCH, DELETE, a DRF update or destroy) for any authenticated caller with nothing showing the row is the caller's: no get_queryset, get_object or filter_backends, no owner filter, object permission, staff requirement or check of request.user"},
	{"endpoints.open_reads", "endpoints that serve rows of the project's models to anonymous callers through GET (or any method) because nothing was declared (no permission class, decorator or settings entry), without checking the caller or reading request.user (webhook receivers aside)"},
	{"webhooks.endpoints", "webhook receivers of the endpoint inventory (named or routed for webhooks, or csrf_exempt views reading the raw body)"},
	{"webhooks.verified", "webhook receivers whose deliveries are verified (a signature, an HMAC, a provider SDK, a shared secret), cited at the check"},
	{"webhooks.unverified", "webhook receivers that verify nothing: not in the handler, the project functions it calls, its decorators or its class"},
	{"webhooks.undecided", "webhook receivers that hand the request to code outside the project, which may verify it"},
	{"webhooks.replay_guards", "webhook receivers that refuse a replayed delivery, cited at the check: a timestamp tolerance or nonce, a de-duplication on the event id (an exists() check whose if leaves or branches, a get_or_create whose created flag decides or that is keyed by the event id, a lookup on an event or delivery id), or a provider SDK that checks the timestamp"},
	{"webhooks.unrouted_handlers", "functions named *webhook* taking a request that the endpoint inventory does not list (no route rubric reads reaches them): judged by name"},
	{"webhooks.handlers", "functions named *webhook*"},
	{"webhooks.signature_checks", "signatures verified, as the endpoint inventory reads them: compare_digest, constant_time_compare, a provider SDK's construct_event / verify / unsign, hmac.new, verify_*() and check_signature-like calls"},
	{"security.constant_time_compare", "compare_digest (hmac, secrets) / constant_time_compare calls"},
	{"errors.handlers", "except clauses outside tests and migrations, scripts (manage.py, setup.py, scripts/) and seed data"},
	{"errors.specific_handlers", "except clauses naming an exception narrower than Exception, that do more than pass, or that pass over an IntegrityError (an insert that may already have happened)"},
	{"errors.client_errors", "expected failures answered by name: a Django or DRF exception that becomes a 4xx (ValidationError, PermissionDenied, Http404, rest_framework.exceptions.*) raised or built, or serializer.is_valid(raise_exception=True), outside tests, migrations and scripts"},
	{"errors.swallowed", "except clauses naming a specific exception whose body only passes (pass, continue, ..., a string), outside tests and migrations, scripts (manage.py, setup.py, scripts/) and seed data; an IntegrityError passed over (an insert that may already have happened) is a specific handler"},
	{"errors.broad_handlers", "bare except clauses and except Exception / BaseException outside tests and migrations, scripts (manage.py, setup.py, scripts/) and seed data"},
	{"errors.broad_unrecorded", "broad handlers (as errors.broad_handlers) other than fail-safe boundaries: a boundary logs the failure with its traceback (logger.exception, exc_info=True) and degrades (a health check, a cache wrapper returning the default) or re-raises it with a bare raise; one raising another exception is not"},
	{"di.injected_dependencies", "constructors (__init__) taking a client, session, gateway, repository or service"},
	{"celery.tasks", "Celery tasks (@shared_task, @app.task)"},
	{"celery.retry_config", "Celery tasks with autoretry_for / retry_backoff / max_retries that retry: autoretry_for, or a retry() their body calls on the task (max_retries alone on a task that never retries retries nothing)"},
	{"celery.time_limits", "Celery time limits: tasks declaring time_limit / soft_time_limit, and the global task_time_limit setting"},
}

var signalIndex = func() map[string]int {
	m := map[string]int{}
	for i, s := range signalCatalogue {
		m[s.name] = i
	}
	return m
}()

// KnownSignal reports whether a checklist may name the signal.
func KnownSignal(name string) bool { _, ok := signalIndex[name]; return ok }

// SignalNames lists every signal with its description, in catalogue order.
func SignalNames() [][2]string {
	out := make([][2]string, len(signalCatalogue))
	for i, s := range signalCatalogue {
		out[i] = [2]string{s.name, s.doc}
	}
	return out
}

// Signals holds every signal of one submission.
type Signals struct {
	byName map[string]*Signal
	// Authors are names from git logs, for --anonymize.
	Authors []string
	// ReadmeTitle is the README's first heading.
	ReadmeTitle string
	// Endpoints is the endpoint inventory, for the report's table.
	Endpoints []Endpoint
}

func newSignals() *Signals {
	s := &Signals{byName: map[string]*Signal{}}
	for _, c := range signalCatalogue {
		s.byName[c.name] = &Signal{Name: c.name, Doc: c.doc}
	}
	return s
}

// Value returns a signal's value (0 when unknown).
func (s *Signals) Value(name string) float64 {
	if g := s.byName[name]; g != nil {
		return g.Value
	}
	return 0
}

// Get returns a signal (nil when unknown).
func (s *Signals) Get(name string) *Signal { return s.byName[name] }

// List returns every signal in catalogue order, with Display filled.
func (s *Signals) List() []Signal {
	out := make([]Signal, 0, len(signalCatalogue))
	for _, c := range signalCatalogue {
		g := *s.byName[c.name]
		if g.Display == "" {
			g.Display = trimFloat(g.Value)
		}
		out = append(out, g)
	}
	return out
}

// evidenceCap bounds the evidence kept per signal.
const evidenceCap = 20

func (s *Signals) add(name string, ev ...Evidence) {
	g := s.byName[name]
	if g == nil {
		panic("report: unknown signal " + name)
	}
	g.Value++
	for _, e := range ev {
		if len(g.Evidence) < evidenceCap {
			g.Evidence = append(g.Evidence, e)
		}
	}
}

func (s *Signals) set(name string, v float64, display string) {
	g := s.byName[name]
	if g == nil {
		panic("report: unknown signal " + name)
	}
	g.Value, g.Display = v, display
}

func (s *Signals) flag(name string, ok bool, ev ...Evidence) {
	if ok {
		s.set(name, 1, "yes")
		s.byName[name].Evidence = append(s.byName[name].Evidence, ev...)
	} else {
		s.set(name, 0, "no")
	}
}

func trimFloat(v float64) string {
	if v == float64(int64(v)) {
		return fmt.Sprintf("%d", int64(v))
	}
	return fmt.Sprintf("%.2f", v)
}

// maxWalkFiles bounds the non-Python walk of a submission.
const maxWalkFiles = 200000

// CollectSignals computes the signals of a submission from the files under
// root and the parsed Python units of a run. prefix is prepended to paths
// found by walking root so that they match the run's display paths ("" when
// the run's working directory was root).
func CollectSignals(root, prefix string, res *analyzer.Result) *Signals {
	s := newSignals()
	var units []*project.Unit
	if res != nil && res.Index != nil {
		units = res.Index.Units
	}
	if root != "" {
		s.walkFiles(root, prefix)
	}
	c := &pyCollector{s: s, lookupKeys: map[string]bool{}, indexedSeen: map[string]bool{}, envModules: map[string]Evidence{}}
	if res != nil && res.Index != nil {
		c.sm = semantic.Of(res.Index)
	}
	lines := 0
	for _, u := range units {
		lines += u.File.LineCount()
		if r := u.Tree.Root(); r.HasError() && !pyast.PEP758Only(r) {
			s.add("syntax.errors", evidenceAt(u, pyast.FirstError(u.Tree.Root())))
		}
		c.unit(u)
	}
	c.importedEnvReads()
	c.literalSecretKey()
	c.runnableTests(res)
	if res != nil && res.Index != nil {
		s.envSecrets(res.Index, prefix)
		s.djangoUnlisted(res.Index)
		s.Endpoints = endpointsOf(res.Index)
		s.endpoints(c.webhookDefs)
		if len(c.floatBodies) > 0 && !c.decimalInput && c.moneyComputed {
			for _, fb := range c.floatBodies {
				fb.Note += ", and nothing in the product code converts input to Decimal while it computes balances: amounts arrive and are computed as floats"
				s.add("money.float_input", fb)
			}
		}
		s.models(res.Index, func(md *project.Model, key string) string {
			// A key the server generates (editable=False, default=) never holds what the
			// sender sent: checking it de-duplicates nothing.
			if c.sm != nil && c.sm.ServerFilledField(md, key) {
				return ""
			}
			switch {
			case c.lookupKeys[key]:
				return "looked up by product code before a write"
			case c.integrityHandled:
				return "an IntegrityError handler catches the repeat"
			}
			if c.sm != nil {
				if sc := c.sm.UniqueValidatedBy(md, key); sc != nil {
					return "`" + sc.Name + "` validates it unique before it writes (a repeat is refused)"
				}
			}
			return ""
		})
		if c.sm != nil {
			c.senderKeys()
		}
		// ATOMIC_REQUESTS wraps every view in a transaction: the
		// project manages its transactions, as an atomic block does.
		for _, st := range res.Index.Settings.Get("ATOMIC_REQUESTS") {
			if !st.InSettings || st.Value != project.ValueTrue {
				continue
			}
			ev := Evidence{Path: st.Rel, Line: st.Line, Note: "ATOMIC_REQUESTS runs every view in a transaction"}
			if u := res.Index.ByPath[st.Rel]; u != nil {
				ev.Code = clip(string(u.File.Line(st.Line)))
			}
			s.add("txn.atomic", ev)
			break
		}
		if st := res.Index.Settings.CeleryTimeLimit(); st != nil {
			ev := Evidence{Path: st.Rel, Line: st.Line}
			if u := res.Index.ByPath[st.Rel]; u != nil {
				ev.Code = clip(string(u.File.Line(st.Line)))
			}
			s.add("celery.time_limits", ev)
		}
		for _, m := range res.Index.Migrations.All {
			if res.Index.Migrations.Judged(m) {
				s.add("migrations.judged", Evidence{Path: m.Path})
			}
		}
	}
	s.set("python.files", float64(len(units)), "")
	s.set("python.lines", float64(lines), "")
	ratio := func(name string, n int) {
		if c.public == 0 {
			s.set(name, 0, "no public functions")
			return
		}
		v := float64(n) / float64(c.public)
		s.set(name, v, fmt.Sprintf("%.0f%% (%d of %d)", v*100, n, c.public))
	}
	s.set("functions.public", float64(c.public), "")
	ratio("types.coverage", c.typed)
	ratio("docstrings.coverage", c.documented)
	return s
}

// RootOf derives the analysed root and the display prefix from a run: a
// unit's opened path minus its root-relative path. It returns "" when the
// run parsed nothing.
func RootOf(res *analyzer.Result) (root, prefix string) {
	if res == nil || res.Index == nil || len(res.Index.Units) == 0 {
		return "", ""
	}
	u := res.Index.Units[0]
	p := filepath.ToSlash(u.File.Path)
	if !strings.HasSuffix(p, u.RootRel) {
		return "", ""
	}
	root = strings.TrimSuffix(p, u.RootRel)
	if root == "" {
		root = "."
	}
	prefix = strings.TrimSuffix(u.File.Rel, u.RootRel)
	return filepath.FromSlash(root), prefix
}

var (
	migrationRe = regexp.MustCompile(`(^|/)migrations/[0-9]{4}_[^/]*\.py$`)
	reqFileRe   = regexp.MustCompile(`(^|/)(requirements?[^/]*\.txt|requirements|requirements/[^/]+\.txt)$`)
	ciFileRe    = regexp.MustCompile(`^(\.github/workflows/[^/]+\.ya?ml|\.gitlab-ci\.ya?ml|\.circleci/config\.ya?ml|Jenkinsfile|azure-pipelines\.ya?ml|bitbucket-pipelines\.ya?ml|\.travis\.ya?ml|\.drone\.ya?ml|\.woodpecker\.ya?ml|\.woodpecker/[^/]+\.ya?ml)$`)
)

func (s *Signals) walkFiles(root, prefix string) {
	var files []string
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if len(files) >= maxWalkFiles {
			return filepath.SkipAll
		}
		name := d.Name()
		if d.IsDir() {
			if p != root && (analyzer.SkippedDirs[name] || strings.HasPrefix(name, ".") && name != ".github" && name != ".circleci" && name != ".woodpecker") {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return nil
		}
		files = append(files, filepath.ToSlash(rel))
		return nil
	})
	sort.Strings(files)
	s.set("files.total", float64(len(files)), "")
	var docker, compose, makefile, ci, lock []Evidence
	for _, rel := range files {
		base := path.Base(rel)
		ev := Evidence{Path: prefix + rel}
		lower := strings.ToLower(base)
		switch {
		case migrationRe.MatchString(rel):
			s.add("migrations.count", ev)
		case rel == base && (lower == "readme.md" || lower == "readme.rst" || lower == "readme.txt" || lower == "readme"):
			if s.Value("readme.present") == 0 {
				s.readme(root, prefix, rel, files)
			}
		case reqFileRe.MatchString(rel):
			s.add("deps.files", ev)
			s.requirements(filepath.Join(root, filepath.FromSlash(rel)), ev.Path)
		case base == "poetry.lock" || base == "uv.lock" || base == "Pipfile.lock" || base == "pdm.lock":
			s.add("deps.files", ev)
			lock = append(lock, ev)
		case base == "pyproject.toml" || base == "Pipfile" || base == "setup.py" || base == "setup.cfg":
			s.add("deps.files", ev)
		case base == "Dockerfile" || strings.HasPrefix(base, "Dockerfile.") || strings.HasSuffix(base, ".Dockerfile"):
			docker = append(docker, ev)
		case strings.HasPrefix(lower, "docker-compose") && (strings.HasSuffix(lower, ".yml") || strings.HasSuffix(lower, ".yaml")) || lower == "compose.yml" || lower == "compose.yaml":
			compose = append(compose, ev)
		case base == "Makefile" || base == "makefile" || base == "GNUmakefile" || base == "justfile" || base == "Justfile":
			makefile = append(makefile, ev)
		}
		if ciFileRe.MatchString(rel) {
			ci = append(ci, ev)
		}
	}
	s.namedRequirements(root, prefix, files)
	s.flag("docker.present", len(docker) > 0, docker...)
	s.flag("compose.present", len(compose) > 0, compose...)
	s.flag("makefile.present", len(makefile) > 0, makefile...)
	s.flag("ci.present", len(ci) > 0, ci...)
	s.flag("deps.lockfile", len(lock) > 0, lock...)
	s.decisions(root, prefix, files)
	s.django(root, prefix)
	s.Authors = gitAuthors(root)
}

// maxTextFile bounds the README and requirement files read.
const maxTextFile = 1 << 20

// readSmall reads the first maxTextFile bytes of a regular file found by
// the walk: a link, a FIFO or a device is not read (safeio).
func readSmall(file string) []byte {
	data, _ := safeio.ReadPrefix(file, maxTextFile)
	return data
}

var readmeSections = []struct {
	signal string
	words  []string
}{
	// Russian headings too: a frequent language of take-homes
	// ("Установка", "Быстрый старт", "Запуск тестов", "Архитектура").
	{"readme.setup", []string{"setup", "set-up", "set up", "install", "getting started", "requirements", "prerequisites", "quickstart", "quick start",
		"установка", "настройка", "быстрый старт",
		// Spanish and Portuguese (instalación, instalação, configuración).
		"instalaci", "instalaç", "configuraci", "configuraç", "requisitos"}},
	// "api" is not a run heading: "## API description" documents the
	// endpoints, not how to start the service.
	// Not "Запуск" (launch): such sections often stop at installing.
	{"readme.run", []string{"run", "usage", "start", "quickstart", "quick start", "how to use",
		"быстрый старт"}},
	// Russian: the noun's forms only ("тесты", "тестов", "тестирование"),
	// not the adjective of "Тестовое задание" (the test assignment).
	// Spanish "pruebas" only in the plural: "Prueba técnica" is the
	// assignment's own title.
	{"readme.test", []string{"test", "тесты", "запуск тестов", "прогон тестов", "тестирован", "pruebas", "testes"}},
	{"readme.decisions", []string{"design", "decision", "trade-off", "tradeoff", "trade off", "architecture", "assumption", "approach", "rationale", "why", "considerations", "limitations", "future", "improvement",
		"implementation", "how it works", "how it's built", "how it’s built", "how it is built", "notes", "thoughts",
		"архитектур", "решени", "имплементаци", "реализаци", "допущени", "компромисс",
		// Spanish and Portuguese: supuestos (assumptions), decisiones,
		// decisões, arquitectura, consideraciones, mejoras, melhorias.
		"supuesto", "suposici", "premissa", "decis", "arquitect", "arquitet", "consideraci", "consideraç",
		"limitaci", "limitaç", "mejora", "melhoria", "notas", "diseño", "enfoque", "abordagem"}},
}

// readme records the README and which sections its headings cover.
// Markdown headings (#) outside code fences and reStructuredText titles
// (a line underlined with = - ~ ^) count; body text does not.
func (s *Signals) readme(root, prefix, rel string, files []string) {
	src := project.DecodeText(readSmall(filepath.Join(root, filepath.FromSlash(rel))))
	s.flag("readme.present", true, Evidence{Path: prefix + rel})
	s.readmeText(src, prefix+rel, true)
	// Set-up, tests and decisions are often kept in pages the README
	// links to (`[installation](docs/index.md)`): the pages of the tree
	// it links to count as part of it. Only files the walk listed are
	// read (regular files inside the tree).
	// A contents page (docs/index.md) leads one level further.
	seen := map[string]bool{rel: true}
	type page struct {
		src, rel string
		depth    int
	}
	queue := []page{{src, rel, 0}}
	for read := 0; len(queue) > 0; {
		p := queue[0]
		queue = queue[1:]
		for _, link := range readmeLinks(p.src, path.Dir(p.rel)) {
			if read == maxReadmeLinks {
				break
			}
			// A link to a directory of the tree (`[Task 1](online_store_api)`)
			// shows its README, as code hosts render it.
			if !pageExt(link) {
				if link = dirReadme(files, link); link == "" {
					continue
				}
			}
			if i := sort.SearchStrings(files, link); seen[link] || i == len(files) || files[i] != link {
				continue
			}
			seen[link] = true
			read++
			text := project.DecodeText(readSmall(filepath.Join(root, filepath.FromSlash(link))))
			s.readmeText(text, prefix+link, false)
			if p.depth+1 < maxReadmeDepth {
				queue = append(queue, page{text, link, p.depth + 1})
			}
		}
	}
	for _, sec := range readmeSections {
		if s.Value(sec.signal) == 0 {
			s.set(sec.signal, 0, "no")
		}
	}
}

// maxReadmeLinks bounds the linked pages read; maxReadmeDepth the links
// followed from the README (2: its pages, and the pages they link to).
const (
	maxReadmeLinks = 8
	maxReadmeDepth = 2
)

// readmeLinkRe matches a Markdown link to a local Markdown or
// reStructuredText page, or to a directory (a path whose last part has no
// extension, with or without a trailing slash).
var readmeLinkRe = regexp.MustCompile(`\]\(\s*([^()\s#?:]+\.(?:md|rst|txt)|(?:\./)?[^()\s#?:.][^()\s#?:]*)\s*(?:#[^)]*)?\)`)

// pageExt reports a link to a Markdown, reStructuredText or text page.
func pageExt(rel string) bool {
	switch strings.ToLower(path.Ext(rel)) {
	case ".md", ".rst", ".txt":
		return true
	}
	return false
}

// dirReadme returns the README of the directory rel of the tree (files is
// sorted), or "" when rel is no directory holding one.
func dirReadme(files []string, rel string) string {
	if path.Ext(rel) != "" {
		return ""
	}
	dir := strings.TrimSuffix(rel, "/") + "/"
	for i := sort.SearchStrings(files, dir); i < len(files) && strings.HasPrefix(files[i], dir); i++ {
		base := strings.ToLower(files[i][len(dir):])
		if base == "readme.md" || base == "readme.rst" || base == "readme.txt" || base == "readme" {
			return files[i]
		}
	}
	return ""
}

// readmeLinks returns the tree-relative paths of the local pages a README
// in dir links to, in order, each once; links that leave the tree, absolute
// URLs and the README itself are left out. A link starting with / is read
// from the tree's root, as code hosts render it.
func readmeLinks(src, dir string) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range readmeLinkRe.FindAllStringSubmatch(src, -1) {
		target := m[1]
		var rel string
		if strings.HasPrefix(target, "/") {
			rel = path.Clean(strings.TrimPrefix(target, "/"))
		} else {
			rel = path.Clean(path.Join(dir, target))
		}
		if rel == "." || rel == ".." || strings.HasPrefix(rel, "../") || strings.HasPrefix(rel, "/") || seen[rel] ||
			strings.HasPrefix(strings.ToLower(path.Base(rel)), "readme") && path.Dir(rel) == dir {
			continue
		}
		seen[rel] = true
		out = append(out, rel)
	}
	return out
}

// testCommandRe matches a command that runs a Python project's tests.
// A line that installs packages (`pip install pytest-django`) runs nothing.
var testCommandRe = regexp.MustCompile(`(^|[\s'"(])(pytest|py\.test|tox|nox|make test|just test|(\./)?manage\.py test|python3? -m (pytest|unittest))($|[\s'";)&|])`)

// readmeText records the run command, the test command and the sections
// of one README page (the README or a page it links to). The first heading
// of the README itself (root) is its title, which names the project or the
// assignment ("# Payments test task", "# Self_Test"): it opens no section
// about running the tests unless it is one ("# Tests").
func (s *Signals) readmeText(src, rel string, root bool) {
	title := root
	lines := strings.Split(src, "\n")
	for i, line := range lines {
		if cmd := runCommand(line); cmd != "" && len(s.byName["readme.run"].Evidence) < evidenceCap {
			s.set("readme.run", 1, "yes")
			s.byName["readme.run"].Evidence = append(s.byName["readme.run"].Evidence, Evidence{Path: rel, Line: i + 1, Code: clip(line), Note: "runs it with `" + cmd + "`"})
			break
		}
	}
	fence := ""
	blank := true // the previous line is blank (an indented code block may start)
	for i, line := range lines {
		t := strings.TrimSpace(line)
		// A fence may open after a list marker (`- ```sh`). As Markdown
		// renders it, a fence closes only on a line of the same
		// backticks or tildes with no info string: "```bash" inside an
		// open block is code.
		if f := listMarkerRe.ReplaceAllString(t, ""); strings.HasPrefix(f, "```") || strings.HasPrefix(f, "~~~") {
			marker := f[:3]
			switch {
			case fence == "":
				fence = marker
				continue
			case strings.HasPrefix(f, fence) && strings.Trim(f, marker[:1]) == "":
				fence = ""
				continue
			}
		}
		// A line of a code block (fenced, or indented by four spaces or
		// a tab after a blank line) that runs the tests says how to. An
		// indented line may also continue a list item (a heading in it
		// still renders as one), so it is read as both.
		indented := fence == "" && (strings.HasPrefix(line, "    ") || strings.HasPrefix(line, "\t")) && t != "" && blank
		if fence != "" || indented {
			low := strings.ToLower(strings.TrimPrefix(t, "$ "))
			if m := testCommandRe.FindStringSubmatch(low); m != nil && !strings.Contains(low, "install") && s.Value("readme.test") == 0 {
				s.set("readme.test", 1, "yes")
				s.byName["readme.test"].Evidence = append(s.byName["readme.test"].Evidence, Evidence{Path: rel, Line: i + 1, Code: clip(t), Note: "runs the tests with `" + m[2] + "`"})
			}
			if fence != "" {
				continue
			}
		}
		// A prose line says how to run the tests when it holds a test
		// command in an inline code span ("run the tests: `python
		// manage.py test`"), or speaks of tests and names the command
		// ("Запуск тестов - команда pytest").
		if s.Value("readme.test") == 0 {
			if cmd := proseTestCommand(t); cmd != "" {
				s.set("readme.test", 1, "yes")
				s.byName["readme.test"].Evidence = append(s.byName["readme.test"].Evidence, Evidence{Path: rel, Line: i + 1, Code: clip(t), Note: "runs the tests with `" + cmd + "`"})
			}
		}
		// An indented block runs on over its lines.
		afterBlank := blank
		blank = t == "" || indented
		heading, pseudo := "", false
		switch {
		case strings.HasPrefix(t, "#"):
			heading = strings.TrimSpace(strings.TrimLeft(t, "#"))
		case i+1 < len(lines) && t != "" && isUnderline(strings.TrimSpace(lines[i+1])):
			heading = t
		case afterBlank && !indented:
			heading = pseudoHeading(t)
			pseudo = heading != ""
		}
		if heading == "" {
			continue
		}
		if s.ReadmeTitle == "" && !pseudo {
			s.ReadmeTitle = heading
		}
		isTitle := title && !pseudo
		if !pseudo {
			title = false
		}
		low := strings.ToLower(heading)
		for _, sec := range readmeSections {
			if sec.signal == "readme.test" && (isTitle && !testsTitle(low) || assignmentHeading(low)) {
				continue
			}
			// A line set apart as a heading ("Notes for viewers:") opens
			// a section of decisions; set-up, run and test sections are
			// judged on real headings and commands.
			if pseudo && sec.signal != "readme.decisions" {
				continue
			}
			if sec.signal == "readme.test" && (manualTestHeading(low) || !testsSectionShowsCommand(lines, i)) {
				continue
			}
			if sec.signal == "readme.decisions" && (fileMapSection(lines, i) || taskHeading(low) || assignmentHeading(low) ||
				listingOnly(low) && !sectionGivesReasons(lines, i)) {
				continue
			}
			for _, w := range sec.words {
				if containsWord(low, w) {
					if s.Value(sec.signal) == 0 {
						s.set(sec.signal, 1, "yes")
					}
					g := s.byName[sec.signal]
					if len(g.Evidence) < evidenceCap {
						g.Evidence = append(g.Evidence, Evidence{Path: rel, Line: i + 1, Code: clip(t)})
					}
					break
				}
			}
		}
	}
}

// testsTitleWords are the words of a README whose first heading is
// already its tests section ("# Tests", "# Running the tests").
var testsTitleWords = map[string]bool{"test": true, "tests": true, "testing": true, "run": true, "running": true, "the": true,
	"how": true, "to": true, "unit": true, "automated": true, "тесты": true, "тестов": true, "запуск": true, "тестирование": true}

// testsTitle reports a README title (lower case) made of testsTitleWords
// alone: a section, not the project's or the assignment's name ("# Self_Test",
// "# Payments test task").
func testsTitle(low string) bool {
	words := strings.FieldsFunc(low, func(r rune) bool { return !unicode.IsLetter(r) })
	for _, w := range words {
		if !testsTitleWords[w] {
			return false
		}
	}
	return len(words) > 0
}

// assignmentWords name the take-home assignment itself ("About This
// Project (Test Assignment)"), not its tests.
var assignmentWords = []string{"test task", "test assignment", "test project", "тестовое задание", "тестового задания"}

// assignmentHeading reports a heading (lower case) that names the
// assignment.
func assignmentHeading(low string) bool {
	for _, w := range assignmentWords {
		if containsWord(low, w) {
			return true
		}
	}
	return false
}

// pseudoHeadingRe matches a line written as a heading without Markdown's
// #: wholly bold ("**Design notes**", "**Trade-offs:**"), or a short label
// ending with a colon ("Notes for viewers:", "Noteworthy comments and
// thoughts:").
var (
	boldHeadingRe  = regexp.MustCompile(`^(?:\*\*([^*` + "`" + `]+?):?\*\*|__([^_` + "`" + `]+?):?__):?$`)
	colonHeadingRe = regexp.MustCompile(`^([^*_` + "`" + `#\[\].!?:]+):$`)
)

// remarkWords are the words a colon label uses for its author's own
// remarks. A label such as "Limitations:" or "Implementation:" as often
// introduces the assignment's text as the author's, so only these count.
var remarkWords = []string{"note", "notes", "thoughts", "remarks", "comments", "design", "decision", "trade-off", "tradeoff",
	"assumption", "rationale", "why", "примечани", "замечани", "решени", "допущени", "notas", "supuesto", "decis"}

// pseudoHeading returns the text of a line that stands as a heading of
// decisions after a blank line, or "": wholly bold, in at most eight words;
// or a label of at most five words ending with a colon that names its
// author's remarks (remarkWords). A list item is no heading.
func pseudoHeading(t string) string {
	if listMarkerRe.MatchString(t) {
		return ""
	}
	if m := boldHeadingRe.FindStringSubmatch(t); m != nil {
		h := strings.TrimSpace(m[1] + m[2])
		if n := len(strings.Fields(h)); n > 0 && n <= 8 {
			return h
		}
		return ""
	}
	m := colonHeadingRe.FindStringSubmatch(t)
	if m == nil {
		return ""
	}
	h := strings.TrimSpace(m[1])
	if n := len(strings.Fields(h)); n == 0 || n > 5 {
		return ""
	}
	low := strings.ToLower(h)
	for _, w := range remarkWords {
		if containsWord(low, w) {
			return h
		}
	}
	return ""
}

// requirementWords name the assignment's own requirements; decisionWords
// the author's choices.
var (
	requirementWords = []string{"requirement", "требовани", "requisito", "requerimiento"}
	decisionWords    = []string{"design", "decision", "trade-off", "tradeoff", "trade off", "assumption", "rationale", "why",
		"решени", "допущени", "компромисс", "supuesto", "decis"}
)

// taskHeading reports a heading (lower case) over the assignment's
// requirements ("Requirements for implementation"), which states the task,
// not what its author decided, unless it names decisions as well.
func taskHeading(low string) bool {
	has := func(words []string) bool {
		for _, w := range words {
			if containsWord(low, w) {
				return true
			}
		}
		return false
	}
	return has(requirementWords) && !has(decisionWords)
}

// fileMapLineRe matches a line of a project map: a file or directory
// (`views.py`, `app/`, `tests/`, `entrypoint.sh`), in backticks or bold or
// not, after an optional list marker, then a dash or colon and its role
// ("views.py — контроллеры", "- `models.py`: the models"); or a line of a
// drawn tree (├── └── │).
var fileMapLineRe = regexp.MustCompile(`^(?:[-*+]\s+|\d+[.)]\s+)?[*_` + "`" + `]*[\w.-]*(?:/[\w.-]*)*(?:\.[a-z]{1,5}|/)[*_` + "`" + `]*\s*(?:[—–:-]|$)|^[│├└|` + "`" + `\s-]*[├└│]`)

// fileMapSection reports a heading (at line i) whose section, up to the
// next heading, holds nothing but a map of the project's files and their
// roles: "## Architecture" over "views.py — controllers, services.py —
// business logic" lists the structure, it does not say why. Blank lines
// and code fences are skipped; a section with no line at all is not a map
// (its text may be in sub-sections).
func fileMapSection(lines []string, i int) bool {
	n := 0
	fence := false
	for j := i + 1; j < len(lines); j++ {
		t := strings.TrimSpace(lines[j])
		if j == i+1 && isUnderline(t) {
			continue
		}
		if strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			fence = !fence
			continue
		}
		if t == "" {
			continue
		}
		if !fence && (strings.HasPrefix(t, "#") || j+1 < len(lines) && isUnderline(strings.TrimSpace(lines[j+1]))) {
			break
		}
		if !fileMapLineRe.MatchString(t) {
			return false
		}
		n++
	}
	return n > 0
}

// proseTestCommand returns the test command a prose line of a README
// gives, or "": the line must speak of tests outside its code spans (test,
// tests, testing, тест...), and give the command in an inline code span
// ("run the tests: `python manage.py test`") or plainly ("Запуск тестов -
// команда pytest"). A tool named in a list of technologies ("* `Pytest`")
// is not a command; installing is not running ("pip install pytest").
func proseTestCommand(t string) string {
	low := strings.ToLower(t)
	if strings.Contains(low, "install") {
		return ""
	}
	spans := strings.Split(low, "`")
	var prose strings.Builder
	for i := 0; i < len(spans); i += 2 {
		prose.WriteString(spans[i] + " ")
	}
	// The word must be the prose's, not the command's own ("manage.py
	// test" alone on a line is a command outside a code block).
	p := prose.String()
	m := testCommandRe.FindStringSubmatchIndex(p)
	rest := p
	if m != nil {
		rest = p[:m[0]] + " " + p[m[1]:]
	}
	if !containsWord(rest, "test") && !strings.Contains(rest, "тест") {
		return ""
	}
	for i := 1; i < len(spans)-1; i += 2 {
		if m := testCommandRe.FindStringSubmatch(strings.TrimPrefix(strings.TrimSpace(spans[i]), "$ ")); m != nil {
			return m[2]
		}
	}
	if m != nil {
		return p[m[4]:m[5]]
	}
	return ""
}

// sectionLine is one line of a README section: its text, lower case, and
// whether it is code (fenced, or indented after a blank line).
type sectionLine struct {
	low  string
	code bool
}

// sectionAfter returns the lines of the section under the heading at line
// i: up to the next heading of the same or a higher level (any heading,
// for an underlined heading or a line set apart as one). Fence lines are
// left out; a "#" line inside a fence is code, not a heading.
func sectionAfter(lines []string, i int) []sectionLine {
	level := func(j int) int {
		t := strings.TrimSpace(lines[j])
		if strings.HasPrefix(t, "#") {
			return len(t) - len(strings.TrimLeft(t, "#"))
		}
		return 0
	}
	own := level(i)
	var out []sectionLine
	fence := ""
	blank := false
	for j := i + 1; j < len(lines); j++ {
		line := lines[j]
		t := strings.TrimSpace(line)
		if j == i+1 && isUnderline(t) {
			continue
		}
		if f := listMarkerRe.ReplaceAllString(t, ""); strings.HasPrefix(f, "```") || strings.HasPrefix(f, "~~~") {
			switch {
			case fence == "":
				fence = f[:3]
				continue
			case strings.HasPrefix(f, fence) && strings.Trim(f, fence[:1]) == "":
				fence = ""
				continue
			}
		}
		low := strings.ToLower(t)
		if fence != "" || blank && (strings.HasPrefix(line, "    ") || strings.HasPrefix(line, "\t")) {
			out = append(out, sectionLine{low, true})
			continue
		}
		if l := level(j); l > 0 && (own == 0 || l <= own) || own == 0 && t != "" && j+1 < len(lines) && isUnderline(strings.TrimSpace(lines[j+1])) {
			break
		}
		out = append(out, sectionLine{low, false})
		blank = t == ""
	}
	return out
}

// testsSectionShowsCommand reports whether the section under a heading
// about tests (at line i) shows how to run them: a line of code (fenced,
// indented, or an inline code span) that names the tests ("`./run_tests.sh`",
// "make tests", "docker compose exec web pytest"), or a prose line holding a
// test command ("1. python manage.py test"). The heading alone says
// only that there are tests ("## Testing" over "The API is covered by
// tests", "### Testing and Documentation" over the assignment's wishes, "#
// Test" over instructions to the candidate), not which command runs them.
// A test command the code-block reading knows counts wherever it is, so
// this decides only what a heading adds.
func testsSectionShowsCommand(lines []string, i int) bool {
	for _, l := range sectionAfter(lines, i) {
		if strings.Contains(l.low, "install") {
			continue
		}
		if l.code {
			if strings.Contains(l.low, "test") {
				return true
			}
			continue
		}
		// Under the heading, a prose line holding a test command is the
		// command ("1. python manage.py test", "> cd app; pytest").
		if testCommandRe.MatchString(l.low) {
			return true
		}
		spans := strings.Split(l.low, "`")
		for k := 1; k < len(spans)-1; k += 2 {
			if strings.Contains(spans[k], "test") {
				return true
			}
		}
	}
	return false
}

// listingDecisionWords are the words of a heading that as often stands over
// a list of features, to-dos or reminders as over decisions: "Future
// Enhancements" over "Stripe integration, Email sending", "Notes" over
// "Follow PEP 8", "Security Considerations" over what the code does. A
// heading naming decisions, design, architecture or assumptions is not one.
var listingDecisionWords = []string{"future", "improvement", "enhancement", "notes", "note", "remarks", "comments", "considerations", "limitations",
	"consideraci", "consideraç", "limitaci", "limitaç", "mejora", "melhoria", "notas", "примечани", "замечани"}

// reasonWords are the words in which an author gives a reason or weighs a
// choice: "because", "instead of", "I decided", "would need", "we assume".
var reasonWords = []string{"because", "since", "so that", "instead", "rather than", "trade-off", "tradeoff", "trade off", "chose", "choose", "choice", "decid", "decision",
	"assum", "would", "could", "given", "ideally", "prefer", "for simplicity", "out of scope", "scope", "time limit", "ran out of time",
	"потому", "так как", "вместо", "чтобы", "решил", "выбрал", "допущ", "предполага", "поскольку",
	"porque", "ya que", "en lugar", "decid", "elegí", "pois", "em vez", "escolh"}

// listingOnly reports a decisions heading (lower case) made only of
// listingDecisionWords: none of the other decision words is in it.
func listingOnly(low string) bool {
	listing := false
	for _, w := range listingDecisionWords {
		if containsWord(low, w) {
			listing = true
			break
		}
	}
	if !listing {
		return false
	}
	for _, w := range readmeSections[3].words {
		if containsWord(low, w) && !slices.ContainsFunc(listingDecisionWords, func(l string) bool { return strings.HasPrefix(w, l) || strings.HasPrefix(l, w) }) {
			return false
		}
	}
	return true
}

// sectionGivesReasons reports whether the prose of the section under the
// heading at line i gives a reason (reasonWords): a list of features to
// come or of reminders writes no decision down.
func sectionGivesReasons(lines []string, i int) bool {
	for _, l := range sectionAfter(lines, i) {
		if l.code {
			continue
		}
		for _, w := range reasonWords {
			if containsWord(l.low, w) {
				return true
			}
		}
	}
	return false
}

// manualTestWords mark a heading about trying the API by hand ("API Test
// Postman", "Testing with curl"), not about running the test suite.
var manualTestWords = []string{"postman", "curl", "swagger", "insomnia", "httpie", "manual", "api", "endpoint"}

// manualTestHeading reports a heading (lower case) about testing the API
// by hand.
func manualTestHeading(low string) bool {
	for _, w := range manualTestWords {
		if containsWord(low, w) {
			return true
		}
	}
	return false
}

// runCommands are the commands that start a Django project, as a README
// shows them.
var runCommands = []string{"python manage.py runserver", "python3 manage.py runserver", "./manage.py runserver", "django-admin runserver",
	"docker compose up", "docker-compose up", "make run", "make up", "make dev", "make start", "make serve", "uvicorn ", "gunicorn ",
	"daphne ", "celery -a", "celery worker", "just run", "poetry run python manage.py runserver", "uv run python manage.py runserver",
	"pipenv run python manage.py runserver"}

// runCommand returns the run command a README line shows, or "": the line
// must be the command itself (in a code block, after a "$ " prompt, a list
// marker or an HTML <pre> tag), or hold it in backticks next to an
// instruction ("Execute `docker compose up`"), in a numbered step of any
// language ("7. Correr el servidor con `python manage.py runserver`"), or
// as what a colon announces ("Запустить сервер: `python manage.py
// runserver`"); prose that mentions a command does not count.
func runCommand(line string) string {
	t := strings.ToLower(strings.TrimSpace(line))
	step := numberedStepRe.MatchString(t)
	t = listMarkerRe.ReplaceAllString(t, "")
	// A command in bold (`**./manage.py runserver**`) is set apart as one
	// in backticks is; one in an HTML block (`<pre>python manage.py
	// runserver</pre>`) is a line of code.
	t = strings.ReplaceAll(t, "**", "`")
	t = strings.TrimSpace(htmlCodeTagRe.ReplaceAllString(t, ""))
	if c := commandLine(trimPrompt(strings.TrimPrefix(t, "`"))); c != "" {
		return c
	}
	// The command as what the line ends on, after a colon: "Start the
	// containers with the command: docker compose up --build" (in any
	// language: the command is the object the colon announces), in
	// backticks or not.
	if i := strings.LastIndex(t, ": "); i >= 0 {
		if c := commandLine(trimPrompt(strings.TrimPrefix(strings.TrimSpace(t[i+2:]), "`"))); c != "" {
			return c
		}
	}
	spans := strings.Split(t, "`")
	var prose strings.Builder
	for i := 0; i < len(spans); i += 2 {
		prose.WriteString(spans[i] + " ")
	}
	if !step && !instructionRe.MatchString(prose.String()) {
		return ""
	}
	for i := 1; i < len(spans)-1; i += 2 {
		if c := commandLine(trimPrompt(strings.TrimSpace(spans[i]))); c != "" {
			return c
		}
	}
	return ""
}

var (
	listMarkerRe  = regexp.MustCompile(`^([-*+>]|[0-9]+[.)])\s+`)
	instructionRe = regexp.MustCompile(`\b(run|runs|running|execute|start|launch|type|use|using|with|then|via|command)\b|^\s*$`)
	// numberedStepRe matches a numbered step ("7. ", "3) "): an
	// instruction in whatever language it is written.
	numberedStepRe = regexp.MustCompile(`^[0-9]+[.)]\s+`)
	htmlCodeTagRe  = regexp.MustCompile(`</?(pre|code)>`)
	// shellSetupRe matches a command that prepares a shell for the next
	// one on its line (`cd app && ...`, `export $(cat .env | xargs) &&
	// ...`, `DEBUG=1 ...`).
	shellSetupRe = regexp.MustCompile(`^(cd|export|source|set|env|\.)\s|^[a-z_][a-z0-9_]*=\S*$`)
)

// promptRe matches a shell prompt written before a command: "$ ", "~ ",
// "~$ ", "~/app$ ", "% ".
var promptRe = regexp.MustCompile(`^(?:~\S*\$|\$|~|%)\s+`)

// trimPrompt removes a shell prompt from the start of a command line.
func trimPrompt(t string) string { return promptRe.ReplaceAllString(t, "") }

// commandLine returns the run command a command line starts with, or the
// one that follows a shell's preparation of it: `cd app && python manage.py
// runserver`.
func commandLine(t string) string {
	if c := startsWithRunCommand(t); c != "" {
		return c
	}
	parts := strings.Split(t, "&&")
	for i := 1; i < len(parts) && shellSetupRe.MatchString(strings.TrimSpace(parts[i-1])); i++ {
		if c := startsWithRunCommand(strings.TrimSpace(parts[i])); c != "" {
			return c
		}
	}
	return ""
}

// composeFlagsRe matches compose options between `docker compose` and
// `up` (`docker-compose -f docker-compose.yml up`).
var composeFlagsRe = regexp.MustCompile(`^(docker[- ]compose)(?:\s+(?:-f|--file|-p|--project-name|--env-file)\s+\S+)+\s+up\b`)

func startsWithRunCommand(t string) string {
	t = composeFlagsRe.ReplaceAllString(t, "$1 up")
	for _, c := range runCommands {
		if strings.HasPrefix(t, c) || t == strings.TrimSpace(c) {
			return strings.TrimSpace(c)
		}
	}
	// `docker run` starts the project's own image (`docker run -p
	// 8000:8000 app`), not a database or a broker it needs (`docker run
	// -d -p 6379:6379 redis`).
	if strings.HasPrefix(t, "docker run ") && !runsBackingService(t) {
		return "docker run"
	}
	return ""
}

// backingServices are images of the databases, brokers and caches a
// project runs beside it.
var backingServices = map[string]bool{"redis": true, "postgres": true, "postgresql": true, "mysql": true, "mariadb": true,
	"rabbitmq": true, "mongo": true, "mongodb": true, "memcached": true, "elasticsearch": true, "kafka": true,
	"zookeeper": true, "minio": true, "mailhog": true, "localstack": true, "valkey": true}

// runsBackingService reports a `docker run` line whose image is one of
// backingServices (`redis:alpine`, `bitnami/postgresql:16`).
func runsBackingService(t string) bool {
	for _, f := range strings.Fields(t)[2:] {
		name, _, _ := strings.Cut(f, ":")
		name = strings.Trim(path.Base(name), "`")
		if backingServices[name] {
			return true
		}
	}
	return false
}

// decisionFileRe names design notes kept beside the README.
var decisionFileRe = regexp.MustCompile(`(?i)(^|/)(design|decisions?|design[-_]decisions?|architecture|adr|tradeoffs?|trade[-_]offs?|notes|rationale)[^/]*\.(md|rst|txt)$|(^|/)(adr|adrs|decisions)/[^/]+\.(md|rst)$`)

// decisions records design notes outside the README: files named for them
// (DESIGN_DECISIONS.md, ARCHITECTURE.md, docs/adr/0001-x.md), and pages
// under docs/ with a decisions heading.
func (s *Signals) decisions(root, prefix string, files []string) {
	for _, rel := range files {
		low := strings.ToLower(rel)
		if !strings.HasSuffix(low, ".md") && !strings.HasSuffix(low, ".rst") && !strings.HasSuffix(low, ".txt") {
			continue
		}
		inDocs := strings.HasPrefix(low, "docs/") || strings.HasPrefix(low, "doc/")
		if decisionFileRe.MatchString(rel) && (inDocs || !strings.Contains(rel, "/")) {
			s.add("docs.decisions", Evidence{Path: prefix + rel, Note: "design notes"})
			continue
		}
		if !inDocs {
			continue
		}
		text := project.DecodeText(readSmall(filepath.Join(root, filepath.FromSlash(rel))))
		if i, t := decisionHeading(text); i > 0 {
			s.add("docs.decisions", Evidence{Path: prefix + rel, Line: i, Code: clip(t)})
		}
	}
	if s.Value("docs.decisions") == 0 {
		s.set("docs.decisions", 0, "no")
	}
}

// decisionHeading returns the line number and text of the first Markdown
// heading about decisions, or 0.
func decisionHeading(text string) (int, string) {
	for i, line := range strings.Split(text, "\n") {
		t := strings.TrimSpace(line)
		if !strings.HasPrefix(t, "#") {
			continue
		}
		h := strings.ToLower(strings.TrimSpace(strings.TrimLeft(t, "#")))
		for _, w := range readmeSections[3].words {
			if containsWord(h, w) {
				return i + 1, t
			}
		}
	}
	return 0, ""
}

// django records the declared Django version.
func (s *Signals) django(root, prefix string) {
	v := project.DeclaredDjango(root)
	if !v.Known() {
		s.set("django.version", 0, "unknown")
		return
	}
	s.set("django.version", float64(v.Major)+float64(v.Minor)/100, v.String())
	s.byName["django.version"].Evidence = []Evidence{{Path: prefix + v.Path, Line: v.Line, Code: clip(v.Text)}}
}

// containsWord finds w in s at a word start ("tests" matches "test",
// "contest" does not).
func containsWord(s, w string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], w)
		if j < 0 {
			return false
		}
		j += i
		if j == 0 || !isLetter(s[j-1]) {
			return true
		}
		i = j + 1
	}
}

func isLetter(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' }

func isUnderline(t string) bool {
	if len(t) < 3 {
		return false
	}
	c := t[0]
	if c != '=' && c != '-' && c != '~' && c != '^' {
		return false
	}
	return strings.Count(t, string(c)) == len(t)
}

// pipInstallR matches `pip install ... -r FILE.txt` (and `--requirement`).
var pipInstallR = regexp.MustCompile(`pip3?\s+install\b[^\n]*?(?:-r|--requirement)[\s=]+["']?([\w./-]+\.txt)`)

// namedRequirements reads the requirement files that the README, a
// Dockerfile or a Makefile install with `pip install -r FILE` when the
// file's name is not one reqFileRe knows (`req.txt`, `deps.txt`): the
// project says where its dependencies are.
func (s *Signals) namedRequirements(root, prefix string, files []string) {
	have := map[string]bool{}
	for _, rel := range files {
		have[rel] = true
	}
	done := map[string]bool{}
	for _, rel := range files {
		base := path.Base(rel)
		lower := strings.ToLower(base)
		if !(rel == base && strings.HasPrefix(lower, "readme")) && base != "Dockerfile" && !strings.HasPrefix(base, "Dockerfile.") && base != "Makefile" {
			continue
		}
		for _, m := range pipInstallR.FindAllStringSubmatch(project.DecodeText(readSmall(filepath.Join(root, filepath.FromSlash(rel)))), -1) {
			req := path.Clean(path.Join(path.Dir(rel), m[1]))
			if !have[req] {
				req = path.Clean(m[1])
			}
			if !have[req] || done[req] || reqFileRe.MatchString(req) {
				continue
			}
			done[req] = true
			ev := Evidence{Path: prefix + req}
			s.add("deps.files", ev)
			s.requirements(filepath.Join(root, filepath.FromSlash(req)), ev.Path)
		}
	}
}

// envSecrets adds settings.committed_env_secrets for each variable of a
// dotenv file shipped with the code (project.Index.Dotenv: templates and
// dev or test files left out; in a git checkout, the files git tracks)
// that semantic.DotenvSecret takes for a secret, as SEC024 reads them
// (SEC024 reports those the code reads). The evidence names the key, never
// the value.
func (s *Signals) envSecrets(ix *project.Index, prefix string) {
	for _, f := range ix.Dotenv() {
		if f.Git == project.GitUntracked {
			continue
		}
		for _, e := range f.Entries {
			if _, ok := semantic.DotenvSecret(e.Key, e.Value); ok {
				s.add("settings.committed_env_secrets", Evidence{Path: prefix + f.Rel, Line: e.Line, Code: clip(e.Key + "=… (committed)")})
			}
		}
	}
}

// djangoUnlisted adds deps.django_unlisted, at the first import of
// Django in product code (path order), when the dependency files rubric
// reads (project.Declared) name every requirement, include no lock file
// and do not name Django: DRF or another package pulls it in at whatever
// version its own requirement allows, so the framework itself is not
// pinned however exact the listed lines are. Nothing is claimed when no
// dependency file could be read or a requirement could not be named.
func (s *Signals) djangoUnlisted(ix *project.Index) {
	decl := ix.Declared()
	if len(decl.Files) == 0 || decl.Opaque || decl.Locked || decl.Has("django") {
		return
	}
	for _, u := range ix.Units {
		if u.Imports == nil || u.Tree == nil || semantic.RolesOf(u).Any(semantic.Test|semantic.Migration|semantic.Script|semantic.DevData) {
			continue
		}
		if !slices.ContainsFunc(u.Imports.Modules, isDjangoModule) {
			continue
		}
		for st := range pyast.FindEach(u.Tree.Root(), "import_statement", "import_from_statement") {
			if !st.IsNamed() || !importsDjango(st) {
				continue
			}
			ev := evidenceAt(u, st)
			ev.Note = "Django imported, but no dependency file names it (" + strings.Join(decl.Files, ", ") + "): pip installs whatever version another requirement allows"
			s.add("deps.django_unlisted", ev)
			return
		}
	}
}

// isDjangoModule reports whether m is django or a module under it.
func isDjangoModule(m string) bool { return m == "django" || strings.HasPrefix(m, "django.") }

// importsDjango reports whether an import statement names a module of
// Django (absolute imports only).
func importsDjango(st pyast.Node) bool {
	if st.Type() == "import_from_statement" {
		m := st.ChildByField("module_name")
		return m.Type() == "dotted_name" && isDjangoModule(m.Text())
	}
	for _, c := range st.ChildrenByField("name") {
		if c.Type() == "aliased_import" {
			c = c.ChildByField("name")
		}
		if isDjangoModule(c.Text()) {
			return true
		}
	}
	return false
}

// requirements counts pinned and unpinned requirement lines. Options
// (-r, -e, --hash...), comments and blank lines are skipped; "==" and "==="
// pin, a direct URL with @ pins too.
func (s *Signals) requirements(file, rel string) {
	sc := bufio.NewScanner(strings.NewReader(project.DecodeText(readSmall(file))))
	sc.Buffer(make([]byte, 64*1024), maxTextFile)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		t := strings.TrimSpace(line)
		if i := strings.Index(t, " #"); i >= 0 {
			t = strings.TrimSpace(t[:i])
		}
		if t == "" || strings.HasPrefix(t, "#") || strings.HasPrefix(t, "-") {
			continue
		}
		ev := Evidence{Path: rel, Line: n, Code: clip(t)}
		if strings.Contains(t, "==") || strings.Contains(t, " @ ") {
			s.add("deps.pinned", ev)
		} else {
			ev.Note = "no exact version"
			s.add("deps.unpinned", ev)
		}
	}
}

// gitAuthors reads author names from the reflogs of a .git directory, if
// any, without running git.
func gitAuthors(root string) []string {
	seen := map[string]bool{}
	var out []string
	files := []string{".git/logs/HEAD"}
	if m, _ := filepath.Glob(filepath.Join(root, ".git", "logs", "refs", "heads", "*")); m != nil {
		for _, p := range m {
			files = append(files, ".git/logs/refs/heads/"+filepath.Base(p))
		}
	}
	for _, f := range files {
		// No link is followed at any level (.git itself may be one, to
		// anywhere), and no FIFO is opened.
		data, _ := safeio.ReadPrefixIn(root, f, maxTextFile)
		for _, line := range strings.Split(string(data), "\n") {
			// <old> <new> Name <email> <ts> <tz>\t<message>
			fields := strings.SplitN(line, " ", 3)
			if len(fields) < 3 {
				continue
			}
			rest := fields[2]
			lt := strings.Index(rest, " <")
			gt := strings.Index(rest, ">")
			if lt <= 0 || gt < lt {
				continue
			}
			name := strings.TrimSpace(rest[:lt])
			email := rest[lt+2 : gt]
			for _, v := range []string{name, email} {
				if v != "" && !seen[v] {
					seen[v] = true
					out = append(out, v)
				}
			}
		}
	}
	return out
}

func clip(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 120 {
		cut := 117
		for cut > 0 && (s[cut]&0xC0) == 0x80 {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// evidenceAt is the evidence of a node: its path, line and source line.
// models counts the Django models the project's model graph found (its
// inheritance resolution included), leaving out tests and migrations.
// checked says how product code checks an operation key of a model before
// it writes, "" when it does not (operationKeys).
func (s *Signals) models(ix *project.Index, checked func(md *project.Model, key string) string) {
	if ix.Models == nil {
		return
	}
	// Evidence in source order, as the other signals give it.
	ms := append([]*project.Model(nil), ix.Models.All...)
	sort.SliceStable(ms, func(i, j int) bool {
		if ms[i].Path != ms[j].Path {
			return ms[i].Path < ms[j].Path
		}
		return ms[i].Start < ms[j].Start
	})
	for _, m := range ms {
		u := ix.ByPath[m.Path]
		if m.External || u == nil {
			continue
		}
		if k := kindOf(u.Rel(), u.Imports); k.test || k.migration {
			continue
		}
		pos := u.File.Position(m.Start)
		s.add("models.count", Evidence{Path: u.File.Rel, Line: pos.Line, Code: clip(string(u.File.Line(pos.Line)))})
		s.moneyFields(u, m)
		s.operationKeys(u, m, checked)
	}
}

// operationKeys adds the fields m declares itself that are named for one
// operation, unique (alone or in a unique group) and checked: product code
// looks rows up by the key (get_or_create, filter, exists...), handles
// IntegrityError, or writes through a serializer or model form that
// validates the key unique (a repeat refused with a 400). A key only
// declared unique turns a retry into a crash (a 500 the sender retries
// again), not into a refusal.
func (s *Signals) operationKeys(u *project.Unit, m *project.Model, checked func(*project.Model, string) string) {
	for _, f := range m.Fields {
		if f.Abstract != nil || f.Path != m.Path || !semantic.OperationKeyName(f.Name) || !m.UniqueBy([]string{f.Name}) && !m.InUniqueGroup(f.Name) {
			continue
		}
		how := checked(m, f.Name)
		if how == "" {
			continue
		}
		s.add("models.unique_operation_keys", Evidence{Path: u.File.Rel, Line: f.Line, Code: clip(string(u.File.Line(f.Line))), Note: "`" + m.Name + "." + f.Name + "` is unique and " + how})
	}
}

// moneyFields adds the fields m declares itself that hold money (by name,
// as BUG009 reads them), and those of them declared as DecimalField.
func (s *Signals) moneyFields(u *project.Unit, m *project.Model) {
	context := semantic.InMoneyContext(m.Name)
	for _, f := range m.Fields {
		last := f.Class[strings.LastIndex(f.Class, ".")+1:]
		if f.Abstract != nil || f.Path != m.Path || f.IsRelation() || !semantic.MoneyName(f.Name, context) && last != "MoneyField" {
			continue
		}
		ev := Evidence{Path: u.File.Rel, Line: f.Line, Code: clip(string(u.File.Line(f.Line)))}
		s.add("models.money_fields", ev)
		switch {
		case strings.HasSuffix(last, "DecimalField") || last == "MoneyField":
			// django-money's MoneyField is a DecimalField with a currency.
			s.add("models.money_decimal", ev)
		case strings.HasSuffix(last, "IntegerField") && (minorUnits(f.Name) || minorUnitsDeclared(u, f)):
			// Whole minor units, exact as Decimal is.
			s.add("models.money_integer", ev)
		case strings.HasSuffix(last, "IntegerField") && balanceName(f.Name):
			// A balance kept as an integer is exact too, in a unit the
			// code does not state (the met question asks which). A price
			// or an amount so declared may drop the cents it is given.
			s.add("models.money_integer_balance", ev)
		case strings.HasSuffix(last, "IntegerField"):
			// A price, an amount or a total declared as an integer that
			// says nothing of minor units: whole currency units, which
			// drop the cents a Decimal price computes into it.
			s.add("models.money_integer_amount", ev)
		case last == "FloatField":
			s.add("models.money_float", ev)
		}
	}
}

// balanceName reports a field named for a balance (balance,
// current_balance, walletBalance).
func balanceName(name string) bool {
	for _, w := range semantic.NameWords(name) {
		if w == "balance" {
			return true
		}
	}
	return false
}

// minorWords name an amount's minor unit.
var minorWords = map[string]bool{"cents": true, "cent": true, "minor": true, "pennies": true, "penny": true, "pence": true,
	"kopecks": true, "kopeks": true, "kopeck": true, "paise": true, "satoshi": true, "satoshis": true, "subunits": true}

// minorUnits reports whether a field's name says it holds minor units
// (amount_cents, price_minor, balanceInCents).
func minorUnits(name string) bool {
	for _, w := range semantic.NameWords(name) {
		if minorWords[w] {
			return true
		}
	}
	return false
}

// minorUnitsDeclared reports a field whose declaration says in words that
// it holds minor units: its verbose_name, help_text or a comment on its
// lines names them (`verbose_name="Amount (in cents)"`, "в копейках").
func minorUnitsDeclared(u *project.Unit, f *project.Field) bool {
	src := u.File.Src()
	if f.Start < 0 || f.End > len(src) || f.Start >= f.End {
		return false
	}
	end := f.End
	for end < len(src) && src[end] != '\n' {
		end++ // a trailing comment
	}
	low := strings.ToLower(string(src[f.Start:end]))
	for w := range minorWords {
		if containsWord(low, w) {
			return true
		}
	}
	// Russian: копейка, копейки, копеек, в копейках.
	return strings.Contains(low, "копе") || strings.Contains(low, "minor unit")
}

func evidenceAt(u *project.Unit, n pyast.Node) Evidence {
	if n.IsNil() {
		return Evidence{Path: u.File.Rel}
	}
	pos := u.File.Position(n.StartByte())
	return Evidence{Path: u.File.Rel, Line: pos.Line, Code: clip(string(u.File.Line(pos.Line)))}
}
