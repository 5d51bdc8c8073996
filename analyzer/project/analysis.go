package project

import (
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
type FileAnalysis[T any] struct {
	Name string
	Run  func(u *Unit, ix *Index) T
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
		c.reads = r.Units
	})
	if ix != nil && ix.reads != nil {
		if u != ix.self {
			ix.reads.add(u)
		}
		for _, o := range c.reads {
			if o != ix.self {
				ix.reads.add(o)
			}
		}
	}
	return c.val.(T)
}

// ProjectAnalysis is an analysis of the whole index.
type ProjectAnalysis[T any] struct {
	Name string
	Run  func(ix *Index) T
}

// AnalysisName implements Analysis.
func (a *ProjectAnalysis[T]) AnalysisName() string { return a.Name }

// Prebuild implements Analysis.
func (a *ProjectAnalysis[T]) Prebuild(ix *Index) { a.Get(ix) }

// Get returns the analysis of ix, building it once.
func (a *ProjectAnalysis[T]) Get(ix *Index) T {
	c := ix.cell(a)
	c.once.Do(func() { c.val = a.Run(ix.forAnalyses()) })
	return c.val.(T)
}

type resultCell struct {
	once sync.Once
	val  any
	// reads are the other files a file analysis's build read (see Reads).
	reads []*Unit
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
