// Package lsp is rubric's editor server: the Language Server Protocol over
// a stream (standard input and output for `rubric server`). It publishes
// diagnostics when a document is opened, changed or saved, offers code
// actions (a finding's fix, and `# noqa: CODE` for its line) and shows a
// rule's documentation on hover.
//
// Each whole analysis runs the project through analyzer.Run with the open
// buffers overlaid (Config.Sources), so rules see the same project index as
// `rubric check`, refreshed on every change: an edit to a model is seen by
// the views that use it. Between analyses the server keeps, in memory,
// parsed trees by content and each file's work under the keys the command
// line's reuse pack uses (Config.Reuse, analyzer/reuse.go): a change
// re-parses and re-extracts only the edited buffer, re-runs the rules that
// read only their own file and the index on that file alone (on every file
// when its facts changed), and re-runs everywhere the rules that require a
// shared analysis (the semantic model) and the project rules. Whole
// analyses are debounced and run one at a time; a newer change cancels the
// one running.
//
// A change is answered at once, before its whole analysis (first.go): the
// edited document's findings from the rules that read only their own file
// and the project index, computed as the whole analysis computes them
// (analyzer.RunFile, against the last whole analysis's index, rebuilt from
// its kept facts when the edit changed the file's), plus the last whole
// analysis's findings of the other rules on that document, kept only on
// lines the change left alone and moved by the lines it added or removed.
// What waits for the whole analysis: new findings of the rules that require
// a shared analysis and of project rules, unused suppressions (RUB002),
// findings on the other documents, and code actions (they read the whole
// analysis of the buffer as it is). A document never shows an older answer
// than the one it shows: a later version's, or for one version the whole
// analysis's over the first answer. On saleor (4,329 files, 2 cores under
// load) the first answer takes 14-23 ms from the change when the file's
// facts are kept, 18-28 ms when they moved (BenchmarkChangeToFirstAnswer),
// 25-56 ms while a whole analysis runs (BenchmarkFirstAnswerWhileTyping); the whole
// analysis 2-3 s (BenchmarkChangeToDiagnostics).
//
// The protocol's types and method dispatch are github.com/tliron/glsp's
// (LSP 3.16); the transport is github.com/sourcegraph/jsonrpc2, on which
// glsp is built, used directly so that any stream can be served (tests use
// pipes).
package lsp

import (
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/sourcegraph/jsonrpc2"
	"github.com/tliron/glsp"
	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// Options configure a Server.
type Options struct {
	// Setup returns the analysis configuration for a workspace root (its
	// rubric.toml or pyproject.toml applied) and a filter applied to every
	// result (per-file ignores). An error (a broken configuration file) is
	// shown to the user and analysis waits for the file to be fixed.
	// The server sets Config.Reuse to its own in-memory cache, kept until
	// the configuration is read again; Config.ReuseKey and ReuseExtra are
	// the caller's (rubric's build and configuration, the templates).
	Setup func(root string) (analyzer.Config, func(*analyzer.Result), error)
	// Debounce is how long the server waits after a change before
	// analysing; 0 means at once.
	Debounce time.Duration
	// Version is rubric's version, reported to the client.
	Version string
	// DocURL links a rule code to its documentation ("" for none).
	DocURL func(code string) string
}

// Server is one editor session.
type Server struct {
	opts    Options
	handler protocol.Handler
	trees   *memTrees

	mu       sync.Mutex
	conn     *jsonrpc2.Conn
	root     string
	cfg      analyzer.Config
	filter   func(*analyzer.Result)
	cfgErr   error
	reuse    *analyzer.MemoryReuse // per-file work kept between analyses of one configuration
	docs     map[string]*document  // by display path (relative to root)
	last     *analyzer.Result
	cfgGen   int // counts configuration reads
	lastGen  int // the cfgGen last was analysed under
	timer    *time.Timer
	pending  int                // analyses and first answers scheduled and not yet done
	idle     chan struct{}      // closed when pending drops to 0
	runMu    sync.Mutex         // one analysis at a time
	cancel   context.CancelFunc // cancels the analysis running, if any
	shutdown bool

	firstMu sync.Mutex // one first answer at a time

	pubMu     sync.Mutex
	published map[protocol.DocumentUri]answered // what each open document shows
}

// answered is which answer a document shows: the version it is of, and
// whether it is a whole analysis's or a first answer.
type answered struct {
	version protocol.Integer
	whole   bool
}

type document struct {
	uri     protocol.DocumentUri
	text    string
	version protocol.Integer
}

// New returns a server.
func New(opts Options) *Server {
	s := &Server{opts: opts, trees: &memTrees{m: map[[32]byte]*memTree{}}, docs: map[string]*document{},
		published: map[protocol.DocumentUri]answered{}}
	s.handler = protocol.Handler{
		Initialize:             s.initialize,
		Initialized:            func(*glsp.Context, *protocol.InitializedParams) error { return nil },
		Shutdown:               s.shutdownRequest,
		Exit:                   func(*glsp.Context) error { return nil },
		SetTrace:               func(*glsp.Context, *protocol.SetTraceParams) error { return nil },
		TextDocumentDidOpen:    s.didOpen,
		TextDocumentDidChange:  s.didChange,
		TextDocumentDidSave:    s.didSave,
		TextDocumentDidClose:   s.didClose,
		TextDocumentCodeAction: s.codeAction,
		TextDocumentHover:      s.hover,
		WorkspaceDidChangeWatchedFiles: func(*glsp.Context, *protocol.DidChangeWatchedFilesParams) error {
			s.reload()
			return nil
		},
	}
	return s
}

// Serve speaks the protocol on rw until the client exits or the stream
// closes.
func (s *Server) Serve(ctx context.Context, rw io.ReadWriteCloser) error {
	conn := jsonrpc2.NewConn(ctx, jsonrpc2.NewBufferedStream(rw, jsonrpc2.VSCodeObjectCodec{}), jsonrpc2.HandlerWithError(s.handle))
	s.mu.Lock()
	s.conn = conn
	s.mu.Unlock()
	select {
	case <-conn.DisconnectNotify():
	case <-ctx.Done():
		conn.Close()
	}
	s.mu.Lock()
	if s.timer != nil {
		s.timer.Stop()
	}
	s.mu.Unlock()
	return nil
}

// Stdio is standard input and output as one stream.
type Stdio struct{}

func (Stdio) Read(p []byte) (int, error)  { return os.Stdin.Read(p) }
func (Stdio) Write(p []byte) (int, error) { return os.Stdout.Write(p) }
func (Stdio) Close() error                { return nil }

func (s *Server) handle(ctx context.Context, conn *jsonrpc2.Conn, req *jsonrpc2.Request) (any, error) {
	gctx := &glsp.Context{
		Method: req.Method,
		Notify: func(method string, params any) { _ = conn.Notify(ctx, method, params) },
		Call:   func(method string, params, result any) { _ = conn.Call(ctx, method, params, result) },
	}
	if req.Params != nil {
		gctx.Params = *req.Params
	}
	if req.Method == protocol.MethodExit {
		s.handler.Handle(gctx)
		return nil, conn.Close()
	}
	r, validMethod, validParams, err := s.handler.Handle(gctx)
	switch {
	case !validMethod:
		return nil, &jsonrpc2.Error{Code: jsonrpc2.CodeMethodNotFound, Message: "method not supported: " + req.Method}
	case !validParams:
		msg := "invalid params"
		if err != nil {
			msg = err.Error()
		}
		return nil, &jsonrpc2.Error{Code: jsonrpc2.CodeInvalidParams, Message: msg}
	case err != nil:
		return nil, &jsonrpc2.Error{Code: jsonrpc2.CodeInternalError, Message: err.Error()}
	}
	return r, nil
}

func (s *Server) initialize(_ *glsp.Context, p *protocol.InitializeParams) (any, error) {
	root := ""
	switch {
	case len(p.WorkspaceFolders) > 0:
		root = uriPath(p.WorkspaceFolders[0].URI)
	case p.RootURI != nil:
		root = uriPath(*p.RootURI)
	case p.RootPath != nil:
		root = *p.RootPath
	}
	if root == "" {
		root, _ = os.Getwd()
	}
	s.mu.Lock()
	s.root = filepath.Clean(root)
	s.mu.Unlock()
	s.loadConfig()

	caps := s.handler.CreateServerCapabilities()
	yes := true
	caps.TextDocumentSync = &protocol.TextDocumentSyncOptions{
		OpenClose: &yes,
		Change:    ptr(protocol.TextDocumentSyncKindFull),
		Save:      &protocol.SaveOptions{IncludeText: ptr(false)},
	}
	caps.CodeActionProvider = &protocol.CodeActionOptions{CodeActionKinds: []protocol.CodeActionKind{protocol.CodeActionKindQuickFix}}
	caps.HoverProvider = true
	return protocol.InitializeResult{
		Capabilities: caps,
		ServerInfo:   &protocol.InitializeResultServerInfo{Name: "rubric", Version: &s.opts.Version},
	}, nil
}

func (s *Server) shutdownRequest(*glsp.Context) error {
	s.mu.Lock()
	s.shutdown = true
	if s.timer != nil {
		s.timer.Stop()
	}
	s.mu.Unlock()
	return nil
}

// loadConfig (re)reads the workspace's configuration.
func (s *Server) loadConfig() {
	s.mu.Lock()
	root := s.root
	s.mu.Unlock()
	cfg, filter, err := s.opts.Setup(root)
	s.mu.Lock()
	s.cfg, s.filter, s.cfgErr = cfg, filter, err
	s.cfgGen++
	// Kept work is keyed by the caller's ReuseKey, but a configuration
	// read again starts afresh all the same: a caller that keys nothing
	// (tests) is never served another configuration's findings.
	s.reuse = analyzer.NewMemoryReuse(nil)
	s.mu.Unlock()
	if err != nil {
		s.notify(protocol.ServerWindowShowMessage, protocol.ShowMessageParams{Type: protocol.MessageTypeError, Message: "rubric: " + err.Error()})
	}
}

func (s *Server) notify(method string, params any) {
	s.mu.Lock()
	conn := s.conn
	s.mu.Unlock()
	if conn != nil {
		_ = conn.Notify(context.Background(), method, params)
	}
}

func (s *Server) didOpen(_ *glsp.Context, p *protocol.DidOpenTextDocumentParams) error {
	s.forget(p.TextDocument.URI) // versions start again
	s.setDoc(p.TextDocument.URI, p.TextDocument.Text, p.TextDocument.Version)
	s.schedule()
	return nil
}

func (s *Server) didChange(_ *glsp.Context, p *protocol.DidChangeTextDocumentParams) error {
	s.mu.Lock()
	doc := s.docs[s.rel(p.TextDocument.URI)]
	s.mu.Unlock()
	if doc == nil {
		return nil
	}
	text := doc.text
	for _, ch := range p.ContentChanges {
		switch c := ch.(type) {
		case protocol.TextDocumentContentChangeEventWhole:
			text = c.Text
		case protocol.TextDocumentContentChangeEvent:
			// Incremental changes are not requested (the server asks for
			// full sync), but apply them should a client send them.
			start, end := offsetAt(text, c.Range.Start), offsetAt(text, c.Range.End)
			text = text[:start] + c.Text + text[end:]
		}
	}
	s.setDoc(p.TextDocument.URI, text, p.TextDocument.Version)
	// The whole analysis is counted (schedule) before the first answer is
	// published: Idle, read by whoever saw that answer, must not report
	// idle in between, when the analysis that code actions read has not
	// yet been scheduled.
	s.schedule()
	s.firstAnswer(p.TextDocument.URI, p.TextDocument.Version, text)
	return nil
}

func (s *Server) didSave(_ *glsp.Context, p *protocol.DidSaveTextDocumentParams) error {
	if p.Text != nil {
		s.mu.Lock()
		doc := s.docs[s.rel(p.TextDocument.URI)]
		s.mu.Unlock()
		if doc != nil {
			s.setDoc(p.TextDocument.URI, *p.Text, doc.version)
		}
	}
	if isConfigFile(uriPath(p.TextDocument.URI)) {
		s.loadConfig()
	}
	s.schedule()
	return nil
}

func (s *Server) didClose(_ *glsp.Context, p *protocol.DidCloseTextDocumentParams) error {
	s.mu.Lock()
	delete(s.docs, s.rel(p.TextDocument.URI))
	s.mu.Unlock()
	s.forget(p.TextDocument.URI)
	s.notify(protocol.ServerTextDocumentPublishDiagnostics, protocol.PublishDiagnosticsParams{URI: p.TextDocument.URI, Diagnostics: []protocol.Diagnostic{}})
	s.schedule() // the file on disk replaces the buffer for the rest of the project
	return nil
}

// reload re-reads the configuration and analyses again (files changed on
// disk outside the editor).
func (s *Server) reload() {
	s.loadConfig()
	s.schedule()
}

func onDisk(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func isConfigFile(p string) bool {
	b := filepath.Base(p)
	return b == "rubric.toml" || b == "pyproject.toml"
}

func (s *Server) setDoc(uri protocol.DocumentUri, text string, version protocol.Integer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.docs[s.rel(uri)] = &document{uri: uri, text: text, version: version}
}

// rel is the display path of a document: relative to the root, as the
// driver names files. Callers hold s.mu.
func (s *Server) rel(uri protocol.DocumentUri) string {
	return analyzer.DisplayPath(uriPath(uri), s.root)
}

// schedule runs an analysis after the debounce delay, replacing one
// scheduled and not yet started; when it starts, it cancels the one
// running (whose answer would be older).
func (s *Server) schedule() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shutdown {
		return
	}
	if s.timer != nil && s.timer.Stop() {
		s.pending-- // replaced before it ran
	}
	s.begin()
	s.timer = time.AfterFunc(s.opts.Debounce, func() {
		s.mu.Lock()
		if s.cancel != nil {
			s.cancel()
		}
		s.mu.Unlock()
		s.analyse()
		s.mu.Lock()
		s.done()
		s.mu.Unlock()
	})
}

// begin counts work that Idle waits for; done ends it. Callers hold s.mu.
func (s *Server) begin() {
	if s.pending == 0 {
		s.idle = make(chan struct{})
	}
	s.pending++
}

func (s *Server) done() {
	s.pending--
	if s.pending == 0 {
		close(s.idle)
	}
}

// Idle returns a channel closed when no analysis is scheduled or running
// (tests wait on it).
func (s *Server) Idle() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pending == 0 {
		c := make(chan struct{})
		close(c)
		return c
	}
	return s.idle
}

// analyse runs the project with the open buffers overlaid and publishes
// the diagnostics of every open document.
func (s *Server) analyse() {
	s.runMu.Lock()
	defer s.runMu.Unlock()
	s.mu.Lock()
	if s.cfgErr != nil || s.opts.Setup == nil {
		s.mu.Unlock()
		return
	}
	cfg, filter, root, reuse, gen := s.cfg, s.filter, s.root, s.reuse, s.cfgGen
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s.cancel = cancel
	cfg.WorkDir = root
	cfg.Sources = map[string][]byte{}
	paths := []string{root}
	docs := map[string]document{}
	for rel, d := range s.docs {
		cfg.Sources[rel] = []byte(d.text)
		docs[rel] = *d
		if p := uriPath(d.uri); filepath.IsAbs(filepath.FromSlash(rel)) || !onDisk(p) {
			paths = append(paths, p) // outside the root, or not on disk yet
		}
	}
	s.mu.Unlock()

	cfg.Trees, cfg.Reuse = s.trees, reuse
	s.trees.startRun()
	res, err := analyzer.Run(ctx, cfg, paths)
	s.mu.Lock()
	s.cancel = nil
	s.mu.Unlock()
	if errors.Is(err, context.Canceled) {
		return // a newer analysis replaces it
	}
	if err == nil {
		// Both caches drop what this run did not use: they hold about
		// one run's worth.
		s.trees.endRun()
		reuse.EndRun()
	}
	if err != nil {
		s.notify(protocol.ServerWindowLogMessage, protocol.LogMessageParams{Type: protocol.MessageTypeError, Message: "rubric: " + err.Error()})
		return
	}
	if filter != nil {
		filter(res)
	}
	s.mu.Lock()
	s.last, s.lastGen = res, gen
	s.mu.Unlock()
	rels := make([]string, 0, len(docs))
	for rel := range docs {
		rels = append(rels, rel)
	}
	sort.Strings(rels) // a stable order: clients and tests see the same sequence
	for _, rel := range rels {
		d := docs[rel]
		s.publish(d.uri, d.version, true, s.lspDiagnostics(res, rel))
	}
}

// publish sends a document's diagnostics unless it shows a newer answer
// already: one of a later version, or the whole analysis's answer for
// this version when this is a first answer. So an analysis that finishes
// after a newer change was answered never overwrites that answer.
func (s *Server) publish(uri protocol.DocumentUri, version protocol.Integer, whole bool, diags []protocol.Diagnostic) bool {
	s.pubMu.Lock()
	defer s.pubMu.Unlock()
	if a, ok := s.published[uri]; ok && (version < a.version || version == a.version && a.whole && !whole) {
		return false
	}
	s.published[uri] = answered{version: version, whole: whole}
	v := protocol.UInteger(max(version, 0))
	s.notify(protocol.ServerTextDocumentPublishDiagnostics, protocol.PublishDiagnosticsParams{URI: uri, Version: &v, Diagnostics: diags})
	return true
}

// forget drops what a document showed (closed, or opened again: its
// versions start again).
func (s *Server) forget(uri protocol.DocumentUri) {
	s.pubMu.Lock()
	delete(s.published, uri)
	s.pubMu.Unlock()
}

func (s *Server) lspDiagnostics(res *analyzer.Result, rel string) []protocol.Diagnostic {
	out := []protocol.Diagnostic{}
	for _, d := range res.Diagnostics {
		if d.Path == rel {
			out = append(out, s.lspDiagnostic(d))
		}
	}
	return out
}

func (s *Server) lspDiagnostic(d analyzer.Diagnostic) protocol.Diagnostic {
	sev := protocol.DiagnosticSeverityInformation
	switch d.Severity {
	case analyzer.Error:
		sev = protocol.DiagnosticSeverityError
	case analyzer.Warning:
		sev = protocol.DiagnosticSeverityWarning
	}
	msg := d.Message
	if d.Help != "" {
		msg += "\nhelp: " + d.Help
	}
	ld := protocol.Diagnostic{
		Range:    protocol.Range{Start: lspPos(d.Pos.Line, d.Pos.Column16), End: lspPos(d.EndPos.Line, d.EndPos.Column16)},
		Severity: &sev,
		Code:     &protocol.IntegerOrString{Value: d.Code},
		Source:   ptr("rubric"),
		Message:  msg,
	}
	if s.opts.DocURL != nil {
		if u := s.opts.DocURL(d.Code); u != "" {
			ld.CodeDescription = &protocol.CodeDescription{HRef: u}
		}
	}
	for _, r := range d.Related {
		ld.RelatedInformation = append(ld.RelatedInformation, protocol.DiagnosticRelatedInformation{
			Location: protocol.Location{URI: s.uriOf(r.Path), Range: protocol.Range{Start: lspPos(r.Pos.Line, r.Pos.Column16), End: lspPos(r.EndPos.Line, r.EndPos.Column16)}},
			Message:  r.Message,
		})
	}
	return ld
}

// uriOf turns a display path into a file URI.
func (s *Server) uriOf(rel string) protocol.DocumentUri {
	p := filepath.FromSlash(rel)
	if !filepath.IsAbs(p) {
		p = filepath.Join(s.root, p)
	}
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(p)}).String()
}

func uriPath(uri protocol.DocumentUri) string {
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "file" {
		return uri
	}
	return filepath.FromSlash(u.Path)
}

// lspPos converts rubric's 1-based line and UTF-16 column to LSP's 0-based
// position.
func lspPos(line, col16 int) protocol.Position {
	return protocol.Position{Line: protocol.UInteger(max(line-1, 0)), Character: protocol.UInteger(max(col16-1, 0))}
}

// offsetAt converts an LSP position (UTF-16 character) to a byte offset in
// text, clamped.
func offsetAt(text string, p protocol.Position) int {
	off := 0
	for line := protocol.UInteger(0); line < p.Line; line++ {
		i := strings.IndexByte(text[off:], '\n')
		if i < 0 {
			return len(text)
		}
		off += i + 1
	}
	units := protocol.UInteger(0)
	for i, r := range text[off:] {
		if units >= p.Character || r == '\n' {
			return off + i
		}
		units++
		if r >= 0x10000 {
			units++
		}
	}
	return len(text)
}

func ptr[T any](v T) *T { return &v }

// memTrees keeps parsed trees by content for the session, dropping those
// the last analysis did not use. An analysis that used none (a save that
// changed nothing: every finding was reused) drops none: the next one
// needs them.
type memTrees struct {
	mu   sync.Mutex
	m    map[[32]byte]*memTree
	gen  int
	hits int // trees found since startRun
}

// InMemory marks the cache as held in memory (analyzer.MemoryTrees): the
// reuse cache keeps no copy of the trees.
func (c *memTrees) InMemory() {}

type memTree struct {
	t   *pyast.Tree
	gen int
}

func (c *memTrees) startRun() {
	c.mu.Lock()
	c.gen++
	c.hits = 0
	c.mu.Unlock()
}

func (c *memTrees) endRun() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.hits == 0 {
		for _, e := range c.m {
			e.gen = c.gen
		}
		return
	}
	for k, e := range c.m {
		if e.gen != c.gen {
			delete(c.m, k)
		}
	}
}

func (c *memTrees) Get(src []byte) *pyast.Tree { return c.get(src, true) }

// get returns the tree of src, kept for the analysis running; whole says
// the lookup is that analysis's (a first answer's is not, and must not
// make an analysis that used no tree drop them all).
func (c *memTrees) get(src []byte, whole bool) *pyast.Tree {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.m[sha256.Sum256(src)]; e != nil {
		e.gen = c.gen
		if whole {
			c.hits++
		}
		return e.t
	}
	return nil
}

// answerTrees is the tree cache as first answers use it: their lookups
// do not count as the running analysis's.
type answerTrees struct{ *memTrees }

func (c answerTrees) Get(src []byte) *pyast.Tree { return c.get(src, false) }

func (c *memTrees) Put(src []byte, t *pyast.Tree) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[sha256.Sum256(src)] = &memTree{t: t, gen: c.gen}
}
