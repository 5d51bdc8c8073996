package effects

import "github.com/rubric-dev/rubric/analyzer/pyast"

// Timeout is what a call says about its timeout.
type Timeout int

// Timeouts.
const (
	// NoTimeout: neither timeout= nor **kwargs.
	NoTimeout Timeout = iota
	// TimeoutGiven: timeout= is passed (None included: NET001 reports
	// that one separately).
	TimeoutGiven
	// TimeoutMaybe: no timeout=, but **kwargs may carry one.
	TimeoutMaybe
)

// TimeoutOf reads the timeout of an HTTP call. NET001 and the checklist's
// http.timeouts / http.calls_without_timeout signals share it.
func TimeoutOf(c pyast.Call) Timeout {
	switch {
	case !c.Keyword("timeout").IsNil():
		return TimeoutGiven
	case c.StarKwargs:
		return TimeoutMaybe
	}
	return NoTimeout
}
