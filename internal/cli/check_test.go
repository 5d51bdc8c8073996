package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const bare = `def load(path):
    try:
        return open(path).read()
    except:
        return None
`

// project writes files into a fresh directory and makes it the working
// directory.
func tempProject(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
	t.Chdir(dir)
	return dir
}

func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestOutputsTextAndSARIF(t *testing.T) {
	tempProject(t, map[string]string{"app/io.py": bare})
	code, out, errs := run(t, "check", "--no-cache", "--output-format", "sarif=out.sarif", ".")
	assert.Equal(t, 1, code, errs)
	assert.Contains(t, out, "app/io.py:4:5: ERR001")
	var log map[string]any
	data, err := os.ReadFile("out.sarif")
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &log))
	assert.Equal(t, "2.1.0", log["version"])
}

func TestFormatsPairWithOutputs(t *testing.T) {
	tempProject(t, map[string]string{"app/io.py": bare})
	code, out, errs := run(t, "check", "--no-cache", "--format", "json", "-o", "r.json", "--format", "github", ".")
	assert.Equal(t, 1, code, errs)
	assert.True(t, strings.HasPrefix(out, "::error file=app/io.py,line=4,col=5,"), out)
	data, err := os.ReadFile("r.json")
	require.NoError(t, err)
	assert.Contains(t, string(data), `"code": "ERR001"`)

	code, _, errs = run(t, "check", "--no-cache", "--format", "json", "--format", "github", ".")
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "several formats would go to standard output")

	// ruff's meaning: the format of standard output.
	code, out, errs = run(t, "check", "--no-cache", "--output-format", "concise", ".")
	assert.Equal(t, 1, code, errs)
	assert.True(t, strings.HasPrefix(out, "app/io.py:4:5: ERR001 bare"), out)

	code, _, errs = run(t, "check", "--no-cache", "--output-format", "=x", ".")
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "want FORMAT or FORMAT=FILE")

	code, _, errs = run(t, "check", "--no-cache", "--format", "yaml", ".")
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, `unknown format "yaml"`)
}

func TestConfigPrecedence(t *testing.T) {
	tempProject(t, map[string]string{
		"app/io.py":      bare,
		"pyproject.toml": "[tool.rubric]\nfail-on = \"error\"\n\n[tool.rubric.severity]\nERR001 = \"warning\"\n",
	})
	// File over defaults: ERR001 is a warning and only errors fail.
	code, out, _ := run(t, "check", "--no-cache", ".")
	assert.Equal(t, 0, code, out)
	assert.Contains(t, out, "0 error, 1 warning")
	// CLI over file.
	code, _, _ = run(t, "check", "--no-cache", "--fail-on", "warning", ".")
	assert.Equal(t, 1, code)
	code, _, _ = run(t, "check", "--no-cache", "--ignore", "ERR001", "--fail-on", "info", ".")
	assert.Equal(t, 0, code)

	code, out, _ = run(t, "config", "--fail-on", "info")
	assert.Equal(t, 0, code)
	assert.Regexp(t, `fail-on = "info"\s+# --fail-on`, out)
	assert.Regexp(t, `severity = \{ERR001 = "warning"\}\s+# .*pyproject.toml:4`, out)
	assert.Regexp(t, `select = \[\]\s+# default`, out)
}

func TestConfigErrorsExit2(t *testing.T) {
	tempProject(t, map[string]string{
		"app/io.py":   bare,
		"rubric.toml": "select = [\"ERR\"]\nfail_on = \"error\"\n",
	})
	code, _, errs := run(t, "check", "--no-cache", ".")
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "rubric.toml:2: unknown key \"fail_on\"")
}

func TestExcludeAndPerFileIgnores(t *testing.T) {
	tempProject(t, map[string]string{
		"app/io.py":        bare,
		"legacy/old.py":    bare,
		"tests/test_io.py": bare,
		"rubric.toml":      "exclude = [\"legacy\"]\n[per-file-ignores]\n\"tests/**\" = [\"bare-except\"]\n",
	})
	code, out, _ := run(t, "check", "--no-cache", ".")
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "app/io.py")
	assert.NotContains(t, out, "legacy/old.py")
	assert.NotContains(t, out, "tests/test_io.py")
	assert.Contains(t, out, "in 2 files. 1 suppressed.")
}

func TestBaselineRoundTripWithShiftedLines(t *testing.T) {
	dir := tempProject(t, map[string]string{"app/io.py": bare, "app/other.py": bare})
	code, _, errs := run(t, "check", "--no-cache", "--write-baseline", "rubric-baseline.json", ".")
	require.Equal(t, 0, code, errs)
	assert.Contains(t, errs, "recorded 2 findings")

	// Unrelated edits move both findings down.
	shifted := "import os\n\n\nCONSTANT = 1\n\n\n" + bare
	require.NoError(t, os.WriteFile(filepath.Join(dir, "app/io.py"), []byte(shifted), 0o644))
	code, out, errs := run(t, "check", "--no-cache", "--baseline", "rubric-baseline.json", ".")
	assert.Equal(t, 0, code, out+errs)
	assert.Contains(t, out, "All checks passed")

	// A new finding is reported, the old ones are not.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "app/io.py"), []byte(shifted+"\n\n"+strings.ReplaceAll(bare, "load", "load2")), 0o644))
	code, out, _ = run(t, "check", "--no-cache", "--baseline", "rubric-baseline.json", "--format", "json", ".")
	assert.Equal(t, 1, code)
	var rep struct {
		Diagnostics []struct {
			Path string `json:"path"`
			Line int    `json:"line"`
		} `json:"diagnostics"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	require.Len(t, rep.Diagnostics, 1)
	assert.Equal(t, 17, rep.Diagnostics[0].Line)
}

// A baseline written inside the project holds when CI runs rubric from
// the directory above, or on the project's absolute path.
func TestBaselineFromAnotherDirectory(t *testing.T) {
	dir := tempProject(t, map[string]string{"app/io.py": bare, "app/other.py": bare})
	code, _, errs := run(t, "check", "--no-cache", "--write-baseline", "rubric-baseline.json", ".")
	require.Equal(t, 0, code, errs)
	base := filepath.Join(dir, "rubric-baseline.json")

	t.Chdir(filepath.Dir(dir))
	code, out, errs := run(t, "check", "--no-cache", "--baseline", base, filepath.Base(dir))
	assert.Equal(t, 0, code, out+errs)
	assert.Contains(t, out, "All checks passed")

	t.Chdir(t.TempDir())
	code, out, errs = run(t, "check", "--no-cache", "--baseline", base, dir)
	assert.Equal(t, 0, code, out+errs)
	assert.Contains(t, out, "All checks passed")
}

func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"}, args...)...)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
}

func TestChangedSinceReportsOnlyChangedLines(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := tempProject(t, map[string]string{"app/io.py": bare})
	git(t, dir, "init", "-q")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "first")

	more := bare + "\n\n" + strings.ReplaceAll(bare, "load", "load2")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "app/io.py"), []byte(more), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "app/new.py"), []byte(bare), 0o644)) // untracked

	code, out, errs := run(t, "check", "--no-cache", "--changed-since", "HEAD", "--format", "github", ".")
	assert.Equal(t, 1, code, errs)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 2, out)
	assert.Contains(t, lines[0], "file=app/io.py,line=11,")
	assert.Contains(t, lines[1], "file=app/new.py,line=4,")

	code, _, errs = run(t, "check", "--no-cache", "--changed-since", "no-such-rev", ".")
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "not a revision")
}

func TestCacheHitAndInvalidation(t *testing.T) {
	dir := tempProject(t, map[string]string{"app/io.py": bare})
	cacheDir := filepath.Join(t.TempDir(), "cache")
	entries := func() int {
		m, _ := filepath.Glob(filepath.Join(cacheDir, "*.gob"))
		return len(m)
	}
	code, cold, _ := run(t, "check", "--cache-dir", cacheDir, ".")
	assert.Equal(t, 1, code)
	assert.Equal(t, 1, entries())
	code, warm, _ := run(t, "check", "--cache-dir", cacheDir, ".")
	assert.Equal(t, 1, code)
	assert.Equal(t, cold, warm)
	assert.Equal(t, 1, entries())

	// Configuration is part of the key.
	run(t, "check", "--cache-dir", cacheDir, "--ignore", "ERR001", ".")
	assert.Equal(t, 2, entries())

	// So is every file's content.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "app/io.py"), []byte("x = 1\n"), 0o644))
	code, out, _ := run(t, "check", "--cache-dir", cacheDir, ".")
	assert.Equal(t, 0, code, out)
	assert.Equal(t, 3, entries())

	// --no-cache neither reads nor writes.
	run(t, "check", "--cache-dir", cacheDir, "--no-cache", "--select", "SYN", ".")
	assert.Equal(t, 3, entries())
}

// Tasks without a time limit and no global limit: one setting fixes them
// all, so the report shows one finding for the run.
func TestTaskTimeLimitsCollapseForTheRun(t *testing.T) {
	task := "import requests\nfrom celery import shared_task\n\n\n@shared_task\ndef %s():\n    return requests.get(\"https://api.example\", timeout=5)\n"
	tempProject(t, map[string]string{
		"billing/tasks.py": fmt.Sprintf(task, "charge"),
		"mail/tasks.py":    fmt.Sprintf(task, "send"),
	})
	_, out, _ := run(t, "check", "--no-cache", "--select", "CEL002", "--output-format", "concise", ".")
	assert.Equal(t, 1, strings.Count(out, "CEL002"), out)
	assert.Contains(t, out, "(and 1 more like it in the project)")
}

// Each endpoint that serves another user's rows is its own finding: the
// reports do not fold SEC015 into one finding for the file.
func TestUnscopedFetchesAreNotFolded(t *testing.T) {
	handler := "    @action(detail=True, methods=[\"post\"])\n    def %s(self, request, pk=None):\n        account = Account.objects.get(pk=pk)\n        return Response({\"id\": account.pk})\n\n"
	views := "from rest_framework import viewsets\nfrom rest_framework.decorators import action\nfrom rest_framework.response import Response\n\nfrom .models import Account\n\n\nclass AccountActions(viewsets.ViewSet):\n"
	for _, name := range []string{"deposit", "withdraw", "freeze", "close"} {
		views += fmt.Sprintf(handler, name)
	}
	tempProject(t, map[string]string{
		"config/settings.py": "INSTALLED_APPS = [\"rest_framework\", \"bank\"]\nROOT_URLCONF = \"config.urls\"\nREST_FRAMEWORK = {\"DEFAULT_PERMISSION_CLASSES\": (\"rest_framework.permissions.IsAuthenticated\",)}\n",
		"config/urls.py": "from django.urls import include, path\nfrom rest_framework.routers import DefaultRouter\n\nfrom bank.views import AccountActions\n\n" +
			"router = DefaultRouter()\nrouter.register(\"accounts\", AccountActions, basename=\"accounts\")\nurlpatterns = [path(\"api/\", include(router.urls))]\n",
		"bank/models.py": "from django.contrib.auth.models import User\nfrom django.db import models\n\n\nclass Account(models.Model):\n" +
			"    user = models.ForeignKey(User, on_delete=models.CASCADE)\n    balance = models.DecimalField(max_digits=10, decimal_places=2)\n",
		"bank/views.py": views,
	})
	_, out, _ := run(t, "check", "--no-cache", "--select", "SEC015", "--output-format", "concise", ".")
	assert.Equal(t, 4, strings.Count(out, "SEC015"), out)
	assert.NotContains(t, out, "more like it")
}

// Each open view is its own finding: the reports do not fold SEC013's
// second open viewset of a file into the first.
func TestOpenViewsAreNotFolded(t *testing.T) {
	viewset := "class %sViewSet(viewsets.ModelViewSet):\n    queryset = %s.objects.all()\n    serializer_class = %sSerializer\n\n\n"
	views := "from rest_framework import serializers, viewsets\n\nfrom .models import Transaction, Wallet\n\n\n"
	for _, m := range []string{"Wallet", "Transaction"} {
		views += fmt.Sprintf("class %sSerializer(serializers.ModelSerializer):\n    class Meta:\n        model = %s\n        fields = \"__all__\"\n\n\n", m, m)
		views += fmt.Sprintf(viewset, m, m, m)
	}
	tempProject(t, map[string]string{
		"config/settings.py": "INSTALLED_APPS = [\"rest_framework\", \"bank\"]\nROOT_URLCONF = \"config.urls\"\n",
		"config/urls.py": "from django.urls import include, path\nfrom rest_framework.routers import DefaultRouter\n\nfrom bank.views import TransactionViewSet, WalletViewSet\n\n" +
			"router = DefaultRouter()\nrouter.register(\"wallets\", WalletViewSet)\nrouter.register(\"transactions\", TransactionViewSet)\nurlpatterns = [path(\"\", include(router.urls))]\n",
		"bank/models.py": "from django.db import models\n\n\nclass Wallet(models.Model):\n    balance = models.DecimalField(max_digits=10, decimal_places=2)\n\n\n" +
			"class Transaction(models.Model):\n    wallet = models.ForeignKey(Wallet, on_delete=models.CASCADE)\n    amount = models.DecimalField(max_digits=10, decimal_places=2)\n",
		"bank/views.py": views,
	})
	_, out, _ := run(t, "check", "--no-cache", "--select", "SEC013", "--output-format", "concise", ".")
	assert.Equal(t, 2, strings.Count(out, "SEC013"), out)
	assert.NotContains(t, out, "more like it")
}
