package analyzer

import _ "embed"

//go:embed docs/SYN001.md
var syntaxErrorDoc string

//go:embed docs/SYN002.md
var unreadableDoc string

//go:embed docs/RUB001.md
var internalErrorDoc string

// Built-in rules are produced by the driver itself, not by a Run function.
var (
	SyntaxError = &Rule{Code: "SYN001", Name: "syntax-error", Doc: syntaxErrorDoc, Category: Correctness,
		Severity: Error, Confidence: High, Since: "0.1.0", builtin: true}
	UnreadableFile = &Rule{Code: "SYN002", Name: "unreadable-file", Doc: unreadableDoc, Category: Correctness,
		Severity: Warning, Confidence: High, Since: "0.1.0", builtin: true}
	InternalError = &Rule{Code: "RUB001", Name: "internal-error", Doc: internalErrorDoc, Category: Correctness,
		Severity: Error, Confidence: High, Since: "0.1.0", builtin: true}
)

// BuiltinRules are the driver's own diagnostics, listed with the others.
func BuiltinRules() []*Rule { return []*Rule{SyntaxError, UnreadableFile, InternalError} }

// Builtin reports whether the driver itself produces the rule's diagnostics.
func (r *Rule) Builtin() bool { return r.builtin }
