package project

import (
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/rubric-dev/rubric/internal/gitdiff"
)

// This file finds, in the listing of the analysed tree that walkOutside
// makes, the files a developer's machine makes and a repository should not
// hold: a SQLite database, a virtualenv, compiled bytecode, log files,
// Celery beat's schedule. Nothing is opened but a virtualenv's
// pyvenv.cfg, which is only looked up (never read), and the git index.

// ArtefactKind says what a local artefact is.
type ArtefactKind int8

const (
	// Database is a SQLite database file (`db.sqlite3`).
	Database ArtefactKind = iota + 1
	// Virtualenv is a directory holding a virtual environment (its
	// pyvenv.cfg, or bin/activate or Scripts/activate).
	Virtualenv
	// BeatSchedule is Celery beat's schedule file (`celerybeat-schedule`,
	// with the extension the dbm backend gives it).
	BeatSchedule
	// LogFile is a `.log` file.
	LogFile
	// Bytecode is a `__pycache__` directory, or a `.pyc` file outside one.
	Bytecode
)

// Artefact is one local artefact of the analysed tree.
type Artefact struct {
	// Rel is its path relative to the analysed root, '/'-separated; a
	// directory's has no trailing slash.
	Rel  string
	Kind ArtefactKind
	Dir  bool
	// File is where a finding on it points: its own path, or for a
	// virtualenv the marker file found in it (its pyvenv.cfg).
	File string
	// Git says whether git tracks it (for a directory: any file under
	// it), as for dotenv files.
	Git GitState
}

// virtualenvMarkers are the files a virtual environment's directory holds
// (venv and virtualenv write pyvenv.cfg; older virtualenvs only the
// activate scripts).
var virtualenvMarkers = []string{"pyvenv.cfg", "bin/activate", "Scripts/activate"}

// virtualenvMarker returns the first of virtualenvMarkers that is a
// regular file in the directory dir, or "" when dir holds no virtual
// environment. Each component is looked up with Lstat, never read or
// followed: a `bin` that links out of the tree is no directory here, so
// nothing outside it is looked up.
func virtualenvMarker(dir string) string {
	for _, m := range virtualenvMarkers {
		if sub, _, ok := strings.Cut(m, "/"); ok {
			if fi, err := os.Lstat(filepath.Join(dir, sub)); err != nil || !fi.IsDir() {
				continue
			}
		}
		if fi, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(m))); err == nil && fi.Mode().IsRegular() {
			return m
		}
	}
	return ""
}

// fixtureDirs hold files a project keeps on purpose: a test database, a
// sample log a parser is tested on.
var fixtureDirs = map[string]bool{"test": true, "tests": true, "testing": true, "testdata": true, "test_data": true,
	"fixtures": true, "fixture": true, "samples": true, "sample": true, "examples": true, "example": true,
	"docs": true, "doc": true}

// inFixtureDir reports whether a file lies under a directory of
// fixtureDirs.
func inFixtureDir(rel string) bool {
	for _, part := range strings.Split(path.Dir(rel), "/") {
		if fixtureDirs[strings.ToLower(part)] {
			return true
		}
	}
	return false
}

// artefactFile returns what the regular file rel is, if it is a local
// artefact.
func artefactFile(rel string) ArtefactKind {
	base := strings.ToLower(path.Base(rel))
	switch {
	case inFixtureDir(rel):
		return 0
	case strings.HasSuffix(base, ".sqlite3") || strings.HasSuffix(base, ".sqlite"):
		return Database
	case strings.HasPrefix(base, "celerybeat-schedule"):
		return BeatSchedule
	case strings.HasSuffix(base, ".log"):
		return LogFile
	case strings.HasSuffix(base, ".pyc"):
		return Bytecode
	}
	return 0
}

// IsServeFile reports whether the file rel (relative to the analysed root,
// '/'-separated) is one serving commands are read from (a Dockerfile, a
// compose file, a Procfile, a start-up script).
func IsServeFile(rel string) bool { return isServeFile(rel) }

// IsArtefactFile reports whether the file rel (relative to the analysed
// root, '/'-separated) is a local artefact: a database, a log, a schedule
// or compiled bytecode (see artefactFile).
func IsArtefactFile(rel string) bool { return artefactFile(rel) != 0 }

// artefactGitStates sets Git on artefacts when root lies in a git checkout
// (as gitStates does for dotenv files): tracked when the index lists the
// file, or for a directory some file under it.
func artefactGitStates(root string, arts []Artefact) {
	if len(arts) == 0 {
		return
	}
	rels := make([]string, len(arts))
	for i, a := range arts {
		rels[i] = a.Rel
	}
	states := trackedStates(root, rels, func(name, rel string) bool {
		return name == rel || strings.HasPrefix(name, rel+"/")
	})
	for i := range arts {
		arts[i].Git = states[i]
	}
}

// trackedStates says, for each path rels[i] relative to root, whether git
// tracks it: GitUnknown for all when root lies in no git checkout rubric
// reads (see gitStates), else GitTracked when some name the index lists
// matches it (match(name, rel), both relative to the repository's top),
// GitUntracked otherwise. The index's names are sorted, so a directory's
// files are found by a binary search.
func trackedStates(root string, rels []string, match func(name, rel string) bool) []GitState {
	out := make([]GitState, len(rels))
	abs, err := filepath.Abs(root)
	if err != nil {
		return out
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	repo, top, err := gitdiff.Open(abs)
	if err != nil {
		return out
	}
	idx, err := repo.Storer.Index()
	if err != nil {
		return out
	}
	names := make([]string, len(idx.Entries))
	for i, e := range idx.Entries {
		names[i] = e.Name
	}
	sort.Strings(names)
	for i, r := range rels {
		rel, err := filepath.Rel(top, filepath.Join(abs, filepath.FromSlash(r)))
		if err != nil || strings.HasPrefix(rel, "..") {
			continue
		}
		rel = filepath.ToSlash(rel)
		out[i] = GitUntracked
		for j := sort.SearchStrings(names, rel); j < len(names) && strings.HasPrefix(names[j], rel); j++ {
			if match(names[j], rel) {
				out[i] = GitTracked
				break
			}
		}
	}
	return out
}

// Artefacts returns the local artefacts of the analysed tree (at the root
// of its first file's tree, four directories deep at most), in path order,
// read once.
func (ix *Index) Artefacts() []Artefact {
	sh := ix.shared
	sh.artefactsOnce.Do(func() {
		if root, ok := ix.treeRoot(); ok {
			sh.artefacts = artefactsFrom(root, ix.outsideListing(root).artefacts)
		}
	})
	return sh.artefacts
}

// artefactsFrom returns a copy of the listed artefacts with their git
// states.
func artefactsFrom(root string, listed []Artefact) []Artefact {
	out := append([]Artefact(nil), listed...)
	artefactGitStates(root, out)
	return out
}
