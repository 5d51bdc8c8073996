package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
)

func newModelsCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "models [PATH ...]",
		Short: "Print the Django model graph: apps, models, fields, relations and indexes",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				args = []string{"."}
			}
			res, err := analyzer.Run(context.Background(), analyzer.Config{ParseOnly: true}, args)
			if err != nil {
				return err
			}
			g := res.Index.Models
			switch format {
			case "json":
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(modelsJSON(g))
			case "text":
				return printModels(cmd.OutOrStdout(), g)
			}
			return fmt.Errorf("--format: unknown format %q (want text or json)", format)
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "text or json")
	return cmd
}

type fieldJSON struct {
	Name             string `json:"name"`
	Kind             string `json:"kind"`
	Class            string `json:"class"`
	Target           string `json:"target,omitempty"`
	External         bool   `json:"external,omitempty"`
	RelatedName      string `json:"related_name,omitempty"`
	RelatedQueryName string `json:"related_query_name,omitempty"`
	Indexed          bool   `json:"indexed,omitempty"`
	Unique           bool   `json:"unique,omitempty"`
	PrimaryKey       bool   `json:"primary_key,omitempty"`
	Inherited        string `json:"inherited_from,omitempty"`
	Line             int    `json:"line"`
}

type reverseJSON struct {
	Name  string `json:"name"`
	From  string `json:"from"`
	Field string `json:"field"`
	Many  bool   `json:"many"`
}

type modelJSON struct {
	Label         string            `json:"label"`
	Qual          string            `json:"qualified_name"`
	Path          string            `json:"path,omitempty"`
	Line          int               `json:"line,omitempty"`
	Abstract      bool              `json:"abstract,omitempty"`
	Proxy         bool              `json:"proxy,omitempty"`
	External      bool              `json:"external,omitempty"`
	Complete      bool              `json:"complete"`
	Bases         []string          `json:"bases,omitempty"`
	ExternalBases []string          `json:"external_bases,omitempty"`
	Fields        []fieldJSON       `json:"fields,omitempty"`
	Managers      []project.Manager `json:"managers,omitempty"`
	Meta          project.Meta      `json:"meta"`
	Reverse       []reverseJSON     `json:"reverse,omitempty"`
}

type graphJSON struct {
	AuthUserModel string      `json:"auth_user_model"`
	Models        []modelJSON `json:"models"`
	External      []modelJSON `json:"external"`
}

func toModelJSON(m *project.Model) modelJSON {
	j := modelJSON{Label: m.Label(), Qual: m.Qual, Path: m.Path, Line: m.Line, Abstract: m.Abstract, Proxy: m.Proxy,
		External: m.External, Complete: m.Complete, ExternalBases: m.ExternalBases, Managers: m.Managers, Meta: m.Meta}
	if m.External {
		j.Label = m.Qual
	}
	for _, b := range m.Bases {
		j.Bases = append(j.Bases, b.Label())
	}
	for _, f := range m.Fields {
		fj := fieldJSON{Name: f.Name, Kind: string(f.Kind), Class: f.Class, RelatedName: f.RelatedName,
			RelatedQueryName: f.RelatedQueryName, Indexed: m.Indexed(f.Name), Unique: f.Unique, PrimaryKey: f.PrimaryKey, Line: f.Line}
		if f.IsRelation() || f.Kind == project.GenericFK {
			fj.Target = targetText(f)
			fj.External = f.To == nil && f.Kind != project.GenericFK
		}
		if f.Model != nil && f.Model != m {
			fj.Inherited = f.Model.Label()
		} else if f.Abstract != nil {
			fj.Inherited = f.Abstract.Label()
		}
		j.Fields = append(j.Fields, fj)
	}
	for _, r := range m.Reverse {
		j.Reverse = append(j.Reverse, reverseJSON{Name: r.Name, From: r.From.Label(), Field: r.Field.Name, Many: r.Many()})
	}
	return j
}

func targetText(f *project.Field) string {
	if f.To != nil {
		return f.To.Label()
	}
	return f.External
}

func modelsJSON(g *project.Models) graphJSON {
	out := graphJSON{AuthUserModel: g.AuthUser, Models: []modelJSON{}, External: []modelJSON{}}
	for _, m := range g.All {
		out.Models = append(out.Models, toModelJSON(m))
	}
	for _, m := range g.Externals() {
		out.External = append(out.External, toModelJSON(m))
	}
	return out
}

func printModels(w io.Writer, g *project.Models) error {
	var b strings.Builder
	app := "\x00"
	for _, m := range g.All {
		if m.App != app {
			app = m.App
			fmt.Fprintf(&b, "app %s\n", app)
		}
		var tags []string
		if m.Abstract {
			tags = append(tags, "abstract")
		}
		if m.Proxy {
			tags = append(tags, "proxy")
		}
		for _, base := range m.Bases {
			tags = append(tags, "base "+base.Label())
		}
		for _, base := range m.ExternalBases {
			tags = append(tags, "base "+base+" (external)")
		}
		extra := ""
		if len(tags) > 0 {
			extra = " [" + strings.Join(tags, ", ") + "]"
		}
		fmt.Fprintf(&b, "  %s  %s:%d%s\n", m.Name, m.Path, m.Line, extra)
		for _, f := range m.Fields {
			fmt.Fprintf(&b, "    %s: %s", f.Name, f.Kind)
			if f.IsRelation() {
				if f.To != nil {
					fmt.Fprintf(&b, " -> %s", f.To.Label())
				} else {
					fmt.Fprintf(&b, " -> %s (external)", f.External)
				}
				if f.RelatedName != "" {
					fmt.Fprintf(&b, " related_name=%q", f.RelatedName)
				}
			}
			if f.PrimaryKey {
				b.WriteString(" primary_key")
			} else if f.Unique {
				b.WriteString(" unique")
			} else if m.Indexed(f.Name) {
				b.WriteString(" indexed")
			}
			if f.Model != nil && f.Model != m {
				fmt.Fprintf(&b, " (from %s)", f.Model.Name)
			} else if f.Abstract != nil {
				fmt.Fprintf(&b, " (from %s)", f.Abstract.Name)
			}
			b.WriteString("\n")
		}
		for _, mg := range m.Managers {
			fmt.Fprintf(&b, "    manager %s = %s\n", mg.Name, mg.Class)
		}
		for _, r := range m.Reverse {
			kind := "one"
			if r.Many() {
				kind = "many"
			}
			fmt.Fprintf(&b, "    <- %s (%s, %s.%s)\n", r.Name, kind, r.From.Name, r.Field.Name)
		}
		writeGroups(&b, "index", m.Meta.Indexes)
		writeGroups(&b, "index_together", m.Meta.IndexTogether)
		writeGroups(&b, "unique_together", m.Meta.UniqueTogether)
		writeGroups(&b, "unique", m.Meta.Unique)
		if len(m.Meta.Ordering) > 0 {
			fmt.Fprintf(&b, "    ordering %s\n", strings.Join(m.Meta.Ordering, ", "))
		}
	}
	if ext := g.Externals(); len(ext) > 0 {
		b.WriteString("external (referenced, not defined here)\n")
		for _, m := range ext {
			fmt.Fprintf(&b, "  %s\n", m.Qual)
			for _, r := range m.Reverse {
				fmt.Fprintf(&b, "    <- %s (%s.%s)\n", r.Name, r.From.Label(), r.Field.Name)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeGroups(b *strings.Builder, what string, groups [][]string) {
	for _, g := range groups {
		fmt.Fprintf(b, "    %s (%s)\n", what, strings.Join(g, ", "))
	}
}
