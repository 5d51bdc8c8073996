package analyzer

import (
	"crypto/sha256"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// ReuseTreeKey is the key a run with cfg keeps the tree of in (with
// content src) under, for tests that watch what a run reads back.
func ReuseTreeKey(cfg Config, in Input, src []byte) [32]byte {
	r := newReuser(cfg)
	st := &fileState{in: in, sum: sha256.Sum256(src)}
	return r.fileKey("tree", st, treeKeyExtra())
}

// GCTargetFor is the collector's target after phase one for a heap of heap
// bytes, scan of them scannable.
func GCTargetFor(g GCPhases, scan, heap uint64) int { return g.targetFor(scan, heap) }

// NewContentTrees is the fix rounds' tree cache (trees by content, in
// memory), for tests that need one.
func NewContentTrees() TreeCache { return &memoryTrees{m: map[[32]byte]*pyast.Tree{}} }

// SkipReadCheck turns off, until the test ends, the second run of the rules
// that require shared analyses that checks what they read (checkReads):
// for tests that count a rule's runs.
func SkipReadCheck(t interface{ Cleanup(func()) }) {
	was := checkReads
	checkReads = false
	t.Cleanup(func() { checkReads = was })
}
