package pyast

import "bytes"

// Python2 finds the first construct in root that only Python 2 accepts:
// the print and exec statements, `except E, e:`, backquotes, `<>`,
// `raise E, "message"`, tuple parameters, the `ur` string prefix and 0777 or 10L
// integers. tree-sitter's grammar accepts them all without an error, so a
// Python 2 file would otherwise pass for valid Python 3. It returns the
// node and a short description, or the zero Node.
func Python2(root Node) (Node, string) {
	for n := range FindEach(root, "print_statement", "exec_statement", "except_clause", "string",
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
		// except E, e: binds the exception to e in Python 2. Since Python
		// 3.14 (PEP 758) `except A, B:` without `as` is valid and catches
		// either: only a second item that names a variable, not a class
		// (lowercase, as exception classes never are), is Python 2.
		if c := python2ExceptBinding(n); !c.IsNil() {
			return n, "`except E, name:`"
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
		for c := range n.Named() {
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

// python2ExceptBinding returns the name of `except E, name:` (Python 2's
// binding form), or the zero Node: a clause with no comma, with more than
// two items, or whose second item is not a lowercase name is not it.
// Python2ExceptName returns the name a Python 2 `except E, name:` clause
// binds (n an except_clause), or the zero Node.
func Python2ExceptName(n Node) Node { return python2ExceptBinding(n) }

func python2ExceptBinding(n Node) Node {
	var items []Node
	comma := false
	for c := n.FirstChild(); !c.IsNil() && !c.Is("block", ":", "as"); c = c.NextSibling() {
		if c.Type() == "," {
			comma = true
		} else if c.IsNamed() {
			items = append(items, c)
		}
	}
	if !comma || len(items) != 2 {
		return Node{}
	}
	name := items[1]
	if name.Type() != "identifier" {
		return Node{}
	}
	if b := name.Bytes(); len(b) == 0 || b[0] < 'a' && b[0] != '_' || b[0] > 'z' {
		return Node{}
	}
	return name
}

// PEP758Only reports whether every syntax error under root is the rest of
// an unparenthesised list of exceptions, `except A, B, C:`: valid since
// Python 3.14 (PEP 758), but the grammar knows the form only up to two
// names and makes the third on an error. Such a file is not broken.
func PEP758Only(root Node) bool {
	if !root.HasError() {
		return false
	}
	var ok func(n Node) bool
	ok = func(n Node) bool {
		if n.IsMissing() {
			return false
		}
		if n.IsError() {
			return exceptListRest(n)
		}
		seen := false
		for _, c := range n.Children() {
			if c.HasError() || c.IsMissing() {
				if !ok(c) {
					return false
				}
				seen = true
			}
		}
		return seen // an error flag with no error below it: not understood
	}
	return ok(root)
}

// exceptListRest reports an error node in an except clause that holds only
// names (or dotted names) and the commas between them.
func exceptListRest(e Node) bool {
	if e.Parent().Type() != "except_clause" {
		return false
	}
	for _, c := range e.Parent().Children() {
		if c.Is("as", "as_pattern") {
			return false // PEP 758 wants the parentheses with `as`
		}
	}
	kids := e.Children()
	if len(kids) == 0 {
		return false
	}
	for i, c := range kids {
		comma := c.Type() == ","
		if !comma && !c.Is("identifier", "attribute") {
			return false
		}
		if i > 0 && comma == (kids[i-1].Type() == ",") {
			return false // two names, or two commas, in a row
		}
	}
	return true
}
