package analyzer

import (
	"fmt"
	"strings"
)

// RenderMarkdown renders a rule's documentation page: title, metadata from
// the struct, then the doc's sections. One renderer serves `rubric rule`,
// docs/rules and SARIF help.
func RenderMarkdown(r *Rule) string {
	d := ParseDoc(r.Doc)
	var b strings.Builder
	fmt.Fprintf(&b, "# %s (%s): %s\n\n", r.Code, r.Name, d.Title)
	fmt.Fprintf(&b, "- Family: `%s` (%s)\n", r.Family(), Families[r.Family()])
	fmt.Fprintf(&b, "- Category: %s\n", r.Category)
	fmt.Fprintf(&b, "- Default severity: %s\n", r.Severity)
	fmt.Fprintf(&b, "- Confidence: %s\n", r.Confidence)
	fmt.Fprintf(&b, "- Available since: %s\n", r.Since)
	if r.Stack != 0 {
		fmt.Fprintf(&b, "- Runs on: projects where a file imports %s\n", r.Stack)
	}
	if r.NonDefault {
		b.WriteString("- Off by default: enable it with `--select " + r.Code + "`\n")
	}
	if d.Intro != "" {
		b.WriteString("\n" + d.Intro + "\n")
	}
	for _, s := range d.Order {
		fmt.Fprintf(&b, "\n## %s\n\n%s\n", s, d.Sections[s])
	}
	if len(r.Options) > 0 && d.Section("Options") == "" {
		b.WriteString("\n## Options\n\n")
		for _, o := range r.Options {
			fmt.Fprintf(&b, "- `%s` (default `%v`): %s\n", o.Name, o.Default, o.Doc)
		}
	}
	return b.String()
}
