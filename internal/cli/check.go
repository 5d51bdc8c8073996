package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/baseline"
	"github.com/rubric-dev/rubric/analyzer/printer"
	"github.com/rubric-dev/rubric/analyzer/treecache"
	"github.com/rubric-dev/rubric/internal/buildinfo"
	"github.com/rubric-dev/rubric/internal/cache"
	"github.com/rubric-dev/rubric/internal/config"
	"github.com/rubric-dev/rubric/internal/gitdiff"
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
}

// effective loads the configuration file and merges it with the flags.
func (c *configFlags) effective(fl *pflag.FlagSet, args []string, workDir string) (*config.Effective, error) {
	path := c.config
	if path == "" {
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
	diff          string
	noCache       bool
	cacheDir      string
}

func newCheckCmd() *cobra.Command {
	f := &checkFlags{}
	cmd := &cobra.Command{
		Use:   "check [PATH ...]",
		Short: "Analyse Python files and report findings",
		Long: `Analyse every *.py file under the paths (default ".") and report findings.

Configuration comes from [tool.rubric] in pyproject.toml or from rubric.toml (see ` + "`rubric config`" + `);
flags override it.

Exit status: 0 when no finding reaches --fail-on, 1 when one does, 2 on a usage or fatal error.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCheck(cmd, f, args)
		},
	}
	fl := cmd.Flags()
	f.register(fl)
	fl.StringArrayVar(&f.formats, "format", nil, "output format, repeatable, paired in order with -o: "+strings.Join(printer.Names(), ", ")+" (default text)")
	fl.StringArrayVarP(&f.outputs, "output", "o", nil, "write the matching --format to this file instead of standard output (repeatable)")
	fl.StringArrayVar(&f.outputFormats, "output-format", nil, "also write FORMAT to FILE, as FORMAT=FILE (repeatable), e.g. sarif=rubric.sarif")
	fl.IntVarP(&f.jobs, "jobs", "j", 0, "files analysed in parallel (default: number of CPUs)")
	fl.Int64Var(&f.maxFileSize, "max-file-size", 0, "skip files larger than this many bytes (default 4 MiB)")
	fl.StringVar(&f.color, "color", "auto", "colour the text output: auto (on a terminal, unless NO_COLOR is set), always or never")
	fl.BoolVar(&f.exitZero, "exit-zero", false, "exit 0 even when there are findings")
	fl.StringVar(&f.baseline, "baseline", "", "report only findings not recorded in this baseline file")
	fl.StringVar(&f.writeBaseline, "write-baseline", "", "record the current findings in this baseline file and exit 0")
	fl.StringVar(&f.diff, "diff", "", "report only findings on lines changed since this git revision (working tree included)")
	fl.StringVar(&f.diff, "changed-since", "", "same as --diff")
	fl.BoolVar(&f.noCache, "no-cache", false, "do not read or write the result cache")
	fl.StringVar(&f.cacheDir, "cache-dir", "", "result cache directory (default: the user cache directory's rubric folder)")
	return cmd
}

// target is one report to write: a format and a file ("" for stdout).
type target struct{ format, path string }

// targets pairs --format with -o in order and adds --output-format pairs.
// Without --format, text goes to standard output (or to the single -o).
func targets(f *checkFlags) ([]target, error) {
	formats := f.formats
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
	for _, of := range f.outputFormats {
		fm, path, ok := strings.Cut(of, "=")
		if !ok || fm == "" || path == "" {
			return nil, fmt.Errorf("--output-format %q: want FORMAT=FILE", of)
		}
		out = append(out, target{format: fm, path: path})
	}
	for _, t := range out {
		if _, err := printer.New(t.format, printer.Options{}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func runCheck(cmd *cobra.Command, f *checkFlags, args []string) error {
	if len(args) == 0 {
		args = []string{"."}
	}
	outs, err := targets(f)
	if err != nil {
		return err
	}
	if f.baseline != "" && f.writeBaseline != "" {
		return errors.New("--baseline and --write-baseline exclude each other")
	}
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	eff, err := f.effective(cmd.Flags(), args, wd)
	if err != nil {
		return err
	}
	registry := all.Rules()
	cfg := analyzer.Config{
		Rules: eff.Rules(registry), Registry: registry, Jobs: f.jobs, MaxFileSize: f.maxFileSize,
		AllowBareNoqa: eff.AllowBareNoqa, WorkDir: wd, Exclude: eff.ExcludeFunc(wd),
		Options: eff.Options, Severity: eff.Severity, SrcRoots: eff.Src,
	}
	res, err := analyse(cmd, f, cfg, eff, args, cacheable(outs))
	if err != nil {
		return err
	}

	if len(eff.PerFileIgnores) > 0 {
		kept := res.Diagnostics[:0]
		for _, d := range res.Diagnostics {
			if eff.IgnoredInFile(wd, d.Path, d.Code) {
				res.Stats.Suppressed++
				continue
			}
			kept = append(kept, d)
		}
		res.Diagnostics = kept
	}
	if f.writeBaseline != "" {
		if err := baseline.Write(f.writeBaseline, res); err != nil {
			return err
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "rubric: recorded %s in %s\n", plural(len(res.Diagnostics), "finding"), f.writeBaseline)
		return nil
	}
	if f.baseline != "" {
		b, err := baseline.Read(f.baseline)
		if err != nil {
			return err
		}
		b.Filter(res)
	}
	if f.diff != "" {
		dir := args[0]
		if st, err := os.Stat(dir); err == nil && !st.IsDir() {
			dir = filepath.Dir(dir)
		}
		ch, err := gitdiff.Since(dir, f.diff)
		if err != nil {
			return err
		}
		keepChanged(res, ch, wd)
	}

	for _, t := range outs {
		if err := write(cmd, f, t, res); err != nil {
			return err
		}
	}
	if f.exitZero || eff.FailOn == 0 {
		return nil
	}
	for _, d := range res.Diagnostics {
		if d.Severity >= eff.FailOn {
			return &exitError{code: ExitFindings}
		}
	}
	return nil
}

// analyse runs the driver, or returns the cached result of an identical
// run (same rubric build, configuration and file contents).
func analyse(cmd *cobra.Command, f *checkFlags, cfg analyzer.Config, eff *config.Effective, args []string, useCache bool) (*analyzer.Result, error) {
	ctx := context.Background()
	if f.noCache {
		return analyzer.Run(ctx, cfg, args)
	}
	dir := f.cacheDir
	if dir == "" {
		d, err := cache.DefaultDir()
		if err != nil {
			return analyzer.Run(ctx, cfg, args) // no cache directory: run uncached
		}
		dir = d
	}
	// Parsed trees are cached per file content for every run: a tree
	// depends on nothing but the file's bytes, so only changed files are
	// parsed again. Results are cached whole (below) when the output
	// allows it.
	trees := treecache.Open(dir)
	cfg.Trees = trees
	if time.Now().UnixNano()%20 == 0 {
		defer trees.Prune()
	}
	if !useCache {
		return analyzer.Run(ctx, cfg, args)
	}
	snap, err := cache.Take(analyzer.Discover(args, cfg.WorkDir, cfg.Exclude), buildinfo.Version, cacheConfig(cfg, eff), cfg.MaxFileSize, cfg.Jobs)
	if err != nil {
		return analyzer.Run(ctx, cfg, args)
	}
	if e := cache.Load(dir, snap); e != nil {
		return snap.Result(e, cfg.Rules), nil
	}
	// The snapshot already read every file to hash it: hand the bytes to
	// the driver rather than reading them again.
	cfg.Sources = make(map[string][]byte, len(snap.Files))
	for rel, f := range snap.Files {
		cfg.Sources[rel] = f.Src
	}
	res, err := analyzer.Run(ctx, cfg, args)
	if err != nil {
		return nil, err
	}
	if err := cache.Store(dir, snap, &cache.Entry{Diagnostics: res.Diagnostics, Stats: res.Stats}); err != nil {
		fmt.Fprintf(cmd.ErrOrStderr(), "rubric: warning: %v\n", err)
	}
	return res, nil
}

// indexFree are the formats that print from diagnostics, sources and
// rules alone. A cached result has no project index and no suppression
// sets, so any other format (a checklist reading the model graph) runs
// uncached.
var indexFree = map[string]bool{"text": true, "json": true, "sarif": true, "github": true, "gitlab": true, "junit": true}

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
		MaxSize  int64
		Src      []string
		Exclude  []string
	}{codes, cfg.Options, cfg.Severity, cfg.AllowBareNoqa, cfg.MaxFileSize, cfg.SrcRoots, append(append([]string{}, eff.Exclude...), eff.ExtendExclude...)})
	return string(data)
}

// keepChanged drops findings outside the changed lines. Findings about
// rubric itself (internal errors, unreadable files) stay when their file
// changed at all. A file's current content is the one analysed.
func keepChanged(res *analyzer.Result, ch *gitdiff.Changes, wd string) {
	kept := res.Diagnostics[:0]
	for _, d := range res.Diagnostics {
		abs := d.Path
		if !filepath.IsAbs(abs) {
			abs = filepath.Join(wd, filepath.FromSlash(d.Path))
		}
		var src []byte
		if f := res.Files[d.Path]; f != nil {
			src = f.Src
		}
		whole := d.Code == analyzer.InternalError.Code || d.Code == analyzer.UnreadableFile.Code
		if (whole && ch.File(abs, src)) || ch.Touches(abs, src, d.Pos.Line, d.EndPos.Line) {
			kept = append(kept, d)
		}
	}
	res.Diagnostics = kept
}

func write(cmd *cobra.Command, f *checkFlags, t target, res *analyzer.Result) error {
	var w io.Writer = cmd.OutOrStdout()
	useColor := false
	if t.path != "" {
		fh, err := os.Create(t.path)
		if err != nil {
			return fmt.Errorf("output: %w", err)
		}
		defer fh.Close()
		w = fh
	} else {
		useColor = wantColor(f.color, cmd.OutOrStdout())
	}
	p, err := printer.New(t.format, printer.Options{Color: useColor, Version: buildinfo.Version})
	if err != nil {
		return err
	}
	if err := p.Print(w, res); err != nil {
		return fmt.Errorf("write %s report: %w", t.format, err)
	}
	if fh, ok := w.(*os.File); ok && t.path != "" {
		if err := fh.Close(); err != nil {
			return fmt.Errorf("write %s: %w", t.path, err)
		}
	}
	return nil
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func wantColor(mode string, w io.Writer) bool {
	switch mode {
	case "always":
		return true
	case "never":
		return false
	}
	if _, ok := os.LookupEnv("NO_COLOR"); ok {
		return false
	}
	if fh, ok := w.(*os.File); ok {
		return term.IsTerminal(int(fh.Fd()))
	}
	return false
}
