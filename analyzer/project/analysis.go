package project

import (
	"encoding/binary"
	"maps"
	"reflect"
	"slices"
	"sync"
)

// An Analysis is a derived, read-only result that several rules (and the
// reviewer checklist) need: computed once, on first need, and handed over
// typed. FileAnalysis results live with a Unit, ProjectAnalysis results
// with the Index. This replaces string-keyed memos: the key is the
// analysis value itself, so a typo cannot share or split a result, and the
// result's type is checked at compile time.
//
// This is the shape of golang.org/x/tools/go/analysis's Requires/ResultOf,
// with laziness instead of a scheduler: rules declare what they need in
// Rule.Requires (the driver builds project analyses up front, so their cost
// shows in traces and is never paid inside a rule's time), and Get builds
// whatever was not prebuilt.
type Analysis interface {
	AnalysisName() string
	// Prebuild computes the result for the whole index (project analyses)
	// or does nothing (file analyses, built per file on first need).
	Prebuild(ix *Index)
}

// FileAnalysis is an analysis of one file; Run may read the index.
//
// Digest, when set, hashes a result to the bytes that say all a reader
// may learn from it: two results with one digest must read the same to
// every rule. A rule run that read the analysis of another file is then
// kept past an edit of that file that leaves the digest as it was (see
// the analyzer's reuse.go, summary rules); without it, past no edit.
type FileAnalysis[T any] struct {
	Name   string
	Run    func(u *Unit, ix *Index) T
	Digest func(T) []byte
}

// AnalysisName implements Analysis.
func (a *FileAnalysis[T]) AnalysisName() string { return a.Name }

// Prebuild implements Analysis; file results are built on first need.
func (a *FileAnalysis[T]) Prebuild(*Index) {}

// Get returns the analysis of u, building it once. Concurrent callers wait
// for the first build. Run must not ask for the same analysis of u.
//
// On a recording view (Index.Recording), the analysis of another file is
// recorded as a read of that file, and so are the files its build read.
func (a *FileAnalysis[T]) Get(u *Unit, ix *Index) T {
	c := u.cell(a)
	c.once.Do(func() {
		var r Reads
		c.val = a.Run(u, ix.Recording(u, &r))
		c.reads, c.projects = r.Units, r.Projects
	})
	if ix != nil && ix.reads != nil {
		if u != ix.self {
			ix.reads.add(u)
			ix.reads.addOf(u, a)
		}
		for _, o := range c.reads {
			if o != ix.self {
				ix.reads.add(o)
				ix.reads.addOf(o, nil) // read by the build: its bytes count
			}
		}
		for _, p := range c.projects {
			ix.reads.addProject(p)
		}
	}
	return c.val.(T)
}

// FileDigest returns the digest of the analysis of u (building it), and
// false for an analysis without Digest.
func (a *FileAnalysis[T]) FileDigest(u *Unit, ix *Index) ([]byte, bool) {
	if a.Digest == nil {
		return nil, false
	}
	return a.Digest(a.Get(u, ix)), true
}

// A FileDigester is a file analysis whose results have a digest
// (FileAnalysis.Digest).
type FileDigester interface {
	Analysis
	FileDigest(u *Unit, ix *Index) ([]byte, bool)
}

// A ProjectDigester is a project analysis whose result has a digest
// (ProjectAnalysis.Digest).
type ProjectDigester interface {
	Analysis
	ProjectDigest(ix *Index) ([]byte, bool)
}

// Digestible reports whether a rule that reads a may be kept by what it
// read (a summary rule): a is a project analysis with a Digest, or a file
// analysis (what a rule reads of one is recorded by file, see Reads), and
// its results are plain values (PlainType): a result that held a tree's
// nodes or the semantic model would hand a rule other files' trees that
// no record sees.
func Digestible(a Analysis) bool {
	t, ok := a.(interface{ ResultType() reflect.Type })
	if !ok || !PlainType(t.ResultType()) {
		return false
	}
	if p, ok := a.(interface{ hasDigest() bool }); ok {
		return p.hasDigest()
	}
	_, ok = a.(FileDigester)
	return ok
}

// PlainType reports whether values of t hold nothing but booleans,
// numbers and strings, in slices, arrays, maps and structs: no pointer,
// interface, function or channel.
func PlainType(t reflect.Type) bool {
	if v, ok := plainTypes.Load(t); ok {
		return v.(bool)
	}
	v := plainType(t, map[reflect.Type]bool{})
	plainTypes.Store(t, v)
	return v
}

var plainTypes sync.Map

func plainType(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return true
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64, reflect.String:
		return true
	case reflect.Slice, reflect.Array:
		return plainType(t.Elem(), seen)
	case reflect.Map:
		return plainType(t.Key(), seen) && plainType(t.Elem(), seen)
	case reflect.Struct:
		for i := range t.NumField() {
			if !plainType(t.Field(i).Type, seen) {
				return false
			}
		}
		return true
	}
	return false
}

// ResultType is the type of the analysis's results.
func (a *FileAnalysis[T]) ResultType() reflect.Type { return reflect.TypeFor[T]() }

// ResultType is the type of the analysis's result.
func (a *ProjectAnalysis[T]) ResultType() reflect.Type { return reflect.TypeFor[T]() }

// ProjectAnalysis is an analysis of the whole index. Digest, when set,
// hashes a result as FileAnalysis.Digest does: the rules that read only
// analyses with one are kept on a file while the digests stay as they
// were, whatever else changed in the other files.
type ProjectAnalysis[T any] struct {
	Name   string
	Run    func(ix *Index) T
	Digest func(T) []byte
}

func (a *ProjectAnalysis[T]) hasDigest() bool { return a.Digest != nil }

// DeclaresDigest reports whether the analysis has a Digest.
func (a *ProjectAnalysis[T]) DeclaresDigest() bool { return a.Digest != nil }

// DeclaresDigest reports whether the analysis has a Digest.
func (a *FileAnalysis[T]) DeclaresDigest() bool { return a.Digest != nil }

// DigestDeclared is what an analysis says of its results (Rule validation reads
// it): whether it has a digest, and their type.
type DigestDeclared interface {
	DeclaresDigest() bool
	ResultType() reflect.Type
}

// ProjectDigest returns the digest of the analysis of ix (building it),
// and false for an analysis without Digest.
func (a *ProjectAnalysis[T]) ProjectDigest(ix *Index) ([]byte, bool) {
	if a.Digest == nil {
		return nil, false
	}
	return a.Digest(a.Get(ix)), true
}

// AnalysisName implements Analysis.
func (a *ProjectAnalysis[T]) AnalysisName() string { return a.Name }

// Prebuild implements Analysis.
func (a *ProjectAnalysis[T]) Prebuild(ix *Index) { a.Get(ix) }

// Get returns the analysis of ix, building it once.
//
// On a recording view, the read is recorded (Reads.Projects).
func (a *ProjectAnalysis[T]) Get(ix *Index) T {
	if ix != nil && ix.reads != nil {
		ix.reads.addProject(a)
	}
	c := ix.cell(a)
	c.once.Do(func() {
		build := func() { c.val = a.Run(ix.forAnalyses()) }
		if Building != nil {
			Building(a.Name, build)
		} else {
			build()
		}
	})
	return c.val.(T)
}

// Building, when set, runs the build of each project analysis, named
// (RUBRIC_PROFILE_LABELS sets it to book the build under the analysis's
// profile label). Set it before any run.
var Building func(name string, build func())

type resultCell struct {
	once sync.Once
	val  any
	// reads are the other files a file analysis's build read, and
	// projects the project analyses (see Reads).
	reads    []*Unit
	projects []Analysis
}

type results struct {
	mu    sync.Mutex
	cells map[any]*resultCell
}

func (r *results) cell(key any) *resultCell {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cells == nil {
		r.cells = map[any]*resultCell{}
	}
	c := r.cells[key]
	if c == nil {
		c = &resultCell{}
		r.cells[key] = c
	}
	return c
}

// DigestStrings is a Digest for a list: its strings in order, each after
// its length.
func DigestStrings(list []string) []byte {
	var b []byte
	for _, s := range list {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	return b
}

// DigestSet is a Digest for a set: its members in sorted order.
func DigestSet(set map[string]bool) []byte {
	var keys []string
	for k, in := range set {
		if in {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return DigestStrings(keys)
}

// DigestLists is a Digest for lists by key: each key in sorted order, then
// its list.
func DigestLists(m map[string][]string) []byte {
	var b []byte
	for _, k := range slices.Sorted(maps.Keys(m)) {
		b = append(b, DigestStrings([]string{k})...)
		b = binary.AppendUvarint(b, uint64(len(m[k])))
		b = append(b, DigestStrings(m[k])...)
	}
	return b
}
