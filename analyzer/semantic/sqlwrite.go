package semantic

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// sqlWriteCall reads a call handed SQL that changes rows: its first
// positional argument (or `sql=`/`query=`) is a string literal, or a local
// every assignment of which is one, whose statement is `INSERT INTO`,
// `UPDATE <table> SET`, `DELETE FROM` or `REPLACE INTO`. Whoever runs it
// (`cursor.execute`, a project helper wrapping the cursor), the call writes
// rows. It returns the statement's opening ("UPDATE payments"), or "".
func (f *File) sqlWriteCall(c pyast.Call) string {
	arg := c.KeywordArg("sql")
	if arg.IsNil() {
		arg = c.KeywordArg("query")
	}
	if arg.IsNil() {
		if len(c.Positional) == 0 {
			return ""
		}
		arg = c.Positional[0]
	}
	arg = pyast.Unparen(arg)
	if arg.Type() == "identifier" {
		binds := f.Bindings(c.Node, arg.Text())
		if len(binds) == 0 {
			return ""
		}
		what := ""
		for _, b := range binds {
			w := sqlWriteStatement(pyast.Unparen(b))
			if w == "" || what != "" && w != what {
				return ""
			}
			what = w
		}
		return what
	}
	return sqlWriteStatement(arg)
}

// sqlWriteStatement returns the opening ("INSERT INTO t", "UPDATE t",
// "DELETE FROM t") when the string literal n is an
// SQL statement that writes rows, else "". Only the statement's opening
// words are read: a sentence that starts with "Update" or "Delete" is not
// followed by SET or FROM in that place.
func sqlWriteStatement(n pyast.Node) string {
	if n.Type() != "string" && n.Type() != "concatenated_string" {
		return ""
	}
	var s string
	if n.Type() == "concatenated_string" {
		var sb strings.Builder
		for c := range n.Named() {
			v, ok := pyast.StringValue(c)
			if !ok {
				return ""
			}
			sb.WriteString(v)
			sb.WriteByte(' ')
		}
		s = sb.String()
	} else {
		v, ok := pyast.StringValue(n)
		if !ok {
			return ""
		}
		s = v
	}
	words := strings.Fields(s)
	if len(words) < 3 {
		return ""
	}
	verb := strings.ToUpper(words[0])
	table := strings.Trim(words[2], "`\"[];(")
	switch verb {
	case "INSERT", "REPLACE":
		if !strings.EqualFold(words[1], "INTO") {
			return ""
		}
	case "DELETE":
		if !strings.EqualFold(words[1], "FROM") {
			return ""
		}
	case "UPDATE":
		// UPDATE table SET ...
		table = strings.Trim(words[1], "`\"[];(")
		if !strings.EqualFold(words[2], "SET") {
			return ""
		}
	default:
		return ""
	}
	if !sqlIdent(table) {
		return ""
	}
	switch verb {
	case "UPDATE":
		return "UPDATE " + table
	case "DELETE":
		return "DELETE FROM " + table
	}
	return verb + " INTO " + table
}

// sqlIdent reports a plain table name (schema-qualified allowed).
func sqlIdent(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r == '.' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
