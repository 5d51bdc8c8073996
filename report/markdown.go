package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/rubric-dev/rubric/analyzer/printer"
)

// Disclaimer heads every report and index.
const Disclaimer = "A starting point for the reviewer's judgement, never a verdict: rubric reads the code without running it, and the suggested bands only count what it could see."

// WriteMarkdown renders the report as Markdown.
func WriteMarkdown(w io.Writer, r *Report) error {
	b := bufio.NewWriter(w)
	// Names, paths and code come from the submission: control characters
	// are escaped so that none reaches a terminal showing the file.
	p := func(format string, a ...any) { b.WriteString(printer.EscapeControls(fmt.Sprintf(format, a...))) }
	h := r.Header
	p("# Reviewer checklist: %s\n\n", mdText(h.Name))
	p("> %s\n\n", Disclaimer)
	p("| Submission | %s |\n|---|---|\n", mdCell(h.Name))
	p("| Files | %d (%d Python, %d lines) |\n", h.Files, h.PythonFiles, h.PythonLines)
	p("| Test files | %d |\n", h.TestFiles)
	p("| Migrations | %d |\n", h.Migrations)
	p("| Models | %d |\n", h.Models)
	p("| Files with syntax errors | %d |\n", h.SyntaxErrors)
	p("| Findings | %d |\n", h.Findings)
	p("| Checklist | %s |\n", mdCell(h.Checklist))
	p("| rubric | %s |\n", mdCell(h.RubricVersion))
	p("| Analysed at | %s |\n\n", h.AnalysedAt.Format(time.RFC3339))

	p("## Summary\n\n")
	p("Scoring matrix of the interview guide. Items per category: met / not met / needs a human / not applicable. The suggested band is a starting point for a human decision.\n\n")
	p("| Category | Weight | Min | Met | Not met | Human | N/A | Evidence | Suggested band |\n")
	p("|---|--:|--:|--:|--:|--:|--:|--:|---|\n")
	for _, c := range r.Categories {
		band := c.Band.Label
		if len(c.Areas) == 0 {
			band = "not assessed from code: decide in the interview"
		}
		p("| %s | %s%% | %d | %d | %d | %d | %d | %d | %s |\n", mdCell(c.Title), trimFloat(c.Weight), c.MinScore,
			c.Counts.Met, c.Counts.NotMet, c.Counts.NeedsHuman, c.Counts.NotApplicable, c.Counts.Evidence, mdCell(band))
	}
	p("\n| Review area | Feeds | Met | Not met | Human | N/A | Evidence | Suggested band |\n")
	p("|---|---|--:|--:|--:|--:|--:|---|\n")
	for _, a := range r.Areas {
		p("| %s | %s | %d | %d | %d | %d | %d | %s |\n", mdCell(a.Title), mdCell(r.categoryTitle(a.Category)),
			a.Counts.Met, a.Counts.NotMet, a.Counts.NeedsHuman, a.Counts.NotApplicable, a.Counts.Evidence, mdCell(a.Band.Label))
	}
	p("\n")

	for _, a := range r.Areas {
		p("## %s\n\n", mdText(a.Title))
		p("*%s; feeds %s.*\n\n", mdText(a.Source), mdText(r.categoryTitle(a.Category)))
		for _, it := range a.Items {
			p("- %s **%s**: %s (%s)\n", it.Status.Mark(), mdText(it.Title), it.Status.Label(), mdText(it.Reason))
			for _, e := range it.Evidence {
				p("  - %s\n", mdEvidence(e))
			}
			if it.More > 0 {
				p("  - and %d more\n", it.More)
			}
			if it.Question != "" {
				p("  - **Ask:** %s\n", it.Question)
			}
		}
		p("\n")
	}

	if len(r.Unmapped) > 0 {
		p("## Findings outside the checklist\n\n")
		for _, e := range r.Unmapped {
			p("- %s\n", mdEvidence(e))
		}
		p("\n")
	}

	p("## Signals\n\n")
	p("Facts read from the files, without rules.\n\n")
	p("| Signal | Value | First evidence | Meaning |\n|---|---|---|---|\n")
	for _, s := range r.Signals {
		first := ""
		if len(s.Evidence) > 0 {
			first = "`" + s.Evidence[0].Location() + "`"
		}
		p("| `%s` | %s | %s | %s |\n", s.Name, mdCell(displayOf(&s)), first, mdCell(s.Doc))
	}
	if len(r.Skipped) > 0 {
		p("\n## Not analysed\n\n")
		for _, s := range r.Skipped {
			p("- %s\n", mdText(s))
		}
	}
	return b.Flush()
}

func (r *Report) categoryTitle(id string) string {
	for _, c := range r.Categories {
		if c.ID == id {
			return c.Title
		}
	}
	if id == "" {
		return "no category"
	}
	return id
}

func mdEvidence(e Evidence) string {
	var sb strings.Builder
	sb.WriteString("`" + e.Location() + "`")
	if e.Rule != "" {
		sb.WriteString(" " + e.Rule)
	}
	if e.Code != "" {
		sb.WriteString(" " + mdCode(e.Code))
	}
	if e.Note != "" {
		sb.WriteString(": " + mdText(e.Note))
	}
	return sb.String()
}

// mdCode wraps s in enough backticks to hold it.
func mdCode(s string) string {
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// mdText keeps text on one line and stops it from opening HTML.
func mdText(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	return strings.NewReplacer("<", "&lt;", ">", "&gt;").Replace(s)
}

func mdCell(s string) string { return strings.ReplaceAll(mdText(s), "|", `\|`) }
