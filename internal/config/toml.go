package config

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"

	toml "github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
)

// Document is a parsed TOML file: its values, as go-toml decodes them
// (string, int64, float64, bool, []any, map[string]any, dates), and the
// line of every key, found with go-toml's position-reporting parser, so that
// any error can name its line: a `[` in a comment or a string, multi-line
// arrays and inline tables are the parser's business, not a line scanner's.
type Document struct {
	Values map[string]any
	lines  map[string]int // key path joined with keySep -> line
}

const keySep = "\x00"

// LineError is an error at a line of a file (0 when unknown).
type LineError struct {
	Line int
	Msg  string
}

func (e *LineError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

// ParseTOML parses data. A syntax error is a *LineError.
func ParseTOML(data []byte) (*Document, error) {
	d := &Document{Values: map[string]any{}, lines: map[string]int{}}
	if err := toml.Unmarshal(data, &d.Values); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			row, _ := de.Position()
			return nil, &LineError{Line: row, Msg: strings.TrimPrefix(de.Error(), "toml: ")}
		}
		return nil, &LineError{Msg: strings.TrimPrefix(err.Error(), "toml: ")}
	}
	p := unstable.Parser{}
	p.Reset(data)
	var table []string
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			table = d.record(&p, nil, e.Key())
		case unstable.KeyValue:
			d.keyValue(&p, table, e)
		}
	}
	return d, nil
}

// keyValue records a key = value and, for an inline table, its keys.
func (d *Document) keyValue(p *unstable.Parser, prefix []string, kv *unstable.Node) {
	path := d.record(p, prefix, kv.Key())
	if v := kv.Value(); v.Kind == unstable.InlineTable {
		it := v.Children()
		for it.Next() {
			if n := it.Node(); n.Kind == unstable.KeyValue {
				d.keyValue(p, path, n)
			}
		}
	}
}

// record notes the line of a (dotted) key under prefix, and of each of
// its parents not seen yet, and returns its path.
func (d *Document) record(p *unstable.Parser, prefix []string, key unstable.Iterator) []string {
	path := append([]string{}, prefix...)
	for key.Next() {
		n := key.Node()
		path = append(path, string(n.Data))
		k := strings.Join(path, keySep)
		if _, seen := d.lines[k]; !seen && n.Raw.Length > 0 {
			d.lines[k] = p.Shape(n.Raw).Start.Line
		}
	}
	return path
}

// Line returns the line of the key at path, or of its nearest parent
// whose line is known, or 0.
func (d *Document) Line(path ...string) int {
	for i := len(path); i > 0; i-- {
		if n, ok := d.lines[strings.Join(path[:i], keySep)]; ok {
			return n
		}
	}
	return 0
}

// Get returns the value at path and whether it exists.
func (d *Document) Get(path ...string) (any, bool) {
	var v any = d.Values
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[k]; !ok {
			return nil, false
		}
	}
	return v, true
}

// TypeName describes a TOML value for messages: "a string", "an array"...
func TypeName(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64, int:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "a table"
	case time.Time, toml.LocalDate, toml.LocalDateTime, toml.LocalTime:
		return "a date"
	}
	return fmt.Sprintf("a %T", v)
}

// DisplayKey joins a key path for messages, quoting parts that are not
// bare keys (a glob such as "tests/*.py").
func DisplayKey(path []string) string {
	parts := make([]string, len(path))
	for i, p := range path {
		parts[i] = p
		if p == "" || strings.IndexFunc(p, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_')
		}) >= 0 {
			parts[i] = fmt.Sprintf("%q", p)
		}
	}
	return strings.Join(parts, ".")
}

// DidYouMean returns ` (did you mean "x"?)` for the candidate closest to
// word, when one is close enough to be a likely typo, else "".
func DidYouMean(word string, candidates []string) string {
	best, bestD := "", 0
	norm := func(s string) string { return strings.ReplaceAll(strings.ToLower(s), "_", "-") }
	for _, c := range candidates {
		d := editDistance(norm(word), norm(c))
		if best == "" || d < bestD || (d == bestD && c < best) {
			best, bestD = c, d
		}
	}
	limit := max(1, len(word)/3)
	if best == "" || bestD > limit {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// sortedKeys returns a map's keys in order, so that errors come out in a
// stable order.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// LineErrors are several errors in one file.
type LineErrors []*LineError

func (es LineErrors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "\n")
}

// InFile formats err, a *LineError or LineErrors, as "path:line: message"
// lines; any other error as "path: error".
func InFile(path string, err error) error {
	var les LineErrors
	var le *LineError
	switch {
	case errors.As(err, &les):
	case errors.As(err, &le):
		les = LineErrors{le}
	default:
		return fmt.Errorf("%s: %w", path, err)
	}
	parts := make([]string, len(les))
	for i, e := range les {
		if e.Line > 0 {
			parts[i] = fmt.Sprintf("%s:%d: %s", path, e.Line, e.Msg)
		} else {
			parts[i] = fmt.Sprintf("%s: %s", path, e.Msg)
		}
	}
	return errors.New(strings.Join(parts, "\n"))
}

// DecodeStrict decodes data into v (a pointer to a struct with `toml`
// tags), refusing unknown keys. Errors are LineErrors: a syntax error, a
// value of the wrong type, or each unknown key with a suggestion among the
// keys v's types declare.
func DecodeStrict(data []byte, v any) error {
	dec := toml.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		return nil
	}
	var sm *toml.StrictMissingError
	if errors.As(err, &sm) {
		var out LineErrors
		for _, e := range sm.Errors {
			row, _ := e.Position()
			key := e.Key()
			hint := ""
			if len(key) > 0 {
				hint = DidYouMean(key[len(key)-1], tomlTags(reflect.TypeOf(v), key[:len(key)-1]))
			}
			out = append(out, &LineError{Line: row, Msg: fmt.Sprintf("unknown key %q%s", DisplayKey(key), hint)})
		}
		return out
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		row, _ := de.Position()
		msg := strings.TrimPrefix(de.Error(), "toml: ")
		if k := de.Key(); len(k) > 0 {
			msg = DisplayKey(k) + ": " + msg
		}
		return LineErrors{{Line: row, Msg: msg}}
	}
	return LineErrors{{Msg: strings.TrimPrefix(err.Error(), "toml: ")}}
}

// tomlTags returns the `toml` tag names of the struct reached from t by
// the table path (through pointers, slices and maps), or nil.
func tomlTags(t reflect.Type, path []string) []string {
	deref := func(t reflect.Type) reflect.Type {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		return t
	}
	t = deref(t)
	for _, p := range path {
		if t.Kind() != reflect.Struct {
			return nil
		}
		found := false
		for i := 0; i < t.NumField(); i++ {
			if name, _, _ := strings.Cut(t.Field(i).Tag.Get("toml"), ","); name == p {
				t, found = deref(t.Field(i).Type), true
				break
			}
		}
		if !found {
			return nil
		}
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	var out []string
	for i := 0; i < t.NumField(); i++ {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("toml"), ","); name != "" && name != "-" {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}
