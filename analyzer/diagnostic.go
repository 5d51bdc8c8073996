package analyzer

import (
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/source"
)

// Range is a half-open byte range [Start, End) in a file.
type Range struct {
	Start, End int
}

// RangeOf returns the byte range of a node.
func RangeOf(n pyast.Node) Range { return Range{Start: n.StartByte(), End: n.EndByte()} }

// Span returns the range from the start of a to the end of b.
func Span(a, b pyast.Node) Range { return Range{Start: a.StartByte(), End: b.EndByte()} }

// Diagnostic is one finding. Rules fill Range, Message, Help and optionally
// Confidence, Fixes and Related; the driver fills the rest. It holds no
// tree-sitter node: nodes die with their tree.
type Diagnostic struct {
	Code       string
	Name       string
	Category   Category
	Severity   Severity
	Confidence Confidence
	Path       string // display path, '/'-separated
	Range
	Pos, EndPos source.Position // filled by the driver from Range
	Message     string          // one line, no trailing period
	Help        string          // what to write instead
	Fixes       []Fix           // alternatives; at most one is applied
	Related     []Related
}

// Fix is a suggested change: a description and non-overlapping edits.
// Applicability says whether `rubric check --fix` may apply it (see
// Applicability); the rule that builds the fix sets it.
type Fix struct {
	Message       string
	Edits         []TextEdit
	Applicability Applicability
}

// TextEdit replaces Range in Path (the diagnostic's file when empty) with NewText.
type TextEdit struct {
	Path string
	Range
	NewText     string
	Pos, EndPos source.Position
}

// Related points at another location that explains the finding (the model
// field behind an N+1, the atomic block around a side effect).
type Related struct {
	Path string // the diagnostic's file when empty
	Range
	Message     string
	Pos, EndPos source.Position
}
