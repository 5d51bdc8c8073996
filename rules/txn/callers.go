package txn

import (
	"slices"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/analyzer/semantic/effects"
)

// wrappedInAtomic reports a function decorated with a project decorator
// whose body opens an atomic block (`def writable_request_wrapper(method):
// def inner(*args, **kwargs): with transaction.atomic(): return
// method(*args, **kwargs)`): the decorated function runs inside it.
func wrappedInAtomic(p *analyzer.Pass, fn pyast.Node) bool {
	decs := pyast.Decorators(fn)
	if len(decs) == 0 {
		return false
	}
	f := semantic.Of(p.Project).File(p.Unit)
	if f == nil {
		return false
	}
	for _, d := range decs {
		if c, ok := pyast.AsCall(d); ok {
			d = c.Func // a decorator factory: its body holds the wrapper
		}
		g := f.FuncRef(d)
		if g == nil || g.Node.Equal(fn) || g.File.Unit.Imports == nil {
			continue
		}
		for w := range pyast.FindEach(pyast.Body(g.Node), "with_statement") {
			if project.WithIsAtomic(g.File.Unit.Imports, w) {
				return true
			}
		}
	}
	return false
}

// assertsAtomic reports a function that asserts it runs in a transaction
// (`assert transaction.get_connection().in_atomic_block, "Must run in a
// transaction"`): its callers own the transaction, and it says so.
func assertsAtomic(fn pyast.Node) bool {
	for a := range pyast.FindEachShallow(pyast.Body(fn), "assert_statement") {
		if strings.Contains(a.Text(), "in_atomic_block") {
			return true
		}
	}
	return false
}

// nonModelWrite reports a save() or delete() of unknown model on a local
// the function bound to an instance of a project class that is not a
// Django model and defines that method itself (`identity: EdgeIdentity =
// view.identity`, whose save() writes a DynamoDB item; `doc =
// Document(...)` of an ODM): no SQL write, so no transaction to hold it.
func nonModelWrite(p *analyzer.Pass, fn pyast.Node, e effects.Effect) bool {
	if e.Model != "" || e.Call.Node.IsNil() {
		return false
	}
	method := e.Call.MethodName()
	recv := pyast.Unparen(e.Call.Receiver())
	if recv.Type() != "identifier" {
		return false
	}
	var cls pyast.Node
	for a := range pyast.FindEach(pyast.Body(fn), "assignment") {
		if a.StartByte() >= e.Node().StartByte() {
			break
		}
		if a.ChildByField("left").Text() != recv.Text() {
			continue
		}
		cls = a.ChildByField("type")
		if cls.IsNil() {
			cls = pyast.Node{}
			if c, ok := pyast.AsCall(pyast.Unparen(a.ChildByField("right"))); ok {
				cls = c.Func
			}
		}
	}
	if cls.Type() == "type" {
		cls = cls.NamedChild(0) // the annotation's expression
	}
	name := pyast.Dotted(cls)
	if name == "" || p.Project.Models != nil && p.Project.Models.Lookup(p.Unit, name) != nil {
		return false
	}
	sm := semantic.Of(p.Project)
	c := sm.LookupClass(p.Unit.Absolute(p.Unit.Qualify(name)))
	if c == nil {
		c = sm.LookupClass(p.Unit.Module + "." + name)
	}
	return c != nil && c.Methods[method] != nil
}

// savedInAtomic reports a serializer's create() or update() that runs only
// inside its callers' transactions: every function of the project that
// builds the serializer from client data (`s = OrderSerializer(data=...)`)
// calls `s.save()` (which runs create or update) only where a transaction
// is open: the function is decorated @transaction.atomic (in any order
// with @api_view), runs under ATOMIC_REQUESTS, or the call sits in an
// atomic block. With no such build known (a generic view's own create),
// nothing is said.
func savedInAtomic(p *analyzer.Pass, fn pyast.Node) bool {
	name := pyast.DefName(fn)
	if name != "create" && name != "update" {
		return false
	}
	m := semantic.Of(p.Project)
	f := m.File(p.Unit)
	if f == nil {
		return false
	}
	g := f.FuncOf(fn)
	if g == nil || g.Class == nil || m.SerializerModel(g.Class) == nil && !strings.HasSuffix(g.Class.Name, "Serializer") {
		return false
	}
	builds := m.SerializerBuilds(g.Class)
	if len(builds) == 0 {
		return false
	}
	for _, b := range builds {
		im := b.Func.File.Unit.Imports
		if im == nil {
			return false
		}
		whole := project.HasAtomicDecorator(im, b.Func.Node) || effects.InRequestTransaction(p.Project, im, b.Func.Node)
		saves := 0
		for c := range pyast.FindEach(pyast.Body(b.Func.Node), "call") {
			fnc := c.ChildByField("function")
			if fnc.Type() != "attribute" || fnc.ChildByField("attribute").Text() != "save" {
				continue
			}
			if obj := fnc.ChildByField("object"); obj.Type() != "identifier" || obj.Text() != b.Var {
				continue
			}
			saves++
			if !whole && !inAtomicWith(im, c, b.Func.Node) {
				return false
			}
		}
		if saves == 0 {
			return false
		}
	}
	return true
}

// inAtomicWith reports whether n sits in an atomic with-block of fn.
func inAtomicWith(im *pyast.Imports, n, fn pyast.Node) bool {
	for a := n.Parent(); !a.IsNil() && !a.Equal(fn); a = a.Parent() {
		if a.Type() == "with_statement" && project.WithIsAtomic(im, a) {
			return true
		}
	}
	return false
}

// drfActionCallers names, for each hook of DRF's generic views and mixins,
// the library methods whose body calls it: CreateModelMixin.create calls
// perform_create, CreateAPIView.post calls create, UpdateModelMixin.update
// calls perform_update, and so on down from the HTTP handlers.
var drfActionCallers = map[string][]string{
	"perform_create":  {"create", "post"},
	"perform_update":  {"update", "partial_update", "put", "patch"},
	"perform_destroy": {"destroy", "delete"},
	"create":          {"post"},
	"update":          {"partial_update", "put", "patch"},
	"partial_update":  {"patch"},
	"destroy":         {"delete"},
}

// runsInDRFAction reports a hook of a DRF view (perform_create, a create
// action...) whose class, or a project base of it, calls one of the library
// methods that run the hook from inside an atomic block or @atomic method
// (`@transaction.atomic def post(...): return self.create(...)`, `with
// transaction.atomic(): return super().update(...)`): DRF's own code between
// them is not read, so the name graph misses that the hook runs in that
// transaction. Classes that derive from nothing of DRF's are left to the
// graph: their hooks run only where the project calls them.
func runsInDRFAction(p *analyzer.Pass, fn pyast.Node) bool {
	callers := drfActionCallers[pyast.DefName(fn)]
	if len(callers) == 0 {
		return false
	}
	f := semantic.Of(p.Project).File(p.Unit)
	if f == nil {
		return false
	}
	g := f.FuncOf(fn)
	if g == nil || g.Class == nil || !drfViewClass(g.Class) {
		return false
	}
	for _, c := range append([]*semantic.Class{g.Class}, g.Class.Bases()...) {
		im := c.File.Unit.Imports
		if im == nil {
			continue
		}
		for _, m := range c.Methods {
			for call := range pyast.FindEach(pyast.Body(m.Node), "call") {
				if selfOrSuperCall(call, callers) && !project.AtomicScope(im, call).IsNil() {
					return true
				}
			}
		}
	}
	return false
}

// selfOrSuperCall reports `self.name(...)` or `super().name(...)` (super
// with or without arguments) for one of names.
func selfOrSuperCall(call pyast.Node, names []string) bool {
	fnc := call.ChildByField("function")
	if fnc.Type() != "attribute" || !slices.Contains(names, fnc.ChildByField("attribute").Text()) {
		return false
	}
	obj := fnc.ChildByField("object")
	if obj.Type() == "identifier" {
		return obj.Text() == "self"
	}
	c, ok := pyast.AsCall(obj)
	return ok && pyast.Dotted(c.Func) == "super"
}

// drfViewClass reports a class that derives, directly or through project
// classes, from a class of DRF (or of django-rest-framework-json-api).
func drfViewClass(c *semantic.Class) bool {
	for _, cc := range append([]*semantic.Class{c}, c.Bases()...) {
		for _, b := range cc.BaseNames() {
			if strings.HasPrefix(b, "rest_framework.") || strings.HasPrefix(b, "rest_framework_json_api.") {
				return true
			}
		}
	}
	return false
}
