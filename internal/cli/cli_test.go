package cli

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestExitStatus(t *testing.T) {
	dir := t.TempDir()
	clean := filepath.Join(dir, "clean.py")
	dirty := filepath.Join(dir, "dirty.py")
	require.NoError(t, os.WriteFile(clean, []byte("x = 1\n"), 0o644))
	require.NoError(t, os.WriteFile(dirty, []byte("try:\n    pass\nexcept:\n    pass\n"), 0o644))

	code, out, _ := run(t, "check", "--select", "ERR001", clean)
	assert.Equal(t, ExitClean, code)
	assert.Contains(t, out, "All checks passed")

	code, out, _ = run(t, "check", "--select", "ERR001", dirty)
	assert.Equal(t, ExitFindings, code)
	assert.Contains(t, out, "ERR001")

	code, _, _ = run(t, "check", "--select", "ERR001", "--fail-on", "none", dirty)
	assert.Equal(t, ExitClean, code)

	code, _, _ = run(t, "check", "--select", "ERR001", "--exit-zero", dirty)
	assert.Equal(t, ExitClean, code)

	code, _, errs := run(t, "check", "--select", "NOPE123", dirty)
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errs, "unknown rule")

	code, _, errs = run(t, "check", "--format", "yaml", dirty)
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errs, "unknown format")

	code, _, _ = run(t, "check", "--fail-on", "sometimes", dirty)
	assert.Equal(t, ExitError, code)
}

func TestJSONIsOneObjectWithTheDocumentedFields(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "dirty.py")
	require.NoError(t, os.WriteFile(p, []byte("try:\n    pass\nexcept:\n    pass\n"), 0o644))
	code, out, _ := run(t, "check", "--select", "ERR001", "--format", "json", p)
	assert.Equal(t, ExitFindings, code)
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	for _, k := range []string{"version", "diagnostics", "summary"} {
		assert.Contains(t, doc, k)
	}
	d := doc["diagnostics"].([]any)[0].(map[string]any)
	for _, k := range []string{"code", "name", "severity", "confidence", "category", "path", "line", "column", "end_line", "end_column", "message", "help"} {
		assert.Contains(t, d, k)
	}
	assert.Equal(t, float64(3), d["line"])
	assert.Equal(t, float64(1), d["column"])
}

func TestRuleAndRules(t *testing.T) {
	code, out, _ := run(t, "rule", "err001")
	assert.Equal(t, ExitClean, code)
	for _, s := range []string{"ERR001", "## Why it matters", "## Example", "## Instead", "## Known limits"} {
		assert.Contains(t, out, s)
	}
	code, _, errs := run(t, "rule", "XYZ999")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errs, "unknown rule")
	code, out, _ = run(t, "rules")
	assert.Equal(t, ExitClean, code)
	assert.Contains(t, out, "bare-except")
	code, out, _ = run(t, "version")
	assert.Equal(t, ExitClean, code)
	assert.True(t, strings.HasPrefix(out, "rubric "))
}

// The end-to-end golden: `rubric check` on the bundled sample submission,
// from the repository root, as `make run` does.
func TestSampleSubmissionGolden(t *testing.T) {
	wd, err := os.Getwd()
	require.NoError(t, err)
	root := filepath.Join(wd, "..", "..")
	require.NoError(t, os.Chdir(root))
	defer os.Chdir(wd)
	_, out, _ := run(t, "check", "--color", "never", "testdata/submissions/galileo")
	golden := filepath.Join(root, "testdata", "golden", "sample-check.golden")
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(golden), 0o755))
		require.NoError(t, os.WriteFile(golden, []byte(out), 0o644))
		return
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err, "run `go test ./internal/cli -run TestSampleSubmissionGolden -update`")
	assert.Equal(t, string(want), out)
}

// TestMain points the result cache at a private directory so that tests
// never read or write the user's cache.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "rubric-cli-test-cache")
	if err != nil {
		panic(err)
	}
	origXDG, hadXDG = os.LookupEnv("XDG_CACHE_HOME")
	os.Setenv("XDG_CACHE_HOME", dir)
	code := m.Run()
	os.RemoveAll(dir)
	if binDir != "" {
		os.RemoveAll(binDir) // the binary built by binary_test.go
	}
	os.Exit(code)
}
