package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The bench runs its own executable as child processes; in this package's
// tests that executable is the test binary, which then acts as rubric.
func init() {
	if os.Getenv("RUBRIC_CLI_TEST_AS_RUBRIC") == "1" {
		os.Exit(Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
}

func TestBenchMeasuresEveryRunOnACopy(t *testing.T) {
	models := "from django.db import models\n\nclass Order(models.Model):\n    total = models.IntegerField()\n"
	views := "def view(request):\n    try:\n        pass\n    except:\n        pass\n"
	dir := tempProject(t, map[string]string{"shop/models.py": models, "shop/views.py": views, "shop/tests/test_x.py": "x = 1\n" + views})
	t.Setenv("RUBRIC_CLI_TEST_AS_RUBRIC", "1")
	code, out, errs := run(t, "bench", "--rounds", "1", "--name", "tiny", dir)
	require.Equal(t, ExitClean, code, errs)
	assert.Contains(t, out, "tiny: 3 files, 15 lines")
	for _, row := range []string{
		`floor +[0-9.]+ +[0-9.]+ +[0-9.]+ +1\.00 +- +parse only`,
		`cold +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +1\.00 +check --no-cache`,
		`first +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +check, empty cache`,
		`warm +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +result cache, nothing changed`,
		// The largest file outside tests, and the largest models.py.
		`edit-body +[0-9.]+ .* comment appended to shop/models.py`,
		`edit-facts +[0-9.]+ .* line inserted at the top of shop/models.py`,
		// The largest test module.
		`edit-test +[0-9.]+ .* test function appended to shop/tests/test_x.py`,
	} {
		assert.Regexp(t, regexp.MustCompile(row), out)
	}
	// Another build's check runs can be measured against this floor.
	self, err := os.Executable()
	require.NoError(t, err)
	code, out, errs = run(t, "bench", "--rounds", "1", "--name", "tiny", "--rubric", self, dir)
	require.Equal(t, ExitClean, code, errs)
	assert.Contains(t, out, "tiny ("+self+"): 3 files")
	// The corpus itself is never edited.
	got, err := os.ReadFile(filepath.Join(dir, "shop", "models.py"))
	require.NoError(t, err)
	assert.Equal(t, models, string(got))
}

func TestBenchFloorParsesWhatCheckAnalyses(t *testing.T) {
	tempProject(t, map[string]string{"a.py": "x = 1\n", "pkg/b.py": "def f(:\n", "venv/pyvenv.cfg": "", "venv/c.py": "y = 2\n", "notes.txt": "z"})
	code, out, errs := run(t, "bench", "--floor", ".")
	require.Equal(t, ExitClean, code, errs)
	assert.Equal(t, "floor: parsed 2 files, 14 bytes\n", out)
}

func TestBenchEdits(t *testing.T) {
	assert.Equal(t, "x = 1\n# rubric bench edit 3\n", string(appendComment([]byte("x = 1"), 3)))
	assert.Equal(t, "x = 1\n\n\ndef test_rubric_bench_edit_3():\n    assert 3 == 3\n", string(appendTest([]byte("x = 1"), 3)))
	assert.Equal(t, "x = 1\n# rubric bench edit 0\n", string(appendComment([]byte("x = 1\n"), 0)))
	assert.Equal(t, "# rubric bench edit 2\nx = 1\n", string(prependComment([]byte("x = 1\n"), 2)))
}

func TestBenchMedianAndLargest(t *testing.T) {
	r := &benchRun{samples: []sample{{wall: 3, cpu: 30, rssKB: 7}, {wall: 1, cpu: 10, rssKB: 9}, {wall: 2, cpu: 50, rssKB: 8}}}
	assert.Equal(t, sample{wall: 2, cpu: 30, rssKB: 8}, r.median())
	r.samples = r.samples[:2]
	assert.Equal(t, sample{wall: 2, cpu: 20, rssKB: 8}, r.median())

	c := &corpusCopy{sizes: map[string]int64{"a/models.py": 5, "b/models.py": 5, "a/views.py": 9, "a/migrations/0001_initial.py": 99, "tests/test_big.py": 50}}
	assert.Equal(t, "a/views.py", c.largest(func(rel string) bool { return !isTestOrMigration(rel) }))
	assert.Equal(t, "a/models.py", c.largest(func(rel string) bool { return filepath.Base(rel) == "models.py" }))
	assert.Equal(t, "", c.largest(func(string) bool { return false }))
}

// TestBinaryBench runs the bench's floor and a comparison with another
// build through the built binary.
func TestBinaryBench(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := rubricBinary(t)
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "app"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "app", "a.py"), []byte("x = 1\n"), 0o644))
	for _, args := range [][]string{
		{"bench", "--floor", dir},
		{"bench", "--rounds", "1", "--rubric", bin, dir},
	} {
		record(args)
		out, err := exec.Command(bin, args...).CombinedOutput()
		require.NoError(t, err, "%s", out)
		assert.Contains(t, string(out), map[bool]string{true: "floor: parsed 1 files", false: "cold "}[args[1] == "--floor"])
	}
}
