package security

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed sensitivefields.md
var sensitiveFieldsDoc string

// SensitiveSerializerField reports serializers that return secrets or
// identity numbers to API clients.
var SensitiveSerializerField = &analyzer.Rule{
	Code:       "SEC019",
	Name:       "sensitive-field-readable",
	Doc:        sensitiveFieldsDoc,
	Category:   analyzer.Security,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.2.0",
	Stack:      project.Django,
	Skip:       semantic.ProductCode,
	Requires:   []project.Analysis{semantic.Endpoints},
	Run:        runSensitiveSerializerField,
}

// sensitiveWords are the last words of field names that hold secrets.
var sensitiveWords = map[string]bool{"password": true, "passwd": true, "otp": true, "pin": true, "cvv": true,
	"cvc": true, "ssn": true, "passcode": true}

// sensitiveNames are whole field names that hold secrets or identity
// numbers.
// API keys, tokens and webhook secrets are left out: their owners are
// often meant to read them (a webhook's signing secret, a personal API
// token), which the serializer alone cannot tell.
var sensitiveNames = map[string]bool{"national_id": true, "nationalid": true, "id_number": true, "passport_number": true,
	"tax_id": true, "card_number": true, "private_key": true, "security_answer": true, "pin_code": true}

// serializersCalled returns the project classes a handler instantiates
// by name (`PayoutSerializer(payout)`), resolved through its imports.
func serializersCalled(m *semantic.Model, fn *semantic.Func) []*semantic.Class {
	var out []*semantic.Class
	for n := range pyast.FindEach(pyast.Body(fn.Node), "call") {
		callee := n.ChildByField("function")
		if callee.Type() != "identifier" && callee.Type() != "attribute" {
			continue
		}
		q, ok := fn.File.Unit.Imports.Resolve(callee)
		if !ok {
			q = strings.TrimSuffix(fn.Qual, "."+fn.Name)
			if fn.Class != nil {
				q = strings.TrimSuffix(q, "."+fn.Class.Name)
			}
			q += "." + pyast.Dotted(callee)
		}
		if c := m.LookupClass(q); c != nil && modelSerializer(c) {
			out = append(out, c)
		}
	}
	return out
}

// bankNumberField reports a field holding a bank account or card number
// (`account_number`, `iban`, `account_number_snapshot`): the owner reads
// it, anonymous callers must not.
func bankNumberField(name string) bool {
	n := strings.ToLower(name)
	for _, w := range []string{"account_number", "accountnumber", "iban", "routing_number", "sort_code", "bank_account_number"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// flagField reports a model field that holds a truth value (a
// BooleanField): whatever its name, it is no secret.
func flagField(f *project.Field) bool {
	return f != nil && (strings.HasSuffix(f.Class, "BooleanField") || strings.HasSuffix(f.Class, "NullBooleanField"))
}

// sensitiveField reports a field name that holds a secret or an identity
// number.
func sensitiveField(name string) bool {
	n := strings.ToLower(name)
	if sensitiveNames[n] {
		return true
	}
	ws := semantic.IdentWords(name)
	if len(ws) == 0 {
		return false
	}
	last := ws[len(ws)-1]
	if !sensitiveWords[last] {
		return false
	}
	for _, w := range ws {
		switch w {
		case "is", "has", "requires", "required", "reset", "length", "expiry", "expires", "at", "set", "changed", "hint",
			// flags and facts about the secret (`validated_password`: the
			// password passed validation), not the secret
			"validated", "verified", "checked", "valid", "usable", "enabled", "disabled", "expired", "needs",
			"must", "should", "can", "uses", "strength", "policy", "attempts":
			return false
		}
	}
	return true
}

// runSensitiveSerializerField matches model serializers (ModelSerializer,
// HyperlinkedModelSerializer, through project bases) whose readable fields
// include a secret or an identity number (password, otp, pin, cvv, ssn,
// national_id, card_number, private_key...): model
// fields listed in Meta.fields or implied by `fields = "__all__"` or by
// `exclude`, and fields declared on the class when a generic view or
// viewset of the inventory returns the serializer's data (a declared
// field is usually input, read back only then); none write_only (a
// declared field with write_only=True, here or on a project base, or
// Meta.extra_kwargs). `fields = "__all__"` on the user
// model (AbstractUser) includes its password hash. One finding per
// serializer, at Meta.fields (or the declared field).
func runSensitiveSerializerField(p *analyzer.Pass) error {
	m := semantic.Of(p.Project)
	f := m.File(p.Unit)
	// Serializers whose data the framework returns (a generic view's or
	// viewset's own list, retrieve, create, update).
	returned := map[*semantic.Class]bool{}
	// Serializers whose data a framework read action returns to anonymous
	// callers: bank account numbers count there.
	openRead := map[*semantic.Class]*semantic.Endpoint{}
	inv := semantic.InventoryOf(p.Project)
	for _, e := range inv.Endpoints {
		if e.Handler != nil && e.Action == "get" && e.Auth.PublicFor("GET") && !e.Auth.Unknown && e.Judged(inv) {
			// An APIView's get serialising rows itself: `PayoutSerializer(payout).data`.
			for _, sc := range serializersCalled(m, e.Handler) {
				if openRead[sc] == nil {
					openRead[sc] = e
				}
			}
		}
		if e.Class != nil && e.Handler == nil {
			if sc := m.SerializerClass(e.Class); sc != nil {
				returned[sc] = true
				if (e.Action == "list" || e.Action == "retrieve") && e.Auth.PublicFor("GET") && !e.Auth.Unknown && e.Judged(inv) && openRead[sc] == nil {
					openRead[sc] = e
				}
			}
		}
	}
	for _, c := range f.Classes {
		if !modelSerializer(c) {
			continue
		}
		meta := semantic.MetaClass(c.Node)
		if meta.IsNil() {
			continue
		}
		fieldsNode, fields, all := metaFields(meta)
		excludeNode, exclude, _ := semantic.MetaList(meta, "exclude")
		writeOnly := extraWriteOnly(meta)
		for n := range representationDrops(c) {
			writeOnly[n] = true // the serializer decides itself who sees it
		}
		md := m.SerializerModel(c)
		var readable []string
		declared := map[string]pyast.Node{}
		add := func(n string) {
			if _, ok := declared[n]; ok && !returned[c] {
				return // a declared input field: returned only if a view returns this serializer's data
			}
			if md != nil && flagField(md.Field(n)) {
				return // `pin = BooleanField(...)`: a news item pinned, not a PIN
			}
			if (sensitiveField(n) || openRead[c] != nil && bankNumberField(n)) && !writeOnly[n] && !containsStr(readable, n) {
				readable = append(readable, n)
			}
		}
		for name, v := range c.Attrs {
			if call, ok := pyast.AsCall(v); ok && strings.HasSuffix(pyast.Dotted(call.Func), "Field") {
				declared[name] = v
				if call.Keyword("write_only").Text() == "True" {
					writeOnly[name] = true
				}
			}
		}
		// A field a project base declares write-only is write-only here
		// too, unless the class (or a nearer base) declares it again:
		// `password = CharField(write_only=True)` on a PasswordSerializer
		// mixed into the registration serializer that lists it.
		for _, b := range c.Bases() {
			for name := range b.Attrs {
				if _, own := c.Attrs[name]; own || writeOnly[name] {
					continue
				}
				if v, _ := c.Attr(name); !v.IsNil() {
					if call, ok := pyast.AsCall(v); ok && strings.HasSuffix(pyast.Dotted(call.Func), "Field") && call.Keyword("write_only").Text() == "True" {
						writeOnly[name] = true
					}
				}
			}
		}
		switch {
		case all || !excludeNode.IsNil():
			names := modelFieldNames(m, md)
			if md == nil && metaUserModel(c, meta) {
				names = []string{"password"} // Django's own User, outside the graph
			}
			for _, n := range names {
				if !containsStr(exclude, n) {
					add(n)
				}
			}
			for n := range declared {
				add(n)
			}
		default:
			for _, n := range fields {
				add(n)
			}
		}
		if len(readable) == 0 {
			continue
		}
		at := fieldsNode
		if at.IsNil() {
			at = excludeNode
		}
		if at.IsNil() {
			at = c.Node.ChildByField("name")
		}
		msg := fmt.Sprintf("serializer `%s` returns `%s` to API clients", c.Name, strings.Join(readable, "`, `"))
		var rel []analyzer.Related
		if e := openRead[c]; e != nil {
			for _, n := range readable {
				if !sensitiveField(n) {
					msg = fmt.Sprintf("serializer `%s` returns `%s` to API clients, and `%s` serves it to anonymous callers", c.Name, strings.Join(readable, "`, `"), e.ViewName())
					at := e.ViewNode()
					if e.Handler != nil {
						at = e.Handler.Node.ChildByField("name")
					}
					rel = []analyzer.Related{{Path: e.File.Unit.File.Rel, Range: analyzer.RangeOf(at), Message: "served to anonymous callers here"}}
					break
				}
			}
		}
		p.Report(analyzer.Diagnostic{
			Range:   analyzer.RangeOf(at),
			Related: rel,
			Message: msg,
			Help: fmt.Sprintf("make it write-only: `extra_kwargs = {%q: {\"write_only\": True}}` in `Meta` (or declare it with `write_only=True`), or leave it out of `fields`",
				readable[0]),
		})
	}
	return nil
}

// modelSerializer reports a class deriving from a DRF model serializer.
// representationDrops returns the fields the serializer's
// `to_representation` (its own or a project base's) takes out of the
// output, on every path or some (`del output["pin_code"]` unless the
// caller may join the room, `output.pop("pin_code")` to nest it under
// a telephony key): the serializer decides itself who sees them.
func representationDrops(c *semantic.Class) map[string]bool {
	out := map[string]bool{}
	fn := c.Method("to_representation")
	if fn == nil {
		return out
	}
	body := pyast.Body(fn.Node)
	for d := range pyast.FindEach(body, "delete_statement") {
		for sub := range pyast.FindEach(d, "subscript") {
			if k, ok := pyast.StringValue(sub.ChildByField("subscript")); ok {
				out[k] = true
			}
		}
	}
	for call := range pyast.FindEach(body, "call") {
		if c, ok := pyast.AsCall(call); ok && c.MethodName() == "pop" && len(c.Positional) > 0 {
			if k, ok := pyast.StringValue(c.Positional[0]); ok {
				out[k] = true
			}
		}
	}
	return out
}

func modelSerializer(c *semantic.Class) bool {
	for _, cc := range append([]*semantic.Class{c}, c.Bases()...) {
		for _, b := range cc.BaseNames() {
			if last := lastDotName(b); last == "ModelSerializer" || last == "HyperlinkedModelSerializer" {
				return true
			}
		}
	}
	return false
}

func metaFields(meta pyast.Node) (pyast.Node, []string, bool) {
	return semantic.MetaList(meta, "fields")
}

// extraWriteOnly reads Meta.extra_kwargs entries with "write_only": True.
func extraWriteOnly(meta pyast.Node) map[string]bool {
	out := map[string]bool{}
	for st := range pyast.EachStatement(pyast.Body(meta)) {
		a := st.NamedChild(0)
		if st.Type() != "expression_statement" || a.Type() != "assignment" || a.ChildByField("left").Text() != "extra_kwargs" {
			continue
		}
		for pair := range pyast.Unparen(a.ChildByField("right")).Named() {
			k, ok := pyast.StringValue(pair.ChildByField("key"))
			if ok && strings.Contains(pair.ChildByField("value").Text(), "write_only") &&
				strings.Contains(strings.ReplaceAll(pair.ChildByField("value").Text(), " ", ""), "True") {
				out[k] = true
			}
		}
	}
	return out
}

// modelFieldNames returns the field names of a model, the user model's
// password included when it comes from Django's AbstractUser.
func modelFieldNames(m *semantic.Model, md *project.Model) []string {
	if md == nil {
		return nil
	}
	var out []string
	for _, fl := range md.Fields {
		out = append(out, fl.Name)
	}
	if m.IsUserModel(md) && (md.External || djangoUserBase(md)) {
		out = append(out, "password")
	}
	return out
}

// metaUserModel reports whether Meta.model names Django's user model
// (`User` imported from django.contrib.auth, or get_user_model()).
func metaUserModel(c *semantic.Class, meta pyast.Node) bool {
	for st := range pyast.EachStatement(pyast.Body(meta)) {
		a := st.NamedChild(0)
		if st.Type() != "expression_statement" || a.Type() != "assignment" || a.ChildByField("left").Text() != "model" {
			continue
		}
		v := pyast.Unparen(a.ChildByField("right"))
		if call, ok := pyast.AsCall(v); ok {
			return lastDotName(pyast.Dotted(call.Func)) == "get_user_model"
		}
		q, ok := c.File.Unit.Imports.Resolve(v)
		return ok && (q == "django.contrib.auth.models.User" || strings.HasSuffix(q, ".get_user_model"))
	}
	return false
}

func djangoUserBase(md *project.Model) bool {
	for _, b := range md.ExternalBases {
		if strings.HasSuffix(b, "AbstractUser") || strings.HasSuffix(b, "AbstractBaseUser") {
			return true
		}
	}
	return false
}
