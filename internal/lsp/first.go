package lsp

import (
	"bytes"
	"context"
	"sort"

	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/source"
)

// firstAnswer publishes at once, for a changed document, what can be
// known without analysing the whole project again (analyzer.RunFile): the
// findings of the rules that read only their own file and the project
// index, computed as the whole analysis computes them, and the last
// analysis's findings of the other rules on the document, kept where the
// change did not touch their lines (moved by the lines it added or
// removed). The whole analysis scheduled with it replaces this answer when
// it completes. A first answer is given only when a whole analysis under
// the current configuration has seen the file.
func (s *Server) firstAnswer(uri protocol.DocumentUri, version protocol.Integer, text string) {
	s.mu.Lock()
	if s.shutdown {
		s.mu.Unlock()
		return
	}
	s.begin()
	s.mu.Unlock()
	go func() {
		defer func() {
			s.mu.Lock()
			s.done()
			s.mu.Unlock()
		}()
		s.firstMu.Lock()
		defer s.firstMu.Unlock()
		s.mu.Lock()
		rel := s.rel(uri)
		doc, prev := s.docs[rel], s.last
		current := doc != nil && doc.version == version && doc.text == text
		ok := current && prev != nil && s.cfgErr == nil && s.opts.Setup != nil && s.lastGen == s.cfgGen
		cfg, filter := s.cfg, s.filter
		cfg.WorkDir, cfg.Trees = s.root, answerTrees{s.trees}
		s.mu.Unlock()
		if !ok {
			return // superseded by a newer change, or nothing kept to answer against
		}
		diags, ok := s.answerFile(cfg, filter, prev, rel, []byte(text))
		if ok {
			s.publish(uri, version, false, diags)
		}
	}()
}

// answerFile computes a first answer for the file rel, now src, against
// the last whole analysis prev.
func (s *Server) answerFile(cfg analyzer.Config, filter func(*analyzer.Result), prev *analyzer.Result, rel string, src []byte) ([]protocol.Diagnostic, bool) {
	ans, err := analyzer.RunFile(context.Background(), cfg, prev, rel, src)
	if err != nil || ans.File == nil || prev.Files[rel] == nil {
		return nil, false
	}
	fresh := &analyzer.Result{Diagnostics: ans.Diagnostics, Files: map[string]*source.File{rel: ans.File}}
	if filter != nil {
		filter(fresh) // per-file ignores
	}
	out := []protocol.Diagnostic{}
	for _, d := range fresh.Diagnostics {
		out = append(out, s.lspDiagnostic(d))
	}
	ch := changedLines(prev.Files[rel].Src(), ans.File.Src())
	for _, d := range prev.Diagnostics {
		if d.Path != rel || ans.Fresh(d.Code) {
			continue
		}
		if kept, ok := ch.move(d); ok {
			out = append(out, s.lspDiagnostic(kept))
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Range.Start, out[j].Range.Start
		return a.Line < b.Line || a.Line == b.Line && a.Character < b.Character
	})
	return out, true
}

// lineChange is where two versions of a text differ, by whole lines: the
// first before lines (1-based) and the last after lines are the same in
// both; the rest of the old version became the rest of the new one.
type lineChange struct {
	before, after int
	oldLines      int
	delta         int // lines added (negative: removed)
}

func changedLines(old, new []byte) lineChange {
	a, b := bytes.Split(old, []byte("\n")), bytes.Split(new, []byte("\n"))
	n := min(len(a), len(b))
	pre := 0
	for pre < n && bytes.Equal(a[pre], b[pre]) {
		pre++
	}
	suf := 0
	for suf < n-pre && bytes.Equal(a[len(a)-1-suf], b[len(b)-1-suf]) {
		suf++
	}
	return lineChange{before: pre, after: suf, oldLines: len(a), delta: len(b) - len(a)}
}

// move returns d as it stands in the new version, or false when the change
// touched one of its lines. Related locations in the file move with it.
func (c lineChange) move(d analyzer.Diagnostic) (analyzer.Diagnostic, bool) {
	firstAfter := c.oldLines - c.after + 1 // the first line of the unchanged end
	at := func(line int) (int, bool) {
		switch {
		case line <= c.before:
			return line, true
		case line >= firstAfter:
			return line + c.delta, true
		}
		return line, false
	}
	start, ok1 := at(d.Pos.Line)
	end, ok2 := at(d.EndPos.Line)
	if !ok1 || !ok2 || (d.Pos.Line <= c.before) != (d.EndPos.Line <= c.before) {
		return d, false
	}
	d.Pos.Line, d.EndPos.Line = start, end
	if len(d.Related) > 0 {
		rel := append([]analyzer.Related(nil), d.Related...)
		for i := range rel {
			if rel[i].Path != d.Path {
				continue
			}
			if l, ok := at(rel[i].Pos.Line); ok {
				rel[i].Pos.Line = l
			}
			if l, ok := at(rel[i].EndPos.Line); ok {
				rel[i].EndPos.Line = l
			}
		}
		d.Related = rel
	}
	return d, true
}
