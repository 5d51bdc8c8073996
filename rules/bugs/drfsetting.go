package bugs

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed drfsetting.md
var drfSettingDoc string

// MisspeltDRFSetting reports a REST_FRAMEWORK entry whose key is not one
// DRF reads but is one or two edits away from one that it does
// (`DEFAULT_PERMISSIONS_CLASSES`): DRF looks its settings up by name and
// ignores the rest, so the entry has no effect and the default it meant to
// replace stays, silently.
var MisspeltDRFSetting = &analyzer.Rule{
	Code:              "BUG054",
	Name:              "misspelt-drf-setting",
	Doc:               drfSettingDoc,
	Category:          analyzer.Correctness,
	Severity:          analyzer.Error,
	Confidence:        analyzer.High,
	Since:             "0.21.0",
	Stack:             project.Django,
	SkipOnSyntaxError: true,
	Skip:              semantic.Test | semantic.Migration,
	Run:               runMisspeltDRFSetting,
}

// drfSettings are the names rest_framework.settings.DEFAULTS holds (3.x).
var drfSettings = []string{
	"DEFAULT_RENDERER_CLASSES", "DEFAULT_PARSER_CLASSES", "DEFAULT_AUTHENTICATION_CLASSES",
	"DEFAULT_PERMISSION_CLASSES", "DEFAULT_THROTTLE_CLASSES", "DEFAULT_CONTENT_NEGOTIATION_CLASS",
	"DEFAULT_METADATA_CLASS", "DEFAULT_VERSIONING_CLASS", "DEFAULT_PAGINATION_CLASS", "DEFAULT_FILTER_BACKENDS",
	"DEFAULT_SCHEMA_CLASS", "DEFAULT_THROTTLE_RATES", "NUM_PROXIES", "PAGE_SIZE", "SEARCH_PARAM",
	"ORDERING_PARAM", "DEFAULT_VERSION", "ALLOWED_VERSIONS", "VERSION_PARAM", "UNAUTHENTICATED_USER",
	"UNAUTHENTICATED_TOKEN", "VIEW_NAME_FUNCTION", "VIEW_DESCRIPTION_FUNCTION", "EXCEPTION_HANDLER",
	"NON_FIELD_ERRORS_KEY", "TEST_REQUEST_RENDERER_CLASSES", "TEST_REQUEST_DEFAULT_FORMAT",
	"URL_FORMAT_OVERRIDE", "FORMAT_SUFFIX_KWARG", "URL_FIELD_NAME", "DATE_FORMAT", "DATE_INPUT_FORMATS",
	"DATETIME_FORMAT", "DATETIME_INPUT_FORMATS", "TIME_FORMAT", "TIME_INPUT_FORMATS", "UNICODE_JSON",
	"COMPACT_JSON", "STRICT_JSON", "COERCE_DECIMAL_TO_STRING", "UPLOADED_FILES_USE_URL",
	"HTML_SELECT_CUTOFF", "HTML_SELECT_CUTOFF_TEXT", "SCHEMA_COERCE_PATH_PK", "SCHEMA_COERCE_METHOD_NAMES",
}

// ignoredEffect says what the default left in place does, for the
// settings whose default a misspelling keeps.
var ignoredEffect = map[string]string{
	"DEFAULT_PERMISSION_CLASSES":     "every view without its own `permission_classes` keeps DRF's default, `AllowAny`: open to anonymous callers",
	"DEFAULT_AUTHENTICATION_CLASSES": "DRF authenticates with its defaults, session and basic authentication, and not with the classes listed",
	"DEFAULT_PAGINATION_CLASS":       "list endpoints are not paginated",
	"PAGE_SIZE":                      "list endpoints are not paginated",
	"DEFAULT_THROTTLE_CLASSES":       "nothing is throttled",
	"DEFAULT_THROTTLE_RATES":         "the throttles have no rates",
	"DEFAULT_FILTER_BACKENDS":        "views without their own `filter_backends` filter nothing",
	"EXCEPTION_HANDLER":              "errors are answered by DRF's default handler",
}

// runMisspeltDRFSetting reads the dict literal of a module-level
// `REST_FRAMEWORK = {...}`: each string key DRF does not read, within two
// edits (optimal string alignment) of exactly one name it reads, whose
// value is not empty (None, [], (), {}, ""), is reported at the key.
func runMisspeltDRFSetting(p *analyzer.Pass) error {
	known := drfSettings
	for _, a := range project.ModuleAssignments(p.Root) {
		if a.ChildByField("left").Text() != "REST_FRAMEWORK" {
			continue
		}
		d := pyast.Unparen(a.ChildByField("right"))
		if d.Type() != "dictionary" {
			continue
		}
		for pair := range d.Named() {
			if pair.Type() != "pair" {
				continue
			}
			kn := pair.ChildByField("key")
			key, ok := pyast.StringValue(kn)
			if !ok || slices.Contains(known, key) || emptyValue(pair.ChildByField("value")) || switchedOff(key, known) {
				continue
			}
			meant := ""
			for _, k := range known {
				if semantic.EditDistance(key, k) <= 2 {
					if meant != "" {
						meant = ""
						break
					}
					meant = k
				}
			}
			if meant == "" {
				continue
			}
			effect := ignoredEffect[meant]
			if effect == "" {
				effect = "the value has no effect"
			}
			p.Report(analyzer.Diagnostic{
				Range:   analyzer.RangeOf(kn),
				Message: fmt.Sprintf("`%s` is not a REST framework setting (`%s` is): DRF reads its settings by name and ignores this entry, so %s", key, meant, effect),
				Help:    fmt.Sprintf("rename the key to `%s`", meant),
			})
		}
	}
	return nil
}

// switchedOff reports a key that is a DRF name with digits or an
// underscored word appended (`DEFAULT_RENDERER_CLASSES1`,
// `DEFAULT_THROTTLE_CLASSES_OFF`): a setting put aside on purpose, kept in
// the file to switch back on, not a slip.
func switchedOff(key string, known []string) bool {
	for _, k := range known {
		rest, ok := strings.CutPrefix(key, k)
		if !ok || rest == "" {
			continue
		}
		if rest[0] == '_' || strings.Trim(rest, "0123456789") == "" {
			return true
		}
	}
	return false
}

// emptyValue reports a value that sets nothing: None, an empty list,
// tuple, dict or string.
func emptyValue(v pyast.Node) bool {
	v = pyast.Unparen(v)
	switch v.Type() {
	case "none":
		return true
	case "list", "tuple", "dictionary":
		return v.NamedChildCount() == 0
	case "string":
		s, ok := pyast.StringValue(v)
		return ok && strings.TrimSpace(s) == ""
	}
	return false
}
