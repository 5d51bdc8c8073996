package lsp

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/tliron/glsp"
	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/source"
)

// current returns the last result and the document's analysed file when
// the result matches the buffer as it is now (else code actions would
// edit stale offsets).
func (s *Server) current(uri protocol.DocumentUri) (*analyzer.Result, *source.File, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rel := s.rel(uri)
	doc := s.docs[rel]
	if s.last == nil || doc == nil {
		return nil, nil, rel
	}
	f := s.last.Files[rel]
	if f == nil || string(f.Src()) != doc.text {
		return nil, nil, rel
	}
	return s.last, f, rel
}

// codeAction offers, for each finding in the range, its fix (safe fixes
// preferred; unsafe ones say so; display-only ones are not offered) and a
// `# noqa: CODE` comment for its line.
func (s *Server) codeAction(_ *glsp.Context, p *protocol.CodeActionParams) (any, error) {
	res, f, rel := s.current(p.TextDocument.URI)
	actions := []protocol.CodeAction{}
	if res == nil {
		return actions, nil
	}
	quickfix := protocol.CodeActionKindQuickFix
	for _, d := range res.Diagnostics {
		if d.Path != rel || !overlaps(p.Range, d) {
			continue
		}
		diag := s.lspDiagnostic(d)
		if len(d.Fixes) > 0 && d.Fixes[0].Applicability != analyzer.DisplayOnly {
			fx := d.Fixes[0]
			title := fmt.Sprintf("rubric: %s (%s)", fx.Message, d.Code)
			if fx.Applicability == analyzer.Unsafe {
				title += " [unsafe: review the change]"
			}
			if edit, ok := s.workspaceEdit(res, fx.Edits, rel); ok {
				actions = append(actions, protocol.CodeAction{Title: title, Kind: &quickfix, Diagnostics: []protocol.Diagnostic{diag},
					IsPreferred: ptr(fx.Applicability == analyzer.Safe), Edit: edit})
			}
		}
		if d.Code == analyzer.SyntaxError.Code {
			continue
		}
		actions = append(actions, protocol.CodeAction{
			Title: fmt.Sprintf("rubric: ignore %s on this line (# noqa)", d.Code), Kind: &quickfix,
			Diagnostics: []protocol.Diagnostic{diag},
			Edit:        &protocol.WorkspaceEdit{Changes: map[protocol.DocumentUri][]protocol.TextEdit{p.TextDocument.URI: {noqaEdit(res, f, d)}}},
		})
	}
	return actions, nil
}

// overlaps reports whether a diagnostic touches the requested lines.
func overlaps(r protocol.Range, d analyzer.Diagnostic) bool {
	first, last := protocol.UInteger(max(d.Pos.Line-1, 0)), protocol.UInteger(max(d.EndPos.Line-1, 0))
	return first <= r.End.Line && r.Start.Line <= last
}

// workspaceEdit converts byte-offset edits (in files of the last result)
// to LSP text edits by document.
func (s *Server) workspaceEdit(res *analyzer.Result, edits []analyzer.TextEdit, rel string) (*protocol.WorkspaceEdit, bool) {
	changes := map[protocol.DocumentUri][]protocol.TextEdit{}
	for _, e := range edits {
		path := e.Path
		if path == "" {
			path = rel
		}
		f := res.Files[path]
		if f == nil {
			return nil, false
		}
		start, end := f.Position(e.Start), f.Position(e.End)
		changes[s.uriOf(path)] = append(changes[s.uriOf(path)], protocol.TextEdit{
			Range:   protocol.Range{Start: lspPos(start.Line, start.Column16), End: lspPos(end.Line, end.Column16)},
			NewText: e.NewText,
		})
	}
	return &protocol.WorkspaceEdit{Changes: changes}, true
}

var noqaCodesRe = regexp.MustCompile(`(?i)#\s*noqa:\s*[A-Za-z]+[0-9]*(?:\s*,\s*[A-Za-z]+[0-9]*)*`)

// noqaEdit adds code to the `# noqa:` comment of the diagnostic's line, or
// appends `  # noqa: CODE` to the line.
func noqaEdit(res *analyzer.Result, f *source.File, d analyzer.Diagnostic) protocol.TextEdit {
	line := d.Pos.Line
	start := f.LineStart(line)
	text := f.Line(line)
	end := start + len(text)
	if set := res.Suppressions[d.Path]; set != nil {
		for _, dir := range set.Directives {
			if dir.Kind != "noqa" || dir.Tool != "" || dir.CommentL != line || len(dir.Codes) == 0 {
				continue
			}
			if m := noqaCodesRe.FindIndex(f.Src()[dir.At:dir.End]); m != nil && m[0] == 0 {
				at := f.Position(dir.At + m[1])
				return protocol.TextEdit{Range: protocol.Range{Start: lspPos(at.Line, at.Column16), End: lspPos(at.Line, at.Column16)}, NewText: ", " + d.Code}
			}
		}
	}
	at := f.Position(end)
	return protocol.TextEdit{Range: protocol.Range{Start: lspPos(at.Line, at.Column16), End: lspPos(at.Line, at.Column16)}, NewText: "  # noqa: " + d.Code}
}

// codeWordRe finds rule codes, for hovering over `# noqa: ERR001`.
var codeWordRe = regexp.MustCompile(`\b[A-Z]{3}[0-9]{3}\b`)

// hover shows the documentation of the rules whose findings are under
// the cursor, or of the rule code under it.
func (s *Server) hover(_ *glsp.Context, p *protocol.HoverParams) (*protocol.Hover, error) {
	s.mu.Lock()
	registry := s.cfg.Registry
	if registry == nil {
		registry = s.cfg.Rules
	}
	doc := s.docs[s.rel(p.TextDocument.URI)]
	s.mu.Unlock()
	byCode := map[string]*analyzer.Rule{}
	for _, r := range registry {
		byCode[r.Code] = r
	}
	var codes []string
	seen := map[string]bool{}
	add := func(c string) {
		if byCode[c] != nil && !seen[c] {
			seen[c] = true
			codes = append(codes, c)
		}
	}
	if res, _, rel := s.current(p.TextDocument.URI); res != nil {
		for _, d := range res.Diagnostics {
			if d.Path == rel && contains(d, p.Position) {
				add(d.Code)
			}
		}
	}
	if len(codes) == 0 && doc != nil {
		off := offsetAt(doc.text, p.Position)
		lineStart := strings.LastIndexByte(doc.text[:off], '\n') + 1
		lineEnd := strings.IndexByte(doc.text[off:], '\n')
		if lineEnd < 0 {
			lineEnd = len(doc.text) - off
		}
		line := doc.text[lineStart : off+lineEnd]
		for _, m := range codeWordRe.FindAllStringIndex(line, -1) {
			if lineStart+m[0] <= off && off <= lineStart+m[1] {
				add(line[m[0]:m[1]])
			}
		}
	}
	if len(codes) == 0 {
		return nil, nil
	}
	sort.Strings(codes)
	var parts []string
	for _, c := range codes {
		r := byCode[c]
		parts = append(parts, fmt.Sprintf("**%s** `%s`\n\n%s", r.Code, r.Name, analyzer.RenderMarkdown(r)))
	}
	return &protocol.Hover{Contents: protocol.MarkupContent{Kind: protocol.MarkupKindMarkdown, Value: strings.Join(parts, "\n\n---\n\n")}}, nil
}

// contains reports whether an LSP position falls in a diagnostic's range.
func contains(d analyzer.Diagnostic, p protocol.Position) bool {
	start, end := lspPos(d.Pos.Line, d.Pos.Column16), lspPos(d.EndPos.Line, d.EndPos.Column16)
	after := p.Line > start.Line || (p.Line == start.Line && p.Character >= start.Character)
	before := p.Line < end.Line || (p.Line == end.Line && p.Character <= end.Character)
	return after && before
}
