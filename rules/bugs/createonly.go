package bugs

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed createonly.md
var createOnlyDoc string

// CounterMovedOnCreateOnly reports a DRF viewset whose create moves a
// stock or balance of another model by a field of the new row, while its
// update is DRF's own: PUT/PATCH change that field and move nothing.
var CounterMovedOnCreateOnly = &analyzer.Rule{
	Code:              "BUG061",
	Name:              "counter-moved-on-create-only",
	Doc:               createOnlyDoc,
	Category:          analyzer.Correctness,
	Severity:          analyzer.Warning,
	Confidence:        analyzer.Medium,
	Since:             "0.23.0",
	Stack:             project.Django,
	SkipOnSyntaxError: true,
	Skip:              semantic.ProductCode,
	Requires:          []project.Analysis{semantic.Project, semantic.Endpoints, savedReceivers},
	Run:               runCounterMovedOnCreateOnly,
}

// counterMoveWords name the quantities a create moves on another row.
var counterMoveWords = []string{"stock", "inventory", "balance", "seats", "available", "reserved", "credits", "capacity"}

func counterMoveField(name string) bool {
	for _, w := range strings.Split(strings.ToLower(name), "_") {
		if slices.Contains(counterMoveWords, w) {
			return true
		}
	}
	return false
}

// savedReceivers are the model names some pre_save or post_save receiver
// names as its sender (`@receiver(post_save, sender=OrderLine)`,
// `post_save.connect(fn, sender=OrderLine)`): a receiver may move the
// stock on every save, updates included.
var savedReceivers = &project.ProjectAnalysis[map[string]bool]{Name: "bugs.savedReceivers", Run: func(ix *project.Index) map[string]bool {
	out := map[string]bool{}
	for _, f := range semantic.Of(ix).Files() {
		for call := range pyast.FindEach(f.Unit.Tree.Root(), "call") {
			h, _ := pyast.AsCallHead(call)
			name := h.MethodName()
			if name != "receiver" && name != "connect" {
				continue
			}
			if !strings.Contains(call.Text(), "save") {
				continue
			}
			c, _ := pyast.AsCall(call)
			if s := c.Keyword("sender"); !s.IsNil() {
				d := pyast.Dotted(pyast.Unparen(s))
				out[d[strings.LastIndex(d, ".")+1:]] = true
			}
		}
	}
	return out
}}

// counterMove is a write moving a counter of another row on create.
type counterMove struct {
	stmt  pyast.Node
	row   string // the row written (`product`)
	field string
	model *project.Model
	via   string // field of the new row the amount reads
	file  *semantic.File
}

// runCounterMovedOnCreateOnly reads the DRF viewsets of the file whose
// update and partial_update are routed and run DRF's own action (no
// update, partial_update or perform_update in the class or its project
// bases), and whose create (perform_create or create, and the methods of
// self they call) moves a stock or balance of another model's row (`row.f
// -= x`, `row.f = row.f - x`, `+` likewise) by an amount read from a
// field of the new row (`quantity` of the request data, the validated
// data or the saved instance). Reported when the serializer the update
// uses covers that field, does not mark it read-only and defines no
// update() of its own, and neither the view's model (a save() writing
// other rows) nor a pre_save/post_save receiver of it keeps the counter
// in step.
func runCounterMovedOnCreateOnly(p *analyzer.Pass) error {
	m := semantic.Of(p.Project)
	sf := m.File(p.Unit)
	if sf == nil {
		return nil
	}
	inv := semantic.InventoryOf(p.Project)
	seen := map[*semantic.Class]bool{}
	for _, e := range inv.ViewsIn(sf) {
		c := e.Class
		if c == nil || seen[c] || e.Kind != "viewset" || c.File != sf {
			continue
		}
		seen[c] = true
		var upd *semantic.Endpoint
		for _, e2 := range inv.ViewsIn(sf) {
			if e2.Class == c && (e2.Action == "partial_update" || e2.Action == "update") && e2.Routed {
				if e2.Handler != nil {
					upd = nil
					break
				}
				if upd == nil || e2.Action == "partial_update" {
					upd = e2
				}
			}
		}
		if upd == nil || c.Method("perform_update") != nil || c.Method("update") != nil || c.Method("partial_update") != nil {
			continue
		}
		vmd := upd.Model
		if vmd == nil || savedReceivers.Get(p.Project)[vmd.Name] || savesOtherRows(m, vmd) {
			continue
		}
		mv := createMove(m, c, vmd)
		if mv == nil {
			continue
		}
		scs, known := m.EndpointSerializers(upd)
		if !known || len(scs) == 0 {
			continue
		}
		writable := true
		for _, sc := range scs {
			if m.SerializerModel(sc) != vmd || sc.Method("update") != nil || !writableField(m, sc, mv.via) {
				writable = false
			}
		}
		if !writable {
			continue
		}
		d := analyzer.Diagnostic{
			Range: analyzer.RangeOf(c.Node.ChildByField("name")),
			Message: fmt.Sprintf("`%s` moves `%s.%s` by the new row's `%s` when a `%s` row is created, but PUT and PATCH run DRF's own update, which lets the client change `%s` and moves nothing: `%s` no longer matches the rows",
				c.Name, mv.model.Name, mv.field, mv.via, vmd.Name, mv.via, mv.field),
			Help: fmt.Sprintf("override `perform_update` to move `%s` by the difference (under `select_for_update()`), or make `%s` read-only after creation (a separate update serializer, or `http_method_names` without put and patch)",
				mv.field, mv.via),
			Related: []analyzer.Related{{Path: mv.file.Unit.File.Rel, Range: analyzer.RangeOf(mv.stmt), Message: "the move made on create"}},
		}
		p.Report(d)
	}
	return nil
}

// createMove finds, in the create path of viewset c (perform_create or
// create, and the methods of self they call), a write moving a counter
// of a row of another model than vmd by a field of the new row.
func createMove(m *semantic.Model, c *semantic.Class, vmd *project.Model) *counterMove {
	var fns []*semantic.Func
	for _, name := range []string{"perform_create", "create"} {
		if fn := c.Method(name); fn != nil && fn.File != nil {
			fns = append(fns, fn)
		}
	}
	for i := 0; i < len(fns) && i < 8; i++ {
		for call := range pyast.FindEachShallow(pyast.Body(fns[i].Node), "call") {
			cc, ok := pyast.AsCall(call)
			if ok && cc.Func.Type() == "attribute" && pyast.Dotted(cc.Receiver()) == "self" {
				if fn := c.Method(cc.MethodName()); fn != nil && fn.File != nil && !slices.Contains(fns, fn) {
					fns = append(fns, fn)
				}
			}
		}
	}
	for _, fn := range fns {
		for n := range pyast.FindEachShallow(pyast.Body(fn.Node), "augmented_assignment", "assignment") {
			left := n.ChildByField("left")
			if left.Type() != "attribute" {
				continue
			}
			field := left.ChildByField("attribute").Text()
			rowN := left.ChildByField("object")
			row := pyast.Dotted(rowN)
			if row == "" || row == "self" || !counterMoveField(field) {
				continue
			}
			var amount pyast.Node
			right := pyast.Unparen(n.ChildByField("right"))
			if n.Type() == "augmented_assignment" {
				if op := n.ChildByField("operator").Text(); op != "+=" && op != "-=" {
					continue
				}
				amount = right
			} else {
				// `new = row.f + x` bound once in the function, a check on
				// it, then `row.f = new`: the move goes through the local.
				if right.Type() == "identifier" {
					if bs := fn.File.Bindings(n, right.Text()); len(bs) == 1 && bs[0].StartByte() < n.StartByte() &&
						pyast.Ancestor(bs[0], "function_definition").StartByte() == fn.Node.StartByte() {
						right = pyast.Unparen(bs[0])
					}
				}
				if right.Type() != "binary_operator" {
					continue
				}
				// `row.f = row.f + x`, or `row.f = F("f") + x` (saved by
				// the database).
				if l := pyast.Unparen(right.ChildByField("left")); pyast.Dotted(l) != row+"."+field && !fOfField(fn.File.Unit.Imports, l, field) {
					continue
				}
				if op := right.ChildByField("operator").Text(); op != "+" && op != "-" {
					continue
				}
				amount = right.ChildByField("right")
			}
			md, _ := fn.File.Instance(rowN)
			if md == nil {
				md = validatedForeign(fn.File, rowN, vmd)
			}
			if md == nil || md == vmd || md.Field(field) == nil {
				continue
			}
			via := amountField(fn.File, amount, vmd)
			if via == "" {
				continue
			}
			return &counterMove{stmt: n, row: row, field: field, model: md, via: via, file: fn.File}
		}
	}
	return nil
}

// fOfField reports `F("field")`, Django's reference to the row's own
// column.
func fOfField(im *pyast.Imports, n pyast.Node, field string) bool {
	c, ok := pyast.AsCall(n)
	if !ok || len(c.Positional) != 1 || !im.Is(c.Func, "django.db.models.F", "django.db.models.expressions.F") {
		return false
	}
	s, ok := pyast.StringValue(c.Positional[0])
	return ok && s == field
}

// amountField returns the field of vmd an amount reads: a string key
// naming a field of vmd (`request.data.get("quantity")`,
// `serializer.validated_data["quantity"]`), or an attribute of that name
// (`instance.quantity`), in the expression or in the one binding of a
// local it is (through int() and the like).
func amountField(sf *semantic.File, e pyast.Node, vmd *project.Model) string {
	e = pyast.Unparen(e)
	if e.Type() == "identifier" {
		if bs := sf.Bindings(e, e.Text()); len(bs) == 1 {
			e = bs[0]
		}
	}
	found := ""
	pyast.Inspect(e, func(x pyast.Node) bool {
		if found != "" {
			return false
		}
		switch x.Type() {
		case "string":
			if s, ok := pyast.StringValue(x); ok && vmd.Field(s) != nil {
				found = s
			}
		case "attribute":
			if a := x.ChildByField("attribute").Text(); vmd.Field(a) != nil && a != "id" && a != "pk" {
				found = a
			}
		}
		return true
	})
	if found != "" && !isCountField(vmd, found) {
		return ""
	}
	return found
}

// isCountField reports a numeric field of md: what an amount moved by
// can be.
func isCountField(md *project.Model, name string) bool {
	f := md.Field(name)
	if f == nil {
		return false
	}
	cls := f.Class[strings.LastIndex(f.Class, ".")+1:]
	return strings.Contains(cls, "Integer") || strings.Contains(cls, "Decimal") || strings.Contains(cls, "Float")
}

// writableField reports a field the serializer takes from the client: it
// covers the name and neither read_only_fields nor extra_kwargs nor a
// declared read-only field shuts it.
func writableField(m *semantic.Model, sc *semantic.Class, name string) bool {
	if covered, _ := m.SerializerCovers(sc, name); !covered {
		return false
	}
	for _, c := range append([]*semantic.Class{sc}, sc.Bases()...) {
		if v, ok := c.Attrs[name]; ok {
			return !strings.Contains(v.Text(), "read_only=True")
		}
		meta := semantic.MetaClass(c.Node)
		if meta.IsNil() {
			continue
		}
		if _, names, _ := semantic.MetaList(meta, "read_only_fields"); slices.Contains(names, name) {
			return false
		}
		if strings.Contains(meta.Text(), "extra_kwargs") && strings.Contains(meta.Text(), "read_only") {
			return false // not read: stay silent
		}
	}
	return true
}

// savesOtherRows reports a model whose save() does more than set its own
// fields and call the parent's: it may move the counter on updates too.
func savesOtherRows(m *semantic.Model, md *project.Model) bool {
	cls := m.ClassOfModel(md)
	if cls == nil {
		return true
	}
	save := cls.Method("save")
	if save == nil {
		return false
	}
	for n := range pyast.FindEach(pyast.Body(save.Node), "assignment", "augmented_assignment", "call") {
		switch n.Type() {
		case "call":
			c, _ := pyast.AsCall(n)
			if c.Func.Type() == "attribute" && !strings.HasPrefix(c.Receiver().Text(), "super(") {
				switch c.MethodName() {
				case "save", "update", "create", "delete", "bulk_update":
					return true
				}
			}
		default:
			if l := n.ChildByField("left"); l.Type() == "attribute" && pyast.Dotted(l.ChildByField("object")) != "self" {
				return true
			}
		}
	}
	return false
}

// validatedForeign resolves a local bound once to a key of some
// serializer's validated data (`product = serializer.validated_data.get(
// "product")`) that names a foreign key of vmd: in the view's create path,
// the row the client picked.
func validatedForeign(sf *semantic.File, row pyast.Node, vmd *project.Model) *project.Model {
	row = pyast.Unparen(row)
	if row.Type() != "identifier" {
		return nil
	}
	bs := sf.Bindings(row, row.Text())
	if len(bs) != 1 {
		return nil
	}
	if a := pyast.Unparen(bs[0]); a.Type() == "attribute" && savedBySerializer(sf, a.ChildByField("object")) {
		// `tx = serializer.save()`, then `wallet = tx.wallet`: the row the
		// new instance's foreign key names.
		if fk := vmd.Attr(a.ChildByField("attribute").Text()); fk.Kind == project.AttrForward {
			return fk.Target
		}
		return nil
	}
	obj, k, ok := pyast.KeyRead(bs[0])
	if !ok || obj.Type() != "attribute" || obj.ChildByField("attribute").Text() != "validated_data" {
		return nil
	}
	if a := vmd.Attr(k); a.Kind == project.AttrForward {
		return a.Target
	}
	return nil
}

// savedBySerializer reports a local bound once to the view's serializer's
// save() (`tx = serializer.save()`): the serializer perform_create is
// handed, or one built by `self.get_serializer(...)`. What it returns is
// the new row of the view's model.
func savedBySerializer(sf *semantic.File, n pyast.Node) bool {
	n = pyast.Unparen(n)
	if n.Type() != "identifier" {
		return false
	}
	bs := sf.Bindings(n, n.Text())
	if len(bs) != 1 {
		return false
	}
	c, ok := pyast.AsCall(pyast.Unparen(bs[0]))
	if !ok || c.MethodName() != "save" || c.Func.Type() != "attribute" {
		return false
	}
	recv := pyast.Unparen(c.Receiver())
	if recv.Type() != "identifier" {
		return false
	}
	if fn := pyast.Ancestor(recv, "function_definition"); !fn.IsNil() && fn.ChildByField("name").Text() == "perform_create" {
		if ps := pyast.ParamNames(fn); len(ps) > 1 && ps[1] == recv.Text() {
			return true
		}
	}
	rb := sf.Bindings(recv, recv.Text())
	if len(rb) != 1 {
		return false
	}
	sc, ok := pyast.AsCall(pyast.Unparen(rb[0]))
	return ok && sc.MethodName() == "get_serializer" && pyast.Dotted(sc.Receiver()) == "self"
}
