package bugs

import (
	"bytes"
	_ "embed"
	"fmt"
	"sort"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed unscopedupdate.md
var unscopedUpdateDoc string

// UnscopedUpdate reports `Model.objects.update(...)` with no filter that
// sets a relation or a unique column to one row's value: it rewrites every
// row of the table.
var UnscopedUpdate = &analyzer.Rule{
	Code:       "BUG017",
	Name:       "unscoped-update",
	Doc:        unscopedUpdateDoc,
	Category:   analyzer.Correctness,
	Severity:   analyzer.Error,
	Confidence: analyzer.High,
	Since:      "0.3.0",
	Stack:      project.Django,
	Skip:       semantic.ProductCode | semantic.Command,
	Requires:   requires,
	Run:        runUnscopedUpdate,
}

// scopeFree are the queryset methods that keep every row of the manager.
var scopeFree = map[string]bool{"all": true, "select_for_update": true, "using": true, "select_related": true,
	"prefetch_related": true, "order_by": true, "only": true, "defer": true}

// runUnscopedUpdate matches `update(...)` called on a project model's
// default manager (`Model.objects`, optionally through all(),
// select_for_update(), using()...), inside a function, when one keyword
// sets a foreign key, a one-to-one or a unique column to a value read from
// a variable (`user_id=user.id`, `owner=request.user`), or sets any column
// to the caller's user. Literal values, None, F() and other expressions
// (one value per row) are left alone: `Theme.objects.update(active=False)`
// before activating one is the usual idiom. Managers of the tree's own
// classes (their get_queryset may scope the rows) are skipped.
func runUnscopedUpdate(p *analyzer.Pass) error {
	if !bytes.Contains(p.File.Src(), []byte(".update(")) {
		return nil
	}
	g := p.Project.Models
	for n := range pyast.FindEach(p.Root, "call") {
		c, _ := pyast.AsCall(n)
		if c.MethodName() != "update" || len(c.Keywords) == 0 || c.StarKwargs || len(c.Positional) > 0 {
			continue
		}
		if pyast.EnclosingFunction(n).IsNil() {
			continue
		}
		recv := c.Receiver()
		for {
			rc, ok := pyast.AsCall(recv)
			if !ok {
				break
			}
			if !scopeFree[rc.MethodName()] {
				recv = pyast.Node{}
				break
			}
			recv = rc.Receiver()
		}
		if recv.Type() != "attribute" {
			continue
		}
		manager := recv.ChildByField("attribute").Text()
		md := g.Lookup(p.Unit, pyast.Dotted(recv.ChildByField("object")))
		if md == nil || md.External || !md.HasManager(manager) && manager != "objects" || md.CustomManager(manager) != nil {
			continue
		}
		names := make([]string, 0, len(c.Keywords))
		for k := range c.EachKeyword() {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			v := pyast.Unparen(c.Keywords[k])
			why := scopedValue(md, k, v)
			if why == "" {
				continue
			}
			model := pyast.Dotted(recv.ChildByField("object"))
			p.Report(analyzer.Diagnostic{
				Range: analyzer.RangeOf(n),
				Message: fmt.Sprintf("`%s.%s.update(...)` has no filter: it sets `%s=%s` (%s) on every `%s` row, not on the one meant",
					model, manager, k, pyast.OneLine(v, 40), why, md.Name),
				Help: fmt.Sprintf("filter to the row first: `%s.%s.filter(...).update(...)` (or update the instance and save it)", model, manager),
			})
			break
		}
	}
	return nil
}

// scopedValue says why setting column k to v on every row is a mistake, or
// "" when it may be meant: v must come from a variable (a name, an
// attribute or an item), and k be a relation or unique column, or v the
// caller's user.
func scopedValue(md *project.Model, k string, v pyast.Node) string {
	switch v.Type() {
	case "identifier", "attribute", "subscript":
	default:
		return ""
	}
	if v.Type() == "identifier" && strings.ToUpper(v.Text()) == v.Text() {
		return "" // a module constant
	}
	f := md.Field(k)
	if f == nil {
		if col, ok := strings.CutSuffix(k, "_id"); ok {
			if ff := md.Field(col); ff != nil && (ff.Kind == project.ForeignKey || ff.Kind == project.OneToOne) {
				f = ff
			}
		}
	}
	text := v.Text()
	switch {
	case f == nil:
	case f.Kind == project.OneToOne:
		return "a one-to-one: unique"
	case f.Unique || f.PrimaryKey:
		return "a unique column"
	case f.Kind == project.ForeignKey:
		return "a foreign key"
	}
	if strings.HasPrefix(text, "request.user") || text == "user" || strings.HasPrefix(text, "user.") || strings.HasPrefix(text, "self.request.user") {
		return "the caller's user"
	}
	return ""
}
