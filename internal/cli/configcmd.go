package cli

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/rubric-dev/rubric/internal/config"
	"github.com/rubric-dev/rubric/rules/all"
)

func newConfigCmd() *cobra.Command {
	f := &configFlags{}
	cmd := &cobra.Command{
		Use:   "config [PATH]",
		Short: "Print the effective configuration and where each value came from",
		Long: `Print the configuration ` + "`rubric check PATH`" + ` would use, merged from defaults, the configuration
file ([tool.rubric] in pyproject.toml, or rubric.toml, the nearest one up from PATH) and the flags
given here, with the origin of each value: default, a flag, or file:line.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				args = []string{"."}
			}
			wd, err := os.Getwd()
			if err != nil {
				return err
			}
			eff, err := f.effective(cmd.Flags(), args, wd)
			if err != nil {
				return err
			}
			printEffective(cmd, eff)
			return nil
		},
	}
	f.register(cmd.Flags())
	return cmd
}

func printEffective(cmd *cobra.Command, e *config.Effective) {
	out := cmd.OutOrStdout()
	if e.Source != nil {
		fmt.Fprintf(out, "# configuration file: %s\n", e.Source.Path)
	} else {
		fmt.Fprintln(out, "# no configuration file: defaults and flags only")
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	list := func(v []string) string {
		q := make([]string, len(v))
		for i, s := range v {
			q[i] = fmt.Sprintf("%q", s)
		}
		return "[" + strings.Join(q, ", ") + "]"
	}
	row := func(key, val string) { fmt.Fprintf(tw, "%s = %s\t# %s\n", key, val, e.Origin[key]) }
	row("select", list(e.Select))
	row("ignore", list(e.Ignore))
	row("extend-select", list(e.ExtendSelect))
	row("exclude", list(e.Exclude))
	row("extend-exclude", list(e.ExtendExclude))
	row("fail-on", fmt.Sprintf("%q", e.FailOnName))
	row("allow-bare-noqa", fmt.Sprint(e.AllowBareNoqa))
	row("foreign-noqa", fmt.Sprint(e.ForeignNoqa))
	row("src", list(e.Src))
	var globs []string
	for g := range e.PerFileIgnores {
		globs = append(globs, g)
	}
	sort.Strings(globs)
	var pfi []string
	for _, g := range globs {
		pfi = append(pfi, fmt.Sprintf("%q = %s", g, list(e.PerFileIgnores[g])))
	}
	row("per-file-ignores", "{"+strings.Join(pfi, ", ")+"}")
	var sev []string
	for c, s := range e.Severity {
		sev = append(sev, fmt.Sprintf("%s = %q", c, s))
	}
	sort.Strings(sev)
	row("severity", "{"+strings.Join(sev, ", ")+"}")
	var opts []string
	for c, m := range e.Options {
		for k, v := range m {
			opts = append(opts, fmt.Sprintf("%s.%s = %v", c, k, v))
		}
	}
	sort.Strings(opts)
	row("options", "{"+strings.Join(opts, ", ")+"}")
	var codes []string
	for _, r := range e.Rules(all.Rules()) {
		codes = append(codes, r.Code)
	}
	fmt.Fprintf(tw, "# rules that run (%d): %s\n", len(codes), strings.Join(codes, ", "))
	tw.Flush()
}
