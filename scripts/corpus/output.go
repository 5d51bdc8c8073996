package main

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
)

func pct(n, d int) string {
	if d == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f%%", 100*float64(n)/float64(d))
}

// PrintText writes the human report: per submission, per rule, overall, recall, misses, checklist,
// and the findings left to judge.
func PrintText(w io.Writer, results []*SubmissionResult, sum *Summary, kinds *Kinds, allMissed bool) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	flush := func() { _ = tw.Flush() }

	analysed := 0
	fmt.Fprintln(w, "Per submission")
	fmt.Fprintln(tw, "submission\tfindings\ttrue\tnoise\twrong\tunjudged\tdefects found\tchecklist")
	for _, r := range results {
		if r.Skipped != "" {
			fmt.Fprintf(tw, "%s\tskipped: %s\n", r.Slug, r.Skipped)
			continue
		}
		analysed++
		var st RuleStats
		for _, m := range r.Findings {
			st.add(m)
		}
		found := 0
		for _, d := range r.Defects {
			if d.Found() {
				found++
			}
		}
		from := r.ReportFrom
		if from == "" {
			from = "-"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d/%d\t%s\n", r.Slug, st.Findings, st.True, st.Noise, st.Wrong, st.Unjudged, found, len(r.Defects), from)
	}
	flush()

	fmt.Fprintf(w, "\nPer rule (precision = true / judged; noise split severity/repeat/not-worth)\n")
	fmt.Fprintln(tw, "rule\tfindings\ttrue\tnoise\twrong\tunjudged\tprecision\tnoise s/r/n")
	for _, r := range sum.Rules {
		p := "-"
		if v, ok := r.Precision(); ok {
			p = fmt.Sprintf("%.0f%%", 100*v)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%s\t%d/%d/%d\n", r.Code, r.Findings, r.True, r.Noise, r.Wrong, r.Unjudged, p,
			r.NoiseBy["severity"], r.NoiseBy["repeat"], r.NoiseBy["not-worth"])
	}
	flush()

	o := sum.Overall
	fmt.Fprintf(w, "\nOverall: %d findings on %d submissions: %d true (%s), %d noise (%s), %d wrong (%s), %d unjudged; precision %s of judged\n",
		o.Findings, analysed, o.True, pct(o.True, o.Findings), o.Noise, pct(o.Noise, o.Findings), o.Wrong, pct(o.Wrong, o.Findings), o.Unjudged, pct(o.True, o.Judged()))
	fmt.Fprintf(w, "Noise by reason: severity %d, repeat %d, not-worth %d\n", o.NoiseBy["severity"], o.NoiseBy["repeat"], o.NoiseBy["not-worth"])

	fmt.Fprintf(w, "\nRecall of labelled defects: %d/%d (%s)", sum.AllDefects.Found, sum.AllDefects.Labelled, pct(sum.AllDefects.Found, sum.AllDefects.Labelled))
	var bySev []string
	for _, r := range sum.BySeverity {
		bySev = append(bySev, fmt.Sprintf("%s %d/%d", r.Key, r.Found, r.Labelled))
	}
	fmt.Fprintf(w, "; by severity: %s\n", strings.Join(bySev, ", "))
	fmt.Fprintln(tw, "kind\tlabelled\tfound\trecall\trules")
	for _, r := range sum.ByKind {
		codes := strings.Join(kinds.Kinds[r.Key].Codes, ",")
		if codes == "" {
			codes = "(none yet)"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\n", r.Key, r.Labelled, r.Found, pct(r.Found, r.Labelled), codes)
	}
	flush()

	title := "Missed high-severity defects"
	if allMissed {
		title = "Missed defects"
	}
	fmt.Fprintf(w, "\n%s\n", title)
	for _, d := range sum.Missed {
		if !allMissed && d.Defect.Severity != "high" {
			continue
		}
		fmt.Fprintf(w, "  [%s] %s %s:%d %s: %s\n", d.Defect.Severity, d.Slug, d.Defect.Path, d.Defect.Line, d.Defect.Kind, d.Defect.Note)
	}

	printChecklist(w, tw, results, sum)

	fmt.Fprintf(w, "\nUnjudged findings: %d", len(sum.Unjudged))
	if len(sum.Unjudged) > 0 {
		fmt.Fprint(w, " (judge them: append to the submission's file with a verdict)")
	}
	fmt.Fprintln(w)
	last := ""
	for _, u := range sum.Unjudged {
		if u.Slug != last {
			fmt.Fprintf(w, "# takehomes/%s.toml\n", u.Slug)
			last = u.Slug
		}
		f := u.Finding
		fmt.Fprintf(w, "[[finding]]\ncode = %s\npath = %s\nline = %d\nmessage = %s\nverdict = \"\"\n\n",
			strconv.Quote(f.Code), strconv.Quote(f.Path), f.Line, strconv.Quote(messagePrefix(f.Message)))
	}
	if sum.Stale > 0 {
		fmt.Fprintf(w, "Stale judgements (their finding no longer appears): %d\n", sum.Stale)
	}
}

func printChecklist(w io.Writer, tw *tabwriter.Writer, results []*SubmissionResult, sum *Summary) {
	froms := map[string]bool{}
	var notes []string
	for _, r := range results {
		if r.Skipped != "" {
			continue
		}
		if r.ReportFrom != "" {
			froms[r.ReportFrom] = true
		}
		if r.ReportNote != "" && !containsString(notes, r.ReportNote) {
			notes = append(notes, r.ReportNote)
		}
	}
	fmt.Fprintf(w, "\nChecklist: rubric's status against the labels")
	if len(froms) == 0 {
		fmt.Fprintf(w, ": skipped (%s)\n", strings.Join(notes, "; "))
		return
	}
	var fs []string
	for f := range froms {
		fs = append(fs, f)
	}
	sort.Strings(fs)
	fmt.Fprintf(w, " (read from: %s)\n", strings.Join(fs, ", "))
	for _, n := range notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
	fmt.Fprintln(tw, "item\t"+strings.Join(outcomes, "\t"))
	total := map[string]int{}
	for _, it := range sum.Checklist {
		row := []string{it.Item}
		for _, o := range outcomes {
			row = append(row, strconv.Itoa(it.Outcomes[o]))
			total[o] += it.Outcomes[o]
		}
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	row := []string{"all"}
	for _, o := range outcomes {
		row = append(row, strconv.Itoa(total[o]))
	}
	fmt.Fprintln(tw, strings.Join(row, "\t"))
	_ = tw.Flush()
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// messagePrefix is the part of a message a judgement keys on: up to 60 characters, cut at a space.
func messagePrefix(msg string) string {
	r := []rune(msg)
	if len(r) <= 60 {
		return msg
	}
	cut := string(r[:60])
	if i := strings.LastIndexByte(cut, ' '); i > 30 {
		return cut[:i]
	}
	return cut
}
