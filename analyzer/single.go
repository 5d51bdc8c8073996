package analyzer

import (
	"bytes"
	"context"
	"errors"
	"time"

	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/source"
	"github.com/rubric-dev/rubric/analyzer/suppress"
)

// Answering one file at once, against a run that was kept.
//
// An editor wants the findings of the buffer being typed in at once, and a
// whole run takes as long as the rules that read every file's tree (the
// semantic model) take. The rules that declare no shared analysis read
// only their own file and the project index (see reuse.go, whose keys rest
// on the same contract), and the index is built from every file's facts
// alone. So one file's findings from those rules are computed exactly as a
// run of the whole project with that file changed computes them, given
// the facts of the other files, which the last run kept: the edited file
// is read and parsed, its facts extracted; when they are the facts the
// last run had (and its imports too), the last run's index is the index;
// otherwise the index is rebuilt from the kept facts with the file's new
// ones. Then its own-file rules run, and suppression comments, severity
// overrides and positions apply as in Run.
//
// What waits for the whole run: the findings of rules that require a
// shared analysis, of project rules, unused suppressions (RUB002, which
// need every finding on the file), and every finding on the other files
// (an edit that changes the file's facts may change theirs).

// ErrNotKept is returned by RunFile for a file the kept run did not parse
// (new, or unreadable then): its findings wait for the next run.
var ErrNotKept = errors.New("file not in the kept run")

// FileAnswer is one file's findings from its own-file rules (RunFile).
type FileAnswer struct {
	// Diagnostics are the file's findings from the rules Fresh names,
	// suppressed, positioned and sorted as Run leaves them.
	Diagnostics []Diagnostic
	// File is the file as read (positions in Diagnostics are in it).
	File *source.File
	// Rebuilt says the file's facts differ from the kept run's, so the
	// index was rebuilt: the findings on other files may change too.
	Rebuilt bool
	fresh   map[string]bool
}

// Fresh reports whether the answer holds code's findings on the file:
// the rules that read their own file and the index, syntax errors and
// unreadable files (SYN), unknown codes in suppression comments (RUB003)
// and internal errors. Other codes' findings wait for a whole run.
func (a *FileAnswer) Fresh(code string) bool { return a.fresh[code] }

// OwnFileRule reports whether a rule's findings on a file depend only on
// that file and the project index: a file rule that requires no shared
// analysis. RunFile answers these.
func OwnFileRule(r *Rule) bool { return r.Run != nil && !globalRule(r) }

// RunFile returns the findings on the file rel, with content src, from
// the rules of cfg that read only their own file and the project index,
// as a run of cfg over the project prev came from, with rel changed to
// src, would find them. prev must be the result of Run with cfg (the same
// rules, options and WorkDir), unfiltered; it is only read, so RunFile may
// run beside another Run. cfg.Trees, when set, serves and keeps the tree.
func RunFile(ctx context.Context, cfg Config, prev *Result, rel string, src []byte) (*FileAnswer, error) {
	if prev == nil || prev.Index == nil {
		return nil, ErrNotKept
	}
	old := prev.Index.ByPath[rel]
	if old == nil {
		return nil, ErrNotKept
	}
	if cfg.ParseTimeout == 0 {
		cfg.ParseTimeout = time.Minute
	}
	cfg.Sources = map[string][]byte{rel: src}
	cfg.SourceSums = nil
	enabled := map[string]bool{}
	var local []*Rule
	for _, r := range cfg.Rules {
		enabled[r.Code] = true
		if OwnFileRule(r) {
			local = append(local, r)
		}
	}
	ans := &FileAnswer{fresh: map[string]bool{SyntaxError.Code: true, UnreadableFile.Code: true, UnknownSuppression.Code: true, InternalError.Code: true}}
	for _, r := range local {
		ans.fresh[r.Code] = true
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	p := pyast.NewParser()
	defer p.Close()
	st := load(ctx, cfg, p, Input{Path: old.File.Path, Rel: rel, RootRel: old.RootRel}, enabled, nil)
	ans.File = st.file
	if st.unit != nil {
		ix, rebuilt, err := indexWith(cfg, prev, st)
		if err != nil {
			return nil, err
		}
		ans.Rebuilt = rebuilt
		var run []*Rule // those of the project's frameworks (Rule.Stack)
		for _, r := range local {
			if r.runsOn(ix) {
				run = append(run, r)
			}
		}
		found, _ := runFileRules(cfg, ix, st, run, enabled)
		st.diags = append(st.diags, found.in(run)...)
	}

	// Suppressions, severity overrides, positions: as Run does them.
	files := map[string]*source.File{}
	if st.file != nil {
		files[rel] = st.file
	}
	var supp *suppress.Set
	if st.unit != nil {
		supp = st.supp
		supp.Foreign = !cfg.IgnoreForeignNoqa
	}
	var kept []Diagnostic
	for _, d := range st.diags {
		if d.Path != rel {
			continue // another file's: the whole run reports it there
		}
		if finish(cfg, &d, files, supp) {
			continue
		}
		kept = append(kept, d)
	}
	if supp != nil && enabled[UnknownSuppression.Code] {
		// Unknown codes only: whether a code is unused depends on the
		// findings of every rule.
		only := map[string]bool{UnknownSuppression.Code: true}
		res := &Result{Files: files, Suppressions: map[string]*suppress.Set{rel: supp}}
		for _, d := range judgeSuppressions(cfg, res, nil, only) {
			resolvePositions(&d, files)
			if sev, ok := cfg.Severity[d.Code]; ok {
				d.Severity = sev
			}
			kept = append(kept, d)
		}
	}
	ans.Diagnostics = SortDiagnostics(kept)
	return ans, nil
}

// indexWith returns the index a run would build with st's file as it now
// is: the kept run's index when the file's facts and imports are the ones
// it was built from, else one rebuilt from the kept facts with st's.
func indexWith(cfg Config, prev *Result, st *fileState) (*project.Index, bool, error) {
	at := -1
	for i, f := range prev.facts {
		if f.Unit.File.Rel == st.in.Rel {
			at = i
			break
		}
	}
	if at >= 0 && sameFacts(prev.facts[at], st.facts) {
		return prev.Index, false, nil
	}
	facts := make([]*project.Facts, 0, len(prev.facts)+1)
	for i, f := range prev.facts {
		if i != at {
			facts = append(facts, f)
		} else if st.facts != nil {
			facts = append(facts, st.facts)
		}
	}
	if at < 0 && st.facts != nil {
		// The kept run had no facts of the file (their extraction failed):
		// insert them in path order.
		i := 0
		for i < len(facts) && facts[i].Unit.File.Rel < st.in.Rel {
			i++
		}
		facts = append(facts[:i], append([]*project.Facts{st.facts}, facts[i:]...)...)
	}
	ix, err := buildIndex(cfg, facts)
	return ix, true, err
}

// sameFacts reports whether two versions of a file's facts (and imports)
// build the same index: the comparison the reuse keys make (reuse.go,
// digests), on the serialised forms.
func sameFacts(a, b *project.Facts) bool {
	if a == nil || b == nil {
		return a == b
	}
	ab, err1 := factsBytes(a)
	bb, err2 := factsBytes(b)
	if err1 != nil || err2 != nil || !bytes.Equal(ab, bb) {
		return false
	}
	ai, err1 := a.Unit.Imports.MarshalBinary()
	bi, err2 := b.Unit.Imports.MarshalBinary()
	return err1 == nil && err2 == nil && bytes.Equal(ai, bi)
}
