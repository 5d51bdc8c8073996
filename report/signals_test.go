package report_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
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

// A README counts as saying how to run the project when a line of it is a
// run command, not when prose mentions one.
func TestReadmeRunCommand(t *testing.T) {
	for readme, want := range map[string]report.Status{
		"# App\n\n## Setup\n\n```\npip install -r requirements.txt\npython manage.py runserver\n```\n": report.Met,
		"# App\n\n## Setup\n\n    $ docker compose up\n":                                               report.Met,
		"# App\n\n## Setup\n\nOur CI's `make run` target builds the docs.\n":                           report.NotMet,
		"# App\n\n## HOWTO\n- Execute `docker compose up -d --build`\n":                                report.Met,
		"# App\n\n7. Run server!\n   ```\n   ./manage.py runserver 8000\n   ```\n":                     report.Met,
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
		"def f(x):\n    try:\n        return int(x)\n    except ValueError:\n        return None\n":                                                                                                                          report.Met,
		"def f(x):\n    try:\n        return int(x)\n    except ValueError:\n        pass\n":                                                                                                                                 report.NotObserved,
		"def f(x):\n    try:\n        return int(x)\n    except ValueError:\n        return None\n\ndef g(x):\n    try:\n        return x()\n    except Exception:\n        logger.exception(\"g failed\")\n        raise\n": report.NotObserved,
	} {
		r, err := report.Analyze(context.Background(), tree(t, map[string][]byte{"app/logic.py": []byte(src)}), all.Rules(), 1, report.Options{Now: fixedNow})
		require.NoError(t, err)
		assert.Equal(t, want, item(r, "errors-specific").Status, src)
	}
}
