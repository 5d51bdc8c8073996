package printer

import (
	"io"
	"net/url"
	"strings"

	"github.com/owenrumney/go-sarif/v2/sarif"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/baseline"
)

// DocsBaseURL is where docs/rules/CODE.md pages live in the repository; the
// default of Options.RuleDocURL.
const DocsBaseURL = "https://github.com/rubric-dev/rubric/blob/main/docs/rules/"

// SARIF writes SARIF 2.1.0 as GitHub code scanning reads it. Columns count
// Unicode code points (run.columnKind says so), the unit of Position.Column.
type SARIF struct{ opts Options }

// ruleDocURL returns the documentation link of a rule: o.RuleDocURL, or
// the rule's page under DocsBaseURL.
func (o Options) ruleDocURL(code string) string {
	if o.RuleDocURL != nil {
		return o.RuleDocURL(code)
	}
	return DocsBaseURL + code + ".md"
}

func sarifLevel(s analyzer.Severity) string {
	switch s {
	case analyzer.Error:
		return "error"
	case analyzer.Warning:
		return "warning"
	}
	return "note"
}

// precision follows GitHub's property of that name.
func precision(c analyzer.Confidence) string {
	switch c {
	case analyzer.High:
		return "high"
	case analyzer.Medium:
		return "medium"
	}
	return "low"
}

// Print writes the report.
func (p *SARIF) Print(w io.Writer, r *analyzer.Result) error {
	rep, err := p.Build(r)
	if err != nil {
		return err
	}
	if err := rep.PrettyWrite(w); err != nil {
		return err
	}
	_, err = io.WriteString(w, "\n")
	return err
}

// Build converts a result to a SARIF log.
func (p *SARIF) Build(r *analyzer.Result) (*sarif.Report, error) {
	rep, err := sarif.New(sarif.Version210)
	if err != nil {
		return nil, err
	}
	driver := sarif.NewVersionedDriver("rubric", p.opts.Version).
		WithInformationURI("https://github.com/rubric-dev/rubric").
		WithSemanticVersion(p.opts.Version)
	index := map[string]int{}
	for _, ru := range r.Rules {
		index[ru.Code] = len(driver.Rules)
		driver.Rules = append(driver.Rules, sarifRule(ru, p.opts.ruleDocURL(ru.Code)))
	}
	run := sarif.NewRun(*sarif.NewTool(driver))
	run.WithColumnKind("unicodeCodePoints")
	run.Results = []*sarif.Result{}
	run.AddInvocation(true)
	fps := baseline.Fingerprints(r)
	for i, d := range r.Diagnostics {
		res := sarif.NewRuleResult(d.Code).
			WithLevel(sarifLevel(d.Severity)).
			WithMessage(sarif.NewTextMessage(d.Message)).
			WithLocations([]*sarif.Location{sarif.NewLocationWithPhysicalLocation(physical(d.Path, region(d.Pos.Line, d.Pos.Column, d.EndPos.Line, d.EndPos.Column)))}).
			WithPartialFingerPrints(map[string]interface{}{baseline.Version: fps[i]})
		if ix, ok := index[d.Code]; ok {
			res.WithRuleIndex(ix)
		}
		if d.Help != "" {
			res.Message.WithMarkdown(escapeMarkdown(d.Message) + "\n\nHelp: " + escapeMarkdown(d.Help))
		}
		for j, rel := range d.Related {
			loc := sarif.NewLocationWithPhysicalLocation(physical(rel.Path, region(rel.Pos.Line, rel.Pos.Column, rel.EndPos.Line, rel.EndPos.Column))).
				WithId(j + 1).WithMessage(sarif.NewTextMessage(rel.Message))
			res.RelatedLocations = append(res.RelatedLocations, loc)
		}
		for _, f := range d.Fixes {
			res.Fixes = append(res.Fixes, sarifFix(f))
		}
		props := sarif.NewPropertyBag()
		props.Add("confidence", d.Confidence.String())
		props.Add("category", string(d.Category))
		res.AttachPropertyBag(props)
		run.Results = append(run.Results, res)
	}
	rep.AddRun(run)
	return rep, nil
}

func sarifRule(ru *analyzer.Rule, helpURI string) *sarif.ReportingDescriptor {
	doc := analyzer.ParseDoc(ru.Doc)
	full := strings.TrimSpace(doc.Section("Why it matters"))
	if full == "" {
		full = doc.Title
	}
	md := analyzer.RenderMarkdown(ru)
	rd := sarif.NewRule(ru.Code).
		WithName(ru.Name).
		WithShortDescription(sarif.NewMultiformatMessageString(doc.Title)).
		WithFullDescription(sarif.NewMultiformatMessageString(full)).
		WithHelpURI(helpURI).
		WithHelp(sarif.NewMultiformatMessageString(md).WithMarkdown(md)).
		WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(sarifLevel(ru.Severity)).WithEnabled(!ru.NonDefault))
	rd.WithProperties(sarif.Properties{
		"tags":      []string{ru.Family(), string(ru.Category)},
		"precision": precision(ru.Confidence),
	})
	return rd
}

func physical(path string, reg *sarif.Region) *sarif.PhysicalLocation {
	return sarif.NewPhysicalLocation().
		WithArtifactLocation(sarif.NewSimpleArtifactLocation(uriOf(path)).WithUriBaseId("%SRCROOT%")).
		WithRegion(reg)
}

// uriOf percent-encodes each segment of a '/'-separated relative path.
func uriOf(path string) string {
	parts := strings.Split(path, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}

func region(line, col, endLine, endCol int) *sarif.Region {
	if line < 1 {
		line, col = 1, 1
	}
	if col < 1 {
		col = 1
	}
	if endLine < line {
		endLine, endCol = line, col
	}
	if endLine == line && endCol < col {
		endCol = col
	}
	return sarif.NewRegion().WithStartLine(line).WithStartColumn(col).WithEndLine(endLine).WithEndColumn(endCol)
}

func sarifFix(f analyzer.Fix) *sarif.Fix {
	fix := sarif.NewFix().WithDescriptionText(f.Message)
	props := sarif.NewPropertyBag()
	props.Add("applicability", f.Applicability.String())
	fix.AttachPropertyBag(props)
	byPath := map[string]*sarif.ArtifactChange{}
	var order []string
	for _, e := range f.Edits {
		ch := byPath[e.Path]
		if ch == nil {
			ch = sarif.NewArtifactChange(sarif.NewSimpleArtifactLocation(uriOf(e.Path)).WithUriBaseId("%SRCROOT%"))
			byPath[e.Path] = ch
			order = append(order, e.Path)
		}
		rp := sarif.NewReplacement(region(e.Pos.Line, e.Pos.Column, e.EndPos.Line, e.EndPos.Column))
		rp.WithInsertedContent(sarif.NewArtifactContent().WithText(e.NewText))
		ch.Replacements = append(ch.Replacements, rp)
	}
	fix.ArtifactChanges = []*sarif.ArtifactChange{}
	for _, p := range order {
		fix.ArtifactChanges = append(fix.ArtifactChanges, byPath[p])
	}
	return fix
}

// escapeMarkdown keeps a plain message from being read as Markdown markup
// beyond the backticks rubric messages use on purpose.
func escapeMarkdown(s string) string {
	r := strings.NewReplacer("*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "<", `\<`, ">", `\>`, "#", `\#`)
	return r.Replace(s)
}
