package analyzer

import (
	"strings"
)

// Doc is a rule's documentation split into its title and "## " sections.
type Doc struct {
	Title    string
	Intro    string            // text between the title and the first section
	Sections map[string]string // by heading, without the "## "
	Order    []string          // headings in order
}

// ParseDoc splits Markdown documentation.
func ParseDoc(md string) Doc {
	d := Doc{Sections: map[string]string{}}
	md = strings.ReplaceAll(md, "\r\n", "\n")
	lines := strings.Split(strings.TrimLeft(md, "\n"), "\n")
	if len(lines) == 0 {
		return d
	}
	d.Title = strings.TrimSpace(strings.TrimPrefix(lines[0], "# "))
	cur := ""
	var buf []string
	inFence := false
	flush := func() {
		text := strings.Trim(strings.Join(buf, "\n"), "\n")
		if cur == "" {
			d.Intro = text
		} else {
			d.Sections[cur] = text
			d.Order = append(d.Order, cur)
		}
		buf = nil
	}
	for _, l := range lines[1:] {
		if strings.HasPrefix(l, "```") || strings.HasPrefix(l, "~~~") {
			inFence = !inFence
		}
		if !inFence && strings.HasPrefix(l, "## ") {
			flush()
			cur = strings.TrimSpace(l[3:])
			continue
		}
		buf = append(buf, l)
	}
	flush()
	return d
}

// Section returns the body of a section, or "".
func (d Doc) Section(name string) string { return d.Sections[name] }

// CodeBlock is a fenced block of a doc section. Path is taken from a
// `title=path` attribute on the fence line, for examples that must live at a
// particular path (migrations, settings).
type CodeBlock struct {
	Lang string
	Path string
	Code string
}

// CodeBlocks returns the fenced code blocks in a section body.
func CodeBlocks(section string) []CodeBlock {
	var out []CodeBlock
	var cur *CodeBlock
	var buf []string
	for _, l := range strings.Split(section, "\n") {
		trim := strings.TrimSpace(l)
		if cur == nil && strings.HasPrefix(trim, "```") {
			info := strings.Fields(strings.TrimPrefix(trim, "```"))
			cur = &CodeBlock{}
			for i, f := range info {
				if i == 0 && !strings.Contains(f, "=") {
					cur.Lang = f
				} else if v, ok := strings.CutPrefix(f, "title="); ok {
					cur.Path = strings.Trim(v, `"`)
				}
			}
			buf = nil
			continue
		}
		if cur != nil && strings.HasPrefix(trim, "```") {
			cur.Code = strings.Join(buf, "\n") + "\n"
			out = append(out, *cur)
			cur = nil
			continue
		}
		if cur != nil {
			buf = append(buf, l)
		}
	}
	return out
}
