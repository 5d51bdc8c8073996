package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
)

// PrintTable writes one row per case and per clean loop, then the totals per
// kind, per repository and overall.
func PrintTable(w io.Writer, cases []CaseResult, clean []CleanResult, t Totals) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CASE\tKIND\tFOUND\tVIA\tCLEARED\tFINDING")
	for _, r := range cases {
		found, via, cleared, finding := "no", "-", "-", ""
		switch {
		case r.Error != "":
			found, finding = "ERROR", r.Error
		case r.Found:
			found, via, cleared = "yes", r.Via, yesNo(r.Cleared)
			if len(r.Before) > 0 {
				finding = describe(r.Before[0])
			}
		}
		if r.Error == "" && len(r.After) > 0 {
			finding += " | still at fix: " + describe(r.After[0])
		}
		if r.Error == "" && len(r.Elsewhere) > 0 {
			finding += " | another loop on the access: " + describe(r.Elsewhere[0])
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, strings.Join(r.Kind, ","), found, via, cleared, finding)
	}
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "CLEAN LOOP\tALARMS\tFINDING")
	for _, r := range clean {
		switch {
		case r.Error != "":
			fmt.Fprintf(tw, "%s\tERROR\t%s\n", r.ID, r.Error)
		case len(r.Alarms) == 0:
			fmt.Fprintf(tw, "%s\t0\t\n", r.ID)
		default:
			fmt.Fprintf(tw, "%s\t%d\t%s\n", r.ID, len(r.Alarms), describe(r.Alarms[0]))
		}
	}
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "GROUP\tCASES\tFOUND\tFOUND %\tCLEARED\tCLEARED % (of found)\tERRORS")
	row := func(name string, y Tally) {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%d\t%s\t%d\n", name, y.Cases, y.Found, pct(y.Found, y.Cases-y.Errors), y.Cleared, pct(y.Cleared, y.Found), y.Errors)
	}
	for _, k := range Kinds {
		if y, ok := t.ByKind[k]; ok {
			row("kind "+k, y)
		}
	}
	for _, repo := range sortedKeys(t.ByRepo) {
		row(repo, t.ByRepo[repo])
	}
	row("OVERALL", t.Overall)
	fmt.Fprintln(tw)
	fmt.Fprintf(tw, "clean loops\t%d\tfalse alarms\t%d\terrors\t%d\n", t.CleanLoops, t.FalseAlarms, t.CleanErrors)
	return tw.Flush()
}

func describe(h Hit) string {
	return fmt.Sprintf("%s %s:%d %s", h.Code, h.Path, h.Line, h.Message)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func pct(n, d int) string {
	if d == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f%%", 100*float64(n)/float64(d))
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
