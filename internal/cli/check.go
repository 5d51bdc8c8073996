package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/baseline"
	"github.com/rubric-dev/rubric/analyzer/filter"
	"github.com/rubric-dev/rubric/analyzer/printer"
	"github.com/rubric-dev/rubric/analyzer/source"
	"github.com/rubric-dev/rubric/analyzer/treecache"
	"github.com/rubric-dev/rubric/internal/buildinfo"
	"github.com/rubric-dev/rubric/internal/cache"
	"github.com/rubric-dev/rubric/internal/config"
	"github.com/rubric-dev/rubric/internal/gitdiff"
	"github.com/rubric-dev/rubric/internal/reusecache"
	"github.com/rubric-dev/rubric/internal/safeio"
	"github.com/rubric-dev/rubric/internal/statcache"
	"github.com/rubric-dev/rubric/rules/all"
)

// configFlags are the flags that take part in the configuration merge;
// `rubric check` and `rubric config` share them.
type configFlags struct {
	config        string
	selects       []string
	ignores       []string
	extendSelect  []string
	exclude       []string
	extendExclude []string
	failOn        string
	allowBareNoqa bool
	noForeignNoqa bool
	isolated      bool
}

func (c *configFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&c.config, "config", "", "configuration file (default: the nearest rubric.toml, or pyproject.toml with [tool.rubric], up from the first path)")
	fl.StringSliceVar(&c.selects, "select", nil, "rules to run: codes, family prefixes (ERR) or names; ALL for every rule (replaces the file's select)")
	fl.StringSliceVar(&c.ignores, "ignore", nil, "rules not to run: codes, family prefixes or names (replaces the file's ignore)")
	fl.StringSliceVar(&c.extendSelect, "extend-select", nil, "rules to run on top of select (adds to the file's extend-select)")
	fl.StringSliceVar(&c.exclude, "exclude", nil, "globs of paths not to analyse (replaces the file's exclude)")
	fl.StringSliceVar(&c.extendExclude, "extend-exclude", nil, "globs of paths not to analyse, on top of exclude")
	fl.StringVar(&c.failOn, "fail-on", config.DefaultFailOn, "lowest severity that makes the exit status 1: info, warning, error or none")
	fl.BoolVar(&c.allowBareNoqa, "allow-bare-noqa", false, "let a bare `# noqa` (no codes) suppress every finding on its line")
	fl.BoolVar(&c.noForeignNoqa, "no-foreign-noqa", false, "do not honour other tools' codes for the same findings (`# noqa: E722`, `# nosec B113`, `# pylint: disable=...`)")
	fl.BoolVar(&c.isolated, "isolated", false, "ignore every configuration file in the analysed tree (rubric.toml, pyproject.toml, .gitignore): for CI on repositories you do not trust")
}

// effective loads the configuration file and merges it with the flags.
func (c *configFlags) effective(fl *pflag.FlagSet, args []string, workDir string) (*config.Effective, error) {
	path := c.config
	if c.isolated && path != "" {
		return nil, errors.New("--config and --isolated exclude each other")
	}
	if path == "" && !c.isolated {
		var err error
		if path, err = config.Find(args[0]); err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
	}
	var file *config.File
	var src *config.Source
	if path != "" {
		var err error
		if file, src, err = config.Load(path); err != nil {
			return nil, err
		}
	}
	var flags config.Flags
	rules := all.Rules()
	for name, dst := range map[string]*[]string{"select": &flags.Select, "ignore": &flags.Ignore, "extend-select": &flags.ExtendSelect} {
		if fl.Changed(name) {
			v, _ := fl.GetStringSlice(name)
			for _, s := range v {
				if !analyzer.KnownSelector(rules, strings.TrimSpace(s)) {
					return nil, fmt.Errorf("--%s: unknown rule or prefix %q (see `rubric rules`)", name, s)
				}
			}
			*dst = append([]string{}, v...)
		}
	}
	if fl.Changed("exclude") {
		flags.Exclude = c.exclude
	}
	if fl.Changed("extend-exclude") {
		flags.ExtendExclude = c.extendExclude
	}
	if fl.Changed("fail-on") {
		flags.FailOn = &c.failOn
	}
	if fl.Changed("allow-bare-noqa") {
		flags.AllowBareNoqa = &c.allowBareNoqa
	}
	if fl.Changed("no-foreign-noqa") {
		foreign := !c.noForeignNoqa
		flags.ForeignNoqa = &foreign
	}
	return config.Merge(file, src, flags, rules, workDir)
}

type checkFlags struct {
	configFlags
	formats       []string
	outputs       []string
	outputFormats []string
	jobs          int
	maxFileSize   int64
	color         string
	exitZero      bool
	baseline      string
	writeBaseline string
	changedSince  string
	noCache       bool
	cacheDir      string
	fix           bool
	unsafeFixes   bool
	showFixes     bool
	diff          bool
	stdinFilename string
	statistics    bool
	quiet         bool
	watch         bool
}

func newCheckCmd() *cobra.Command {
	f := &checkFlags{}
	cmd := &cobra.Command{
		Use:   "check [PATH ...]",
		Short: "Analyse Python files and report findings",
		Long: `Analyse every *.py file under the paths (default ".") and report findings.
"-" reads one file from standard input (name it with --stdin-filename).

Configuration comes from [tool.rubric] in pyproject.toml or from rubric.toml (see ` + "`rubric config`" + `);
flags override it.

Exit status: 0 when no finding reaches --fail-on, 1 when one does (with --diff: when a file would
change), 2 on a usage or fatal error (a path that does not exist is one).`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCheck(cmd, f, args)
		},
	}
	fl := cmd.Flags()
	f.register(fl)
	fl.StringArrayVar(&f.formats, "format", nil, "output format, repeatable, paired in order with -o: "+strings.Join(printer.Names(), ", ")+" (default text)")
	fl.StringArrayVarP(&f.outputs, "output", "o", nil, "write the matching --format to this file instead of standard output (repeatable)")
	fl.StringArrayVar(&f.outputs, "output-file", nil, "same as -o/--output")
	fl.StringArrayVar(&f.outputFormats, "output-format", nil, "output format (as --format); FORMAT=FILE also writes FORMAT to FILE (repeatable), e.g. sarif=rubric.sarif")
	fl.IntVarP(&f.jobs, "jobs", "j", 0, "files analysed in parallel (default: number of CPUs)")
	fl.Int64Var(&f.maxFileSize, "max-file-size", 0, "skip files larger than this many bytes (default 4 MiB)")
	fl.StringVar(&f.color, "color", "auto", "colour the text output: auto (on a terminal; NO_COLOR and FORCE_COLOR are honoured), always or never")
	fl.BoolVar(&f.exitZero, "exit-zero", false, "exit 0 even when there are findings (2 still means an error)")
	fl.StringVar(&f.baseline, "baseline", "", "report only findings not recorded in this baseline file")
	fl.StringVar(&f.writeBaseline, "write-baseline", "", "record the current findings in this baseline file and exit 0")
	fl.StringVar(&f.changedSince, "changed-since", "", "report only findings on lines changed since this git revision (working tree included)")
	fl.BoolVar(&f.noCache, "no-cache", false, "do not read or write the result cache")
	fl.StringVar(&f.cacheDir, "cache-dir", "", "result cache directory (default: the user cache directory's rubric folder)")
	fl.BoolVar(&f.fix, "fix", false, "apply safe fixes to the files (then report what is left)")
	fl.BoolVar(&f.unsafeFixes, "unsafe-fixes", false, "with --fix, --diff or --show-fixes: include unsafe fixes")
	fl.BoolVar(&f.showFixes, "show-fixes", false, "list the fixes applied (with --fix) or that --fix would apply")
	fl.BoolVar(&f.diff, "diff", false, "print the fixes as a unified diff instead of writing them; exit 1 when a file would change")
	fl.StringVar(&f.stdinFilename, "stdin-filename", "", "the path of the file read from standard input (with the path \"-\")")
	fl.BoolVar(&f.statistics, "statistics", false, "print the number of findings per rule instead of the findings")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "print the findings and nothing else: no summary, no notes on standard error")
	fl.BoolVar(&f.watch, "watch", false, "check again whenever a file changes (polling every half second; Ctrl-C stops)")
	return cmd
}

// usageError is a mistake on the command line: exit 2 with its message.
func usageError(format string, args ...any) error { return fmt.Errorf(format, args...) }

// validate rejects flag values that make no sense, before any work.
func (f *checkFlags) validate(fl *pflag.FlagSet) error {
	switch f.color {
	case "auto", "always", "never":
	default:
		return usageError("--color %q: want auto, always or never", f.color)
	}
	if f.jobs < 0 {
		return usageError("-j/--jobs %d: want 0 (one per CPU) or more", f.jobs)
	}
	if f.maxFileSize < 0 {
		return usageError("--max-file-size %d: want a number of bytes", f.maxFileSize)
	}
	if f.baseline != "" && f.writeBaseline != "" {
		return errors.New("--baseline and --write-baseline exclude each other")
	}
	if fl.Changed("changed-since") && f.changedSince == "" {
		return usageError("--changed-since needs a git revision")
	}
	return nil
}

// target is one report to write: a format and a file ("" for stdout).
type target struct{ format, path string }

// targets pairs --format (and --output-format FORMAT) with -o in order and
// adds --output-format FORMAT=FILE pairs. Without a format, text goes to
// standard output (or to the single -o).
func targets(f *checkFlags) ([]target, error) {
	formats := append([]string{}, f.formats...)
	var extra []target
	for _, of := range f.outputFormats {
		fm, path, ok := strings.Cut(of, "=")
		if !ok {
			formats = append(formats, of) // ruff's meaning: the output's format
			continue
		}
		if fm == "" || path == "" {
			return nil, fmt.Errorf("--output-format %q: want FORMAT or FORMAT=FILE", of)
		}
		extra = append(extra, target{format: fm, path: path})
	}
	if len(formats) == 0 {
		formats = []string{"text"}
	}
	if len(f.outputs) > len(formats) {
		return nil, fmt.Errorf("%d -o/--output for %d --format: give one --format per output file", len(f.outputs), len(formats))
	}
	var out []target
	stdout := 0
	for i, fm := range formats {
		t := target{format: fm}
		if i < len(f.outputs) {
			t.path = f.outputs[i]
		} else {
			stdout++
		}
		out = append(out, t)
	}
	if stdout > 1 {
		return nil, errors.New("several formats would go to standard output: pair each --format with -o FILE, or use --output-format FORMAT=FILE")
	}
	out = append(out, extra...)
	for _, t := range out {
		if _, err := printer.New(t.format, printer.Options{}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// checkRun is everything one check needs, prepared once (and reused by
// --watch).
type checkRun struct {
	f     *checkFlags
	cmd   *cobra.Command
	args  []string
	outs  []target
	wd    string
	eff   *config.Effective
	cfg   analyzer.Config
	stdin bool // args[0] is the --stdin-filename, its bytes in cfg.Sources
}

func runCheck(cmd *cobra.Command, f *checkFlags, args []string) error {
	if err := f.validate(cmd.Flags()); err != nil {
		return err
	}
	stdin := len(args) == 1 && args[0] == "-"
	if !stdin {
		for _, a := range args {
			if a == "-" {
				return usageError("\"-\" (standard input) must be the only path")
			}
		}
	}
	if stdin && f.watch {
		return usageError("--watch cannot read standard input")
	}
	if len(args) == 0 {
		args = []string{"."}
	}
	if stdin {
		name := f.stdinFilename
		if name == "" {
			name = "stdin.py"
		}
		args = []string{name}
	} else if err := checkPaths(args, f.diff); err != nil {
		return err
	}
	outs, err := targets(f)
	if err != nil {
		return err
	}
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	eff, err := f.effective(cmd.Flags(), args, wd)
	if err != nil {
		return err
	}
	r := &checkRun{f: f, cmd: cmd, args: args, outs: outs, wd: wd, eff: eff, stdin: stdin}
	r.cfg = analysisConfig(eff, wd)
	r.cfg.Jobs, r.cfg.MaxFileSize, r.cfg.Isolated = f.jobs, f.maxFileSize, f.isolated
	// Formats printed from diagnostics and sources read no tree after the
	// run: test modules' trees can go once their rules ran.
	r.cfg.DropTestTrees = cacheable(outs)
	if err := checkDestinations(outs, f.writeBaseline); err != nil {
		return err
	}
	if stdin {
		limit := f.maxFileSize
		if limit <= 0 {
			limit = source.DefaultMaxSize
		}
		data, err := io.ReadAll(io.LimitReader(cmd.InOrStdin(), limit+1))
		if err != nil {
			return fmt.Errorf("standard input: %w", err)
		}
		r.cfg.Sources = map[string][]byte{analyzer.DisplayPath(args[0], wd): data}
	}
	if f.watch {
		return r.watch()
	}
	analyzer.Trace("startup: flags, configuration", mainStart)
	status, err := r.once()
	if err != nil {
		return err
	}
	if status != ExitClean {
		return &exitError{code: status}
	}
	return nil
}

// checkPaths makes a path that does not exist a usage error, whatever
// --fail-on says.
func checkPaths(args []string, diffFlag bool) error {
	for _, a := range args {
		if _, err := os.Lstat(a); err != nil {
			msg := fmt.Sprintf("%s: no such file or directory", a)
			if !errors.Is(err, fs.ErrNotExist) {
				msg = err.Error()
			}
			if diffFlag {
				msg += " (--diff prints fixes as a diff and takes no revision; the git filter is --changed-since REV)"
			}
			return usageError("%s", msg)
		}
	}
	return nil
}

// once analyses (applying fixes when asked), writes the reports and
// returns the exit status.
func (r *checkRun) once() (int, error) {
	f, cmd := r.f, r.cmd
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	apply, err := r.reportFilter()
	if err != nil {
		return ExitError, err
	}
	stderr := cmd.ErrOrStderr()
	var res *analyzer.Result
	status := ExitClean
	if f.fix || f.diff || f.showFixes {
		cfg := r.cfg
		r.useTreeCache(&cfg)
		fr, err := analyzer.FixRounds(ctx, cfg, r.args, analyzer.FixOptions{Unsafe: f.unsafeFixes, Filter: apply, KeepFirst: !f.fix && !f.diff})
		if err != nil {
			return ExitError, err
		}
		r.reportFixNotes(fr)
		switch {
		case f.diff:
			return r.printDiff(fr)
		case f.fix && r.stdin:
			rel := analyzer.DisplayPath(r.args[0], r.wd)
			src, ok := fr.After[rel]
			if !ok {
				src = r.cfg.Sources[rel]
			}
			if _, err := cmd.OutOrStdout().Write(src); err != nil {
				return ExitError, err
			}
		case f.fix:
			errs := fr.Write()
			for _, rel := range sortedKeys(errs) {
				fmt.Fprintf(stderr, "rubric: %s: %v\n", printer.EscapePath(rel), errs[rel])
				status = ExitError
			}
		}
		res = fr.Result
		if !f.fix {
			res = fr.First
		}
		if f.showFixes {
			r.showFixes(fr)
		}
	} else {
		t := analyzer.TraceStart()
		res, err = analyse(cmd, f, r.cfg, r.eff, r.args, cacheable(r.outs) && !r.stdin)
		if err != nil {
			return ExitError, err
		}
		analyzer.Trace("analyse, in all", t)
		apply(res)
	}
	if res.Stats.Files == 0 && res.Stats.Unreadable == 0 {
		fmt.Fprintf(stderr, "rubric: warning: 0 files analysed: no Python file under %s\n", strings.Join(r.args, " "))
	}
	if f.writeBaseline != "" {
		if err := baseline.Write(f.writeBaseline, r.wd, res); err != nil {
			return ExitError, err
		}
		if !f.quiet {
			fmt.Fprintf(stderr, "rubric: recorded %s in %s\n", plural(len(res.Diagnostics), "finding"), f.writeBaseline)
		}
		return status, nil
	}
	// Repeats of one rule in one function or file become one finding in
	// the reports (after fixes and every filter, so baselines and
	// --changed-since see each finding); --statistics counts them all.
	shown := *res
	shown.Diagnostics = filter.Collapse(res)
	// Every output is attempted: one that fails does not drop the others.
	var werrs []error
	for _, t := range r.outs {
		out := &shown
		if f.statistics {
			out = res
		}
		if err := r.write(t, out); err != nil {
			werrs = append(werrs, err)
		}
	}
	if err := errors.Join(werrs...); err != nil {
		return ExitError, err
	}
	if status != ExitClean || f.exitZero || r.eff.FailOn == 0 {
		return status, nil
	}
	for _, d := range res.Diagnostics {
		if d.Severity >= r.eff.FailOn {
			return ExitFindings, nil
		}
	}
	return ExitClean, nil
}

// reportFilter returns what is applied to every result before it is
// reported (or fixed): the one filter pipeline (per-file ignores, the
// baseline, --changed-since; suppression comments stay honoured).
func (r *checkRun) reportFilter() (func(*analyzer.Result), error) {
	f, eff, wd := r.f, r.eff, r.wd
	p := filter.Pipeline{Ignored: ignoredIn(eff, wd), WorkDir: wd}
	if f.baseline != "" && f.writeBaseline == "" {
		b, err := baseline.Read(f.baseline)
		if err != nil {
			return nil, err
		}
		p.Baseline = b
	}
	if f.changedSince != "" {
		dir := r.args[0]
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			dir = filepath.Dir(dir)
		}
		ch, err := gitdiff.Since(dir, f.changedSince)
		if err != nil {
			return nil, err
		}
		p.Changed = ch
	}
	return p.Apply, nil
}

// analysisConfig is the driver's configuration for the effective
// configuration, display paths relative to wd.
func analysisConfig(eff *config.Effective, wd string) analyzer.Config {
	registry := all.Rules()
	return analyzer.Config{
		Rules: eff.Rules(registry), Registry: registry,
		AllowBareNoqa: eff.AllowBareNoqa, WorkDir: wd, Exclude: eff.ExcludeFunc(wd),
		Options: eff.Options, Severity: eff.Severity, SrcRoots: eff.Src, IgnoreForeignNoqa: !eff.ForeignNoqa,
		GC: gcPhases(),
	}
}

// ignoredIn returns what per-file-ignores silence, or nil.
func ignoredIn(eff *config.Effective, wd string) func(path, code string) bool {
	if len(eff.PerFileIgnores) == 0 {
		return nil
	}
	return func(path, code string) bool { return eff.IgnoredInFile(wd, path, code) }
}

// cacheRoot is the cache directory, or "" with --no-cache or when there
// is none.
func (f *checkFlags) cacheRoot() string {
	if f.noCache {
		return ""
	}
	if f.cacheDir != "" {
		return f.cacheDir
	}
	d, err := cache.DefaultDir()
	if err != nil {
		return "" // no cache directory: run uncached
	}
	return d
}

// useTreeCache points cfg at the per-file tree cache, for the fix rounds:
// parsed trees are kept per file content (a tree depends on nothing but
// the file's bytes), so only changed files are parsed again. A plain check
// keeps its trees in the reuse pack and only reads this cache (analyse).
func (r *checkRun) useTreeCache(cfg *analyzer.Config) {
	dir := r.f.cacheRoot()
	if dir == "" {
		return
	}
	trees := treecache.Open(dir)
	cfg.Trees = trees
	if time.Now().UnixNano()%20 == 0 {
		trees.Prune()
	}
}

// analyse runs the driver, or returns the cached result of an identical
// run (same rubric build, configuration and file contents).
func analyse(cmd *cobra.Command, f *checkFlags, cfg analyzer.Config, eff *config.Effective, args []string, useCache bool) (*analyzer.Result, error) {
	ctx := context.Background()
	dir := f.cacheRoot()
	if dir == "" {
		return analyzer.Run(ctx, cfg, args)
	}
	if within := insideAnalysed(dir, args); within != "" {
		// Whoever writes the analysed tree could plant entries there.
		fmt.Fprintf(cmd.ErrOrStderr(), "rubric: warning: the cache directory %s is inside the analysed %s; running without the cache\n", dir, within)
		return analyzer.Run(ctx, cfg, args)
	}
	if cfg.GC != nil {
		defer debug.SetGCPercent(debug.SetGCPercent(cfg.GC.Lookup))
	}
	// Each file's phase one, tree and findings are kept in the reuse pack
	// for the next run, which then re-checks only what an edit can affect.
	// The per-file tree cache is only read: trees an earlier rubric or
	// configuration kept there are still used.
	prefetch := &analyzer.PrefetchTrees{Timeout: cfg.ParseTimeout}
	if trees := treecache.Open(dir); trees.Holds() {
		prefetch.Next = treecache.ReadOnly{Dir: trees}
	}
	cfg.Trees = prefetch
	var reuse *reusecache.Pack
	var key string // reuseKey, taken before the pack is opened
	openPack := func() *reusecache.Pack {
		t := analyzer.TraceStart()
		open := reusecache.Open
		if f.watch {
			open = reusecache.OpenCopy // a pack per run: no mapping left behind
		}
		p := open(dir, cfg.WorkDir+"\x00"+strings.Join(args, "\x00")+"\x00"+key)
		analyzer.Trace("reuse pack: read and check", t)
		return p
	}
	// early, once started, opens the pack while the files are read and
	// hashed: a changed file makes the result cache miss, and the run then
	// needs the pack.
	var early chan *reusecache.Pack
	var earlyOnce sync.Once
	var edited atomic.Int32
	startEarly := func(_ analyzer.Input, raw []byte) {
		earlyOnce.Do(func() {
			early = make(chan *reusecache.Pack, 1)
			go func() { early <- openPack() }()
		})
		// The parse of an edited file starts now, beside the hashing of
		// the others; a few files only: more is a checkout, not an edit,
		// and phase one parses them on its pool.
		if edited.Add(1) <= maxPrefetch {
			prefetch.Start(raw)
		}
	}
	useReuse := func() {
		if key == "" {
			key = reuseKey(cfg, eff)
		}
		if early != nil {
			reuse = <-early
		} else {
			reuse = openPack()
		}
		cfg.Reuse, cfg.ReuseKey = reuse, key
		cfg.ReuseExtra = templatesDigest(cfg.Jobs)
	}
	// The caches are written side by side once the run is over: the reuse
	// pack, the stat index and the result cache are separate files.
	var writes sync.WaitGroup
	defer writes.Wait()
	defer func() {
		if reuse != nil {
			writes.Go(func() {
				t := analyzer.TraceStart()
				reuse.Save()
				analyzer.Trace("reuse pack: write", t)
			})
		}
	}()
	// Results are cached whole when the output allows it.
	if !useCache {
		useReuse()
		return analyzer.Run(ctx, cfg, args)
	}
	// The tree is listed and read once: the key covers those bytes, and
	// the run analyses exactly them, whatever changes on disk meanwhile.
	// The stat index saves reading and hashing unchanged files; a hit then
	// reads only the files its findings point into. JUnit lists every file,
	// so it reads them all.
	var stats *statcache.Cache
	if !f.wantsFormat("junit") {
		t := analyzer.TraceStart()
		stats = statcache.Open(dir, cfg.WorkDir+"\x00"+strings.Join(args, "\x00"))
		analyzer.Trace("stat index: read", t)
	}
	// The executable's hash, through the stat index, is part of both keys.
	cache.ExecutableKnown(stats)
	key = reuseKey(cfg, eff)
	// The files are stated (and those the stat index does not know read
	// and hashed) as the listing meets them.
	t := analyzer.TraceStart()
	snap, inputs, err := cache.TakeListed(func(found func(analyzer.Input)) []analyzer.Input {
		return analyzer.ListInputsNotify(cfg, args, found)
	}, buildinfo.Version, cacheConfig(cfg, eff), cfg.MaxFileSize, cfg.Jobs, stats, startEarly)
	analyzer.Trace("list files; result cache: key (stat, read, hash)", t)
	if stats != nil {
		// The stat index is complete once the files are hashed (nothing
		// after records in it): it is written while the run goes on.
		writes.Go(func() {
			t := analyzer.TraceStart()
			stats.Save()
			analyzer.Trace("stat index: write", t)
		})
	}
	if err != nil {
		return analyzer.Run(ctx, cfg, args)
	}
	t = analyzer.TraceStart()
	if e := cache.Load(dir, snap); e != nil {
		if res, ok := snap.ResultRead(e, cfg); ok {
			analyzer.Trace("result cache: hit", t)
			return res, nil
		}
	}
	analyzer.Trace("result cache: miss", t)
	// The reuse pack keeps the bytes of the files the last run analysed:
	// those the stat index knows unchanged are taken from it, not read.
	useReuse()
	t = analyzer.TraceStart()
	kept, ok := snap.KeepAll(cfg.MaxFileSize, func(sum [32]byte) bool { return reuse.Holds(analyzer.SourceKey(sum)) },
		func(sum [32]byte) ([]byte, bool) { return reuse.Get(analyzer.SourceKey(sum)) })
	analyzer.Trace("read the other sources (those the pack lacks)", t)
	if !ok {
		// A file changed since its stat was taken: take the tree again.
		if snap, err = cache.Take(inputs, buildinfo.Version, cacheConfig(cfg, eff), cfg.MaxFileSize, cfg.Jobs); err != nil {
			return analyzer.Run(ctx, cfg, args)
		}
		if e := cache.Load(dir, snap); e != nil {
			return snap.Result(e, cfg), nil
		}
	}
	snap.Apply(&cfg)
	cfg.SourceSums, cfg.KeptSources = snap.Sums(), kept
	// The snapshot's inputs are the run's: their templates were hashed
	// for the key already.
	cfg.ReuseExtra = func([]analyzer.Input) string { return snap.Templates() }
	res, err := analyzer.Run(ctx, cfg, args)
	if err != nil {
		return nil, err
	}
	writes.Go(func() {
		t := analyzer.TraceStart()
		if _, err := cache.Store(dir, snap, res); err != nil {
			fmt.Fprintf(cmd.ErrOrStderr(), "rubric: warning: %v\n", err)
		}
		analyzer.Trace("result cache: write", t)
	})
	return res, nil
}

// maxPrefetch is how many edited files a check parses while it still
// hashes the others (analyzer.PrefetchTrees).
const maxPrefetch = 4

// reuseKey is Config.ReuseKey for cfg: rubric's build and the
// configuration, everything findings depend on besides the files. The
// reuse pack and the editor server's in-memory reuse key entries alike.
func reuseKey(cfg analyzer.Config, eff *config.Effective) string {
	return buildinfo.Version + "\x00" + cache.Executable() + "\x00" + cacheConfig(cfg, eff)
}

// templatesDigest is Config.ReuseExtra: templates and the dependency
// files (the Django version) are read by the rules, not listed as inputs,
// so findings that may depend on any file are kept under their digest too
// (cache.OutsideDigest).
func templatesDigest(jobs int) func([]analyzer.Input) string {
	return func(in []analyzer.Input) string { return cache.OutsideDigest(in, jobs) }
}

// wantsFormat reports whether a --format or --output-format asks for the
// format name.
func (f *checkFlags) wantsFormat(name string) bool {
	for _, fm := range append(append([]string{}, f.formats...), f.outputFormats...) {
		if fm == name || strings.HasPrefix(fm, name+"=") {
			return true
		}
	}
	return false
}

// insideAnalysed returns the analysed path that holds dir, or "".
func insideAnalysed(dir string, args []string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	for _, a := range args {
		root, err := filepath.Abs(a)
		if err != nil {
			continue
		}
		if real, err := filepath.EvalSymlinks(root); err == nil {
			root = real
		}
		if rel, err := filepath.Rel(root, abs); err == nil && filepath.IsLocal(rel) {
			return a
		}
	}
	return ""
}

// indexFree are the formats that print from diagnostics, sources and
// rules alone. A cached result has no project index and no suppression
// sets, so any other format (a checklist reading the model graph) runs
// uncached.
var indexFree = map[string]bool{"text": true, "concise": true, "json": true, "sarif": true, "github": true, "gitlab": true, "junit": true}

func cacheable(outs []target) bool {
	for _, t := range outs {
		if !indexFree[t.format] {
			return false
		}
	}
	return true
}

// cacheConfig describes, canonically, the settings that change findings.
func cacheConfig(cfg analyzer.Config, eff *config.Effective) string {
	var codes []string
	for _, r := range cfg.Rules {
		codes = append(codes, r.Code)
	}
	sort.Strings(codes)
	data, _ := json.Marshal(struct {
		Rules    []string
		Options  map[string]map[string]any
		Severity map[string]analyzer.Severity
		Bare     bool
		Foreign  bool
		MaxSize  int64
		Src      []string
		Exclude  []string
	}{codes, cfg.Options, cfg.Severity, cfg.AllowBareNoqa, !cfg.IgnoreForeignNoqa, cfg.MaxFileSize, cfg.SrcRoots, append(append([]string{}, eff.Exclude...), eff.ExtendExclude...)})
	return string(data)
}

// checkDestinations makes sure, before any analysis, that every output
// file can be written.
func checkDestinations(outs []target, baselineFile string) error {
	var errs []error
	for _, t := range outs {
		if t.path != "" {
			if err := safeio.CheckWritable(t.path); err != nil {
				errs = append(errs, fmt.Errorf("output: %w", err))
			}
		}
	}
	if baselineFile != "" {
		if err := safeio.CheckWritable(baselineFile); err != nil {
			errs = append(errs, fmt.Errorf("--write-baseline: %w", err))
		}
	}
	return errors.Join(errs...)
}

// write prints one report: to standard output, or atomically to its file
// (a failed write leaves the previous file as it was).
func (r *checkRun) write(t target, res *analyzer.Result) error {
	cmd, f := r.cmd, r.f
	var w io.Writer = cmd.OutOrStdout()
	if r.stdin && f.fix {
		w = cmd.ErrOrStderr() // standard output carries the fixed source
	}
	useColor := t.path == "" && wantColor(f.color, w)
	print := func(w io.Writer) error {
		if f.statistics {
			return printStatistics(w, t.format, res)
		}
		p, err := printer.New(t.format, printer.Options{Color: useColor, Quiet: f.quiet, Version: buildinfo.Version})
		if err != nil {
			return err
		}
		return p.Print(w, res)
	}
	if t.path == "" {
		if err := print(w); err != nil {
			return fmt.Errorf("write %s report: %w", t.format, err)
		}
		return nil
	}
	if err := safeio.WriteFile(t.path, 0o644, print); err != nil {
		return fmt.Errorf("write %s report: %w", t.format, err)
	}
	return nil
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// wantColor decides on ANSI colour: --color always or never wins; with
// auto, FORCE_COLOR (set and not empty) turns colour on, else NO_COLOR (set
// and not empty) turns it off, else colour follows whether w is a
// terminal. See https://no-color.org and https://force-color.org.
func wantColor(mode string, w io.Writer) bool {
	switch mode {
	case "always":
		return true
	case "never":
		return false
	}
	if os.Getenv("FORCE_COLOR") != "" {
		return true
	}
	if os.Getenv("NO_COLOR") != "" {
		return false
	}
	if fh, ok := w.(*os.File); ok {
		return term.IsTerminal(int(fh.Fd()))
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
