package baseline

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/internal/safeio"
)

// File is a baseline on disk: the findings a project accepted when it
// adopted rubric, by fingerprint. Code, path and message are there for
// people reading the file and for diffs; only the fingerprint matters.
type File struct {
	Version  string  `json:"version"`
	Findings []Entry `json:"findings"`
}

// Entry is one accepted finding.
type Entry struct {
	Fingerprint string `json:"fingerprint"`
	Code        string `json:"code"`
	Path        string `json:"path"`
	Message     string `json:"message"`
}

// Build records every diagnostic of r.
func Build(r *analyzer.Result) *File {
	fps := Fingerprints(r)
	f := &File{Version: Version, Findings: []Entry{}}
	for i, d := range r.Diagnostics {
		f.Findings = append(f.Findings, Entry{Fingerprint: fps[i], Code: d.Code, Path: d.Path, Message: d.Message})
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

// Write saves the baseline of r to path.
func Write(path string, r *analyzer.Result) error {
	data, err := json.MarshalIndent(Build(r), "", "  ")
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
	return &f, nil
}

// Filter drops from r the diagnostics the baseline holds and returns how
// many it dropped.
func (f *File) Filter(r *analyzer.Result) int {
	known := map[string]bool{}
	for _, e := range f.Findings {
		known[e.Fingerprint] = true
	}
	fps := Fingerprints(r)
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
