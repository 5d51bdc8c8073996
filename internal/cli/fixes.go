package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	udiff "github.com/aymanbagabas/go-udiff"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/printer"
)

// reportFixNotes tells, on standard error, which fixes were refused and
// whether the rounds settled.
func (r *checkRun) reportFixNotes(fr *analyzer.FixResult) {
	if r.f.quiet {
		return
	}
	w := r.cmd.ErrOrStderr()
	for _, rj := range fr.Rejected {
		fmt.Fprintf(w, "rubric: %s:%d: %s fix not applied: %s\n", printer.EscapePath(rj.Path), rj.Line, rj.Code, printer.EscapeControls(rj.Reason))
	}
	if !fr.Converged {
		fmt.Fprintln(w, "rubric: warning: fixes were still applying after the last round allowed; run again and review the changes")
	}
	if r.f.fix && !r.f.diff && len(fr.Applied) > 0 {
		fmt.Fprintf(w, "rubric: fixed %s in %s\n", plural(len(fr.Applied), "finding"), plural(len(fr.Changed()), "file"))
	}
}

// printDiff writes the fixes as a unified diff on standard output, and
// returns 1 when a file would change (0 with --exit-zero).
func (r *checkRun) printDiff(fr *analyzer.FixResult) (int, error) {
	w := r.cmd.OutOrStdout()
	changed := fr.Changed()
	for _, rel := range changed {
		// File names are escaped in the headers (a name with an ESC
		// sequence must not reach the terminal); the hunks stay as the
		// files are, so that the patch applies.
		name := printer.EscapePath(rel)
		d := udiff.Unified("a/"+name, "b/"+name, string(fr.Before[rel]), string(fr.After[rel]))
		if _, err := io.WriteString(w, d); err != nil {
			return ExitError, err
		}
	}
	if r.f.showFixes {
		r.showFixes(fr)
	}
	if !r.f.quiet {
		fmt.Fprintf(r.cmd.ErrOrStderr(), "rubric: would fix %s in %s\n", plural(len(fr.Applied), "finding"), plural(len(changed), "file"))
	}
	if len(changed) > 0 && !r.f.exitZero {
		return ExitFindings, nil
	}
	return ExitClean, nil
}

// showFixes lists the fixes applied (or that --fix would apply) by file
// and rule, as ruff's --show-fixes does. It goes to standard output when
// that carries text, else to standard error.
func (r *checkRun) showFixes(fr *analyzer.FixResult) {
	w := r.cmd.ErrOrStderr()
	for _, t := range r.outs {
		if t.path == "" && (t.format == "text" || t.format == "concise") && !r.f.diff && !(r.stdin && r.f.fix) {
			w = r.cmd.OutOrStdout()
		}
	}
	verb := "Would fix"
	if r.f.fix && !r.f.diff {
		verb = "Fixed"
	}
	if len(fr.Applied) == 0 {
		fmt.Fprintf(w, "%s nothing.\n", verb)
		return
	}
	fmt.Fprintf(w, "%s %s:\n", verb, plural(len(fr.Applied), "finding"))
	type key struct{ path, code, name string }
	counts := map[key]int{}
	var keys []key
	for _, a := range fr.Applied {
		k := key{a.Path, a.Code, a.Name}
		if counts[k] == 0 {
			keys = append(keys, k)
		}
		counts[k]++
	}
	sort.SliceStable(keys, func(i, j int) bool {
		if keys[i].path != keys[j].path {
			return keys[i].path < keys[j].path
		}
		return keys[i].code < keys[j].code
	})
	last := ""
	for _, k := range keys {
		if k.path != last {
			fmt.Fprintf(w, "- %s:\n", printer.EscapePath(k.path))
			last = k.path
		}
		fmt.Fprintf(w, "    %d × %s (%s)\n", counts[k], k.code, k.name)
	}
}

// statistic is one row of --statistics.
type statistic struct {
	Code    string `json:"code"`
	Name    string `json:"name"`
	Count   int    `json:"count"`
	Fixable bool   `json:"fixable"` // every one has a safe fix
}

// printStatistics writes the number of findings per rule, most frequent
// first: a table, or a JSON array for the json format.
func printStatistics(w io.Writer, format string, res *analyzer.Result) error {
	by := map[string]*statistic{}
	var rows []*statistic
	for _, d := range res.Diagnostics {
		s := by[d.Code]
		if s == nil {
			s = &statistic{Code: d.Code, Name: d.Name, Fixable: true}
			by[d.Code] = s
			rows = append(rows, s)
		}
		s.Count++
		s.Fixable = s.Fixable && len(d.Fixes) > 0 && d.Fixes[0].Applicability == analyzer.Safe
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].Count != rows[j].Count {
			return rows[i].Count > rows[j].Count
		}
		return rows[i].Code < rows[j].Code
	})
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if rows == nil {
			rows = []*statistic{}
		}
		return enc.Encode(rows)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 1, ' ', tabwriter.AlignRight)
	for _, s := range rows {
		mark := ""
		if s.Fixable {
			mark = "[*] "
		}
		fmt.Fprintf(tw, "%d\t %s\t %s\n", s.Count, s.Code, strings.TrimSpace(mark+s.Name))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(rows) == 0 {
		_, err := fmt.Fprintln(w, "No findings.")
		return err
	}
	return nil
}
