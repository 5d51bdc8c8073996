package pyidiom

import "github.com/rubric-dev/rubric/analyzer/pyast"

// Breadth is how an except clause treats what it catches, as the reviewer
// checklist counts handlers: the ERR rules read the same parts (Bare,
// BroadName, Named, OnlyTrivial).
type Breadth int

// Breadths.
const (
	// Broad: a bare except, Exception or BaseException (alone or in a
	// tuple), or a type computed at run time (a call, a subscript), which
	// may be anything.
	Broad Breadth = iota + 1
	// Specific: named exceptions narrower than Exception, handled.
	Specific
	// SwallowedSpecific: named, narrower exceptions whose body only
	// passes (pass, continue, ..., a string).
	SwallowedSpecific
)

// Breadth classifies the handler; im resolves shadowed builtins.
func (h Handler) Breadth(im *pyast.Imports) Breadth {
	switch {
	case h.Bare() || h.BroadName(im) != "" || !h.Named():
		return Broad
	case h.OnlyTrivial():
		return SwallowedSpecific
	}
	return Specific
}
