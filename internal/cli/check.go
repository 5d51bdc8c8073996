package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/printer"
	"github.com/rubric-dev/rubric/internal/buildinfo"
	"github.com/rubric-dev/rubric/rules/all"
)

type checkFlags struct {
	format        string
	output        string
	selects       []string
	ignores       []string
	failOn        string
	jobs          int
	maxFileSize   int64
	allowBareNoqa bool
	color         string
	exitZero      bool
}

func newCheckCmd() *cobra.Command {
	f := &checkFlags{}
	cmd := &cobra.Command{
		Use:   "check [PATH ...]",
		Short: "Analyse Python files and report findings",
		Long: `Analyse every *.py file under the paths (default ".") and report findings.

Exit status: 0 when no finding reaches --fail-on, 1 when one does, 2 on a usage or fatal error.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCheck(cmd, f, args)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.format, "format", "text", "output format: "+strings.Join(printer.Names(), ", "))
	fl.StringVarP(&f.output, "output", "o", "", "write the report to this file instead of standard output")
	fl.StringSliceVar(&f.selects, "select", nil, "rules to run: codes, family prefixes (ERR) or names; ALL for every rule")
	fl.StringSliceVar(&f.ignores, "ignore", nil, "rules not to run: codes, family prefixes or names")
	fl.StringVar(&f.failOn, "fail-on", "warning", "lowest severity that makes the exit status 1: info, warning, error or none")
	fl.IntVarP(&f.jobs, "jobs", "j", 0, "files analysed in parallel (default: number of CPUs)")
	fl.Int64Var(&f.maxFileSize, "max-file-size", 0, "skip files larger than this many bytes (default 4 MiB)")
	fl.BoolVar(&f.allowBareNoqa, "allow-bare-noqa", false, "let a bare `# noqa` (no codes) suppress every finding on its line")
	fl.StringVar(&f.color, "color", "auto", "colour the text output: auto (on a terminal, unless NO_COLOR is set), always or never")
	fl.BoolVar(&f.exitZero, "exit-zero", false, "exit 0 even when there are findings")
	return cmd
}

// selectRules applies --select/--ignore, rejecting selectors naming no rule.
func selectRules(sel, ign []string) ([]*analyzer.Rule, error) {
	rules := all.Rules()
	for _, s := range append(append([]string{}, sel...), ign...) {
		if !analyzer.KnownSelector(rules, strings.TrimSpace(s)) {
			return nil, fmt.Errorf("unknown rule or prefix %q (see `rubric rules`)", s)
		}
	}
	return analyzer.Select(rules, sel, ign), nil
}

func runCheck(cmd *cobra.Command, f *checkFlags, args []string) error {
	if len(args) == 0 {
		args = []string{"."}
	}
	failOn, err := analyzer.ParseSeverity(f.failOn)
	if err != nil {
		return fmt.Errorf("--fail-on: %w", err)
	}
	rules, err := selectRules(f.selects, f.ignores)
	if err != nil {
		return err
	}
	res, err := analyzer.Run(context.Background(), analyzer.Config{
		Rules: rules, Jobs: f.jobs, MaxFileSize: f.maxFileSize, AllowBareNoqa: f.allowBareNoqa,
	}, args)
	if err != nil {
		return err
	}
	var w io.Writer = cmd.OutOrStdout()
	useColor := false
	if f.output != "" {
		fh, err := os.Create(f.output)
		if err != nil {
			return fmt.Errorf("--output: %w", err)
		}
		defer fh.Close()
		w = fh
	} else {
		useColor = wantColor(f.color, cmd.OutOrStdout())
	}
	p, err := printer.New(f.format, printer.Options{Color: useColor, Version: buildinfo.Version})
	if err != nil {
		return err
	}
	if err := p.Print(w, res); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if f.exitZero || failOn == 0 {
		return nil
	}
	for _, d := range res.Diagnostics {
		if d.Severity >= failOn {
			return &exitError{code: ExitFindings}
		}
	}
	return nil
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
