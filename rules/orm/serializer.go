package orm

import (
	_ "embed"
	"fmt"
	"iter"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed serializer.md
var serializerDoc string

// SerializerRelations reports DRF serializers that read relations the
// queryset they serialise does not load.
var SerializerRelations = &analyzer.Rule{
	Code:              "ORM008",
	Name:              "serializer-n-plus-one",
	Doc:               serializerDoc,
	Category:          analyzer.Performance,
	Severity:          analyzer.Warning,
	Confidence:        analyzer.High,
	Since:             "0.1.0",
	Stack:             project.Django,
	SkipOnSyntaxError: true, // fixes need a sound tree
	Skip:              semantic.Test | semantic.Migration,
	Distinct:          true,
	Requires:          requiresViews,
	Run:               runSerializer,
}

// need is a relation path a serializer reads per row.
type need struct {
	Path     string
	Prefetch bool   // reverse FK or many-to-many on the way
	Why      string // the serializer field that reads it
	// At is the serializer field's declaration (path, range).
	AtPath string
	At     analyzer.Range
	// Outer are the fields of enclosing serializers that nest the one
	// declaring At, outermost first.
	Outer []fieldAt
	// Query is set for a query the serializer runs per row that no
	// prefetch of the relation serves (a filtered or single-row query on
	// a related manager, or a lookup built from the row): What is its
	// text, QAtPath and QAt where it runs.
	Query   bool
	What    string
	QAtPath string
	QAt     analyzer.Range
	// ReadPath and ReadAt locate the read in a method field's body
	// (`note.created_by` in get_notes), when it is not the field itself.
	ReadPath string
	ReadAt   analyzer.Range
	// DeepPath and DeepAt locate the relation read itself when the read
	// is reached through calls (a property calling another:
	// `number_of_seats_taken` -> `attending_attendees_qs` ->
	// `self.attendees.all()`).
	DeepPath string
	DeepAt   analyzer.Range
	// FromModel marks a read inside a model method or property a field
	// renders: its related location comes after the fields' own.
	FromModel bool
	// Guards are the attributes a test before the query looks for
	// (`x._cached if hasattr(x, "_cached") else x.items.filter(...)`):
	// the query is the fallback when no prefetch set them.
	Guards []string
	// First marks a query that is first() alone on a related manager
	// (`x.versions.first()`), which an ordered prefetch of Path serves;
	// Target is the model the path ends at.
	First  bool
	Target *project.Model
	// Conditional marks a read under a branch of the method making it
	// (to_representation's `if "x" in self.expand:`).
	Conditional bool
	// Attr is the model attribute (a property or method) whose body makes
	// the read, when a field renders it directly
	// (`IntegerField(source="views_count")`), and AttrPath the rows it is
	// read on (`""` for the view's own, `departments` in a nested
	// serializer): an annotation of that name on those rows replaces it.
	Attr, AttrPath string
}

// fieldAt is a serializer field that nests another serializer.
type fieldAt struct {
	Path string
	At   analyzer.Range
	Msg  string
}

// runSerializer matches (a) view classes in this file with
// `serializer_class = S` and a queryset (class attribute or get_queryset),
// and (b) calls `S(qs, many=True)`, where S is a serializer class of the
// tree. It works out the relation paths S reads per row: nested
// serializers, `source="a.b"`, related fields (except primary keys of
// forward relations), many-to-many and reverse names in Meta.fields, and
// attribute chains of SerializerMethodField methods; and reports those the
// queryset neither select_related nor prefetch_related. It skips views that
// override get_serializer_class, serializers whose Meta.model is another
// model, and querysets it cannot read.
func runSerializer(p *analyzer.Pass) error {
	if p.Project == nil || p.Project.Models == nil {
		return nil
	}
	t := NewTracker(p)
	t.Loops()
	for cls := range pyast.FindEach(p.Root, "class_definition") {
		meth, attr := classMember(cls, "serializer_class", 0)
		if !meth.IsNil() || attr.IsNil() {
			continue
		}
		if m, _ := classMember(cls, "get_serializer_class", 0); !m.IsNil() {
			continue
		}
		if !t.servesList(cls) {
			t.checkRetrieve(cls, attr) // one object per request: its related rows
			continue
		}
		if t.repaginates(cls) {
			continue // rows fetched again
		}
		q := t.ViewQueryset(cls)
		t.checkSerializer(attr, pyast.Dotted(attr), q, "`"+pyast.DefName(cls)+"`")
	}
	// @action methods with their own serializer_class answering through
	// self.list.
	for cls := range pyast.FindEach(p.Root, "class_definition") {
		t.checkActionLists(cls)
	}
	// Views choosing their serializer at run time: what every serializer
	// get_serializer_class may return reads per row.
	// A view overriding get_serializer itself (`return S(now=self.now,
	// *args, **kwargs)`) is read the same way, on the classes its returns
	// instantiate, when it names no serializer_class or
	// get_serializer_class of its own.
	for cls, method := range serializerChoosers(p.Root) {
		m, _ := classMember(cls, method, 0)
		if m.IsNil() || !pyast.Ancestor(m, "class_definition").Equal(cls) {
			continue
		}
		var names []string
		var own pyast.Node // the serializer_class attribute, when returned
		options := false
		for r := range pyast.FindEachShallow(m, "return_statement") {
			if semantic.NotForList(r, m) {
				// `if self.action == "partial_update": return Cancel`: the
				// listing never serialises with it.
				continue
			}
			if t.File.OptionReturn(r, m) {
				// `if self.request.query_params.get("simple"): return
				// Short`: an option; a plain listing gets what follows.
				options = true
				continue
			}
			d := pyast.Dotted(r.NamedChild(0))
			if method == "get_serializer" {
				d = ""
				if c, ok := pyast.AsCall(pyast.Unparen(r.NamedChild(0))); ok && c.Func.Type() != "call" {
					d = pyast.Dotted(c.Func)
				}
			} else if name, ok := actionDictChoice(r.NamedChild(0), cls); ok {
				d = name // `{"list": A, ...}.get(self.action, B)`: the listing's entry
			} else if b, ok := semantic.ListChoice(r.NamedChild(0)); ok {
				d = pyast.Dotted(b) // `A if self.action == "list" else B`: the listing's branch
				if semantic.SuperSerializerClass(b) {
					d = "self.serializer_class"
				}
			}
			if d == "self.serializer_class" || semantic.SuperSerializerClass(r.NamedChild(0)) {
				// The class's own serializer_class.
				if _, attr := classMember(cls, "serializer_class", 0); !attr.IsNil() {
					d, own = pyast.Dotted(attr), attr
				}
			}
			if d == "" && method == "get_serializer_class" {
				if picked := t.pickedSerializers(r.NamedChild(0)); len(picked) > 0 {
					// `return pick_for_version(self.request.version)`:
					// whichever the helper returns.
					for _, n := range picked {
						if !contains(names, n) {
							names = append(names, n)
						}
					}
					continue
				}
			}
			if d == "" || strings.HasPrefix(d, "self.") || strings.HasPrefix(d, "super") {
				names = nil
				break
			}
			if !contains(names, d) {
				names = append(names, d)
			}
		}
		if len(names) == 0 || !t.servesList(cls) || t.repaginates(cls) || t.listsOwnSerializer(cls) {
			continue
		}
		q := t.ViewQueryset(cls)
		if options && q != nil {
			q = q.Clone()
			q.Opaque = true // the option's serializer may be what clients use
		}
		at := m.ChildByField("name")
		if len(names) == 1 && !own.IsNil() && pyast.Ancestor(own, "class_definition").Equal(cls) {
			at = own // the class's serializer_class serves the plain listing
		}
		t.checkSerializers(at, names, q, "`"+pyast.DefName(cls)+"`")
	}
	// Views whose get_serializer_class is a project base's in another
	// module, returning an attribute of self for the listing
	// (`return self.read_serializer_class`): the serializer the view names
	// under that attribute.
	for cls := range pyast.FindEach(p.Root, "class_definition") {
		if at, name := t.inheritedListSerializer(cls); name != "" && t.servesList(cls) && !t.repaginates(cls) && !t.listsOwnSerializer(cls) {
			t.checkSerializer(at, name, t.ViewQueryset(cls), "`"+pyast.DefName(cls)+"`")
		}
	}
	for n := range pyast.FindEach(p.Root, "call") {
		if !hasManyTrue(n) {
			continue
		}
		c, _ := pyast.AsCall(n)
		if c.Keyword("many").Type() != "true" || len(c.Positional) == 0 {
			continue
		}
		q := t.Eval(c.Positional[0])
		if q == nil {
			continue
		}
		name := pyast.Dotted(c.Func)
		if name == "self.get_serializer" {
			// The view's serializer_class, unless chosen at run time; in
			// an @action that sets serializer_class, that one.
			cls := classOf(n)
			def := pyast.Ancestor(n, "function_definition")
			if s := actionSerializer(def); !s.IsNil() {
				if !t.ServesOwnSerializer(cls, def.ChildByField("name").Text()) {
					continue
				}
				name = pyast.Dotted(s)
			} else {
				if m, _ := classMember(cls, "get_serializer_class", 0); !m.IsNil() || t.inheritsMethod(cls, "get_serializer_class") {
					continue
				}
				_, attr := classMember(cls, "serializer_class", 0)
				name = pyast.Dotted(attr)
			}
		}
		t.checkSerializer(n, name, q, "`"+compact(c.Positional[0])+"`")
	}
	t.rowSerializers()
	t.oneRowSerializers()
	return nil
}

// oneRowSerializers reads a serializer of one row fetched in the function
// (`team = Team.objects.get(pk=pk)`, `get_object_or_404(Team, pk=pk)`,
// `self.get_object()`), whose `.data` is read there: what it reads on each
// item of the row's many relations (a nested `many=True` serializer, a
// method field serialising `obj.members.all()`) is read once per item, and
// is judged against what the row's queryset prefetches. Reads of the row
// itself, and fetching the related rows, are one query each: not judged.
func (t *Tracker) oneRowSerializers() {
	for n := range pyast.FindEach(t.p.Root, "call") {
		if hasManyTrue(n) {
			continue
		}
		c, _ := pyast.AsCall(n)
		if !c.Keyword("many").IsNil() || !c.Keyword("data").IsNil() || len(c.Positional) > 1 {
			continue
		}
		arg := pyast.Unparen(c.Arg(0, "instance"))
		if arg.Type() != "identifier" || t.LoopOf(arg) != nil {
			continue
		}
		name := pyast.Dotted(c.Func)
		si := t.g.LookupClass(t.p.Unit, name)
		if name == "" || si == nil || !isSerializer(t.g, si) || !dataRead(n) {
			continue
		}
		md, _, cert := t.InstanceCertainty(arg)
		if md == nil || cert != semantic.Certain {
			continue
		}
		if c, ok := pyast.AsCall(t.Binding(arg, arg.Text(), arg.StartByte())); !ok || createdRow(c) {
			// A row made here has no related rows yet (plane's intake
			// issue, serialised right after `Issue.objects.create(...)`).
			continue
		}
		q, known := t.RowOrigin(arg)
		if !known || q != nil && (q.Model != md || q.Dynamic || q.DynamicSelect || q.Opaque) {
			continue
		}
		if si.MetaModel != "" {
			if mm := t.g.ByQual(si.MetaModel); mm != nil && !sameRows(mm, md) {
				continue
			}
		}
		var paths, whys []string
		var rel []analyzer.Related
		for _, nd := range t.serializerNeeds(si, md, nil, nil, false, 0) {
			nd.Path = withoutDetour(md, nd)
			if nd.Query || !nd.Prefetch || !beyondMany(md, nd.Path) || q != nil && q.Prefetches(nd.Path) {
				continue
			}
			paths = append(paths, nd.Path)
			whys = append(whys, nd.Why)
			rel = appendNeedRelated(rel, nd)
		}
		paths = maximal(paths)
		if len(paths) == 0 {
			continue
		}
		t.p.Report(analyzer.Diagnostic{
			Range:   analyzer.RangeOf(n),
			Related: rel,
			Message: fmt.Sprintf("`%s` reads %s per related row of `%s`, but the row's queryset does not load %s", si.Name, strings.Join(uniq(whys), ", "), arg.Text(), strings.Join(paths, ", ")),
			Help:    fmt.Sprintf("prefetch them with the row: `prefetch_related(%s)` on the queryset `%s` is fetched from", quote(paths), arg.Text()),
		})
	}
}

// createdRow reports a call making a row (`create`, `get_or_create`,
// `update_or_create`), or a plain call other than get_object_or_404: a
// model's constructor, or a helper whose row may come with anything.
func createdRow(c pyast.Call) bool {
	switch c.MethodName() {
	case "create", "get_or_create", "update_or_create":
		return true
	}
	return c.Receiver().IsNil() && c.Func.Type() == "identifier" && c.Func.Text() != "get_object_or_404"
}

// beyondMany reports a relation path that goes on past its first many
// hop (reverse foreign key or many-to-many): `members__user` is read per
// member, `members` alone is one query for the row.
func beyondMany(md *project.Model, path string) bool {
	steps, _ := md.Follow(path)
	for i, st := range steps {
		if st.Kind == project.AttrReverseMany || st.Kind == project.AttrManyToMany {
			return i < len(steps)-1
		}
	}
	return false
}

// dataRead reports a serializer call whose `.data` is read: directly
// (`S(row).data`), or through the name it is bound to in its function.
func dataRead(n pyast.Node) bool {
	up := n.Parent()
	if up.Type() == "attribute" && up.ChildByField("attribute").Text() == "data" {
		return true
	}
	if up.Type() != "assignment" || up.ChildByField("left").Type() != "identifier" {
		return false
	}
	v := up.ChildByField("left").Text()
	def := pyast.Ancestor(n, "function_definition")
	if def.IsNil() {
		return false
	}
	for a := range pyast.FindEach(def, "attribute") {
		if a.StartByte() > n.EndByte() && a.ChildByField("attribute").Text() == "data" {
			if o := a.ChildByField("object"); o.Type() == "identifier" && o.Text() == v {
				return true
			}
		}
	}
	return false
}

// rowSerializers reads a serializer of one row built per row of a loop
// over a queryset (`for v in qs: out.append(S(v).data)`, `S(instance=v)`,
// a comprehension): the loop serialises the queryset's rows one by one, as
// `S(qs, many=True)` does, so what S reads per row is judged against the
// loop's queryset. Only a serializer whose `.data` is read there counts
// (one built to validate input reads nothing yet).
func (t *Tracker) rowSerializers() {
	for _, l := range t.Loops() {
		if l.QS == nil || l.QS.Model == nil || l.QS.Values || l.Var.IsNil() || l.Once() {
			continue
		}
		v := l.Var.Text()
		rebound := false
		l.Walk(func(n pyast.Node) bool {
			if n.Type() == "assignment" && pyast.Unparen(n.ChildByField("left")).Text() == v {
				rebound = true
			}
			return !rebound
		})
		if rebound {
			continue // the row variable is rebound: what it holds is not the row
		}
		l.Walk(func(n pyast.Node) bool {
			if n.Type() != "call" || hasManyTrue(n) {
				return true
			}
			c, _ := pyast.AsCall(n)
			if name, u := t.helperSerializer(n, c, v); name != "" {
				// `yield serialize_for_bulk(course)`, the helper returning
				// `{**S(course_obj).data}`: the same reading, at the call.
				t.serUnit = u
				t.checkSerializer(n, name, l.QS, "`"+compact(l.Iter)+"`")
				t.serUnit = nil
				return true
			}
			arg := pyast.Unparen(c.Arg(0, "instance"))
			if arg.Type() != "identifier" || arg.Text() != v {
				return true
			}
			if up := n.Parent(); up.Type() != "attribute" || up.ChildByField("attribute").Text() != "data" {
				return true
			}
			name := pyast.Dotted(c.Func)
			if si := t.g.LookupClass(t.p.Unit, name); name == "" || si == nil || !isSerializer(t.g, si) {
				return true
			}
			t.checkSerializer(n, name, l.QS, "`"+compact(l.Iter)+"`")
			return true
		})
	}
}

// helperSerializer reports the serializer a project function serialises
// the loop's row with, when the row v is passed to it (call n) and its
// body reads `S(param).data` (or `S(instance=param).data`) on the
// parameter receiving it, with the unit S is named in.
func (t *Tracker) helperSerializer(n pyast.Node, c pyast.Call, v string) (string, *project.Unit) {
	idx := -1
	for i, a := range c.Positional {
		if a = pyast.Unparen(a); a.Type() == "identifier" && a.Text() == v {
			idx = i
		}
	}
	if idx < 0 {
		return "", nil
	}
	fn, bound := t.Callee(n)
	if fn == nil || fn.File == nil || fn.Node.IsNil() || fn.Static || fn.ClassMethod || fn.Property {
		return "", nil
	}
	if bound {
		idx++
	}
	if idx >= len(fn.Params) {
		return "", nil
	}
	param := fn.Params[idx]
	for sc := range pyast.FindEachShallow(fn.Node, "call") {
		if hasManyTrue(sc) {
			continue
		}
		cc, _ := pyast.AsCall(sc)
		arg := pyast.Unparen(cc.Arg(0, "instance"))
		if arg.Type() != "identifier" || arg.Text() != param {
			continue
		}
		if up := sc.Parent(); up.Type() != "attribute" || up.ChildByField("attribute").Text() != "data" {
			continue
		}
		name := pyast.Dotted(cc.Func)
		if si := t.g.LookupClass(fn.File.Unit, name); name != "" && si != nil && isSerializer(t.g, si) {
			return name, fn.File.Unit
		}
	}
	return "", nil
}

// listsOwnSerializer reports a view class whose own list method (its own
// or a project base's) serialises the rows without the view's serializer:
// no `self.get_serializer(`, `get_serializer_class`, `serializer_class` or
// `super().list(` in it (plane's IssueViewSet lists with
// `IssueLiteSerializer(issue_queryset, many=True)`, judged at that call,
// while get_serializer_class serves the other actions).
func (t *Tracker) listsOwnSerializer(cls pyast.Node) bool {
	c := t.ClassOfDef(cls)
	if c == nil {
		return false
	}
	m := c.Method("list")
	if m == nil || m.File == nil {
		return false
	}
	body := pyast.Body(m.Node).Text()
	for _, s := range []string{"get_serializer", "serializer_class", "super().list(", "super(", ".list("} {
		if strings.Contains(body, s) {
			return false
		}
	}
	return true
}

// callsSuper reports a call `super().name(...)` (or `super(C, self).name`)
// in def.
func callsSuper(def pyast.Node, name string) bool {
	for n := range pyast.FindEach(def, "call") {
		c, _ := pyast.AsCall(n)
		if c.MethodName() != name {
			continue
		}
		if r, ok := pyast.AsCall(pyast.Unparen(c.Receiver())); ok && r.Func.Type() == "identifier" && r.Func.Text() == "super" {
			return true
		}
	}
	return false
}

// repaginates reports a view class that defines paginate_queryset itself:
// the rows serialised are what it returns, often fetched again with their
// loads after the page is cut (grafana/oncall's `enrich()`), not
// get_queryset's. A project base's (taiga vendors DRF's generic views, with
// DRF's paginate_queryset) does not count.
func (t *Tracker) repaginates(cls pyast.Node) bool {
	c := t.ClassOfDef(cls)
	return c != nil && c.Methods["paginate_queryset"] != nil
}

// hasManyTrue reports whether call n has a `many=True` argument: a test
// before decoding it.
func hasManyTrue(n pyast.Node) bool {
	for a := n.ChildByField("arguments").FirstChild(); !a.IsNil(); a = a.NextSibling() {
		if a.Type() == "keyword_argument" && string(a.ChildByField("name").Bytes()) == "many" && a.ChildByField("value").Type() == "true" {
			return true
		}
	}
	return false
}

func (t *Tracker) checkSerializer(at pyast.Node, name string, q *QS, where string) {
	t.checkSerializers(at, []string{name}, q, where)
}

// checkSerializers is checkSerializer for a view whose get_serializer_class
// returns one of several serializers: only what every one of them reads
// per row is reported.
func (t *Tracker) checkSerializers(at pyast.Node, names []string, q *QS, where string) {
	// Prefetches computed at run time (`prefetch_related(*paths)`, often
	// derived from the serializer itself) cannot be judged: what the rows
	// load is unknown. Only the queries the serializer runs on each row
	// itself (`obj.parents.filter(...)`, a lookup built from the row),
	// which no prefetch serves, are still reported; not those in nested
	// serializers, whose rows a computed Prefetch may have built.
	if q == nil || q.Model == nil || q.Values || len(names) == 0 {
		return
	}
	dynamic := q.Dynamic
	// At most one row (`filter(user=self.request.user)` on a one-to-one
	// key, `.none()`): nothing repeats per row.
	if q.Single {
		return
	}
	// A computed select_related next to a custom queryset method
	// (`polymorphic_prefetch_related(Model=self.prefetch_related)`): the
	// method may prefetch the same computed paths.
	if q.DynamicSelect && q.Custom {
		return
	}
	// A related manager of one row (`S(order.items.all(), many=True)`)
	// serialises its rows one by one too. Of a loop's row, the remedy is a
	// nested prefetch on the outer queryset, left to ORM002; of a row
	// fetched elsewhere (a parameter), the caller may have prefetched what
	// the rows need.
	if q.Related && (q.OwnerInLoop || q.MaybeCached) {
		return
	}
	g := t.g
	var s *project.ClassFacts
	var needs []need
	// Queries a serializer runs on each row itself, which no prefetch
	// serves, are per row whichever branch of get_serializer_class picks
	// that serializer for the listing: kept from each, not only from all
	// (loads, which the view's queryset may serve, are what every
	// serializer needs).
	var onlySome []need
	var onlySomeBy []string
	perSer := make([][]need, len(names))
	for i, name := range names {
		u := t.p.Unit
		if t.serUnit != nil {
			u = t.serUnit
		}
		si := g.LookupClass(u, name)
		if name == "" || si == nil || !isSerializer(g, si) {
			return
		}
		if si.MetaModel != "" {
			if mm := g.ByQual(si.MetaModel); mm != nil && !sameRows(mm, q.Model) {
				return
			}
		}
		ni := t.serializerNeeds(si, q.Model, nil, nil, false, 0)
		perSer[i] = ni
		if i == 0 {
			s, needs = si, ni
			continue
		}
		var both []need
		for _, a := range needs {
			for _, b := range ni {
				if a.Path == b.Path && a.Prefetch == b.Prefetch && a.Query == b.Query && a.What == b.What {
					both = append(both, a)
					break
				}
			}
		}
		needs = both
	}
	if len(names) > 1 {
		for i, ni := range perSer {
			for _, n := range ni {
				if !n.Query || sameNeedIn(needs, n) || sameNeedIn(onlySome, n) {
					continue
				}
				onlySome = append(onlySome, n)
				if !contains(onlySomeBy, names[i]) {
					onlySomeBy = append(onlySomeBy, names[i])
				}
			}
		}
	}
	var sel, pre []string
	var whys []string
	var queries []need
	kept := needs[:0:0]
	for _, n := range needs {
		if n.Attr != "" && q.AnnotatesRows(n.AttrPath, n.Attr) {
			// `annotate(views_count=Count("views"))` sets the attribute
			// on every row: the cached_property it shadows never runs.
			continue
		}
		if dynamic && (!n.Query || n.First || len(n.Outer) > 0 || strings.Contains(n.Path, "__")) {
			continue
		}
		kept = append(kept, n)
	}
	needs = kept
	for i, n := range needs {
		if rel, _, ok := semantic.BackPath(q.Model, n.Path); ok && !n.Query {
			// `image__ingredient`: loading image caches the way back.
			n.Path = rel
			needs[i] = n
		}
		if n.Query {
			if !guardedByPrefetch(n) && !servedFirst(q, n) {
				queries = append(queries, n)
			}
			continue
		}
		if n.Prefetch {
			// A read under a branch of a path the view prefetches on some
			// branch: the two conditions likely agree (an expand parameter).
			if q.Prefetches(n.Path) || n.Conditional && q.BranchPrefetches(n.Path) {
				continue
			}
			pre = append(pre, n.Path)
		} else {
			if q.Selects(n.Path) || q.DynamicSelect {
				// select_related(self.field): any foreign key may be
				// among the paths; only many relations stay per row.
				continue
			}
			sel = append(sel, n.Path)
		}
		whys = append(whys, n.Why)
	}
	for _, n := range onlySome {
		if dynamic && (n.First || len(n.Outer) > 0 || strings.Contains(n.Path, "__")) {
			continue
		}
		if !guardedByPrefetch(n) && !servedFirst(q, n) {
			queries = append(queries, n)
		}
	}
	sel, pre = maximal(sel), maximal(pre)
	if len(sel)+len(pre) == 0 {
		if len(onlySomeBy) > 0 && len(queries) > 0 && len(queries) == countOnlySome(queries, onlySome) {
			// Only some of the serializers query: name those.
			t.reportQueries(at, onlySomeBy[0], onlySomeBy, where, queries)
			return
		}
		t.reportQueries(at, s.Name, names, where, queries)
		return
	}
	add := ""
	if len(sel) > 0 {
		add += ".select_related(" + quote(sel) + ")"
	}
	if len(pre) > 0 {
		add += ".prefetch_related(" + quote(pre) + ")"
	}
	call := add
	var edits []analyzer.TextEdit
	if !q.Origin.IsNil() && !q.Cached {
		ip := insertionPoint(q.Origin)
		if txt := chainText(ip); txt != "" {
			call = txt + add
		} else if txt := abbreviatedChain(ip); txt != "" {
			call = txt + add
		}
		if (!q.Opaque || q.Origin.Type() == "call") && !q.FromSerializer {
			edits = []analyzer.TextEdit{{Range: analyzer.Range{Start: ip.EndByte(), End: ip.EndByte()}, NewText: add}}
		}
	}
	var rel, deep []analyzer.Related
	seenAt := map[string]bool{}
	ordered := make([]need, 0, len(needs))
	for _, n := range needs {
		if !n.FromModel {
			ordered = append(ordered, n)
		}
	}
	for _, n := range needs {
		if n.FromModel {
			ordered = append(ordered, n)
		}
	}
	for _, n := range ordered {
		key := fmt.Sprint(n.AtPath, n.At.Start)
		if n.Query || n.AtPath == "" || seenAt[key] || len(rel) >= 6 || (q.Selects(n.Path) || q.DynamicSelect) && !n.Prefetch || n.Prefetch && q.Prefetches(n.Path) {
			continue
		}
		seenAt[key] = true
		for _, h := range n.Outer {
			if k := fmt.Sprint(h.Path, h.At.Start); !seenAt[k] && len(rel) < 5 {
				seenAt[k] = true
				rel = append(rel, analyzer.Related{Path: h.Path, Range: h.At, Message: h.Msg})
			}
		}
		rel = append(rel, analyzer.Related{Path: n.AtPath, Range: n.At, Message: n.Why + " reads `" + strings.ReplaceAll(n.Path, "__", ".") + "` per row"})
		if k := fmt.Sprint(n.ReadPath, n.ReadAt.Start); n.ReadPath != "" && !seenAt[k] && len(rel) < 6 {
			seenAt[k] = true
			rel = append(rel, analyzer.Related{Path: n.ReadPath, Range: n.ReadAt, Message: "the read, in " + n.Why})
		}
		if n.DeepPath != "" {
			deep = append(deep, analyzer.Related{Path: n.DeepPath, Range: n.DeepAt, Message: "where `" + strings.ReplaceAll(n.Path, "__", ".") + "` is read, through the calls of " + n.Why})
		}
	}
	// Where the relation itself is read, behind calls: after the fields
	// and their reads, in the room they leave.
	for _, r := range deep {
		if k := fmt.Sprint(r.Path, r.Range.Start); !seenAt[k] && len(rel) < 6 {
			seenAt[k] = true
			rel = append(rel, r)
		}
	}
	d := analyzer.Diagnostic{
		Related: rel,
		Range:   analyzer.RangeOf(at),
		Message: fmt.Sprintf("%s %s %s per row, but the queryset of %s does not load %s", serializerNames(s.Name, names), readsVerb(names), strings.Join(uniq(whys), ", "), where,
			strings.Join(append(append([]string{}, sel...), pre...), ", ")),
		Help: fmt.Sprintf("load them with the rows: `%s`", call),
	}
	if len(queries) > 0 {
		// One finding per view: the queries no prefetch serves go with it.
		qwhys, qwhats, qrel := queryParts(queries)
		verb := "queries"
		if len(qwhys) > 1 {
			verb = "query"
		}
		d.Message += fmt.Sprintf("; %s also %s per row: %s, which no prefetch serves", strings.Join(qwhys, ", "), verb, listShort(qwhats, 2))
		d.Help += "; for the queries, " + queryHelp
		d.Related = append(d.Related, qrel...)
	}
	if len(edits) > 0 {
		d.Fixes = []analyzer.Fix{{Message: "add " + strings.TrimPrefix(add, "."), Edits: edits, Applicability: analyzer.Safe}}
	}
	if q.Opaque || !q.Model.Complete {
		d.Confidence = analyzer.Medium
	}
	if q.FromSerializer {
		// The chain is a base's, shared by every view whose serializer
		// names another model: the paths belong in this view.
		d.Help = fmt.Sprintf("override `get_queryset` in %s: `return super().get_queryset()%s`", where, add)
	}
	if q.Cached {
		// The owner row's queryset prefetched the relation: extending
		// `.all()` would query again; the paths belong in that prefetch.
		d.Help = fmt.Sprintf("prefetch `%s` on the queryset the owner row comes from", strings.Join(prefixed(q, append(append([]string{}, sel...), pre...)), "`, `"))
	}
	t.p.Report(d)
}

// abbreviatedChain renders a long or multi-line queryset chain by its
// head and its last call, `self.queryset.filter(…)….all()`, so that a help
// names where the loads go.
func abbreviatedChain(n pyast.Node) string {
	c, ok := pyast.AsCall(n)
	if !ok || c.Func.Type() != "attribute" {
		return ""
	}
	s := n.Text()
	i := strings.IndexByte(s, '(')
	if i <= 0 {
		return ""
	}
	// Line continuations and indentation inside the head go.
	head := strings.Join(strings.Fields(strings.ReplaceAll(s[:i], "\\", "")), "")
	if head == "" || len(head) > 60 {
		return ""
	}
	args := "(…)"
	if len(c.Positional) == 0 && len(c.Keywords) == 0 && !c.StarArgs && !c.StarKwargs {
		args = "()"
	}
	if head == strings.Join(strings.Fields(strings.ReplaceAll(c.Func.Text(), "\\", "")), "") {
		return head + args // one call: `Model.objects.filter(…)`
	}
	return head + "(…)…." + c.MethodName() + args
}

// isSerializer reports whether a class derives from a DRF serializer, a
// serpy one (`serpy.Serializer`, whose MethodField reads like DRF's
// SerializerMethodField), or a DRF model serializer of a library that
// renders fields as DRF does (drf-writable-nested's
// WritableNestedModelSerializer, often a project's only serializer base).
func isSerializer(g *project.Models, c *project.ClassFacts) bool {
	chain := append([]*project.ClassFacts{c}, g.ClassBases(c)...)
	model := false
	for _, cc := range chain {
		model = model || cc.MetaModel != ""
	}
	for _, cc := range chain {
		for _, b := range cc.Bases {
			if !strings.HasSuffix(b, "Serializer") {
				continue
			}
			for _, pre := range serializerLibraries {
				if strings.HasPrefix(b, pre) {
					return true
				}
			}
			if model && libraryClass(g, b) {
				// A model serializer of a DRF library rubric does not
				// list (datapunt_api's HALSerializer, a
				// HyperlinkedModelSerializer with links): Meta.model
				// makes it one.
				return true
			}
		}
	}
	return false
}

// libraryClass reports a qualified class name from a package outside the
// tree, neither Django's nor Python's own.
func libraryClass(g *project.Models, b string) bool {
	pkg, _, ok := strings.Cut(b, ".")
	return ok && pkg != "" && pkg != "django" && !g.PackageInTree(b)
}

// serializerLibraries prefix the serializer classes isSerializer takes
// for DRF's: DRF itself, serpy, and model serializers of DRF libraries
// that only add writes (drf-writable-nested), geometry
// (django-rest-framework-gis) or the JSON:API document shape
// (django-rest-framework-json-api, whose ModelSerializer renders a many
// relation as resource identifiers read from `manager.all()` per row,
// as DRF's primary keys are).
var serializerLibraries = []string{"rest_framework.", "serpy.", "drf_writable_nested.", "rest_framework_gis.", "rest_framework_json_api."}

// prefixed renders paths under the relation a related queryset follows:
// `items__product` for `product` of `order.items.all()`.
func prefixed(q *QS, paths []string) []string {
	rel := ""
	cur := q.Origin
	for cur.Type() == "call" && cur.ChildByField("function").Type() == "attribute" {
		cur = cur.ChildByField("function").ChildByField("object")
	}
	if cur.Type() == "attribute" {
		rel = cur.ChildByField("attribute").Text()
	}
	var out []string
	for _, p := range paths {
		if rel != "" {
			p = rel + "__" + p
		}
		out = append(out, p)
	}
	return out
}

// appendNeedRelated appends to rel where a need is read per item (the
// serializers it goes through, then the read), up to six locations.
func appendNeedRelated(rel []analyzer.Related, nd need) []analyzer.Related {
	if nd.AtPath == "" || len(rel) >= 6 {
		return rel
	}
	for _, h := range nd.Outer {
		if len(rel) < 5 {
			rel = append(rel, analyzer.Related{Path: h.Path, Range: h.At, Message: h.Msg})
		}
	}
	return append(rel, analyzer.Related{Path: nd.AtPath, Range: nd.At, Message: nd.Why + " reads `" + strings.ReplaceAll(nd.Path, "__", ".") + "` per item"})
}

// serializerNeeds lists the relation paths serializer s reads on model m.
// label are the serializer fields that lead to s, for messages (prefix
// is their relation path).
func (t *Tracker) serializerNeeds(s *project.ClassFacts, m *project.Model, prefix, label []string, inPrefetch bool, depth int) []need {
	if depth > 3 || m == nil {
		return nil
	}
	g := t.g
	classes := append([]*project.ClassFacts{s}, g.ClassBases(s)...)
	if fn := t.serializerMethod(classes, "get_field_names"); fn != nil && !callsSuper(fn.Node, "get_field_names") {
		// Fields chosen at run time (flagsmith's UserListSerializer adds
		// `role` only when the context names an organisation): which of
		// its fields a listing renders is not read, only the relation
		// leading to the serializer. One extending DRF's own list
		// (`super().get_field_names(...)`, nautobot's) keeps Meta.fields.
		return nil
	}
	var out []need
	declared := map[string]bool{}
	listed := t.listedFields(classes)
	for _, c := range classes {
		attrs := c.Attrs
		nInit := 0
		if c == s {
			// Fields the serializer's __init__ sets for the listing come
			// first: they replace a declared field of the same name.
			init := t.initFields(classes)
			attrs, nInit = append(init, attrs...), len(init)
		}
		for i, a := range attrs {
			if declared[a.Name] {
				continue
			}
			if listed != nil && !listed[a.Name] && i >= nInit {
				// Declared (often on a base) but not in the Meta.fields
				// in force: DRF does not render it.
				continue
			}
			declared[a.Name] = true
			before := len(out)
			last := a.Callee[strings.LastIndex(a.Callee, ".")+1:]
			mark := func() {
				here := analyzer.Range{Start: a.Start, End: a.End}
				for i := before; i < len(out); i++ {
					if out[i].AtPath == "" {
						out[i].AtPath, out[i].At = c.Path, here
						continue
					}
					// Read by a nested serializer: this field leads to it.
					msg := "`" + a.Name + "` nests `" + last + "`"
					if methodField(last) {
						msg = "`" + a.Name + "` is computed by `get_" + a.Name + "`"
					}
					hop := fieldAt{Path: c.Path, At: here, Msg: msg}
					out[i].Outer = append([]fieldAt{hop}, out[i].Outer...)
				}
			}
			fieldPath := append(append([]string(nil), label...), a.Name)
			why := "`" + strings.Join(fieldPath, ".") + "`"
			attrName := a.Name
			nc := g.LookupClassQual(a.Callee)
			if nc != nil && g.ByQual(a.Callee) == nil && isSerializer(g, nc) && a.Source != "" && !strings.Contains(a.Source, ".") {
				attrName = a.Source // a nested serializer of another attribute
			}
			switch {
			case a.Source != "" && a.Source != "*" && attrName == a.Name:
				if strings.HasSuffix(last, "RelatedField") || strings.Contains(a.Source, ".") {
					pk := t.pkOnlyField(a)
					out = append(out, walkNeeds(m, strings.Split(a.Source, "."), prefix, inPrefetch, pk, why)...)
					if nc == nil || !isSerializer(g, nc) {
						out = append(out, t.sourceMethodNeeds(m, strings.Split(a.Source, "."), prefix, inPrefetch, why)...)
					}
				} else if nc == nil || !isSerializer(g, nc) {
					out = append(out, t.modelMethodNeeds(m, a.Source, prefix, inPrefetch, why)...)
				}
			case methodField(last):
				// What get_<field>(obj) does with the row, through the
				// calls it makes (helpers, model methods, properties); or
				// the method the field names.
				getter := "get_" + a.Name
				if a.Method != "" {
					getter = a.Method
				}
				if fn := t.serializerMethod(classes, getter); fn != nil {
					out = append(out, accessNeeds(t.sm.RowAccesses(fn, 1, m), prefix, inPrefetch, why)...)
					out = append(out, lookupNeeds(t.sm.RowParamLookups(fn, 1), why)...)
					out = append(out, t.methodNested(fn, m, prefix, fieldPath, depth)...)
					mark()
					continue
				}
				if fn := t.staticSerializerMethod(classes, getter); fn != nil {
					// `@staticmethod def get_x(obj)` (often in a mixin of
					// shared fields): DRF calls it with the row alone.
					out = append(out, accessNeeds(t.sm.RowAccesses(fn, 0, m), prefix, inPrefetch, why)...)
					out = append(out, lookupNeeds(t.sm.RowParamLookups(fn, 0), why)...)
					mark()
					continue
				}
				for _, cc := range classes {
					for _, chain := range cc.ParamChains[getter] {
						out = append(out, walkNeeds(m, strings.Split(chain, "."), prefix, inPrefetch, false, why)...)
					}
				}
			case strings.HasSuffix(last, "RelatedField"):
				if m.Attr(a.Name).Kind == project.AttrUnknown {
					// A related field over a model method or property
					// (`grids = HyperlinkedRelatedField(many=True)` over
					// `def grids(self): return (x.grid for x in
					// self.gridpackage_set.all())`): DRF calls it per row.
					out = append(out, t.modelMethodNeeds(m, a.Name, prefix, inPrefetch, why)...)
					break
				}
				pk := t.pkOnlyField(a)
				out = append(out, walkNeeds(m, []string{a.Name}, prefix, inPrefetch, pk, why)...)
			default:
				if (nc == nil || !isSerializer(g, nc)) && a.Source == "" && g.ByQual(a.Callee) == nil {
					// A plain field (`DateTimeField(read_only=True)`) over a
					// model method or property of its name.
					out = append(out, t.modelMethodNeeds(m, a.Name, prefix, inPrefetch, why)...)
					mark()
					continue
				}
				if g.ByQual(a.Callee) != nil || nc == nil || !isSerializer(g, nc) || a.Source == "*" {
					continue // a model call, not a serializer
				}
				at := m.Attr(attrName)
				switch at.Kind {
				case project.AttrForward, project.AttrReverseOne:
					if at.Field != nil && at.Field.Kind == project.GenericFK {
						continue
					}
					path := append(append([]string(nil), prefix...), attrName)
					out = append(out, need{Path: strings.Join(path, "__"), Prefetch: inPrefetch, Why: why})
					out = append(out, t.serializerNeeds(nc, at.Target, path, fieldPath, inPrefetch, depth+1)...)
				case project.AttrReverseMany, project.AttrManyToMany:
					path := append(append([]string(nil), prefix...), attrName)
					out = append(out, need{Path: strings.Join(path, "__"), Prefetch: true, Why: why})
					out = append(out, t.serializerNeeds(nc, at.Target, path, fieldPath, true, depth+1)...)
					out = append(out, t.listSerializerQueries(nc, strings.Join(path, "__"), why)...)
				case project.AttrUnknown:
					// A property of the model returning a row reached from
					// the object (`termination_a` returning one of
					// `self.terminations.all()`): the nested serializer
					// reads that row, under the property's path.
					fn := t.sm.ModelMethod(m, attrName)
					if fn == nil || !fn.Property {
						continue
					}
					rp, ok := t.sm.ReturnedRow(fn, m)
					if !ok {
						continue
					}
					path := append(append([]string(nil), prefix...), rp.Path...)
					pre := inPrefetch || rp.Many
					out = append(out, need{Path: strings.Join(path, "__"), Prefetch: pre, Why: why})
					out = append(out, t.serializerNeeds(nc, rp.Target, path, fieldPath, pre, depth+1)...)
				}
			}
			mark()
		}
	}
	// A to_representation of the serializer or of a project base
	// (open-humans' DataFileSerializer building its dict by hand): DRF
	// calls it for every row, so what it reads of the row, directly or in
	// the methods it hands the row to, is read per row.
	if fn := t.serializerMethod(classes, "to_representation"); fn != nil && fn.File != nil {
		why := "`" + strings.Join(append(append([]string(nil), label...), "to_representation"), ".") + "`"
		accs := t.sm.RowAccesses(fn, 1, m)
		ns := accessNeeds(accs, prefix, inPrefetch, why)
		j := 0 // accessNeeds makes one need per access of these kinds, in order
		for _, a := range accs {
			switch a.Kind {
			case semantic.Query, semantic.Forward, semantic.Manager, semantic.Count, semantic.Exists, semantic.Generic:
				if j < len(ns) {
					ns[j].Conditional = a.Conditional
				}
				j++
			}
		}
		ns = append(ns, lookupNeeds(t.sm.RowParamLookups(fn, 1), why)...)
		// `ret = super().to_representation(instance)`, then
		// `User.objects.get(id=ret["user"])`: a lookup by the row's values.
		ns = append(ns, lookupNeeds(fn.File.SuperDictLookups(fn, 1), why)...)
		for i := range ns {
			if ns[i].AtPath == "" {
				ns[i].AtPath, ns[i].At = fn.File.Unit.File.Rel, analyzer.RangeOf(fn.Node.ChildByField("name"))
			}
		}
		out = append(out, ns...)
	}
	// Meta.fields naming many-to-many or reverse relations: a list of
	// primary keys read per row.
	if len(s.MetaFields) > 0 {
		for _, f := range s.MetaFields {
			if declared[f] {
				continue
			}
			at := m.Attr(f)
			if at.Kind == project.AttrUnknown {
				// A model method or property named in Meta.fields.
				ns := t.modelMethodNeeds(m, f, prefix, inPrefetch, "`"+f+"`")
				if p, r, ok := t.metaFieldAt(s, f); ok {
					for i := range ns {
						if ns[i].AtPath == "" {
							ns[i].AtPath, ns[i].At = p, r
						}
					}
				}
				out = append(out, ns...)
				continue
			}
			if at.Kind == project.AttrManyToMany || at.Kind == project.AttrReverseMany {
				path := append(append([]string(nil), prefix...), f)
				n := need{Path: strings.Join(path, "__"), Prefetch: true, Why: "`" + f + "` (in Meta.fields)"}
				if p, r, ok := t.metaFieldAt(s, f); ok {
					n.AtPath, n.At = p, r
				}
				out = append(out, n)
			}
		}
	} else if names, r, ok := t.allFieldsManyToMany(s, m, declared); ok {
		// `fields = "__all__"`: every many-to-many field of the model.
		for _, f := range names {
			path := append(append([]string(nil), prefix...), f)
			out = append(out, need{Path: strings.Join(path, "__"), Prefetch: true, Why: "`" + f + "` (Meta.fields = \"__all__\")", AtPath: s.Path, At: r})
		}
	}
	return out
}

// pkOnly reports a related field of one object that DRF renders from the
// foreign key's column alone (its pk-only optimisation): a
// PrimaryKeyRelatedField, or DRF's own HyperlinkedRelatedField looking up
// by "pk" (a project subclass may turn the optimisation off, and a
// lookup_field other than pk reads the related row).
// pkOnlyField is pkOnly for a project subclass of DRF's
// PrimaryKeyRelatedField or HyperlinkedRelatedField too (pulp's
// `RelatedField(HrefFieldMixin, HyperlinkedRelatedField)`): DRF still
// hands it a PKOnlyObject unless a class on the way overrides
// use_pk_only_optimization, to_representation, get_attribute or __init__
// (which may set another lookup_field). A class-level lookup_field is not
// read: such a subclass is taken for pk-only.
func (t *Tracker) pkOnlyField(a project.ClassAttr) bool {
	if pkOnly(a) {
		return true
	}
	if a.Many || a.LookupField != "" && a.LookupField != "pk" {
		return false
	}
	found, clean := t.pkOnlyBases(a.Callee, 0)
	return found && clean
}

// pkOnlyBases walks the project classes from q to DRF: found is set when
// DRF's PrimaryKeyRelatedField or HyperlinkedRelatedField is reached,
// clean when no project class on the way overrides how the object is read.
func (t *Tracker) pkOnlyBases(q string, depth int) (found, clean bool) {
	c := t.g.LookupClassQual(q)
	if c == nil || depth > 8 {
		return false, true
	}
	for _, m := range c.Methods {
		switch m {
		case "use_pk_only_optimization", "to_representation", "get_attribute":
			return false, false
		case "__init__":
			if !t.plainInit(q) {
				return false, false
			}
		}
	}
	clean = true
	for _, b := range c.Bases {
		last := b[strings.LastIndex(b, ".")+1:]
		if strings.HasPrefix(b, "rest_framework.") && (last == "PrimaryKeyRelatedField" || last == "HyperlinkedRelatedField") {
			found = true
			continue
		}
		f, cl := t.pkOnlyBases(b, depth+1)
		found = found || f
		clean = clean && cl
	}
	return found, clean
}

// plainInit reports an __init__ of class q that names neither the lookup
// nor the source nor the optimisation (froide's InputStyleMixin only sets
// the browsable API's style before calling super): it leaves DRF's
// pk-only reading as it is.
func (t *Tracker) plainInit(q string) bool {
	c := t.sm.LookupClass(q)
	if c == nil || c.Methods["__init__"] == nil {
		return false
	}
	body := pyast.Body(c.Methods["__init__"].Node).Text()
	for _, s := range []string{"lookup", "source", "pk_only", "to_representation", "get_attribute"} {
		if strings.Contains(body, s) {
			return false
		}
	}
	return true
}

func pkOnly(a project.ClassAttr) bool {
	if a.Many {
		return false
	}
	last := a.Callee[strings.LastIndex(a.Callee, ".")+1:]
	switch last {
	case "PrimaryKeyRelatedField":
		return true
	case "HyperlinkedRelatedField":
		return strings.HasPrefix(a.Callee, "rest_framework.") && (a.LookupField == "" || a.LookupField == "pk")
	case "ResourceRelatedField":
		// django-rest-framework-json-api renders the key's resource
		// identifier from the column when the serializer names an
		// included serializer for the field, and reads the row (for its
		// type) otherwise: taken for pk-only, so nothing is claimed on a
		// guess (the other case is a known miss).
		return strings.HasPrefix(a.Callee, "rest_framework_json_api.")
	}
	return false
}

// methodField reports the serializer fields computed by a `get_<name>`
// method of the serializer: DRF's SerializerMethodField, serpy's
// MethodField, django-rest-framework-json-api's
// SerializerMethodResourceRelatedField (the method returns the related
// rows it renders).
func methodField(last string) bool {
	return last == "SerializerMethodField" || last == "MethodField" || last == "SerializerMethodResourceRelatedField"
}

// methodNested lists what serializers a SerializerMethodField method
// applies to a related manager of its object read per row:
// `return ItemSerializer(obj.items.all(), many=True).data` serialises
// every item, so what ItemSerializer reads is read per item, under the
// relation's path (loaded by prefetching it on the outer queryset).
// A manager filtered or ordered, or held in a name rebound on the way,
// is not followed.
func (t *Tracker) methodNested(fn *semantic.Func, m *project.Model, prefix, label []string, depth int) []need {
	if len(fn.Params) < 2 {
		return nil
	}
	g := t.g
	var out []need
	for _, u := range fn.Summary().Params[1] {
		if u.PassedTo.IsNil() || u.Arg != 0 || len(u.Chain) == 0 || len(u.Methods) > 1 || len(u.Methods) == 1 && u.Methods[0] != "all" {
			continue
		}
		c, ok := pyast.AsCall(u.PassedTo)
		if !ok || c.Keyword("many").Type() != "true" {
			continue
		}
		sc := g.LookupClass(fn.File.Unit, pyast.Dotted(c.Func))
		if sc == nil || !isSerializer(g, sc) {
			continue
		}
		cur, path := m, append([]string(nil), prefix...)
		for i, name := range u.Chain {
			at := cur.Attr(name)
			many := at.Kind == project.AttrReverseMany || at.Kind == project.AttrManyToMany
			fwd := (at.Kind == project.AttrForward || at.Kind == project.AttrReverseOne) && (at.Field == nil || at.Field.Kind != project.GenericFK)
			if at.Target == nil || !(many && i == len(u.Chain)-1 || fwd && i < len(u.Chain)-1) {
				cur = nil
				break
			}
			path = append(path, name)
			cur = at.Target
		}
		if cur == nil {
			continue
		}
		hop := fieldAt{Path: fn.File.Unit.File.Rel, At: analyzer.RangeOf(u.PassedTo),
			Msg: "`" + fn.Name + "` serialises `" + u.Nodes[len(u.Nodes)-1].Text() + "` with `" + sc.Name + "`, many=True"}
		for _, n := range t.serializerNeeds(sc, cur, path, label, true, depth+1) {
			n.Outer = append([]fieldAt{hop}, n.Outer...)
			out = append(out, n)
		}
	}
	return out
}

// walkNeeds follows names from m: forward relations become select paths,
// a reverse or many-to-many relation a prefetch path (and the end).
func walkNeeds(m *project.Model, names, prefix []string, inPrefetch, pkOnly bool, why string) []need {
	var out []need
	path := append([]string(nil), prefix...)
	for i, name := range names {
		if m == nil {
			break
		}
		at := m.Attr(name)
		switch at.Kind {
		case project.AttrForward, project.AttrReverseOne:
			if at.Field != nil && at.Field.Kind == project.GenericFK {
				return out
			}
			if pkOnly && i == len(names)-1 && at.Kind == project.AttrForward {
				// PrimaryKeyRelatedField reads the `_id` column. A reverse
				// one-to-one has no column on this row: DRF's pk-only
				// reading (`serializable_value`) falls back to the related
				// row, one query per row.
				return out
			}
			path = append(path, name)
			out = append(out, need{Path: strings.Join(path, "__"), Prefetch: inPrefetch, Why: why})
			m = at.Target
		case project.AttrReverseMany, project.AttrManyToMany:
			path = append(path, name)
			out = append(out, need{Path: strings.Join(path, "__"), Prefetch: true, Why: why})
			return out
		default:
			return out
		}
	}
	return out
}

// listedFields returns the names of the Meta.fields in force for a
// serializer (the first of classes whose Meta assigns `fields`), when it
// is a literal list or tuple of strings; nil otherwise ("__all__", a
// computed list, no Meta). DRF's ModelSerializer renders a declared field
// only when it is listed there; a plain Serializer (or serpy's) ignores
// Meta, so nil for those.
func (t *Tracker) listedFields(classes []*project.ClassFacts) map[string]bool {
	modelSer := false
	for _, c := range classes {
		for _, b := range c.Bases {
			modelSer = modelSer || strings.HasSuffix(b, "ModelSerializer")
		}
	}
	if !modelSer {
		return nil
	}
	for _, c := range classes {
		sc := t.sm.LookupClass(c.Module + "." + c.Name)
		if sc == nil {
			return nil
		}
		v := pyast.Unparen(metaAssign(sc.Node, "fields"))
		if v.IsNil() {
			continue
		}
		if !v.Is("list", "tuple") {
			return nil
		}
		out := map[string]bool{}
		for x := range v.Named() {
			str, ok := pyast.StringValue(x)
			if !ok {
				return nil
			}
			out[str] = true
		}
		return out
	}
	return nil
}

// initFields reads the fields a serializer's `__init__` (the first class
// of its bases defining one) sets with `self.fields["creator"] =
// ChallengeHostTeamSerializer()`: unconditionally, or in the branch a GET
// request takes under a test of the request's method (`if ... .method !=
// "GET": ... else: self.fields[...] = ...`, `if ... .method == "GET":`).
// A field set under any other test is an option some requests get: not
// read.
//
// A `to_representation` (the first class of the bases defining one) that
// sets `self.fields["member"] = MemberSerializer()` before handing the row
// to DRF's own does the same for every row it renders, after `__init__`:
// its fields come first.
func (t *Tracker) initFields(classes []*project.ClassFacts) []project.ClassAttr {
	var out []project.ClassAttr
	for _, method := range []string{"to_representation", "__init__"} {
		out = append(out, t.fieldsSetIn(classes, method)...)
	}
	return out
}

// fieldsSetIn reads the `self.fields[name] = Serializer()` of method, the
// first class of classes defining one, as initFields says.
func (t *Tracker) fieldsSetIn(classes []*project.ClassFacts, method string) []project.ClassAttr {
	var fn *semantic.Func
	for _, c := range classes {
		if sc := t.sm.LookupClass(c.Module + "." + c.Name); sc != nil {
			if fn = sc.Methods[method]; fn != nil {
				break
			}
		}
	}
	if fn == nil || fn.File == nil {
		return nil
	}
	var out []project.ClassAttr
	for a := range pyast.FindEach(pyast.Body(fn.Node), "assignment") {
		l := a.ChildByField("left")
		if l.Type() != "subscript" || pyast.Dotted(l.ChildByField("value")) != "self.fields" {
			continue
		}
		name, ok := pyast.StringValue(pyast.Unparen(l.ChildByField("subscript")))
		call, isCall := pyast.AsCall(pyast.Unparen(a.ChildByField("right")))
		if !ok || !isCall || !getBranch(a, fn.Node) {
			continue
		}
		u := fn.File.Unit
		ca := project.ClassAttr{Name: name, Callee: u.Qualify(pyast.Dotted(call.Func)), Many: call.Keyword("many").Type() == "true",
			Line: u.File.Position(a.StartByte()).Line, Start: a.StartByte(), End: a.EndByte()}
		ca.Source, _ = pyast.StringValue(call.Keyword("source"))
		ca.LookupField, _ = pyast.StringValue(call.Keyword("lookup_field"))
		out = append(out, ca)
	}
	return out
}

// getBranch reports a statement of def that a GET request runs: outside
// any if, loop, try or nested function of def, or in the clause of an if
// testing the request method that GET takes (the else of a test that
// `.method != "GET"` makes false, alone or under `and`; the body of
// `.method == "GET"` alone).
func getBranch(n, def pyast.Node) bool {
	for p, child := n.Parent(), n; !p.IsNil() && !p.Equal(def); p, child = p.Parent(), p {
		switch p.Type() {
		case "if_statement":
			test := pyast.Unparen(p.ChildByField("condition"))
			switch {
			case child.Type() == "else_clause" && methodTest(test, "!=", true):
			case child.Equal(p.ChildByField("consequence")) && methodTest(test, "==", false):
			default:
				return false
			}
		case "elif_clause", "for_statement", "while_statement", "try_statement", "with_statement",
			"function_definition", "class_definition", "lambda", "match_statement", "conditional_expression":
			return false
		}
	}
	return true
}

// methodTest reports a test `X.method <op> "GET"` (or `"GET" <op>
// X.method`); with underAnd, also as one operand of an `and`.
func methodTest(test pyast.Node, op string, underAnd bool) bool {
	test = pyast.Unparen(test)
	if underAnd && test.Type() == "boolean_operator" && test.ChildByField("operator").Text() == "and" {
		return methodTest(test.ChildByField("left"), op, true) || methodTest(test.ChildByField("right"), op, true)
	}
	if test.Type() != "comparison_operator" || test.NamedChildCount() != 2 {
		return false
	}
	ops := 0
	for _, k := range test.Children() {
		if !k.IsNamed() {
			if k.Text() != op {
				return false
			}
			ops++
		}
	}
	a, b := pyast.Unparen(test.NamedChild(0)), pyast.Unparen(test.NamedChild(1))
	if _, ok := pyast.StringValue(a); ok {
		a, b = b, a
	}
	s, ok := pyast.StringValue(b)
	return ops == 1 && ok && strings.EqualFold(s, "GET") && a.Type() == "attribute" && a.ChildByField("attribute").Text() == "method"
}

// serializerMethod finds a method of a serializer class (or its bases) in
// the semantic model.
func (t *Tracker) serializerMethod(classes []*project.ClassFacts, name string) *semantic.Func {
	for _, c := range classes {
		if sc := t.sm.LookupClass(c.Module + "." + c.Name); sc != nil {
			if fn := sc.Methods[name]; fn != nil && len(fn.Params) >= 2 {
				return fn
			}
		}
	}
	return nil
}

// staticSerializerMethod finds a static method of a serializer class (or
// its bases, mixins included) taking the row as its one parameter.
func (t *Tracker) staticSerializerMethod(classes []*project.ClassFacts, name string) *semantic.Func {
	for _, c := range classes {
		if sc := t.sm.LookupClass(c.Module + "." + c.Name); sc != nil {
			if fn := sc.Methods[name]; fn != nil && fn.Static && len(fn.Params) == 1 {
				return fn
			}
		}
	}
	return nil
}

// accessNeeds turns the per-row accesses of a serializer method into the
// paths the queryset should load: forward relations selected, related
// managers (iterated, counted or tested: a prefetch serves all three)
// prefetched. Filtered, ordered or single-row queries on a manager query
// whatever is prefetched: they are needs of their own (Query).
func accessNeeds(accs []semantic.Access, prefix []string, inPrefetch bool, why string) []need {
	var out []need
	for _, a := range accs {
		path := a.Path
		if len(prefix) > 0 {
			path = strings.Join(prefix, "__") + "__" + path
		}
		switch a.Kind {
		case semantic.Query:
			n := queryNeed(a, path, why)
			n.First, n.Target = firstOnly(a.Methods), a.Target
			out = append(out, n)
		case semantic.Forward:
			out = append(out, readAt(need{Path: path, Prefetch: inPrefetch || strings.Contains(a.Path, "__") && prefetchOnPath(accs, a.Path), Why: why}, a))
		case semantic.Manager, semantic.Count, semantic.Exists, semantic.Generic:
			out = append(out, readAt(need{Path: path, Prefetch: true, Why: why}, a))
		}
	}
	return out
}

// firstOnly reports manager methods that only take the first row
// (`first()`, `all().first()`): no filter or ordering of their own.
func firstOnly(methods []string) bool {
	first := false
	for _, m := range methods {
		switch m {
		case "first":
			first = true
		case "all":
		default:
			return false
		}
	}
	return first
}

// servedFirst reports a first() need the queryset's ordered prefetch of
// its path serves from the cache.
func servedFirst(q *QS, n need) bool {
	return n.Query && n.First && q != nil && q.ServesFirst(n.Path, n.Target)
}

// readAt notes where a method field reads the path (the call in the
// method when the read is in a helper it calls).
func readAt(n need, a semantic.Access) need {
	if len(a.Via) > 0 && a.Via[0].File != nil && !a.Via[0].Call.IsNil() {
		n.ReadPath, n.ReadAt = a.Via[0].File.Unit.File.Rel, analyzer.RangeOf(a.Via[0].Call)
		if a.File != nil && !a.Node.IsNil() {
			n.DeepPath, n.DeepAt = a.File.Unit.File.Rel, analyzer.RangeOf(a.Node)
		}
	} else if a.File != nil && !a.Node.IsNil() {
		n.ReadPath, n.ReadAt = a.File.Unit.File.Rel, analyzer.RangeOf(a.Node)
	}
	return n
}

// lookupNeeds turns the queries a serializer method builds from its row
// (`Score.objects.filter(user=obj).count()`, directly or in the helpers it
// passes the row to) into needs no prefetch serves.
func lookupNeeds(accs []semantic.Access, why string) []need {
	var out []need
	for _, a := range accs {
		if a.Kind == semantic.Lookup {
			out = append(out, queryNeed(a, a.Path, why))
		}
	}
	return out
}

// queryNeed is the need of a query run per row: the outermost call of
// its chain is what runs it.
func queryNeed(a semantic.Access, path, why string) need {
	n := a.Node
	for p := n.Parent(); !p.IsNil(); p = p.Parent() {
		if p.Type() == "attribute" && p.ChildByField("object").Equal(n) {
			n = p
			continue
		}
		if p.Type() == "call" && p.ChildByField("function").Equal(n) {
			n = p
			continue
		}
		break
	}
	at, atPath := analyzer.RangeOf(n), a.File.Unit.File.Rel
	if len(a.Via) > 0 {
		// Reached through a helper: the call in the method is the place.
		n = a.Via[0].Call
		at, atPath = analyzer.RangeOf(n), a.Via[0].File.Unit.File.Rel
	}
	guards := cacheGuards(a.Node)
	for _, v := range a.Via {
		guards = append(guards, cacheGuards(v.Call)...)
	}
	return need{Path: path, Query: true, Why: why, What: "`" + compact(n) + "`", QAtPath: atPath, QAt: at, Guards: guards}
}

// cacheGuards returns the attribute names tested with hasattr/getattr
// (`hasattr(obj, "_active")`, `getattr(obj, "prefetched", None)`) by the
// conditions n sits under in its function, and by the tests of earlier
// ifs that return (`if hasattr(self, "_status"): return ...`).
//
// In the branch a test takes when it holds, only the names it tests for
// absence count (`if not hasattr(obj, "_rows"):`, `if getattr(obj, "x",
// None) is None:`): a query run when the attribute is there
// (`if hasattr(barrier, "barrier_team"): barrier.barrier_team.filter(...)`)
// is no fallback.
func cacheGuards(n pyast.Node) []string {
	var out []string
	prev := pyast.Node{}
	for p := n; !p.IsNil(); prev, p = p, p.Parent() {
		switch p.Type() {
		case "function_definition", "lambda":
			return out
		case "conditional_expression":
			if k := p.NamedChildren(); len(k) == 3 {
				if prev.Equal(k[0]) {
					out = append(out, absenceTests(k[1])...)
				} else {
					out = append(out, attrTests(k[1])...)
				}
			}
		case "if_statement", "elif_clause":
			if prev.Equal(p.ChildByField("consequence")) {
				out = append(out, absenceTests(p.ChildByField("condition"))...)
			} else {
				out = append(out, attrTests(p.ChildByField("condition"))...)
			}
		}
		if name, ok := getattrDefault(p); ok {
			out = append(out, name)
		}
		if par := p.Parent(); par.Type() == "block" {
			for _, sib := range par.NamedChildren() {
				if sib.StartByte() >= p.StartByte() {
					break
				}
				if sib.Type() == "if_statement" && len(pyast.FindAll(sib.ChildByField("consequence"), "return_statement")) > 0 {
					out = append(out, attrTests(sib.ChildByField("condition"))...)
				}
			}
		}
	}
	return out
}

// attrTests returns the names test checks with hasattr(x, "name") or
// getattr(x, "name", ...).
// lazyMethods build a queryset without running it.
var lazyMethods = map[string]bool{"all": true, "filter": true, "exclude": true, "annotate": true, "order_by": true,
	"select_related": true, "prefetch_related": true, "only": true, "defer": true, "distinct": true, "values": true,
	"values_list": true, "alias": true, "using": true, "none": true, "reverse": true}

// getattrDefault reports a queryset built, not run, as the default of
// `getattr(self, "current_round_set", self.round_set.filter(...))`: it is
// evaluated only when the attribute is missing (the fallback of a
// Prefetch's to_attr), and the name tested.
func getattrDefault(n pyast.Node) (string, bool) {
	par := n.Parent()
	if par.Type() != "argument_list" {
		return "", false
	}
	c, ok := pyast.AsCall(par.Parent())
	if !ok || pyast.Dotted(c.Func) != "getattr" || len(c.Positional) != 3 || !c.Positional[2].Equal(n) {
		return "", false
	}
	if d, ok := pyast.AsCall(pyast.Unparen(n)); !ok || !lazyMethods[d.MethodName()] {
		return "", false // `.count()`, `.first()`: run before getattr is called
	}
	if name, ok := pyast.StringValue(c.Positional[1]); ok {
		return name, true
	}
	return "?", true
}

func attrTests(test pyast.Node) []string {
	if test.IsNil() {
		return nil
	}
	var out []string
	for c := range pyast.FindEach(test, "call") {
		call, ok := pyast.AsCall(c)
		if !ok || len(call.Positional) < 2 {
			continue
		}
		if f := pyast.Dotted(call.Func); f != "hasattr" && f != "getattr" {
			continue
		}
		if name, ok := pyast.StringValue(call.Positional[1]); ok {
			out = append(out, name)
		} else {
			out = append(out, "?") // a name held in a variable
		}
	}
	// `v = getattr(place, "is_subscribed", None)` then `if v is None:`:
	// the test of a local holding such a getattr.
	if def := pyast.Ancestor(test, "function_definition"); !def.IsNil() {
		for id := range pyast.FindEach(test, "identifier") {
			for a := range pyast.FindEachShallow(def.ChildByField("body"), "assignment") {
				if l := a.ChildByField("left"); l.Type() == "identifier" && l.Text() == id.Text() && a.EndByte() <= test.StartByte() {
					if r := a.ChildByField("right"); r.Type() == "call" {
						out = append(out, attrTests(r)...)
					}
				}
			}
		}
	}
	return out
}

// absenceTests returns the names of attrTests that test holds when they
// are missing: a hasattr/getattr (or a local holding a getattr) under an
// odd number of `not`, or a getattr compared `is None` / `== None`.
func absenceTests(test pyast.Node) []string {
	if test.IsNil() {
		return nil
	}
	var out []string
	absent := func(n pyast.Node) bool {
		neg := false
		for p := n; !p.IsNil() && !p.Equal(test.Parent()); p = p.Parent() {
			if p.Type() == "not_operator" {
				neg = !neg
			}
			if par := p.Parent(); par.Type() == "comparison_operator" && p.Equal(par.NamedChild(0)) {
				if k := par.NamedChildren(); len(k) == 2 && k[1].Type() == "none" {
					for ch := par.FirstChild(); !ch.IsNil(); ch = ch.NextSibling() {
						if t := ch.Type(); t == "is" || t == "==" {
							neg = !neg
						}
					}
				}
			}
			if p.Equal(test) {
				break
			}
		}
		return neg
	}
	for c := range pyast.FindEach(test, "call") {
		if !absent(c) {
			continue
		}
		out = append(out, attrTests(c)...)
	}
	if def := pyast.Ancestor(test, "function_definition"); !def.IsNil() {
		for id := range pyast.FindEach(test, "identifier") {
			if !absent(id) {
				continue
			}
			for a := range pyast.FindEachShallow(def.ChildByField("body"), "assignment") {
				if l := a.ChildByField("left"); l.Type() == "identifier" && l.Text() == id.Text() && a.EndByte() <= test.StartByte() {
					if r := a.ChildByField("right"); r.Type() == "call" {
						out = append(out, attrTests(r)...)
					}
				}
			}
		}
	}
	return out
}

// guardedByPrefetch reports a query run only when a test for an
// attribute fails: the fallback of a value something else attached to the
// row (a Prefetch(..., to_attr=...), a cache a pagination hook fills, an
// earlier call's memo), which a per-row finding cannot tell is missing.
func guardedByPrefetch(n need) bool {
	return len(n.Guards) > 0
}

// queryParts describes the queries a serializer runs per row that no
// prefetch of the view's queryset serves: the fields running them, the
// queries, and related locations (each field, then its query).
func queryParts(queries []need) (whys, whats []string, rel []analyzer.Related) {
	seen := map[string]bool{}
	for _, n := range queries {
		key := fmt.Sprint(n.QAtPath, n.QAt.Start)
		if seen[key] {
			continue
		}
		seen[key] = true
		if !contains(whys, n.Why) {
			whys = append(whys, n.Why)
		}
		if !contains(whats, n.What) {
			whats = append(whats, n.What)
		}
		if len(rel) < 6 {
			for _, h := range n.Outer {
				rel = append(rel, analyzer.Related{Path: h.Path, Range: h.At, Message: h.Msg})
			}
			// Two queries of one field (or of one to_representation)
			// name the field once.
			if at := fmt.Sprint("field ", n.AtPath, n.At.Start); n.AtPath != "" && !seen[at] {
				seen[at] = true
				rel = append(rel, analyzer.Related{Path: n.AtPath, Range: n.At, Message: n.Why + " runs a query per row"})
			}
			rel = append(rel, analyzer.Related{Path: n.QAtPath, Range: n.QAt, Message: "the query: " + n.What})
		}
	}
	return whys, whats, rel
}

// queryClause is the message part naming queries no prefetch serves.
func queryClause(whats []string) string {
	verb := "runs"
	if len(whats) > 1 {
		verb = "run"
	}
	return fmt.Sprintf("%s %s a query no prefetch serves", listShort(whats, 2), verb)
}

const queryHelp = "load what each row needs with the rows: a `Prefetch(..., queryset=..., to_attr=...)` the method reads, or an annotation (`Count`, `Exists`, `Subquery`)"

// reportQueries reports a serializer whose only per-row cost is queries no
// prefetch serves (medium confidence: a branch may skip them, and their
// remedy, a filtered Prefetch with to_attr or an annotation, changes the
// serializer too).
func (t *Tracker) reportQueries(at pyast.Node, first string, names []string, where string, queries []need) {
	if len(queries) == 0 {
		return
	}
	whys, whats, rel := queryParts(queries)
	t.p.Report(analyzer.Diagnostic{
		Range: analyzer.RangeOf(at),
		Message: fmt.Sprintf("%s %s %s per row (%s), and %s serialises every row", serializerNames(first, names), readsVerb(names),
			strings.Join(whys, ", "), queryClause(whats), where),
		Help:       queryHelp,
		Related:    rel,
		Confidence: analyzer.Medium,
	})
}

// prefetchOnPath reports whether a forward access lies below a related
// manager also read (`items__product`): it is loaded by prefetching.
func prefetchOnPath(accs []semantic.Access, path string) bool {
	for _, a := range accs {
		if a.Kind == semantic.Manager && strings.HasPrefix(path, a.Path+"__") {
			return true
		}
	}
	return false
}

// serializerNames names the serializer, or those get_serializer_class
// chooses between.
func serializerNames(first string, names []string) string {
	if len(names) <= 1 {
		return "`" + first + "`"
	}
	var short []string
	for _, n := range names {
		short = append(short, "`"+n[strings.LastIndex(n, ".")+1:]+"`")
	}
	return strings.Join(short[:len(short)-1], ", ") + " and " + short[len(short)-1] + " (returned by `get_serializer_class`)"
}

func readsVerb(names []string) string {
	if len(names) > 1 {
		return "read"
	}
	return "reads"
}

// inheritedListSerializer reads a view class that sets neither
// serializer_class nor get_serializer_class itself nor in a base of its
// own module, and inherits get_serializer_class from a project base in
// another module whose every return serving the listing is one attribute
// of self (`if self.action in ("list", "retrieve"): return
// self.read_serializer_class`). It returns the class's assignment of that
// attribute and the serializer's name, or "" when any of this does not
// hold (an option return, a return computed otherwise, the attribute set
// by a base only: that base's views are judged where it is set).
func (t *Tracker) inheritedListSerializer(cls pyast.Node) (pyast.Node, string) {
	if m, a := classMember(cls, "serializer_class", 0); !m.IsNil() || !a.IsNil() {
		return pyast.Node{}, ""
	}
	if m, _ := classMember(cls, "get_serializer_class", 0); !m.IsNil() {
		return pyast.Node{}, ""
	}
	c := t.ClassOfDef(cls)
	if c == nil {
		return pyast.Node{}, ""
	}
	fn := c.Method("get_serializer_class")
	if fn == nil || fn.Class == c || fn.File == nil || fn.File == c.File {
		return pyast.Node{}, ""
	}
	attr := ""
	for r := range pyast.FindEachShallow(fn.Node, "return_statement") {
		if semantic.NotForList(r, fn.Node) {
			continue
		}
		if fn.File.OptionReturn(r, fn.Node) {
			return pyast.Node{}, ""
		}
		d := pyast.Dotted(r.NamedChild(0))
		name, ok := strings.CutPrefix(d, "self.")
		if !ok || strings.Contains(name, ".") || attr != "" && name != attr {
			return pyast.Node{}, ""
		}
		attr = name
	}
	if attr == "" {
		return pyast.Node{}, ""
	}
	v, ok := c.Attrs[attr]
	if !ok || v.IsNil() {
		return pyast.Node{}, ""
	}
	d := pyast.Dotted(v)
	if d == "" {
		return pyast.Node{}, ""
	}
	return v, d
}

// pickedSerializers reads a call to a project function or method whose
// every return names a serializer class of the tree
// (`get_serializer_class_for_version(version)` returning `EventSerializerV0_1`
// or `EventSerializer`), in the same module: those names. nil when the call
// reaches no function of the module or any return is something else.
func (t *Tracker) pickedSerializers(n pyast.Node) []string {
	if _, ok := pyast.AsCall(pyast.Unparen(n)); !ok || t.File == nil {
		return nil
	}
	fn, _ := t.Callee(pyast.Unparen(n))
	if fn == nil || fn.File != t.File {
		return nil
	}
	var out []string
	for r := range pyast.FindEachShallow(fn.Node, "return_statement") {
		v := r.NamedChild(0)
		d := pyast.Dotted(v)
		if v.IsNil() || v.Type() != "identifier" || d == "" {
			return nil
		}
		si := t.g.LookupClass(t.p.Unit, d)
		if si == nil || !isSerializer(t.g, si) {
			return nil
		}
		if !contains(out, d) {
			out = append(out, d)
		}
	}
	return out
}

// serializerChoosers yields the classes of root choosing their serializer
// in a method, with that method: get_serializer_class, or get_serializer
// for a class defining neither get_serializer_class nor serializer_class.
func serializerChoosers(root pyast.Node) iter.Seq2[pyast.Node, string] {
	return func(yield func(pyast.Node, string) bool) {
		for cls := range pyast.FindEach(root, "class_definition") {
			if m, _ := classMember(cls, "get_serializer_class", 0); !m.IsNil() {
				if !yield(cls, "get_serializer_class") {
					return
				}
				continue
			}
			if meth, attr := classMember(cls, "serializer_class", 0); !meth.IsNil() || !attr.IsNil() {
				continue
			}
			if m, _ := classMember(cls, "get_serializer", 0); !m.IsNil() {
				if !yield(cls, "get_serializer") {
					return
				}
			}
		}
	}
}

// sameRows reports whether a serializer declared for model mm (its
// Meta.model) serialises rows of model m: the same model, or two models with
// the same concrete one, as a proxy and its concrete model are (a proxy has
// its concrete model's table, fields and relations).
func sameRows(mm, m *project.Model) bool {
	return mm == m || concreteModel(mm, 0) == concreteModel(m, 0)
}

// concreteModel follows a proxy model to the concrete model it proxies.
func concreteModel(m *project.Model, depth int) *project.Model {
	if m == nil || !m.Proxy || depth > 8 {
		return m
	}
	for _, b := range m.Bases {
		if !b.Abstract {
			return concreteModel(b, depth+1)
		}
	}
	return m
}

// freshQueryMethods are the queryset methods that run a new query on a
// related manager even when its rows are prefetched: the prefetch cache
// serves all(), iteration, count() and exists(), not these.
var freshQueryMethods = map[string]bool{
	"values": true, "values_list": true, "filter": true, "exclude": true, "order_by": true,
	"annotate": true, "aggregate": true, "get": true, "latest": true, "earliest": true,
	"distinct": true, "only": true, "defer": true,
}

// listSerializerQueries reads the Meta.list_serializer_class of nested
// serializer nc (on nc or a project base): DRF renders a nested
// `many=True` field with it, calling its to_representation with the
// related manager once per parent row. A query that method runs on the
// manager (`[o["hash"] for o in objects.values("hash")]`) bypasses the
// prefetch: one query per parent row, whatever the view loads.
func (t *Tracker) listSerializerQueries(nc *project.ClassFacts, path, why string) []need {
	g := t.g
	var ls *project.ClassFacts
	for _, c := range append([]*project.ClassFacts{nc}, g.ClassBases(nc)...) {
		sc := t.sm.LookupClass(c.Module + "." + c.Name)
		if sc == nil || sc.File == nil {
			continue
		}
		v := metaValue(sc.Node, "list_serializer_class")
		if v.IsNil() {
			continue
		}
		ls = g.LookupClass(sc.File.Unit, pyast.Dotted(v))
		break
	}
	if ls == nil {
		return nil
	}
	fn := t.serializerMethod(append([]*project.ClassFacts{ls}, g.ClassBases(ls)...), "to_representation")
	if fn == nil || fn.File == nil {
		return nil
	}
	why = why + " (its list serializer `" + ls.Name + ".to_representation`)"
	var out []need
	for _, u := range fn.Summary().Params[1] {
		if len(u.Chain) != 0 || len(u.Methods) == 0 || !freshQueryMethods[u.Methods[0]] || u.Call.IsNil() {
			continue
		}
		out = append(out, queryNeed(semantic.Access{Kind: semantic.Lookup, Node: u.Call, File: fn.File, Methods: u.Methods}, path, why))
	}
	return out
}

// metaValue returns the value of `name = ...` in the Meta class nested in
// class definition cls, or the zero Node.
func metaValue(cls pyast.Node, name string) pyast.Node {
	for _, st := range pyast.Statements(pyast.Body(cls)) {
		if st.Type() != "class_definition" || pyast.DefName(st) != "Meta" {
			continue
		}
		for _, mst := range pyast.Statements(pyast.Body(st)) {
			a := mst.NamedChild(0)
			if mst.Type() == "expression_statement" && a.Type() == "assignment" && a.ChildByField("left").Text() == name {
				return pyast.Unparen(a.ChildByField("right"))
			}
		}
	}
	return pyast.Node{}
}

// sameNeedIn reports whether ns holds a need for the same read as n.
func sameNeedIn(ns []need, n need) bool {
	for _, a := range ns {
		if a.Path == n.Path && a.Prefetch == n.Prefetch && a.Query == n.Query && a.What == n.What {
			return true
		}
	}
	return false
}

// countOnlySome counts the queries that only some serializers run.
func countOnlySome(queries, onlySome []need) int {
	k := 0
	for _, q := range queries {
		if sameNeedIn(onlySome, q) {
			k++
		}
	}
	return k
}
