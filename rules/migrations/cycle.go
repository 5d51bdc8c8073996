package migrations

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
)

//go:embed cycle.md
var cycleDoc string

// DependencyCycle reports cycles in the migration graph.
var DependencyCycle = &analyzer.Rule{
	Code:       "MIG013",
	Name:       "migration-dependency-cycle",
	Doc:        cycleDoc,
	Category:   analyzer.Migrations,
	Severity:   analyzer.Error,
	Confidence: analyzer.High,
	Since:      "0.1.0",
	Stack:      project.Django,
	RunProject: runDependencyCycle,
	FactsOnly:  true,
}

// runDependencyCycle finds the strongly connected components of the graph
// of every migration in the tree (dependencies and run_before, across apps,
// squashed migrations standing in for those they replace) and reports each
// component of two or more migrations, or a migration depending on itself,
// once. Dependencies on apps outside the tree are ignored.
func runDependencyCycle(p *analyzer.ProjectPass) error {
	mi := &p.Project.Migrations
	edges := map[*project.Migration][]*project.Migration{}
	for _, m := range mi.All {
		for _, d := range m.Dependencies {
			if t := target(mi, m, d); t != nil {
				edges[m] = append(edges[m], t)
			}
		}
		for _, r := range m.RunBefore {
			if t := target(mi, m, project.Dependency{MigrationKey: r}); t != nil {
				edges[t] = append(edges[t], m)
			}
		}
	}
	for _, comp := range sccs(mi.All, edges) {
		self := false
		for _, t := range edges[comp[0]] {
			self = self || t == comp[0]
		}
		if len(comp) < 2 && !self {
			continue
		}
		sort.Slice(comp, func(i, j int) bool { return comp[i].Path < comp[j].Path })
		first := comp[0]
		in := map[*project.Migration]bool{}
		for _, m := range comp {
			in[m] = true
		}
		at := first.DependenciesSpan
		var keys []string
		var rel []analyzer.Related
		for _, m := range comp {
			keys = append(keys, "`"+mi.App(m).Label+"."+m.Name+"`")
			if m != first {
				rel = append(rel, analyzer.Related{Path: m.Path, Range: rng(m.DependenciesSpan), Message: "part of the cycle"})
			}
		}
		for _, d := range first.Dependencies {
			if t := target(mi, first, d); t != nil && in[t] {
				at = d.Span
				break
			}
		}
		if at == (project.Span{}) {
			at = first.ClassName
		}
		p.Report(analyzer.Diagnostic{
			Path:    first.Path,
			Range:   rng(at),
			Message: fmt.Sprintf("migration dependency cycle: %s", strings.Join(keys, ", ")),
			Help:    "break the cycle: move the operation that needs the other app into a later migration that depends on it",
			Related: rel,
		})
	}
	return nil
}

// sccs is Tarjan's algorithm with an explicit stack, so a long chain of
// migrations costs no Go stack depth.
func sccs(nodes []*project.Migration, edges map[*project.Migration][]*project.Migration) [][]*project.Migration {
	index := map[*project.Migration]int{}
	low := map[*project.Migration]int{}
	onStack := map[*project.Migration]bool{}
	var stack []*project.Migration
	var out [][]*project.Migration
	next := 0
	type frame struct {
		v *project.Migration
		i int
	}
	for _, root := range nodes {
		if _, seen := index[root]; seen {
			continue
		}
		work := []frame{{v: root}}
		index[root], low[root] = next, next
		next++
		stack = append(stack, root)
		onStack[root] = true
		for len(work) > 0 {
			f := &work[len(work)-1]
			if f.i < len(edges[f.v]) {
				w := edges[f.v][f.i]
				f.i++
				if _, seen := index[w]; !seen {
					index[w], low[w] = next, next
					next++
					stack = append(stack, w)
					onStack[w] = true
					work = append(work, frame{v: w})
				} else if onStack[w] && index[w] < low[f.v] {
					low[f.v] = index[w]
				}
				continue
			}
			v := f.v
			work = work[:len(work)-1]
			if len(work) > 0 {
				if u := work[len(work)-1].v; low[v] < low[u] {
					low[u] = low[v]
				}
			}
			if low[v] == index[v] {
				var comp []*project.Migration
				for {
					w := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					onStack[w] = false
					comp = append(comp, w)
					if w == v {
						break
					}
				}
				out = append(out, comp)
			}
		}
	}
	return out
}
