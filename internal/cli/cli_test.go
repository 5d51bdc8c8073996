package cli

import (
	"bytes"
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

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestExitStatus(t *testing.T) {
	dir := t.TempDir()
	clean := filepath.Join(dir, "clean.py")
	dirty := filepath.Join(dir, "dirty.py")
	require.NoError(t, os.WriteFile(clean, []byte("x = 1\n"), 0o644))
	require.NoError(t, os.WriteFile(dirty, []byte("try:\n    pass\nexcept:\n    pass\n"), 0o644))

	code, out, _ := runCLI(t, "check", "--select", "ERR001", clean)
	assert.Equal(t, ExitClean, code)
	assert.Contains(t, out, "All checks passed")

	code, out, _ = runCLI(t, "check", "--select", "ERR001", dirty)
	assert.Equal(t, ExitFindings, code)
	assert.Contains(t, out, "ERR001")

	code, _, _ = runCLI(t, "check", "--select", "ERR001", "--fail-on", "none", dirty)
	assert.Equal(t, ExitClean, code)

	code, _, _ = runCLI(t, "check", "--select", "ERR001", "--exit-zero", dirty)
	assert.Equal(t, ExitClean, code)

	code, _, errs := runCLI(t, "check", "--select", "NOPE123", dirty)
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errs, "unknown rule")

	code, _, errs = runCLI(t, "check", "--format", "yaml", dirty)
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errs, "unknown format")

	code, _, _ = runCLI(t, "check", "--fail-on", "sometimes", dirty)
	assert.Equal(t, ExitError, code)
}

func TestJSONIsOneObjectWithTheDocumentedFields(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "dirty.py")
	require.NoError(t, os.WriteFile(p, []byte("try:\n    pass\nexcept:\n    pass\n"), 0o644))
	code, out, _ := runCLI(t, "check", "--select", "ERR001", "--format", "json", p)
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
	code, out, _ := runCLI(t, "rule", "err001")
	assert.Equal(t, ExitClean, code)
	for _, s := range []string{"ERR001", "## Why it matters", "## Example", "## Instead", "## Known limits"} {
		assert.Contains(t, out, s)
	}
	code, _, errs := runCLI(t, "rule", "XYZ999")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errs, "unknown rule")
	code, out, _ = runCLI(t, "rules")
	assert.Equal(t, ExitClean, code)
	assert.Contains(t, out, "bare-except")
	code, out, _ = runCLI(t, "version")
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
	_, out, _ := runCLI(t, "check", "--color", "never", "testdata/submissions/galileo")
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
