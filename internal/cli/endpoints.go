package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

func newEndpointsCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "endpoints [PATH ...]",
		Short: "Print the endpoint inventory: routes, methods, who may call each view and what it does",
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return fmt.Errorf("--format: unknown format %q (want text or json)", format)
			}
			if len(args) == 0 {
				args = []string{"."}
			}
			res, err := analyzer.Run(context.Background(), analyzer.Config{ParseOnly: true}, args)
			if err != nil {
				return err
			}
			rows := semantic.Surface(res.Index)
			if format == "json" {
				if rows == nil {
					rows = []semantic.EndpointRow{}
				}
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(rows)
			}
			return printEndpoints(cmd.OutOrStdout(), rows)
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "text or json")
	return cmd
}

// printEndpoints writes the inventory as a table, one line per endpoint,
// what it does in the last column.
func printEndpoints(w io.Writer, rows []semantic.EndpointRow) error {
	if len(rows) == 0 {
		_, err := fmt.Fprintln(w, "no endpoints found")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ROUTE\tMETHODS\tOPEN TO\tAUTH\tVIEW\tDOES")
	for _, r := range rows {
		route := r.Route
		if route == "" {
			route = "(not routed)"
		} else {
			route = "/" + strings.TrimPrefix(route, "/")
		}
		auth := r.Auth
		if r.CSRFExempt {
			auth += ", csrf_exempt"
		}
		var does []string
		if len(r.Writes) > 0 {
			does = append(does, "writes "+strings.Join(r.Writes, ", "))
		}
		if len(r.Reads) > 0 {
			does = append(does, "reads "+strings.Join(r.Reads, ", "))
		}
		if len(r.HTTPCalls) > 0 {
			does = append(does, "calls "+strings.Join(r.HTTPCalls, ", "))
		}
		if len(r.Tasks) > 0 {
			does = append(does, "queues "+strings.Join(r.Tasks, ", "))
		}
		if r.MovesMoney {
			does = append(does, "moves money")
		}
		if r.Webhook != nil {
			v := "unverified"
			if r.Webhook.Verified {
				v = "verified"
			}
			does = append(does, "webhook ("+strings.Join(r.Webhook.Signals, ", ")+"; "+v+")")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s (%s:%d)\t%s\n", route, strings.Join(r.Methods, ","), r.OpenTo, auth, r.View,
			r.Path, r.Line, strings.Join(does, "; "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%d endpoints\n", len(rows))
	return err
}
