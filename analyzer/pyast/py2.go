package pyast

import "bytes"

// Python2 finds the first construct in root that only Python 2 accepts:
// the print and exec statements, `except E, e:`, backquotes, `<>`,
// `raise E, "message"`, tuple parameters, the `ur` string prefix and 0777 or 10L
// integers. tree-sitter's grammar accepts them all without an error, so a
// Python 2 file would otherwise pass for valid Python 3. It returns the
// node and a short description, or the zero Node.
func Python2(root Node) (Node, string) {
	for _, n := range FindAll(root, "print_statement", "exec_statement", "except_clause", "string",
		"comparison_operator", "raise_statement", "parameters", "lambda_parameters", "integer") {
		if at, what := python2Only(n); what != "" {
			return at, what
		}
	}
	return Node{}, ""
}

func python2Only(n Node) (Node, string) {
	switch n.Type() {
	case "print_statement":
		return n, "`print` statement"
	case "exec_statement":
		return n, "`exec` statement"
	case "except_clause":
		// except E, e: — Python 3 needs `as` (or parentheses for a tuple).
		for c := n.FirstChild(); !c.IsNil(); c = c.NextSibling() {
			if c.Type() == "," {
				return n, "`except E, name:`"
			}
			if c.Type() == "block" || c.Type() == ":" {
				break
			}
		}
	case "string":
		// Bytes, not Text: every string of every file passes here.
		b := n.Bytes()
		if len(b) > 0 && b[0] == '`' {
			return n, "backquotes (use `repr()`)"
		}
		if i := bytes.IndexAny(b[:min(len(b), 4)], `'"`); i > 0 && bytes.ContainsAny(b[:i], "uU") && bytes.ContainsAny(b[:i], "rR") {
			return n, "`ur` string prefix"
		}
	case "comparison_operator":
		for c := n.FirstChild(); !c.IsNil(); c = c.NextSibling() {
			if c.Type() == "<>" {
				return n, "`<>` operator"
			}
		}
	case "raise_statement":
		// raise E, "message" — parsed as an expression list.
		if c := n.NamedChild(0); c.Type() == "expression_list" {
			return n, "`raise E, message`"
		}
	case "parameters", "lambda_parameters":
		for _, c := range n.NamedChildren() {
			if c.Type() == "tuple_pattern" {
				return c, "tuple parameter"
			}
		}
	case "integer":
		b := n.Bytes()
		if len(b) > 0 && (b[len(b)-1] == 'L' || b[len(b)-1] == 'l') {
			return n, "long integer literal (`L` suffix)"
		}
		if len(b) > 1 && b[0] == '0' && len(bytes.Trim(b, "0123456789")) == 0 && len(bytes.Trim(b, "0")) != 0 {
			return n, "octal literal without `0o`"
		}
	}
	return Node{}, ""
}
