package project

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Declared is what a project's dependency files declare: the distributions
// named (normalised as PyPI compares names: lower case, runs of `-`, `_`
// and `.` as one `-`), extras included (`celery[redis]` names redis too),
// and the files read.
type Declared struct {
	// Files are the dependency files read, relative to the root
	// ('/'-separated), in path order; none means the project declares
	// nothing rubric can read.
	Files []string
	// Names are the distributions declared; Extras the extras they are
	// declared with (`celery[redis]`: redis), which often name what they
	// install.
	Names, Extras map[string]bool
	// Locked is set when a lock file (poetry.lock, uv.lock, Pipfile.lock)
	// was read: it lists every distribution installed.
	Locked bool
	// Opaque is set when some requirement could not be named: a local
	// path or archive, an editable install of the project itself, a URL
	// without `#egg=`, a conda environment file. What it installs is
	// unknown.
	Opaque bool
	// At is where each name of Names is first declared: the file and the
	// first line outside a comment whose words include the name.
	At map[string]DeclaredAt
}

// DeclaredAt is a place in a dependency file: its path relative to the
// root ('/'-separated) and a line (1-based).
type DeclaredAt struct {
	Rel  string
	Line int
}

// Has reports whether dist is declared, or named as an extra (dist
// normalised or not).
func (d Declared) Has(dist string) bool {
	n := NormalizeDist(dist)
	return d.Names[n] || d.Extras[n]
}

var distSepRe = regexp.MustCompile(`[-_.]+`)

// NormalizeDist normalises a distribution name as PyPI compares them.
func NormalizeDist(name string) string {
	return distSepRe.ReplaceAllString(strings.ToLower(strings.TrimSpace(name)), "-")
}

// reqNameRe reads a requirement's name and extras: `Django>=4.2`,
// `celery[redis,sqs]==5.3`, `name @ https://...`.
var reqNameRe = regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[([^\]]*)\])?`)

// skippedDepDirs are directories whose files are not the project's own
// dependency declarations.
var skippedDepDirs = map[string]bool{".git": true, "node_modules": true, "venv": true, ".venv": true, "env": true,
	".env": true, "site-packages": true, ".tox": true, "dist": true, "build": true, "__pycache__": true,
	"virtualenv": true, ".mypy_cache": true, ".pytest_cache": true}

// isDepFile reports a file that declares dependencies: requirements files
// (`requirements*.txt`, `*requirements*.txt` or `.in`, `req.txt`, any
// `.txt` under a `requirements/` directory), pyproject.toml, Pipfile,
// setup.py, setup.cfg, the lock files, Dockerfiles (their `pip install`
// lines) and conda environment files.
func isDepFile(rel string) bool {
	base := strings.ToLower(path.Base(rel))
	dir := strings.ToLower(path.Base(path.Dir(rel)))
	switch base {
	case "pyproject.toml", "pipfile", "pipfile.lock", "poetry.lock", "uv.lock", "setup.py", "setup.cfg",
		"req.txt", "reqs.txt", "environment.yml", "environment.yaml", "dockerfile":
		return true
	}
	if strings.HasPrefix(base, "dockerfile") || strings.HasSuffix(base, ".dockerfile") {
		return true
	}
	ext := path.Ext(base)
	if ext != ".txt" && ext != ".in" {
		return false
	}
	return strings.Contains(base, "requirement") || dir == "requirements" || dir == "reqs"
}

// DeclaredPackages reads the dependency files under root (four directories
// deep at most, virtualenvs and build output skipped). Nothing is executed;
// UTF-16 files (PowerShell's `pip freeze >`) are decoded.
func DeclaredPackages(root string) Declared {
	return declaredFrom(root, walkOutside(root).deps)
}

// declaredFrom reads the dependency files deps (relative to root, in path
// order), following their includes.
func declaredFrom(root string, deps []string) Declared {
	d := Declared{Names: map[string]bool{}, Extras: map[string]bool{}, At: map[string]DeclaredAt{}}
	seen := map[string]bool{}
	for _, rel := range deps {
		d.read(root, rel, seen)
	}
	return d
}

// outsideList is what one walk of the analysed tree lists besides its
// Python files.
type outsideList struct {
	// deps and dotenvs are the dependency and dotenv files, in path order.
	deps, dotenvs []string
	// artefacts are the local artefacts (Artefacts), in path order, their
	// git state not read yet.
	artefacts []Artefact
	// serve are the files serving commands are read from (isServeFile),
	// in path order.
	serve []string
}

// walkOutside lists, in one walk of root (four directories deep at most),
// the dependency files (isDepFile, outside skippedDepDirs), the dotenv
// files (IsDotenvName, outside skippedEnvDirs and hidden directories) and
// the local artefacts (artefactFile, and the directories of virtualenvs
// and of compiled bytecode, which are not walked), each in path order:
// ReadOutside reads every kind from one listing. Nothing is followed: a
// link is no file and no directory here.
func walkOutside(root string) outsideList {
	var l outsideList
	_ = filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		rel, rerr := filepath.Rel(root, p)
		if rerr != nil {
			return nil
		}
		rel = filepath.ToSlash(rel)
		if e.IsDir() {
			if rel == "." {
				return nil
			}
			switch name := e.Name(); name {
			case ".git":
				return filepath.SkipDir
			case "__pycache__":
				l.artefacts = append(l.artefacts, Artefact{Rel: rel, Kind: Bytecode, Dir: true, File: rel})
				return filepath.SkipDir
			}
			if m := virtualenvMarker(p); m != "" {
				l.artefacts = append(l.artefacts, Artefact{Rel: rel, Kind: Virtualenv, Dir: true, File: rel + "/" + m})
				return filepath.SkipDir
			}
			if strings.Count(rel, "/") >= 4 || !depDir(rel) && !envDir(rel) {
				return filepath.SkipDir
			}
			return nil
		}
		if !e.Type().IsRegular() {
			return nil
		}
		dir := path.Dir(rel)
		if isDepFile(rel) && depDir(dir) {
			l.deps = append(l.deps, rel)
		}
		// A dotenv file under a test directory (tests/.env.integration)
		// holds a test environment's values, as .env.test does.
		if IsDotenvName(e.Name()) && envDir(dir) && !IsTestPath(rel) {
			l.dotenvs = append(l.dotenvs, rel)
		}
		if isServeFile(rel) && depDir(dir) {
			l.serve = append(l.serve, rel)
		}
		if k := artefactFile(rel); k != 0 && depDir(dir) {
			l.artefacts = append(l.artefacts, Artefact{Rel: rel, Kind: k, File: rel})
		}
		return nil
	})
	sort.Strings(l.deps)
	sort.Strings(l.dotenvs)
	sort.Strings(l.serve)
	sort.Slice(l.artefacts, func(i, j int) bool { return l.artefacts[i].Rel < l.artefacts[j].Rel })
	return l
}

// depDir reports a directory (relative to the root, "." the root) whose
// dependency files count: none of its components is in skippedDepDirs.
func depDir(dir string) bool {
	for _, part := range strings.Split(dir, "/") {
		if skippedDepDirs[strings.ToLower(part)] {
			return false
		}
	}
	return true
}

// envDir reports a directory whose dotenv files count: none of its
// components is hidden or in skippedEnvDirs.
func envDir(dir string) bool {
	if dir == "." {
		return true
	}
	for _, part := range strings.Split(dir, "/") {
		if skippedEnvDirs[strings.ToLower(part)] || strings.HasPrefix(part, ".") {
			return false
		}
	}
	return true
}

// realDirs reports whether every directory of dir (relative to root, '/'
// separated) is a directory of the tree and not a link: an include read
// through a linked directory could be any file of the machine, and rubric
// reads nothing outside the tree it analyses.
func realDirs(root, dir string) bool {
	at := root
	for _, part := range strings.Split(dir, "/") {
		if part == "." || part == "" {
			continue
		}
		at = filepath.Join(at, part)
		st, err := os.Lstat(at)
		if err != nil || !st.IsDir() {
			return false
		}
	}
	return true
}

// read reads one dependency file (once), following `-r` includes.
func (d *Declared) read(root, rel string, seen map[string]bool) {
	if seen[rel] {
		return
	}
	seen[rel] = true
	text := ReadText(filepath.Join(root, filepath.FromSlash(rel)))
	if text == "" {
		return
	}
	d.Files = append(d.Files, rel)
	defer d.locate(rel, text)
	base := strings.ToLower(path.Base(rel))
	switch {
	case base == "pyproject.toml" || base == "pipfile":
		d.readTOML(text)
	case base == "poetry.lock" || base == "uv.lock":
		d.Locked = true
		for _, line := range strings.Split(text, "\n") {
			if k, v, ok := strings.Cut(strings.TrimSpace(line), "="); ok && strings.TrimSpace(k) == "name" {
				d.add(strings.Trim(strings.TrimSpace(v), `"'`))
			}
		}
	case base == "pipfile.lock":
		d.Locked = true
		for _, m := range pipfileLockKeyRe.FindAllStringSubmatch(text, -1) {
			d.add(m[1])
		}
	case base == "setup.py":
		d.readSetupPy(text)
	case base == "setup.cfg":
		d.readSetupCfg(text)
	case base == "environment.yml" || base == "environment.yaml":
		d.Opaque = true
	case strings.HasPrefix(base, "dockerfile") || strings.HasSuffix(base, ".dockerfile"):
		d.readDockerfile(text)
	default:
		for _, line := range joinContinued(text) {
			d.requirementLine(root, rel, line, seen)
		}
	}
}

var pipfileLockKeyRe = regexp.MustCompile(`(?m)^\s{8}"([A-Za-z0-9][A-Za-z0-9._-]*)"\s*:\s*\{`)

// joinContinued splits a requirements file into logical lines (a trailing
// backslash continues a line).
func joinContinued(text string) []string {
	var out []string
	cur := ""
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.HasSuffix(line, "\\") {
			cur += strings.TrimSuffix(line, "\\") + " "
			continue
		}
		out = append(out, cur+line)
		cur = ""
	}
	if cur != "" {
		out = append(out, cur)
	}
	return out
}

// requirementLine reads one line of a requirements file.
func (d *Declared) requirementLine(root, rel, line string, seen map[string]bool) {
	t := strings.TrimSpace(line)
	if i := strings.Index(t, " #"); i >= 0 {
		t = strings.TrimSpace(t[:i])
	}
	if t == "" || strings.HasPrefix(t, "#") {
		return
	}
	if strings.HasPrefix(t, "-") {
		opt, arg, _ := strings.Cut(t, " ")
		if strings.HasPrefix(opt, "--") && strings.Contains(opt, "=") {
			opt, arg, _ = strings.Cut(t, "=")
		}
		arg = strings.TrimSpace(arg)
		switch opt {
		case "-r", "--requirement":
			inc := path.Clean(path.Join(path.Dir(rel), filepath.ToSlash(arg)))
			if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(inc))); err == nil && !strings.HasPrefix(inc, "..") && realDirs(root, path.Dir(inc)) {
				d.read(root, inc, seen)
			} else {
				d.Opaque = true
			}
		case "-e", "--editable":
			d.urlRequirement(arg)
		}
		return // -c, -i, --index-url, --find-links...
	}
	d.requirement(t)
}

// requirement reads a PEP 508 requirement or a URL.
func (d *Declared) requirement(t string) {
	t = strings.TrimSpace(strings.Trim(strings.TrimSpace(t), `"'`))
	if t == "" {
		return
	}
	if strings.Contains(t, "://") || strings.HasPrefix(t, ".") || strings.HasPrefix(t, "/") || strings.HasPrefix(t, "git+") {
		if name, _, ok := strings.Cut(t, " @ "); ok && !strings.Contains(name, "/") {
			d.requirement(name)
			return
		}
		d.urlRequirement(t)
		return
	}
	m := reqNameRe.FindStringSubmatch(t)
	if m == nil {
		return
	}
	d.add(m[1])
	for _, x := range strings.Split(m[3], ",") {
		if x = NormalizeDist(x); x != "" {
			d.Extras[x] = true
		}
	}
}

// urlRequirement reads `...#egg=name`; anything else is opaque.
func (d *Declared) urlRequirement(u string) {
	if _, frag, ok := strings.Cut(u, "#egg="); ok {
		if m := reqNameRe.FindStringSubmatch(frag); m != nil {
			d.add(m[1])
			return
		}
	}
	d.Opaque = true
}

// locate records where the names read from rel (text) that have no place
// yet are declared: the first line outside a comment holding a word that
// normalises to the name. A name whose line is not found, or that only a
// lock file lists, keeps none.
func (d *Declared) locate(rel, text string) {
	switch strings.ToLower(path.Base(rel)) {
	case "poetry.lock", "uv.lock", "pipfile.lock":
		return // what a lock lists is installed, not declared by the author
	}
	if d.At == nil {
		return
	}
	var missing map[string]bool
	for n := range d.Names {
		if _, ok := d.At[n]; !ok {
			if missing == nil {
				missing = map[string]bool{}
			}
			missing[n] = true
		}
	}
	if len(missing) == 0 {
		return
	}
	for i, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		for _, w := range depWordRe.FindAllString(line, -1) {
			if n := NormalizeDist(w); missing[n] {
				d.At[n] = DeclaredAt{Rel: rel, Line: i + 1}
				delete(missing, n)
			}
		}
		if len(missing) == 0 {
			return
		}
	}
}

// depWordRe matches a word that may be a distribution's name.
var depWordRe = regexp.MustCompile(`[A-Za-z0-9][A-Za-z0-9._-]*`)

// IsDepFile reports a file rubric reads dependencies from (requirements
// files, pyproject.toml, Pipfile, setup.py, setup.cfg, lock files,
// Dockerfiles, conda environment files), by its path relative to the root.
func IsDepFile(rel string) bool { return isDepFile(rel) }

func (d *Declared) add(name string) {
	if n := NormalizeDist(name); n != "" {
		d.Names[n] = true
	}
}

// readTOML reads pyproject.toml (PEP 621 dependency arrays, optional
// dependencies, dependency groups, Poetry's dependency tables) and
// Pipfile ([packages], [dev-packages]), line by line: keys of tables named
// for dependencies, and the strings of arrays named for them.
func (d *Declared) readTOML(text string) {
	table := ""
	inArray := false
	depTable := func() bool {
		t := strings.ToLower(table)
		return strings.HasSuffix(t, "dependencies") || t == "packages" || t == "dev-packages" ||
			strings.HasSuffix(t, "optional-dependencies") || t == "dependency-groups"
	}
	arrayTable := func() bool {
		t := strings.ToLower(table)
		return t == "project.optional-dependencies" || t == "dependency-groups" || t == "project"
	}
	for _, line := range strings.Split(text, "\n") {
		t := strings.TrimSpace(line)
		if i := strings.Index(t, " #"); i >= 0 && !strings.Contains(t[:i], `"`) {
			t = strings.TrimSpace(t[:i])
		}
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		if inArray {
			d.arrayStrings(t)
			if strings.Contains(quotedRe.ReplaceAllString(t, ""), "]") {
				inArray = false
			}
			continue
		}
		if strings.HasPrefix(t, "[") {
			table = strings.Trim(strings.TrimSpace(strings.Trim(t, "[]")), `"`)
			continue
		}
		k, v, ok := strings.Cut(t, "=")
		if !ok {
			continue
		}
		k = strings.Trim(strings.TrimSpace(k), `"'`)
		v = strings.TrimSpace(v)
		switch {
		case arrayTable() && strings.HasPrefix(v, "[") && (table != "project" || k == "dependencies"):
			d.arrayStrings(v)
			inArray = !strings.Contains(quotedRe.ReplaceAllString(v, "")[1:], "]")
		case depTable() && !arrayTable():
			if k != "python" {
				d.add(k)
				if i := strings.Index(v, "extras"); i >= 0 {
					for _, m := range quotedRe.FindAllStringSubmatch(v[i:], -1) {
						if x := NormalizeDist(m[1] + m[2]); x != "" {
							d.Extras[x] = true
						}
					}
				}
			}
		}
	}
}

var quotedRe = regexp.MustCompile(`"([^"]*)"|'([^']*)'`)

// arrayStrings reads the requirements quoted in a fragment of an array.
func (d *Declared) arrayStrings(t string) {
	for _, m := range quotedRe.FindAllStringSubmatch(t, -1) {
		d.requirement(m[1] + m[2])
	}
}

// readSetupPy reads the quoted requirements of install_requires,
// extras_require and tests_require; a setup.py without them is opaque
// (it may compute them).
func (d *Declared) readSetupPy(text string) {
	found := false
	for _, key := range []string{"install_requires", "extras_require", "tests_require"} {
		i := strings.Index(text, key)
		if i < 0 {
			continue
		}
		rest := text[i+len(key):]
		open := strings.IndexAny(rest, "[{")
		if open < 0 || strings.TrimSpace(strings.TrimLeft(rest[:open], " =")) != "" {
			d.Opaque = true
			continue
		}
		closer := "]"
		if rest[open] == '{' {
			closer = "}"
		}
		end := strings.Index(rest[open:], closer)
		if end < 0 {
			continue
		}
		found = true
		body := rest[open : open+end]
		if closer == "}" {
			// extras_require = {"name": ["req", ...]}: the values.
			for _, seg := range strings.Split(body, "[")[1:] {
				d.arrayStrings(strings.SplitN(seg, "]", 2)[0])
			}
			continue
		}
		d.arrayStrings(body)
	}
	if !found {
		d.Opaque = true
	}
}

// readSetupCfg reads install_requires and the extras of [options].
func (d *Declared) readSetupCfg(text string) {
	in := false
	for _, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		indented := line[0] == ' ' || line[0] == '\t'
		t := strings.TrimSpace(line)
		if !indented {
			in = false
			k, v, ok := strings.Cut(t, "=")
			if ok && (strings.TrimSpace(k) == "install_requires" || strings.TrimSpace(k) == "tests_require") {
				in = true
				d.requirement(v)
			}
			continue
		}
		if in && !strings.HasPrefix(t, "#") {
			d.requirement(t)
		}
	}
}

var pipInstallRe = regexp.MustCompile(`pip3?\s+install\s+([^&;|\n]*)`)

// readDockerfile reads the packages named on `pip install` lines.
func (d *Declared) readDockerfile(text string) {
	for _, line := range joinContinued(text) {
		for _, m := range pipInstallRe.FindAllStringSubmatch(line, -1) {
			skip := false
			for _, w := range strings.Fields(m[1]) {
				switch {
				case skip:
					skip = false
				case w == "-r" || w == "--requirement" || w == "-c" || w == "-i" || w == "--index-url":
					skip = true
				case strings.HasPrefix(w, "-"):
				default:
					d.requirement(w)
				}
			}
		}
	}
}

// Declared returns what the analysed project's dependency files declare,
// read once from the root of its first file's tree (see DeclaredPackages).
func (ix *Index) Declared() Declared {
	sh := ix.shared
	sh.depsOnce.Do(func() {
		if root, ok := ix.treeRoot(); ok {
			sh.deps = declaredFrom(root, ix.outsideListing(root).deps)
		}
	})
	return sh.deps
}

// outsideListing returns walkOutside's lists for root, walked once for
// Declared, Dotenv and Artefacts alike.
func (ix *Index) outsideListing(root string) outsideList {
	sh := ix.shared
	sh.listedOnce.Do(func() { sh.listed = walkOutside(root) })
	return sh.listed
}
