package lsp_test

import (
	"context"
	"encoding/json"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sourcegraph/jsonrpc2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/internal/lsp"
	"github.com/rubric-dev/rubric/rules/all"
)

// client is a scripted editor: it sends requests and notifications and
// collects what the server publishes.
type client struct {
	t     testing.TB
	conn  *jsonrpc2.Conn
	diags chan published
	shown chan protocol.ShowMessageParams
}

// published is publishDiagnostics as the test reads it (glsp's
// IntegerOrString cannot be unmarshalled: its UnmarshalJSON has a value
// receiver).
type published struct {
	URI         string `json:"uri"`
	Version     *int   `json:"version"`
	Diagnostics []diag `json:"diagnostics"`
}

type diag struct {
	Range   protocol.Range `json:"range"`
	Code    string         `json:"code"`
	Message string         `json:"message"`
}

type pipe struct {
	io.Reader
	io.WriteCloser
}

func (p pipe) Close() error { return p.WriteCloser.Close() }

func start(t testing.TB, root string, setup func(string) (analyzer.Config, func(*analyzer.Result), error)) (*client, *lsp.Server) {
	t.Helper()
	return startWith(t, root, lsp.Options{Setup: setup, Version: "test"})
}

func startWith(t testing.TB, root string, opts lsp.Options) (*client, *lsp.Server) {
	t.Helper()
	toServer, fromClient := io.Pipe()
	toClient, fromServer := io.Pipe()
	srv := lsp.New(opts)
	done := make(chan struct{})
	go func() {
		_ = srv.Serve(context.Background(), pipe{toServer, fromServer})
		close(done)
	}()
	c := &client{t: t, diags: make(chan published, 100), shown: make(chan protocol.ShowMessageParams, 10)}
	c.conn = jsonrpc2.NewConn(context.Background(), jsonrpc2.NewBufferedStream(pipe{toClient, fromClient}, jsonrpc2.VSCodeObjectCodec{}),
		jsonrpc2.HandlerWithError(func(_ context.Context, _ *jsonrpc2.Conn, req *jsonrpc2.Request) (any, error) {
			switch req.Method {
			case protocol.ServerTextDocumentPublishDiagnostics:
				var p published
				require.NoError(t, json.Unmarshal(*req.Params, &p))
				c.diags <- p
			case protocol.ServerWindowShowMessage:
				var p protocol.ShowMessageParams
				require.NoError(t, json.Unmarshal(*req.Params, &p))
				c.shown <- p
			}
			return nil, nil
		}))
	t.Cleanup(func() {
		var none any
		_ = c.conn.Call(context.Background(), protocol.MethodShutdown, nil, &none)
		_ = c.conn.Notify(context.Background(), protocol.MethodExit, nil)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("server did not stop after exit")
		}
		c.conn.Close()
	})
	var res protocol.InitializeResult
	c.call(protocol.MethodInitialize, map[string]any{"processId": nil, "rootUri": uriOf(root), "capabilities": map[string]any{}}, &res)
	require.NotNil(t, res.Capabilities.CodeActionProvider)
	c.notify(protocol.MethodInitialized, map[string]any{})
	return c, srv
}

func (c *client) call(method string, params, result any) {
	c.t.Helper()
	require.NoError(c.t, c.conn.Call(context.Background(), method, params, result))
}

func (c *client) notify(method string, params any) {
	c.t.Helper()
	require.NoError(c.t, c.conn.Notify(context.Background(), method, params))
}

// next waits for the diagnostics of uri at version.
func (c *client) next(uri string, version int) []diag {
	c.t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case p := <-c.diags:
			if p.URI == uri && p.Version != nil && int(*p.Version) == version {
				return p.Diagnostics
			}
		case <-timeout:
			c.t.Fatalf("no diagnostics for %s version %d", uri, version)
		}
	}
}

// settle waits until the server has nothing scheduled or running and
// returns every publication received meanwhile, in order (a request's
// answer comes after the notifications sent before it).
func (c *client) settle(srv *lsp.Server) []published {
	c.t.Helper()
	<-srv.Idle()
	c.sync()
	var out []published
	for {
		select {
		case p := <-c.diags:
			out = append(out, p)
		default:
			return out
		}
	}
}

// sync returns once the server has handled every message sent before
// (it answers requests in order) and the client has read every
// notification the server sent before its answer.
func (c *client) sync() {
	c.t.Helper()
	var out any
	c.call(protocol.MethodTextDocumentHover, protocol.HoverParams{TextDocumentPositionParams: protocol.TextDocumentPositionParams{
		TextDocument: protocol.TextDocumentIdentifier{URI: "file:///nowhere.py"}}}, &out)
}

func (c *client) change(uri string, version int, text string) {
	c.t.Helper()
	c.notify(protocol.MethodTextDocumentDidChange, protocol.DidChangeTextDocumentParams{
		TextDocument:   protocol.VersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: uri}, Version: protocol.Integer(version)},
		ContentChanges: []any{protocol.TextDocumentContentChangeEventWhole{Text: text}}})
}

func uriOf(p string) string { return (&url.URL{Scheme: "file", Path: filepath.ToSlash(p)}).String() }

func codesOf(ds []diag) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Code)
	}
	sort.Strings(out)
	return out
}

func find(ds []diag, code string) *diag {
	for i := range ds {
		if ds[i].Code == code {
			return &ds[i]
		}
	}
	return nil
}

// apply applies LSP text edits to text (positions in UTF-16 units; the
// test's text is ASCII).
func apply(t *testing.T, text string, edits []protocol.TextEdit) string {
	t.Helper()
	lines := strings.SplitAfter(text, "\n")
	off := func(p protocol.Position) int {
		n := 0
		for i := 0; i < int(p.Line); i++ {
			n += len(lines[i])
		}
		return n + int(p.Character)
	}
	sort.Slice(edits, func(i, j int) bool { return off(edits[i].Range.Start) > off(edits[j].Range.Start) })
	for _, e := range edits {
		text = text[:off(e.Range.Start)] + e.NewText + text[off(e.Range.End):]
	}
	return text
}

func setupAll(root string) (analyzer.Config, func(*analyzer.Result), error) {
	rules := all.Rules()
	return analyzer.Config{Rules: rules, Registry: rules, WorkDir: root, Jobs: 2}, nil, nil
}

const source = `import logging

logger = logging.getLogger(__name__)


def load(path):
    try:
        return open(path).read()
    except:
        logger.error("cannot read %s", path)
        return None
`

func TestOpenFixAndNoqa(t *testing.T) {
	root := t.TempDir()
	path := filepath.Join(root, "app", "io.py")
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(source), 0o644))
	c, srv := start(t, root, setupAll)
	uri := uriOf(path)

	// Open: the diagnostics arrive.
	c.notify(protocol.MethodTextDocumentDidOpen, protocol.DidOpenTextDocumentParams{TextDocument: protocol.TextDocumentItem{URI: uri, LanguageID: "python", Version: 1, Text: source}})
	ds := c.next(uri, 1)
	assert.Equal(t, []string{"ERR001", "LOG002"}, codesOf(ds))
	log := find(ds, "LOG002")
	require.NotNil(t, log)
	assert.Equal(t, protocol.Position{Line: 9, Character: 8}, log.Range.Start)

	// Hover over the finding: the rule's documentation.
	var hover protocol.Hover
	c.call(protocol.MethodTextDocumentHover, protocol.HoverParams{TextDocumentPositionParams: protocol.TextDocumentPositionParams{
		TextDocument: protocol.TextDocumentIdentifier{URI: uri}, Position: protocol.Position{Line: 9, Character: 12}}}, &hover)
	raw, _ := json.Marshal(hover.Contents)
	assert.Contains(t, string(raw), "LOG002")
	assert.Contains(t, string(raw), "## Why it matters")

	// The fix, as a code action; applied, the finding goes.
	var actions []protocol.CodeAction
	c.call(protocol.MethodTextDocumentCodeAction, protocol.CodeActionParams{TextDocument: protocol.TextDocumentIdentifier{URI: uri},
		Range: log.Range}, &actions)
	var fix *protocol.CodeAction
	for i := range actions {
		if strings.Contains(actions[i].Title, "(LOG002)") {
			fix = &actions[i]
		}
	}
	require.NotNil(t, fix, "actions: %+v", actions)
	assert.True(t, *fix.IsPreferred, "a safe fix is preferred")
	text := apply(t, source, fix.Edit.Changes[uri])
	assert.Contains(t, text, `logger.exception("cannot read %s", path)`)
	c.notify(protocol.MethodTextDocumentDidChange, protocol.DidChangeTextDocumentParams{
		TextDocument:   protocol.VersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: uri}, Version: 2},
		ContentChanges: []any{protocol.TextDocumentContentChangeEventWhole{Text: text}}})
	ds = c.next(uri, 2)
	<-srv.Idle() // code actions read the whole analysis (the first answer may come before it)
	assert.Equal(t, []string{"ERR001"}, codesOf(ds))

	// `# noqa: ERR001` for the line, as a code action; applied, it goes.
	bare := find(ds, "ERR001")
	require.NotNil(t, bare)
	actions = nil
	c.call(protocol.MethodTextDocumentCodeAction, protocol.CodeActionParams{TextDocument: protocol.TextDocumentIdentifier{URI: uri}, Range: bare.Range}, &actions)
	var noqa *protocol.CodeAction
	for i := range actions {
		if strings.Contains(actions[i].Title, "ignore ERR001") {
			noqa = &actions[i]
		}
	}
	require.NotNil(t, noqa)
	text = apply(t, text, noqa.Edit.Changes[uri])
	assert.Contains(t, text, "    except:  # noqa: ERR001\n")
	c.notify(protocol.MethodTextDocumentDidChange, protocol.DidChangeTextDocumentParams{
		TextDocument:   protocol.VersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: uri}, Version: 3},
		ContentChanges: []any{protocol.TextDocumentContentChangeEventWhole{Text: text}}})
	assert.Empty(t, c.next(uri, 3))

	// Nothing was written to disk.
	disk, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, source, string(disk))
}

// The project index follows the buffers: an unsaved edit to a model
// changes the findings in the view that uses it.
func TestProjectFollowsModelEdits(t *testing.T) {
	root := t.TempDir()
	models := "from django.db import models\n\n\nclass Customer(models.Model):\n    name = models.CharField(max_length=10)\n\n\nclass Order(models.Model):\n    total = models.IntegerField()\n"
	views := "from .models import Order\n\n\ndef report():\n    for order in Order.objects.all():\n        print(order.customer.name)\n"
	for name, src := range map[string]string{"shop/models.py": models, "shop/views.py": views, "shop/__init__.py": ""} {
		p := filepath.Join(root, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(src), 0o644))
	}
	only := func(root string) (analyzer.Config, func(*analyzer.Result), error) {
		rules := []*analyzer.Rule{all.ByCode("ORM001")}
		return analyzer.Config{Rules: rules, Registry: all.Rules(), WorkDir: root}, nil, nil
	}
	c, _ := start(t, root, only)
	vURI, mURI := uriOf(filepath.Join(root, "shop/views.py")), uriOf(filepath.Join(root, "shop/models.py"))
	c.notify(protocol.MethodTextDocumentDidOpen, protocol.DidOpenTextDocumentParams{TextDocument: protocol.TextDocumentItem{URI: vURI, LanguageID: "python", Version: 1, Text: views}})
	assert.Empty(t, c.next(vURI, 1), "Order has no customer field yet")

	c.notify(protocol.MethodTextDocumentDidOpen, protocol.DidOpenTextDocumentParams{TextDocument: protocol.TextDocumentItem{URI: mURI, LanguageID: "python", Version: 1, Text: models}})
	c.next(mURI, 1)
	edited := models + "    customer = models.ForeignKey(Customer, on_delete=models.CASCADE)\n"
	c.notify(protocol.MethodTextDocumentDidChange, protocol.DidChangeTextDocumentParams{
		TextDocument:   protocol.VersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: mURI}, Version: 2},
		ContentChanges: []any{protocol.TextDocumentContentChangeEventWhole{Text: edited}}})
	// Documents are published in path order: the view's diagnostics after
	// the model's version 2 come from the analysis of the edited model.
	c.next(mURI, 2)
	assert.Equal(t, []string{"ORM001"}, codesOf(c.next(vURI, 1)), "the view's findings follow the unsaved model")
}

func TestBrokenConfigurationIsShown(t *testing.T) {
	root := t.TempDir()
	c, _ := start(t, root, func(string) (analyzer.Config, func(*analyzer.Result), error) {
		return analyzer.Config{}, nil, assert.AnError
	})
	select {
	case m := <-c.shown:
		assert.Equal(t, protocol.MessageTypeError, m.Type)
		assert.Contains(t, m.Message, assert.AnError.Error())
	case <-time.After(5 * time.Second):
		t.Fatal("no message")
	}
}

// BenchmarkChangeToDiagnostics measures an edit in the editor until the
// whole analysis's diagnostics arrive (the first answer, which comes
// before them, is BenchmarkChangeToFirstAnswer's), on the guide's sample
// submission (every rule, the whole project re-analysed with the buffer
// overlaid, each file's work kept), or on the project RUBRIC_BENCH_ROOT
// names (editing RUBRIC_BENCH_FILE in it).
func BenchmarkChangeToDiagnostics(b *testing.B) {
	root, path, src := benchProject(b)
	c, srv := start(b, root, setupAll)
	uri := uriOf(path)
	c.notify(protocol.MethodTextDocumentDidOpen, protocol.DidOpenTextDocumentParams{TextDocument: protocol.TextDocumentItem{URI: uri, LanguageID: "python", Version: 1, Text: string(src)}})
	c.next(uri, 1)
	b.ResetTimer()
	cpu := analyzer.ProcessCPU()
	for i := 0; i < b.N; i++ {
		v := i + 2
		text := string(src) + strings.Repeat("\n", i%2)
		c.notify(protocol.MethodTextDocumentDidChange, protocol.DidChangeTextDocumentParams{
			TextDocument:   protocol.VersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: uri}, Version: protocol.Integer(v)},
			ContentChanges: []any{protocol.TextDocumentContentChangeEventWhole{Text: text}}})
		c.next(uri, v)
		<-srv.Idle() // the whole analysis has published
	}
	b.ReportMetric((analyzer.ProcessCPU()-cpu).Seconds()/float64(b.N), "cpu-s/op")
}
