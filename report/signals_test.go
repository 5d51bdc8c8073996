package report_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/report"
	"github.com/rubric-dev/rubric/rules/all"
)

func tree(t *testing.T, files map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	for rel, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, data, 0o644))
	}
	return dir
}

func signal(r *report.Report, name string) report.Signal {
	for _, s := range r.Signals {
		if s.Name == name {
			return s
		}
	}
	return report.Signal{}
}

// A dict or cache named session is not an HTTP client.
func TestHTTPCallsNeedARequest(t *testing.T) {
	dir := tree(t, map[string][]byte{"app/views.py": []byte(`import requests

def cart(request, session, client):
    items = session.get("cart_items", [])
    client.get("missing")
    session.get(self.base_url + "/orders", timeout=5)
    client.post(f"{BASE}/charges")
    client.get(ORDERS_URL)
    requests.get("key")
`)})
	r, err := report.Analyze(context.Background(), dir, all.Rules(), 1, report.Options{Now: fixedNow})
	require.NoError(t, err)
	var lines []int
	for _, e := range signal(r, "http.outbound_calls").Evidence {
		lines = append(lines, e.Line)
	}
	assert.Equal(t, []int{6, 7, 8, 9}, lines)
}

func utf16LE(s string) []byte {
	out := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune(s)) {
		out = append(out, byte(u), byte(u>>8))
	}
	return out
}

// UTF-16 requirements (pip freeze redirected in PowerShell) are read as
// text: pins counted, no NUL byte in the report.
func TestUTF16Requirements(t *testing.T) {
	dir := tree(t, map[string][]byte{
		"app/views.py":     []byte("x = 1\n"),
		"requirements.txt": utf16LE("Django==4.2.7\r\nrequests==2.31.0\r\ncelery\r\n"),
	})
	r, err := report.Analyze(context.Background(), dir, all.Rules(), 1, report.Options{Now: fixedNow})
	require.NoError(t, err)
	assert.Equal(t, 2.0, signal(r, "deps.pinned").Value)
	assert.Equal(t, 1.0, signal(r, "deps.unpinned").Value)
	assert.Equal(t, "4.2", signal(r, "django.version").Display)
	var md bytes.Buffer
	require.NoError(t, report.WriteMarkdown(&md, r))
	assert.NotContains(t, md.String(), "\x00")
	assert.Contains(t, md.String(), "`requirements.txt:3` `celery`")
}

// Decisions written beside the README count.
func TestDecisionsOutsideTheReadme(t *testing.T) {
	for name, files := range map[string]map[string][]byte{
		"DESIGN_DECISIONS.md": {"DESIGN_DECISIONS.md": []byte("# Why Celery\n")},
		"docs page":           {"docs/overview.md": []byte("# Overview\n\n## Trade-offs\n\nWe chose...\n")},
		"ADR":                 {"docs/adr/0001-use-postgres.md": []byte("# Use Postgres\n")},
	} {
		t.Run(name, func(t *testing.T) {
			files["app/views.py"] = []byte("x = 1\n")
			files["README.md"] = []byte("# Project\n\n## Setup\n")
			r, err := report.Analyze(context.Background(), tree(t, files), all.Rules(), 1, report.Options{Now: fixedNow})
			require.NoError(t, err)
			assert.Equal(t, report.Met, item(r, "readme-decisions").Status)
		})
	}
	r, err := report.Analyze(context.Background(), tree(t, map[string][]byte{"app/views.py": []byte("x = 1\n"), "docs/api.md": []byte("# Endpoints\n")}), all.Rules(), 1, report.Options{Now: fixedNow})
	require.NoError(t, err)
	assert.Equal(t, report.NotMet, item(r, "readme-decisions").Status)
}

// An "Architecture" heading over a map of the project's files (which file
// holds what) lists the structure: it writes no decision down. Prose
// under the same heading does.
func TestDecisionsHeadingOverFileMap(t *testing.T) {
	for readme, want := range map[string]report.Status{
		"# App\n\n## Архитектура\n\nviews.py — контроллеры\n\nservices.py — бизнес-логика\n\ntests/ — API-тесты\n":                                 report.NotMet,
		"# App\n\n## Architecture\n\n- `models.py`: the models\n- `app/`\n\n```\napp/\n├── views.py\n└── urls.py\n```\n":                           report.NotMet,
		"# App\n\n## Architecture\n\nviews.py — controllers\n\nBalances move under select_for_update: two requests never read the same balance.\n": report.Met,
		"# App\n\n## Design decisions\n\n### Locking\n\nWe lock the row.\n":                                                                        report.Met,
		"# App\n\n## Architecture\n\nviews.py — controllers\n\n## Trade-offs\n\nNo ledger: the balance is the only record.\n":                      report.Met,
	} {
		r, err := report.Analyze(context.Background(), tree(t, map[string][]byte{"app/views.py": []byte("x = 1\n"), "README.md": []byte(readme)}), all.Rules(), 1, report.Options{Now: fixedNow})
		require.NoError(t, err)
		assert.Equal(t, want, item(r, "readme-decisions").Status, readme)
	}
}

// A heading that as often stands over a list of features to come or of
// reminders ("Future Enhancements", "Notes", "Security Considerations")
// writes decisions down only when its section gives a reason: a to-do list
// or a list of what the code does is no trade-off. A heading naming
// decisions or design counts on its own.
func TestDecisionsListingHeadingsNeedReasons(t *testing.T) {
	for readme, want := range map[string]report.Status{
		"# App\n\n### Future work\n1. Handling authentication [DONE]\n2. Managing payment jobs\n":                            report.NotMet,
		"# App\n\n## Future Enhancements\n[ ] - Stripe integration for real payments.\n\n[ ] - Email sending.\n":             report.NotMet,
		"# App\n\n## Security Considerations\n * Users can only view their own URLs\n * Django ORM prevents SQL injection\n": report.NotMet,
		"# App\n\n## Notes\n- Follow **PEP 8** coding standards.\n- Test API endpoints thoroughly.\n":                        report.NotMet,
		"# App\n\nNotes:\n- The local steps are only for running without Docker.\n":                                          report.NotMet,
		"# App\n\n## Future improvements\n\n* Transaction handling would keep the stock consistent.\n":                       report.Met,
		"# App\n\n## Notes\n\nI made the transactions immutable, since ledgers never edit a row.\n":                          report.Met,
		"# App\n\n## Design notes\n\n- one wallet per user\n":                                                                report.Met,
		"# App\n\n## Notes\n\n```\n# would be nice\n```\n":                                                                   report.NotMet,
	} {
		r, err := report.Analyze(context.Background(), tree(t, map[string][]byte{"app/views.py": []byte("x = 1\n"), "README.md": []byte(readme)}), all.Rules(), 1, report.Options{Now: fixedNow})
		require.NoError(t, err)
		it := item(r, "readme-decisions")
		assert.Equal(t, want, it.Status, "%s: %s", readme, it.Reason)
	}
}

// Decisions written under a line set apart as a heading without Markdown's
// # count: a bold line, or a short label naming the author's remarks and
// ending with a colon. A label that introduces the assignment's text
// ("Limitations:", "Design and implement an API for:") does not, nor does a
// heading over the assignment's requirements.
func TestDecisionsUnderPseudoHeadings(t *testing.T) {
	for readme, want := range map[string]report.Status{
		"# App\n\nNotes for viewers:\n- there were no requirements for tests, so I tested by hand; ideally I would have written unit tests\n": report.Met,
		"# App\n\n## Models\n\nNoteworthy comments and thoughts:\n\n- sender and recipient may be the same party\n":                           report.Met,
		"# App\n\n**Trade-offs**\n\nNo ledger: the balance is the only record.\n":                                                             report.Met,
		"# App\n\nLimitations:\n\n* Authentication is not in the scope of this task\n":                                                        report.NotMet,
		"# App\n\nDesign and implement an API for:\n\n- adding a client\n":                                                                    report.NotMet,
		"# App\n\n- Notes:\n- run it with docker\n":                                                                                           report.NotMet,
		"# App\n\n## Requirements for implementation:\n* an API to book rooms\n":                                                              report.NotMet,
		"# App\n\n## Implementation notes\n\nBookings lock the room row.\n":                                                                   report.Met,
		"# Тестовое задание для Фабрики Решений\n\nСервис рассылок.\n":                                                                        report.NotMet,
		"# Assumptions\n\n- one currency per wallet\n":                                                                                        report.Met,
	} {
		r, err := report.Analyze(context.Background(), tree(t, map[string][]byte{"app/views.py": []byte("x = 1\n"), "README.md": []byte(readme)}), all.Rules(), 1, report.Options{Now: fixedNow})
		require.NoError(t, err)
		assert.Equal(t, want, item(r, "readme-decisions").Status, readme)
	}
	// A pseudo-heading opens decisions only: "Run it:" is no run section.
	r, err := report.Analyze(context.Background(), tree(t, map[string][]byte{"app/views.py": []byte("x = 1\n"), "README.md": []byte("# App\n\n**How to run**\n\nAsk the team.\n")}), all.Rules(), 1, report.Options{Now: fixedNow})
	require.NoError(t, err)
	assert.Equal(t, report.NotMet, item(r, "readme-setup").Status)
}

// The README's title names the project or the assignment ("# Payments
// test task"), and a heading naming the assignment is no section about
// tests: neither says how to run them. A tests heading below the title does.
func TestReadmeTitleIsNoTestsSection(t *testing.T) {
	for readme, want := range map[string]report.Status{
		"# Self_Test\n\nA wallet.\n":                                         report.NotMet,
		"# Payments test task\n\n## Setup\n\npip install\n":                  report.NotMet,
		"# Wallet\n\n## About This Project (Test Assignment)\n\nA wallet.\n": report.NotMet,
		"# Wallet\n\n## Tests\n\n`./run_tests.sh`\n":                         report.Met,
		"# Running the tests\n\n`./run_tests.sh`\n":                          report.Met,
		"Wallet\n======\n\nTests\n-----\n\n`./run_tests.sh`\n":               report.Met,
	} {
		r, err := report.Analyze(context.Background(), tree(t, map[string][]byte{
			"app/views.py": []byte("x = 1\n"), "README.md": []byte(readme),
			"app/tests.py": []byte("def test_x():\n    assert True\n"),
		}), all.Rules(), 1, report.Options{Now: fixedNow})
		require.NoError(t, err)
		assert.Equal(t, want, item(r, "readme-tests").Status, readme)
	}
}

// A heading about tests says there are tests, not how to run them: its
// section must show a command (a line of code naming the tests, or a
// prose line holding a test command). A heading over the assignment's
// wishes, over instructions to the candidate, over a verb ("if you need
// to test celery") or over prose alone is no command.
func TestReadmeTestsHeadingNeedsCommand(t *testing.T) {
	for readme, want := range map[string]report.Status{
		"# App\n\n## Tests\n\nThey cover the transfers.\n":                                        report.NotMet,
		"# App\n\n### Testing and Documentation\n- The system should be robust and documented.\n": report.NotMet,
		"# App\n\n# Test\n\nLeave a comment with the result:\n\n```\n# Solution 4\n```\n":         report.NotMet,
		"# App\n\n#### Optional (if need to test celery)\n```\ncelery -A app worker\n```\n":       report.NotMet,
		"# App\n\n## Tests\n\nSee below.\n\n## Usage\n\n`make tests`\n":                           report.NotMet,
		"# App\n\n## Tests\n\n### Unit\n\n```\n./run_tests.sh\n```\n":                             report.Met,
		"# App\n\n# TEST\n1. python manage.py test\n":                                             report.Met,
		"# App\n\n### Running unit tests\n> cd ./app; python manage.py test\n":                    report.Met,
		"# App\n\n## Тестирование\n\n    docker compose run web ./run_tests.sh\n":                 report.Met,
	} {
		files := map[string][]byte{
			"app/views.py": []byte("x = 1\n"),
			"app/tests.py": []byte("def test_x():\n    assert True\n"),
			"README.md":    []byte(readme),
		}
		r, err := report.Analyze(context.Background(), tree(t, files), all.Rules(), 1, report.Options{Now: fixedNow})
		require.NoError(t, err)
		it := item(r, "readme-tests")
		assert.Equal(t, want, it.Status, "%s: %s", readme, it.Reason)
	}
}

// A README counts as saying how to run the project when a line of it is a
// run command, not when prose mentions one.
func TestReadmeRunCommand(t *testing.T) {
	for readme, want := range map[string]report.Status{
		"# App\n\n## Setup\n\n```\npip install -r requirements.txt\npython manage.py runserver\n```\n": report.Met,
		"# App\n\n## Setup\n\n    $ docker compose up\n":                                               report.Met,
		"# App\n\n## Setup\n\nOur CI's `make run` target builds the docs.\n":                           report.NotMet,
		"# App\n\n## HOWTO\n- Execute `docker compose up -d --build`\n":                                report.Met,
		"# App\n\n7. Run server!\n   ```\n   ./manage.py runserver 8000\n   ```\n":                     report.Met,
		"# App\n\n6. Run server as localhost: **./manage.py runserver**\n":                             report.Met,
		"# App\n\nOur CI's **make run** target builds the docs.\n":                                     report.NotMet,
		"# App\n\n## API description\n\n#### Create wallet\n":                                          report.NotMet,
		"# App\n\n### Build project\n`docker-compose -f docker-compose.yml up --build`\n":              report.Met,
		// An HTML code block, a numbered step in any language, the command
		// a colon announces, one after a shell's preparation.
		"# App\n\n6. Run Development Server\n    <pre>python manage.py runserver\n</pre>\n": report.Met,
		"# App\n\n7. Correr el servidor con `python manage.py runserver`.\n":                report.Met,
		"# App\n\n* Запустить сервер: `python manage.py runserver`\n":                       report.Met,
		"# App\n\n```bash\nexport $(cat .env | xargs) && ./manage.py runserver\n```\n":      report.Met,
		"# App\n\n- Our CI's `make run` target builds the docs.\n":                          report.NotMet,
		// A shell prompt before the command: "~ ", "~/app$ ", "% ".
		"# App\n\n* ~ make run       - Запускаем проект\n":           report.Met,
		"# App\n\n```\n~/app$ python manage.py runserver\n```\n":     report.Met,
		"# App\n\n```\n% docker compose up\n```\n":                   report.Met,
		"# App\n\n```\necho hi && python manage.py runserver\n```\n": report.NotMet,
		// `docker run` of the project's image runs it; of a database or a
		// broker, it does not.
		"# App\n\n```\ndocker build -t app .\ndocker run -p 8000:8000 app\n```\n":   report.Met,
		"# App\n\n```\ndocker run -d -p 6379:6379 --name redis redis:alpine\n```\n": report.NotMet,
	} {
		r, err := report.Analyze(context.Background(), tree(t, map[string][]byte{"app/views.py": []byte("x = 1\n"), "README.md": []byte(readme)}), all.Rules(), 1, report.Options{Now: fixedNow})
		require.NoError(t, err)
		assert.Equal(t, want, item(r, "readme-setup").Status, readme)
	}
}

// Met needs positive evidence: a view named for webhooks that verifies
// nothing is never "signatures verified". This one reads no delivery, so
// the endpoint inventory takes it for no receiver: there is nothing to
// judge (a receiver that reads one is not met: testdata/report).
func TestWebhookWithoutVerificationIsNotMet(t *testing.T) {
	dir := tree(t, map[string][]byte{"payments/views.py": []byte(`from django.http import HttpResponse


def stripe_webhook(request):
    return HttpResponse(status=200)
`)})
	r, err := report.Analyze(context.Background(), dir, all.Rules(), 1, report.Options{Now: fixedNow})
	require.NoError(t, err)
	it := item(r, "webhook-signatures")
	assert.NotEqual(t, report.Met, it.Status)
	assert.Equal(t, report.NotApplicable, it.Status)
	assert.Equal(t, 1.0, signal(r, "endpoints.count").Value)
}

// Errors are handled specifically only when a specific handler does
// something and no handler catches everything.
func TestErrorsHandledSpecifically(t *testing.T) {
	for src, want := range map[string]report.Status{
		"def f(x):\n    try:\n        return int(x)\n    except ValueError:\n        return None\n": report.Met,
		"def f(x):\n    try:\n        return int(x)\n    except ValueError:\n        pass\n":        report.NotObserved,
		// An IntegrityError passed over: an insert that may already have
		// happened, the duplicate expected (session 14); any other
		// exception passed over, or one listed beside it, is still lost.
		"from django.db import IntegrityError\n\ndef f(m, k):\n    try:\n        m.objects.create(key=k)\n    except IntegrityError:\n        pass\n":               report.Met,
		"from django.db import IntegrityError\n\ndef f(m, k):\n    try:\n        m.objects.create(key=k)\n    except (IntegrityError, ValueError):\n        pass\n": report.NotMet,
		// Logged with its traceback and re-raised as it was: a fail-safe
		// boundary, nothing lost (session 10; NotObserved before).
		"def f(x):\n    try:\n        return int(x)\n    except ValueError:\n        return None\n\ndef g(x):\n    try:\n        return x()\n    except Exception:\n        logger.exception(\"g failed\")\n        raise\n": report.Met,
		"def f(x):\n    try:\n        return int(x)\n    except ValueError:\n        return None\n\ndef g(x):\n    try:\n        return x()\n    except Exception:\n        logger.warning(\"g failed\")\n        raise\n":   report.NotObserved,
	} {
		r, err := report.Analyze(context.Background(), tree(t, map[string][]byte{"app/logic.py": []byte(src)}), all.Rules(), 1, report.Options{Now: fixedNow})
		require.NoError(t, err)
		assert.Equal(t, want, item(r, "errors-specific").Status, src)
	}
}

// How to run the tests: a heading about tests, or a line of a code block
// that runs them. A fence opened after a list marker is still a fence.
func TestReadmeTests(t *testing.T) {
	for readme, want := range map[string]report.Status{
		"# App\n\n - ```sh\n   make install\n   ```\n\n## Testing\n\n```\nmake tests\n```\n":   report.Met,
		"# App\n\nIf you want to run tests:\n```\ndocker-compose run --rm app pytest .\n```\n": report.Met,
		"# App\n\n```\n$ ./manage.py test wallet\n```\n":                                       report.Met,
		"# App\n\nWe like pytest.\n":                                 report.NotMet,
		"# App\n\n```\npip install pytest-django\n```\n":             report.NotMet,
		"# App\n\n### API Test Postman\n\nImport the collection.\n":  report.NotMet,
		"# App\n\n## Testing with curl\n\ncurl localhost:8000\n":     report.NotMet,
		"# App\n\n## Running the tests\n\nRun `make check-tests`.\n": report.Met,
	} {
		files := map[string][]byte{
			"app/views.py": []byte("x = 1\n"),
			"app/tests.py": []byte("def test_x():\n    assert True\n"),
			"README.md":    []byte(readme),
		}
		r, err := report.Analyze(context.Background(), tree(t, files), all.Rules(), 1, report.Options{Now: fixedNow})
		require.NoError(t, err)
		assert.Equal(t, want, item(r, "readme-tests").Status, readme)
	}
}

// Pages of the tree that the README links to count as part of it; links
// that leave the tree do not.
func TestReadmeLinkedPages(t *testing.T) {
	files := map[string][]byte{
		"app/views.py":        []byte("x = 1\n"),
		"README.md":           []byte("## Wallet\n\n### Installation tips and design: [Read the docs](/docs/index.md)\n"),
		"docs/index.md":       []byte("# Docs\n\n- [Installation](/docs/install.md)\n- [Design](design.md)\n"),
		"docs/install.md":     []byte("## Installation\n\n```\npython manage.py runserver\n```\n\n[next](more/deeper.md)\n"),
		"docs/design.md":      []byte("## Design decisions\n\nWhy Postgres.\n"),
		"docs/more/deeper.md": []byte("## Testing\n"),
		"app/tests.py":        []byte("def test_x():\n    assert True\n"),
	}
	r, err := report.Analyze(context.Background(), tree(t, files), all.Rules(), 1, report.Options{Now: fixedNow})
	require.NoError(t, err)
	assert.Equal(t, report.Met, item(r, "readme-setup").Status)
	require.NotEmpty(t, signal(r, "readme.run").Evidence)
	assert.Equal(t, "docs/install.md", signal(r, "readme.run").Evidence[0].Path)
	assert.Equal(t, report.Met, item(r, "readme-decisions").Status)
	assert.Equal(t, report.NotMet, item(r, "readme-tests").Status, "three links away from the README is too far")

	// A link to a directory of the tree reads the README it holds, as a
	// code host shows it under the listing.
	r, err = report.Analyze(context.Background(), tree(t, map[string][]byte{
		"store/app/views.py": []byte("x = 1\n"),
		"README.md":          []byte("# Assessment\n\n* [Task 1](store) Online store\n* [Task 2](./hunt/) Treasure hunt\n"),
		"store/README.md":    []byte("# Store\n\n## Installation\n\n```bash\ncd store && python manage.py runserver\n```\n"),
		"hunt/notes.txt":     []byte("## Design decisions\n"),
	}), all.Rules(), 1, report.Options{Now: fixedNow})
	require.NoError(t, err)
	assert.Equal(t, report.Met, item(r, "readme-setup").Status)
	require.NotEmpty(t, signal(r, "readme.run").Evidence)
	assert.Equal(t, "store/README.md", signal(r, "readme.run").Evidence[0].Path)
	assert.Equal(t, report.NotMet, item(r, "readme-decisions").Status, "a directory without a README shows no page")

	outside := tree(t, map[string][]byte{"sub/app/views.py": []byte("x = 1\n"), "sub/README.md": []byte("# App\n\n[setup](../setup.md)\n"),
		"setup.md": []byte("## Setup\n\n```\npython manage.py runserver\n```\n")})
	r, err = report.Analyze(context.Background(), filepath.Join(outside, "sub"), all.Rules(), 1, report.Options{Now: fixedNow})
	require.NoError(t, err)
	assert.Equal(t, report.NotMet, item(r, "readme-setup").Status, "a page outside the tree is not read")
}

// Money held as whole minor units in integer fields named for them is
// exact: the money item is met, cited at the fields; an integer amount not
// named for its unit shows nothing (it may drop the cents), a float money
// field beside them is not met, and DecimalField stays the first evidence
// when both are there.
func TestMoneyAsIntegers(t *testing.T) {
	run := func(fields string) report.Item {
		dir := tree(t, map[string][]byte{"bank/models.py": []byte("from django.db import models\n\n\nclass Account(models.Model):\n" + fields)})
		r, err := report.Analyze(context.Background(), dir, all.Rules(), 1, report.Options{Now: fixedNow})
		require.NoError(t, err)
		return item(r, "money-decimal")
	}
	it := run("    balance_cents = models.BigIntegerField(default=0)\n    name = models.CharField(max_length=9)\n")
	assert.Equal(t, report.Met, it.Status, it.Reason)
	require.NotEmpty(t, it.Evidence)
	assert.Equal(t, 5, it.Evidence[0].Line)
	assert.Contains(t, it.Question, "held exactly at `bank/models.py:5`")

	// A balance kept as an integer that does not say its unit is exact
	// too (eight labelled take-homes call it met); the question asks which
	// unit. An amount or a price so declared stays unjudged (claims_test).
	it = run("    balance = models.IntegerField(default=0)\n")
	assert.Equal(t, report.Met, it.Status, it.Reason)
	assert.Contains(t, it.Question, "In which unit")

	it = run("    balance = models.IntegerField(default=0)\n    fee = models.FloatField(default=0)\n")
	assert.NotEqual(t, report.Met, it.Status, it.Reason)

	// django-money's MoneyField is a DecimalField with a currency.
	it = run("    money = MoneyField(max_digits=8, decimal_places=2)\n")
	assert.Equal(t, report.Met, it.Status, it.Reason)

	it = run("    balance_cents = models.IntegerField(default=0)\n    fee = models.FloatField(default=0)\n")
	assert.NotEqual(t, report.Met, it.Status, it.Reason)

	it = run("    balance_cents = models.IntegerField(default=0)\n    amount = models.DecimalField(max_digits=9, decimal_places=2)\n")
	assert.Equal(t, report.Met, it.Status, it.Reason)
	assert.Equal(t, 6, it.Evidence[0].Line)

	// Decimal prices beside a total kept as an integer in no stated unit:
	// the cents computed into the total are lost, and the Decimal column
	// alone does not make the item met. A project whose amounts are all
	// integers is judged as before (an integer balance is met above).
	it = run("    price = models.DecimalField(max_digits=9, decimal_places=2)\n    total_sum = models.PositiveIntegerField(default=0)\n")
	assert.Equal(t, report.NotObserved, it.Status, it.Reason)
	it = run("    balance = models.IntegerField(default=0)\n    amount = models.BigIntegerField()\n")
	assert.Equal(t, report.Met, it.Status, it.Reason)
}

// A de-duplication on a receiver that verifies nothing refuses replays of
// one event (reviewers mark the replay item met, cited at the guard); the
// missing signature is the signature item's, not met at the receiver, and
// not counted against the replay item a second time.
func TestReplayGuardOnUnsignedWebhook(t *testing.T) {
	dir := tree(t, map[string][]byte{
		"hooks/models.py": []byte("from django.db import models\n\n\nclass Delivery(models.Model):\n    event_id = models.CharField(max_length=64, unique=True)\n"),
		"hooks/views.py": []byte(`import json

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

from .models import Delivery


@csrf_exempt
def payment_webhook(request):
    data = json.loads(request.body)
    Delivery.objects.get_or_create(event_id=data["id"])
    return HttpResponse()
`),
	})
	r, err := report.Analyze(context.Background(), dir, all.Rules(), 1, report.Options{Now: fixedNow})
	require.NoError(t, err)
	it := item(r, "replay-protection")
	assert.Equal(t, report.Met, it.Status, it.Reason)
	require.NotEmpty(t, it.Evidence)
	assert.Equal(t, "hooks/views.py", it.Evidence[0].Path)
	assert.Equal(t, 12, it.Evidence[0].Line, "cited at the de-duplication")
	sig := item(r, "webhook-signatures")
	assert.Equal(t, report.NotMet, sig.Status, sig.Reason)
	require.NotEmpty(t, sig.Evidence)
	assert.Equal(t, "hooks/views.py", sig.Evidence[0].Path, "cited at the receiver that verifies nothing")
}

// A check for a repeated event whose `if` only logs and lets the create
// run refuses nothing: no replay guard is cited, and the item is not met.
// The same check that leaves the handler is one.
func TestReplayCheckThatFallsThroughIsNoGuard(t *testing.T) {
	view := func(then string) []byte {
		return []byte(`import json
import logging

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

from .models import Delivery

logger = logging.getLogger(__name__)


@csrf_exempt
def payment_webhook(request):
    data = json.loads(request.body)
    if Delivery.objects.filter(operation_id=data["id"]).exists():
        logger.info("seen %s", data["id"])
` + then + `    Delivery.objects.create(operation_id=data["id"])
    return HttpResponse()
`)
	}
	models := []byte("from django.db import models\n\n\nclass Delivery(models.Model):\n    operation_id = models.CharField(max_length=64)\n")
	for _, c := range []struct {
		then string
		want report.Status
	}{
		{"", report.NotObserved},
		{"        return HttpResponse()\n", report.Met},
	} {
		assertReplayItem(t, map[string][]byte{"hooks/models.py": models, "hooks/views.py": view(c.then)}, c.want, 15, c.then)
	}
}

// assertReplayItem analyses files and asserts the replay-protection item's
// status, and, when met, that its first evidence is at line guardLine.
func assertReplayItem(t *testing.T, files map[string][]byte, want report.Status, guardLine int, what string) {
	t.Helper()
	r, err := report.Analyze(context.Background(), tree(t, files), all.Rules(), 1, report.Options{Now: fixedNow})
	require.NoError(t, err)
	it := item(r, "replay-protection")
	assert.Equal(t, want, it.Status, "%q: %s", what, it.Reason)
	if want == report.Met {
		require.NotEmpty(t, it.Evidence)
		assert.Equal(t, guardLine, it.Evidence[0].Line, "cited at the guard: %q", what)
	}
}

// A get_or_create is a replay guard when it makes the delivery's row once:
// its `created` flag decides what runs. One that fetches or makes a
// related row (the payer's organisation) refuses no repeated delivery.
func TestGetOrCreateGuardsOnlyWhenItsFlagDecides(t *testing.T) {
	view := func(body string) []byte {
		return []byte(`import json

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

from .models import Organization, Payment


@csrf_exempt
def payment_webhook(request):
    data = json.loads(request.body)
` + body + `    return HttpResponse()
`)
	}
	models := []byte("from django.db import models\n\n\nclass Organization(models.Model):\n    inn = models.CharField(max_length=12)\n\n\nclass Payment(models.Model):\n    operation_id = models.CharField(max_length=64)\n    org = models.ForeignKey(Organization, on_delete=models.CASCADE)\n")
	for _, c := range []struct {
		body string
		want report.Status
	}{
		{"    org, created = Organization.objects.get_or_create(inn=data[\"inn\"])\n    Payment.objects.create(operation_id=data[\"id\"], org=org)\n", report.NotObserved},
		{"    org, _ = Organization.objects.get_or_create(inn=data[\"inn\"])\n    payment, created = Payment.objects.get_or_create(operation_id=data[\"id\"], defaults={\"org\": org})\n    if not created:\n        return HttpResponse(status=200)\n", report.Met},
	} {
		// Met: cited at the payment's get_or_create.
		assertReplayItem(t, map[string][]byte{"hooks/models.py": models, "hooks/views.py": view(c.body)}, c.want, 13, c.body)
	}
}

// A money endpoint makes idempotency apply; a unique operation key is the
// practice only when product code checks it before writing (a lookup by
// the key, or an IntegrityError handler): declared alone, a retry becomes
// an error. An outbound call needs keys of its own.
func TestIdempotencyOnMoneyEndpoints(t *testing.T) {
	models := "from django.db import models\n\n\nclass Deposit(models.Model):\n    txid = models.CharField(max_length=64, unique=True)\n    amount = models.DecimalField(max_digits=12, decimal_places=2)\n"
	run := func(view string) report.Item {
		dir := tree(t, map[string][]byte{
			"bank/models.py": []byte(models),
			"bank/urls.py":   []byte("from django.urls import path\n\nfrom . import views\n\nurlpatterns = [path(\"deposits/\", views.deposit)]\n"),
			"bank/views.py":  []byte(view),
		})
		r, err := report.Analyze(context.Background(), dir, all.Rules(), 1, report.Options{Now: fixedNow})
		require.NoError(t, err)
		return item(r, "idempotency")
	}
	head := "from django.contrib.auth.decorators import login_required\nfrom django.db import IntegrityError\nfrom django.http import JsonResponse\nfrom django.views.decorators.http import require_POST\n\nfrom .models import Deposit\n\n\n@require_POST\n@login_required\ndef deposit(request):\n"
	it := run(head + "    row, created = Deposit.objects.get_or_create(txid=request.POST[\"txid\"], defaults={\"amount\": request.POST[\"amount\"]})\n    return JsonResponse({\"created\": created})\n")
	assert.Equal(t, report.Met, it.Status, it.Reason)
	require.NotEmpty(t, it.Evidence)
	assert.Equal(t, "bank/models.py", it.Evidence[0].Path)
	assert.Equal(t, 5, it.Evidence[0].Line)

	it = run(head + "    try:\n        Deposit.objects.create(txid=request.POST[\"txid\"], amount=request.POST[\"amount\"])\n    except IntegrityError:\n        return JsonResponse({}, status=200)\n    return JsonResponse({}, status=201)\n")
	assert.Equal(t, report.Met, it.Status, it.Reason)

	it = run(head + "    Deposit.objects.create(txid=request.POST[\"txid\"], amount=request.POST[\"amount\"])\n    return JsonResponse({}, status=201)\n")
	assert.Equal(t, report.NotObserved, it.Status, "declared unique, never checked: %s", it.Reason)

	it = run(head + "    row, _ = Deposit.objects.get_or_create(txid=request.POST[\"txid\"], defaults={\"amount\": request.POST[\"amount\"]})\n    import requests\n    requests.post(\"https://ledger.example/credit\", json={\"id\": row.pk}, timeout=5)\n    return JsonResponse({})\n")
	assert.NotEqual(t, report.Met, it.Status, "the outbound call carries no key: %s", it.Reason)
}

// A bare `amount` is money only in a model named for money or in a project
// whose models speak of money elsewhere: a feed's amount moves none.
func TestAmountAloneIsNotMoney(t *testing.T) {
	run := func(models string) report.Signal {
		dir := tree(t, map[string][]byte{
			"baby/models.py": []byte("from django.db import models\n\n\n" + models),
			"baby/urls.py":   []byte("from django.urls import path\n\nfrom . import views\n\nurlpatterns = [path(\"feedings/\", views.add_feeding)]\n"),
			"baby/views.py": []byte("from django.contrib.auth.decorators import login_required\nfrom django.http import JsonResponse\nfrom django.views.decorators.http import require_POST\n\n" +
				"from .models import Feeding\n\n\n@require_POST\n@login_required\ndef add_feeding(request):\n    Feeding.objects.create(amount=float(request.POST[\"amount\"]))\n    return JsonResponse({})\n"),
		})
		r, err := report.Analyze(context.Background(), dir, all.Rules(), 1, report.Options{Now: fixedNow})
		require.NoError(t, err)
		return signal(r, "endpoints.moving_money")
	}
	feeding := "class Feeding(models.Model):\n    amount = models.FloatField()\n"
	assert.Equal(t, 0.0, run(feeding).Value)
	assert.Equal(t, 1.0, run(feeding+"\n\nclass Wallet(models.Model):\n    balance = models.DecimalField(max_digits=9, decimal_places=2)\n").Value)
}

// A service that serves requests and logs nothing is judged on logging:
// not observed (never met), where a library of plain functions has
// nothing to judge.
func TestStructuredLoggingAppliesToServices(t *testing.T) {
	run := func(files map[string][]byte) report.Item {
		r, err := report.Analyze(context.Background(), tree(t, files), all.Rules(), 1, report.Options{Now: fixedNow})
		require.NoError(t, err)
		return item(r, "structured-logging")
	}
	view := map[string][]byte{"shop/views.py": []byte("from django.http import JsonResponse\n\n\ndef orders(request):\n    return JsonResponse({})\n")}
	it := run(view)
	assert.Equal(t, report.NotObserved, it.Status, it.Reason)
	assert.Equal(t, report.NotMet, it.Counted(), "required: not observed counts as not met")

	lib := map[string][]byte{"util/maths.py": []byte("def add(a, b):\n    return a + b\n")}
	assert.Equal(t, report.NotApplicable, run(lib).Status)

	// Logging without context stays not met or not observed, never met.
	view["shop/views.py"] = []byte("import logging\n\nfrom django.http import JsonResponse\n\nlogger = logging.getLogger(__name__)\n\n\ndef orders(request):\n    logger.info(\"listing orders\")\n    return JsonResponse({})\n")
	assert.NotEqual(t, report.Met, run(view).Status)
}

// Dependencies: no dependency file at all pins nothing (not met); the
// usual misspellings of requirements.txt are read as requirement files.
func TestDependencyFiles(t *testing.T) {
	run := func(files map[string][]byte) report.Item {
		files["app/views.py"] = []byte("x = 1\n")
		r, err := report.Analyze(context.Background(), tree(t, files), all.Rules(), 1, report.Options{Now: fixedNow})
		require.NoError(t, err)
		return item(r, "deps-pinned")
	}
	it := run(map[string][]byte{"README.md": []byte("# App\n\n    pip install django\n")})
	assert.Equal(t, report.NotMet, it.Status, it.Reason)

	for _, name := range []string{"requirement.txt", "requirements", "requirements-dev.txt"} {
		it = run(map[string][]byte{name: []byte("Django==4.2.7\nrequests==2.31.0\n")})
		assert.Equal(t, report.Met, it.Status, name)
		require.NotEmpty(t, it.Evidence, name)
		assert.Equal(t, name+":1", it.Evidence[0].Location())
		// One unpinned line keeps it from being met.
		it = run(map[string][]byte{name: []byte("Django==4.2.7\nrequests\n")})
		assert.Equal(t, report.NotMet, it.Status, name)
	}
	// A file that merely mentions requirements is not one.
	it = run(map[string][]byte{"docs/requirements.md": []byte("Django==4.2\n")})
	assert.Equal(t, report.NotMet, it.Status, "no dependency file: %s", it.Reason)
}

// Exact pins do not make the item met when the code imports Django and
// no dependency file names it: DRF pulls in whatever Django its own
// requirement allows. Naming Django, or a lock file, or code that never
// imports Django (a test module does not count) keeps it met.
func TestDjangoMissingFromPinnedRequirements(t *testing.T) {
	run := func(files map[string][]byte) report.Item {
		r, err := report.Analyze(context.Background(), tree(t, files), all.Rules(), 1, report.Options{Now: fixedNow})
		require.NoError(t, err)
		return item(r, "deps-pinned")
	}
	views := []byte("x = 1\n\nfrom rest_framework.views import APIView\nfrom django.db import transaction\n")
	it := run(map[string][]byte{"requirements.txt": []byte("djangorestframework==3.15.2\ngunicorn==23.0.0\n"), "shop/views.py": views})
	assert.Equal(t, report.NotMet, it.Status, it.Reason)
	assert.Contains(t, it.Reason, "deps.django_unlisted")
	require.NotEmpty(t, it.Evidence)
	assert.Equal(t, "shop/views.py:4", it.Evidence[0].Location())
	assert.Contains(t, it.Question, "`shop/views.py:4`, `from django.db import transaction`: Django imported, but no dependency file names it (requirements.txt)")

	it = run(map[string][]byte{"requirements.txt": []byte("Django==5.2.8\ndjangorestframework==3.15.2\n"), "shop/views.py": views})
	assert.Equal(t, report.Met, it.Status, it.Reason)
	it = run(map[string][]byte{"requirements.txt": []byte("djangorestframework==3.15.2\n"), "shop/views.py": []byte("import json\n"),
		"tests/test_views.py": []byte("from django.test import TestCase\n")})
	assert.Equal(t, report.Met, it.Status, "only a test imports Django: %s", it.Reason)
	// An unpinned line is named in the question.
	it = run(map[string][]byte{"requirements.txt": []byte("Django\n"), "shop/views.py": views})
	assert.Equal(t, report.NotMet, it.Status, it.Reason)
	assert.Contains(t, it.Question, "`requirements.txt:1`, `Django`: no exact version.")
}

// A requirement file the README or a Dockerfile installs with
// `pip install -r` is read whatever its name (req.txt); a name only
// mentioned elsewhere is not.
func TestRequirementsNamedByPipInstall(t *testing.T) {
	run := func(files map[string][]byte) report.Item {
		files["app/views.py"] = []byte("x = 1\n")
		r, err := report.Analyze(context.Background(), tree(t, files), all.Rules(), 1, report.Options{Now: fixedNow})
		require.NoError(t, err)
		return item(r, "deps-pinned")
	}
	it := run(map[string][]byte{
		"README.md": []byte("# App\n\n    pip install -r req.txt\n"),
		"req.txt":   []byte("Django==5.2.8\ncelery==5.6.0\n"),
	})
	assert.Equal(t, report.Met, it.Status, it.Reason)
	require.NotEmpty(t, it.Evidence)
	assert.Equal(t, "req.txt:1", it.Evidence[0].Location())

	it = run(map[string][]byte{
		"Dockerfile":    []byte("FROM python:3.12\nRUN pip install --no-cache-dir -r deps/base.txt\n"),
		"deps/base.txt": []byte("Django>=5.0\n"),
	})
	assert.Equal(t, report.NotMet, it.Status, it.Reason)

	it = run(map[string][]byte{
		"README.md": []byte("# App\n\nSee req.txt for the list.\n"),
		"req.txt":   []byte("Django==5.2.8\n"),
	})
	assert.Equal(t, report.NotMet, it.Status, "req.txt is not installed anywhere: %s", it.Reason)
}

// A committed .env holding a real SECRET_KEY makes settings-from-env not
// met even when the settings read the environment; a placeholder value, an
// .env.example or a development .env.dev does not. The evidence never shows
// the value.
func TestCommittedDotenvSecrets(t *testing.T) {
	settings := []byte("import os\n\nSECRET_KEY = os.environ[\"SECRET_KEY\"]\nDEBUG = os.environ.get(\"DEBUG\") == \"1\"\n")
	run := func(files map[string][]byte) report.Item {
		files["proj/settings.py"] = settings
		files["proj/views.py"] = []byte("x = 1\n")
		r, err := report.Analyze(context.Background(), tree(t, files), all.Rules(), 1, report.Options{Now: fixedNow})
		require.NoError(t, err)
		return item(r, "settings-from-env")
	}
	key := "SECRET_KEY=gk&un=a!xv6a9(-_vwt=adcw5+6@s0ca-^3^=j=)l3fx$ni1^+\n"
	it := run(map[string][]byte{".env": []byte("DEBUG=True\n" + key)})
	assert.Equal(t, report.NotMet, it.Status, it.Reason)
	require.NotEmpty(t, it.Evidence)
	// The evidence (SEC024's finding, or the signal) cites the line and
	// never shows the value.
	assert.True(t, strings.HasSuffix(it.Evidence[0].Location(), ".env:2"), it.Evidence[0].Location())
	for _, ev := range it.Evidence {
		assert.NotContains(t, ev.Code, "gk&un")
		assert.NotContains(t, ev.Note, "gk&un")
	}

	for _, files := range []map[string][]byte{
		{".env": []byte("SECRET_KEY=change-me\nDATABASE_PASSWORD=123\n")},
		{".env.example": []byte(key)},
		{".env.dev": []byte(key)},
		{},
	} {
		it = run(files)
		assert.Equal(t, report.Met, it.Status, it.Reason)
	}
}

// A SECRET_KEY left as a placeholder in the deployable settings is not read
// from the environment, whatever else the settings read: the item is not
// met, cited at the key. A placeholder in a development or test settings
// module, or one a production module overrides from the environment, is
// fine.
func TestPlaceholderSecretKey(t *testing.T) {
	run := func(files map[string][]byte) report.Item {
		files["proj/views.py"] = []byte("x = 1\n")
		r, err := report.Analyze(context.Background(), tree(t, files), all.Rules(), 1, report.Options{Now: fixedNow})
		require.NoError(t, err)
		return item(r, "settings-from-env")
	}
	envDB := "DATABASES = {\"default\": {\"NAME\": os.getenv(\"NAME\"), \"PASSWORD\": os.getenv(\"DB_PASSWORD\")}}\n"
	it := run(map[string][]byte{"proj/settings.py": []byte("import os\n\nSECRET_KEY = \"change me\"\n\nDEBUG = True\n" + envDB)})
	assert.Equal(t, report.NotMet, it.Status, it.Reason)
	require.NotEmpty(t, it.Evidence)
	assert.Equal(t, "proj/settings.py:3", it.Evidence[0].Location())

	for name, files := range map[string]map[string][]byte{
		"test settings": {
			"proj/settings/base.py":    []byte("import os\n\nSECRET_KEY = os.environ[\"SECRET_KEY\"]\n" + envDB),
			"proj/settings/testing.py": []byte("SECRET_KEY = \"CHANGEME!!!\"\n"),
		},
		"overridden": {
			"proj/settings/base.py": []byte("import os\n\nSECRET_KEY = \"change me\"\n" + envDB),
			"proj/settings/prod.py": []byte("import os\n\nSECRET_KEY = os.environ[\"SECRET_KEY\"]\n"),
		},
		"read": {"proj/settings.py": []byte("import os\n\nSECRET_KEY = os.getenv(\"SECRET_KEY\", \"change me\")\n" + envDB)},
	} {
		it = run(files)
		assert.Equal(t, report.Met, it.Status, "%s: %s", name, it.Reason)
	}
}

// A payment SDK's request is an outbound call: the integration items
// apply, and none is met on it (no timeout, retry or breaker is shown).
// Its local signature check is not a request.
func TestPaymentSDKRequestsAreOutboundCalls(t *testing.T) {
	run := func(body string) *report.Report {
		dir := tree(t, map[string][]byte{
			"shop/views.py": []byte("import stripe\nfrom django.http import JsonResponse\n\n\ndef pay(request):\n" + body + "    return JsonResponse({})\n"),
			"shop/tests.py": []byte("def test_pay():\n    assert True\n"),
		})
		r, err := report.Analyze(context.Background(), dir, all.Rules(), 1, report.Options{Now: fixedNow})
		require.NoError(t, err)
		return r
	}
	r := run("    session = stripe.checkout.Session.create(mode=\"payment\", line_items=[])\n")
	calls := signal(r, "http.outbound_calls")
	require.Len(t, calls.Evidence, 1)
	assert.Equal(t, "shop/views.py:6", calls.Evidence[0].Location())
	for _, id := range []string{"timeouts", "retries", "circuit-breaker"} {
		it := item(r, id)
		assert.Equal(t, report.NotObserved, it.Status, "%s: %s", id, it.Reason)
	}
	assert.Equal(t, report.NotMet, item(r, "http-mocked").Status, "a test exists and mocks nothing")
	assert.Equal(t, 1.0, signal(r, "http.calls_without_timeout").Value, "the SDK's default timeout is not a timeout chosen")

	r = run("    event = stripe.Webhook.construct_event(request.body, request.headers[\"Stripe-Signature\"], \"whsec\")\n")
	assert.Zero(t, signal(r, "http.outbound_calls").Value)
	assert.Equal(t, report.NotApplicable, item(r, "timeouts").Status)
}

// Idempotency applies to any endpoint that changes state (an order placed
// twice on a double submit), and is met only on a checked key.
func TestIdempotencyAppliesToStateChangingEndpoints(t *testing.T) {
	run := func(view string) report.Item {
		dir := tree(t, map[string][]byte{
			"shop/models.py": []byte("from django.db import models\n\n\nclass Booking(models.Model):\n    room = models.IntegerField()\n    reference_id = models.CharField(max_length=40, unique=True)\n"),
			"shop/urls.py":   []byte("from django.urls import path\n\nfrom . import views\n\nurlpatterns = [path(\"bookings/\", views.book)]\n"),
			"shop/views.py": []byte("from django.contrib.auth.decorators import login_required\nfrom django.http import JsonResponse\nfrom django.views.decorators.http import require_POST\n\nfrom .models import Booking\n\n\n" +
				"@require_POST\n@login_required\ndef book(request):\n" + view + "    return JsonResponse({})\n"),
		})
		r, err := report.Analyze(context.Background(), dir, all.Rules(), 1, report.Options{Now: fixedNow})
		require.NoError(t, err)
		return item(r, "idempotency")
	}
	it := run("    Booking.objects.create(room=request.POST[\"room\"], reference_id=request.POST[\"ref\"])\n")
	assert.Equal(t, report.NotObserved, it.Status, "declared unique, never checked: %s", it.Reason)
	// Applying through the endpoint alone, the item cites it and asks about it.
	require.NotEmpty(t, it.Evidence)
	assert.Equal(t, "shop/views.py:10", it.Evidence[0].Location())
	assert.Contains(t, it.Question, "If `shop/views.py:10`")
	it = run("    Booking.objects.get_or_create(reference_id=request.POST[\"ref\"], defaults={\"room\": request.POST[\"room\"]})\n")
	assert.Equal(t, report.Met, it.Status, it.Reason)
	require.NotEmpty(t, it.Evidence)
	assert.Equal(t, "shop/models.py:6", it.Evidence[0].Location())
}

// "Query counts asserted" cites list endpoints first: a query per row
// shows there, not in a view that reads one row.
func TestQueryCountsCiteListEndpointsFirst(t *testing.T) {
	dir := tree(t, map[string][]byte{
		"shop/models.py":      []byte("from django.db import models\n\n\nclass Item(models.Model):\n    name = models.CharField(max_length=20)\n"),
		"shop/serializers.py": []byte("from rest_framework import serializers\n\nfrom .models import Item\n\n\nclass ItemSerializer(serializers.ModelSerializer):\n    class Meta:\n        model = Item\n        fields = [\"id\", \"name\"]\n"),
		"shop/views.py": []byte("from django.http import JsonResponse\nfrom rest_framework import generics\n\nfrom .models import Item\nfrom .serializers import ItemSerializer\n\n\n" +
			"def home(request):\n    return JsonResponse({\"items\": \"/items/\"})\n\n\n" +
			"class ItemList(generics.ListAPIView):\n    queryset = Item.objects.all()\n    serializer_class = ItemSerializer\n"),
	})
	r, err := report.Analyze(context.Background(), dir, all.Rules(), 1, report.Options{Now: fixedNow})
	require.NoError(t, err)
	it := item(r, "query-counts-asserted")
	assert.Equal(t, report.NotMet, it.Status, it.Reason)
	require.NotEmpty(t, it.Evidence)
	assert.Equal(t, "shop/views.py:12", it.Evidence[0].Location())
	assert.Contains(t, it.Question, "`shop/views.py:12`")
}

// Writes inside transaction.atomic (the decorator without parentheses
// included) meet "transaction management" when nothing leaves the
// database; a task queued next to them still needs on_commit, and writes
// outside atomic stay not met.
func TestTransactionsMetOnAtomicWrites(t *testing.T) {
	run := func(services string) report.Item {
		dir := tree(t, map[string][]byte{
			"bank/models.py": []byte("from django.db import models\n\n\nclass Account(models.Model):\n    balance = models.DecimalField(max_digits=12, decimal_places=2)\n\n\n" +
				"class Operation(models.Model):\n    account = models.ForeignKey(Account, on_delete=models.CASCADE)\n    amount = models.DecimalField(max_digits=12, decimal_places=2)\n"),
			"bank/tasks.py":    []byte("from celery import shared_task\n\n\n@shared_task\ndef notify(pk):\n    return pk\n"),
			"bank/services.py": []byte("from django.db import transaction\nfrom django.db.models import F\n\nfrom .models import Account, Operation\nfrom .tasks import notify\n\n\n" + services),
		})
		r, err := report.Analyze(context.Background(), dir, all.Rules(), 1, report.Options{Now: fixedNow})
		require.NoError(t, err)
		return item(r, "transactions")
	}
	body := "def deposit(account_id, amount):\n    Account.objects.filter(pk=account_id).update(balance=F(\"balance\") + amount)\n    return Operation.objects.create(account_id=account_id, amount=amount)\n"
	it := run("@transaction.atomic\n" + body)
	assert.Equal(t, report.Met, it.Status, it.Reason)
	require.NotEmpty(t, it.Evidence)
	assert.Equal(t, "bank/services.py:8", it.Evidence[0].Location())
	// Met on the atomic block, asked about it, not about side effects
	// waiting for a commit there are none of.
	assert.Contains(t, it.Question, "keeps the writes in one transaction")
	assert.NotContains(t, it.Question, "Side effects")

	it = run("@transaction.atomic\n" + body[:len(body)-len("    return Operation.objects.create(account_id=account_id, amount=amount)\n")] +
		"    op = Operation.objects.create(account_id=account_id, amount=amount)\n    notify.delay(op.pk)\n    return op\n")
	assert.NotEqual(t, report.Met, it.Status, "a task queued inside the transaction: %s", it.Reason)

	it = run(body + "\n\n@transaction.atomic\ndef noop():\n    return None\n")
	assert.Equal(t, report.NotMet, it.Status, "two writes outside atomic: %s", it.Reason)
}

// An availability check racing the booking insert (BUG041) is a check and
// a write no transaction holds together: transaction management is not
// met, with the finding as its evidence, and the finding is not counted
// among the crashes a second time.
func TestBookingRaceIsATransactionFinding(t *testing.T) {
	dir := tree(t, map[string][]byte{
		"bookings/models.py": []byte("from django.db import models\n\n\nclass Room(models.Model):\n    name = models.CharField(max_length=50)\n\n\n" +
			"class Booking(models.Model):\n    room = models.ForeignKey(Room, on_delete=models.CASCADE)\n    start = models.DateTimeField()\n    end = models.DateTimeField()\n"),
		"bookings/services.py": []byte("from .models import Booking\n\n\ndef book(room, start, end):\n" +
			"    if Booking.objects.filter(room=room, start__lt=end, end__gt=start).exists():\n        raise ValueError(\"taken\")\n" +
			"    return Booking.objects.create(room=room, start=start, end=end)\n"),
	})
	r, err := report.Analyze(context.Background(), dir, all.Rules(), 1, report.Options{Now: fixedNow})
	require.NoError(t, err)
	it := item(r, "transactions")
	assert.Equal(t, report.NotMet, it.Status, it.Reason)
	require.NotEmpty(t, it.Evidence)
	assert.Equal(t, "BUG041", it.Evidence[0].Rule)
	assert.Equal(t, "bookings/services.py:5", it.Evidence[0].Location())
	assert.Contains(t, it.Question, "book this slot at the same moment")
	for _, e := range item(r, "no-provable-crashes").Evidence {
		assert.NotEqual(t, "BUG041", e.Rule)
	}
}

// ATOMIC_REQUESTS set in the settings runs every view in a transaction: a
// view writing two models under it manages its transactions (met, cited at
// the setting); without it the same view is not met.
func TestTransactionsMetUnderAtomicRequests(t *testing.T) {
	run := func(settings string) report.Item {
		dir := tree(t, map[string][]byte{
			"config/settings.py": []byte("INSTALLED_APPS = [\"shop\"]\nROOT_URLCONF = \"shop.urls\"\nDATABASES = {\"default\": {\"ENGINE\": \"django.db.backends.sqlite3\", \"NAME\": \"db\"}}\n" + settings),
			"shop/models.py":     []byte("from django.db import models\n\n\nclass Order(models.Model):\n    total = models.IntegerField()\n\n\nclass Line(models.Model):\n    order = models.ForeignKey(Order, on_delete=models.CASCADE)\n    qty = models.IntegerField()\n"),
			"shop/views.py":      []byte("from django.http import JsonResponse\n\nfrom .models import Line, Order\n\n\ndef place(request):\n    order = Order.objects.create(total=1)\n    Line.objects.create(order=order, qty=1)\n    return JsonResponse({\"id\": order.pk})\n"),
			"shop/urls.py":       []byte("from django.urls import path\n\nfrom .views import place\n\nurlpatterns = [path(\"place/\", place)]\n"),
		})
		r, err := report.Analyze(context.Background(), dir, all.Rules(), 1, report.Options{Now: fixedNow})
		require.NoError(t, err)
		return item(r, "transactions")
	}
	it := run("DATABASES[\"default\"][\"ATOMIC_REQUESTS\"] = True\n")
	assert.Equal(t, report.Met, it.Status, it.Reason)
	require.NotEmpty(t, it.Evidence)
	assert.Equal(t, "config/settings.py:4", it.Evidence[0].Location())

	it = run("")
	assert.Equal(t, report.NotMet, it.Status, it.Reason)
}

// A unique field a lookup reads is an index serving it: met, cited at the
// field. A lookup by a primary key named otherwise is a lookup by pk:
// nothing to judge. A foreign key's implicit index shows no choice made,
// and a plain column stays unindexed.
func TestIndexesServingLookups(t *testing.T) {
	run := func(field, lookup string) report.Item {
		dir := tree(t, map[string][]byte{
			"pay/models.py": []byte("from django.conf import settings\nfrom django.db import models\n\n\nclass Payment(models.Model):\n    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)\n" + field + "    amount = models.DecimalField(max_digits=9, decimal_places=2)\n"),
			"pay/views.py":  []byte("from django.http import JsonResponse\n\nfrom .models import Payment\n\n\ndef show(request, ref):\n    row = " + lookup + "\n    return JsonResponse({\"amount\": str(row.amount)})\n"),
		})
		r, err := report.Analyze(context.Background(), dir, all.Rules(), 1, report.Options{Now: fixedNow})
		require.NoError(t, err)
		return item(r, "indexes")
	}
	it := run("    reference = models.CharField(max_length=40, unique=True)\n", "Payment.objects.get(reference=ref)")
	assert.Equal(t, report.Met, it.Status, it.Reason)
	require.NotEmpty(t, it.Evidence)
	assert.Equal(t, "pay/models.py:7", it.Evidence[0].Location())

	it = run("    reference = models.CharField(max_length=40, primary_key=True)\n", "Payment.objects.get(reference=ref)")
	assert.Equal(t, report.NotApplicable, it.Status, it.Reason)

	it = run("    reference = models.CharField(max_length=40)\n", "Payment.objects.get(reference=ref)")
	assert.NotEqual(t, report.Met, it.Status, "no index on reference: %s", it.Reason)
	assert.NotEqual(t, report.NotApplicable, it.Status)

	it = run("    reference = models.CharField(max_length=40, unique=True)\n", "Payment.objects.filter(user_id=ref).first()")
	assert.Equal(t, report.NotObserved, it.Status, "a foreign key's own index is no index chosen: %s", it.Reason)

	// A composite index chosen for the lookup's pair of columns, led by
	// the foreign key, serves it.
	it = run("    currency = models.CharField(max_length=3)\n\n    class Meta:\n        unique_together = (\"user\", \"currency\")\n\n", "Payment.objects.get(user=request.user, currency=ref)")
	assert.Equal(t, report.Met, it.Status, it.Reason)
	require.NotEmpty(t, it.Evidence)
	assert.Equal(t, "pay/models.py:5", it.Evidence[0].Location())
	it = run("    currency = models.CharField(max_length=3)\n\n    class Meta:\n        unique_together = (\"user\", \"currency\")\n\n", "Payment.objects.get(currency=ref)")
	assert.NotEqual(t, report.Met, it.Status, "the index does not lead with currency: %s", it.Reason)
}

// A Celery task is retried or not like an outbound call: the retries item
// applies to it, met on the task's retry options only.
func TestRetriesApplyToTasks(t *testing.T) {
	run := func(decorator string) report.Item {
		dir := tree(t, map[string][]byte{
			"payouts/tasks.py": []byte("from celery import shared_task\n\n\n" + decorator + "\ndef send_payout(payout_id):\n    return payout_id\n"),
		})
		r, err := report.Analyze(context.Background(), dir, all.Rules(), 1, report.Options{Now: fixedNow})
		require.NoError(t, err)
		return item(r, "retries")
	}
	it := run("@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)")
	assert.Equal(t, report.Met, it.Status, it.Reason)
	require.NotEmpty(t, it.Evidence)
	assert.Equal(t, "payouts/tasks.py:4", it.Evidence[0].Location())

	it = run("@shared_task")
	assert.NotEqual(t, report.Met, it.Status, it.Reason)
	assert.NotEqual(t, report.NotApplicable, it.Status, it.Reason)

	// max_retries or retry_backoff on a task that never retries (no
	// autoretry_for, no retry() in its body) retry nothing.
	it = run("@shared_task(bind=True, max_retries=3, default_retry_delay=60)")
	assert.NotEqual(t, report.Met, it.Status, it.Reason)
	dir := tree(t, map[string][]byte{
		"payouts/tasks.py": []byte("from celery import shared_task\n\n\n@shared_task(bind=True, max_retries=3)\ndef send_payout(self, payout_id):\n" +
			"    try:\n        return payout_id\n    except ConnectionError as exc:\n        raise self.retry(exc=exc, countdown=2 ** self.request.retries)\n"),
	})
	r, err := report.Analyze(context.Background(), dir, all.Rules(), 1, report.Options{Now: fixedNow})
	require.NoError(t, err)
	it = item(r, "retries")
	assert.Equal(t, report.Met, it.Status, "max_retries and a self.retry(): %s", it.Reason)
}

// How a README says to run the tests, as it renders: Russian headings, an
// indented code block, a block whose closing fence never comes (a
// "```bash" line inside it is code, not a close). The adjective of
// "Тестовое задание" (the test assignment) is no tests section.
func TestReadmeTestsAsRendered(t *testing.T) {
	for readme, want := range map[string]report.Status{
		"# App\n\n## Запуск тестов\n\n1. docker compose exec web pytest\n":                                            report.Met,
		"# App\n\n### Tests\n\n    cd project\n    pipenv run python manage.py test\n":                                report.Met,
		"# App\n\nSee below.\n\n    cd project\n    pipenv run python manage.py test\n":                               report.Met,
		"# App\n\n```bash\ndocker compose up\n\n## Usage\n\n```bash\ndocker compose exec web python manage.py test\n": report.Met,
		"# App\n\n### Тестовое задание\n\nСделать кошелёк.\n":                                                         report.NotMet,
		"# App\n\nWe wrote tests. Run them with the usual command\nmanage.py test\n":                                  report.NotMet,
		"# App\n\n```bash\ndocker compose up\n```\n\n    pip install pytest-django\n":                                 report.NotMet,
	} {
		dir := tree(t, map[string][]byte{"app/views.py": []byte("x = 1\n"), "app/tests.py": []byte("def test_x():\n    assert True\n"), "README.md": []byte(readme)})
		r, err := report.Analyze(context.Background(), dir, all.Rules(), 1, report.Options{Now: fixedNow})
		require.NoError(t, err)
		assert.Equal(t, want, item(r, "readme-tests").Status, readme)
	}
	// Russian set-up and decisions headings.
	dir := tree(t, map[string][]byte{"app/views.py": []byte("x = 1\n"), "README.md": []byte("# Кошелёк\n\n## Для запуска\nСобрать образ и запустить контейнер с помощью команды: docker compose up --build\n\n## Имплементация\n\nМодули...\n")})
	r, err := report.Analyze(context.Background(), dir, all.Rules(), 1, report.Options{Now: fixedNow})
	require.NoError(t, err)
	assert.Equal(t, report.Met, item(r, "readme-setup").Status, "the command after the colon")
	assert.Equal(t, report.Met, item(r, "readme-decisions").Status)
	// A launch heading over install steps only says nothing of running it.
	dir = tree(t, map[string][]byte{"app/views.py": []byte("x = 1\n"), "README.md": []byte("# App\n\n## Запуск проекта\n\n```\npython -m venv venv\npip install -r requirements.txt\n```\n")})
	r, err = report.Analyze(context.Background(), dir, all.Rules(), 1, report.Options{Now: fixedNow})
	require.NoError(t, err)
	assert.Equal(t, report.NotMet, item(r, "readme-setup").Status)
	// Spanish headings: assumptions of the domain, the tests in the
	// plural; "Prueba técnica" (the assignment) is no tests section.
	for readme, want := range map[string][2]report.Status{
		"# Ejercicio\n\n## Supuestos del dominio\n\nUn pedido...\n\n## Pruebas\n\n```\npytest\n```\n": {report.Met, report.Met},
		"# Prueba técnica\n\nUna API.\n": {report.NotMet, report.NotMet},
	} {
		dir = tree(t, map[string][]byte{"app/views.py": []byte("x = 1\n"), "app/tests.py": []byte("def test_x():\n    assert True\n"), "README.md": []byte(readme)})
		r, err = report.Analyze(context.Background(), dir, all.Rules(), 1, report.Options{Now: fixedNow})
		require.NoError(t, err)
		assert.Equal(t, want[0], item(r, "readme-decisions").Status, readme)
		assert.Equal(t, want[1], item(r, "readme-tests").Status, readme)
	}
}

// A unique operation key written through a DRF ModelSerializer that
// derives the field (which adds a UniqueValidator) or a ModelForm is
// checked before the write: a repeat is refused with a 400. A field the
// serializer declares again without the validator, or reads only, is not.
func TestUniqueKeyValidatedBySerializer(t *testing.T) {
	run := func(serializer string) report.Item {
		dir := tree(t, map[string][]byte{
			"wallet/models.py": []byte("from django.db import models\n\n\nclass Deposit(models.Model):\n    txid = models.CharField(max_length=64, unique=True)\n    amount = models.DecimalField(max_digits=12, decimal_places=2)\n"),
			"wallet/serializers.py": []byte("from rest_framework import serializers\nfrom rest_framework.validators import UniqueValidator\n\nfrom .models import Deposit\n\n\n" +
				"class DepositSerializer(serializers.ModelSerializer):\n" + serializer + "    class Meta:\n        model = Deposit\n        fields = \"__all__\"\n"),
			"wallet/views.py": []byte("from rest_framework import viewsets\nfrom rest_framework.permissions import IsAuthenticated\n\nfrom .models import Deposit\nfrom .serializers import DepositSerializer\n\n\n" +
				"class DepositViewSet(viewsets.ModelViewSet):\n    queryset = Deposit.objects.all()\n    serializer_class = DepositSerializer\n    permission_classes = [IsAuthenticated]\n"),
			"wallet/urls.py": []byte("from rest_framework.routers import DefaultRouter\n\nfrom .views import DepositViewSet\n\nrouter = DefaultRouter()\nrouter.register(\"deposits\", DepositViewSet)\nurlpatterns = router.urls\n"),
		})
		r, err := report.Analyze(context.Background(), dir, all.Rules(), 1, report.Options{Now: fixedNow})
		require.NoError(t, err)
		return item(r, "idempotency")
	}
	it := run("")
	assert.Equal(t, report.Met, it.Status, it.Reason)
	require.NotEmpty(t, it.Evidence)
	assert.Equal(t, "wallet/models.py:5", it.Evidence[0].Location())
	assert.Contains(t, it.Evidence[0].Note, "`DepositSerializer` validates it unique")

	it = run("    txid = serializers.CharField(validators=[UniqueValidator(Deposit.objects.all())])\n\n")
	assert.Equal(t, report.Met, it.Status, it.Reason)

	it = run("    txid = serializers.CharField(max_length=64)\n\n")
	assert.Equal(t, report.NotObserved, it.Status, "declared again without its validator: %s", it.Reason)

	it = run("    txid = serializers.CharField(read_only=True)\n\n")
	assert.Equal(t, report.NotObserved, it.Status, "read only: %s", it.Reason)
}

// Errors handled by name include the expected failures a view answers
// with Django's or DRF's client errors (a 400, 403 or 404 by name). The
// ImportError handler of Django's generated manage.py shows nothing.
func TestErrorsSpecificClientErrors(t *testing.T) {
	manage := []byte("import sys\n\n\ndef main():\n    try:\n        from django.core.management import execute_from_command_line\n    except ImportError as exc:\n        raise ImportError(\"Couldn't import Django.\") from exc\n    execute_from_command_line(sys.argv)\n")
	run := func(views string) report.Item {
		files := map[string][]byte{"manage.py": manage}
		if views != "" {
			files["shop/views.py"] = []byte(views)
		}
		r, err := report.Analyze(context.Background(), tree(t, files), all.Rules(), 1, report.Options{Now: fixedNow})
		require.NoError(t, err)
		return item(r, "errors-specific")
	}
	assert.Equal(t, report.NotApplicable, run("").Status, "manage.py alone")

	head := "from rest_framework.exceptions import ValidationError\nfrom rest_framework.response import Response\nfrom rest_framework.views import APIView\n\n\n"
	it := run(head + "class Withdraw(APIView):\n    def post(self, request):\n        if request.data.get(\"amount\", 0) <= 0:\n            raise ValidationError(\"amount must be positive\")\n        return Response({})\n")
	assert.Equal(t, report.Met, it.Status, it.Reason)
	require.NotEmpty(t, it.Evidence)
	assert.Equal(t, "shop/views.py:9", it.Evidence[0].Location())
	// Met on a failure raised by name: the question does not say it is caught.
	assert.Contains(t, it.Question, "`shop/views.py:9` answers an expected failure by name")
	assert.NotContains(t, it.Question, "catches")

	it = run(head + "class Withdraw(APIView):\n    def post(self, request):\n        try:\n            amount = int(request.data[\"amount\"])\n        except Exception:\n            raise ValidationError(\"bad amount\")\n        return Response({\"amount\": amount})\n")
	assert.NotEqual(t, report.Met, it.Status, "a broad handler: %s", it.Reason)

	it = run("from django.http import Http404, JsonResponse\n\n\ndef show(request, pk):\n    if pk < 0:\n        raise Http404\n    return JsonResponse({})\n")
	assert.Equal(t, report.Met, it.Status, it.Reason)
}

// A ModelForm a view names validates its unique fields (validate_unique).
func TestUniqueKeyValidatedByModelForm(t *testing.T) {
	dir := tree(t, map[string][]byte{
		"wallet/models.py": []byte("from django.db import models\n\n\nclass Deposit(models.Model):\n    txid = models.CharField(max_length=64, unique=True)\n    amount = models.DecimalField(max_digits=12, decimal_places=2)\n"),
		"wallet/forms.py":  []byte("from django import forms\n\nfrom .models import Deposit\n\n\nclass DepositForm(forms.ModelForm):\n    class Meta:\n        model = Deposit\n        fields = [\"txid\", \"amount\"]\n"),
		"wallet/views.py": []byte("from django.contrib.auth.mixins import LoginRequiredMixin\nfrom django.views.generic import CreateView\n\nfrom .forms import DepositForm\n\n\n" +
			"class DepositCreate(LoginRequiredMixin, CreateView):\n    form_class = DepositForm\n    success_url = \"/\"\n"),
		"wallet/urls.py": []byte("from django.urls import path\n\nfrom .views import DepositCreate\n\nurlpatterns = [path(\"deposits/\", DepositCreate.as_view())]\n"),
	})
	r, err := report.Analyze(context.Background(), dir, all.Rules(), 1, report.Options{Now: fixedNow})
	require.NoError(t, err)
	sig := signal(r, "models.unique_operation_keys")
	require.Len(t, sig.Evidence, 1)
	assert.Contains(t, sig.Evidence[0].Note, "`DepositForm` validates it unique")
}

// With no test at all, the README cannot say how to run the tests: the
// item is not met (the reviewer cannot check the submission by running
// anything), even when the README gives a test command with nothing behind
// it. Tests and a command meet it.
func TestReadmeTestsWithoutTests(t *testing.T) {
	for _, c := range []struct {
		files map[string][]byte
		want  report.Status
	}{
		{map[string][]byte{"app/views.py": []byte("x = 1\n"), "README.md": []byte("# App\n\n## Run\n\n```\npython manage.py runserver\n```\n")}, report.NotMet},
		{map[string][]byte{"app/views.py": []byte("x = 1\n"), "app/tests.py": []byte("# Create your tests here.\n"), "README.md": []byte("# App\n\n## Tests\n\n```\npython manage.py test\n```\n")}, report.NotMet},
		{map[string][]byte{"app/views.py": []byte("x = 1\n"), "app/tests.py": []byte("def test_x():\n    assert True\n"), "README.md": []byte("# App\n\n## Tests\n\n```\npython manage.py test\n```\n")}, report.Met},
		{map[string][]byte{"README.md": []byte("# Notes\n\nNo code yet.\n")}, report.NotApplicable},
	} {
		r, err := report.Analyze(context.Background(), tree(t, c.files), all.Rules(), 1, report.Options{Now: fixedNow})
		require.NoError(t, err)
		it := item(r, "readme-tests")
		assert.Equal(t, c.want, it.Status, "%v: %s", c.files, it.Reason)
	}
}

// The coverage items cite functions, not only a share: the annotated (or
// documented) ones when met, the others when not.
func TestCoverageItemsCiteFunctions(t *testing.T) {
	run := func(src string) (report.Item, report.Item) {
		dir := tree(t, map[string][]byte{"shop/services.py": []byte(src)})
		r, err := report.Analyze(context.Background(), dir, all.Rules(), 1, report.Options{Now: fixedNow})
		require.NoError(t, err)
		return item(r, "type-hints"), item(r, "docstrings")
	}
	typed := "def total(prices: list[int]) -> int:\n    \"\"\"Sum of the prices.\"\"\"\n    return sum(prices)\n\n\n"
	bare := "def discount(price, rate):\n    return price * rate\n"
	hints, docs := run(typed + strings.Replace(typed, "total", "subtotal", 1) + strings.Replace(typed, "total", "grand_total", 1) + bare)
	assert.Equal(t, report.Met, hints.Status, hints.Reason)
	require.NotEmpty(t, hints.Evidence)
	assert.Equal(t, 1, hints.Evidence[0].Line, "cited at an annotated def")
	assert.Equal(t, report.Met, docs.Status, docs.Reason)
	require.NotEmpty(t, docs.Evidence)
	assert.Contains(t, docs.Evidence[0].Code, "def total(")

	hints, docs = run(bare + "\n\n" + strings.Replace(bare, "discount", "markup", 1) + "\n\n" + typed)
	assert.Equal(t, report.NotMet, hints.Status, hints.Reason)
	require.Len(t, hints.Evidence, 2)
	assert.Equal(t, 1, hints.Evidence[0].Line, "cited at the defs missing annotations")
	assert.Contains(t, hints.Evidence[1].Code, "def markup(")
	assert.Equal(t, report.NotMet, docs.Status, docs.Reason)
	require.Len(t, docs.Evidence, 2)
	assert.Contains(t, docs.Evidence[0].Code, "def discount(")
}

// The design item asks what each design finding raises, not the generic
// question about module boundaries: a development server in the deployed
// compose file is asked about production serving.
func TestDesignFindingsAskTheirOwnQuestion(t *testing.T) {
	files := map[string][]byte{
		"docker-compose.yml": []byte("services:\n  web:\n    build: .\n    command: python manage.py runserver 0.0.0.0:8000\n    ports:\n      - \"8000:8000\"\n"),
		"manage.py":          []byte("import os\nimport sys\n\nif __name__ == \"__main__\":\n    os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"shop.settings\")\n    from django.core.management import execute_from_command_line\n\n    execute_from_command_line(sys.argv)\n"),
		"shop/__init__.py":   []byte(""),
		"shop/settings.py":   []byte("import os\n\nSECRET_KEY = os.environ[\"SECRET_KEY\"]\nINSTALLED_APPS = [\"django.contrib.contenttypes\", \"shop\"]\n"),
		"requirements.txt":   []byte("Django==5.2.8\n"),
	}
	r, err := report.Analyze(context.Background(), tree(t, files), all.Rules(), 1, report.Options{Now: fixedNow})
	require.NoError(t, err)
	it := item(r, "design-other")
	require.Equal(t, report.NotMet, it.Status, it.Reason)
	assert.Contains(t, it.Reason, "ARC009")
	assert.Contains(t, it.Question, "How would this service run in production")
	assert.NotContains(t, it.Question, "tested alone")
}
