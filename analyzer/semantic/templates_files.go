package semantic

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/internal/safeio"
)

// Template files are not Python units: they are found next to them. A
// `templates` directory in the directory of an analysed Python file, or in
// any directory above it up to the analysed root, is a templates
// directory (Django's app directories loader, and the usual
// BASE_DIR/"templates" of DIRS); every regular file under it is a
// template named by its path relative to it. Files are read (through
// safeio: no link at any component, regular files only, capped) and
// parsed on first need, once per run.

// MaxTemplateSize is the largest template read; a larger one is skipped.
const MaxTemplateSize = 1 << 20

// maxTemplateFiles caps how many template files a run lists.
const maxTemplateFiles = 50000

// maxTemplateDirDepth caps how deep a templates directory is walked.
const maxTemplateDirDepth = 16

// SourceRef is a Python file as discovery listed it: the path it is
// opened by, its display path, and its path under the analysed root.
type SourceRef struct {
	Path, Rel, RootRel string
}

// TemplateFile is a template found under a templates directory.
type TemplateFile struct {
	// Name is the name Django knows it by (relative to its templates
	// directory, '/'-separated).
	Name string
	// Root is the analysed root (as opened) and Rel the file's path under
	// it: safeio.ReadFileIn(Root, Rel, MaxTemplateSize) reads it.
	Root, Rel string
	// Path is its display path; Dir that of its templates directory.
	Path, Dir string
}

// Templates is the project's Django templates, listed once per run (a
// rule reading them lists it in Rule.Requires).
var Templates = &project.ProjectAnalysis[*TemplateSet]{Name: "semantic.templates", Run: func(ix *project.Index) *TemplateSet {
	var refs []SourceRef
	for _, u := range ix.Units {
		refs = append(refs, SourceRef{Path: u.File.Path, Rel: u.File.Rel, RootRel: u.RootRel})
	}
	return NewTemplateSet(ListTemplates(refs))
}}

// TemplatesOf returns the templates of the index's project.
func TemplatesOf(ix *project.Index) *TemplateSet { return Templates.Get(ix) }

// TemplateSet resolves template names to parsed templates.
type TemplateSet struct {
	files  []*tfile
	byName map[string][]*tfile
}

type tfile struct {
	TemplateFile
	once sync.Once
	t    *Template
}

// NewTemplateSet indexes listed template files.
func NewTemplateSet(files []TemplateFile) *TemplateSet {
	s := &TemplateSet{byName: map[string][]*tfile{}}
	for _, f := range files {
		tf := &tfile{TemplateFile: f}
		s.files = append(s.files, tf)
		s.byName[f.Name] = append(s.byName[f.Name], tf)
	}
	return s
}

// Len returns the number of template files listed.
func (s *TemplateSet) Len() int {
	if s == nil {
		return 0
	}
	return len(s.files)
}

func (tf *tfile) load() *Template {
	tf.once.Do(func() {
		src, err := safeio.ReadFileIn(tf.Root, filepath.FromSlash(tf.Rel), MaxTemplateSize)
		if err != nil {
			return
		}
		tf.t = ParseTemplate(tf.Name, tf.Path, src)
		tf.t.Dir = tf.Dir
	})
	return tf.t
}

// Resolve finds the template a view or a template names, as seen from the
// display path of the file naming it: an exact name first (the nearest
// templates directory wins when several hold one), then a relative name
// ("./x.html", against the naming template's name), then, when no
// directory holds the exact name, the one template whose name ends with
// it (a project adding a sub-directory of its templates to DIRS, as
// django-oscar does). bySuffix reports the last case.
func (s *TemplateSet) Resolve(name, from, fromName string) (t *Template, bySuffix bool) {
	if s == nil || name == "" {
		return nil, false
	}
	if (strings.HasPrefix(name, "./") || strings.HasPrefix(name, "../")) && fromName != "" {
		name = path.Clean(path.Join(path.Dir(fromName), name))
	}
	if c := nearest(s.byName[name], from); c != nil {
		return c.load(), false
	}
	var cands []*tfile
	for _, f := range s.files {
		if strings.HasSuffix(f.Name, "/"+name) {
			cands = append(cands, f)
		}
	}
	names := map[string]bool{}
	for _, c := range cands {
		names[c.Name] = true
	}
	if len(names) != 1 {
		return nil, false
	}
	if c := nearest(cands, from); c != nil {
		return c.load(), true
	}
	return nil, false
}

// nearest picks the candidate whose templates directory shares the
// longest directory prefix with from (the first in path order on ties).
func nearest(cands []*tfile, from string) *tfile {
	var best *tfile
	bestScore := -1
	for _, c := range cands {
		score := commonDirs(c.Dir, path.Dir(from))
		if score > bestScore {
			best, bestScore = c, score
		}
	}
	return best
}

func commonDirs(a, b string) int {
	as, bs := strings.Split(a, "/"), strings.Split(b, "/")
	n := 0
	for n < len(as) && n < len(bs) && as[n] == bs[n] {
		n++
	}
	return n
}

// ListTemplates lists the template files of the templates directories
// next to the given Python files, sorted by display path. It follows no
// link and reads no file.
func ListTemplates(files []SourceRef) []TemplateFile {
	type dir struct{ root, rel, display string }
	seen := map[string]bool{}
	var dirs []dir
	for _, f := range files {
		root, ok := analysedRoot(f)
		if !ok {
			continue
		}
		up := ""
		for d := path.Dir(f.RootRel); ; d = path.Dir(d) {
			rel := path.Join(d, "templates")
			key := root + "\x00" + rel
			if seen[key] {
				// The file that saw it first went on up to the top: every
				// directory above is seen too.
				break
			}
			seen[key] = true
			// Displayed from the file's own display path, as the driver
			// displays it (relative to the working directory).
			dirs = append(dirs, dir{root: root, rel: rel, display: path.Join(path.Dir(f.Rel), up, "templates")})
			if d == "." || d == "/" || d == "" {
				break
			}
			up += "../"
		}
	}
	sort.Slice(dirs, func(i, j int) bool { return dirs[i].display < dirs[j].display })
	var out []TemplateFile
	listed := map[string]bool{}
	for _, d := range dirs {
		full := filepath.Join(d.root, filepath.FromSlash(d.rel))
		st, err := os.Lstat(full)
		if err != nil || !st.IsDir() {
			continue
		}
		var walk func(rel string, depth int)
		walk = func(rel string, depth int) {
			if depth > maxTemplateDirDepth || len(out) >= maxTemplateFiles {
				return
			}
			entries, err := os.ReadDir(filepath.Join(full, filepath.FromSlash(rel)))
			if err != nil {
				return
			}
			for _, e := range entries {
				if strings.HasPrefix(e.Name(), ".") || e.Type()&fs.ModeSymlink != 0 {
					continue
				}
				name := path.Join(rel, e.Name())
				if e.IsDir() {
					walk(name, depth+1)
					continue
				}
				if !e.Type().IsRegular() || len(out) >= maxTemplateFiles {
					continue
				}
				p := path.Join(d.display, name)
				if listed[p] {
					continue // a templates directory inside another
				}
				listed[p] = true
				out = append(out, TemplateFile{Name: name, Root: d.root, Rel: path.Join(d.rel, name), Path: p, Dir: d.display})
			}
		}
		walk(".", 0)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// analysedRoot derives the root a file was found under (as opened) from
// its path and its path under that root.
func analysedRoot(f SourceRef) (string, bool) {
	rr := f.RootRel
	if rr == "" || path.IsAbs(rr) || strings.HasPrefix(rr, "../") {
		return "", false
	}
	p := filepath.ToSlash(f.Path)
	if p != rr && !strings.HasSuffix(p, "/"+rr) {
		return "", false
	}
	root := strings.TrimSuffix(strings.TrimSuffix(p, rr), "/")
	if root == "" {
		root = "."
		if strings.HasPrefix(p, "/") {
			root = "/"
		}
	}
	return filepath.FromSlash(root), true
}
