package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fixable has one finding without a fix (ERR001) and two with safe fixes
// (LOG002, LOG001) on the same call: the second waits for a second round.
const fixable = `import logging

logger = logging.getLogger(__name__)


def load(path):
    try:
        return open(path).read()
    except:
        logger.error(f"cannot read {path}")
        return None
`

const fixed = `import logging

logger = logging.getLogger(__name__)


def load(path):
    try:
        return open(path).read()
    except:
        logger.exception("cannot read %s", path)
        return None
`

func runIn(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	return string(b)
}

func TestFixWritesSafeFixesAndReportsTheRest(t *testing.T) {
	dir := tempProject(t, map[string]string{"app/io.py": fixable})
	code, out, errs := run(t, "check", "--no-cache", "--fix", "--show-fixes", "--output-format", "concise", ".")
	assert.Equal(t, 1, code, errs)
	assert.Equal(t, fixed, readFile(t, filepath.Join(dir, "app/io.py")))
	assert.Contains(t, out, "app/io.py:9:5: ERR001")
	assert.NotContains(t, out, "app/io.py:10", "fixed findings are not reported")
	assert.Contains(t, out, "Fixed 2 findings:\n- app/io.py:\n    1 × LOG001 (eager-log-format)\n    1 × LOG002 (error-log-without-traceback)\n")
	assert.Contains(t, errs, "fixed 2 findings in 1 file")

	// Nothing left to fix: a second run changes nothing.
	code, _, _ = run(t, "check", "--no-cache", "--fix", ".")
	assert.Equal(t, 1, code)
	assert.Equal(t, fixed, readFile(t, filepath.Join(dir, "app/io.py")))
}

func TestDiffPrintsFixesWithoutWriting(t *testing.T) {
	dir := tempProject(t, map[string]string{"app/io.py": fixable})
	code, out, errs := run(t, "check", "--no-cache", "--diff", ".")
	assert.Equal(t, 1, code, errs)
	assert.Equal(t, fixable, readFile(t, filepath.Join(dir, "app/io.py")))
	assert.Contains(t, out, "--- a/app/io.py\n+++ b/app/io.py\n")
	assert.Contains(t, out, "-        logger.error(f\"cannot read {path}\")\n+        logger.exception(\"cannot read %s\", path)\n")
	assert.NotContains(t, out, "ERR001", "--diff prints the diff only")
	assert.Contains(t, errs, "would fix 2 findings in 1 file")

	code, _, _ = run(t, "check", "--no-cache", "--diff", "--exit-zero", ".")
	assert.Equal(t, 0, code)

	// Nothing to fix: exit 0, empty diff.
	code, out, _ = run(t, "check", "--no-cache", "--diff", "--select", "ERR001", ".")
	assert.Equal(t, 0, code)
	assert.Empty(t, out)
}

func TestShowFixesWithoutFixListsWhatWouldChange(t *testing.T) {
	dir := tempProject(t, map[string]string{"app/io.py": fixable})
	code, out, _ := run(t, "check", "--no-cache", "--show-fixes", ".")
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "LOG002", "findings are reported as they are")
	assert.Contains(t, out, "Would fix 2 findings:")
	assert.Equal(t, fixable, readFile(t, filepath.Join(dir, "app/io.py")))
}

func TestUnsafeFixesOnlyWhenAsked(t *testing.T) {
	// SEC010's fix (yaml.load -> yaml.safe_load) is unsafe.
	src := "import yaml\n\n\ndef read(data):\n    return yaml.load(data)\n"
	dir := tempProject(t, map[string]string{"app/conf.py": src})
	code, _, errs := run(t, "check", "--no-cache", "--select", "SEC010", "--fix", ".")
	assert.Equal(t, 1, code, errs)
	assert.Equal(t, src, readFile(t, filepath.Join(dir, "app/conf.py")))
	code, _, errs = run(t, "check", "--no-cache", "--select", "SEC010", "--fix", "--unsafe-fixes", ".")
	assert.Equal(t, 0, code, errs)
	assert.Contains(t, readFile(t, filepath.Join(dir, "app/conf.py")), "yaml.safe_load(data)")
}

func TestFixKeepsCRLF(t *testing.T) {
	crlf := strings.ReplaceAll(fixable, "\n", "\r\n")
	dir := tempProject(t, map[string]string{"app/io.py": crlf})
	code, _, errs := run(t, "check", "--no-cache", "--fix", ".")
	assert.Equal(t, 1, code, errs)
	assert.Equal(t, strings.ReplaceAll(fixed, "\n", "\r\n"), readFile(t, filepath.Join(dir, "app/io.py")))
}

func TestStdin(t *testing.T) {
	tempProject(t, map[string]string{"rubric.toml": "ignore = [\"LOG001\"]\n"})
	code, out, errs := runIn(t, fixable, "check", "--no-cache", "--output-format", "concise", "--stdin-filename", "app/io.py", "-")
	assert.Equal(t, 1, code, errs)
	assert.Contains(t, out, "app/io.py:9:5: ERR001")
	assert.Contains(t, out, "app/io.py:10:9: LOG002")
	assert.NotContains(t, out, "LOG001", "the configuration found from the stdin file name applies")

	// --fix: the fixed source on standard output, the findings on standard error.
	code, out, errs = runIn(t, fixable, "check", "--no-cache", "--stdin-filename", "app/io.py", "--fix", "-")
	assert.Equal(t, 1, code)
	assert.Equal(t, strings.Replace(fixable, "logger.error(", "logger.exception(", 1), out)
	assert.Contains(t, errs, "app/io.py:9:5: ERR001")

	code, _, errs = runIn(t, "", "check", "app", "-")
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "must be the only path")
}

func TestStatistics(t *testing.T) {
	tempProject(t, map[string]string{"app/io.py": fixable, "app/other.py": bare})
	code, out, _ := run(t, "check", "--no-cache", "--statistics", ".")
	assert.Equal(t, 1, code)
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	require.Len(t, lines, 3, out)
	assert.Regexp(t, `^\s*2\s+ERR001\s+bare-except$`, lines[0])
	assert.Regexp(t, `^\s*1\s+LOG001\s+\[\*\] eager-log-format$`, lines[1])

	code, out, _ = run(t, "check", "--no-cache", "--statistics", "--format", "json", ".")
	assert.Equal(t, 1, code)
	var rows []statistic
	require.NoError(t, json.Unmarshal([]byte(out), &rows))
	assert.Equal(t, statistic{Code: "ERR001", Name: "bare-except", Count: 2}, rows[0])
	assert.True(t, rows[1].Fixable)
}

func TestQuietPrintsFindingsOnly(t *testing.T) {
	tempProject(t, map[string]string{"app/io.py": bare, "clean.py": "x = 1\n"})
	code, out, _ := run(t, "check", "--no-cache", "-q", "--output-format", "concise", ".")
	assert.Equal(t, 1, code)
	assert.Equal(t, "app/io.py:4:5: ERR001 bare `except:` catches every exception, `KeyboardInterrupt` and `SystemExit` included\n", out)
	code, out, _ = run(t, "check", "--no-cache", "--quiet", "clean.py")
	assert.Equal(t, 0, code)
	assert.Empty(t, out)
}

func TestVersionFlag(t *testing.T) {
	code, out, _ := run(t, "--version")
	assert.Equal(t, 0, code)
	assert.Regexp(t, `^rubric \d+\.\d+\.\d+`, out)
}

func TestOutputFileFlag(t *testing.T) {
	tempProject(t, map[string]string{"app/io.py": bare})
	code, out, _ := run(t, "check", "--no-cache", "--output-format", "json", "--output-file", "r.json", ".")
	assert.Equal(t, 1, code)
	assert.Empty(t, out)
	assert.Contains(t, readFile(t, "r.json"), `"code": "ERR001"`)
}

func TestMissingPathIsAUsageError(t *testing.T) {
	tempProject(t, map[string]string{"app/io.py": bare})
	for _, args := range [][]string{
		{"check", "--no-cache", "nope"},
		{"check", "--no-cache", "--fail-on", "none", "app", "nope"},
		{"check", "--no-cache", "--exit-zero", "nope"},
	} {
		code, out, errs := run(t, args...)
		assert.Equal(t, 2, code, args)
		assert.Empty(t, out)
		assert.Equal(t, "rubric: nope: no such file or directory\n", errs)
	}
	// The old `--diff REV` form: the revision is taken for a path.
	code, _, errs := run(t, "check", "--no-cache", "--diff", "origin/main", ".")
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "--changed-since REV")
}

func TestEmptySelectionSaysSoOnStderr(t *testing.T) {
	tempProject(t, map[string]string{"README.md": "# nothing\n", "node_modules/x.py": bare})
	code, out, errs := run(t, "check", "--no-cache", ".")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "no findings in 0 files")
	assert.Contains(t, errs, "0 files analysed")
}

func TestSelectNeverHidesSyntaxErrors(t *testing.T) {
	tempProject(t, map[string]string{"app/io.py": bare, "app/broken.py": "def f(:\n    pass\n"})
	code, out, _ := run(t, "check", "--no-cache", "--select", "LOG", "--output-format", "concise", ".")
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "app/broken.py:1:7: SYN001")
	assert.NotContains(t, out, "ERR001")
	// Ignoring it by name is still possible.
	code, out, _ = run(t, "check", "--no-cache", "--select", "LOG", "--ignore", "SYN001", ".")
	assert.Equal(t, 0, code, out)
}

func TestInvalidFlagValues(t *testing.T) {
	tempProject(t, map[string]string{"app/io.py": bare})
	for args, want := range map[string]string{
		"--color sometimes":  `--color "sometimes": want auto, always or never`,
		"-j -3":              "-j/--jobs -3",
		"--max-file-size -1": "--max-file-size -1",
		"--changed-since=":   "--changed-since needs a git revision",
	} {
		code, _, errs := run(t, append(append([]string{"check", "--no-cache"}, strings.Fields(args)...), ".")...)
		assert.Equal(t, 2, code, args)
		assert.Contains(t, errs, want, args)
	}
}

func TestColorEnvironment(t *testing.T) {
	var buf bytes.Buffer // never a terminal
	cases := []struct {
		mode, noColor, force string
		want                 bool
	}{
		{"auto", "", "", false},
		{"auto", "", "1", true},
		{"auto", "1", "", false},
		{"auto", "1", "1", true}, // FORCE_COLOR wins, as force-color.org's example has it
		{"auto", "", "0", true},  // any non-empty value forces
		{"never", "", "1", false},
		{"always", "1", "", true},
	}
	for _, c := range cases {
		t.Setenv("NO_COLOR", c.noColor)
		t.Setenv("FORCE_COLOR", c.force)
		assert.Equal(t, c.want, wantColor(c.mode, &buf), "%+v", c)
	}
	// NO_COLOR set but empty does not disable colour on a terminal: it is
	// "present and not empty" that counts; off a terminal colour stays off.
	t.Setenv("NO_COLOR", "")
	t.Setenv("FORCE_COLOR", "")
	assert.False(t, wantColor("auto", &buf))

	tempProject(t, map[string]string{"app/io.py": bare})
	t.Setenv("FORCE_COLOR", "1")
	_, out, _ := run(t, "check", "--no-cache", ".")
	assert.Contains(t, out, "\x1b[")
	_, out, _ = run(t, "check", "--no-cache", "--color", "never", ".")
	assert.NotContains(t, out, "\x1b[")
}

func TestOtherToolsNoqaHonoured(t *testing.T) {
	src := strings.Replace(bare, "    except:", "    except:  # noqa: E722", 1)
	tempProject(t, map[string]string{"app/io.py": src})
	code, out, _ := run(t, "check", "--no-cache", "--select", "ERR001", ".")
	assert.Equal(t, 0, code, out)
	assert.Contains(t, out, "1 file")
	code, _, _ = run(t, "check", "--no-cache", "--select", "ERR001", "--no-foreign-noqa", ".")
	assert.Equal(t, 1, code)
	require.NoError(t, os.WriteFile("rubric.toml", []byte("foreign-noqa = false\n"), 0o644))
	code, _, _ = run(t, "check", "--no-cache", "--select", "ERR001", ".")
	assert.Equal(t, 1, code)
}

// A file that declares another encoding (PEP 263) is fixed and written
// back in that encoding: its other bytes stay as they were.
func TestFixKeepsDeclaredEncoding(t *testing.T) {
	latin1 := func(s string) string {
		out := make([]byte, 0, len(s))
		for _, r := range s {
			out = append(out, byte(r)) // every rune here is below 256
		}
		return string(out)
	}
	header := "# -*- coding: latin-1 -*-\n# café\n"
	dir := tempProject(t, map[string]string{"app/io.py": latin1(header + fixable)})
	code, _, errs := run(t, "check", "--no-cache", "--fix", ".")
	assert.Equal(t, 1, code, errs)
	assert.NotContains(t, errs, "not written")
	assert.Equal(t, latin1(header+fixed), readFile(t, filepath.Join(dir, "app/io.py")))
}
