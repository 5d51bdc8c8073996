package pyidiom

import (
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
	"EmptyPage": true, "PageNotAnInteger": true, "Http404": true, "PermissionDenied": true,
	"NotFound": true, "KeyboardInterrupt": true, "RequestAborted": true, "ClientDisconnect": true,
	"MultipleObjectsReturned": true, "FieldDoesNotExist": true, "MaxRetriesExceededError": true,
}

// missSuffixes and valueSuffixes classify exception names by their ending:
// FooDoesNotExist, NoSuchJob (and any No<Name>: NoModelUrl)..., AddrFormatError, JSONDecodeError.
var (
	missPrefixes  = []string{"NoSuch", "Skip", "Duplicate"}
	missSuffixes  = []string{"DoesNotExist", "NotExist", "NotFound", "NotFoundError", "AlreadyRegistered", "NotRegistered", "AlreadyExists"}
	valueSuffixes = []string{"FormatError", "ParseError", "DecodeError", "ValidationError", "SyntaxError",
		"ParserException", "ParseException", "TimeZoneError", "TokenError",
		"JWTError", "InvalidToken", "BadSignature", "SignatureExpired", "InvalidSignature", "Invalid"}
	// missWords catch registry attributes: registry.does_not_exist_exception_class.
	missWords = []string{"does_not_exist", "not_found", "already_registered", "already_exists"}
)

func classify(n pyast.Node) (miss, value bool) {
	d := pyast.Dotted(n)
	name := d[strings.LastIndexByte(d, '.')+1:]
	if expectedMiss[name] {
		return true, false
	}
	if valueErrors[name] || d == "re.error" {
		return false, true
	}
	for _, w := range missWords {
		if strings.Contains(name, w) {
			return true, false
		}
	}
	for _, p := range missPrefixes {
		if strings.HasPrefix(name, p) {
			return true, false
		}
	}
	// NoModelUrl, NoResultFound, NoSectionError: named for what is not there.
	if len(name) > 2 && strings.HasPrefix(name, "No") && name[2] >= 'A' && name[2] <= 'Z' {
		return true, false
	}
	for _, s := range missSuffixes {
		if strings.HasSuffix(name, s) {
			return true, false
		}
	}
	for _, s := range valueSuffixes {
		if strings.HasSuffix(name, s) {
			return false, true
		}
	}
	return false, false
}

// valueErrors are conversion failures: usually a parse fallback.
var valueErrors = map[string]bool{
	"ValueError": true, "TypeError": true, "UnicodeDecodeError": true, "UnicodeEncodeError": true,
	"UnicodeError": true, "ArithmeticError": true, "ZeroDivisionError": true, "OverflowError": true,
	"InvalidOperation": true, "JSONDecodeError": true, "ValidationError": true,
	"DecimalException": true, "InvalidId": true,
}

// CatchesOnly reports whether every caught type is in one of the given
// classes: "miss" (expected absence), "value" (conversion failure). A bare
// or unreadable handler is not.
func (h Handler) CatchesOnly(classes ...string) bool {
	if len(h.Types) == 0 {
		return false
	}
	for _, t := range h.Types {
		miss, value := classify(t)
		ok := false
		for _, c := range classes {
			switch c {
			case "miss":
				ok = ok || miss
			case "value":
				ok = ok || value
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// Named reports whether every caught type is a plain or dotted name (not a
// computed expression such as `tuple(expected)`).
func (h Handler) Named() bool {
	if len(h.Types) == 0 {
		return false
	}
	for _, t := range h.Types {
		if pyast.Dotted(t) == "" {
			return false
		}
	}
	return true
}

// UserFacing reports whether expression e (a raised class or call) is an
// exception Django or DRF turns into a response or a form error: a
// translation for the user, not a failure whose cause matters.
func UserFacing(e pyast.Node) bool {
	if c, ok := pyast.AsCall(e); ok {
		e = c.Func
	}
	d := pyast.Dotted(e)
	name := d[strings.LastIndexByte(d, '.')+1:]
	switch name {
	case "Http404", "PermissionDenied", "SuspiciousOperation", "BadRequest", "CommandError",
		"NotFound", "ParseError", "AuthenticationFailed", "NotAuthenticated", "MethodNotAllowed",
		"NotAcceptable", "UnsupportedMediaType", "Throttled", "APIException", "Http400",
		"ImproperlyConfigured", "SystemExit":
		return true
	}
	return strings.HasSuffix(name, "ValidationError") || strings.HasSuffix(name, "ValidationException") ||
		strings.HasSuffix(name, "APIException")
}

// TypeText returns the caught type as written, for messages.
func (h Handler) TypeText() string {
	if h.Type.IsNil() {
		return ""
	}
	return h.Type.Text()
}
