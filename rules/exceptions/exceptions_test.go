package exceptions_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/analyzertest"
	"github.com/rubric-dev/rubric/rules/exceptions"
)

// A broad handler that shows the exception to the user, or returns it to
// its caller, is deliberate handling: reported at low confidence; one that
// only keeps its text, at medium.
func TestBroadExceptShownToUserIsLowConfidence(t *testing.T) {
	got := broadExceptConfidences(t, "ERR002_user.txtar")
	require.Len(t, got, 3)
	assert.Equal(t, analyzer.Low, got[0])
	assert.Equal(t, analyzer.Medium, got[1])
	assert.Equal(t, analyzer.Low, got[2])
}

// A broad handler that records the caught exception for someone to read
// (a project's error log, mail_admins, a list of errors) loses only the
// traceback: low confidence; one that only flags a failure keeps medium.
func TestBroadExceptRecordingTheErrorIsLowConfidence(t *testing.T) {
	got := broadExceptConfidences(t, "ERR002_recorded.txtar")
	assert.Equal(t, []analyzer.Confidence{analyzer.Low, analyzer.Low, analyzer.Low, analyzer.Medium}, got)
}

// A broad handler that answers the client with a 4xx (a Flask-style
// `return "", 400`, a DRF response with a 4xx status, Django's
// HttpResponseBadRequest) after a try that only reads and checks the
// request tells the client its request failed: low confidence; one
// answering a 500, or a 4xx after a try that writes, keeps its own.
func TestBroadExceptAnsweringClientErrorIsLowConfidence(t *testing.T) {
	got := broadExceptConfidences(t, "ERR002_client_error.txtar")
	assert.Equal(t, []analyzer.Confidence{analyzer.Low, analyzer.Low, analyzer.Low, analyzer.High, analyzer.High}, got)
}

// broadExceptConfidences runs ERR002 alone on a fixture of
// testdata/rules/exceptions and returns its findings' confidences, in order.
func broadExceptConfidences(t *testing.T, fixture string) []analyzer.Confidence {
	t.Helper()
	res := analyzertest.RunTxtar(t, "../../testdata/rules/exceptions/"+fixture, []*analyzer.Rule{exceptions.BroadExcept})
	var got []analyzer.Confidence
	for _, d := range res.Diagnostics {
		if d.Code == "ERR002" {
			got = append(got, d.Confidence)
		}
	}
	return got
}

// A management command or a standalone script printing the caught
// exception for its operator (print, a self.output-like helper) is low;
// printing only its own text, or the same handler outside a command or
// script, keeps its confidence.
func TestBroadExceptPrintedByCommandIsLowConfidence(t *testing.T) {
	res := analyzertest.RunTxtar(t, "../../testdata/rules/exceptions/ERR002_command.txtar", []*analyzer.Rule{exceptions.BroadExcept})
	got := map[string]analyzer.Confidence{}
	for _, d := range res.Diagnostics {
		got[fmt.Sprintf("%s:%d", d.Path, d.Pos.Line)] = d.Confidence
	}
	assert.Equal(t, map[string]analyzer.Confidence{
		"sync/management/commands/process_events.py:20": analyzer.Low,
		"sync/management/commands/process_events.py:25": analyzer.Low,
		"sync/management/commands/process_events.py:30": analyzer.High,
		"sync/management/commands/process_events.py:35": analyzer.Low,
		"sync/management/commands/process_events.py:40": analyzer.Medium,
		"sync/views.py:4":                     analyzer.Medium,
		"scripts/monitoring/auto_scale.py:5":  analyzer.Low,
		"scripts/monitoring/auto_scale.py:10": analyzer.High,
	}, got)
}

// Handlers in test code, and a bare except that re-raises what it caught,
// are low confidence; the same handlers in shipped code are not.
func TestTestCodeAndReraiseAreLowConfidence(t *testing.T) {
	res := analyzertest.RunTxtar(t, "../../testdata/rules/exceptions/handlers_in_tests.txtar",
		[]*analyzer.Rule{exceptions.BareExcept, exceptions.BroadExcept, exceptions.Swallowed})
	got := map[string]analyzer.Confidence{}
	for _, d := range res.Diagnostics {
		got[fmt.Sprintf("%s:%s:%d", d.Path, d.Code, d.Pos.Line)] = d.Confidence
	}
	assert.Equal(t, map[string]analyzer.Confidence{
		"shop/tests/test_checkout.py:ERR003:4":  analyzer.Low,
		"shop/tests/test_checkout.py:ERR001:8":  analyzer.Low,
		"shop/tests/test_checkout.py:ERR002:12": analyzer.Low,
		"shop/payments.py:ERR001:9":             analyzer.Low,
		"shop/payments.py:ERR001:17":            analyzer.High,
		"shop/payments.py:ERR003:24":            analyzer.High,
	}, got)
}

// A silent None that the function's docstring or return annotation
// documents is low confidence; an undocumented one stays medium.
func TestDocumentedNoneIsLowConfidence(t *testing.T) {
	res := analyzertest.RunTxtar(t, "../../testdata/rules/exceptions/silent_none_documented.txtar", []*analyzer.Rule{exceptions.SilentNone})
	var got []analyzer.Confidence
	for _, d := range res.Diagnostics {
		got = append(got, d.Confidence)
	}
	assert.Equal(t, []analyzer.Confidence{analyzer.Low, analyzer.Low, analyzer.Medium}, got)
}

// A broad swallow around a cleanup call made while another error is being
// handled is low confidence; around real work it stays high.
func TestCleanupWhileFailingIsLowConfidence(t *testing.T) {
	res := analyzertest.RunTxtar(t, "../../testdata/rules/exceptions/ERR003_cleanup.txtar", []*analyzer.Rule{exceptions.Swallowed})
	var got []analyzer.Confidence
	for _, d := range res.Diagnostics {
		got = append(got, d.Confidence)
	}
	assert.Equal(t, []analyzer.Confidence{analyzer.Low, analyzer.High}, got)
}

// A broad handler returning nothing in a procedure (no value returned
// anywhere) is low confidence; in a function returning a value, high.
func TestBroadNoneInProcedureIsLowConfidence(t *testing.T) {
	res := analyzertest.RunTxtar(t, "../../testdata/rules/exceptions/silent_none_procedure.txtar", []*analyzer.Rule{exceptions.SilentNone})
	var got []analyzer.Confidence
	for _, d := range res.Diagnostics {
		got = append(got, d.Confidence)
	}
	assert.Equal(t, []analyzer.Confidence{analyzer.Low, analyzer.High}, got)
}
