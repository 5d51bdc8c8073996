package security

import (
	_ "embed"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/rules/internal/prose"
)

//go:embed modelformall.md
var modelFormAllDoc string

// ModelFormAllFields reports ModelForm/ModelSerializer Meta with fields = "__all__".
var ModelFormAllFields = &analyzer.Rule{
	Code:       "SEC011",
	Name:       "model-form-all-fields",
	Doc:        modelFormAllDoc,
	Category:   analyzer.Security,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.1.0",
	Stack:      project.Django,
	Skip:       semantic.Test,
	Requires:   []project.Analysis{semantic.Project, semantic.Endpoints, runningBalances, movedStatuses},
	Run:        runModelFormAllFields,
	// Each serializer exposes its own fields: never folded into another
	// class's finding of the same file.
	Distinct: true,
}

// runModelFormAllFields matches `fields = "__all__"` in the Meta of a class
// deriving (by name, directly) from a ModelForm or ModelSerializer, and
// fields="__all__" passed to modelform_factory/modelformset_factory/
// inlineformset_factory. It skips serializers named for output only (Read,
// List, Output, Response) and test files.
func runModelFormAllFields(p *analyzer.Pass) error {
	for n := range pyast.FindEach(p.Root, "class_definition", "call") {
		switch n.Type() {
		case "class_definition":
			if hasWord(pyast.DefName(n), "read", "readonly", "list", "output", "response", "lite", "activity", "log", "expand", "summary", "minimal") {
				continue
			}
			for s := range pyast.EachStatement(pyast.Body(n)) {
				if s.Type() != "class_definition" || pyast.DefName(s) != "Meta" {
					continue
				}
				kind := formKind(n, s)
				if kind == "" || kind == "ModelForm" && adminForm(p, n) {
					continue
				}
				var all pyast.Node
				readOnly := false
				for a := range pyast.FindEachShallow(pyast.Body(s), "assignment") {
					switch a.ChildByField("left").Text() {
					case "fields":
						if v, ok := pyast.StringValue(a.ChildByField("right")); ok && v == "__all__" {
							all = a
						}
					case "read_only_fields":
						readOnly = true
					}
				}
				if all.IsNil() {
					continue
				}
				if readOnlyUse(p, n) {
					continue // only ever serialised out
				}
				if kind == "serializer" {
					sm := semantic.Of(p.Project)
					sc := sm.File(p.Unit).ClassOfDef(n)
					if sm.SerializerOnlyRenders(sc) || writtenByNoClient(sm, sc) || commandsOnly(sm, sc) {
						continue // every use renders an object or serves administrators: no client data reaches it
					}
					if validatedOnly(sm, sc) {
						continue // client data is only checked through it, never saved: the view writes the fields it chooses
					}
				}
				if kind == "ModelForm" && adminFormOnly(p, n) {
					continue // the admin's form: staff edit every field by design
				}
				d := analyzer.Diagnostic{
					Range:   analyzer.RangeOf(all),
					Message: fmt.Sprintf("%s `%s` accepts every model field (`fields = \"__all__\"`), including ones clients must not set", kind, pyast.DefName(n)),
					Help:    "list the fields clients may write: `fields = [\"name\", \"email\"]` (and `read_only_fields` for the rest); a field added to the model later is then not writable by accident",
				}
				sens, known := sensitiveWritable(p, n, s)
				if moved := movedStatusesOf(p, s); len(moved) > 0 && statusWriteEndpoint(p, n) == nil {
					// A status counts only where a client writes it.
					sens = slices.DeleteFunc(sens, func(f string) bool { _, ok := moved[f]; return ok })
				}
				if semantic.InventoryOf(p.Project).NoCallerIdentified() {
					// Nothing identifies a caller: the owner can only come
					// from the request. Money and privileges still count.
					sens = slices.DeleteFunc(sens, func(f string) bool { return ownershipNames[f] })
				}
				switch {
				case known && len(sens) == 0:
					continue // every field it accepts is client input
				case len(sens) > 0:
					d.Message = fmt.Sprintf("%s `%s` accepts every model field (`fields = \"__all__\"`), %s included: a client can set %s", kind, pyast.DefName(n), quoteList(sens), pronoun(sens))
					d.Confidence = analyzer.High
				case readOnly:
					d.Confidence = analyzer.Low
					d.Message = fmt.Sprintf("%s `%s` accepts every model field not in `read_only_fields` (`fields = \"__all__\"`), so a new model field is writable by default", kind, pyast.DefName(n))
				}
				p.Report(d)
			}
		case "call":
			switch string(pyast.CalleeName(n)) {
			case "modelform_factory", "modelformset_factory", "inlineformset_factory":
			default:
				continue
			}
			c, _ := pyast.AsCall(n)
			switch c.MethodName() {
			case "modelform_factory", "modelformset_factory", "inlineformset_factory":
				if v, ok := pyast.StringValue(c.Keyword("fields")); ok && v == "__all__" {
					p.Report(analyzer.Diagnostic{
						Range:   analyzer.RangeOf(c.KeywordArg("fields")),
						Message: fmt.Sprintf("`%s(fields=\"__all__\")` accepts every model field", c.MethodName()),
						Help:    "pass the list of fields the form may write: `fields=[\"name\", \"email\"]`",
					})
				}
			}
		}
	}
	return nil
}

// adminForm reports a ModelForm of an admin module (admin.py, or a module
// of an admin/ package) that a ModelAdmin or inline of the same module
// takes as its `form = ...`: only staff submit it, through fields the
// admin class chooses, and an administrator setting an order's user is
// what the admin is for.
func adminForm(p *analyzer.Pass, cls pyast.Node) bool {
	rel := p.File.Rel
	if path.Base(rel) != "admin.py" && !strings.Contains("/"+rel, "/admin/") {
		return false
	}
	name := pyast.DefName(cls)
	// A form built by a factory of the module (`def ticket_form(): class
	// TicketForm(forms.ModelForm): ...; return TicketForm`) is the admin's
	// when the admin takes `form = ticket_form()`.
	factory := ""
	if fn := pyast.EnclosingFunction(cls); !fn.IsNil() {
		for r := range pyast.FindEach(pyast.Body(fn), "return_statement") {
			if v := r.NamedChild(0); !v.IsNil() && pyast.Unparen(v).Text() == name && pyast.EnclosingFunction(r) == fn {
				factory = pyast.DefName(fn)
			}
		}
	}
	for c := range pyast.FindEach(p.Root, "class_definition") {
		admin := false
		for b := range c.ChildByField("superclasses").Named() {
			if b := lastName(b); strings.HasSuffix(b, "Admin") || strings.HasSuffix(b, "Inline") {
				admin = true
			}
		}
		if !admin {
			continue
		}
		for a := range pyast.FindEachShallow(pyast.Body(c), "assignment") {
			if a.ChildByField("left").Text() != "form" {
				continue
			}
			r := pyast.Unparen(a.ChildByField("right"))
			if r.Text() == name {
				return true
			}
			if fc, ok := pyast.AsCall(r); ok && factory != "" && fc.Func.Text() == factory {
				return true
			}
		}
	}
	return false
}

// formKind returns "ModelForm" or "serializer" when a base class is named
// like one (a name ending in ModelForm or ModelSerializer; or in Form or
// Serializer when the Meta names a model, as project base classes such as
// BaseSerializer(ModelSerializer) do), else "".
func formKind(cls pyast.Node, meta pyast.Node) string {
	hasModel := false
	for a := range pyast.FindEachShallow(pyast.Body(meta), "assignment") {
		if a.ChildByField("left").Text() == "model" {
			hasModel = true
		}
	}
	for b := range cls.ChildByField("superclasses").Named() {
		name := lastName(b)
		switch {
		case strings.HasSuffix(name, "ModelForm"), hasModel && strings.HasSuffix(name, "Form"):
			return "ModelForm"
		case strings.HasSuffix(name, "ModelSerializer"), hasModel && strings.HasSuffix(name, "Serializer"):
			return "serializer"
		}
	}
	return ""
}

// writeGuardedNames are model fields a client must not set through a form or
// serializer: money held, ownership, privileges.
var writeGuardedNames = map[string]bool{
	"balance": true, "credit": true, "credits": true, "points": true, "owner": true, "user": true,
	"created_by": true, "is_staff": true, "is_superuser": true, "is_admin": true, "is_verified": true,
	"role": true, "roles": true, "permissions": true, "user_permissions": true, "groups": true,
}

// ownershipNames say whose row it is: a client may name them when the
// service identifies no caller (semantic.Inventory.NoCallerIdentified).
var ownershipNames = map[string]bool{"owner": true, "user": true, "created_by": true}

// privilegeNames grant privileges when they hold a value (a `role`
// column) or, as relations, on a model that ties them to users (the user
// model, a membership) or point to Django's groups and permissions;
// elsewhere a relation named `role` is a category of the row (a device's
// role, a contact's role on a site).
var privilegeNames = map[string]bool{"role": true, "roles": true, "groups": true, "permissions": true}

// relationField reports a relation field, or a field of a project class
// deriving from one (`role = RoleField()` where RoleField is a ForeignKey
// subclass that sets its target itself).
func relationField(g *project.Models, f *project.Field) bool {
	if f.IsRelation() {
		return true
	}
	cf := g.LookupClassQual(f.Class)
	if cf == nil {
		return false
	}
	for _, c := range append([]*project.ClassFacts{cf}, g.ClassBases(cf)...) {
		for _, b := range c.Bases {
			if strings.HasSuffix(b, "ForeignKey") || strings.HasSuffix(b, "OneToOneField") || strings.HasSuffix(b, "ManyToManyField") {
				return true
			}
		}
	}
	return false
}

// proseField reports a model field declared as text (TextField,
// CharField and their subclasses by name): a `credits` or `credit` so
// declared lists the people thanked or a photo's source, it holds no
// amount a client could inflate. A `balance` kept as text is still a
// balance (the callers ask only of the credit names).
func proseField(f *project.Field) bool {
	c := f.Class
	if i := strings.IndexByte(c, '('); i >= 0 {
		c = c[:i]
	}
	return strings.HasSuffix(c, "TextField") || strings.HasSuffix(c, "CharField")
}

// modelField is m's field of that name, nil when m or the field is unknown.
func modelField(m *project.Model, name string) *project.Field {
	if m == nil {
		return nil
	}
	return m.Field(name)
}

// authTarget reports a relation to Django's auth groups or permissions.
func authTarget(f *project.Field) bool {
	t := f.Target
	return t == "Group" || t == "Permission" || strings.HasSuffix(t, ".Group") || strings.HasSuffix(t, ".Permission")
}

// tiedToUsers reports whether md is the user model or has a relation to it.
func tiedToUsers(g *project.Models, md *project.Model) bool {
	um := g.UserModel()
	if um != nil && md == um {
		return true
	}
	for _, f := range md.Fields {
		if !f.IsRelation() {
			continue
		}
		if um != nil && f.To == um || strings.Contains(f.Target, "AUTH_USER_MODEL") || f.Target == "User" || strings.HasSuffix(f.Target, ".User") {
			return true
		}
	}
	return false
}

// sensitiveWritable returns the sensitive fields of the class's model a
// client can write through it: named for money held, ownership or
// privileges (see writeGuardedNames, and *_balance) or kept by the
// project as a running total (see runningBalances), not in
// read_only_fields, not made read-only by extra_kwargs or a declared
// field. known is false when the model's fields are not all known.
func sensitiveWritable(p *analyzer.Pass, cls, meta pyast.Node) (out []string, known bool) {
	g := p.Project.Models
	if g == nil {
		return nil, false
	}
	var model *project.Model
	protected := map[string]bool{}
	var writable map[string]bool // read_only_fields = every model field but these
	for a := range pyast.FindEachShallow(pyast.Body(meta), "assignment") {
		right := pyast.Unparen(a.ChildByField("right"))
		switch a.ChildByField("left").Text() {
		case "model":
			model = g.Lookup(p.Unit, pyast.Dotted(right))
		case "read_only_fields":
			if right.Type() == "identifier" && right.Text() == "fields" {
				// read_only_fields = fields: nothing is writable.
				return nil, true
			}
			if allow, ok := readOnlyExcept(right); ok {
				writable = allow
				continue
			}
			for e := range right.Named() {
				if v, ok := pyast.StringValue(e); ok {
					protected[v] = true
				}
			}
		case "extra_kwargs":
			for pair := range right.Named() {
				k, ok := pyast.StringValue(pair.ChildByField("key"))
				if ok && pair.Type() == "pair" && strings.Contains(pair.ChildByField("value").Text(), "read_only") {
					protected[k] = true
				}
			}
		}
	}
	// Fields the class declares itself replace the model's.
	for a := range pyast.FindEachShallow(pyast.Body(cls), "assignment") {
		left := a.ChildByField("left")
		if left.Type() != "identifier" {
			continue
		}
		c, ok := pyast.AsCall(pyast.Unparen(a.ChildByField("right")))
		if !ok {
			continue
		}
		switch c.MethodName() {
		case "SerializerMethodField", "ReadOnlyField", "HiddenField", "CurrentUserDefault",
			// DRF's read-only relational fields: never written, whatever
			// the model field behind them.
			"StringRelatedField", "HyperlinkedIdentityField":
			protected[left.Text()] = true
		}
		if ro := c.Keyword("read_only"); ro.Type() == "true" {
			protected[left.Text()] = true
		}
	}
	// Fields the class's validate() sets itself, unconditionally
	// (`data["user"] = self.context["request"].user`): whatever the
	// client sent is replaced before the save.
	for name := range validateSets(cls) {
		protected[name] = true
	}
	// A status the project moves itself, unless the class validates the
	// client's value against the row (validate_status reading self: a
	// check of the value alone, against the choices, checks no transition).
	var moved map[string]statusSite
	if model != nil {
		moved = movedStatuses.Get(p.Project)[model.Qual]
		for name := range moved {
			if def := classMethod(cls, "validate_"+name); !def.IsNil() && readsSelf(def) {
				protected[name] = true
			}
		}
	}
	if writable != nil {
		// Only the listed fields are writable, whatever the model adds
		// later: the class is an allow-list.
		for f := range writable {
			if fd := modelField(model, f); fd != nil && fd.NotEditable {
				continue // editable=False: read-only whatever the class lists
			}
			if fd := modelField(model, f); fd != nil && moneyHeld(f) && relationField(g, fd) {
				continue // a comment's `credit`: the row it is about, not money held
			}
			if fd := modelField(model, f); fd != nil && (f == "credit" || f == "credits") && proseField(fd) {
				continue // a `credits` text field: names thanked, not an amount
			}
			if _, ok := moved[f]; !protected[f] && (writeGuardedNames[f] || strings.HasSuffix(f, "_balance") && !statementFigure(model, f, nil) || ok) {
				out = append(out, f)
			}
		}
		slices.Sort(out)
		return out, true
	}
	if model == nil {
		return nil, false
	}
	if model.External {
		// Django's own user model: its privilege flags.
		if um := g.UserModel(); um == model || model.Name == "User" {
			for _, f := range []string{"is_staff", "is_superuser", "groups", "user_permissions"} {
				if !protected[f] {
					out = append(out, f)
				}
			}
			return out, true
		}
		return nil, false
	}
	bySave := setBySave(p, model)
	userLinked := tiedToUsers(g, model)
	running := runningBalances.Get(p.Project)[model.Qual]
	for _, f := range model.Fields {
		if protected[f.Name] || f.PrimaryKey || bySave[f.Name] || f.NotEditable {
			continue // read-only to clients, or set by the model (editable=False: DRF makes it read-only)
		}
		if privilegeNames[f.Name] && relationField(g, f) && !userLinked && !authTarget(f) {
			continue // a device's or a VLAN's role: a category, not a privilege
		}
		if (f.Name == "credit" || f.Name == "credits") && proseField(f) {
			continue // an installer's `credits` text: the people thanked, not an amount
		}
		if moneyHeld(f.Name) && relationField(g, f) {
			// A relation named for money (`credit = ForeignKey(Credit)` on a
			// comment, a batch's `credits` many-to-many) points at rows: it
			// holds no amount a client could inflate.
			continue
		}
		if ownershipNames[f.Name] && notAnOwner(p, f) {
			continue // a notification's `user`, a recipient row the project keeps: the caller picks it
		}
		if _, ok := moved[f.Name]; writeGuardedNames[f.Name] || strings.HasSuffix(f.Name, "_balance") && !statementFigure(model, f.Name, running) || running[f.Name] || ok {
			out = append(out, f.Name)
		}
	}
	return out, model.Complete
}

// statementFigure reports whether name is a balance a statement reports
// rather than money the row holds: an opening or closing balance on a
// dated row whose date the client sets (a daily balance statement a
// reconciliation job posts), which the project keeps no running total of.
// An account's opening balance stamped with its creation time
// (auto_now_add) is money the client would start with.
func statementFigure(model *project.Model, name string, running map[string]bool) bool {
	if model == nil || running[name] || !strings.HasPrefix(name, "opening_") && !strings.HasPrefix(name, "closing_") {
		return false
	}
	for _, f := range model.Fields {
		dated := strings.HasSuffix(f.Class, "DateField") || strings.HasSuffix(f.Class, "DateTimeField")
		if dated && f.Source != "" && !strings.Contains(f.Source, "auto_now") {
			return true
		}
	}
	return false
}

// readOnlyUse reports whether every routed endpoint serving through the
// serializer class takes no request body through it (safe methods and
// DELETE: a ReadOnlyModelViewSet, a retrieve, list or destroy action) or
// lets only administrators write, and at least one does.
func readOnlyUse(p *analyzer.Pass, cls pyast.Node) bool {
	sm := semantic.Of(p.Project)
	f := sm.File(p.Unit)
	sc := f.ClassOfDef(cls)
	if sc == nil {
		return false
	}
	used := false
	for _, e := range semantic.InventoryOf(p.Project).Endpoints {
		if e.Class == nil || !e.Routed {
			continue
		}
		sers, known := sm.EndpointSerializers(e)
		if !known {
			if !takesBody(e) {
				continue // a read or a delete writes through no serializer
			}
			if m := e.Class.Method("get_serializer_class"); m != nil && strings.Contains(m.Node.Text(), sc.Name) {
				return false // may be chosen for a write: cannot tell
			}
			continue
		}
		for _, s := range sers {
			if s != sc {
				continue
			}
			if takesBody(e) && !adminOnly(e) {
				return false
			}
			used = true
		}
	}
	return used
}

// quoteList renders names as `a`, `b` and `c`.
func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = "`" + n + "`"
	}
	return prose.JoinAnd(q)
}

func pronoun(names []string) string {
	if len(names) == 1 {
		return "it"
	}
	return "them"
}

// setBySave returns the fields the model's save() methods (its own and
// its project bases') assign on self (`self.created_by = user`,
// `self.owner_id = ...`): the model sets them, whatever a client sent.
func setBySave(p *analyzer.Pass, md *project.Model) map[string]bool {
	out := map[string]bool{}
	c := semantic.Of(p.Project).ClassOfModel(md)
	if c == nil {
		return out
	}
	// Every save() on the way up: overrides chain through super().save().
	for _, k := range append([]*semantic.Class{c}, c.Bases()...) {
		fn := k.Methods["save"]
		if fn == nil {
			continue
		}
		for a := range pyast.FindEach(fn.Node, "assignment") {
			l := a.ChildByField("left")
			if l.Type() == "attribute" && l.ChildByField("object").Text() == "self" {
				out[strings.TrimSuffix(l.ChildByField("attribute").Text(), "_id")] = true
			}
		}
	}
	return out
}

// takesBody reports an endpoint that may write through its serializer: one
// answering POST, PUT or PATCH (a DELETE, a destroy action, reads no body).
func takesBody(e *semantic.Endpoint) bool {
	for _, m := range e.Methods {
		switch m {
		case "POST", "PUT", "PATCH", "ANY":
			return true
		}
	}
	return false
}

// adminOnly reports an endpoint only staff or administrators may call:
// Django's staff checks, or a permission class named for administrators
// (`IsAdminUser`, a project's `WorkspaceAdminPermission`). Setting roles
// and flags is then their job, not a client's overreach.
func adminOnly(e *semantic.Endpoint) bool {
	if e.Auth.Staff {
		return true
	}
	for _, p := range e.Auth.Permissions {
		name := p[strings.LastIndex(p, ".")+1:]
		if strings.Contains(name, "Admin") || strings.Contains(name, "Staff") || strings.Contains(name, "Superuser") {
			return true
		}
	}
	return false
}

// adminFormOnly reports a ModelForm the product uses only as a model
// admin's form (`form = TheForm` in a class deriving from a ModelAdmin or
// an inline), at least once: staff edit every field there by design.
// Attribute reads on the class (`TheForm.helper(...)`), annotations and
// tests do not count; any other use (a view, a subclass) keeps it judged.
func adminFormOnly(p *analyzer.Pass, cls pyast.Node) bool {
	name := pyast.DefName(cls)
	admin := 0
	for _, ref := range semantic.Of(p.Project).References(name, true) {
		par := ref.Parent()
		switch {
		case par.Type() == "attribute" && par.ChildByField("object").Equal(ref):
			continue // TheForm.something: a class attribute or helper
		case !pyast.Ancestor(ref, "type").IsNil():
			continue // an annotation (`form: Union[CompanyForm, LeadForm]`): names the class, builds nothing
		case par.Type() == "assignment" && par.ChildByField("right").Equal(ref) && par.ChildByField("left").Text() == "form":
			owner := pyast.Ancestor(par, "class_definition")
			if owner.IsNil() || !pyast.Ancestor(par, "function_definition").IsNil() || !adminClass(owner) {
				return false
			}
			admin++
		default:
			return false
		}
	}
	return admin > 0
}

// adminClass reports a class deriving, by the name of a base, from a
// model admin or an inline (ModelAdmin, TabularInline, a project's
// BaseAdmin).
func adminClass(cls pyast.Node) bool {
	for b := range cls.ChildByField("superclasses").Named() {
		name := lastName(b)
		if strings.HasSuffix(name, "Admin") || strings.HasSuffix(name, "Inline") {
			return true
		}
	}
	return false
}

// writtenByNoClient reports a serializer whose every use in the product is
// a view's `serializer_class` that takes no client data through it (a
// read-only view, write actions overridden without the serializer) or that
// only administrators may call, or a call that renders an object, and at
// least one is a view's. It covers views the endpoint inventory does not
// route (an include it cannot follow).
func writtenByNoClient(sm *semantic.Model, sc *semantic.Class) bool {
	if sc == nil {
		return false
	}
	views := 0
	for f, ref := range sm.References(sc.Name, true) {
		par := ref.Parent()
		if k := sm.ClassByName(f, ref); k != sc {
			if k != nil {
				continue // another class of the same name (a model the serializer is named after)
			}
			return false // cannot tell what it names
		}
		switch {
		case par.Type() == "assignment" && par.ChildByField("right").Equal(ref) && par.ChildByField("left").Text() == "serializer_class":
			owner := pyast.Ancestor(par, "class_definition")
			if owner.IsNil() || !pyast.Ancestor(par, "function_definition").IsNil() {
				return false
			}
			v := f.ClassOfDef(owner)
			if v == nil || !adminOnlyView(v) && viewWritesThrough(sm, v) {
				return false
			}
			views++
		case par.Type() == "call" && par.ChildByField("function").Equal(ref):
			c, _ := pyast.AsCall(par)
			if _, ok := c.Keywords["data"]; ok || len(c.Positional) > 1 {
				return false
			}
			if _, ok := c.Keywords["partial"]; ok {
				return false
			}
			if a := par.Parent(); a.Type() == "assignment" && pyast.Ancestor(a, "function_definition").IsNil() {
				return false // a nested field: judged with its parent
			}
		default:
			return false
		}
	}
	return views > 0
}

// validatedOnly reports a serializer that client data only passes through
// to be checked: every use either renders an object (a call with no
// `data=`) or builds it from data in a function and binds it to a local
// that the function only asks about (`s.is_valid()`, `s.errors`,
// `s.validated_data`, `s.data`): never saved, never handed to anything else
// or returned, and never a view's serializer_class (which DRF saves). The
// view then writes the fields it chooses itself (`wallet.status = True;
// wallet.save()`), and a field the serializer accepts is dropped. At
// least one use must build it from data.
func validatedOnly(sm *semantic.Model, sc *semantic.Class) bool {
	if sc == nil {
		return false
	}
	built := 0
	for f, ref := range sm.References(sc.Name, true) {
		par := ref.Parent()
		if k := sm.ClassByName(f, ref); k != sc {
			if k != nil {
				continue // another class of the same name
			}
			return false
		}
		if par.Type() != "call" || !par.ChildByField("function").Equal(ref) {
			return false // a serializer_class, a nested field's class, a dict of them...
		}
		c, _ := pyast.AsCall(par)
		if _, ok := c.Keywords["partial"]; ok {
			return false
		}
		if _, ok := c.Keywords["data"]; !ok {
			if len(c.Positional) > 1 {
				return false
			}
			if a := par.Parent(); a.Type() == "assignment" && pyast.Ancestor(a, "function_definition").IsNil() {
				return false // a nested field: judged with its parent
			}
			continue // renders an object
		}
		a := par.Parent()
		def := pyast.Ancestor(par, "function_definition")
		if a.Type() != "assignment" || !a.ChildByField("right").Equal(par) || a.ChildByField("left").Type() != "identifier" || def.IsNil() {
			return false
		}
		if !onlyAsked(pyast.Body(def), a.ChildByField("left")) {
			return false
		}
		built++
	}
	return built > 0
}

// onlyAsked reports that every other use of the local bound at left in
// body asks the serializer something: `is_valid()`, `errors`, or one key
// of its data (`s.validated_data["amount"]`, `s.data.get("label")`). The
// data handed on whole (`Wallet.objects.create(**s.validated_data)`), the
// serializer saved, passed on or returned, all write the fields a client
// sent: false. Rebinding the name to a serializer that renders an object
// (`s = WalletSerializer(instance=wallet)`, no data) is allowed.
func onlyAsked(body, left pyast.Node) bool {
	name := left.Text()
	// The rebinding statements to a rendering serializer: uses after one,
	// in its block, read the rendering.
	var renders []pyast.Node
	for id := range pyast.FindEach(body, "identifier") {
		if par := id.Parent(); id.Text() == name && !id.Equal(left) && par.Type() == "assignment" && par.ChildByField("left").Equal(id) {
			c, ok := pyast.AsCall(pyast.Unparen(par.ChildByField("right")))
			if _, data := c.Keywords["data"]; !ok || data {
				return false
			}
			renders = append(renders, par)
		}
	}
	rendered := func(n pyast.Node) bool {
		for _, r := range renders {
			if n.StartByte() >= r.EndByte() && r.Parent().Parent().Contains(n) {
				return true
			}
		}
		return false
	}
	for id := range pyast.FindEach(body, "identifier") {
		if id.Text() != name || id.Equal(left) {
			continue
		}
		par := id.Parent()
		if par.Type() == "assignment" && par.ChildByField("left").Equal(id) || rendered(id) {
			continue
		}
		if par.Type() != "attribute" || !par.ChildByField("object").Equal(id) {
			return false // passed on or returned
		}
		switch par.ChildByField("attribute").Text() {
		case "is_valid", "errors":
		case "validated_data", "data", "initial_data":
			up := par.Parent()
			switch {
			case up.Type() == "subscript" && up.ChildByField("value").Equal(par):
			case up.Type() == "attribute" && up.ChildByField("object").Equal(par) && up.ChildByField("attribute").Text() == "get":
			case !answered(par):
				return false
			}
		default:
			return false
		}
	}
	return true
}

// answered reports an expression that only goes back to the client:
// inside a `Response(...)` or `JsonResponse(...)` call, and in no other
// call or splat on the way.
func answered(n pyast.Node) bool {
	for a := n.Parent(); !a.IsNil(); a = a.Parent() {
		switch a.Type() {
		case "dictionary_splat", "list_splat":
			return false
		case "call":
			switch string(pyast.CalleeName(a)) {
			case "Response", "JsonResponse":
				return true
			}
			return false
		case "expression_statement", "assignment", "return_statement", "block":
			return false
		}
	}
	return false
}

// commandsOnly reports a serializer every reference to which sits in a
// module that only management commands reach: a command (or a script or
// data loader) itself, or a module every importer of which in the tree is
// one, two imports deep at most (an import from files a command hands
// to `asko_import.importer`, which hands the class to its own loader). No
// request builds it, so no client sets its fields.
func commandsOnly(sm *semantic.Model, sc *semantic.Class) bool {
	if sc == nil {
		return false
	}
	n := 0
	seen := map[*semantic.File]bool{}
	for f, ref := range sm.References(sc.Name, true) {
		if k := sm.ClassByName(f, ref); k != sc {
			if k != nil {
				continue
			}
			return false
		}
		n++
		if !seen[f] {
			seen[f] = true
			if !reachedByCommands(sm, f, 0) {
				return false
			}
		}
	}
	return n > 0
}

// reachedByCommands reports a module that is a management command, a
// script or a data loader, or whose every importer in the tree is one (to
// depth 2); a module nothing imports is not.
func reachedByCommands(sm *semantic.Model, f *semantic.File, depth int) bool {
	if semantic.RolesOf(f.Unit).Any(semantic.Command | semantic.Script | semantic.DevData) {
		return true
	}
	if depth >= 2 || f.Unit.Module == "" {
		return false
	}
	importers := 0
	for _, g := range sm.Files() {
		if g == f || g.Unit.Imports == nil || !importsModule(g.Unit, f.Unit.Module) {
			continue
		}
		if semantic.RolesOf(g.Unit).Any(semantic.Test | semantic.Migration) {
			continue
		}
		importers++
		if !reachedByCommands(sm, g, depth+1) {
			return false
		}
	}
	return importers > 0
}

// importsModule reports an import statement of u naming mod, or a name
// from it (`from ...importer import run`, `import shop.importer`).
func importsModule(u *project.Unit, mod string) bool {
	for _, m := range u.Imports.Modules {
		if strings.HasPrefix(m, ".") {
			m = u.Absolute(m)
		}
		if m == mod || strings.HasPrefix(m, mod+".") {
			return true
		}
		// `from shop import importer`: the package, then the module's name.
		if i := strings.LastIndex(mod, "."); i > 0 && m == mod[:i] {
			if q, found := u.Imports.Lookup(mod[i+1:]); found && q == mod {
				return true
			}
		}
	}
	return false
}

// dataInjected reports a view (or a project base) whose get_serializer
// replaces the data it is given with a dict it builds itself, not from the
// request body (`kwargs["data"] = {"status": Status.REQUESTED, "patient":
// self.request.user.patient.pk}`), as a statement of the method's own
// body: every serializer it builds holds that dict, whatever the client
// sent.
func dataInjected(v *semantic.Class) bool {
	for _, cc := range append([]*semantic.Class{v}, v.Bases()...) {
		fn := cc.Methods["get_serializer"]
		if fn == nil {
			continue
		}
		for st := range pyast.EachStatement(pyast.Body(fn.Node)) {
			a := st.NamedChild(0)
			if st.Type() != "expression_statement" || a.Type() != "assignment" {
				continue
			}
			left, right := a.ChildByField("left"), pyast.Unparen(a.ChildByField("right"))
			if left.Type() != "subscript" || left.ChildByField("value").Text() != "kwargs" {
				continue
			}
			if k, ok := pyast.StringValue(left.ChildByField("subscript")); !ok || k != "data" || right.Type() != "dictionary" {
				continue
			}
			t := right.Text()
			if !strings.Contains(t, ".data") && !strings.Contains(t, ".POST") && !strings.Contains(t, ".body") &&
				!strings.Contains(t, "query_params") && !strings.Contains(t, ".GET") && !strings.Contains(t, "kwargs") {
				return true
			}
		}
	}
	return false
}

// adminOnlyView reports a view class whose permission_classes (its own or
// a project base's) name administrators or staff (`IsAdminUser`).
func adminOnlyView(v *semantic.Class) bool {
	pc, _ := v.Attr("permission_classes")
	if pc.IsNil() {
		return false
	}
	t := pc.Text()
	return strings.Contains(t, "Admin") || strings.Contains(t, "Staff") || strings.Contains(t, "Superuser")
}

// drfWriteActions are the DRF actions that build the view's serializer
// from the request body, by the base classes that provide them.
var drfWriteActions = map[string][]string{
	"ModelViewSet": {"create", "update", "partial_update"}, "CreateModelMixin": {"create"},
	"UpdateModelMixin": {"update", "partial_update"}, "CreateAPIView": {"create"},
	"UpdateAPIView": {"update", "partial_update"}, "ListCreateAPIView": {"create"},
	"RetrieveUpdateAPIView": {"update", "partial_update"}, "RetrieveUpdateDestroyAPIView": {"update", "partial_update"},
}

// viewWritesThrough reports whether a view may build its serializer_class
// from client data: a DRF write action it inherits and does not override
// (or overrides calling super(), get_serializer() or serializer_class), or
// a method that calls get_serializer(data=...) or serializer_class(data=...);
// an override that only renders with it (`self.serializer_class(obj)`)
// takes nothing from the client through it.
// A base from outside DRF and the tree may do anything: true.
func viewWritesThrough(sm *semantic.Model, v *semantic.Class) bool {
	if dataInjected(v) {
		return false
	}
	actions := map[string]bool{}
	for _, cc := range append([]*semantic.Class{v}, v.Bases()...) {
		for _, b := range cc.BaseNames() {
			last := b[strings.LastIndex(b, ".")+1:]
			switch {
			case strings.HasPrefix(b, "rest_framework."):
				for _, a := range drfWriteActions[last] {
					actions[a] = true
				}
			case sm.LookupClass(b) == nil:
				return true // a library base may write through it
			}
		}
	}
	for _, cc := range append([]*semantic.Class{v}, v.Bases()...) {
		for _, fn := range cc.Methods {
			for call := range pyast.FindEach(fn.Node, "call") {
				c, _ := pyast.AsCall(call)
				if v, ok := c.Keywords["data"]; !ok || !fromRequest(fn.Node, v) {
					continue
				}
				switch c.MethodName() {
				case "get_serializer", "serializer_class":
					return true
				}
				if c.Func.Type() == "call" {
					return true // self.get_serializer_class()(data=...)
				}
			}
		}
	}
	for a := range actions {
		fn := v.Method(a)
		if fn == nil {
			if a == "partial_update" && v.Method("update") != nil {
				continue // DRF's partial_update calls the overridden update
			}
			return true
		}
		for call := range pyast.FindEach(fn.Node, "call") {
			c, _ := pyast.AsCall(call)
			if c.Func.Type() != "attribute" || !semantic.IsSelfOrSuper(c.Receiver()) {
				continue
			}
			switch c.MethodName() {
			case a, "perform_create", "perform_update":
				return true // DRF's own action, or the hooks it calls with a validated serializer
			}
		}
	}
	return false
}

// readOnlyExcept reads `read_only_fields` written as every field of the
// model but a literal list: `[f.name for f in Model._meta.get_fields() if
// f.name not in ("state", "country")]` (also `_meta.fields`,
// `_meta.concrete_fields`). It returns the listed names: the only fields
// a client can write.
func readOnlyExcept(right pyast.Node) (map[string]bool, bool) {
	if right.Type() != "list_comprehension" && right.Type() != "set_comprehension" && right.Type() != "generator_expression" {
		return nil, false
	}
	var loop, cond pyast.Node
	for c := range right.Named() {
		switch c.Type() {
		case "for_in_clause":
			if !loop.IsNil() {
				return nil, false
			}
			loop = c
		case "if_clause":
			if !cond.IsNil() {
				return nil, false
			}
			cond = c
		}
	}
	if loop.IsNil() || cond.IsNil() {
		return nil, false
	}
	v := loop.ChildByField("left")
	if v.Type() != "identifier" {
		return nil, false
	}
	src := pyast.Unparen(loop.ChildByField("right"))
	if c, ok := pyast.AsCall(src); ok && c.MethodName() == "get_fields" {
		src = c.Func
	}
	if src.Type() != "attribute" {
		return nil, false
	}
	switch src.ChildByField("attribute").Text() {
	case "get_fields", "fields", "concrete_fields":
	default:
		return nil, false
	}
	if o := src.ChildByField("object"); o.Type() != "attribute" || o.ChildByField("attribute").Text() != "_meta" {
		return nil, false
	}
	name := v.Text() + ".name"
	if pyast.Unparen(right.ChildByField("body")).Text() != name {
		return nil, false
	}
	cmp := pyast.Unparen(cond.NamedChild(0))
	if cmp.Type() != "comparison_operator" || cmp.NamedChildCount() != 2 || pyast.Unparen(cmp.NamedChild(0)).Text() != name {
		return nil, false
	}
	notIn := false
	for _, c := range cmp.Children() {
		if c.Type() == "not in" {
			notIn = true
		}
	}
	lst := pyast.Unparen(cmp.NamedChild(1))
	if !notIn || !lst.Is("list", "tuple", "set") {
		return nil, false
	}
	out := map[string]bool{}
	for e := range lst.Named() {
		s, ok := pyast.StringValue(e)
		if !ok {
			return nil, false
		}
		out[s] = true
	}
	return out, true
}

// classDefines reports a method of that name defined in the class body.
func classDefines(cls pyast.Node, name string) bool {
	return !classMethod(cls, name).IsNil()
}

// classMethod returns the definition of method name in the class body, or
// a nil node.
func classMethod(cls pyast.Node, name string) pyast.Node {
	for st := range pyast.EachStatement(pyast.Body(cls)) {
		if st.Type() == "decorated_definition" {
			st = st.ChildByField("definition")
		}
		if st.Type() == "function_definition" && pyast.DefName(st) == name {
			return st
		}
	}
	return pyast.Node{}
}

// validateSets returns the keys the class's validate(self, attrs) assigns
// on its argument in a statement of its own body, not under a condition:
// `attrs["user"] = self.context["request"].user`.
func validateSets(cls pyast.Node) map[string]bool {
	out := map[string]bool{}
	def := classMethod(cls, "validate")
	if def.IsNil() {
		return out
	}
	params := pyast.ParamNames(def)
	if len(params) < 2 {
		return out
	}
	arg := params[1]
	for st := range pyast.EachStatement(pyast.Body(def)) {
		if st.Type() == "expression_statement" && st.NamedChildCount() == 1 {
			st = st.NamedChild(0)
		}
		if st.Type() != "assignment" {
			continue
		}
		l := st.ChildByField("left")
		if l.Type() != "subscript" || l.ChildByField("value").Text() != arg {
			continue
		}
		if k, ok := pyast.StringValue(l.ChildByField("subscript")); ok {
			out[k] = true
		}
	}
	return out
}

// readsSelf reports a method whose body uses self (`self.instance`, a
// helper method): one that never does judges its argument alone.
func readsSelf(def pyast.Node) bool {
	for id := range pyast.FindEach(pyast.Body(def), "identifier") {
		if id.Text() == "self" {
			return true
		}
	}
	return false
}

// notAnOwner reports an ownership-named relation (`user`) whose target is
// a model of the tree named User that is not the user model
// (semantic.Model.IsUserModel: a plain `User(models.Model)` of
// recipients): choosing it is the client's input, not a claim on the row.
func notAnOwner(p *analyzer.Pass, f *project.Field) bool {
	if f.To == nil || f.To.External || f.Kind != project.ForeignKey && f.Kind != project.OneToOne {
		return false
	}
	return f.To.Name == "User" && !semantic.Of(p.Project).IsUserModel(f.To)
}

// fromRequest reports whether the data handed to a serializer in the
// function fn may come from the client: anything but a dict literal whose
// values name neither the request (`request`, `self.request`,
// `self.kwargs`), nor a parameter of fn, nor a local fn binds from one of
// those. `data={"account": wallet.account}` (a value the server computed,
// validated against the serializer's field rules) takes nothing from the
// client.
func fromRequest(fn pyast.Node, v pyast.Node) bool {
	v = pyast.Unparen(v)
	if v.Type() != "dictionary" {
		return true
	}
	params := map[string]bool{}
	for _, name := range pyast.ParamNames(fn) {
		if name != "self" && name != "cls" {
			params[name] = true
		}
	}
	var tainted func(n pyast.Node, depth int) bool
	tainted = func(n pyast.Node, depth int) bool {
		if depth > 3 {
			return true
		}
		for a := range pyast.FindEach(n, "attribute") {
			if d := pyast.Dotted(a); strings.HasPrefix(d, "self.request") || strings.HasPrefix(d, "self.kwargs") || strings.HasPrefix(d, "self.args") {
				return true
			}
		}
		for id := range pyast.FindEach(n, "identifier") {
			name := id.Text()
			if name == "request" || params[name] {
				return true
			}
			if par := id.Parent(); par.Type() == "attribute" && par.ChildByField("attribute").Equal(id) || par.Type() == "keyword_argument" && par.ChildByField("name").Equal(id) {
				continue
			}
			for a := range pyast.FindEach(pyast.Body(fn), "assignment") {
				l, r := a.ChildByField("left"), pyast.Unparen(a.ChildByField("right"))
				if l.Type() != "identifier" || l.Text() != name || r.IsNil() || a.StartByte() >= n.StartByte() || fetchedRow(r) {
					continue
				}
				if tainted(r, depth+1) {
					return true
				}
			}
		}
		return false
	}
	for pair := range v.Named() {
		if pair.Type() != "pair" || tainted(pair.ChildByField("value"), 0) {
			return true
		}
	}
	return false
}

// fetchedRow reports a row loaded from the database
// (`Wallet.objects.select_for_update().get(id=kwargs["id"])`,
// `get_object_or_404(Wallet, pk=pk)`): its fields are the server's, even
// when the client chose which row.
func fetchedRow(n pyast.Node) bool {
	if _, ok := pyast.AsCall(n); !ok {
		return false
	}
	switch string(pyast.CalleeName(n)) {
	case "get_object_or_404", "get_object":
		return true
	}
	return strings.Contains(pyast.Dotted(pyast.Unparen(n.ChildByField("function"))), ".objects.") ||
		strings.Contains(n.ChildByField("function").Text(), ".objects.")
}
