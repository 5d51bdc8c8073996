package cli

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/printer"
)

// hostileProject is every kind of file whose handling could differ
// between a cold run and a cache hit.
var hostileProject = map[string]string{
	"app/io.py":       bare,
	"app/binary.py":   "x = 1\x00\x01",
	"app/latin.py":    "# -*- coding: latin-1 -*-\ns = 'caf\xe9'\n" + bare,
	"app/invalid.py":  "s = 'caf\xe9'\n",
	"app/broken.py":   "def f(:\n    pass\n",
	"app/legacy.py":   "print 'hello'\n",
	"app/big.py":      strings.Repeat("x = 1\n", 2000),
	"app/esc\x1b.py":  "x = '\x1b[2J'\n" + bare,
	"app/deep.py":     "x = " + strings.Repeat("(", 1200) + strings.Repeat(")", 1200) + "\n",
	"app/__init__.py": "",
	// One rule's findings in two functions: two findings, grouped by
	// function, on a hit as on a cold run (a hit used to group them by file).
	"app/twice.py": bare + "\n\n" + strings.ReplaceAll(bare, "load", "load_again"),
}

// Every format prints the same bytes with and without the result cache,
// on a cold cache and on a hit (a binary file used to be listed only on a
// hit).
func TestCacheGivesTheSameBytesInEveryFormat(t *testing.T) {
	tempProject(t, hostileProject)
	for _, format := range []string{"text", "json", "sarif", "github", "gitlab", "junit"} {
		t.Run(format, func(t *testing.T) {
			cacheDir := filepath.Join(t.TempDir(), "cache")
			args := []string{"check", "--color", "never", "--max-file-size", "4000", "--format", format}
			codeNo, uncached, errs := run(t, append(args, "--no-cache", ".")...)
			require.NotEqual(t, ExitError, codeNo, errs)
			codeCold, cold, _ := run(t, append(args, "--cache-dir", cacheDir, ".")...)
			entries, _ := filepath.Glob(filepath.Join(cacheDir, "*.gob"))
			require.Len(t, entries, 1, "the cold run stored its result")
			codeWarm, warm, _ := run(t, append(args, "--cache-dir", cacheDir, ".")...)
			assert.True(t, uncached == cold, "cold cache:\n%s\n---\n%s", uncached, cold)
			assert.True(t, uncached == warm, "cache hit:\n%s\n---\n%s", uncached, warm)
			assert.Equal(t, codeNo, codeCold)
			assert.Equal(t, codeNo, codeWarm)
		})
	}
}

// A corrupted entry is a miss: the run's answer is the cold run's.
func TestCorruptCacheEntryGivesTheColdAnswer(t *testing.T) {
	tempProject(t, map[string]string{"app/io.py": bare, "app/ok.py": "x = 1\n"})
	cacheDir := filepath.Join(t.TempDir(), "cache")
	_, cold, _ := run(t, "check", "--format", "json", "--cache-dir", cacheDir, ".")
	entries, _ := filepath.Glob(filepath.Join(cacheDir, "*.gob"))
	require.Len(t, entries, 1)
	good, err := os.ReadFile(entries[0])
	require.NoError(t, err)
	for _, at := range []int{0, 20, len(good) / 2, len(good) - 1} {
		bad := append([]byte(nil), good...)
		bad[at] ^= 0x04
		require.NoError(t, os.WriteFile(entries[0], bad, 0o644))
		_, out, _ := run(t, "check", "--format", "json", "--cache-dir", cacheDir, ".")
		assert.Equal(t, cold, out, "byte %d flipped", at)
	}
	// An entry that lies with a valid format but for another tree: only a
	// forged digest could pass, and the digest covers the key.
	require.NoError(t, os.WriteFile(entries[0], []byte("rubric-cache-2\x00garbage"), 0o644))
	_, out, _ := run(t, "check", "--format", "json", "--cache-dir", cacheDir, ".")
	assert.Equal(t, cold, out)
}

// A cache directory inside the analysed tree could hold planted entries:
// the run goes without it.
func TestCacheInsideTheTreeIsNotUsed(t *testing.T) {
	dir := tempProject(t, map[string]string{"app/io.py": bare})
	code, _, errs := run(t, "check", "--cache-dir", ".rubric-cache", ".")
	assert.Equal(t, ExitFindings, code)
	assert.Contains(t, errs, "inside the analysed")
	_, err := os.Stat(filepath.Join(dir, ".rubric-cache"))
	assert.True(t, os.IsNotExist(err), "nothing written there")
}

// check honours the tree's own configuration; --isolated ignores it
// (rubric.toml, pyproject.toml and .gitignore alike).
func TestIsolatedIgnoresInTreeConfiguration(t *testing.T) {
	tempProject(t, map[string]string{
		"app/io.py":      bare,
		"pyproject.toml": "[tool.rubric]\nexclude = [\"*.py\"]\n",
	})
	code, out, _ := run(t, "check", "--no-cache", ".")
	assert.Equal(t, ExitClean, code)
	assert.Contains(t, out, "All checks passed")
	code, out, _ = run(t, "check", "--no-cache", "--isolated", ".")
	assert.Equal(t, ExitFindings, code)
	assert.Contains(t, out, "app/io.py:4:5: ERR001")

	require.NoError(t, os.Remove("pyproject.toml"))
	require.NoError(t, os.WriteFile(".gitignore", []byte("*.py\n"), 0o644))
	code, _, _ = run(t, "check", "--no-cache", ".")
	assert.Equal(t, ExitClean, code)
	code, _, _ = run(t, "check", "--isolated", ".")
	assert.Equal(t, ExitFindings, code)

	code, _, errs := run(t, "check", "--isolated", "--config", "pyproject.toml", ".")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errs, "exclude each other")
}

// Every output destination is checked before the analysis starts.
func TestOutputsAreCheckedFirst(t *testing.T) {
	tempProject(t, map[string]string{"app/io.py": bare})
	require.NoError(t, os.WriteFile("old.json", []byte("old\n"), 0o644))
	code, _, errs := run(t, "check", "--no-cache", "--format", "json", "-o", "old.json", "--output-format", "sarif=missing/dir/r.sarif", ".")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errs, "missing/dir/r.sarif")
	data, _ := os.ReadFile("old.json")
	assert.Equal(t, "old\n", string(data), "nothing was written")

	code, _, errs = run(t, "check", "--no-cache", "--write-baseline", "nodir/b.json", ".")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errs, "--write-baseline")
}

// failingPrinter writes half a report, then fails.
type failingPrinter struct{}

func (failingPrinter) Print(w io.Writer, _ *analyzer.Result) error {
	io.WriteString(w, "half a report")
	return errors.New("printer broke")
}

// One failing output keeps its file's previous content and does not stop
// the others.
func TestOneFailingOutputDropsNoOther(t *testing.T) {
	printer.Register("failing-test", func(printer.Options) printer.Printer { return failingPrinter{} })
	tempProject(t, map[string]string{"app/io.py": bare})
	require.NoError(t, os.WriteFile("a.out", []byte("previous\n"), 0o644))
	code, _, errs := run(t, "check", "--no-cache", "--format", "failing-test", "-o", "a.out", "--format", "json", "-o", "b.json",
		"--output-format", "sarif=c.sarif", ".")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errs, "printer broke")
	data, _ := os.ReadFile("a.out")
	assert.Equal(t, "previous\n", string(data), "the failed output kept its old content")
	for _, f := range []string{"b.json", "c.sarif"} {
		data, err := os.ReadFile(f)
		require.NoError(t, err, f)
		assert.Contains(t, string(data), "ERR001", f)
	}
	entries, _ := os.ReadDir(".")
	for _, e := range entries {
		assert.NotContains(t, e.Name(), ".tmp-", "no temporary file left")
	}
}

// A FIFO or /dev/zero named on the command line is refused at once.
func TestFIFOAndDevicesOnTheCommandLine(t *testing.T) {
	tempProject(t, map[string]string{"app/io.py": bare})
	require.NoError(t, syscall.Mkfifo("pipe.py", 0o644))
	code, out, errs := run(t, "check", "pipe.py", "/dev/zero", "app/io.py")
	assert.Equal(t, ExitFindings, code, errs)
	assert.Contains(t, out, "pipe.py:1:1: SYN002 not a regular file (a FIFO)")
	assert.Contains(t, out, "/dev/zero:1:1: SYN002 not a regular file (a device)")
	assert.Contains(t, out, "app/io.py:4:5: ERR001")
}

// SIGINT during `grade` removes its temporary folders and exits 130.
func TestGradeInterruptRemovesTemporaryFolders(t *testing.T) {
	dir := tempProject(t, nil)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i < 60; i++ {
		w, err := zw.Create(fmt.Sprintf("slow/m%02d.py", i))
		require.NoError(t, err)
		w.Write([]byte(strings.Repeat("try:\n", 20000))) // each file costs its whole parse budget
	}
	require.NoError(t, zw.Close())
	require.NoError(t, os.WriteFile(filepath.Join(dir, "slow.zip"), buf.Bytes(), 0o644))

	// Keep SIGINT from killing the test binary whatever happens.
	guard := make(chan os.Signal, 1)
	signal.Notify(guard, os.Interrupt)
	defer signal.Stop(guard)

	done := make(chan int, 1)
	go func() {
		code, _, _ := run(t, "grade", "--out", "graded", "-j", "1", "--max-archive-ratio", "1000000", "slow.zip")
		done <- code
	}()
	deadline := time.Now().Add(60 * time.Second)
	for {
		entries, _ := os.ReadDir(tmp)
		if len(entries) > 0 {
			break
		}
		require.True(t, time.Now().Before(deadline), "grade never unpacked")
		time.Sleep(time.Millisecond)
	}
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGINT))
	select {
	case code := <-done:
		assert.Equal(t, ExitInterrupted, code)
	case <-time.After(60 * time.Second):
		t.Fatal("grade did not stop")
	}
	left, _ := os.ReadDir(tmp)
	assert.Empty(t, left, "temporary folders removed")
}

// report checks its -o before the analysis, writes it atomically, and a
// cut or broken archive is an error naming the archive once.
func TestReportOutputAndArchiveErrors(t *testing.T) {
	dir := tempProject(t, map[string]string{"sub/app.py": bare})
	code, _, errs := run(t, "report", "sub", "-o", "nodir/r.md")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errs, "-o")

	require.NoError(t, os.WriteFile("r.md", []byte("old"), 0o644))
	code, _, errs = run(t, "report", "sub", "-o", "r.md")
	require.Equal(t, 0, code, errs)
	data, _ := os.ReadFile("r.md")
	assert.Contains(t, string(data), "# Reviewer checklist: sub")

	require.NoError(t, os.WriteFile(filepath.Join(dir, "bad.zip"), []byte("garbage"), 0o644))
	code, _, errs = run(t, "report", "bad.zip")
	assert.Equal(t, ExitError, code)
	assert.Equal(t, "rubric: bad.zip: zip: not a valid zip file\n", errs)

	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i < 5; i++ {
		w, _ := zw.Create(fmt.Sprintf("p/m%d.py", i))
		w.Write([]byte("x = 1\n"))
	}
	require.NoError(t, zw.Close())
	require.NoError(t, os.WriteFile("cut.zip", buf.Bytes(), 0o644))
	code, _, errs = run(t, "report", "cut.zip", "--max-archive-entries", "2")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errs, "cut.zip: archive cut short: more than 2 entries")
}

// report and grade never read the submission's configuration or its
// .gitignore: everything it holds is reviewed.
func TestReportAndGradeAreIsolated(t *testing.T) {
	tempProject(t, map[string]string{
		"sub/app.py":         bare,
		"sub/pyproject.toml": "[tool.rubric]\nexclude = [\"*.py\"]\nignore = [\"ERR\"]\n",
		"sub/.gitignore":     "*.py\n",
	})
	code, out, errs := run(t, "report", "sub")
	require.Equal(t, 0, code, errs)
	assert.Contains(t, out, "| `python.files` | 1 |")
	assert.Contains(t, out, "app.py:4")
}
