package cli

// The acceptance tests of issue 14: every flag and command that README.md
// and docs/ name is run here through the built binary, and a meta-test
// fails when the documentation names one that no invocation here uses.

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sourcegraph/jsonrpc2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	// origXDG is XDG_CACHE_HOME before TestMain replaced it.
	origXDG string
	hadXDG  bool

	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

// rubricBinary builds cmd/rubric once per test binary.
func rubricBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "rubric-bin")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "rubric")
		goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
		cmd := exec.Command(goTool, "build", "-o", binPath, "github.com/rubric-dev/rubric/cmd/rubric")
		// The go command's own build cache, not the private cache
		// directory TestMain gave rubric (a cold cache recompiles
		// tree-sitter: minutes).
		var env []string
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "XDG_CACHE_HOME=") {
				env = append(env, kv)
			}
		}
		if hadXDG {
			env = append(env, "XDG_CACHE_HOME="+origXDG)
		}
		cmd.Env = append(env, "CGO_ENABLED=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = err
			binPath = string(out)
		}
	})
	if binErr != nil {
		t.Fatalf("building rubric: %v\n%s", binErr, binPath)
	}
	return binPath
}

// exe runs the binary in dir and returns its status and outputs.
func exe(t *testing.T, dir, stdin string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(rubricBinary(t), args...)
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Env = cleanEnv()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return code, out.String(), errb.String()
}

// cleanEnv is the test process's environment without colour variables (the
// cache directory is the private one TestMain set).
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "NO_COLOR=") || strings.HasPrefix(kv, "FORCE_COLOR=") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
}

// invocation is one run of the binary and what must hold of it.
type invocation struct {
	args  []string
	stdin string
	check func(t *testing.T, dir string, code int, out, errs string)
}

// used collects every flag the invocations pass, for the meta-test.
var (
	usedMu    sync.Mutex
	usedFlags = map[string]bool{}
	usedCmds  = map[string]bool{}
)

func record(args []string) {
	usedMu.Lock()
	defer usedMu.Unlock()
	for i, a := range args {
		if strings.HasPrefix(a, "--") {
			name, _, _ := strings.Cut(a, "=")
			usedFlags[name] = true
		}
		if i == 0 && !strings.HasPrefix(a, "-") {
			usedCmds[a] = true
		}
	}
}

func findingsJSON(t *testing.T, out string) []map[string]any {
	t.Helper()
	var doc struct {
		Diagnostics []map[string]any `json:"diagnostics"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc), out)
	return doc.Diagnostics
}

func TestBinaryFlagsAndCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	files := map[string]string{
		"app/io.py":       fixable,
		"app/bare.py":     bare,
		"legacy/old.py":   bare,
		"tests/test_x.py": bare,
		"gen/skip.py":     bare,
	}
	contains := func(s string) func(*testing.T, string, int, string, string) {
		return func(t *testing.T, _ string, code int, out, errs string) {
			assert.Contains(t, out+errs, s)
		}
	}
	status := func(want int, also func(*testing.T, string, int, string, string)) func(*testing.T, string, int, string, string) {
		return func(t *testing.T, dir string, code int, out, errs string) {
			assert.Equal(t, want, code, "stdout:\n%s\nstderr:\n%s", out, errs)
			if also != nil {
				also(t, dir, code, out, errs)
			}
		}
	}
	invocations := []invocation{
		{args: []string{"check", "--no-cache", "."}, check: status(1, contains("app/io.py:9:5: ERR001"))},
		{args: []string{"check", "--no-cache", "--output-format", "concise", "app"}, check: status(1, contains("app/io.py:10:9: LOG002 [*]"))},
		{args: []string{"check", "--no-cache", "--format", "json", "-o", "r.json", "--format", "github", "app"}, check: status(1, func(t *testing.T, dir string, _ int, out, _ string) {
			assert.True(t, strings.HasPrefix(out, "::error file=app/bare.py"), out)
			data, err := os.ReadFile(filepath.Join(dir, "r.json"))
			require.NoError(t, err)
			assert.Len(t, findingsJSON(t, string(data)), 4)
		})},
		{args: []string{"check", "--no-cache", "--output", "out.txt", "app"}, check: status(1, func(t *testing.T, dir string, _ int, out, _ string) {
			assert.Empty(t, out)
			data, _ := os.ReadFile(filepath.Join(dir, "out.txt"))
			assert.Contains(t, string(data), "ERR001")
		})},
		{args: []string{"check", "--no-cache", "--output-format", "json", "--output-file", "o.json", "app"}, check: status(1, func(t *testing.T, dir string, _ int, out, _ string) {
			data, _ := os.ReadFile(filepath.Join(dir, "o.json"))
			assert.Len(t, findingsJSON(t, string(data)), 4)
		})},
		{args: []string{"check", "--no-cache", "--output-format", "sarif=r.sarif", "--output-format", "junit=r.xml", "app"}, check: status(1, func(t *testing.T, dir string, _ int, _, _ string) {
			sarif, _ := os.ReadFile(filepath.Join(dir, "r.sarif"))
			assert.Contains(t, string(sarif), `"applicability": "safe"`)
			junit, _ := os.ReadFile(filepath.Join(dir, "r.xml"))
			assert.Equal(t, 3, strings.Count(string(junit), "<testcase "), "one test case per analysed file")
		})},
		{args: []string{"check", "--no-cache", "--format", "checklist", "app"}, check: status(1, contains("#"))},
		{args: []string{"check", "--no-cache", "--format", "html", "-o", "c.html", "app"}, check: status(1, func(t *testing.T, dir string, _ int, _, _ string) {
			data, _ := os.ReadFile(filepath.Join(dir, "c.html"))
			assert.Contains(t, string(data), "<html")
		})},
		{args: []string{"check", "--no-cache", "--output-format", "gitlab", "app"}, check: status(1, contains(`"check_name": "ERR001"`))},
		{args: []string{"check", "--no-cache", "--select", "ERR001", "--output-format", "concise", "app"}, check: status(1, func(t *testing.T, _ string, _ int, out, _ string) {
			assert.NotContains(t, out, "LOG00")
		})},
		{args: []string{"check", "--no-cache", "--select", "LOG", "--ignore", "LOG001", "--extend-select", "RUB002", "--output-format", "concise", "app"}, check: status(1, func(t *testing.T, _ string, _ int, out, _ string) {
			assert.Contains(t, out, "LOG002")
			assert.NotContains(t, out, "LOG001")
			assert.NotContains(t, out, "ERR001")
		})},
		{args: []string{"check", "--no-cache", "--fail-on", "error", "--select", "LOG", "app"}, check: status(0, nil)},
		{args: []string{"check", "--no-cache", "--fail-on", "none", "app"}, check: status(0, nil)},
		{args: []string{"check", "--no-cache", "--exit-zero", "app"}, check: status(0, contains("ERR001"))},
		{args: []string{"check", "--no-cache", "--statistics", "app"}, check: status(1, func(t *testing.T, _ string, _ int, out, _ string) {
			assert.Regexp(t, `(?m)^\s*2\s+ERR001\s+bare-except$`, out)
		})},
		{args: []string{"check", "--no-cache", "-q", "--output-format", "concise", "app"}, check: status(1, func(t *testing.T, _ string, _ int, out, _ string) {
			assert.NotContains(t, out, "Found")
		})},
		{args: []string{"check", "--no-cache", "--quiet", "app/bare.py"}, check: status(1, func(t *testing.T, _ string, _ int, out, _ string) {
			assert.NotContains(t, out, "Found")
		})},
		{args: []string{"check", "--no-cache", "--stdin-filename", "app/new.py", "-"}, stdin: bare, check: status(1, contains("app/new.py:4:5: ERR001"))},
		{args: []string{"check", "--no-cache", "--stdin-filename", "app/io.py", "--fix", "-"}, stdin: fixable, check: status(1, func(t *testing.T, _ string, _ int, out, errs string) {
			assert.Equal(t, fixed, out)
			assert.Contains(t, errs, "ERR001")
		})},
		{args: []string{"check", "--no-cache", "--diff", "app"}, check: status(1, contains("+        logger.exception(\"cannot read %s\", path)"))},
		{args: []string{"check", "--no-cache", "--show-fixes", "app"}, check: status(1, contains("Would fix 2 findings:"))},
		{args: []string{"check", "--no-cache", "--diff", "--unsafe-fixes", "--select", "SEC010", "app"}, check: status(0, nil)},
		{args: []string{"check", "--no-cache", "--write-baseline", "base.json", "app"}, check: status(0, contains("recorded 4 findings"))},
		{args: []string{"check", "--no-cache", "--baseline", "base.json", "app"}, check: status(0, contains("All checks passed"))},
		{args: []string{"check", "--no-cache", "--config", "other.toml", "app"}, check: status(1, func(t *testing.T, _ string, _ int, out, _ string) {
			assert.NotContains(t, out, "ERR001")
		})},
		{args: []string{"check", "--no-cache", "--exclude", "legacy", "--extend-exclude", "gen", "--output-format", "concise", "."}, check: status(1, func(t *testing.T, _ string, _ int, out, _ string) {
			assert.NotContains(t, out, "legacy/")
			assert.NotContains(t, out, "gen/")
			assert.Contains(t, out, "tests/test_x.py")
		})},
		{args: []string{"check", "--no-cache", "--jobs", "1", "app"}, check: status(1, nil)},
		{args: []string{"check", "--no-cache", "-j", "-3", "app"}, check: status(2, contains("-j/--jobs -3"))},
		{args: []string{"check", "--no-cache", "--max-file-size", "10", "app"}, check: status(1, contains("SYN002"))},
		{args: []string{"check", "--no-cache", "--allow-bare-noqa", "--select", "ERR001", "noqa"}, check: status(0, nil)},
		{args: []string{"check", "--no-cache", "--select", "ERR001", "noqa"}, check: status(1, nil)},
		{args: []string{"check", "--no-cache", "--no-foreign-noqa", "--select", "ERR001", "foreign"}, check: status(1, nil)},
		{args: []string{"check", "--no-cache", "--select", "ERR001", "foreign"}, check: status(0, nil)},
		{args: []string{"check", "--cache-dir", "cachedir", "app"}, check: status(1, func(t *testing.T, dir string, _ int, _, _ string) {
			entries, _ := os.ReadDir(filepath.Join(dir, "cachedir"))
			assert.NotEmpty(t, entries)
		})},
		{args: []string{"check", "--no-cache", "--color", "always", "app"}, check: status(1, contains("\x1b["))},
		{args: []string{"check", "--no-cache", "--color", "never", "app"}, check: status(1, func(t *testing.T, _ string, _ int, out, _ string) {
			assert.NotContains(t, out, "\x1b[")
		})},
		{args: []string{"check", "--no-cache", "--color", "sometimes", "app"}, check: status(2, contains(`--color "sometimes"`))},
		{args: []string{"check", "--no-cache", "no-such-dir"}, check: status(2, contains("no-such-dir: no such file or directory"))},
		{args: []string{"check", "--no-cache", "docs"}, check: status(0, contains("0 files analysed"))},
		{args: []string{"check", "--no-cache", "--changed-since", "no-such-rev", "app"}, check: status(2, nil)},
		{args: []string{"--version"}, check: status(0, contains("rubric "))},
		{args: []string{"version"}, check: status(0, contains("rubric "))},
		{args: []string{"rules"}, check: status(0, contains("bare-except"))},
		{args: []string{"rule", "ORM001"}, check: status(0, contains("## Why it matters"))},
		{args: []string{"config", "--select", "ERR"}, check: status(0, contains(`select = ["ERR"]`))},
		{args: []string{"models", "."}, check: status(0, nil)},
		{args: []string{"endpoints", "--format", "json", "."}, check: status(0, contains("["))},
		{args: []string{"report", "app"}, check: status(0, contains("#"))},
		{args: []string{"report", "--format", "html", "-o", "r.html", "-j", "1", "--checklist", "checklist.toml", "app"}, check: status(0, func(t *testing.T, dir string, _ int, _, _ string) {
			data, _ := os.ReadFile(filepath.Join(dir, "r.html"))
			assert.Contains(t, string(data), "<html")
		})},
		{args: []string{"report", "--print-checklist"}, check: status(0, contains("[[item]]"))},
		// --isolated: the tree's own configuration (here excluding every
		// file) is not read.
		{args: []string{"check", "--no-cache", "--isolated", "--output-format", "concise", "app"}, check: status(1, contains("app/bare.py"))},
		{args: []string{"grade", "app", "--out", "budgeted", "--max-submission-files", "1", "--max-submission-bytes", "100000", "--submission-timeout", "1m"}, check: func(t *testing.T, dir string, code int, out, errs string) {
			index, err := os.ReadFile(filepath.Join(dir, "budgeted", "index.md"))
			require.NoError(t, err, "stdout:\n%s\nstderr:\n%s", out, errs)
			assert.Contains(t, string(index), "files", "a submission over its file budget is an error row naming the budget")
		}},
		{args: []string{"report", "--format", "json", "--respect-suppressions", "noqa"}, check: status(0, contains(`"suppressions_respected": true`))},
		{args: []string{"grade", "app", "noqa", "--out", "graded-salted", "--anonymize", "--salt", "s3cret", "--respect-suppressions"}, check: status(0, func(t *testing.T, dir string, _ int, _, _ string) {
			data, err := os.ReadFile(filepath.Join(dir, "graded-salted", "index.json"))
			require.NoError(t, err)
			assert.Contains(t, string(data), `"label": "candidate-`)
			assert.NotContains(t, string(data), `"label": "noqa"`)
		})},
		{args: []string{"grade", "app", "legacy", "--out", "graded", "--anonymize", "--max-archive-size", "1000000", "--max-archive-entries", "100", "--max-archive-ratio", "50"}, check: status(0, func(t *testing.T, dir string, _ int, _, _ string) {
			_, err := os.Stat(filepath.Join(dir, "graded", "index.md"))
			assert.NoError(t, err)
		})},
		{args: []string{"bench", "--rounds", "1", "app"}, check: status(0, nil)},
	}
	dir := t.TempDir()
	writeTree(t, dir, files)
	writeTree(t, dir, map[string]string{
		"other.toml":         "ignore = [\"ERR\"]\n",
		"noqa/a.py":          strings.Replace(bare, "    except:", "    except:  # noqa", 1),
		"foreign/a.py":       strings.Replace(bare, "    except:", "    except:  # noqa: E722", 1),
		"docs/README.md":     "# nothing\n",
		"checklist.toml":     string(mustDefaultChecklist(t)),
		"app/__init__.py":    "",
		"legacy/__init__.py": "",
	})
	for _, inv := range invocations {
		record(inv.args)
		t.Run(strings.Join(inv.args, " "), func(t *testing.T) {
			code, out, errs := exe(t, dir, inv.stdin, inv.args...)
			inv.check(t, dir, code, out, errs)
		})
	}
}

func mustDefaultChecklist(t *testing.T) []byte {
	t.Helper()
	code, out, errs := exe(t, t.TempDir(), "", "report", "--print-checklist")
	require.Equal(t, 0, code, errs)
	return []byte(out)
}

// TestBinaryWatch starts --watch, edits a file and sees a second check.
func TestBinaryWatch(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	record([]string{"check", "--watch"})
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"app/io.py": "x = 1\n"})
	cmd := exec.Command(rubricBinary(t), "check", "--no-cache", "--watch", "--output-format", "concise", ".")
	cmd.Dir = dir
	cmd.Env = cleanEnv()
	var out syncBuffer
	errs := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = &out, errs
	require.NoError(t, cmd.Start())
	defer cmd.Process.Kill()
	waitFor := func(b *syncBuffer, s string, n int) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for strings.Count(b.String(), s) < n {
			if time.Now().After(deadline) {
				t.Fatalf("waiting for %d × %q; stdout:\n%s\nstderr:\n%s", n, s, out.String(), errs.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	waitFor(errs, "watching for file changes", 1)
	assert.Contains(t, out.String(), "All checks passed")
	time.Sleep(20 * time.Millisecond) // a modification time the first look cannot share
	// Written aside and renamed into place, as editors save: a watcher
	// polling in the middle of a plain write could see the file empty and
	// check that first.
	tmp := filepath.Join(dir, "app", ".io.py.swp")
	require.NoError(t, os.WriteFile(tmp, []byte(bare), 0o644))
	require.NoError(t, os.Rename(tmp, filepath.Join(dir, "app", "io.py")))
	waitFor(errs, "watching for file changes", 2)
	assert.Contains(t, out.String(), "app/io.py:4:5: ERR001")
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		assert.NoError(t, err, "Ctrl-C ends --watch with status 0")
	case <-time.After(10 * time.Second):
		t.Fatal("--watch did not stop on SIGINT")
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestBinaryServer speaks LSP to `rubric server` over its standard input
// and output: initialize, open a file, receive its diagnostics, exit.
func TestBinaryServer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	record([]string{"server"})
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"app/io.py": bare})
	cmd := exec.Command(rubricBinary(t), "server")
	cmd.Dir = dir
	cmd.Env = cleanEnv()
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var errs syncBuffer
	cmd.Stderr = &errs
	require.NoError(t, cmd.Start())
	defer cmd.Process.Kill()

	diags := make(chan json.RawMessage, 10)
	conn := jsonrpc2.NewConn(context.Background(), jsonrpc2.NewBufferedStream(struct {
		io.Reader
		io.WriteCloser
	}{stdout, stdin}, jsonrpc2.VSCodeObjectCodec{}), jsonrpc2.HandlerWithError(func(_ context.Context, _ *jsonrpc2.Conn, req *jsonrpc2.Request) (any, error) {
		if req.Method == "textDocument/publishDiagnostics" {
			diags <- *req.Params
		}
		return nil, nil
	}))
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	uri := "file://" + filepath.ToSlash(filepath.Join(dir, "app", "io.py"))
	var init map[string]any
	require.NoError(t, conn.Call(ctx, "initialize", map[string]any{"processId": nil, "rootUri": "file://" + filepath.ToSlash(dir), "capabilities": map[string]any{}}, &init))
	assert.Contains(t, init, "capabilities")
	require.NoError(t, conn.Notify(ctx, "initialized", map[string]any{}))
	require.NoError(t, conn.Notify(ctx, "textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": uri, "languageId": "python", "version": 1, "text": bare}}))
	select {
	case p := <-diags:
		assert.Contains(t, string(p), `"code":"ERR001"`)
	case <-ctx.Done():
		t.Fatalf("no diagnostics; stderr:\n%s", errs.String())
	}
	var none any
	require.NoError(t, conn.Call(ctx, "shutdown", nil, &none))
	require.NoError(t, conn.Notify(ctx, "exit", nil))
	stdin.Close()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		assert.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("server did not exit")
	}
}

// TestBinaryFixOnSamples applies --fix to the guide's sample and the
// webhook sample, runs again, and finds only the findings that have no
// safe fix: every finding with a safe fix is gone, the others remain, and
// every file still parses.
func TestBinaryFixOnSamples(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	for _, sample := range []string{"galileo", "webhook"} {
		t.Run(sample, func(t *testing.T) {
			dir := t.TempDir()
			src := filepath.Join("..", "..", "testdata", "submissions", sample)
			require.NoError(t, os.CopyFS(dir, os.DirFS(src)))
			key := func(d map[string]any) string { return d["path"].(string) + " " + d["code"].(string) }
			safe := func(d map[string]any) bool {
				fix, ok := d["fix"].(map[string]any)
				return ok && fix["applicability"] == "safe"
			}
			_, out, errs := exe(t, dir, "", "check", "--no-cache", "--output-format", "json", ".")
			before := findingsJSON(t, out)
			var expect []string
			fixable := 0
			for _, d := range before {
				if safe(d) {
					fixable++
				} else {
					expect = append(expect, key(d))
				}
			}
			require.Positive(t, fixable, "the sample has safe fixes: %s", errs)

			code, _, errs := exe(t, dir, "", "check", "--no-cache", "--fix", "--output-format", "json", ".")
			assert.Contains(t, []int{0, 1}, code, errs)
			assert.NotContains(t, errs, "not applied")

			_, out, _ = exe(t, dir, "", "check", "--no-cache", "--output-format", "json", ".")
			after := findingsJSON(t, out)
			var got []string
			for _, d := range after {
				assert.False(t, safe(d), "a safe fix left: %v", d)
				assert.NotEqual(t, "SYN001", d["code"], "a fixed file does not parse: %v", d)
				got = append(got, key(d))
			}
			sort.Strings(expect)
			sort.Strings(got)
			assert.Equal(t, expect, got)
		})
	}
}

// flagRe finds flags in the documentation; cmdRe finds `rubric CMD`.
var (
	flagRe = regexp.MustCompile("(?:^|[\\s`(\\[|])(--[a-z][a-z0-9-]*)")
	cmdRe  = regexp.MustCompile("`?rubric ([a-z]+)\\b")
)

// notRubrics are flags the documentation names that belong to other tools.
var notRubrics = map[string]bool{"--unified": true}

// TestDocumentedFlagsAreExercised fails when README.md or docs/*.md names
// a flag or a command that no test above runs through the binary.
func TestDocumentedFlagsAreExercised(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	// The other binary tests record what they run; run them first when
	// this test is run alone.
	if len(usedFlags) == 0 {
		t.Run("flags", TestBinaryFlagsAndCommands)
		t.Run("watch", TestBinaryWatch)
		t.Run("server", TestBinaryServer)
		t.Run("bench", TestBinaryBench)
	}
	docs, err := filepath.Glob("../../docs/*.md")
	require.NoError(t, err)
	docs = append(docs, "../../README.md")
	commands := map[string]bool{}
	for _, c := range newRoot(io.Discard, io.Discard).Commands() {
		commands[c.Name()] = true
	}
	usedMu.Lock()
	defer usedMu.Unlock()
	for _, doc := range docs {
		data, err := os.ReadFile(doc)
		require.NoError(t, err)
		for _, m := range flagRe.FindAllStringSubmatch(string(data), -1) {
			if f := m[1]; !notRubrics[f] {
				assert.True(t, usedFlags[f], "%s names %s, which no binary test runs", filepath.Base(doc), f)
			}
		}
		for _, m := range cmdRe.FindAllStringSubmatch(string(data), -1) {
			if commands[m[1]] {
				assert.True(t, usedCmds[m[1]], "%s names `rubric %s`, which no binary test runs", filepath.Base(doc), m[1])
			}
		}
	}
}
