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
	p("| Suppression comments | %s |\n", mdCell(r.suppressionSummary()))
	p("| Checklist | %s |\n", mdCell(h.Checklist))
	p("| rubric | %s |\n", mdCell(h.RubricVersion))
	p("| Analysed at | %s |\n\n", h.AnalysedAt.Format(time.RFC3339))

	p("## Summary\n\n")
	p("Scoring matrix of the interview guide. Items per category: met / not met / not observed / not applicable. %s The suggested band is a starting point for a human decision.\n\n", StatusLegend)
	p("| Category | Weight | Min | Met | Not met | Not observed | N/A | Evidence | Suggested band |\n")
	p("|---|--:|--:|--:|--:|--:|--:|--:|---|\n")
	for _, c := range r.Categories {
		band := c.Band.Label
		if len(c.Areas) == 0 {
			band = "not assessed from code: decide in the interview"
		}
		p("| %s | %s%% | %d | %d | %d | %s | %d | %d | %s |\n", mdCell(c.Title), trimFloat(c.Weight), c.MinScore,
			c.Counts.Met, c.Counts.NotMet, notObservedCell(c.Counts), c.Counts.NotApplicable, c.Counts.Evidence, mdCell(band))
	}
	p("\n| Review area | Feeds | Met | Not met | Not observed | N/A | Evidence | Suggested band |\n")
	p("|---|---|--:|--:|--:|--:|--:|---|\n")
	for _, a := range r.Areas {
		p("| %s | %s | %d | %d | %s | %d | %d | %s |\n", mdCell(a.Title), mdCell(r.categoryTitle(a.Category)),
			a.Counts.Met, a.Counts.NotMet, notObservedCell(a.Counts), a.Counts.NotApplicable, a.Counts.Evidence, mdCell(a.Band.Label))
	}
	p("\n")
	if caps := r.Caps(); len(caps) > 0 {
		p("Bands capped by high-severity findings (see docs/checklist.md, \"Suggested band\"):\n\n")
		for _, c := range caps {
			p("- %s\n", mdText(c))
		}
		p("\n")
	}
	if r.NotJudged != "" {
		p("Migrations: %s\n\n", mdText(r.NotJudged))
	}

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
				p("  - **Ask:** %s\n", mdText(it.Question))
			}
		}
		p("\n")
	}

	writeEndpointsMarkdown(p, r.Endpoints)

	if m := r.Mermaid(); m != "" {
		p("## Model graph\n\n")
		p("Models of the project (outside tests and migrations) and their relations.\n\n```mermaid\n%s```\n\n", m)
	}

	if len(r.Suppressions) > 0 {
		p("## Suppression comments\n\n")
		if r.Respected {
			p("The findings these comments hide were left out of the checklist (`--respect-suppressions`).\n\n")
		} else {
			p("The checklist counts the findings these comments would hide (run with `--respect-suppressions` to leave them out).\n\n")
		}
		for _, s := range r.Suppressions {
			p("- `%s` %s: %s; %s\n", mdPath(s.Location()), mdCode(s.Code), mdText(s.Scope()), plural(len(s.Hides), "finding hidden", "findings hidden"))
			for _, e := range s.Hides {
				p("  - %s\n", mdEvidence(e))
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
			first = "`" + mdPath(s.Evidence[0].Location()) + "`"
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

// StatusLegend explains the statuses on every page.
const StatusLegend = "An item is met only with evidence in the code; not observed means neither a problem nor that evidence was found, and counts as not met (marked *) for items that require something."

// notObservedCell is "3 (2*)": items not observed, and among them those
// that count as not met.
func notObservedCell(c Counts) string {
	if c.RequiredNotObserved == 0 {
		return itoa(c.NotObserved)
	}
	return fmt.Sprintf("%d (%d*)", c.NotObserved, c.RequiredNotObserved)
}

// suppressionSummary is "2 (hiding 5 findings, counted)".
func (r *Report) suppressionSummary() string {
	if len(r.Suppressions) == 0 {
		return "none"
	}
	how := "counted in this checklist"
	if r.Respected {
		how = "left out (--respect-suppressions)"
	}
	return fmt.Sprintf("%d (hiding %s, %s)", len(r.Suppressions), plural(r.Hidden(), "finding", "findings"), how)
}

// Caps lists the bands capped by findings, one line each.
func (r *Report) Caps() []string {
	var out []string
	line := func(title string, b Band) string {
		return title + ": at most " + bandName(b.CapAt) + ", capped by " + b.Cap + " (suggested: " + b.Label + ")"
	}
	for _, a := range r.Areas {
		if a.Band.Cap != "" {
			out = append(out, line(a.Title, a.Band))
		}
	}
	for _, c := range r.Categories {
		if c.Band.Cap != "" && len(c.Areas) > 0 {
			out = append(out, line(c.Title+" (category)", c.Band))
		}
	}
	return out
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
	sb.WriteString("`" + mdPath(e.Location()) + "`")
	if e.Rule != "" {
		sb.WriteString(" " + e.Rule)
	}
	if e.Code != "" {
		sb.WriteString(" " + mdCode(e.Code))
	}
	if e.Note != "" {
		sb.WriteString(": " + mdText(e.Note))
	}
	if len(e.Also) > 0 {
		sb.WriteString(" (also `" + mdPath(strings.Join(e.Also, "`, `")) + "`)")
	}
	if e.Suppressed != "" {
		sb.WriteString(" (the candidate's comment at " + mdText(e.Suppressed) + " would hide it)")
	}
	return sb.String()
}

// mdPath keeps a path (from the submission's file names) on one line: a
// newline in a file name would otherwise start a line of the checklist
// that the candidate wrote ("- ✅ **Tests present**: met").
func mdPath(s string) string { return printer.EscapePath(s) }

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

// mdText keeps text on one line and stops it from opening HTML: "<" and
// ">" become entities outside code spans. Inside a code span (a run of
// backticks up to the next run of the same length, as CommonMark reads
// it) they stay as they are, since entities are not decoded there: a
// route `/orders/<int:pk>/` would read `/orders/&lt;int:pk&gt;/`.
func mdText(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	var sb strings.Builder
	for s != "" {
		i := strings.IndexByte(s, '`')
		if i < 0 {
			sb.WriteString(htmlAngles.Replace(s))
			break
		}
		sb.WriteString(htmlAngles.Replace(s[:i]))
		s = s[i:]
		n := len(s) - len(strings.TrimLeft(s, "`"))
		fence := s[:n]
		end := closingFence(s[n:], n)
		if end < 0 {
			// No closing run: the backticks are literal text.
			sb.WriteString(fence)
			s = s[n:]
			continue
		}
		sb.WriteString(s[:n+end+n])
		s = s[n+end+n:]
	}
	return sb.String()
}

var htmlAngles = strings.NewReplacer("<", "&lt;", ">", "&gt;")

// closingFence returns the offset in s of the first run of exactly n
// backticks, or -1.
func closingFence(s string, n int) int {
	for i := 0; i < len(s); {
		if s[i] != '`' {
			i++
			continue
		}
		j := i
		for j < len(s) && s[j] == '`' {
			j++
		}
		if j-i == n {
			return i
		}
		i = j
	}
	return -1
}

func mdCell(s string) string { return strings.ReplaceAll(mdText(s), "|", `\|`) }

// EndpointsIntro opens the endpoint table on every page.
const EndpointsIntro = "The endpoint inventory (`rubric endpoints`): every route, who may call it and what it does, read from the code without running it. Endpoints that change state are marked by who reaches them: open (anonymous callers), authorised (a caller is required, or a verified webhook delivery), unknown (rubric cannot read their protection)."

// writeEndpointsMarkdown writes the endpoint table, one row per endpoint.
func writeEndpointsMarkdown(p func(string, ...any), eps []Endpoint) {
	p("## Endpoints\n\n%s\n\n", EndpointsIntro)
	if len(eps) == 0 {
		p("No endpoint found: no URLconf rubric reads routes a view, and no function or class looks like one.\n\n")
		return
	}
	p("| Route | Methods | View | Who may call it | What it does | Webhook |\n|---|---|---|---|---|---|\n")
	for _, e := range eps {
		route := e.RouteText()
		if e.Route != "" {
			route = mdCodeCell(route)
		}
		p("| %s | %s | %s (%s) | %s%s | %s | %s |\n", route, mdCell(e.MethodsText()), mdCodeCell(e.ViewText()),
			mdCodeCell(mdPath(e.Location())), accessMark(e.Access), mdCell(e.CallerText()), mdCell(e.DoesText()), mdCell(e.WebhookText()))
	}
	p("\n")
}

// accessMark marks a state-changing endpoint by who reaches it.
func accessMark(access string) string {
	switch access {
	case accessOpen:
		return NotMet.Mark() + " open, "
	case accessAuthorised:
		return Met.Mark() + " authorised, "
	case accessUnknown:
		return NotObserved.Mark() + " unknown, "
	}
	return ""
}

// mdCodeCell is s as code in a table cell: on one line, pipes escaped.
func mdCodeCell(s string) string {
	return strings.ReplaceAll(mdCode(strings.Join(strings.Fields(s), " ")), "|", `\|`)
}
