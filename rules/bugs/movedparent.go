package bugs

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed movedparent.md
var movedParentDoc string

// DifferenceOnNewParentOnly reports an edit of a row that adjusts its
// parent's balance or stock by the change of an amount, locating the
// parent by the row's foreign key after the edit, while that foreign key
// is itself writable and its old value is never read: a row moved to
// another parent leaves its old amount on the old one.
var DifferenceOnNewParentOnly = &analyzer.Rule{
	Code:              "BUG075",
	Name:              "difference-on-new-parent-only",
	Doc:               movedParentDoc,
	Category:          analyzer.Correctness,
	Severity:          analyzer.Warning,
	Confidence:        analyzer.Medium,
	Since:             "0.28.0",
	Stack:             project.Django,
	SkipOnSyntaxError: true,
	Skip:              semantic.ProductCode,
	Requires:          requires,
	Run:               runDifferenceOnNewParentOnly,
}

// runDifferenceOnNewParentOnly matches a ModelSerializer's
// `update(self, instance, validated_data)` and a model's `save()` (with
// the methods of self they call, one level) that
//   - read the edited row's old state: a local bound to a numeric field of
//     the instance before `super().update(...)` or `instance.save(...)`
//     (serializer), or a query of the model's own table by `self.id` or
//     `self.pk` (model);
//   - write a balance or stock field of a row of another model located by
//     the instance's foreign key to it (`Wallet.objects.filter(id=
//     self.wallet_id).update(balance=...)`, or `get(pk=...)`, an
//     assignment to the field and `save()`), with a value that reads that
//     old state;
//   - never read the foreign key's old value (no read of it on another
//     row, no string naming it, and, in a serializer, no read of it on the
//     instance before the edit);
//
// and the foreign key is a writable field of the serializer (of some
// ModelSerializer of the model, for save()). A row moved to another parent
// then gets the difference on the new parent and leaves its old amount on
// the old one. Skipped: updates that compare or read the old parent, foreign
// keys no serializer lets the client change, F() updates located otherwise.
func runDifferenceOnNewParentOnly(p *analyzer.Pass) error {
	m := semantic.Of(p.Project)
	sf := m.File(p.Unit)
	if sf == nil || m.Graph == nil {
		return nil
	}
	for _, c := range sf.Classes {
		var fn *semantic.Func
		var md *project.Model
		inst := "self"
		serializer := false
		if smd := m.SerializerModel(c); smd != nil {
			fn, md, serializer = c.Methods["update"], smd, true
			if fn == nil {
				continue
			}
			params := pyast.ParamNames(fn.Node)
			if len(params) < 2 {
				continue
			}
			inst = params[1]
		} else if cmd := p.Project.Models.ByQual(c.Qual); cmd != nil {
			fn, md = c.Methods["save"], cmd
		}
		if fn == nil || fn.File == nil {
			continue
		}
		checkEditedParent(p, m, sf, c, fn, md, inst, serializer)
	}
	return nil
}

// scanned is a function the check reads, with its parameters bound to the
// caller's arguments when it is a helper of self.
type scanned struct {
	fn   *semantic.Func
	args map[string]pyast.Node
	site pyast.Node // the call in the edit method, for a helper
}

func checkEditedParent(p *analyzer.Pass, m *semantic.Model, sf *semantic.File, c *semantic.Class, fn *semantic.Func, md *project.Model, inst string, serializer bool) {
	body := pyast.Body(fn.Node)
	olds := oldStateNames(sf, fn, md, inst, serializer)
	if len(olds) == 0 {
		return
	}
	fns := []scanned{{fn: fn}}
	for call := range pyast.FindEach(body, "call") {
		cc, ok := pyast.AsCall(call)
		if !ok || cc.Func.Type() != "attribute" || pyast.Dotted(cc.Receiver()) != "self" {
			continue
		}
		h := c.Method(cc.MethodName())
		if h == nil || h.File == nil || h == fn {
			continue
		}
		args := map[string]pyast.Node{}
		params := pyast.ParamNames(h.Node)
		for i, a := range cc.Positional {
			if i+1 < len(params) {
				args[params[i+1]] = a
			}
		}
		for k, a := range cc.EachKeyword() {
			args[k] = a
		}
		fns = append(fns, scanned{fn: h, args: args, site: call})
	}
	for _, s := range fns {
		at, parent, fk, ok := parentWrite(sf, s, md, inst, olds)
		if !ok {
			continue
		}
		if oldParentRead(fns, inst, fk, serializer, fn) || !fkWritable(m, c, md, fk, serializer) {
			return
		}
		report := at
		if !s.site.IsNil() {
			report = s.site
		}
		p.Report(analyzer.Diagnostic{
			Range: analyzer.RangeOf(report),
			Message: fmt.Sprintf("`%s` may change in this edit (the `%s` serializer field is writable), but only the `%s` it names after the edit is adjusted, by the change of the amount: a `%s` moved to another `%s` leaves its old amount on the old one",
				inst+"."+fk.Name, fk.Name, parent.Name, md.Name, parent.Name),
			Help: fmt.Sprintf("when `%s` changes, take the old amount off the old `%s` and add the new one to the new `%s` (both locked), or make `%s` read-only after creation",
				fk.Name, parent.Name, parent.Name, fk.Name),
			Related: []analyzer.Related{{Path: s.fn.File.Unit.File.Rel, Range: analyzer.RangeOf(at), Message: "the parent located by the new foreign key"}},
		})
		return
	}
}

// oldStateNames returns the locals holding the edited row's state before
// the edit: in a serializer's update, locals bound to a numeric field of
// the instance before `super().update(...)` or `instance.save(...)`; in a
// model's save, locals bound to a query of the model's own table by
// `self.id`/`self.pk` (the inline query itself counts, as "").
func oldStateNames(sf *semantic.File, fn *semantic.Func, md *project.Model, inst string, serializer bool) map[string]bool {
	out := map[string]bool{}
	body := pyast.Body(fn.Node)
	if serializer {
		edit := -1
		for call := range pyast.FindEach(body, "call") {
			cc, _ := pyast.AsCall(call)
			if cc.Func.Type() != "attribute" {
				continue
			}
			r := pyast.Dotted(cc.Receiver())
			if cc.MethodName() == "update" && strings.HasPrefix(pyast.Unparen(cc.Receiver()).Text(), "super(") ||
				cc.MethodName() == "save" && r == inst {
				edit = int(call.StartByte())
				break
			}
		}
		if edit < 0 {
			return nil
		}
		for a := range pyast.FindEach(body, "assignment") {
			if int(a.EndByte()) > edit || a.ChildByField("left").Type() != "identifier" {
				continue
			}
			right := pyast.Unparen(a.ChildByField("right"))
			if right.Type() != "attribute" || pyast.Dotted(right.ChildByField("object")) != inst {
				continue
			}
			if isCountField(md, right.ChildByField("attribute").Text()) {
				out[a.ChildByField("left").Text()] = true
			}
		}
		return out
	}
	for call := range pyast.FindEach(body, "call") {
		cc, _ := pyast.AsCall(call)
		if n := cc.MethodName(); n != "filter" && n != "get" {
			continue
		}
		if !ownRowLookup(cc) || sf.M.Graph.Lookup(sf.Unit, rootModelName(cc.Receiver())) != md {
			continue
		}
		// The outermost expression of the chain: bound to a local, or inline.
		top := call
		for pp := top.Parent(); !pp.IsNil() && (pp.Type() == "attribute" || pp.Type() == "call" || pp.Type() == "subscript"); pp = pp.Parent() {
			top = pp
		}
		if a := top.Parent(); a.Type() == "assignment" && a.ChildByField("left").Type() == "identifier" {
			out[a.ChildByField("left").Text()] = true
		} else {
			out[""] = true
		}
	}
	return out
}

// ownRowLookup reports a filter/get call by `id=self.id`, `pk=self.pk`
// and the like: the row being saved, as stored.
func ownRowLookup(cc pyast.Call) bool {
	for k, v := range cc.EachKeyword() {
		if (k == "id" || k == "pk") && (pyast.Dotted(v) == "self.id" || pyast.Dotted(v) == "self.pk") {
			return true
		}
	}
	return false
}

// rootModelName returns the name before `.objects` at the root of a call
// chain (`Transaction.objects.filter(...)` -> "Transaction"), or "".
func rootModelName(n pyast.Node) string {
	d, _ := semantic.ManagerChain(n)
	return d
}

// parentWrite finds in s a write of a balance or stock field of another
// model's row located by the instance's foreign key to that model, with a
// value reading the old state: `P.objects.filter(id=E).update(f=...)`, or
// `row = P.objects...get(pk=E)` then `row.f = ...`. E, through a helper's
// parameter, is `inst.fk`, `inst.fk_id` or `inst.fk.id`.
func parentWrite(sf *semantic.File, s scanned, md *project.Model, inst string, olds map[string]bool) (at pyast.Node, parent *project.Model, fk *project.Field, ok bool) {
	fsf := s.fn.File
	body := pyast.Body(s.fn.Node)
	for call := range pyast.FindEach(body, "call") {
		cc, _ := pyast.AsCall(call)
		name := cc.MethodName()
		if name != "update" && name != "get" {
			continue
		}
		var loc pyast.Node
		var pmd *project.Model
		for x := call; !x.IsNil() && loc.IsNil(); {
			xc, isCall := pyast.AsCall(x)
			if !isCall {
				break
			}
			if n := xc.MethodName(); n == "filter" || n == "get" {
				for k, v := range xc.EachKeyword() {
					if k == "id" || k == "pk" {
						loc = v
					}
				}
			}
			x = pyast.Unparen(xc.Receiver())
			for x.Type() == "attribute" && !x.ChildByField("object").IsNil() && pyast.Unparen(x.ChildByField("object")).Type() == "call" {
				x = pyast.Unparen(x.ChildByField("object"))
			}
		}
		if loc.IsNil() {
			continue
		}
		if pmd = fsf.M.Graph.Lookup(fsf.Unit, rootModelName(cc.Receiver())); pmd == nil || pmd == md {
			continue
		}
		f := fkOfInstance(locatorExpr(loc, s), inst, md, pmd)
		if f == nil {
			continue
		}
		var value []pyast.Node
		if name == "update" {
			for k, v := range cc.EachKeyword() {
				if counterMoveField(k) && pmd.Field(k) != nil {
					value = append(value, v)
				}
			}
		} else {
			a := pyast.Ancestor(call, "assignment")
			if a.IsNil() || a.ChildByField("left").Type() != "identifier" {
				continue
			}
			row := a.ChildByField("left").Text()
			for w := range pyast.FindEach(body, "assignment", "augmented_assignment") {
				l := w.ChildByField("left")
				if l.Type() == "attribute" && pyast.Dotted(l.ChildByField("object")) == row &&
					counterMoveField(l.ChildByField("attribute").Text()) && w.StartByte() > a.EndByte() {
					value = append(value, w.ChildByField("right"))
				}
			}
		}
		for _, v := range value {
			if readsOld(v, s, olds) {
				return call, pmd, f, true
			}
		}
	}
	return pyast.Node{}, nil, nil, false
}

// locatorExpr maps a helper's parameter to the caller's argument.
func locatorExpr(e pyast.Node, s scanned) pyast.Node {
	e = pyast.Unparen(e)
	if e.Type() == "identifier" && s.args != nil {
		if a, ok := s.args[e.Text()]; ok {
			return pyast.Unparen(a)
		}
	}
	return e
}

// fkOfInstance returns md's foreign key to pmd that e reads on inst:
// `inst.fk`, `inst.fk_id`, `inst.fk.id`, `inst.fk.pk`.
func fkOfInstance(e pyast.Node, inst string, md, pmd *project.Model) *project.Field {
	parts := strings.Split(pyast.Dotted(e), ".")
	if len(parts) < 2 || len(parts) > 3 || parts[0] != inst {
		return nil
	}
	if len(parts) == 3 && parts[2] != "id" && parts[2] != "pk" {
		return nil
	}
	a := md.Attr(parts[1])
	if a.Field == nil || a.Field.Kind != project.ForeignKey && a.Field.Kind != project.OneToOne || a.Field.To != pmd {
		return nil
	}
	return a.Field
}

// readsOld reports a value reading one of the old-state locals (in a
// helper, through the parameter the caller passed one to), or holding the
// inline query of the row as stored.
func readsOld(v pyast.Node, s scanned, olds map[string]bool) bool {
	found := false
	pyast.Inspect(v, func(x pyast.Node) bool {
		if found {
			return false
		}
		switch x.Type() {
		case "identifier":
			if olds[x.Text()] {
				found = true
			} else if a, ok := s.args[x.Text()]; ok {
				pyast.Inspect(a, func(y pyast.Node) bool {
					if y.Type() == "identifier" && olds[y.Text()] {
						found = true
					}
					return !found
				})
			}
		case "call":
			if olds[""] {
				if cc, _ := pyast.AsCall(x); ownRowLookup(cc) {
					found = true
				}
			}
		}
		return !found
	})
	return found
}

// oldParentRead reports code that reads the foreign key's old value or
// looks at it otherwise: the key read on anything but the instance, a
// string naming it (`values_list("wallet_id")`, `validated_data["wallet"]`),
// or, in a serializer's update, the key read on the instance before the
// edit.
func oldParentRead(fns []scanned, inst string, fk *project.Field, serializer bool, edit *semantic.Func) bool {
	names := map[string]bool{fk.Name: true, fk.Name + "_id": true}
	for _, s := range fns {
		read := false
		pyast.Inspect(pyast.Body(s.fn.Node), func(x pyast.Node) bool {
			if read {
				return false
			}
			switch x.Type() {
			case "attribute":
				if names[x.ChildByField("attribute").Text()] {
					obj := pyast.Dotted(x.ChildByField("object"))
					if obj != inst && !(s.fn != edit && obj == "") {
						read = true
					}
				}
			case "string":
				if v, ok := pyast.StringValue(x); ok && names[v] {
					read = true
				}
			}
			return true
		})
		if read {
			return true
		}
	}
	if serializer {
		// The key read on the instance before the edit is its old value.
		body := pyast.Body(edit.Node)
		edited := -1
		for call := range pyast.FindEach(body, "call") {
			cc, _ := pyast.AsCall(call)
			if cc.Func.Type() == "attribute" && (cc.MethodName() == "update" && strings.HasPrefix(pyast.Unparen(cc.Receiver()).Text(), "super(") ||
				cc.MethodName() == "save" && pyast.Dotted(cc.Receiver()) == inst) {
				edited = int(call.StartByte())
				break
			}
		}
		for a := range pyast.FindEach(body, "attribute") {
			if int(a.StartByte()) < edited && pyast.Dotted(a.ChildByField("object")) == inst && names[a.ChildByField("attribute").Text()] {
				return true
			}
		}
	}
	return false
}

// fkWritable reports a foreign key the client can change: a writable
// field of the serializer (of some ModelSerializer of the model, for a
// model's save()) that defines no update() of its own besides the one
// read.
func fkWritable(m *semantic.Model, c *semantic.Class, md *project.Model, fk *project.Field, serializer bool) bool {
	if serializer {
		return writableField(m, c, fk.Name)
	}
	for _, f := range m.Files() {
		for _, sc := range f.Classes {
			if m.SerializerModel(sc) == md && writableField(m, sc, fk.Name) {
				return true
			}
		}
	}
	return false
}
