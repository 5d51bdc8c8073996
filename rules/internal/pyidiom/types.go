package pyidiom

import (
	"path"
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// expectedMiss are exception types that signal an expected absence rather
// than a failure: a missing row, key, attribute, optional module or file.
// Handling them by doing nothing or returning None is ordinary control flow.
var expectedMiss = map[string]bool{
	"DoesNotExist": true, "ObjectDoesNotExist": true, "EmptyResultSet": true,
	"KeyError": true, "IndexError": true, "LookupError": true, "AttributeError": true,
	"StopIteration": true, "StopAsyncIteration": true, "GeneratorExit": true,
	"ImportError": true, "ModuleNotFoundError": true,
	"FileNotFoundError": true, "FileExistsError": true, "ProcessLookupError": true,
	"NotADirectoryError": true, "IsADirectoryError": true,
	"NotImplementedError": true, "NoReverseMatch": true, "Resolver404": true,
	"EmptyPage": true, "PageNotAnInteger": true, "Http404": true,
	"NotFound": true, "KeyboardInterrupt": true,
}

// valueErrors are conversion failures: usually a parse fallback.
var valueErrors = map[string]bool{
	"ValueError": true, "TypeError": true, "UnicodeDecodeError": true, "UnicodeEncodeError": true,
	"UnicodeError": true, "ArithmeticError": true, "ZeroDivisionError": true, "OverflowError": true,
	"InvalidOperation": true, "JSONDecodeError": true, "ValidationError": true,
	"DecimalException": true, "InvalidId": true,
}

func lastName(n pyast.Node) string {
	d := pyast.Dotted(n)
	return d[strings.LastIndexByte(d, '.')+1:]
}

// CatchesOnly reports whether every caught type is in one of the given
// classes: "miss" (expected absence), "value" (conversion failure). A bare
// or unreadable handler is not.
func (h Handler) CatchesOnly(classes ...string) bool {
	if len(h.Types) == 0 {
		return false
	}
	for _, t := range h.Types {
		name := lastName(t)
		ok := false
		for _, c := range classes {
			switch c {
			case "miss":
				ok = ok || expectedMiss[name]
			case "value":
				ok = ok || valueErrors[name]
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// TypeText returns the caught type as written, for messages.
func (h Handler) TypeText() string {
	if h.Type.IsNil() {
		return ""
	}
	return h.Type.Text()
}

// IsTestPath reports whether a '/'-separated path is test code: test_*.py,
// *_test.py, tests.py, conftest.py, or anything under a tests/ or test/
// directory.
func IsTestPath(rel string) bool {
	base := path.Base(rel)
	if strings.HasPrefix(base, "test_") || strings.HasSuffix(base, "_test.py") ||
		base == "tests.py" || base == "conftest.py" {
		return true
	}
	for _, seg := range strings.Split(path.Dir(rel), "/") {
		switch seg {
		case "tests", "test", "testing":
			return true
		}
	}
	return false
}
