package bugs

import (
	_ "embed"
	"regexp"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed missingcomma.md
var missingCommaDoc string

// MissingCommaInFieldNames reports two field names written one after the
// other without a comma where Django expects a list of field names:
// Python joins them into one name no model has.
var MissingCommaInFieldNames = &analyzer.Rule{
	Code:       "BUG056",
	Name:       "missing-comma-in-field-names",
	Doc:        missingCommaDoc,
	Category:   analyzer.Correctness,
	Severity:   analyzer.Error,
	Confidence: analyzer.High,
	Since:      "0.21.0",
	Skip:       semantic.Migration,
	Run:        runMissingCommaInFieldNames,
}

// fieldListMethods take field names (or paths) as positional strings.
var fieldListMethods = map[string]bool{"select_related": true, "prefetch_related": true, "only": true, "defer": true,
	"values": true, "values_list": true, "order_by": true, "distinct": true}

// fieldListAttrs are class attributes (Meta, ModelAdmin, serializers, the
// user model) that list field names.
var fieldListAttrs = map[string]bool{"fields": true, "exclude": true, "ordering": true, "readonly_fields": true,
	"read_only_fields": true, "list_display": true, "list_display_links": true, "list_filter": true,
	"search_fields": true, "list_select_related": true, "raw_id_fields": true, "autocomplete_fields": true,
	"list_editable": true, "prepopulated_fields": true, "filterset_fields": true, "ordering_fields": true,
	"REQUIRED_FIELDS": true, "unique_together": true, "index_together": true}

// fieldNameRe is one field name or lookup path, as written in those lists
// (`-created`, `customer__name`, `?`).
var fieldNameRe = regexp.MustCompile(`^[-+]?[A-Za-z_][A-Za-z0-9_]*$`)

// runMissingCommaInFieldNames reads the positional arguments of the
// queryset methods that take field names, `update_fields=` lists, and the
// lists and tuples assigned to class attributes that list field names
// (fieldListAttrs), for an implicit concatenation of string literals each
// of which is a whole field name or path on its own: `"passed_modules"
// "passed_categories"` is one string, "passed_modulespassed_categories".
// A long path split at a `__` (`"order__customer__" "name"`) is a
// deliberate split and is left alone, as are f-strings and bytes.
func runMissingCommaInFieldNames(p *analyzer.Pass) error {
	check := func(n pyast.Node, where string) {
		for c := range pyast.FindEach(n, "concatenated_string") {
			if parts, ok := joinedNames(c); ok {
				p.Report(analyzer.Diagnostic{
					Range:   analyzer.RangeOf(c),
					Message: "`" + strings.Join(parts, "` `") + "` in " + where + " has no comma between the names: Python joins them into one name, `" + strings.Join(parts, "") + "`, which no model has, so Django raises when this runs",
					Help:    "put a comma between them: `" + strings.Join(quoted(parts), ", ") + "`",
				})
			}
		}
	}
	// Every finding is a concatenated string: a file or a call without
	// one is passed over before its calls are decoded.
	if pyast.CountOf(p.Root, "concatenated_string") == 0 {
		return nil
	}
	for n := range pyast.FindEach(p.Root, "call", "assignment") {
		switch n.Type() {
		case "call":
			if pyast.CountOf(n, "concatenated_string") == 0 {
				continue
			}
			c, _ := pyast.AsCall(n)
			if m := c.MethodName(); fieldListMethods[m] && c.Func.Type() == "attribute" {
				for _, a := range c.Positional {
					if a.Type() == "concatenated_string" {
						check(a, "`"+m+"(...)`")
					}
				}
			}
			if v := c.Keyword("update_fields"); !v.IsNil() && (v.Type() == "list" || v.Type() == "tuple") {
				check(v, "`update_fields`")
			}
		case "assignment":
			left, right := n.ChildByField("left"), n.ChildByField("right")
			if left.Type() != "identifier" || !fieldListAttrs[left.Text()] || (right.Type() != "list" && right.Type() != "tuple") {
				continue
			}
			if st := n.Parent(); st.Type() != "expression_statement" || st.Parent().Parent().Type() != "class_definition" {
				continue
			}
			check(right, "`"+left.Text()+"`")
		}
	}
	return nil
}

// joinedNames returns the literals of an implicit concatenation when each
// is a whole field name or path and none starts or ends a path with `__`
// (a long path split on purpose).
func joinedNames(c pyast.Node) ([]string, bool) {
	var parts []string
	for s := range c.Named() {
		if s.Type() != "string" || pyast.IsFString(s) {
			return nil, false
		}
		if open, _, ok := pyast.StringQuotes(s); !ok || strings.ContainsAny(strings.ToLower(s.Text()[:open-s.StartByte()]), "bf") {
			return nil, false
		}
		v, ok := pyast.StringValue(s)
		if !ok || !fieldNameRe.MatchString(v) || strings.HasPrefix(strings.TrimLeft(v, "-+"), "__") || strings.HasSuffix(v, "__") {
			return nil, false
		}
		parts = append(parts, v)
	}
	return parts, len(parts) > 1
}

// quoted writes each name as a string literal.
func quoted(parts []string) []string {
	out := make([]string, len(parts))
	for i, s := range parts {
		out[i] = `"` + s + `"`
	}
	return out
}
