package report

import (
	_ "embed"
	"html/template"
	"io"
	"time"
)

//go:embed report.html.tmpl
var reportHTML string

//go:embed index.html.tmpl
var indexHTML string

func htmlFuncs(r *Report) template.FuncMap {
	return template.FuncMap{
		"disclaimer": func() string { return Disclaimer },
		"rfc3339":    func(t time.Time) string { return t.Format(time.RFC3339) },
		"pct":        func(v float64) string { return trimFloat(v) + "%" },
		"display":    func(s Signal) string { return displayOf(&s) },
		"categoryTitle": func(id string) string {
			if r == nil {
				return id
			}
			return r.categoryTitle(id)
		},
	}
}

var reportTemplate = template.Must(template.Must(template.New("report").Funcs(htmlFuncs(nil)).Parse(reportHTML)).New("index").Parse(indexHTML))

// WriteHTML renders the report as one self-contained HTML page: inline
// CSS, no script, no external asset; it prints cleanly and reads on a phone.
func WriteHTML(w io.Writer, r *Report) error {
	t, err := reportTemplate.Clone()
	if err != nil {
		return err
	}
	return t.Funcs(htmlFuncs(r)).ExecuteTemplate(w, "report", r)
}

// WriteIndexHTML renders the batch index as one self-contained HTML page.
func WriteIndexHTML(w io.Writer, ix *Index) error {
	return reportTemplate.ExecuteTemplate(w, "index", ix)
}
