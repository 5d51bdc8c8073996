package semantic

import "github.com/rubric-dev/rubric/analyzer/pyast"

// payloadAttrs are the request's attributes that hold what the client
// sent: its body, parsed or not, its form, its query string. Not its
// files: an uploaded file may hold a table's worth of rows.
var payloadAttrs = map[string]bool{"data": true, "POST": true, "GET": true, "query_params": true, "body": true}

// payloadParams are the parameters DRF fills with a request's validated
// or raw payload, by method name.
var payloadParams = map[string]map[string]bool{
	"create":            {"validated_data": true},
	"update":            {"validated_data": true},
	"validate":          {"attrs": true, "data": true},
	"to_internal_value": {"data": true},
}

// RequestPayload reports whether n holds what one request carries, or a
// part of it: the request's body, form, query string or files
// (`request.data`, `json.loads(request.body)`), a serializer's payload
// (`validated_data` in create() and update(), `serializer.validated_data`,
// `self.initial_data`), and what is taken from them: a key (`[...]`,
// `.get`, `.pop`), its items, keys or values, a comprehension or a list
// over them, either branch of a conditional when both are; through local
// names. A loop over it runs once per item the client sent in that one
// request (the lines of one order, the events of one delivery): its
// length is bounded by the request, not by a table.
func (f *File) RequestPayload(n pyast.Node) bool { return f.requestPayload(n, 0) }

func (f *File) requestPayload(n pyast.Node, depth int) bool {
	if depth > 8 || n.IsNil() {
		return false
	}
	n = pyast.Unparen(n)
	switch n.Type() {
	case "attribute":
		obj, attr := n.ChildByField("object"), n.ChildByField("attribute").Text()
		switch attr {
		case "validated_data", "initial_data":
			return true
		}
		return payloadAttrs[attr] && f.isRequest(obj, ctx{})
	case "subscript":
		return f.requestPayload(n.ChildByField("value"), depth+1)
	case "call":
		c, _ := pyast.AsCall(n)
		switch c.MethodName() {
		case "get", "pop", "items", "values", "keys", "copy", "decode", "getlist":
			return f.requestPayload(c.Receiver(), depth+1)
		}
		if c.Func.Type() == "identifier" || c.Func.Type() == "attribute" {
			switch pyast.Dotted(c.Func) {
			case "json.loads", "loads", "list", "tuple", "enumerate", "reversed", "sorted":
				return len(c.Positional) > 0 && f.requestPayload(c.Positional[0], depth+1)
			}
		}
		return false
	case "list", "tuple":
		kids := n.NamedChildren()
		if len(kids) == 0 {
			return false
		}
		for _, k := range kids {
			if !f.requestPayload(k, depth+1) {
				return false
			}
		}
		return true
	case "conditional_expression":
		kids := n.NamedChildren()
		return len(kids) == 3 && f.requestPayload(kids[0], depth+1) && f.requestPayload(kids[2], depth+1)
	case "list_comprehension", "generator_expression", "set_comprehension":
		for k := range n.Named() {
			if k.Type() == "for_in_clause" {
				return f.requestPayload(k.ChildByField("right"), depth+1)
			}
		}
		return false
	case "identifier":
		name := n.Text()
		if b := f.Binding(n, name, n.StartByte()); !b.IsNil() {
			return f.requestPayload(b, depth+1)
		}
		if fn, _ := f.paramOf(n, name); fn != nil && fn.Class != nil && payloadParams[fn.Name][name] {
			return true
		}
	}
	return false
}
