package baseline

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/internal/safeio"
)

// File is a baseline on disk: the findings a project accepted when it
// adopted rubric, by fingerprint. Code, path and message are there for
// people reading the file and for diffs; only the fingerprint matters.
//
// A baseline names files relative to its own directory, and its
// fingerprints hash those paths: it matches whichever directory rubric
// runs from and however the tree is named (`rubric check .` inside it,
// `rubric check proj` above it, an absolute path in CI). Written from the
// baseline's own directory, the paths are the display paths, as they were
// before baselines were rebased.
type File struct {
	Version  string  `json:"version"`
	Findings []Entry `json:"findings"`
	// dir is the absolute directory of the file read (see Read).
	dir string
}

// Entry is one accepted finding.
type Entry struct {
	Fingerprint string `json:"fingerprint"`
	Code        string `json:"code"`
	Path        string `json:"path"`
	Message     string `json:"message"`
}

// Build records every diagnostic of r for a baseline kept in dir; r's
// display paths are relative to workDir (see File).
func Build(r *analyzer.Result, workDir, dir string) *File {
	pathOf := rebase(workDir, dir)
	fps := fingerprints(r, pathOf)
	f := &File{Version: Version, Findings: []Entry{}}
	for i, d := range r.Diagnostics {
		f.Findings = append(f.Findings, Entry{Fingerprint: fps[i], Code: d.Code, Path: pathOf(d.Path), Message: d.Message})
	}
	sort.SliceStable(f.Findings, func(i, j int) bool {
		a, b := f.Findings[i], f.Findings[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Code != b.Code {
			return a.Code < b.Code
		}
		return a.Fingerprint < b.Fingerprint
	})
	return f
}

// rebase maps a display path (relative to workDir, or absolute) to the
// same file's path relative to dir, '/'-separated; a path it cannot
// relate stays as it is.
func rebase(workDir, dir string) func(string) string {
	return func(p string) string {
		abs := filepath.FromSlash(p)
		if !filepath.IsAbs(abs) {
			abs = filepath.Join(workDir, abs)
		}
		rel, err := filepath.Rel(dir, abs)
		if err != nil {
			return p
		}
		return filepath.ToSlash(rel)
	}
}

// absDir is the absolute directory of the file at path.
func absDir(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("baseline %s: %w", path, err)
	}
	return filepath.Dir(abs), nil
}

// Write saves the baseline of r to path; r's display paths are relative
// to workDir.
func Write(path, workDir string, r *analyzer.Result) error {
	dir, err := absDir(path)
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(Build(r, workDir, dir), "", "  ")
	if err != nil {
		return err
	}
	// Atomically: a failed write leaves the previous baseline intact.
	if err := safeio.WriteBytes(path, 0o644, append(data, '\n')); err != nil {
		return fmt.Errorf("write baseline: %w", err)
	}
	return nil
}

// Read loads a baseline written by Write.
func Read(path string) (*File, error) {
	data, err := safeio.ReadUserFile(path, 256<<20)
	if err != nil {
		return nil, fmt.Errorf("read baseline: %w", err)
	}
	var f File
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("baseline %s: %w", path, err)
	}
	if f.Version != Version {
		return nil, fmt.Errorf("baseline %s has fingerprint version %q, this rubric writes %q: rewrite it with --write-baseline", path, f.Version, Version)
	}
	if f.dir, err = absDir(path); err != nil {
		return nil, err
	}
	return &f, nil
}

// Filter drops from r the diagnostics the baseline holds and returns how
// many it dropped; r's display paths are relative to workDir.
func (f *File) Filter(r *analyzer.Result, workDir string) int {
	known := map[string]bool{}
	for _, e := range f.Findings {
		known[e.Fingerprint] = true
	}
	fps := fingerprints(r, rebase(workDir, f.dir))
	kept := r.Diagnostics[:0]
	dropped := 0
	for i, d := range r.Diagnostics {
		if known[fps[i]] {
			dropped++
			continue
		}
		kept = append(kept, d)
	}
	r.Diagnostics = kept
	return dropped
}
