package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/rules/all"
)

func newBenchCmd() *cobra.Command {
	var rounds, jobs int
	cmd := &cobra.Command{
		Use:   "bench PATH ...",
		Short: "Time parse-only and full analysis over a corpus (for `make bench`)",
		Long: `Runs the analysis twice per round over the paths: parse and index only, then every rule.
Prints files, lines, bytes, the best time of each mode over the rounds, throughput, and the ratio
full/parse-only (what the rules add on top of parsing).`,
		Hidden: true,
		Args:   cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rules := analyzer.Select(all.Rules(), []string{"ALL"}, nil)
			// Rounds alternate parse-only and full runs so that a change in
			// the machine's load affects both modes alike; the best of each
			// is kept.
			// CPU time (user + system) is reported too: unlike wall time it
			// barely moves when other processes compete for the cores.
			once := func(parseOnly bool) (time.Duration, time.Duration, *analyzer.Result, error) {
				cpu0 := cpuTime()
				start := time.Now()
				r, err := analyzer.Run(context.Background(), analyzer.Config{Rules: rules, Jobs: jobs, ParseOnly: parseOnly}, args)
				return time.Since(start), cpuTime() - cpu0, r, err
			}
			var parse, full, parseCPU, fullCPU time.Duration
			var res, fullRes *analyzer.Result
			for i := 0; i < rounds; i++ {
				d, c, r, err := once(true)
				if err != nil {
					return err
				}
				if parse == 0 || d < parse {
					parse = d
				}
				if parseCPU == 0 || c < parseCPU {
					parseCPU = c
				}
				res = r
				d, c, r, err = once(false)
				if err != nil {
					return err
				}
				if full == 0 || d < full {
					full = d
				}
				if fullCPU == 0 || c < fullCPU {
					fullCPU = c
				}
				fullRes = r
			}
			mb := float64(res.Stats.Bytes) / (1 << 20)
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "corpus:     %d files, %d lines, %.1f MB (%d rules, -j %d, best of %d)\n",
				res.Stats.Files, res.Stats.Lines, mb, len(rules), jobsOrCPU(jobs), rounds)
			fmt.Fprintf(out, "parse-only: %.3f s wall  %.1f MB/s  %.3f s CPU\n", parse.Seconds(), mb/parse.Seconds(), parseCPU.Seconds())
			fmt.Fprintf(out, "full:       %.3f s wall  %.1f MB/s  %.3f s CPU  (%d findings)\n", full.Seconds(), mb/full.Seconds(), fullCPU.Seconds(), len(fullRes.Diagnostics))
			fmt.Fprintf(out, "ratio:      %.2f wall, %.2f CPU (rules add %.0f%% CPU to parse-only)\n", full.Seconds()/parse.Seconds(),
				fullCPU.Seconds()/parseCPU.Seconds(), 100*(fullCPU.Seconds()/parseCPU.Seconds()-1))
			return nil
		},
	}
	cmd.Flags().IntVar(&rounds, "rounds", 3, "runs of each mode; the best is reported")
	cmd.Flags().IntVarP(&jobs, "jobs", "j", 0, "files analysed in parallel (default: number of CPUs)")
	return cmd
}

func jobsOrCPU(j int) int {
	if j > 0 {
		return j
	}
	return runtimeCPU()
}
