package report

import (
	"fmt"
	"html/template"
	"sort"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
)

// maxDiagramModels bounds the diagram: past it, a picture of the model
// graph stops being readable.
const maxDiagramModels = 40

// modelNodes lists the project's concrete models (outside tests and
// migrations) with their relation fields, in app and name order.
func modelNodes(res *analyzer.Result) []ModelNode {
	if res.Index == nil || res.Index.Models == nil {
		return nil
	}
	var out []ModelNode
	for _, m := range res.Index.Models.All {
		if m.External || m.Abstract {
			continue
		}
		if u := res.Index.ByPath[m.Path]; u == nil || kindOf(u.Rel(), u.Imports).test || kindOf(u.Rel(), u.Imports).migration {
			continue
		}
		n := ModelNode{App: m.App, Name: m.Name, Path: m.Path, Line: m.Line}
		for _, f := range m.Fields {
			if f.Kind != project.ForeignKey && f.Kind != project.OneToOne && f.Kind != project.ManyToMany {
				continue
			}
			to := f.Target
			if f.To != nil {
				to = f.To.App + "." + f.To.Name
			} else if to == project.AuthUserModel {
				to = res.Index.Models.AuthUser
			}
			n.Relations = append(n.Relations, ModelEdge{Field: f.Name, Kind: string(f.Kind), To: to})
		}
		out = append(out, n)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].App != out[j].App {
			return out[i].App < out[j].App
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// ID is "app.Model".
func (n ModelNode) ID() string { return n.App + "." + n.Name }

// diagramNodes returns the models drawn (at most maxDiagramModels) and the
// external targets they point to (auth.User...), then the edges.
func diagramNodes(ms []ModelNode) (nodes []string, edges [][3]string, cut int) {
	if len(ms) > maxDiagramModels {
		cut = len(ms) - maxDiagramModels
		ms = ms[:maxDiagramModels]
	}
	seen := map[string]bool{}
	for _, m := range ms {
		seen[m.ID()] = true
		nodes = append(nodes, m.ID())
	}
	for _, m := range ms {
		for _, e := range m.Relations {
			if e.To == "" {
				continue
			}
			if !seen[e.To] {
				seen[e.To] = true
				nodes = append(nodes, e.To)
			}
			edges = append(edges, [3]string{m.ID(), e.To, e.Field + " (" + shortKind(e.Kind) + ")"})
		}
	}
	return nodes, edges, cut
}

func shortKind(k string) string {
	switch k {
	case string(project.ForeignKey):
		return "FK"
	case string(project.OneToOne):
		return "1:1"
	case string(project.ManyToMany):
		return "M2M"
	}
	return k
}

// Mermaid renders the model graph as a Mermaid flowchart ("" without
// models).
func (r *Report) Mermaid() string {
	nodes, edges, cut := diagramNodes(r.Models)
	if len(nodes) == 0 {
		return ""
	}
	id := map[string]string{}
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	for i, n := range nodes {
		id[n] = fmt.Sprintf("m%d", i)
		fmt.Fprintf(&b, "  %s[\"%s\"]\n", id[n], mermaidText(n))
	}
	for _, e := range edges {
		fmt.Fprintf(&b, "  %s -->|\"%s\"| %s\n", id[e[0]], mermaidText(e[2]), id[e[1]])
	}
	if cut > 0 {
		fmt.Fprintf(&b, "  more[\"and %d more models\"]\n", cut)
	}
	return b.String()
}

func mermaidText(s string) string {
	return strings.NewReplacer(`"`, "'", "|", "/", "<", "‹", ">", "›", "\n", " ").Replace(s)
}

// svg geometry.
const (
	svgBoxW, svgBoxH = 150, 32
	svgGapX, svgGapY = 150, 22
)

// SVG renders the model graph as an inline SVG: one column per app (and
// one for models outside the tree), a box per model, an arrow per relation
// labelled with its field. No script, no external reference.
func (r *Report) SVG() template.HTML {
	nodes, edges, cut := diagramNodes(r.Models)
	if len(nodes) == 0 {
		return ""
	}
	local := map[string]bool{}
	for _, m := range r.Models {
		local[m.ID()] = true
	}
	// Columns: apps in order, then external targets.
	var cols []string
	col := map[string]int{}
	appOf := func(n string) string {
		if !local[n] {
			return "(outside the tree)"
		}
		return n[:strings.LastIndex(n, ".")]
	}
	for _, n := range nodes {
		a := appOf(n)
		if _, ok := col[a]; !ok {
			col[a] = len(cols)
			cols = append(cols, a)
		}
	}
	type pos struct{ x, y int }
	at := map[string]pos{}
	rows := make([]int, len(cols))
	for _, n := range nodes {
		c := col[appOf(n)]
		at[n] = pos{x: 10 + c*(svgBoxW+svgGapX), y: 34 + rows[c]*(svgBoxH+svgGapY)}
		rows[c]++
	}
	maxRows := 0
	for _, n := range rows {
		maxRows = max(maxRows, n)
	}
	w := 20 + len(cols)*(svgBoxW+svgGapX) - svgGapX
	h := 44 + maxRows*(svgBoxH+svgGapY)
	if cut > 0 {
		h += 20
	}
	esc := template.HTMLEscapeString
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="models" role="img" aria-label="Model graph: %d models, %d relations" viewBox="0 0 %d %d" width="%d" height="%d">`,
		len(r.Models), len(edges), w, h, w, h)
	b.WriteString(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#59636e"/></marker></defs>`)
	for i, a := range cols {
		fmt.Fprintf(&b, `<text x="%d" y="18" class="app">%s</text>`, 10+i*(svgBoxW+svgGapX), esc(a))
	}
	// Each relation leaves its model at its own height, labelled where it
	// starts, so that a model's relations do not share a label spot.
	outs, drawn := map[string]int{}, map[string]int{}
	for _, e := range edges {
		outs[e[0]]++
	}
	loops := map[int]int{} // same-column relations drawn so far, per column
	for _, e := range edges {
		from, to := at[e[0]], at[e[1]]
		k := drawn[e[0]]
		drawn[e[0]]++
		y1 := from.y + svgBoxH/2
		if n := outs[e[0]]; n > 1 {
			y1 = from.y + 5 + k*(svgBoxH-10)/(n-1)
		}
		x1 := from.x + svgBoxW
		x2, y2 := to.x, to.y+svgBoxH/2
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="field">%s</text>`, x1+4, y1-2, esc(e[2]))
		if to.x == from.x { // same column: a loop on the right side, each further out
			k := loops[from.x]
			loops[from.x]++
			bulge := 24 + 16*(k%6)
			x2 = to.x + svgBoxW
			fmt.Fprintf(&b, `<path d="M%d,%d C%d,%d %d,%d %d,%d" class="edge" marker-end="url(#arrow)"/>`, x1, y1, x1+bulge, y1, x2+bulge, y2, x2, y2)
			continue
		}
		if to.x < from.x {
			x2 = to.x + svgBoxW
		}
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" class="edge" marker-end="url(#arrow)"/>`, x1, y1, x2, y2)
	}
	for _, n := range nodes {
		p := at[n]
		cls := "model"
		if !local[n] {
			cls = "model ext"
		}
		fmt.Fprintf(&b, `<g class="%s"><rect x="%d" y="%d" width="%d" height="%d" rx="6"/><text x="%d" y="%d" text-anchor="middle">%s</text></g>`,
			cls, p.x, p.y, svgBoxW, svgBoxH, p.x+svgBoxW/2, p.y+svgBoxH/2+5, esc(n[strings.LastIndex(n, ".")+1:]))
	}
	if cut > 0 {
		fmt.Fprintf(&b, `<text x="10" y="%d" class="field">and %d more models (see rubric models)</text>`, h-8, cut)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
