package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeRubric stands in for bin/rubric: it checks the arguments the benchmark
// passes, then reports an N+1 at app/views.py:3 unless the tree's views.py
// has select_related (the "fix"), and always a finding on line 9, inside the
// clean loop. Exit status 1 means findings, as rubric's does.
const fakeRubric = `#!/bin/sh
[ "$*" = "check --no-cache --select ORM001,ORM002 --format json ." ] || { echo "bad args: $*" >&2; exit 2; }
if grep -q select_related app/views.py; then
  echo '{"diagnostics": [{"code": "ORM002", "path": "app/views.py", "line": 9, "end_line": 9, "message": "noise"}]}'
else
  echo '{"diagnostics": [{"code": "ORM001", "path": "app/views.py", "line": 3, "end_line": 3, "message": "order.customer per row"}, {"code": "ORM002", "path": "app/views.py", "line": 9, "end_line": 9, "message": "noise"}]}'
fi
exit 1
`

// TestRunEndToEnd runs the whole benchmark against a throwaway repository
// and a fake rubric: extraction, one rubric run per commit, scoring, the
// table and the JSON.
func TestRunEndToEnd(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the fake rubric is a shell script")
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	repo := filepath.Join(dir, "repos", "acme+shop")
	require.NoError(t, os.MkdirAll(filepath.Join(repo, "app"), 0o755))
	git(t, repo, "init", "-q")
	views := filepath.Join(repo, "app", "views.py")
	body := "def orders():\n    for order in Order.objects.all():\n        print(order.customer)\n"
	require.NoError(t, os.WriteFile(views, []byte(body), 0o644))
	git(t, repo, "add", ".")
	git(t, repo, "commit", "-q", "-m", "before")
	parent := git(t, repo, "rev-parse", "HEAD")
	fixed := strings.Replace(body, "all()", "select_related('customer')", 1)
	require.NoError(t, os.WriteFile(views, []byte(fixed), 0o644))
	git(t, repo, "commit", "-q", "-am", "fix")
	fix := git(t, repo, "rev-parse", "HEAD")

	rubric := filepath.Join(dir, "rubric")
	require.NoError(t, os.WriteFile(rubric, []byte(fakeRubric), 0o755))
	cases := filepath.Join(dir, "cases.toml")
	require.NoError(t, os.WriteFile(cases, []byte(fmt.Sprintf(`
[[case]]
id = "shop-customer"
repo = "acme/shop"
fix = %[1]q
parent = %[2]q
kind = ["plain-loop"]
relation = "customer"
description = "customer per order"
access = { file = "app/views.py", lines = [3, 3] }
loop = { file = "app/views.py", lines = [2, 2] }
fixed_access = { file = "app/views.py", lines = [3, 3] }

[[case]]
id = "gone"
repo = "acme/gone"
fix = %[1]q
parent = %[2]q
kind = ["template"]
relation = "x"
description = "its clone is missing"
access = { file = "a.html", lines = [1, 1] }
loop = { file = "a.html", lines = [1, 1] }
fixed_access = { file = "a.html", lines = [1, 1] }

[[clean]]
id = "clean-noise"
repo = "acme/shop"
commit = %[1]q
file = "app/views.py"
lines = [8, 10]
why = "a loop that the fake rubric flags anyway"
`, fix, parent)), 0o644))

	jsonOut := filepath.Join(dir, "out.json")
	var stdout, stderr strings.Builder
	err := run(options{cases: cases, repos: filepath.Join(dir, "repos"), rubric: rubric, codes: "ORM001,ORM002",
		work: filepath.Join(dir, "work"), jsonOut: jsonOut}, &stdout, &stderr)
	require.NoError(t, err, stderr.String())

	out := stdout.String()
	assert.Regexp(t, `shop-customer\s+plain-loop\s+yes\s+access\s+yes\s+ORM001 app/views.py:3`, out)
	assert.Regexp(t, `gone\s+template\s+ERROR\s+.*no clone of acme/gone`, out)
	assert.Regexp(t, `clean-noise\s+1\s+ORM002 app/views.py:9 noise`, out)
	assert.Regexp(t, `clean loops\s+1\s+false alarms\s+1`, out)
	// The clean loop shares the fix commit with the case: one rubric run each.
	assert.Contains(t, stderr.String(), "nplusone: 4 trees analysed")

	var res struct {
		Cases  []CaseResult `json:"cases"`
		Totals Totals       `json:"totals"`
	}
	b, err := os.ReadFile(jsonOut)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &res))
	assert.Equal(t, Tally{Cases: 2, Found: 1, Cleared: 1, Errors: 1, FixQuiet: 1}, res.Totals.Overall)
	require.Len(t, res.Cases, 2)
	assert.Equal(t, "access", res.Cases[0].Via)
}

func TestRunRejectsABadInvocation(t *testing.T) {
	var out strings.Builder
	assert.ErrorContains(t, run(options{cases: "cases.toml"}, &out, &out), "--repos")
	assert.ErrorContains(t, run(options{cases: "cases.toml", repos: t.TempDir(), rubric: filepath.Join(t.TempDir(), "none")}, &out, &out), "--rubric")
	assert.ErrorContains(t, run(options{cases: "cases.toml", repos: t.TempDir(), only: "("}, &out, &out), "--only")
}
