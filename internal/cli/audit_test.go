package cli

// Tests written for the acceptance audit of issues 14 and 16: points whose
// existing tests did not check them, or checked them only in part.

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sourcegraph/jsonrpc2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/rubric-dev/rubric/internal/statcache"
)

// analysedAt is the checklist's "Analysed at" time, the only bytes two
// runs of the checklist formats may differ by.
var analysedAt = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`)

// The formats TestCacheGivesTheSameBytesInEveryFormat leaves out print the
// same bytes with and without the caches too: concise through the result
// cache; the checklist's Markdown and HTML never use the result cache
// (indexFree: they read the project index), only the tree and reuse caches.
func TestAuditCacheGivesTheSameBytesInTheOtherFormats(t *testing.T) {
	tempProject(t, hostileProject)
	for _, format := range []string{"concise", "checklist", "html"} {
		t.Run(format, func(t *testing.T) {
			cacheDir := filepath.Join(t.TempDir(), "cache")
			args := []string{"check", "--color", "never", "--max-file-size", "4000", "--format", format}
			codeNo, uncached, errs := run(t, append(args, "--no-cache", ".")...)
			require.NotEqual(t, ExitError, codeNo, errs)
			codeCold, cold, _ := run(t, append(args, "--cache-dir", cacheDir, ".")...)
			entries, _ := filepath.Glob(filepath.Join(cacheDir, "*.gob"))
			if format == "concise" {
				require.Len(t, entries, 1, "the cold run stored its result")
			} else {
				require.Empty(t, entries, "the checklist formats run uncached")
			}
			codeWarm, warm, _ := run(t, append(args, "--cache-dir", cacheDir, ".")...)
			norm := func(s string) string { return analysedAt.ReplaceAllString(s, "TIME") }
			assert.True(t, norm(uncached) == norm(cold), "cold cache:\n%s\n---\n%s", uncached, cold)
			assert.True(t, norm(uncached) == norm(warm), "cache hit:\n%s\n---\n%s", uncached, warm)
			assert.Equal(t, codeNo, codeCold)
			assert.Equal(t, codeNo, codeWarm)
		})
	}
}

// TestCorruptCacheEntryGivesTheColdAnswer flips bytes of the result entry
// only, and a hit never reads the other caches. Here the result entry is
// gone and a byte of each other cache file (the stat index, the reuse
// pack, each parsed tree the fix rounds kept, read with the reuse pack gone) is flipped, at
// eight places in turn: the run still gives the cold answer.
func TestAuditEveryCacheFileCorruptedGivesTheColdAnswer(t *testing.T) {
	racy := statcache.Racy
	statcache.Racy = 0 // record the hashes of the files just written
	t.Cleanup(func() { statcache.Racy = racy })
	tempProject(t, map[string]string{
		"app/io.py":     fixable,
		"app/bare.py":   bare,
		"app/ok.py":     "x = 1\n",
		"app/models.py": "from django.db import models\n\n\nclass Order(models.Model):\n    total = models.IntegerField()\n",
	})
	cacheDir := filepath.Join(t.TempDir(), "cache")
	// `check` keeps its trees in the reuse pack and only reads the tree
	// cache; the fix rounds (--diff) write it.
	run(t, "check", "--diff", "--cache-dir", cacheDir, ".")
	args := []string{"check", "--format", "json", "--cache-dir", cacheDir, "."}
	_, cold, _ := run(t, args...)
	require.Contains(t, cold, "ERR001")

	saved := map[string][]byte{}
	require.NoError(t, filepath.WalkDir(cacheDir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			data, rerr := os.ReadFile(p)
			require.NoError(t, rerr)
			saved[p] = data
		}
		return err
	}))
	restore := func() {
		require.NoError(t, os.RemoveAll(cacheDir))
		for p, data := range saved {
			require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
			require.NoError(t, os.WriteFile(p, data, 0o644))
		}
		results, _ := filepath.Glob(filepath.Join(cacheDir, "*.gob"))
		for _, r := range results {
			require.NoError(t, os.Remove(r)) // no result entry: the other caches are read
		}
	}
	kinds := map[string]int{}
	for p, good := range saved {
		rel, _ := filepath.Rel(cacheDir, p)
		if filepath.Dir(rel) == "." {
			continue // the result entry: TestCorruptCacheEntryGivesTheColdAnswer
		}
		kind := strings.Split(filepath.ToSlash(rel), "/")[0]
		kinds[kind]++
		for i := 0; i < 8; i++ {
			at := i * (len(good) - 1) / 7
			restore()
			if kind == "trees" {
				// Without the reuse pack the trees are read, not skipped.
				require.NoError(t, os.RemoveAll(filepath.Join(cacheDir, "reuse")))
			}
			bad := bytes.Clone(good)
			bad[at] ^= 0x10
			require.NoError(t, os.WriteFile(p, bad, 0o644))
			_, out, _ := run(t, args...)
			assert.Equal(t, cold, out, "%s: byte %d flipped", rel, at)
		}
	}
	for _, k := range []string{"stat", "reuse", "trees"} {
		assert.Positive(t, kinds[k], "the cold run wrote no %s file", k)
	}
}

// openTerminal returns the far end of a new pseudo-terminal: an *os.File
// that is a terminal.
func openTerminal(t *testing.T) *os.File {
	t.Helper()
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { ptmx.Close() })
	fd := int(ptmx.Fd())
	require.NoError(t, unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0))
	n, err := unix.IoctlGetUint32(fd, unix.TIOCGPTN)
	require.NoError(t, err)
	pts, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { pts.Close() })
	return pts
}

// TestColorEnvironment writes to a buffer, where colour is off whatever
// NO_COLOR says. On a terminal: NO_COLOR set to a non-empty value turns
// colour off, set but empty it does not (no-color.org), FORCE_COLOR wins,
// and --color always wins over both.
func TestAuditNoColorOnATerminal(t *testing.T) {
	tty := openTerminal(t)
	for _, c := range []struct {
		mode, noColor, force string
		want                 bool
	}{
		{"auto", "", "", true}, // a terminal: colour
		{"auto", "1", "", false},
		{"auto", "0", "", false}, // any non-empty value
		{"auto", "1", "1", true},
		{"always", "1", "", true},
		{"never", "", "", false},
	} {
		t.Setenv("NO_COLOR", c.noColor)
		t.Setenv("FORCE_COLOR", c.force)
		assert.Equal(t, c.want, wantColor(c.mode, tty), "%+v", c)
	}
}

// lspDiag is a published diagnostic as the audit's client reads it.
type lspDiag struct {
	Code string `json:"code"`
}

type lspPublished struct {
	URI         string    `json:"uri"`
	Version     *int      `json:"version"`
	Diagnostics []lspDiag `json:"diagnostics"`
}

// The LSP test in internal/lsp covers open, change, code actions and hover
// on a finding with a test Setup. This one runs `rubric server` itself (its
// flags and the workspace's configuration): diagnostics on save (with the
// saved text), the configuration re-read when rubric.toml is saved and when
// the client reports watched files changed, flags over the file, and hover
// over a code in a `# noqa` comment.
func TestAuditServerSaveAndConfiguration(t *testing.T) {
	dir := tempProject(t, map[string]string{"app/io.py": fixable})
	toServer, fromClient := io.Pipe()
	toClient, fromServer := io.Pipe()
	done := make(chan int, 1)
	go func() {
		var errb bytes.Buffer
		code := Main([]string{"server", "--ignore", "LOG001"}, toServer, fromServer, &errb)
		fromServer.Close()
		done <- code
	}()
	diags := make(chan lspPublished, 100)
	conn := jsonrpc2.NewConn(context.Background(), jsonrpc2.NewBufferedStream(struct {
		io.Reader
		io.WriteCloser
	}{toClient, fromClient}, jsonrpc2.VSCodeObjectCodec{}), jsonrpc2.HandlerWithError(func(_ context.Context, _ *jsonrpc2.Conn, req *jsonrpc2.Request) (any, error) {
		if req.Method == "textDocument/publishDiagnostics" {
			var p lspPublished
			if err := json.Unmarshal(*req.Params, &p); err == nil {
				diags <- p
			}
		}
		return nil, nil
	}))
	t.Cleanup(func() {
		var none any
		_ = conn.Call(context.Background(), "shutdown", nil, &none)
		_ = conn.Notify(context.Background(), "exit", nil)
		fromClient.Close()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("server did not stop")
		}
		conn.Close()
	})
	ctx := context.Background()
	uriOf := func(p string) string { return (&url.URL{Scheme: "file", Path: filepath.ToSlash(p)}).String() }
	uri := uriOf(filepath.Join(dir, "app", "io.py"))
	configURI := uriOf(filepath.Join(dir, "rubric.toml"))
	next := func(what string) []string {
		t.Helper()
		timeout := time.After(20 * time.Second)
		for {
			select {
			case p := <-diags:
				if p.URI == uri {
					codes := []string{}
					for _, d := range p.Diagnostics {
						codes = append(codes, d.Code)
					}
					return codes
				}
			case <-timeout:
				t.Fatalf("no diagnostics after %s", what)
				return nil
			}
		}
	}
	var init map[string]any
	require.NoError(t, conn.Call(ctx, "initialize", map[string]any{"processId": nil, "rootUri": uriOf(dir), "capabilities": map[string]any{}}, &init))
	require.NoError(t, conn.Notify(ctx, "initialized", map[string]any{}))

	// --ignore LOG001 is honoured: ERR001 and LOG002 only.
	require.NoError(t, conn.Notify(ctx, "textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": uri, "languageId": "python", "version": 1, "text": fixable}}))
	assert.ElementsMatch(t, []string{"ERR001", "LOG002"}, next("open"))

	// Saved with its text: the saved text is analysed.
	require.NoError(t, conn.Notify(ctx, "textDocument/didSave", map[string]any{"textDocument": map[string]any{"uri": uri}, "text": "x = 1\n"}))
	assert.Empty(t, next("save of a clean text"))
	require.NoError(t, conn.Notify(ctx, "textDocument/didSave", map[string]any{"textDocument": map[string]any{"uri": uri}, "text": fixable}))
	assert.ElementsMatch(t, []string{"ERR001", "LOG002"}, next("save of the first text"))

	// rubric.toml saved: re-read. Its ignore is overridden by the flag (the
	// file's LOG002 is not ignored), its per-file ignores apply.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "rubric.toml"),
		[]byte("ignore = [\"LOG002\"]\n[per-file-ignores]\n\"app/*.py\" = [\"ERR001\"]\n"), 0o644))
	require.NoError(t, conn.Notify(ctx, "textDocument/didSave", map[string]any{"textDocument": map[string]any{"uri": configURI}}))
	assert.Equal(t, []string{"LOG002"}, next("rubric.toml saved"))

	// Removed outside the editor; the client reports the watched file.
	require.NoError(t, os.Remove(filepath.Join(dir, "rubric.toml")))
	require.NoError(t, conn.Notify(ctx, "workspace/didChangeWatchedFiles", map[string]any{"changes": []map[string]any{{"uri": configURI, "type": 3}}}))
	assert.ElementsMatch(t, []string{"ERR001", "LOG002"}, next("rubric.toml deleted"))

	// Hover over the code of a `# noqa` comment: that rule's documentation.
	noqa := strings.Replace(fixable, "    except:", "    except:  # noqa: ERR001", 1)
	require.NoError(t, conn.Notify(ctx, "textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": uri, "version": 2},
		"contentChanges": []map[string]any{{"text": noqa}}}))
	assert.Equal(t, []string{"LOG002"}, next("noqa added"))
	line := strings.Split(noqa, "\n")[8]
	require.Contains(t, line, "# noqa: ERR001")
	var hover struct {
		Contents json.RawMessage `json:"contents"`
	}
	require.NoError(t, conn.Call(ctx, "textDocument/hover", map[string]any{"textDocument": map[string]any{"uri": uri},
		"position": map[string]any{"line": 8, "character": strings.Index(line, "ERR001") + 2}}, &hover))
	assert.Contains(t, string(hover.Contents), "ERR001")
	assert.Contains(t, string(hover.Contents), "Why it matters")
}

// TestBinaryFlagsAndCommands runs --isolated on a tree without in-tree
// configuration, where it changes nothing, and --changed-since only with
// a revision that does not exist. Through the binary: --isolated reads
// neither the tree's pyproject.toml nor its .gitignore, and
// --changed-since reports only the lines changed since the revision.
func TestAuditBinaryIsolatedAndChangedSince(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"app/io.py":      bare,
		"app/gen.py":     bare,
		"pyproject.toml": "[tool.rubric]\nexclude = [\"app/io.py\"]\n",
		".gitignore":     "app/gen.py\n",
	})
	code, out, errs := exe(t, dir, "", "check", "--no-cache", "--output-format", "concise", ".")
	assert.Equal(t, ExitClean, code, out+errs)
	code, out, errs = exe(t, dir, "", "check", "--no-cache", "--isolated", "--output-format", "concise", ".")
	assert.Equal(t, ExitFindings, code, errs)
	assert.Contains(t, out, "app/io.py:4:5: ERR001")
	assert.Contains(t, out, "app/gen.py:4:5: ERR001")

	git(t, dir, "init", "-q")
	git(t, dir, "add", "-f", ".")
	git(t, dir, "commit", "-q", "-m", "first")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "app/io.py"), []byte(bare+"\n\n"+strings.ReplaceAll(bare, "load", "load2")), 0o644))
	code, out, errs = exe(t, dir, "", "check", "--no-cache", "--isolated", "--changed-since", "HEAD", "--output-format", "concise", ".")
	assert.Equal(t, ExitFindings, code, errs)
	assert.Equal(t, 1, strings.Count(out, "ERR001"), out)
	assert.Contains(t, out, "app/io.py:11:5: ERR001")
}

// TestGradeInterruptRemovesTemporaryFolders sends SIGINT to the test
// process. The built binary, sent SIGTERM while grading, removes its
// temporary folders and exits 130 too.
func TestAuditBinaryGradeSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir, tmp := t.TempDir(), t.TempDir()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i < 60; i++ {
		w, err := zw.Create(fmt.Sprintf("slow/m%02d.py", i))
		require.NoError(t, err)
		w.Write([]byte(strings.Repeat("try:\n", 20000))) // each file costs its whole parse budget
	}
	require.NoError(t, zw.Close())
	require.NoError(t, os.WriteFile(filepath.Join(dir, "slow.zip"), buf.Bytes(), 0o644))

	cmd := exec.Command(rubricBinary(t), "grade", "--out", "graded", "-j", "1", "--max-archive-ratio", "1000000", "slow.zip")
	cmd.Dir = dir
	cmd.Env = append(cleanEnv(), "TMPDIR="+tmp)
	var errs syncBuffer
	cmd.Stderr = &errs
	require.NoError(t, cmd.Start())
	defer cmd.Process.Kill()
	deadline := time.Now().Add(60 * time.Second)
	for {
		entries, _ := os.ReadDir(tmp)
		if len(entries) > 0 {
			break
		}
		require.True(t, time.Now().Before(deadline), "grade never unpacked; stderr:\n%s", errs.String())
		time.Sleep(time.Millisecond)
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	select {
	case err := <-waited:
		var ee *exec.ExitError
		require.ErrorAs(t, err, &ee, "stderr:\n%s", errs.String())
		assert.Equal(t, ExitInterrupted, ee.ExitCode(), "stderr:\n%s", errs.String())
	case <-time.After(60 * time.Second):
		t.Fatal("grade did not stop on SIGTERM")
	}
	left, _ := os.ReadDir(tmp)
	assert.Empty(t, left, "temporary folders removed")
}
