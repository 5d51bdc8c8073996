package project

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
)

// DecodeText returns a text file's content as UTF-8: a UTF-8 byte-order
// mark is dropped, UTF-16 (with a BOM, or without one when every other
// byte of the start is NUL, as Windows' `pip freeze > requirements.txt` in
// PowerShell writes it) is decoded. Anything else is returned as is.
func DecodeText(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		return string(b[3:])
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		return decodeUTF16(b[2:], false)
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return decodeUTF16(b[2:], true)
	}
	if len(b) >= 4 && len(b)%2 == 0 {
		n := min(len(b), 64)
		le, be := 0, 0
		for i := 0; i+1 < n; i += 2 {
			if b[i] != 0 && b[i+1] == 0 {
				le++
			}
			if b[i] == 0 && b[i+1] != 0 {
				be++
			}
		}
		switch {
		case le == n/2:
			return decodeUTF16(b, false)
		case be == n/2:
			return decodeUTF16(b, true)
		}
	}
	return string(b)
}

func decodeUTF16(b []byte, bigEndian bool) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		if bigEndian {
			u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		} else {
			u[i] = uint16(b[2*i+1])<<8 | uint16(b[2*i])
		}
	}
	return string(utf16.Decode(u))
}

// maxDepFile bounds the dependency files read.
const maxDepFile = 1 << 20

// ReadText reads a small text file (at most 1 MiB) and decodes it with
// DecodeText; "" when it cannot be read or is not a regular file.
func ReadText(file string) string {
	st, err := os.Lstat(file)
	if err != nil || !st.Mode().IsRegular() {
		return ""
	}
	f, err := os.Open(file)
	if err != nil {
		return ""
	}
	defer f.Close()
	data, _ := io.ReadAll(io.LimitReader(f, maxDepFile))
	return DecodeText(data)
}

// DjangoVersion is the Django version a project declares: the lowest its
// requirements allow (code must run on it), or the version a lock file
// pins. The zero value means unknown.
type DjangoVersion struct {
	Major, Minor int
	// Where it was read: the file (relative to the project root), the line
	// and the line's text.
	Path string
	Line int
	Text string
}

// Known reports whether a version was found.
func (v DjangoVersion) Known() bool { return v.Major > 0 }

// AtLeast reports whether the declared version has what major.minor
// brought; an unknown version is given the benefit of the doubt.
func (v DjangoVersion) AtLeast(major, minor int) bool {
	if !v.Known() {
		return true
	}
	return v.Major > major || v.Major == major && v.Minor >= minor
}

func (v DjangoVersion) String() string {
	if !v.Known() {
		return "unknown"
	}
	return strconv.Itoa(v.Major) + "." + strconv.Itoa(v.Minor)
}

var (
	// django, then extras, then the specifier.
	djangoReqRe = regexp.MustCompile(`(?i)^\s*["']?django\s*(\[[^\]]*\])?\s*(.*)$`)
	versionRe   = regexp.MustCompile(`(==|===|>=|~=|\^|~|>)?\s*v?([0-9]+)\.([0-9]+)`)
	lockNameRe  = regexp.MustCompile(`(?i)^name\s*=\s*"django"\s*$`)
	lockVerRe   = regexp.MustCompile(`^version\s*=\s*"([0-9]+)\.([0-9]+)`)
	pipLockRe   = regexp.MustCompile(`(?i)"django"\s*:\s*\{`)
	pipLockVer  = regexp.MustCompile(`"version"\s*:\s*"==([0-9]+)\.([0-9]+)`)
)

// lowerBound reads the lowest version a specifier allows ("==4.2.1",
// ">=3.2,<5", "^4.2", "~=4.2"); ok is false for none ("*", "<5", "").
func lowerBound(spec string) (major, minor int, ok bool) {
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(strings.Trim(strings.TrimSpace(part), `"'`))
		if strings.HasPrefix(part, "<") || strings.HasPrefix(part, "!=") {
			continue
		}
		m := versionRe.FindStringSubmatch(part)
		if m == nil || strings.Index(part, m[0]) > 2 {
			continue
		}
		a, _ := strconv.Atoi(m[2])
		b, _ := strconv.Atoi(m[3])
		if !ok || a < major || a == major && b < minor {
			major, minor, ok = a, b, true
		}
	}
	return major, minor, ok
}

// DeclaredDjango reads the Django version declared by the dependency files
// at root: requirements*.txt and requirements/*.txt (UTF-16 included),
// pyproject.toml (PEP 621 and Poetry), Pipfile, setup.cfg, setup.py, and
// the lock files poetry.lock, Pipfile.lock and uv.lock, which win when
// they pin it. Nothing is executed.
func DeclaredDjango(root string) DjangoVersion {
	var files []string
	for _, g := range []string{"requirements*.txt", "requirements/*.txt", "pyproject.toml", "Pipfile", "setup.cfg", "setup.py"} {
		m, _ := filepath.Glob(filepath.Join(root, g))
		files = append(files, m...)
	}
	sort.Strings(files)
	var best DjangoVersion
	for _, lock := range []string{"poetry.lock", "uv.lock", "Pipfile.lock"} {
		if v := lockedDjango(root, lock); v.Known() {
			return v
		}
	}
	for _, f := range files {
		rel, _ := filepath.Rel(root, f)
		for i, line := range strings.Split(ReadText(f), "\n") {
			v, ok := djangoInLine(line)
			if !ok {
				continue
			}
			v.Path, v.Line, v.Text = filepath.ToSlash(rel), i+1, strings.TrimSpace(line)
			if !best.Known() || v.Major < best.Major || v.Major == best.Major && v.Minor < best.Minor {
				best = v
			}
		}
	}
	return best
}

// djangoInLine reads a Django requirement from one line of a requirements
// file, a PEP 621 / setup.py list item, a Poetry or Pipfile table entry
// (`django = "^4.2"`, `django = {version = ">=4.2"}`) or setup.cfg.
func djangoInLine(line string) (DjangoVersion, bool) {
	t := strings.TrimSpace(line)
	if i := strings.Index(t, "#"); i >= 0 {
		t = strings.TrimSpace(t[:i])
	}
	t = strings.TrimSuffix(strings.TrimSpace(t), ",")
	// Poetry / Pipfile: django = "...", or django = { version = "..." }.
	if k, v, ok := strings.Cut(t, "="); ok && strings.EqualFold(strings.Trim(strings.TrimSpace(k), `"'`), "django") && !strings.HasPrefix(v, "=") {
		v = strings.TrimSpace(v)
		if strings.HasPrefix(v, "{") {
			if _, after, ok := strings.Cut(v, "version"); ok {
				v = strings.TrimLeft(strings.TrimSpace(after), "= ")
				if i := strings.IndexAny(v[min(1, len(v)):], `"'`); i >= 0 {
					v = v[:i+2]
				}
			}
		}
		if a, b, ok := lowerBound(strings.Trim(v, `"' `)); ok {
			return DjangoVersion{Major: a, Minor: b}, true
		}
		return DjangoVersion{}, false
	}
	t = strings.Trim(t, `"'`)
	m := djangoReqRe.FindStringSubmatch(t)
	if m == nil {
		return DjangoVersion{}, false
	}
	spec := strings.TrimSpace(m[2])
	if spec == "" || strings.IndexAny(spec[:1], "=<>~!^(") < 0 {
		return DjangoVersion{}, false // django-environ, djangorestframework...
	}
	spec = strings.Trim(spec, "()")
	if i := strings.Index(spec, ";"); i >= 0 { // environment markers
		spec = spec[:i]
	}
	if a, b, ok := lowerBound(spec); ok {
		return DjangoVersion{Major: a, Minor: b}, true
	}
	return DjangoVersion{}, false
}

// lockedDjango reads the version a lock file pins.
func lockedDjango(root, name string) DjangoVersion {
	text := ReadText(filepath.Join(root, name))
	if text == "" {
		return DjangoVersion{}
	}
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		if name == "Pipfile.lock" {
			if !pipLockRe.MatchString(line) {
				continue
			}
			for j := i; j < min(len(lines), i+12); j++ {
				if m := pipLockVer.FindStringSubmatch(lines[j]); m != nil {
					a, _ := strconv.Atoi(m[1])
					b, _ := strconv.Atoi(m[2])
					return DjangoVersion{Major: a, Minor: b, Path: name, Line: j + 1, Text: strings.TrimSpace(lines[j])}
				}
			}
			continue
		}
		if !lockNameRe.MatchString(strings.TrimSpace(line)) {
			continue
		}
		for j := i + 1; j < min(len(lines), i+4); j++ {
			if m := lockVerRe.FindStringSubmatch(strings.TrimSpace(lines[j])); m != nil {
				a, _ := strconv.Atoi(m[1])
				b, _ := strconv.Atoi(m[2])
				return DjangoVersion{Major: a, Minor: b, Path: name, Line: j + 1, Text: strings.TrimSpace(lines[j])}
			}
		}
	}
	return DjangoVersion{}
}

// Django returns the Django version the analysed project declares, read
// once from the dependency files at the root of its first file's tree
// (see DeclaredDjango).
func (ix *Index) Django() DjangoVersion {
	sh := ix.shared
	sh.djangoOnce.Do(func() {
		if root, ok := ix.treeRoot(); ok {
			sh.django = DeclaredDjango(root)
		}
	})
	return sh.django
}

// treeRoot is the root of the analysed tree, found from its first file
// that has one (TreeRoot): where the dependency files are read.
func (ix *Index) treeRoot() (string, bool) {
	for _, u := range ix.Units {
		if root, ok := TreeRoot(u.File.Path, u.RootRel); ok {
			return root, true
		}
	}
	return "", false
}

// TreeRoot returns the root of the analysed tree that holds the file at
// path, given the file's path relative to that root ('/'-separated); ok is
// false when path does not end with it. Index.Django reads the dependency
// files of the first file's root.
func TreeRoot(path, rootRel string) (root string, ok bool) {
	p := filepath.ToSlash(path)
	if !strings.HasSuffix(p, rootRel) {
		return "", false
	}
	root = strings.TrimSuffix(p, rootRel)
	if root == "" {
		root = "."
	}
	return filepath.FromSlash(root), true
}

// Outside is what the rules read from the analysed tree's dependency
// files and dotenv files (Index.Django, Index.Declared, Index.Dotenv), read once at Root: a caller that
// digests them for a cache key (the result cache) hands the run the very
// values it digested (Index.UseOutside), so that the findings stored under
// the key were computed from them and the files are not read again.
type Outside struct {
	Root     string
	Django   DjangoVersion
	Declared Declared
	Dotenv   []DotenvFile
	// Artefacts are the local artefacts (Index.Artefacts).
	Artefacts []Artefact
	// Serving are the serving commands (Index.Serving).
	Serving []ServeCommand
}

// ReadOutside reads the dependency and dotenv files at root (DeclaredDjango,
// DeclaredPackages, DotenvFiles).
func ReadOutside(root string) *Outside {
	l := walkOutside(root) // one walk for every kind
	return &Outside{Root: root, Django: DeclaredDjango(root), Declared: declaredFrom(root, l.deps), Dotenv: dotenvFrom(root, l.dotenvs),
		Artefacts: artefactsFrom(root, l.artefacts), Serving: serveFrom(root, l.serve)}
}

// UseOutside makes the index answer Django and Declared from o when o was
// read at the root the index would read (treeRoot); otherwise, or with o
// nil, the index reads the files itself when first asked. Call it before
// either is read.
func (ix *Index) UseOutside(o *Outside) {
	if o == nil {
		return
	}
	if root, ok := ix.treeRoot(); !ok || root != o.Root {
		return
	}
	sh := ix.shared
	sh.djangoOnce.Do(func() { sh.django = o.Django })
	sh.depsOnce.Do(func() { sh.deps = o.Declared })
	sh.dotenvOnce.Do(func() { sh.dotenv = o.Dotenv })
	sh.artefactsOnce.Do(func() { sh.artefacts = o.Artefacts })
	sh.serveOnce.Do(func() { sh.serve = o.Serving })
}
