package analyzer

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/analyzer/source"
	"github.com/rubric-dev/rubric/analyzer/suppress"
	"github.com/rubric-dev/rubric/internal/safeio"
)

// Config drives one run.
type Config struct {
	// Rules to run. Built-in rules (SYN, RUB) in the list enable the
	// driver's own diagnostics; leave them out to silence those.
	Rules       []*Rule
	Jobs        int   // worker count; <= 0 means GOMAXPROCS
	MaxFileSize int64 // bytes; <= 0 means source.DefaultMaxSize
	// WorkDir is the directory display paths are relative to; "" means the
	// current directory.
	WorkDir string
	// Exclude rejects paths (display path, is-directory) during the walk.
	Exclude func(rel string, dir bool) bool
	// Options holds configured rule options: code -> option -> value.
	Options map[string]map[string]any
	// Severity overrides default severities by code.
	Severity map[string]Severity
	// AllowBareNoqa lets "# noqa" without codes suppress everything.
	AllowBareNoqa bool
	// IgnoreForeignNoqa stops other tools' codes for the same findings
	// (`# noqa: E722`, `# nosec B113`) from suppressing rubric's.
	IgnoreForeignNoqa bool
	// ParseOnly stops after parsing and indexing (benchmarks, `rubric models`).
	ParseOnly bool
	// DropTestTrees runs the rules on test modules first, before the
	// shared analyses are built, and then drops those modules' trees (test
	// modules are outside the semantic model): a project whose tests are
	// most of its code (two thirds of saleor's) holds a third of the trees
	// through the rest of the run. A tree read after that is parsed again
	// (pyast.Tree.Unload), so results do not change; callers that read
	// every tree after Run (the checklist) leave it off.
	DropTestTrees bool
	// GC, when set, is the collector's target (debug.SetGCPercent) in each
	// phase; the caller's is restored when the run ends. See GCPhases.
	GC *GCPhases
	// ParseTimeout is the wall-clock backstop of one file's parse; 0 means
	// one minute. The parse is bounded by work first (pyast.WorkLimit), an
	// answer that depends only on the file; a parse stopped by this
	// backstop depends on the machine's load, and Result.ParseTimeouts
	// counts it so that such a result is never cached.
	ParseTimeout time.Duration
	// Trees, when set, caches parsed trees by file content: a re-run
	// parses only the files that changed (the fix rounds' tree cache), or
	// hands over trees parsed ahead (PrefetchTrees).
	Trees TreeCache
	// Sources, when set, holds the bytes of files the caller has already
	// read (by display path), so that they are not read twice.
	Sources map[string][]byte
	// SourceSums, when set, holds the SHA-256 of some of Sources, so that
	// reuse (Reuse) need not hash them again.
	SourceSums map[string][32]byte
	// KeptSources, when set, stands for Sources for the files it holds
	// (by display path): bytes the caller can hand over on demand, whose
	// SHA-256 SourceSums holds. With Reuse, a file whose phase one is
	// reused then has its bytes read only if something reads them (its
	// rules run again, a finding points into it): an edit run on saleor
	// read 28 MB of sources to use a few.
	KeptSources map[string]KeptSource
	// Reuse, when set, keeps each file's phase one and its rules' findings
	// between runs, so that a run after an edit parses and re-checks only
	// what the edit can affect (see reuse.go). ReuseKey must identify
	// everything else findings depend on: rubric's build and the
	// configuration.
	Reuse    ReuseCache
	ReuseKey string
	// ReuseExtra, when set, digests what the rules read besides the
	// analysed files (the Django templates next to them): findings that may
	// depend on any file's content are kept under it too.
	ReuseExtra func(inputs []Input) string
	// Outside, when set, is what the dependency files at the analysed
	// tree's root declare, as the caller read them for its cache key
	// (project.Index.UseOutside); the run then reads them no more.
	Outside *project.Outside
	// Isolated makes discovery read no .gitignore (see DiscoverIsolated):
	// the analysed tree's own files do not decide what is analysed.
	Isolated bool
	// Inputs, when set, are analysed instead of discovering the paths:
	// a caller that listed and read the tree (the result cache) has the
	// run analyse exactly that snapshot. An input with Err set is reported
	// unreadable without being opened.
	Inputs []Input
	// Registry is every rule rubric knows, used to judge the codes named
	// in suppression comments (RUB002, RUB003); nil means Rules.
	Registry []*Rule
	// SrcRoots are directories (relative to WorkDir or absolute) that
	// module names are resolved from, like a Python path entry: a file
	// under src/shop/views.py with root "src" is module "shop.views". The
	// deepest root containing a file wins; files under none keep the
	// module name from the analysed path.
	SrcRoots []string
}

// TreeCache stores parsed trees keyed by the file's bytes (see
// analyzer/treecache). Implementations must be safe for concurrent use.
type TreeCache interface {
	Get(src []byte) *pyast.Tree
	Put(src []byte, t *pyast.Tree)
}

// Stats describes what a run read.
type Stats struct {
	Files        int   // Python files analysed
	Lines        int   // their lines
	Bytes        int64 // their size
	Unreadable   int   // paths that could not be analysed
	SyntaxErrors int   // files with a syntax error
	Suppressed   int   // diagnostics silenced by comments
	// MigrationsNotJudged counts the migrations the deploy-safety rules
	// (MIG001-MIG006) treat as already released; NotJudgedReason says why.
	MigrationsNotJudged int    `json:",omitempty"`
	NotJudgedReason     string `json:",omitempty"`
}

// Result is the outcome of a run, everything the printers need.
type Result struct {
	Diagnostics  []Diagnostic            // sorted by path, position, code, message
	Files        map[string]*source.File // by display path, for code frames
	Index        *project.Index
	Rules        []*Rule // the rules that ran
	Suppressions map[string]*suppress.Set
	Stats        Stats
	// ParseTimeouts counts files whose parse the wall-clock backstop
	// stopped: the result depends on the machine's load, so it must not
	// be cached.
	ParseTimeouts int
	// Suppressed are the diagnostics that suppression comments silenced,
	// kept aside (sorted) with the directive that silenced each: the
	// reviewer's checklist does not let a candidate's comments hide
	// findings, and lists what they would hide.
	Suppressed []SuppressedDiagnostic
	// Scopes are the function and class definitions of the files with a
	// finding (FindingScopes), set when the result is read back without
	// its index: Aggregate groups the findings by them.
	Scopes map[string][]Scope

	// facts are every parsed file's, in path order: what the index was
	// built from, kept for answering one file at once (RunFile).
	facts []*project.Facts
}

// SuppressedDiagnostic is a diagnostic a suppression comment silenced.
type SuppressedDiagnostic struct {
	Diagnostic
	By *suppress.Directive
}

type fileState struct {
	in       Input
	file     *source.File
	unit     *project.Unit
	facts    *project.Facts
	diags    []Diagnostic
	python2  bool // parsed, but with Python 2 syntax (SYN001)
	timedOut bool // the parse's wall-clock backstop fired
	// supp are the file's suppression comments; hasError says whether its
	// tree has an error (both read in phase one, so that a reused file's
	// tree need not be loaded).
	supp     *suppress.Set
	hasError bool
	// sum is the content hash, when reusing.
	sum      [32]byte
	indexSum [32]byte // see indexSum
	reused   bool     // phase one's record was reused (not parsed)
}

// Run analyses the paths: walk, then phase one (read, parse and extract
// facts, in parallel), build the index, then phase two (rules, in parallel
// per file; project rules once), then suppressions and sorting. The result
// is the same whatever the worker count.
func Run(ctx context.Context, cfg Config, paths []string) (*Result, error) {
	if cfg.WorkDir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, fmt.Errorf("working directory: %w", err)
		}
		cfg.WorkDir = wd
	}
	jobs := cfg.Jobs
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	if cfg.ParseTimeout == 0 {
		cfg.ParseTimeout = time.Minute
	}
	enabled := map[string]bool{}
	for _, r := range cfg.Rules {
		enabled[r.Code] = true
	}

	trace := newTracer()
	reuse := newReuser(cfg)
	inputs := append([]Input(nil), ListInputs(cfg, paths)...) // applySrcRoots rewrites them
	trace.mark("discover")
	applySrcRoots(inputs, cfg.WorkDir, cfg.SrcRoots)
	states := make([]*fileState, len(inputs))
	parsers := make(chan *pyast.Parser, jobs)
	for i := 0; i < jobs; i++ {
		parsers <- pyast.NewParser()
	}
	defer func() {
		close(parsers)
		for p := range parsers {
			p.Close()
		}
	}()

	// Phase one. A run that takes nearly every file's source from the
	// reuse cache is an edit run (see editRun below): its phase one decodes
	// records that stay live, over a heap of a few megabytes.
	if cfg.GC != nil {
		load := cfg.GC.Load
		if reuse != nil && fewFiles(len(inputs)-len(cfg.KeptSources), len(inputs)) {
			load = max(load, cfg.GC.EditLoad)
		}
		defer debug.SetGCPercent(debug.SetGCPercent(load))
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(jobs)
	for i, in := range inputs {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			p := <-parsers
			defer func() { parsers <- p }()
			states[i] = load(gctx, cfg, p, in, enabled, reuse)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}

	var facts []*project.Facts
	res := &Result{Files: make(map[string]*source.File, len(states)), Rules: cfg.Rules, Suppressions: map[string]*suppress.Set{}}
	for _, st := range states {
		if st.file != nil {
			res.Files[st.file.Rel] = st.file
		}
		if st.timedOut {
			res.ParseTimeouts++
		}
		if st.unit == nil {
			res.Stats.Unreadable++
			continue
		}
		res.Stats.Files++
		res.Stats.Lines += st.file.LineCount()
		res.Stats.Bytes += int64(st.file.Size())
		if st.hasError || st.python2 {
			res.Stats.SyntaxErrors++
		}
		if st.facts != nil {
			facts = append(facts, st.facts)
		}
	}
	trace.mark("phase 1: read, parse, extract facts")
	// The parsers are done with: their arenas, and what the C allocator
	// kept, go back to the system rather than stay resident.
	for range jobs {
		p := <-parsers
		p.Close()
		parsers <- p
	}
	pyast.ReleaseCMemory()
	// A first run's records are written out now rather than held through
	// the rules (ReuseFlusher); the trees and sources they point at stay
	// as long as the run reads them.
	if f, ok := cfg.Reuse.(ReuseFlusher); ok {
		f.FlushEarly()
	}
	// An edit run (nearly every file's phase one reused) keeps phase one's
	// target through the index and the lookups: its heap is records and
	// facts, which stay live, and a lower target set now collected at once
	// a heap that was still growing. The target is set once the lookups
	// say how much is left to run (setCheckTarget).
	editRun := reuse != nil && !cfg.ParseOnly && fewFiles(countStates(states, func(st *fileState) bool { return st.unit != nil && !st.reused }), len(states))
	setCheckTarget := func(rest string) {
		if cfg.GC == nil {
			return
		}
		target := cfg.GC.checkTarget()
		if rest != "" {
			target = max(cfg.GC.Load, cfg.GC.EditLoad)
		}
		debug.SetGCPercent(target)
		if trace.on {
			fmt.Fprintf(os.Stderr, "rubric: collector target%s: %d%%\n", rest, target)
		}
	}
	if !editRun {
		setCheckTarget("")
	}
	res.facts = facts
	var err error
	if res.Index, err = buildIndex(cfg, facts); err != nil {
		return nil, err
	}
	res.Stats.MigrationsNotJudged, res.Stats.NotJudgedReason = res.Index.Migrations.NotJudged()
	trace.mark("index")

	// The rules about a framework the project never imports have nothing
	// to find (Rule.Stack): they are left out here, with the analyses only
	// they require. The stack is read from the facts, which every key of
	// the rules' kept findings covers (see reuse.go).
	var applicable, fileRules, projectRules []*Rule
	for _, r := range cfg.Rules {
		if !r.runsOn(res.Index) {
			continue
		}
		applicable = append(applicable, r)
		if r.Run != nil {
			fileRules = append(fileRules, r)
		}
		if r.RunProject != nil {
			projectRules = append(projectRules, r)
		}
	}
	trace.mark(fmt.Sprintf("framework gate: %d of %d rules run", len(applicable), len(cfg.Rules)))
	// With reuse, the findings kept for each file (and for the project
	// rules) are looked up first: only what is missing runs below.
	var plan *reusePlan
	if reuse != nil && !cfg.ParseOnly {
		plan = reuse.plan(res.Index, states, fileRules, projectRules)
		trace.mark("reuse: look up findings")
	}
	if editRun {
		// Rules left to run on a few files make little garbage over a heap
		// of live records: phase one's target holds to the end.
		if n := plan.filesToRun(); fewFiles(n, len(states)) {
			setCheckTarget(fmt.Sprintf(" for rules on %d files", n))
		} else {
			setCheckTarget("")
		}
	}
	// Phase two: the file rules, on the files of sts in parallel.
	phaseTwo := func(sts []*fileState) error {
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(jobs)
		for _, st := range sts {
			g.Go(func() error {
				if err := gctx.Err(); err != nil {
					return err
				}
				if plan != nil {
					plan.runFile(cfg, res.Index, st, fileRules, enabled)
				} else {
					found, _ := runFileRules(cfg, res.Index, st, fileRules, enabled)
					st.diags = append(st.diags, found.in(fileRules)...)
				}
				return nil
			})
		}
		return g.Wait()
	}
	var tests, rest []*fileState
	for _, st := range states {
		switch {
		case st.unit == nil:
		case cfg.DropTestTrees && !sharesTrees(cfg.Trees) && semantic.RolesOf(st.unit).Any(semantic.Test):
			tests = append(tests, st)
		default:
			rest = append(rest, st)
		}
	}
	if !cfg.ParseOnly && len(tests) > 0 {
		// Test modules first (a rule that needs a shared analysis there
		// builds it on first need), then their trees go: nothing below
		// should read them, and what does parses again.
		if err := phaseTwo(tests); err != nil {
			return nil, err
		}
		for _, st := range tests {
			if len(st.diags) > 0 {
				functionSpansOf.Get(st.unit, res.Index) // Aggregate groups the findings by function
			}
			src := st.file.Src()
			st.unit.Tree.Unload(func() (*pyast.Tree, error) {
				// Parsed afresh, never taken from cfg.Trees: a cache that
				// hands out trees by content may hand back this one.
				p := pyast.NewParser()
				defer p.Close()
				return safeParse(cfg.ParseTimeout, p, src)
			})
		}
		if f, ok := cfg.Reuse.(ReuseFlusher); ok {
			f.FlushEarly()
		}
		trace.mark(fmt.Sprintf("phase 2: file rules on %d test modules, their trees dropped", len(tests)))
	}
	if !cfg.ParseOnly {
		// Shared project analyses (the semantic model...) are built once,
		// here, rather than inside whichever rule asks first.
		// They run side by side (each is built once, whoever asks first:
		// the semantic model under the first, the others waiting on it).
		built := map[project.Analysis]bool{}
		var order []project.Analysis
		for _, r := range applicable {
			for _, a := range r.Requires {
				if !built[a] && plan.needs(a) {
					built[a] = true
					order = append(order, a)
				}
			}
		}
		var g errgroup.Group
		g.SetLimit(jobs)
		for _, a := range order {
			g.Go(func() error { prebuild(res.Index, a); return nil })
		}
		_ = g.Wait()
		trace.mark(fmt.Sprintf("%d shared analyses, built side by side", len(order)))
	}
	if !cfg.ParseOnly {
		if err := phaseTwo(rest); err != nil {
			return nil, err
		}
	}

	trace.mark("phase 2: file rules")
	var all []Diagnostic
	for _, st := range states {
		all = append(all, st.diags...)
	}
	if !cfg.ParseOnly {
		found := ruleDiags{}
		for _, r := range projectRules {
			if diags, ok := plan.projectFindings(r); ok {
				found[r.Code] = diags
				all = append(all, diags...)
				continue
			}
			found[r.Code] = runProjectRule(cfg, res.Index, r, enabled)
			all = append(all, found[r.Code]...)
			trace.mark("project rule " + r.Code)
		}
		plan.storeProjectFindings(found)
		trace.mark("project rules")
	}

	// Suppressions, severity overrides, positions.
	for _, st := range states {
		if st.unit != nil {
			st.supp.Foreign = !cfg.IgnoreForeignNoqa
			res.Suppressions[st.file.Rel] = st.supp
		}
	}
	kept := all[:0]
	for _, d := range all {
		s := res.Suppressions[d.Path]
		if finish(cfg, &d, res.Files, s) {
			res.Stats.Suppressed++
			res.Suppressed = append(res.Suppressed, SuppressedDiagnostic{Diagnostic: d, By: directiveFor(s, d)})
			continue
		}
		kept = append(kept, d)
	}
	if enabled[UnusedSuppression.Code] || enabled[UnknownSuppression.Code] {
		broken := map[string]bool{}
		for _, st := range states {
			if st.unit != nil && st.hasError {
				broken[st.file.Rel] = true
			}
		}
		for _, d := range judgeSuppressions(cfg, res, broken, enabled) {
			resolvePositions(&d, res.Files)
			if sev, ok := cfg.Severity[d.Code]; ok {
				d.Severity = sev
			}
			kept = append(kept, d)
		}
	}
	res.Diagnostics = SortDiagnostics(kept)
	sortSuppressed(res.Suppressed)
	trace.mark("suppressions, positions, sorting")
	if trace.on && len(tests) > 0 {
		fmt.Fprintf(os.Stderr, "rubric: dropped test trees parsed again during the run: %d of %d\n", pyast.Reloads.Load(), len(tests))
	}
	return res, nil
}

// sharesTrees reports a tree cache that keeps trees in memory and hands
// the same tree to every file of the same content (the editor server's,
// the fix rounds'): a tree dropped there would be dropped for all of them,
// and the cache holds it anyway, so DropTestTrees does not apply.
func sharesTrees(c TreeCache) bool {
	_, mem := c.(MemoryTrees)
	_, shares := c.(interface{ SharesTrees() })
	return mem || shares
}

// finish positions d in files (when its file is not among them, at the
// position its rule gave, as for a dotenv file, or else at line 1),
// applies the configured severity, and reports whether supp, the
// suppressions of d's file, silences it.
func finish(cfg Config, d *Diagnostic, files map[string]*source.File, supp *suppress.Set) (suppressed bool) {
	if files[d.Path] != nil {
		resolvePositions(d, files)
		suppressed = supp != nil && d.Code != InternalError.Code && supp.Suppressed(d.Code, d.Pos.Line, cfg.AllowBareNoqa)
	} else {
		if d.Pos.Line == 0 {
			d.Pos = source.Position{Line: 1, Column: 1, Column16: 1}
			d.EndPos = d.Pos
		}
		// Its related locations may be source files all the same.
		resolvePositions(d, files)
	}
	if sev, ok := cfg.Severity[d.Code]; ok {
		d.Severity = sev
	}
	return suppressed
}

// buildIndex builds the index of a run from its facts (in path order),
// with the migrations the deploy-safety rules judge selected.
func buildIndex(cfg Config, facts []*project.Facts) (*project.Index, error) {
	ix := project.Build(facts)
	ix.UseOutside(cfg.Outside)
	// The project analyses read no test module: product code never
	// imports one, and an edit to one then leaves them as they were.
	ix.KeepForAnalyses(func(u *project.Unit) bool { return !semantic.RolesOf(u).Any(semantic.Test) })
	if rev := releasedRevision(cfg); rev != "" {
		names, err := ix.Migrations.ReleasedAtRevision(ix.Units, rev)
		if err != nil {
			return nil, err
		}
		ix.Migrations.SelectExactReleased(names, "the migrations present at "+rev+" (option `released-revision`)")
	} else {
		ix.Migrations.SelectReleased(releasedOption(cfg))
	}
	return ix, nil
}

// ListInputs returns what a run of cfg over paths analyses: cfg.Inputs
// when set, else the files discovered under cfg's rules (Exclude,
// Isolated). cfg.WorkDir must be set.
func ListInputs(cfg Config, paths []string) []Input {
	return ListInputsNotify(cfg, paths, nil)
}

// ListInputsNotify is ListInputs that calls found with each input as the
// listing meets it (in no set order, from the calling goroutine), so
// that the caller can start on it before the listing ends. found may be
// nil.
func ListInputsNotify(cfg Config, paths []string, found func(Input)) []Input {
	if cfg.Inputs != nil {
		if found != nil {
			for _, in := range cfg.Inputs {
				found(in)
			}
		}
		return cfg.Inputs
	}
	return discover(paths, cfg.WorkDir, cfg.Exclude, !cfg.Isolated, found)
}

// directiveFor names the directive that silenced d: a directive on d's
// line whose codes cover d's code, else a file-level one that covers it,
// else any on its line or in the file. (suppress decides whether d is
// silenced; this only attributes it.)
func directiveFor(s *suppress.Set, d Diagnostic) *suppress.Directive {
	var best *suppress.Directive
	bestRank := 0
	for _, dir := range s.Directives {
		if !dir.File && dir.Line != d.Pos.Line {
			continue
		}
		covers := len(dir.Codes) == 0
		for _, c := range dir.Codes {
			covers = covers || c == d.Code || strings.HasPrefix(d.Code, c)
		}
		rank := 1
		switch {
		case covers && !dir.File:
			rank = 4
		case covers:
			rank = 3
		case !dir.File:
			rank = 2
		}
		if rank > bestRank {
			best, bestRank = dir, rank
		}
	}
	return best
}

func sortSuppressed(ss []SuppressedDiagnostic) {
	sort.SliceStable(ss, func(i, j int) bool { return diagLess(ss[i].Diagnostic, ss[j].Diagnostic) })
}

// releasedOption returns the configured `released` option (the
// migrations production already has), which the deploy-safety MIG rules
// share: set under any of them, it applies to all.
func releasedOption(cfg Config) []string {
	v, _ := sharedOption(cfg, "released").([]string)
	return v
}

// releasedRevision returns the configured `released-revision` option: a
// git revision whose migrations production has.
func releasedRevision(cfg Config) string {
	v, _ := sharedOption(cfg, "released-revision").(string)
	return v
}

// sharedOption returns the first non-empty value of an option that
// several rules declare and share, looking at the rules in code order.
func sharedOption(cfg Config, name string) any {
	codes := make([]string, 0, len(cfg.Options))
	for c := range cfg.Options {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		switch v := cfg.Options[c][name].(type) {
		case string:
			if v != "" {
				return v
			}
		case []string:
			if len(v) > 0 {
				return v
			}
		}
	}
	return nil
}

// applySrcRoots rewrites RootRel (and so module names) of inputs lying
// under a configured source root.
func applySrcRoots(inputs []Input, workDir string, roots []string) {
	if len(roots) == 0 {
		return
	}
	var abs []string
	for _, r := range roots {
		if !filepath.IsAbs(r) {
			r = filepath.Join(workDir, r)
		}
		abs = append(abs, filepath.Clean(r))
	}
	for i := range inputs {
		p := inputs[i].Path
		if !filepath.IsAbs(p) {
			p = filepath.Join(workDir, p)
		}
		best := ""
		for _, r := range abs {
			if rel, err := filepath.Rel(r, p); err == nil && !strings.HasPrefix(rel, "..") && len(r) > len(best) {
				best = r
			}
		}
		if best != "" {
			rel, _ := filepath.Rel(best, p)
			inputs[i].RootRel = filepath.ToSlash(rel)
		}
	}
}

// judgeSuppressions reports, after suppression, codes in suppression
// comments that silenced nothing (RUB002) or name no rule (RUB003). A code
// is judged unused only when every rule it names ran on the file, and
// never in a file with a syntax error; bare noqa and other tools' codes in
// noqa comments are left alone (see the rules' docs).
func judgeSuppressions(cfg Config, res *Result, broken map[string]bool, enabled map[string]bool) []Diagnostic {
	registry := cfg.Registry
	if registry == nil {
		registry = cfg.Rules
	}
	matching := func(code string) []*Rule {
		var out []*Rule
		for _, r := range registry {
			if r.Code == code || (len(code) < len(r.Code) && strings.HasPrefix(r.Code, code)) {
				out = append(out, r)
			}
		}
		return out
	}
	paths := make([]string, 0, len(res.Suppressions))
	for p := range res.Suppressions {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var out []Diagnostic
	for _, path := range paths {
		f := res.Files[path]
		for _, dir := range res.Suppressions[path].Directives {
			var unused []string
			for _, code := range dir.Codes {
				ours := dir.Kind != "noqa" || len(code) >= 3 && Families[code[:3]] != ""
				if !ours {
					continue
				}
				rules := matching(code)
				if len(rules) == 0 {
					if enabled[UnknownSuppression.Code] {
						d := Diagnostic{Path: path, Range: Range{Start: dir.At, End: dir.End},
							Message: fmt.Sprintf("unknown rule code `%s` in suppression comment", code),
							Help:    "check the code with `rubric rules`; codes are three letters and three digits, e.g. `ERR001`"}
						fillFromRule(&d, UnknownSuppression)
						out = append(out, d)
					}
					continue
				}
				if dir.Used[code] || broken[path] || !enabled[UnusedSuppression.Code] {
					continue
				}
				ran := true
				for _, r := range rules {
					ran = ran && enabled[r.Code]
				}
				if ran {
					unused = append(unused, code)
				}
			}
			if len(unused) == 0 {
				continue
			}
			where := "on this line"
			if dir.File {
				where = "in this file"
			}
			d := Diagnostic{Path: path, Range: Range{Start: dir.At, End: dir.End},
				Message: fmt.Sprintf("suppression of `%s` is unused: nothing %s was reported", strings.Join(unused, "`, `"), where),
				Help:    "remove the unused codes from the comment, or the comment itself"}
			if len(unused) == len(dir.Codes) && f != nil {
				d.Fixes = []Fix{{Message: "Remove the suppression comment", Edits: []TextEdit{removeComment(f, dir)}, Applicability: Safe}}
			}
			fillFromRule(&d, UnusedSuppression)
			out = append(out, d)
		}
	}
	return out
}

// removeComment deletes a directive's comment: the whole line when the
// comment stands alone, else the comment and the blanks before it.
func removeComment(f *source.File, dir *suppress.Directive) TextEdit {
	if dir.Alone {
		start := f.LineStart(dir.CommentL)
		end := f.LineStart(dir.CommentL + 1)
		if end <= start {
			end = len(f.Src())
		}
		return TextEdit{Path: f.Rel, Range: Range{Start: start, End: end}}
	}
	start := dir.At
	for src := f.Src(); start > 0 && (src[start-1] == ' ' || src[start-1] == '\t'); {
		start--
	}
	return TextEdit{Path: f.Rel, Range: Range{Start: start, End: dir.End}}
}

// readSource reads and decodes one input the way every run does: from the
// bytes the caller already holds (Config.Sources) or with a safe read
// (source.ReadRaw: no link followed, no FIFO or device opened, a capped
// read), then source.Prepare (binary, PEP 263 encoding, UTF-8). It returns
// the file to analyse; or, with why set, the file to show (for invalid
// UTF-8 the raw bytes, so the diagnostic can point at the line; else nil)
// and the diagnostic saying why the file is not analysed.
func readSource(cfg Config, in Input) (f *source.File, why *Diagnostic) {
	fail := func(err error) *Diagnostic {
		d := Diagnostic{Path: in.Rel, Message: describeReadError(err)}
		fillFromRule(&d, UnreadableFile)
		return &d
	}
	// Bytes handed over in Sources stand for the file even when it is not
	// on disk (standard input, an editor's unsaved buffer).
	raw, ok := cfg.Sources[in.Rel]
	if in.Err != nil && !ok {
		return nil, fail(in.Err)
	}
	if !ok {
		var err error
		if raw, err = source.ReadRaw(in.Path, in.RootRel, cfg.MaxFileSize); err != nil {
			return nil, fail(err)
		}
	}
	src, enc, err := source.Prepare(raw, cfg.MaxFileSize)
	if err != nil {
		var bad *source.InvalidUTF8Error
		if errors.As(err, &bad) {
			// Keep the file (with its bytes) so the diagnostic can point at
			// the offending line.
			d := Diagnostic{Path: in.Rel, Range: Range{Start: bad.Offset, End: bad.Offset}, Message: "file is not valid UTF-8; it was not analysed"}
			fillFromRule(&d, UnreadableFile)
			return source.New(in.Path, in.Rel, raw), &d
		}
		return nil, fail(err)
	}
	f = source.New(in.Path, in.Rel, src)
	f.Encoding = enc
	return f, nil
}

// KeptSource is a file's bytes that the caller hands over on demand
// (Config.KeptSources). Load must return bytes of length Size whose
// SHA-256 is the file's in Config.SourceSums; it is called at most once.
type KeptSource struct {
	Size int
	Load func() []byte
}

// hashedSource returns the bytes the caller handed over for in with their
// hash (Config.Sources, Config.SourceSums), if it did and they are not too
// large to analyse.
func hashedSource(cfg Config, in Input) ([]byte, [32]byte, bool) {
	sum, ok := cfg.SourceSums[in.Rel]
	raw, held := cfg.Sources[in.Rel]
	return raw, sum, ok && held && fitsSize(cfg, len(raw))
}

// keptSource is hashedSource for bytes handed over on demand
// (Config.KeptSources), which it does not read.
func keptSource(cfg Config, in Input) (KeptSource, [32]byte, bool) {
	sum, ok := cfg.SourceSums[in.Rel]
	ks, held := cfg.KeptSources[in.Rel]
	return ks, sum, ok && held && ks.Load != nil && fitsSize(cfg, ks.Size)
}

// fitsSize reports whether n bytes are not too large to analyse.
func fitsSize(cfg Config, n int) bool {
	limit := cfg.MaxFileSize
	if limit <= 0 {
		limit = source.DefaultMaxSize
	}
	return int64(n) <= limit
}

// lazyTree parses the source src gives when a reused file's tree is
// first read.
func lazyTree(cfg Config, src func() []byte) func() (*pyast.Tree, error) {
	return func() (*pyast.Tree, error) {
		p := pyast.NewParser()
		defer p.Close()
		return parseOrFetch(cfg, p, src())
	}
}

// SourceFiles returns the files a run over inputs shows (Result.Files)
// without parsing them: what a cached result needs to print exactly what
// the run that stored it printed.
func SourceFiles(cfg Config, inputs []Input) map[string]*source.File {
	files := make(map[string]*source.File, len(inputs))
	for _, in := range inputs {
		if f, _ := readSource(cfg, in); f != nil {
			files[f.Rel] = f
		}
	}
	return files
}

func load(ctx context.Context, cfg Config, p *pyast.Parser, in Input, enabled map[string]bool, reuse *reuser) (st *fileState) {
	st = &fileState{in: in}
	if reuse != nil {
		// Bytes the caller read and hashed whose record says they were
		// their file's source as read: no second check (source.Prepare
		// took a twentieth of an edit run's CPU on saleor).
		if raw, sum, ok := hashedSource(cfg, in); ok {
			st.file, st.sum = source.New(in.Path, in.Rel, raw), sum
			if reuse.loadPhaseOne(st, lazyTree(cfg, func() []byte { return raw }), true, nil) {
				reuse.storeSource(st)
				return st
			}
			st = &fileState{in: in}
		}
		// Bytes the caller holds but has not read: read on demand, and
		// only if the record is not found (or something reads them).
		if ks, sum, ok := keptSource(cfg, in); ok {
			load := sync.OnceValue(ks.Load)
			lazy := func(lines int) *source.File { return source.NewLazy(in.Path, in.Rel, ks.Size, lines, load) }
			st.file, st.sum = lazy(0), sum
			if reuse.loadPhaseOne(st, lazyTree(cfg, load), true, lazy) {
				reuse.keepSource(st)
				return st
			}
			st = &fileState{in: in}
			cfg.Sources = map[string][]byte{in.Rel: load()} // for readSource, below
		}
	}
	file, why := readSource(cfg, in)
	st.file = file
	if why != nil {
		if enabled[UnreadableFile.Code] {
			st.diags = append(st.diags, *why)
		}
		return st
	}
	src := file.Src()
	unreadable := func(err error) {
		if enabled[UnreadableFile.Code] {
			d := Diagnostic{Path: in.Rel, Message: describeReadError(err)}
			fillFromRule(&d, UnreadableFile)
			st.diags = append(st.diags, d)
		}
	}
	if reuse != nil {
		if sum, ok := cfg.SourceSums[in.Rel]; ok && len(cfg.Sources[in.Rel]) == len(src) {
			st.sum = sum
		} else {
			st.sum = sha256.Sum256(src)
		}
		reuse.storeSource(st)
		if reuse.loadPhaseOne(st, lazyTree(cfg, func() []byte { return src }), false, nil) {
			return st
		}
	}
	tree, err := parseOrFetch(cfg, p, src)
	if err != nil {
		st.timedOut = errors.Is(err, pyast.ErrTimeout)
		unreadable(err)
		return st
	}
	st.unit = project.NewUnit(file, tree, in.RootRel)
	root := tree.Root()
	// `except A, B, C:` is Python 3.14 the grammar does not know: not an
	// error of the file.
	st.hasError = root.HasError() && !pyast.PEP758Only(root)
	st.supp = suppress.Parse(file, tree)
	py2, py2What := pyast.Python2(root)
	st.python2 = !py2.IsNil()
	if enabled[SyntaxError.Code] {
		if st.hasError {
			e := pyast.FirstError(root)
			d := Diagnostic{Path: in.Rel, Range: RangeOf(e), Message: syntaxMessage(e)}
			if e.IsError() && d.End-d.Start > 80 {
				d.End = d.Start + 1
			}
			if st.python2 {
				d.Message += fmt.Sprintf("; the file looks like Python 2 (%s on line %d)", py2What, file.Position(py2.StartByte()).Line)
				d.Help = python2Help
			}
			fillFromRule(&d, SyntaxError)
			st.diags = append(st.diags, d)
		} else if st.python2 {
			d := Diagnostic{Path: in.Rel, Range: RangeOf(py2), Message: "Python 2 syntax: " + py2What + "; this file is not Python 3", Help: python2Help}
			if d.End-d.Start > 80 {
				d.End = d.Start + 1
			}
			fillFromRule(&d, SyntaxError)
			st.diags = append(st.diags, d)
		}
	}
	if tree.Truncated && enabled[UnreadableFile.Code] {
		d := Diagnostic{Path: in.Rel, Message: fmt.Sprintf("expressions nested deeper than %d levels were not analysed", pyast.MaxDepth)}
		fillFromRule(&d, UnreadableFile)
		d.Severity = Info
		st.diags = append(st.diags, d)
	}
	func() {
		defer func() {
			if r := recover(); r != nil {
				st.diags = append(st.diags, internalError(in.Rel, "fact extraction", r))
			}
		}()
		st.facts = project.Extract(st.unit)
	}()
	if reuse != nil {
		reuse.storePhaseOne(st)
	}
	return st
}

// parseOrFetch returns the tree of src from the tree cache, or parses it
// (and caches it).
func parseOrFetch(cfg Config, p *pyast.Parser, src []byte) (*pyast.Tree, error) {
	if cfg.Trees != nil {
		if tree := cfg.Trees.Get(src); tree != nil {
			return tree, nil
		}
	}
	tree, err := safeParse(cfg.ParseTimeout, p, src)
	if err != nil {
		return nil, err
	}
	if cfg.Trees != nil {
		cfg.Trees.Put(src, tree)
	}
	return tree, nil
}

const python2Help = "rubric reads Python 3 only; port the file (`print(...)`, `except E as e:`, `repr(x)`...) or exclude it"

func safeParse(timeout time.Duration, p *pyast.Parser, src []byte) (t *pyast.Tree, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("parser failed: %v", r)
		}
	}()
	return p.Parse(timeout, src)
}

func describeReadError(err error) string {
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "no such file or directory"
	case errors.Is(err, os.ErrPermission):
		return "permission denied"
	case errors.Is(err, safeio.ErrLink):
		return "symbolic link; not followed, not analysed"
	case errors.Is(err, safeio.ErrNotRegular):
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return pe.Err.Error() + "; not analysed"
		}
		return "not a regular file; not analysed"
	case errors.Is(err, source.ErrBinary):
		return "binary file (contains NUL bytes); not analysed"
	case errors.Is(err, source.ErrTooLarge), errors.Is(err, source.ErrEncoding):
		return err.Error() + "; not analysed"
	case errors.Is(err, pyast.ErrTooComplex):
		return "too costly to parse: " + pyast.ErrTooComplex.Error() + "; not analysed"
	case errors.Is(err, pyast.ErrTimeout), errors.Is(err, context.DeadlineExceeded):
		return "parsing took too long; not analysed"
	}
	return "cannot read: " + err.Error()
}

func syntaxMessage(e pyast.Node) string {
	if e.IsMissing() {
		return fmt.Sprintf("syntax error: expected `%s`", e.Type())
	}
	text := strings.TrimSpace(e.Text())
	if i := strings.IndexByte(text, '\n'); i >= 0 {
		text = text[:i]
	}
	if len(text) > 30 {
		text = text[:30] + "…"
	}
	if text == "" {
		return "syntax error"
	}
	return fmt.Sprintf("syntax error near `%s`", strings.ReplaceAll(text, "`", "'"))
}

func internalError(path, what string, r any) Diagnostic {
	d := Diagnostic{Path: path, Message: fmt.Sprintf("%s failed on this file: %v", what, r)}
	fillFromRule(&d, InternalError)
	if os.Getenv("RUBRIC_DEBUG") != "" {
		d.Help = string(debug.Stack())
	}
	return d
}

// prebuild builds a project analysis; a panic is left for the rule that
// asks for the result, which then reports it as an internal error.
func prebuild(ix *project.Index, a project.Analysis) {
	defer func() { _ = recover() }()
	if profileLabels {
		pprof.Do(context.Background(), pprof.Labels("analysis", a.AnalysisName()), func(context.Context) { a.Prebuild(ix) })
		return
	}
	a.Prebuild(ix)
}

// runFileRules runs rules on one file and returns their findings by rule,
// and the other files whose own analyses the rules that require shared
// analyses read there (project.Reads): with the project analyses, which
// read no test module (Index.KeepForAnalyses), and the facts, that is all
// their findings depend on (see reuse.go).
func runFileRules(cfg Config, ix *project.Index, st *fileState, rules []*Rule, enabled map[string]bool) (found ruleDiags, read project.Reads) {
	found = ruleDiags{}
	roles := semantic.RolesOf(st.unit)
	// One pass and one list of findings for the file, reset for each rule
	// (a rule keeps neither past its Run), rather than one per rule.
	pass := new(Pass)
	var diags []Diagnostic
	var root pyast.Node
	var guarded *project.Index
	if underTest {
		guarded = ix.WithoutAnalyses()
	}
	var withoutTests *project.Index // the file's view for sameWithout, made once
	var reads project.Reads         // the running rule's reads, through recording
	var recording *project.Index
	for _, r := range rules {
		if st.hasError && r.SkipOnSyntaxError || r.Skip.Any(roles) {
			continue
		}
		if root.IsNil() {
			root = st.unit.Tree.Root()
		}
		diags = nil
		*pass = Pass{Rule: r, Unit: st.unit, File: st.file, Tree: st.unit.Tree, Root: root,
			Imports: st.unit.Imports, Project: ix, options: cfg.Options[r.Code], diags: &diags}
		global := globalOn(r, roles)
		if global {
			// Each rule's reads apart, for the check below, through one
			// view of the file; then merged.
			reads = project.Reads{}
			if recording == nil {
				recording = ix.Recording(st.unit, &reads)
			}
			pass.Project = recording
		} else if underTest {
			pass.Project = guarded // what its findings are kept under allows no project analysis
		}
		err := runRule(r, pass)
		if err == nil && global && checkReads {
			// What the record says must hold: run again where the test
			// modules it did not record (every other file, for a summary
			// rule) have no tree and no source, the rule finds the same.
			if msg := sameWithout(r, pass, ix, reads.Units, summaryRule(r), &withoutTests, diags); msg != "" {
				err = errors.New(msg)
			}
		}
		if global {
			read.Merge(&reads)
		}
		if err != nil {
			if enabled[InternalError.Code] {
				found[r.Code] = []Diagnostic{internalError(st.file.Rel, "rule "+r.Code, err)}
			}
			continue
		}
		if len(diags) > 0 {
			found[r.Code] = diags
		}
	}
	return found, read
}

// sameWithout runs r again on pass's file through a view of ix in which
// the test modules (every other file, when all is set) other than the
// file and those in read have no tree and no source, and says how its
// findings differ from want, if they do: a rule that requires shared
// analyses may read other files only through them, or through file
// analyses, which are recorded; a summary rule's analyses have digests
// (see reusesummary.go), and it reads other files only through file
// analyses.
func sameWithout(r *Rule, pass *Pass, ix *project.Index, read []*project.Unit, all bool, plain **project.Index, want []Diagnostic) string {
	omit := func(u *project.Unit) bool {
		return u != pass.Unit && !slices.Contains(read, u) && (all || semantic.RolesOf(u).Any(semantic.Test))
	}
	what := "a test module"
	if all {
		what = "a file"
	}
	var view *project.Index
	switch {
	case len(read) > 0 || all:
		view = ix.Without(omit)
	case *plain != nil:
		view = *plain
	default:
		view = ix.Without(omit)
		*plain = view
	}
	var again []Diagnostic
	p := *pass
	p.Project, p.diags = view, &again
	if err := runRule(r, &p); err != nil {
		return fmt.Sprintf("the rule reads %s it does not record: without them it fails: %v", what, err)
	}
	if !reflect.DeepEqual(again, want) {
		return fmt.Sprintf("the rule reads %s it does not record: without them it finds %d rather than %d", what, len(again), len(want))
	}
	return ""
}

// underTest is set under `go test`: the driver then checks what rules
// declare of their reads (Rule.LocalOn, Rule.FactsOnly).
var underTest = testing.Testing()

// checkReads makes the driver run each rule that requires a shared
// analysis a second time on each file, without the test modules it did not
// record (sameWithoutTests): under `go test`, but for the tests that count
// runs.
var checkReads = underTest

// profileLabels says whether each file rule runs under a pprof label
// naming it (RUBRIC_PROFILE_LABELS set): `go tool pprof -tagfocus
// rule=ORM001` or `-tags` then splits a CPU profile by rule, and by
// shared analysis (prebuild). Off by
// default: a label costs an allocation per (rule, file).
var profileLabels = os.Getenv("RUBRIC_PROFILE_LABELS") != ""

func init() {
	if profileLabels {
		// A project analysis is booked under its own label wherever it is
		// built: the semantic model, built for whichever analysis or rule
		// asks first, was booked to that one (semantic.endpoints).
		project.Building = func(name string, build func()) {
			pprof.Do(context.Background(), pprof.Labels("analysis", name), func(context.Context) { build() })
		}
	}
}

// runRule runs a file rule on its pass; a panic becomes an error.
func runRule(r *Rule, pass *Pass) (err error) {
	defer func() {
		if rec := recover(); rec != nil {
			err = fmt.Errorf("panic: %v", rec)
		}
	}()
	if profileLabels {
		pprof.Do(context.Background(), pprof.Labels("rule", r.Code), func(context.Context) { err = r.Run(pass) })
		return err
	}
	return r.Run(pass)
}

// in returns the findings in the order of rules.
func (rd ruleDiags) in(rules []*Rule) []Diagnostic {
	var out []Diagnostic
	for _, r := range rules {
		out = append(out, rd[r.Code]...)
	}
	return out
}

func runProjectRule(cfg Config, ix *project.Index, r *Rule, enabled map[string]bool) []Diagnostic {
	if r.FactsOnly && testing.Testing() {
		defer hideSources(ix)()
	}
	var diags []Diagnostic
	pass := &ProjectPass{Rule: r, Project: ix, options: cfg.Options[r.Code], diags: &diags}
	err := func() (err error) {
		defer func() {
			if rec := recover(); rec != nil {
				err = fmt.Errorf("panic: %v", rec)
			}
		}()
		return r.RunProject(pass)
	}()
	if err != nil {
		if !enabled[InternalError.Code] || len(ix.Units) == 0 {
			return nil
		}
		return []Diagnostic{internalError(ix.Units[0].File.Rel, "project rule "+r.Code, err)}
	}
	return diags
}

// hideSources takes every unit's tree and source bytes away until the
// function it returns puts them back: under test, a FactsOnly project rule
// runs without them, so one that reads them fails its fixtures.
func hideSources(ix *project.Index) func() {
	trees := make([]*pyast.Tree, len(ix.Units))
	srcs := make([]func(), len(ix.Units))
	for i, u := range ix.Units {
		trees[i], srcs[i] = u.Tree, u.File.Hide()
		u.Tree = nil
	}
	return func() {
		for i, u := range ix.Units {
			u.Tree = trees[i]
			srcs[i]()
		}
	}
}

func resolvePositions(d *Diagnostic, files map[string]*source.File) {
	if f := files[d.Path]; f != nil {
		d.Pos, d.EndPos = f.Position(d.Start), f.Position(d.End)
	}
	for i := range d.Related {
		r := &d.Related[i]
		if r.Path == "" {
			r.Path = d.Path
		}
		if f := files[r.Path]; f != nil {
			r.Pos, r.EndPos = f.Position(r.Start), f.Position(r.End)
		}
	}
	for i := range d.Fixes {
		for j := range d.Fixes[i].Edits {
			e := &d.Fixes[i].Edits[j]
			if e.Path == "" {
				e.Path = d.Path
			}
			if f := files[e.Path]; f != nil {
				e.Pos, e.EndPos = f.Position(e.Start), f.Position(e.End)
			}
		}
	}
}

// SortDiagnostics orders diagnostics by path, start, end, code and message
// and drops exact duplicates.
func SortDiagnostics(ds []Diagnostic) []Diagnostic {
	sort.SliceStable(ds, func(i, j int) bool { return diagLess(ds[i], ds[j]) })
	out := ds[:0]
	for i, d := range ds {
		if i > 0 {
			p := out[len(out)-1]
			if p.Path == d.Path && p.Start == d.Start && p.End == d.End && p.Code == d.Code && p.Message == d.Message {
				continue
			}
		}
		out = append(out, d)
	}
	return out
}

// diagLess orders diagnostics by path, start, end, code and message.
func diagLess(a, b Diagnostic) bool {
	if a.Path != b.Path {
		return a.Path < b.Path
	}
	if a.Start != b.Start {
		return a.Start < b.Start
	}
	if a.End != b.End {
		return a.End < b.End
	}
	if a.Code != b.Code {
		return a.Code < b.Code
	}
	return a.Message < b.Message
}

// MaxSeverity returns the highest severity among diagnostics, or 0.
func MaxSeverity(ds []Diagnostic) Severity {
	var m Severity
	for _, d := range ds {
		if d.Severity > m {
			m = d.Severity
		}
	}
	return m
}

// tracer prints phase durations to standard error when RUBRIC_TRACE is
// set: a profiling aid for rule authors, never part of the output. Each
// line gives the wall time and the process's CPU time (user + system, all
// threads) the step took: on a shared machine the CPU time is the steadier
// figure.
type tracer struct {
	on      bool
	last    time.Time
	lastCPU time.Duration
}

func newTracer() *tracer {
	t := &tracer{on: os.Getenv("RUBRIC_TRACE") != "", last: time.Now()}
	if t.on {
		t.lastCPU = processCPU()
	}
	return t
}

func (t *tracer) mark(what string) {
	if !t.on {
		return
	}
	now, cpu := time.Now(), processCPU()
	fmt.Fprintf(os.Stderr, "rubric: %-40s %8.3fs %8.3fs CPU %5d MB peak %5d MB heap\n", what, now.Sub(t.last).Seconds(), (cpu - t.lastCPU).Seconds(), peakRSS()>>20, heapObjects()>>20)
	t.last, t.lastCPU = now, cpu
}

// heapObjects is the bytes of heap objects now, live or not yet swept.
func heapObjects() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// TraceStart returns what Trace measures a step from.
func TraceStart() TraceMark {
	if os.Getenv("RUBRIC_TRACE") == "" {
		return TraceMark{}
	}
	return TraceMark{time.Now(), processCPU()}
}

// TraceMark is when a traced step began (TraceStart).
type TraceMark struct {
	wall time.Time
	cpu  time.Duration
}

// Trace prints, when RUBRIC_TRACE is set, the time since start of a step
// outside Run (reading and writing the caches), as Run prints its phases.
func Trace(what string, start TraceMark) {
	if start.wall.IsZero() {
		return
	}
	fmt.Fprintf(os.Stderr, "rubric: %-40s %8.3fs %8.3fs CPU\n", what, time.Since(start.wall).Seconds(), (processCPU() - start.cpu).Seconds())
}

// fewFiles reports whether n of all files is few: what an edit touches,
// not a checkout or a first run.
func fewFiles(n, all int) bool { return n <= max(16, all/64) }

// countStates counts the states for which f holds.
func countStates(states []*fileState, f func(*fileState) bool) int {
	n := 0
	for _, st := range states {
		if f(st) {
			n++
		}
	}
	return n
}

// GCPhases sets the collector's target per phase of a run. Phase one's
// heap is nearly all live data that grows as files are parsed (node
// arrays, source bytes, facts): a collection there frees little, so a
// high target saves collections without raising the peak. The peak comes
// after, where the rules and the semantic model's memos make garbage over
// a heap that no longer grows much. There a collection's cost is the part
// of the heap it must scan: node arrays and source bytes hold no pointers
// and cost next to nothing to mark. So the target after phase one is
// CheckMax when at least half the heap is scannable (the runtime's
// /gc/scan/heap:bytes over its objects), lower in proportion, and at
// least CheckMin: low when parsed trees fill the heap (a cold run on
// saleor: some 15% scannable; the peak stays close to the live data for a
// few more collections), CheckMax when they do not (an edit run, whose
// trees and sources are mapped from the reuse pack: some 55%; a low
// target would scan its heap of pointers again and again). DefaultGCPhases
// is what the command line uses unless GOGC is set.
//
// Before phase one, a caller that lists, hashes and looks up caches first
// (`rubric check`) holds a heap of a few megabytes, where the runtime's
// minimum (4 MB at 100%, scaled by the target) made the collector run a
// dozen times in a warm run at 50%: Lookup is the target then.
//
// An edit run (nearly every file's phase one and source reused: fewFiles)
// holds a heap of decoded records and facts, tens of megabytes that stay
// live, and rules then run on few files or on every product file.
// EditLoad is its target from phase one to the lookups; after them, the
// Check target if rules run on many files, else EditLoad to the end. On
// saleor an edit to a test module went from eight collections to three or
// four, the one at start included (README.md, Performance, session 28).
type GCPhases struct {
	Lookup             int // before phase one: listing, hashing, cache lookups (the caller's)
	Load               int // phase one: reading, parsing, facts
	EditLoad           int // phase one to the lookups, in an edit run
	CheckMin, CheckMax int // the rest: the index, shared analyses, rules
}

// DefaultGCPhases: see GCPhases and README.md, Performance.
var DefaultGCPhases = GCPhases{Lookup: 400, Load: 150, EditLoad: 400, CheckMin: 25, CheckMax: 50}

// checkTarget is the target after phase one, from the heap's make-up now.
func (g GCPhases) checkTarget() int {
	samples := []metrics.Sample{{Name: "/gc/scan/heap:bytes"}, {Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(samples)
	scan, heap := samples[0].Value, samples[1].Value
	if scan.Kind() != metrics.KindUint64 || heap.Kind() != metrics.KindUint64 {
		return g.CheckMax
	}
	return g.targetFor(scan.Uint64(), heap.Uint64())
}

// targetFor is the target after phase one for a heap of heap bytes of
// objects, scan of them scannable.
func (g GCPhases) targetFor(scan, heap uint64) int {
	if heap == 0 {
		return g.CheckMax
	}
	target := int(2 * uint64(g.CheckMax) * min(scan, heap) / heap)
	return min(max(target, g.CheckMin), g.CheckMax)
}
