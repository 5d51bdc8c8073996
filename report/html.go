package report

import (
	"bytes"
	_ "embed"
	"html/template"
	"io"
	"strings"
	"time"

	"github.com/rubric-dev/rubric/analyzer/printer"
)

//go:embed report.html.tmpl
var reportHTML string

//go:embed index.html.tmpl
var indexHTML string

func htmlFuncs(r *Report) template.FuncMap {
	return template.FuncMap{
		"disclaimer":         func() string { return Disclaimer },
		"inline":             inlineCode,
		"rfc3339":            func(t time.Time) string { return t.Format(time.RFC3339) },
		"pct":                func(v float64) string { return trimFloat(v) + "%" },
		"display":            func(s Signal) string { return displayOf(&s) },
		"legend":             func() string { return StatusLegend },
		"endpointsIntro":     func() string { return EndpointsIntro },
		"notObserved":        notObservedCell,
		"barParts":           barParts,
		"bandClass":          func(b Band) string { return "b" + itoa(b.High) },
		"bandNumber":         bandNumber,
		"suppressionSummary": func(r *Report) string { return r.suppressionSummary() },
		"categoryTitle": func(id string) string {
			if r == nil {
				return id
			}
			return r.categoryTitle(id)
		},
	}
}

// templates parses the page templates with functions bound to r. Parsing
// per page is cheap, and html/template cannot clone a set once executed.
func templates(r *Report) *template.Template {
	return template.Must(template.Must(template.New("report").Funcs(htmlFuncs(r)).Parse(reportHTML)).New("index").Parse(indexHTML))
}

// WriteHTML renders the report as one self-contained HTML page: inline
// CSS, no script, no external asset; it prints cleanly and reads on a phone.
func WriteHTML(w io.Writer, r *Report) error {
	return executeEscaped(w, templates(r), "report", r)
}

// WriteIndexHTML renders the batch index as one self-contained HTML page.
func WriteIndexHTML(w io.Writer, ix *Index) error {
	return executeEscaped(w, templates(nil), "index", ix)
}

// executeEscaped renders a page, then escapes the control characters a
// submission's names and code may hold (printer.EscapeControls).
func executeEscaped(w io.Writer, t *template.Template, name string, data any) error {
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		return err
	}
	_, err := io.WriteString(w, printer.EscapeControls(buf.String()))
	return err
}

// inlineCode escapes s and turns `spans` into <code> elements.
func inlineCode(s string) template.HTML {
	parts := strings.Split(s, "`")
	var b strings.Builder
	for i, p := range parts {
		esc := template.HTMLEscapeString(p)
		if i%2 == 1 && i < len(parts)-1 {
			b.WriteString("<code>" + esc + "</code>")
			continue
		}
		if i%2 == 1 {
			b.WriteString("`")
		}
		b.WriteString(esc)
	}
	return template.HTML(b.String())
}

// barPart is one segment of a status bar.
type barPart struct {
	Class, Label string
	N            int
}

// barParts splits counts into the bar's segments, empty ones left out.
func barParts(c Counts) []barPart {
	var out []barPart
	for _, p := range []barPart{{string(Met), "met", c.Met}, {string(NotMet), "not met", c.NotMet},
		{string(NotObserved), "not observed", c.NotObserved}, {string(NotApplicable), "not applicable", c.NotApplicable}} {
		if p.N > 0 {
			out = append(out, p)
		}
	}
	return out
}

// bandNumber is "4-5", "3", or "–" when nothing was decided.
func bandNumber(b Band) string {
	switch {
	case b.High == 0:
		return "–"
	case b.Low != 0 && b.Low != b.High:
		return itoa(b.Low) + "-" + itoa(b.High)
	}
	return itoa(b.High)
}
