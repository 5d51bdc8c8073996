package cli

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/internal/buildinfo"
	"github.com/rubric-dev/rubric/rules/all"
)

type ruleJSON struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	Family     string `json:"family"`
	Category   string `json:"category"`
	Severity   string `json:"severity"`
	Confidence string `json:"confidence"`
	Since      string `json:"since"`
	Default    bool   `json:"default"`
	Title      string `json:"title"`
	Doc        string `json:"doc,omitempty"`
}

func toRuleJSON(r *analyzer.Rule, withDoc bool) ruleJSON {
	j := ruleJSON{Code: r.Code, Name: r.Name, Family: r.Family(), Category: string(r.Category),
		Severity: r.Severity.String(), Confidence: r.Confidence.String(), Since: r.Since, Default: !r.NonDefault, Title: r.Title()}
	if withDoc {
		j.Doc = analyzer.RenderMarkdown(r)
	}
	return j
}

func newRulesCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List every rule: code, name, family, default severity and title",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			rules := all.Rules()
			if format == "json" {
				var out []ruleJSON
				for _, r := range rules {
					out = append(out, toRuleJSON(r, false))
				}
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(out)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "CODE\tNAME\tFAMILY\tSEVERITY\tTITLE")
			for _, r := range rules {
				title := r.Title()
				if r.NonDefault {
					title += " (off by default)"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Code, r.Name, r.Family(), r.Severity, title)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "text or json")
	return cmd
}

func newRuleCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "rule CODE",
		Short: "Print a rule's documentation: why it matters, example, instead, known limits",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			r := all.ByCode(args[0])
			if r == nil {
				return fmt.Errorf("unknown rule %q (see `rubric rules`)", args[0])
			}
			if format == "json" {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(toRuleJSON(r, true))
			}
			_, err := fmt.Fprint(cmd.OutOrStdout(), analyzer.RenderMarkdown(r))
			return err
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "text (Markdown) or json")
	return cmd
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print rubric's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintf(cmd.OutOrStdout(), "rubric %s\n", buildinfo.Version)
			return err
		},
	}
}
