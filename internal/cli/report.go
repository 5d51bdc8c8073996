package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/rubric-dev/rubric/internal/buildinfo"
	"github.com/rubric-dev/rubric/internal/safeio"
	"github.com/rubric-dev/rubric/report"
	"github.com/rubric-dev/rubric/report/archive"
	"github.com/rubric-dev/rubric/rules/all"
)

// registerReportFormats adds `checklist` and `html` to `rubric check --format`.
func registerReportFormats() { report.RegisterPrinters() }

type archiveFlags struct {
	maxSize    int64
	maxEntries int
	maxRatio   float64
}

// bind adds the flags report and grade share.
func (a *archiveFlags) bind(cmd *cobra.Command, checklist *string, jobs *int) {
	fl := cmd.Flags()
	fl.StringVar(checklist, "checklist", "", "checklist file (TOML, see docs/checklist.md); default: the interview guide's")
	fl.IntVarP(jobs, "jobs", "j", 0, "files analysed in parallel (default: number of CPUs)")
	fl.Int64Var(&a.maxSize, "max-archive-size", archive.DefaultLimits.MaxTotal, "archives: most bytes unpacked in total")
	fl.IntVar(&a.maxEntries, "max-archive-entries", archive.DefaultLimits.MaxEntries, "archives: most entries read")
	fl.Float64Var(&a.maxRatio, "max-archive-ratio", archive.DefaultLimits.MaxRatio, "archives: highest compression ratio accepted")
}

func (a *archiveFlags) limits() archive.Limits {
	return archive.Limits{MaxTotal: a.maxSize, MaxEntries: a.maxEntries, MaxRatio: a.maxRatio}
}

func loadChecklist(file string) (*report.Checklist, error) {
	if file == "" {
		return report.DefaultChecklist(), nil
	}
	return report.LoadChecklist(file)
}

func newReportCmd() *cobra.Command {
	var (
		output, format, checklist string
		printChecklist, respect   bool
		jobs                      int
		af                        archiveFlags
	)
	cmd := &cobra.Command{
		Use:     "report PATH",
		Aliases: []string{"checklist"},
		Short:   "Fill in the reviewer checklist for one submission (Markdown or HTML)",
		Long: `Analyse one submission (a directory, .zip, .tar.gz or .tgz) and write the reviewer checklist:
the interview guide's review areas, each item met, not met, not applicable or needing a human,
with evidence and a follow-up question. See docs/checklist.md.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if printChecklist {
				return nil
			}
			return cobra.ExactArgs(1)(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if printChecklist {
				_, err := cmd.OutOrStdout().Write(report.DefaultChecklistTOML())
				return err
			}
			cl, err := loadChecklist(checklist)
			if err != nil {
				return err
			}
			if format != "md" && format != "markdown" && format != "html" && format != "json" {
				return fmt.Errorf("--format: want md, html or json, got %q", format)
			}
			if output != "" {
				if err := safeio.CheckWritable(output); err != nil {
					return fmt.Errorf("-o: %w", err)
				}
			}
			ctx, stop := interruptible()
			defer stop()
			dir, name, skipped, cleanup, err := openSubmission(ctx, args[0], af.limits())
			if err != nil {
				return err
			}
			defer cleanup()
			r, err := report.Analyze(ctx, dir, all.Rules(), jobs,
				report.Options{Name: name, Version: buildinfo.Version, Checklist: cl, Skipped: skipped, RespectSuppressions: respect})
			if err != nil {
				return interrupted(ctx, err)
			}
			if r.Header.PythonFiles == 0 {
				return fmt.Errorf("%s: no analysable Python file (%d files): nothing to grade", args[0], r.Header.Files)
			}
			for _, s := range skipped {
				if strings.HasPrefix(s, "archive: ") {
					return fmt.Errorf("%s: archive cut short (%s): raise the limit to grade the whole submission", args[0], strings.TrimPrefix(s, "archive: "))
				}
			}
			write := report.WriteMarkdown
			switch format {
			case "html":
				write = report.WriteHTML
			case "json":
				write = report.WriteJSON
			}
			if output == "" {
				return write(cmd.OutOrStdout(), r)
			}
			return safeio.WriteFile(output, 0o644, func(w io.Writer) error { return write(w, r) })
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&output, "output", "o", "", "write the report to this file instead of standard output")
	fl.StringVar(&format, "format", "md", "md, html (one self-contained page) or json (every item with its status, evidence and question)")
	fl.BoolVar(&respect, "respect-suppressions", false, "leave out the findings the submission's own suppression comments silence (by default they count, and are listed)")
	fl.BoolVar(&printChecklist, "print-checklist", false, "print the default checklist file and exit")
	af.bind(cmd, &checklist, &jobs)
	return cmd
}

// openSubmission returns the directory to analyse: the path itself, or a
// private temporary directory holding the unpacked archive.
func openSubmission(ctx context.Context, p string, lim archive.Limits) (dir, name string, skipped []string, cleanup func(), err error) {
	cleanup = func() {}
	if !archive.IsArchive(p) {
		abs, err := filepath.Abs(p)
		if err != nil {
			return "", "", nil, cleanup, err
		}
		return p, filepath.Base(abs), nil, cleanup, nil
	}
	tmp, err := os.MkdirTemp("", "rubric-report-")
	if err != nil {
		return "", "", nil, cleanup, err
	}
	cleanup = func() { os.RemoveAll(tmp) }
	res, err := archive.Extract(ctx, p, tmp, lim)
	if err != nil {
		cleanup()
		return "", "", nil, func() {}, interrupted(ctx, fmt.Errorf("%s: %w", p, err))
	}
	for _, s := range res.Skipped {
		skipped = append(skipped, s.String())
	}
	return res.Root, archive.Name(p), skipped, cleanup, nil
}

// interruptible returns a context cancelled by SIGINT or SIGTERM, so that
// commands unpacking archives into temporary folders remove them before
// exiting. A second signal kills at once.
func interruptible() (context.Context, context.CancelFunc) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // restore the default: a second Ctrl-C is not caught
	}()
	return ctx, stop
}

// interrupted turns an error caused by a signal into exit status 130.
func interrupted(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return &exitError{code: ExitInterrupted}
	}
	return err
}

func newGradeCmd() *cobra.Command {
	var (
		out, checklist, salt string
		anonymize, respect   bool
		jobs                 int
		af                   archiveFlags
		budget               report.Budget
	)
	cmd := &cobra.Command{
		Use:   "grade SUBMISSION ... --out DIR",
		Short: "Grade many submissions: one report each plus an index (Markdown, HTML, CSV, JSON)",
		Long: `Analyse each submission (directories, .zip, .tar.gz, .tgz) and write DIR/<name>.md and
DIR/<name>.html for each, plus DIR/index.md, DIR/index.html and DIR/index.csv comparing them.
Archives are unpacked into private temporary directories, never executed, within the limits below.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return fmt.Errorf("--out DIR is required")
			}
			cl, err := loadChecklist(checklist)
			if err != nil {
				return err
			}
			if salt == "" {
				salt = os.Getenv("RUBRIC_ANONYMIZE_SALT")
			}
			o := report.GradeOptions{OutDir: out, Anonymize: anonymize, Limits: af.limits(), Rules: all.Rules(),
				Jobs: jobs, Version: buildinfo.Version, Checklist: cl, Budget: budget, RespectSuppressions: respect, Salt: salt}
			errw := cmd.ErrOrStderr()
			if f, ok := errw.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
				o.Progress = progressBar(errw)
			}
			ctx, stop := interruptible()
			defer stop()
			rows, err := report.Grade(ctx, args, o)
			if err != nil {
				return interrupted(ctx, err)
			}
			failed := 0
			for _, r := range rows {
				if r.Err != "" {
					failed++
					fmt.Fprintf(errw, "rubric: %s: %s\n", r.Input, r.Err)
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "graded %d submissions into %s (index.md, index.html, index.csv, index.json)\n", len(rows)-failed, out)
			if failed > 0 {
				return &exitError{code: ExitFindings}
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&out, "out", "", "directory for the reports and the index (created if missing)")
	fl.BoolVar(&anonymize, "anonymize", false, "replace names from paths, git authors and README headings with salted labels")
	fl.StringVar(&salt, "salt", "", "key of the anonymous labels (default $RUBRIC_ANONYMIZE_SALT, else random per batch): the same salt gives the same labels in every batch")
	fl.BoolVar(&respect, "respect-suppressions", false, "leave out the findings the submissions' own suppression comments silence")
	fl.IntVar(&budget.MaxFiles, "max-submission-files", report.DefaultBudget.MaxFiles, "a submission with more Python files is an error row")
	fl.Int64Var(&budget.MaxBytes, "max-submission-bytes", report.DefaultBudget.MaxBytes, "a submission with more bytes of Python is an error row")
	fl.DurationVar(&budget.Timeout, "submission-timeout", report.DefaultBudget.Timeout, "a submission taking longer to unpack and analyse is an error row")
	af.bind(cmd, &checklist, &jobs)
	return cmd
}

// progressBar draws "[#####.....] 3/10 name" on one terminal line.
func progressBar(w io.Writer) func(done, total int, name string) {
	const width = 30
	return func(done, total int, name string) {
		n := width
		if total > 0 {
			n = done * width / total
		}
		if len(name) > 40 {
			name = "…" + name[len(name)-39:]
		}
		fmt.Fprintf(w, "\r\x1b[K[%s%s] %d/%d %s", strings.Repeat("#", n), strings.Repeat(".", width-n), done, total, name)
		if done == total {
			fmt.Fprintln(w)
		}
	}
}
