package analyzer

import _ "embed"

//go:embed docs/SYN001.md
var syntaxErrorDoc string

//go:embed docs/SYN002.md
var unreadableDoc string

//go:embed docs/RUB001.md
var internalErrorDoc string

//go:embed docs/RUB002.md
var unusedSuppressionDoc string

//go:embed docs/RUB003.md
var unknownSuppressionDoc string

// Built-in rules are produced by the driver itself, not by a Run function.
var (
	SyntaxError = &Rule{Code: "SYN001", Name: "syntax-error", Doc: syntaxErrorDoc, Category: Correctness,
		Severity: Error, Confidence: High, Since: "0.1.0", builtin: true}
	UnreadableFile = &Rule{Code: "SYN002", Name: "unreadable-file", Doc: unreadableDoc, Category: Correctness,
		Severity: Warning, Confidence: High, Since: "0.1.0", builtin: true}
	InternalError = &Rule{Code: "RUB001", Name: "internal-error", Doc: internalErrorDoc, Category: Correctness,
		Severity: Error, Confidence: High, Since: "0.1.0", builtin: true}

	// UnusedSuppression and UnknownSuppression judge suppression comments
	// after the driver has applied them; both are opt-in.
	UnusedSuppression = &Rule{Code: "RUB002", Name: "unused-suppression", Doc: unusedSuppressionDoc, Category: Correctness,
		Severity: Info, Confidence: High, Since: "0.1.0", NonDefault: true, builtin: true}
	UnknownSuppression = &Rule{Code: "RUB003", Name: "unknown-code-in-suppression", Doc: unknownSuppressionDoc, Category: Correctness,
		Severity: Warning, Confidence: High, Since: "0.1.0", NonDefault: true, builtin: true}
)

// BuiltinRules are the driver's own diagnostics, listed with the others.
func BuiltinRules() []*Rule { return []*Rule{SyntaxError, UnreadableFile, InternalError} }

// SuppressionRules are the driver's opt-in checks of suppression comments.
// They are listed in the registry after BuiltinRules; they stay out of
// BuiltinRules so that test harnesses enabling the built-ins wholesale do
// not judge their fixtures' comments.
func SuppressionRules() []*Rule { return []*Rule{UnusedSuppression, UnknownSuppression} }

// Builtin reports whether the driver itself produces the rule's diagnostics.
func (r *Rule) Builtin() bool { return r.builtin }
